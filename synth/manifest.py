"""The manifest row as a typed record, and the one place that reads, writes, resumes and validates JSONL.

A row of manifest.jsonl is an `Utterance` (README.md, "The corpus", documents its keys):

    for utt in read_manifest(root / "manifest.jsonl"):
        utt.transcript, utt.speaker.id, [w.start for w in utt.words or []]

Every record keeps the keys it does not know in `custom` (a newer corpus's extra field, a prompt
file's intent and slots) and remembers the order its keys were read in, so a row read from disk
and written back is byte-identical: resuming or merging an older or newer corpus never rewrites
its labels silently. A record built in code writes the documented order; optional fields (device,
pair, a speaker's base_voice, a word's estimated/source, qc.asr) are left out while None.

JSONL policy, for every label and export file, decided here only (`read_lines`):
- a last line without its newline is torn (a run still writing, or killed): never a row; resuming
  cuts it off (`scan` + `truncate`);
- a whole line that is blank, not JSON or not an object is reported with its line number; lenient
  readers skip it, strict ones (exports, which are written in one go) raise ManifestError.
Writing is one `os.write` per line with O_APPEND (`append_line`): a kill leaves at most one torn line.
"""

from __future__ import annotations

import dataclasses
import difflib
import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

SPLITS = ("train", "dev", "test")
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
TORN = "torn last line (no newline): is a run still writing?"


class ManifestError(ValueError):
    """A row or JSONL line is not what the manifest contract says; the message names the field or line."""


# --------------------------------------------------------------------------- records

_KEY_ORDERS: dict[tuple, tuple] = {}  # rows share a handful of key orders: keep one tuple of each


def _order_of(data: dict) -> tuple:
    keys = tuple(data)
    return _KEY_ORDERS.setdefault(keys, keys)


_NAMES: dict[type, tuple[str, ...]] = {}


class _Record:
    """from_dict/to_dict for the dataclasses below: their fields in documented order, unknown keys in
    `custom`, and `keys_read` (the order of a dict read from disk) to write it back unchanged."""

    REQUIRED: ClassVar[tuple[str, ...]] = ()
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()  # left out of a built record's dict while None
    NESTED: ClassVar[dict[str, tuple[type, bool]]] = {}  # field -> (record class, is a list of them)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        names = _NAMES.get(cls)
        if names is None:  # computed once per class: dataclasses.fields() is slow, and every row asks ~50 times
            fields = dataclasses.fields(cls)
            names = _NAMES[cls] = tuple(f.name for f in fields if f.name not in ("custom", "keys_read"))
        return names

    @classmethod
    def from_dict(cls, data: Any, where: str = ""):
        where = where or cls.__name__.lower()
        if not isinstance(data, dict):
            raise ManifestError(f"{where} must be an object; got {type(data).__name__}")
        missing = [n for n in cls.REQUIRED if n not in data]
        if missing:
            raise ManifestError(f"{where}: missing field(s) {', '.join(missing)}")
        names = cls.names()
        values = {n: cls._decode(n, data[n], f"{where}.{n}") for n in names if n in data}
        custom = {k: v for k, v in data.items() if k not in names}
        return cls(**values, custom=custom, keys_read=_order_of(data))

    @classmethod
    def _decode(cls, name: str, value: Any, where: str) -> Any:
        if name not in cls.NESTED or value is None:
            return value
        record, many = cls.NESTED[name]
        if not many:
            return record.from_dict(value, where)
        if not isinstance(value, list):
            raise ManifestError(f"{where} must be a list; got {type(value).__name__}")
        return [record.from_dict(v, f"{where}[{i}]") for i, v in enumerate(value)]

    def _written(self, name: str, value: Any) -> bool:
        """Whether a field of a record built in code (not read from disk) goes into its dict."""
        return name not in self.OPTIONAL or value is not None

    def to_dict(self) -> dict:
        values = {}
        for name in self.names():
            value = getattr(self, name)
            if isinstance(value, _Record):
                value = value.to_dict()
            elif isinstance(value, list) and name in self.NESTED:
                value = [v.to_dict() for v in value]
            values[name] = value
        read = self.keys_read
        if read is None:
            out = {n: v for n, v in values.items() if self._written(n, v)}
        else:  # as read: the same keys in the same places; a field set since then goes last
            out = {}
            for key in read:
                if key in values:
                    out[key] = values[key]
                elif key in self.custom:
                    out[key] = self.custom[key]
            out.update((n, v) for n, v in values.items() if n not in out and v is not None)
        out.update((k, v) for k, v in self.custom.items() if k not in out)
        return out


def normalize_disputed(record: dict | None) -> bool:
    """Whether a row's ``normalize`` record says the cross-check found two different readings."""
    return isinstance(record, dict) and (record.get("cross_check") or {}).get("agree") is False


def _record(cls):
    """Mutable, slotted, keyword-only dataclass: fields in documented order, required ones first or not."""
    return dataclass(slots=True, kw_only=True)(cls)


@_record
class Speaker(_Record):
    """Who speaks: the catalog voice (or pseudo-speaker) that rendered the row, and its licence."""

    REQUIRED: ClassVar = ("id", "engine", "voice", "accent", "gender", "locale", "license")
    OPTIONAL: ClassVar = frozenset({"base_voice", "perturbation"})

    id: str
    engine: str
    voice: str  # the engine's own voice name
    accent: str
    gender: str
    locale: str
    license: str
    commercial_use: bool | None = None  # always written: None means "not known"
    base_voice: str | None = None  # pseudo-speakers (voices.speakers_per_voice > 1): the catalog voice
    perturbation: dict | None = None  # {"method", "formant_ratio", "pitch_ratio"}; None for speaker 0
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)

    def _written(self, name: str, value: Any) -> bool:
        if name == "perturbation":  # every row of a pseudo-speaker run names both, null for the base voice
            return self.base_voice is not None or value is not None
        return _Record._written(self, name, value)


@_record
class Prosody(_Record):
    """The prosody as the engine applied it, relative to the voice's own (1.0 = its default)."""

    REQUIRED: ClassVar = ("rate", "pitch", "volume")

    rate: float
    pitch: float
    volume: float
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)


@_record
class Word(_Record):
    """One word of the transcript and where it is heard, in seconds from the file's start."""

    REQUIRED: ClassVar = ("word", "start", "end")
    OPTIONAL: ClassVar = frozenset({"estimated", "source"})

    word: str
    start: float  # seconds
    end: float
    estimated: bool | None = None  # true: split by letter count or forced, not measured
    source: str | None = None  # "aligner" when a forced aligner timed it, not the engine
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)

    def within(self, duration: float) -> Word:
        """A copy that ends inside audio of `duration` seconds (resampling can shorten it by a fraction of a sample)."""
        end = min(self.end, round(duration, 3))
        return dataclasses.replace(self, end=end, start=min(self.start, end - 0.001), custom=dict(self.custom))


@_record
class AppliedStep(_Record):
    """One augmentation step as applied: its name and every value drawn for this file."""

    REQUIRED: ClassVar = ("name",)

    name: str
    params: dict = field(default_factory=dict)
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)


@_record
class QC(_Record):
    """The quality checks' measurements of the file and whether it passed (synth/qc.py)."""

    OPTIONAL: ClassVar = frozenset(
        {
            "rms_dbfs",
            "clipped_ratio",
            "words_per_second",
            "speech_ratio",
            "leading_silence_s",
            "trailing_silence_s",
            "asr",
        }
    )

    passed: bool | None = None  # None (absent): counts as passed, as it always has
    reasons: list = field(default_factory=list)
    rms_dbfs: float | None = None
    clipped_ratio: float | None = None
    words_per_second: float | None = None
    speech_ratio: float | None = None
    leading_silence_s: float | None = None
    trailing_silence_s: float | None = None
    asr: dict | None = None  # qc.asr: the pocketsphinx round trip {"hyp", "wer", "oov", "flagged"}
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)


@_record
class Prompt(_Record):
    """The prompt's id; every other field the prompt file carried (intent, slots, ...) is in `custom`."""

    id: str | None = None
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)


@_record
class Pair(_Record):
    """augment.paired: which half of a clean/augmented pair a row is, and the stem they share."""

    REQUIRED: ClassVar = ("stem", "role")

    stem: str  # the work item's id, shared by its clean and augmented rows
    role: str  # "clean" | "augmented"
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)


@_record
class Utterance(_Record):
    """One manifest row: an audio file and every label that is true of it."""

    REQUIRED: ClassVar = (
        "id",
        "audio_filepath",
        "duration",
        "sample_rate",
        "text",
        "transcript",
        "language",
        "speaker",
        "prosody",
        "words",
        "augment",
        "seed",
        "sha256",
        "split",
        "qc",
        "prompt",
    )
    OPTIONAL: ClassVar = frozenset({"device", "pair", "file_snr_db", "qc_clean", "normalize", "build", "row_sha256"})
    NESTED: ClassVar = {
        "speaker": (Speaker, False),
        "prosody": (Prosody, False),
        "words": (Word, True),
        "augment": (AppliedStep, True),
        "qc": (QC, False),
        "prompt": (Prompt, False),
        "pair": (Pair, False),
        "qc_clean": (QC, False),
    }

    id: str  # stable, [A-Za-z0-9_-]
    audio_filepath: str  # relative to the corpus folder
    duration: float
    sample_rate: int
    text: str  # as written
    transcript: str  # the spoken form, normalized for ASR
    language: str
    speaker: Speaker
    prosody: Prosody
    words: list[Word] | None  # None: no word times for this engine
    augment: list[AppliedStep]  # in the order applied
    seed: int
    sha256: str
    split: str
    qc: QC
    prompt: Prompt
    device: str | None = None  # the device profile, when a device step ran
    pair: Pair | None = None  # augment.paired: which half of a clean/augmented pair
    # augmented rows: the delivered file's SNR (speech part vs the rest, after the whole chain; null
    # when no noise was mixed), and the clean render's QC (`qc` then measures the delivered file)
    file_snr_db: float | None = None
    qc_clean: QC | None = None
    normalize: dict | None = None  # {backend, cross_check: {backend, agree, transcript}} when asked for
    build: str | None = None  # which build of the engine and libraries made it (synth/versions.py)
    row_sha256: str | None = None  # sha256 of this row as written, without this key (`seal`)
    custom: dict = field(default_factory=dict)
    keys_read: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def item_id(self) -> str:
        """The work item this row belongs to (paired rows share their item's id as pair.stem)."""
        return self.pair.stem if self.pair is not None else self.id

    @property
    def label_disputed(self) -> bool:
        """Whether two normalizers read this row's text differently (normalize.cross_check.agree is false)."""
        return normalize_disputed(self.normalize)

    @property
    def delivered(self) -> bool:
        """Whether it belongs in exports: rows kept although they failed QC stay in the manifest only."""
        return self.qc.passed is not False

    @property
    def device_name(self) -> str | None:
        """The device profile's name, or None; a richer device record is named by its profile."""
        device = self.device
        if isinstance(device, dict):
            device = device.get("name") or device.get("profile")
        return str(device) if device else None

    @classmethod
    def parse(cls, data: Any, where: str = "row") -> Utterance:
        """from_dict after `validate`: ManifestError naming every field at fault.

        :param data: one row as read from JSON
        :param where: what to call it in the message (e.g. "manifest.jsonl line 12")
        """
        problems = validate(data)
        if problems:
            raise ManifestError(f"{where}: " + "; ".join(problems))
        return cls.from_dict(data, where)


# --------------------------------------------------------------------------- row digests

ROW_DIGEST = "row_sha256"


def row_digest(row: dict) -> str:
    """sha256 of the row's JSONL line without its own digest: what `seal` stores and resume/verify check."""
    body = {k: v for k, v in row.items() if k != ROW_DIGEST}
    return _sha256(json.dumps(body, ensure_ascii=False).encode("utf-8"))


def seal(row: dict) -> dict:
    """The row with its digest as last key. Labels only the render knows (word times, QC figures,
    realized prosody and augmentation values, duration) cannot be recomputed without the audio;
    the digest makes any later edit of them, or of anything else, visible to resume and verify."""
    return {**{k: v for k, v in row.items() if k != ROW_DIGEST}, ROW_DIGEST: row_digest(row)}


def seal_intact(row: dict) -> bool | None:
    """True if the row's digest matches it, False if the row was edited since, None if it has none."""
    stored = row.get(ROW_DIGEST)
    return None if stored is None else stored == row_digest(row)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- validation


def _misspelt(data: dict, record: type[_Record], where: str) -> list[str]:
    """Unknown keys that look like a field the object lacks: the silent None of a typo, made loud."""
    absent = [n for n in record.names() if n not in data]
    problems = []
    for key in data:
        if key not in record.names():
            close = difflib.get_close_matches(str(key), absent, n=1, cutoff=0.75)
            if close:
                problems.append(f"{where}unknown field {key!r} (did you mean {close[0]!r}?)")
    return problems


def validate(row: Any) -> list[str]:
    """What is wrong with one manifest row as read from JSON; [] when it keeps the contract.
    Unknown keys are allowed (a newer corpus's), unless they look like a misspelt field."""
    if not isinstance(row, dict):
        return ["not a JSON object"]
    problems = []
    missing = [k for k in Utterance.REQUIRED if k not in row]
    if missing:
        problems.append(f"missing field(s) {', '.join(missing)}")
    problems += _misspelt(row, Utterance, "")
    speaker = row.get("speaker")
    if isinstance(speaker, dict):
        missing = [k for k in Speaker.REQUIRED if k not in speaker]
        if missing:
            problems.append(f"speaker lacks {', '.join(missing)}")
        problems += _misspelt(speaker, Speaker, "speaker: ")
    elif "speaker" in row:
        problems.append("speaker must be an object")
    for name, record in (("prosody", Prosody), ("qc", QC), ("prompt", Prompt), ("pair", Pair), ("qc_clean", QC)):
        if name in row and not isinstance(row[name], dict):
            problems.append(f"{name} must be an object")
        elif isinstance(row.get(name), dict):
            problems += _misspelt(row[name], record, f"{name}: ")
    for name, nullable in (("words", True), ("augment", False)):
        value = row.get(name)
        if name in row and not (isinstance(value, list) or (nullable and value is None)):
            problems.append(f"{name} must be a list{' or null' if nullable else ''}")
        elif isinstance(value, list) and not all(isinstance(v, dict) for v in value):
            problems.append(f"every entry of {name} must be an object")
    if "id" in row and not (isinstance(row["id"], str) and ID_PATTERN.fullmatch(row["id"])):
        problems.append(f"id {row['id']!r} must use only [A-Za-z0-9_-]")
    if "split" in row and row["split"] not in SPLITS:
        problems.append(f"split {row['split']!r} is not one of {', '.join(SPLITS)}")
    words = row.get("words")
    spellable = (
        isinstance(words, list) and isinstance(row.get("transcript"), str) and all(isinstance(w, dict) for w in words)
    )
    if spellable and [w.get("word") for w in words] != row["transcript"].split():
        problems.append(f"word times do not spell the transcript {row['transcript']!r}")
    return problems


# --------------------------------------------------------------------------- reading JSONL


@dataclass(frozen=True)
class Line:
    """One line of a JSONL file as `read_lines` finds it."""

    number: int  # 1-based
    row: dict | None  # the JSON object, or None when the line is not one
    error: str | None  # why it is not (TORN for a torn last line)
    end: int  # byte offset just after this line: truncating there keeps it whole


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def read_lines(path: str | os.PathLike) -> Iterator[Line]:
    """Every line of a JSONL file (plain or .gz), lazily; the torn-line policy of the whole project."""
    end = 0
    with _open(Path(path)) as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                yield Line(number, None, TORN, end)
                return
            end += len(line)
            if not line.strip():
                yield Line(number, None, "blank line", end)
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Line(number, None, f"not JSON ({exc.msg})", end)
                continue
            if not isinstance(row, dict):
                yield Line(number, None, "not a JSON object", end)
                continue
            yield Line(number, row, None, end)


def read_jsonl(path: str | os.PathLike, strict: bool = False) -> Iterator[dict]:
    """The JSON objects of a JSONL file. Lenient (label files, appended while a run goes on): a missing
    file holds none, unreadable lines are skipped. Strict (exports): ManifestError at the first bad line.

    :param path: a .jsonl file, or .jsonl.gz
    :param strict: raise on a missing file or a bad line instead of skipping it
    """
    path = Path(path)
    if not strict and not path.exists():
        return
    for line in read_lines(path):
        if line.error is None:
            yield line.row
        elif strict:
            raise ManifestError(f"{path}:{line.number}: {line.error}")


def read_manifest(path: str | os.PathLike, strict: bool = False) -> Iterator[Utterance]:
    """The rows of a manifest as Utterances. A torn or unreadable line is skipped (strict: raises); a
    whole row that breaks the contract raises ManifestError naming its line and field.

    :param path: a manifest.jsonl (or .jsonl.gz)
    :param strict: raise on a missing file or an unreadable line instead of skipping it
    """
    path = Path(path)
    if not strict and not path.exists():
        return
    for line in read_lines(path):
        if line.error is not None:
            if strict:
                raise ManifestError(f"{path}:{line.number}: {line.error}")
            continue
        yield Utterance.from_dict(line.row, f"{path.name}:{line.number}")


@dataclass
class Scan:
    """A label file as a resume finds it."""

    rows: list[dict]  # every readable row, in file order
    whole_bytes: int  # where the last whole line ends: a torn tail lies beyond
    unreadable: list[Line]  # whole lines that are not rows (a torn tail is not among them)

    @property
    def clean(self) -> bool:
        """Nothing but a possibly torn tail to cut: truncating to whole_bytes leaves exactly the rows."""
        return not self.unreadable


def scan(path: str | os.PathLike) -> Scan:
    """Read a label file the way a resume does: rows up to a torn tail, and where the whole lines end.

    :param path: the label file (a missing one is an empty Scan)
    """
    result = Scan([], 0, [])
    if not Path(path).exists():
        return result
    for line in read_lines(path):
        if line.error == TORN:
            break
        result.whole_bytes = line.end
        if line.error is None:
            result.rows.append(line.row)
        else:
            result.unreadable.append(line)
    return result


def resumed_ids(path: str | os.PathLike) -> set[str]:
    """The work items a manifest already holds (the ids a resuming writer skips, as lhotse's
    SequentialJsonlWriter does); a row that does not parse does not count as done."""
    done = set()
    for row in read_jsonl(path):
        try:
            done.add(Utterance.from_dict(row).item_id)
        except ManifestError:
            continue
    return done


# --------------------------------------------------------------------------- writing JSONL


def _as_dict(row: Utterance | dict) -> dict:
    return row.to_dict() if isinstance(row, _Record) else row


def dumps(row: Utterance | dict) -> str:
    """One JSONL line, newline included: the bytes every label file holds for a row."""
    return json.dumps(_as_dict(row), ensure_ascii=False) + "\n"


def append_line(path: str | os.PathLike, row: Utterance | dict) -> None:
    """One write per line with O_APPEND: a kill leaves at most one torn line, cut on resume.

    :param path: the label file (created if missing; a symlink is refused)
    :param row: an Utterance or a plain row dict (written as `dumps` gives it)
    """
    data = dumps(row).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)  # never through a link
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def rewrite(path: str | os.PathLike, rows: Iterable[Utterance | dict]) -> None:
    """Replace a label file in one step (write a hidden sibling, then rename it over).

    :param path: the label file
    :param rows: its new rows, in order
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.writelines(dumps(r) for r in rows)
    os.replace(tmp, path)


def truncate(path: str | os.PathLike, size: int) -> None:
    """Cut a label file back to `size` bytes (Scan.whole_bytes): drops a torn last line.

    :param path: the label file (a symlink is refused)
    :param size: the byte length to keep
    """
    path = Path(path)
    if path.exists() and path.stat().st_size != size:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)  # a link fails (ELOOP): its target is not cut
        try:
            os.ftruncate(fd, size)
        finally:
            os.close(fd)
