"""End to end through the real Hydra config, the real engine and real files."""

import json

import pytest
import soundfile as sf
import yaml

from synth.corpus import CorpusError
from synth.run import ConfigError, generate
from tests.conftest import check_corpus, corpus_fingerprint, read_manifest, run_cli


def test_builtin_prompts_make_a_valid_corpus(compose_cfg, tmp_path):
    out = tmp_path / "corpus"
    summary = generate(compose_cfg(f"output.dir={out}"))
    rows = check_corpus(out)
    assert summary["utterances"] == len(rows) >= 500  # ~300 prompts x 2 voices
    assert len({r["speaker"]["accent"] for r in rows}) == 8
    assert {r["speaker"]["gender"] for r in rows} == {"female", "male"}
    assert {r["split"] for r in rows} == {"train", "dev", "test"}
    assert all(r["text"] and r["transcript"] and not any(c.isdigit() for c in r["transcript"]) for r in rows)
    assert json.loads((out / "summary.json").read_text())["utterances"] == len(rows)
    stored = yaml.safe_load((out / "config.yaml").read_text())
    assert stored["seed"] == 1234 and stored["voices"]["per_prompt"] == 2
    # one prompt, two distinct voices, both saying the same transcript
    by_prompt = {}
    for r in rows:
        by_prompt.setdefault(r["prompt"]["id"], []).append(r)
    assert all(len({r["speaker"]["id"] for r in group}) == len(group) for group in by_prompt.values())


def test_same_bytes_for_one_and_two_workers(compose_cfg, tmp_path, small_prompts):
    common = [f"prompts.path={small_prompts}", "voices.per_prompt=3"]
    generate(compose_cfg(*common, "n_jobs=1", f"output.dir={tmp_path / 'one'}"))
    generate(compose_cfg(*common, "n_jobs=2", f"output.dir={tmp_path / 'two'}"))
    generate(compose_cfg(*common, "executor=serial", f"output.dir={tmp_path / 'serial'}"))
    one = (tmp_path / "one" / "manifest.jsonl").read_bytes()
    assert (
        one
        == (tmp_path / "two" / "manifest.jsonl").read_bytes()
        == (tmp_path / "serial" / "manifest.jsonl").read_bytes()
    )
    assert corpus_fingerprint(tmp_path / "one") == corpus_fingerprint(tmp_path / "two")
    assert len(read_manifest(tmp_path / "one")) == 24


def test_seed_changes_voices_and_prosody(compose_cfg, tmp_path, small_prompts):
    generate(compose_cfg(f"prompts.path={small_prompts}", f"output.dir={tmp_path / 'a'}"))
    generate(compose_cfg(f"prompts.path={small_prompts}", "seed=99", f"output.dir={tmp_path / 'b'}"))
    a, b = read_manifest(tmp_path / "a"), read_manifest(tmp_path / "b")
    assert [r["speaker"]["id"] for r in a] != [r["speaker"]["id"] for r in b]


def test_jsonl_and_csv_prompts_keep_their_fields(compose_cfg, tmp_path):
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(
        json.dumps({"id": "turn_on", "text": "Turn on the lamp.", "intent": "lights_on", "slots": {"device": "lamp"}})
        + "\n"
        + "\n"
        + json.dumps({"id": "bad/id", "text": "Hello."})
        + "\n"
        + "{not json\n"
        + json.dumps({"id": "dup", "text": "turn on the lamp."})
        + "\n"
    )
    generate(compose_cfg(f"prompts.path={jsonl}", "voices.per_prompt=1", f"output.dir={tmp_path / 'j'}"))
    rows = check_corpus(tmp_path / "j")
    assert [r["prompt"] for r in rows] == [{"id": "turn_on", "intent": "lights_on", "slots": {"device": "lamp"}}]
    rejects = [json.loads(line) for line in (tmp_path / "j" / "rejects.jsonl").read_text().splitlines()]
    reasons = " | ".join(r["reason"] for r in rejects)
    assert len(rejects) == 4
    for needle in ("blank", "bad id", "JSON", "duplicate"):
        assert needle in reasons

    csv = tmp_path / "p.csv"
    csv.write_text('id,text,intent\nq1,"Is it raining in Cardiff, today?",weather\nq2,,weather\n')
    generate(compose_cfg(f"prompts.path={csv}", "voices.per_prompt=2", f"output.dir={tmp_path / 'c'}"))
    rows = check_corpus(tmp_path / "c")
    assert len(rows) == 2 and rows[0]["prompt"] == {"id": "q1", "intent": "weather"}
    assert rows[0]["transcript"] == "is it raining in cardiff today"
    assert len((tmp_path / "c" / "rejects.jsonl").read_text().splitlines()) == 1


def test_unspeakable_prompt_is_rejected_not_fatal(compose_cfg, tmp_path):
    prompts = tmp_path / "p.txt"
    prompts.write_text("Good morning.\n\u4f60\u597d\u4e16\u754c\n\n" + "word " * 200 + "\n")
    generate(compose_cfg(f"prompts.path={prompts}", "voices.per_prompt=1", f"output.dir={tmp_path / 'o'}"))
    assert len(check_corpus(tmp_path / "o")) == 1
    rejects = [json.loads(line) for line in (tmp_path / "o" / "rejects.jsonl").read_text().splitlines()]
    assert [r["stage"] for r in rejects] == ["normalize", "prompt", "prompt"]
    assert "U+4F60" in rejects[0]["reason"] and "blank" in rejects[1]["reason"] and "over-long" in rejects[2]["reason"]


def test_wav_at_22050(compose_cfg, tmp_path, small_prompts):
    generate(
        compose_cfg(
            f"prompts.path={small_prompts}",
            "output.audio_format=wav",
            "output.sample_rate=22050",
            "voices.per_prompt=1",
            f"output.dir={tmp_path / 'w'}",
        )
    )
    rows = check_corpus(tmp_path / "w")
    assert all(
        r["audio_filepath"].endswith(".wav") and sf.info(tmp_path / "w" / r["audio_filepath"]).format == "WAV"
        for r in rows
    )


def test_resume_skips_finished_and_refuses_other_config(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "c"
    args = [f"prompts.path={small_prompts}", f"output.dir={out}"]
    generate(compose_cfg(*args))
    before = corpus_fingerprint(out)
    mtimes = {p: p.stat().st_mtime_ns for p in (out / "audio").rglob("*.flac")}
    summary = generate(compose_cfg(*args, "n_jobs=1"))  # execution settings may change
    assert summary["throughput"]["utterances_this_run"] == 0
    assert corpus_fingerprint(out) == before
    assert mtimes == {p: p.stat().st_mtime_ns for p in (out / "audio").rglob("*.flac")}
    with pytest.raises(CorpusError, match=r"different config:\n  seed: 1234 -> 5"):
        generate(compose_cfg(*args, "seed=5"))
    generate(compose_cfg(*args, "seed=5", "output.if_exists=overwrite"))
    assert corpus_fingerprint(out) != before
    with pytest.raises(CorpusError, match="already holds a corpus"):
        generate(compose_cfg(*args, "seed=5", "output.if_exists=error"))


def test_resume_rerenders_deleted_and_damaged_audio(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "c"
    args = [f"prompts.path={small_prompts}", f"output.dir={out}"]
    generate(compose_cfg(*args))
    before = (out / "manifest.jsonl").read_bytes()
    rows = read_manifest(out)
    (out / rows[2]["audio_filepath"]).unlink()
    damaged = out / rows[5]["audio_filepath"]
    damaged.write_bytes(damaged.read_bytes()[:500])
    with open(out / "manifest.jsonl", "ab") as handle:  # a torn line, as a kill mid-write leaves
        handle.write(b'{"id": "torn')
    summary = generate(compose_cfg(*args))
    assert summary["throughput"]["utterances_this_run"] == 2
    assert (out / "manifest.jsonl").read_bytes() == before
    check_corpus(out)


@pytest.mark.parametrize(
    "override, message",
    [
        ("voices.accents=[en-xx]", "unknown accent 'en-xx'; known: en-029, en-gb"),
        ("voices.genders=[robot]", "unknown gender 'robot'"),
        ("voices.per_prompt=0", "voices per prompt"),
        ("output.audio_format=mp3", "output.audio_format must be one of flac, wav; got 'mp3'"),
        ("output.sample_rate=100", "output.sample_rate must be between"),
        ("executor=serial n_jobs=0", "n_jobs must be a positive"),
        ("split.dev=0.6 split.test=0.5", "split.dev and split.test"),
        ("voices.prosody.rate=[1.2,0.8]", "voices.prosody.rate must be [min, max]"),
        ("shard.index=3 shard.count=2", "shard.index must be in"),
    ],
)
def test_bad_config_names_the_key(compose_cfg, tmp_path, override, message):
    with pytest.raises(ConfigError) as info:
        generate(compose_cfg(*override.split(), f"output.dir={tmp_path / 'x'}"))
    assert message in str(info.value)
    assert not (tmp_path / "x").exists()


def test_cli_reports_bad_input_without_traceback(tmp_path):
    result = run_cli(["voices.accents=[en-xx]", f"output.dir={tmp_path / 'x'}"], cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown accent 'en-xx'" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    result = run_cli([f"prompts.path={tmp_path / 'missing.txt'}", f"output.dir={tmp_path / 'y'}"], cwd=tmp_path)
    assert result.returncode == 2 and "missing.txt" in result.stderr and "Traceback" not in result.stderr


def test_not_a_corpus_folder_is_refused(compose_cfg, tmp_path, small_prompts):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("precious")
    with pytest.raises(CorpusError, match="not empty and holds no corpus"):
        generate(compose_cfg(f"prompts.path={small_prompts}", f"output.dir={tmp_path / 'busy'}"))


def test_hung_renders_are_retried_then_rejected(compose_cfg, tmp_path, small_prompts):
    generate(
        compose_cfg(
            f"prompts.path={small_prompts}",
            "voices.per_prompt=1",
            "engine.timeout_s=0.0001",
            "engine.retries=1",
            f"output.dir={tmp_path / 'o'}",
        )
    )
    rejects = [json.loads(line) for line in (tmp_path / "o" / "rejects.jsonl").read_text().splitlines()]
    assert len(rejects) == 8 and all(
        r["stage"] == "render" and r["reason"].startswith("failed 2 times: ") and "timed out" in r["reason"]
        for r in rejects
    )
    assert (tmp_path / "o" / "manifest.jsonl").read_text() == ""
