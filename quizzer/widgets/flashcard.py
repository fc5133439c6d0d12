"""A flashcard (question side, then answer and explanation) and the bar of the four ratings with their intervals."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from quizzer.scheduling import RATINGS, rating_label
from quizzer.session import unwrap


def answer_text(question: Any) -> str:
    """The bank's answer in words (choices by number and text)."""
    from quizzer.session import format_answer

    return format_answer(question, question.answer)


class Flashcard(Static):
    """One question: its topic line and prompt, and once ``revealed`` its answer, explanation (Markdown) and demo
    link. Prompts and answers are shown literally (``[i]`` in a prompt about indexing stays ``[i]``)."""

    DEFAULT_CSS = """
    Flashcard {
        height: auto;
        padding: 0 1;
    }
    """

    question: reactive[Any] = reactive(None, layout=True)
    revealed: reactive[bool] = reactive(False, layout=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)

    def show(self, question: Any, revealed: bool = False) -> None:
        self.set_reactive(Flashcard.revealed, revealed)
        self.question = question
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        q = self.question
        if q is None:
            return Text("")
        parts: list[RenderableType] = []
        meta = Text(f"{q.topic} · {q.difficulty} · {q.kind} · {q.id}", style="dim")
        parts.append(meta)
        parts.append(Text(""))
        parts.append(Text(unwrap(str(q.prompt)), style="bold"))
        choices = tuple(getattr(q, "choices", None) or ())
        if choices:
            # A long choice wraps under its own text, not under its number.
            grid = Table.grid(padding=(0, 1), pad_edge=True)
            grid.add_column(no_wrap=True)
            grid.add_column()
            for i, choice in enumerate(choices, 1):
                grid.add_row(Text(f" {i})"), Text(choice))
            parts.append(grid)
        if not self.revealed:
            return Group(*parts)
        parts.append(Rule(style="dim"))
        said = unwrap(answer_text(q))
        answer = Text("Answer:\n" if "\n" in said else "Answer: ", style="bold green")   # a list starts on its own line
        answer.append(said, style="green")
        parts.append(answer)
        explanation = str(getattr(q, "explanation", "") or "").strip()
        if explanation:
            from rich.markdown import Markdown

            parts.append(Text(""))
            parts.append(Markdown(explanation))     # the bank writes explanations in Markdown
        demo = getattr(q, "demo", None)
        if demo is not None:
            parts.append(Text(""))
            parts.append(Text(f"d: open the live demo '{demo.name}'", style="italic cyan"))
        return Group(*parts)


class RatingBar(Static):
    """``space show answer`` before the answer is shown; then ``1 Again · 1m   2 Hard · 6m ...``."""

    DEFAULT_CSS = """
    RatingBar {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    #: ``None``: the answer is hidden. Else the four intervals as "1m", "2d" ("" in cram mode: no intervals).
    intervals: reactive[tuple[str, ...] | None] = reactive(None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)

    def render(self) -> RenderableType:
        text = Text()
        if self.intervals is None:
            text.append("space", style="bold reverse")
            text.append(" show answer")
            return text
        colours = ("red", "yellow", "green", "cyan")
        for key, (rating, interval, colour) in enumerate(zip(RATINGS, self.intervals, colours), 1):
            if key > 1:
                text.append("   ")
            text.append(f" {key} ", style=f"bold reverse {colour}")
            label = rating_label(rating, None)
            text.append(f" {label} · {interval}" if interval else f" {label}", style=colour)
        return text
