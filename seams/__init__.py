"""How each layer names its parts: a name -> "module:attr" table, imported only when asked for.

One style for every pluggable part (TTS engines, augment steps, export formats, executors), so an
optional backend costs nothing unless used, and a misspelt name gets a did-you-mean:

    ENGINES = Registry("engine", {"espeak": "synth.engines.espeak:EspeakEngine", ...}, EngineError)
    ENGINES.load("espeak")(**options)

This package sits below synth, augment and voices and imports none of them.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import Any


class Registry:
    """Named parts of one kind, each a ``"module:attr"`` path resolved lazily.

    :param kind: what a part is, for messages ("engine", "export format")
    :param entries: name -> ``"module:attr"``, in the order listed to users
    :param error: the exception type an unknown name raises (the layer's own error)
    """

    def __init__(self, kind: str, entries: dict[str, str], error: type[Exception] = ValueError):
        for name, target in entries.items():
            _check_target(name, target)
        self.kind = kind
        self.error = error
        self._entries = dict(entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._entries)

    def target(self, name: str) -> str:
        """The ``"module:attr"`` of `name`; `error` if it is not registered."""
        if name not in self._entries:
            raise self.error(self.unknown(name))
        return self._entries[name]

    def dotted_paths(self) -> list[str]:
        """Every target as a dotted path (``module.attr``), the form a Hydra ``_target_`` takes."""
        return [t.replace(":", ".") for t in self._entries.values()]

    def name_of(self, dotted: str) -> str | None:
        """The registered name whose target is the dotted path `dotted`, or None."""
        return next((n for n, t in self._entries.items() if t.replace(":", ".") == dotted), None)

    def module(self, name: str) -> ModuleType:
        """Import the module `name` lives in (ImportError if its backend is missing)."""
        return importlib.import_module(self.target(name).partition(":")[0])

    def load(self, name: str) -> Any:
        """The attribute `name` stands for, imported now."""
        module, _, attr = self.target(name).partition(":")
        return getattr(importlib.import_module(module), attr)

    def register(self, name: str, target: str) -> None:
        """Add a part (a test's own step, a plugin); refuses a name already taken.

        :param name: the name configs will use
        :param target: ``"module:attr"``, imported when the part is first used
        """
        _check_target(name, target)
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is registered already (as {self._entries[name]})")
        self._entries[name] = target

    def unregister(self, name: str) -> None:
        """Remove a part added with `register`."""
        self._entries.pop(name, None)

    def suggestion(self, name: object) -> str:
        """``"; did you mean 'x'?"`` for the closest registered name, or "" when none is close."""
        close = difflib.get_close_matches(str(name), self._entries, n=1, cutoff=0.6)
        return f"; did you mean {close[0]!r}?" if close else ""

    def unknown(self, name: object) -> str:
        """The message for a name that is not registered: a did-you-mean, then every known name."""
        return f"unknown {self.kind} {name!r}{self.suggestion(name)}; known: {', '.join(self._entries)}"


def _check_target(name: str, target: str) -> None:
    module, sep, attr = target.partition(":")
    if not (sep and module and attr):
        raise ValueError(f"registry entry {name!r}: {target!r} is not 'module:attr'")
