"""`verify` passes a sound corpus and names each kind of damage."""

import json
import os
import shutil

import pytest

from synth.exporters import EXPORTERS, export_corpus
from synth.verify import main, verify_corpus
from tests.conftest import read_manifest
from tests.test_export import SPEAKER_SPLIT, make_corpus

ALL = sorted(EXPORTERS)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("verify") / "corpus", *SPEAKER_SPLIT)


@pytest.fixture
def corpus(pristine, tmp_path):
    """A private copy with fresh exports (Kaldi's absolute paths must point into the copy)."""
    copy = shutil.copytree(pristine, tmp_path / "corpus", symlinks=True)
    export_corpus(copy, ALL, {"webdataset": {"shard_size": 4}})
    return copy


def write_manifest(root, rows):
    (root / "manifest.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def test_sound_corpus_passes(corpus, capsys):
    assert verify_corpus(corpus) == []
    assert main([str(corpus)]) == 0
    out = capsys.readouterr().out
    assert (
        out.startswith("OK: ")
        and "24 utterances" in out
        and "exports checked: hf, kaldi, lhotse, nemo, webdataset" in out
    )


def test_deleted_file(corpus, capsys):
    row = read_manifest(corpus)[5]
    (corpus / row["audio_filepath"]).unlink()
    problems = verify_corpus(corpus)
    assert any(row["id"] in p and "does not exist" in p for p in problems), problems
    assert main([str(corpus)]) == 1
    assert "does not exist" in capsys.readouterr().out


def test_truncated_file(corpus):
    row = read_manifest(corpus)[3]
    path = corpus / row["audio_filepath"]
    os.truncate(path, path.stat().st_size // 2)
    problems = [p for p in verify_corpus(corpus) if row["id"] in p]
    assert any("sha256 differs" in p for p in problems), problems


def test_transcript_edited_in_manifest(corpus):
    rows = read_manifest(corpus)
    rows[7]["transcript"] = "set a timer for fifty minutes"
    write_manifest(corpus, rows)
    problems = verify_corpus(corpus)
    assert any("word times do not spell the transcript" in p for p in problems)
    edited = [p for p in problems if rows[7]["id"] in p and "transcript" in p and "!=" in p]
    recomputed = [p for p in edited if p.startswith("manifest.jsonl:")]
    assert len(recomputed) == 1 and "transcript: 'set a timer for fifty minutes' != planned" in recomputed[0]
    assert {p.split("/")[0] for p in edited if p not in recomputed} == set(ALL), problems  # every export disagrees


def test_transcript_edited_in_an_export(corpus):
    row = read_manifest(corpus)[0]
    nemo = corpus / "exports" / "nemo" / f"{row['split']}.jsonl"
    nemo.write_text(nemo.read_text().replace(json.dumps(row["transcript"]), json.dumps("hello world"), 1))
    problems = verify_corpus(corpus)
    assert len(problems) == 1 and problems[0].startswith("nemo/") and "'hello world' != manifest" in problems[0]


def test_manifest_defects(corpus):
    rows = read_manifest(corpus)
    rows[1]["id"] = rows[0]["id"]
    del rows[2]["sha256"]
    rows[4]["split"] = "holdout"
    write_manifest(corpus, rows)
    with open(corpus / "manifest.jsonl", "a") as handle:
        handle.write('{"id": "torn"')
    problems = "\n".join(verify_corpus(corpus))
    for needle in ("duplicate id", "missing field(s) sha256", "split 'holdout'", "torn last line"):
        assert needle in problems


def test_summary_that_counts_other_rows(corpus):
    write_manifest(corpus, read_manifest(corpus)[:-1])
    assert "summary.json counts 24 utterances, the manifest holds 23" in verify_corpus(corpus)


def test_export_damage(corpus):
    rows = read_manifest(corpus)
    dev = next(r for r in rows if r["split"] == "dev")
    (corpus / "exports" / "nemo" / "dev.jsonl").unlink()
    kaldi_text = corpus / "exports" / "kaldi" / "train" / "text"
    kaldi_text.write_text("".join(reversed(kaldi_text.read_text().splitlines(keepends=True))))
    shard = next((corpus / "exports" / "webdataset").glob("test-*.tar"))
    shard.unlink()
    problems = "\n".join(verify_corpus(corpus))
    assert "nemo/dev.jsonl is missing" in problems and dev["split"] == "dev"
    assert "kaldi/train/text: not sorted" in problems
    assert f"webdataset/{shard.name} is listed in shards.json but missing" in problems


def test_moved_corpus_with_absolute_kaldi_paths(corpus, tmp_path):
    moved = tmp_path / "moved"
    os.rename(corpus, moved)
    corpus.mkdir()  # the old place exists but no longer holds the audio
    problems = verify_corpus(moved)
    assert problems and all(p.startswith("kaldi/") and "outside this corpus" in p for p in problems), problems


def test_not_a_corpus(tmp_path, capsys):
    assert "no manifest.jsonl" in verify_corpus(tmp_path)[0]
    assert main([str(tmp_path)]) == 1
