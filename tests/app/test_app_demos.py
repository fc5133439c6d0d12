"""The demo list and demo screens: live controls, debounced recomputation, trainings that can be cancelled."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from app_support import screen_text, settle
from rich.console import Console
from rich.text import Text
from textual.widgets import Input, OptionList, ProgressBar, Select, Switch

from quizzer.app import QuizzerApp
from quizzer.demos import registry
from quizzer.screens.demos import DemoListScreen, DemoScreen
from quizzer.widgets.params import ParamControl, step_value


async def open_demo(pilot, name: str, **args) -> DemoScreen:
    pilot.app.open_demo(name, args)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DemoScreen)
    return screen


def render_text(screen: DemoScreen) -> str:
    """The demo's current output as plain text, rendered at 120 columns."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(screen.output)
    return console.export_text()


def param(screen: DemoScreen, name: str) -> ParamControl:
    return screen.query_one(f"#param-{name}", ParamControl)


async def test_demo_list_lists_every_demo_and_opens_one(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert isinstance(app.screen, DemoListScreen)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == list(registry.REGISTRY)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, DemoScreen)
        assert app.screen.demo.name == ids[1]


async def test_plus_steps_the_focused_number_and_the_numbers_follow(bank) -> None:
    messages: list = []
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(120, 30), message_hook=messages.append) as pilot:
        screen = await open_demo(pilot, "param-count")
        before = render_text(screen)
        assert "2,560" in before  # 4H(X+H) + 8H with X=10, H=20
        param(screen, "hidden_size").query_one(Input).focus()
        await pilot.press("plus")
        await pilot.pause(0.5)  # the debounce
        await settle(pilot)
        assert param(screen, "hidden_size").query_one(Input).value == "21"
        after = render_text(screen)
        assert "2,772" in after and "2,560" not in after  # 4*21*31 + 8*21
        changed = [m for m in messages if isinstance(m, ParamControl.Changed)]
        assert changed and (changed[-1].name, changed[-1].value) == ("hidden_size", 21)
        await pilot.press("minus", "minus")
        await pilot.pause(0.5)
        await settle(pilot)
        assert "2,356" in render_text(screen)  # H = 19: 4*19*29 + 8*19


async def test_select_and_switch_change_the_output(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_demo(pilot, "param-count")
        param(screen, "cell").query_one(Select).value = "gru"
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen.values["cell"] == "gru"
        assert "1,920" in render_text(screen)  # 3H(X+H) + 6H
        param(screen, "bidirectional").query_one(Switch).value = True
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen.values["bidirectional"] is True
        assert "3,840" in render_text(screen)


async def test_a_bad_value_is_explained_and_not_computed(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_demo(pilot, "param-count")
        box = param(screen, "hidden_size").query_one(Input)
        box.focus()
        await pilot.press("ctrl+a")
        box.value = ""
        await pilot.press("0")
        await pilot.pause(0.5)
        await settle(pilot)
        text = screen_text(app)
        assert "hidden_size must be an integer in [1, 1000000], got '0'" in text
        assert screen.values["hidden_size"] == 20
        assert "2,560" in render_text(screen)  # the last good output stays


async def test_typing_recomputes_once_after_the_last_key(bank, monkeypatch: pytest.MonkeyPatch) -> None:
    # A wider window than the app's 0.3 s, so a slow machine delivering the three keys cannot split the burst
    # (the test flaked once in a full run); what is checked, one recompute after the last key, is unchanged.
    import quizzer.screens.demos as demos_screen

    window = 1.0
    monkeypatch.setattr(demos_screen, "DEBOUNCE_S", window)
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_demo(pilot, "param-count")
        runs: list[dict] = []
        original = screen.demo.run
        box = param(screen, "input_size").query_one(Input)
        box.focus()
        box.value = ""
        import quizzer.demos.registry as reg

        def counting_run(self, args=None, on_step=None):
            runs.append(dict(args))
            return original(args, on_step)

        reg.Demo.run, saved = counting_run, reg.Demo.run
        try:
            await pilot.press("1", "2", "8")
            await pilot.pause(window + 0.3)
            await settle(pilot)
        finally:
            reg.Demo.run = saved
        assert [r["input_size"] for r in runs] == [128]


async def test_start_a_training_then_cancel_it(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(100, 30)) as pilot:
        # Long sequences and a wide layer: slow enough that the training is still running when cancelled.
        screen = await open_demo(pilot, "exploding-gradient", train_steps=2000, seq_len=200, hidden_size=64)
        assert "Press r to train" in screen_text(app)
        await pilot.press("r")
        bar = screen.query_one(ProgressBar)
        for _ in range(300):  # wait for the first progress report from the worker thread
            await pilot.pause(0.02)
            if bar.progress:
                break
        assert screen.running and bar.total == 2000 and 0 < bar.progress < 2000
        await pilot.press("w")  # the UI answers keys while the model trains
        assert screen.has_class("-wide")
        await pilot.press("c")
        await settle(pilot)
        assert not screen.running
        text = screen_text(app)
        assert "Cancelled at step" in text and "of 2000" in text
        assert "Cancelled after" in render_text(screen)  # the partial result is rendered


async def test_escape_cancels_a_training_before_it_goes_back(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(100, 30)) as pilot:
        # Long sequences and a wide layer: slow enough that the training is still running when cancelled.
        screen = await open_demo(pilot, "exploding-gradient", train_steps=2000, seq_len=200, hidden_size=64)
        await pilot.press("r")
        for _ in range(300):
            await pilot.pause(0.02)
            if screen.query_one(ProgressBar).progress:
                break
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and not screen.running
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DemoScreen)


def test_step_sizes_follow_the_range() -> None:
    specs = {p.name: p for spec in registry.REGISTRY.values() for p in spec.params.params}
    assert step_value(specs["hidden_size"], 20, +1) == 21
    assert step_value(specs["hidden_size"], 1, -1) == 1  # clamped at the low end
    assert step_value(specs["lr"], 0.05, +1) == 0.1  # 1e-5..10: doubles
    assert step_value(specs["forget_bias"], 1.0, -1) == 0.0  # -10..10: steps by 1
    assert step_value(specs["dropout"], 0.3, +1) == 0.4  # 0..0.9: steps by 0.1


async def test_output_takes_the_visible_width_at_80x24(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_demo(pilot, "vanishing-gradient")
        view = screen.query_one("#demo-view")
        assert view.max_scroll_x == 0  # nothing hides to the right
        assert screen.query_one("#demo-render").outer_size.width <= view.scrollable_content_region.width
        assert screen.query_one("#demo-controls").outer_size.width <= 26  # names and short numbers, no more
        text = screen_text(app)
        # The plot's whole frame, the end of its (wrapped) title and its x-axis label are on screen.
        assert any(line.rstrip().endswith("┐") and "┌" in line for line in text.splitlines())
        assert any(line.rstrip().endswith("┘") and "└" in line for line in text.splitlines())
        assert "LSTM forget bias 2)" in text and "t (earlier steps on the left)" in text
        narrow_axis = max(line.count("─") for line in text.splitlines() if "└" in line)
        await pilot.press("w")  # the output takes the controls' room too
        await settle(pilot)
        assert not screen.query_one("#demo-controls").display
        text = screen_text(app)
        assert max(line.count("─") for line in text.splitlines() if "└" in line) > narrow_axis + 15


async def test_a_table_wider_than_the_pane_folds_and_says_w_shows_it_whole(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_demo(pilot, "param-count")
        assert screen.query_one("#demo-view").max_scroll_x == 0
        text = screen_text(app)
        assert "Squeezed to fit: w" in text
        output = [line.split("▕", 1)[1] for line in text.splitlines()[1:-1]]
        assert not any("…" in line for line in output), "\n".join(output)  # folded, never cut
        await pilot.press("w")
        await settle(pilot)
        text = screen_text(app)
        assert "Squeezed" not in text and "2,560" in text and "weight_ih" in text


async def test_a_training_that_stops_itself_early_says_so(bank) -> None:
    app = QuizzerApp(bank=bank, packaged=False)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_demo(pilot, "adding-problem")
        real = screen.demo

        class StopsAtTarget:  # reaches its target at step 400 of 3000, as adding-problem does
            training = True

            def run(self, values, on_step=None):
                on_step(400, 3000, {"mse": 0.009})
                return SimpleNamespace(cancelled=False)

            def render(self, result):
                return Text("target reached")

            def __getattr__(self, name):
                return getattr(real, name)

        screen.demo = StopsAtTarget()
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert "Stopped early at step 400 of 3000" in text and "Trained 3000" not in text
