"""The config schema: unknown keys and wrong types stop a real command line before anything is
written; every key the YAML files hold is in the schema; --help and the README table come from it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from synth.config_help import TABLE_END, TABLE_START, composed, group_options, readme_table
from synth.config_schema import BY_PATH, ConfigKeyError, check_config, problems
from tests.conftest import REPO, run_cli


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("+voices.per_promt=3", "unknown config key 'voices.per_promt'; did you mean 'voices.per_prompt'?"),
        ("voice.per_prompt=3", "unknown config key 'voice.per_prompt'; did you mean 'voices.per_prompt'?"),
        ("+voice.per_prompt=3", "unknown config key 'voice.per_prompt'; did you mean 'voices.per_prompt'?"),
        ("+voices.per_prompt_x=3", "did you mean 'voices.per_prompt'?"),
        ("++sed=7", "unknown config key 'sed'; did you mean 'seed'?"),
        ("voices.per_prompt=many", "voices.per_prompt must be an integer; got 'many'"),
        ("n_jobs=2.5", "n_jobs must be an integer; got 2.5"),
        ("output.report=maybe", "output.report must be true or false; got 'maybe'"),
        ("voices.prosody.rate=fast", "voices.prosody.rate must be a number or [min, max]; got 'fast'"),
        ("output.if_exists=append", "output.if_exists must be one of resume, overwrite, error; got 'append'"),
        ("voices.accents=3", "voices.accents must be a name or a list of names"),
        ("executor=dask executor.log_level=loud", "executor.log_level must be one of debug, info, warning, error"),
    ],
)
def test_a_wrong_key_or_value_stops_the_command_line_with_the_key(tmp_path, small_prompts, override, message):
    out = tmp_path / "out"
    done = run_cli([*override.split(), f"prompts.path={small_prompts}", f"output.dir={out}"], cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "To append to your config" not in done.stderr
    assert not out.exists()  # nothing written, so the corrected command is not "a different config"


def test_open_maps_take_any_key_and_their_own_validators_judge(compose_cfg):
    cfg = OmegaConf.to_container(
        compose_cfg(
            "+engines.espeak.anything=1",
            "augment=phone",
            "+augment.steps.gain={_target_: audiomentations.Gain, min_gain_db: -6, max_gain_db: 0}",
            "+output.export_options.webdataset.shard_size=10",
        ),
        resolve=True,
    )
    assert problems(cfg) == []
    cfg["qc"]["thresholds"]["min_durtion_s"] = 0.1
    cfg["split"] = 0.5
    with pytest.raises(ConfigKeyError) as err:
        check_config(cfg)
    text = str(err.value)
    assert "unknown config key 'qc.thresholds.min_durtion_s'; did you mean 'qc.thresholds.min_duration_s'?" in text
    assert "split is a section of keys (split.dev, split.test, split.by); got 0.5" in text


def _leaves(config: dict, prefix: str = "") -> set[str]:
    out = set()
    for key, value in config.items():
        path = f"{prefix}{key}"
        if path in ("engines", "augment.steps", "augment.devices", "output.export_options"):
            continue
        if isinstance(value, dict) and value and path not in BY_PATH:
            out |= _leaves(value, path + ".")
        else:
            out.add(path)
    return out


def test_every_yaml_key_of_every_group_option_is_in_the_schema_and_valid():
    seen = set()
    for group in ("prompts", "voices", "augment", "output", "executor"):
        for option in group_options(group):
            config, _ = composed([f"{group}={option}"])
            assert problems(config) == [], f"{group}={option}"
            seen |= _leaves(config)
    assert seen - set(BY_PATH) == set(), "YAML keys without a schema entry"
    assert set(BY_PATH) - seen == set(), "schema keys no YAML file sets (a default must exist)"


def test_readme_configuration_table_is_the_one_the_schema_makes():
    readme = (REPO / "README.md").read_text()
    start, end = readme.index(TABLE_START) + len(TABLE_START), readme.index(TABLE_END)
    assert readme[start:end].strip() == readme_table(), "run: python -m synth.config_help --table"


def _help(*args: str, cwd: Path, script=("generate.py",)) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, *[str(REPO / s) if s.endswith(".py") else s for s in script], *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_describes_the_tool_and_each_key_with_its_default(tmp_path):
    text = _help("--help", cwd=tmp_path)
    assert text.startswith("speechforge generate: render text prompts")
    assert re.search(r"^  voices\.per_prompt +2\n +distinct voices per prompt", text, flags=re.M)
    assert re.search(r"^  voices=<option> +espeak_en\n", text, flags=re.M)
    for key in BY_PATH:
        if not key.startswith("qc.thresholds."):
            assert f"  {key} " in text, key
    assert "README.md" in text and "_self_" not in text  # not Hydra's YAML dump
    # Defaults follow the overrides given with --help; `speechforge generate --help` is the same text.
    assert re.search(r"^  voices\.per_prompt +1\n", _help("voices=piper_en", "--help", cwd=tmp_path), flags=re.M)
    same = _help("generate", "--help", cwd=tmp_path, script=("-m", "synth.commands"))
    assert same == text
