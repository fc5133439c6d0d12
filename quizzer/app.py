"""The Textual app: screens, navigation, the command palette, and the bank and storage it shares with them.

The first frame needs only Textual: the bank (YAML) is loaded in a thread worker after it, and NumPy, the demo
engine and the storage are imported when a screen first needs them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.reactive import var
from textual.screen import Screen

from quizzer.errors import UserError
from quizzer.messages import BankFailed, BankLoaded, OpenDemo
from quizzer.screens.home import HomeScreen


class QuizzerCommands(Provider):
    """Every screen and every demo, for the command palette (ctrl+p)."""

    def _commands(self) -> list[tuple[str, str, Any]]:
        from quizzer.demos import registry

        app: QuizzerApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, str, Any]] = [
            ("Home", "the start screen", app.action_home),
            ("Quiz", "choose topics and start a quiz", app.action_open_quiz),
            ("Review", "spaced-repetition flashcards", app.action_open_review),
            ("Stats", "progress and retention", app.action_open_stats),
            ("Demos", "the list of live demos", app.action_open_demos),
            ("Keys", "the keys of this screen", app.action_help),
        ]
        if app.bank is not None:
            for topic in sorted({q.topic for q in app.bank.questions}):
                commands.append((f"Quiz: {topic}", f"a quiz on {topic}", partial(app.start_quiz, topics=(topic,))))
        for demo in registry.REGISTRY.values():
            commands.append((f"Demo: {demo.title}", demo.description, partial(app.open_demo, demo.name)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class QuizzerApp(App[object]):
    """quizzer's terminal UI. The CLI can start it elsewhere than the home screen: ``session`` pushes that quiz over
    the home screen (escape goes home); ``screen`` replaces the home screen as the first screen (escape on it
    leaves the app, as ``quizzer review`` does). ``bank`` and ``store`` hand over a bank and a progress database the
    caller has already opened (the caller closes that store)."""

    CSS_PATH = "quizzer.tcss"
    TITLE = "quizzer"
    COMMANDS = App.COMMANDS | {QuizzerCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys", key_display="?"),
        Binding("escape", "back", "Back", show=False),
    ]

    #: The loaded question bank (None until the worker has loaded it).
    bank: var[Any | None] = var(None)
    #: Why the bank could not be loaded at all (one line), or "".
    bank_problem: var[str] = var("")
    #: Cards due now per topic (None until counted).
    due_by_topic: var[Mapping[str, int] | None] = var(None)

    def __init__(
        self,
        *,
        bank_paths: Sequence[str | Path] = (),
        data_dir: str | Path | None = None,
        packaged: bool = True,
        bank: Any | None = None,
        session: Any | None = None,
        screen: Screen | None = None,
        store: Any | None = None,
    ) -> None:
        super().__init__()
        self.bank_paths = [str(p) for p in bank_paths]
        self.data_dir = data_dir
        self.packaged = packaged
        self._given_bank = bank
        self._session = session
        self._first_screen = screen
        self._store: Any | None = store
        #: The app opened its store itself (and so closes it); a store handed over is the caller's to close.
        self._owns_store = store is None
        self._store_problem = ""

    def get_default_screen(self) -> Screen:
        return self._first_screen if self._first_screen is not None else HomeScreen()

    def on_mount(self) -> None:
        if self._given_bank is not None:
            self.post_message(BankLoaded(self._given_bank))
        else:
            # After the first frame: YAML and the bank files are not needed to draw it.
            self.call_after_refresh(self.load_bank)
        if self._session is not None:
            from quizzer.screens.quiz import QuizScreen

            self.push_screen(QuizScreen(self._session))

    # ------------------------------------------------------------------ bank and storage

    @work(thread=True, exclusive=True, group="bank", exit_on_error=False)
    def load_bank(self) -> None:
        """Thread worker: load the packaged bank and the user's files; content errors stay in ``bank.errors``."""
        import question_bank
        from quizzer.demos import registry

        try:
            bank = question_bank.load(self.bank_paths, demos=registry.validators(), packaged=self.packaged)
        except UserError as err:
            self.post_message(BankFailed(str(err)))
            return
        self.post_message(BankLoaded(bank))

    @on(BankLoaded)
    def _bank_loaded(self, message: BankLoaded) -> None:
        self.bank = message.bank
        errors = getattr(message.bank, "errors", ())
        if errors:
            noun = "problem" if len(errors) == 1 else "problems"
            self.notify(f"{len(errors)} {noun} in your bank files: the home screen lists them.",
                        title="Question bank", severity="warning")
        self.call_after_refresh(self.count_due)

    @on(BankFailed)
    def _bank_failed(self, message: BankFailed) -> None:
        self.bank_problem = message.message
        self.notify(message.message, title="Question bank", severity="error")

    @property
    def store(self) -> Any | None:
        """The open progress database, or None (with a notice, once) if it cannot be used."""
        if self._store is None and not self._store_problem:
            from quizzer.storage import Store

            try:
                self._store = Store.open(self.data_dir)
            except UserError as err:
                self._store_problem = str(err)
                self.notify(self._store_problem, title="Progress is not being saved", severity="error")
        return self._store

    def count_due(self) -> None:
        """Cards due now, per topic, for the home screen."""
        store = self.store
        if store is None:
            return
        due: dict[str, int] = {}
        for card in store.due_cards():
            due[card.topic] = due.get(card.topic, 0) + 1
        self.due_by_topic = due

    def record_quiz_answer(self, question: Any, correct: bool) -> None:
        """Store one quiz answer (a missed question becomes due for review)."""
        store = self.store
        if store is not None:
            store.record_quiz_answer(question.id, question.topic, question.difficulty, question.kind, correct)

    def on_unmount(self) -> None:
        if self._store is not None and self._owns_store:
            self._store.close()

    # ------------------------------------------------------------------ navigation

    def _bank_or_notice(self) -> Any | None:
        if self.bank is None:
            self.notify(self.bank_problem or "The question bank is still loading: try again in a moment.",
                        severity="error" if self.bank_problem else "information")
        return self.bank

    def action_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_open_quiz(self) -> None:
        bank = self._bank_or_notice()
        if bank is not None:
            from quizzer.screens.quiz import QuizSetupScreen

            self.push_screen(QuizSetupScreen(bank))

    def start_quiz(self, **filters: Any) -> None:
        """Start a quiz straight away (the command palette's "Quiz: topic")."""
        bank = self._bank_or_notice()
        if bank is None:
            return
        from quizzer.screens.quiz import QuizScreen
        from quizzer.session import Filters, QuizSession

        try:
            session = QuizSession.select(bank, Filters(**filters))
        except UserError as err:
            self.notify(str(err), title="No quiz", severity="error")
            return
        self.push_screen(QuizScreen(session))

    def action_open_review(self) -> None:
        from quizzer.screens.review import ReviewScreen

        self.push_screen(ReviewScreen())

    def action_open_stats(self) -> None:
        from quizzer.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_open_demos(self) -> None:
        from quizzer.screens.demos import DemoListScreen

        self.push_screen(DemoListScreen())

    def open_demo(self, name: str, args: Mapping[str, object] | None = None) -> None:
        from quizzer.screens.demos import DemoScreen

        try:
            screen = DemoScreen(name, args)
        except (UserError, ValueError) as err:
            self.notify(str(err), title="Demo", severity="error")
            return
        self.push_screen(screen)

    @on(OpenDemo)
    def _open_demo(self, message: OpenDemo) -> None:
        self.open_demo(message.name, message.args)

    def action_help(self) -> None:
        from quizzer.screens.help import HelpScreen, screen_keys

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        title = self.screen.title or self.title
        self.push_screen(HelpScreen(title, screen_keys(self.screen)))
