"""Write the static review page: one self-contained HTML file, the clips, a spectrogram per clip.

The folder can be zipped and sent to a listener: everything is referenced by relative path and
the page needs no server (verdicts stay in the browser's localStorage and download as JSON).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import soundfile as sf

from synth.review.sample import Sample, stratum
from voices.accent_names import accent_label


def spectrogram_db(audio: np.ndarray, sample_rate: int, window_s: float = 0.025, hop_s: float = 0.01) -> np.ndarray:
    """Power in dB, one row per 10 ms frame (25 ms Hann windows), one column per frequency bin."""
    size, hop = max(16, int(window_s * sample_rate)), max(1, int(hop_s * sample_rate))
    padded = np.pad(np.asarray(audio, dtype=np.float64), (0, max(0, size - len(audio))))
    n = 1 + (len(padded) - size) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, size)[::hop][:n] * np.hanning(size)
    return 10 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) ** 2 + 1e-12)


def write_spectrogram(audio: np.ndarray, sample_rate: int, path: Path, words: list | None = None) -> None:
    # Figure without pyplot: no global state, no display backend needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    duration = max(len(audio) / sample_rate, 1e-3)
    top = min(sample_rate / 2, 8000)  # speech lives below 8 kHz
    db = spectrogram_db(audio, sample_rate)
    fig = Figure(figsize=(8, 2), dpi=80)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(
        db.T,
        origin="lower",
        aspect="auto",
        cmap="magma",
        interpolation="nearest",
        extent=(0, duration, 0, sample_rate / 2),
        vmax=db.max(),
        vmin=db.max() - 70,
    )
    ax.set_xlim(0, duration)
    ax.set_ylim(0, top)
    for w in words or []:  # word starts let the listener see where a label drifts from the audio
        ax.axvline(w["start"], color="white", linewidth=0.6, alpha=0.6)
        ax.text(w["start"] + 0.005, top * 0.95, w["word"], color="white", fontsize=7, va="top")
    ax.set_axis_off()
    canvas.draw()
    # A 64-colour palette PNG is ~5x smaller than the RGBA one and looks the same for this use.
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).quantize(64)
    image.save(path, format="PNG", optimize=True)


def _item(row: dict, counted: bool, audio: str, image: str) -> dict:
    qc = row.get("qc") or {}
    return {
        "id": row["id"],
        "counted": counted,
        "stratum": stratum(row),
        "audio": audio,
        "spectrogram": image,
        "text": row.get("text", ""),
        "transcript": row.get("transcript", ""),
        "duration": row.get("duration"),
        "split": row.get("split"),
        "sha256": row.get("sha256"),
        "accent_label": accent_label(str((row.get("speaker") or {}).get("accent", "?"))),
        "speaker": row.get("speaker") or {},
        "prosody": row.get("prosody") or {},
        "augment": [s.get("name") for s in row.get("augment") or []],
        "device": row.get("device"),
        "qc": {"passed": qc.get("passed", True), "reasons": qc.get("reasons", []), "asr": qc.get("asr")},
    }


# Inside <script>, the HTML parser ends the element at "</script" and changes state at "<!--" (a
# "<!--<script>" then swallows the rest of the page); "&" and ">" matter in other contexts, and
# U+2028/U+2029 end a line in older JavaScript. As \uXXXX escapes they are the same JSON string.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(data) -> str:
    """`data` as JSON that is safe as the text of a <script type="application/json"> element,
    whatever its strings hold; JSON.parse of the element's text gives `data` back.

    :param data: anything json.dumps accepts
    """
    text = json.dumps(data, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group(0)], text)


def write_page(sample: Sample, root: Path, out: Path) -> Path:
    """Copy the clips under out/audio, draw out/spectrograms, write out/index.html and out/sample.json."""
    (out / "audio").mkdir(parents=True, exist_ok=True)
    (out / "spectrograms").mkdir(exist_ok=True)
    items = []
    for counted, rows in ((True, sample.rows), (False, sample.extra)):
        for row in rows:
            source = root / row["audio_filepath"]
            audio_rel = f"audio/{row['id']}{source.suffix}"
            image_rel = f"spectrograms/{row['id']}.png"
            shutil.copyfile(source, out / audio_rel)
            audio, rate = sf.read(source, dtype="float32")
            write_spectrogram(audio if audio.ndim == 1 else audio.mean(axis=1), rate, out / image_rel, row.get("words"))
            items.append(_item(row, counted, audio_rel, image_rel))
    data = {"sample": sample.meta, "items": items}
    (out / "sample.json").write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    template = resources.files("synth.review").joinpath("page.html").read_text(encoding="utf-8")
    fills = {
        "{{TITLE}}": html.escape(f"Review {sample.meta['id']}: {Path(sample.meta['corpus']).name}"),
        "{{DATA}}": script_json(data),
    }
    # One pass: a value that happens to contain "{{DATA}}" is not filled in again.
    page = re.sub(r"\{\{(?:TITLE|DATA)\}\}", lambda m: fills[m.group(0)], template)
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"
