"""Prompts × voices → WorkItems, lazily, each with a stable id and its own seed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from synth.engines.base import Prosody
from synth.normalize import NormalizationError, SpokenForm, to_spoken
from synth.prompts import Prompt, PromptRejection
from synth.seeds import derive_seed, item_rng, unit_interval
from voices.assign import VoiceAssigner
from voices.catalog import Voice

SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class ProsodyRanges:
    """Uniform ranges for the relative prosody factors; (1.0, 1.0) leaves a factor at the voice default."""

    rate: tuple[float, float] = (1.0, 1.0)
    pitch: tuple[float, float] = (1.0, 1.0)
    volume: tuple[float, float] = (1.0, 1.0)

    def __post_init__(self):
        for name in ("rate", "pitch", "volume"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"voices.prosody.{name} must be [min, max] with 0 < min <= max; got [{low}, {high}]")

    def draw(self, item_seed: int) -> Prosody:
        rng = item_rng(item_seed)
        return Prosody(*(round(float(rng.uniform(*getattr(self, n))), 4) for n in ("rate", "pitch", "volume")))


@dataclass(frozen=True)
class SplitRule:
    """Deterministic train/dev/test by hashing the prompt text (text-disjoint) or the voice (speaker-disjoint)."""

    dev: float = 0.0
    test: float = 0.0
    by: str = "text"

    def __post_init__(self):
        if self.by not in ("text", "speaker"):
            raise ValueError(f"split.by must be 'text' or 'speaker'; got {self.by!r}")
        if self.dev < 0 or self.test < 0 or self.dev + self.test >= 1:
            raise ValueError(
                f"split.dev and split.test must be >= 0 and sum to less than 1; got {self.dev} and {self.test}"
            )

    def split_of(self, seed: int, text: str, voice_id: str) -> str:
        key = " ".join(text.casefold().split()) if self.by == "text" else voice_id
        u = unit_interval(seed, "split", self.by, key)
        return "test" if u < self.test else "dev" if u < self.test + self.dev else "train"


@dataclass(frozen=True)
class WorkItem:
    id: str
    index: int  # position in the plan: the order of the manifest
    prompt: Prompt
    spoken: SpokenForm
    voice: Voice
    prosody: Prosody
    seed: int
    split: str
    normalize: dict | None = None  # which normalizer read the prompt, and the cross-check's verdict


PLANNING_STAGES = ("prompt", "normalize")  # rejected before any item exists: keyed by prompt
CAUSES = ("item", "machine")


@dataclass(frozen=True)
class Rejection:
    """A prompt or item that will not be in the corpus, and why (one line of rejects.jsonl).

    `cause` says whose fault it is: "item" (the prompt's text, a QC verdict: the same every time)
    or "machine" (a crashed, killed or timed-out engine: a resume renders the item again)."""

    id: str | None
    stage: str  # prompt | normalize | render | qc
    reason: str
    details: dict = field(default_factory=dict)
    cause: str = "item"

    def to_row(self) -> dict:
        return {"id": self.id, "stage": self.stage, "reason": self.reason, "cause": self.cause, **self.details}


def rejection_key(row: dict) -> tuple[str, str]:
    """What identifies a rejection across a resume, in its own namespace: prompt rejections by their
    prompt id (or line when they never got one), item rejections by item id. Item ids and prompt ids
    are different name spaces: a prompt called "x-<voice id>" must not stand for item "x-<voice id>"."""
    if row.get("stage") in PLANNING_STAGES:
        return ("prompt", str(row["id"]) if row.get("id") else f"@line{row.get('line')}")
    return ("item", str(row.get("id")))


def is_final(row: dict) -> bool:
    """Whether a rejection stands on resume: a machine-caused one (crash, kill, timeout) is tried again."""
    return row.get("cause") != "machine"


def task_key(task) -> tuple[str, str]:
    """The rejection_key namespace entry of a plan task (a WorkItem is keyed by its item id)."""
    if isinstance(task, WorkItem):
        return ("item", task.id)
    return rejection_key(task.to_row())


def id_clash_suffixes(voice_ids: Iterable[str]) -> frozenset[str]:
    """Every '-'-joined head of every voice id ("espeak", "espeak-en", ..., "espeak-en-us-f1").

    Item ids are "<prompt id>-<voice id>". Prompt P and voice w give the same item id as prompt Q
    and voice v exactly when P = Q + "-" + r and v = r + "-" + w; and a prompt id "x-<voice id>" reads
    like item "x-<voice id>". A prompt id ending in "-" + one of these heads can do either, so it is
    refused up front: a check that needs no memory of the other ids (a million prompts stay flat)."""
    heads = set()
    for voice_id in voice_ids:
        parts = str(voice_id).split("-")
        heads.update("-".join(parts[: i + 1]) for i in range(len(parts)))
    return frozenset(heads)


def clashing_suffix(prompt_id: str, suffixes: frozenset[str]) -> str | None:
    """The voice-id head that `prompt_id` ends with after a '-', or None."""
    start = prompt_id.find("-")
    while start != -1:
        tail = prompt_id[start + 1 :]
        if tail in suffixes:
            return tail
        start = prompt_id.find("-", start + 1)
    return None


def build_plan(
    prompts: Iterable[Prompt | PromptRejection],
    assigner: VoiceAssigner,
    seed: int,
    prosody: ProsodyRanges,
    split: SplitRule,
    normalizer=None,
) -> Iterator[WorkItem | Rejection]:
    """Yield work items in corpus order, and rejections where they arise. Lazy: nothing is held.

    :param normalizer: ``text -> (SpokenForm, normalize record or None)``
        (synth.normalize_backends.PromptNormalizer); None: the built-in normalizer alone.
    """
    prompt_index = 0
    item_index = 0
    suffixes = id_clash_suffixes(v.id for v in assigner.voices)
    for entry in prompts:
        if isinstance(entry, PromptRejection):
            yield Rejection(entry.id, "prompt", entry.reason, {"line": entry.line, "text": entry.text})
            continue
        clash = clashing_suffix(entry.id, suffixes)
        if clash is not None:
            reason = (
                f"id {entry.id!r} ends with '-{clash}', a voice id or its head: its item ids could equal another "
                f"prompt's (item ids are '<prompt id>-<voice id>'); rename the prompt"
            )
            yield Rejection(entry.id, "prompt", reason, {"line": entry.line, "text": entry.text[:200]})
            continue
        try:
            spoken, normalized = normalizer(entry.text) if normalizer else (to_spoken(entry.text), None)
        except NormalizationError as exc:
            yield Rejection(entry.id, "normalize", str(exc), {"line": entry.line, "text": entry.text[:200]})
            continue
        if spoken.letters == "joined":
            entry = _slots_joined(entry, spoken)
        voices: Sequence[Voice] = assigner.voices_for(prompt_index)
        prompt_index += 1
        for voice in voices:
            item_id = f"{entry.id}-{voice.id}"
            item_seed = derive_seed(seed, item_id)
            yield WorkItem(
                id=item_id,
                index=item_index,
                prompt=entry,
                spoken=spoken,
                voice=voice,
                prosody=prosody.draw(item_seed),
                seed=item_seed,
                # speaker-disjoint means base-voice-disjoint: pseudo-speakers of one voice share a split
                split=split.split_of(seed, entry.text, str(voice.extra.get("base_voice", voice.id))),
                normalize=normalized,
            )
            item_index += 1


def _slots_joined(prompt: Prompt, form: SpokenForm) -> Prompt:
    """``prompt`` with its slots' word spans (synth.templates counts them in words of one per spoken token)
    moved to the words of ``form``'s joined transcript, so that they still name the slot's words."""
    slots = prompt.fields.get("slots")
    if not slots:
        return prompt
    from synth.letter_runs import joined_index

    index = joined_index(len(form.spoken.split()), form.joins)
    words = form.transcript.split()
    moved = []
    for slot in slots:
        if "word_start" in slot:
            start, end = index[slot["word_start"]], index[slot["word_end"]]
            slot = {**slot, "word_start": start, "word_end": end, "spoken": " ".join(words[start:end])}
        moved.append(slot)
    return dataclasses.replace(prompt, fields={**prompt.fields, "slots": moved})
