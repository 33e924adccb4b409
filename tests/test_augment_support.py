"""Shared by the augmentation tests: real eSpeak NG speech, real composed profiles, a session cache.

(No tests here; the test_ prefix keeps it beside the files that use it.)
"""

from __future__ import annotations

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

import augment
from synth.audio_io import resample
from synth.cli import config_dir
from synth.talkers import espeak_talkers

RATE = 16000
PROFILES = ["default", "smart_speaker", "phone", "laptop", "headset", "car"]
SENTENCES = [
    ("Set a timer for fifteen minutes and remind me to call my sister.", "en-us+f3"),
    ("What's the weather like in Edinburgh tomorrow morning?", "en-gb-scotland+m3"),
]


@pytest.fixture(scope="session")
def speech() -> list[np.ndarray]:
    """Real eSpeak NG utterances at the corpus rate, as the renderer hands them to the chain."""
    from synth.engines import Prosody, create_engine

    engine = create_engine("espeak")
    try:
        outs = [engine.synthesize(text, voice, Prosody(), 7) for text, voice in SENTENCES]
    finally:
        engine.close()
    return [resample(o.audio, o.sample_rate, RATE) for o in outs]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    """One bank cache for the whole session: banks are built once, as on a real machine. (Each test
    module that imports this fixture gets its own instance, so the folder is fixed by name.)"""
    folder = tmp_path_factory.getbasetemp() / "augment-cache"
    folder.mkdir(exist_ok=True)
    return folder


def profile_cfg(name: str, *overrides: str) -> dict:
    """The augment node of the real config with `augment=name`, as the renderer receives it."""
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
            cfg = compose(config_name="config", overrides=[f"augment={name}", *overrides])
        return OmegaConf.to_container(cfg.augment, resolve=True)
    finally:
        GlobalHydra.instance().clear()


def small(name: str, cache, *overrides: str) -> dict:
    """A profile with small banks (fast to build) in the session cache."""
    extra = [] if name == "none" else ["augment.steps.room.bank_size=4", "++augment.steps.noise.babble.clips=2"]
    return profile_cfg(name, f"augment.cache_dir={cache}", *extra, *overrides)


def only(steps: dict, devices: dict | None = None, cache=None, **top) -> dict:
    """A hand-written augment config (what a user would put in their own profile)."""
    return {
        "paired": False,
        "cache_dir": str(cache) if cache else None,
        "steps": steps,
        **({"devices": devices} if devices else {}),
        **top,
    }


def prepare(cfg: dict) -> augment.PreparedAugment:
    return augment.prepare(cfg, RATE, 1234, espeak_talkers())


def snr_db(clean: np.ndarray, result) -> float:
    """SNR measured on the chain's output: whatever it added to the clean input counts as noise.
    A `headroom` entry scales the whole mix, speech included: undo it by its labelled gain."""
    gain = 1.0
    for entry in result.applied:
        if entry["name"] == "headroom":
            gain *= 10 ** (entry["params"]["gain_db"] / 20)
    clean = clean.astype(np.float64)
    noise = result.audio.astype(np.float64) / gain - clean
    return 10 * np.log10(np.sum(clean**2) / np.sum(noise**2))
