"""App-wide messages: requests any screen may make of the app, and events the app announces.

Messages that belong to one widget are nested in that widget's class (``AnswerInput.Answered``,
``ParamControl.Changed``); the ones here cross screens, so the app handles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.message import Message


class BankLoaded(Message):
    """The question bank finished loading (in a worker, after the first frame)."""

    def __init__(self, bank: Any) -> None:
        super().__init__()
        self.bank = bank


class BankFailed(Message):
    """The bank could not be loaded at all (an unreadable ``--bank`` path, say): ``message`` is one line."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class OpenDemo(Message):
    """Open the live demo ``name`` with ``args`` (parameter values; defaults for the rest)."""

    def __init__(self, name: str, args: Mapping[str, object] | None = None) -> None:
        super().__init__()
        self.name = name
        self.args = dict(args or {})


class AnswerRecorded(Message):
    """The quiz recorded an answer (and stored it when storage is available)."""

    def __init__(self, question_id: str, correct: bool) -> None:
        super().__init__()
        self.question_id = question_id
        self.correct = correct
