"""Kaldi data directories: exports/kaldi/{train,dev,test}/ with wav.scp, text, utt2spk, spk2utt,
utt2dur and spk2gender, every file sorted in C-locale byte order as utils/validate_data_dir.sh
demands.

Utterance ids are the speaker id, "-", the manifest id (unless that already starts with the
speaker id): Kaldi wants utterances sorted by speaker to be sorted by utterance id too.
Kaldi reads only WAV itself, so a FLAC corpus gets a pipe entry in wav.scp,
`<utt> flac -c -d -s <path> |`, which needs the `flac` command at training time; a WAV corpus
gets the plain path. Paths are absolute by default (Kaldi has no notion of a base folder);
`absolute_paths: false` writes them relative to the corpus folder."""

from __future__ import annotations

import os
import shlex
from collections import defaultdict
from pathlib import Path

from synth.exporters.agreement import Expected, Found, compare, split_counts
from synth.exporters.common import SPLITS, ExportError, audio_path, export_rows

NAME = "kaldi"
OPTIONS = {"absolute_paths": True}
FILES = ("wav.scp", "text", "utt2spk", "spk2utt", "utt2dur", "spk2gender")
KALDI_GENDER = {"female": "f", "male": "m"}


def utterance_id(row_id: str, speaker: str) -> str:
    return row_id if row_id.startswith(f"{speaker}-") else f"{speaker}-{row_id}"


def _row_id_of(utt: str, speaker: str, expected: dict) -> str:
    """The manifest id behind an utterance id that no complete row produced (undo the prefix)."""
    stripped = utt[len(speaker) + 1 :] if utt.startswith(f"{speaker}-") else utt
    return stripped if stripped in expected else utt


def c_sorted(lines) -> list[str]:
    return sorted(lines, key=lambda line: line.split(" ", 1)[0].encode("utf-8"))


def wav_entry(path: Path, shown: str) -> str:
    if path.suffix.lower() == ".wav" and not any(c.isspace() for c in shown):
        return shown
    if path.suffix.lower() == ".flac":
        return f"flac -c -d -s {shlex.quote(shown)} |"
    return f"sox {shlex.quote(shown)} -t wav - |"


def path_of_wav_entry(entry: str) -> str:
    if not entry.rstrip().endswith("|"):
        return entry.strip()
    words = shlex.split(entry.rstrip()[:-1])
    return next(w for w in words[1:] if not w.startswith("-"))


def _check_speaker_prefixes(speakers: set[str]) -> None:
    """Sorting by utterance id matches sorting by speaker unless one speaker id is another's
    followed by "-" (then "a-x…" and "a-b-y…" interleave)."""
    for speaker in speakers:
        if any(c.isspace() for c in speaker):
            raise ExportError(f"kaldi: speaker id {speaker!r} contains whitespace")
        head = speaker
        while "-" in head:
            head = head.rsplit("-", 1)[0]
            if head in speakers:
                raise ExportError(
                    f"kaldi: speaker ids {head!r} and {speaker!r} would make Kaldi's sort orders disagree "
                    "(one is the other plus '-…'); rename one of the voices"
                )


def write(root: Path, out: Path, options: dict) -> None:
    """Write the Kaldi data dirs (one per split) into `out` (an empty folder that then replaces exports/kaldi).

    :param root: the corpus folder
    :param out: the folder to fill
    :param options: OPTIONS, checked, with the request's values
    """
    files = defaultdict(lambda: defaultdict(list))  # split -> file -> lines
    spk_utts = defaultdict(lambda: defaultdict(list))
    genders = defaultdict(dict)
    for row in export_rows(root):
        split, speaker = row.split, row.speaker.id
        utt = utterance_id(row.id, speaker)
        source = audio_path(root, row)
        shown = str(source) if options["absolute_paths"] else os.path.relpath(source, root.resolve())
        files[split]["wav.scp"].append(f"{utt} {wav_entry(source, shown)}")
        files[split]["text"].append(f"{utt} {row.transcript}")
        files[split]["utt2spk"].append(f"{utt} {speaker}")
        files[split]["utt2dur"].append(f"{utt} {row.duration}")
        spk_utts[split][speaker].append(utt)
        genders[split][speaker] = KALDI_GENDER.get(row.speaker.gender)
    for split in files:
        _check_speaker_prefixes(set(spk_utts[split]))
        files[split]["spk2utt"] = [f"{s} {' '.join(c_sorted(u))}" for s, u in spk_utts[split].items()]
        if all(genders[split].values()):  # Kaldi allows only m/f, and then for every speaker
            files[split]["spk2gender"] = [f"{s} {g}" for s, g in genders[split].items()]
        (out / split).mkdir()
        for name, lines in files[split].items():
            (out / split / name).write_text("".join(line + "\n" for line in c_sorted(lines)), encoding="utf-8")


def _read_table(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    pairs, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        key, _, value = line.partition(" ")
        if not key or (not value and path.name != "text"):
            problems.append(f"{path.parent.name}/{path.name}:{number}: malformed line {line!r}")
        pairs.append((key, value))
    keys = [k.encode("utf-8") for k, _ in pairs]
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        problems.append(f"{path.parent.name}/{path.name}: not sorted (C order) and unique")
    return pairs, problems


def check_data_dir(folder: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The tables of one data dir and what utils/validate_data_dir.sh --no-feats would object to."""
    where = f"kaldi/{folder.name}"
    tables, problems = {}, []
    for name in FILES:
        if (folder / name).is_file():
            pairs, found = _read_table(folder / name)
            tables[name] = dict(pairs)
            problems += [f"kaldi/{p}" for p in found]
        elif name != "spk2gender":
            problems.append(f"{where}: {name} is missing")
    if problems:
        return tables, problems
    utts = set(tables["utt2spk"])
    for name in ("wav.scp", "text", "utt2dur"):
        if set(tables[name]) != utts:
            problems.append(f"{where}: {name} and utt2spk list different utterances")
    by_speaker = defaultdict(list)
    for utt, speaker in tables["utt2spk"].items():
        by_speaker[speaker].append(utt)
    if {s: sorted(u) for s, u in by_speaker.items()} != {s: sorted(u.split()) for s, u in tables["spk2utt"].items()}:
        problems.append(f"{where}: spk2utt does not match utt2spk")
    ordered = [u for s in sorted(by_speaker, key=str.encode) for u in sorted(by_speaker[s], key=str.encode)]
    if ordered != sorted(utts, key=str.encode):
        problems.append(
            f"{where}: sorting by speaker and by utterance id disagree (utterance ids must start with the speaker id)"
        )
    if "spk2gender" in tables and (
        set(tables["spk2gender"]) != set(by_speaker) or set(tables["spk2gender"].values()) - {"m", "f"}
    ):
        problems.append(f"{where}: spk2gender must give m or f for exactly the speakers of utt2spk")
    return tables, problems


def check(root: Path, out: Path, expected: dict[str, Expected]) -> list[str]:
    """What in the export `out` disagrees with the manifest (`verify` asks); [] when it agrees.

    :param root: the corpus folder
    :param out: this format's export folder
    :param expected: manifest row id -> what the export must say of it (None: a row too broken to
        compare; verify reports it itself)
    """
    problems, counts = [], split_counts(expected)
    for split in SPLITS:
        folder = out / split
        if not folder.is_dir():
            if counts.get(split):
                problems.append(f"kaldi/{split}/ is missing but the manifest has {counts[split]} {split} utterance(s)")
            continue
        tables, found_problems = check_data_dir(folder)
        problems += found_problems
        if found_problems:
            continue
        manifest_id = {utterance_id(i, e.speaker): i for i, e in expected.items() if e is not None}
        found = {}
        for utt, speaker in tables["utt2spk"].items():
            path = Path(path_of_wav_entry(tables["wav.scp"][utt]))
            row_id = manifest_id.get(utt) or _row_id_of(utt, speaker, expected)
            found[row_id] = Found(float(tables["utt2dur"][utt]), tables["text"][utt], (root / path).resolve())
            e = expected.get(row_id)
            if e is not None and speaker != e.speaker:
                problems.append(f"kaldi/{split}/utt2spk: {utt}: speaker {speaker!r} != manifest {e.speaker!r}")
        problems += compare(f"kaldi/{split}", found, expected, split, root)
    return problems
