"""Forced-alignment error: synth.align's word starts against engines that time their own words.

For each engine that reports word times (eSpeak NG word events; Piper's and Kokoro's phoneme
durations; RHVoice and Flite where their engines exist), the first N built-in prompts are rendered, the
engine's times are turned into word times by synth.word_times, and the aligner times the same
audio from the transcript alone. Compared: the absolute start-time difference on the words the
engine timed itself (its `estimated` words, e.g. eSpeak NG's merged "of the", are left out; the
aligner's estimated words are counted, since that is what a user of its times gets), as median and
p90; the share of words the aligner measured (not estimated); and the aligner's CPU seconds per
audio second (one thread, this process only: pocketsphinx runs in-process). Piper's own times
ran 52 ms late until its words were started at their word-break id (synth/engines/piper_words.py),
Kokoro's ~85 ms and hibari's ~80 ms late until the lead of their sound over their frames was measured
(kokoro_frames.phoneme_onsets);
eSpeak NG stays the primary reference.
On it, every word is also forced through each fallback pronunciation route ("espeak", "letters";
see synth/align.py) to measure what a word outside the CMU dictionary gets.

    python benchmarks/aligner_error.py [--prompts N] [--engines espeak,piper] [--no-record]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, engine_benchmark_parser  # noqa: E402
from synth.align import Aligner, aligner  # noqa: E402
from synth.engines import Prosody, create_engine  # noqa: E402
from synth.normalize import builtin_spoken_forms  # noqa: E402
from synth.word_times import word_times  # noqa: E402

# (label, engine name, voice, pronunciation routes to measure): engines that give their own word times.
# On the primary reference, every word is also forced through each fallback route, to measure it.
REFERENCES = [
    ("eSpeak NG en-us", "espeak", "en-us", ("auto", "espeak", "letters")),
    ("eSpeak NG en-gb-scotland+m2", "espeak", "en-gb-scotland+m2", ("auto",)),
    ("Piper joe", "piper", "en_US-joe-medium", ("auto", "espeak")),
    ("RHVoice slt", "rhvoice", "slt", ("auto",)),
    ("Flite slt", "flite", "slt", ("auto",)),
    ("Kokoro jm_kumo", "kokoro", "jm_kumo", ("auto",)),
    ("Kokoro jf_nezumi", "kokoro", "jf_nezumi", ("auto",)),
    ("hibari heart", "hibari", "heart", ("auto",)),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(engine_name: str, voice: str, forms: list, routes: tuple[str, ...]) -> dict[str, dict] | str:
    """The figures for one engine voice per pronunciation route, or a string saying why it was skipped."""
    try:
        engine = create_engine(engine_name)
    except Exception as error:  # noqa: BLE001  (missing package, library or engine module: skip it)
        return f"engine unavailable: {error}"
    aligners = {route: aligner() if route == "auto" else Aligner(route) for route in routes}
    tallies = {
        route: {"diffs": [], "signed": [], "words": 0, "measured": 0, "failed": 0, "cpu_s": 0.0} for route in routes
    }
    audio_s = 0.0
    try:
        for seed, form in enumerate(forms):
            try:
                out = engine.synthesize(form.spoken, voice, Prosody(), seed)
            except Exception as error:  # noqa: BLE001  (a voice this machine lacks: skip the engine)
                return f"voice unavailable: {error}"
            if not out.word_events:
                return "engine gave no word events"
            transcript = form.transcript.split()
            reference = word_times(form.spoken, transcript, out.word_events, out.boundaries, out.audio, out.sample_rate)
            audio_s += len(out.audio) / out.sample_rate
            for route, tally in tallies.items():
                start = time.process_time()
                result = aligners[route].align(out.audio, out.sample_rate, form.transcript)
                tally["cpu_s"] += time.process_time() - start
                tally["words"] += len(transcript)
                if result.words is None:
                    tally["failed"] += 1
                    continue
                for ref, got in zip(reference, result.words):
                    tally["measured"] += not got.get("estimated")
                    if not ref.get("estimated"):  # the aligner's estimated words count: that is what users get
                        tally["diffs"].append(abs(got["start"] - ref["start"]))
                        tally["signed"].append(got["start"] - ref["start"])
    finally:
        engine.close()
    return {
        route: {
            "utterances": len(forms),
            "failed": t["failed"],
            "words": t["words"],
            "compared": len(t["diffs"]),
            "median_ms": 1000 * statistics.median(t["diffs"]),
            "p90_ms": 1000 * percentile(t["diffs"], 0.9),
            "bias_ms": 1000 * statistics.median(t["signed"]),
            "measured_share": t["measured"] / t["words"],
            "over_100ms": sum(d > 0.1 for d in t["diffs"]) / len(t["diffs"]),
            "cpu_per_audio_s": t["cpu_s"] / audio_s,
        }
        for route, t in tallies.items()
    }


def main() -> None:
    args = engine_benchmark_parser(__doc__, prompts=30).parse_args()
    forms = builtin_spoken_forms()[: args.prompts]
    lines = [
        (
            f"first {len(forms)} built-in prompts; |aligner start - engine start| on the words the engine "
            "timed itself (its estimated words left out; the aligner's estimated ones counted)"
        ),
        "",
        (
            "| reference | utts (failed) | words compared | median ms | p90 ms | share > 100 ms | median signed ms "
            "| aligned share | CPU s per audio s |"
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    skipped = []
    wanted = set(filter(None, args.engines.split(",")))
    for label, engine_name, voice, routes in REFERENCES:
        if wanted and engine_name not in wanted:
            continue
        by_route = measure(engine_name, voice, forms, routes)
        if isinstance(by_route, str):
            skipped.append(f"- {label}: skipped ({by_route.splitlines()[0][:160]})")
            continue
        for route, f in by_route.items():
            name = label if route == "auto" else f"{label}, every word via {route}"
            cells = [
                name,
                f"{f['utterances']} ({f['failed']})",
                f"{f['compared']}/{f['words']}",
                f"{f['median_ms']:.0f}",
                f"{f['p90_ms']:.0f}",
                f"{f['over_100ms']:.3f}",
                f"{f['bias_ms']:+.0f}",
                f"{f['measured_share']:.3f}",
                f"{f['cpu_per_audio_s']:.3f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    lines += ["", *skipped] if skipped else []
    lines += ["", "signed = aligner minus engine (negative: the aligner puts the start earlier)."]
    print("\n".join(lines))
    if not args.no_record:
        append_results("Forced-alignment error (synth.align vs engine word times)", " ".join(sys.argv), lines)


if __name__ == "__main__":
    main()
