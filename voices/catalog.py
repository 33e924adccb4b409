"""Voice catalogs: YAML data files shipped in this package, loaded into :class:`Voice`.

A catalog file is a plain YAML list of voice entries, ``include: [catalog, ...]`` (the voices of
other catalogs, e.g. ``natural_en``), or a mapping::

    defaults: {engine: espeak, language: en, license: ...}   # optional
    voices:
      - id: espeak-en-us-f3
        engine_voice: en-us+f3
        ...

Every loaded entry carries all of :data:`REQUIRED_FIELDS` (after ``defaults``
are applied).  Keys that are not standard fields, plus an optional ``extra:``
mapping, are collected into :attr:`Voice.extra` for engine-specific settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "CatalogError",
    "GENDERS",
    "ID_PATTERN",
    "REQUIRED_FIELDS",
    "Voice",
    "catalog_names",
    "list_voices_table",
    "load_catalog",
    "load_catalogs",
    "select_voices",
]

REQUIRED_FIELDS: tuple[str, ...] = (
    "id",
    "engine",
    "engine_voice",
    "language",
    "locale",
    "accent",
    "accent_name",
    "gender",
    "license",
)
# Optional typed fields: what a voice's licence allows. `commercial_use` may be true, false or
# absent (unknown); the licence filter (voices.licenses=commercial) keeps only voices marked true.
LICENSE_FIELDS: tuple[str, ...] = ("license_terms", "commercial_use", "license_file")
LICENSE_FILTERS: tuple[str, ...] = ("any", "commercial")
GENDERS: tuple[str, ...] = ("female", "male")
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
_PACKAGE = "voices"
_SUFFIXES = (".yaml", ".yml")


class CatalogError(ValueError):
    """A catalog could not be found, is malformed, or a selection is invalid."""


@dataclass(frozen=True)
class Voice:
    id: str
    engine: str
    engine_voice: str
    language: str
    locale: str
    accent: str
    accent_name: str
    gender: str
    license: str
    # Engine-specific keys. Excluded from hashing (dicts are unhashable) but
    # still part of equality.
    extra: dict[str, Any] = field(default_factory=dict, hash=False)
    license_terms: str = ""
    commercial_use: bool | None = None  # None: the catalog does not say (treated as "not allowed")
    license_file: str = ""

    def to_speaker(self) -> dict[str, Any]:
        """The manifest's ``speaker`` object: the contract's fields, the licence terms, and for a
        pseudo-speaker (voices/pseudo_speakers.py) its base voice and the perturbation applied."""
        speaker: dict[str, Any] = {
            "id": self.id,
            "engine": self.engine,
            "voice": self.engine_voice,
            "accent": self.accent,
            "gender": self.gender,
            "locale": self.locale,
            "license": self.license,
            "commercial_use": self.commercial_use,
        }
        if "base_voice" in self.extra:  # a run with voices.speakers_per_voice > 1: every row names both
            speaker["base_voice"] = self.extra["base_voice"]
            speaker["perturbation"] = self.extra.get("perturbation")
        return speaker


# --------------------------------------------------------------------------- loading


def _shipped() -> dict[str, Any]:
    """Map catalog name (file stem) -> Traversable for YAML files in this package."""
    out: dict[str, Any] = {}
    # This file's own folder, not resources.files("voices"): a voices/ folder in the working directory
    # (a namespace package) would shadow the installed package there and hold no catalogs.
    for entry in Path(__file__).resolve().parent.iterdir():
        name = entry.name
        if entry.is_file() and name.endswith(_SUFFIXES) and not name.startswith("."):
            out[name.rsplit(".", 1)[0]] = entry
    return out


def catalog_names(aggregates: bool = False) -> list[str]:
    """Names (file stems) of the YAML catalogs shipped in the ``voices`` package. Catalogs of catalogs
    (``include:``, e.g. natural_en) hold no voices of their own and are left out unless `aggregates`."""
    shipped = _shipped()
    return sorted(
        n for n, res in shipped.items() if aggregates or _included_in(res.read_text(encoding="utf-8"), n) is None
    )


def load_catalog(name_or_path: str | Path) -> list[Voice]:
    """Load and validate a catalog, by shipped name (``"espeak_en"``) or YAML file path.

    Raises :class:`CatalogError` naming the file, entry and field on any problem.
    """
    shipped = _shipped()
    key = str(name_or_path)
    if not isinstance(name_or_path, Path) and key in shipped:
        res = shipped[key]
        label = f"{key}{Path(res.name).suffix} (catalog '{key}')"
        text = res.read_text(encoding="utf-8")
    else:
        path = Path(name_or_path)
        looks_like_path = isinstance(name_or_path, Path) or path.suffix in _SUFFIXES or len(path.parts) > 1
        if not path.is_file():
            if looks_like_path:
                raise CatalogError(f"catalog file not found: {path}")
            raise CatalogError(
                f"unknown catalog {key!r}; known: {', '.join(sorted(shipped)) or '(none)'} "
                "(or give a path to a YAML file)"
            )
        label = str(path)
        text = path.read_text(encoding="utf-8")
    try:
        data = _read_yaml(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{label}: invalid YAML: {exc}") from exc
    included = _included(data, label)
    return load_catalogs(included) if included is not None else _parse(data, label)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(text: str) -> Any:
    """yaml.safe_load's values, parsed by libyaml where PyYAML has it (the same constructor; ~10x
    faster: the card's accent names parse every shipped catalog). A YAMLError comes from the Python
    parser, whose message names the line and column as it always has."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _included_in(text: str, label: str) -> list[str] | None:
    try:
        data = _read_yaml(text)
    except yaml.YAMLError:
        return None  # load_catalog reports it
    return _included(data, label)


def _included(data: Any, label: str) -> list[str] | None:
    """The catalogs a catalog of catalogs names (a mapping holding only ``include: [names]``), or None."""
    if not isinstance(data, dict) or "include" not in data:
        return None
    names = data["include"]
    if (
        set(data) != {"include"}
        or not isinstance(names, list)
        or not names
        or not all(isinstance(n, str) for n in names)
    ):
        raise CatalogError(
            f"{label}: a catalog of catalogs holds only 'include: [catalog, ...]' (non-empty list of names)"
        )
    return names


def load_catalogs(names: Iterable[str | Path]) -> list[Voice]:
    """Load several catalogs and concatenate them; voice ids must be unique across all."""
    voices: list[Voice] = []
    origin: dict[str, str] = {}
    for name in names:
        for v in load_catalog(name):
            if v.id in origin:
                raise CatalogError(f"duplicate voice id {v.id!r} in catalogs {origin[v.id]!r} and {str(name)!r}")
            origin[v.id] = str(name)
            voices.append(v)
    return voices


def _parse(data: Any, label: str) -> list[Voice]:
    defaults: dict[str, Any] = {}
    if isinstance(data, dict):
        unknown = set(data) - {"defaults", "voices"}
        if unknown:
            raise CatalogError(
                f"{label}: unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}; "
                "expected 'voices' and optionally 'defaults'"
            )
        if "voices" not in data:
            raise CatalogError(f"{label}: missing top-level 'voices' list")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise CatalogError(f"{label}: 'defaults' must be a mapping, got {type(defaults).__name__}")
        if "id" in defaults:
            raise CatalogError(f"{label}: 'defaults' must not set 'id'")
        entries = data["voices"]
    else:
        entries = data
    if not isinstance(entries, list):
        raise CatalogError(f"{label}: expected a list of voice entries, got {type(entries).__name__}")
    if not entries:
        raise CatalogError(f"{label}: catalog has no voice entries")

    errors: list[str] = []
    voices: list[Voice] = []
    first_seen: dict[str, int] = {}
    for i, raw in enumerate(entries):
        where = f"{label}: entry {i}"
        if not isinstance(raw, dict):
            errors.append(f"{where}: expected a mapping, got {type(raw).__name__}")
            continue
        if isinstance(raw.get("id"), str):
            where += f" (id {raw['id']!r})"
        merged = {**defaults, **raw}
        entry_errors: list[str] = []
        for fld in REQUIRED_FIELDS:
            if fld not in merged or merged[fld] is None:
                entry_errors.append(f"{where}: missing required field {fld!r}")
            elif not isinstance(merged[fld], str) or not merged[fld].strip():
                entry_errors.append(f"{where}: field {fld!r} must be a non-empty string, got {merged[fld]!r}")
        if not entry_errors:
            vid = merged["id"]
            if not ID_PATTERN.match(vid):
                entry_errors.append(f"{where}: field 'id' must match [A-Za-z0-9_-]+, got {vid!r}")
            if merged["gender"] not in GENDERS:
                entry_errors.append(
                    f"{where}: field 'gender' must be one of {', '.join(GENDERS)}, got {merged['gender']!r}"
                )
            if vid in first_seen:
                entry_errors.append(
                    f"{where}: field 'id': duplicate id {vid!r} (first used by entry {first_seen[vid]})"
                )
            else:
                first_seen[vid] = i
        extra_raw = merged.get("extra") or {}
        if not isinstance(extra_raw, dict):
            entry_errors.append(f"{where}: field 'extra' must be a mapping, got {type(extra_raw).__name__}")
            extra_raw = {}
        if entry_errors:
            errors.extend(entry_errors)
            continue
        licence = {}
        for fld in LICENSE_FIELDS:
            value = merged.get(fld)
            if value is None:
                continue
            wanted = bool if fld == "commercial_use" else str
            if not isinstance(value, wanted):
                entry_errors.append(
                    f"{where}: field {fld!r} must be {'true or false' if wanted is bool else 'a string'}, got {value!r}"
                )
            licence[fld] = value
        if entry_errors:
            errors.extend(entry_errors)
            continue
        extra = {
            k: v for k, v in merged.items() if k not in REQUIRED_FIELDS and k not in LICENSE_FIELDS and k != "extra"
        }
        extra.update(extra_raw)
        voices.append(Voice(**{f: merged[f] for f in REQUIRED_FIELDS}, extra=extra, **licence))
    if errors:
        n = len(errors)
        raise CatalogError(f"{n} error{'s' if n > 1 else ''} in voice catalog:\n  " + "\n  ".join(errors))
    return voices


# --------------------------------------------------------------------------- selection


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return list(value)


def _check_known(kind: str, wanted: list[str], known: Iterable[str]) -> None:
    known_sorted = sorted(set(known))
    for w in wanted:
        if w not in known_sorted:
            raise CatalogError(f"unknown {kind} {w!r}; known: {', '.join(known_sorted)}")


def select_voices(
    voices: Sequence[Voice],
    accents: str | Iterable[str] | None = None,
    genders: str | Iterable[str] | None = None,
    ids: str | Iterable[str] | None = None,
    licenses: str = "any",
) -> list[Voice]:
    """Filter ``voices`` (keeping their order).  ``None`` means "no filter".

    :param licenses: ``"any"``, or ``"commercial"`` to keep only voices whose catalog entry says
        ``commercial_use: true`` (an entry that does not say is left out).

    Unknown accents / genders / voice ids raise :class:`CatalogError` listing the
    known values; so does a selection that matches no voice.
    """
    if licenses not in LICENSE_FILTERS:
        raise CatalogError(
            f"unknown licence filter {licenses!r} (voices.licenses); known: {', '.join(LICENSE_FILTERS)}"
        )
    accents_l, genders_l, ids_l = _as_list(accents), _as_list(genders), _as_list(ids)
    if accents_l is not None:
        _check_known("accent", accents_l, (v.accent for v in voices))
    if genders_l is not None:
        _check_known("gender", genders_l, GENDERS)
    if ids_l is not None:
        _check_known("voice id", ids_l, (v.id for v in voices))
    out = [
        v
        for v in voices
        if (accents_l is None or v.accent in accents_l)
        and (genders_l is None or v.gender in genders_l)
        and (ids_l is None or v.id in ids_l)
        and (licenses == "any" or v.commercial_use is True)
    ]
    if not out:
        crit = ", ".join(
            f"{k}={v}"
            for k, v in (
                ("accents", accents_l),
                ("genders", genders_l),
                ("ids", ids_l),
                ("licenses", None if licenses == "any" else licenses),
            )
            if v is not None
        )
        raise CatalogError(f"no voices match the selection ({crit or 'empty catalog'})")
    return out


# --------------------------------------------------------------------------- display

TABLE_COLUMNS: tuple[str, ...] = ("id", "accent", "gender", "locale", "engine_voice", "license")


def list_voices_table(voices: Sequence[Voice]) -> str:
    """Format voices as an aligned plain-text table (header, rule, one row per voice)."""
    rows = [[str(getattr(v, c)) for c in TABLE_COLUMNS] for v in voices]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(TABLE_COLUMNS)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    lines = [fmt(TABLE_COLUMNS), fmt(["-" * w for w in widths])]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)
