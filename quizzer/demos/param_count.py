"""param-count view: per-layer parameter table, PyTorch (two biases) beside Keras (one bias)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.param_count import ParamCountResult

CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN (tanh)"}


def _n(value: int | None) -> str:
    return "n/a" if value is None else f"{value:,}"


def _config(result: ParamCountResult) -> str:
    parts = [
        f"{CELL_NAMES[result.cell]}",
        f"X={result.input_size}",
        f"H={result.hidden_size}",
        f"layers={result.num_layers}",
    ]
    if result.bidirectional:
        parts.append("bidirectional")
    if result.proj_size:
        parts.append(f"proj_size={result.proj_size}")
    return ", ".join(parts)


def render(result: ParamCountResult) -> RenderableType:
    table = Table(title=f"Parameters: {_config(result)}", title_justify="left", expand=False)
    table.add_column("layer")
    table.add_column("in", justify="right")
    table.add_column("weight_ih", justify="right")
    table.add_column("weight_hh", justify="right")
    if result.proj_size:
        table.add_column("weight_hr", justify="right")
    table.add_column("biases (PyTorch)", justify="right")
    table.add_column("bias (Keras)", justify="right")
    table.add_column("PyTorch", justify="right", style="bold")
    table.add_column("Keras", justify="right")
    for item in result.layers:
        row = [
            f"{item.layer}{' reverse' if item.reverse else ''}",
            str(item.input_size),
            _n(item.weight_ih),
            _n(item.weight_hh),
        ]
        if result.proj_size:
            row.append(_n(item.weight_hr))
        keras = None if result.proj_size else item.keras
        row += [
            _n(item.bias_pytorch),
            _n(None if result.proj_size else item.bias_keras),
            _n(item.pytorch),
            _n(keras),
        ]
        table.add_row(*row)
    table.add_section()
    total = (
        ["total", "", "", ""]
        + ([""] if result.proj_size else [])
        + ["", "", _n(result.pytorch_total), _n(result.keras_total)]
    )
    table.add_row(*total, style="bold")

    notes = Text()
    notes.append("Textbook formula (one layer, one direction, no projection): ", style="bold")
    notes.append(result.formula + f" = {result.formula_value:,}\n")
    notes.append("PyTorch keeps two bias vectors per gate block (bias_ih and bias_hh); Keras keeps one")
    if result.cell == "gru":
        notes.append(
            ", except its GRU with reset_after=True (the default), which keeps two as PyTorch does. "
            f"With reset_after=False: {_n(result.keras_gru_one_bias_total)}"
        )
    notes.append(".\n")
    if result.num_layers > 1:
        directions = 2 if result.bidirectional else 1
        fed = result.proj_size or result.hidden_size
        notes.append(
            f"Layers above the first read {fed} x {directions} = {fed * directions} inputs"
            f" ({'proj_size' if result.proj_size else 'H'} x directions).\n"
        )
    if result.proj_size:
        notes.append(
            "proj_size: h is projected to P by weight_hr, so weight_hh has P columns; Keras has no "
            "projection.\n"
        )
    return Group(table, notes)


def key_numbers(result: ParamCountResult) -> list[tuple[str, str]]:
    pairs = [
        ("config", _config(result)),
        ("PyTorch", _n(result.pytorch_total)),
        ("Keras", _n(result.keras_total)),
    ]
    if result.num_layers == 1 and not result.bidirectional and not result.proj_size:
        pairs.append(("formula", result.formula.split(" = ")[0]))
    return pairs
