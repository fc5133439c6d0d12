"""Controls built from a demo's parameter specs (``lstm_engine.demos.params.Param``).

int/float -> a number Input where ``+``/``-`` step the value; choice -> Select; bool -> Switch; floats/ints -> a
comma-separated Input. Every control checks its value with ``Param.coerce`` (the same check the engine makes) and
announces a good value with ``ParamControl.Changed``; a bad one shows the reason under the control.
"""

from __future__ import annotations

import math
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import var
from textual.widgets import Input, Label, Select, Static, Switch

from quizzer.widgets.number_input import NumberInput

#: Ranges at least this many times wider than their lower bound step by doubling (learning rates, say).
LOG_STEP_RATIO = 1000.0
#: A float range is stepped in about this many steps ...
STEPS_PER_SPAN = 20.0
#: ... counting at most this much of it (x in [-1e6, 1e6] still steps by 1).
MAX_SPAN = 20.0
#: Narrowest value box: a seven-digit number and the cursor (lists of numbers scroll inside theirs).
VALUE_WIDTH = 9
#: A compact Select's columns besides its longest choice: padding, the gap and the arrow.
SELECT_CHROME = 4


def control_widths(params: Any) -> tuple[int, int]:
    """(name column, value column) widths that fit these parameters: the longest name and a space, and a value
    box that holds a number (or the longest choice of a choice list)."""
    name_width = max((len(p.name) for p in params), default=0) + 1
    value_width = max([VALUE_WIDTH] + [len(c) + SELECT_CHROME for p in params for c in p.choices])
    return name_width, value_width


def step_value(param: Any, current: float | None, direction: int) -> float | int:
    """``current`` moved one step up (+1) or down (-1), kept inside the parameter's range.

    ints step by 1; floats whose range spans three decades above zero (a learning rate) double or halve; other
    floats step by the power of ten nearest a twentieth of their range, capped at 1 (0.1 for [0, 0.9] and
    [0.1, 5], 1 for [-10, 10] and wider)."""
    low = param.low if param.low is not None else -math.inf
    high = param.high if param.high is not None else math.inf
    if current is None:
        current = param.default if isinstance(param.default, (int, float)) else max(low, min(high, 0))
    if param.kind == "int":
        value: float | int = int(current) + direction
    elif low > 0 and high / low >= LOG_STEP_RATIO:
        value = current * 2.0 if direction > 0 else current / 2.0
    else:
        span = min(high - low, MAX_SPAN) if math.isfinite(high - low) else MAX_SPAN
        step = 10.0 ** round(math.log10(span / STEPS_PER_SPAN))
        value = round(round(current / step) * step + direction * step, 10)
    return max(low, min(high, value))


def format_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class StepInput(NumberInput):
    """A number Input: ``+`` steps up and ``-`` steps down (``-`` still types a minus sign into an empty box or at
    its start, when the parameter allows negative numbers)."""

    def __init__(self, param: Any, **kwargs) -> None:
        super().__init__(type="integer" if param.kind == "int" else "number", **kwargs)
        self.param = param

    def _minus_types(self) -> bool:
        negative_ok = self.param.low is None or self.param.low < 0
        return negative_ok and (not self.value or self.cursor_position == 0)

    def _on_key(self, event: events.Key) -> None:
        # Runs before NumberInput's and Input's handlers (MRO order); preventing the default ends the chain.
        if event.character == "+" or (event.character == "-" and not self._minus_types()):
            event.stop()
            event.prevent_default()
            self.step(1 if event.character == "+" else -1)

    def step(self, direction: int) -> None:
        try:
            current = self.param.coerce(self.value) if self.value.strip() else None
        except ValueError:
            current = None
        self.value = format_value(step_value(self.param, current, direction))
        self.cursor_position = len(self.value)


class ParamControl(Vertical):
    """The label, control and error line of one parameter."""

    error: var[str] = var("")

    class Changed(Message):
        """A parameter now has a valid ``value`` (already coerced to its kind)."""

        def __init__(self, control: ParamControl, name: str, value: object) -> None:
            super().__init__()
            self._control = control
            self.name = name
            self.value = value

        @property
        def control(self) -> ParamControl:
            return self._control

    class Invalid(Message):
        """The text typed for a parameter is not valid; ``message`` says why."""

        def __init__(self, control: ParamControl, name: str, message: str) -> None:
            super().__init__()
            self._control = control
            self.name = name
            self.message = message

        @property
        def control(self) -> ParamControl:
            return self._control

    def __init__(self, param: Any, value: object = None, *, name_width: int | None = None, **kwargs) -> None:
        super().__init__(id=f"param-{param.name}", classes=f"param -{param.kind}", **kwargs)
        self.param = param
        self.value = param.default if value is None else value
        self.tooltip = param.help or None
        #: Columns for the name, so that the controls of one screen line up (None: the stylesheet's width).
        self.name_width = name_width

    def compose(self) -> ComposeResult:
        p = self.param
        with Horizontal(classes="param-row"):
            name = Label(p.name, classes="param-name", markup=False)
            if self.name_width is not None:
                name.styles.width = self.name_width
            yield name
            if p.kind == "choice":
                yield Select([(c, c) for c in p.choices], value=self.value, allow_blank=False, compact=True)
            elif p.kind == "bool":
                yield Switch(value=bool(self.value))
            elif p.kind in ("int", "float"):
                yield StepInput(p, value=format_value(self.value),
                                placeholder="preset" if p.default is None else "", compact=True)
            else:  # a list of numbers
                yield NumberInput(value=format_value(self.value), placeholder=p.range_text, compact=True,
                                  type="text", extra=", ")
        yield Static("", classes="param-error", markup=False)

    def focus_control(self) -> None:
        """Give the keyboard to this parameter's control."""
        self.query_one(".param-row").children[1].focus()

    def watch_error(self, error: str) -> None:
        self.set_class(bool(error), "-invalid")
        self.query_one(".param-error", Static).update(error)

    def _accept(self, raw: object) -> None:
        if raw == "" and self.param.default is None:
            value = None
        else:
            try:
                value = self.param.coerce(raw)
            except ValueError as err:
                self.error = str(err)
                self.post_message(self.Invalid(self, self.param.name, str(err)))
                return
        self.error = ""
        if value != self.value:
            self.value = value
            self.post_message(self.Changed(self, self.param.name, value))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._accept(event.value.strip())

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL:
            self._accept(event.value)

    @on(Switch.Changed)
    def _switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self._accept(event.value)
