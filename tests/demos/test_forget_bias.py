"""forget-bias: memory half-life and gradient flow grow with the forget-gate bias, as σ(b) predicts."""

from __future__ import annotations

import math
from io import StringIO

import numpy as np
import pytest
from rich.console import Console

from lstm_engine.demos import forget_bias
from quizzer.demos import forget_bias as view


def test_weightless_half_life_by_hand() -> None:
    # σ(1) = 0.7311, ln 0.5 / ln 0.7311 = 2.2127; σ(0) = 0.5 halves in exactly one step
    assert forget_bias.weightless_half_life(1.0) == pytest.approx(
        math.log(0.5) / math.log(1 / (1 + math.exp(-1)))
    )
    assert forget_bias.weightless_half_life(0.0) == pytest.approx(1.0)


def test_retention_is_the_mean_forget_product() -> None:
    result = forget_bias.run(biases=(1.0,), seq_len=30, hidden_size=4)
    trace = result.traces[0]
    assert trace.retention[0] == 1.0
    assert np.all(np.diff(trace.retention) <= 0)  # a product of gates in (0, 1) only shrinks
    below = np.flatnonzero(trace.retention <= 0.5)
    assert trace.half_life == below[0]
    assert trace.retention[trace.half_life - 1] > 0.5


def test_memory_and_gradients_grow_with_the_bias() -> None:
    result = forget_bias.run(biases=(0.0, 1.0, 2.0), seq_len=40, hidden_size=8)
    means = [t.mean_f for t in result.traces]
    halves = [t.half_life for t in result.traces]
    cells = [t.cell_norms[0] for t in result.traces]
    hiddens = [t.hidden_norms[0] for t in result.traces]
    assert means == sorted(means) and halves == sorted(halves) and cells == sorted(cells)
    assert hiddens == sorted(hiddens)
    for trace in result.traces:
        # small inputs: the gates sit near σ(b), the half-life near the weightless one
        assert trace.mean_f == pytest.approx(trace.sigmoid_bias, abs=0.05)
        assert abs(trace.half_life - trace.half_life_weightless) <= 2
        assert trace.cell_norms[-1] == pytest.approx(math.sqrt(8))
        assert trace.hidden_norms[-1] == pytest.approx(math.sqrt(8))


def test_a_large_bias_outlives_the_sequence() -> None:
    trace = forget_bias.run(biases=(6.0,), seq_len=20).traces[0]
    assert trace.half_life is None and trace.retention[-1] > 0.5


def test_same_weights_apart_from_the_bias() -> None:
    one = forget_bias.run(biases=(1.0,), seq_len=10)
    two = forget_bias.run(biases=(2.0, 1.0), seq_len=10)
    np.testing.assert_array_equal(one.traces[0].cell_norms, two.traces[1].cell_norms)


def test_view_tabulates_and_plots_each_bias() -> None:
    result = forget_bias.run()
    console = Console(file=StringIO(), width=110)
    console.print(view.render(result))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "━━ b_f = 0   ━━ b_f = 1   ━━ b_f = 2" in text
    for trace in result.traces:
        assert f"{trace.sigmoid_bias:.3g}" in text and f"{trace.mean_f:.3g}" in text
    assert "‖dc_T/dc_0‖" in text
    pairs = view.key_numbers(result)
    assert 2 <= len(pairs) <= 6
    assert pairs[0] == (
        "b_f=0: mean f, half-life",
        f"{result.traces[0].mean_f:.3g}, {result.traces[0].half_life} steps",
    )


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="biases must be 1 to 6 comma-separated numbers"):
        forget_bias.run(biases=(0, 1, 2, 3, 4, 5, 6))
