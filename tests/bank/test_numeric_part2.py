"""Recompute every numeric answer in the gradients, sequences, regularisation and applications topics.

Each entry of ``RECOMPUTE`` derives one question's answer from the prompt alone, with the engine where the
question is about a model (a 1-unit RNN or LSTM whose weights are set by ``load_state_dict``, real BPTT through
``backward``, ``clip_grad_norm``, ``SGD``) and with plain NumPy where it is arithmetic on the prompt's numbers.
The test then checks that the packaged bank's answer agrees within the question's tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from bank_support import assert_matches_recomputation

import lstm_engine as le
import question_bank

#: PyTorch's gate order for LSTM rows: input, forget, cell candidate, output.
LSTM_GATES = "ifgo"


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _scalar_rnn(w_hh: float, w_ih: float, bias: float = 0.0) -> le.RNN:
    """A 1-unit tanh RNN, h_t = tanh(w_ih·x_t + w_hh·h_{t-1} + bias), with the bias all in bias_ih."""
    model = le.RNN(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": np.array([[w_ih]]),
            "weight_hh_l0": np.array([[w_hh]]),
            "bias_ih_l0": np.array([bias]),
            "bias_hh_l0": np.zeros(1),
        }
    )
    return model


def _cell_path_gradient(forget_preactivation: float, steps: int) -> float:
    """dc_T/dc_0 by BPTT in a 1-unit LSTM whose weights are all 0 and whose forget pre-activation is constant.

    With zero recurrent weights h_{t-1} does not reach the gates, so the only path from c_0 to c_T is the cell
    path, and every forget gate equals σ(forget_preactivation).
    """
    model = le.LSTM(1, 1)
    zeros = {key: np.zeros_like(value) for key, value in model.state_dict().items()}
    model.load_state_dict(zeros)
    model.set_forget_bias(forget_preactivation)
    run = model.forward(np.zeros((steps, 1, 1)))
    assert np.allclose(run.gates[0]["f"], 1.0 / (1.0 + math.exp(-forget_preactivation)))
    d_h = np.zeros((1, 1, 1))
    d_c = np.ones((1, 1, 1))
    grads = model.backward(run, d_state=(d_h, d_c))
    return float(grads.state[1][0, 0, 0])


# ---------------------------------------------------------------------------------------------- gradients


def grad_spectral_decay() -> float:
    """‖∂h_20/∂h_0‖₂ for a 2-unit tanh RNN with W_hh = 0.8·I at h = 0: the Jacobian column by column via BPTT."""
    hidden, steps = 2, 20
    model = le.RNN(1, hidden)
    model.load_state_dict(
        {
            "weight_ih_l0": np.zeros((hidden, 1)),
            "weight_hh_l0": 0.8 * np.eye(hidden),
            "bias_ih_l0": np.zeros(hidden),
            "bias_hh_l0": np.zeros(hidden),
        }
    )
    run = model.forward(np.zeros((steps, 1, 1)))
    columns = []
    for unit in range(hidden):
        d_state = np.zeros((1, 1, hidden))
        d_state[0, 0, unit] = 1.0
        columns.append(model.backward(run, d_state=d_state).state[0, 0])
    jacobian = np.stack(columns)  # row k: dh_20[k]/dh_0
    return float(np.linalg.norm(jacobian, 2))


def grad_tanh_step() -> float:
    """∂h_1/∂h_0 for h_1 = tanh(1.5·h_0 + 1·x_1) at h_0 = 0, x_1 = 1, by BPTT."""
    model = _scalar_rnn(w_hh=1.5, w_ih=1.0)
    run = model.forward(np.ones((1, 1, 1)), state=np.zeros((1, 1, 1)))
    return float(model.backward(run, d_state=np.ones((1, 1, 1))).state[0, 0, 0])


def grad_forget_product() -> float:
    """∂c_50/∂c_0 with every forget gate at exactly 0.9."""
    return _cell_path_gradient(_logit(0.9), 50)


def grad_forget_bias_numeric() -> float:
    """∂c_10/∂c_0 with a constant forget pre-activation of 1."""
    return _cell_path_gradient(1.0, 10)


def grad_clip_numeric() -> float:
    """Global-norm clipping of [3, 4] and [12] to max_norm 2.6: the new value of the element 12."""
    grads = [np.array([3.0, 4.0]), np.array([12.0])]
    total = le.clip_grad_norm(grads, 2.6)
    assert total == pytest.approx(13.0)
    return float(grads[1][0])


def grad_clip_value_direction() -> float:
    """Degrees between g = (0.5, 4) and g clamped elementwise to [-1, 1]."""
    g = np.array([0.5, 4.0])
    clipped = np.clip(g, -1.0, 1.0)
    cosine = g @ clipped / (np.linalg.norm(g) * np.linalg.norm(clipped))
    return math.degrees(math.acos(cosine))


# ---------------------------------------------------------------------------------------------- sequences


def seq_padded_final_state() -> float:
    """h_3 of h_t = tanh(0.5·h_{t-1} + x_t) on [1, 0, 0] (one real step, two zero pads), no mask."""
    model = _scalar_rnn(w_hh=0.5, w_ih=1.0)
    x = np.array([1.0, 0.0, 0.0]).reshape(3, 1, 1)
    unmasked = model.forward(x)
    masked = model.forward(x, mask=np.array([[1.0], [0.0], [0.0]]))
    # The mask keeps the true final state tanh(1); without it the pads drag the state away.
    assert masked.state[0, 0, 0] == pytest.approx(math.tanh(1.0))
    return float(unmasked.state[0, 0, 0])


def seq_loss_mask() -> float:
    """Masked mean of per-step losses [[1, 2, 3], [4, 9, 9]] with lengths [3, 1]."""
    losses = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 9.0]])
    lengths = np.array([3, 1])
    mask = np.arange(losses.shape[1])[None, :] < lengths[:, None]
    return float((losses * mask).sum() / mask.sum())


def seq_bucketing() -> float:
    """Padded steps saved by batching lengths {2, 10}, {3, 9} as {2, 3}, {9, 10} instead."""

    def padding(batches: list[list[int]]) -> int:
        return sum(max(b) * len(b) - sum(b) for b in batches)

    lengths = [2, 3, 9, 10]
    bucketed = sorted(lengths)
    return float(padding([[2, 10], [3, 9]]) - padding([bucketed[0:2], bucketed[2:4]]))


# ---------------------------------------------------------------------------------------------- regularisation


def reg_naive_recurrent_dropout() -> float:
    """P(a connection survives 20 independent dropout draws with p = 0.25)."""
    keep = 1.0 - 0.25
    return keep**20


def reg_inverted_dropout() -> float:
    """A kept activation 2.0 under inverted dropout with p = 0.2."""
    p = 0.2
    return 2.0 / (1.0 - p)


def reg_weight_decay() -> float:
    """w after 1000 SGD steps (lr 0.1, weight_decay 0.01, zero data gradient) from w = 1."""
    params = {"w": np.array([1.0])}
    optimiser = le.SGD(params, lr=0.1, weight_decay=0.01)
    for _ in range(1000):
        optimiser.step({"w": np.zeros(1)})
    return float(params["w"][0])


# ---------------------------------------------------------------------------------------------- applications


def app_ts_windowing() -> float:
    """Sliding windows of 48 inputs + 12 targets over 1000 points, stride 1."""
    series = np.arange(1000)
    windows = np.lib.stride_tricks.sliding_window_view(series, 48 + 12)
    return float(len(windows))


def app_ts_minmax() -> float:
    """60 scaled with min 10 and max 50."""
    low, high = 10.0, 50.0
    return (60.0 - low) / (high - low)


def app_lstm_step_macs() -> float:
    """Multiply-accumulates of W_ih·x_t and W_hh·h_{t-1} for one step, X = H = 256: one per weight entry."""
    model = le.LSTM(256, 256)
    shapes = model.state_dict()
    assert shapes["weight_ih_l0"].shape == (len(LSTM_GATES) * 256, 256)
    return float(shapes["weight_ih_l0"].size + shapes["weight_hh_l0"].size)


RECOMPUTE: dict[str, Callable[[], float]] = {
    "grad-spectral-decay": grad_spectral_decay,
    "grad-tanh-step": grad_tanh_step,
    "grad-forget-product": grad_forget_product,
    "grad-forget-bias-numeric": grad_forget_bias_numeric,
    "grad-clip-numeric": grad_clip_numeric,
    "grad-clip-value-direction": grad_clip_value_direction,
    "seq-padded-final-state": seq_padded_final_state,
    "seq-loss-mask": seq_loss_mask,
    "seq-bucketing": seq_bucketing,
    "reg-naive-recurrent-dropout": reg_naive_recurrent_dropout,
    "reg-inverted-dropout": reg_inverted_dropout,
    "reg-weight-decay": reg_weight_decay,
    "app-ts-windowing": app_ts_windowing,
    "app-ts-minmax": app_ts_minmax,
    "app-lstm-step-macs": app_lstm_step_macs,
}

#: The topics whose numeric questions this file covers.
TOPICS = ("gradients", "sequences", "regularisation", "applications")


@pytest.fixture(scope="module")
def bank():
    return question_bank.load()


@pytest.mark.parametrize("qid", sorted(RECOMPUTE))
def test_numeric_answer_matches_recomputation(bank, qid: str) -> None:
    assert_matches_recomputation(bank, qid, RECOMPUTE[qid])


def test_every_numeric_question_in_these_topics_is_recomputed(bank) -> None:
    numeric = {q.id for q in bank.questions if q.topic in TOPICS and q.kind == "numeric"}
    assert numeric == set(RECOMPUTE)
