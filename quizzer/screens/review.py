"""Flashcard review with Anki's keys: space shows the answer, 1-4 rate, u undoes, f flags, d opens the demo.

The screen orchestrates; the queue and every write live in :class:`quizzer.scheduling.ReviewSession`, which
commits each rating before the next card is shown.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, Static

from quizzer.errors import UserError
from quizzer.messages import OpenDemo
from quizzer.scheduling import RATINGS, ReviewSession, format_interval, format_when
from quizzer.settings import format_retention
from quizzer.storage import UndoConflict
from quizzer.widgets.flashcard import Flashcard, RatingBar


class FlagNoteScreen(ModalScreen[str | None]):
    """Ask for a note on a flagged question; dismisses with the note, or ``None`` on escape."""

    DEFAULT_CSS = """
    FlagNoteScreen {
        align: center middle;
    }
    FlagNoteScreen > Vertical {
        width: 64;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question_id: str) -> None:
        super().__init__()
        self.question_id = question_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"Flag {self.question_id}: what is wrong with it?")
            yield Input(placeholder="a short note for the author (enter to save, escape to cancel)", id="note")

    @on(Input.Submitted, "#note")
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or "flagged during review")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReviewScreen(Screen):
    """Due cards first, then up to ``new_limit`` new cards a day; ``cram`` studies every card in scope and
    writes nothing. ``store`` and ``bank`` default to the app's ``store`` and ``bank``."""

    TITLE = "Review"
    DEFAULT_CSS = """
    ReviewScreen #review-status {
        padding: 0 1;
        margin-bottom: 1;
    }
    ReviewScreen #review-done {
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "reveal", "Show answer"),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("u", "undo", "Undo"),
        Binding("f", "flag", "Flag"),
        Binding("d", "demo", "Demo"),
        Binding("escape", "back", "Back"),
    ]

    revealed: var[bool] = var(False)

    def __init__(self, topic: str | None = None, limit: int | None = None, new_limit: int = 20,
                 cram: bool = False, *, store: Any = None, bank: Any = None) -> None:
        super().__init__()
        self.topic = topic
        self.limit = limit
        self.new_limit = new_limit
        self.cram = cram
        self._store = store
        self._bank = bank
        self.session: ReviewSession | None = None
        self._questions: dict[str, Any] = {}
        self._shown_at = time.monotonic()
        self.rated = 0

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="review-status", markup=False)
        with VerticalScroll(id="review-card"):
            yield Flashcard(id="flashcard")
            yield Static("", id="review-done", markup=False)
        yield RatingBar(id="rating-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "cram: nothing is rescheduled" if self.cram else (self.topic or "all topics")
        if self._bank is None and getattr(self.app, "bank", None) is None and hasattr(self.app, "bank_problem"):
            # The app loads the bank after its first frame: start when it arrives.
            self._show_message("Loading the question bank…")
            self.watch(self.app, "bank", self._start, init=False)
            return
        self._start()

    def _start(self, _bank: object = None) -> None:
        if self.session is not None:
            return
        store = self._store if self._store is not None else getattr(self.app, "store", None)
        bank = self._bank if self._bank is not None else getattr(self.app, "bank", None)
        if bank is None:
            self._show_message("The question bank is not available.")
            return
        if store is None:
            self._show_message("The progress database cannot be used, so there is nothing to review.")
            return
        self._questions = {q.id: q for q in bank.questions}
        self.session = ReviewSession(store, bank.questions, topic=self.topic, limit=self.limit,
                                     new_limit=self.new_limit, cram=self.cram)
        self._show_current()

    # ---------------------------------------------------------------- display

    def _show_current(self) -> None:
        session = self.session
        assert session is not None
        self.revealed = False
        self._update_status()
        item = session.current
        card_widget = self.query_one(Flashcard)
        done = self.query_one("#review-done", Static)
        if item is None:
            card_widget.display = False
            done.display = True
            done.update(self._finished_text())
            self.query_one(RatingBar).display = False
        else:
            card_widget.display = True
            done.display = False
            self.query_one(RatingBar).display = True
            card_widget.show(self._questions[item.question_id])
            self.query_one(RatingBar).intervals = None
            self.query_one("#review-card", VerticalScroll).scroll_home(animate=False)
            self._shown_at = time.monotonic()
        self.refresh_bindings()

    def _update_status(self) -> None:
        session = self.session
        assert session is not None
        due, new = session.counts()
        text = Text()
        if session.cram:
            text.append("cram", style="bold magenta")
            text.append(f" · {len(session.queue)} left · nothing is rescheduled")
        else:
            text.append(f"{due} due", style="bold green")
            text.append(" · ")
            text.append(f"{new} new", style="bold cyan")
        text.append(f" · {self.rated} rated")
        if self.topic:
            text.append(f" · topic {self.topic}")
        if not session.cram:        # cram reschedules nothing, so no retention applies
            text.append(f" · desired retention {format_retention(session.store.scheduler.desired_retention)}")
        self.query_one("#review-status", Static).update(text)

    def _finished_text(self) -> Text:
        session = self.session
        assert session is not None
        text = Text()
        if self.rated:
            text.append(f"Done: {self.rated} cards rated this session.\n\n", style="bold green")
        elif session.cram:
            text.append("Nothing to cram: no card in scope has been studied yet.\n\n", style="bold")
        else:
            text.append("Nothing due.\n\n", style="bold")
        if not session.cram:
            store = session.store
            nxt = session.next_due()
            if nxt is None:
                text.append("No card is scheduled yet: new questions appear here up to the daily limit.")
            else:
                text.append(f"The next card is due {format_when(nxt, store.now(), store.tz)}.")
        text.append("\n\nescape: back")
        return text

    def _show_message(self, message: str) -> None:
        self.query_one(Flashcard).display = False
        self.query_one(RatingBar).display = False
        done = self.query_one("#review-done", Static)
        done.display = True
        done.update(message)

    # ---------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        session = self.session
        has_card = session is not None and session.current is not None
        if action == "reveal":
            return has_card and not self.revealed
        if action in ("rate", "demo"):
            if not (has_card and self.revealed):
                return False
            if action == "demo":
                return self._questions[session.current.question_id].demo is not None
            return True
        if action == "flag":
            return has_card
        if action == "undo":
            return session is not None and session.can_undo
        return True

    def action_reveal(self) -> None:
        session = self.session
        if session is None or session.current is None:
            return
        self.revealed = True
        self.query_one(Flashcard).revealed = True
        preview = session.preview()
        self.query_one(RatingBar).intervals = tuple(
            format_interval(preview[r]) if preview[r] is not None else "" for r in RATINGS)
        self.refresh_bindings()

    def action_rate(self, rating: int) -> None:
        session = self.session
        if session is None or session.current is None or not self.revealed:
            return
        duration_ms = round((time.monotonic() - self._shown_at) * 1000)
        try:
            session.rate(rating, duration_ms=duration_ms)        # committed before the next card is shown
        except UserError as err:
            self.notify(str(err), title="Rating not saved", severity="error", timeout=10)
            return
        self.rated += 1
        self._show_current()

    def action_undo(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            item = session.undo()
        except UndoConflict as err:
            self.notify(str(err), title="Cannot undo", severity="warning")
            return
        except UserError as err:
            self.notify(str(err), title="Cannot undo", severity="error", timeout=10)
            return
        if item is not None:
            self.rated -= 1
            self.notify(f"Undid the rating of {item.question_id}", timeout=2)
            self._show_current()

    def action_flag(self) -> None:
        session = self.session
        if session is None or session.current is None:
            return
        question_id = session.current.question_id

        def save(note: str | None) -> None:
            if note is None:
                return
            try:
                session.store.flag(question_id, note)
            except UserError as err:
                self.notify(str(err), title="Flag not saved", severity="error", timeout=10)
                return
            self.notify(f"Flagged {question_id}: {note}", timeout=3)

        self.app.push_screen(FlagNoteScreen(question_id), save)

    def action_demo(self) -> None:
        session = self.session
        if session is None or session.current is None:
            return
        ref = self._questions[session.current.question_id].demo
        if ref is not None:
            self.post_message(OpenDemo(ref.name, ref.args))

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
