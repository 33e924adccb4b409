"""Accent codes are shown with their names wherever a person reads them: `python -m voices`, the
dataset card (and its plot), the review page (tests/test_review_page.py)."""

import os
import subprocess
import sys

import pytest
import yaml

from synth.report.plots import accent_counts, bar_figure
from synth.report.stats import gather
from synth.run import generate
from tests.conftest import REPO
from voices.accent_names import accent_label, shipped_accent_names
from voices.catalog import catalog_names


def _voices(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "voices", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_every_shipped_accent_code_has_the_name_its_catalog_gives():
    names = shipped_accent_names()
    for catalog in catalog_names():
        data = yaml.safe_load((REPO / "voices" / f"{catalog}.yaml").read_text())
        defaults = data.get("defaults") or {}
        for voice in data["voices"]:
            code = voice.get("accent", defaults.get("accent"))
            assert names.get(code), f"{catalog}: {code} has no name"
    assert accent_label("en-029") == "en-029 (Caribbean English)"
    assert accent_label("en-gb-x-gbcwmd") == "en-gb-x-gbcwmd (West Midlands English)"
    assert accent_label("xx-unknown") == "xx-unknown"


def test_voices_table_names_the_accents_even_beside_a_voices_folder(tmp_path):
    (tmp_path / "voices").mkdir()  # e.g. the user's own catalogs: it must not hide the shipped ones
    done = _voices("espeak_en", "--accent", "en-029", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    header, _, *rows = done.stdout.split("\n\n")[0].splitlines()
    assert header.split()[:3] == ["id", "accent", "accent_name"]
    assert len(rows) == 6 and all("en-029  Caribbean English" in r for r in rows)


@pytest.fixture
def corpus(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "c"
    generate(compose_cfg(f"prompts.path={small_prompts}", f"output.dir={out}", "n_jobs=1", "executor=serial"))
    return out


def test_dataset_card_names_each_accent(corpus):
    card = (corpus / "report" / "README.md").read_text()
    section = card.split("## By accent", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| en")]
    assert "| accent | utterances | hours | voices | name |" in section and rows
    for row in rows:
        code, name = row.strip("|").split("|")[0].strip(), row.strip("|").split("|")[-1].strip()
        assert name == shipped_accent_names()[code]


def test_accent_plot_names_each_accent(corpus):
    assert (corpus / "report" / "accent_counts.png").stat().st_size > 0
    stats = gather(corpus)
    figure = bar_figure(accent_counts(stats), "Utterances by accent")  # what report/accent_counts.png is drawn from
    ticks = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    names = shipped_accent_names()
    assert sorted(ticks) == sorted(f"{code} ({names[code]})" for code in stats.by["accent"])
    assert len(ticks) >= 2  # the small prompt set spreads over several accents
