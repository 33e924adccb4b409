"""Each export loads with its real library and says what the manifest says."""

import io
import json
import math
import os
import shutil
from collections import Counter
from pathlib import Path

import datasets  # the real loaders: a missing one must fail the suite, not skip it
import pytest
import soundfile as sf
import webdataset as wds
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from synth.cli import config_dir
from synth.exporters import EXPORTERS, check_request, export_corpus, main
from synth.run import generate
from tests.conftest import SMALL_PROMPTS, read_manifest

SPLIT_DIRS = {"train": "train", "dev": "validation", "test": "test"}


def make_corpus(out: Path, *overrides) -> Path:
    """A real corpus of the SMALL_PROMPTS in 3 voices each (24 utterances, 8 accents). The fixtures
    that call this are module-scoped, where conftest's function-scoped compose_cfg is unavailable."""
    prompts = out.parent / f"{out.name}-prompts.txt"
    prompts.write_text("\n".join(SMALL_PROMPTS) + "\n")
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
            cfg = compose(
                config_name="config",
                overrides=[
                    "progress=false",
                    f"prompts.path={prompts}",
                    "voices.per_prompt=3",
                    f"output.dir={out}",
                    *overrides,
                ],
            )
        generate(cfg)
    finally:
        GlobalHydra.instance().clear()
    return out


# speaker-disjoint, with enough dev and test that every split is present in 24 utterances
SPEAKER_SPLIT = ("split.by=speaker", "split.dev=0.2", "split.test=0.2")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = make_corpus(tmp_path_factory.mktemp("export") / "corpus", *SPEAKER_SPLIT)
    export_corpus(root, ["hf", "nemo", "lhotse", "webdataset"], {"webdataset": {"shard_size": 5}})
    return root


def by_split(rows):
    out = {}
    for r in rows:
        out.setdefault(r["split"], {})[r["id"]] = r
    return out


def test_fixture_has_every_split(corpus):
    assert set(by_split(read_manifest(corpus))) == {"train", "dev", "test"}


def test_hf_audiofolder_loads_with_datasets(corpus, tmp_path):
    expected = by_split(read_manifest(corpus))
    loaded = datasets.load_dataset(
        "audiofolder", data_dir=str(corpus / "exports" / "hf"), cache_dir=str(tmp_path / "cache")
    )
    assert set(loaded) == {"train", "validation", "test"}
    for split, folder in SPLIT_DIRS.items():
        part = loaded[folder]
        assert part.num_rows == len(expected[split])
        for column in ("transcript", "speaker_id", "accent", "gender", "engine", "voice", "locale", "duration", "text"):
            assert column in part.column_names
        for item in part:
            row = expected[split][item["id"]]
            assert item["transcript"] == row["transcript"] and item["accent"] == row["speaker"]["accent"]
            assert item["speaker_id"] == row["speaker"]["id"] and item["gender"] == row["speaker"]["gender"]
            assert item["duration"] == row["duration"]
            audio = item["audio"]
            assert audio["sampling_rate"] == row["sample_rate"]
            assert abs(len(audio["array"]) / audio["sampling_rate"] - row["duration"]) < 1e-3
            assert json.loads(item["words"]) == row["words"] and json.loads(item["augment"]) == row["augment"]
    # the split folders hold links to the corpus audio, never copies
    for path in (corpus / "exports" / "hf").rglob("*.flac"):
        assert path.is_symlink() and not os.path.isabs(os.readlink(path))
        assert path.resolve().is_relative_to((corpus / "audio").resolve())


def test_nemo_manifests(corpus):
    expected = by_split(read_manifest(corpus))
    folder = corpus / "exports" / "nemo"
    assert sorted(p.name for p in folder.iterdir()) == ["dev.jsonl", "test.jsonl", "train.jsonl"]
    for split, rows in expected.items():
        entries = [json.loads(line) for line in (folder / f"{split}.jsonl").read_text().splitlines()]
        assert [e["id"] for e in entries] == list(rows)  # manifest order
        for e in entries:
            row = rows[e["id"]]
            assert e["text"] == row["transcript"] and e["duration"] == row["duration"]
            assert e["speaker"] == row["speaker"]["id"] and e["accent"] == row["speaker"]["accent"]
            # relative paths resolve from the manifest's folder, as NeMo resolves them
            audio = folder / e["audio_filepath"]
            assert (
                not os.path.isabs(e["audio_filepath"]) and audio.resolve() == (corpus / row["audio_filepath"]).resolve()
            )
            assert abs(sf.info(str(audio)).duration - e["duration"]) < 1e-3


@pytest.mark.extras  # lhotse imports torch (~750 MB): installed by scripts/test.sh --all
def test_lhotse_manifests_load_and_validate(corpus):
    lhotse = pytest.importorskip("lhotse", reason="lhotse is not installed (pip install -e '.[test-extras]')")
    from lhotse.qa import validate_recordings_and_supervisions
    from lhotse.recipes.utils import read_manifests_if_cached

    expected = by_split(read_manifest(corpus))
    folder = corpus / "exports" / "lhotse"
    cached = read_manifests_if_cached(
        dataset_parts=["train", "dev", "test"], output_dir=folder, prefix="speechforge", suffix="jsonl.gz"
    )
    assert set(cached) == {"train", "dev", "test"}
    for split, rows in expected.items():
        recordings = lhotse.load_manifest(folder / f"speechforge_recordings_{split}.jsonl.gz").with_path_prefix(corpus)
        supervisions = lhotse.load_manifest(folder / f"speechforge_supervisions_{split}.jsonl.gz")
        assert isinstance(recordings, lhotse.RecordingSet) and isinstance(supervisions, lhotse.SupervisionSet)
        validate_recordings_and_supervisions(recordings, supervisions)
        assert [s.id for s in supervisions] == list(rows)
        for sup in supervisions:
            row = rows[sup.id]
            assert sup.text == row["transcript"] and sup.speaker == row["speaker"]["id"]
            assert sup.custom["accent"] == row["speaker"]["accent"]
            assert abs(sup.duration - row["duration"]) < 1e-4
            words = sup.alignment["word"]
            assert [w.symbol for w in words] == row["transcript"].split()
            assert [w.start for w in words] == [w["start"] for w in row["words"]]
            assert all(abs(a.end - w["end"]) < 1e-6 for a, w in zip(words, row["words"]))
        cuts = lhotse.CutSet.from_manifests(recordings=recordings, supervisions=supervisions)
        first = cuts[0]
        assert first.load_audio().shape[1] == first.recording.num_samples


def test_webdataset_shards_stream(corpus):
    expected = by_split(read_manifest(corpus))
    folder = corpus / "exports" / "webdataset"
    index = json.loads((folder / "shards.json").read_text())
    assert index["shard_size"] == 5
    for split, rows in expected.items():
        shards = index["splits"][split]["shards"]
        assert len(shards) == math.ceil(len(rows) / 5) and index["splits"][split]["samples"] == len(rows)
        seen = []
        for sample in wds.WebDataset([str(folder / s) for s in shards], shardshuffle=False):
            label = json.loads(sample["json"])
            row = rows[sample["__key__"]]
            assert label == row
            audio, rate = sf.read(io.BytesIO(sample["flac"]))
            assert rate == row["sample_rate"] and abs(len(audio) / rate - row["duration"]) < 1e-3
            seen.append(sample["__key__"])
        assert seen == list(rows)


def test_export_again_replaces_and_is_byte_identical(corpus, tmp_path):
    copy = shutil.copytree(corpus, tmp_path / "copy", symlinks=True)
    before = {
        p.relative_to(copy): p.read_bytes() for p in (copy / "exports").rglob("*") if p.is_file() and not p.is_symlink()
    }
    export_corpus(copy, ["hf", "nemo", "lhotse", "webdataset"], {"webdataset": {"shard_size": 5}})
    after = {
        p.relative_to(copy): p.read_bytes() for p in (copy / "exports").rglob("*") if p.is_file() and not p.is_symlink()
    }
    assert after == before
    export_corpus(copy, ["webdataset"], {"webdataset": {"shard_size": 100}})
    names = sorted(p.name for p in (copy / "exports" / "webdataset").iterdir())
    assert names == ["dev-000000.tar", "shards.json", "test-000000.tar", "train-000000.tar"]
    assert not [p for p in (copy / "exports").iterdir() if p.name.startswith(".")]  # no staging left


def test_rows_failing_qc_are_left_out(corpus, tmp_path):
    copy = shutil.copytree(corpus, tmp_path / "copy", symlinks=True)
    rows = read_manifest(copy)
    dropped = rows[0]
    dropped["qc"]["passed"] = False
    (copy / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    export_corpus(copy, sorted(EXPORTERS))
    split = dropped["split"]
    assert dropped["id"] not in (copy / "exports" / "nemo" / f"{split}.jsonl").read_text()
    assert dropped["id"] not in (copy / "exports" / "hf" / SPLIT_DIRS[split] / "metadata.jsonl").read_text()
    assert dropped["id"] not in (copy / "exports" / "kaldi" / split / "text").read_text()
    counts = Counter(r["split"] for r in rows[1:])
    index = json.loads((copy / "exports" / "webdataset" / "shards.json").read_text())
    assert {s: v["samples"] for s, v in index["splits"].items()} == dict(counts)


def test_bad_requests_name_what_is_valid(corpus):
    with pytest.raises(ValueError, match=r"unknown export format 'csv'; known: hf, kaldi, lhotse, nemo, webdataset"):
        export_corpus(corpus, ["csv"])
    with pytest.raises(ValueError, match=r"unknown option 'shards' for export 'webdataset'; valid: shard_size"):
        export_corpus(corpus, ["webdataset"], {"webdataset": {"shards": 3}})
    with pytest.raises(ValueError, match="webdataset.shard_size must be >= 1"):
        export_corpus(corpus, ["webdataset"], {"webdataset": {"shard_size": 0}})
    with pytest.raises(ValueError, match="kaldi.absolute_paths must be a bool; got 'yes'"):
        export_corpus(corpus, ["kaldi"], {"kaldi": {"absolute_paths": "yes"}})
    with pytest.raises(ValueError, match="options given for unknown export format 'csv'"):
        check_request(["nemo"], {"csv": {}})
    with pytest.raises(ValueError, match="no manifest.jsonl"):
        export_corpus(corpus / "audio", ["nemo"])


def test_cli(corpus, tmp_path, capsys):
    copy = shutil.copytree(corpus, tmp_path / "copy", symlinks=True)
    assert main([str(copy), "--formats", "nemo,webdataset", "--webdataset-shard-size", "2"]) == 0
    assert "nemo:" in capsys.readouterr().out
    index = json.loads((copy / "exports" / "webdataset" / "shards.json").read_text())
    assert index["shard_size"] == 2
    assert main([str(copy), "--formats", "nemo,parquet"]) == 2
    assert "unknown export format 'parquet'" in capsys.readouterr().err


@pytest.fixture(scope="session")
def augmented_corpus(tmp_path_factory):
    """A real run with the default augmentation (room, noise, device), clean and augmented rows
    paired; session-scoped because simulating its rooms is the slow part (test_report uses it too)."""
    base = tmp_path_factory.mktemp("augmented")
    return make_corpus(
        base / "corpus",
        "augment=default",
        "augment.paired=true",
        "augment.steps.room.bank_size=4",
        f"augment.cache_dir={base / 'cache'}",
    )


def test_augmented_pairs_export_and_verify(augmented_corpus, tmp_path):
    """Paired clean/augmented rows with devices: every export holds both, with their labels."""
    from synth.verify import verify_corpus

    root = shutil.copytree(augmented_corpus, tmp_path / "corpus", symlinks=True)
    export_corpus(root, sorted(EXPORTERS))
    assert verify_corpus(root) == []
    rows = {r["id"]: r for r in read_manifest(root)}
    assert {r["pair"]["role"] for r in rows.values()} == {"clean", "augmented"}
    for split in {r["split"] for r in rows.values()}:
        for line in (root / "exports" / "hf" / SPLIT_DIRS[split] / "metadata.jsonl").read_text().splitlines():
            entry = json.loads(line)
            row = rows[entry["id"]]
            assert entry["device"] == (row.get("device") or "") and entry["pair_role"] == row["pair"]["role"]
            assert json.loads(entry["augment"]) == row["augment"]
        for line in (root / "exports" / "nemo" / f"{split}.jsonl").read_text().splitlines():
            entry = json.loads(line)
            assert entry["augment"] == rows[entry["id"]]["augment"] and entry["device"] == rows[entry["id"]].get(
                "device"
            )
