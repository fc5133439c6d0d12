"""A demo's key numbers (2-6 label/value pairs) as a compact grid, with a status while they are computed."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class KeyNumbers(Static):
    """Shows ``pairs`` once set; ``status`` ("computing…", an error) until then."""

    pairs: reactive[tuple[tuple[str, str], ...] | None] = reactive(None, layout=True)
    status: reactive[str] = reactive("computing…", layout=True)

    def __init__(self, title: str = "", **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.title = title

    def show(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = tuple((str(k), str(v)) for k, v in pairs)

    def fail(self, message: str) -> None:
        self.pairs = None
        self.status = message

    def _refresh(self) -> None:
        heading = Text(self.title, style="bold") if self.title else None
        if self.pairs is None:
            body = Text(self.status, style="italic")
        else:
            body = Table.grid(padding=(0, 2))
            body.add_column(style="dim")
            body.add_column(style="bold")
            for label, value in self.pairs:
                body.add_row(Text(label), Text(value))
        if heading is None:
            self.update(body)
        else:
            grid = Table.grid()
            grid.add_row(heading)
            grid.add_row(body)
            self.update(grid)

    def watch_pairs(self) -> None:
        self._refresh()

    def watch_status(self) -> None:
        self._refresh()
