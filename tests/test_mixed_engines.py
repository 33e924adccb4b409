"""One run, several engines: eSpeak NG + Piper always, MBROLA when installed, and Coqui in the `extras`
run (scripts/test.sh --all). The corpus has one sample rate and one manifest, and the same bytes whatever
the number of workers."""

import pytest
import soundfile as sf

from synth.engines.base import voice_available
from synth.run import generate
from tests.conftest import check_corpus, corpus_fingerprint, read_manifest

pytest.importorskip("piper", reason="piper-tts is not installed (pip install -e '.[piper]')")

BASE_VOICES = {"espeak": ["espeak-en-us-f1", "espeak-en-gb-scotland-m3"], "piper": ["piper-en-us-joe-medium"]}
BASE_CATALOGS = ["espeak_en", "piper_en"]
if voice_available("mbrola", "mb-de4-en")[0]:
    BASE_CATALOGS.append("mbrola_en")
    BASE_VOICES["mbrola"] = ["mb-de4-en", "mb-us1"]


@pytest.fixture(params=[False, pytest.param(True, marks=pytest.mark.extras)], ids=["without_coqui", "with_coqui"])
def engines(request, tmp_path_factory):
    """(voices by engine, overrides): the base engines, plus Coqui's VCTK with a tiny model in the extras run."""
    voices, catalogs, extra = dict(BASE_VOICES), list(BASE_CATALOGS), []
    if request.param:
        pytest.importorskip("TTS", reason="coqui-tts is not installed (pip install -e '.[test-extras]')")
        from tests.test_engine_coqui import build_tiny_vits

        home = tmp_path_factory.mktemp("tts_home")
        build_tiny_vits(home / "tts" / "tts_models--en--vctk--vits")
        voices["coqui"] = ["vctk-p326"]
        catalogs.append("vctk")
        extra.append(f"++engines.coqui.tts_home={home}")
    ids = [i for group in voices.values() for i in group]
    return voices, [
        f"voices.catalog=[{','.join(catalogs)}]",
        f"voices.ids=[{','.join(ids)}]",
        "voices.per_prompt=3",
        *extra,
    ]


def test_mixed_engines_make_one_consistent_corpus(compose_cfg, tmp_path, small_prompts, engines):
    voices, overrides = engines
    common = [f"prompts.path={small_prompts}", "output.sample_rate=16000", *overrides]
    summary = generate(compose_cfg(*common, "n_jobs=2", f"output.dir={tmp_path / 'two'}"))
    rows = check_corpus(tmp_path / "two")
    assert summary["utterances"] == len(rows) == 24 and summary["rejected"] == 0
    assert {r["speaker"]["engine"] for r in rows} == set(voices)
    assert {r["sample_rate"] for r in rows} == {16000}
    assert {sf.info(tmp_path / "two" / r["audio_filepath"]).samplerate for r in rows} == {16000}
    for r in rows:
        speaker = r["speaker"]
        assert speaker["id"] in voices[speaker["engine"]]
        assert all(speaker[k] for k in ("voice", "accent", "gender", "license", "locale"))
        assert r["duration"] > 0.5 and r["qc"]["passed"]
        if speaker["engine"] != "espeak" and speaker["engine"] != "mbrola":
            assert r["prosody"]["pitch"] == 1.0  # no pitch control in the neural engines: recorded as applied
        if speaker["engine"] == "coqui":  # random weights speak no words: a forced aligner may or may not fit them
            assert r["words"] is None or {w.get("source") for w in r["words"]} == {"aligner"}, speaker
        else:
            sources = {w.get("source") for w in r["words"]}
            # eSpeak NG and Piper time words themselves; MBROLA's events are unusable: the aligner times them
            assert sources == ({None} if speaker["engine"] in ("espeak", "piper") else {"aligner"}), speaker
    licences = {r["speaker"]["engine"]: r["speaker"]["license"] for r in rows}
    assert "GPL" in licences["espeak"] and "CC0" in licences["piper"]
    if "mbrola" in licences:
        assert "non-commercial" in licences["mbrola"]
    # the same corpus, byte for byte, from one worker
    generate(compose_cfg(*common, "n_jobs=1", f"output.dir={tmp_path / 'one'}"))
    assert (tmp_path / "one" / "manifest.jsonl").read_bytes() == (tmp_path / "two" / "manifest.jsonl").read_bytes()
    assert corpus_fingerprint(tmp_path / "one") == corpus_fingerprint(tmp_path / "two")
    assert len(read_manifest(tmp_path / "one")) == 24
