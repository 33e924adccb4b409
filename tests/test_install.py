"""A non-editable `pip install .` works from another directory: console script and generate.py."""

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO, check_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A scratch venv holding only our wheel; dependencies come from the test environment's site-packages."""
    root = tmp_path_factory.mktemp("install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", str(REPO)],
        check=True,
        cwd=root,
    )
    return venv


def test_installed_package_is_self_contained(installed, tmp_path):
    where = subprocess.run(
        [installed / "bin" / "python", "-c", "import synth, voices; print(synth.__file__, voices.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout
    assert str(REPO) not in where and "site-packages" in where


@pytest.mark.parametrize("how", ["console_script", "generate_py"])
def test_runs_from_another_directory(installed, tmp_path, small_prompts, how):
    command = (
        [str(installed / "bin" / "speechforge-generate")]
        if how == "console_script"
        else [str(installed / "bin" / "python"), str(REPO / "generate.py")]
    )
    result = subprocess.run(
        command + ["progress=false", f"prompts.path={small_prompts}", "output.dir=out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = check_corpus(tmp_path / "out")
    assert len(rows) == 16


def test_every_module_is_installed(installed, tmp_path):
    """pyproject lists packages explicitly (conf/ is mapped into synth.conf); a forgotten one fails here."""
    modules = sorted(
        ".".join(p.relative_to(REPO).with_suffix("").parts)
        for top in ("synth", "voices", "augment", "seams")
        for p in (REPO / top).rglob("*.py")
        if p.name != "__main__.py" and "zygote" not in p.name
    )
    script = (
        "import importlib.util, sys\n"
        "missing = [m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]\n"
        "print(missing)"
    )
    out = subprocess.run(
        [installed / "bin" / "python", "-c", script, *modules], capture_output=True, text=True, cwd=tmp_path, check=True
    ).stdout
    assert out.strip() == "[]", out
