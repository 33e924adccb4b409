"""Resume keeps only what it checked, and verify notices what resume would redo (issue 14, items 2, 3, 8, 9, 12).

Every test runs generate.py in real processes on real files, damages the corpus the way a user or a
crash would, runs it again, and compares with an uninterrupted run byte for byte."""

import json
import shutil

import pytest
import yaml

from synth.verify import verify_corpus
from tests.conftest import SMALL_PROMPTS, corpus_fingerprint, run_cli

VOICE = "espeak-en-us-f1"  # voices.per_prompt=1 over the espeak_en catalog: any id ending in it clashes


@pytest.fixture(scope="module")
def prompts_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("p") / "prompts.jsonl"
    rows = [{"id": f"p{i}", "text": t} for i, t in enumerate(SMALL_PROMPTS)]
    rows.append({"id": f"p0-{VOICE}", "text": "A prompt whose id reads like an item id."})
    rows.append({"id": "p9", "text": SMALL_PROMPTS[0]})  # a duplicate: rejected at read time
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _args(prompts_file, out, *extra):
    return [f"prompts.path={prompts_file}", f"output.dir={out}", "voices.per_prompt=1", *extra]


@pytest.fixture(scope="module")
def reference(prompts_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "corpus"
    result = run_cli(_args(prompts_file, out), cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def copy(reference, tmp_path):
    return shutil.copytree(reference, tmp_path / "corpus")


def _rows(root):
    return [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]


def _write_rows(root, rows):
    (root / "manifest.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def _same(out, reference):
    assert (out / "manifest.jsonl").read_bytes() == (reference / "manifest.jsonl").read_bytes()
    assert (out / "rejects.jsonl").read_bytes() == (reference / "rejects.jsonl").read_bytes()
    assert corpus_fingerprint(out) == corpus_fingerprint(reference)


def test_clashing_prompt_id_is_rejected_and_namespaces_stay_apart(reference, prompts_file):
    rejects = [json.loads(line) for line in (reference / "rejects.jsonl").read_text().splitlines()]
    clash = next(r for r in rejects if r["id"] == f"p0-{VOICE}")
    assert clash["stage"] == "prompt" and clash["cause"] == "item" and f"ends with '-{VOICE}'" in clash["reason"]
    assert any(r["id"] == "p9" and "duplicate of line 1" in r["reason"] for r in rejects)
    assert len(_rows(reference)) == len(SMALL_PROMPTS)
    assert verify_corpus(reference) == []


def test_item_whose_id_a_prompt_rejection_carries_is_rendered_on_resume(reference, prompts_file, copy):
    """The issue's probe: a rejection row with id 'x-<voice id>' must not mark item 'x-<voice id>' done."""
    rows = _rows(copy)
    victim = rows[2]
    rejects = copy / "rejects.jsonl"
    fake = {"id": victim["id"], "stage": "prompt", "reason": "duplicate of line 1 (same text)", "cause": "item"}
    rejects.write_text(rejects.read_text() + json.dumps(fake) + "\n")
    _write_rows(copy, rows[:2] + rows[3:])
    (copy / victim["audio_filepath"]).unlink()
    assert any(victim["id"] in p and "neither in the manifest" in p for p in verify_corpus(copy))
    result = run_cli(_args(prompts_file, copy), cwd=copy.parent)
    assert result.returncode == 0, result.stderr
    _same(copy, reference)


def test_edited_labels_and_duplicated_lines_are_redone(reference, prompts_file, copy):
    rows = _rows(copy)
    rows[0]["text"] = "Set a timer for 50 minutes."  # a label the plan decides
    rows[1]["transcript"] = "edited words"  # a consistent edit of transcript and words
    rows[1]["words"] = [{"word": "edited", "start": 0.0, "end": 0.3}, {"word": "words", "start": 0.3, "end": 0.6}]
    rows[3]["words"][0]["end"] += 0.05  # a label only the render knows
    rows.insert(5, rows[5])  # a duplicated line
    _write_rows(copy, rows)
    problems = "\n".join(verify_corpus(copy))
    assert "text: 'Set a timer for 50 minutes.' != planned 'Set a timer for 15 minutes.'" in problems
    assert f"({rows[1]['id']}): transcript: 'edited words' != planned" in problems
    assert f"({rows[3]['id']}): row edited after it was written" in problems
    assert "duplicate id" in problems
    result = run_cli(_args(prompts_file, copy), cwd=copy.parent)
    assert result.returncode == 0, result.stderr
    assert "3 items to redo" in result.stdout + result.stderr and "1 duplicate rows" in result.stdout + result.stderr
    _same(copy, reference)
    assert verify_corpus(copy) == []


def test_corrupt_middle_line_is_reported_right_and_rest_kept(reference, prompts_file, copy):
    lines = (copy / "manifest.jsonl").read_text().splitlines(keepends=True)
    lines[3] = '{"id": "p3-' + "\x00garbage\n"
    (copy / "manifest.jsonl").write_text("".join(lines))
    result = run_cli(_args(prompts_file, copy), cwd=copy.parent)
    assert result.returncode == 0, result.stderr
    log = result.stdout + result.stderr
    assert f"{len(lines) - 1} finished rows kept; 1 items to redo (1 missing before finished items" in log, log
    assert "1 unreadable manifest lines" in log
    _same(copy, reference)


def test_machine_caused_rejections_are_retried(reference, prompts_file, tmp_path):
    """A render that timed out (a loaded machine, a killed helper) says cause 'machine'; resume renders it."""
    out = tmp_path / "corpus"
    result = run_cli(_args(prompts_file, out, "engine.timeout_s=0.0001", "engine.retries=0"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    timed_out = [r for r in rejects if r["stage"] == "render"]
    assert len(timed_out) == len(SMALL_PROMPTS) and all(r["cause"] == "machine" for r in timed_out), timed_out
    assert all("timed out" in r["reason"] for r in timed_out)
    assert sum("rejected for a machine reason" in p for p in verify_corpus(out)) == len(SMALL_PROMPTS)
    result = run_cli(_args(prompts_file, out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(SMALL_PROMPTS)} rejected for a machine reason (retried)" in result.stdout + result.stderr
    _same(out, reference)


def test_resume_on_other_versions_stops_unless_told_to_continue(reference, prompts_file, copy):
    config = yaml.safe_load((copy / "config.yaml").read_text())
    built_with = config["versions"]["libraries"]["soundfile"]
    config["versions"]["libraries"]["soundfile"] = "0.12.1"  # as if made before `pip install soundfile==...`
    (copy / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    result = run_cli(_args(prompts_file, copy), cwd=copy.parent)
    assert result.returncode != 0
    assert f"soundfile: 0.12.1 -> {built_with}" in result.stderr and "output.if_build_differs=continue" in result.stderr
    assert (copy / "manifest.jsonl").read_bytes() == (reference / "manifest.jsonl").read_bytes()  # untouched
    result = run_cli(_args(prompts_file, copy, "output.if_build_differs=continue"), cwd=copy.parent)
    assert result.returncode == 0, result.stderr
    summary = json.loads((copy / "summary.json").read_text())
    (build,) = summary["by_build"]
    assert summary["builds"][build]["versions"]["soundfile"] == built_with
    assert all(r["build"] == build for r in _rows(copy))
