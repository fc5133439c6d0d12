"""An Input for numbers that leaves every other key to the screen.

Textual's Input takes every printable key, so with a number box focused ``q``, ``r`` or ``d`` would be swallowed
(and rejected by ``type="number"``). This one takes only the characters a number can contain, so letters reach
the screen's and the app's bindings and show in the footer.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

#: Characters of an int or float as Python writes them (sign, point, exponent, digit separator).
NUMBER_CHARACTERS = frozenset("0123456789+-.eE_")


class NumberInput(Input):
    """``Input(type="number")`` (or "integer") that consumes only number characters plus ``extra``."""

    def __init__(self, *args, extra: str = "", **kwargs) -> None:
        kwargs.setdefault("type", "number")
        super().__init__(*args, **kwargs)
        self.accepted = NUMBER_CHARACTERS | frozenset(extra)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character in self.accepted

    def _on_key(self, event: events.Key) -> None:
        # Textual calls each class's _on_key in MRO order until one prevents the default: preventing it here
        # keeps Input from taking a letter, and not stopping it lets the letter bubble up to the bindings.
        if event.is_printable and event.character not in self.accepted:
            event.prevent_default()
