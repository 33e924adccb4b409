"""Measures ("250 g", "8,849 m", "50 Mbps", "12kg/kg", "4 1/2 lbs", "2-5lb") as spoken English.

A unit is read in full ("kilograms"), never spelled as letters; its number decides singular or plural;
"/unit" after a measure or an amount is "per unit"; a trailing "2"/"3" or "squared"/"cubed" on a length
unit makes it square or cubic. One-letter units ("m", "g", "L", "W", "V") are ordinary letters in
other places, so spaced after a number they count only where no capitalised word or another digit
follows ("250 g of flour", "8,849 m high", but not "5 m Ltd").
"""

from __future__ import annotations

import re

from synth.normalize_spell import is_one, number

NUM = r"(?:(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
_FREE = r"(?<![\w.,])"

UNITS = {  # written unit: (singular, plural)
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "yd": ("yard", "yards"),
    "yds": ("yard", "yards"),
    "kg": ("kilogram", "kilograms"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "tbsp": ("tablespoon", "tablespoons"),
    "tsp": ("teaspoon", "teaspoons"),
    "ml": ("milliliter", "milliliters"),
    "mL": ("milliliter", "milliliters"),
    "cc": ("cubic centimeter", "cubic centimeters"),
    "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"),
    "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"),
    "kbps": ("kilobit per second", "kilobits per second"),
    "Kbps": ("kilobit per second", "kilobits per second"),
    "Mbps": ("megabit per second", "megabits per second"),
    "mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"),
    "gbps": ("gigabit per second", "gigabits per second"),
    "MB/s": ("megabyte per second", "megabytes per second"),
    "GB/s": ("gigabyte per second", "gigabytes per second"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"),
    "GHz": ("gigahertz", "gigahertz"),
    "dB": ("decibel", "decibels"),
    "kW": ("kilowatt", "kilowatts"),
    "MW": ("megawatt", "megawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "mAh": ("milliamp hour", "milliamp hours"),
    "mA": ("milliamp", "milliamps"),
    "kV": ("kilovolt", "kilovolts"),
    "ms": ("millisecond", "milliseconds"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "sec": ("second", "seconds"),
    "secs": ("second", "seconds"),
}
# Written in capitals on labels and packaging ("12KG", "5 LBS"); these are not also common acronyms.
UNITS.update({k.upper(): UNITS[k] for k in ("km", "cm", "mm", "kg", "mg", "lb", "lbs", "oz", "ml", "mph", "kph")})
# One-letter units (see the module docstring); "in" is a word, so only glued ("5in").
ONE_LETTER_UNITS = {
    "m": ("meter", "meters"),
    "g": ("gram", "grams"),
    "l": ("liter", "liters"),
    "L": ("liter", "liters"),
    "h": ("hour", "hours"),
    "W": ("watt", "watts"),
    "V": ("volt", "volts"),
}
_ATTACHED_ONLY = {"in": ("inch", "inches"), "l": ("liter", "liters"), "h": ("hour", "hours")}
_ALL_UNITS = {**UNITS, **ONE_LETTER_UNITS, **_ATTACHED_ONLY}
# What "per" can be followed by in "$20/mo", "12/kg", "5 km/day".
PER = {
    "mo": "month",
    "month": "month",
    "yr": "year",
    "year": "year",
    "wk": "week",
    "week": "week",
    "d": "day",
    "day": "day",
    "hr": "hour",
    "h": "hour",
    "hour": "hour",
    "min": "minute",
    "s": "second",
    "sec": "second",
    "person": "person",
    "night": "night",
    "kg": "kilogram",
    "g": "gram",
    "lb": "pound",
    "km": "kilometer",
    "m": "meter",
    "l": "liter",
    "L": "liter",
}
_LENGTHS = {"m", "km", "cm", "mm", "ft", "mi", "yd", "KM", "CM", "MM"}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_POWER = r"(?:\s?(squared|cubed)\b|([23])(?![0-9]))"
_PER_RE = rf"(?:\s?/\s?({_alternation(PER)})(?![\w/]))"
_SCALE = r"(?:\s(thousand|million|billion|trillion))"


def _measure(amount_words: str, amount: str, unit: str, power: str | None, per: str | None) -> str:
    one, many = _ALL_UNITS[unit]
    said = one if is_one(amount) else many
    if power and unit in _LENGTHS:
        said = ("square " if power in ("2", "squared") else "cubic ") + said
    elif power in ("squared", "cubed"):
        said += " " + power
    if per:
        said += f" per {PER[per]}"
    return f" {amount_words} {said} "


def _fraction_unit(m: re.Match) -> str:
    from synth.normalize_numbers import fraction_words

    whole, num, den, unit, p_word, p_digit, per = m.groups()
    return _measure(fraction_words(whole, num, den), "2", unit, p_word or p_digit, per)


def degrees(m: re.Match) -> str:
    amount, scale = m.groups()
    unit = "degree" if is_one(amount) else "degrees"
    scale = {"C": " Celsius", "F": " Fahrenheit"}.get(scale or "", "")
    return f" {number(amount)} {unit}{scale} "


# A one-letter unit spaced from its number must not be followed by what makes it a letter or initial.
_SPACED_ONE_LETTER = rf"\s({_alternation(k for k in ONE_LETTER_UNITS if k not in _ATTACHED_ONLY)})(?!\s+[A-Z0-9])"


def _unit(m: re.Match) -> str:
    amount, scale, spaced, attached, spaced_one, p_word, p_digit, per = m.groups()
    unit = spaced or attached or spaced_one
    words = number(amount, with_and=not scale) + (f" {scale}" if scale else "")
    return _measure(words, "2" if scale else amount, unit, p_word or p_digit, per)


# The period of an abbreviated unit inside a sentence ("2 tbsp. of oil", "5 ft. tall") is no sentence end.
_ABBR_DOT = r"(?:\.(?=\s+[a-z]))?"

MEASURE_RULES: list[tuple[re.Pattern, object]] = [
    # "2-5lb", "1234-123kg", "10-15 km": a dash before a measure is a range.
    (
        re.compile(rf"{_FREE}({NUM})\s?[-–]\s?(?=({NUM})\s?(?:{_alternation(_ALL_UNITS)})(?![\w/]))"),
        lambda m: f" {number(m.group(1))} to ",  # a quantity, not a year ("1980-1970 kg")
    ),
    (
        re.compile(
            rf"(?<![\w/.])(?:([0-9]{{1,2}})\s+)?([0-9]+)/([0-9]+)\s?({_alternation(UNITS)})"
            rf"(?:{_POWER})?{_PER_RE}?(?![\w/°]){_ABBR_DOT}"
        ),
        _fraction_unit,
    ),
    (
        re.compile(
            rf"{_FREE}(-?{NUM}){_SCALE}?(?:\s?({_alternation(UNITS)})|({_alternation(_ATTACHED_ONLY)}|"
            rf"{_alternation(ONE_LETTER_UNITS)})(?![\w])|{_SPACED_ONE_LETTER})"
            rf"(?:{_POWER})?{_PER_RE}?(?![\w/°]){_ABBR_DOT}"
        ),
        _unit,
    ),
    # "12/kg": a bare number per unit.
    (
        re.compile(rf"{_FREE}({NUM})\s?/\s?({_alternation(k for k in PER if len(k) > 1)})(?![\w/])"),
        lambda m: f" {number(m.group(1))} per {PER[m.group(2)]} ",
    ),
]


# Money per period: "$20/mo" -> "twenty dollars per month" (run after the money rules).
PER_AMOUNT = (
    re.compile(rf"\b(dollars?|cents?|pounds?|pence|penny|euros?|yen|won)\s*/\s*({_alternation(PER)})(?![\w/])"),
    lambda m: f"{m.group(1)} per {PER[m.group(2)]} ",
)
