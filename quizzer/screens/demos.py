"""The demos: a list of every demo in the registry, and one screen per demo with live controls.

A demo screen orchestrates only: the engine computes (``Demo.run`` in a thread worker), the views render
(``Demo.render``), and ``ParamControl`` widgets check the values. Quick demos recompute a moment after the last
change; trainings run when asked, report progress and loss curves through ``on_step``, and can be cancelled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from quizzer.messages import OpenDemo
from quizzer.widgets.demo_output import DemoOutput
from quizzer.widgets.loss_curve import LossCurve
from quizzer.widgets.params import ParamControl, control_widths

#: Seconds to wait after the last control change before recomputing (typing "128" recomputes once, not thrice).
DEBOUNCE_S = 0.3
#: The status line of a quick demo whose output is up to date.
LIVE_HINT = "Live: edit a value (+/- steps it); w: wide output."
#: Most progress/curve updates per second a training sends to the UI.
PROGRESS_HZ = 10.0
#: Columns of the controls pane besides its names and values: the left padding and the right border.
CONTROLS_CHROME = 2


class DemoListScreen(Screen):
    """Every demo in the registry; enter opens one."""

    TITLE = "Demos"

    def compose(self) -> ComposeResult:
        from quizzer.demos import registry

        yield Header()
        options = []
        for demo in registry.REGISTRY.values():
            text = Text()
            text.append(demo.title, style="bold")
            if demo.training:
                text.append("  (trains a model)", style="dim italic")
            text.append(f"\n{demo.description}", style="dim")
            options.append(Option(text, id=demo.name))
        yield OptionList(*options, id="demo-list")
        yield Footer()

    @on(OptionList.OptionSelected, "#demo-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.post_message(OpenDemo(str(event.option.id)))


class DemoScreen(Screen):
    """One demo: its parameters on the left, its live output on the right."""

    # The controls' number boxes leave letters alone (NumberInput), so these keys work from any control.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "run", "Run"),
        Binding("c", "cancel", "Cancel"),
        Binding("w", "toggle_wide", "Wide output"),
        Binding("escape", "back", "Back"),
    ]

    #: Keys the controls handle themselves, for the help screen.
    OTHER_KEYS = (
        ("+ -", "Step the focused number"),
        ("tab shift+tab", "Next / previous control"),
        ("enter", "Open a choice list"),
    )

    #: The keyboard starts on the first parameter's control.
    AUTO_FOCUS = ".param-row > *"

    #: A training is running in a worker.
    running: var[bool] = var(False)
    #: The output takes the whole width (the controls are hidden).
    wide: var[bool] = var(False)

    def __init__(self, name: str, args: Mapping[str, object] | None = None) -> None:
        from quizzer.demos import registry

        super().__init__()
        self.demo = registry.get(name)
        self.values: dict[str, object] = self.demo.validate(args)
        self._debounce: Timer | None = None
        #: The renderable on show (None before the first result).
        self.output: Any = None
        self._cancel = threading.Event()

    @property
    def title_text(self) -> str:
        return self.demo.title

    def compose(self) -> ComposeResult:
        demo = self.demo
        yield Header()
        # The controls pane is as narrow as this demo's names and values allow: the output gets the rest.
        name_width, value_width = control_widths(demo.params.params)
        with Horizontal(id="demo-body"):
            controls = VerticalScroll(id="demo-controls")
            controls.styles.width = name_width + value_width + CONTROLS_CHROME
            with controls:
                for param in demo.params.params:
                    yield ParamControl(param, self.values[param.name], name_width=name_width)
            with Vertical(id="demo-output"):
                yield Static(Text(demo.description, style="dim"), id="demo-description")
                yield Static("", id="demo-status", markup=False)
                if demo.training:
                    yield ProgressBar(id="demo-progress", show_eta=False)
                    yield LossCurve(id="loss-curve")
                # Scrolls down only: the renderable is laid out for the pane's width (plots fill it, tables wrap).
                with VerticalScroll(id="demo-view"):
                    yield DemoOutput(id="demo-render")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.demo.title
        self.sub_title = "trains a model" if self.demo.training else "live"
        if self.demo.training:
            self.query_one("#demo-view").display = False
            self.status("Press r to train with these settings (c or escape cancels).")
        else:
            self.recompute()

    def on_unmount(self) -> None:
        self._cancel.set()

    def status(self, message: str, error: bool = False) -> None:
        widget = self.query_one("#demo-status", Static)
        widget.set_class(error, "error")
        widget.update(message)

    # ------------------------------------------------------------------ controls

    def action_toggle_wide(self) -> None:
        self.wide = not self.wide

    def focus_first_control(self) -> None:
        controls = self.query(ParamControl)
        if controls:
            controls.first().focus_control()

    def watch_wide(self, wide: bool) -> None:
        self.set_class(wide, "-wide")
        if wide:
            self.query_one("#demo-view").focus()
        else:
            self.focus_first_control()

    @on(ParamControl.Changed)
    def _param_changed(self, event: ParamControl.Changed) -> None:
        self.values[event.name] = event.value
        if self.demo.training:
            if not self.running:
                self.status("Settings changed: press r to train again.")
            return
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_S, self.recompute)

    @on(ParamControl.Invalid)
    def _param_invalid(self, event: ParamControl.Invalid) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self.status(event.message, error=True)

    # ------------------------------------------------------------------ quick demos

    def recompute(self) -> None:
        """Run the demo with the current values in an exclusive thread worker (a newer run replaces an older)."""
        self.status("computing…")
        self.run_worker(partial(self._compute, dict(self.values)), thread=True, exclusive=True, group="compute",
                        exit_on_error=False)

    def _compute(self, values: dict[str, object]) -> None:
        worker = get_current_worker()
        try:
            renderable = self.demo.render(self.demo.run(values))
        except Exception as err:  # noqa: BLE001 - bad combinations of values (ValueError) or a demo bug: show, don't crash
            if not worker.is_cancelled:
                self.app.call_from_thread(self.status, f"{type(err).__name__}: {err}", True)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, renderable, LIVE_HINT)

    def _show(self, renderable: Any, message: str) -> None:
        self.output = renderable
        self.query_one("#demo-view").display = True
        self.query_one(DemoOutput).show(renderable)
        self.status(message)

    # ------------------------------------------------------------------ trainings

    def watch_running(self, running: bool) -> None:
        self.set_class(running, "-running")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.running
        if action == "run":
            return not self.running
        return True

    def action_run(self) -> None:
        if not self.demo.training:
            self.recompute()
            return
        if self.running:
            return
        self._cancel = threading.Event()
        self.running = True
        self.query_one("#demo-view").display = False
        self.query_one(LossCurve).display = True
        self.query_one(ProgressBar).update(total=None, progress=0)
        self.status("training…  (c or escape cancels)")
        self.run_worker(partial(self._train, dict(self.values), self._cancel), thread=True, exclusive=True,
                        group="train", exit_on_error=False)

    def _train(self, values: dict[str, object], cancel: threading.Event) -> None:
        steps: list[int] = []
        series: dict[str, list[float]] = {}
        last = 0.0
        reached = [0, 0]  # the latest (done, total) reported

        def on_step(done: int, total: int, metrics: Mapping[str, float]) -> bool:
            nonlocal last
            if cancel.is_set():
                return True
            steps.append(done)
            reached[:] = [done, total]
            for key, value in metrics.items():
                series.setdefault(key, []).append(float(value))
            now = time.monotonic()
            if now - last >= 1.0 / PROGRESS_HZ or done >= total:
                last = now
                snapshot = {k: list(v) for k, v in series.items()}
                self.app.call_from_thread(self._progress, done, total, list(steps), snapshot)
            return False

        start = time.perf_counter()
        try:
            result = self.demo.run(values, on_step=on_step)
            renderable = self.demo.render(result)
        except Exception as err:  # noqa: BLE001 - a demo bug: say so on the screen instead of crashing the app
            if self.is_attached:
                self.app.call_from_thread(self._trained, None, f"{type(err).__name__}: {err}")
            return
        elapsed = time.perf_counter() - start
        done, total = reached
        if getattr(result, "cancelled", False):
            message = f"Cancelled at step {done} of {total} after {elapsed:.1f} s."
        elif done < total:  # the demo's own early stop (a target reached, patience run out)
            message = f"Stopped early at step {done} of {total} after {elapsed:.1f} s."
        else:
            message = f"Trained {total} steps in {elapsed:.1f} s."
        if self.is_attached:
            self.app.call_from_thread(self._trained, renderable, message)

    def _progress(self, done: int, total: int, steps: list[int], series: dict[str, list[float]]) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)
        self.query_one(LossCurve).update_curves(steps, series)

    def _trained(self, renderable: Any | None, message: str) -> None:
        self.running = False
        if renderable is None:
            self.status(message, error=True)
            return
        self.query_one(LossCurve).display = False
        self._show(renderable, message)

    def action_cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.status("cancelling…")

    def action_back(self) -> None:
        if self.running:
            self.action_cancel()
        else:
            self.app.pop_screen()
