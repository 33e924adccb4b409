"""Nothing is written through a symlink inside output.dir: the two attacks of issue 14 on a real corpus
(a linked voice folder, a linked rejects.jsonl) are refused before anything is written, and the link
targets outside the corpus keep every byte; links planted mid-run make the write fail instead."""

import errno
import os

import pytest

from synth.manifest import append_line, truncate
from synth.run import generate
from synth.safe_paths import refuse_symlinks, write_under
from tests.conftest import check_corpus, read_manifest, run_cli


@pytest.fixture
def corpus(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "corpus"
    args = [f"output.dir={out}", f"prompts.path={small_prompts}", "n_jobs=1"]
    generate(compose_cfg(*args))
    return out, args


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_linked_voice_folder_is_refused_and_its_target_untouched(corpus, tmp_path):
    out, args = corpus
    rows = read_manifest(out)
    voice = rows[0]["speaker"]["id"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not the corpus's\n")
    for path in (out / "audio" / voice).iterdir():
        path.unlink()
    (out / "audio" / voice).rmdir()
    (out / "audio" / voice).symlink_to(outside)  # its items are missing: a resume would render them there
    before, labels = _snapshot(outside), (out / "manifest.jsonl").read_bytes()
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"holds a symlink, audio/{voice} -> {outside}" in result.stderr
    assert "Traceback" not in result.stderr
    assert _snapshot(outside) == before  # nothing written there
    assert (out / "manifest.jsonl").read_bytes() == labels  # and nothing cut in the corpus


def test_a_linked_rejects_file_is_refused_and_its_target_untouched(corpus, tmp_path):
    out, args = corpus
    precious = tmp_path / "precious.jsonl"
    precious.write_text('{"id": "someone else\'s"}\n' + "a torn line without its end")
    (out / "rejects.jsonl").unlink()
    (out / "rejects.jsonl").symlink_to(precious)
    before = precious.read_bytes()
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"holds a symlink, rejects.jsonl -> {precious}" in result.stderr
    assert precious.read_bytes() == before
    check_corpus(out)  # the corpus itself is as it was


def test_links_planted_while_a_run_writes_make_the_write_fail(tmp_path):
    root, outside = tmp_path / "corpus", tmp_path / "outside"
    (root / "audio").mkdir(parents=True)
    outside.mkdir()
    (root / "audio" / "v1").symlink_to(outside)
    with pytest.raises(OSError) as failed:
        write_under(root, "audio/v1/x.flac", b"audio")
    assert failed.value.errno in (errno.ELOOP, errno.ENOTDIR)
    (root / "audio2").symlink_to(outside)
    with pytest.raises(OSError):
        write_under(root, "audio2/v/x.flac", b"audio")
    target = outside / "labels.jsonl"
    target.write_bytes(b'{"a": 1}\n{"b"')
    (root / "manifest.jsonl").symlink_to(target)
    with pytest.raises(OSError):
        append_line(root / "manifest.jsonl", {"id": "x"})
    with pytest.raises(OSError):
        truncate(root / "manifest.jsonl", 0)
    assert target.read_bytes() == b'{"a": 1}\n{"b"' and sorted(os.listdir(outside)) == ["labels.jsonl"]
    write_under(root, "audio/v2/x.flac", b"audio")  # real folders are made and written
    assert (root / "audio" / "v2" / "x.flac").read_bytes() == b"audio"
    assert not [p for p in (root / "audio" / "v2").iterdir() if p.name.endswith(".tmp")]


def test_the_hf_exports_own_links_are_accepted(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "corpus"
    args = [f"output.dir={out}", f"prompts.path={small_prompts}", "n_jobs=1", "output.formats=[hf]"]
    generate(compose_cfg(*args))
    links = [p for p in (out / "exports").rglob("*") if p.is_symlink()]
    assert links, "the hf export links its audio"
    refuse_symlinks(out)  # accepted: links under exports/ to the corpus's own audio
    generate(compose_cfg(*args))  # and a rerun on the folder goes through
    os.symlink("/etc/passwd", links[0].with_name("stray.flac"))
    with pytest.raises(Exception, match=r"holds a symlink, exports/.*stray\.flac -> /etc/passwd"):
        refuse_symlinks(out)
