"""Every engine, bare and through the pipeline: audio seconds per CPU second over the steady state,
and the pipeline's overhead over the engine's own time.

For one voice per engine, on the first N prompts of the 2000-prompt set (benchmarks/pipeline_2000.py):
1. the pipeline: `generate.py` with that voice only, n_jobs=1, `augment=none`, then `augment=default`,
   and for an engine that times no words (the pipeline then aligns each item), `augment=none` with
   `words.align=false`;
2. the engine alone: a child process (benchmarks/bare_engine.py) that creates the engine and
   synthesizes the same items, in the same order, with the same spoken text, prosody and seed the
   pipeline's plan gave them, and nothing else.
Each is followed by benchmarks/steady_state.py: CPU of the whole process tree between the rows at
20% and 90% of the items, so start-up, model loads and the card are outside the window. The three
tracks are interleaved --repeats times; the table has medians, and each overhead's spread.

overhead = (pipeline CPU per audio s) / (engine CPU per audio s) - 1 over the same rows.

    python benchmarks/engine_throughput.py [--prompts N] [--repeats R] [--engines rhvoice,flite,...]
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.common import append_results, composed_plan, corpus_scratch  # noqa: E402
from benchmarks.pipeline_2000 import write_prompts  # noqa: E402
from benchmarks.steady_state import Window, follow  # noqa: E402

# (catalog, voice id or None for the catalog's first, prompts) per engine: a voice each engine ships
# here, and enough prompts that the window holds several CPU seconds (the kernel counts in 10 ms ticks).
VOICES = {
    "espeak": ("espeak_en", "espeak-en-us-f3", 2000),
    "mbrola": ("mbrola_en", "mb-us1", 400),
    "piper": ("piper_en", "piper-en-us-joe-medium", 100),
    "rhvoice": ("rhvoice_en", None, 200),
    "flite": ("flite_en", None, 300),
    "festival": ("festival_en", None, 150),
    "pico": ("pico_en", None, 400),
    "kokoro": ("kokoro_en", None, 16),
    "hibari": ("hibari_en", None, 400),
}


def run_overrides(catalog: str, voice_id: str, prompts: Path) -> list[str]:
    return [
        f"voices.catalog={catalog}",
        f"voices.ids=[{voice_id}]",
        "voices.per_prompt=1",
        "voices.unavailable=error",
        "n_jobs=1",
        f"prompts.path={prompts}",
        "output.report=false",
        "progress=false",
    ]


def bare_requests(overrides: list[str], path: Path) -> int:
    """Write the engine-alone child's requests (the plan's items of this config); how many."""
    from omegaconf import OmegaConf

    cfg, tasks = composed_plan(overrides)
    items = [(t.spoken.spoken, t.voice.engine_voice, t.prosody, t.seed) for t in tasks]
    engine = tasks[0].voice.engine  # one voice: one engine
    options = dict(OmegaConf.to_container(cfg.get("engines") or {}, resolve=True).get(engine) or {})
    path.write_bytes(pickle.dumps((engine, {"timeout_s": float(cfg.engine.timeout_s), **options}, items)))
    return len(items)


def pipeline(overrides: list[str], profile: str, expected: int) -> Window:
    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        out = Path(tmp) / "corpus"
        cmd = [sys.executable, str(REPO / "generate.py"), *overrides, f"augment={profile}", f"output.dir={out}"]
        return follow(cmd, out / "manifest.jsonl", expected)


def bare(requests: Path, expected: int) -> tuple[Window, bool]:
    """The engine alone over the window, and whether it timed any word itself (if not, the pipeline
    runs the forced aligner on each item: words.align)."""
    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        rows = Path(tmp) / "rows.jsonl"
        cmd = [sys.executable, str(REPO / "benchmarks" / "bare_engine.py"), str(requests), str(rows)]
        window = follow(cmd, rows, expected)
        return window, any(json.loads(line)["timed"] for line in rows.read_text().splitlines())


def overhead(pipe: Window, engine: Window) -> float:
    return engine.per_cpu_s / pipe.per_cpu_s - 1


def measure(catalog: str, voice_id: str, prompts: Path, repeats: int) -> dict:
    overrides = run_overrides(catalog, voice_id, prompts)
    with tempfile.TemporaryDirectory() as tmp:
        requests = Path(tmp) / "requests.pickle"
        expected = bare_requests(overrides, requests)
        pipeline(overrides, "default", expected)  # the RIR and babble banks, cached before anything is measured
        runs = {"engine": [], "none": [], "unaligned": [], "default": []}
        for _ in range(repeats):  # interleaved: the machine's drift moves every track alike
            window, timed = bare(requests, expected)
            runs["engine"].append(window)
            for profile in ("none", "default"):
                runs[profile].append(pipeline(overrides, profile, expected))
            if not timed:  # the same rows without the aligner's word times: the rest of the pipeline's cost
                runs["unaligned"].append(pipeline([*overrides, "words.align=false"], "none", expected))
    return {"items": expected, **runs}


def describe(name: str, voice_id: str, r: dict) -> str:
    med = statistics.median

    def rate(key):
        return med(w.per_cpu_s for w in r[key])

    def spread(key):  # each repeat's overhead against the engine-alone run of the same repeat
        if not r[key]:
            return "engine times words"
        each = sorted(overhead(p, e) for p, e in zip(r[key], r["engine"]))
        return f"{med(each):+.1%} ({each[0]:+.0%} to {each[-1]:+.0%})"

    window = r["none"][0]
    return (
        f"| {name} | {voice_id} | {r['items']} ({window.rows} in window, {med(w.cpu_s for w in r['engine']):.1f} / "
        f"{med(w.cpu_s for w in r['none']):.1f} CPU s) | {rate('engine'):.1f} | {rate('none'):.1f} | "
        f"{spread('none')} | {spread('unaligned')} | {rate('default'):.1f} | {spread('default')} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, help="prompts per engine (default: each engine's own, in VOICES)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default=",".join(VOICES))
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    from synth.engines.base import voice_available
    from voices.catalog import CatalogError, load_catalog

    lines = [
        f"one voice per engine, n_jobs=1; {args.repeats} interleaved repeats, medians; CPU of the whole process tree "
        "between the rows at 20% and 90% of the items (benchmarks/steady_state.py)",
        "",
        "| engine | voice | items (window; engine / pipeline CPU s in it) | engine alone, audio s per CPU s | "
        "pipeline, augment=none | overhead (spread) | overhead without the aligner (words.align=false) | "
        "pipeline, augment=default | overhead (spread) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.engines.split(","):
            catalog, voice_id, n_prompts = VOICES[name]
            try:
                voices = load_catalog(catalog)
            except CatalogError as exc:
                lines.append(f"| {name} | – | not measured: {exc} | | | | | | |")
                continue
            voice = next((v for v in voices if v.id == voice_id), voices[0])
            ok, why = voice_available(voice.engine, voice.engine_voice)
            if not ok:
                lines.append(f"| {name} | {voice.id} | not available: {why} | | | | | | |")
                continue
            prompts = Path(tmp) / f"{name}.txt"
            write_prompts(prompts, args.prompts or n_prompts)
            lines.append(describe(name, voice.id, measure(catalog, voice.id, prompts, args.repeats)))
            print(lines[-1], flush=True)
    lines += [
        "",
        "overhead = engine alone / pipeline - 1 in audio s per CPU s: the pipeline's CPU beyond the engine's own "
        "on the same rows (with augment=default it includes the room, noise and device chain, which is work the "
        "engine alone does not do); spread: the lowest and highest of the repeats. Without the aligner: for an "
        "engine that gives no word times the pipeline runs a pocketsphinx forced alignment of every item "
        "(words.align, on by default), label work the engine alone does not do; this column is the rest.",
    ]
    print("\n".join(lines))
    if not args.no_record:
        append_results(
            "Engines bare and through the pipeline (steady state)",
            " ".join(["benchmarks/engine_throughput.py", *sys.argv[1:]]),
            lines,
        )


if __name__ == "__main__":
    main()
