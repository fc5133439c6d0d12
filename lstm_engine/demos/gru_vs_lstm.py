"""gru-vs-lstm: parameters (by formula and by counting the engine's arrays), time per step, gradient flow.

Both models get the same sizes and seed. Times are wall-clock medians (of ``REPEATS``) of forward and of forward +
backward over the first ``TIMING_STEPS`` steps of the same batch, divided by the steps timed; they vary from run to run and machine to machine (shown, never
asserted). Gradient flow is ``||dh_T/dh_t||`` from real BPTT on the batch's first sequence.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import numpy as np

from lstm_engine.analysis import hidden_jacobian_norms
from lstm_engine.demos.params import SPECS
from lstm_engine.gru import GRU
from lstm_engine.lstm import LSTM

NAME = "gru-vs-lstm"
#: Timed repetitions of each pass; the median is reported.
REPEATS = 3
#: Steps in each timed pass (fewer if the sequence is shorter): the per-step cost does not depend on T, and
#: timing a window keeps the demo interactive.
TIMING_STEPS = 5
#: Gate blocks: LSTM i|f|g|o, GRU r|z|n.
GATES = {"LSTM": 4, "GRU": 3}


@dataclass(frozen=True)
class ModelStats:
    name: str
    gates: int
    #: G*H*(X+H) + 2*G*H: PyTorch's two biases per gate block.
    formula_params: int
    #: The engine's arrays counted element by element.
    counted_params: int
    #: name -> shape of every parameter array, in state_dict order.
    shapes: dict[str, tuple[int, ...]]
    forward_ms_per_step: float
    train_ms_per_step: float
    #: (T,) ||dh_T/dh_t||.
    norms: np.ndarray


@dataclass(frozen=True)
class GruVsLstmResult:
    input_size: int
    hidden_size: int
    seq_len: int
    batch_size: int
    lstm: ModelStats
    gru: ModelStats

    @property
    def param_ratio(self) -> float:
        return self.lstm.counted_params / self.gru.counted_params


def formula(gates: int, input_size: int, hidden: int) -> int:
    return gates * hidden * (input_size + hidden) + 2 * gates * hidden


def _median_ms(action: object) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def _stats(name: str, model: LSTM | GRU, x: np.ndarray) -> ModelStats:
    window = x[:TIMING_STEPS]
    steps = window.shape[0]
    d_output = np.ones(window.shape[:2] + (model.hidden_size,), dtype=model.dtype)
    forward_ms = _median_ms(lambda: model.forward(window))
    train_ms = _median_ms(lambda: model.backward(model.forward(window), d_output))
    return ModelStats(
        name=name,
        gates=GATES[name],
        formula_params=formula(GATES[name], model.input_size, model.hidden_size),
        counted_params=sum(int(p.size) for p in model.parameters().values()),
        shapes={key: tuple(value.shape) for key, value in model.state_dict().items()},
        forward_ms_per_step=forward_ms / steps,
        train_ms_per_step=train_ms / steps,
        norms=hidden_jacobian_norms(model, x[:, :1, :]),
    )


def run(**args: object) -> GruVsLstmResult:
    """Compare an LSTM and a GRU of the same size. ValueError for a bad argument."""
    values = SPECS[NAME].validate(args)
    x_size = int(values["input_size"])  # type: ignore[arg-type]
    hidden = int(values["hidden_size"])  # type: ignore[arg-type]
    steps = int(values["seq_len"])  # type: ignore[arg-type]
    batch = int(values["batch_size"])  # type: ignore[arg-type]
    seed = int(values["seed"])  # type: ignore[arg-type]
    x = np.random.default_rng(seed).normal(size=(steps, batch, x_size))
    return GruVsLstmResult(
        input_size=x_size,
        hidden_size=hidden,
        seq_len=steps,
        batch_size=batch,
        lstm=_stats("LSTM", LSTM(x_size, hidden, seed=seed), x),
        gru=_stats("GRU", GRU(x_size, hidden, seed=seed), x),
    )
