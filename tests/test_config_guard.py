"""Configs cannot run code: the attacks of issue 14, run as a user would (a real `python generate.py`
process with a real pickle that plants a file when loaded), are refused with the key path, before
Hydra instantiates anything and before the corpus folder is made; every shipped config still composes."""

import base64
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from synth.cli import config_dir
from synth.config_guard import ConfigRefused, check_config, hydra_composition_guard

REPO = Path(__file__).resolve().parent.parent


class _Plant:
    """Unpickling this creates the file: the proof that a config ran code."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture
def attack(tmp_path):
    planted = tmp_path / "planted-by-the-config"
    payload = tmp_path / "payload.pkl"
    payload.write_bytes(pickle.dumps(_Plant(planted)))
    pickle.loads(payload.read_bytes()).close()  # the payload works: loading it plants the file
    assert planted.exists()
    planted.unlink()
    return planted, payload


def _generate(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "generate.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
    )


def _refused(proc: subprocess.CompletedProcess, key: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"error: {key}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_callback_override_with_a_pickle_is_refused(attack, tmp_path):
    planted, payload = attack
    out = tmp_path / "corpus"
    proc = _generate(
        "+hydra.callbacks.x._target_=joblib.load",
        f"+hydra.callbacks.x.filename={payload}",
        f"output.dir={out}",
        cwd=tmp_path,
    )
    _refused(proc, "hydra.callbacks.x._target_: _target_ 'joblib.load' is not allowed")
    assert not planted.exists() and not out.exists()


def test_callback_in_a_yaml_via_config_path_is_refused(attack, tmp_path):
    planted, payload = attack
    folder = tmp_path / "their-configs"
    folder.mkdir()
    (folder / "attack.yaml").write_text(
        "defaults:\n  - config\n  - _self_\n"
        f"hydra:\n  searchpath: [file://{config_dir()}]\n"
        "  callbacks:\n    x:\n      _target_: distributed.protocol.pickle.loads\n"
        f"      x: !!binary {base64.b64encode(payload.read_bytes()).decode()}\n"
    )
    out = tmp_path / "corpus"
    proc = _generate("--config-path", str(folder), "--config-name", "attack", f"output.dir={out}", cwd=tmp_path)
    _refused(proc, "hydra.callbacks.x._target_: _target_ 'distributed.protocol.pickle.loads' is not allowed")
    assert not planted.exists() and not out.exists()


def test_a_target_inside_the_launcher_of_a_multirun_is_refused(attack, tmp_path):
    planted, payload = attack
    proc = _generate(
        "-m",
        "+hydra.launcher.extra._target_=joblib.load",
        f"+hydra.launcher.extra.filename={payload}",
        f"output.dir={tmp_path / 'corpus'}",
        "seed=1,2",
        cwd=tmp_path,
    )
    _refused(proc, "hydra.launcher.extra._target_")
    assert not planted.exists() and not (tmp_path / "corpus").exists()


def test_a_logging_handler_class_is_refused(attack, tmp_path):
    planted, payload = attack  # logging.config.dictConfig calls `class` with the handler's other keys
    proc = _generate(
        "+hydra.job_logging.handlers.evil.class=joblib.load",
        f"+hydra.job_logging.handlers.evil.filename={payload}",
        f"output.dir={tmp_path / 'corpus'}",
        cwd=tmp_path,
    )
    _refused(proc, "hydra.job_logging.handlers.evil.class: 'joblib.load' is not allowed in a logging config")
    assert not planted.exists()


def test_a_target_in_one_sweep_job_is_refused(attack, tmp_path):
    planted, payload = attack
    # under engines.*, an open map the key schema lets through, so the allowlist is what stops it
    proc = _generate(
        "-m", f"+engines.extra.filename={payload}", "+engines.extra._target_=augment.room.Room,joblib.load",
        f"output.dir={tmp_path / 'corpus'}", "progress=false", cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2 and "_target_ 'augment.room.Room' is not allowed" not in proc.stderr
    assert "error: engines.extra._target_" in proc.stderr, proc.stderr
    assert not planted.exists()


@pytest.fixture
def composed():
    """compose(overrides) -> the full config, the hydra node included, through Hydra's real loader."""
    GlobalHydra.instance().clear()
    with hydra_composition_guard(), initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        yield lambda *overrides: compose("config", overrides=list(overrides), return_hydra_config=True)
    GlobalHydra.instance().clear()


def test_every_shipped_config_composes_under_the_guard(composed):
    groups = {d.name: sorted(f.stem for f in d.glob("*.yaml")) for d in Path(config_dir()).iterdir() if d.is_dir()}
    assert len(groups["augment"]) >= 5 and len(groups["voices"]) >= 5
    for group, options in groups.items():
        for option in options:
            composed(f"{group}={option}")
    for hydra_option in ("hydra/job_logging=default", "hydra/hydra_logging=default", "hydra/job_logging=disabled"):
        composed(hydra_option)
    cfg = composed("+hydra.callbacks.log._target_=hydra.experimental.callbacks.LogJobReturnCallback")
    assert cfg.hydra.callbacks.log._target_ == "hydra.experimental.callbacks.LogJobReturnCallback"


@pytest.mark.parametrize(
    "override, key",
    [
        (
            "+hydra.callbacks.x={_target_: augment.room.Room, inner: {_target_: os.system}}",
            r"hydra\.callbacks\.x\.inner\._target_",
        ),
        ("+hydra.callbacks.x._target_=${oc.env:HOME}", r"hydra\.callbacks\.x\._target_"),
        ("+hydra.callbacks.x._target_=audiomentations.core.utils.os.system", r"hydra\.callbacks\.x\._target_"),
        (
            "+hydra.callbacks.x._target_=hydra.experimental.callbacks.PickleJobInfoCallback",
            r"hydra\.callbacks\.x\._target_",
        ),
        ("+hydra.sweeper.x._target_=builtins.exec", r"hydra\.sweeper\.x\._target_"),
        ("+hydra.callbacks.x._args_=[1]", r"hydra\.callbacks\.x\._args_"),
        ("+note._target_=builtins.eval", r"note\._target_"),
        ("+hydra.job.env_set.LD_PRELOAD=/tmp/x.so", r"hydra\.job\.env_set\.LD_PRELOAD"),
        ("+hydra.job.env_set.PYTHONPATH=/tmp", r"hydra\.job\.env_set\.PYTHONPATH"),
        (
            "hydra.job_logging.handlers.console.stream=ext://antigravity.x",
            r"hydra\.job_logging\.handlers\.console\.stream",
        ),
    ],
)
def test_hidden_and_nested_callables_are_refused_with_their_key(composed, override, key):
    with pytest.raises(ConfigRefused, match=key):
        composed(override)


def test_plain_dicts_and_interpolated_containers_are_walked():
    with pytest.raises(ConfigRefused, match=r"a\.b\[1\]\._target_"):
        check_config({"a": {"b": [1, {"_target_": "shutil.rmtree", "path": "/"}]}})
    from omegaconf import OmegaConf

    hidden = OmegaConf.create({"hydra": {"callbacks": {"x": "${oc.create:{_target_: joblib.load}}"}}})
    assert hidden.hydra.callbacks.x._target_ == "joblib.load"  # what Hydra would instantiate
    with pytest.raises(ConfigRefused, match=r"hydra\.callbacks\.x\._target_: _target_ 'joblib.load'"):
        check_config(hidden)
    decoded = OmegaConf.create({"extra": '${oc.decode:"{_target_: os.system}"}'})
    with pytest.raises(ConfigRefused, match=r"extra\._target_: _target_ 'os.system'"):
        check_config(decoded)
    with pytest.raises(ConfigRefused, match=r"hydra\.hydra_logging\.formatters\.f\.\(\): 'builtins.eval'"):
        check_config({"hydra": {"hydra_logging": {"formatters": {"f": {"()": "builtins.eval"}}}}})
    check_config({"augment": {"steps": {"gain": {"_target_": "audiomentations.Gain", "p": 1.0}}}})
