"""Typed slots: each type checks its parameters once and draws a value *as written* from a Generator.

Values are written the way people type them ("7:30 pm", "March 3rd", "$5.99", "45 mins") so that the
corpus exercises text normalization; the word spans in the transcript are found afterwards, from the
real normalizer (synth.templates.spans), never predicted here.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable

import numpy as np

from synth.normalize import NormalizationError, to_spoken
from synth.templates.data import first_names, last_names, places
from synth.templates.errors import TemplateError

Where = Callable[[], str]  # builds the "file, intent, slot" prefix of an error message lazily


class _Params:
    """A slot's parameter mapping, read key by key with errors that say what would be valid."""

    def __init__(self, spec: dict, where: Where, allowed: tuple[str, ...]):
        self.spec, self.where = spec, where
        unknown = sorted(set(spec) - set(allowed) - {"type"})
        if unknown:
            raise self.error(f"unknown key {unknown[0]!r}; valid keys for this type: {', '.join(allowed) or 'none'}")

    def error(self, message: str) -> TemplateError:
        return TemplateError(f"{self.where()}: {message}")

    def integer(self, key: str, default: int, low: int | None = None) -> int:
        value = self.spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"{key!r} must be an integer; got {value!r}")
        if low is not None and value < low:
            raise self.error(f"{key!r} must be >= {low}; got {value}")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.spec.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise self.error(f"{key!r} must be a number in [{low}, {high}]; got {value!r}")
        return float(value)

    def choices(self, key: str, valid: tuple[str, ...], default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = self.spec.get(key, default if default is not None else valid)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            raise self.error(f"{key!r} must be a non-empty list drawn from: {', '.join(valid)}")
        for item in value:
            if item not in valid:
                one = {"styles": "style", "units": "unit", "parts": "part", "currencies": "currency"}.get(key, key)
                raise self.error(f"unknown {one} {item!r}; valid: {', '.join(valid)}")
        return tuple(dict.fromkeys(value))

    def strings(self, key: str, default: tuple[str, ...] | None) -> tuple[str, ...]:
        if key not in self.spec:
            if default is None:
                raise self.error(f"missing {key!r}: a non-empty list of strings")
            return default
        value = self.spec[key]
        if not isinstance(value, list) or not value:
            raise self.error(f"{key!r} must be a non-empty list of strings; got {value!r}")
        seen: set[str] = set()
        out = []
        for item in value:
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)  # YAML reads "- 5" as a number; the text is what matters
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{key!r} entries must be non-blank strings; got {item!r}")
            item = " ".join(item.split())
            if any(c in item for c in "{}[]()|"):
                raise self.error(f"value {item!r} contains one of {{ }} [ ] ( ) |, which carrier phrases reserve")
            if item.casefold() in seen:
                raise self.error(f"value {item!r} is listed twice")
            seen.add(item.casefold())
            try:
                to_spoken(item)
            except NormalizationError as exc:
                raise self.error(f"value {item!r} cannot be spoken: {exc.reason}") from None
            out.append(item)
        return tuple(out)


def _pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(len(seq)))]


class ListSlot:
    KEYS = ("values",)

    def __init__(self, p: _Params):
        self.values = p.strings("values", None)

    def draw(self, rng: np.random.Generator) -> str:
        return _pick(rng, self.values)


class NumberSlot:
    KEYS = ("min", "max", "step")

    def __init__(self, p: _Params):
        self.low, self.high = p.integer("min", 1), p.integer("max", 100)
        self.step = p.integer("step", 1, low=1)
        if self.low > self.high:
            raise p.error(f"min ({self.low}) must be <= max ({self.high})")

    def draw(self, rng: np.random.Generator) -> str:
        count = (self.high - self.low) // self.step + 1
        return str(self.low + self.step * int(rng.integers(count)))


_AMPM = (("am", "pm"), ("a.m.", "p.m."), ("AM", "PM"))


class TimeSlot:
    STYLES = ("12h", "12h_ampm", "hour_ampm", "24h", "phrase")
    KEYS = ("styles", "minute_step")

    def __init__(self, p: _Params):
        self.styles = p.choices("styles", self.STYLES)
        self.minute_step = p.integer("minute_step", 5, low=1)
        if 60 % self.minute_step:
            raise p.error(f"'minute_step' must divide 60 (1, 5, 10, 15, 30...); got {self.minute_step}")

    def draw(self, rng: np.random.Generator) -> str:
        style = _pick(rng, self.styles)
        hour12 = int(rng.integers(1, 13))
        minute = self.minute_step * int(rng.integers(60 // self.minute_step))
        am, pm = _pick(rng, _AMPM)
        suffix = (" " if rng.random() < 0.7 else "") + (am if rng.random() < 0.5 else pm)
        if style == "12h":
            return f"{hour12}:{minute:02d}"
        if style == "12h_ampm":
            return f"{hour12}:{minute:02d}{suffix}"
        if style == "hour_ampm":
            return f"{hour12}{suffix}"
        if style == "24h":
            return f"{int(rng.integers(1, 24)):02d}:{minute:02d}"
        nxt = hour12 % 12 + 1
        return _pick(
            rng,
            (
                "noon",
                "midnight",
                f"half past {hour12}",
                f"quarter past {hour12}",
                f"quarter to {nxt}",
                f"{hour12} o'clock",
            ),
        )


_MONTH_ABBR = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
_WEEKDAYS = tuple(calendar.day_name)  # English whatever the locale: calendar uses C-locale names


def _ordinal_suffix(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


class DateSlot:
    STYLES = (
        "month_day",
        "month_ordinal",
        "day_of_month",
        "abbreviated",
        "with_year",
        "numeric",
        "weekday",
        "relative",
    )
    KEYS = ("styles", "years")

    def __init__(self, p: _Params):
        self.styles = p.choices("styles", self.STYLES)
        years = p.spec.get("years", [2025, 2027])
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) for y in years)
            or not 1900 <= years[0] <= years[1] <= 2099
        ):
            raise p.error(f"'years' must be [first, last] with 1900 <= first <= last <= 2099; got {years!r}")
        self.years = tuple(years)

    def draw(self, rng: np.random.Generator) -> str:
        style = _pick(rng, self.styles)
        year = int(rng.integers(self.years[0], self.years[1] + 1))
        month = int(rng.integers(1, 13))
        day = int(rng.integers(1, calendar.monthrange(year, month)[1] + 1))
        name, nth = calendar.month_name[month], f"{day}{_ordinal_suffix(day)}"
        if style == "month_day":
            return f"{name} {day}"
        if style == "month_ordinal":
            return f"{name} {nth}"
        if style == "day_of_month":
            return f"the {nth} of {name}"
        if style == "abbreviated":
            return f"{_MONTH_ABBR[month - 1]} {day if rng.random() < 0.5 else nth}"
        if style == "with_year":
            return f"{name} {day}, {year}"
        if style == "numeric":
            return f"{month}/{day}/{year}"
        if style == "weekday":
            return _pick(rng, ("", "next ", "this ", "on ")) + _pick(rng, _WEEKDAYS)
        return _pick(
            rng,
            (
                "today",
                "tomorrow",
                "tonight",
                "the day after tomorrow",
                "this weekend",
                "next week",
                "tomorrow morning",
                "this evening",
            ),
        )


# unit: (singular, plural, abbreviation, largest count drawn)
_UNITS = {
    "seconds": ("second", "seconds", "secs", 90),
    "minutes": ("minute", "minutes", "mins", 120),
    "hours": ("hour", "hours", "hrs", 12),
    "days": ("day", "days", None, 14),
}


class DurationSlot:
    STYLES = ("number", "article", "compound", "abbreviated", "decimal")
    KEYS = ("units", "styles")

    def __init__(self, p: _Params):
        self.units = p.choices("units", tuple(_UNITS), default=("seconds", "minutes", "hours"))
        self.styles = p.choices("styles", self.STYLES)

    def draw(self, rng: np.random.Generator) -> str:
        style = _pick(rng, self.styles)
        unit = _pick(rng, self.units)
        one, many, abbr, most = _UNITS[unit]
        n = int(rng.integers(1, most + 1))
        if style == "article":
            return _pick(
                rng,
                {
                    "seconds": ("a second", "thirty seconds"),
                    "minutes": ("a minute", "half a minute"),
                    "hours": ("an hour", "half an hour", "an hour and a half"),
                    "days": ("a day", "a day and a half"),
                }[unit],
            )
        if style == "compound" and unit in ("hours", "minutes"):
            small = "minute" if unit == "hours" else "second"
            m = int(rng.integers(1, 60))
            joiner = " and " if rng.random() < 0.5 else " "
            big = min(n, 5)
            return f"{big} {one if big == 1 else many}{joiner}{m} {small if m == 1 else small + 's'}"
        if style == "abbreviated" and abbr:
            return f"{n} {abbr}"
        if style == "decimal" and unit != "seconds":
            return f"{min(n, 9)}.5 {many}"
        return f"{n} {one if n == 1 else many}"


_TITLES = ("Dr.", "Mr.", "Mrs.", "Ms.", "Professor")


class NameSlot:
    PARTS = ("first", "full", "title", "any")
    KEYS = ("parts", "values")

    def __init__(self, p: _Params):
        self.parts = p.choices("parts", self.PARTS, default=("any",))
        self.values = p.strings("values", None) if "values" in p.spec else None

    def draw(self, rng: np.random.Generator) -> str:
        if self.values is not None:
            return _pick(rng, self.values)
        parts = _pick(rng, self.parts)
        if parts == "any":
            parts = _pick(rng, ("first", "first", "full", "title"))
        if parts == "first":
            return _pick(rng, first_names())
        if parts == "full":
            return f"{_pick(rng, first_names())} {_pick(rng, last_names())}"
        return f"{_pick(rng, _TITLES)} {_pick(rng, last_names())}"


class PlaceSlot:
    KEYS = ("values",)

    def __init__(self, p: _Params):
        self.values = p.strings("values", None) if "values" in p.spec else places()

    def draw(self, rng: np.random.Generator) -> str:
        return _pick(rng, self.values)


class MoneySlot:
    CURRENCIES = ("$", "£", "€")
    KEYS = ("currencies", "min", "max", "cents")

    def __init__(self, p: _Params):
        self.currencies = p.choices("currencies", self.CURRENCIES, default=("$",))
        self.low, self.high = p.integer("min", 1, low=0), p.integer("max", 100, low=0)
        self.cents = p.number("cents", 0.3, 0.0, 1.0)  # the share of amounts written with cents
        if self.low > self.high:
            raise p.error(f"min ({self.low}) must be <= max ({self.high})")

    def draw(self, rng: np.random.Generator) -> str:
        symbol = _pick(rng, self.currencies)
        whole = int(rng.integers(self.low, self.high + 1))
        if rng.random() < self.cents:
            return f"{symbol}{whole:,}.{int(rng.integers(1, 100)):02d}"
        return f"{symbol}{whole:,}"


SLOT_TYPES = {
    "list": ListSlot,
    "number": NumberSlot,
    "time": TimeSlot,
    "date": DateSlot,
    "duration": DurationSlot,
    "name": NameSlot,
    "place": PlaceSlot,
    "money": MoneySlot,
}


def build_slot(spec: object, where: Where):
    """A slot type instance from its grammar mapping ({type: ..., params...})."""
    if not isinstance(spec, dict):
        raise TemplateError(
            f"{where()}: a slot definition must be a mapping with a 'type' ({', '.join(SLOT_TYPES)}); got {spec!r}"
        )
    kind = spec.get("type")
    if kind not in SLOT_TYPES:
        raise TemplateError(f"{where()}: unknown slot type {kind!r}; valid types: {', '.join(SLOT_TYPES)}")
    cls = SLOT_TYPES[kind]
    slot = cls(_Params(spec, where, cls.KEYS))
    slot.type = kind
    return slot
