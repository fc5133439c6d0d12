"""Load bank files: the packaged topics plus user files and folders, validated, every problem collected.

``load`` never raises on content: a file that cannot be read or parsed contributes one error, a bad question
contributes its errors and is left out, and every valid question is kept. YAML is imported on the first call
only, so ``import question_bank`` stays cheap.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from question_bank._compose import MAX_DEPTH, YamlProblem, collector_paused, compose
from question_bank.errors import BankError
from question_bank.schema import Bank, Question, Topic

if TYPE_CHECKING:  # imported on the first load: importing the package needs neither difflib nor the validator
    from question_bank._validate import DemoCache, FileResult, Validators

#: Where the curated bank lives: one file per topic.
PACKAGED_DIR = Path(__file__).resolve().parent / "topics"
#: File names a folder contributes.
BANK_SUFFIXES = (".yaml", ".yml")
#: Largest bank file read (a 10,000-question file is about 5 MiB).
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Unknown follow-ups that get a "did you mean" hint: each compares the id with the bank's ids of about its
#: length (up to 0.1 s for 10,000 ids), so a file full of broken links would otherwise take minutes.
MAX_FOLLOW_UP_HINTS = 5
#: How much longer or shorter than a broken follow-up an id may be to be suggested for it.
HINT_LENGTH_SLACK = 3
#: Bytes read at a time.
READ_CHUNK = 1024 * 1024
#: Line reported for a problem with a whole file (as ruff does).
WHOLE_FILE = 1

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

__all__ = ["BANK_SUFFIXES", "MAX_DEPTH", "MAX_FILE_BYTES", "PACKAGED_DIR", "load", "load_text",
           "packaged_files"]


def packaged_files() -> list[Path]:
    """The packaged topic files, sorted by name."""
    return _folder_files(PACKAGED_DIR) if PACKAGED_DIR.is_dir() else []


Paths = Iterable[str | os.PathLike[str]] | str | os.PathLike[str] | None


def load(paths: Paths = None, demos: Validators | None = None, packaged: bool = True) -> Bank:
    """The packaged bank (unless ``packaged`` is False) plus ``paths``: files, or folders whose ``*.yaml`` and
    ``*.yml`` files are read in name order. ``demos`` maps each demo name to a validator raising ValueError
    for bad arguments; with None, demo links are checked for shape only. Never raises for anything in the
    files."""
    with collector_paused():
        return _load(paths, demos, packaged)


def _load(paths: Paths, demos: Validators | None, packaged: bool) -> Bank:
    if isinstance(paths, (str, os.PathLike)):  # one path, not a string of one-letter paths
        paths = [paths]
    builder = _Builder(demos)
    if packaged:
        for file in packaged_files():
            builder.add_file(str(file))
    seen = {os.path.realpath(file) for file in builder.files}
    for raw in paths or ():
        path = os.fspath(raw)
        if os.path.isdir(path):
            try:
                files = _folder_files(Path(path), strict=True)
            except OSError as err:
                builder.file_error(path, f"cannot read this folder: {err.strerror or err}")
                continue
            if not files:
                builder.file_error(path, f"no {' or '.join(BANK_SUFFIXES)} files in this folder")
            names = [str(file) for file in files]
        else:
            names = [path]
        for name in names:
            real = os.path.realpath(name)
            if real not in seen:  # the same file named twice is read once
                seen.add(real)
                builder.add_file(name)
    return builder.finish()


def load_text(data: str | bytes, path: str = "<text>", demos: Validators | None = None) -> Bank:
    """A bank from one file's contents (``path`` only names it in errors): for tests, tools and previews."""
    builder = _Builder(demos)
    with collector_paused():
        builder.add_data(path, data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        return builder.finish()


def _folder_files(folder: Path, strict: bool = False) -> list[Path]:
    """The bank files in ``folder``, by name; an unreadable folder has none (OSError if ``strict``)."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        if strict:
            raise
        return []
    return sorted(p for p in entries if p.suffix in BANK_SUFFIXES and p.is_file())


def _read(path: str) -> tuple[bytes | None, str | None]:
    """The file's bytes, or None and the reason it cannot be read. Only regular files are read (a FIFO would
    block, a device never end), in chunks, so memory follows the file's size up to ``MAX_FILE_BYTES``."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            return None, "is a folder, not a bank file"
        if not stat.S_ISREG(mode):
            return None, "not a regular file"
        with open(path, "rb") as handle:
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_FILE_BYTES:
                chunk = handle.read(READ_CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            data = b"".join(chunks)
    except FileNotFoundError:
        return None, "no such file or folder"
    except PermissionError:
        return None, "cannot read this file: permission denied"
    except OSError as err:
        return None, f"cannot read this file: {err.strerror or err}"
    if len(data) > MAX_FILE_BYTES:
        return None, f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB"
    return data, None


def _utf8_problem(data: bytes) -> tuple[int, str] | None:
    """(line, message) if ``data`` is not UTF-8."""
    if data.startswith(_UTF16_BOMS):
        return WHOLE_FILE, "file is not UTF-8 (it starts with a UTF-16 byte order mark); save it as UTF-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return line, f"file is not UTF-8: byte 0x{data[err.start]:02x} cannot be decoded; save it as UTF-8"
    return None


class _Builder:
    """Accumulates files in order, then applies the checks that span files."""

    def __init__(self, demos: Validators | None) -> None:
        self.demos = demos
        self.demo_cache: DemoCache = {}  # demo validations, shared by the files of one load
        self.files: list[str] = []
        self.results: list[FileResult] = []
        self.errors: list[tuple[int, BankError]] = []  # (file index, error), for sorting by file then line

    def file_error(self, path: str, message: str, line: int = WHOLE_FILE) -> None:
        self.errors.append((len(self.files), BankError(path, line, None, message)))

    def add_file(self, path: str) -> None:
        data, problem = _read(path)
        if data is None:
            self.file_error(path, problem or "cannot read this file")
            self.files.append(path)
            return
        self.add_data(path, data)

    def add_data(self, path: str, data: bytes) -> None:
        problem = _utf8_problem(data)
        if problem is not None:
            self.file_error(path, problem[1], problem[0])
        elif not data.strip(b" \t\r\n").removeprefix(_UTF8_BOM).strip(b" \t\r\n"):
            self.file_error(path, "file is empty: a bank file declares 'topic', 'title' and 'questions'")
        else:
            try:
                root, problems = compose(data)
            except YamlProblem as err:
                self.file_error(path, err.message, err.line)
            else:
                from question_bank._validate import validate_file

                result = validate_file(path, root, problems, self.demos, self.demo_cache)
                self.errors.extend((len(self.files), error) for error in result.errors)
                self.results.append(result)
        self.files.append(path)

    def finish(self) -> Bank:
        from question_bank._validate import hint

        topics: dict[str, Topic] = {}
        owners: dict[str, tuple[str, int]] = {}  # id -> where it was first declared
        rejected: set[int] = set()  # ids of valid questions that a check across files leaves out
        file_of = {path: index for index, path in enumerate(self.files)}

        def error(path: str, line: int, qid: str | None, message: str) -> None:
            self.errors.append((file_of[path], BankError(path, line, qid, message)))

        for result in self.results:
            topic = result.topic
            if topic is not None:
                first = topics.setdefault(topic.name, topic)
                if first.title != topic.title:
                    error(topic.path, topic.line, None,
                          f"topic '{topic.name}' is titled {first.title!r} at {first.path}:{first.line}; "
                          f"files that share a topic share its title")
            for declared in result.declared:
                if declared.qid in owners:
                    where = owners[declared.qid]
                    error(result.path, declared.line, declared.qid,
                          f"id '{declared.qid}' is already used at {where[0]}:{where[1]}; "
                          f"ids are unique across the bank")
                    if declared.question is not None:
                        rejected.add(id(declared.question))
                else:
                    owners[declared.qid] = (result.path, declared.line)

        questions: list[Question] = []
        hints_left = MAX_FOLLOW_UP_HINTS
        for result in self.results:
            for declared in result.declared:
                for target, line in declared.follow_ups:
                    if target not in owners:
                        more = ""
                        if hints_left > 0:
                            near = [q for q in owners if abs(len(q) - len(target)) <= HINT_LENGTH_SLACK]
                            more = hint(target, near)
                        hints_left -= 1
                        error(result.path, line, declared.qid,
                              f"follow-up '{target}' is not a question in the bank{more}")
                        if declared.question is not None:
                            rejected.add(id(declared.question))
                if declared.question is not None and id(declared.question) not in rejected:
                    questions.append(declared.question)

        self.errors.sort(key=lambda pair: (pair[0], pair[1].line))
        return Bank(questions, (error for _, error in self.errors), topics)
