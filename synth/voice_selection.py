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
        shown = "\n  ".join(f"{v.id} ({v.engine}): {why}" for v, why in missing[:12])
        more = f"\n  … and {len(missing) - 12} more" if len(missing) > 12 else ""
        raise CatalogError(
            f"{len(missing)} of {len(voices)} selected voices cannot render on this machine:\n  {shown}{more}\n"
            "Install what they need (scripts/install_voices.sh; `python -m voices --available` lists what works), "
            "or leave them out with voices.unavailable=skip"
        )
    for engine in sorted({v.engine for v, _ in missing}):
        reasons = sorted({why for v, why in missing if v.engine == engine})
        count = sum(1 for v, _ in missing if v.engine == engine)
        log.warning("voices.unavailable=skip: %d %s voice(s) left out: %s", count, engine, "; ".join(reasons)[:300])
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
