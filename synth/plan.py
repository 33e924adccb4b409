"""Prompts × voices → WorkItems, lazily, each with a stable id and its own seed."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Rejection:
    """A prompt or item that will not be in the corpus, and why (one line of rejects.jsonl)."""

    id: str | None
    stage: str  # prompt | normalize | render | qc
    reason: str
    details: dict = field(default_factory=dict)

    def to_row(self) -> dict:
        return {"id": self.id, "stage": self.stage, "reason": self.reason, **self.details}


def rejection_key(row: dict) -> str:
    """What identifies a rejection across a resume: its id, or its line when it never got one."""
    return row["id"] if row.get("id") else f"@line{row.get('line')}"


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
    for entry in prompts:
        if isinstance(entry, PromptRejection):
            yield Rejection(entry.id, "prompt", entry.reason, {"line": entry.line, "text": entry.text})
            continue
        try:
            spoken, normalized = normalizer(entry.text) if normalizer else (to_spoken(entry.text), None)
        except NormalizationError as exc:
            yield Rejection(entry.id, "normalize", str(exc), {"line": entry.line, "text": entry.text[:200]})
            continue
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
