"""The dataset card: its tables count what the manifest holds, its plots are real PNGs."""

import json
import re
import shutil
from collections import Counter

import pytest
from PIL import Image

from synth.report import main, write_report
from tests.conftest import read_manifest
from tests.test_export import SPEAKER_SPLIT, augmented_corpus, make_corpus  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("report") / "corpus", *SPEAKER_SPLIT)


def hand_augmented(corpus, folder):
    """The corpus's rows with augment steps and devices written by hand, covering what a real run
    may or may not record: a measured SNR or only its target, a device or none."""
    folder.mkdir()
    shutil.copy(corpus / "config.yaml", folder / "config.yaml")
    rows = read_manifest(corpus)
    for i, row in enumerate(rows):
        if i % 3 == 0:
            row["augment"] = [
                {
                    "name": "room",
                    "params": {"rir_id": f"r{i}", "rt60": 0.2 + i / 50, "room_dim": [4, 5, 3], "distance": 1.5},
                },
                {"name": "noise", "params": {"kind": "pink", "snr_db_target": 10 + i, "snr_db": 10.2 + i}},
            ]
            row["device"] = "phone"
        elif i % 3 == 1:
            row["augment"] = [{"name": "noise", "params": {"kind": "babble", "snr_db_target": 20}}]
            row["device"] = "laptop" if i % 2 else None
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder, rows


def section(card: str, heading: str) -> str:
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", card, flags=re.M | re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def table(card: str, heading: str, which: int = 0) -> dict[str, list[str]]:
    """{first cell: other cells} of the `which`-th table under a heading."""
    tables = re.findall(r"((?:^\|.*\|\n)+)", section(card, heading), flags=re.M)
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in tables[which].splitlines()[2:]]
    return {r[0]: r[1:] for r in rows}


def counts(card: str, heading: str, which: int = 0) -> dict[str, int]:
    return {k: int(v[0]) for k, v in table(card, heading, which).items()}


def assert_png(path):
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] >= 300 and image.size[1] >= 150
        image.verify()


def test_card_counts_what_the_manifest_holds(corpus):
    card_path = write_report(corpus)
    assert card_path == corpus / "report" / "README.md"
    card, rows = card_path.read_text(), read_manifest(corpus)
    assert card.startswith("---\n") and "automatic-speech-recognition" in card
    glance = table(card, "At a glance")
    hours = next(iter(glance))
    assert float(hours) == pytest.approx(sum(r["duration"] for r in rows) / 3600, abs=1e-3)
    assert glance[hours][:3] == [str(len(rows)), str(len({r["speaker"]["id"] for r in rows})), "8"]
    assert counts(card, "By accent") == Counter(r["speaker"]["accent"] for r in rows)
    assert len(counts(card, "By accent")) == 8
    assert counts(card, "By gender") == Counter(r["speaker"]["gender"] for r in rows)
    assert counts(card, "By engine") == {"espeak": len(rows)}
    assert counts(card, "Splits") == Counter(r["split"] for r in rows)
    assert list(counts(card, "Splits")) == ["train", "dev", "test"]
    assert "speaker-disjoint" in card and "Voices in more than one split: 0." in card  # split.by=speaker
    assert counts(card, "By device profile") == {"none": len(rows)}
    assert "Clean speech" in section(card, "Augmentation")
    assert table(card, "Licences of the voices") == {
        "GPL-3.0-or-later (eSpeak NG)": [str(len({r["speaker"]["id"] for r in rows})), "espeak", "yes"]
    }
    assert "split:\n  dev: 0.2" in section(card, "Config")  # the run's config.yaml, verbatim
    assert 'one word per letter name ("7 pm" -> "seven p m")' in card  # normalize.letters=spaced, the default
    assert sorted(p.name for p in (corpus / "report").glob("*.png")) == ["accent_counts.png", "duration_hist.png"]
    for png in (corpus / "report").glob("*.png"):
        assert_png(png)
        assert f"]({png.name})" in card


def test_card_with_hand_written_augment_rows(corpus, tmp_path):
    folder, rows = hand_augmented(corpus, tmp_path / "aug")
    card = write_report(folder).read_text()
    devices = Counter(r.get("device") or "none" for r in rows)
    assert counts(card, "By device profile") == devices and set(devices) == {"phone", "laptop", "none"}
    steps = Counter(s["name"] for r in rows for s in r["augment"])
    assert counts(card, "Augmentation") == steps
    measures = counts(card, "Augmentation", which=1)
    assert measures == {
        "SNR (dB)": steps["noise"],
        "RT60 (s)": steps["room"],
    }  # target SNR counts where none was measured
    snr = [
        s["params"].get("snr_db", s["params"]["snr_db_target"])
        for r in rows
        for s in r["augment"]
        if s["name"] == "noise"
    ]
    assert table(card, "Augmentation", which=1)["SNR (dB)"][1].startswith(f"{min(snr):.2f} / ")
    assert f"Utterances with at least one step: {sum(bool(r['augment']) for r in rows)} of {len(rows)}." in card
    names = sorted(p.name for p in (folder / "report").glob("*.png"))
    assert names == ["accent_counts.png", "device_counts.png", "duration_hist.png", "rt60_hist.png", "snr_hist.png"]
    for name in names:
        assert_png(folder / "report" / name)


def test_card_of_a_real_augmented_corpus(augmented_corpus, tmp_path):
    augmented = shutil.copytree(augmented_corpus, tmp_path / "corpus", symlinks=True)
    rows = read_manifest(augmented)
    card = write_report(augmented).read_text()
    assert len({r["speaker"]["accent"] for r in rows}) > 1 and counts(card, "By accent") == Counter(
        r["speaker"]["accent"] for r in rows
    )
    assert counts(card, "By device profile") == Counter(r.get("device") or "none" for r in rows)
    roles = Counter(r["pair"]["role"] for r in rows)
    assert f"Clean/augmented pairs: {roles['clean']} clean and {roles['augmented']} augmented rows." in card
    noise = sum(1 for r in rows for s in r["augment"] if s["name"] == "noise")
    rooms = sum(1 for r in rows for s in r["augment"] if s["name"] == "room")
    assert counts(card, "Augmentation", which=1) == {"SNR (dB)": noise, "RT60 (s)": rooms}
    for name in ("duration_hist.png", "accent_counts.png", "device_counts.png"):
        assert_png(augmented / "report" / name)
    assert (augmented / "report" / "snr_hist.png").exists() == bool(noise)
    assert (augmented / "report" / "rt60_hist.png").exists() == bool(rooms)


def test_same_corpus_same_report_bytes(corpus, tmp_path):
    copy = shutil.copytree(corpus, tmp_path / "corpus")
    write_report(copy)
    first = {p.name: p.read_bytes() for p in (copy / "report").iterdir()}
    write_report(copy)
    assert {p.name: p.read_bytes() for p in (copy / "report").iterdir()} == first
    assert not [p for p in copy.iterdir() if p.name.startswith(".report")]


def test_cli(corpus, tmp_path, capsys):
    copy = shutil.copytree(corpus, tmp_path / "corpus")
    assert main([str(copy)]) == 0 and capsys.readouterr().out.strip().endswith("README.md")
    assert main([str(tmp_path / "nowhere")]) == 2 and "no manifest.jsonl" in capsys.readouterr().err
