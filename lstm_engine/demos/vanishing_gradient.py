"""vanishing-gradient: ||dh_T/dh_t|| from real BPTT for an RNN, an LSTM and a GRU reading the same input.

Each model's recurrent gate blocks (every H x H block of ``weight_hh``) are rescaled to the same spectral radius
``weight_scale``, so the comparison is about the architecture, not the initialisation. The LSTM's forget-gate bias
is ``forget_bias``. The input is one sequence of standard normal noise (seeded). The norms come from
``lstm_engine.analysis.hidden_jacobian_norms``: one backward pass, H sequences seeded with unit vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine.analysis import hidden_jacobian_norms
from lstm_engine.demos.params import SPECS
from lstm_engine.gru import GRU
from lstm_engine.lstm import LSTM
from lstm_engine.rnn import RNN

NAME = "vanishing-gradient"
MODELS = ("RNN", "LSTM", "GRU")
#: Input features of every model (the demo is about time, not width).
INPUT_SIZE = 1


@dataclass(frozen=True)
class VanishingGradientResult:
    seq_len: int
    hidden_size: int
    weight_scale: float
    forget_bias: float
    #: model name -> (T,) ||dh_T/dh_t|| for t = 0 .. T-1 (the last is sqrt(H): the identity).
    norms: dict[str, np.ndarray]
    #: model name -> largest spectral radius over its recurrent gate blocks after rescaling (= weight_scale).
    spectral_radius: dict[str, float]

    def first(self, model: str) -> float:
        """||dh_T/dh_0||: how much the first step still matters at the end."""
        return float(self.norms[model][0])

    def rate(self, model: str) -> float:
        """Geometric-mean factor by which the norm changes per step back in time (below 1: vanishing)."""
        norms = self.norms[model]
        if self.seq_len < 2 or norms[0] <= 0:
            return 0.0
        return float((norms[0] / norms[-1]) ** (1.0 / (self.seq_len - 1)))


def spectral_radius(matrix: np.ndarray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def rescale_recurrent(model: RNN | LSTM | GRU, radius: float) -> float:
    """Scale every H x H gate block of every ``weight_hh`` to spectral radius ``radius``, in place; return the
    largest radius found afterwards."""
    hidden = model.hidden_size
    found = 0.0
    for name, weight in model.parameters().items():
        if not name.startswith("weight_hh"):
            continue
        for start in range(0, weight.shape[0], hidden):
            block = weight[start : start + hidden]
            current = spectral_radius(block)
            if current > 0:
                block *= radius / current
            found = max(found, spectral_radius(block))
    return found


def build(
    kind: str, hidden: int, seed: int, forget_bias: float, radius: float
) -> tuple[RNN | LSTM | GRU, float]:
    model: RNN | LSTM | GRU
    if kind == "RNN":
        model = RNN(INPUT_SIZE, hidden, seed=seed)
    elif kind == "GRU":
        model = GRU(INPUT_SIZE, hidden, seed=seed)
    else:
        model = LSTM(INPUT_SIZE, hidden, seed=seed)
    found = rescale_recurrent(model, radius)
    if isinstance(model, LSTM):
        model.set_forget_bias(forget_bias)
    return model, found


def run(**args: object) -> VanishingGradientResult:
    """Jacobian norms of the three models on one shared input. ValueError for a bad argument."""
    values = SPECS[NAME].validate(args)
    steps = int(values["seq_len"])  # type: ignore[arg-type]
    hidden = int(values["hidden_size"])  # type: ignore[arg-type]
    radius = float(values["weight_scale"])  # type: ignore[arg-type]
    forget_bias = float(values["forget_bias"])  # type: ignore[arg-type]
    seed = int(values["seed"])  # type: ignore[arg-type]
    x = np.random.default_rng(seed).normal(size=(steps, INPUT_SIZE))
    norms = {}
    radii = {}
    for kind in MODELS:
        model, radii[kind] = build(kind, hidden, seed, forget_bias, radius)
        norms[kind] = hidden_jacobian_norms(model, x)
    return VanishingGradientResult(
        seq_len=steps,
        hidden_size=hidden,
        weight_scale=radius,
        forget_bias=forget_bias,
        norms=norms,
        spectral_radius=radii,
    )
