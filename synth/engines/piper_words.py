"""Word events from Piper's phoneme durations: where each word of the text starts in the audio.

Piper feeds the model one id per phoneme, with a pad id after each (``^ _ t _ ˈ _ ɜ _ … $``) and a
word-break phoneme ``" "`` between words; the alignment output gives every id its frames. Which ids
hold the sound of a word's onset is a property of how VITS was trained (monotonic alignment
search assigns each frame to some id), not of the phoneme names:
- in connected speech the word-break id ``" "`` carries the start of the next word, since there is
  no pause for it to stand for: a word starts where its word-break id starts;
- after a pause (the start of a sentence, a comma) the pad id just before the first phoneme
  already holds its onset: the word starts where that pad starts.
Taking the first phoneme's own id instead put words 52 ms late (median, joe) against the forced
aligner and against /s/ frication onsets; benchmarks/aligner_error.py measures what this gives.

Transcript tokens are matched to the synthesized phonemes by phonemizing each token on its own and
aligning the two phoneme sequences (difflib); Kokoro uses the same matching.
"""

from __future__ import annotations

import difflib
import re

from synth.engines.base import WordEvent

NOT_SPOKEN = set(" ,.;:!?¡¿-…\"'()[]")  # punctuation and word breaks: no sound of their own
MARKS = {"ˈ", "ˌ"}  # stress marks: they move between words spoken alone and in context
WORD_BREAK = " "


def phoneme_spans(
    phonemes: list[str], id_map: dict, bos: str = "^", eos: str = "$", pad: str = "_"
) -> tuple[list[int], list[tuple[int, int] | None]]:
    """Phoneme ids as Piper builds them, and the [start, end) id span of each phoneme (None: not in the map).

    :param phonemes: one sentence's phonemes, as Piper's phonemizer returns them
    :param id_map: the voice's ``phoneme_id_map``
    """
    pad_ids = list(id_map.get(pad, []))
    ids = list(id_map[bos]) + pad_ids
    spans: list[tuple[int, int] | None] = []
    for ph in phonemes:
        if ph not in id_map:
            spans.append(None)
            continue
        start = len(ids)
        ids += list(id_map[ph]) + pad_ids
        spans.append((start, len(ids)))
    ids += list(id_map[eos])
    return ids, spans


def phoneme_onsets(
    phonemes: list[str], spans: list[tuple[int, int] | None], id_starts: list[int], pad_len: int
) -> list[int | None]:
    """The sample at which the sound of each phoneme begins, by the rule in the module doc.

    :param phonemes: one sentence's phonemes
    :param spans: their id spans (phoneme_spans)
    :param id_starts: the sample at which each id starts (running sum of the alignment output)
    :param pad_len: how many pad ids follow each phoneme (0 when the voice has no pad)
    """
    onsets: list[int | None] = []
    for i, span in enumerate(spans):
        if span is None:
            onsets.append(None)
            continue
        before = i - 1
        if before >= 0 and phonemes[before] == WORD_BREAK and spans[before] is not None:
            prior = before - 1
            while prior >= 0 and phonemes[prior] in MARKS:
                prior -= 1
            if prior >= 0 and phonemes[prior] not in NOT_SPOKEN:  # connected speech: no pause before
                onsets.append(int(id_starts[spans[before][0]]))
                continue
        onsets.append(int(id_starts[span[0] - pad_len]))  # the pad before it (the sentence's first pad too)
    return onsets


def spoken_phonemes(phonemes: list[str], onsets: list[int | None] | None = None) -> tuple[list[str], list[int]]:
    """Phonemes that make sound (no stress marks, breaks or punctuation), each with the onset of its run.

    :param phonemes: phonemes in order
    :param onsets: the onset of each (phoneme_onsets); a stress mark's onset passes to the phoneme after it
    """
    kept, starts, pending = [], [], None
    for i, ph in enumerate(phonemes):
        if ph in NOT_SPOKEN or not ph.strip():
            pending = None
            continue
        onset = (onsets[i] or 0) if onsets is not None else 0
        if ph in MARKS:
            pending = onset if pending is None else pending
            continue
        kept.append(ph)
        starts.append(onset if pending is None else pending)
        pending = None
    return kept, starts


def match_tokens(text: str, token_phonemes: list[list[str]], spoken: list[str], onsets: list[int]) -> list[WordEvent]:
    """A word event for each whitespace token of `text` whose first phoneme is found in the synthesized phonemes.

    :param text: the text the engine was given
    :param token_phonemes: the spoken phonemes of each whitespace token, phonemized on its own
    :param spoken: the synthesized spoken phonemes of the whole text, in order
    :param onsets: the sample at which each of `spoken` begins
    """
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    flat, token_at = [], {}
    for (a, b), phs in zip(tokens, token_phonemes):
        if phs:
            token_at[len(flat)] = (a, b)
        flat += phs
    matcher = difflib.SequenceMatcher(None, flat, spoken, autojunk=False)
    events, last = [], -1
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            if block.a + offset in token_at:
                a, b = token_at[block.a + offset]
                sample = onsets[block.b + offset]
                if sample >= last:
                    events.append(WordEvent(char_start=a, char_len=b - a, sample=sample))
                    last = sample
    return sorted(events, key=lambda e: e.char_start)
