"""Load and check a template grammar (YAML): intents, their carrier phrases and typed slots.

Everything that can be wrong with a file is found here, before the first prompt is drawn, and
reported as a TemplateError naming the file, intent, template or slot and what would be valid.
The format is documented at the top of the built-in domain, synth/data/domains/home_assistant.yaml.
"""

from __future__ import annotations

import os
import pathlib
import re
from collections import Counter
from dataclasses import dataclass

import yaml

from synth.templates.errors import TemplateError
from synth.templates.slots import build_slot

NAME_RULE = "[A-Za-z0-9_]{1,64}"
_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")  # no '-': ids are "<intent>-00042"
_TOP_KEYS = ("domain", "description", "slots", "intents")
_INTENT_KEYS = ("templates", "slots", "weight", "description")


# --------------------------------------------------------------------------- carrier phrases


@dataclass(frozen=True)
class Slot:
    name: str


@dataclass(frozen=True)
class Choice:
    alternatives: tuple[tuple[Node, ...], ...]
    optional: bool  # [a|b] may also give nothing


Node = str | Slot | Choice


@dataclass(frozen=True)
class Template:
    id: str
    source: str
    nodes: tuple[Node, ...]


class _Parser:
    """Recursive descent over: text, {slot}, (a|b|...), [a|...]; a backslash escapes the next character."""

    def __init__(self, source: str, where: str):
        self.source, self.where, self.pos = source, where, 0

    def fail(self, message: str) -> TemplateError:
        return TemplateError(
            f"{self.where} {self.source!r}: {message} at character {self.pos + 1}; "
            "carrier phrases are text with {slot}, (a|b) for one of, [a] or [a|b] for optional "
            "(a backslash escapes a bracket)"
        )

    def parse(self) -> tuple[Node, ...]:
        nodes = self.sequence(closers="")
        if self.pos < len(self.source):
            raise self.fail(f"unexpected {self.source[self.pos]!r}")
        return nodes

    def sequence(self, closers: str) -> tuple[Node, ...]:
        nodes: list[Node] = []
        text: list[str] = []

        def flush():
            if text:
                nodes.append("".join(text))
                text.clear()

        while self.pos < len(self.source):
            c = self.source[self.pos]
            if c in closers or (c == "|" and closers):
                break
            if c == "\\" and self.pos + 1 < len(self.source):
                text.append(self.source[self.pos + 1])
                self.pos += 2
            elif c == "{":
                flush()
                end = self.source.find("}", self.pos)
                name = self.source[self.pos + 1 : end] if end >= 0 else ""
                if end < 0 or not _NAME.match(name.strip()):
                    raise self.fail(f"a slot must be written {{name}} with a name matching {NAME_RULE}")
                nodes.append(Slot(name.strip()))
                self.pos = end + 1
            elif c in "([":
                flush()
                nodes.append(self.choice(")" if c == "(" else "]"))
            elif c in ")]}|":
                raise self.fail(f"unexpected {c!r}")
            else:
                text.append(c)
                self.pos += 1
        flush()
        return tuple(nodes)

    def choice(self, closer: str) -> Choice:
        self.pos += 1
        alternatives = [self.sequence(closers=closer)]
        while self.pos < len(self.source) and self.source[self.pos] == "|":
            self.pos += 1
            alternatives.append(self.sequence(closers=closer))
        if self.pos >= len(self.source) or self.source[self.pos] != closer:
            raise self.fail(f"missing {closer!r}")
        self.pos += 1
        return Choice(tuple(alternatives), optional=closer == "]")


def _slot_uses(nodes: tuple[Node, ...]) -> Counter:
    """The most times each slot can appear in one expansion."""
    total: Counter = Counter()
    for node in nodes:
        if isinstance(node, Slot):
            total[node.name] += 1
        elif isinstance(node, Choice):
            best: Counter = Counter()
            for alt in node.alternatives:
                best |= _slot_uses(alt)  # | keeps the max count per key
            total += best
    return total


# --------------------------------------------------------------------------- the file


@dataclass(frozen=True)
class Intent:
    name: str
    templates: tuple[Template, ...]
    slots: dict  # slot name -> slot type instance (with .type)
    weight: float


@dataclass(frozen=True)
class Grammar:
    path: str
    domain: str | None
    intents: tuple[Intent, ...]


def load_grammar(path: str | os.PathLike) -> Grammar:
    path = pathlib.Path(path)
    if not path.is_file():
        raise TemplateError(
            f"template grammar not found: {path}; expected a YAML file (see the built-in "
            "domain synth/data/domains/home_assistant.yaml for the format)"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise TemplateError(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(
            f"{path}: the top level must be a mapping with keys {', '.join(_TOP_KEYS)}; got {type(data).__name__}"
        )
    _check_keys(data, _TOP_KEYS, f"{path}")
    shared = _slot_defs(data.get("slots") or {}, {}, lambda name: f"{path}: slot {name!r}", f"{path}: 'slots'")
    intents_data = data.get("intents")
    if not isinstance(intents_data, dict) or not intents_data:
        raise TemplateError(
            f"{path}: 'intents' must be a non-empty mapping of intent name -> {{templates: [...], slots: {{...}}}}"
        )
    intents = tuple(_intent(path, str(name), spec, shared) for name, spec in intents_data.items())
    domain = data.get("domain")
    return Grammar(str(path), None if domain is None else str(domain), intents)


def _check_keys(mapping: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = [k for k in mapping if k not in allowed]
    if unknown:
        raise TemplateError(f"{where}: unknown key {unknown[0]!r}; valid keys: {', '.join(allowed)}")


def _slot_defs(specs: object, shared: dict, where_slot, where_block: str) -> dict:
    if not isinstance(specs, dict):
        raise TemplateError(f"{where_block} must be a mapping of slot name -> definition; got {specs!r}")
    out = {}
    for name, spec in specs.items():
        name = str(name)
        if not _NAME.match(name):
            raise TemplateError(f"{where_block}: bad slot name {name!r}; names must match {NAME_RULE}")
        if isinstance(spec, str):  # an alias: a second slot of the same kind ("to_city: city")
            pool = {**shared, **out}
            if spec not in pool:
                raise TemplateError(
                    f"{where_slot(name)}: refers to undefined slot {spec!r}; "
                    f"slots defined above it: {', '.join(sorted(pool)) or 'none'}"
                )
            out[name] = pool[spec]
        else:
            out[name] = build_slot(spec, lambda n=name: where_slot(n))
    return out


def _intent(path: pathlib.Path, name: str, spec: object, shared: dict) -> Intent:
    where = f"{path}: intent {name!r}"
    if not _NAME.match(name):
        raise TemplateError(f"{path}: bad intent name {name!r}; names must match {NAME_RULE} (they start prompt ids)")
    if not isinstance(spec, dict):
        raise TemplateError(f"{where} must be a mapping with 'templates' (and optional 'slots', 'weight')")
    _check_keys(spec, _INTENT_KEYS, where)
    local = _slot_defs(spec.get("slots") or {}, shared, lambda s: f"{where}, slot {s!r}", f"{where}: 'slots'")
    slots = {**shared, **local}
    weight = spec.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise TemplateError(f"{where}: 'weight' must be a positive number; got {weight!r}")
    raw = spec.get("templates")
    if not isinstance(raw, list) or not raw:
        raise TemplateError(f"{where}: 'templates' must be a non-empty list of carrier phrases")
    templates, ids = [], set()
    for i, item in enumerate(raw, 1):
        tid, source = f"{name}-t{i}", item
        if isinstance(item, dict) and set(item) <= {"id", "text"} and "text" in item:
            tid, source = str(item.get("id", tid)), item["text"]
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", tid):
                raise TemplateError(f"{where}, template {i}: bad id {tid!r}; ids must match [A-Za-z0-9_-]{{1,128}}")
        if not isinstance(source, str) or not source.strip():
            raise TemplateError(
                f"{where}, template {i}: expected a carrier phrase (a string) or {{id: ..., text: ...}}; got {item!r}"
            )
        if tid in ids:
            raise TemplateError(f"{where}, template {i}: id {tid!r} is used twice")
        ids.add(tid)
        nodes = _Parser(source, f"{where}, template {i}").parse()
        for slot_name, uses in _slot_uses(nodes).items():
            if slot_name not in slots:
                raise TemplateError(
                    f"{where}, template {i} {source!r}: unknown slot {slot_name!r}; "
                    f"defined slots: {', '.join(sorted(slots)) or 'none'}"
                )
            if uses > 1:
                raise TemplateError(
                    f"{where}, template {i} {source!r}: slot {slot_name!r} can appear twice in "
                    f"one utterance; give the second one its own name (under the intent's "
                    f"slots: '{slot_name}_2: {slot_name}')"
                )
        templates.append(Template(tid, source, nodes))
    return Intent(name, tuple(templates), slots, float(weight))
