"""The committed regression corpus (tests/golden/, synth/golden.py) renders to the same bytes here."""

import json

import pytest

from synth import golden


@pytest.mark.slow  # ~6 CPU s; on a loaded 2-core machine up to 40 s of wall time
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_golden_corpus_is_byte_identical(tmp_path, n_jobs):
    committed = json.loads(golden.GOLDEN.read_text())
    assert len(committed["sha256"]) >= 10 and "manifest.jsonl" in committed["sha256"]
    root = golden.render(tmp_path, n_jobs=n_jobs)
    assert golden.compare(root, committed) == []


def test_a_changed_byte_is_reported_with_the_versions(tmp_path):
    committed = json.loads(golden.GOLDEN.read_text())
    root = tmp_path / "corpus"
    for path in committed["sha256"]:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"not the committed bytes")
    (root / "config.yaml").write_text("versions: " + json.dumps(committed["versions"]) + "\n")
    problems = golden.compare(root, committed)
    assert len(problems) == len(committed["sha256"]) + 1
    assert problems[-1].startswith("same versions as the list: the output changed")
