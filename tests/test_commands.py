"""The `speechforge` dispatcher."""

import subprocess
import sys


def speechforge(*args):
    return subprocess.run([sys.executable, "-m", "synth.commands", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_commands():
    out = speechforge("--help")
    assert out.returncode == 0 and "speechforge merge OUTPUT_DIR" in out.stdout


def test_unknown_command_names_the_valid_ones():
    out = speechforge("frobnicate")
    assert out.returncode == 2 and "unknown command 'frobnicate'; known: voices," in out.stderr
    assert "generate" in out.stderr
    out = speechforge("audti")
    assert out.returncode == 2 and "did you mean 'audit'?" in out.stderr


def test_voices_command_filters():
    out = speechforge("voices", "espeak_en", "--accent", "en-gb-scotland", "--gender", "female")
    assert out.returncode == 0, out.stderr
    rows = [line for line in out.stdout.splitlines() if line.startswith("espeak-")]
    assert len(rows) == 3 and all("en-gb-scotland" in r and "female" in r for r in rows)


def test_generate_through_the_dispatcher(tmp_path, small_prompts):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "synth.commands",
            "generate",
            f"prompts.path={small_prompts}",
            "voices.per_prompt=1",
            "output.dir=out",
            "progress=false",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert len((tmp_path / "out" / "manifest.jsonl").read_text().splitlines()) == 8
