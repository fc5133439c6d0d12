"""vanishing-gradient view: ||dh_T/dh_t|| against t for the three models on one log-scale plot."""

from __future__ import annotations

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.vanishing_gradient import MODELS, VanishingGradientResult
from quizzer.plotting import line_plot

PLOT_HEIGHT = 16
#: Below this a gradient is as good as gone: float64 resolves about 1e-16 relative to an O(1) signal.
NEGLIGIBLE = 1e-8


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def render(result: VanishingGradientResult) -> RenderableType:
    title = (
        f"||dh_T/dh_t|| over t (T = {result.seq_len}, H = {result.hidden_size}, spectral radius "
        f"{_fmt(result.weight_scale)}, LSTM forget bias {_fmt(result.forget_bias)})"
    )
    plot = line_plot(
        {name: result.norms[name] for name in MODELS},
        x=np.arange(result.seq_len),
        title=title,
        xlabel="t (earlier steps on the left)",
        ylabel="norm",
        log_y=True,
        height=PLOT_HEIGHT,
    )
    table = Table(title_justify="left")
    table.add_column("model", style="bold")
    table.add_column("||dh_T/dh_0||", justify="right")
    table.add_column("factor per step", justify="right")
    table.add_column("steps until < 1e-8", justify="right")
    for name in MODELS:
        norms = result.norms[name]
        below = np.flatnonzero(norms[::-1] < NEGLIGIBLE)
        reach = str(int(below[0])) if below.size else f"> {result.seq_len - 1}"
        table.add_row(name, _fmt(result.first(name)), _fmt(result.rate(name)), reach)
    note = Text(style="dim")
    note.append(
        "From real BPTT: the sequence is replicated H times and each copy is seeded with one unit vector at "
        "step T. A factor per step below 1 shrinks the gradient geometrically (vanishing); above 1 it "
        "grows (exploding). The last point is sqrt(H), the norm of the identity."
    )
    return Group(plot, table, note)


def key_numbers(result: VanishingGradientResult) -> list[tuple[str, str]]:
    return [(f"{name} ||dh_T/dh_0||", _fmt(result.first(name))) for name in MODELS] + [
        ("spectral radius", _fmt(result.weight_scale))
    ]
