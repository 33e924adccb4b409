"""``speechforge voices add``: catalog entries for Piper voices in a folder, or downloaded by name.

    speechforge voices add ~/piper-voices -o my_voices.yaml --gender en_US-lessac-medium=female
    speechforge voices add en_US-lessac-medium --download --voices-dir ~/piper-voices -o my_voices.yaml
    speechforge voices add en_GB-alba-medium --download --voices-dir voices/ --base-url http://mirror/piper-voices

What a Piper voice says about itself (its ``<name>.onnx.json``, and the ``MODEL_CARD`` when there is one)
is all that is written; what it does not say is not guessed:
- locale and accent come from the config's ``language.code`` (``en_US`` -> ``en-us``, ``en_GB`` -> ``en-gb``);
- gender is not in Piper's configs: it is taken from ``--gender``, or, for speakers of a VCTK-trained voice,
  from VCTK's own speaker table (voices/vctk.yaml); otherwise the entry gets a ``gender: "TODO: ..."`` value,
  which the catalog loader refuses (naming the field) until someone fills it in;
- the licence is the one the model card (or the config) names; without one the entry says so and gets
  ``commercial_use: false``.

Downloads go through Piper's own downloader (``piper.download_voices.download_voice``). piper-tts 1.8 has
no base-URL parameter: it formats the module constant ``URL_FORMAT`` at call time, so ``--base-url`` swaps
that constant's Hugging Face prefix for the duration of the call (a mirror must keep Piper's layout:
``<base>/<family>/<code>/<name>/<quality>/<code>-<name>-<quality>.onnx[.json]``). Files are downloaded
into a temporary folder inside ``--voices-dir`` and moved into place only when both arrived and the
config parses, so a failed or interrupted download never leaves a half voice that looks complete.

Merging into an existing catalog keeps its entries (and, where the file ends with its ``voices`` list,
its text and comments: new entries are appended) and refuses ids it already has.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
from pathlib import Path

import yaml

from voices.catalog import GENDERS

GENDER_TODO = "TODO: female or male (Piper's voice config does not say; fill it in or rerun with --gender)"
UNKNOWN_LICENCE = "unknown: check the voice's MODEL_CARD"
LANGUAGE_CODE = re.compile(r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Z]{2})$")
# Accents with a name shared by the other catalogs; other codes are named from the config's own words.
ACCENTS = {"en_US": ("en-us", "General American"), "en_GB": ("en-gb", "British English")}
HF_BASE = "https://huggingface.co/rhasspy/piper-voices/resolve/main"  # the prefix of piper-tts 1.8's URL_FORMAT
DOWNLOAD_TIMEOUT_S = 60.0  # per socket operation: a silent server fails instead of hanging
_URL_LOCK = threading.Lock()


class AddError(ValueError):
    """Something about the input (a folder, a voice, a catalog file) is wrong; the message says what."""


# --------------------------------------------------------------------------- reading a voice


def read_config(path: Path) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AddError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "a Piper voice config is the .onnx.json file that comes with the model"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AddError(f"{path}: cannot read the voice config: {exc}") from exc
    if not isinstance(config, dict):
        raise AddError(f"{path}: expected a JSON object (Piper's voice config), got {type(config).__name__}")
    return config


def language_fields(config: dict, config_path: Path) -> dict:
    """language, locale, accent, accent_name from the config's language code."""
    language = config.get("language") if isinstance(config.get("language"), dict) else {}
    code = language.get("code")
    match = LANGUAGE_CODE.match(code) if isinstance(code, str) else None
    if match is None:
        raise AddError(
            f"{config_path}: unknown language code {code!r} (language.code); expected <language>_<REGION> "
            f"as Piper writes it, e.g. {', '.join(ACCENTS)}"
        )
    family, region = match["family"], match["region"]
    if code in ACCENTS:
        accent, accent_name = ACCENTS[code]
    elif language.get("name_english"):
        accent = f"{family}-{region.lower()}"
        country = language.get("country_english")
        accent_name = f"{language['name_english']} ({country})" if country else str(language["name_english"])
    else:
        raise AddError(
            f"{config_path}: unknown language code {code!r}: neither one this tool names "
            f"({', '.join(ACCENTS)}) nor described by language.name_english in the config"
        )
    return {"language": family, "locale": f"{family}-{region}", "accent": accent, "accent_name": accent_name}


def model_card(model: Path) -> Path | None:
    """The voice's model card: ``<name>.MODEL_CARD`` beside it, or the folder's ``MODEL_CARD`` when that is its own.

    A folder's MODEL_CARD belongs to the voice its title names ("# Model card for joe (medium)"), or, untitled,
    to the folder's only voice.
    """
    own = model.with_name(f"{model.stem}.MODEL_CARD")
    if own.is_file():
        return own
    shared = model.with_name("MODEL_CARD")
    if not shared.is_file():
        return None
    text = shared.read_text(encoding="utf-8", errors="replace")
    title = re.search(r"model card for\s+(\S+)\s*\(([^)]+)\)", text, re.IGNORECASE)
    if title:
        return shared if model.stem.endswith(f"-{title[1]}-{title[2].strip()}") else None
    return shared if len(list(model.parent.glob("*.onnx"))) == 1 else None


def licence_terms(licence: str) -> tuple[str, bool]:
    """(what the terms allow, commercial use allowed) for a licence name; unknown names: (a warning, False)."""
    key = re.sub(r"[\s_]+", "-", licence.strip().lower())
    if "non-commercial" in key or "noncommercial" in key:
        return f"{licence}: non-commercial use only.", False
    if "cc0" in key or "public-domain" in key:
        return f"{licence}: no rights reserved; use for any purpose, commercial included.", True
    if key.startswith(("cc-by", "creative-commons-attribution")):
        if "nc" in key.split("-") or "noncommercial" in key:
            return f"{licence}: non-commercial use only, with attribution.", False
        if "nd" in key.split("-") or "noderivatives" in key:
            return (
                f"{licence}: attribution, no derivatives; whether a corpus made with the voice is a derivative is "
                "not settled: treat as not for commercial use until checked.",
                False,
            )
        share = " Adaptations must be shared under the same licence." if "sa" in key.split("-") else ""
        return f"{licence}: any use, commercial included, with attribution to the dataset's authors.{share}", True
    if key in ("mit", "apache-2.0", "apache-2", "bsd-2-clause", "bsd-3-clause", "isc"):
        return f"{licence}: permissive; any use, commercial included, keeping the copyright notice.", True
    return f"the licence '{licence}' is not one this tool knows: read it before using the voice.", False


def licence_fields(config: dict, model: Path, card_url: str | None = None) -> dict:
    card = model_card(model)
    card_text = card.read_text(encoding="utf-8", errors="replace") if card else ""
    named = config.get("license") or config.get("licence")
    found = re.search(r"^\W*licen[sc]e\s*:\s*(.+?)\s*$", card_text, re.IGNORECASE | re.MULTILINE)
    licence = str(named).strip() if named else (found[1] if found else None)
    if not licence:
        where = card_url or (str(card) if card else f"the MODEL_CARD that came with {model.stem}")
        return {
            "license": UNKNOWN_LICENCE,
            "license_terms": f"No licence found in {model.name}.json or a model card; read {where} before use.",
            "commercial_use": False,
        }
    terms, commercial = licence_terms(licence)
    tuned = re.search(r"fine-?tuned from\s+([^\n]+?)\.?\s*$", card_text, re.IGNORECASE | re.MULTILINE)
    if tuned:
        # The weights inherit from the base voice, whose data's terms the card does not give: not
        # marked commercial until someone checks them (the same call as voices/piper_en.yaml's joe).
        terms += (
            f" The model was fine-tuned from {tuned[1]}, whose training data carry terms of their own, not stated "
            "here: marked not commercial until checked."
        )
        commercial = False
    source = f"model card {card}" if card and not named else f"{model.name}.json"
    fields = {"license": f"{licence} (from the {source})", "license_terms": terms, "commercial_use": commercial}
    if card:
        fields["license_file"] = str(card.resolve())
    return fields


def _vctk_speakers() -> dict[str, dict]:
    """VCTK's published speaker metadata (voices/vctk.yaml), for Piper voices trained on VCTK."""
    from voices.catalog import load_catalog

    return {
        v.extra.get("speaker", v.engine_voice.rpartition("#")[2]): {
            "gender": v.gender,
            "accent": v.accent,
            "accent_name": v.accent_name,
            **{k: v.extra[k] for k in ("age", "region") if k in v.extra},
        }
        for v in load_catalog("vctk")
    }


def _entry_id(*parts: str) -> str:
    return "piper-" + "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts)


def voice_entries(model: Path, card_url: str | None = None) -> list[dict]:
    """Catalog entries for one Piper voice (one per speaker), gender left to :func:`apply_genders`."""
    config_path = Path(f"{model}.json")
    config = read_config(config_path)
    name = model.stem
    try:
        sample_rate = int(config["audio"]["sample_rate"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AddError(f"{config_path}: no audio.sample_rate; is this a Piper voice config?") from exc
    base = {
        "engine": "piper",
        **language_fields(config, config_path),
        "gender": None,
        **licence_fields(config, model, card_url),
        "sample_rate": sample_rate,
    }
    if config.get("dataset"):
        base["dataset"] = str(config["dataset"])
    if config.get("audio", {}).get("quality"):
        base["quality"] = str(config["audio"]["quality"])
    speakers = config.get("speaker_id_map") or {}
    if int(config.get("num_speakers", 1) or 1) <= 1 or not speakers:
        return [_reorder({"id": _entry_id(name), "engine_voice": name, **base})]
    vctk = _vctk_speakers() if "vctk" in str(config.get("dataset", "")).lower() else {}
    entries = []
    for speaker in sorted(speakers, key=lambda s: (speakers[s], s)):
        entry = {"id": _entry_id(name, speaker), "engine_voice": f"{name}#{speaker}", **base, "speaker": speaker}
        if speaker in vctk:
            entry.update(vctk[speaker], gender_source="VCTK speaker-info (voices/vctk.yaml)")
        entries.append(_reorder(entry))
    return entries


def _reorder(entry: dict) -> dict:
    first = ("id", "engine", "engine_voice", "language", "locale", "accent", "accent_name", "gender")
    return {**{k: entry[k] for k in first if k in entry}, **{k: v for k, v in entry.items() if k not in first}}


def find_voices(folder: Path) -> list[Path]:
    """The ``<name>.onnx`` files under `folder` (recursively) that have their ``<name>.onnx.json`` beside them."""
    if not folder.exists():
        raise AddError(f"folder not found: {folder}")
    if not folder.is_dir():
        raise AddError(f"not a folder: {folder} (give a folder of Piper voices, or a voice name with --download)")
    models = sorted(p for p in folder.glob("**/*.onnx") if p.is_file())
    paired = [m for m in models if Path(f"{m}.json").is_file()]
    if not paired:
        lonely = [str(p.relative_to(folder)) for p in models] + [
            str(p.relative_to(folder)) for p in folder.glob("**/*.onnx.json") if not p.with_suffix("").is_file()
        ]
        found = f"; found only {', '.join(lonely[:5])} without its pair" if lonely else ""
        raise AddError(f"no Piper voices in {folder}: looked for <name>.onnx with <name>.onnx.json beside it{found}")
    return paired


# --------------------------------------------------------------------------- downloading


@contextlib.contextmanager
def _piper_urls(base_url: str | None):
    """Piper's downloader module with its URL_FORMAT pointed at `base_url` (None: Piper's default) for the block."""
    try:
        from piper import download_voices
    except ImportError as exc:
        raise AddError(f"--download needs piper-tts (pip install 'speechforge-corpus[piper]'): {exc}") from exc
    if not hasattr(download_voices, "download_voice") or not hasattr(download_voices, "URL_FORMAT"):
        raise AddError("this piper-tts has no piper.download_voices.download_voice / URL_FORMAT (piper-tts 1.8 has)")
    with _URL_LOCK:
        original, timeout = download_voices.URL_FORMAT, socket.getdefaulttimeout()
        if base_url:
            if not original.startswith(HF_BASE + "/"):
                raise AddError(
                    f"--base-url: this piper-tts builds URLs as {original!r}, not under {HF_BASE}; "
                    "download the voice yourself and add its folder"
                )
            download_voices.URL_FORMAT = base_url.rstrip("/") + original[len(HF_BASE) :]
        socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)  # piper's urlopen calls pass no timeout of their own
        try:
            yield download_voices
        finally:
            download_voices.URL_FORMAT = original
            socket.setdefaulttimeout(timeout)


def download(name: str, voices_dir: Path, base_url: str | None = None, force: bool = False) -> tuple[Path, str | None]:
    """Download Piper voice `name` into `voices_dir`; returns (its .onnx, the URL of its MODEL_CARD)."""
    from urllib.error import HTTPError, URLError
    from urllib.request import urlopen

    voices_dir.mkdir(parents=True, exist_ok=True)
    model, config = voices_dir / f"{name}.onnx", voices_dir / f"{name}.onnx.json"
    with _piper_urls(base_url) as dv:
        match = dv.VOICE_PATTERN.match(name)
        if not match:
            raise AddError(
                f"not a folder, and not a Piper voice name: {name!r} "
                "(names look like <language>_<REGION>-<name>-<quality>, e.g. en_US-lessac-medium)"
            )
        args = {
            "lang_family": match["lang_family"],
            "lang_code": f"{match['lang_family']}_{match['lang_region']}",
            "voice_name": match["voice_name"],
            "voice_quality": match["voice_quality"],
        }
        url = {ext: dv.URL_FORMAT.format(extension=ext, **args) for ext in (".onnx", ".onnx.json")}
        head, sep, tail = dv.URL_FORMAT.partition("{lang_code}-{voice_name}-{voice_quality}{extension}")
        card_url = (head.format(**args) + "MODEL_CARD" + tail) if sep else None
        if not force and all(p.is_file() and p.stat().st_size for p in (model, config)):
            print(f"{name}: already in {voices_dir}, not downloaded again", file=sys.stderr)
            return model, card_url
        print(f"{name}: downloading {url['.onnx']}", file=sys.stderr)
        staging = Path(tempfile.mkdtemp(prefix=f".download-{name}-", dir=voices_dir))
        try:
            try:
                dv.download_voice(name, staging, force_redownload=True)
            except HTTPError as exc:
                raise AddError(
                    f"download of Piper voice {name!r} failed: HTTP {exc.code} {exc.reason} for "
                    f"{exc.url or exc.filename}"
                ) from exc
            except (URLError, OSError) as exc:
                at = url[".onnx.json"] if (staging / model.name).is_file() else url[".onnx"]
                reason = getattr(exc, "reason", exc)
                raise AddError(f"download of Piper voice {name!r} failed: {reason} for {at}") from exc
            except ValueError as exc:
                raise AddError(f"Piper's downloader refused {name!r}: {exc}") from exc
            read_config(staging / config.name)  # a broken config is refused before it replaces anything
            if card_url:
                try:
                    with urlopen(card_url) as response, open(staging / f"{name}.MODEL_CARD", "wb") as out:
                        shutil.copyfileobj(response, out)
                except (URLError, OSError):
                    print(f"{name}: no model card at {card_url}; its licence is left as unknown", file=sys.stderr)
            for path in sorted(staging.iterdir()):
                os.replace(path, voices_dir / path.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return model, card_url


# --------------------------------------------------------------------------- genders


def parse_genders(specs: list[str] | None) -> tuple[str | None, dict[str, str]]:
    """``--gender female`` (every voice) and ``--gender VOICE[#SPEAKER]=male`` (one voice or speaker)."""
    default, by_key = None, {}
    for spec in specs or []:
        key, sep, value = spec.rpartition("=")
        if value not in GENDERS:
            raise AddError(f"--gender {spec!r}: the gender must be one of {', '.join(GENDERS)}")
        if sep:
            by_key[key] = value
        else:
            default = value
    return default, by_key


def apply_genders(entries: list[dict], default: str | None, by_key: dict[str, str]) -> None:
    used = set()
    for e in entries:
        voice = e["engine_voice"].partition("#")[0]
        for key in (e["id"], e["engine_voice"], voice):
            if key in by_key:
                e["gender"], e["gender_source"] = by_key[key], "--gender"
                used.add(key)
                break
        else:
            if e["gender"] is None and default:
                e["gender"], e["gender_source"] = default, "--gender"
        if e["gender"] is None:
            e["gender"] = GENDER_TODO
    unused = sorted(set(by_key) - used)
    if unused:
        known = sorted({e["engine_voice"] for e in entries})
        raise AddError(f"--gender for {', '.join(unused)}: no such voice among those added; known: {', '.join(known)}")


# --------------------------------------------------------------------------- writing the catalog


def _dump(entries: list[dict], indent: str = "") -> str:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=120)
    return "".join(indent + line if line.strip() else line for line in text.splitlines(keepends=True))


def _existing_entries(data, path: Path) -> list:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("voices"), list):
        return data["voices"]
    raise AddError(
        f"{path}: not a voice catalog (a list of entries, or a mapping with a 'voices' list); write to a new file"
    )


def merged_text(path: Path, entries: list[dict], note: str) -> tuple[str, int]:
    """The catalog file's new text: the existing entries kept, `entries` added; (text, number kept)."""
    if not path.exists():
        return note + yaml.safe_dump({"voices": entries}, sort_keys=False, allow_unicode=True, width=120), 0
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AddError(
            f"{path}: the existing catalog is not valid YAML ({exc}); fix it or write to a new file"
        ) from exc
    old = _existing_entries(data, path)
    ids = [e.get("id") for e in old if isinstance(e, dict)]
    duplicates = sorted({e["id"] for e in entries} & set(ids))
    if duplicates:
        raise AddError(
            f"{path} already has voice id(s) {', '.join(duplicates)}; nothing written "
            "(remove those entries first, or write to another catalog)"
        )
    # Append as text where the voices list ends the file, so its comments and layout stay as they were.
    keys = re.findall(r"^([^\s#-][^:\n]*):", text, re.MULTILINE)
    items = re.findall(r"^( *)- ", text, re.MULTILINE)
    if old and (isinstance(data, list) or (keys and keys[-1] == "voices")) and items:
        indent = min(items, key=len)  # the voices list's own items (nested lists sit deeper)
        candidate = text.rstrip("\n") + "\n" + "".join(indent + line for line in note.splitlines(keepends=True))
        candidate += _dump(entries, indent)
        check = yaml.safe_load(candidate)
        if _existing_entries(check, path) == old + entries and (
            isinstance(data, list)
            or {k: v for k, v in check.items() if k != "voices"} == {k: v for k, v in data.items() if k != "voices"}
        ):
            return candidate, len(old)
    header = "".join(line for line in text.splitlines(keepends=True)[:50] if line.startswith("#"))
    body = {**data, "voices": old + entries} if isinstance(data, dict) else old + entries
    return header + note + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=120), len(old)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- the command


def collect(
    sources: list[str], voices_dir: Path | None, download_voices: bool, base_url: str | None, force: bool = False
) -> tuple[list[dict], list[Path]]:
    """(entries, folders the engine must search) for the command's DIR_OR_NAME arguments."""
    entries, folders = [], []
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            models, card_url = find_voices(path), None
            folders.append(path)
        elif path.suffix == ".onnx" and path.is_file():
            if not Path(f"{path}.json").is_file():
                raise AddError(f"{path}: no {path.name}.json beside it (Piper needs the voice's config)")
            models, card_url = [path], None
            folders.append(path.parent)
        elif download_voices:
            if voices_dir is None:
                raise AddError(f"--download {source}: give --voices-dir DIR, the folder to put the voice files in")
            model, card_url = download(source, voices_dir, base_url, force)
            models = [model]
            folders.append(voices_dir)
        elif voices_dir is not None and (voices_dir / f"{source}.onnx").is_file():
            models, card_url = [voices_dir / f"{source}.onnx"], None
            folders.append(voices_dir)
        elif os.sep in source or source.startswith("."):
            raise AddError(f"folder not found: {path}")
        else:
            where = f" in --voices-dir {voices_dir}" if voices_dir else ""
            raise AddError(
                f"folder not found: {source}, and no Piper voice {source}.onnx{where}; to download the "
                f"Piper voice {source!r}, add --download --voices-dir DIR"
            )
        for model in models:
            entries += voice_entries(model, card_url)
    seen: dict[str, str] = {}
    for e in entries:
        if e["id"] in seen:
            raise AddError(f"two voices would get id {e['id']!r}: {seen[e['id']]} and {e['engine_voice']}")
        seen[e["id"]] = e["engine_voice"]
    return entries, list(dict.fromkeys(f.resolve() for f in folders))


def add(
    sources: list[str],
    catalog: Path,
    voices_dir: Path | None = None,
    download_voices: bool = False,
    base_url: str | None = None,
    genders: list[str] | None = None,
    force: bool = False,
) -> list[dict]:
    """Write catalog entries for `sources` into `catalog`; returns the entries added."""
    default, by_key = parse_genders(genders)
    entries, folders = collect(sources, voices_dir, download_voices, base_url, force)
    apply_genders(entries, default, by_key)
    dirs = os.pathsep.join(str(f) for f in folders)
    note = (
        f"# Added by `speechforge voices add {' '.join(sources)}`; render with\n"
        f"#   engines.piper.voices_dir={dirs} voices.catalog={catalog}\n"
        "# accent comes from each voice's language code (en_US -> en-us, en_GB -> en-gb): correct it where the\n"
        "# speaker's accent differs (e.g. en-gb-scotland). A gender marked TODO must be filled in before use.\n"
    )
    text, _kept = merged_text(catalog, entries, note)
    write_atomic(catalog, text)
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="speechforge voices add",
        description="Write voice catalog entries for Piper voices: a folder of <name>.onnx + <name>.onnx.json "
        "files, or voice names to download with Piper's downloader (--download).",
    )
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="DIR_OR_NAME",
        help="folder of Piper voices (searched recursively), an .onnx file, or a voice name "
        "such as en_US-lessac-medium (with --download, or already in --voices-dir)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="CATALOG.yaml",
        help="catalog to write; an existing one keeps its entries (ids must not repeat)",
    )
    parser.add_argument("--voices-dir", type=Path, help="where downloaded voices go (and where names are looked up)")
    parser.add_argument("--download", action="store_true", help="download voice names with piper.download_voices")
    parser.add_argument("--base-url", help=f"voice repository to download from, in Piper's layout (default {HF_BASE})")
    parser.add_argument("--force-download", action="store_true", help="download again even if the files are there")
    parser.add_argument(
        "--gender",
        action="append",
        metavar="[VOICE[#SPEAKER]=]GENDER",
        help=f"{' or '.join(GENDERS)}, for every voice added or for one voice or speaker (repeatable)",
    )
    args = parser.parse_args(argv)
    catalog = Path(args.output).expanduser()
    try:
        entries = add(
            args.sources, catalog, args.voices_dir, args.download, args.base_url, args.gender, args.force_download
        )
    except AddError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"added {len(entries)} voice entr{'y' if len(entries) == 1 else 'ies'} to {catalog}")
    todo = [e["id"] for e in entries if e["gender"] == GENDER_TODO]
    if todo:
        print(
            f"{len(todo)} need a gender ({', '.join(todo[:5])}{' …' if len(todo) > 5 else ''}): Piper's configs "
            f"do not say. Edit the lines marked TODO in {catalog} or rerun with --gender; the catalog does not "
            "load until then.",
            file=sys.stderr,
        )
    unknown = [e["id"] for e in entries if e["license"] == UNKNOWN_LICENCE]
    if unknown:
        print(
            f"{len(unknown)} with no licence found (commercial_use: false): {', '.join(unknown[:5])}", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
