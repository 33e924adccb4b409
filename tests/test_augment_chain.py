"""The chain seam: profiles prepare and apply, labels are complete and JSON, same seed same bytes,
prepared objects travel to worker processes, chains are built once."""

import json
import multiprocessing
import pickle

import numpy as np
import pytest

import augment
from synth.talkers import espeak_talkers
from tests.test_augment_support import PROFILES, RATE, cache_dir, only, prepare, profile_cfg, small, speech  # noqa: F401


def test_none_profile_is_empty():
    prepared = prepare(profile_cfg("none"))
    assert prepared.is_empty and prepared.paired is False


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_prepares_and_labels_what_it_applied(name, cache_dir, speech):
    prepared = prepare(small(name, cache_dir))
    assert not prepared.is_empty and prepared.paired is False
    chain = prepared.build()
    devices = set()
    for seed in range(12):
        result = chain.apply(speech[seed % 2], RATE, seed)
        x = speech[seed % 2]
        assert result.audio.dtype == np.float32 and result.audio.shape == x.shape  # same length: word times hold
        assert np.all(np.isfinite(result.audio)) and np.max(np.abs(result.audio)) <= 1.0
        assert not np.array_equal(result.audio, x)
        json.dumps(result.applied)  # plain JSON, as the manifest needs
        names = [a["name"] for a in result.applied]
        assert all(set(a) == {"name", "params"} and isinstance(a["params"], dict) for a in result.applied)
        assert "device" in names and result.applied[names.index("device")]["params"]["profile"] == result.device
        devices.add(result.device)
        if "room" in names:
            assert names.index("room") < names.index("device")
            room = result.applied[names.index("room")]["params"]
            assert {"rir_id", "rt60", "room_dim", "distance"} <= set(room) and len(room["room_dim"]) == 3
        if "noise" in names:
            noise = result.applied[names.index("noise")]["params"]
            assert noise["kind"] in {"white", "pink", "brown", "babble", "hum", "fan"}
            assert abs(noise["snr_db_at_mix"] - noise["snr_db_target"]) < 0.1
    if name == "default":
        assert len(devices) >= 3  # one device drawn per item
    else:
        assert devices == {name}


def test_default_device_can_be_fixed_and_steps_removed(cache_dir, speech):
    chain = prepare(small("default", cache_dir, "augment.steps.device.choose=[car]", "~augment.steps.noise")).build()
    for seed in range(5):
        result = chain.apply(speech[0], RATE, seed)
        assert result.device == "car"
        assert "noise" not in [a["name"] for a in result.applied]


def test_probability_skips_are_not_listed(cache_dir, speech):
    cfg = only(
        {"gain": {"p": 0.5, "gain_db": [-6, -1]}, "noise": {"p": 0.0, "snr_db": 10, "kinds": ["pink"]}}, cache=cache_dir
    )
    chain = prepare(cfg).build()
    listed = [len(chain.apply(speech[0], RATE, seed).applied) for seed in range(40)]
    assert set(listed) == {0, 1} and 8 < sum(listed) < 32
    assert all(chain.apply(speech[0], RATE, seed).device is None for seed in range(3))


def test_same_seed_same_bytes_whatever_came_before(cache_dir, speech):
    prepared = prepare(small("default", cache_dir))
    first, second = prepared.build(), prepared.build()
    reference = [first.apply(speech[0], RATE, seed) for seed in (11, 12, 13)]
    for seed in (99, 5, 13, 12, 11):  # other items in between, in another order, on another chain
        second.apply(speech[1], RATE, seed)
    again = [second.apply(speech[0], RATE, seed) for seed in (11, 12, 13)]
    for a, b in zip(reference, again):
        assert a.audio.tobytes() == b.audio.tobytes() and a.applied == b.applied and a.device == b.device
    assert reference[0].audio.tobytes() != reference[1].audio.tobytes()


def _apply_in_child(payload):
    prepared, audio, seeds = pickle.loads(payload)
    chain = prepared.build()
    return [chain.apply(audio, RATE, seed).audio.tobytes() for seed in seeds]


def test_prepared_is_small_and_gives_the_same_bytes_in_another_process(cache_dir, speech):
    prepared = prepare(small("default", cache_dir))
    payload = pickle.dumps((prepared, speech[0], [3, 4, 5]))
    assert len(pickle.dumps(prepared)) < 100_000  # paths and parameters, no banks of audio
    here = [prepared.build().apply(speech[0], RATE, seed).audio.tobytes() for seed in (3, 4, 5)]
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # a fresh interpreter, like a loky worker
        assert pool.apply(_apply_in_child, (payload,)) == here


def test_chain_is_built_by_build_only(tmp_path, cache_dir, speech, probe_step):
    """Transforms that scan folders in __init__ (AddBackgroundNoise) run it when a chain is built,
    never per item; the probe step logs each build's process id."""
    import soundfile as sf

    noise_dir = tmp_path / "noises"
    noise_dir.mkdir()
    sf.write(noise_dir / "n.wav", (np.random.default_rng(0).standard_normal(RATE) * 0.1).astype(np.float32), RATE)
    log = tmp_path / "builds.log"
    cfg = only(
        {
            "probe": {"log": str(log)},
            "bg": {
                "_target_": "audiomentations.AddBackgroundNoise",
                "sounds_path": str(noise_dir),
                "min_snr_db": 10,
                "max_snr_db": 20,
            },
        },
        cache=cache_dir,
    )
    prepared = prepare(cfg)
    assert len(log.read_text().split()) == 1  # the start-up check in prepare()
    chain = prepared.build()
    for seed in range(10):
        result = chain.apply(speech[0], RATE, seed)
        assert [a["name"] for a in result.applied] == ["probe", "bg"]
        assert 10 <= result.applied[1]["params"]["snr_db"] <= 20
    assert len(log.read_text().split()) == 2


def test_raw_audiomentations_transform_is_seeded_and_labelled(cache_dir, speech):
    cfg = only(
        {"shift": {"_target_": "audiomentations.Gain", "min_gain_db": -12, "max_gain_db": -1, "p": 1.0}},
        cache=cache_dir,
    )
    chain = prepare(cfg).build()
    a, b = chain.apply(speech[0], RATE, 8), chain.apply(speech[0], RATE, 8)
    assert a.audio.tobytes() == b.audio.tobytes() and a.applied == b.applied
    ratio = a.applied[0]["params"]["amplitude_ratio"]
    np.testing.assert_allclose(a.audio, speech[0] * ratio, rtol=1e-5, atol=1e-7)


def test_mp3_codec_runs_offline(cache_dir, speech):
    cfg = only(
        {
            "codec": {
                "_target_": "audiomentations.Mp3Compression",
                "min_bitrate": 32,
                "max_bitrate": 32,
                "backend": "fast-mp3-augment",
            }
        },
        cache=cache_dir,
    )
    result = prepare(cfg).build().apply(speech[0], RATE, 1)
    assert result.applied == [{"name": "codec", "params": {"bitrate": 32}}]
    assert result.audio.shape == speech[0].shape and not np.array_equal(result.audio, speech[0])
    assert np.corrcoef(result.audio, speech[0])[0, 1] > 0.9  # coded, still aligned with the input


def test_paired_flag_passes_through(cache_dir):
    assert prepare(small("phone", cache_dir, "augment.paired=true")).paired is True


def test_wrong_rate_is_refused(cache_dir, speech):
    chain = prepare(small("car", cache_dir)).build()
    with pytest.raises(ValueError, match="16000 Hz"):
        chain.apply(speech[0], 22050, 1)


def test_corpus_rate_8k_works_with_device_profiles(cache_dir, speech):
    from synth.audio_io import resample

    cfg = small("default", cache_dir)
    chain = augment.prepare(cfg, 8000, 1, espeak_talkers()).build()
    x = resample(speech[0], RATE, 8000)
    for seed in range(6):
        result = chain.apply(x, 8000, seed)
        assert result.audio.shape == x.shape and np.all(np.isfinite(result.audio))


def test_consecutive_filters_run_as_one_cascade_with_each_labelled(cache_dir, speech):
    """EQ then band-pass (skipped gain between them) run as one pass: the same audio as running each
    filter step on its own, in order, and each keeps its label."""
    eq = {
        "bands": {
            "shelf": {"kind": "low_shelf", "freq_hz": 200, "gain_db": [-10, -4], "q": 0.7},
            "peak": {"kind": "peak", "freq_hz": [2000, 4000], "gain_db": [2, 6], "q": 1.5},
        }
    }
    band = {"low_hz": [80, 150], "high_hz": 7000, "order": 4}
    fused = prepare(only({"eq": eq, "gain": {"p": 0.0, "gain_db": 6}, "bandpass": band}, cache=cache_dir)).build()
    alone = [prepare(only({name: cfg}, cache=cache_dir)).build() for name, cfg in (("eq", eq), ("bandpass", band))]
    x = speech[0]
    for seed in range(3):
        result = fused.apply(x, RATE, seed)
        assert [a["name"] for a in result.applied] == ["eq", "bandpass"]
        step_by_step = alone[1].apply(alone[0].apply(x, RATE, seed).audio, RATE, seed)
        # same draws (each step's stream is keyed by its own path), same filters, one pass instead of two
        assert [a["params"] for a in result.applied] == [
            alone[0].apply(x, RATE, seed).applied[0]["params"],
            step_by_step.applied[0]["params"],
        ]
        # the two advances are rounded once instead of twice: allow that one-sample shift
        best = min(np.max(np.abs(result.audio[1 + k : -2 + k] - step_by_step.audio[1:-2])) for k in (-1, 0, 1))
        assert best < 1e-4 * np.max(np.abs(x)) < np.max(np.abs(result.audio - x))  # and the filters did something
