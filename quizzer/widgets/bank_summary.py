"""The home screen's view of the bank: questions per topic, cards due, and any problems in the bank files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

#: Bank problems listed one per line before "... and N more".
MAX_ERRORS_SHOWN = 8


class BankSummary(Static):
    """Questions per topic (and cards due, once storage has counted them). ``problem`` replaces the table when the
    bank could not be loaded at all."""

    bank: reactive[Any | None] = reactive(None, layout=True)
    due: reactive[Mapping[str, int] | None] = reactive(None, layout=True)
    problem: reactive[str] = reactive("", layout=True)

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def watch_bank(self) -> None:
        self._refresh()

    def watch_due(self) -> None:
        self._refresh()

    def watch_problem(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if self.problem:
            self.update(Text(self.problem, style="bold red"))
            return
        if self.bank is None:
            self.update(Text("Loading the question bank…", style="italic"))
            return
        self.update(self._table(self.bank))

    def _table(self, bank: Any) -> Table:
        counts: dict[str, int] = {}
        for q in bank.questions:
            counts[q.topic] = counts.get(q.topic, 0) + 1
        table = Table(box=None, pad_edge=False, expand=True, show_footer=True, header_style="bold")
        table.add_column("Topic", footer="All topics", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("Questions", justify="right", footer=str(len(bank.questions)))
        due_total = "…" if self.due is None else str(sum(self.due.values()))
        table.add_column("Due", justify="right", footer=due_total)
        for topic in sorted(counts):
            title = _topic_title(bank, topic)
            due = "…" if self.due is None else str(self.due.get(topic, 0))
            table.add_row(Text(title), str(counts[topic]), due)
        if not counts:
            table.add_row(Text("(no questions)", style="dim"), "0", "0")
        return table


def _topic_title(bank: Any, topic: str) -> str:
    info = getattr(bank, "topics", {}).get(topic)
    title = getattr(info, "title", None)
    return str(title) if title else topic


class BankErrors(Static):
    """One line per problem in the bank files (``path:line: qid: message``); hidden when there are none."""

    errors: reactive[tuple[Any, ...]] = reactive((), layout=True)

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def watch_errors(self, errors: tuple[Any, ...]) -> None:
        self.display = bool(errors)
        if not errors:
            return
        noun = "problem" if len(errors) == 1 else "problems"
        lines = [Text(f"{len(errors)} {noun} in the bank files (the valid questions are loaded):", style="bold")]
        lines += [Text(str(e), style="red", overflow="fold") for e in errors[:MAX_ERRORS_SHOWN]]
        if len(errors) > MAX_ERRORS_SHOWN:
            lines.append(Text(f"… and {len(errors) - MAX_ERRORS_SHOWN} more: run 'quizzer bank validate'",
                              style="dim"))
        self.update(Group(*lines))
