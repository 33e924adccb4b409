"""Read prompt files lazily: one Prompt per good line, one PromptRejection (with the reason) per bad one.

Formats, chosen by the file's extension (case-insensitive):

* ``.txt``   one prompt per line. A line whose first non-blank character is ``#`` is a comment and is
  skipped silently (a prompt cannot start with ``#``). The id is ``"line"`` + the 5-digit line number
  (``line00042``; wider past line 99999).
* ``.jsonl`` one JSON object per line: ``text`` (a string) is required, ``id`` is optional (a string
  matching ``ID_PATTERN``, or an integer, which becomes its decimal string); every other key goes to
  ``Prompt.fields`` unchanged. Without an id the prompt gets the line-based id.
* ``.csv``   a header row is required and must name a ``text`` column; ``id`` is optional (an empty
  cell means the record-based id). Other columns go to ``fields`` as strings. Quoted commas and
  newlines are handled by the csv module. ``line`` is the record number, the header being record 1
  (so it equals the physical line number unless a field spans lines).

Every format: a blank (or whitespace-only) line is a rejection, "blank line"; the newline that ends
the last line is not a line of its own. A UTF-8 BOM at the start of the file is accepted. A line that
is not valid UTF-8, or holds a NUL byte (a binary file), is a rejection and reading goes on. Text is
stripped of surrounding whitespace and otherwise left alone (control characters are for a later
normalization step). A text seen before (ignoring case and runs of whitespace) and, in .jsonl/.csv,
an id seen before are rejections.

Reading is streaming: the file is opened in binary and read one bounded line at a time, so memory
does not grow with the file: the duplicate detector (synth/seen.py) makes a first pass into a
fixed-size Bloom filter and then remembers exactly only the texts and ids that may repeat. A line
too long to be a prompt is never held whole: its first part is read, the rest is skipped in chunks, and it is a
rejection "over-long: N characters > max_chars".

Problems with the whole file (missing, a directory, an unknown extension, a CSV header without a
``text`` column, a UTF-16 file) raise PromptFileError. Path problems raise when read_prompts is
called; problems found in the content raise when iteration reaches them (at the first item).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import importlib.resources
import json
import os
import pathlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from synth.seen import FirstSeen, bloom_bits

MAX_PROMPT_CHARS = 500  # default limit; callers may pass another
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

FORMATS = (".txt", ".jsonl", ".csv")
PREVIEW_CHARS = 200

# A physical line longer than this many bytes is not parsed at all (it cannot hold an acceptable
# prompt, or its other fields are unreasonable); 1 MiB leaves room for large .jsonl field values.
_MIN_LINE_BYTES = 1 << 20
_SKIP_CHUNK = 1 << 16
_CSV_OVER_LONG_HEAD = 4096
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
_ID_RULE = "[A-Za-z0-9_-]{1,128}"


@dataclass(frozen=True)
class Prompt:
    id: str  # stable id, matches ID_PATTERN
    text: str  # as written (stripped of surrounding whitespace, otherwise untouched)
    fields: dict = field(hash=False)  # extra fields from the file (JSON-serializable); never id/text
    line: int  # 1-based line (or record) number in the source file


@dataclass(frozen=True)
class PromptRejection:
    line: int
    reason: str  # human readable
    id: str | None = None
    text: str | None = None  # preview, at most PREVIEW_CHARS characters


class PromptFileError(ValueError):
    """The file as a whole cannot be read as prompts (the message names the path and what is valid)."""


def builtin_prompts_path() -> pathlib.Path:
    """The packaged default prompt set, synth/data/default_prompts.txt (package data)."""
    resource = importlib.resources.files("synth") / "data" / "default_prompts.txt"
    return pathlib.Path(os.fspath(resource))


def read_prompts(
    path: str | os.PathLike | None, max_chars: int = MAX_PROMPT_CHARS
) -> Iterator[Prompt | PromptRejection]:
    """Yield a Prompt or a PromptRejection for each line (record) of ``path``, lazily, in file order.

    ``path=None`` reads the built-in set (builtin_prompts_path()). Raises PromptFileError at once for
    a path that is missing, not a regular file or of an unknown format; see the module docstring.
    """
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be a positive integer; got {max_chars!r}")
    resolved, fmt = _check_path(path)
    return _read(resolved, fmt, max_chars)


# --------------------------------------------------------------------------- path checks


def _check_path(path: str | os.PathLike | None) -> tuple[pathlib.Path, str]:
    valid = "a .txt, .jsonl or .csv prompt file (or None for the built-in prompts)"
    if path is None:
        resolved = builtin_prompts_path()
        if not resolved.is_file():
            raise PromptFileError(
                f"built-in prompt file not found at {resolved}: synth/data/default_prompts.txt must be "
                "installed as package data of 'synth'"
            )
        return resolved, ".txt"
    resolved = pathlib.Path(path)
    if not resolved.exists():
        raise PromptFileError(f"prompt file not found: {resolved}; expected {valid}")
    if resolved.is_dir():
        raise PromptFileError(f"prompt path is a directory: {resolved}; expected {valid}")
    if not resolved.is_file():
        raise PromptFileError(f"prompt path is not a regular file: {resolved}; expected {valid}")
    fmt = resolved.suffix.lower()
    if fmt not in FORMATS:
        shown = f"extension {resolved.suffix!r}" if resolved.suffix else "no extension"
        raise PromptFileError(
            f"unsupported prompt file {resolved} ({shown}): expected .txt (one prompt per line), "
            ".jsonl (one JSON object with a 'text' field per line) or .csv (header row with a 'text' column)"
        )
    return resolved, fmt


# --------------------------------------------------------------------------- physical lines


class _RawLine(NamedTuple):
    number: int  # 1-based physical line number
    data: bytes  # the line without its terminator (only the first part when over-long)
    terminator: str  # "\n", "\r\n" or "" (last line without a newline)
    total_chars: int | None  # over-long lines only: the whole line's length in characters
    skipped_quotes: int  # over-long lines only: '"' bytes in the part that was skipped


def _utf8_chars(data: bytes) -> int:
    """Characters in UTF-8 ``data`` (bytes that start a character), without decoding it."""
    return len(data.translate(None, _UTF8_CONTINUATION))


def _split_terminator(data: bytes) -> tuple[bytes, str]:
    if data.endswith(b"\r\n"):
        return data[:-2], "\r\n"
    if data.endswith(b"\n"):
        return data[:-1], "\n"
    return data, ""


def _raw_lines(f: BinaryIO, path: pathlib.Path, limit: int) -> Iterator[_RawLine]:
    number = 0
    while True:
        data = f.readline(limit)
        if not data:
            return
        number += 1
        complete = data.endswith(b"\n") or len(data) < limit  # else: the line goes on past the limit
        if number == 1:
            if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise PromptFileError(
                    f"{path} looks like UTF-16 (it starts with a UTF-16 byte-order mark); "
                    "prompt files must be UTF-8: save it again as UTF-8"
                )
            if data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
                if not data and complete:
                    return  # a file holding only a BOM has no lines
        if complete:
            content, terminator = _split_terminator(data)
            yield _RawLine(number, content, terminator, None, 0)
            continue
        # Over-long: keep the first part, skip the rest in bounded chunks, counting as we go.
        total = _utf8_chars(data)
        quotes = 0
        terminator = ""
        while True:
            chunk = f.readline(_SKIP_CHUNK)
            if not chunk:
                break
            chunk, terminator = _split_terminator(chunk)
            total += _utf8_chars(chunk)
            quotes += chunk.count(b'"')
            if terminator:
                break
        yield _RawLine(number, data, terminator, total, quotes)


def _preview(text: str | None) -> str | None:
    return None if text is None else text[:PREVIEW_CHARS]


def _over_long_line(raw: _RawLine, max_chars: int) -> str:
    return f"over-long: {raw.total_chars} characters > {max_chars} (line not parsed)"


def _undecodable(exc: UnicodeDecodeError) -> str:
    bad = exc.object[exc.start : exc.start + 1].hex()
    return f"undecodable bytes: not UTF-8 at byte {exc.start} of the line (0x{bad})"


class _Line(NamedTuple):
    number: int
    text: str | None  # decoded line (no terminator); None when rejected
    rejection: PromptRejection | None


def _decode(raw: _RawLine, max_chars: int) -> _Line:
    """Decode one physical line, or say why it cannot be read (over-long, NUL, not UTF-8, blank)."""
    if raw.total_chars is not None:
        head = raw.data[: 4 * PREVIEW_CHARS].decode("utf-8", "replace")
        return _Line(
            raw.number, None, PromptRejection(raw.number, _over_long_line(raw, max_chars), None, _preview(head))
        )
    if b"\0" in raw.data:
        return _Line(raw.number, None, PromptRejection(raw.number, "binary data (NUL byte)"))
    try:
        text = raw.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = raw.data.decode("utf-8", "backslashreplace")
        return _Line(raw.number, None, PromptRejection(raw.number, _undecodable(exc), None, _preview(shown)))
    if not text.strip():
        return _Line(raw.number, None, PromptRejection(raw.number, "blank line"))
    return _Line(raw.number, text, None)


# --------------------------------------------------------------------------- checks shared by formats


class _Checker:
    """Validates a candidate prompt's text and id and remembers what was seen (the only growing state)."""

    def __init__(self, max_chars: int, candidates: tuple | None = None, file_bytes: int = 1 << 26):
        self.max_chars = max_chars
        texts, ids = candidates or (None, None)
        bits = bloom_bits(file_bytes)
        self.texts = FirstSeen(texts, bits)  # sha1 of normalized text -> first line, in fixed memory
        self.ids = FirstSeen(ids, bits)  # sha1 of id -> first line (only explicit or mixed ids can collide)

    def candidates(self) -> tuple[frozenset, frozenset]:
        """After a first pass: the texts and ids that may be duplicates (synth/seen.py)."""
        return frozenset(self.texts.found), frozenset(self.ids.found)

    def build(self, line: int, text: str, pid: str | None, fields: dict, track_ids: bool) -> Prompt | PromptRejection:
        text = text.strip()
        shown = _preview(text)

        def reject(reason: str, rid: str | None = pid) -> PromptRejection:
            return PromptRejection(line, reason, rid, shown)

        if pid is not None and not ID_PATTERN.fullmatch(pid):
            return reject(f"bad id {_short_repr(pid)}: ids must match {_ID_RULE}", None)
        if pid is None:
            pid = f"line{line:05d}"
        if not text:
            return reject("empty 'text' field", pid)
        if len(text) > self.max_chars:
            return reject(f"over-long: {len(text)} characters > {self.max_chars}", pid)
        if "\0" in text:
            return reject("text contains a NUL character", pid)
        try:
            normalized = " ".join(text.split()).casefold().encode("utf-8")
        except UnicodeEncodeError:
            return reject("text contains an unpaired surrogate (a broken \\u escape)", pid)
        id_key = hashlib.sha1(pid.encode("utf-8")).digest() if track_ids else None
        first = self.ids.first_line(id_key) if id_key is not None else None
        if first is not None:
            return reject(f"duplicate id {pid!r} (first used on line {first})", pid)
        digest = hashlib.sha1(normalized).digest()
        first = self.texts.first_line(digest)
        if first is not None:
            return reject(f"duplicate of line {first} (same text)", pid)
        self.texts.remember(digest, line)
        if id_key is not None:
            self.ids.remember(id_key, line)
        return Prompt(pid, text, fields, line)


def _short_repr(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


# --------------------------------------------------------------------------- formats


def _read(path: pathlib.Path, fmt: str, max_chars: int) -> Iterator[Prompt | PromptRejection]:
    limit = max(_MIN_LINE_BYTES, 8 * max_chars)
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise PromptFileError(f"cannot open prompt file {path}: {exc.strerror or exc}") from exc
    with f:
        reader: Callable[..., Iterator[Prompt | PromptRejection]] = {
            ".txt": _read_txt,
            ".jsonl": _read_jsonl,
            ".csv": _read_csv,
        }[fmt]
        candidates = _candidates(path, fmt, max_chars, limit, reader)
        yield from reader(_raw_lines(f, path, limit), path, _Checker(max_chars, candidates))


# (path, size, mtime, max_chars) -> the duplicate candidates of that file: a run reads its prompts
# several times (count, render, reorder); the first pass is made once per file version.
_CANDIDATES: dict[tuple, tuple] = {}


def _candidates(path: pathlib.Path, fmt: str, max_chars: int, limit: int, reader) -> tuple:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns, max_chars)
    if key not in _CANDIDATES:
        checker = _Checker(max_chars, file_bytes=stat.st_size)
        with open(path, "rb") as f:
            for _ in reader(_raw_lines(f, path, limit), path, checker):
                pass
        while len(_CANDIDATES) >= 8:
            _CANDIDATES.pop(next(iter(_CANDIDATES)))
        _CANDIDATES[key] = checker.candidates()
    return _CANDIDATES[key]


def _read_txt(
    raw_lines: Iterator[_RawLine], path: pathlib.Path, checker: _Checker
) -> Iterator[Prompt | PromptRejection]:
    for raw in raw_lines:
        if raw.data.lstrip().startswith(b"#"):
            continue  # comment
        line = _decode(raw, checker.max_chars)
        if line.rejection is not None:
            yield line.rejection
            continue
        yield checker.build(line.number, line.text, None, {}, track_ids=False)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _read_jsonl(
    raw_lines: Iterator[_RawLine], path: pathlib.Path, checker: _Checker
) -> Iterator[Prompt | PromptRejection]:
    for raw in raw_lines:
        line = _decode(raw, checker.max_chars)
        if line.rejection is not None:
            yield line.rejection
            continue
        number, source = line.number, line.text

        def reject(
            reason: str, rid: str | None = None, shown: str | None = source, number: int = number
        ) -> PromptRejection:
            return PromptRejection(number, reason, rid, _preview(shown))

        try:
            record = json.loads(source, parse_constant=_no_constants)
        except json.JSONDecodeError as exc:
            yield reject(f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        except ValueError as exc:
            yield reject(f"invalid JSON: {exc}")
            continue
        except RecursionError:
            yield reject("invalid JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield reject(f"invalid record: expected a JSON object, got {_json_type(record)}")
            continue
        pid = record.get("id")
        if "id" in record:
            if isinstance(pid, int) and not isinstance(pid, bool):
                pid = str(pid)
            elif not isinstance(pid, str):
                yield reject(f"bad id {json.dumps(pid)[:60]}: ids must be strings matching {_ID_RULE}")
                continue
        if "text" not in record:
            yield reject("missing 'text' field", pid)
            continue
        text = record["text"]
        if not isinstance(text, str):
            yield reject(f"'text' field must be a string, got {_json_type(text)}", pid)
            continue
        fields = {k: v for k, v in record.items() if k not in ("id", "text")}
        yield checker.build(number, text, pid, fields, track_ids=True)


def _read_csv(
    raw_lines: Iterator[_RawLine], path: pathlib.Path, checker: _Checker
) -> Iterator[Prompt | PromptRejection]:
    problems: list[str] = []  # what went wrong on the physical lines of the record being parsed

    def feed() -> Iterator[str]:
        # The csv reader pulls exactly the lines of one record before yielding it, so ``problems``
        # always belongs to the record in progress. Bad lines are still fed (repaired) so that
        # record boundaries stay where they are.
        for raw in raw_lines:
            if raw.total_chars is not None:
                # Feed only a short head (the csv module caps fields at 128 KiB) and keep the
                # quoting state that the dropped part would have left, so the next record is intact.
                problems.append(_over_long_line(raw, checker.max_chars))
                head = raw.data[:_CSV_OVER_LONG_HEAD]
                text = head.decode("utf-8", "replace")
                if (raw.data.count(b'"') - head.count(b'"') + raw.skipped_quotes) % 2:
                    text += '"'
            elif b"\0" in raw.data:
                problems.append("binary data (NUL byte)")
                text = raw.data.replace(b"\0", b"").decode("utf-8", "replace")
            else:
                try:
                    text = raw.data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    problems.append(_undecodable(exc))
                    text = raw.data.decode("utf-8", "replace")
            yield text + raw.terminator

    rows = csv.reader(feed(), strict=False)
    valid = "the first line must be a header row naming a 'text' column (and optionally 'id')"
    try:
        header = next(rows)
    except StopIteration:
        raise PromptFileError(f"CSV prompt file {path} is empty: {valid}") from None
    except csv.Error as exc:
        raise PromptFileError(f"cannot read the CSV header of {path} ({exc}): {valid}") from None
    if problems:
        raise PromptFileError(f"cannot read the CSV header of {path} ({problems[0]}): {valid}")
    names = [name.strip() or f"column{i + 1}" for i, name in enumerate(header)]
    if not header or "text" not in names:
        found = ", ".join(repr(n) for n in names) if header and any(h.strip() for h in header) else "a blank line"
        raise PromptFileError(f"CSV prompt file {path} has no 'text' column (found {found}): {valid}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise PromptFileError(f"CSV prompt file {path} names column {name!r} twice: {valid}, each once")
        seen.add(name)
    text_col = names.index("text")
    id_col = names.index("id") if "id" in names else None

    record = 1
    while True:
        problems.clear()
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            record += 1
            yield PromptRejection(record, f"malformed CSV: {exc}")
            continue
        record += 1
        if not row or (len(row) == 1 and not row[0].strip()):
            yield PromptRejection(record, problems[0] if problems else "blank line")
            continue
        text = row[text_col] if text_col < len(row) else None
        pid = row[id_col] if id_col is not None and id_col < len(row) and row[id_col] != "" else None
        if problems:
            yield PromptRejection(record, problems[0], None, _preview(text))
            continue
        if len(row) != len(names):
            yield PromptRejection(
                record,
                f"wrong number of columns: expected {len(names)} (as in the header), got {len(row)}",
                pid,
                _preview(text),
            )
            continue
        fields = {name: row[i] for i, name in enumerate(names) if i not in (text_col, id_col)}
        yield checker.build(record, text, pid, fields, track_ids=True)
