"""Draw prompts from a grammar: per intent, sampled carrier phrases with slot values, labelled with spans.

Determinism: each intent draws from its own Generator seeded from (seed, intent name) through a
digest, so an intent's prompts do not change when other intents are added, removed or resized (unless
two intents can say the very same text), and asking for more prompts of an intent only appends to the
ones it gave before. Intents take turns
(round robin, in file order), so any prefix of the stream covers every intent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np

from synth.prompts import MAX_PROMPT_CHARS, PREVIEW_CHARS, Prompt, PromptRejection
from synth.seeds import derive_seed
from synth.templates.errors import TemplateError
from synth.templates.grammar import Choice, Grammar, Intent, Node, Slot, Template
from synth.templates.spans import word_spans

log = logging.getLogger("synth")

DEFAULT_PER_INTENT = 200
_MAX_MISSES = 500  # consecutive draws that give nothing new before an intent counts as exhausted
_PUNCT = ",.?!;:"


def targets(grammar: Grammar, per_intent: int | dict | None) -> dict[str, int]:
    """Prompts wanted per intent: an int (times each intent's weight), a {intent: count} dict, or None."""

    def check(value: object, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TemplateError(f"{what} must be a non-negative integer; got {value!r}")
        return value

    names = [i.name for i in grammar.intents]
    explicit: dict = {}
    base = DEFAULT_PER_INTENT
    if isinstance(per_intent, dict):
        explicit = {str(k): check(v, f"per_intent[{k!r}]") for k, v in per_intent.items()}
        unknown = sorted(set(explicit) - set(names))
        if unknown:
            raise TemplateError(
                f"per_intent names unknown intent {unknown[0]!r} of {grammar.path}; intents: {', '.join(names)}"
            )
    elif per_intent is not None:
        base = check(per_intent, "per_intent")
    return {i.name: explicit.get(i.name, max(1, round(base * i.weight)) if base else 0) for i in grammar.intents}


def _render(nodes: tuple[Node, ...], rng: np.random.Generator, intent: Intent, out: list) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Slot):
            slot = intent.slots[node.name]
            out.append((node.name, slot.type, slot.draw(rng)))
        else:
            assert isinstance(node, Choice)
            k = int(rng.integers(len(node.alternatives) + node.optional))
            if k < len(node.alternatives):
                _render(node.alternatives[k], rng, intent, out)


def _assemble(pieces: list) -> tuple[str, list[dict]]:
    """Join rendered pieces into one text, collapsing spaces, and record each slot's character span."""
    text: list[str] = []  # characters, so a space before punctuation can be taken back
    slots = []
    for piece in pieces:
        if isinstance(piece, str):
            for c in piece:
                if c.isspace():
                    if text and text[-1] != " ":
                        text.append(" ")
                elif c in _PUNCT and text and text[-1] == " ":
                    # "in {city} ?" -> "in Paris?". The space taken back came from literal text after every
                    # slot so far (slot values never end in a space), so no recorded span moves.
                    text[-1] = c
                else:
                    text.append(c)
        else:
            name, kind, value = piece
            start = len(text)
            text.extend(value)
            slots.append({"name": name, "type": kind, "value": value, "start": start, "end": len(text)})
    while text and text[-1] == " ":
        text.pop()
    return "".join(text), slots


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()  # what synth.prompts counts as the same text


def _intent_stream(
    intent: Intent, seed: int, target: int, max_chars: int, seen: dict[str, str]
) -> Iterator[Prompt | PromptRejection]:
    """Prompts (line 0; the caller numbers lines) until ``target`` are made or the intent runs dry."""
    rng = np.random.default_rng(derive_seed(seed, "templates", intent.name))
    made = rejected = misses = 0
    while made < target and misses < _MAX_MISSES:
        template: Template = intent.templates[int(rng.integers(len(intent.templates)))]
        pieces: list = []
        _render(template.nodes, rng, intent, pieces)
        text, slots = _assemble(pieces)
        key = _key(text)
        owner = seen.get(key)
        if owner is not None:
            misses += 1
            if owner != intent.name and owner[0] != "!":
                seen[key] = "!" + owner  # report a text shared by two intents once
                rejected += 1
                yield PromptRejection(
                    0,
                    f"same text as a prompt of intent {owner!r}: its intent label would be ambiguous",
                    f"{intent.name}-x{rejected:05d}",
                    text[:PREVIEW_CHARS],
                )
            continue
        seen[key] = intent.name
        if not text:
            misses += 1
            continue
        reason = None
        if len(text) > max_chars:
            reason = f"over-long: {len(text)} characters > {max_chars}"
        else:
            located = word_spans(text, [(s["start"], s["end"]) for s in slots])
            if isinstance(located, str):
                reason = located
            else:
                words, spans = located
                for slot, (ws, we) in zip(slots, spans):
                    slot.update(spoken=" ".join(words[ws:we]), word_start=ws, word_end=we)
        if reason is not None:
            misses += 1
            rejected += 1
            yield PromptRejection(
                0, f"template {template.id}: {reason}", f"{intent.name}-x{rejected:05d}", text[:PREVIEW_CHARS]
            )
            continue
        made += 1
        misses = 0
        yield Prompt(
            f"{intent.name}-{made:05d}", text, {"intent": intent.name, "slots": slots, "template": template.id}, 0
        )
    if made < target:
        log.warning(
            "templates: intent %r gave %d distinct prompts of the %d asked for (its grammar "
            "has too few distinct utterances)",
            intent.name,
            made,
            target,
        )


def expand(
    grammar: Grammar, seed: int, per_intent: int | dict | None, max_chars: int = MAX_PROMPT_CHARS
) -> Iterator[Prompt | PromptRejection]:
    wanted = targets(grammar, per_intent)
    seen: dict[str, str] = {}
    streams = [_intent_stream(i, seed, wanted[i.name], max_chars, seen) for i in grammar.intents if wanted[i.name]]
    line = 0
    while streams:
        for stream in list(streams):
            item = next(stream, None)
            if item is None:
                streams.remove(stream)
                continue
            line += 1
            if isinstance(item, Prompt):
                yield Prompt(item.id, item.text, item.fields, line)
            else:
                yield PromptRejection(line, item.reason, item.id, item.text)
