import json
import tracemalloc
import unicodedata

import pytest

from synth import prompts as prompts_module
from synth.prompts import (
    ID_PATTERN,
    MAX_PROMPT_CHARS,
    Prompt,
    PromptFileError,
    PromptRejection,
    builtin_prompts_path,
    read_prompts,
)


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Prompt)], [i for i in items if isinstance(i, PromptRejection)]


def only_rejection(items):
    good, bad = split(items)
    assert len(bad) == 1, bad
    return good, bad[0]


# --------------------------------------------------------------------------- happy paths


def test_txt_happy_path_ids_lines_comments_and_stripping(tmp_path):
    path = write(
        tmp_path, "p.txt", "# a comment\nHello there.\n  Set a timer for 15 minutes.  \n   # indented comment\nBye.\n"
    )
    items = list(read_prompts(path))
    assert items == [
        Prompt("line00002", "Hello there.", {}, 2),
        Prompt("line00003", "Set a timer for 15 minutes.", {}, 3),
        Prompt("line00005", "Bye.", {}, 5),
    ]
    assert all(ID_PATTERN.match(p.id) for p in items)


def test_txt_keeps_control_characters_and_crlf_and_no_trailing_newline(tmp_path):
    path = write(tmp_path, "p.txt", b"Tab\there\r\nlast line")
    good, bad = split(read_prompts(path))
    assert bad == []
    assert [(p.text, p.line) for p in good] == [("Tab\there", 1), ("last line", 2)]


def test_uppercase_extension_and_bom(tmp_path):
    path = write(tmp_path, "P.TXT", b"\xef\xbb\xbfFirst line.\nSecond line.\n")
    good, bad = split(read_prompts(path))
    assert bad == []
    assert [p.text for p in good] == ["First line.", "Second line."]


def test_bom_only_and_empty_files_have_no_lines(tmp_path):
    assert list(read_prompts(write(tmp_path, "a.txt", b"\xef\xbb\xbf"))) == []
    assert list(read_prompts(write(tmp_path, "b.jsonl", b""))) == []


def test_jsonl_happy_path_fields_and_ids(tmp_path):
    lines = [
        {"id": "turn_on-1", "text": "Turn on the lights.", "intent": "lights_on", "slots": {"room": None}},
        {"text": "  What time is it?  ", "intent": "time"},
        {"id": 7, "text": "Seven."},
    ]
    path = write(tmp_path, "p.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    good, bad = split(read_prompts(path))
    assert bad == []
    assert good == [
        Prompt("turn_on-1", "Turn on the lights.", {"intent": "lights_on", "slots": {"room": None}}, 1),
        Prompt("line00002", "What time is it?", {"intent": "time"}, 2),
        Prompt("7", "Seven.", {}, 3),
    ]
    for p in good:
        assert "id" not in p.fields and "text" not in p.fields
        json.dumps(p.fields)


def test_csv_happy_path_quoted_commas_and_newlines(tmp_path):
    content = (
        "id,text,intent,speaker\r\n"
        'a1,"Hello, world.",greet,x\r\n'
        ',"Two\nlines, here",,y\r\n'
        'a3,"She said ""hi"".",quote,z\r\n'
    )
    path = write(tmp_path, "p.csv", content)
    good, bad = split(read_prompts(path))
    assert bad == []
    assert good == [
        Prompt("a1", "Hello, world.", {"intent": "greet", "speaker": "x"}, 2),
        Prompt("line00003", "Two\nlines, here", {"intent": "", "speaker": "y"}, 3),
        Prompt("a3", 'She said "hi".', {"intent": "quote", "speaker": "z"}, 4),
    ]


def test_csv_text_only_column_and_bom(tmp_path):
    path = write(tmp_path, "p.csv", b"\xef\xbb\xbftext\nOne.\nTwo.\n")
    good, bad = split(read_prompts(path))
    assert bad == []
    assert [(p.id, p.text, p.fields) for p in good] == [("line00002", "One.", {}), ("line00003", "Two.", {})]


def test_prompt_is_hashable_and_frozen(tmp_path):
    (p,) = read_prompts(write(tmp_path, "p.jsonl", '{"text": "Hi.", "x": [1]}\n'))
    hash(p)
    with pytest.raises(AttributeError):
        p.text = "other"


# --------------------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    "name,content",
    [
        ("p.txt", "One.\n   \n\nTwo.\n"),
        ("p.jsonl", '{"text": "One."}\n   \n\n{"text": "Two."}\n'),
        ("p.csv", "text\nOne.\n   \n\nTwo.\n"),
    ],
)
def test_blank_lines_are_rejections_in_every_format(tmp_path, name, content):
    good, bad = split(read_prompts(write(tmp_path, name, content)))
    assert [p.text for p in good] == ["One.", "Two."]
    offset = 1 if name == "p.csv" else 0
    assert [(r.line, r.reason) for r in bad] == [(2 + offset, "blank line"), (3 + offset, "blank line")]


def test_duplicate_text_ignores_case_and_whitespace(tmp_path):
    path = write(tmp_path, "p.txt", "Turn on the lights.\nSomething else.\n turn  ON the\tlights. \n")
    good, bad = only_rejection(read_prompts(path))
    assert [p.line for p in good] == [1, 2]
    assert bad.line == 3
    assert bad.reason == "duplicate of line 1 (same text)"
    assert bad.id == "line00003"
    assert bad.text == "turn  ON the\tlights."


def test_rejected_line_does_not_claim_its_text(tmp_path):
    path = write(tmp_path, "p.jsonl", '{"id": "a/b", "text": "Hello."}\n{"text": "Hello."}\n')
    good, bad = only_rejection(read_prompts(path))
    assert bad.line == 1 and bad.reason.startswith("bad id 'a/b'")
    assert [p.text for p in good] == ["Hello."]


def test_over_long_text(tmp_path):
    path = write(tmp_path, "p.txt", "ok\n" + "x" * 812 + "\n")
    good, bad = only_rejection(read_prompts(path))
    assert bad.line == 2
    assert bad.reason == "over-long: 812 characters > 500"
    assert bad.text == "x" * 200
    assert MAX_PROMPT_CHARS == 500


def test_max_chars_is_configurable(tmp_path):
    path = write(tmp_path, "p.txt", "short\nrather longer\n")
    good, bad = only_rejection(read_prompts(path, max_chars=6))
    assert [p.text for p in good] == ["short"]
    assert bad.reason == "over-long: 13 characters > 6"
    with pytest.raises(ValueError):
        read_prompts(path, max_chars=0)


def test_undecodable_line_is_rejected_and_reading_goes_on(tmp_path):
    path = write(tmp_path, "p.txt", b"Good one.\nBad \xff\xfe line.\nGood two.\n")
    good, bad = only_rejection(read_prompts(path))
    assert [p.text for p in good] == ["Good one.", "Good two."]
    assert bad.line == 2
    assert bad.reason.startswith("undecodable bytes: not UTF-8 at byte 4")
    assert "0xff" in bad.reason
    assert bad.text.startswith("Bad \\xff")


def test_undecodable_line_in_csv_keeps_records_in_step(tmp_path):
    path = write(tmp_path, "p.csv", b'text,n\n"Bad \xff,\nstill the same record",1\nGood.,2\n')
    good, bad = only_rejection(read_prompts(path))
    assert bad.line == 2 and bad.reason.startswith("undecodable bytes")
    assert [(p.text, p.line, p.fields) for p in good] == [("Good.", 3, {"n": "2"})]


@pytest.mark.parametrize(
    "name,content",
    [
        ("p.txt", b"Good.\nBin\x00ary\nAlso good.\n"),
        ("p.jsonl", b'{"text": "Good."}\n{"text": "Bin\x00ary"}\n{"text": "Also good."}\n'),
        ("p.csv", b"text\nGood.\nBin\x00ary\nAlso good.\n"),
    ],
)
def test_nul_byte_means_binary_data(tmp_path, name, content):
    good, bad = only_rejection(read_prompts(write(tmp_path, name, content)))
    assert bad.reason == "binary data (NUL byte)"
    assert [p.text for p in good] == ["Good.", "Also good."]


def test_escaped_nul_in_json_text_is_rejected(tmp_path):
    _, bad = only_rejection(read_prompts(write(tmp_path, "p.jsonl", '{"text": "a\\u0000b"}\n')))
    assert "NUL" in bad.reason


def test_invalid_json(tmp_path):
    path = write(tmp_path, "p.jsonl", '{"text": "Fine."}\n{"text": "oops",\n{"text": NaN}\n')
    items = list(read_prompts(path))
    assert isinstance(items[0], Prompt)
    assert items[1].line == 2 and items[1].reason.startswith("invalid JSON:")
    assert items[1].text == '{"text": "oops",'
    assert items[2].line == 3 and items[2].reason.startswith("invalid JSON:") and "NaN" in items[2].reason


def test_json_that_is_not_an_object(tmp_path):
    _, bad = only_rejection(read_prompts(write(tmp_path, "p.jsonl", '["a list"]\n')))
    assert bad.reason == "invalid record: expected a JSON object, got an array"


def test_missing_text_field(tmp_path):
    _, bad = only_rejection(read_prompts(write(tmp_path, "p.jsonl", '{"id": "x1", "txt": "typo"}\n')))
    assert (bad.line, bad.reason, bad.id) == (1, "missing 'text' field", "x1")


@pytest.mark.parametrize("value,kind", [(42, "a number"), (None, "null"), (["a"], "an array"), (True, "a boolean")])
def test_non_string_text(tmp_path, value, kind):
    path = write(tmp_path, "p.jsonl", json.dumps({"text": value}) + "\n")
    _, bad = only_rejection(read_prompts(path))
    assert bad.reason == f"'text' field must be a string, got {kind}"


def test_empty_text_field(tmp_path):
    _, bad = only_rejection(read_prompts(write(tmp_path, "p.jsonl", '{"text": "   "}\n')))
    assert bad.reason == "empty 'text' field"


@pytest.mark.parametrize("bad_id", ["a/b", "", "x" * 129, "has space", "trailing\n", "é"])
def test_bad_id_jsonl(tmp_path, bad_id):
    path = write(tmp_path, "p.jsonl", json.dumps({"id": bad_id, "text": "Hello."}) + "\n")
    _, bad = only_rejection(read_prompts(path))
    assert bad.reason.startswith("bad id ")
    assert bad.reason.endswith("ids must match [A-Za-z0-9_-]{1,128}")
    assert bad.id is None


def test_bad_id_message_and_non_string_ids(tmp_path):
    path = write(
        tmp_path, "p.jsonl", '{"id": "a/b", "text": "A."}\n{"id": null, "text": "B."}\n{"id": 1.5, "text": "C."}\n'
    )
    _, bad = split(read_prompts(path))
    assert bad[0].reason == "bad id 'a/b': ids must match [A-Za-z0-9_-]{1,128}"
    assert bad[1].reason.startswith("bad id null")
    assert bad[2].reason.startswith("bad id 1.5")


def test_bad_id_csv(tmp_path):
    _, bad = only_rejection(read_prompts(write(tmp_path, "p.csv", "id,text\nok,Fine.\na/b,Hello.\n")))
    assert (bad.line, bad.reason) == (3, "bad id 'a/b': ids must match [A-Za-z0-9_-]{1,128}")


def test_duplicate_id_jsonl(tmp_path):
    path = write(
        tmp_path, "p.jsonl", '{"id": "a", "text": "One."}\n{"id": "b", "text": "Two."}\n{"id": "a", "text": "Three."}\n'
    )
    good, bad = only_rejection(read_prompts(path))
    assert [p.id for p in good] == ["a", "b"]
    assert (bad.line, bad.id, bad.text) == (3, "a", "Three.")
    assert bad.reason == "duplicate id 'a' (first used on line 1)"


def test_explicit_id_colliding_with_line_based_id(tmp_path):
    path = write(tmp_path, "p.jsonl", '{"text": "One."}\n{"id": "line00001", "text": "Two."}\n')
    _, bad = only_rejection(read_prompts(path))
    assert bad.reason == "duplicate id 'line00001' (first used on line 1)"


def test_duplicate_id_csv(tmp_path):
    _, bad = only_rejection(read_prompts(write(tmp_path, "p.csv", "id,text\nq,One.\nq,Two.\n")))
    assert (bad.line, bad.reason) == (3, "duplicate id 'q' (first used on line 2)")


def test_csv_wrong_number_of_columns(tmp_path):
    good, bad = only_rejection(read_prompts(write(tmp_path, "p.csv", "id,text,intent\na,One.,x\nb,Two.\n")))
    assert [p.id for p in good] == ["a"]
    assert bad.reason == "wrong number of columns: expected 3 (as in the header), got 2"


def test_rejection_reasons_are_not_affected_by_lazy_consumption(tmp_path):
    # Interleaving two readers of the same file must not mix their duplicate detectors.
    path = write(tmp_path, "p.txt", "A.\nB.\nA.\n")
    r1, r2 = read_prompts(path), read_prompts(path)
    out1, out2 = [], []
    for _ in range(3):
        out1.append(next(r1))
        out2.append(next(r2))
    assert out1 == out2
    assert isinstance(out1[2], PromptRejection)


# --------------------------------------------------------------------------- whole-file errors


def test_missing_path(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(PromptFileError) as err:
        read_prompts(missing)
    assert str(missing) in str(err.value)
    assert "not found" in str(err.value) and ".jsonl" in str(err.value)


def test_directory(tmp_path):
    with pytest.raises(PromptFileError) as err:
        read_prompts(tmp_path)
    assert str(tmp_path) in str(err.value) and "directory" in str(err.value)
    assert ".txt" in str(err.value)


def test_unknown_extension(tmp_path):
    path = write(tmp_path, "prompts.docx", "Hello.\n")
    with pytest.raises(PromptFileError) as err:
        read_prompts(path)
    message = str(err.value)
    assert str(path) in message and "'.docx'" in message
    assert ".txt" in message and ".jsonl" in message and ".csv" in message


def test_prompt_file_error_is_a_value_error():
    assert issubclass(PromptFileError, ValueError)


@pytest.mark.parametrize("content", ["id,prompt\n1,Hello.\n", "\nHello.\n", ""])
def test_csv_without_text_column(tmp_path, content):
    path = write(tmp_path, "p.csv", content)
    with pytest.raises(PromptFileError) as err:
        list(read_prompts(path))
    message = str(err.value)
    assert str(path) in message and "'text' column" in message


def test_csv_without_text_column_names_found_columns(tmp_path):
    path = write(tmp_path, "p.csv", "id,prompt\n1,Hello.\n")
    with pytest.raises(PromptFileError, match="found 'id', 'prompt'"):
        list(read_prompts(path))


def test_utf16_file(tmp_path):
    path = write(tmp_path, "p.txt", "Hello.\n".encode("utf-16"))
    with pytest.raises(PromptFileError, match="UTF-16"):
        list(read_prompts(path))


# --------------------------------------------------------------------------- streaming


def test_reading_is_lazy(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    with open(path, "w", encoding="utf-8") as f:
        for i in range(200_000):
            f.write(f"Prompt number {i}.\n")
    size = path.stat().st_size
    opened = []
    real_open = open

    def tracking_open(*args, **kwargs):
        handle = real_open(*args, **kwargs)
        opened.append(handle)
        return handle

    monkeypatch.setattr(prompts_module, "open", tracking_open, raising=False)
    items = read_prompts(path)
    assert opened == []  # nothing is opened until iteration starts
    first = next(items)
    assert first == Prompt("line00001", "Prompt number 0.", {}, 1)
    # one streaming pre-pass for the duplicate detector (synth/seen.py), closed; then the reading pass
    handle, prepass = opened
    assert prepass.closed
    assert handle.tell() < 1024 < size  # only the first line (plus buffer) has been read
    items.close()
    assert handle.closed


def test_ten_megabyte_single_line_is_rejected_without_loading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.write(b"a" * (10 * 1024 * 1024))
        f.write(b"\nafter\n")
    tracemalloc.start()
    try:
        items = list(read_prompts(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024  # the 10 MB line was never held whole
    bad, good = items
    assert isinstance(bad, PromptRejection) and bad.line == 1
    assert bad.reason.startswith(f"over-long: {10 * 1024 * 1024} characters > 500")
    assert len(bad.text) <= 200
    assert good == Prompt("line00002", "after", {}, 2)


def test_huge_line_without_newline_at_end_of_file(tmp_path):
    path = write(tmp_path, "p.jsonl", b'{"text": "ok"}\n' + b"\xc3\xa9" * (2 * 1024 * 1024))
    items = list(read_prompts(path))
    assert isinstance(items[0], Prompt)
    assert items[1].reason.startswith(f"over-long: {2 * 1024 * 1024} characters > 500")


def test_huge_quoted_csv_line_keeps_later_records(tmp_path):
    path = write(tmp_path, "p.csv", b'id,text\na,"' + b"x" * (3 * 1024 * 1024) + b'"\nb,After.\n')
    good, bad = only_rejection(read_prompts(path))
    assert bad.line == 2 and bad.reason.startswith("over-long:")
    assert [(p.id, p.text, p.line) for p in good] == [("b", "After.", 3)]


# --------------------------------------------------------------------------- built-in set


def test_builtin_prompts_parse_cleanly():
    path = builtin_prompts_path()
    assert path.is_file() and path.name == "default_prompts.txt" and path.parent.name == "data"
    good, bad = split(read_prompts(None))
    assert bad == []
    assert len(good) >= 250
    assert good == list(read_prompts(path))
    for p in good:
        assert len(p.text) < 200
        assert all(ch.isascii() or ch in "£€" or "LATIN" in unicodedata.name(ch) for ch in p.text), p.text


def test_builtin_file_starts_with_a_header_comment():
    first = builtin_prompts_path().read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("#") and "CC0" in builtin_prompts_path().read_text(encoding="utf-8")
