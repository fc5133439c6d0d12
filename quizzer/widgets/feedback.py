"""What the quiz shows after an answer: the verdict, the explanation (Markdown), any misconception and the linked
demo's key numbers."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from quizzer.session import format_answer, unwrap
from quizzer.widgets.key_numbers import KeyNumbers


class AnswerFeedback(Vertical):
    """The verdict on one answer and why. ``KeyNumbers`` inside it is filled by the screen's worker."""

    def __init__(self, question: Any, correct: bool, response: object, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.correct = correct
        self.response = response

    def compose(self) -> ComposeResult:
        q = self.question
        # The gap after the verdict is part of it, not of the dim text: SVG screenshots drop a run's leading spaces.
        verdict = Text()
        gap = "" if q.kind == "recall" else "   "
        if self.correct:
            verdict.append(f"✓ Correct{gap}", style="bold green")
        else:
            verdict.append(f"✗ Not quite{gap}", style="bold red")
        if q.kind != "recall":
            verdict.append(f"you answered {format_answer(q, self.response)}", style="dim")
            if not self.correct:
                verdict.append("\nRight answer: ", style="bold")
                verdict.append(format_answer(q, q.answer))
        self.set_class(self.correct, "-correct")
        self.set_class(not self.correct, "-wrong")
        yield Static(verdict, id="verdict")
        if q.explanation:
            yield Markdown(str(q.explanation), id="explanation")
        if getattr(q, "misconception", None):
            note = Text()
            note.append("Common misconception: ", style="bold yellow")
            note.append(unwrap(str(q.misconception)))
            yield Static(note, id="misconception")
        if q.demo is not None:
            from quizzer.demos import registry

            yield KeyNumbers(title=f"{registry.get(q.demo.name).title}: key numbers", id="key-numbers")
        yield Static(self._keys_hint(), id="next-hint", classes="hint")

    def _keys_hint(self) -> Text:
        hint = Text()
        if self.question.demo is not None:
            hint.append("d", style="bold")
            hint.append(" open the demo   ")
        hint.append("n", style="bold")
        hint.append("/")
        hint.append("enter", style="bold")
        hint.append(" next question")
        return hint
