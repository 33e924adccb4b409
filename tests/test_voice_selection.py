"""The run's voices: licence filter, voices that cannot render here, and what the card says of licences."""

from __future__ import annotations

import textwrap

import pytest

from synth.run import ConfigError, generate
from synth.voice_selection import available_voices, run_voices
from tests.conftest import check_corpus
from voices.catalog import CatalogError, load_catalog, select_voices


def _write_catalog(tmp_path, body: str):
    path = tmp_path / "cat.yaml"
    path.write_text(textwrap.dedent(body))
    return path


def test_commercial_filter_keeps_only_voices_marked_commercial():
    mbrola = load_catalog("mbrola_en")
    kept = select_voices(mbrola, licenses="commercial")
    assert [v.id for v in kept] == ["mb-en1"]  # every other MBROLA database is non-commercial
    assert all(v.commercial_use is False for v in mbrola if v.id != "mb-en1")
    assert len(select_voices(load_catalog("espeak_en"), licenses="commercial")) == 48
    with pytest.raises(CatalogError, match="unknown licence filter 'free'.*known: any, commercial"):
        select_voices(mbrola, licenses="free")
    with pytest.raises(CatalogError, match="licenses=commercial"):
        select_voices(mbrola, ids=["mb-us1"], licenses="commercial")


def test_a_voice_that_does_not_say_is_not_commercial(tmp_path):
    path = _write_catalog(
        tmp_path,
        """
        defaults: {engine: espeak, language: en, locale: en-US, accent: en-us, accent_name: General American,
                   license: "GPL-3.0-or-later"}
        voices:
          - {id: says-yes, engine_voice: en-us+f3, gender: female, commercial_use: true}
          - {id: silent, engine_voice: en-us+m3, gender: male}
    """,
    )
    voices = load_catalog(path)
    assert [v.id for v in select_voices(voices, licenses="commercial")] == ["says-yes"]
    assert voices[0].to_speaker()["commercial_use"] is True and voices[1].to_speaker()["commercial_use"] is None


def test_commercial_use_must_be_a_boolean(tmp_path):
    path = _write_catalog(
        tmp_path,
        """
        - {id: v1, engine: espeak, engine_voice: en-us+f3, language: en, locale: en-US, accent: en-us,
           accent_name: General American, gender: female, license: GPL, commercial_use: "maybe"}
    """,
    )
    with pytest.raises(
        CatalogError, match="entry 0 \\(id 'v1'\\): field 'commercial_use' must be true or false, got 'maybe'"
    ):
        load_catalog(path)


def _catalog_with_a_missing_voice(tmp_path):
    return _write_catalog(
        tmp_path,
        """
        defaults: {language: en, locale: en-US, accent: en-us, accent_name: General American, license: x}
        voices:
          - {id: here, engine: espeak, engine_voice: en-us+f3, gender: female}
          - {id: not-here, engine: mbrola, engine_voice: mb-xx9-does-not-exist, gender: male}
    """,
    )


def test_unavailable_voices_stop_the_run_at_start_or_are_skipped(tmp_path, caplog):
    voices = load_catalog(_catalog_with_a_missing_voice(tmp_path))
    with pytest.raises(CatalogError) as err:
        available_voices(voices, {}, "error")
    message = str(err.value)
    assert "1 of 2 selected voices cannot render" in message and "1 mbrola voice(s) [not-here]" in message
    assert "voices.unavailable=skip" in message and "to install: sudo scripts/install_mbrola.sh" in message
    assert "\n" not in message  # one line, however many voices are missing
    assert [v.id for v in available_voices(voices, {}, "skip")] == ["here"]
    assert "left out" in caplog.text
    with pytest.raises(CatalogError, match="none of the selected voices can render"):
        available_voices(voices[1:], {}, "skip")
    with pytest.raises(CatalogError, match="voices.unavailable must be one of error, skip; got 'maybe'"):
        available_voices(voices, {}, "maybe")


def test_missing_engine_is_a_config_error_before_anything_is_written(compose_cfg, tmp_path, small_prompts):
    catalog = _catalog_with_a_missing_voice(tmp_path)
    out = tmp_path / "out"
    cfg = compose_cfg(f"voices.catalog={catalog}", f"prompts.path={small_prompts}", f"output.dir={out}", "n_jobs=1")
    with pytest.raises(ConfigError, match="not-here"):
        generate(cfg)
    assert not out.exists()


def test_licence_filter_in_a_run_and_on_the_card(compose_cfg, tmp_path, small_prompts):
    out = tmp_path / "out"
    generate(
        compose_cfg(
            "voices.catalog=[espeak_en,mbrola_en]",
            "voices.licenses=commercial",
            "voices.unavailable=skip",
            f"prompts.path={small_prompts}",
            f"output.dir={out}",
            "n_jobs=1",
        )
    )
    rows = check_corpus(out)
    assert rows and all(r["speaker"]["commercial_use"] is True for r in rows)
    assert not any(r["speaker"]["engine"] == "mbrola" and r["speaker"]["voice"] != "mb-en1" for r in rows)
    card = (out / "report" / "README.md").read_text()
    assert "Made with `voices.licenses=commercial`" in card
    assert "Every voice in this corpus is marked as allowing commercial use" in card


def test_card_warns_about_non_commercial_voices(compose_cfg, tmp_path, small_prompts):
    from synth.engines.base import voice_available

    ok, why = voice_available("mbrola", "mb-us1")
    if not ok:
        pytest.skip(f"MBROLA us1 is not installed: {why}")
    out = tmp_path / "out"
    generate(
        compose_cfg(
            "voices=mbrola_en",
            "voices.ids=[mb-us1,mb-us2]",
            "voices.per_prompt=1",
            f"prompts.path={small_prompts}",
            f"output.dir={out}",
            "n_jobs=1",
        )
    )
    card = (out / "report" / "README.md").read_text()
    assert "come from voices whose terms do not allow commercial use" in card
    assert "| no |" in card


def test_run_voices_reads_the_group_keys():
    cfg = {
        "catalog": "espeak_en",
        "accents": ["en-us"],
        "genders": None,
        "ids": None,
        "licenses": "commercial",
        "unavailable": "error",
        "speakers_per_voice": 1,
    }
    voices = run_voices(cfg, {})
    assert len(voices) == 6 and {v.accent for v in voices} == {"en-us"}


def test_a_catalog_of_catalogs(tmp_path):
    natural = load_catalog("natural_en")
    engines = {v.engine for v in natural}
    assert engines == {"rhvoice", "flite", "festival", "pico", "kokoro", "hibari", "piper"}
    assert len(natural) == sum(
        len(load_catalog(n))
        for n in ("rhvoice_en", "flite_en", "festival_en", "pico_en", "kokoro_en", "hibari_en", "piper_en")
    )
    bad = _write_catalog(tmp_path, "include: rhvoice_en\n")
    with pytest.raises(CatalogError, match="holds only 'include: \\[catalog, ...\\]'"):
        load_catalog(bad)
    missing = _write_catalog(tmp_path, "include: [no_such_catalog]\n")
    with pytest.raises(CatalogError, match="unknown catalog 'no_such_catalog'"):
        load_catalog(missing)


def test_natural_voices_make_a_deterministic_corpus(compose_cfg, tmp_path):
    """voices=natural_en end to end: every natural engine that is installed, pseudo-speakers, aligner, two workers."""
    prompts = tmp_path / "p.txt"
    prompts.write_text(
        "Turn on the kitchen lights.\nWhat's the weather like in Edinburgh tomorrow?\n"
        "Set a timer for 15 minutes.\nPlay some jazz in the living room.\n"
    )
    common = ["voices=natural_en", "voices.speakers_per_voice=2", "voices.per_prompt=5", f"prompts.path={prompts}"]
    generate(compose_cfg(*common, "n_jobs=2", f"output.dir={tmp_path / 'two'}"))
    generate(compose_cfg(*common, "n_jobs=1", f"output.dir={tmp_path / 'one'}", "output.report=false"))
    assert (tmp_path / "one" / "manifest.jsonl").read_bytes() == (tmp_path / "two" / "manifest.jsonl").read_bytes()
    rows = check_corpus(tmp_path / "two")
    assert len(rows) == 20 and len({r["speaker"]["id"] for r in rows}) >= 15  # 5 distinct per prompt
    assert len({r["speaker"]["engine"] for r in rows}) >= 4 and len({r["speaker"]["accent"] for r in rows}) >= 4
    for r in rows:
        assert r["words"] is not None and "base_voice" in r["speaker"] and "perturbation" in r["speaker"]


def test_no_derivatives_voices_are_not_turned_into_pseudo_speakers():
    cfg = {
        "catalog": "rhvoice_en",
        "accents": None,
        "genders": None,
        "ids": None,
        "licenses": "any",
        "unavailable": "skip",
        "speakers_per_voice": 3,
    }
    voices = run_voices(cfg, {})
    by_base = {}
    for v in voices:
        by_base.setdefault(v.extra["base_voice"], []).append(v.id)
    assert by_base["rhvoice-en-x-ru-lyubov"] == ["rhvoice-en-x-ru-lyubov"]  # CC-BY-NC-ND: one speaker only
    assert len(by_base["rhvoice-en-us-bdl"]) == 3


def test_catalogs_of_catalogs_are_not_listed_twice():
    from voices.catalog import catalog_names, load_catalogs

    assert "natural_en" not in catalog_names() and "natural_en" in catalog_names(aggregates=True)
    assert len(load_catalogs(catalog_names())) == len({v.id for v in load_catalogs(catalog_names())})
