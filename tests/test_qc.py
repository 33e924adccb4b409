"""Automatic QC: real eSpeak NG renders pass; planted bad items (silence, clipping, edges, rate,
NaN, a noise step that missed its SNR) are each caught with a reason that names the fault."""

import dataclasses

import numpy as np
import pytest
from omegaconf import OmegaConf

from synth.audio_io import resample
from synth.engines import Prosody
from synth.normalize import spoken_words, to_spoken
from synth.qc import QCThresholds, check, check_augmentation, merge
from tests.conftest import SMALL_PROMPTS

RATE = 16000
T = QCThresholds()
ACCENT_VOICES = [
    "en-us+f1",
    "en+m4",
    "en-gb-x-rp+f2",
    "en-gb-scotland+m3",
    "en-gb-x-gbclan+f3",
    "en-gb-x-gbcwmd+m2",
    "en-029+f4",
    "en-us-nyc+m1",
]


def render(engine, text: str, voice: str = "en-us+f1") -> tuple[np.ndarray, int]:
    spoken = to_spoken(text)
    s = engine.synthesize(spoken.spoken, voice, Prosody(), seed=1)
    return resample(s.audio, s.sample_rate, RATE), len(spoken_words(spoken.spoken))


@pytest.fixture(scope="module")
def speech(engine):
    return render(engine, "Remind me to buy eggs, milk and bread.")


def reasons(audio, n_words, t=T) -> str:
    return "; ".join(check(audio, RATE, n_words, t)["reasons"])


def test_real_renders_in_every_accent_pass(engine):
    for voice in ACCENT_VOICES:
        for text in SMALL_PROMPTS:
            audio, n = render(engine, text, voice)
            result = check(audio, RATE, n, T)
            assert result["passed"], (voice, text, result)
            assert result["leading_silence_s"] < 0.2 and result["trailing_silence_s"] < 0.2
            assert result["speech_ratio"] > 0.5


def test_silence_is_caught():
    assert "silent" in reasons(np.zeros(2 * RATE, np.float32), 5)


def test_near_silence_is_caught():
    hiss = (np.random.default_rng(0).standard_normal(2 * RATE) * 10 ** (-70 / 20)).astype(np.float32)
    assert "silent" in reasons(hiss, 5)
    click = np.zeros(2 * RATE, np.float32)  # loud enough on average, but 20 ms of sound in 2 s
    click[RATE : RATE + 320] = 0.9
    assert "near-silent" in reasons(click, 3)


def test_clipping_is_caught(speech):
    audio, n = speech
    hot = np.clip(audio * 8, -1, 1)
    assert "clipped" in reasons(hot, n)
    assert reasons(audio, n) == ""


def test_non_finite_samples_are_caught(speech):
    audio, n = speech
    broken = audio.copy()
    broken[100] = np.nan
    assert "non-finite" in reasons(broken, n)
    broken[100] = np.inf
    assert "non-finite" in reasons(broken, n)


def test_long_leading_and_trailing_silence_are_caught(speech):
    audio, n = speech
    gap = np.zeros(int(1.5 * RATE), np.float32)
    lead = check(np.concatenate([gap, audio]), RATE, n, T)
    assert any("leading silence 1.5" in r for r in lead["reasons"]), lead
    trail = check(np.concatenate([audio, gap]), RATE, n, T)
    assert any("trailing silence 1.5" in r for r in trail["reasons"]), trail
    # Relative to the loudest frame: a quiet voice is not mistaken for silence.
    assert check(audio * 0.05, RATE, n, T)["passed"]


def test_speaking_rate_out_of_bounds_for_the_text(engine):
    # Rendered a short text, labelled with a long one: far too many words per second of audio.
    audio, _ = render(engine, "Hold on.")
    too_many = len("remind me to buy eggs milk and bread and call doctor patel at five five five".split())
    assert "speaking rate" in reasons(audio, too_many)
    # Rendered a long text, labelled with one word: far too slow.
    audio, _ = render(engine, "My flight leaves at 7:30 p.m. on March 5, 2024, and the taxi is booked.")
    assert "speaking rate" in reasons(audio, 1)


def test_duration_limits(speech):
    audio, n = speech
    assert "too short" in reasons(audio[: int(0.1 * RATE)], 0)
    assert "too long" in reasons(audio, n, dataclasses.replace(T, max_duration_s=0.5))


def test_noise_step_far_from_its_snr_target_is_caught():
    def noise(target, realized):
        return {"name": "noise", "params": {"kind": "white", "snr_db_target": target, "snr_db_at_mix": realized}}

    assert check_augmentation([noise(10.0, 10.4), {"name": "room", "params": {}}], T) == []
    off = check_augmentation([{"name": "room", "params": {}}, noise(10.0, 16.0)], T)
    assert len(off) == 1 and "noise step 1 (white)" in off[0] and "SNR 16.0 dB, target 10.0 dB" in off[0]
    assert "no SNR realized" in check_augmentation([noise(5.0, None)], T)[0]
    assert check_augmentation([], T) == [] and check_augmentation(None, T) == []
    legacy = {"name": "noise", "params": {"kind": "white", "snr_db_target": 10.0, "snr_db": 16.0}}  # before the rename
    assert "SNR 16.0 dB" in check_augmentation([legacy], T)[0]


def test_merge_adds_reasons_and_fields(speech):
    audio, n = speech
    checks = check(audio, RATE, n, T)
    merged = merge(
        checks,
        ["noise step 0 (white): SNR 16.0 dB, target 10.0 dB (off by more than 3.0 dB)"],
        asr={"hyp": "x", "wer": 1.0},
    )
    assert merged["passed"] is False and len(merged["reasons"]) == 1 and merged["asr"]["wer"] == 1.0
    assert checks["passed"] is True and checks["reasons"] == []  # the original is untouched
    assert merge(checks, [])["passed"] is True


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="min_duration_s"):
        QCThresholds(min_duration_s=5, max_duration_s=1)
    with pytest.raises(ValueError, match="min_words_per_second"):
        QCThresholds(min_words_per_second=8)
    with pytest.raises(ValueError, match="min_speech_ratio"):
        QCThresholds(min_speech_ratio=1.5)


def test_config_thresholds_build(compose_cfg):
    cfg = compose_cfg()
    thresholds = QCThresholds(**OmegaConf.to_container(cfg.qc.thresholds))
    assert thresholds.max_leading_silence_s == 1.0 and thresholds.max_snr_error_db == 3.0
    assert {"enabled", "sample_fraction", "max_wer", "lm"} <= set(cfg.qc.asr)


@pytest.mark.slow
def test_augmented_rows_measure_the_delivered_file_and_keep_the_render_qc(compose_cfg, tmp_path, small_prompts):
    """`qc` is measured on the file as delivered (re-measured here from the file on disk), `qc_clean`
    is the render's QC (the paired clean file's), and `file_snr_db` is there exactly when noise was mixed."""
    import soundfile as sf

    from synth.run import generate
    from tests.conftest import check_corpus

    out = tmp_path / "paired"
    generate(
        compose_cfg(
            "augment=phone",
            "augment.paired=true",
            f"augment.cache_dir={tmp_path / 'cache'}",
            "augment.steps.room.bank_size=2",
            "++augment.steps.noise.babble.clips=2",
            f"output.dir={out}",
            f"prompts.path={small_prompts}",
            "voices.per_prompt=1",
            "n_jobs=1",
        )
    )
    rows = check_corpus(out)
    clean = {r["pair"]["stem"]: r for r in rows if r["pair"]["role"] == "clean"}
    noisy = 0
    for row in (r for r in rows if r["pair"]["role"] == "augmented"):
        twin = clean[row["pair"]["stem"]]
        audio, _ = sf.read(out / row["audio_filepath"], dtype="float64")
        clean_audio, _ = sf.read(out / twin["audio_filepath"], dtype="float64")
        assert row["qc"]["rms_dbfs"] == pytest.approx(10 * np.log10(np.mean(audio**2)), abs=0.02)
        assert row["qc_clean"]["rms_dbfs"] == pytest.approx(10 * np.log10(np.mean(clean_audio**2)), abs=0.02)
        assert row["qc_clean"] == twin["qc"] and "qc_clean" not in twin
        assert row["qc"]["rms_dbfs"] != row["qc_clean"]["rms_dbfs"]
        mixed = any(a["name"] == "noise" for a in row["augment"])
        assert ("file_snr_db" in row) == mixed
        noisy += mixed
    assert noisy >= 3
