"""Hostile and broken files: alias bombs, deep nesting, tags that would run code, encodings, unreadable paths.

Each fails fast with one error at the right line, and nothing is ever built from a tag."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
from bank_support import GOOD_FILE, topic_file, write

import question_bank
from question_bank import _compose, loader

#: "Fails fast": the brief's bound for a billion-laughs file.
FAST_SECONDS = 1.0
#: "Bounded memory": the Python allocations a hostile file may cause (its text is a few kB).
MAX_PEAK_BYTES = 8 * 1024 * 1024
#: Deep enough that ``yaml.compose`` with the C loader segfaults (it recurses once per level).
SEGFAULT_DEPTH = 200_000


def _timed_load(path: Path) -> tuple[question_bank.Bank, float]:
    start = time.perf_counter()
    bank = question_bank.load([path], packaged=False)
    return bank, time.perf_counter() - start


def _peak_bytes(path: Path) -> int:
    """Peak Python allocation while loading ``path`` (timed separately: tracing slows allocation tenfold)."""
    tracemalloc.start()
    try:
        question_bank.load([path], packaged=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _only_error(bank: question_bank.Bank) -> question_bank.BankError:
    assert len(bank.errors) == 1, bank.errors
    return bank.errors[0]


def test_billion_laughs_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    levels = 30  # 10**30 nodes if expanded
    lines = ["topic: bomb", "title: Bomb", "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    lines.append(f"questions: *l{levels - 1}")
    path = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")

    bank, elapsed = _timed_load(path)

    error = _only_error(bank)
    assert error.message == f"aliases expand to more than {_compose.MAX_ALIAS_NODES} nodes"
    assert error.line == 7  # l1..l4 (lines 4-7) add 110 + 1,110 + 11,110 + 111,110 nodes: l4 passes
    assert elapsed < FAST_SECONDS
    assert _peak_bytes(path) < MAX_PEAK_BYTES
    assert bank.questions == ()


def test_many_small_aliases_hit_the_same_budget(tmp_path: Path) -> None:
    aliases = ", ".join(["*a"] * (_compose.MAX_ALIAS_NODES + 1))
    path = write(tmp_path, "wide.yaml", f"topic: wide\ntitle: Wide\nx: &a lol\nquestions: [{aliases}]\n")
    bank, elapsed = _timed_load(path)
    assert _only_error(bank).message.startswith("aliases expand to more than")
    assert elapsed < FAST_SECONDS


def test_aliases_within_the_budget_are_ordinary_yaml(tmp_path: Path) -> None:
    text = GOOD_FILE.replace("tags: [lstm]", "tags: &shared [lstm, gates]") + topic_file("""\
        - id: reuses-tags
          kind: truefalse
          difficulty: easy
          tags: *shared
          prompt: Anchors and aliases are allowed.
          answer: true
          explanation: Within the budget they are just references.
        """).split("questions:\n", 1)[1]
    bank = question_bank.load_text(text)
    assert bank.errors == ()
    assert bank.get("reuses-tags").tags == ("lstm", "gates")  # type: ignore[union-attr]


@pytest.mark.parametrize("style", ["flow", "block"])
def test_deep_nesting_stops_at_the_limit_without_crashing(tmp_path: Path, style: str) -> None:
    if style == "flow":
        text = "questions: " + "[" * SEGFAULT_DEPTH + "]" * SEGFAULT_DEPTH + "\n"
    else:
        text = "questions:\n" + "".join(" " * depth + "- \n" for depth in range(1, 2 * _compose.MAX_DEPTH))
    path = write(tmp_path, f"deep-{style}.yaml", text)
    bank, elapsed = _timed_load(path)
    error = _only_error(bank)
    assert error.message == f"nesting is deeper than {_compose.MAX_DEPTH} levels"
    assert elapsed < FAST_SECONDS


def test_the_schema_fits_well_inside_the_depth_limit() -> None:
    # file > questions > question > demo > args > a list argument: six levels
    text = topic_file("""\
        - id: deepest-legal
          kind: truefalse
          difficulty: easy
          prompt: Lists of demo arguments are the deepest part of the schema.
          answer: true
          explanation: Six levels.
          demo: {name: forget-bias, args: {biases: [0, 1, 2]}}
        """)
    assert question_bank.load_text(text).errors == ()


def test_python_tags_never_build_objects_or_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = topic_file(f"""\
        - id: payload
          kind: recall
          difficulty: easy
          prompt: !!python/object/apply:os.system ["touch {marker}"]
          answer: !!python/object/new:pathlib.Path ["{marker}"]
          explanation: !!python/name:os.system
        """)
    bank = question_bank.load_text(text)
    assert not marker.exists()
    assert bank.questions == ()
    tags = [error.message for error in bank.errors if error.message.startswith("unsupported tag")]
    assert tags == [
        "unsupported tag '!!python/object/apply:os.system': a bank file holds plain data",
        "unsupported tag '!!python/object/new:pathlib.Path': a bank file holds plain data",
        "unsupported tag '!!python/name:os.system': a bank file holds plain data",
    ]
    assert [error.line for error in bank.errors if error.message.startswith("unsupported tag")] == [7, 8, 9]


def test_an_unknown_tag_outside_any_question_is_a_file_error() -> None:
    bank = question_bank.load_text("topic: t\ntitle: !shout Title\nquestions: []\n")
    assert [str(error) for error in bank.errors] == [
        "<text>:2: unsupported tag '!shout': a bank file holds plain data"]


def test_duplicate_keys_are_errors_where_pyyaml_keeps_the_last() -> None:
    text = GOOD_FILE.replace("    answer: 1\n", "    answer: 1\n    answer: 2\n")
    bank = question_bank.load_text(text)
    assert [str(error) for error in bank.errors] == [
        "<text>:17: choice-one: duplicate key 'answer' (first at line 16)"]
    assert bank.get("choice-one") is None
    assert bank.get("tf-one") is not None


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    data = GOOD_FILE.encode("utf-8").replace(b"An LSTM keeps", b"An LSTM \xff keeps")
    bank = question_bank.load([write(tmp_path, "latin.yaml", data)], packaged=False)
    error = _only_error(bank)
    assert error.line == 8
    assert error.message == "file is not UTF-8: byte 0xff cannot be decoded; save it as UTF-8"


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + GOOD_FILE.encode())
    bank = question_bank.load([path], packaged=False)
    assert bank.errors == ()
    assert len(bank.questions) == 5


def test_non_ascii_text_is_kept(tmp_path: Path) -> None:
    text = GOOD_FILE.replace("sigmoid(0)?", "σ(0) = ? — café, 日本")
    bank = question_bank.load([write(tmp_path, "unicode.yaml", text)], packaged=False)
    assert bank.get("numeric-one").prompt == "σ(0) = ? — café, 日本"  # type: ignore[union-attr]


def test_missing_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    bank = question_bank.load([missing], packaged=False)
    assert [str(error) for error in bank.errors] == [f"{missing}:1: no such file or folder"]


def test_unreadable_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "secret.yaml", GOOD_FILE)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loader, "open", denied, raising=False)
    bank = question_bank.load([path], packaged=False)
    assert [str(error) for error in bank.errors] == [f"{path}:1: cannot read this file: permission denied"]


def test_folder_without_bank_files_is_named(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "not a bank file")
    bank = question_bank.load([tmp_path], packaged=False)
    assert [str(error) for error in bank.errors] == [f"{tmp_path}:1: no .yaml or .yml files in this folder"]


def test_oversized_file_is_refused_without_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1024 * 1024)
    path = write(tmp_path, "huge.yaml", "# padding\n" * (1024 * 1024 // 10 + 1))
    bank = question_bank.load([path], packaged=False)
    assert [str(error) for error in bank.errors] == [f"{path}:1: file is larger than 1 MiB"]


EMPTY = "file is empty: a bank file declares 'topic', 'title' and 'questions'"


@pytest.mark.parametrize(("text", "expected"), [
    ("", f"<text>:1: {EMPTY}"),
    ("   \n\r\n\t\n", f"<text>:1: {EMPTY}"),
    ("# only a comment\n", "<text>:1: the file holds no YAML document"),
    ("---\n...\n", "<text>:2: a bank file is a mapping with 'topic', 'title' and 'questions', got null"),
])
def test_empty_or_content_free_files_are_errors(text: str, expected: str) -> None:
    assert [str(error) for error in question_bank.load_text(text).errors] == [expected]


def test_error_text_stays_on_one_line() -> None:
    text = topic_file("""\
        - id: "two\\nlines"
          kind: "truefalse\\rsneaky"
          difficulty: easy
          prompt: p
          answer: true
          explanation: e
        """)
    bank = question_bank.load_text(text)
    assert len(bank.errors) == 2
    for error in bank.errors:
        assert "\n" not in str(error) and "\r" not in str(error)
    assert str(bank.errors[0]).startswith("<text>:4: two\\nlines: id 'two\\nlines' must be kebab-case")


def test_crlf_line_endings_count_lines_like_lf() -> None:
    text = GOOD_FILE.replace("answer: 1\n", "answer: 9\n").replace("\n", "\r\n")
    bank = question_bank.load_text(text)
    assert [(error.line, error.qid) for error in bank.errors] == [(16, "choice-one")]


def test_the_garbage_collector_is_left_as_found() -> None:
    import gc

    assert gc.isenabled()
    question_bank.load_text(GOOD_FILE)
    question_bank.load_text("[unclosed")
    assert gc.isenabled()
    gc.disable()
    try:
        question_bank.load_text(GOOD_FILE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_fifos_and_devices_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    bank = question_bank.load([fifo, "/dev/zero"], packaged=False)
    assert [str(error) for error in bank.errors] == [f"{fifo}:1: not a regular file",
                                                     "/dev/zero:1: not a regular file"]


def test_unreadable_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(self: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", denied)
    bank = question_bank.load([tmp_path], packaged=False)
    assert [str(e) for e in bank.errors] == [f"{tmp_path}:1: cannot read this folder: Permission denied"]
