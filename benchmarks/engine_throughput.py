"""Every engine, bare and through the pipeline: audio seconds per CPU second, and the pipeline's
overhead over the engine's own time.

For one voice per engine, on the first N built-in prompts: the engine alone (create_engine +
synthesize, one process, helper processes counted), then `generate.py` with that voice only,
n_jobs=1, with `augment=none` and with `augment=default`. Start-up (imports, model loads, the
card) is removed by differencing runs over N/2 and N prompts, in both the engine-alone and the
pipeline measurement, so the figures are steady-state costs per utterance.

    python benchmarks/engine_throughput.py [--prompts N] [--engines rhvoice,flite,...] [generate.py overrides ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, cpu_seconds  # noqa: E402
from benchmarks.default_run import one_run  # noqa: E402

# (catalog, voice id) measured per engine: a voice each engine ships here.
VOICES = {
    "espeak": ("espeak_en", "espeak-en-us-f3"),
    "mbrola": ("mbrola_en", "mb-us1"),
    "piper": ("piper_en", "piper-en-us-joe-medium"),
    "rhvoice": ("rhvoice_en", None),
    "flite": ("flite_en", None),
    "festival": ("festival_en", None),
    "pico": ("pico_en", None),
    "kokoro": ("kokoro_en", None),
    "hibari": ("hibari_en", None),
}


def engine_alone(voice, texts: list[str]) -> tuple[float, float]:
    """(audio s, CPU s) of the bare engine on `texts`, its start-up included."""
    from synth.engines import Prosody, create_engine

    start = cpu_seconds()
    engine = create_engine(voice.engine, timeout_s=120)
    audio = 0.0
    for i, text in enumerate(texts):
        out = engine.synthesize(text, voice.engine_voice, Prosody(), i)
        audio += len(out.audio) / out.sample_rate
    engine.close()
    return audio, cpu_seconds() - start


def marginal(pairs: dict) -> float:
    """Audio s per CPU s between the half and the full run."""
    (audio_half, cpu_half), (audio_all, cpu_all) = pairs["half"], pairs["all"]
    return (audio_all - audio_half) / (cpu_all - cpu_half)


def measure(catalog: str, voice, written: list[str], spoken: list[str], extra: tuple = ()) -> dict:
    half = len(written) // 2
    engine = marginal({"half": engine_alone(voice, spoken[:half]), "all": engine_alone(voice, spoken)})
    out = {"engine": engine}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for name, subset in (("half", written[:half]), ("all", written)):
            paths[name] = Path(tmp) / f"{name}.txt"
            paths[name].write_text("\n".join(subset) + "\n")
        for profile in ("none", "default"):
            runs = {}
            for name, path in paths.items():
                run = one_run(
                    [
                        f"voices.catalog={catalog}",
                        f"voices.ids=[{voice.id}]",
                        "voices.per_prompt=1",
                        "voices.unavailable=error",
                        f"augment={profile}",
                        "n_jobs=1",
                        f"prompts.path={path}",
                        # the engine-alone figure renders at the voice's default prosody: so does this
                        # (Pico, for one, renders three times to realize a rate other than 1)
                        "voices.prosody.rate=[1.0,1.0]",
                        "voices.prosody.pitch=[1.0,1.0]",
                        "output.report=false",
                        *extra,
                    ]
                )
                runs[name] = (run["audio_s"], run["cpu_s"])
            out[profile] = marginal(runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=40)
    parser.add_argument("--engines", default=",".join(VOICES))
    parser.add_argument("overrides", nargs="*", help="more generate.py overrides for the pipeline runs")
    args = parser.parse_args()

    from synth.engines.base import voice_available
    from synth.normalize import NormalizationError, to_spoken
    from synth.prompts import Prompt, read_prompts
    from voices.catalog import CatalogError, load_catalog

    written, spoken = [], []
    for p in read_prompts(None):
        if isinstance(p, Prompt) and len(written) < args.prompts:
            try:
                spoken.append(to_spoken(p.text).spoken)
            except NormalizationError:
                continue
            written.append(p.text)
    lines = [
        f"first {len(written)} built-in prompts, one voice per engine, n_jobs=1, marginal cost "
        f"({len(written) // 2} vs {len(written)} prompts); audio s per CPU s, whole process tree"
        + (f"; pipeline overrides: {' '.join(args.overrides)}" if args.overrides else ""),
        "",
        "| engine | voice | engine alone | pipeline, augment=none | overhead | pipeline, augment=default | overhead |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in args.engines.split(","):
        catalog, voice_id = VOICES[name]
        try:
            voices = load_catalog(catalog)
        except CatalogError as exc:
            lines.append(f"| {name} | – | not measured: {exc} | | | | |")
            continue
        voice = next((v for v in voices if v.id == voice_id), voices[0])
        ok, why = voice_available(voice.engine, voice.engine_voice)
        if not ok:
            lines.append(f"| {name} | {voice.id} | not available: {why} | | | | |")
            continue
        r = measure(catalog, voice, written, spoken, tuple(args.overrides))
        lines.append(
            f"| {name} | {voice.id} | {r['engine']:.1f} | {r['none']:.1f} | {r['engine'] / r['none'] - 1:+.1%} | "
            f"{r['default']:.1f} | {r['engine'] / r['default'] - 1:+.1%} |"
        )
        print(lines[-1], flush=True)
    lines += [
        "",
        "overhead = engine alone / pipeline − 1: the pipeline's CPU beyond the engine's own, per audio second "
        "(with augment=default it includes the room, noise and device chain).",
    ]
    print("\n".join(lines))
    append_results(
        "Engines bare and through the pipeline", " ".join(["benchmarks/engine_throughput.py", *sys.argv[1:]]), lines
    )


if __name__ == "__main__":
    main()
