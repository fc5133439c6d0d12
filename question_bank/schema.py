"""The bank's vocabulary and records: kinds, difficulties, fields, ``Question``, ``Topic``, ``Bank``, answers.

A bank file is one topic::

    topic: gates                 # kebab-case
    title: LSTM gates
    questions:
      - id: lstm-forget-gate-role   # unique in the bank, kebab-case, never reused: progress is keyed by it
        kind: recall                # recall | choice | multi | truefalse | numeric
        difficulty: medium          # easy | medium | hard
        tags: [lstm, forget-gate]   # optional
        prompt: How does the forget gate work in an LSTM?
        answer: ...                 # recall: text; choice: 0-based index; multi: list of indexes;
                                    # truefalse: true or false; numeric: a number
        choices: [...]              # choice and multi only: 2 to 6 distinct strings
        tolerance: 0.001            # numeric only, absolute; default 0
        explanation: ...            # Markdown shown after answering
        misconception: ...          # optional: the wrong belief this question targets
        demo: {name: gate-stepper, args: {...}}   # optional: a registered demo and valid arguments
        follow_ups: [other-id]      # optional: ids of questions in the bank
        sources: [...]              # optional: papers or docs

Scalars follow the YAML 1.2 core schema: ``yes``/``no``/``on``/``off`` are text (write ``true``/``false``),
and ``1e-3`` is a number. All text is kept exactly as written: no markup is interpreted here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from question_bank.errors import BankError

KINDS = ("recall", "choice", "multi", "truefalse", "numeric")
DIFFICULTIES = ("easy", "medium", "hard")
#: Kinds whose questions list ``choices``.
CHOICE_KINDS = ("choice", "multi")
MIN_CHOICES = 2
MAX_CHOICES = 6

TOPIC_FIELDS = ("topic", "title", "questions")
REQUIRED_TOPIC_FIELDS = TOPIC_FIELDS
QUESTION_FIELDS = ("id", "kind", "difficulty", "tags", "prompt", "answer", "choices", "tolerance",
                   "explanation", "misconception", "demo", "follow_ups", "sources")
REQUIRED_QUESTION_FIELDS = ("id", "kind", "difficulty", "prompt", "answer", "explanation")
DEMO_FIELDS = ("name", "args")

#: Ids and topics: lowercase letters and digits in words joined by single hyphens.
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

#: Slack added to a numeric tolerance so that, say, 0.4 counts as within 0.1 of 0.3 despite binary rounding.
FLOAT_SLACK = 1e-12


@dataclass(frozen=True)
class DemoRef:
    """A link from a question to a registered demo, with the arguments to open it with (as written)."""

    name: str
    args: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}), hash=False)


@dataclass(frozen=True, slots=True)
class Question:
    """One validated question. ``answer`` is text (recall), an index (choice), a sorted tuple of indexes
    (multi), a bool (truefalse) or a float (numeric). ``tolerance`` is a float for numeric questions and None
    otherwise; ``choices`` is empty unless the kind is choice or multi. ``path`` and ``line`` locate the
    question's mapping.

    ``follow_ups`` name questions declared in the bank; one that failed validation is not in
    ``Bank.questions``, so ``Bank.get`` may return None for it."""

    id: str
    topic: str
    kind: str
    difficulty: str
    tags: tuple[str, ...]
    prompt: str
    answer: str | int | tuple[int, ...] | bool | float
    choices: tuple[str, ...]
    tolerance: float | None
    explanation: str
    misconception: str | None
    demo: DemoRef | None
    follow_ups: tuple[str, ...]
    sources: tuple[str, ...]
    path: str
    line: int


@dataclass(frozen=True)
class Topic:
    """A topic as its (first) file declares it."""

    name: str
    title: str
    path: str
    line: int


class Bank:
    """The valid questions of every file loaded, in file order, and every problem found (by file and line)."""

    __slots__ = ("_by_id", "errors", "questions", "topics")

    def __init__(self, questions: Iterable[Question], errors: Iterable[BankError],
                 topics: Mapping[str, Topic]) -> None:
        self.questions: tuple[Question, ...] = tuple(questions)
        self.errors: tuple[BankError, ...] = tuple(errors)
        self.topics: dict[str, Topic] = dict(topics)
        self._by_id = {q.id: q for q in self.questions}

    def __repr__(self) -> str:
        counts = f"{len(self.questions)} questions, {len(self.topics)} topics, {len(self.errors)} errors"
        return f"<Bank: {counts}>"

    def get(self, qid: str) -> Question | None:
        return self._by_id.get(qid)

    def select(self, topics: Iterable[str] | None = None, difficulties: Iterable[str] | None = None,
               kinds: Iterable[str] | None = None) -> list[Question]:
        """Questions whose topic, difficulty and kind are among those given (None: any), in bank order."""
        wanted = [(attr, frozenset(values)) for attr, values in
                  (("topic", topics), ("difficulty", difficulties), ("kind", kinds)) if values is not None]
        return [q for q in self.questions if all(getattr(q, attr) in values for attr, values in wanted)]


def check_answer(question: Question, response: object) -> bool:
    """Whether ``response`` answers ``question``: an int index (choice), a collection of int indexes (multi),
    a bool (truefalse), or an int or float within the tolerance (numeric).

    Recall questions are graded by the learner: ValueError. A response of the wrong type: TypeError."""
    kind = question.kind
    if kind == "recall":
        raise ValueError(f"{question.id}: recall questions are graded by the learner, not by check_answer")
    if kind == "truefalse":
        if not isinstance(response, bool):
            raise TypeError(f"{question.id}: a truefalse response is a bool, got {type(response).__name__}")
        return response is question.answer
    if kind == "choice":
        if not _is_int(response):
            raise TypeError(f"{question.id}: a choice response is an int, got {type(response).__name__}")
        return response == question.answer
    if kind == "multi":
        if isinstance(response, (str, bytes)) or not isinstance(response, Iterable):
            raise TypeError(f"{question.id}: a multi response is ints, got {type(response).__name__}")
        picked = list(response)
        if not all(_is_int(index) for index in picked):
            raise TypeError(f"{question.id}: a multi response holds int indexes only")
        return set(picked) == set(question.answer)  # type: ignore[arg-type]
    if kind == "numeric":
        if isinstance(response, bool) or not isinstance(response, (int, float)):
            raise TypeError(f"{question.id}: a numeric response is a number, got {type(response).__name__}")
        if not math.isfinite(response):
            return False
        answer = float(question.answer)  # type: ignore[arg-type]
        tolerance = question.tolerance or 0.0
        return abs(response - answer) <= tolerance + FLOAT_SLACK * max(1.0, abs(answer))
    raise ValueError(f"{question.id}: unknown kind {kind!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
