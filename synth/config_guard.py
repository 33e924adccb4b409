"""Configs cannot run code: the one allowlist of what a config may name as a callable.

A Hydra config can name a callable in several places, and each is called with arguments the config
gives: any `_target_` (Hydra instantiates `hydra.callbacks`, `hydra.launcher` and `hydra.sweeper`
itself, before the task function runs; our augment steps are instantiated by us), and the `class` /
`()` keys of `hydra.hydra_logging` / `hydra.job_logging` (logging.config.dictConfig calls them;
an `ext://a.b` value imports module `a`). `hydra.job.env_set` can set LD_PRELOAD or PYTHONPATH for
every engine and worker process started afterwards. So `+hydra.callbacks.x._target_=joblib.load`
with a pickle file would run that pickle's code; Hydra's own blocklist stops only Popen-like names.

`check_config` walks the whole composed config (interpolations resolved one node at a time, so a
`${oc.create:...}` or `${oc.decode:...}` cannot hide a target) and refuses, naming the key path,
anything outside the allowlist below. `hydra_composition_guard` makes Hydra run that check on every
config it composes, before it configures logging or instantiates anything.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import logging.handlers
import sys
from collections.abc import Iterator
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

# Hydra instantiate's other special keys change what is called and how; no config of ours needs them.
INSTANTIATE_KEYS = ("_args_", "_partial_", "_recursive_", "_convert_")
LOGGING_CONFIGS = ("hydra.hydra_logging", "hydra.job_logging")
LOGGING_STREAMS = ("ext://sys.stdout", "ext://sys.stderr")
# Hydra's shipped callbacks that only log; PickleJobInfoCallback is left out: it writes pickles outside output.dir.
HYDRA_CALLBACKS = ("hydra.experimental.callbacks.LogJobReturnCallback",)
# Environment variables that decide what code a later process loads.
CODE_LOADING_ENV = ("LD_", "DYLD_", "PYTHON", "PERL5", "RUBY")
CODE_LOADING_ENV_NAMES = ("PATH", "BASH_ENV", "ENV", "NODE_OPTIONS", "GCONV_PATH")
MAX_DEPTH = 64
_UNRESOLVED = object()


class ConfigRefused(ValueError):
    """A config names something it may not call; the message gives the key path and what is allowed."""


def _name(obj: type) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


@functools.cache
def hydra_plugin_targets() -> frozenset[str]:
    """The launcher and sweeper classes Hydra found installed (the only classes Hydra accepts there)."""
    from hydra.core.plugins import Plugins
    from hydra.plugins.launcher import Launcher
    from hydra.plugins.sweeper import Sweeper

    plugins = Plugins.instance()
    return frozenset(_name(cls) for kind in (Launcher, Sweeper) for cls in plugins.discover(kind))


def allowed_targets_text() -> str:
    from augment.targets import step_targets

    return (
        "audiomentations.* transform classes, augment steps "
        f"({', '.join(sorted(step_targets()))}), Hydra's installed launchers and sweepers "
        f"({', '.join(sorted(hydra_plugin_targets()))}) and callbacks ({', '.join(HYDRA_CALLBACKS)})"
    )


def check_target(target: Any, key: str) -> None:
    """Refuse `target` unless the allowlist holds it.

    :param target: the value of a `_target_` key, resolved
    :param key: its dotted key path, for the message
    :raises ConfigRefused: naming `key` and what may be instantiated
    """
    if isinstance(target, str):
        # Hydra's own targets first: every run's config has them, and augment's part of the allowlist
        # costs an import of the augment package (scipy.signal, 0.7 CPU s) that a run without augmentation skips
        if target in HYDRA_CALLBACKS or target in hydra_plugin_targets():
            return
        from augment.targets import allowed as augment_allows  # augment's own part of the allowlist

        if augment_allows(target):
            return
    raise ConfigRefused(
        f"{key}: _target_ {target!r} is not allowed; a config may instantiate only {allowed_targets_text()}"
    )


@functools.cache
def _logging_classes() -> frozenset[str]:
    kinds = (logging.Handler, logging.Formatter, logging.Filter)
    names = set()
    for module in (logging, logging.handlers):
        for attr, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, kinds) and not attr.startswith("_"):
                names.add(f"{module.__name__}.{attr}")
    return frozenset(names)


def _check_logging_value(name: Any, value: Any, key: str) -> None:
    if name in ("class", "()") and value not in _logging_classes():
        raise ConfigRefused(
            f"{key}: {value!r} is not allowed in a logging config; use a handler, formatter or filter class "
            "of the logging or logging.handlers module, e.g. logging.StreamHandler"
        )
    if isinstance(value, str) and value.startswith("ext://") and value not in LOGGING_STREAMS:
        raise ConfigRefused(f"{key}: {value!r} is not allowed in a logging config; valid: {', '.join(LOGGING_STREAMS)}")


def _check_env_name(name: Any, key: str) -> None:
    text = str(name).upper()
    if text.startswith(CODE_LOADING_ENV) or text in CODE_LOADING_ENV_NAMES:
        raise ConfigRefused(
            f"{key}: setting {name} would change what code the engine and worker processes load; refused "
            f"(variables named {', '.join(CODE_LOADING_ENV_NAMES)} or starting "
            f"{', '.join(CODE_LOADING_ENV)} cannot be set from a config)"
        )


def _children(node: Any) -> Iterator[tuple[Any, Any]]:
    """(name, value) of a container, each value resolved on its own; _UNRESOLVED where it cannot be yet
    (e.g. ${hydra:runtime.output_dir} while Hydra composes). Missing (???) values are skipped."""
    if isinstance(node, (DictConfig, ListConfig)):
        names = node.keys() if isinstance(node, DictConfig) else range(len(node))
        for name in names:
            if OmegaConf.is_missing(node, name):
                continue
            try:
                yield name, node[name]
            except Exception:
                yield name, _UNRESOLVED
    elif isinstance(node, dict):
        yield from node.items()
    elif isinstance(node, (list, tuple)):
        yield from enumerate(node)


def _join(key: str, name: Any) -> str:
    if isinstance(name, int):
        return f"{key}[{name}]"
    return f"{key}.{name}" if key else str(name)


def check_config(cfg: Any, key: str = "") -> None:
    """Walk a whole config (an OmegaConf container or plain dicts and lists) and refuse what could run code.

    :param cfg: the composed config, the `hydra` node included when there is one
    :param key: the dotted path of `cfg` inside the full config ("" for the root)
    :raises ConfigRefused: naming the first key path at fault
    """
    _walk(cfg, key, ())


def _walk(node: Any, key: str, seen: tuple) -> None:
    if not isinstance(node, (DictConfig, ListConfig, dict, list, tuple)):
        return
    if id(node) in seen or len(seen) > MAX_DEPTH:  # an interpolation pointing back up its own branch
        raise ConfigRefused(f"{key}: refers back to itself; a config must be a finite tree")
    seen = (*seen, id(node))
    in_logging = key.startswith(LOGGING_CONFIGS)
    is_dict = isinstance(node, (DictConfig, dict))
    for name, value in _children(node):
        path = _join(key, name)
        if is_dict and name in INSTANTIATE_KEYS:
            raise ConfigRefused(
                f"{path}: Hydra special keys other than _target_ ({', '.join(INSTANTIATE_KEYS)}) are refused"
            )
        if is_dict and name == "_target_":
            check_target(None if value is _UNRESOLVED else value, path)
        if in_logging:
            _check_logging_value(name if is_dict else None, value, path)
        if key == "hydra.job.env_set":
            _check_env_name(name, path)
        if value is not _UNRESOLVED:
            _walk(value, path, seen)


def _guarded_load_configuration(original, exit_on_refusal: bool):
    @functools.wraps(original)
    def load_configuration(self, *args, **kwargs):
        cfg = original(self, *args, **kwargs)
        try:
            check_config(cfg)
        except ConfigRefused as exc:
            if not exit_on_refusal:
                raise
            # SystemExit passes Hydra's error printer, which would show a traceback for a ValueError
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
        return cfg

    load_configuration.guarded = True
    return load_configuration


@contextlib.contextmanager
def hydra_composition_guard(exit_on_refusal: bool = False) -> Iterator[None]:
    """While active, every config Hydra composes in this process (the run's, the master config of a
    multirun, each sweep job's) is checked before Hydra configures logging from it or instantiates its
    callbacks, launcher and sweeper. Hydra has no public hook before that point, so this wraps its
    config loader's `load_configuration` (stable since Hydra 1.1; tests/test_config_guard.py runs the attacks).

    :param exit_on_refusal: print "error: ..." and exit with status 2 (the command line) instead of
        raising ConfigRefused (programmatic compose)
    """
    from hydra._internal.config_loader_impl import ConfigLoaderImpl

    original = ConfigLoaderImpl.load_configuration
    if getattr(original, "guarded", False):
        yield
        return
    ConfigLoaderImpl.load_configuration = _guarded_load_configuration(original, exit_on_refusal)
    try:
        yield
    finally:
        ConfigLoaderImpl.load_configuration = original
