"""Sharded runs merged, and Hydra multirun sweeps: the same corpus as one machine, own folders."""

import json
import shutil

from synth.merge import merge
from synth.run import generate
from tests.conftest import check_corpus, corpus_fingerprint, read_manifest, run_cli


def test_three_shards_merge_into_the_single_machine_corpus(compose_cfg, tmp_path, small_prompts):
    prompts = tmp_path / "p.txt"
    prompts.write_text(small_prompts.read_text() + "\n\u4f60\u597d\n")  # a blank line and a rejection too
    common = [f"prompts.path={prompts}", "voices.per_prompt=3"]
    generate(compose_cfg(*common, f"output.dir={tmp_path / 'single'}"))
    for index in (2, 0, 1):
        generate(compose_cfg(*common, f"shard.index={index}", "shard.count=3", f"output.dir={tmp_path / 'sharded'}"))
    shard_rows = [len(read_manifest(tmp_path / "sharded" / f"shard-00{i}-of-003")) for i in range(3)]
    assert sum(shard_rows) == 24 and all(n == 8 for n in shard_rows)
    summary = merge(tmp_path / "sharded")
    check_corpus(tmp_path / "sharded")
    assert summary["utterances"] == 24
    for name in ("manifest.jsonl", "rejects.jsonl"):
        assert (tmp_path / "sharded" / name).read_bytes() == (tmp_path / "single" / name).read_bytes(), name
    assert corpus_fingerprint(tmp_path / "sharded") == corpus_fingerprint(tmp_path / "single")
    merge(tmp_path / "sharded")  # merging again gives the same corpus
    assert corpus_fingerprint(tmp_path / "sharded") == corpus_fingerprint(tmp_path / "single")


def test_merge_reads_the_plan_without_building_augmentation(compose_cfg, tmp_path, small_prompts):
    """A merge renders nothing: with the augment cache gone (shards made on other machines), it
    builds no RIR bank and no chain, and still joins the augmented rows."""
    cache = tmp_path / "cache"
    common = [
        f"prompts.path={small_prompts}",
        "voices.per_prompt=1",
        "augment=car",
        f"augment.cache_dir={cache}",
        "augment.steps.room.bank_size=4",
        "shard.count=2",
        f"output.dir={tmp_path / 'sharded'}",
    ]
    for index in (0, 1):
        generate(compose_cfg(*common, f"shard.index={index}"))
    shutil.rmtree(cache)
    summary = merge(tmp_path / "sharded")
    rows = check_corpus(tmp_path / "sharded")
    assert summary["utterances"] == len(rows) == 8 and all(r["augment"] for r in rows)
    assert not cache.exists()


def test_merge_refuses_missing_shards(compose_cfg, tmp_path, small_prompts):
    generate(compose_cfg(f"prompts.path={small_prompts}", "shard.index=0", "shard.count=2", f"output.dir={tmp_path}"))
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "synth.merge", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 2 and "shards [1] of 2 are missing" in out.stderr


def test_multirun_sweep_gets_a_folder_per_point(tmp_path, small_prompts):
    result = run_cli(
        ["-m", f"prompts.path={small_prompts}", "voices.per_prompt=1", "seed=1,2", "output.dir=sweep"], cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folders = sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.name != "logs")
    assert folders == ["seed=1,voices.per_prompt=1", "seed=2,voices.per_prompt=1"]
    a, b = (read_manifest(tmp_path / "sweep" / f) for f in folders)
    assert [r["seed"] for r in a] != [r["seed"] for r in b]


def test_multirun_shards_then_merge(tmp_path, small_prompts):
    result = run_cli(
        ["-m", f"prompts.path={small_prompts}", "shard.count=2", "shard.index=0,1", "output.dir=big"], cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.name for p in (tmp_path / "big").iterdir() if p.name.startswith("shard")) == [
        "shard-000-of-002",
        "shard-001-of-002",
    ]
    merge(tmp_path / "big")
    assert len(check_corpus(tmp_path / "big")) == 16
    assert json.loads((tmp_path / "big" / "summary.json").read_text())["utterances"] == 16
