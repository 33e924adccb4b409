"""The card's PNG plots. matplotlib's object API with the Agg canvas: no pyplot global state, no
display needed, and nothing that depends on which backend the user's session selected."""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from synth.report.stats import NO_DEVICE, CorpusStats
from voices.accent_names import accent_label

# PNG metadata names the matplotlib version by default; without it the same corpus gives the same bytes.
_SAVE = {"dpi": 100, "metadata": {"Software": None}}


def _figure(title: str, xlabel: str, ylabel: str, height: float = 3.5):
    figure = Figure(figsize=(7, height))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(alpha=0.3)
    return figure, axes


def histogram(path: Path, values: list[float], title: str, xlabel: str, bins: int = 30) -> Path:
    figure, axes = _figure(title, xlabel, "utterances")
    axes.hist(values, bins=bins, color="#4c72b0", edgecolor="white")
    figure.tight_layout()
    figure.savefig(path, **_SAVE)
    return path


def bars(path: Path, counts: dict[str, int], title: str) -> Path:
    figure = bar_figure(counts, title)
    figure.savefig(path, **_SAVE)
    return path


def bar_figure(counts: dict[str, int], title: str) -> Figure:
    """Horizontal bars, one per label in sorted order, each annotated with its count."""
    labels = sorted(counts)
    figure, axes = _figure(title, "utterances", "", height=max(2.5, 0.35 * len(labels) + 1.2))
    axes.barh(labels, [counts[k] for k in labels], color="#55a868")
    axes.invert_yaxis()  # first label on top, as in the card's tables
    for y, label in enumerate(labels):
        axes.annotate(
            str(counts[label]), (counts[label], y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8
        )
    figure.tight_layout()
    return figure


def accent_counts(stats: CorpusStats) -> dict[str, int]:
    """Utterances per accent, keyed "en-029 (Caribbean English)": a plot's reader sees the name, not only the code."""
    return {accent_label(k): g.utterances for k, g in stats.by["accent"].items()}


def draw_all(stats: CorpusStats, folder: Path) -> dict[str, str]:
    """Write each plot the data supports; return {caption: file name}."""
    made = {}
    if stats.durations:
        made["Duration of utterances"] = histogram(
            folder / "duration_hist.png", stats.durations, "Duration", "seconds"
        ).name
        made["Utterances by accent"] = bars(
            folder / "accent_counts.png", accent_counts(stats), "Utterances by accent"
        ).name
    devices = {k: g.utterances for k, g in stats.by["device"].items()}
    if set(devices) - {NO_DEVICE}:
        made["Utterances by device profile"] = bars(
            folder / "device_counts.png", devices, "Utterances by device profile"
        ).name
    if stats.snr_db:
        made["Signal-to-noise ratio of noisy utterances"] = histogram(
            folder / "snr_hist.png", stats.snr_db, "SNR (noise steps)", "dB"
        ).name
    if stats.rt60_s:
        made["Reverberation time of simulated rooms"] = histogram(
            folder / "rt60_hist.png", stats.rt60_s, "RT60 (room steps)", "seconds"
        ).name
    return made
