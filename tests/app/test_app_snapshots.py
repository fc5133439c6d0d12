"""Snapshots at 80x24 of the screens people see most. Deterministic: the fixture bank, a fixed seed, an empty
data folder. Update with ``pytest tests/app --snapshot-update`` and look at the SVGs before committing them."""

from __future__ import annotations

from app_support import load_bank, quiz_app, settle

from quizzer.app import QuizzerApp

SIZE = (80, 24)


def home_app() -> QuizzerApp:
    return QuizzerApp(bank=load_bank(), packaged=False)


def test_home(snap_compare) -> None:
    assert snap_compare(home_app(), terminal_size=SIZE, run_before=settle)


def test_help_on_home(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(home_app(), terminal_size=SIZE, run_before=run_before)


def test_question(snap_compare) -> None:
    assert snap_compare(quiz_app(kinds=("choice",)), terminal_size=SIZE, run_before=settle)


def test_answered_question(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("1")  # wrong: the forget gate is 2
        await settle(pilot)  # the demo's key numbers come from a worker

    assert snap_compare(quiz_app(kinds=("choice",)), terminal_size=SIZE, run_before=run_before)


def test_numeric_question_with_a_bad_entry(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("1", "e", "enter")

    assert snap_compare(quiz_app(kinds=("numeric",)), terminal_size=SIZE, run_before=run_before)


def test_demo(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.open_demo("param-count")
        await settle(pilot)

    assert snap_compare(home_app(), terminal_size=SIZE, run_before=run_before)


def test_quiz_summary(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("1", "n")  # fixture-gru has one question: 2 gates, so "1" is wrong
        await settle(pilot)

    assert snap_compare(quiz_app(topics=("fixture-gru",)), terminal_size=SIZE, run_before=run_before)
