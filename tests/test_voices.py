"""Tests for the voice catalogs (voices/*.yaml, voices.catalog) and voices.assign."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from synth.voice_selection import voices_command as voices_cli
from voices import (
    CatalogError,
    Voice,
    VoiceAssigner,
    catalog_names,
    list_voices_table,
    load_catalog,
    select_voices,
)

ACCENTS = {
    "en-us",
    "en-gb",
    "en-gb-x-rp",
    "en-gb-scotland",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
}
NOVELTY = {"whisper", "whisperf", "croak", "Demonic", "UniRobot", "anikaRobot", "announcer"}
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def espeak_voices() -> list[Voice]:
    return load_catalog("espeak_en")


def _espeak_data() -> Path:
    loader = pytest.importorskip("espeakng_loader")
    return Path(loader.get_data_path())


def _parse_header(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if parts and not parts[0].startswith("//"):
            out.setdefault(parts[0], []).append(" ".join(parts[1:]))
    return out


# --------------------------------------------------------------------------- shipped catalog


def test_catalog_names_lists_shipped_yaml():
    assert "espeak_en" in catalog_names()


def test_espeak_catalog_loads_with_all_fields(espeak_voices):
    assert 40 <= len(espeak_voices) <= 60
    assert len({v.id for v in espeak_voices}) == len(espeak_voices)
    for v in espeak_voices:
        assert v.engine == "espeak"
        assert v.language == "en"
        assert v.license == "GPL-3.0-or-later (eSpeak NG)"
        assert v.gender in ("female", "male")
        assert v.accent in ACCENTS
        assert v.accent_name and v.locale.startswith("en-")
        assert v.id.startswith("espeak-") and v.id.endswith(v.engine_voice.split("+")[1])
        assert v.extra == {}


def test_espeak_catalog_covers_8_accents_and_both_genders(espeak_voices):
    assert {v.accent for v in espeak_voices} == ACCENTS
    per = Counter((v.accent, v.gender) for v in espeak_voices)
    for accent in ACCENTS:
        assert per[(accent, "female")] == per[(accent, "male")] >= 2
    # one human-readable name and one locale per accent
    for accent in ACCENTS:
        assert len({(v.accent_name, v.locale) for v in espeak_voices if v.accent == accent}) == 1


def test_espeak_engine_voices_exist_in_espeak_ng_data(espeak_voices):
    data = _espeak_data()
    lang_files = {p.name.lower(): p for p in (data / "lang").rglob("*") if p.is_file()}
    variant_dir = data / "voices" / "!v"
    for v in espeak_voices:
        lang, sep, variant = v.engine_voice.partition("+")
        assert sep == "+" and lang == lang.lower(), v.engine_voice
        # language voice: a file under lang/ (eSpeak matches the name case-insensitively)
        assert lang in lang_files, f"{v.id}: no language voice file {lang!r} under {data / 'lang'}"
        header = _parse_header(lang_files[lang])
        languages = [entry.split()[0] for entry in header.get("language", [])]
        assert v.accent in languages, f"{v.id}: {lang_files[lang]} declares languages {languages}"
        # variant: exact file name under voices/!v/ with a matching gender line
        vfile = variant_dir / variant
        assert vfile.is_file(), f"{v.id}: no variant file {vfile}"
        assert variant not in NOVELTY
        genders = _parse_header(vfile).get("gender", [])
        assert genders and genders[0].split()[0].lower() == v.gender, f"{v.id}: {vfile} says gender {genders}"


def test_espeak_engine_voices_resolve_in_libespeak_ng(espeak_voices):
    """espeak_SetVoiceByName(engine_voice) must succeed and select that language file + variant.

    Runs in a subprocess so the library's global state never leaks into other tests.
    """
    loader = pytest.importorskip("espeakng_loader")
    script = textwrap.dedent(
        """
        import ctypes, json, sys
        import espeakng_loader as L
        lib = ctypes.cdll.LoadLibrary(L.get_library_path())
        class V(ctypes.Structure):
            _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p),
                        ("identifier", ctypes.c_char_p), ("gender", ctypes.c_ubyte),
                        ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                        ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]
        lib.espeak_GetCurrentVoice.restype = ctypes.POINTER(V)
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        if lib.espeak_Initialize(2, 0, L.get_data_path().encode(), 0) <= 0:
            sys.exit("espeak_Initialize failed")
        out = {}
        for name in json.loads(sys.stdin.read()):
            rc = lib.espeak_SetVoiceByName(name.encode())
            cur = lib.espeak_GetCurrentVoice().contents
            out[name] = [rc, cur.identifier.decode()]
        print(json.dumps(out))
        """
    )
    names = [v.engine_voice for v in espeak_voices] + ["en-gb+f1"]
    proc = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(names), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for v in espeak_voices:
        rc, identifier = result[v.engine_voice]
        assert rc == 0, f"{v.id}: espeak_SetVoiceByName({v.engine_voice!r}) returned {rc}"
        assert identifier.lower().split("/")[-1] == v.engine_voice, (v.id, identifier)
    # sanity check of the test itself: the tempting "en-gb" spelling does not exist in eSpeak NG
    assert result["en-gb+f1"][0] != 0
    assert loader  # keep linters quiet


# --------------------------------------------------------------------------- validation


def _write(tmp_path: Path, text: str, name: str = "cat.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


GOOD_ENTRY = """\
  - id: {id}
    engine: espeak
    engine_voice: en-us+f1
    language: en
    locale: en-US
    accent: en-us
    accent_name: General American
    gender: {gender}
    license: GPL-3.0-or-later
"""


def test_load_catalog_from_path_plain_list(tmp_path):
    p = _write(tmp_path, "".join(GOOD_ENTRY.format(id=i, gender="female") for i in ("a", "b-2")))
    voices = load_catalog(str(p))
    assert [v.id for v in voices] == ["a", "b-2"]
    assert load_catalog(p) == voices  # Path objects too


def test_defaults_and_extra(tmp_path):
    p = _write(
        tmp_path,
        """\
        defaults:
          engine: piper
          language: en
          license: MIT
          speaker: 0
        voices:
          - {id: v1, engine_voice: model-a, locale: en-GB, accent: en-gb, accent_name: British, gender: male}
          - {id: v2, engine_voice: model-a, locale: en-GB, accent: en-gb, accent_name: British, gender: female,
             license: CC-BY-4.0, speaker: 3, extra: {length_scale: 1.1}}
        """,
    )
    v1, v2 = load_catalog(p)
    assert (v1.engine, v1.license, v1.extra) == ("piper", "MIT", {"speaker": 0})
    assert v2.license == "CC-BY-4.0"
    assert v2.extra == {"speaker": 3, "length_scale": 1.1}
    assert hash(v1) != hash(v2)  # hashable despite the dict field


def test_missing_field_error_names_file_entry_and_field(tmp_path):
    text = GOOD_ENTRY.format(id="ok", gender="male") + GOOD_ENTRY.format(id="nolic", gender="male").replace(
        "    license: GPL-3.0-or-later\n", ""
    )
    p = _write(tmp_path, text)
    with pytest.raises(CatalogError) as exc:
        load_catalog(str(p))
    msg = str(exc.value)
    assert str(p) in msg
    assert "entry 1" in msg and "'nolic'" in msg
    assert "missing required field 'license'" in msg


def test_duplicate_id_error(tmp_path):
    p = _write(tmp_path, GOOD_ENTRY.format(id="same", gender="male") + GOOD_ENTRY.format(id="same", gender="female"))
    with pytest.raises(
        CatalogError, match=r"entry 1 \(id 'same'\): field 'id': duplicate id 'same' \(first used by entry 0\)"
    ) as exc:
        load_catalog(p)
    assert str(p) in str(exc.value)


def test_bad_gender_error(tmp_path):
    p = _write(tmp_path, GOOD_ENTRY.format(id="x", gender="robot"))
    with pytest.raises(CatalogError) as exc:
        load_catalog(p)
    msg = str(exc.value)
    assert str(p) in msg and "entry 0 (id 'x')" in msg
    assert "field 'gender' must be one of female, male, got 'robot'" in msg


def test_bad_id_and_non_string_field_errors_are_all_reported(tmp_path):
    text = GOOD_ENTRY.format(id="'has space'", gender="male") + GOOD_ENTRY.format(id="y", gender="male").replace(
        "locale: en-US", "locale: 42"
    )
    p = _write(tmp_path, text)
    with pytest.raises(CatalogError) as exc:
        load_catalog(p)
    msg = str(exc.value)
    assert msg.startswith("2 errors")
    assert "field 'id' must match [A-Za-z0-9_-]+, got 'has space'" in msg
    assert "entry 1 (id 'y'): field 'locale' must be a non-empty string, got 42" in msg


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("voices: [\n", "invalid YAML"),
        ("foo: 1\nvoices: []\n", "unknown top-level key(s) foo"),
        ("defaults: {engine: x}\n", "missing top-level 'voices'"),
        ("[]\n", "no voice entries"),
        ("- just a string\n", "entry 0: expected a mapping"),
        ("defaults: [1]\nvoices: [{id: a}]\n", "'defaults' must be a mapping"),
    ],
)
def test_malformed_catalogs(tmp_path, text, fragment):
    p = _write(tmp_path, text)
    with pytest.raises(CatalogError) as exc:
        load_catalog(p)
    assert fragment in str(exc.value) and str(p) in str(exc.value)


def test_unknown_catalog_name_and_missing_file(tmp_path):
    with pytest.raises(CatalogError, match=r"unknown catalog 'nope'; known: .*espeak_en"):
        load_catalog("nope")
    with pytest.raises(CatalogError, match="catalog file not found"):
        load_catalog(str(tmp_path / "missing.yaml"))


# --------------------------------------------------------------------------- selection


def test_select_voices_filters(espeak_voices):
    sel = select_voices(espeak_voices, accents=["en-us", "en-029"], genders="female")
    assert {v.accent for v in sel} == {"en-us", "en-029"} and {v.gender for v in sel} == {"female"}
    assert len(sel) == 6
    assert select_voices(espeak_voices) == espeak_voices
    ids = ["espeak-en-us-f1", "espeak-en-gb-m4"]
    assert [v.id for v in select_voices(espeak_voices, ids=ids)] == ids


def test_select_unknown_values_list_known(espeak_voices):
    with pytest.raises(CatalogError) as exc:
        select_voices(espeak_voices, accents=["en-us", "en-xx"])
    assert str(exc.value) == (
        "unknown accent 'en-xx'; known: en-029, en-gb, en-gb-scotland, en-gb-x-gbclan, "
        "en-gb-x-gbcwmd, en-gb-x-rp, en-us, en-us-nyc"
    )
    with pytest.raises(CatalogError, match=r"^unknown gender 'other'; known: female, male$"):
        select_voices(espeak_voices, genders=["other"])
    with pytest.raises(CatalogError, match=r"^unknown voice id 'nope'; known: espeak-en-029-f1, .*espeak-en-us-nyc-m3"):
        select_voices(espeak_voices, ids="nope")


def test_select_empty_result_raises(espeak_voices):
    with pytest.raises(CatalogError, match="no voices match"):
        select_voices(espeak_voices, genders="female", ids=["espeak-en-us-m1"])


# --------------------------------------------------------------------------- Voice / table / CLI


def test_to_speaker(espeak_voices):
    v = next(v for v in espeak_voices if v.id == "espeak-en-us-f3")
    assert v.to_speaker() == {
        "id": "espeak-en-us-f3",
        "engine": "espeak",
        "voice": "en-us+f3",
        "accent": "en-us",
        "gender": "female",
        "locale": "en-US",
        "license": "GPL-3.0-or-later (eSpeak NG)",
        "commercial_use": True,
    }


def test_list_voices_table_aligned(espeak_voices):
    table = list_voices_table(espeak_voices)
    lines = table.splitlines()
    assert lines[0].split() == ["id", "accent", "gender", "locale", "engine_voice", "license"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + len(espeak_voices)
    col = lines[0].index("engine_voice")
    for line, v in zip(lines[2:], espeak_voices):
        assert line.startswith(v.id)
        assert line[col:].startswith(v.engine_voice)
        assert line.endswith(v.license)


def test_cli(capsys):
    assert voices_cli(["espeak_en", "--accent", "en-029", "--gender", "male"]) == 0
    out = capsys.readouterr().out
    assert "espeak-en-029-m5" in out and "female" not in out and "3 voices, 1 accents" in out
    assert voices_cli(["--accent", "en-xx"]) == 2
    assert "unknown accent 'en-xx'" in capsys.readouterr().err


# --------------------------------------------------------------------------- assignment


def _run(assigner: VoiceAssigner, start: int, n: int) -> list[list[Voice]]:
    return [assigner.voices_for(i) for i in range(start, start + n)]


def _assert_balanced(voices: list[Voice], prompts: list[list[Voice]], per_prompt: int) -> None:
    flat = [v for p in prompts for v in p]
    n_slots = len(prompts) * per_prompt
    assert len(flat) == n_slots
    accents = sorted({v.accent for v in voices})
    expected = n_slots / len(accents)
    acc_counts = Counter(v.accent for v in flat)
    for a in accents:
        assert abs(acc_counts[a] - expected) <= 1, (a, acc_counts[a], expected)
    # gender overall and within each accent
    g = Counter(v.gender for v in flat)
    assert abs(g["female"] - g["male"]) <= 2, g
    for a in accents:
        ga = Counter(v.gender for v in flat if v.accent == a)
        assert abs(ga["female"] - ga["male"]) <= 1, (a, ga)
        # every voice of the accent used equally (+-1)
        k = sum(1 for v in voices if v.accent == a)
        vc = Counter(v.id for v in flat if v.accent == a)
        assert len(vc) == k
        assert max(vc.values()) - min(vc.values()) <= 1, (a, vc)


@pytest.mark.parametrize("per_prompt", [1, 3, 8, 10])
@pytest.mark.parametrize("seed", [0, 12345])
def test_assignment_balanced_and_distinct(espeak_voices, per_prompt, seed):
    assigner = VoiceAssigner(espeak_voices, per_prompt=per_prompt, seed=seed)
    prompts = _run(assigner, 0, 1000)
    for p in prompts:
        assert len(p) == per_prompt
        assert len({v.id for v in p}) == per_prompt
    _assert_balanced(espeak_voices, prompts, per_prompt)
    # any run of consecutive prompts is balanced too, not only from prompt 0
    rnd = random.Random(seed)
    for _ in range(20):
        start, length = rnd.randrange(0, 900), rnd.randrange(1, 100)
        window = prompts[start : start + length]
        flat = [v for p in window for v in p]
        exp = len(flat) / len(ACCENTS)
        for c in Counter(v.accent for v in flat).values():
            assert abs(c - exp) <= 1
        assert all(abs(Counter(v.accent for v in flat)[a] - exp) <= 1 for a in ACCENTS)


def test_per_prompt_equal_to_all_voices_gives_every_voice(espeak_voices):
    assigner = VoiceAssigner(espeak_voices, per_prompt=len(espeak_voices), seed=3)
    for i in (0, 1, 7, 1000):
        assert sorted(v.id for v in assigner.voices_for(i)) == sorted(v.id for v in espeak_voices)


def test_assignment_deterministic_and_order_independent(espeak_voices):
    a1 = VoiceAssigner(espeak_voices, per_prompt=3, seed=42)
    forward = {i: [v.id for v in a1.voices_for(i)] for i in range(300)}
    a2 = VoiceAssigner(list(reversed(espeak_voices)), per_prompt=3, seed=42)  # input order irrelevant too
    order = list(range(300))
    random.Random(1).shuffle(order)
    shuffled = {i: [v.id for v in a2.voices_for(i)] for i in order}
    assert shuffled == forward
    # repeated calls on the same instance
    assert [v.id for v in a1.voices_for(123)] == forward[123]
    # sharded: large, arbitrary indices are cheap and stable
    assert a1.voices_for(10**12) == a2.voices_for(10**12)


def test_assignment_stable_across_processes(espeak_voices):
    """No dependence on Python's salted hash(): a fresh interpreter with another hash seed agrees."""
    code = (
        "import json; from voices import load_catalog, VoiceAssigner; "
        "a = VoiceAssigner(load_catalog('espeak_en'), per_prompt=3, seed=7); "
        "print(json.dumps([[v.id for v in a.voices_for(i)] for i in (0, 1, 2, 99, 5000)]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    a = VoiceAssigner(espeak_voices, per_prompt=3, seed=7)
    assert json.loads(out.stdout) == [[v.id for v in a.voices_for(i)] for i in (0, 1, 2, 99, 5000)]


def test_different_seeds_differ(espeak_voices):
    runs = {
        seed: [[v.id for v in p] for p in _run(VoiceAssigner(espeak_voices, per_prompt=1, seed=seed), 0, 50)]
        for seed in range(5)
    }
    assert len({json.dumps(r) for r in runs.values()}) == 5


def test_uneven_accent_sizes_still_balanced(espeak_voices):
    voices = select_voices(
        espeak_voices,
        ids=[v.id for v in espeak_voices if v.accent == "en-us"]  # 6 voices
        + ["espeak-en-gb-f1", "espeak-en-gb-m4"]  # 2 voices
        + ["espeak-en-029-f1", "espeak-en-029-f4", "espeak-en-029-m5", "espeak-en-029-m6"],  # 4 voices
    )
    for per_prompt in (1, 2, 3, 6):
        assigner = VoiceAssigner(voices, per_prompt=per_prompt, seed=9)
        prompts = _run(assigner, 0, 1000)
        assert all(len({v.id for v in p}) == per_prompt for p in prompts)
        _assert_balanced(voices, prompts, per_prompt)


def test_distinct_even_when_one_accent_is_too_small(espeak_voices):
    """ceil(per_prompt / accents) > voices of an accent: balance is impossible, distinctness is kept."""
    voices = select_voices(
        espeak_voices, ids=["espeak-en-gb-f1"] + [v.id for v in espeak_voices if v.accent == "en-us"]
    )
    for per_prompt in range(1, len(voices) + 1):
        assigner = VoiceAssigner(voices, per_prompt=per_prompt, seed=5)
        for i in range(200):
            got = assigner.voices_for(i)
            assert len(got) == per_prompt and len({v.id for v in got}) == per_prompt
            assert got == assigner.voices_for(i)
    # and when feasible (per_prompt <= 2 with 2 accents) the small accent gets exactly its share
    flat = [v for i in range(1000) for v in VoiceAssigner(voices, per_prompt=2, seed=5).voices_for(i)]
    assert Counter(v.accent for v in flat) == {"en-gb": 1000, "en-us": 1000}


def test_single_voice_and_more_prompts_than_accents(espeak_voices):
    one = select_voices(espeak_voices, ids="espeak-en-us-f1")
    assert VoiceAssigner(one, per_prompt=1, seed=0).voices_for(17) == one
    # per_prompt larger than the number of accents (2 accents, 12 voices, 9 per prompt)
    two = select_voices(espeak_voices, accents=["en-gb", "en-029"])
    a = VoiceAssigner(two, per_prompt=9, seed=1)
    prompts = _run(a, 0, 1000)
    assert all(len({v.id for v in p}) == 9 for p in prompts)
    _assert_balanced(two, prompts, 9)
    assert math.isclose(sum(len(p) for p in prompts), 9000)


@pytest.mark.parametrize("per_prompt", [0, -1, 49])
def test_per_prompt_out_of_range(espeak_voices, per_prompt):
    with pytest.raises(
        CatalogError,
        match=rf"voices per prompt must be between 1 and the number of selected voices \(48\), got {per_prompt}",
    ):
        VoiceAssigner(espeak_voices, per_prompt=per_prompt, seed=0)


def test_assigner_rejects_bad_input(espeak_voices):
    with pytest.raises(CatalogError, match="empty"):
        VoiceAssigner([], per_prompt=1, seed=0)
    with pytest.raises(CatalogError, match="duplicate voice ids espeak-en-us-f1"):
        VoiceAssigner(espeak_voices[:1] * 2, per_prompt=1, seed=0)
    a = VoiceAssigner(espeak_voices, per_prompt=1, seed=0)
    with pytest.raises(ValueError):
        a.voices_for(-1)
