"""vanishing-gradient: BPTT Jacobian norms equal finite differences, and the weights have the asked radius."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from rich.console import Console

from lstm_engine.demos import vanishing_gradient as vg
from lstm_engine.lstm import LSTM
from quizzer.demos import vanishing_gradient as view

EPS = 1e-6


def finite_difference_norm(model: object, x: np.ndarray, t: int) -> float:
    """||dh_T/dh_t|| by central differences: perturb the state after step t, rerun the remaining steps."""
    run = model.forward(x[:, None, :])  # type: ignore[attr-defined]
    hidden = model.hidden_size  # type: ignore[attr-defined]
    h_t = run.gates[0]["h"][t][None]
    c_t = run.gates[0]["c"][t][None] if isinstance(model, LSTM) else None
    jac = np.zeros((hidden, hidden))
    for j in range(hidden):
        finals = []
        for sign in (1, -1):
            h = h_t.copy()
            h[0, 0, j] += sign * EPS
            state = (h, c_t) if c_t is not None else h
            final = model.forward(x[t + 1 :, None, :], state=state).state  # type: ignore[attr-defined]
            finals.append((final[0] if c_t is not None else final)[0, 0])
        jac[:, j] = (finals[0] - finals[1]) / (2 * EPS)
    return float(np.linalg.norm(jac))


@pytest.mark.parametrize("kind", vg.MODELS)
def test_norms_equal_finite_differences(kind: str) -> None:
    args = {"seq_len": 6, "hidden_size": 3, "weight_scale": 1.3, "forget_bias": 0.5, "seed": 2}
    result = vg.run(**args)
    model, _ = vg.build(kind, 3, 2, 0.5, 1.3)
    x = np.random.default_rng(2).normal(size=(6, vg.INPUT_SIZE))
    for t in range(5):
        assert result.norms[kind][t] == pytest.approx(finite_difference_norm(model, x, t), rel=1e-6, abs=1e-9)
    assert result.norms[kind][-1] == pytest.approx(np.sqrt(3))


@pytest.mark.parametrize("radius", [0.3, 1.0, 2.5])
def test_every_recurrent_block_has_the_asked_spectral_radius(radius: float) -> None:
    for kind in vg.MODELS:
        model, found = vg.build(kind, 6, 0, 1.0, radius)
        assert found == pytest.approx(radius)
        for name, weight in model.parameters().items():
            if name.startswith("weight_hh"):
                for block in np.split(weight, weight.shape[0] // 6):
                    assert np.max(np.abs(np.linalg.eigvals(block))) == pytest.approx(radius)


def test_small_recurrent_weights_make_the_rnn_gradient_vanish_and_large_ones_explode() -> None:
    small = vg.run(weight_scale=0.3, seq_len=30)
    large = vg.run(weight_scale=2.5, seq_len=30)
    assert small.first("RNN") < 1e-8
    assert small.rate("RNN") < 1 < large.rate("RNN")
    assert large.first("RNN") > large.norms["RNN"][-1]


def test_forget_bias_keeps_the_lstm_gradient_alive() -> None:
    low = vg.run(forget_bias=-3.0, seq_len=40)
    high = vg.run(forget_bias=5.0, seq_len=40)
    assert high.first("LSTM") > 1e3 * low.first("LSTM")
    np.testing.assert_array_equal(low.norms["RNN"], high.norms["RNN"])  # the bias is the LSTM's only


def test_view_plots_three_series_on_a_log_axis_and_tabulates_them() -> None:
    result = vg.run()
    console = Console(file=StringIO(), width=100)
    console.print(view.render(result))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "━━ RNN   ━━ LSTM   ━━ GRU" in text
    assert "1e0┤" in text  # power-of-ten ticks
    for name in vg.MODELS:
        assert f"{result.first(name):.3g}" in text
    numbers = dict(view.key_numbers(result))
    assert numbers["LSTM ||dh_T/dh_0||"] == f"{result.first('LSTM'):.3g}"
    assert 2 <= len(numbers) <= 6


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"weight_scale must be a number in \[0.05, 3\], got 4"):
        vg.run(weight_scale=4)
