"""Live training curves: every metric a training reports through ``on_step``, against the step, log y."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.reactive import reactive
from textual.widget import Widget


class LossCurve(Widget):
    """A line plot of ``series`` (metric name -> values) against ``steps``; empty until the first step."""

    steps: reactive[tuple[int, ...]] = reactive(())
    series: reactive[dict[str, tuple[float, ...]]] = reactive(dict, always_update=True)

    def update_curves(self, steps: Sequence[int], series: Mapping[str, Sequence[float]]) -> None:
        self.steps = tuple(steps)
        self.series = {name: tuple(values) for name, values in series.items()}

    def render(self):
        if not self.steps:
            return "Loss curves appear here while the model trains."
        from quizzer.plotting import line_plot

        height = max(6, self.content_region.height or self.size.height)
        return line_plot(self.series, self.steps, xlabel="step", log_y=True, height=height)
