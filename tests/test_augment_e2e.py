"""End to end through synth.run.generate: every profile runs, rows carry what was applied, the same
seed gives the same bytes with one or two workers, chains are built once per worker process."""

import json

import pytest

from synth.run import generate
from tests.conftest import check_corpus, corpus_fingerprint, read_manifest
from tests.test_augment_support import PROFILES, cache_dir  # noqa: F401


def _small_banks(name: str, cache) -> list[str]:
    return [
        f"augment={name}",
        f"augment.cache_dir={cache}",
        "augment.steps.room.bank_size=4",
        "++augment.steps.noise.babble.clips=2",
    ]


def test_none_writes_clean_rows(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "none"
    generate(compose_cfg("augment=none", f"output.dir={out}", f"prompts.path={small_prompts}", "voices.per_prompt=1"))
    rows = check_corpus(out)
    assert all(r["augment"] == [] for r in rows)


@pytest.mark.parametrize("name", PROFILES)
def test_every_profile_runs_end_to_end(name, compose_cfg, tmp_path, small_prompts, cache_dir):
    out = tmp_path / name
    generate(
        compose_cfg(
            *_small_banks(name, cache_dir),
            f"output.dir={out}",
            f"prompts.path={small_prompts}",
            "voices.per_prompt=2",
            "n_jobs=1",
        )
    )
    rows = check_corpus(out)
    assert len(rows) == 16
    devices = set()
    for r in rows:
        names = [a["name"] for a in r["augment"]]
        assert "device" in names, names
        device = r["augment"][names.index("device")]["params"]["profile"]
        assert r.get("device", device) == device
        devices.add(device)
        json.dumps(r["augment"])
    assert devices == ({name} if name != "default" else devices) and (len(devices) >= 3 if name == "default" else True)
    if name == "phone":
        assert all({"resample", "bandpass", "codec", "receive"} <= {a["name"] for a in r["augment"]} for r in rows)


def test_same_seed_same_bytes_one_and_two_workers(compose_cfg, tmp_path, small_prompts, cache_dir):
    common = [*_small_banks("default", cache_dir), f"prompts.path={small_prompts}", "voices.per_prompt=2"]
    generate(compose_cfg(*common, "n_jobs=1", f"output.dir={tmp_path / 'one'}"))
    generate(compose_cfg(*common, "n_jobs=2", f"output.dir={tmp_path / 'two'}"))
    one = (tmp_path / "one" / "manifest.jsonl").read_bytes()
    assert one == (tmp_path / "two" / "manifest.jsonl").read_bytes()
    assert corpus_fingerprint(tmp_path / "one") == corpus_fingerprint(tmp_path / "two")
    assert any(r["augment"] for r in read_manifest(tmp_path / "one"))


def test_chain_built_once_per_worker(compose_cfg, tmp_path, small_prompts, cache_dir, probe_step):
    log = tmp_path / "builds.log"
    generate(
        compose_cfg(
            *_small_banks("car", cache_dir),
            f"prompts.path={small_prompts}",
            "voices.per_prompt=3",
            "n_jobs=2",
            f"+augment.steps.probe={{log: '{log}'}}",
            f"output.dir={tmp_path / 'out'}",
        )
    )
    rows = check_corpus(tmp_path / "out")
    assert len(rows) == 24
    pids = log.read_text().split()
    # one build in the parent (prepare's start-up check), then one per worker process, whatever the item count
    assert len(pids) == len(set(pids)) and 2 <= len(pids) <= 3


def test_paired_output_writes_clean_and_augmented(compose_cfg, tmp_path, small_prompts, cache_dir):
    out = tmp_path / "paired"
    generate(
        compose_cfg(
            *_small_banks("phone", cache_dir),
            "augment.paired=true",
            f"output.dir={out}",
            f"prompts.path={small_prompts}",
            "voices.per_prompt=1",
            "n_jobs=1",
        )
    )
    rows = check_corpus(out)
    clean = [r for r in rows if not r["augment"]]
    augmented = [r for r in rows if r["augment"]]
    assert len(clean) == len(augmented) == 8
    by_stem = {}
    for r in rows:
        by_stem.setdefault(r["pair"]["stem"], []).append(r)
    assert all(len(pair) == 2 and pair[0]["duration"] == pair[1]["duration"] for pair in by_stem.values())
