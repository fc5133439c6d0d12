"""Terminal charts as Rich renderables: line plots (plotext), half-block heatmaps and bar charts (Rich only).

This is the only module that imports plotext, and it does so inside functions so that importing ``quizzer`` stays
cheap. Every chart is an object with ``__rich_console__`` that lays itself out for ``options.max_width`` at render
time, so the same object prints in ``quizzer demo`` and fills a pane of the TUI at whatever width the pane has.

Non-finite values never crash a chart: line plots leave such points out (and, on a log axis, values <= 0 too) and
say how many they left out; heatmaps paint them grey; bar charts print the value without a bar.
"""

from __future__ import annotations

import math
import textwrap
import threading
from collections.abc import Iterable, Mapping, Sequence

from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

#: Narrowest a chart lays itself out; below this it is clipped rather than squeezed further.
MIN_PLOT_WIDTH = 24
#: Fewest text rows of a line plot's canvas plus axes that plotext can still draw legibly.
MIN_PLOT_HEIGHT = 6
#: Series colours (xterm-256 indices), readable on dark and light backgrounds; reused cyclically.
SERIES_COLORS = (39, 208, 41, 170, 196, 226, 33, 250)
#: A heatmap column is drawn at most this many characters wide when the pane has room to spare.
MAX_CELL_WIDTH = 3
#: Characters in the colour-scale bar under a heatmap.
SCALE_BAR_WIDTH = 24
#: Colour of missing (NaN) heatmap cells.
NAN_RGB = (90, 90, 90)
#: Anchor colours of the sequential map (viridis at 0, 1/4, 1/2, 3/4, 1).
SEQUENTIAL_RGB = ((68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37))
#: Anchor colours of the diverging map (coolwarm: blue, light grey at the centre, red).
DIVERGING_RGB = ((59, 76, 192), (221, 221, 221), (180, 4, 38))
#: Eighths of a block, for bar ends finer than one character.
_EIGHTHS = " ▏▎▍▌▋▊▉█"
#: Significant digits of axis ticks and legend values.
_DIGITS = 3

# plotext draws into one global figure: two charts rendering at once (a worker thread and the UI) must not mix.
_PLOTEXT_LOCK = threading.Lock()


#: Whole numbers below this are printed in full with thousands separators.
_FULL_INTEGER_LIMIT = 1_000_000


def format_number(value: float) -> str:
    """A short label for a number: 3 significant digits, ``nan``/``inf`` spelled out."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < _FULL_INTEGER_LIMIT:
        return f"{int(value):,}"  # counts read better in full: 8,298 cards, not 8.3e+03
    return f"{value:.{_DIGITS}g}"


def _floats(values: Iterable[object]) -> list[float]:
    """Plain floats from any sequence (list, tuple, NumPy array), so this module needs no NumPy."""
    return [float(v) for v in values]  # type: ignore[arg-type]


def nice_ticks(low: float, high: float, max_ticks: int) -> list[float]:
    """Round tick positions (steps of 1, 2 or 5 times a power of ten) covering [low, high], at most ``max_ticks``."""
    max_ticks = max(2, max_ticks)
    if not high > low:
        return [low]
    raw = (high - low) / (max_ticks - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def _width(requested: int | None, options: ConsoleOptions) -> int:
    return max(1, min(requested or options.max_width, options.max_width))


def _title_lines(title: str, width: int) -> list[Text]:
    """A chart's title wrapped at word boundaries to ``width``: a narrow pane shows all of it on more lines."""
    return [Text(line, style="bold") for line in textwrap.wrap(title, max(1, width))]


# ----------------------------------------------------------------------------------------------------------------
# Line plot


class LinePlot:
    """Labelled series against a shared x, drawn by plotext at render time (see :func:`line_plot`)."""

    def __init__(
        self,
        series: Mapping[str, Sequence[float]],
        x: Sequence[float] | None,
        *,
        title: str,
        xlabel: str,
        ylabel: str,
        log_y: bool,
        height: int,
        width: int | None,
    ) -> None:
        self.title = title
        self.xlabel = xlabel
        self.ylabel = ylabel
        self.log_y = log_y
        self.height = max(MIN_PLOT_HEIGHT, int(height))
        self.width = width
        shared_x = None if x is None else _floats(x)
        #: label -> (xs, ys) of the plottable points (ys already log10 on a log axis).
        self.points: dict[str, tuple[list[float], list[float]]] = {}
        #: Points left out because they are not finite (or <= 0 on a log axis).
        self.omitted = 0
        for label, values in series.items():
            ys = _floats(values)
            xs = list(range(len(ys))) if shared_x is None else shared_x[: len(ys)]
            if len(xs) < len(ys):
                raise ValueError(f"series {label!r} has {len(ys)} values but x has only {len(xs)}")
            kept_x: list[float] = []
            kept_y: list[float] = []
            for xv, yv in zip(xs, ys):
                ok = math.isfinite(xv) and math.isfinite(yv) and (yv > 0 or not self.log_y)
                if ok:
                    kept_x.append(float(xv))
                    kept_y.append(math.log10(yv) if self.log_y else yv)
                else:
                    self.omitted += 1
            self.points[str(label)] = (kept_x, kept_y)

    # -- layout ------------------------------------------------------------------------------------------------

    def _y_ticks(self, canvas_rows: int) -> tuple[list[float], list[str], tuple[float, float]]:
        ys = [y for _, values in self.points.values() for y in values]
        low, high = min(ys), max(ys)
        max_ticks = max(2, canvas_rows // 2)
        if self.log_y:
            low_decade, high_decade = math.floor(low), math.ceil(high)
            if high_decade == low_decade:
                high_decade += 1
            step = max(1, math.ceil((high_decade - low_decade) / (max_ticks - 1)))
            low_decade = step * math.floor(low_decade / step)
            high_decade = step * math.ceil(high_decade / step)
            decades = list(range(low_decade, high_decade + 1, step))
            return [float(d) for d in decades], [f"1e{d}" for d in decades], (low_decade, high_decade)
        if high == low:
            pad = abs(low) * 0.5 or 1.0
            low, high = low - pad, high + pad
        ticks = nice_ticks(low, high, max_ticks)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
        lo = min(ticks[0], step * math.floor(low / step))
        hi = max(ticks[-1], step * math.ceil(high / step))
        ticks = nice_ticks(lo, hi, max_ticks)
        return ticks, [format_number(t) for t in ticks], (lo, hi)

    def _x_ticks(self, canvas_cols: int) -> tuple[list[float], list[str]]:
        xs = [x for values, _ in self.points.values() for x in values]
        low, high = min(xs), max(xs)
        if high == low:
            return [low], [format_number(low)]
        max_ticks = max(2, canvas_cols // 10)
        ticks = [t for t in nice_ticks(low, high, max_ticks) if low <= t <= high]
        return ticks, [format_number(t) for t in ticks]

    def _legend(self) -> Text:
        legend = Text()
        for index, label in enumerate(self.points):
            if index:
                legend.append("   ")
            legend.append("━━ ", Style(color=Color.from_ansi(SERIES_COLORS[index % len(SERIES_COLORS)])))
            legend.append(label)
        return legend

    def render_lines(self, width: int, height: int) -> list[Text]:
        """The chart as lines of styled text, exactly ``width`` cells wide (plus a title, legend and notes)."""
        lines: list[Text] = []
        if self.title:
            lines.extend(_title_lines(self.title, width))
        if not any(xs for xs, _ in self.points.values()):
            reason = (
                "no positive finite values to plot on a log axis"
                if self.log_y
                else "no finite values to plot"
            )
            lines.append(Text(f"({reason})", style="dim"))
            return lines
        lines.extend(self._plotext_lines(width, height))
        if self.points:
            lines.append(self._legend())
        if self.omitted:
            what = "not finite or <= 0" if self.log_y else "not finite"
            lines.append(Text(f"({self.omitted} points {what} left out)", style="dim"))
        return lines

    def _plotext_lines(self, width: int, height: int) -> list[Text]:
        import plotext as plt

        with _PLOTEXT_LOCK:
            plt.clear_figure()
            plt.theme("clear")
            plt.limitsize(False, False)  # plotext would otherwise clip to the real terminal, not our pane
            plt.plotsize(width, height)
            # plotext reserves about 4 rows for axes and labels: the rest is canvas.
            canvas_rows = max(2, height - 4)
            yticks, ylabels, (ylow, yhigh) = self._y_ticks(canvas_rows)
            for index, (xs, ys) in enumerate(self.points.values()):
                if xs:
                    plt.plot(xs, ys, color=SERIES_COLORS[index % len(SERIES_COLORS)])
            plt.ylim(ylow, yhigh)
            plt.yticks(yticks, ylabels)
            label_width = max(len(label) for label in ylabels)
            xticks, xlabels = self._x_ticks(width - label_width - 2)
            plt.xticks(xticks, xlabels)
            if self.xlabel:
                plt.xlabel(self.xlabel)
            if self.ylabel and not self.log_y:
                plt.ylabel(self.ylabel)
            elif self.ylabel:
                plt.ylabel(f"{self.ylabel} (log)")
            ansi = plt.build()
            plt.clear_figure()
        return [Text.from_ansi(line, no_wrap=True) for line in ansi.rstrip("\n").split("\n")]

    # -- Rich protocol -----------------------------------------------------------------------------------------

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(MIN_PLOT_WIDTH, _width(self.width, options))
        height = (
            self.height
            if options.height is None
            else max(MIN_PLOT_HEIGHT, min(self.height, options.height - 3))
        )
        for line in self.render_lines(width, height):
            line.truncate(options.max_width, overflow="ellipsis")
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = _width(self.width, options)
        return Measurement(min(MIN_PLOT_WIDTH, widest), widest)


def line_plot(
    series: Mapping[str, Sequence[float]],
    x: Sequence[float] | None = None,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    log_y: bool = False,
    height: int = 15,
    width: int | None = None,
) -> LinePlot:
    """A line plot of one or more labelled series (a legend names them) against ``x`` (default 0, 1, 2, ...).

    ``log_y`` plots log10(y) with ticks at powers of ten (labelled ``1e-30`` ... ``1e10``), so values spanning forty
    decades stay readable; values <= 0 and non-finite values are left out and counted in a note. ``height`` is the
    plot's text rows; ``width`` caps the width (default: all the width Rich offers)."""
    return LinePlot(
        series, x, title=title, xlabel=xlabel, ylabel=ylabel, log_y=log_y, height=height, width=width
    )


# ----------------------------------------------------------------------------------------------------------------
# Heatmap


def _interpolate(anchors: Sequence[tuple[int, int, int]], fraction: float) -> tuple[int, int, int]:
    fraction = min(1.0, max(0.0, fraction))
    position = fraction * (len(anchors) - 1)
    index = min(int(position), len(anchors) - 2)
    local = position - index
    a, b = anchors[index], anchors[index + 1]
    return tuple(round(a[k] + (b[k] - a[k]) * local) for k in range(3))  # type: ignore[return-value]


class Heatmap:
    """A matrix as coloured half-block cells: each text line shows two rows (see :func:`heatmap`)."""

    def __init__(
        self,
        matrix: Sequence[Sequence[float]],
        *,
        row_labels: Sequence[str],
        col_labels: Sequence[str] | None,
        title: str,
        vmin: float | None,
        vmax: float | None,
        diverging: bool,
    ) -> None:
        self.rows = [_floats(row) for row in matrix]
        self.n_cols = max((len(row) for row in self.rows), default=0)
        if any(len(row) != self.n_cols for row in self.rows):
            raise ValueError("heatmap rows must all have the same length")
        if len(row_labels) != len(self.rows):
            raise ValueError(f"{len(row_labels)} row labels for {len(self.rows)} rows")
        if col_labels is not None and len(col_labels) != self.n_cols:
            raise ValueError(f"{len(col_labels)} column labels for {self.n_cols} columns")
        self.row_labels = [str(label) for label in row_labels]
        self.col_labels = None if col_labels is None else [str(label) for label in col_labels]
        self.title = title
        self.diverging = diverging
        finite = [v for row in self.rows for v in row if math.isfinite(v)]
        if diverging:
            extent = max((abs(v) for v in finite), default=1.0) or 1.0
            low, high = -extent, extent
        else:
            low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
        self.vmin = low if vmin is None else float(vmin)
        self.vmax = high if vmax is None else float(vmax)
        if not self.vmax > self.vmin:
            self.vmax = self.vmin + 1.0

    def color(self, value: float) -> Color:
        """The colour of one value (clipped to [vmin, vmax]; NaN grey)."""
        if math.isnan(value):
            return Color.from_rgb(*NAN_RGB)
        anchors = DIVERGING_RGB if self.diverging else SEQUENTIAL_RGB
        return Color.from_rgb(*_interpolate(anchors, (value - self.vmin) / (self.vmax - self.vmin)))

    def _line_labels(self) -> list[str]:
        labels = []
        for top in range(0, len(self.rows), 2):
            pair = self.row_labels[top : top + 2]
            labels.append("/".join(pair))
        return labels

    def _columns(self, available: int) -> tuple[list[list[float]], int]:
        """The matrix fitted to ``available`` characters: (rows with averaged columns, characters per column)."""
        n = self.n_cols
        if n <= available:
            return self.rows, max(1, min(MAX_CELL_WIDTH, available // n))
        binned = []
        for row in self.rows:
            out = []
            for j in range(available):
                chunk = [v for v in row[j * n // available : (j + 1) * n // available] if not math.isnan(v)]
                out.append(sum(chunk) / len(chunk) if chunk else math.nan)
            binned.append(out)
        return binned, 1

    def _axis(self, label_width: int, cell: int, shown: int) -> Text | None:
        """Column labels under the cells, every ``step`` columns (1, 2, 5, 10, 20, ...) so that none touch."""
        if self.n_cols == 0:
            return None
        labels = self.col_labels or [str(j) for j in range(self.n_cols)]
        chars_per_col = cell * shown / self.n_cols
        needed = max(len(label) for label in labels) + 1
        step = next(m * 10**k for k in range(12) for m in (1, 2, 5) if m * 10**k * chars_per_col >= needed)
        line = [" "] * (label_width + 1 + shown * cell)
        for j in range(0, self.n_cols, step):
            start = label_width + 1 + (j * shown // self.n_cols) * cell
            text = labels[j]
            if start + len(text) <= len(line):
                line[start : start + len(text)] = text
        return Text("".join(line).rstrip(), style="dim")

    def _scale(self) -> Text:
        anchors = DIVERGING_RGB if self.diverging else SEQUENTIAL_RGB
        scale = Text(format_number(self.vmin) + " ")
        for k in range(SCALE_BAR_WIDTH):
            scale.append("█", Style(color=Color.from_rgb(*_interpolate(anchors, k / (SCALE_BAR_WIDTH - 1)))))
            if self.diverging and k == SCALE_BAR_WIDTH // 2 - 1:
                scale.append(f" {format_number((self.vmin + self.vmax) / 2)} ")
        scale.append(" " + format_number(self.vmax))
        return scale

    def render_lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        if self.title:
            lines.extend(_title_lines(self.title, width))
        if not self.rows or self.n_cols == 0:
            lines.append(Text("(empty)", style="dim"))
            return lines
        labels = self._line_labels()
        label_width = max(len(label) for label in labels)
        available = max(1, width - label_width - 1)
        rows, cell = self._columns(available)
        shown = len(rows[0])
        for index, top in enumerate(range(0, len(rows), 2)):
            line = Text(labels[index].rjust(label_width) + " ", no_wrap=True)
            upper = rows[top]
            lower = rows[top + 1] if top + 1 < len(rows) else None
            for j in range(shown):
                style = Style(
                    color=self.color(upper[j]), bgcolor=None if lower is None else self.color(lower[j])
                )
                line.append("▀" * cell, style)
            lines.append(line)
        axis = self._axis(label_width, cell, shown)
        if axis is not None:
            lines.append(axis)
        if shown < self.n_cols:
            lines.append(Text(f"({self.n_cols} columns averaged into {shown})", style="dim"))
        lines.append(self._scale())
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.render_lines(options.max_width):
            line.truncate(options.max_width, overflow="ellipsis")
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        label_width = max((len(label) for label in self._line_labels()), default=0)
        scale_width = self._scale().cell_len
        widest = max(label_width + 1 + self.n_cols * MAX_CELL_WIDTH, scale_width, len(self.title))
        narrowest = min(widest, label_width + 1 + min(self.n_cols, MIN_PLOT_WIDTH))
        return Measurement(min(narrowest, options.max_width), min(widest, options.max_width))


def heatmap(
    matrix: Sequence[Sequence[float]],
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str] | None = None,
    title: str = "",
    vmin: float | None = None,
    vmax: float | None = None,
    diverging: bool = False,
) -> Heatmap:
    """A heatmap of ``matrix`` (rows, cols): half-block cells, two matrix rows per text line (the line's label is
    ``"top/bottom"``), column labels underneath where they fit, and a colour scale with its end values.

    ``vmin``/``vmax`` default to the finite data's range; ``diverging`` uses a blue-grey-red map centred on the
    middle of the range (by default symmetric around zero, for signed values such as g or c). When the columns do
    not fit the width they are averaged in bins, and a note says so."""
    return Heatmap(
        matrix,
        row_labels=row_labels,
        col_labels=col_labels,
        title=title,
        vmin=vmin,
        vmax=vmax,
        diverging=diverging,
    )


# ----------------------------------------------------------------------------------------------------------------
# Bar chart


class BarChart:
    """Horizontal bars with their values (see :func:`bar_chart`)."""

    def __init__(
        self, items: Sequence[tuple[str, float]], *, title: str, unit: str, width: int | None
    ) -> None:
        self.items = [(str(label), float(value)) for label, value in items]
        self.title = title
        self.unit = unit
        self.width = width

    def _value_text(self, value: float) -> str:
        return f"{format_number(value)} {self.unit}".rstrip()

    def render_lines(self, width: int) -> list[Text]:
        lines: list[Text] = []
        if self.title:
            lines.extend(_title_lines(self.title, width))
        if not self.items:
            lines.append(Text("(no data)", style="dim"))
            return lines
        label_width = max(len(label) for label, _ in self.items)
        value_width = max(len(self._value_text(v)) for _, v in self.items)
        bar_width = max(1, width - label_width - value_width - 2)
        finite = [abs(v) for _, v in self.items if math.isfinite(v)]
        largest = max(finite, default=0.0)
        for index, (label, value) in enumerate(self.items):
            line = Text(label.ljust(label_width) + " ", no_wrap=True)
            eighths = 0
            if math.isfinite(value) and largest > 0:
                eighths = round(abs(value) / largest * bar_width * 8)
            bar = "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")
            color = "red" if value < 0 else Color.from_ansi(SERIES_COLORS[index % len(SERIES_COLORS)])
            line.append(bar.ljust(bar_width), Style(color=color))
            line.append(" " + self._value_text(value).rjust(value_width))
            lines.append(line)
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.render_lines(_width(self.width, options)):
            line.truncate(options.max_width, overflow="ellipsis")
            yield line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        label_width = max((len(label) for label, _ in self.items), default=0)
        value_width = max((len(self._value_text(v)) for _, v in self.items), default=0)
        narrowest = label_width + value_width + 2 + 10
        widest = _width(self.width, options)
        return Measurement(min(narrowest, widest), widest)


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str = "", unit: str = "", width: int | None = None
) -> BarChart:
    """Horizontal bars, one per ``(label, value)``, lengths proportional to |value| (negative values red), each
    followed by its value and ``unit``. Bars end in eighth blocks, so small differences stay visible."""
    return BarChart(items, title=title, unit=unit, width=width)


__all__ = [
    "BarChart",
    "Heatmap",
    "LinePlot",
    "bar_chart",
    "format_number",
    "heatmap",
    "line_plot",
    "nice_ticks",
]
