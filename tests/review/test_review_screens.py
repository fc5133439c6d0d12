"""The Review and Stats screens driven with Textual's Pilot, inside the real app, checked against the database
and the fsrs library."""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import UTC, timedelta
from pathlib import Path

from fsrs import Card, Rating, Scheduler
from review_support import T0, Clock
from rich.console import Console
from textual.notifications import Notify
from textual.widgets import Static

from quizzer.commands.review import app_starting_on, review_app
from quizzer.messages import OpenDemo
from quizzer.scheduling import card_id_for, format_interval
from quizzer.screens.review import FlagNoteScreen, ReviewScreen
from quizzer.storage import DB_NAME, Store
from quizzer.widgets.flashcard import Flashcard, RatingBar

SIZE = (80, 24)


def rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        return conn.execute(sql).fetchall()


def visible_text(app) -> str:
    """The text of every visible Static of the screen (plain, no styles)."""
    parts = []
    for widget in app.screen.query("Static").results():
        if not widget.display:
            continue
        console = Console(width=120, record=True, file=io.StringIO())
        # A plain Static shows its content; the flashcard widgets render their own.
        console.print(widget.content if type(widget).render is Static.render else widget.render())
        parts.append(console.export_text())
    return "\n".join(parts)


def current_id(app) -> str | None:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    item = screen.session.current
    return item.question_id if item else None


def study(store: Store, clock: Clock, question_id: str, topic: str, ratings=(Rating.Good, Rating.Good)) -> None:
    """Give a question a schedule: rate it, each time when due."""
    for rating in ratings:
        card = store.get_card(question_id)
        if card is not None:
            clock.now = max(clock.now, card.due)
        store.review(question_id, topic, rating)


# ---------------------------------------------------------------------------------------------------- review


async def test_show_and_rate(store: Store, bank, data_dir: Path) -> None:
    app = review_app(bank, store, topic="lstm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = current_id(app)
        assert first == "lstm-forget-gate"                          # new cards in bank order
        text = visible_text(app)
        assert "What does the forget gate" in text and "Answer:" not in text
        assert "0 due · 3 new" in text and "show answer" in text
        await pilot.press("3")                                       # rating before the answer: ignored
        assert rows(data_dir, "SELECT COUNT(*) FROM review_log") == [(0,)]

        await pilot.press("space")
        text = visible_text(app)
        assert "Answer: It scales the previous cell state" in text and "f_t multiplies c_{t-1}" in text
        # The four intervals are exactly those fsrs gives for a new card now.
        fsrs = Scheduler(desired_retention=0.9, enable_fuzzing=False)
        new = Card(card_id=card_id_for(first), due=T0)
        want = [format_interval(fsrs.review_card(new, r, review_datetime=T0)[0].due - T0) for r in Rating]
        assert app.screen.query_one(RatingBar).intervals == tuple(want)
        for name, interval in zip(("Again", "Hard", "Good", "Easy"), want, strict=True):
            assert f"{name} · {interval}" in text

        await pilot.press("3")
        # Committed before the next card is on screen: another connection sees it.
        assert rows(data_dir, "SELECT question_id, rating FROM review_log") == [(first, 3)]
        assert current_id(app) == "lstm-gate-count"
        assert not app.screen.query_one(Flashcard).revealed
        assert "1 rated" in visible_text(app)


async def test_undo_restores_the_card_exactly(store: Store, bank, clock: Clock, data_dir: Path) -> None:
    study(store, clock, "gru-gate-count", "gru")
    clock.now = store.get_card("gru-gate-count").due + timedelta(hours=1)
    before = rows(data_dir, "SELECT card, due, state FROM cards WHERE question_id = 'gru-gate-count'")
    app = review_app(bank, store, new_limit=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_id(app) == "gru-gate-count"
        await pilot.press("space", "1")
        assert rows(data_dir, "SELECT card FROM cards WHERE question_id = 'gru-gate-count'") != [before[0][:1]]
        await pilot.press("u")
        assert rows(data_dir, "SELECT card, due, state FROM cards WHERE question_id = 'gru-gate-count'") == before
        assert current_id(app) == "gru-gate-count"                    # shown again, question side
        assert not app.screen.query_one(Flashcard).revealed
        assert rows(data_dir, "SELECT rating FROM review_log ORDER BY id")[-1] == (1,)   # log keeps it...
        assert rows(data_dir, "SELECT COUNT(*) FROM undone_reviews") == [(1,)]          # ...marked undone
        await pilot.press("u")                                           # nothing left to undo: no change
        assert rows(data_dir, "SELECT COUNT(*) FROM undone_reviews") == [(1,)]


async def test_undo_of_a_new_card_and_again_requeues(store: Store, bank, data_dir: Path) -> None:
    app = review_app(bank, store, topic="gru")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_id(app) == "gru-gate-count"
        await pilot.press("space", "1")                                # Again: back within the session
        assert [i.question_id for i in app.screen.session.queue] == ["gru-no-cell", "gru-gate-count"]
        await pilot.press("u")
        assert rows(data_dir, "SELECT COUNT(*) FROM cards") == [(0,)]   # new again
        assert [i.question_id for i in app.screen.session.queue] == ["gru-gate-count", "gru-no-cell"]


async def test_flag_with_a_note(store: Store, bank, data_dir: Path) -> None:
    app = review_app(bank, store, topic="lstm")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FlagNoteScreen)
        await pilot.press(*"answer is vague", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert rows(data_dir, "SELECT question_id, note FROM flags") == [("lstm-forget-gate", "answer is vague")]
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("escape")                                     # cancelled: nothing stored
        await pilot.pause()
        assert rows(data_dir, "SELECT COUNT(*) FROM flags") == [(1,)]
        assert rows(data_dir, "SELECT COUNT(*) FROM review_log") == [(0,)]


async def test_demo_key_opens_the_linked_demo(store: Store, bank) -> None:
    messages: list = []
    app = review_app(bank, store, topic="lstm")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        await pilot.press("d")                                          # not before the answer is shown
        assert not [m for m in messages if isinstance(m, OpenDemo)]
        await pilot.press("space", "d")
        await pilot.pause()
        demos = list({id(m): m for m in messages if isinstance(m, OpenDemo)}.values())  # seen by screen and app
        assert [(m.name, m.args) for m in demos] == [("forget-bias", {"seq_len": 50})]


async def test_cram_changes_no_schedule(store: Store, bank, clock: Clock, data_dir: Path) -> None:
    for qid, topic in (("lstm-gate-count", "lstm"), ("gru-no-cell", "gru")):
        study(store, clock, qid, topic, ratings=(Rating.Good, Rating.Good, Rating.Good))
    clock.advance(minutes=1)
    assert store.due_cards() == []
    dump = "SELECT * FROM cards ORDER BY question_id"
    before = rows(data_dir, dump), rows(data_dir, "SELECT COUNT(*) FROM review_log")
    app = review_app(bank, store, cram=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "cram" in visible_text(app)
        studied = {current_id(app)}
        await pilot.press("space")
        assert app.screen.query_one(RatingBar).intervals == ("", "", "", "")   # no intervals: nothing moves
        await pilot.press("1")                                            # Again: comes back at the end
        studied.add(current_id(app))
        await pilot.press("space", "4")
        assert studied == {"lstm-gate-count", "gru-no-cell"}
        await pilot.press("space", "3")
        assert app.screen.session.finished
        await pilot.press("u")
        assert not app.screen.session.finished
    assert (rows(data_dir, dump), rows(data_dir, "SELECT COUNT(*) FROM review_log")) == before


async def test_nothing_due_says_when(store: Store, bank, clock: Clock) -> None:
    study(store, clock, "lstm-gate-count", "lstm")
    due = store.get_card("lstm-gate-count").due
    clock.now = due - timedelta(hours=5)
    app = review_app(bank, store, new_limit=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_id(app) is None
        text = visible_text(app)
        assert "Nothing due." in text
        local = due.astimezone(UTC)
        assert f"The next card is due in 5h ({local:%a %d %b %H:%M})" in text


async def test_new_cards_per_day_budget(store: Store, bank, clock: Clock) -> None:
    app = review_app(bank, store, new_limit=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.session.counts() == (0, 2)
        await pilot.press("space", "4", "space", "4")                   # Easy: not back today
        assert app.screen.session.finished
    # Same day, a new session: the budget is spent. Next day: two more.
    assert ReviewScreen_session(store, bank, new_limit=2).counts() == (0, 0)
    clock.advance(days=1)
    session = ReviewScreen_session(store, bank, new_limit=2)
    assert [i.question_id for i in session.queue if i.new] == ["lstm-forget-gate", "lstm-gate-count"]


def ReviewScreen_session(store, bank, **options):
    from quizzer.scheduling import ReviewSession

    return ReviewSession(store, bank.questions, **options)


# ---------------------------------------------------------------------------------------------------- stats


async def test_stats_screen_shows_the_database(store: Store, bank, clock: Clock) -> None:
    from quizzer.screens.stats import StatsScreen

    study(store, clock, "lstm-gate-count", "lstm")
    store.record_quiz_answer("gru-no-cell", "gru", "medium", "recall", False)
    store.record_quiz_answer("gru-gate-count", "gru", "easy", "truefalse", True)
    app = app_starting_on(lambda: StatsScreen(store=store, bank=bank), bank=bank)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = visible_text(app)
        assert "Reviews per day" in text and "Cards due in the next 14 days" in text
        assert "True retention per topic" in text and "Quiz accuracy per topic and difficulty" in text
        assert "gru · medium (0/1)" in text and "gru · easy (1/1)" in text
        assert "5 cards · 2 reviews · 1 due today" in text               # the missed quiz question is due
        # Cards by state: 3 questions never seen + 1 missed in the quiz are new; 1 graduated to Review.
        assert re.search(r"^New\b.* 4$", text, re.MULTILINE)
        assert re.search(r"^Review\b.* 1$", text, re.MULTILINE)
        assert re.search(r"^gru · medium \(0/1\).* 0 %$", text, re.MULTILINE)


async def test_stats_screen_shows_the_desired_retention(store: Store, bank, clock: Clock) -> None:
    """Beside the true retention, on one title line at 80 columns."""
    from quizzer.screens.stats import StatsScreen

    store.set_desired_retention(0.8)
    study(store, clock, "lstm-gate-count", "lstm", (Rating.Easy, Rating.Good))     # one review of a mature card
    app = app_starting_on(lambda: StatsScreen(store=store, bank=bank), bank=bank)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title = "True retention per topic (reviews of mature cards passed) vs desired 80%"
        assert re.search(rf"^{re.escape(title)}\nlstm \(1/1\) .* 100 %$", visible_text(app), re.MULTILINE)
        section = list(app.screen.query(".stats-section").results(Static))[3]     # summary, plot, forecast, ...
        console = Console(width=section.content_region.width, record=True, file=io.StringIO())
        console.print(section.content)
        assert console.export_text().splitlines()[0] == title


# ---------------------------------------------------------------------------------------------------- snapshots


def snapshot_history(store: Store, clock: Clock) -> None:
    """A small, fixed history: some cards studied over the past days, quiz answers, one card due now."""
    start = clock.now
    clock.now = start - timedelta(days=12)
    study(store, clock, "lstm-gate-count", "lstm", (Rating.Good, Rating.Good, Rating.Good))
    clock.now = start - timedelta(days=9)
    study(store, clock, "gru-no-cell", "gru", (Rating.Good, Rating.Again, Rating.Good, Rating.Hard))
    clock.now = start - timedelta(days=3)
    study(store, clock, "lstm-cell-output", "lstm", (Rating.Easy,))
    clock.now = start
    store.record_quiz_answer("gru-gate-count", "gru", "easy", "truefalse", False)
    store.record_quiz_answer("lstm-gate-count", "lstm", "easy", "numeric", True)
    store.record_quiz_answer("lstm-cell-output", "lstm", "hard", "choice", True)


def test_snapshot_review_question(snap_compare, store: Store, bank) -> None:
    assert snap_compare(review_app(bank, store, topic="lstm"), terminal_size=SIZE)


def test_snapshot_review_answer(snap_compare, store: Store, bank, clock: Clock) -> None:
    snapshot_history(store, clock)
    assert snap_compare(review_app(bank, store), press=["space"], terminal_size=SIZE)


def test_snapshot_review_nothing_due(snap_compare, store: Store, bank, clock: Clock) -> None:
    study(store, clock, "gru-no-cell", "gru")
    clock.advance(hours=1)
    assert snap_compare(review_app(bank, store, new_limit=0), terminal_size=SIZE)


def test_snapshot_stats(snap_compare, store: Store, bank, clock: Clock) -> None:
    from quizzer.screens.stats import StatsScreen

    snapshot_history(store, clock)
    assert snap_compare(app_starting_on(lambda: StatsScreen(store=store, bank=bank), bank=bank), terminal_size=SIZE)


# ---------------------------------------------------------------------------------------------------- the app shell


async def wait_for(pilot, condition, tries: int = 200) -> None:
    """Let the app run until ``condition()`` holds (a bank loading in a worker); never a timing assertion."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never held")


async def test_home_opens_review_and_stats(bank_dir: Path, tmp_path: Path) -> None:
    """Through the real home screen: the bank loads in the app's worker, Review waits for it, ratings land in the
    app's database; Stats shows them; escape goes back home."""
    from quizzer.app import QuizzerApp
    from quizzer.screens.home import HomeScreen
    from quizzer.screens.stats import StatsScreen

    data = tmp_path / "appdata"
    app = QuizzerApp(bank_paths=[bank_dir], data_dir=data, packaged=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await wait_for(pilot, lambda: app.screen.session is not None)
        first = app.bank.questions[0].id
        assert current_id(app) == first
        await pilot.press("space", "3")
        assert rows(data, "SELECT question_id, rating FROM review_log") == [(first, 3)]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await wait_for(pilot, lambda: "Cards by state" in visible_text(app))
        assert "1 review in the last 30 days" in visible_text(app)


async def test_edited_question_keeps_its_progress(bank_dir: Path, data_dir: Path, clock: Clock) -> None:
    """Fix the text of a studied question in its file: the reloaded bank shows it as a due review card with its
    history, not as a new card."""
    import question_bank

    with Store.open(data_dir, clock=clock, tz=UTC) as store:
        study(store, clock, "gru-no-cell", "gru", (Rating.Good, Rating.Good))
        card = store.get_card("gru-no-cell")
    path = bank_dir / "gru.yaml"
    path.write_text(path.read_text().replace("Where does a GRU keep its memory?",
                                             "Where does a GRU keep its memory (state)?"))
    edited = question_bank.load([bank_dir], packaged=False)
    assert "(state)" in edited.get("gru-no-cell").prompt
    clock.now = card.due
    with Store.open(data_dir, clock=clock, tz=UTC) as store:
        app = review_app(edited, store, topic="gru")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert [(i.question_id, i.new) for i in app.screen.session.queue] == [
                ("gru-no-cell", False), ("gru-gate-count", True)]
            assert "keep its memory (state)?" in visible_text(app)
            await pilot.press("space", "3")
        assert len(store.history("gru-no-cell")) == 3


async def test_undo_after_another_session_rated_the_card(store: Store, bank, clock: Clock, data_dir: Path) -> None:
    """Another process rates the same card after us: undo refuses (with a notice) and keeps their rating."""
    messages: list = []
    app = review_app(bank, store, topic="gru")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.pause()
        await pilot.press("space", "3")
        with Store.open(data_dir, clock=clock, tz=UTC) as other:
            other.review("gru-gate-count", "gru", Rating.Easy)
        card = rows(data_dir, "SELECT card FROM cards WHERE question_id = 'gru-gate-count'")
        await pilot.press("u")
        await pilot.pause()
        assert rows(data_dir, "SELECT card FROM cards WHERE question_id = 'gru-gate-count'") == card
        assert rows(data_dir, "SELECT COUNT(*) FROM undone_reviews") == [(0,)]
        assert current_id(app) == "gru-no-cell"                       # the session did not go back
        notices = [m.notification for m in messages if isinstance(m, Notify)]
        assert [(n.title, n.severity) for n in notices if "rated since" in n.message] == [("Cannot undo", "warning")]


async def test_cram_with_nothing_studied(store: Store, bank) -> None:
    app = review_app(bank, store, cram=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert current_id(app) is None
        assert "Nothing to cram: no card in scope has been studied yet." in visible_text(app)
