"""The delivered file's SNR label (`file_snr_db`) against measurements that do not use it: the same
chain run without its noise step (where the chain is linear), and a least-squares re-estimate from
the delivered audio and the clean render alone (benchmarks/file_snr.py)."""

import numpy as np
import pytest

from augment.file_snr import file_snr_db
from benchmarks.file_snr import ls_snr_db
from tests.test_augment_support import RATE, cache_dir, only, prepare, small, speech  # noqa: F401

LINEAR_DEVICE = {
    "resample": {"rate": 8000},
    "eq": {"bands": {"boom": {"kind": "low_shelf", "freq_hz": 200, "gain_db": [2, 6], "q": 0.7}}},
    "bandpass": {"low_hz": 300, "high_hz": 3400, "order": 6},
    "gain": {"gain_db": [-6, 0]},
}


def test_speech_part_is_what_the_chain_makes_of_the_speech_alone(cache_dir, speech):
    """Where every step after the noise is linear, removing the noise step must leave exactly the
    speech part: each step draws from its own stream, so the rest of the chain is unchanged."""
    noise = {"noise": {"snr_db": [0, 20], "kinds": ["pink", "brown", "white"]}}
    device = {"device": {"choose": ["mic"]}}
    with_noise = prepare(only({**noise, **device}, {"mic": LINEAR_DEVICE}, cache=cache_dir)).build()
    without = prepare(only(device, {"mic": LINEAR_DEVICE}, cache=cache_dir)).build()
    for seed in range(6):
        x = 0.3 * speech[seed % 2] / np.max(np.abs(speech[seed % 2]))  # far from the headroom limit
        mixed, alone = with_noise.apply(x, RATE, seed), without.apply(x, RATE, seed)
        assert "headroom" not in [a["name"] for a in mixed.applied]
        assert np.max(np.abs(mixed.speech - alone.audio)) <= 1e-5
        noise_part = mixed.audio.astype(np.float64) - alone.audio
        expected = 10 * np.log10(np.sum(alone.audio.astype(np.float64) ** 2) / np.sum(noise_part**2))
        assert file_snr_db(mixed.audio, mixed.speech) == pytest.approx(expected, abs=0.01)
    assert without.apply(x, RATE, 0).speech is None  # no noise mixed: no SNR to claim


@pytest.mark.slow
def test_file_snr_label_matches_a_least_squares_re_estimate(cache_dir, speech):
    """The default profile (rooms, every noise kind, all five devices: AGC, limiter, clipping, codecs)."""
    chain = prepare(small("default", cache_dir, "augment.steps.noise.p=1")).build()
    label_error, mix_error, devices = [], [], set()
    for seed in range(12):
        x = speech[seed % 2]
        result = chain.apply(x, RATE, seed)
        delivered = np.round(result.audio * 32767) / 32767  # as the file holds it
        estimate = ls_snr_db(delivered, x, RATE)
        at_mix = next(a["params"]["snr_db_at_mix"] for a in result.applied if a["name"] == "noise")
        label_error.append(file_snr_db(delivered, result.speech) - estimate)
        mix_error.append(at_mix - estimate)
        devices.add(result.device)
    assert len(devices) >= 4
    assert abs(np.median(label_error)) <= 1.0 and np.median(np.abs(label_error)) <= 1.5
    assert np.median(np.abs(mix_error)) > np.median(np.abs(label_error))  # the mixing SNR is not the file's
