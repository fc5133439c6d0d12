"""sequence-trace view: the input as a line plot, then one heatmap per gate and state (units x time)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from lstm_engine.demos.sequence_trace import SequenceTraceResult
from quizzer.plotting import heatmap, line_plot

#: Rows of the input plot.
INPUT_PLOT_HEIGHT = 9
#: name -> (title, bounded to [0, 1]?) ; unbounded or signed traces use a diverging scale centred on 0.
TITLES = {
    "i": ("i: input gate (how much of g is written)", True),
    "f": ("f: forget gate (how much of c_{t-1} is kept)", True),
    "g": ("g: candidate C̃ (what would be written)", False),
    "o": ("o: output gate (how much of tanh(c) is shown)", True),
    "c": ("c: cell state", False),
    "h": ("h: hidden state (the output)", False),
}


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def render(result: SequenceTraceResult) -> RenderableType:
    steps = result.steps
    head = Text()
    head.append(
        f"LSTM, {result.hidden_size} units, forget bias {_fmt(result.forget_bias)}, reading '{result.pattern}'"
        f" ({steps} steps)",
        style="bold",
    )
    if result.onset is not None:
        head.append(f"; the input changes at t = {result.onset}")
    parts: list[RenderableType] = [
        head,
        line_plot({"x_t": result.x}, title="input x_t", xlabel="t", height=INPUT_PLOT_HEIGHT),
    ]
    units = [f"u{k}" for k in range(result.hidden_size)]
    times = [str(t) for t in range(steps)]
    for name, (title, unit_interval) in TITLES.items():
        values = result.traces[name]
        if unit_interval:
            parts.append(heatmap(values, row_labels=units, col_labels=times, title=title, vmin=0.0, vmax=1.0))
        else:
            parts.append(heatmap(values, row_labels=units, col_labels=times, title=title, diverging=True))
    summary = Text("  ".join(f"{label} {value}" for label, value in key_numbers(result)))
    parts.append(summary)
    parts.append(
        Text(
            "Rows are units (two per line: upper/lower half of each cell), columns are time steps.",
            style="dim",
        )
    )
    return Group(*parts)


def key_numbers(result: SequenceTraceResult) -> list[tuple[str, str]]:
    traces = result.traces
    return [
        ("mean f", _fmt(float(traces["f"].mean()))),
        ("mean i", _fmt(float(traces["i"].mean()))),
        ("max |c_t|", _fmt(float(abs(traces["c"]).max()))),
        ("final |h_T|", _fmt(float(abs(traces["h"][:, -1]).max()))),
    ]
