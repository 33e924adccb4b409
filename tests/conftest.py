import json
import os
import sys
from pathlib import Path

import pytest
import soundfile as sf
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from synth.audio_io import sha256_file
from synth.cli import config_dir

REPO = Path(__file__).resolve().parent.parent
CONTRACT_FIELDS = {
    "id",
    "audio_filepath",
    "duration",
    "sample_rate",
    "text",
    "transcript",
    "language",
    "speaker",
    "prosody",
    "words",
    "augment",
    "seed",
    "sha256",
    "split",
    "qc",
    "prompt",
}
SPEAKER_FIELDS = {"id", "engine", "voice", "accent", "gender", "locale", "license"}

SMALL_PROMPTS = [
    "Set a timer for 15 minutes.",
    "What's the weather like in Edinburgh tomorrow?",
    "Call Dr. Patel at 555-0123.",
    "My flight leaves at 7:30 p.m. on March 5, 2024.",
    "Transfer $3.50 to Maria.",
    "Turn the volume down to 40%.",
    "The FBI opened an office on 221 Baker Street.",
    "Remind me to buy eggs, milk and bread.",
]


@pytest.fixture(scope="module")
def engine():
    """One real eSpeak NG engine per test module."""
    from synth.engines import create_engine

    eng = create_engine("espeak")
    yield eng
    eng.close()


@pytest.fixture
def compose_cfg():
    """Compose the real Hydra config with overrides, as the command line would."""

    def _compose(*overrides):
        GlobalHydra.instance().clear()
        with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
            return compose(config_name="config", overrides=["progress=false", *overrides])

    yield _compose
    GlobalHydra.instance().clear()


@pytest.fixture
def small_prompts(tmp_path):
    path = tmp_path / "prompts.txt"
    path.write_text("\n".join(SMALL_PROMPTS) + "\n")
    return path


def read_manifest(root: Path) -> list[dict]:
    # split on "\n" only: splitlines() also splits inside a text holding U+2028 (JSONL keeps it raw)
    return [json.loads(line) for line in (root / "manifest.jsonl").read_text(encoding="utf-8").split("\n") if line]


def corpus_fingerprint(root: Path) -> list[tuple[str, str]]:
    """(id, sha256 of the audio file on disk) in manifest order."""
    return [(r["id"], sha256_file(root / r["audio_filepath"])) for r in read_manifest(root)]


def check_corpus(root: Path) -> list[dict]:
    """Every row meets the contract and matches its audio file; returns the rows."""
    rows = read_manifest(root)
    assert rows, "empty manifest"
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert CONTRACT_FIELDS <= set(r), CONTRACT_FIELDS - set(r)
        assert SPEAKER_FIELDS <= set(r["speaker"])
        assert set(r["prosody"]) == {"rate", "pitch", "volume"}
        path = root / r["audio_filepath"]
        info = sf.info(path)
        assert info.samplerate == r["sample_rate"] and info.channels == 1 and info.subtype == "PCM_16"
        assert abs(info.frames / info.samplerate - r["duration"]) < 1e-3
        assert sha256_file(path) == r["sha256"]
        if r["words"] is not None:
            assert [w["word"] for w in r["words"]] == r["transcript"].split()
            for w in r["words"]:
                assert 0 <= w["start"] < w["end"] <= r["duration"] + 1e-9
            starts = [w["start"] for w in r["words"]]
            assert starts == sorted(starts)
    return rows


def run_cli(args, cwd, timeout=300, **kwargs):
    import subprocess

    return subprocess.run(
        [sys.executable, str(REPO / "generate.py"), *args, "progress=false"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI every test must run: CI installs every engine, the MBROLA voices and Chromium, so a
    skip there means a missing install step, and it fails instead of hiding."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {report.longrepr}"


def engine_fixture(name: str, **options):
    """A module-scoped fixture holding one real engine `name`, closed after the module's tests."""
    from synth.engines import create_engine

    @pytest.fixture(scope="module")
    def engine():
        eng = create_engine(name, **options)
        yield eng
        eng.close()

    return engine


def unless_installed(engine: str, catalog: str, what: str):
    """A skip mark for a test module whose catalog's voices are not all renderable here (CI: a failure)."""
    from synth.engines.base import voice_available
    from voices.catalog import load_catalog

    missing = sorted(
        {why for v in load_catalog(catalog) for ok, why in [voice_available(engine, v.engine_voice)] if not ok}
    )
    return pytest.mark.skipif(bool(missing), reason=f"{what} not installed ({'; '.join(missing)[:300]})")


def fresh_process_digest(engine: str, text: str, voice: str, seed: int, **prosody) -> str:
    """sha256 of the samples the same request gives in a new Python process (nothing rendered before)."""
    import subprocess

    code = (
        "import hashlib; from synth.engines.base import create_engine, Prosody; "
        f"s = create_engine({engine!r}).synthesize({text!r}, {voice!r}, Prosody(**{prosody!r}), seed={seed}); "
        "print(hashlib.sha256(s.audio.tobytes()).hexdigest())"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.strip()


@pytest.fixture
def probe_step():
    """The `probe` step type (tests/augment_probe.py), registered for one test."""
    from augment.step import STEPS

    STEPS.register("probe", "tests.augment_probe:BuildProbe")
    yield
    STEPS.unregister("probe")


ALIGN_TEXTS = [
    ("Set a timer for fifteen minutes.", "set a timer for fifteen minutes"),
    ("Add eggs, butter and two lemons to my shopping list.", "add eggs butter and two lemons to my shopping list"),
    ("Wake me up at six forty five tomorrow.", "wake me up at six forty five tomorrow"),
]


def word_start_errors(engine, voices) -> list[float]:
    """|labelled word start - forced aligner's| in seconds over ALIGN_TEXTS, one voice per text (cycled)."""
    from itertools import cycle

    from synth.align import align
    from synth.engines.base import Prosody
    from synth.word_times import word_times

    errors = []
    for voice, (spoken, transcript) in zip(cycle(voices), ALIGN_TEXTS):
        out = engine.synthesize(spoken, voice, Prosody(), seed=1)
        labelled = word_times(spoken, transcript.split(), out.word_events, out.boundaries, out.audio, out.sample_rate)
        heard = align(out.audio, out.sample_rate, transcript).words
        assert heard is not None and [w["word"] for w in heard] == transcript.split()
        errors += [abs(a["start"] - b["start"]) for a, b in zip(labelled, heard)]
    return errors
