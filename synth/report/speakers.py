"""The card's "Speakers" section: how many speaker ids, from how many base voices, and whether the
speakers are measurably different speakers (voices/distinctness.py on a sample of clean renders).

The sample is bounded (at most MAX_SPEAKERS speakers × RENDERS_PER_SPEAKER clean files, chosen in
manifest order), so the card's cost does not grow with the corpus; the figure is computed from the
files themselves, not from the perturbation parameters the labels claim.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

MAX_SPEAKERS = 40
RENDERS_PER_SPEAKER = 3


def sample_renders(root: Path, rows) -> list[tuple]:  # rows: synth.manifest.Utterance
    """(speaker id, audio, sample rate, prompt text) for up to MAX_SPEAKERS speakers with enough clean rows."""
    import soundfile as sf

    paths = defaultdict(list)
    for row in rows:
        speaker = row.speaker.id
        if row.augment or len(paths[speaker]) >= RENDERS_PER_SPEAKER:
            continue
        if len(paths) > MAX_SPEAKERS and speaker not in paths:
            continue
        paths[speaker].append((row.audio_filepath, " ".join(row.text.casefold().split())))
    chosen = [s for s, files in paths.items() if len(files) >= 2][:MAX_SPEAKERS]
    renders = []
    for speaker in chosen:
        for relpath, key in paths[speaker]:
            audio, rate = sf.read(root / relpath, dtype="float32")
            renders.append((speaker, audio, rate, key))
    return renders


def speakers_section(root: Path, rows, base_voices: int, speaker_ids: int) -> list[str]:
    out = ["## Speakers", "", f"{speaker_ids} speaker ids from {base_voices} base voices."]
    if speaker_ids > base_voices:
        out[-1] += (
            " Pseudo-speakers (`voices.speakers_per_voice`) are base voices with a drawn formant (vocal-tract "
            "length) and pitch warp; each row's `speaker.base_voice` and `speaker.perturbation` say which."
        )
    out.append("")
    try:
        from voices.distinctness import distinctness

        renders = sample_renders(root, rows)
        figure = distinctness(renders)
    except (ImportError, ValueError) as exc:  # parselmouth missing, or too few speakers with two clean renders
        from synth.report import markdown

        return out + [f"Speaker distinctness not measured: {markdown.text(exc)}.", ""]
    out += [
        f"Measured on {figure['renders']} clean files of {figure['speakers']} speakers (MFCC means and median F0, "
        "voices/distinctness.py): "
        f"**{figure['distinct_share']:.0%} of speaker pairs are distinct** (their centroids lie further apart than "
        f"their utterances spread), and nearest-centroid speaker identification gets {figure['id_accuracy']:.0%} "
        f"right (chance {figure['chance']:.0%}). A cheap relative figure, not a speaker-verification model.",
        "",
    ]
    return out
