"""lstm_engine.analysis: Jacobians from one BPTT pass equal central finite differences of the real forward."""

from __future__ import annotations

import numpy as np
import pytest

import lstm_engine as le
from lstm_engine import analysis

STEPS, X, H = 7, 2, 3
#: Central-difference step and the agreement it allows in float64.
EPS = 1e-6
TOL = 1e-7


def _sequence(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(STEPS, 1, X))


def _state_at(run: le.Run, t: int, model: object) -> object:
    """The full recurrent state after step t, batch 1, as ``forward`` takes it."""
    h = run.gates[0]["h"][t][None]
    return (h, run.gates[0]["c"][t][None]) if isinstance(model, le.LSTM) else h


def _finite_difference_jacobian(
    model: object, x: np.ndarray, t: int, which: str, init: object = None
) -> np.ndarray:
    """d(which)_T / d(which)_t by perturbing the state after step t and rerunning steps t+1..T-1."""
    run = model.forward(x, state=init)  # type: ignore[attr-defined]
    base = _state_at(run, t, model)
    jac = np.zeros((H, H))
    for j in range(H):
        outs = []
        for sign in (1, -1):
            if isinstance(model, le.LSTM):
                h, c = (s.copy() for s in base)  # type: ignore[union-attr]
                if which == "h":  # h_t varied on its own, c_t held
                    h[0, 0, j] += sign * EPS
                else:  # c_t varied before h_t = o_t * tanh(c_t) is formed, so h_t follows it
                    c[0, 0, j] += sign * EPS
                    h = run.gates[0]["o"][t][None] * np.tanh(c)  # type: ignore[attr-defined]
                state: object = (h, c)
            else:
                state = base.copy()  # type: ignore[union-attr]
                state[0, 0, j] += sign * EPS  # type: ignore[index]
            final = model.forward(x[t + 1 :], state=state).state  # type: ignore[attr-defined]
            if isinstance(model, le.LSTM):
                final = final[0] if which == "h" else final[1]
            outs.append(final[0, 0])
        jac[:, j] = (outs[0] - outs[1]) / (2 * EPS)
    return jac


MODELS = {
    "rnn": lambda: le.RNN(X, H, seed=3),
    "lstm": lambda: le.LSTM(X, H, seed=3),
    "gru": lambda: le.GRU(X, H, seed=3),
}


@pytest.mark.parametrize("kind", MODELS)
@pytest.mark.parametrize("t", [0, 3, STEPS - 2])
def test_hidden_jacobian_matches_finite_differences(kind: str, t: int) -> None:
    model = MODELS[kind]()
    x = _sequence()
    jac = analysis.hidden_jacobians(model, x)
    np.testing.assert_allclose(jac[t], _finite_difference_jacobian(model, x, t, "h"), atol=TOL)
    norms = analysis.hidden_jacobian_norms(model, x)
    assert norms[t] == pytest.approx(np.linalg.norm(_finite_difference_jacobian(model, x, t, "h")), abs=TOL)


@pytest.mark.parametrize("kind", MODELS)
def test_last_step_jacobian_is_the_identity(kind: str) -> None:
    model = MODELS[kind]()
    jac = analysis.hidden_jacobians(model, _sequence()[:, 0, :])  # (T, X) is accepted too
    np.testing.assert_array_equal(jac[-1], np.eye(H))
    assert analysis.hidden_jacobian_norms(model, _sequence())[-1] == pytest.approx(np.sqrt(H))


def test_initial_state_is_respected() -> None:
    model = le.GRU(X, H, seed=1)
    x = _sequence(2)
    h0 = np.full((1, 1, H), 0.7)
    with_state = analysis.hidden_jacobians(model, x, h0)
    np.testing.assert_allclose(with_state[2], _finite_difference_jacobian(model, x, 2, "h", h0), atol=TOL)
    assert not np.allclose(with_state[2], analysis.hidden_jacobians(model, x)[2])


@pytest.mark.parametrize("t", [0, 4])
def test_cell_jacobian_matches_finite_differences(t: int) -> None:
    model = le.LSTM(X, H, seed=5)
    x = _sequence(1)
    np.testing.assert_allclose(
        analysis.cell_jacobians(model, x)[t], _finite_difference_jacobian(model, x, t, "c"), atol=TOL
    )
    np.testing.assert_array_equal(analysis.cell_jacobians(model, x)[-1], np.eye(H))


def test_cell_jacobians_need_an_lstm() -> None:
    with pytest.raises(ValueError, match="need an LSTM, got GRU"):
        analysis.cell_jacobians(le.GRU(X, H), _sequence())


def test_forget_products_by_hand() -> None:
    f = np.array([[0.5, 1.0], [0.2, 0.9], [0.4, 0.8]])
    expected = np.array([[0.2 * 0.4, 0.9 * 0.8], [0.4, 0.8], [1.0, 1.0]])
    np.testing.assert_allclose(analysis.forget_products(f), expected)


def test_cell_path_is_the_diagonal_of_the_jacobian_when_h_cannot_feed_back() -> None:
    """With zero recurrent weights h_{t-1} cannot reach the gates, so dc_T/dc_t is exactly diag(prod f)."""
    model = le.LSTM(X, H, seed=2)
    params = model.parameters()
    params["weight_hh_l0"][:] = 0.0
    x = _sequence(4)
    jac = analysis.cell_jacobians(model, x)
    f = model.forward(x).gates[0]["f"][:, 0, :]
    for t in range(STEPS):
        np.testing.assert_allclose(jac[t], np.diag(analysis.forget_products(f)[t]), atol=1e-14)
    np.testing.assert_allclose(
        analysis.cell_path_norms(model, x), analysis.cell_jacobian_norms(model, x), atol=1e-14
    )


def test_bad_input_shape_is_refused() -> None:
    with pytest.raises(ValueError, match=r"one sequence of shape \(T, X\) or \(T, 1, X\)"):
        analysis.hidden_jacobians(le.RNN(X, H), np.zeros((STEPS, 2, X)))


def test_lstm_gradient_flow_equals_the_separate_passes() -> None:
    model = le.LSTM(X, H, seed=7, forget_bias=1.0)
    x = _sequence(5)
    c0 = (np.full((1, 1, H), 0.1), np.full((1, 1, H), -0.3))
    flow = analysis.lstm_gradient_flow(model, x, c0)
    np.testing.assert_allclose(flow.hidden_norms, analysis.hidden_jacobian_norms(model, x, c0), rtol=1e-12)
    np.testing.assert_allclose(flow.cell_norms, analysis.cell_jacobian_norms(model, x, c0), rtol=1e-12)
    np.testing.assert_array_equal(flow.gates["f"], model.forward(x, state=c0).gates[0]["f"][:, 0, :])
    with pytest.raises(ValueError, match="needs an LSTM"):
        analysis.lstm_gradient_flow(le.RNN(X, H), x)
