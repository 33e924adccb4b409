"""synth.manifest: the typed row and the one JSONL reader/writer, on the rows of a real generated corpus."""

import dataclasses
import json

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from synth import manifest
from synth.cli import config_dir
from synth.corpus import MANIFEST, Corpus
from synth.manifest import (
    ManifestError,
    Speaker,
    Utterance,
    Word,
    dumps,
    read_jsonl,
    read_lines,
    read_manifest,
    validate,
)
from tests.conftest import SMALL_PROMPTS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Pseudo-speakers, a phone device and clean/augmented pairs: every optional key a row can carry."""
    from synth.run import generate

    root = tmp_path_factory.mktemp("manifest")
    prompts = root / "prompts.txt"
    prompts.write_text("\n".join(SMALL_PROMPTS[:3]) + "\n")
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=[
                "progress=false",
                "n_jobs=1",
                f"prompts.path={prompts}",
                f"output.dir={root / 'corpus'}",
                "augment=phone",
                "augment.paired=true",
                "voices.speakers_per_voice=2",
                "voices.per_prompt=2",
            ],
        )
    GlobalHydra.instance().clear()
    generate(cfg)
    return root / "corpus"


def _built(record):
    """The same record as if built in code: no memory of the key order it was read in."""
    changes = {"keys_read": None}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, manifest._Record):
            changes[f.name] = _built(value)
        elif isinstance(value, list) and value and isinstance(value[0], manifest._Record):
            changes[f.name] = [_built(v) for v in value]
    return dataclasses.replace(record, **changes)


def test_real_rows_round_trip_byte_for_byte(corpus):
    lines = (corpus / MANIFEST).read_text(encoding="utf-8").splitlines(keepends=True)
    rows = list(read_manifest(corpus / MANIFEST))
    assert len(rows) == len(lines) == 12
    assert {r.pair.role for r in rows} == {"clean", "augmented"} and any(r.device for r in rows)
    assert any(r.speaker.base_voice and r.speaker.perturbation for r in rows)
    assert any(r.speaker.base_voice and r.speaker.perturbation is None for r in rows)  # speaker 0: null, written
    for line, row in zip(lines, rows):
        assert validate(json.loads(line)) == []
        assert dumps(row) == line  # as read
        assert dumps(_built(row)) == line  # as render builds it: the documented order is the written one
        assert row.item_id == row.pair.stem and row.words and row.words[0].word == row.transcript.split()[0]


def test_torn_last_line_is_no_row_and_resume_cuts_it(corpus, tmp_path):
    path = tmp_path / MANIFEST
    whole = (corpus / MANIFEST).read_bytes()
    path.write_bytes(whole + b'{"id": "torn", "audio_')
    assert len(list(read_manifest(path))) == 12
    assert list(read_lines(path))[-1].error == manifest.TORN
    with pytest.raises(ManifestError, match=r"manifest.jsonl:13: torn last line"):
        list(read_jsonl(path, strict=True))
    found = manifest.scan(path)
    assert found.clean and found.whole_bytes == len(whole) and len(found.rows) == 12
    manifest.truncate(path, found.whole_bytes)
    assert path.read_bytes() == whole


def test_a_bad_whole_line_is_skipped_and_reported(corpus, tmp_path):
    path = tmp_path / MANIFEST
    lines = (corpus / MANIFEST).read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"\n" + b"not json\n" + b"".join(lines[1:]))
    assert [(line.number, line.error) for line in read_lines(path) if line.error] == [
        (2, "blank line"),
        (3, "not JSON (Expecting value)"),
    ]
    assert len(list(read_manifest(path))) == 12 and not manifest.scan(path).clean
    manifest.rewrite(path, read_manifest(path))
    assert path.read_bytes() == (corpus / MANIFEST).read_bytes()


def test_unknown_keys_survive_a_round_trip(corpus):
    row = json.loads((corpus / MANIFEST).read_text().splitlines()[0])
    row = {"corpus_version": 3, **row, "emotion": "calm"}  # a newer writer's fields, before and after ours
    row["speaker"]["age"] = "adult"
    row["prompt"].update(intent="set_timer", slots={"minutes": 15})
    row["words"][0].update(confidence=0.9, estimated=True, source="aligner")
    row["qc"]["asr"] = {"hyp": "set a timer", "wer": 0.5, "oov": [], "flagged": True}
    line = json.dumps(row, ensure_ascii=False) + "\n"
    utt = Utterance.from_dict(json.loads(line))
    assert dumps(utt) == line
    assert utt.custom == {"corpus_version": 3, "emotion": "calm"} and utt.speaker.custom == {"age": "adult"}
    assert utt.prompt.custom == {"intent": "set_timer", "slots": {"minutes": 15}}
    assert utt.words[0].estimated is True and utt.words[0].source == "aligner" and utt.qc.asr["flagged"] is True
    assert validate(row) == []


def test_a_misspelt_key_is_rejected_naming_the_field(corpus):
    row = json.loads((corpus / MANIFEST).read_text().splitlines()[0])
    row["transcrpt"] = row.pop("transcript")
    row["speaker"]["gendr"] = row["speaker"].pop("gender")
    problems = validate(row)
    assert "missing field(s) transcript" in problems
    assert "unknown field 'transcrpt' (did you mean 'transcript'?)" in problems
    assert "speaker: unknown field 'gendr' (did you mean 'gender'?)" in problems
    with pytest.raises(ManifestError, match="transcrpt"):
        Utterance.parse(row)
    with pytest.raises(ManifestError, match="missing field.*transcript"):
        Utterance.from_dict(row)
    with pytest.raises(TypeError):  # in code, a misspelt field fails at once
        Speaker(id="a", engine="e", voice="v", accent="en-us", gendr="female", locale="en-US", license="x")


def test_resume_reads_ids_and_keeps_rows_byte_identical(corpus, tmp_path):
    import shutil

    copy = shutil.copytree(corpus, tmp_path / "corpus")
    rows = list(read_manifest(copy / MANIFEST))
    stems = {r.pair.stem for r in rows}
    assert manifest.resumed_ids(copy / MANIFEST) == stems and len(stems) == 6
    with open(copy / MANIFEST, "ab") as handle:
        handle.write(b'{"id": "line9')  # killed mid-line
    (copy / rows[0].audio_filepath).unlink()  # and one file lost: its item (both halves) is redone
    import yaml
    from omegaconf import OmegaConf

    from synth import versions
    from synth.corpus import RECORDED
    from synth.resume import resume
    from synth.run_parts import build_planning
    from synth.verify_plan import row_shape

    config = yaml.safe_load((copy / "config.yaml").read_text())
    assert Corpus.open(copy, config).resuming
    planning = build_planning(OmegaConf.create({k: v for k, v in config.items() if k not in RECORDED}))
    builds = versions.build_ids(config["versions"])
    outcome = resume(copy, planning.plan_factory(), lambda item: True, row_shape(config), builds, False)
    assert {k[1] for k in outcome.done if k[0] == "item"} == stems - {rows[0].item_id}
    assert outcome.redo_items == 1 and outcome.kept_rows == len(rows) - 2
    kept = [
        line
        for line, r in zip((corpus / MANIFEST).read_text().splitlines(keepends=True), rows)
        if r.item_id != rows[0].item_id
    ]
    assert (copy / MANIFEST).read_text() == "".join(kept)


def test_a_record_built_in_code_leaves_out_absent_optional_fields():
    speaker = Speaker(id="s", engine="e", voice="v", accent="en-us", gender="female", locale="en-US", license="x")
    assert "base_voice" not in speaker.to_dict() and speaker.to_dict()["commercial_use"] is None
    pseudo = dataclasses.replace(speaker, base_voice="b")
    assert list(pseudo.to_dict())[-2:] == ["base_voice", "perturbation"] and pseudo.to_dict()["perturbation"] is None
    assert Word(word="a", start=0.0, end=0.5).to_dict() == {"word": "a", "start": 0.0, "end": 0.5}
    assert Word(word="a", start=0.2, end=0.5).within(0.3) == Word(word="a", start=0.2, end=0.3)
