"""``?``: the keys of the screen underneath, as a table over it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def _declared_by_quizzer(node: object) -> set[tuple[str, str]]:
    """(key, action) of the bindings that quizzer's own classes in ``node``'s MRO declare."""
    declared: set[tuple[str, str]] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("quizzer"):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    declared.update((key.strip(), binding.action) for key in binding.key.split(","))
                else:
                    declared.update((key.strip(), binding[1]) for key in binding[0].split(","))
    return declared


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for the bindings active on ``screen``: quizzer's own, and Textual's when the footer
    shows them. Bindings with one description share a row ("1 2 3 a b c")."""
    app = screen.app
    rows: dict[str, list[str]] = {}
    ours: dict[int, set[tuple[str, str]]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        declared = ours.setdefault(id(active.node), _declared_by_quizzer(active.node))
        if binding.action == "command_palette" or not binding.description or not active.enabled:
            continue
        if not binding.show and (key, binding.action) not in declared:
            continue
        shown = app.get_key_display(binding)
        keys = rows.setdefault(binding.description, [])
        if shown not in keys:
            keys.append(shown)
    pairs = [(_keys_text(keys), description) for description, keys in rows.items()]
    # Keys that widgets handle themselves (no binding to list), as the screen describes them.
    pairs += list(getattr(screen, "OTHER_KEYS", ()))
    pairs.append(("ctrl+p", "Command palette: every screen and demo"))
    return pairs


def _keys_text(keys: list[str]) -> str:
    """"1/a … 6/f" for a long run of keys that do one thing, "n enter" for a short one."""
    return " ".join(keys) if len(keys) <= 3 else f"{keys[0]} … {keys[-1]}"


class HelpScreen(ModalScreen[None]):
    """The keys that work on one screen. escape or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", key_display="?"),
    ]

    def __init__(self, title: str, keys: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.heading = title
        self.keys = list(keys)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for keys, description in self.keys:
            table.add_row(Text(keys), Text(description))
        with VerticalScroll(id="help"):
            yield Static(Text(f"Keys: {self.heading}", style="bold"), id="help-title")
            yield Static(table, id="help-keys")
            yield Static("escape or ? closes this", classes="hint")
