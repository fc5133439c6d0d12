"""forget-bias: how the forget-gate bias sets an LSTM's memory span and its gradient flow.

For each bias ``b`` the same LSTM (same seed, so the same weights apart from the f rows of the bias) reads the same
sequence of small noise. From real passes of the engine it reports, per bias:

* the forget gates' mean, beside ``σ(b)``, the value f takes when the weights contribute nothing;
* ``retention[k]``: the share of a value stored in the cell that survives ``k`` steps when nothing new is written,
  ``mean over units of prod f`` over the last ``k`` steps (the direct cell path of ``dc_T/dc_{T-k}``), and its
  half-life, the first ``k`` where it falls to one half (``ln 0.5 / ln σ(b)`` in the weightless case);
* ``||dc_T/dc_t||`` (all paths) and ``||dh_T/dh_t||`` from BPTT (``lstm_engine.analysis``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lstm_engine.analysis import forget_products, lstm_gradient_flow
from lstm_engine.demos.params import SPECS
from lstm_engine.lstm import LSTM

NAME = "forget-bias"
INPUT_SIZE = 1
#: Standard deviation of the input noise: small, so the bias, not the input, decides the gates.
INPUT_STD = 0.5
#: The retention level that defines the half-life.
HALF = 0.5


@dataclass(frozen=True)
class BiasTrace:
    bias: float
    #: σ(b): the forget gate with zero weights.
    sigmoid_bias: float
    mean_f: float
    #: (T,) retention[k] for k = 0 .. T-1 steps back from the end; retention[0] = 1.
    retention: np.ndarray
    #: First k with retention[k] <= 1/2, or None if it stays above within the sequence.
    half_life: int | None
    #: ln(1/2) / ln σ(b): the half-life in steps if every f were σ(b).
    half_life_weightless: float
    #: (T,) ||dc_T/dc_t|| and ||dh_T/dh_t|| for t = 0 .. T-1.
    cell_norms: np.ndarray
    hidden_norms: np.ndarray


@dataclass(frozen=True)
class ForgetBiasResult:
    seq_len: int
    hidden_size: int
    traces: tuple[BiasTrace, ...]


def _sigmoid(value: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * value))


def weightless_half_life(bias: float) -> float:
    """Steps for ``σ(b)^k`` to fall to one half (inf when σ(b) rounds to 1)."""
    f = _sigmoid(bias)
    return math.inf if f >= 1.0 else math.log(HALF) / math.log(f)


def run(**args: object) -> ForgetBiasResult:
    """Memory and gradient flow for each bias in ``biases``. ValueError for a bad argument."""
    values = SPECS[NAME].validate(args)
    steps = int(values["seq_len"])  # type: ignore[arg-type]
    hidden = int(values["hidden_size"])  # type: ignore[arg-type]
    seed = int(values["seed"])  # type: ignore[arg-type]
    x = np.random.default_rng(seed).normal(0.0, INPUT_STD, size=(steps, INPUT_SIZE))
    traces = []
    for bias in values["biases"]:  # type: ignore[attr-defined]
        model = LSTM(INPUT_SIZE, hidden, seed=seed, forget_bias=float(bias))
        flow = lstm_gradient_flow(model, x)
        f = flow.gates["f"]
        # products[t] = prod f over steps t+1..T-1, so reversed it is the retention after k = T-1-t steps
        retention = forget_products(f).mean(axis=1)[::-1].copy()
        below = np.flatnonzero(retention <= HALF)
        traces.append(
            BiasTrace(
                bias=float(bias),
                sigmoid_bias=_sigmoid(float(bias)),
                mean_f=float(f.mean()),
                retention=retention,
                half_life=int(below[0]) if below.size else None,
                half_life_weightless=weightless_half_life(float(bias)),
                cell_norms=flow.cell_norms,
                hidden_norms=flow.hidden_norms,
            )
        )
    return ForgetBiasResult(seq_len=steps, hidden_size=hidden, traces=tuple(traces))
