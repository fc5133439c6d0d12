"""gate-stepper view: each gate's equation in colah's and Andrew Ng's notation beside its numbers."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.gate_stepper import GateStepperResult

#: A slope below this means the gate is saturated: almost no gradient passes through it.
SATURATED_SLOPE = 0.01
#: Significant digits shown for every number.
DIGITS = 4

#: gate -> (colah's name, colah's equation, Ng's name, Ng's equation)
NOTATION = {
    "i": ("i_t", "i_t = σ(W_i·[h_{t-1}, x_t] + b_i)", "Γu", "Γu = σ(W_u[a⟨t-1⟩, x⟨t⟩] + b_u)"),
    "f": ("f_t", "f_t = σ(W_f·[h_{t-1}, x_t] + b_f)", "Γf", "Γf = σ(W_f[a⟨t-1⟩, x⟨t⟩] + b_f)"),
    "g": ("C̃_t", "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)", "c̃⟨t⟩", "c̃⟨t⟩ = tanh(W_c[a⟨t-1⟩, x⟨t⟩] + b_c)"),
    "o": ("o_t", "o_t = σ(W_o·[h_{t-1}, x_t] + b_o)", "Γo", "Γo = σ(W_o[a⟨t-1⟩, x⟨t⟩] + b_o)"),
    "c": ("C_t", "C_t = f_t*C_{t-1} + i_t*C̃_t", "c⟨t⟩", "c⟨t⟩ = Γu*c̃⟨t⟩ + Γf*c⟨t-1⟩"),
    "h": ("h_t", "h_t = o_t*tanh(C_t)", "a⟨t⟩", "a⟨t⟩ = Γo*tanh(c⟨t⟩)"),
}
ROLE = {"i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate"}


def _n(value: float) -> str:
    return f"{value:.{DIGITS}g}"


def _v(value: float) -> str:
    """An activation: fixed decimals inside [-1, 1], so 0.99995 shows as 1.0000 rather than a bare 1."""
    return f"{value:.{DIGITS}f}" if abs(value) <= 1 else _n(value)


def _term(value: float, overridden: bool = False) -> str:
    """A number inside a sum: negatives in parentheses, ``*`` after a user override."""
    text = _n(value)
    text = f"({text})" if value < 0 else text
    return text + ("*" if overridden else "")


def _equations(name: str) -> Text:
    _, colah, _, ng = NOTATION[name]
    text = Text(overflow="fold")
    text.append(colah)
    text.append("\n" + ng, style="dim")
    return text


def render(result: GateStepperResult) -> RenderableType:
    head = Text()
    head.append(f"One LSTM step (1 unit), preset '{result.preset}': ", style="bold")
    head.append(f"x_t = {_n(result.x)}, h_(t-1) = {_n(result.h_prev)}, c_(t-1) = {_n(result.c_prev)}")

    table = Table(title_justify="left", show_lines=True)
    table.add_column("gate")
    table.add_column("colah / Ng (deeplearning.ai)", overflow="fold")
    table.add_column("z = w·x + u·h + b", overflow="fold")
    table.add_column("value", justify="right", style="bold")
    for name, gate in result.gates.items():
        w, u, b = (_term(v, flag) for v, flag in zip((gate.w, gate.u, gate.b), gate.overridden))
        numbers = Text(f"{w}·{_term(result.x)} + {u}·{_term(result.h_prev)} + {b}\n= {_n(gate.pre)}")
        numbers.append(f"  slope {_n(gate.slope)}", style="red" if gate.slope < SATURATED_SLOPE else "dim")
        table.add_row(Text(f"{name}\n{ROLE[name]}"), _equations(name), numbers, _v(gate.value))
    i, f, g, o = (result.gates[k].value for k in "ifgo")
    cell = Text(
        f"{_term(f)}·{_term(result.c_prev)} + {_term(i)}·{_term(g)}\n= {_n(result.kept)} + "
        f"{_n(result.written)}"
    )
    table.add_row(Text("c\ncell"), _equations("c"), cell, _v(result.c))
    table.add_row(
        Text("h\nhidden"),
        _equations("h"),
        Text(f"{_term(o)}·tanh({_n(result.c)})\n= {_term(o)}·{_term(result.tanh_c)}"),
        _v(result.h),
    )

    notes = Text(style="dim")
    notes.append(
        "slope: σ'(z) = s(1-s) for i, f, o and tanh'(z) = 1-g² for g. PyTorch's g is colah's C̃ and "
        "Ng's c̃; Ng's a⟨t⟩ is h_t. "
    )
    if any(flag for gate in result.gates.values() for flag in gate.overridden):
        notes.append("* = your override of the preset. ")
    saturated = [name for name, gate in result.gates.items() if gate.slope < SATURATED_SLOPE]
    if saturated:
        notes.append(
            f"Saturated ({', '.join(saturated)}): slope < {SATURATED_SLOPE}, so almost no gradient "
            "flows back through these gates.",
            style="red",
        )
    return Group(head, table, notes)


def key_numbers(result: GateStepperResult) -> list[tuple[str, str]]:
    return [
        ("f_t (forget)", _v(result.gates["f"].value)),
        ("i_t (input)", _v(result.gates["i"].value)),
        ("c_t", _v(result.c)),
        ("h_t", _v(result.h)),
    ]
