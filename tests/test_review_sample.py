"""Drawing the stratified review sample and scoring verdicts, through the command line.

The manifests here are label rows only (sampling and scoring never open audio); the page and its
audio are tested end to end on a real corpus in test_review_page.py."""

import json
from collections import Counter

import pytest

from synth.review.__main__ import main
from synth.review.sample import allocate, draw, stratum

STRATA = {("en-us", None): 500, ("en-gb", None): 300, ("en-029", "phone"): 150, ("en-gb-scotland", "car"): 50}


def write_manifest(root, strata=STRATA, failed=0, flagged=0):
    root.mkdir(parents=True, exist_ok=True)
    rows, i = [], 0
    for (accent, device), size in strata.items():
        for _ in range(size):
            row = {
                "id": f"u{i:05d}",
                "audio_filepath": f"audio/u{i:05d}.flac",
                "transcript": "hello there",
                "text": "Hello there.",
                "speaker": {"engine": "espeak", "accent": accent},
                "sha256": f"{i:064x}",
                "qc": {"passed": True, "reasons": []},
            }
            if device:
                row["device"] = device
            rows.append(row)
            i += 1
    for row in rows[:failed]:
        row["qc"] = {"passed": False, "reasons": ["clipped"]}
    for row in rows[failed : failed + flagged]:
        row["qc"]["asr"] = {"hyp": "yellow hair", "wer": 1.0, "flagged": True}
    (root / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return rows


def verdicts_for(sample, wrong=(), skip=()):
    items = [{"id": r["id"], "counted": True, "sha256": r["sha256"]} for r in sample.rows]
    verdicts = {
        r["id"]: {"verdict": "wrong" if r["id"] in wrong else "ok", "comment": ""}
        for r in sample.rows
        if r["id"] not in skip
    }
    return {"format": "speechforge-review-verdicts/1", "sample": {**sample.meta, "items": items}, "verdicts": verdicts}


def score(tmp_path, corpus, doc, *args):
    path = tmp_path / "verdicts.json"
    path.write_text(json.dumps(doc))
    return main(["score", str(corpus), str(path), *args])


def test_allocation_is_proportional_and_exact():
    sizes = {"a": 500, "b": 300, "c": 150, "d": 50}
    counts = allocate(sizes, 149)
    assert sum(counts.values()) == 149
    for k, size in sizes.items():
        assert abs(counts[k] - 149 * size / 1000) < 1
    assert allocate(sizes, 5000) == sizes  # a census when the corpus is small


def test_sample_is_stratified_sized_and_deterministic(tmp_path):
    rows = write_manifest(tmp_path / "c", failed=10)
    sample = draw(tmp_path / "c", 0.02, 0.95)
    assert sample.meta["n"] == len(sample.rows) == 149 and sample.meta["population"] == 990
    per = Counter(stratum(r) for r in sample.rows)
    assert set(per) == {stratum(r) for r in rows}
    assert per["accent=en-029 engine=espeak device=phone"] == round(149 * 150 / 990)
    assert not {r["id"] for r in rows[:10]} & {r["id"] for r in sample.rows}  # QC failures are not delivered
    again = draw(tmp_path / "c", 0.02, 0.95)
    assert [r["id"] for r in again.rows] == [r["id"] for r in sample.rows] and again.meta["id"] == sample.meta["id"]
    other = draw(tmp_path / "c", 0.02, 0.95, seed=1)
    assert [r["id"] for r in other.rows] != [r["id"] for r in sample.rows]
    assert draw(tmp_path / "c", 0.02, 0.95, allowed_errors=1).meta["n"] == 236
    assert draw(tmp_path / "c", 0.02, 0.95, method="hypergeometric").meta["n"] == 137  # 990: at most 19 wrong


def test_flagged_rows_are_added_but_not_counted(tmp_path):
    write_manifest(tmp_path / "c", flagged=400)
    sample = draw(tmp_path / "c", 0.02, 0.95, with_flagged=5)
    assert len(sample.rows) == 149 and len(sample.extra) == 5
    assert not {r["id"] for r in sample.extra} & {r["id"] for r in sample.rows}


def test_no_errors_certifies_and_exits_0(tmp_path, capsys):
    write_manifest(tmp_path / "c")
    sample = draw(tmp_path / "c", 0.02, 0.95)
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample), "--max-error", "0.02", "--confidence", "0.95") == 0
    out = capsys.readouterr().out
    assert "CERTIFIED" in out and "NOT" not in out
    assert "overall                                                  0   149  0.00%  1.99%" in out
    assert "accent=en-029 engine=espeak device=phone" in out


def test_one_error_in_a_zero_error_sample_does_not_certify(tmp_path, capsys):
    write_manifest(tmp_path / "c")
    sample = draw(tmp_path / "c", 0.02, 0.95)
    bad = sample.rows[0]["id"]
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample, wrong={bad}), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["wrong"] == 1 and report["overall"]["error_rate"] == pytest.approx(1 / 149)
    assert report["overall"]["upper_bound"] == pytest.approx(0.03138, abs=1e-4) and not report["certified"]
    group = report["strata"][stratum(sample.rows[0])]
    assert group["wrong"] == 1 and group["reviewed"] == sum(stratum(r) == stratum(sample.rows[0]) for r in sample.rows)
    # A sample sized to allow one error does certify with one error found.
    sample = draw(tmp_path / "c", 0.02, 0.95, allowed_errors=1)
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample, wrong={sample.rows[3]["id"]})) == 0


def test_unreviewed_or_changed_items_are_not_certified(tmp_path, capsys):
    rows = write_manifest(tmp_path / "c")
    sample = draw(tmp_path / "c", 0.02, 0.95)
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample, skip={sample.rows[5]["id"]})) == 1
    assert "not reviewed yet: 1" in capsys.readouterr().out
    changed = {r["id"]: r for r in rows}
    changed[sample.rows[2]["id"]]["sha256"] = "0" * 64
    (tmp_path / "c" / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in changed.values()))
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample)) == 1
    assert "audio changed since the sample was drawn" in capsys.readouterr().out


def test_finite_population_method_and_target_from_the_sample(tmp_path, capsys):
    write_manifest(tmp_path / "c")
    sample = draw(tmp_path / "c", 0.02, 0.95, method="hypergeometric")
    assert sample.meta["n"] == 132  # 1000 utterances: at most 20 wrong
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample)) == 0  # target and method from the sample
    out = capsys.readouterr().out
    assert "hypergeometric" in out and "CERTIFIED: label error <= 2% at 95% confidence" in out
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample), "--method", "binomial") == 1  # 132 < 149


def test_bad_input_gets_a_clear_error(tmp_path, capsys):
    assert main(["sample", str(tmp_path / "nowhere")]) == 2
    assert "no manifest.jsonl" in capsys.readouterr().err
    write_manifest(tmp_path / "c")
    (tmp_path / "v.json").write_text('{"hello": 1}')
    assert main(["score", str(tmp_path / "c"), str(tmp_path / "v.json")]) == 2
    assert "not a verdicts file" in capsys.readouterr().err


def test_score_leads_with_the_verdict(tmp_path, capsys):
    write_manifest(tmp_path / "c")
    sample = draw(tmp_path / "c", 0.02, 0.95)
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample, skip={sample.rows[0]["id"]})) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "NOT certified: label error <= 2% at 95% confidence (1 clips not reviewed yet; the upper bound 2.004% is "
        "above 2%)"
    )
    assert not any(line.startswith("CERTIFIED") for line in lines)
    assert score(tmp_path, tmp_path / "c", verdicts_for(sample)) == 0
    assert capsys.readouterr().out.splitlines()[0] == "CERTIFIED: label error <= 2% at 95% confidence"


def test_verdicts_of_another_corpus_are_refused_in_one_line(tmp_path, capsys):
    write_manifest(tmp_path / "a")
    sample = draw(tmp_path / "a", 0.02, 0.95)
    other = {("en-us", None): 300}
    rows = write_manifest(tmp_path / "b", strata=other)
    for row in rows:  # another corpus: other ids
        row["id"] = "b" + row["id"]
    (tmp_path / "b" / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert score(tmp_path, tmp_path / "b", verdicts_for(sample)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "none of the 149 clips of sample" in captured.err and "belong to another corpus" in captured.err
    # Some clips gone (the corpus changed since): one line for all of them, not one per clip.
    kept = [json.loads(line) for line in (tmp_path / "a" / "manifest.jsonl").read_text().splitlines()]
    gone = {r["id"] for r in sample.rows[:40]}
    (tmp_path / "a" / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept if r["id"] not in gone))
    assert score(tmp_path, tmp_path / "a", verdicts_for(sample)) == 1
    out = capsys.readouterr().out
    assert out.count("not in the corpus any more") == 1 and "40 sampled clips are not in the corpus any more" in out
