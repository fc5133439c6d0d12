"""A quiz session: which questions, in which order, and how each was answered.

Pure Python (no Textual, no I/O), so the CLI can reject a filter that matches nothing before the app starts, and
the quiz screen only orchestrates. Questions are the bank's ``Question`` records (see docs/design.md).
"""

from __future__ import annotations

import difflib
import itertools
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizzer.errors import UserError

#: Question kinds, in the order the bank documents them.
KINDS = ("choice", "multi", "truefalse", "numeric", "recall")
#: Questions per quiz when ``--count`` is not given.
DEFAULT_COUNT = 10


@dataclass(frozen=True)
class Filters:
    """What a quiz draws from: empty tuples mean "any"."""

    topics: tuple[str, ...] = ()
    difficulties: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    count: int = DEFAULT_COUNT
    seed: int | None = None

    def describe(self) -> str:
        """The filters as the CLI spells them, for messages."""
        parts = [f"--topic {t}" for t in self.topics]
        parts += [f"--difficulty {d}" for d in self.difficulties]
        parts += [f"--kind {k}" for k in self.kinds]
        return " ".join(parts) or "(no filters)"


@dataclass(frozen=True)
class Answer:
    question: Any
    correct: bool
    response: object


@dataclass
class QuizSession:
    """The questions of one quiz and the answers given so far."""

    questions: tuple[Any, ...]
    answers: list[Answer] = field(default_factory=list)

    @classmethod
    def select(cls, bank: Any, filters: Filters) -> QuizSession:
        """Draw ``filters.count`` questions (shuffled by ``filters.seed``) from ``bank``.

        Raises UserError with one line naming the filters when nothing matches, with a hint for an unknown topic,
        difficulty or kind."""
        _check_known("topic", filters.topics, sorted({q.topic for q in bank.questions}))
        _check_known("difficulty", filters.difficulties, sorted({str(q.difficulty) for q in bank.questions}))
        _check_known("kind", filters.kinds, KINDS)
        matches = bank.select(
            topics=list(filters.topics) or None,
            difficulties=list(filters.difficulties) or None,
            kinds=list(filters.kinds) or None,
        )
        if not matches:
            if not bank.questions:
                raise UserError("the question bank is empty: no quiz to take")
            raise UserError(f"no questions match {filters.describe()}")
        if filters.count < 1:
            raise UserError(f"--count must be at least 1, got {filters.count}")
        picked = list(matches)
        random.Random(filters.seed).shuffle(picked)
        return cls(tuple(picked[: filters.count]))

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def position(self) -> int:
        """1-based number of the question on screen (``total`` once finished)."""
        return min(len(self.answers) + 1, self.total)

    @property
    def current(self) -> Any | None:
        """The question waiting for an answer, or None when every question is answered."""
        return self.questions[len(self.answers)] if len(self.answers) < self.total else None

    @property
    def finished(self) -> bool:
        return len(self.answers) >= self.total

    @property
    def score(self) -> int:
        return sum(a.correct for a in self.answers)

    def record(self, correct: bool, response: object) -> Answer:
        """Record the answer to the current question and move on to the next one."""
        question = self.current
        if question is None:
            raise ValueError("the quiz is over: no question to answer")
        answer = Answer(question, bool(correct), response)
        self.answers.append(answer)
        return answer

    def by_topic(self) -> dict[str, tuple[int, int]]:
        """topic -> (right, answered), topics in the order they first came up."""
        table: dict[str, tuple[int, int]] = {}
        for a in self.answers:
            right, seen = table.get(a.question.topic, (0, 0))
            table[a.question.topic] = (right + a.correct, seen + 1)
        return table

    def missed(self) -> list[Any]:
        return [a.question for a in self.answers if not a.correct]


def _check_known(what: str, given: Iterable[str], known: Sequence[str]) -> None:
    for value in given:
        if value not in known:
            hint = difflib.get_close_matches(value, known, n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else f" (known: {', '.join(known) or 'none'})"
            raise UserError(f"no questions match --{what} {value}{more}")


def format_answer(question: Any, value: object) -> str:
    """``value`` (the bank's answer or a user's response) in words: choices by number and text."""
    choices = tuple(getattr(question, "choices", None) or ())

    def choice(index: object) -> str:
        if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(choices):
            return f"{index + 1}) {choices[index]}"
        return str(index)

    kind = question.kind
    if kind == "choice":
        return choice(value)
    if kind == "multi":
        items = sorted(value) if isinstance(value, (set, frozenset, list, tuple)) else [value]
        return "; ".join(choice(i) for i in items) or "nothing"
    if kind == "truefalse":
        return "True" if value else "False"
    if kind == "numeric" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


#: A line at least this long, continued by the next line, was broken only to keep the bank file narrow.
HARD_WRAP_MIN = 80
_LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d+[.)])\s")
_ALIGNED = re.compile(r"\S {2,}\S")


def unwrap(text: str) -> str:
    """``text`` with the line breaks its author made only to keep the YAML narrow joined up, so that it wraps to
    the terminal's width instead of breaking mid-sentence: a line continues the one before when that one is at
    least :data:`HARD_WRAP_MIN` long and neither line is blank, a list item's start (``- ``, ``1. ``) or
    column-aligned (equations with their comments). Everything else keeps its line breaks."""
    lines = text.strip().split("\n")
    out = lines[:1]
    for before, line in itertools.pairwise(lines):
        continues = (
            len(before.rstrip()) >= HARD_WRAP_MIN
            and line.strip()
            and not _LIST_ITEM.match(line)
            and not _ALIGNED.search(before.strip())
        )
        if continues:
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)
