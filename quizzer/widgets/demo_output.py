"""A demo's output (the Rich renderable ``Demo.render`` returns), laid out for the pane's visible width."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

#: Said above an output that needs more columns than it has (a table's words and numbers folded to fit).
SQUEEZED_HINT = "Squeezed to fit: w (wide output) or a wider terminal shows the tables whole."
#: Wide enough to measure any renderable's natural minimum width.
_UNBOUNDED = 10_000


def fold_tables(renderable: Any) -> Any:
    """``renderable`` with every Rich table in it (inside groups and cells too) folding cell text that does not fit
    its column onto the next line, where Rich would cut it to "…". Returns the same object, changed in place."""
    if isinstance(renderable, Group):
        for child in renderable.renderables:
            fold_tables(child)
    elif isinstance(renderable, Table):
        for column in renderable.columns:
            if column.overflow == "ellipsis":
                column.overflow = "fold"
            for cell in column.cells:
                fold_tables(cell)
    return renderable


class Fitted:
    """``renderable`` at the width Rich offers, with :data:`SQUEEZED_HINT` above it when that is less than its
    minimum (its longest words and table columns side by side)."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = fold_tables(renderable)
        self._minimum: int | None = None

    def minimum(self, console: Console, options: ConsoleOptions) -> int:
        if self._minimum is None:
            self._minimum = Measurement.get(console, options.update_width(_UNBOUNDED), self.renderable).minimum
        return self._minimum

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.minimum(console, options) > options.max_width:
            yield Text(SQUEEZED_HINT, style="dim italic")
        yield self.renderable

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)


class DemoOutput(Static):
    """Shows one demo result at this widget's width: plots size themselves to it, and tables shrink and wrap to
    it without losing a digit (a number may fold over two lines; a hint then says how to see it whole)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)

    def show(self, renderable: Any) -> None:
        self.update(Fitted(renderable))
