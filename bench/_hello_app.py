"""The bare Textual app that ``bench/app.py`` starts beside ``quizzer`` to compare the time to first frame.

    python bench/_hello_app.py          # shows one line of text until q or ctrl+c
"""

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

#: What ``bench/app.py`` waits for on the screen.
TEXT = "Hello from a bare Textual app"


class Hello(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit")]  # noqa: RUF012 - Textual's own idiom

    def compose(self) -> ComposeResult:
        yield Static(TEXT)


if __name__ == "__main__":
    Hello().run()
