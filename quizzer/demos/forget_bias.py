"""forget-bias view: memory retention and gradient flow for each forget-gate bias."""

from __future__ import annotations

import math

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.forget_bias import ForgetBiasResult
from quizzer.plotting import line_plot

PLOT_HEIGHT = 13


def _fmt(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.3g}"


def _label(bias: float) -> str:
    return f"b_f = {_fmt(bias)}"


def render(result: ForgetBiasResult) -> RenderableType:
    steps = np.arange(result.seq_len)
    retention = line_plot(
        {_label(t.bias): t.retention for t in result.traces},
        x=steps,
        title="Share of a stored value still in the cell after k steps (mean prod f)",
        xlabel="k steps",
        height=PLOT_HEIGHT,
    )
    cell = line_plot(
        {_label(t.bias): t.cell_norms for t in result.traces},
        x=steps,
        title="||dc_T/dc_t|| from BPTT",
        xlabel="t",
        ylabel="norm",
        log_y=True,
        height=PLOT_HEIGHT,
    )
    hidden = line_plot(
        {_label(t.bias): t.hidden_norms for t in result.traces},
        x=steps,
        title="||dh_T/dh_t|| from BPTT",
        xlabel="t",
        ylabel="norm",
        log_y=True,
        height=PLOT_HEIGHT,
    )
    table = Table(
        title=f"LSTM, {result.hidden_size} units, {result.seq_len} steps of small noise", title_justify="left"
    )
    table.add_column("bias", justify="right", style="bold")
    table.add_column("σ(b)", justify="right")
    table.add_column("mean f", justify="right")
    table.add_column("half-life", justify="right")
    table.add_column("σ(b) only", justify="right")
    table.add_column("‖dc_T/dc_0‖", justify="right")
    table.add_column("‖dh_T/dh_0‖", justify="right")
    for t in result.traces:
        half = str(t.half_life) if t.half_life is not None else f"> {result.seq_len - 1}"
        table.add_row(
            _fmt(t.bias),
            _fmt(t.sigmoid_bias),
            _fmt(t.mean_f),
            half,
            _fmt(t.half_life_weightless),
            _fmt(float(t.cell_norms[0])),
            _fmt(float(t.hidden_norms[0])),
        )
    note = Text(style="dim")
    note.append(
        "A bias of 1 or 2 (Gers et al. 2000; Jozefowicz et al. 2015) starts f near 0.73 or 0.88 instead of "
        "0.5, so the cell keeps information, and the gradient along it, for several times more steps. "
        "Half-life: first k (steps) where mean prod f <= 1/2; σ(b) only: ln(1/2)/ln σ(b), the half-life if the "
        "weights added nothing to f."
    )
    return Group(table, retention, cell, hidden, note)


def key_numbers(result: ForgetBiasResult) -> list[tuple[str, str]]:
    pairs = []
    for t in result.traces[:3]:
        half = str(t.half_life) if t.half_life is not None else f"> {result.seq_len - 1}"
        pairs.append((f"b_f={_fmt(t.bias)}: mean f, half-life", f"{_fmt(t.mean_f)}, {half} steps"))
    last = result.traces[-1]
    pairs.append((f"b_f={_fmt(last.bias)}: ||dc_T/dc_0||", _fmt(float(last.cell_norms[0]))))
    return pairs
