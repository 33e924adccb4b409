"""Every command in README.md's ```bash blocks is run as written, on a small prompt file, so an example
that breaks fails CI. What cannot run here (installs, a SLURM or Kubernetes cluster) is listed in
NOT_RUN with the reason; a new example must either run or be added there.

Only what makes an example fit a test is added to its command line: prompts.path (a small file) when it
names none, output.dir under the test's folder when it names none or an absolute one, a private
augmentation cache, progress=false. Placeholder paths (/data/noise, /data/rirs, my_prompts.jsonl,
CORPUS, verdicts-<id>.json) become real files made here."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from synth.config_schema import check_config, override_problems
from tests.conftest import REPO, SMALL_PROMPTS

# Command prefix -> why it is not run by this test.
NOT_RUN = {
    "python3 -m venv .venv": "makes a venv (tests/test_install.py installs into a scratch venv)",
    ". .venv/bin/activate": "shell set-up",
    "pip install .": "an install (tests/test_install.py)",
    "bash scripts/test.sh": "the test run itself (CI runs it)",
    "scripts/install_voices.sh": "installs Debian packages (CI's set-up runs it)",
    "python -c from dask_jobqueue": "needs a SLURM cluster",
    "python generate.py executor=dask executor.address=tcp://": "needs a dask cluster (composed and checked only)",
}


def readme_commands() -> list[str]:
    """Each command of each ```bash block, split at `&&`, comments removed."""
    text = (REPO / "README.md").read_text()
    out = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.splitlines():
            tokens = shlex.split(line, comments=True)
            if tokens and tokens[-1] == "&":
                tokens = tokens[:-1]
            command = []
            for token in [*tokens, "&&"]:
                if token == "&&":
                    if command:
                        out.append(shlex.join(command))
                    command = []
                else:
                    command.append(token)
    return out


def not_run_reason(command: str) -> str | None:
    flat = command.replace("'", "").replace('"', "")
    return next((why for prefix, why in NOT_RUN.items() if flat.startswith(prefix)), None)


COMMANDS = readme_commands()
GENERATE = [c for c in COMMANDS if c.startswith("python generate.py")]
RUNNABLE = [c for c in COMMANDS if not_run_reason(c) is None]


def test_the_readme_has_examples_and_each_is_run_or_excused():
    assert len(GENERATE) >= 12 and len(RUNNABLE) >= 14
    unknown = [
        c for c in RUNNABLE if not c.startswith(("python generate.py", "python -m voices", "speechforge review"))
    ]
    assert unknown == [], "a README command this test does not know how to run: run it here or add it to NOT_RUN"
    excused = {p for c in COMMANDS for p in NOT_RUN if not_run_reason(c) == NOT_RUN[p]}
    assert excused == set(NOT_RUN), "NOT_RUN lists a command the README no longer has"


def _overrides(command: str, folder: Path, n: int) -> list[str]:
    """The command's overrides with placeholders made real, plus what the test adds."""
    args = [_placeholder(a, folder) for a in shlex.split(command)[2:]]
    keys = {a.split("=", 1)[0].lstrip("+~") for a in args}
    added = ["progress=false"]
    if "prompts.path" not in keys:
        added.append(f"prompts.path={_small_prompts(folder)}")
    out_dir = next((a.split("=", 1)[1] for a in args if a.startswith("output.dir=")), None)
    if out_dir is None or os.path.isabs(out_dir):
        added.append(f"output.dir={folder / f'example{n}'}")
    if any(a.startswith("augment=") and a != "augment=none" for a in args) or "augment.steps" in command:
        added.append(f"augment.cache_dir={folder / 'augment-cache'}")
    return args + added


def _small_prompts(folder: Path) -> Path:
    path = folder / "small_prompts.txt"
    path.write_text("\n".join(SMALL_PROMPTS[:4]) + "\n")
    return path


def _placeholder(arg: str, folder: Path) -> str:
    if "/data/noise" in arg:
        noise = folder / "noise"
        noise.mkdir(exist_ok=True)
        sf.write(noise / "room_tone.wav", np.random.default_rng(1).normal(0, 0.05, 32000), 16000)
        return arg.replace("/data/noise", str(noise))
    if "/data/rirs" in arg:
        rirs = folder / "rirs"
        rirs.mkdir(exist_ok=True)
        t = np.arange(4800) / 16000
        rir = np.random.default_rng(2).normal(0, 1, t.size) * np.exp(-t / 0.05) * 0.1
        rir[0] = 1.0  # the direct path
        sf.write(rirs / "office.wav", rir, 16000)
        return arg.replace("/data/rirs", str(rirs))
    if arg == "prompts.path=my_prompts.jsonl":
        path = folder / "my_prompts.jsonl"
        path.write_text("".join(json.dumps({"id": f"p{i}", "text": t}) + "\n" for i, t in enumerate(SMALL_PROMPTS[:4])))
        return f"prompts.path={path}"
    return arg


@pytest.mark.parametrize("command", GENERATE)
def test_each_generate_example_composes_and_passes_the_schema(command, tmp_path, compose_cfg):
    from omegaconf import OmegaConf

    overrides = _overrides(command, tmp_path, 0)
    assert override_problems(overrides) == []
    check_config(OmegaConf.to_container(compose_cfg(*overrides), resolve=True))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for all examples, run in README order (a later one may use what an earlier one made)."""
    return tmp_path_factory.mktemp("readme")


def _corpora(folder: Path) -> list[Path]:
    return sorted((p.parent for p in folder.rglob("manifest.jsonl") if "exports" not in p.parts), key=os.path.getmtime)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900, env=env)


@pytest.mark.slow
@pytest.mark.parametrize("n,command", list(enumerate(RUNNABLE)))
def test_readme_example_runs(n, command, workdir):
    tokens = shlex.split(command)
    if tokens[:2] == ["python", "generate.py"]:
        done = _run([sys.executable, str(REPO / "generate.py"), *_overrides(command, workdir, n)], workdir)
        assert done.returncode == 0, f"{command}\n{done.stderr[-3000:]}"
        summary = re.search(r"^(/\S+): (\d+) utterances", done.stderr + done.stdout, flags=re.M)
        assert summary and int(summary.group(2)) > 0, done.stderr[-2000:]
        assert Path(summary.group(1)).is_absolute() and (Path(summary.group(1)) / "manifest.jsonl").is_file()
    elif tokens[:3] == ["python", "-m", "voices"]:
        done = _run([sys.executable, *tokens[1:]], workdir)
        assert done.returncode == 0 and "accent_name" in done.stdout and "yes" in done.stdout, done.stderr
    else:  # speechforge review sample|score CORPUS ...: on the newest corpus made above
        corpus = _corpora(workdir)[-1]
        args = [str(corpus) if t == "CORPUS" else t for t in tokens[1:]]
        if "score" in args:
            args = [str(_all_ok_verdicts(corpus, workdir)) if t.startswith("verdicts-") else t for t in args]
        done = _run([sys.executable, "-m", "synth.commands", *args], workdir)
        if "score" in args:  # a small corpus cannot be certified at 2 %: the verdict comes first either way
            assert done.returncode in (0, 1), done.stderr
            assert done.stdout.startswith(("CERTIFIED: ", "NOT certified: ")), done.stdout
        else:
            assert done.returncode == 0 and (corpus / "review" / "index.html").is_file(), done.stderr


def _all_ok_verdicts(corpus: Path, folder: Path) -> Path:
    """What the review page saves when every clip was heard and judged OK."""
    data = json.loads((corpus / "review" / "sample.json").read_text())
    items = data["items"]
    doc = {
        "format": "speechforge-review-verdicts/1",
        "sample": {**data["sample"], "items": [{k: it[k] for k in ("id", "counted", "sha256")} for it in items]},
        "verdicts": {it["id"]: {"verdict": "ok", "comment": ""} for it in items},
    }
    path = folder / f"verdicts-{data['sample']['id']}.json"
    path.write_text(json.dumps(doc))
    return path
