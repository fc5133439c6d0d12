"""One quiz question: where it comes from, its prompt (literal text), and the answer widget for its kind."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from quizzer.session import unwrap
from quizzer.widgets.answers import (
    AnswerInput,
    ChoiceAnswer,
    MultiAnswer,
    NumericAnswer,
    RecallAnswer,
    TrueFalseAnswer,
)

#: Longest quiz whose progress bar (one square per question) is drawn.
MAX_BAR = 40
#: Between the parts of the progress line.
GAP = "   "

KIND_NAMES = {
    "choice": "one answer",
    "multi": "several answers",
    "truefalse": "true or false",
    "numeric": "a number",
    "recall": "recall",
}


def answer_widget(question: Any) -> AnswerInput:
    """The answer widget for ``question.kind``."""
    kind = question.kind
    if kind == "choice":
        return ChoiceAnswer(question.choices, id="answer")
    if kind == "multi":
        return MultiAnswer(question.choices, id="answer")
    if kind == "truefalse":
        return TrueFalseAnswer(id="answer")
    if kind == "numeric":
        return NumericAnswer(question.tolerance, id="answer")
    if kind == "recall":
        return RecallAnswer(unwrap(str(question.answer)), id="answer")
    raise ValueError(f"{question.id}: unknown question kind {kind!r}")


class QuestionView(Vertical):
    """The prompt and the answer widget of one question; the screen mounts the feedback below them."""

    def __init__(self, question: Any, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question

    def compose(self) -> ComposeResult:
        q = self.question
        meta = f"{q.topic} · {q.difficulty} · {KIND_NAMES.get(q.kind, q.kind)} · {q.id}"
        yield Static(meta, classes="question-meta", markup=False)
        # Text, not markup: "[i]" in a question about indexing must stay "[i]". Unwrapped: the terminal wraps it.
        yield Static(Text(unwrap(str(q.prompt))), classes="question-prompt")
        yield answer_widget(q)

    @property
    def answer_input(self) -> AnswerInput:
        return self.query_one(AnswerInput)


class QuizProgress(Static):
    """"Question 3/10   Score 2/2" and a bar of answered questions (green right, red wrong)."""

    position: reactive[int] = reactive(1)
    total: reactive[int] = reactive(1)
    results: reactive[tuple[bool, ...]] = reactive(())

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def render(self) -> Text:
        right = sum(self.results)
        # Each gap ends the part before it, in its style, rather than starting the next: a renderer that trims
        # the spaces a run starts with (SVG screenshots) would otherwise print "Question 1/10Score 0/0".
        text = Text()
        text.append(f"Question {self.position}/{self.total}{GAP}", style="bold")
        text.append(f"Score {right}/{len(self.results)}{GAP}")
        if self.total <= MAX_BAR:
            for ok in self.results:
                text.append("■", style="green" if ok else "red")
            text.append("□" * max(0, self.total - len(self.results)), style="dim")
        return text
