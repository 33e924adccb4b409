"""Pseudo-speakers: do the perturbed speakers stay intelligible, are they distinct, and what do they cost?

For each natural base voice, the first N built-in prompts are rendered once (clean), then perturbed into the voice's
pseudo-speakers (voices.pseudo_speakers.expand: speaker 0 = the base voice, 1..S perturbed). Reported per base voice:
pocketsphinx WER (general LM) of the base and of each pseudo-speaker on the same prompts, with the guard
"WER within +0.05 of the base voice"; the distinctness figures (voices.distinctness) of base + pseudo-speakers;
the perturbation's cost in audio seconds per CPU second (one thread, this process: Praat runs in-process).

Base voices: Piper joe (synth.engines, packaged voice), and the Debian CLIs `flite -voice slt` and
`RHVoice-test -p bdl` as plain sources (their engines are not needed for this measurement).

    python benchmarks/pseudo_speakers.py [--prompts 20] [--speakers 20] [--voices piper-joe,flite-slt,rhvoice-bdl]
                                         [--jobs 1] [--no-append]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import append_results

GUARD = 0.05
# name -> (gender, how to render, catalog extra): the Voice used for expansion needs an id, a gender and the
# catalog's pseudo_speaker_ranges override where it has one (Piper joe: the one voices/pseudo_speakers.py advises).
SOURCES = {
    "piper-joe": ("male", "piper", {"pseudo_speaker_ranges": {"formant_ratio": [1.0, 1.08]}}),
    "piper-joe-default-ranges": ("male", "piper", {}),
    "flite-slt": ("female", "flite", {}),
    "rhvoice-bdl": ("male", "rhvoice", {}),
    "rhvoice-slt": ("female", "rhvoice", {}),
    "rhvoice-clb": ("female", "rhvoice", {}),
}


def render_all(name: str, texts: list[str]):
    """(audio float32, rate) per text from the base voice `name`."""
    import soundfile as sf

    kind = SOURCES[name][1]
    voice = name.split("-")[1]
    if kind == "piper":
        from synth.engines import Prosody, create_engine

        engine = create_engine("piper")
        out = []
        for t in texts:
            s = engine.synthesize(t, "en_US-joe-medium", Prosody(), 0)
            out.append((s.audio, s.sample_rate))
        engine.close()
        return out
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "x.wav")
        for t in texts:
            if kind == "flite":
                subprocess.run(["flite", "-voice", voice, "-t", t, "-o", wav], check=True, capture_output=True)
            else:
                command = ["RHVoice-test", "-p", voice, "-o", wav]
                subprocess.run(command, input=t.encode(), check=True, capture_output=True)
            audio, rate = sf.read(wav, dtype="float32")
            out.append((audio, rate))
    return out


def measure_voice(name: str, n_prompts: int, n_speakers: int) -> dict:
    from synth.asr_check import AsrChecker, word_errors
    from synth.normalize import builtin_spoken_forms
    from voices.catalog import load_catalog
    from voices.distinctness import distinctness
    from voices.pseudo_speakers import apply, expand, voice_ranges

    gender = SOURCES[name][0]
    ranges = voice_ranges(name, gender, SOURCES[name][2].get("pseudo_speaker_ranges"))
    template = load_catalog("piper_en")[0]
    base = replace(template, id=name, gender=gender, engine="bench", engine_voice=name, extra=dict(SOURCES[name][2]))
    speakers = expand([base], n_speakers + 1)
    fs = builtin_spoken_forms()[:n_prompts]
    renders = render_all(name, [f.spoken for f in fs])
    asr = AsrChecker(max_wer=None)
    audio_s = sum(len(a) / r for a, r in renders)
    rows, figure_input, cpu = [], [], 0.0
    for v in speakers:
        errors = words = 0
        for p, (form, (audio, rate)) in enumerate(zip(fs, renders)):
            start = time.process_time()
            out = apply(v, audio, rate)
            if v is not speakers[0]:
                cpu += time.process_time() - start
            e, w = word_errors(form.transcript, asr.transcribe(out, rate))
            errors, words = errors + e, words + w
            figure_input.append((v.id, out, rate, p))
        pert = v.extra.get("perturbation") or {}
        rows.append(
            {
                "id": v.id,
                "wer": errors / words,
                "formant": pert.get("formant_ratio", 1.0),
                "pitch": pert.get("pitch_ratio", 1.0),
            }
        )
    start = time.process_time()
    figure = distinctness(figure_input)
    figure_cpu = time.process_time() - start
    return {
        "name": name,
        "gender": gender,
        "ranges": ranges,
        "rows": rows,
        "figure": figure,
        "audio_s": audio_s,
        "perturb_cpu": cpu,
        "perturbed_audio_s": audio_s * n_speakers,
        "figure_cpu": figure_cpu,
        "renders": len(figure_input),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=20)
    parser.add_argument("--speakers", type=int, default=20, help="pseudo-speakers per base voice (besides the base)")
    parser.add_argument("--voices", default="piper-joe,flite-slt,rhvoice-bdl", help=f"from: {', '.join(SOURCES)}")
    parser.add_argument("--jobs", type=int, default=1, help="base voices measured in parallel (one process each)")
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.voices.split(",") if n.strip()]
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        parser.error(f"unknown voice(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(measure_voice, names, [args.prompts] * len(names), [args.speakers] * len(names)))

    lines = [
        (
            f"First {args.prompts} built-in prompts (spoken form); per base voice, the base + {args.speakers} "
            "pseudo-speakers (voices.pseudo_speakers.expand; Praat Change gender). WER: pocketsphinx, general LM, "
            f"errors / words over the prompts; guard: pseudo-speaker WER <= base + {GUARD}. Distinct: share of "
            "speaker pairs whose MFCC-mean + log-F0 centroids are further apart than their pooled within-speaker "
            "spread, after removing each prompt's mean (voices/distinctness.py); id acc.: leave-one-out "
            "nearest-centroid speaker identification (chance 1/speakers). Cost: perturbation only, one thread."
        ),
        "",
        (
            "| base voice | gender | formant; pitch ranges | base WER | pseudo WER median (min-max) | over guard "
            "| distinct pairs | id acc. "
            "(chance) | median F0 Hz (base; pseudo min-max) | audio s per CPU s |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    failing = []
    for r in results:
        base, pseudo = r["rows"][0], r["rows"][1:]
        wers = [p["wer"] for p in pseudo]
        over = [p for p in pseudo if p["wer"] > base["wer"] + GUARD + 1e-9]
        failing += [(r["name"], p, base["wer"]) for p in over]
        f = r["figure"]
        fr, pr = r["ranges"]
        f0 = {k: v["median_f0_hz"] for k, v in f["per_speaker"].items()}
        pf0 = [f0[p["id"]] for p in pseudo]
        speed = r["perturbed_audio_s"] / r["perturb_cpu"] if r["perturb_cpu"] else float("inf")
        lines.append(
            f"| {r['name']} | {r['gender']} | {fr[0]}-{fr[1]}; {pr[0]}-{pr[1]} | {base['wer']:.3f} "
            f"| {statistics.median(wers):.3f} "
            f"({min(wers):.3f}-{max(wers):.3f}) | {len(over)}/{len(pseudo)} | {f['distinct_pairs']}/{f['pairs']} "
            f"({f['distinct_share']:.2f}) | {f['id_accuracy']:.2f} ({f['chance']:.2f}) | {f0[base['id']]:.0f}; "
            f"{min(pf0):.0f}-{max(pf0):.0f} | {speed:.0f} |"
        )
    lines.append("")
    if failing:
        lines.append("Over the guard (voice, speaker, formant ratio, pitch ratio, WER vs base):")
        lines += [
            f"- {n}: {p['id']} formant {p['formant']} pitch {p['pitch']}: {p['wer']:.3f} vs {b:.3f}"
            for n, p, b in failing
        ]
    else:
        lines.append("Every pseudo-speaker is within the guard.")
    total_audio = sum(r["perturbed_audio_s"] for r in results)
    total_cpu = sum(r["perturb_cpu"] for r in results)
    figure_audio = sum(r["audio_s"] * (args.speakers + 1) for r in results)
    figure_ms = 1000 * sum(r["figure_cpu"] for r in results) / figure_audio
    lines.append(
        f"Perturbation cost overall: {total_audio / total_cpu:.0f} audio s per CPU s "
        f"({1000 * total_cpu / total_audio:.1f} CPU ms per audio s) over {total_audio:.0f} s of audio; "
        f"distinctness features: {figure_ms:.1f} CPU ms per audio s."
    )
    print("\n".join(lines))
    if not args.no_append:
        cmd = "benchmarks/pseudo_speakers.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
        append_results("Pseudo-speakers (formant + pitch perturbation)", cmd, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
