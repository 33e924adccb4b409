"""The delivered file's SNR label against an independent least-squares re-estimate.

The re-estimate knows nothing of the chain: given the delivered file y and the clean render c, it
fits, per STFT frequency bin, the convolutive transfer function that best maps c onto y
times a slowly varying level shared by all bins (Y[k, t] ≈ g[t]·Σ_l H[k, l]·C[k, t − l], l over
LAGS_S of past frames and one frame ahead; H and g fitted in turn): whatever of y is a filtered
image of the clean speech at a level that moves with time (room, filters, EQ, resampling, a
codec's band limit, AGC and limiter gains) is speech; the rest (noise, coding and clipping error)
is noise. The residual is corrected for the degrees of freedom the fit spends (noise energy /
(1 − p/N), p parameters over N time-frequency cells).

    python benchmarks/file_snr.py --items 64        # a paired corpus in a temporary folder

renders the first ITEMS built-in prompts with augment=default, noise on every item and
augment.paired=true, reads each `-aug` file and its `-clean` twin from disk, and prints the label
(`file_snr_db`), the mixing SNR (`snr_db_at_mix`) and the re-estimate, per device and noise kind,
with medians of the differences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.signal import stft

FRAME = 512  # 32 ms at 16 kHz
HOP = 128
LAGS_S = 0.6  # the room's tail the fit may model (RT60 up to 0.9 s decays 30 dB in 0.45 s)
GAIN_ROUNDS = 3  # alternations of filter and per-frame gain (a device's AGC and limiter move the level)


def _delayed(C: np.ndarray, lags: range) -> np.ndarray:
    """(bins, frames, lags): C delayed by each lag in frames (negative: ahead), zero-filled at the edges."""
    bins, frames = C.shape
    out = np.zeros((bins, frames, len(lags)), dtype=complex)
    for j, lag in enumerate(lags):
        if lag >= 0:
            out[:, lag:, j] = C[:, : frames - lag]
        else:
            out[:, :lag, j] = C[:, -lag:]
    return out


def ls_snr_db(delivered: np.ndarray, clean: np.ndarray, sample_rate: int, rounds: int = GAIN_ROUNDS) -> float:
    """SNR of `delivered` with `clean` as its only speech source, by least squares (see the module doc).

    :param delivered: the augmented file's samples
    :param clean: the clean render of the same utterance, same length and rate
    :param sample_rate: Hz of both
    :param rounds: alternations between the filter fit and the per-frame gain fit (0: a fixed filter only)
    """
    n = min(len(delivered), len(clean))
    _, _, Y = stft(np.asarray(delivered[:n], np.float64), nperseg=FRAME, noverlap=FRAME - HOP, boundary=None)
    _, _, C = stft(np.asarray(clean[:n], np.float64), nperseg=FRAME, noverlap=FRAME - HOP, boundary=None)
    bins, frames = Y.shape
    lags = range(-1, min(int(round(LAGS_S * sample_rate / HOP)), frames // 3))
    A = _delayed(C, lags)
    gain = np.ones(frames)
    for round_ in range(rounds + 1):
        # the filter, given the gain: one small least-squares problem per bin, solved all at once
        scaled = A * gain[None, :, None]
        normal = np.conj(scaled).transpose(0, 2, 1) @ scaled
        normal += 1e-9 * np.trace(normal, axis1=1, axis2=2).real.max() * np.eye(len(lags))  # silent bins
        taps = np.linalg.solve(normal, (np.conj(scaled).transpose(0, 2, 1) @ Y[:, :, None]))
        fit = (A @ taps)[:, :, 0]
        if round_ == rounds:
            break
        # the gain, given the filter: one real, non-negative scalar per frame shared by every bin
        power = np.sum(np.abs(fit) ** 2, axis=0)
        gain = np.where(
            power > 0, np.maximum(0.0, np.real(np.sum(np.conj(fit) * Y, axis=0))) / np.maximum(power, 1e-30), 0.0
        )
    speech_fit = fit * gain[None, :]
    spent = bins * len(lags) + (frames if rounds else 0)  # parameters the fit spent (complex taps, real gains)
    noise = float(np.sum(np.abs(Y - speech_fit) ** 2)) / max(1e-9, 1 - spent / (bins * frames))
    total = float(np.sum(np.abs(Y) ** 2))
    noise = min(noise, total)
    return float(10 * np.log10((total - noise) / noise)) if total > noise > 0 else float("nan")


def _read(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    audio, rate = sf.read(str(path), dtype="float64")
    return audio, rate


def compare(corpus: Path) -> list[dict]:
    """One entry per augmented row with a file SNR: label, mixing SNR, re-estimate, device, kind."""
    rows = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text().splitlines()]
    clean = {r["pair"]["stem"]: r for r in rows if r.get("pair", {}).get("role") == "clean"}
    out = []
    for row in rows:
        if row.get("pair", {}).get("role") != "augmented" or row.get("file_snr_db") is None:
            continue
        y, rate = _read(corpus / row["audio_filepath"])
        c, _ = _read(corpus / clean[row["pair"]["stem"]]["audio_filepath"])
        noise = next(s["params"] for s in row["augment"] if s["name"] == "noise")
        out.append(
            {
                "id": row["id"],
                "device": row.get("device"),
                "kind": noise["kind"],
                "label": row["file_snr_db"],
                "at_mix": noise["snr_db_at_mix"],
                "estimate": round(ls_snr_db(y, c, rate), 2),
            }
        )
    return out


def _summary(entries: list[dict], group: str | None) -> list[str]:
    groups = defaultdict(list)
    for e in entries:
        groups[e[group] if group else "all"].append(e)
    lines = []
    for name, items in sorted(groups.items(), key=lambda kv: str(kv[0])):
        label = [e["label"] - e["estimate"] for e in items]
        mix = [e["at_mix"] - e["estimate"] for e in items]
        lines.append(
            f"| {name} | {len(items)} | {statistics.median(label):+.2f} | {statistics.median(np.abs(label)):.2f} "
            f"| {min(label):+.1f} … {max(label):+.1f} "
            f"| {statistics.median(mix):+.2f} | {min(mix):+.1f} … {max(mix):+.1f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=64, help="prompts to render (each gives a clean/aug pair)")
    parser.add_argument("--corpus", type=Path, help="an existing paired corpus instead of rendering one")
    parser.add_argument("--write", action="store_true", help="append the tables to benchmarks/RESULTS.md")
    args = parser.parse_args()
    from benchmarks.common import corpus_scratch  # as append_results below: imported where used

    with tempfile.TemporaryDirectory(dir=corpus_scratch()) as tmp:
        corpus = args.corpus
        if corpus is None:
            corpus = Path(tmp) / "corpus"
            root = Path(__file__).resolve().parents[1]
            prompts = Path(tmp) / "prompts.txt"
            lines = (root / "synth" / "data" / "default_prompts.txt").read_text().splitlines()
            prompts.write_text(
                "\n".join([line for line in lines if line.strip() and not line.startswith("#")][: args.items]) + "\n"
            )
            subprocess.run(
                [
                    sys.executable,
                    str(root / "generate.py"),
                    "augment=default",
                    "augment.paired=true",
                    "augment.steps.noise.p=1",
                    f"prompts.path={prompts}",
                    "voices.per_prompt=1",
                    f"output.dir={corpus}",
                    "output.report=false",
                    f"augment.cache_dir={Path(tmp) / 'cache'}",
                ],
                check=True,
                cwd=root,
            )
        entries = compare(corpus)
    head = [
        "| group | rows | median label − estimate (dB) | median abs | range | median at_mix − estimate | range |",
        "|---|---|---|---|---|---|---|",
    ]
    lines = [*head, *_summary(entries, None), *_summary(entries, "device"), *_summary(entries, "kind")]
    print("\n".join(lines))
    if args.write:
        from benchmarks.common import append_results

        command = "benchmarks/file_snr.py " + " ".join(sys.argv[1:])
        append_results("Delivered-file SNR label vs least-squares re-estimate", command, lines)


if __name__ == "__main__":
    main()
