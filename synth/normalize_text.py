"""Text normalization as a library call: written text in, its spoken form out, markup left alone.

This is the contract of NeMo's ``Normalizer.normalize``, and what benchmarks/normalization.py scores on the peer
test set: text the normalizer is not meant to read is passed through unchanged for whatever comes next (an
SSML-aware engine, a TTS front end that takes phonemes). Two kinds of span are such text: markup tags
(``<noise/>``, ``<pitch=-.3> ... </pitch>``) and phonetic transcriptions (``[HH AH0 L OW1]``, IPA in brackets or
slashes); the text around and between them is read as usual. Text with nothing to say (empty, punctuation, a
dash) reads as the empty string.

The corpus generator does not use this: a prompt is a claim about what the voice says, so a prompt holding
markup or phonetic notation, or nothing to say, is rejected with that reason (synth.normalize.to_spoken), since no
engine here renders a tag or a transcription as words the label could name.
"""

from __future__ import annotations

from collections.abc import Callable

from synth.normalize import EmptyPrompt, SpokenForm, to_spoken
from synth.normalize_letters import verbatim_spans

__all__ = ["normalize_text"]


def normalize_text(text: str, normalizer: Callable[[str], SpokenForm] = to_spoken, letters: str = "joined") -> str:
    """The spoken form of ``text`` as transcript words, with markup tags and phonetic notation verbatim.

    :param normalizer: reads each stretch of plain text (``synth.normalize_backends.make_normalizer``'s result);
        its NormalizationError for anything else it cannot say is raised as usual.
    :param letters: the letter style of the words (synth.normalize.LETTER_STYLES); ``joined`` by default, the
        convention of NeMo's spoken forms.
    """
    pieces, pos = [], 0
    for start, end in [*verbatim_spans(text), (len(text), len(text))]:
        plain = text[pos:start]
        if plain.strip():
            try:
                pieces.append(normalizer(plain).with_letters(letters).transcript)
            except EmptyPrompt:
                pass
        pieces.append(text[start:end])
        pos = end
    return " ".join(p for p in pieces if p)
