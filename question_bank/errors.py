"""One problem in a bank file, as compilers report them: ``path:line: id: message`` on one line."""

from __future__ import annotations

#: Characters that would break the one-line format, shown escaped instead.
_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f", "\x85": "\\x85",
                              "\u2028": "\\u2028", "\u2029": "\\u2029"})


def one_line(text: str) -> str:
    """``text`` with line breaks escaped, so that every error stays on one line whatever a file contains."""
    return text.translate(_LINE_BREAKS)


class BankError(Exception):
    """A problem in a bank file. ``line`` is 1-based (1 for problems with a whole file); ``qid`` is the id of
    the question concerned, or None when the problem is not inside a question (or the question has no usable
    id).

    ``str(err) == f"{path}:{line}: {qid}: {message}"``, without ``{qid}: `` when ``qid`` is None. Line breaks
    in any part are escaped, so the string is always one line. It is an Exception so that callers may raise
    it."""

    def __init__(self, path: str, line: int, qid: str | None, message: str) -> None:
        self.path = one_line(str(path))
        self.line = line
        self.qid = None if qid is None else one_line(qid)
        self.message = one_line(message)
        super().__init__(self.path, self.line, self.qid, self.message)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: "
        return where + (f"{self.qid}: {self.message}" if self.qid is not None else self.message)

    def __repr__(self) -> str:
        return f"BankError({self.path!r}, {self.line!r}, {self.qid!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BankError):
            return NotImplemented
        return self.args == other.args

    def __hash__(self) -> int:
        return hash(self.args)
