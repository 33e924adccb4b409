"""Issue 17's figures: a 2000-prompt run of the default voices against bare in-process eSpeak NG.

1. prompts: the built-in set, then template expansions (prompts=templates' grammar), 2000 distinct;
2. engine alone: bare in-process calls into one initialized library (not deterministic: the floor),
   on the spoken text, voice and prosody settings of every item of the run's plan, each voice
   selected once (its items rendered together); CPU of this process;
3. pipeline: `generate.py` with `voices.per_prompt=1`, n_jobs=1, augment=none and augment=default,
   whole run (start-up, the card), CPU of the whole process tree; as a fraction of 2;
4. 1 -> 2 workers: n_jobs=1 vs n_jobs=2 (joblib) and dask with 2 workers, wall time and CPU. On a
   loaded machine wall time mostly says how busy the machine was; the CPU figures bound the
   speed-up two idle cores would give: CPU(1) / max(CPU(2) / 2, CPU of the parent (2)), the parent
   being the one process every row goes through.
Medians of --repeats interleaved runs; appended to RESULTS.md.

    python benchmarks/pipeline_2000.py [--prompts N] [--repeats R] [--no-scaling] [--no-record]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results, bare_espeak, composed_plan  # noqa: E402
from benchmarks.default_run import one_run  # noqa: E402


def write_prompts(path: Path, n: int) -> None:
    from synth.prompts import Prompt, read_prompts
    from synth.templates import expand_templates

    texts = [p.text for p in read_prompts(None) if isinstance(p, Prompt)]
    seen = set(texts)
    for p in expand_templates(None, 1234, 200, max_chars=500):
        if len(texts) >= n:
            break
        if isinstance(p, Prompt) and p.text not in seen:
            texts.append(p.text)
            seen.add(p.text)
    path.write_text("\n".join(texts[:n]) + "\n")


def plan_requests(prompts: Path) -> list[tuple[str, str, dict]]:
    """(spoken text, engine voice, eSpeak NG settings) of each item the pipeline run renders."""
    from synth.engines.espeak import espeak_parameters

    _, items = composed_plan([f"prompts.path={prompts}", "voices.per_prompt=1"])
    return [(task.spoken.spoken, task.voice.engine_voice, espeak_parameters(task.prosody)[0]) for task in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-scaling", action="store_true", help="skip the n_jobs=2 and dask runs")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]  # the wall-clock figures mean little on a busy machine: say how busy
    med = statistics.median
    with tempfile.TemporaryDirectory() as tmp:
        prompts = Path(tmp) / "prompts.txt"
        write_prompts(prompts, args.prompts)
        requests = plan_requests(prompts)
        common = [f"prompts.path={prompts}", "voices.per_prompt=1"]
        one_run([*common, "augment=default", "n_jobs=1", "output.report=false"])  # RIR/babble banks cached
        runs = {k: [] for k in ("engine", "none", "default", "jobs1", "jobs2", "dask2")}
        for _ in range(args.repeats):  # interleaved: the machine's drift hits every figure alike
            audio, cpu = bare_espeak(requests)
            runs["engine"].append(audio / cpu)
            for profile in ("none", "default"):
                runs[profile].append(one_run([*common, f"augment={profile}", "n_jobs=1"])["per_cpu_s"])
            if args.no_scaling:
                continue
            for key, overrides in (
                ("jobs1", ["n_jobs=1"]),
                ("jobs2", ["n_jobs=2"]),
                ("dask2", ["n_jobs=2", "executor=dask"]),
            ):
                runs[key].append(one_run([*common, "augment=none", "output.report=false", *overrides], split=True))
    engine, none, default = med(runs["engine"]), med(runs["none"]), med(runs["default"])
    lines = [
        f"{len(requests)} items ({args.prompts} prompts: built-in, then template expansions; voices.per_prompt=1 of "
        f"the default 48-voice catalog); {args.repeats} interleaved repeats, medians; CPU of the whole process tree; "
        f"one run, {os.cpu_count()} cores, load average {load_at_start:.1f} when it started",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| engine alone: bare in-process eSpeak NG, same items, audio s per CPU s | {engine:.0f} | |",
        f"| pipeline, augment=none, n_jobs=1, whole run, audio s per CPU s | {none:.0f} | |",
        f"| pipeline / engine, augment=none (each: {', '.join(f'{r / engine:.2f}' for r in runs['none'])}) | "
        f"{none / engine:.2f} | >= 0.40 |",
        f"| pipeline, augment=default, n_jobs=1, whole run, audio s per CPU s | {default:.0f} | |",
        f"| pipeline / engine, augment=default (each: {', '.join(f'{r / engine:.2f}' for r in runs['default'])}) | "
        f"{default / engine:.2f} | >= 0.25 |",
    ]
    if not args.no_scaling:

        def m(key, field):
            return med([r[field] for r in runs[key]])

        def bound(key):  # the speed-up two idle cores allow, from CPU: the parent is serial
            return [
                one["cpu_s"] / max(two["cpu_s"] / 2, two["self_cpu_s"]) for one, two in zip(runs["jobs1"], runs[key])
            ]

        lines += [
            "| wall s, n_jobs=1 / n_jobs=2 / dask 2 workers (augment=none, no card) | "
            f"{m('jobs1', 'wall_s'):.1f} / {m('jobs2', 'wall_s'):.1f} / {m('dask2', 'wall_s'):.1f} | |",
            f"| speed-up 1 -> 2 workers, wall (joblib; dask) | {m('jobs1', 'wall_s') / m('jobs2', 'wall_s'):.2f}; "
            f"{m('jobs1', 'wall_s') / m('dask2', 'wall_s'):.2f} | >= 1.8 |",
            f"| CPU s whole tree, n_jobs=1 / n_jobs=2 / dask 2 | {m('jobs1', 'cpu_s'):.1f} / {m('jobs2', 'cpu_s'):.1f} "
            f"/ {m('dask2', 'cpu_s'):.1f} | |",
            f"| CPU s of the parent process, n_jobs=2 / dask 2 | {m('jobs2', 'self_cpu_s'):.1f} / "
            f"{m('dask2', 'self_cpu_s'):.1f} | |",
            "| speed-up 1 -> 2 workers that two idle cores allow, from CPU (joblib; dask) | "
            f"{med(bound('jobs2')):.2f}; "
            f"{med(bound('dask2')):.2f} | >= 1.8 |",
        ]
    print("\n".join(lines))
    if not args.no_record:
        append_results(
            "Issue 17: 2000 prompts against bare in-process eSpeak NG",
            " ".join(["benchmarks/pipeline_2000.py", *sys.argv[1:]]),
            lines,
        )


if __name__ == "__main__":
    main()
