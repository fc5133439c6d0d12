"""Statistics: reviews per day, due forecast, true retention, quiz accuracy and card counts (as ``quizzer stats``)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from quizzer.errors import UserError


class StatsScreen(Screen):
    """The same renderables as ``quizzer stats``, one per section, in a scrolling pane. ``r`` recomputes.
    ``store`` and ``bank`` default to the app's."""

    TITLE = "Stats"
    DEFAULT_CSS = """
    StatsScreen .stats-section {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_stats", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, *, store: Any = None, bank: Any = None) -> None:
        super().__init__()
        self._store = store
        self._bank = bank

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="stats")
        yield Footer()

    async def on_mount(self) -> None:
        await self.action_refresh_stats()

    async def action_refresh_stats(self) -> None:
        from quizzer.stats_view import PLOT_HEIGHT, sections

        pane = self.query_one("#stats", VerticalScroll)
        await pane.remove_children()
        store = self._store if self._store is not None else getattr(self.app, "store", None)
        bank = self._bank if self._bank is not None else getattr(self.app, "bank", None)
        if store is None:
            await pane.mount(Static("The progress database is not available.", classes="stats-section"))
            return
        ids = {q.id for q in bank.questions} if bank is not None else None
        try:
            stats = store.stats(question_ids=ids)
        except UserError as err:
            await pane.mount(Static(str(err), classes="stats-section", markup=False))
            return
        widgets = [Static(section, classes="stats-section") for section in sections(stats)]
        # A plot draws itself as tall as it is allowed: give it its full height, not what "auto" would offer.
        widgets[1].styles.height = PLOT_HEIGHT + 3
        await pane.mount_all(widgets)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
