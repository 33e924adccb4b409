"""Prompt files and folders from the wild: a clear message or a per-item rejection, never a
traceback, never obeyed markup, never a write outside output.dir."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import check_corpus, corpus_fingerprint, read_manifest, run_cli

SPOKEN = re.compile(r"^[a-zà-öø-ÿ' ]+$")


def rejects_of(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "rejects.jsonl").read_text().splitlines()]


def assert_clean_exit(result):
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr


def test_binary_file(tmp_path):
    prompts = tmp_path / "blob.txt"
    prompts.write_bytes(bytes(range(256)) * 40 + b"\nGood morning.\n")
    result = run_cli([f"prompts.path={prompts}", "voices.per_prompt=1", "output.dir=out"], cwd=tmp_path)
    assert_clean_exit(result)
    assert [r["transcript"] for r in check_corpus(tmp_path / "out")] == ["good morning"]
    assert rejects_of(tmp_path / "out") and all(r["reason"] for r in rejects_of(tmp_path / "out"))


def test_non_utf8_file(tmp_path):
    prompts = tmp_path / "latin1.txt"
    prompts.write_bytes("Caf\u00e9 au lait, s'il vous pla\u00eet.\nPlain words.\n".encode("latin-1"))
    result = run_cli([f"prompts.path={prompts}", "voices.per_prompt=1", "output.dir=out"], cwd=tmp_path)
    assert_clean_exit(result)
    assert len(read_manifest(tmp_path / "out")) == 1
    [reject] = rejects_of(tmp_path / "out")
    assert "undecodable" in reject["reason"] and reject["line"] == 1


def test_ten_megabyte_line(tmp_path):
    prompts = tmp_path / "huge.txt"
    with open(prompts, "w") as handle:
        handle.write("word " * 2_000_000 + "\nShort one.\n")
    result = run_cli([f"prompts.path={prompts}", "voices.per_prompt=1", "output.dir=out"], cwd=tmp_path)
    assert_clean_exit(result)
    assert len(read_manifest(tmp_path / "out")) == 1
    assert "over-long" in rejects_of(tmp_path / "out")[0]["reason"]


HOSTILE_TEXTS = {
    "control": "Turn\x07 on\x1b the\x00 lights\x08.",
    "ssml": '<speak><prosody rate="x-slow">hello there</prosody></speak>',
    "phonemes": "[[h@l'oU]] world",
    "embedded_command": "say \x0110S hello",
    "emoji": "I love \U0001f355 pizza",
    "rtl": "\u0645\u0631\u062d\u0628\u0627 hello",
    "bidi_override": "hello \u202eworld\u202c",
}


def test_markup_and_odd_characters_are_spoken_literally_or_rejected(tmp_path):
    prompts = tmp_path / "hostile.jsonl"
    prompts.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in HOSTILE_TEXTS.items()))
    result = run_cli([f"prompts.path={prompts}", "voices.per_prompt=1", "output.dir=out"], cwd=tmp_path)
    assert_clean_exit(result)
    rows = {r["prompt"]["id"]: r for r in check_corpus(tmp_path / "out")}
    rejected = {r["id"]: r["reason"] for r in rejects_of(tmp_path / "out")}
    assert set(rows) | set(rejected) == set(HOSTILE_TEXTS) and not set(rows) & set(rejected)
    for key, row in rows.items():
        assert SPOKEN.match(row["transcript"]), (key, row["transcript"])
        # not obeyed: a "x-slow" prosody or a phoneme string would change the speaking rate
        assert 1.0 < row["qc"]["words_per_second"] < 6.0, (key, row["qc"])
    # Neither obeyed nor read out as "less than speak greater than" (issue 18): refused, the tag named.
    assert "markup tag '<speak>'" in rejected["ssml"]
    assert "U+1F355" in rejected["emoji"] and "U+0645" in rejected["rtl"]


def test_ids_cannot_escape_the_output_folder(tmp_path):
    prompts = tmp_path / "ids.jsonl"
    evil = ["../../escape", "a/b", "/etc/passwd", "..", "x\\y", "ok-id"]
    prompts.write_text("".join(json.dumps({"id": i, "text": f"Prompt number {n}."}) + "\n" for n, i in enumerate(evil)))
    before = set(tmp_path.parent.iterdir()), set(tmp_path.iterdir())
    result = run_cli([f"prompts.path={prompts}", "voices.per_prompt=1", "output.dir=out"], cwd=tmp_path)
    assert_clean_exit(result)
    assert [r["prompt"]["id"] for r in read_manifest(tmp_path / "out")] == ["ok-id"]
    assert all("bad id" in r["reason"] for r in rejects_of(tmp_path / "out"))
    assert set(tmp_path.parent.iterdir()) == before[0] and set(tmp_path.iterdir()) == before[1] | {tmp_path / "out"}
    for path in (tmp_path / "out").rglob("*"):
        assert path.resolve().is_relative_to((tmp_path / "out").resolve())


def _mount_tmpfs(path: Path, options: str) -> None:
    path.mkdir(exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); CI runs as root and can")


@pytest.fixture
def tmpfs(tmp_path):
    mounted = []

    def mount(name, options):
        path = tmp_path / name
        _mount_tmpfs(path, options)
        mounted.append(path)
        return path

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI has it)")
def test_disk_full_keeps_finished_work_and_resumes(tmp_path, tmpfs):
    reference = tmp_path / "reference"
    assert_clean_exit(run_cli(["voices.per_prompt=1", f"output.dir={reference}"], cwd=tmp_path))
    disk = tmpfs("small", "size=600k")
    result = run_cli(["voices.per_prompt=1", f"output.dir={disk / 'corpus'}"], cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "cannot write to" in result.stderr and "run the same command again to resume" in result.stderr
    assert "Traceback" not in result.stderr
    partial = check_corpus(disk / "corpus")  # every row written so far is whole and matches its audio
    assert 0 < len(partial) < len(read_manifest(reference))
    subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
    assert_clean_exit(run_cli(["voices.per_prompt=1", f"output.dir={disk / 'corpus'}"], cwd=tmp_path))
    assert corpus_fingerprint(disk / "corpus") == corpus_fingerprint(reference)


@pytest.mark.skipif(os.geteuid() != 0, reason="a read-only mount needs root (CI has it)")
def test_read_only_output_folder(tmp_path, tmpfs):
    read_only = tmpfs("ro", "ro,size=1m")
    result = run_cli(["voices.per_prompt=1", f"output.dir={read_only / 'corpus'}"], cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot write to output.dir" in result.stderr and "Read-only file system" in result.stderr
    assert "Traceback" not in result.stderr


def test_target_outside_the_allowlist_is_refused(tmp_path, small_prompts):
    marker = tmp_path / "pwned"
    evil = f"+augment.steps.evil={{_target_: os.system, command: 'touch {marker}'}}"
    result = run_cli([f"prompts.path={small_prompts}", evil, "output.dir=out"], cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "os.system" in result.stderr and "allow" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert not marker.exists() and not (tmp_path / "out").exists()
