"""The quiz: every kind answered right and wrong, the feedback, the end screen, storage, and bad input."""

from __future__ import annotations

import re

import pytest
from app_support import GOOD_BANK, KINDS_TOPIC, LONG_BANK, answer, load_bank, quiz_app, screen_text, settle
from textual.widgets import Select

from quizzer.app import QuizzerApp
from quizzer.cli import main
from quizzer.messages import AnswerRecorded
from quizzer.screens.demos import DemoScreen
from quizzer.screens.quiz import QuizScreen, QuizSetupScreen, QuizSummaryScreen
from quizzer.session import QuizSession
from quizzer.storage import Store
from quizzer.widgets.answers import NumericAnswer
from quizzer.widgets.feedback import AnswerFeedback
from quizzer.widgets.key_numbers import KeyNumbers
from quizzer.widgets.number_input import NumberInput


@pytest.mark.parametrize("right", [True, False], ids=["right", "wrong"])
async def test_finish_a_quiz_with_every_kind(right: bool, tmp_path) -> None:
    messages: list = []
    app = quiz_app()
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await settle(pilot)
        kinds = []
        for number in range(1, 6):
            screen = app.screen
            assert isinstance(screen, QuizScreen)
            question = screen.question
            kinds.append(question.kind)
            assert f"Question {number}/5" in screen_text(app)
            await answer(pilot, question, right)
            text = screen_text(app)
            assert ("✓ Correct" if right else "✗ Not quite") in text, text
            assert f"Score {number if right else 0}/{number}" in text
            await pilot.press("n")
            await pilot.pause()
        assert sorted(kinds) == sorted(["choice", "multi", "truefalse", "numeric", "recall"])
        assert isinstance(app.screen, QuizSummaryScreen)
        text = screen_text(app)
        assert f"Score {5 if right else 0}/5" in text
        assert KINDS_TOPIC in text
        if right:
            assert "Nothing missed." in text
        else:
            assert "Missed (5)" in text
            assert "Which gate scales c_{t-1}" in text
    # The hook sees a bubbling message at every node it passes: count each message once.
    recorded = list({id(m): m for m in messages if isinstance(m, AnswerRecorded)}.values())
    assert [m.correct for m in recorded] == [right] * 5
    with Store.open(None) as store:  # QUIZZER_DATA_DIR: a temporary folder (tests/conftest.py)
        stored = store.quiz_answers()
        due = {card.question_id for card in store.due_cards()}
    assert [row[4] for row in stored] == [right] * 5
    assert due == (set() if right else {m.question_id for m in recorded})


async def test_feedback_shows_explanation_misconception_and_demo_numbers() -> None:
    app = quiz_app(kinds=("choice",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        question = app.screen.question
        assert question.id == "fx-choice"
        await answer(pilot, question, right=False)
        await settle(pilot)
        text = screen_text(app)
        assert "✗ Not quite" in text
        assert "Right answer: 2) the forget gate f_t" in text
        feedback = app.screen.query_one(AnswerFeedback)
        assert "forget gate" in feedback.query_one("#explanation").source
        assert "Common misconception: The output gate decides what the cell keeps." in text
        numbers = app.screen.query_one(KeyNumbers)
        assert numbers.pairs is not None  # the demo ran in a worker and its key numbers arrived
        labels = dict(numbers.pairs)
        assert any("2,560" in value for value in labels.values()), labels


async def test_choice_by_letter_and_by_arrows() -> None:
    app = quiz_app(topics=("fixture-gru",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")  # the second option, as "2" or "b" would pick
        assert "✓ Correct" in screen_text(app)
    app = quiz_app(topics=("fixture-gru",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        text = screen_text(app)
        assert "✗ Not quite" in text and "you answered 3) 3" in text


async def test_question_text_is_literal_not_markup() -> None:
    app = quiz_app(kinds=("choice",))
    async with app.run_test(size=(160, 24)) as pilot:  # wide enough not to wrap the prompt
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]not markup[/bold]" in text
        assert "the candidate g_t [red]" in text


async def test_bad_numeric_entry_is_refused_then_a_number_is_accepted() -> None:
    app = quiz_app(kinds=("numeric",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        numeric = app.screen.query_one(NumericAnswer)
        await pilot.press("a", "b", "c")
        assert numeric.query_one("Input").value == ""  # letters never get in
        await pilot.press("1", "e", "enter")  # a partial exponent gets in but is not a number
        await pilot.pause()
        text = screen_text(app)
        assert "1e is not a number" in text
        assert not app.screen.query(AnswerFeedback)
        assert app.screen.session.answers == []
        await pilot.press("backspace", "backspace", "0", "full_stop", "2", "5", "5", "enter")
        await pilot.pause()
        assert "✓ Correct" in screen_text(app)  # 0.255 is within the tolerance of 0.01


async def test_recall_reveals_then_grades() -> None:
    app = quiz_app(kinds=("recall",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "diag(f_t)" not in screen_text(app)
        await pilot.press("2")  # grading before revealing does nothing
        assert app.screen.session.answers == []
        await pilot.press("space")
        assert "diag(f_t), with no weight matrix" in screen_text(app)
        await pilot.press("2")
        assert "✓ Correct" in screen_text(app)


async def test_open_the_questions_demo_with_its_arguments() -> None:
    app = quiz_app(kinds=("choice",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")  # before answering, d picks choice 4 ...
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("d")  # ... after it, d opens the linked demo
        await settle(pilot)
        assert isinstance(app.screen, DemoScreen)
        assert app.screen.demo.name == "param-count"
        assert app.screen.values["hidden_size"] == 20
        await pilot.press("w")  # at 80 columns the table shows whole only in the wide output
        await pilot.pause()
        assert "2,560" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)


async def test_enter_moves_on_only_after_an_answer() -> None:
    app = quiz_app(kinds=("truefalse", "recall"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        first = app.screen.question
        await pilot.press("n")
        assert app.screen.question is first
        await answer(pilot, first, right=True)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.question is not first


async def test_setup_screen_filter_that_matches_nothing_is_a_notice(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        setup = app.screen
        assert isinstance(setup, QuizSetupScreen)
        setup.query_one("#topic").value = "fixture-gru"
        setup.query_one("#kind").value = "numeric"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is setup
        notices = [n.message for n in app._notifications]
        assert notices == ["no questions match --topic fixture-gru --kind numeric"]
        assert "no questions match" in screen_text(app)  # the toast is on screen
        setup.query_one("#kind").value = "choice"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert app.screen.session.total == 1


def test_cli_filter_that_matches_nothing_exits_2(capsys) -> None:
    code = main(["--bank", str(GOOD_BANK), "quiz", "--topic", "fixture-gru", "--kind", "numeric"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "quizzer: no questions match --topic fixture-gru --kind numeric\n"


def test_cli_unknown_topic_gets_a_hint(capsys) -> None:
    code = main(["--bank", str(GOOD_BANK), "quiz", "--topic", "fixture-gates-x"])
    assert code == 2
    assert "did you mean 'fixture-gates'?" in capsys.readouterr().err




async def test_letters_are_not_swallowed_by_the_number_box() -> None:
    app = quiz_app(kinds=("numeric",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, NumberInput)
        assert "q Quit" in screen_text(app)  # the footer offers it because the box leaves q alone
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def flat(text: str) -> str:
    """``text`` with every run of whitespace (line ends and indents too) as one space."""
    return " ".join(text.split())


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
async def test_long_choices_wrap_and_show_whole(size: tuple[int, int]) -> None:
    bank = load_bank(LONG_BANK)
    for question_id in ("fx-long-choice", "fx-long-multi"):
        question = bank.get(question_id)
        app = QuizzerApp(bank=bank, session=QuizSession((question,)), packaged=False)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            text = screen_text(app)
            assert "…" not in text, text
            for index, choice in enumerate(question.choices):
                assert f"{index + 1}) {choice}" in flat(text), choice
                # A hanging indent: the wrapped part starts under the text, not under the number.
                end = choice.split()[-1]
                line = next(line for line in text.splitlines() if end in line)
                assert line.startswith(" " * 4), line
            if question.kind == "choice":
                # The prompt's hard line break (after "instead" in the file) is gone: the terminal wraps it.
                assert not any(line.rstrip().endswith("instead") for line in text.splitlines())
                await pilot.press("2")
            else:
                await pilot.press("2")
                text = screen_text(app)
                assert "[x] 2)" in text and "[ ] 1)" in text and "[ ] 3)" in text
                await pilot.press("space", "space", "up", "space", "enter")  # 2 off and on again, then 1: {0, 1}
            await pilot.pause()
            assert "✓ Correct" in screen_text(app)


async def test_progress_line_keeps_its_gaps_in_screenshots() -> None:
    app = quiz_app(kinds=("choice",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Question 1/1   Score 0/0   □" in screen_text(app)
        svg = app.export_screenshot()
    # SVG renderers drop the spaces that start a text run ("Question 1/1Score 0/0"): each part starts its own.
    assert re.search(r">Score&#160;0/0", svg)


async def test_setup_enter_opens_a_list_and_ctrl_s_starts(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        setup = app.screen
        assert isinstance(setup, QuizSetupScreen)
        topic = setup.query_one("#topic", Select)
        assert app.focused is topic  # not the scrolling form, where enter did nothing
        assert "enter opens a list" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert topic.expanded
        await pilot.press("down", "down", "enter")  # past "all topics" and fixture-gates
        await pilot.pause()
        assert topic.value == "fixture-gru" and not topic.expanded
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert {q.topic for q in app.screen.session.questions} == {"fixture-gru"}
