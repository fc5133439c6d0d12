"""Recompute every numeric answer in the rnn-basics, lstm-gates, peepholes, gru and architecture topics.

Each entry of ``RECOMPUTE`` derives one question's answer from its prompt alone with the engine: a 1-unit RNN, LSTM
or GRU whose weights are set by ``load_state_dict`` and run forward, or a parameter count taken from the arrays a
model actually creates. The test then checks that the packaged bank's answer agrees within the question's
tolerance, so a typo in a YAML answer, or an engine change that breaks an equation, fails here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import pytest
from bank_support import assert_matches_recomputation

import lstm_engine as le
import question_bank
from lstm_engine.demos import param_count

TOPICS = ("rnn-basics", "lstm-gates", "peepholes", "gru", "architecture")

#: PyTorch's row order of the LSTM gate blocks: input, forget, cell candidate, output.
LSTM_GATES = "ifgo"
#: PyTorch's row order of the GRU blocks: reset, update, candidate.
GRU_GATES = "rzn"


def _count(model: object) -> int:
    """The number of parameters, by counting the elements of every array the model creates."""
    return sum(array.size for array in model.state_dict().values())  # type: ignore[attr-defined]


def _column(values: list[float]) -> np.ndarray:
    """A (G, 1) weight matrix for a 1-unit cell: one row per gate block."""
    return np.array(values, dtype=np.float64).reshape(-1, 1)


# ---------------------------------------------------------------------------------------------- rnn-basics


def rnn_two_step_hidden() -> float:
    """h_2 of h_t = tanh(1.0·x_t + 0.5·h_{t-1}) on x = (1, 0) from h_0 = 0."""
    model = le.RNN(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": _column([1.0]),
            "weight_hh_l0": _column([0.5]),
            "bias_ih_l0": np.zeros(1),
            "bias_hh_l0": np.zeros(1),
        }
    )
    run = model.forward(np.array([1.0, 0.0]).reshape(2, 1, 1))
    return float(run.output[1, 0, 0])


def rnn_bptt_stored_activations() -> float:
    """The hidden states h_1 … h_T a forward pass records: T = 50, B = 8, H = 64."""
    steps, batch, hidden = 50, 8, 64
    run = le.RNN(1, hidden).forward(np.zeros((steps, batch, 1)))
    return float(run.gates[0]["h"].size)


# ---------------------------------------------------------------------------------------------- lstm-gates

#: The 1-unit LSTM of the gate-value questions: gate -> (w, u, b), with x_t = 1, h_{t-1} = 0.5, c_{t-1} = 2.
LSTM_STEP_WEIGHTS = {
    "i": (0.5, -1.0, 0.0),
    "f": (1.0, 2.0, 1.0),
    "g": (2.0, 0.0, -1.0),
    "o": (-1.0, 2.0, 1.0),
}
LSTM_STEP_INPUT = {"x": 1.0, "h_prev": 0.5, "c_prev": 2.0}


def _lstm_step(weights: Mapping[str, tuple[float, float, float]], x: float, h_prev: float, c_prev: float):
    """One step of a 1-unit LSTM with the prompt's weights; the whole bias goes in bias_ih (bias_hh = 0)."""
    model = le.LSTM(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": _column([weights[g][0] for g in LSTM_GATES]),
            "weight_hh_l0": _column([weights[g][1] for g in LSTM_GATES]),
            "bias_ih_l0": np.array([weights[g][2] for g in LSTM_GATES]),
            "bias_hh_l0": np.zeros(4),
        }
    )
    state = (np.full((1, 1, 1), h_prev), np.full((1, 1, 1), c_prev))
    return model.forward(np.full((1, 1, 1), x), state=state).gates[0]


def lstm_forget_gate_value() -> float:
    return float(_lstm_step(LSTM_STEP_WEIGHTS, **LSTM_STEP_INPUT)["f"][0, 0, 0])


def lstm_cell_state_value() -> float:
    return float(_lstm_step(LSTM_STEP_WEIGHTS, **LSTM_STEP_INPUT)["c"][0, 0, 0])


def lstm_hidden_state_value() -> float:
    return float(_lstm_step(LSTM_STEP_WEIGHTS, **LSTM_STEP_INPUT)["h"][0, 0, 0])


# ---------------------------------------------------------------------------------------------- peepholes


def peep_extra_params() -> float:
    """Parameters a peephole LSTM (X = 10, H = 64) has beyond the plain one; the input size must not matter."""
    hidden = 64
    extras = {_count(le.LSTM(x, hidden, peephole=True)) - _count(le.LSTM(x, hidden)) for x in (1, 10)}
    assert len(extras) == 1, "the peephole parameter count should not depend on the input size"
    return float(extras.pop())


# ---------------------------------------------------------------------------------------------- gru


def _gru_step(
    weights: Mapping[str, tuple[float, float, float, float]], x: float, h_prev: float
) -> dict[str, np.ndarray]:
    """One step of a 1-unit GRU; ``weights`` maps r, z, n to (w_ih, w_hh, b_ih, b_hh)."""
    model = le.GRU(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": _column([weights[g][0] for g in GRU_GATES]),
            "weight_hh_l0": _column([weights[g][1] for g in GRU_GATES]),
            "bias_ih_l0": np.array([weights[g][2] for g in GRU_GATES]),
            "bias_hh_l0": np.array([weights[g][3] for g in GRU_GATES]),
        }
    )
    return model.forward(np.full((1, 1, 1), x), state=np.full((1, 1, 1), h_prev)).gates[0]


def gru_reset_after_step() -> float:
    """The prompt's reset-after GRU: b_hn = 0.5 sits inside r ⊙ (W_hn h + b_hn)."""
    weights = {
        "r": (1.0, 0.0, 0.0, 0.0),
        "z": (0.0, 2.0, -1.0, 0.0),
        "n": (1.0, 1.0, 0.0, 0.5),
    }
    return float(_gru_step(weights, x=1.0, h_prev=0.5)["h"][0, 0, 0])


def gru_update_convention() -> float:
    """z = 0.9, n = 0.2, h_{t-1} = 1: zero weights and biases chosen so the gates take exactly those values."""
    z, n = 0.9, 0.2
    weights = {
        "r": (0.0, 0.0, 0.0, 0.0),
        "z": (0.0, 0.0, math.log(z / (1.0 - z)), 0.0),
        "n": (0.0, 0.0, math.atanh(n), 0.0),
    }
    gates = _gru_step(weights, x=0.0, h_prev=1.0)
    assert gates["z"][0, 0, 0] == pytest.approx(z, abs=1e-12)
    assert gates["n"][0, 0, 0] == pytest.approx(n, abs=1e-12)
    return float(gates["h"][0, 0, 0])


def gru_param_count() -> float:
    return float(_count(le.GRU(32, 64)))


# ---------------------------------------------------------------------------------------------- architecture


def arch_lstm_params_pytorch() -> float:
    return float(_count(le.LSTM(100, 128)))


def arch_lstm_params_keras() -> float:
    """Keras keeps one bias per gate: PyTorch's arrays without bias_hh, checked against the param-count demo."""
    arrays = le.LSTM(100, 128).state_dict()
    keras = sum(a.size for name, a in arrays.items() if not name.startswith("bias_hh"))
    assert keras == param_count.run(cell="lstm", input_size=100, hidden_size=128).keras_total
    return float(keras)


def arch_rnn_params() -> float:
    return float(_count(le.RNN(10, 20)))


def arch_stacked_bidir_params() -> float:
    """Two directions of (layer 0 reading X = 10) + (layer 1 reading 2H = 40), H = 20.

    The engine has no bidirectional flag, so each direction's layers are built as the single-layer LSTMs they are
    (a reverse direction has the same arrays as a forward one); the param-count demo must agree."""
    x, hidden = 10, 20
    per_direction = _count(le.LSTM(x, hidden)) + _count(le.LSTM(2 * hidden, hidden))
    total = 2 * per_direction
    demo = param_count.run(cell="lstm", input_size=x, hidden_size=hidden, num_layers=2, bidirectional=True)
    assert total == demo.pytorch_total
    return float(total)


RECOMPUTE: dict[str, Callable[[], float]] = {
    "rnn-two-step-hidden": rnn_two_step_hidden,
    "rnn-bptt-stored-activations": rnn_bptt_stored_activations,
    "lstm-forget-gate-value": lstm_forget_gate_value,
    "lstm-cell-state-value": lstm_cell_state_value,
    "lstm-hidden-state-value": lstm_hidden_state_value,
    "peep-extra-params": peep_extra_params,
    "gru-reset-after-step": gru_reset_after_step,
    "gru-update-convention": gru_update_convention,
    "gru-param-count": gru_param_count,
    "arch-lstm-params-pytorch": arch_lstm_params_pytorch,
    "arch-lstm-params-keras": arch_lstm_params_keras,
    "arch-rnn-params": arch_rnn_params,
    "arch-stacked-bidir-params": arch_stacked_bidir_params,
}


@pytest.fixture(scope="module")
def bank():
    return question_bank.load()


@pytest.mark.parametrize("qid", sorted(RECOMPUTE))
def test_numeric_answer_matches_recomputation(bank, qid: str) -> None:
    assert_matches_recomputation(bank, qid, RECOMPUTE[qid])


def test_every_numeric_question_in_these_topics_is_recomputed(bank) -> None:
    numeric = {q.id for q in bank.questions if q.topic in TOPICS and q.kind == "numeric"}
    assert numeric == set(RECOMPUTE)


def test_gate_value_questions_match_the_gate_stepper_demo(bank) -> None:
    """The gate-value questions link the gate-stepper with the prompt's numbers: the demo must show the answer."""
    from lstm_engine.demos import gate_stepper

    fields = {"lstm-forget-gate-value": "f", "lstm-cell-state-value": "c", "lstm-hidden-state-value": "h"}
    for qid, field in fields.items():
        question = bank.get(qid)
        assert question is not None and question.demo is not None and question.demo.name == "gate-stepper"
        result = gate_stepper.run(**dict(question.demo.args))
        shown = result.gates[field].value if field == "f" else getattr(result, field)
        assert abs(shown - question.answer) <= question.tolerance, qid
