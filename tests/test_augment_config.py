"""Safe config: every _target_ is allowlisted before anything is instantiated, and bad settings are an
AugmentConfigError at prepare() that names the key and what would be valid."""

import numpy as np
import pytest
import soundfile as sf

import augment
from augment import AugmentConfigError
from tests.test_augment_support import RATE, cache_dir, only, prepare, small  # noqa: F401


@pytest.mark.parametrize(
    "target",
    [
        "os.makedirs",
        "builtins.exec",
        "subprocess.Popen",
        "audiomentations.core.utils.os.makedirs",  # resolves, but to a function of another module
        "augment.audio_files.Path",  # inside our package, but not a step
        "audiomentations.core.utils.find_audio_files_in_paths",  # an audiomentations function, not a transform
    ],
)
def test_targets_outside_the_allowlist_are_refused_before_instantiation(target, tmp_path, cache_dir):
    made = tmp_path / "made-by-instantiate"
    cfg = only({"evil": {"_target_": target, "name": str(made)}}, cache=cache_dir)
    with pytest.raises(AugmentConfigError, match="_target_"):
        prepare(cfg)
    assert not made.exists()


def test_nested_targets_are_checked_too(tmp_path, cache_dir):
    made = tmp_path / "made"
    cfg = only(
        {"bg": {"_target_": "audiomentations.Gain", "noise_transform": {"_target_": "os.makedirs", "name": str(made)}}},
        cache=cache_dir,
    )
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.bg\.noise_transform\._target_"):
        prepare(cfg)
    with pytest.raises(AugmentConfigError, match="_target_"):
        prepare(
            only(
                {"x": {"type": "gain", "gain_db": 1}},
                devices={"d": {"y": {"_target_": "os.system", "command": "true"}}},
                cache=cache_dir,
            )
        )
    assert not made.exists()


def test_hydra_special_keys_are_refused(cache_dir):
    with pytest.raises(AugmentConfigError, match="_args_"):
        prepare(only({"g": {"_target_": "audiomentations.Gain", "_args_": [-1, 1]}}, cache=cache_dir))
    with pytest.raises(AugmentConfigError, match="_partial_"):
        prepare(only({"g": {"_target_": "audiomentations.Gain", "_partial_": True}}, cache=cache_dir))


def test_allowlisted_targets_work(cache_dir):
    prepared = prepare(
        only(
            {
                "g": {"_target_": "audiomentations.Gain", "min_gain_db": -3, "max_gain_db": -1},
                "n": {"_target_": "augment.noise.Noise", "snr_db": 20, "kinds": ["pink"]},
            },
            cache=cache_dir,
        )
    )
    names = [a["name"] for a in prepared.build().apply(np.full(RATE, 0.1, np.float32), RATE, 1).applied]
    assert names == ["g", "n"]


def _noise(**kw):
    return {"noise": {"snr_db": [5, 20], "kinds": ["pink"], **kw}}


@pytest.mark.parametrize(
    "steps, message",
    [
        (_noise(snr_db=[20, 5]), r"augment\.steps\.noise\.snr_db: min 20 > max 5"),
        (
            {"room": {"rt60_s": [0.9, 0.2], "room_dim_m": {"x": 5, "y": 4, "z": 3}, "distance_m": 1}},
            r"augment\.steps\.room\.rt60_s: min 0\.9 > max 0\.2",
        ),
        (
            {"room": {"rt60_s": 0.3, "room_dim_m": {"x": [8, 3], "y": 4, "z": 3}, "distance_m": 1}},
            r"augment\.steps\.room\.room_dim_m\.x: min 8 > max 3",
        ),
        (
            {"room": {"rt60_s": 0.3, "room_dim_m": {"x": 5, "y": 4}, "distance_m": 1}},
            r"room_dim_m: a mapping \{x, y, z\}",
        ),
        (_noise(snr_db="loud"), r"snr_db: expected a number"),
        (_noise(p=1.5), r"augment\.steps\.noise\.p: 1\.5 is outside the valid range \[0\.0, 1\.0\]"),
        (_noise(snr=[5, 10]), r"augment\.steps\.noise: unknown key\(s\) \['snr'\]; valid: "),
        (_noise(kinds=["purple"]), r"unknown noise kind 'purple'; known: white, pink"),
        (_noise(kinds={"file": 1}), r"augment\.steps\.noise\.folder: kinds\.file has weight"),
        ({"reverb": {"amount": 3}}, r"augment\.steps\.reverb: unknown step type 'reverb'; give type: one of"),
        ({"Bad-Name": {"type": "gain", "gain_db": 1}}, r"step names are lowercase"),
        (
            {"clipping": {"ratio": [0.2, 0.8]}},
            r"clipping\.ratio: \[0\.2, 0\.8\] is outside the valid range \[0\.0, 0\.5\]",
        ),
        (
            {"bandpass": {"low_hz": 300, "high_hz": 9000}},
            r"bandpass\.high_hz: 9000\.0 Hz is not below the Nyquist frequency 8000 Hz",
        ),
        ({"bandpass": {"low_hz": 3000, "high_hz": 1000}}, r"low_hz \(up to 3000\.0\) must stay below high_hz"),
        ({"resample": {"rate": [8000, 16000]}}, r"resample\.rate: a rate in Hz"),
        ({"codec": {"kind": "opus"}}, r"codec\.kind: 'opus' is not known; valid: mulaw, alaw"),
        (
            {"device": {"choose": ["toaster"]}},
            r"device\.choose: unknown device 'toaster'; known \(augment\.devices\): \[\]",
        ),
        (
            {"mp3": {"_target_": "audiomentations.Mp3Compression", "min_bitrate": 64, "max_bitrate": 16}},
            r"augment\.steps\.mp3: audiomentations\.Mp3Compression refused its arguments: "
            r"ValueError: max_bitrate must be >= min_bitrate",
        ),
        (
            {"g": {"_target_": "audiomentations.Gain", "min_gain_db": 3, "max_gain_db": -3}},
            r"augment\.steps\.g: audiomentations\.Gain refused its arguments",
        ),
        ({"g": {"_target_": "audiomentations.Gain", "p": 2}}, r"augment\.steps\.g\.p: 2 is outside"),
    ],
)
def test_bad_parameters_are_config_errors_naming_the_key(steps, message, cache_dir):
    with pytest.raises(AugmentConfigError, match=message):
        prepare(only(steps, cache=cache_dir))


def test_bad_device_settings_name_the_device_key(cache_dir):
    devices = {"phone": {"resample": {"rate": 8000}, "bandpass": {"low_hz": 300, "high_hz": 5000}}}
    with pytest.raises(
        AugmentConfigError,
        match=r"augment\.devices\.phone\.bandpass\.high_hz: 5000\.0 Hz is not below the Nyquist frequency 4000 Hz",
    ):
        prepare(only({"device": {"choose": ["phone"]}}, devices=devices, cache=cache_dir))
    # a device that no step picks is still checked
    with pytest.raises(AugmentConfigError, match=r"augment\.devices\.spare\.eq\.bands"):
        prepare(only({"gain": {"gain_db": 1}}, devices={"spare": {"eq": {"bands": {}}}}, cache=cache_dir))


def test_profile_overrides_are_validated(cache_dir):
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.noise\.snr_db: min 30 > max 10"):
        prepare(small("default", cache_dir, "augment.steps.noise.snr_db=[30,10]"))
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.device\.choose: unknown device 'fax'"):
        prepare(small("default", cache_dir, "augment.steps.device.choose=[fax]"))


def test_unknown_top_level_key_is_refused(cache_dir):
    with pytest.raises(AugmentConfigError, match=r"augment: unknown key\(s\) \['stepz'\]"):
        augment.prepare({"stepz": {}}, RATE, 1)


def test_missing_folder(tmp_path, cache_dir):
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.noise\.folder: folder '.*nowhere' does not exist"):
        prepare(only(_noise(kinds={"file": 1}, folder=str(tmp_path / "nowhere")), cache=cache_dir))
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.room\.folder: folder '.*nowhere' does not exist"):
        prepare(only({"room": {"folder": str(tmp_path / "nowhere")}}, cache=cache_dir))
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.bg\.sounds_path: folder '.*nowhere' does not exist"):
        prepare(
            only(
                {"bg": {"_target_": "audiomentations.AddBackgroundNoise", "sounds_path": str(tmp_path / "nowhere")}},
                cache=cache_dir,
            )
        )


def test_folder_with_no_audio(tmp_path, cache_dir):
    (tmp_path / "readme.txt").write_text("no audio here")
    with pytest.raises(
        AugmentConfigError, match=r"augment\.steps\.noise\.folder: '.*' holds no audio files; expected any of \.wav"
    ):
        prepare(only(_noise(kinds={"file": 1}, folder=str(tmp_path)), cache=cache_dir))
    with pytest.raises(AugmentConfigError, match=r"augment\.steps\.bg\.sounds_path: .* holds no audio files"):
        prepare(
            only(
                {"bg": {"_target_": "audiomentations.AddBackgroundNoise", "sounds_path": str(tmp_path)}},
                cache=cache_dir,
            )
        )


def test_unreadable_file(tmp_path, cache_dir):
    sf.write(tmp_path / "good.wav", np.zeros(100, np.float32) + 0.1, RATE)
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk")
    for steps in (
        _noise(kinds={"file": 1}, folder=str(tmp_path)),
        {"room": {"folder": str(tmp_path)}},
        {"bg": {"_target_": "audiomentations.AddBackgroundNoise", "sounds_path": str(tmp_path)}},
    ):
        with pytest.raises(AugmentConfigError, match=r"cannot read audio file '.*broken\.wav'"):
            prepare(only(steps, cache=cache_dir))


def test_silent_noise_file(tmp_path, cache_dir):
    sf.write(tmp_path / "silence.wav", np.zeros(RATE, np.float32), RATE)
    with pytest.raises(AugmentConfigError, match=r"silence\.wav' is silent"):
        prepare(only(_noise(kinds={"file": 1}, folder=str(tmp_path)), cache=cache_dir))


def test_folder_given_but_unused(tmp_path, cache_dir):
    sf.write(tmp_path / "n.wav", np.full(RATE, 0.1, np.float32), RATE)
    with pytest.raises(AugmentConfigError, match=r"folder is set but kinds gives 'file' no weight"):
        prepare(only(_noise(folder=str(tmp_path)), cache=cache_dir))
