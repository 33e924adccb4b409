"""Scrub a prompt stream: replace personal data with synthetic values, keep labels true.

Works on any prompt source (files or templates). Each prompt draws its replacements from its own
Generator, seeded from (seed, prompt id), so the result does not depend on the order or on which
other prompts were scrubbed. Within a prompt the same original gets the same stand-in everywhere
(text and extra fields alike), so "Call John. John's phone..." stays consistent.

What is recorded: fields["pii"] = {"replaced": [types], "counts": {type: n}}; never an original.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace

import numpy as np

from synth.normalize import NormalizationError, to_spoken
from synth.pii import vocab
from synth.pii.detect import Found, find_all
from synth.pii.names_listed import TITLES, name_tables
from synth.pii.replace import synthesize
from synth.prompts import PREVIEW_CHARS, Prompt, PromptRejection
from synth.seeds import derive_seed
from synth.templates.spans import word_spans

_ATTEMPTS = 3  # fresh draws when a replacement makes a speakable prompt unspeakable
_PREVIEW_TAIL = 40  # characters dropped from a cut preview: a value cut in half cannot be recognised


# Parts that identify someone wherever they recur: "Dr. Patel ... Patel said" or a field holding
# "Patel" is the same person. Numbers, streets and towns are too common to chase on their own.
_CHASED = {
    "email",
    "spelled_email",
    "phone",
    "card",
    "first",
    "middle",
    "last",
    "iban",
    "ssn",
    "nino",
    "sin",
    "account",
    "routing",
}


class _Replacer:
    """One prompt's replacements: consistent within the prompt, counted by type.

    learn() every string of the prompt first, so that a value found in one place (the text) is also
    replaced where it recurs without the context that gave it away (a field holding just "Patel").
    """

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.mapping: dict[tuple[str, str], str] = {}
        self.known: dict[str, tuple[str, str]] = {}  # original part -> (type, role), for _CHASED roles
        self.counts: Counter = Counter()

    def _gender(self, text: str, found: Found) -> str:
        firsts = name_tables()[0]
        before = text[: found.parts[0][1]].rstrip().rstrip(".").split()
        title = before[-1] if before else ""
        title = title[:1].upper() + title[1:].lower()
        if title in TITLES:
            return TITLES[title]
        first = next((text[s:e] for role, s, e in found.parts if role == "first"), "")
        listed = firsts.get(first[:1].upper() + first[1:].lower() if first.isupper() or first.islower() else first)
        return listed or vocab.given_name_gender(first) or "u"

    def _stand_in(self, role: str, original: str, gender: str) -> str:
        key = (role, original.casefold())
        if key not in self.mapping:
            new = original
            for _ in range(20):  # a pool draw can, rarely, equal the original
                new = synthesize(role, original, self.rng, gender)
                if new.casefold() != original.casefold():
                    break
            self.mapping[key] = new
        return self.mapping[key]

    def _parts(self, text: str) -> Iterator[tuple[Found, str, int, int, str]]:
        for found in find_all(text):
            gender = self._gender(text, found) if found.type == "name" else "u"
            for role, start, end in found.parts:
                yield found, role, start, end, self._stand_in(role, text[start:end], gender)

    def learn(self, obj: object) -> None:
        for text in _strings(obj):
            for found, role, start, end, _ in self._parts(text):
                if role in _CHASED and end - start > 1:
                    self.known.setdefault(text[start:end], (found.type, role))

    def edits(self, text: str) -> list[tuple[int, int, str]]:
        out, covered, seen = [], [], set()
        for found, _, start, end, new in self._parts(text):
            if found not in seen:
                seen.add(found)
                self.counts[found.type] += 1
                covered.append((found.start, found.end))
            out.append((start, end, new))
        for original in sorted(self.known, key=len, reverse=True):
            kind, role = self.known[original]
            for m in re.finditer(rf"(?<!\w){re.escape(original)}(?!\w)", text):
                if not any(m.start() < b and a < m.end() for a, b in covered):
                    covered.append(m.span())
                    self.counts[kind] += 1
                    out.append((m.start(), m.end(), self.mapping[(role, original.casefold())]))
        return sorted(out)

    def string(self, text: str) -> str:
        return apply_edits(text, self.edits(text))

    def value(self, obj: object) -> object:
        """Any JSON-like field value with every string in it scrubbed."""
        if isinstance(obj, str):
            return self.string(obj)
        if isinstance(obj, list):
            return [self.value(v) for v in obj]
        if isinstance(obj, dict):
            return {k: self.value(v) for k, v in obj.items()}
        return obj


def _strings(obj: object) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    pieces, position = [], 0
    for start, end, new in sorted(edits):
        pieces += [text[position:start], new]
        position = end
    return "".join(pieces) + text[position:]


def _without_slot_text(fields: dict) -> dict:
    """The fields less the slots' value and spoken words: those are the prompt's own words, judged in
    the text with their context ("play Frere Jacques" is a song), and rebuilt from the scrubbed text."""
    slots = fields.get("slots")
    if not _is_span_list(slots):
        return fields
    return {**fields, "slots": [{k: v for k, v in s.items() if k not in ("value", "spoken")} for s in slots]}


def _is_span_list(slots: object) -> bool:
    return isinstance(slots, list) and all(
        isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int) for s in slots
    )


def _moved_slots(slots: list[dict], edits: list[tuple[int, int, str]], new_text: str) -> list[dict] | str:
    """Slot spans carried over to the scrubbed text, their words located again; or why not."""
    moved = []
    for slot in slots:
        start, end = slot["start"], slot["end"]
        new_start, new_end = start, end
        for s, e, new in edits:
            delta = len(new) - (e - s)
            if e <= start:
                new_start, new_end = new_start + delta, new_end + delta
            elif s >= end:
                continue
            elif start <= s and e <= end:
                new_end += delta
            else:
                return f"personal data crosses the edge of slot {slot.get('name')!r}"
        moved.append({**slot, "start": new_start, "end": new_end, "value": new_text[new_start:new_end]})
    if any("word_start" in s for s in moved):
        located = word_spans(new_text, [(s["start"], s["end"]) for s in moved])
        if isinstance(located, str):
            return f"after replacing personal data: {located}"
        words, spans = located
        for slot, (ws, we) in zip(moved, spans):
            slot.update(spoken=" ".join(words[ws:we]), word_start=ws, word_end=we)
    return moved


def _speakable(text: str) -> str | None:
    try:
        to_spoken(text)
    except NormalizationError as exc:
        return exc.reason
    return None


def scrub_prompt(prompt: Prompt, seed: int) -> Prompt | PromptRejection:
    rng = np.random.default_rng(derive_seed(seed, "pii", prompt.id))
    carried = {k: v for k, v in prompt.fields.items() if k != "pii"}  # "pii" is ours to write
    original_speakable = None  # asked only when a replacement cannot be said: the normalizer costs 1-4 ms
    for _ in range(_ATTEMPTS):
        replacer = _Replacer(rng)
        replacer.learn([prompt.text, _without_slot_text(carried)])
        edits = replacer.edits(prompt.text)
        text = apply_edits(prompt.text, edits)
        problem = _speakable(text) if edits else None
        if problem is not None and original_speakable is None:
            original_speakable = _speakable(prompt.text) is None
        if problem is not None and not original_speakable:
            problem = None  # the original could not be said either: the render rejects it as before
        if problem is None:
            break
    else:
        return PromptRejection(
            prompt.line,
            f"personal data found, but no replacement could be spoken: {problem}",
            prompt.id,
            text[:PREVIEW_CHARS],
        )
    fields = {}
    for key, value in carried.items():
        if key == "slots" and _is_span_list(value):
            moved = _moved_slots(copy.deepcopy(value), edits, text)
            if isinstance(moved, str):
                return PromptRejection(prompt.line, moved, prompt.id, text[:PREVIEW_CHARS])
            # value/spoken were rebuilt from the scrubbed text; other keys may still hold data
            fields[key] = [
                {k: (v if k in ("value", "spoken") else replacer.value(v)) for k, v in s.items()} for s in moved
            ]
        else:
            fields[key] = replacer.value(copy.deepcopy(value))
    counts = dict(sorted(replacer.counts.items()))
    fields["pii"] = {"replaced": list(counts), "counts": counts}
    return replace(prompt, text=text, fields=fields)


def scrub_rejection(rejection: PromptRejection, seed: int) -> PromptRejection:
    """The preview of a rejected line, scrubbed; a preview cut at PREVIEW_CHARS loses its tail, where a
    value cut in half could no longer be recognised."""
    text = rejection.text or ""
    if len(text) >= PREVIEW_CHARS:
        text = text[: PREVIEW_CHARS - _PREVIEW_TAIL].rsplit(" ", 1)[0] + " ..."
    rng = np.random.default_rng(derive_seed(seed, "pii-rejection", rejection.line, rejection.id or ""))
    replacer = _Replacer(rng)  # one mapping: a value quoted in both the reason and the preview reads the same
    replacer.learn([text, rejection.reason])
    return replace(
        rejection,
        text=replacer.string(text) if rejection.text is not None else None,
        reason=replacer.string(rejection.reason),
    )


LIBRARIES = {
    "phonenumbers": "phonenumbers",
    "stdnum": "python-stdnum",
    "wordfreq": "wordfreq",
    "english_words": "english-words",
    "gender_guesser": "gender-guesser",
}


def require_libraries() -> None:
    """Raise synth.run_parts.ConfigError naming the missing packages if the scrubber's libraries are absent."""
    import importlib.util

    missing = [package for module, package in LIBRARIES.items() if importlib.util.find_spec(module) is None]
    if missing:
        from synth.run_parts import ConfigError

        raise ConfigError(
            f"prompts.scrub_pii=true needs {', '.join(missing)}, not installed; "
            "install them with: pip install 'speechforge-corpus[pii]'"
        )


def scrub_prompts(prompts: Iterable[Prompt | PromptRejection], seed: int) -> Iterator[Prompt | PromptRejection]:
    """Each prompt with its personal data replaced (see the module docstring); lazily, in order.

    :param prompts: prompts and rejections from any source (files, templates)
    :param seed: the run's seed; each prompt's replacements come from (seed, prompt id)
    """
    require_libraries()
    for entry in prompts:
        if isinstance(entry, PromptRejection):
            yield scrub_rejection(entry, seed)
        else:
            yield scrub_prompt(entry, seed)
