"""speechforge audit on a real eSpeak NG corpus: it passes as generated, and catches each planted
defect (the audio file or the manifest row edited after a real run)."""

import json
import shutil

import numpy as np
import pytest
import soundfile as sf
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra

from synth.audio_io import sha256_file
from synth.audit import silence
from synth.audit.command import audit_corpus, main
from synth.cli import config_dir
from synth.manifest import read_jsonl, rewrite
from synth.run import generate

PROMPTS = [
    "turn on the kitchen lights",
    "please play some relaxing music in the living room",
    "remind me to call my mother at six",
    "how far is the nearest train station from here",
]


def _generate(root, prompts: list[str], *overrides: str):
    """A real corpus of `prompts` under root/corpus, made by generate() from the composed config."""
    prompt_file = root / "prompts.txt"
    prompt_file.write_text("\n".join(prompts) + "\n")
    out = root / "corpus"
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = compose(
            config_name="config",
            overrides=["progress=false", "n_jobs=1", f"prompts.path={prompt_file}", f"output.dir={out}", *overrides],
        )
    GlobalHydra.instance().clear()
    generate(cfg)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Four prompts in eSpeak NG voices, each as a clean row and a noisy row (pink noise, 10-20 dB):
    prosody at 1.0, whose labels this code writes truthfully for eSpeak NG."""
    return _generate(
        tmp_path_factory.mktemp("audit"),
        PROMPTS,
        "voices.per_prompt=1",
        "voices.prosody.pitch=[1,1]",
        "voices.prosody.rate=[1,1]",
        "augment.paired=true",
        "+augment.steps.noise={snr_db: [10, 20], kinds: [pink]}",
    )


@pytest.fixture
def copy(corpus, tmp_path):
    """A private copy of the corpus to plant a defect in."""
    target = tmp_path / "corpus"
    shutil.copytree(corpus, target)
    return target


def _rows(root):
    return list(read_jsonl(root / "manifest.jsonl"))


def _edit(root, row_id, change):
    rows = _rows(root)
    for row in rows:
        if row["id"] == row_id:
            change(row)
    rewrite(root / "manifest.jsonl", rows)


def _failures(report, row_id):
    return [f for r in report["failing_rows"] if r["id"] == row_id for f in r["failures"]]


def _clean_row(root, index=1):
    return [r for r in _rows(root) if not r["augment"]][index]


def test_a_correct_corpus_passes(corpus, capsys):
    assert main([str(corpus), "--sample", "0", "--no-wer"]) == 0
    assert "PASSED" in capsys.readouterr().out
    report = audit_corpus(corpus, None, recognize=False)
    figures = report["groups"]["engine=espeak"]
    assert figures["rows"] == 8 and figures["failed"] == 0
    assert figures["label_beats_impostors"] == 1.0  # every true transcript out-scores every impostor
    assert figures["word_start_error_median_ms"] < 25
    assert abs(figures["snr_error_median_db"]) < 0.5  # noise only: the file's SNR is the mixing SNR


def test_silence_gap_inside_a_word(copy):
    row = _clean_row(copy)
    word = max((w for w in row["words"] if not w.get("estimated")), key=lambda w: w["end"] - w["start"])
    path = copy / row["audio_filepath"]
    audio, rate = sf.read(path, dtype="int16")
    middle = int((word["start"] + word["end"]) / 2 * rate)
    audio[middle - int(0.05 * rate) : middle + int(0.05 * rate)] = 0  # 100 ms of digital silence
    sf.write(path, audio, rate, subtype="PCM_16", format="FLAC")
    _edit(copy, row["id"], lambda r: r.update(sha256=sha256_file(path)))
    assert silence.zero_runs(sf.read(path, dtype="int16")[0], rate, 0.03)  # the gap is there...
    failures = _failures(audit_corpus(copy, None, recognize=False, prosody=False), row["id"])
    assert [f["label"] for f in failures] == ["transcript"]  # ...and it is a transcript failure
    assert "digital silence" in failures[0]["reason"]


def test_word_times_shifted_by_80_ms(copy, capsys):
    row = _clean_row(copy, 2)

    def shift(r):
        for w in r["words"]:
            w["start"], w["end"] = round(w["start"] + 0.08, 3), round(w["end"] + 0.08, 3)

    _edit(copy, row["id"], shift)
    assert main([str(copy), "--sample", "0", "--no-wer", "--no-prosody"]) == 1
    out = capsys.readouterr().out
    assert f"{row['id']}  words: word starts are a median" in out and "ms late" in out


def test_pitch_label_off_by_20_percent(copy):
    row = _clean_row(copy, 0)
    _edit(copy, row["id"], lambda r: r["prosody"].update(pitch=1.2))
    failures = _failures(audit_corpus(copy, None, recognize=False), row["id"])
    assert [f["label"] for f in failures] == ["prosody.pitch"]
    assert "labelled 1.2 but realizes 1.0" in failures[0]["reason"]


def test_wrong_transcript(copy):
    rows = [r for r in _rows(copy) if not r["augment"]]
    victim, other = rows[3], rows[0]

    def swap(r):
        r["transcript"] = other["transcript"]
        r["words"] = None  # only the transcript is wrong: no word times to disagree with it

    _edit(copy, victim["id"], swap)
    failures = _failures(audit_corpus(copy, None, recognize=False, prosody=False), victim["id"])
    assert failures and {f["label"] for f in failures} == {"transcript"}


def test_mislabelled_snr(copy):
    row = next(r for r in _rows(copy) if r["augment"])
    claimed = row["file_snr_db"]  # the delivered file's SNR, the label the audit checks
    assert abs(claimed - row["augment"][0]["params"]["snr_db_at_mix"]) < 0.5  # noise was the last step

    def mislabel(r):
        r["file_snr_db"] = round(claimed + 10, 3)

    _edit(copy, row["id"], mislabel)
    report = audit_corpus(copy, None, recognize=False, prosody=False)
    failures = _failures(report, row["id"])
    assert [f["label"] for f in failures] == ["file_snr_db"]
    assert f"labelled {claimed + 10:g} dB" in failures[0]["reason"]
    assert not report["passed"]


def test_older_corpus_snr_label_is_still_checked(copy):
    """A corpus written before `file_snr_db` and the rename to `snr_db_at_mix`: the noise step's
    `snr_db` is the claim, and a false one is found (the check must not vanish with a key name)."""
    row = next(r for r in _rows(copy) if r["augment"])

    def older(r):
        r.pop("file_snr_db", None)
        params = r["augment"][0]["params"]
        params["snr_db"] = round(params.pop("snr_db_at_mix") - 8, 3)

    _edit(copy, row["id"], older)
    report = audit_corpus(copy, None, recognize=False, prosody=False)
    assert [f["label"] for f in _failures(report, row["id"])] == ["augment.noise.snr_db"]
    assert report["groups"]["engine=espeak"]["snr_error_median_db"] is not None


def test_a_wrong_checksum_or_a_missing_file_is_reported(copy, capsys):
    rows = _rows(copy)
    _edit(copy, rows[0]["id"], lambda r: r.update(sha256="0" * 64))
    (copy / rows[1]["audio_filepath"]).unlink()
    report = audit_corpus(copy, None, recognize=False, prosody=False)
    assert [f["label"] for f in _failures(report, rows[0]["id"])] == ["sha256"]
    assert [f["label"] for f in _failures(report, rows[1]["id"])] == ["audio_filepath"]
    assert main([str(copy / "nothere")]) == 2 and "no manifest.jsonl" in capsys.readouterr().err
    assert main([str(copy), "--sample", "-1"]) == 2


def test_json_report_and_sample_keep_pairs_together(corpus, tmp_path):
    out = tmp_path / "audit.json"
    assert main([str(corpus), "--sample", "2", "--seed", "3", "--no-wer", "--no-prosody", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["rows_audited"] == 4 and report["rows_in_corpus"] == 8  # 2 items: their clean and noisy rows
    assert report["passed"] and np.isfinite(report["groups"]["engine=espeak"]["impostor_margin_median"])


ONE_VOICE_PER_ENGINE = [
    "rhvoice-en-us-bdl",
    "flite-en-scotland-awb",
    "festival-us-slt-hts",
    "pico-en-us",
    "kokoro-jm-kumo",
    "hibari-heart",
    "piper-en-us-joe-medium",
    "mb-us1",
    "espeak-en-us-f3",
]


@pytest.mark.slow
def test_every_engine_is_measured(tmp_path):
    """The audit listens to every engine: transcripts scored, word times compared where the engine
    gave them, prosody re-rendered in the same voice. (Whether each engine's labels hold is what the
    audit reports; benchmarks/RESULTS.md has the figures.)"""
    out = _generate(
        tmp_path,
        PROMPTS[:2],
        "voices.catalog=[natural_en,mbrola_en,espeak_en]",
        f"voices.ids=[{','.join(ONE_VOICE_PER_ENGINE)}]",
        f"voices.per_prompt={len(ONE_VOICE_PER_ENGINE)}",
    )
    report = audit_corpus(out, None, recognize=False)
    engines = {k[7:]: g for k, g in report["groups"].items() if k.startswith("engine=")}
    assert set(engines) == {"rhvoice", "flite", "festival", "pico", "kokoro", "hibari", "piper", "mbrola", "espeak"}
    for name, figures in engines.items():
        assert figures["rows"] == 2 and figures["impostor_margin_median"] is not None, name
    assert not any("cannot re-render" in why for why in report["not_measured"])
    rows = {r["id"]: r for r in _rows(out)}
    timed = {r["speaker"]["engine"] for r in rows.values() if r["words"] and r["words"][0].get("source") != "aligner"}
    for name in timed:  # engines with their own word times get them compared
        assert engines[name]["word_start_error_median_ms"] is not None, name


def test_edge_silence_does_not_decide_the_transcript_test(corpus):
    """MBROLA writes leading and trailing silence as exact zeros. In the pause-free comparison every
    frame must be a phone, so without trimming, how well a transcript's first and last phones imitate
    silence decided the test: 400 ms of zeros at each end cut true labels' margins by 5-40 per frame
    on eSpeak NG and made MBROLA's true labels lose. The margin must be the speech's, padded or not."""
    from synth.audit.alignment import ScoringAligner, against_impostors, impostors

    aligner = ScoringAligner()
    rows = [r for r in _rows(corpus) if not r["augment"]]
    pool = sorted({r["transcript"] for r in rows})
    for row in rows:
        audio, rate = sf.read(corpus / row["audio_filepath"], dtype="float32")
        padded = np.concatenate([np.zeros(int(0.4 * rate), np.float32), audio, np.zeros(int(0.4 * rate), np.float32)])
        others = impostors(row["transcript"], pool, row["id"])
        plain = against_impostors(aligner, aligner.pcm(audio, rate), row["transcript"], others).margin
        edged = against_impostors(aligner, aligner.pcm(padded, rate), row["transcript"], others).margin
        assert plain > 1 and edged > 1, (row["id"], plain, edged)
        assert abs(edged - plain) < 3, (row["id"], plain, edged)  # the silence adds nothing either way
