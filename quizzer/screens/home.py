"""The home screen: where to go (Quiz, Review, Demos, Stats) and what the bank holds."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from quizzer.widgets.bank_summary import BankErrors, BankSummary

#: (option id, key, label, what it does) in menu order; the id is also the app action "open_<id>".
MENU = (
    ("quiz", "1", "Quiz", "questions, explained"),
    ("review", "2", "Review", "flashcards due today"),
    ("demos", "3", "Demos", "live numbers to play with"),
    ("stats", "4", "Stats", "progress and retention"),
)


def _menu_option(key: str, label: str, about: str) -> Text:
    text = Text()
    text.append(f"{key} ", style="dim")
    text.append(label, style="bold")
    text.append(f"\n  {about}", style="dim")
    return text


class HomeScreen(Screen):
    """Pick a mode; the bank summary fills in once the bank has loaded (after the first frame)."""

    TITLE = "quizzer"
    SUB_TITLE = "RNN · LSTM · GRU interview prep"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"app.open_{ident}", label) for ident, key, label, _ in MENU
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="home"):
            with Vertical(id="home-menu"):
                yield Static("What would you like to do?", classes="pane-title")
                yield OptionList(
                    *(Option(_menu_option(key, label, about), id=ident) for ident, key, label, about in MENU),
                    id="menu",
                )
            with VerticalScroll(id="home-bank"):
                yield Static("Question bank", classes="pane-title")
                yield BankSummary(id="bank-summary")
                yield BankErrors(id="bank-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "bank", self._bank_changed)
        self.watch(self.app, "bank_problem", self._problem_changed)
        self.watch(self.app, "due_by_topic", self._due_changed)

    def on_screen_resume(self) -> None:
        # Back from a quiz or a review: the cards due have changed.
        if self.app.bank is not None:
            self.app.count_due()

    def _bank_changed(self, bank: object) -> None:
        self.query_one(BankSummary).bank = bank
        self.query_one(BankErrors).errors = tuple(getattr(bank, "errors", ()) or ())

    def _problem_changed(self, problem: str) -> None:
        self.query_one(BankSummary).problem = problem

    def _due_changed(self, due: object) -> None:
        self.query_one(BankSummary).due = due

    @on(OptionList.OptionSelected, "#menu")
    async def _picked(self, event: OptionList.OptionSelected) -> None:
        await self.run_action(f"app.open_{event.option.id}")
