"""voices.speakers_per_voice through the generator: ids, labels and bytes of a pseudo-speaker corpus."""

from __future__ import annotations

import pytest

pytest.importorskip("parselmouth", reason="praat-parselmouth is not installed (pip install -e '.[voices]')")

from synth.run import ConfigError, generate  # noqa: E402
from tests.conftest import check_corpus, corpus_fingerprint  # noqa: E402

VOICES = "voices.ids=[espeak-en-us-f3,espeak-en-us-m3,espeak-en-gb-scotland-f2]"


def test_pseudo_speakers_are_labelled_and_deterministic_across_workers(compose_cfg, tmp_path, small_prompts):
    common = [VOICES, "voices.speakers_per_voice=4", "voices.per_prompt=3", f"prompts.path={small_prompts}"]
    generate(compose_cfg(*common, "n_jobs=1", f"output.dir={tmp_path / 'one'}"))
    generate(compose_cfg(*common, "n_jobs=2", f"output.dir={tmp_path / 'two'}"))
    rows = check_corpus(tmp_path / "one")
    assert corpus_fingerprint(tmp_path / "one") == corpus_fingerprint(tmp_path / "two")
    speakers = {r["speaker"]["id"]: r["speaker"] for r in rows}
    assert len(speakers) >= 12  # 3 voices x 4 speakers, 24 rows
    for sid, speaker in speakers.items():
        base = speaker["base_voice"]
        assert base in ("espeak-en-us-f3", "espeak-en-us-m3", "espeak-en-gb-scotland-f2")
        if sid == base:
            assert speaker["perturbation"] is None
        else:
            assert sid.startswith(base + "-s")
            p = speaker["perturbation"]
            assert p["method"] and 0.9 < p["formant_ratio"] < 1.1 and 0.85 < p["pitch_ratio"] < 1.2
    card = (tmp_path / "one" / "report" / "README.md").read_text()
    assert f"{len(speakers)} speaker ids from 3 base voices" in card
    assert "of speaker pairs are distinct" in card and "speaker identification gets" in card
    # the same speaker id means the same perturbation in any run, whatever the seed
    other = tmp_path / "seed"
    generate(compose_cfg(*common, "seed=99", "n_jobs=1", f"output.dir={other}"))
    for r in check_corpus(other):
        if r["speaker"]["id"] in speakers:
            assert r["speaker"] == speakers[r["speaker"]["id"]]


def test_speakers_per_voice_must_be_a_positive_integer(compose_cfg, tmp_path, small_prompts):
    for bad in ("0", "many"):
        with pytest.raises(ConfigError, match="voices.speakers_per_voice must be an integer"):
            generate(
                compose_cfg(
                    VOICES,
                    f"voices.speakers_per_voice={bad}",
                    f"prompts.path={small_prompts}",
                    f"output.dir={tmp_path / bad}",
                )
            )
        assert not (tmp_path / bad).exists()
