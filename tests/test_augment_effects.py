"""The effects are real and the labels say what happened: realized SNR, telephony band, RT60 of
the applied RIR, clipping ratio, speech onsets that do not move, converted noise files."""

import numpy as np
import pytest
import soundfile as sf
from scipy import signal

from tests.test_augment_support import RATE, cache_dir, only, prepare, small, snr_db, speech  # noqa: F401


@pytest.mark.parametrize("kind", ["white", "pink", "brown", "babble", "hum", "fan"])
def test_realized_snr_matches_the_label(kind, cache_dir, speech):
    cfg = only({"noise": {"snr_db": [-5, 30], "kinds": [kind], "babble": {"clips": 2}}}, cache=cache_dir)
    chain = prepare(cfg).build()
    for seed in range(6):
        x = speech[seed % 2]
        result = chain.apply(x, RATE, seed)
        params = result.applied[0]["params"]
        assert params["kind"] == kind
        assert abs(snr_db(x, result) - params["snr_db_at_mix"]) <= 1.0
        assert abs(params["snr_db_at_mix"] - params["snr_db_target"]) <= 1.0


def test_noise_files_stereo_and_other_rates_are_converted(tmp_path, cache_dir, speech):
    folder = tmp_path / "noise"
    (folder / "street").mkdir(parents=True)
    t44 = np.arange(int(44100 * 1.5)) / 44100
    tone = 0.3 * np.sin(2 * np.pi * 440 * t44)
    sf.write(folder / "street" / "stereo44k.wav", np.stack([tone, 0.5 * tone], axis=1), 44100)  # stereo, 44.1 kHz
    t8 = np.arange(8000 * 2) / 8000
    sf.write(folder / "mono8k.flac", 0.2 * np.sin(2 * np.pi * 440 * t8), 8000)
    (folder / "notes.txt").write_text("not audio, ignored")
    cfg = only({"noise": {"snr_db": [0, 10], "kinds": {"file": 1}, "folder": str(folder)}}, cache=cache_dir)
    chain = prepare(cfg).build()
    seen = set()
    for seed in range(12):
        x = speech[0]
        result = chain.apply(x, RATE, seed)
        params = result.applied[0]["params"]
        seen.add(params["file"])
        assert abs(snr_db(x, result) - params["snr_db_at_mix"]) <= 1.0
        added = result.audio.astype(np.float64) - x
        freqs, power = signal.periodogram(added, RATE)
        assert abs(freqs[np.argmax(power)] - 440) < 3  # resampled correctly: played at any other rate, the tone moves
    assert seen == {"street/stereo44k.wav", "mono8k.flac"}


def _band_energy_db(audio: np.ndarray, low: float, high: float, ref_band: tuple[float, float]) -> float:
    freqs, power = signal.welch(audio.astype(np.float64), RATE, nperseg=2048)
    inside = power[(freqs >= ref_band[0]) & (freqs <= ref_band[1])].sum()
    outside = power[(freqs > low) & (freqs <= high)].sum()
    return 10 * np.log10(outside / inside)


def test_telephony_profile_has_no_energy_above_its_band(cache_dir, speech):
    chain = prepare(
        small(
            "phone",
            cache_dir,
            "augment.steps.room.p=1",
            "augment.steps.noise.p=1",
            "augment.devices.phone.clipping.p=1",
        )
    ).build()
    for seed in range(6):
        x = speech[seed % 2]
        result = chain.apply(x, RATE, seed)
        names = [a["name"] for a in result.applied]
        assert {"room", "noise", "clipping", "codec"} <= set(names)
        assert _band_energy_db(x, 3400, RATE / 2, (300, 3400)) > -40  # the clean speech does have energy up there
        assert _band_energy_db(result.audio, 3400, RATE / 2, (300, 3400)) < -40


def _impulse_response(chain, seed: int, seconds: float = 3.0):
    """Convolve an impulse through the real step: what comes out is the RIR as applied (times its gain)."""
    impulse = np.zeros(int(seconds * RATE), dtype=np.float32)
    impulse[0] = 0.5
    result = chain.apply(impulse, RATE, seed)
    return result.audio.astype(np.float64), result.applied[0]["params"]


def test_rt60_of_the_applied_rir_matches_the_label(cache_dir):
    import pyroomacoustics as pra

    cfg = small("default", cache_dir)
    chain = prepare(only({"room": {**cfg["steps"]["room"], "p": 1.0, "bank_size": 6}}, cache=cache_dir)).build()
    seen = set()
    for seed in range(10):
        applied_rir, params = _impulse_response(chain, seed)
        seen.add(params["rir_id"])
        measured = pra.experimental.measure_rt60(applied_rir, RATE, decay_db=30)  # another implementation than ours
        assert abs(measured - params["rt60"]) <= 0.2 * params["rt60"]
        assert 0.2 <= params["rt60_target"] <= 0.9 and params["distance"] > 0
    assert len(seen) >= 3


def test_applied_rir_is_the_labelled_room_without_its_pre_delay(cache_dir):
    """Re-simulate the room from its label alone: the applied RIR is that room's RIR with the
    direct path moved to sample 0, so speech onsets and word times do not move."""
    import pyroomacoustics as pra

    cfg = small("smart_speaker", cache_dir)
    chain = prepare(only({"room": {**cfg["steps"]["room"], "p": 1.0}}, cache=cache_dir)).build()
    for seed in range(3):
        applied, params = _impulse_response(chain, seed, seconds=1.0)
        room = pra.ShoeBox(
            params["room_dim"], fs=RATE, materials=pra.Material(params["absorption"]), max_order=params["max_order"]
        )
        room.add_source(params["source"])
        room.add_microphone(params["mic"])
        room.compute_rir()
        reference = room.rir[0][0]
        direct = pra.constants.get("frac_delay_length") // 2 + params["distance"] / pra.constants.get("c") * RATE
        n = 4000
        lags = range(int(direct) - 20, int(direct) + 21)
        scores = [np.dot(applied[:n], reference[lag : lag + n]) for lag in lags]
        assert abs(lags[int(np.argmax(scores))] - direct) <= 1.0
        assert np.abs(applied[0]) >= 0.2 * np.max(np.abs(applied))  # the direct path itself, not silence before it


def test_user_rir_folder_is_aligned_converted_and_measured(tmp_path, cache_dir):
    folder = tmp_path / "rirs"
    folder.mkdir()
    rate, rt60 = 44100, 0.5
    n = int(rate * 1.2)
    decay = np.exp(-6.91 * np.arange(n) / (rt60 * rate))  # amplitude falls 60 dB in rt60 seconds
    rir = np.random.default_rng(3).standard_normal(n) * decay * 0.1
    rir[0] = 1.0
    rir = np.concatenate([np.zeros(2000), rir])  # a measured RIR starts with a pre-delay
    sf.write(folder / "hall.wav", np.stack([rir, rir * 0.9], axis=1), rate)  # stereo, 44.1 kHz
    chain = prepare(only({"room": {"folder": str(folder)}}, cache=cache_dir)).build()
    applied, params = _impulse_response(chain, 1)
    assert params["rir_id"] == "hall.wav" and params["room_dim"] is None and params["distance"] is None
    assert abs(params["rt60"] - rt60) < 0.1 * rt60
    assert np.argmax(np.abs(applied)) == 0  # the 2000-sample pre-delay is gone


def test_clipping_clips_about_the_labelled_fraction(cache_dir, speech):
    cfg = only({"clipping": {"ratio": [0.002, 0.05], "ceiling_db": -1.0}}, cache=cache_dir)
    chain = prepare(cfg).build()
    ceiling = 10 ** (-1 / 20)
    for seed in range(8):
        x = speech[seed % 2]
        result = chain.apply(x, RATE, seed)
        params = result.applied[0]["params"]
        at_ceiling = float(np.mean(np.abs(result.audio) >= ceiling * (1 - 1e-4)))
        assert abs(at_ceiling - params["clip_ratio"]) <= 0.1 * params["clip_ratio"] + 1 / len(x)
        assert abs(params["clip_ratio"] - params["clip_ratio_target"]) <= 0.2 * params["clip_ratio_target"]
        assert np.max(np.abs(result.audio)) <= ceiling * (1 + 1e-4)


def test_limiter_and_agc_hold_their_levels(cache_dir, speech):
    cfg = only({"gain": {"gain_db": 12}, "agc": {"target_dbfs": -20}, "limiter": {"threshold_db": -6}}, cache=cache_dir)
    result = prepare(cfg).build().apply(speech[0], RATE, 2)
    assert [a["name"] for a in result.applied] == ["gain", "agc", "limiter"]
    assert 20 * np.log10(np.max(np.abs(result.audio))) <= -6 + 0.01


def test_eq_gain_is_the_labelled_gain(cache_dir):
    """Zero-phase filtering runs each section twice; the label must still be the gain heard."""
    cfg = only(
        {"eq": {"bands": {"presence": {"kind": "peak", "freq_hz": 2000, "gain_db": 6, "q": 1.0}}}}, cache=cache_dir
    )
    t = np.arange(RATE) / RATE
    tone = (0.1 * np.sin(2 * np.pi * 2000 * t)).astype(np.float32)
    out = prepare(cfg).build().apply(tone, RATE, 0).audio
    middle = slice(RATE // 4, 3 * RATE // 4)
    assert abs(20 * np.log10(np.std(out[middle]) / np.std(tone[middle])) - 6) < 0.1


@pytest.mark.parametrize("kind, slope_db_per_decade", [("pink", -10.0), ("brown", -20.0)])
def test_coloured_noise_has_its_slope_and_differs_per_item(kind, slope_db_per_decade, cache_dir, speech):
    """Coloured noise comes from a bank (a window per item): the added noise must still have its
    colour's spectrum, and two items must not get the same stretch of it."""
    cfg = only({"noise": {"snr_db": 0, "kinds": [kind]}}, cache=cache_dir)
    chain = prepare(cfg).build()
    added = []
    for seed in range(2):
        x = speech[0]
        added.append(chain.apply(x, RATE, seed).audio.astype(np.float64) - x)
        freqs, power = signal.welch(added[-1], RATE, nperseg=4096)
        band = (freqs >= 100) & (freqs <= 4000)  # LOWEST_HZ holds the shape flat below 20 Hz
        fitted = np.polyfit(np.log10(freqs[band]), 10 * np.log10(power[band]), 1)[0]
        assert abs(fitted - slope_db_per_decade) < 2.0
    assert abs(np.corrcoef(added[0], added[1])[0, 1]) < 0.1


@pytest.mark.parametrize(
    "step",
    [
        {"bandpass": {"low_hz": 300, "high_hz": 3350, "order": 8, "shape": "ellip"}},
        {"bandpass": {"low_hz": 80, "high_hz": 7600, "order": 4}},
        {
            "eq": {
                "bands": {
                    "shelf": {"kind": "low_shelf", "freq_hz": 200, "gain_db": -10, "q": 0.7},
                    "peak": {"kind": "peak", "freq_hz": 3000, "gain_db": 6, "q": 2.0},
                }
            }
        },
    ],
)
def test_filters_are_causal_and_keep_speech_where_it_was(step, cache_dir, speech):
    """Microphones and channels are causal: nothing comes out before a click goes in (beyond the
    group-delay advance of a few samples), and speech is not shifted by more than a millisecond."""
    chain = prepare(only(step, cache=cache_dir)).build()
    click = np.zeros(RATE // 2, dtype=np.float32)
    click[4000] = 0.5
    out = chain.apply(click, RATE, 0).audio
    assert np.max(np.abs(out[: 4000 - 16])) == 0.0  # 1 ms; a zero-phase filter rings for tens of ms before
    x = speech[1]
    y = chain.apply(x, RATE, 0).audio
    lags = np.arange(-40, 41)
    scores = [np.dot(x[40:-40], y[40 + lag : len(y) - 40 + lag]) for lag in lags]
    lag = lags[int(np.argmax(scores))]
    print(f"best-aligning lag: {lag} samples")
    assert (
        abs(lag) <= RATE // 1000
    )  # 1 ms: word times are on a 5 ms grid; a steep band edge delays its own frequencies a little
