"""Helpers for the app tests: the fixture banks, the screen as text, and answering a question right or wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

import question_bank
from quizzer.app import QuizzerApp
from quizzer.demos import registry
from quizzer.session import Filters, QuizSession

HERE = Path(__file__).parent
GOOD_BANK = HERE / "banks" / "good"
BAD_BANK = HERE / "banks" / "bad"
#: Choices longer than any terminal line and a prompt hard-wrapped in its file (not loaded with the others).
LONG_BANK = HERE / "banks" / "long"
#: The fixture topic with one question of each kind.
KINDS_TOPIC = "fixture-gates"


def load_bank(*paths: Path) -> Any:
    return question_bank.load([str(p) for p in (paths or (GOOD_BANK,))], demos=registry.validators(),
                              packaged=False)


def quiz_app(topics: tuple[str, ...] = (KINDS_TOPIC,), seed: int = 7, **filters: Any) -> QuizzerApp:
    """The app started as ``quizzer --bank tests/app/banks/good quiz --topic ... --seed 7`` starts it."""
    bank = load_bank()
    session = QuizSession.select(bank, Filters(topics=topics, seed=seed, **filters))
    return QuizzerApp(bank=bank, session=session, packaged=False)


def screen_text(app: QuizzerApp) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot: Pilot) -> None:
    """Let workers finish and the screen catch up."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _type_keys(text: str) -> list[str]:
    names = {".": "full_stop", "-": "minus", "+": "plus"}
    return [names.get(ch, ch) for ch in text]


async def answer(pilot: Pilot, question: Any, right: bool) -> None:
    """Answer ``question`` (on screen) with the keys a user would press, rightly or wrongly."""
    kind = question.kind
    if kind == "choice":
        index = question.answer if right else (question.answer + 1) % len(question.choices)
        await pilot.press(str(index + 1))
    elif kind == "multi":
        wanted = set(question.answer) if right else set(question.answer) ^ {0}
        await pilot.press(*(str(i + 1) for i in sorted(wanted)), "enter")
    elif kind == "truefalse":
        await pilot.press("t" if question.answer == right else "f")
    elif kind == "numeric":
        value = question.answer if right else question.answer + 10 * (question.tolerance or 1) + 1
        await pilot.press(*_type_keys(f"{value:g}"), "enter")
    elif kind == "recall":
        await pilot.press("space", "2" if right else "1")
    else:  # pragma: no cover - the fixture bank has only these kinds
        raise AssertionError(kind)
    await pilot.pause()
