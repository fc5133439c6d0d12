"""quizzer.plotting: charts lay themselves out for the width Rich offers and survive NaN, inf and empty input."""

from __future__ import annotations

import itertools
import math
import re
from io import StringIO

import pytest
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from quizzer import plotting
from quizzer.plotting import bar_chart, heatmap, line_plot

WIDTHS = (40, 80, 120)


def render(renderable: object, width: int, color: bool = False) -> str:
    console = Console(
        file=StringIO(),
        width=width,
        force_terminal=color,
        color_system="truecolor" if color else None,
        legacy_windows=False,
    )
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def lines_of(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


# --------------------------------------------------------------------------------------------------------------
# line_plot


@pytest.mark.parametrize("width", WIDTHS)
def test_line_plot_fills_the_width_it_is_given(width: int) -> None:
    plot = line_plot({"a": [1, 4, 9, 16]}, title="squares", xlabel="n", ylabel="n^2", height=12)
    lines = lines_of(render(plot, width))
    assert lines[0] == "squares"
    frame = [line for line in lines if "┌" in line or "└" in line]
    assert len(frame) == 2
    for line in frame:
        assert (
            len(line.rstrip()) == width
        )  # the box spans the whole width: plotext drew at the console's width
    assert all(len(line) <= width for line in lines)
    # the plot area is exactly `height` rows: from the first plotext line to the x-axis labels row
    assert sum(1 for line in lines if "│" in line or "┤" in line or "┌" in line or "└" in line) == 12 - 2


def test_line_plot_has_a_legend_naming_every_series() -> None:
    text = render(line_plot({"rnn": [3, 2, 1], "lstm": [1, 1, 1], "gru": [1, 2, 3]}, title="t"), 80)
    legend = lines_of(text)[-1]
    assert re.search(r"rnn\s+━━ lstm\s+━━ gru", legend), legend


def test_legend_colours_match_the_series_colours() -> None:
    text = render(line_plot({"first": [1, 2], "second": [2, 1]}), 60, color=True)
    legend = lines_of(text)[-1]
    for index in range(2):
        code = f"38;5;{plotting.SERIES_COLORS[index]}m"
        assert code in legend  # the legend marker
        assert any(code in line for line in lines_of(text)[:-1])  # the same colour is drawn in the plot


def test_linear_axis_ticks_cover_the_data_with_round_numbers() -> None:
    text = render(line_plot({"y": [0.0, 10.0, 20.0, 30.0]}, height=14), 80)
    labels = [float(m) for m in re.findall(r"^\s*(-?[\d.]+)┤", text, flags=re.MULTILINE)]
    assert min(labels) <= 0 and max(labels) >= 30
    steps = {round(b - a, 9) for a, b in zip(sorted(labels), sorted(labels)[1:])}
    assert len(steps) == 1 and steps.pop() in {5.0, 10.0}


@pytest.mark.parametrize("width", WIDTHS)
def test_log_axis_spans_forty_decades_with_power_of_ten_ticks(width: int) -> None:
    norms = [10.0 ** (10 - k) for k in range(41)]  # 1e10 down to 1e-30
    text = render(line_plot({"rnn": norms}, log_y=True, title="norms", height=15), width)
    decades = [int(m) for m in re.findall(r"1e(-?\d+)┤", text)]
    assert decades, text
    assert min(decades) <= -30 and max(decades) >= 10
    assert len({b - a for a, b in zip(decades[::-1], decades[::-1][1:])}) == 1  # evenly spaced decades
    assert "left out" not in text


def test_log_axis_leaves_out_zeros_and_inf_and_says_how_many() -> None:
    text = render(line_plot({"g": [1.0, 0.0, 1e-3, math.inf, -2.0, math.nan, 1e-6]}, log_y=True), 80)
    assert "(4 points not finite or <= 0 left out)" in text
    decades = [int(m) for m in re.findall(r"1e(-?\d+)┤", text)]
    assert min(decades) <= -6 and max(decades) >= 0


def test_log_data_within_one_decade_still_gets_two_ticks() -> None:
    text = render(line_plot({"a": [2e-5, 3e-5]}, log_y=True), 60)
    assert set(re.findall(r"(1e-?\d+)┤", text)) == {"1e-5", "1e-4"}


@pytest.mark.parametrize(
    "series",
    [{}, {"a": []}, {"a": [math.nan, math.inf]}, {"a": [0.0, 0.0]}, {"a": [5.0]}, {"a": [2.0, 2.0, 2.0]}],
    ids=["no-series", "empty", "all-nonfinite", "zeros-log", "one-point", "constant"],
)
@pytest.mark.parametrize("log_y", [False, True])
def test_degenerate_line_data_renders_without_crashing(series: dict, log_y: bool) -> None:
    for width in WIDTHS:
        text = render(line_plot(series, title="deg", log_y=log_y), width)
        assert text.startswith("deg")
        assert all(len(line) <= width for line in lines_of(text))


def test_nothing_to_plot_says_so() -> None:
    assert "(no finite values to plot)" in render(line_plot({"a": [math.nan]}), 60)
    assert "(no positive finite values to plot on a log axis)" in render(
        line_plot({"a": [0.0]}, log_y=True), 60
    )


def test_shared_x_is_used_for_tick_labels() -> None:
    text = render(line_plot({"a": [1, 2, 3]}, x=[100, 150, 200], xlabel="step"), 80)
    axis = next(line for line in lines_of(text) if "100" in line and "200" in line)
    ticks = [float(token) for token in axis.split()]
    assert ticks[0] == 100 and ticks[-1] == 200 and len(ticks) >= 3  # the x values, not the indices 0..2
    with pytest.raises(ValueError, match="x has only 2"):
        line_plot({"a": [1, 2, 3]}, x=[0, 1])


def test_width_argument_caps_the_plot() -> None:
    text = render(line_plot({"a": [1, 2]}, width=50), 120)
    assert max(len(line.rstrip()) for line in lines_of(text)) == 50


def test_one_plot_object_serves_two_widths() -> None:
    plot = line_plot({"a": [1, 2, 3]})
    narrow = max(len(line) for line in lines_of(render(plot, 40)))
    wide = max(len(line) for line in lines_of(render(plot, 120)))
    assert (narrow, wide) == (40, 120)


def test_measure_reports_a_minimum_and_the_offered_width() -> None:
    console = Console(file=StringIO(), width=100)
    measurement = Measurement.get(console, console.options, line_plot({"a": [1, 2]}))
    assert measurement == Measurement(plotting.MIN_PLOT_WIDTH, 100)
    capped = Measurement.get(console, console.options, line_plot({"a": [1, 2]}, width=60))
    assert capped.maximum == 60


def test_plots_fit_a_table_cell() -> None:
    table = Table.grid()
    table.add_row(line_plot({"a": [1, 2, 3]}, title="left"), line_plot({"b": [3, 2, 1]}, title="right"))
    lines = lines_of(render(table, 100))
    assert all(len(line) <= 100 for line in lines)
    assert "left" in lines[0] and "right" in lines[0]


# --------------------------------------------------------------------------------------------------------------
# heatmap


def _cells(text: str) -> list[str]:
    return [line for line in lines_of(text) if "▀" in line]


@pytest.mark.parametrize("width", WIDTHS)
def test_heatmap_draws_two_rows_per_line_and_labels_them(width: int) -> None:
    matrix = [[r * 10 + c for c in range(12)] for r in range(5)]
    text = render(heatmap(matrix, row_labels=["a", "b", "c", "d", "e"], title="gates"), width)
    lines = lines_of(text)
    assert lines[0] == "gates"
    cells = _cells(text)
    assert len(cells) == 3  # ceil(5 / 2)
    assert [line.split()[0] for line in cells] == ["a/b", "c/d", "e"]
    assert all(len(line) <= width for line in lines)
    # 12 columns fit: each drawn MAX_CELL_WIDTH wide when room allows, at least 1
    assert cells[0].count("▀") == 12 * min(plotting.MAX_CELL_WIDTH, (width - 4) // 12)


def test_heatmap_colours_follow_the_values() -> None:
    h = heatmap([[0.0, 1.0], [1.0, 0.0]], row_labels=["top", "bottom"], vmin=0, vmax=1)
    low, high = plotting.SEQUENTIAL_RGB[0], plotting.SEQUENTIAL_RGB[-1]
    text = render(h, 20, color=True)
    # first cell: top row 0 -> low colour in the foreground, bottom row 1 -> high colour in the background
    fg_bg = re.findall(r"\x1b\[38;2;(\d+);(\d+);(\d+);48;2;(\d+);(\d+);(\d+)m▀", text)
    assert fg_bg[0] == tuple(str(v) for v in (*low, *high))
    assert fg_bg[-1] == tuple(str(v) for v in (*high, *low))


def test_heatmap_clips_to_vmin_vmax_and_paints_nan_grey() -> None:
    h = heatmap([[-5.0, 5.0, math.nan]], row_labels=["r"], vmin=0, vmax=1)
    assert h.color(-5.0) == h.color(0.0)
    assert h.color(5.0) == h.color(1.0)
    assert h.color(math.nan).triplet == plotting.NAN_RGB


def test_diverging_scale_is_symmetric_and_shows_its_numbers() -> None:
    text = render(heatmap([[-0.5, 2.0]], row_labels=["g"], diverging=True), 80)
    scale = lines_of(text)[-1]
    assert re.fullmatch(r"-2 █+ 0 █+ 2", scale), scale
    h = heatmap([[-0.5, 2.0]], row_labels=["g"], diverging=True)
    assert h.color(0.0).triplet == plotting.DIVERGING_RGB[1]


def test_sequential_scale_shows_the_data_range() -> None:
    text = render(heatmap([[0.25, 0.75]], row_labels=["f"]), 80)
    assert re.fullmatch(r"0\.25 █+ 0\.75", lines_of(text)[-1])
    text = render(heatmap([[0.25, 0.75]], row_labels=["f"], vmin=0, vmax=1), 80)
    assert re.fullmatch(r"0 █+ 1", lines_of(text)[-1])


def test_wide_heatmaps_average_columns_into_the_width() -> None:
    matrix = [[float(c) for c in range(300)], [1.0] * 300]
    text = render(heatmap(matrix, row_labels=["x", "y"]), 60)
    cells = _cells(text)[0]
    assert len(cells) <= 60
    assert "(300 columns averaged into 56)" in text  # 60 - len("x/y") - 1


def test_column_labels_do_not_touch() -> None:
    text = render(heatmap([[0.0] * 40], row_labels=["h"], col_labels=[f"t{k}" for k in range(40)]), 60)
    axis = lines_of(text)[1]
    tokens = axis.split()
    assert tokens[0] == "t0" and len(tokens) >= 3
    assert all(re.fullmatch(r"t\d+", token) for token in tokens)  # whole labels, none run into another
    steps = {int(b[1:]) - int(a[1:]) for a, b in itertools.pairwise(tokens)}
    assert len(steps) == 1  # evenly spaced


@pytest.mark.parametrize(
    "matrix",
    [[], [[]], [[math.nan, math.nan]], [[math.inf, -math.inf]], [[3.0, 3.0]]],
    ids=["no-rows", "no-cols", "all-nan", "infs", "constant"],
)
def test_degenerate_heatmaps_render(matrix: list) -> None:
    labels = [str(k) for k in range(len(matrix))]
    for width in WIDTHS:
        text = render(heatmap(matrix, row_labels=labels, title="deg"), width)
        assert text.startswith("deg")


def test_heatmap_rejects_mismatched_labels() -> None:
    with pytest.raises(ValueError, match="row labels"):
        heatmap([[1.0]], row_labels=["a", "b"])
    with pytest.raises(ValueError, match="column labels"):
        heatmap([[1.0]], row_labels=["a"], col_labels=["x", "y"])


def test_heatmap_measure_fits_its_columns() -> None:
    console = Console(file=StringIO(), width=200)
    h = heatmap([[0.0] * 10], row_labels=["ab"])
    measurement = Measurement.get(console, console.options, h)
    assert measurement.maximum >= len("ab") + 1 + 10 * plotting.MAX_CELL_WIDTH
    assert measurement.minimum <= measurement.maximum


# --------------------------------------------------------------------------------------------------------------
# bar_chart


def _bar_length(line: str) -> float:
    full = line.count("█")
    partial = next((plotting._EIGHTHS.index(ch) for ch in line if ch in plotting._EIGHTHS[1:-1]), 0)
    return full + partial / 8


@pytest.mark.parametrize("width", WIDTHS)
def test_bar_lengths_are_proportional_to_values(width: int) -> None:
    text = render(bar_chart([("lstm", 4.0), ("gru", 3.0), ("rnn", 1.0)], title="per step", unit="ms"), width)
    lines = lines_of(text)
    assert lines[0] == "per step"
    lengths = [_bar_length(line) for line in lines[1:]]
    assert lines[1].rstrip().endswith("4 ms") and lines[3].rstrip().endswith("1 ms")
    assert all(len(line) <= width for line in lines)
    full = width - len("lstm") - len("4 ms") - 2
    assert lengths[0] == pytest.approx(full, abs=1 / 8)
    assert lengths[1] / lengths[0] == pytest.approx(0.75, abs=1 / (8 * full) + 1e-9)
    assert lengths[2] / lengths[0] == pytest.approx(0.25, abs=1 / (8 * full) + 1e-9)


def test_bars_show_negative_and_missing_values() -> None:
    text = render(bar_chart([("a", -2.0), ("b", math.nan), ("c", math.inf), ("d", 1.0)]), 60)
    lines = lines_of(text)
    assert lines[0].rstrip().endswith("-2")
    assert lines[1].rstrip().endswith("nan") and _bar_length(lines[1]) == 0
    assert lines[2].rstrip().endswith("inf") and _bar_length(lines[2]) == 0
    assert _bar_length(lines[0]) == pytest.approx(2 * _bar_length(lines[3]), abs=1 / 8)


def test_empty_and_zero_bar_charts_render() -> None:
    assert "(no data)" in render(bar_chart([], title="x"), 40)
    text = render(bar_chart([("a", 0.0)]), 40)
    assert _bar_length(text) == 0 and text.rstrip().endswith("0")


def test_format_number() -> None:
    assert [plotting.format_number(v) for v in (0.0, 1234.5, 1e-30, math.nan, -math.inf, 0.5)] == [
        "0",
        "1.23e+03",
        "1e-30",
        "nan",
        "-inf",
        "0.5",
    ]


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert plotting.nice_ticks(0, 1, 6) == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert plotting.nice_ticks(-3, 47, 6) == [0, 10, 20, 30, 40]
    assert plotting.nice_ticks(2, 2, 5) == [2]


def test_importing_plotting_does_not_import_plotext() -> None:
    import subprocess
    import sys

    code = "import sys, quizzer.plotting; print('plotext' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
