"""The home screen, navigation, the help screen and the command palette."""

from __future__ import annotations

from app_support import BAD_BANK, GOOD_BANK, load_bank, screen_text, settle
from textual.command import CommandPalette

from quizzer.app import QuizzerApp, QuizzerCommands
from quizzer.demos import registry
from quizzer.messages import BankLoaded
from quizzer.screens.demos import DemoListScreen, DemoScreen
from quizzer.screens.help import HelpScreen
from quizzer.screens.home import HomeScreen
from quizzer.screens.quiz import QuizScreen, QuizSetupScreen
from quizzer.screens.review import ReviewScreen
from quizzer.screens.stats import StatsScreen
from quizzer.session import Filters, QuizSession
from quizzer.storage import Store


async def wait_for_bank(pilot) -> None:
    for _ in range(200):
        if pilot.app.bank is not None or pilot.app.bank_problem:
            break
        await pilot.pause(0.02)
    await settle(pilot)


async def test_home_loads_the_bank_after_the_first_frame_and_counts_questions() -> None:
    messages: list = []
    app = QuizzerApp(bank_paths=[GOOD_BANK], packaged=False)
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await wait_for_bank(pilot)
        assert any(isinstance(m, BankLoaded) for m in messages)
        text = screen_text(app)
        for label in ("1 Quiz", "2 Review", "3 Demos", "4 Stats"):
            assert label in text
        assert "Fixture: LSTM gates" in text and "Fixture: GRU" in text
        line = next(line for line in text.splitlines() if "Fixture: LSTM gates" in line)
        assert line.split()[-2:] == ["5", "0"]  # questions, due
        assert "All topics" in text


async def test_home_counts_cards_due() -> None:
    bank = load_bank()
    with Store.open(None) as store:
        store.record_quiz_answer("fx-numeric", "fixture-gates", "medium", "numeric", False)
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.due_by_topic == {"fixture-gates": 1}
        line = next(line for line in screen_text(app).splitlines() if "Fixture: LSTM gates" in line)
        assert line.split()[-2:] == ["5", "1"]


async def test_bad_user_bank_shows_errors_and_the_valid_questions() -> None:
    app = QuizzerApp(bank_paths=[GOOD_BANK, BAD_BANK], packaged=False)
    async with app.run_test(size=(200, 30)) as pilot:  # wide enough for the error line not to wrap
        await wait_for_bank(pilot)
        text = screen_text(app)
        assert "1 problem in the bank files (the valid questions are loaded):" in text
        assert "broken.yaml:11: fx-broken-bad: missing required field 'choices'" in text
        line = next(line for line in text.splitlines() if "a file with one bad question" in line)
        assert line.split()[-2] == "1"  # its valid neighbour is counted
        assert "Fixture: LSTM gates" in text


async def test_menu_keys_and_enter_open_every_screen_and_escape_returns(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, screen_type in (("1", QuizSetupScreen), ("2", ReviewScreen), ("3", DemoListScreen),
                                 ("4", StatsScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, screen_type), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
        await pilot.press("down", "down", "enter")  # the menu: Demos
        await settle(pilot)
        assert isinstance(app.screen, DemoListScreen)
        await pilot.press("escape", "escape")  # escape on home stays home
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_q_quits(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_help_lists_the_current_screens_keys(bank) -> None:
    session = QuizSession.select(bank, Filters(kinds=("choice",), topics=("fixture-gru",)))
    app = QuizzerApp(bank=bank, session=session, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Keys: Quiz" in text
        assert "1/a … 6/f" in text and "Pick a choice" in text
        assert "Back" in text and "Quit" in text and "Command palette" in text
        assert "Next question" not in text  # not before an answer
        assert "Choose with the arrows" in text  # keys the widgets handle themselves
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("2", "question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "Next question" in text and "Open demo" not in text  # this question has no demo
        await pilot.press("question_mark")  # ? closes it too
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)


async def test_command_palette_reaches_every_screen_and_demo(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = QuizzerCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        for screen in ("Home", "Quiz", "Review", "Stats", "Demos", "Keys"):
            assert screen in names
        for demo in registry.REGISTRY.values():
            assert f"Demo: {demo.title}" in names
        assert "Quiz: fixture-gru" in names
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        await pilot.press(*"gate stepper")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DemoScreen)
        assert app.screen.demo.name == "gate-stepper"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"quiz: fixture-gru")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert {q.topic for q in app.screen.session.questions} == {"fixture-gru"}


def due_on_home(app: QuizzerApp, title: str) -> str:
    """The Due column of ``title``'s row in the home screen's bank table."""
    return next(line for line in screen_text(app).splitlines() if title in line).split()[-1]


async def test_home_due_counts_follow_a_quiz_and_a_review(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert due_on_home(app, "Fixture: GRU") == "0"
        app.start_quiz(topics=("fixture-gru",))
        await settle(pilot)
        await pilot.press("1", "n")  # wrong (a GRU has 2 gates): the question becomes due
        await settle(pilot)
        await pilot.press("enter")  # the results screen's Done
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert due_on_home(app, "Fixture: GRU") == "1"
        await pilot.press("2")  # review: the due card comes first
        await settle(pilot)
        await pilot.press("space", "3")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert due_on_home(app, "Fixture: GRU") == "0"


async def test_a_given_first_screen_and_store(bank, tmp_path) -> None:
    """What ``quizzer review`` uses: the screen replaces the home screen, escape on it leaves the app, and the
    store handed over is the app's and stays open for its owner to close."""
    with Store.open(tmp_path) as store:
        store.record_quiz_answer("fx-numeric", "fixture-gates", "medium", "numeric", False)
        screen = StatsScreen()
        app = QuizzerApp(bank=bank, store=store, screen=screen, packaged=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.screen is screen and len(app.screen_stack) == 1
            assert app.store is store
            assert "1 due today" in screen_text(app)  # the screen uses the app's store: the one handed over
            await pilot.press("escape")
            await pilot.pause()
            assert not app.is_running
        assert len(store.due_cards()) == 1  # still open
