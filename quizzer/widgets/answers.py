"""One answer widget per question kind. Each announces the user's response with ``AnswerInput.Answered``.

The response has the type ``question_bank.check_answer`` takes: choice -> int, multi -> set[int],
truefalse -> bool, numeric -> float; recall -> bool (the user's own grade: True means "got it").
Question and choice text is shown literally: Rich/Textual markup in it is never interpreted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import var
from textual.validation import Number
from textual.widgets import Input, OptionList, Static

from quizzer.widgets.number_input import NumberInput

#: Keys that pick (or toggle) choice 1..6: digits and letters.
DIGITS = "123456"
LETTERS = "abcdef"


def choice_prompt(index: int, text: str, mark: Text | None = None) -> Table:
    """"1) text" as an option: the text wraps under itself (a hanging indent), never cut to "…". ``mark`` (a
    multi answer's box) goes before the key."""
    key = Text(f"{DIGITS[index]})" if index < len(DIGITS) else "  ")
    if mark is not None:
        key = Text.assemble(mark, " ", key)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")  # wraps at spaces; folds only a word longer than the whole line
    grid.add_row(key, Text(text))
    return grid


class AnswerInput(Vertical):
    """Base of the answer widgets: ``Answered`` carries the response; ``focus_input`` focuses the control."""

    can_focus = False

    class Answered(Message):
        def __init__(self, response: object) -> None:
            super().__init__()
            self.response = response

    def answer(self, response: object) -> None:
        self.post_message(self.Answered(response))

    def focus_input(self) -> None:
        """Give the keyboard to this widget's control."""


def _pick_bindings(action: str, description: str) -> list[Binding]:
    return [
        Binding(key, f"{action}({i})", description, show=False, key_display=f"{DIGITS[i]}/{LETTERS[i]}")
        for i in range(len(DIGITS))
        for key in (DIGITS[i], LETTERS[i])
    ]


class ChoiceAnswer(AnswerInput):
    """One right choice: 1-6 or a-f picks, or arrows and enter."""

    BINDINGS: ClassVar[list[BindingType]] = _pick_bindings("pick", "Pick a choice")

    def __init__(self, choices: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def compose(self) -> ComposeResult:
        last = min(len(self.choices), len(DIGITS)) - 1
        yield Static(f"Pick with 1-{DIGITS[last]} or a-{LETTERS[last]}, or arrows and enter.", classes="hint")
        yield OptionList(*(choice_prompt(i, c) for i, c in enumerate(self.choices)))

    def focus_input(self) -> None:
        self.query_one(OptionList).focus()

    def action_pick(self, index: int) -> None:
        if index < len(self.choices):
            self.query_one(OptionList).highlighted = index
            self.answer(index)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.answer(event.option_index)


class TrueFalseAnswer(AnswerInput):
    """t or f (or arrows and enter)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "pick(True)", "True", key_display="t"),
        Binding("f", "pick(False)", "False", key_display="f"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Press t or f (or arrows and enter).", classes="hint")
        yield OptionList(Text("t) True"), Text("f) False"))

    def focus_input(self) -> None:
        self.query_one(OptionList).focus()

    def action_pick(self, value: bool) -> None:
        self.answer(value)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.answer(event.option_index == 0)


class _Toggles(OptionList):
    """Choices with a box each: space (or a click) toggles the highlighted one, enter submits. An OptionList
    rather than Textual's SelectionList, which draws every option on one line and cuts long ones to "…"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Check answer"),
        Binding("space", "toggle_highlighted", "", show=False),  # the help lists it as one of OTHER_KEYS
    ]

    class Submit(Message):
        pass

    def __init__(self, choices: Sequence[str], **kwargs) -> None:
        self.choices = tuple(choices)
        #: Indices of the choices ticked so far.
        self.selected: set[int] = set()
        super().__init__(*(self._prompt(i) for i in range(len(self.choices))), **kwargs)

    def _prompt(self, index: int) -> Table:
        mark = Text("[x]", style="bold green") if index in self.selected else Text("[ ]", style="dim")
        return choice_prompt(index, self.choices[index], mark)

    def toggle(self, index: int) -> None:
        self.selected ^= {index}
        self.replace_option_prompt_at_index(index, self._prompt(index))

    def action_toggle_highlighted(self) -> None:
        if self.highlighted is not None:
            self.toggle(self.highlighted)

    def action_submit(self) -> None:
        self.post_message(self.Submit())


class MultiAnswer(AnswerInput):
    """Several right choices: toggle with 1-6, a-f or space, then enter."""

    BINDINGS: ClassVar[list[BindingType]] = _pick_bindings("toggle", "Toggle a choice")

    def __init__(self, choices: Sequence[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def compose(self) -> ComposeResult:
        yield Static("Toggle every right choice (space, 1-6 or a-f), then press enter.", classes="hint")
        yield _Toggles(self.choices)

    def focus_input(self) -> None:
        self.query_one(_Toggles).focus()

    def action_toggle(self, index: int) -> None:
        if index < len(self.choices):
            toggles = self.query_one(_Toggles)
            toggles.highlighted = index
            toggles.toggle(index)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one(_Toggles).toggle(event.option_index)

    @on(_Toggles.Submit)
    def _submit(self, event: _Toggles.Submit) -> None:
        event.stop()
        self.answer(set(self.query_one(_Toggles).selected))


class NumericAnswer(AnswerInput):
    """A number typed into an Input that refuses other characters; enter checks it."""

    error: var[str] = var("")

    def __init__(self, tolerance: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tolerance = tolerance

    def compose(self) -> ComposeResult:
        hint = "Type a number and press enter"
        if self.tolerance:
            hint += f" (within ±{self.tolerance:g} counts)"
        yield Static(hint + ".", classes="hint")
        yield NumberInput(placeholder="a number, e.g. 0.25 or 1e-3", validators=[Number()],
                          validate_on=["submitted"])
        yield Static("", id="numeric-error", classes="error", markup=False)

    def focus_input(self) -> None:
        self.query_one(Input).focus()

    def watch_error(self, error: str) -> None:
        self.query_one("#numeric-error", Static).update(error)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.validation_result is not None and not event.validation_result.is_valid:
            shown = event.value.strip() or "nothing"
            self.error = f"{shown!s} is not a number: type digits, a sign, a point or an exponent (1e-3)."
            return
        self.error = ""
        self.answer(float(event.value))


class RecallAnswer(AnswerInput):
    """Recall from memory: space reveals the model answer; then 1 (missed it) or 2 (got it)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "reveal", "Reveal answer"),
        Binding("1", "grade(False)", "Missed it"),
        Binding("2", "grade(True)", "Got it"),
    ]

    can_focus = True
    revealed: var[bool] = var(False)

    def __init__(self, model_answer: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model_answer = model_answer

    def compose(self) -> ComposeResult:
        yield Static("Answer in your head (or out loud), then press space to see the model answer.",
                     id="recall-prompt", classes="hint")
        yield Static(self.model_answer, id="model-answer", markup=False)
        yield Static("How did you do?  1 missed it   2 got it", id="recall-grade", classes="hint")

    def focus_input(self) -> None:
        self.focus()

    def watch_revealed(self, revealed: bool) -> None:
        self.set_class(revealed, "-revealed")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return not self.revealed
        if action == "grade":
            return self.revealed
        return True

    def action_reveal(self) -> None:
        self.revealed = True

    def action_grade(self, got_it: bool) -> None:
        self.answer(got_it)
