"""report/README.md: the dataset card, in Markdown with Hugging Face front matter, from the stats.
Nothing in it depends on when it was written: the same corpus gives the same card."""

from __future__ import annotations

from pathlib import Path

import yaml

from synth.report import markdown
from synth.report.stats import DIMENSIONS, NO_DEVICE, CorpusStats, spread
from voices.accent_names import accent_name

SPLIT_ORDER = {"train": 0, "dev": 1, "test": 2}
TITLES = {
    "split": "Splits",
    "accent": "By accent",
    "gender": "By gender",
    "engine": "By engine",
    "device": "By device profile",
}

LOADING = {
    "hf": 'datasets.load_dataset("audiofolder", data_dir="exports/hf")  # splits train/validation/test',
    "nemo": "exports/nemo/{train,dev,test}.jsonl  # audio_filepath relative to that folder unless exported with "
    "absolute paths",
    "kaldi": "exports/kaldi/{train,dev,test}/  # FLAC entries decode through `flac -c -d -s PATH |`",
    "lhotse": 'lhotse.load_manifest("exports/lhotse/speechforge_recordings_train.jsonl.gz")'
    '.with_path_prefix("<corpus>")',
    "webdataset": "webdataset.WebDataset([...shards listed in exports/webdataset/shards.json...])",
}


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(markdown.text(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _group_rows(stats: CorpusStats, dimension: str) -> list[list]:
    groups = stats.by[dimension]
    order = (lambda k: (SPLIT_ORDER.get(k, 9), k)) if dimension == "split" else (lambda k: k)
    named = dimension == "accent"  # "en-029" alone says little: its name in a last column
    return [
        [key, g.utterances, f"{g.hours:.3f}", len(g.voices), *([accent_name(key)] if named else [])]
        for key, g in sorted(groups.items(), key=lambda kv: order(kv[0]))
    ]


def _front_matter(stats: CorpusStats, name: str) -> list[str]:
    meta = {
        "pretty_name": name,
        "language": sorted(stats.languages),
        "task_categories": ["automatic-speech-recognition"],
        "tags": ["synthetic", "text-to-speech", "accented-speech"],
    }
    return ["---", yaml.safe_dump(meta, sort_keys=False).strip(), "---", ""]


# normalize.letters: how the transcripts write an initialism, which a user of the corpus must know to read them.
_LETTER_STYLE = {
    "spaced": 'Transcripts are lowercase words; an initialism is one word per letter name ("7 pm" -> "seven p m").',
    "joined": 'Transcripts are lowercase words, except that an initialism is one upper-case word ("7 pm" -> '
    '"seven PM"); its word time spans all its letters.',
}


def render_card(
    stats: CorpusStats,
    name: str,
    config_text: str | None,
    plots: dict[str, str],
    exports: list[str],
    speakers: list[str] | None = None,
) -> str:
    """The card's Markdown. `speakers`: the measured "Speakers" section (synth/report/speakers.py), if any."""
    total = stats.total
    config = yaml.safe_load(config_text) if config_text else {}
    split_by = ((config or {}).get("split") or {}).get("by")
    out = _front_matter(stats, name)
    out += [
        f"# {markdown.text(name)}",
        "",
        "Synthetic speech made by speechforge-corpus: text prompts rendered by TTS voices in several accents. "
        "Every label is known by construction: the transcript is what the voice was given to say. "
        + _LETTER_STYLE[((config or {}).get("normalize") or {}).get("letters") or "spaced"],
        "",
    ]
    out += ["## At a glance", ""]
    out += table(
        ["hours", "utterances", "voices", "accents", "languages", "vocabulary (words)"],
        [
            [
                f"{total.hours:.3f}",
                total.utterances,
                len(total.voices),
                len(stats.by["accent"]),
                ", ".join(sorted(stats.languages)) or "-",  # table() escapes every cell
                len(stats.vocabulary),
            ]
        ],
    )
    out += [f"Durations (min / median / max, s): {spread(stats.durations)}.", ""]
    for dimension in DIMENSIONS:
        out += [f"## {TITLES[dimension]}", ""]
        if dimension == "split":
            rule = {
                "text": "text-disjoint (no prompt in two splits)",
                "speaker": "speaker-disjoint (no voice in two splits)",
            }.get(split_by)
            if rule:
                out += [f"Assigned {rule}, deterministically from the seed.", ""]
            out += [
                f"Voices in more than one split: {stats.shared_between_splits('voices')}. "
                f"Prompt texts in more than one split: {stats.shared_between_splits('prompts')}.",
                "",
            ]
        if dimension == "device" and set(stats.by["device"]) <= {NO_DEVICE}:
            out += ["No device profile was applied (`none`).", ""]
        names = ["name"] if dimension == "accent" else []
        out += table([dimension, "utterances", "hours", "voices", *names], _group_rows(stats, dimension))
    out += speakers or []
    out += _augmentation(stats)
    out += _licences(stats, config or {})
    out += ["## Quality control", ""]
    out += [
        f"Utterances kept although they failed QC (`qc.passed: false`, left out of exports): {stats.qc_failed_kept}.",
        "",
    ]
    if stats.rejects_by_stage:
        out += table(["rejected at stage", "items"], [[k, v] for k, v in sorted(stats.rejects_by_stage.items())])
    else:
        out += ["Nothing was rejected.", ""]
    if stats.unreadable_lines:
        out += [f"**{stats.unreadable_lines} manifest line(s) could not be read** (run `speechforge verify`).", ""]
    if plots:
        out += ["## Plots", ""]
        for caption, file_name in plots.items():
            out += [f"![{caption}]({file_name})", ""]
    if exports:
        out += ["## Exports", ""] + markdown.fenced("\n".join(f"{n}: {LOADING.get(n, '')}" for n in exports), "text")
        out += [""]
    if config_text:
        out += [
            "## Config",
            "",
            "The resolved config of the run (`config.yaml`):",
            "",
            *markdown.fenced(config_text, "yaml"),
            "",
        ]
    return "\n".join(out)


COMMERCIAL = {True: "yes", False: "no", None: "not stated"}


def _licences(stats: CorpusStats, config: dict) -> list[str]:
    out = ["## Licences of the voices", ""]
    rows = []
    for lic, v in sorted(stats.licences.items()):
        uses = sorted(v.get("commercial_use", {None}), key=lambda u: (u is None, u is False))
        rows.append([lic, len(v["voices"]), ", ".join(sorted(v["engines"])), " / ".join(COMMERCIAL[u] for u in uses)])
    out += table(["licence", "speakers", "engines", "commercial use"], rows)
    restricted = sum(len(v["voices"]) for v in stats.licences.values() if v.get("commercial_use", {None}) != {True})
    wanted = ((config.get("voices") or {}).get("licenses")) or "any"
    if wanted == "commercial":
        out += [
            "Made with `voices.licenses=commercial`: every voice whose licence does not allow commercial use "
            "(non-commercial, no-derivatives, or not stated) was left out before any audio was rendered.",
            "",
        ]
    if restricted:
        out += [
            f"**{restricted} speaker(s) come from voices whose terms do not allow commercial use, or do not say.** "
            "Each row's `speaker.license` and `speaker.commercial_use` say which; `voices.licenses=commercial` "
            "makes a corpus without them.",
            "",
        ]
    else:
        out += [
            "Every voice in this corpus is marked as allowing commercial use; the terms of each licence "
            "(attribution, notices) still apply.",
            "",
        ]
    return out


def _augmentation(stats: CorpusStats) -> list[str]:
    out = ["## Augmentation", ""]
    if not stats.augment_steps:
        return out + ["Clean speech: no augmentation step was applied.", ""]
    out += [f"Utterances with at least one step: {stats.augmented} of {stats.total.utterances}.", ""]
    if stats.pair_roles:
        out += [
            f"Clean/augmented pairs: {stats.pair_roles.get('clean', 0)} clean and "
            f"{stats.pair_roles.get('augmented', 0)} augmented rows.",
            "",
        ]
    out += table(["step", "utterances"], [[k, v] for k, v in sorted(stats.augment_steps.items())])
    out += table(
        ["measure", "utterances", "min / median / max"],
        [["SNR (dB)", len(stats.snr_db), spread(stats.snr_db)], ["RT60 (s)", len(stats.rt60_s), spread(stats.rt60_s)]],
    )
    return out


def read_config(root: Path) -> str | None:
    path = root / "config.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else None
