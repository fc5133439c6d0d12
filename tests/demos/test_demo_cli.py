"""``quizzer demo``: listing, running every demo from the command line, per-demo help and one-line errors."""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO

import pytest
from rich.console import Console

from lstm_engine.demos.params import SPECS, DemoParams, Param
from quizzer.cli import main
from quizzer.demos import registry
from quizzer.demos.registry import Demo

#: The width Rich uses when stdout is not a terminal and COLUMNS is unset.
CLI_WIDTH = 80

#: Small settings so each training finishes in well under a second from the CLI.
TRAINING_OVERRIDES = {
    "exploding-gradient": ["train_steps=10", "seq_len=5", "hidden_size=4"],
    "peephole": ["train_steps=5", "seq_len=5", "hidden_size=2"],
    "adding-problem": ["iterations=3", "seq_len=10", "hidden_size=2", "batch_size=4"],
    "overfitting": ["epochs=3", "hidden_size=2"],
}


def built(demo: Demo) -> bool:
    return (
        importlib.util.find_spec(f"lstm_engine.demos.{demo.module}") is not None
        and importlib.util.find_spec(f"quizzer.demos.{demo.module}") is not None
    )


NON_TRAINING = [d.name for d in registry.REGISTRY.values() if not d.training]
TRAINING = [d.name for d in registry.REGISTRY.values() if d.training]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["demo", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide terminal (Rich reads COLUMNS), so table cells do not wrap mid-phrase."""
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture(autouse=True)
def _default_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def test_list_names_every_demo_with_its_parameters(wide: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "list")
    assert code == 0 and err == ""
    for demo in registry.REGISTRY.values():
        assert demo.name in out
        assert demo.title in out
    flat = " ".join(out.replace("│", " ").split())
    assert "seq_len=50 [5, 300]" in flat  # vanishing-gradient's default and range
    assert "lengths=6,4,2 [1, 50]" in flat
    assert "bidirectional=false true, false" in flat


def test_bare_demo_command_lists_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys)
    assert code == 0 and "gate-stepper" in out and "param-count" in out


@pytest.mark.parametrize("name", NON_TRAINING)
def test_every_analysis_demo_runs_with_its_defaults(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    demo = registry.get(name)
    if not built(demo):
        pytest.skip(f"{name} is not built")
    code, out, err = run_cli(capsys, name)
    assert code == 0, err
    assert err == ""
    # the CLI printed the demo's own view of the default result, at the console's width
    console = Console(file=StringIO(), width=CLI_WIDTH, highlight=False)
    console.print(demo.render(demo.run({})))
    expected = console.file.getvalue()  # type: ignore[attr-defined]
    if (
        name == "gru-vs-lstm"
    ):  # its timings differ run to run: compare the first lines only (sizes and counts)
        out, expected = out.splitlines()[:8], expected.splitlines()[:8]
    assert out == expected


@pytest.mark.parametrize("name", TRAINING)
def test_every_training_demo_runs_with_small_settings(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    demo = registry.get(name)
    if not built(demo):
        pytest.skip(f"{name} is not built")
    args = [item for pair in TRAINING_OVERRIDES.get(name, []) for item in ("--set", pair)]
    code, out, err = run_cli(capsys, name, *args)
    assert code == 0, err
    assert out.strip()
    assert "cancelled" not in err


def test_set_and_seed_reach_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "masking", "--set", "lengths=5,1", "--set", "hidden_size=2", "--seed", "7")
    assert code == 0
    assert "seq 1  ■·····"[:-1] in out and "T = 5" in out
    code, out, _ = run_cli(
        capsys, "param-count", "--set", "cell=gru", "--set", "input_size=10", "--set", "hidden_size=20"
    )
    assert "1,920" in out  # 3H(X+H) + 6H


def test_seed_changes_the_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run_cli(capsys, "masking", "--seed", "1")
    _, again, _ = run_cli(capsys, "masking", "--seed", "1")
    _, other, _ = run_cli(capsys, "masking", "--seed", "2")
    assert first == again and first != other


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["vanishin"], "quizzer: unknown demo 'vanishin' (did you mean 'vanishing-gradient'?)"),
        (
            ["vanishing-gradient", "--set", "seq_len=500"],
            "quizzer: seq_len must be an integer in [5, 300], got 500",
        ),
        (
            ["vanishing-gradient", "--set", "seqlen=50"],
            "quizzer: vanishing-gradient: unknown parameter 'seqlen' (did you mean 'seq_len'?)",
        ),
        (["vanishing-gradient", "--set", "seq_len"], "quizzer: --set expects KEY=VALUE, got 'seq_len'"),
        (
            ["vanishing-gradient", "--set", "weight_scale=big"],
            "quizzer: weight_scale must be a number in [0.05, 3], got 'big'",
        ),
        (
            ["param-count", "--seed", "3"],
            "quizzer: param-count has no seed parameter (its results do not depend on one)",
        ),
        (
            ["param-count", "--set", "hidden_size=4", "--set", "proj_size=4"],
            "quizzer: proj_size must be smaller than hidden_size (4), got 4",
        ),
        (
            ["gate-stepper", "--set", "preset=calm"],
            "quizzer: preset must be one of balanced, remember, forget, write, saturate, got 'calm'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err == message + "\n"


def test_bad_argument_from_a_real_process_is_one_line_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "quizzer", "demo", "vanishing-gradient", "--set", "seq_len=500"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "quizzer: seq_len must be an integer in [5, 300], got 500\n"


def test_demo_help_lists_its_parameters(wide: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "forget-bias", "--help")
    assert code == 0
    assert "quizzer demo forget-bias [--set key=value ...] [--seed N]" in out
    flat = " ".join(out.replace("│", " ").split())
    for param in SPECS["forget-bias"].params:
        assert param.name in flat
        assert param.help in flat
    assert "1 to 6 comma-separated numbers in [-10, 10]" in flat


def test_general_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "--set KEY=VALUE" in out and "'quizzer demo NAME --help'" in out


# -------------------------------------------------------------------------------------------------------------
# trainings: progress and Ctrl-C, with a stand-in demo so the test does not depend on another module's speed


@dataclass
class FakeResult:
    done: int
    cancelled: bool


FAKE_STEPS = 50
INTERRUPT_AT = 10


class FakeTraining(Demo):
    """Counts to FAKE_STEPS, reporting each step; sends itself SIGINT at INTERRUPT_AT when asked to."""

    interrupt: bool = False

    @property
    def params(self) -> DemoParams:
        return DemoParams(self.name, (Param("seed", "int", 0, 0, 10),))

    def run(self, args: object = None, on_step: object = None) -> FakeResult:
        for done in range(1, FAKE_STEPS + 1):
            if self.interrupt and done == INTERRUPT_AT:
                signal.raise_signal(signal.SIGINT)
            if on_step is not None and on_step(done, FAKE_STEPS, {"loss": 1.0 / done}):  # type: ignore[operator]
                return FakeResult(done, cancelled=True)
        return FakeResult(FAKE_STEPS, cancelled=False)

    def render(self, result: FakeResult) -> str:
        return f"counted to {result.done}"


@pytest.fixture
def fake_training(monkeypatch: pytest.MonkeyPatch) -> type[FakeTraining]:
    monkeypatch.setitem(
        registry.REGISTRY, "fake-training", FakeTraining("fake-training", "Fake", "counts", training=True)
    )
    monkeypatch.setattr("quizzer.commands.demo._check_built", lambda demo: None)
    return FakeTraining


def test_training_runs_to_the_end(
    fake_training: type[FakeTraining], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "fake-training", "--seed", "1")
    assert code == 0
    assert out.strip() == f"counted to {FAKE_STEPS}"
    assert "cancelled" not in err


def test_ctrl_c_stops_a_training_and_shows_the_partial_result(
    fake_training: type[FakeTraining], capsys: pytest.CaptureFixture[str]
) -> None:
    fake_training.interrupt = True
    try:
        before = signal.getsignal(signal.SIGINT)
        code, out, err = run_cli(capsys, "fake-training")
        assert signal.getsignal(signal.SIGINT) is before  # the handler is put back
    finally:
        fake_training.interrupt = False
    assert code == 0
    assert out.strip() == f"counted to {INTERRUPT_AT}"
    assert (
        err.strip()
        == f"quizzer: cancelled after {INTERRUPT_AT} of {FAKE_STEPS} steps; showing the partial result"
    )
