"""gru-vs-lstm view: parameter counts two ways, time per step, and gradient flow side by side."""

from __future__ import annotations

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.gru_vs_lstm import REPEATS, TIMING_STEPS, GruVsLstmResult
from quizzer.plotting import bar_chart, line_plot

PLOT_HEIGHT = 13


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def render(result: GruVsLstmResult) -> RenderableType:
    x, h = result.input_size, result.hidden_size
    table = Table(title=f"LSTM vs GRU, X = {x}, H = {h}", title_justify="left")
    table.add_column("")
    table.add_column("LSTM", justify="right")
    table.add_column("GRU", justify="right")
    table.add_row("gate blocks", "4 (i f g o)", "3 (r z n)")
    table.add_row(
        "formula G·H(X+H) + 2·G·H",
        f"4·{h}·({x}+{h}) + 8·{h} = {result.lstm.formula_params:,}",
        f"3·{h}·({x}+{h}) + 6·{h} = {result.gru.formula_params:,}",
    )
    table.add_row(
        "counted in the engine's arrays", f"{result.lstm.counted_params:,}", f"{result.gru.counted_params:,}"
    )
    table.add_row("state carried", "h and c", "h only")
    table.add_row(
        "forward, ms per step", _fmt(result.lstm.forward_ms_per_step), _fmt(result.gru.forward_ms_per_step)
    )
    table.add_row(
        "forward+backward, ms per step",
        _fmt(result.lstm.train_ms_per_step),
        _fmt(result.gru.train_ms_per_step),
    )
    table.add_row("||dh_T/dh_0||", _fmt(float(result.lstm.norms[0])), _fmt(float(result.gru.norms[0])))
    times = bar_chart(
        [
            ("LSTM fwd", result.lstm.forward_ms_per_step),
            ("GRU fwd", result.gru.forward_ms_per_step),
            ("LSTM fwd+bwd", result.lstm.train_ms_per_step),
            ("GRU fwd+bwd", result.gru.train_ms_per_step),
        ],
        title=f"Time per step (batch {result.batch_size}; median of {REPEATS} runs of "
        f"{min(TIMING_STEPS, result.seq_len)} steps; varies by machine)",
        unit="ms",
    )
    flow = line_plot(
        {"LSTM": result.lstm.norms, "GRU": result.gru.norms},
        x=np.arange(result.seq_len),
        title="||dh_T/dh_t|| from BPTT, same input",
        xlabel="t",
        ylabel="norm",
        log_y=True,
        height=PLOT_HEIGHT,
    )
    note = Text(style="dim")
    note.append(
        f"The GRU has 3/4 of the LSTM's weights (ratio {_fmt(result.param_ratio)}); its update gate z "
        "couples forgetting and writing (h_t = (1-z)·n + z·h_(t-1)) where the LSTM has separate f and i "
        "and a separate cell."
    )
    return Group(table, times, flow, note)


def key_numbers(result: GruVsLstmResult) -> list[tuple[str, str]]:
    return [
        ("LSTM params", f"{result.lstm.counted_params:,}"),
        ("GRU params", f"{result.gru.counted_params:,}"),
        ("LSTM/GRU", _fmt(result.param_ratio)),
        (
            "ms/step fwd+bwd LSTM, GRU",
            f"{_fmt(result.lstm.train_ms_per_step)}, {_fmt(result.gru.train_ms_per_step)}",
        ),
    ]
