"""Kaldi data dirs: the invariants of utils/validate_data_dir.sh --no-feats, checked here
independently of the exporter's own checker, and agreement with the manifest."""

import io
import shutil
import subprocess

import pytest
import soundfile as sf

from synth.exporters import export_corpus
from synth.exporters.common import ExportError
from synth.exporters.kaldi import _check_speaker_prefixes
from tests.conftest import read_manifest
from tests.test_export import SPEAKER_SPLIT, by_split, make_corpus

REQUIRED = ("wav.scp", "text", "utt2spk", "spk2utt", "utt2dur")


@pytest.fixture(scope="module")
def flac_corpus(tmp_path_factory):
    root = make_corpus(tmp_path_factory.mktemp("kaldi") / "flac", *SPEAKER_SPLIT)
    export_corpus(root, ["kaldi"])
    return root


@pytest.fixture(scope="module")
def wav_corpus(tmp_path_factory):
    root = make_corpus(tmp_path_factory.mktemp("kaldi") / "wav", "output.audio_format=wav")
    export_corpus(root, ["kaldi"], {"kaldi": {"absolute_paths": False}})
    return root


def read_table(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split(" ", 1)) if " " in line else (line, "") for line in lines]


def validate_data_dir(folder):
    """What validate_data_dir.sh would say; returns {file: {key: value}} when the dir is valid."""
    for name in REQUIRED:
        assert (folder / name).is_file(), f"{folder.name}/{name} missing"
    tables = {}
    for path in sorted(folder.iterdir()):
        pairs = read_table(path)
        keys = [k.encode() for k, _ in pairs]
        assert keys == sorted(keys), f"{path.name} not sorted as LC_ALL=C sort would"
        assert len(set(keys)) == len(keys), f"{path.name} has duplicate keys"
        assert all(value.strip() for _, value in pairs), f"{path.name} has an empty entry"
        assert all(" " not in k and "\t" not in k for k, _ in pairs)
        tables[path.name] = dict(pairs)
    utts = list(tables["utt2spk"])
    for name in ("wav.scp", "text", "utt2dur"):
        assert list(tables[name]) == utts, f"{name} and utt2spk list different utterances"
    # utils/spk2utt_to_utt2spk.pl spk2utt | cmp - utt2spk
    regenerated = [(utt, spk) for spk, line in tables["spk2utt"].items() for utt in line.split()]
    assert regenerated == list(tables["utt2spk"].items()), "spk2utt and utt2spk disagree"
    for utt, spk in tables["utt2spk"].items():
        assert utt.startswith(f"{spk}-"), f"utterance {utt} is not prefixed by its speaker {spk}"
    if "spk2gender" in tables:
        assert list(tables["spk2gender"]) == list(tables["spk2utt"])
        assert set(tables["spk2gender"].values()) <= {"m", "f"}
    assert all(float(d) > 0 for d in tables["utt2dur"].values())
    return tables


def wav_path(entry):
    return entry.split()[-2] if entry.endswith("|") else entry


def check_against_manifest(root, expected_split_rows, tables, absolute):
    by_utt = {f"{r['speaker']['id']}-{r['id']}": r for r in expected_split_rows.values()}
    assert set(tables["utt2spk"]) == set(by_utt)
    for utt, row in by_utt.items():
        assert tables["text"][utt] == row["transcript"]
        assert abs(float(tables["utt2dur"][utt]) - row["duration"]) < 1e-4
        assert tables["utt2spk"][utt] == row["speaker"]["id"]
        assert tables["spk2gender"][row["speaker"]["id"]] == row["speaker"]["gender"][0]
        entry = tables["wav.scp"][utt]
        path = wav_path(entry)
        assert path.startswith("/") == absolute
        assert (root / path).resolve() == (root / row["audio_filepath"]).resolve()


def test_flac_data_dirs_are_valid_and_match_manifest(flac_corpus):
    expected = by_split(read_manifest(flac_corpus))
    folder = flac_corpus / "exports" / "kaldi"
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)
    for split, rows in expected.items():
        tables = validate_data_dir(folder / split)
        assert set(tables) == {*REQUIRED, "spk2gender"}
        assert all(e.startswith("flac -c -d -s /") and e.endswith(" |") for e in tables["wav.scp"].values())
        check_against_manifest(flac_corpus, rows, tables, absolute=True)


def test_wav_data_dirs_use_plain_relative_paths(wav_corpus):
    expected = by_split(read_manifest(wav_corpus))
    for split, rows in expected.items():
        tables = validate_data_dir(wav_corpus / "exports" / "kaldi" / split)
        assert all(e.endswith(".wav") and not e.startswith("/") for e in tables["wav.scp"].values())
        check_against_manifest(wav_corpus, rows, tables, absolute=False)


@pytest.mark.skipif(shutil.which("flac") is None, reason="the flac command is not installed")
def test_flac_pipe_decodes(flac_corpus):
    split = sorted(p for p in (flac_corpus / "exports" / "kaldi").iterdir())[0]
    utt, entry = read_table(split / "wav.scp")[0]
    wav = subprocess.run(entry.rstrip("| "), shell=True, capture_output=True, check=True).stdout
    info = sf.info(io.BytesIO(wav))
    durations = dict(read_table(split / "utt2dur"))
    assert abs(info.frames / info.samplerate - float(durations[utt])) < 1e-3


def test_speakers_whose_ids_would_break_kaldi_sorting_are_refused():
    # utterances of "tts-a" ("tts-a-z…") would sort after those of "tts-a-x" ("tts-a-x-…")
    _check_speaker_prefixes({"tts-a", "tts-b", "tts-ab"})  # prefixes without '-' sort consistently
    with pytest.raises(ExportError, match="'tts-a' and 'tts-a-x'"):
        _check_speaker_prefixes({"tts-a", "tts-a-x"})
