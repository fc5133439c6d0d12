"""sequence-trace: an LSTM reads a signal step by step; every gate and state of every unit over time.

The model is ``le.LSTM(1, hidden_size, seed=seed, forget_bias=forget_bias)`` with its input weights multiplied by
``INPUT_GAIN`` so that a unit-sized input visibly moves the gates of an untrained network; everything else is the
engine's PyTorch-style initialisation. The gates come straight from ``run.gates[0]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine.demos.params import SPECS
from lstm_engine.lstm import LSTM

NAME = "sequence-trace"
#: Input weights are scaled by this so a unit-sized input moves the gates (init is U(-1/sqrt(H), 1/sqrt(H))).
INPUT_GAIN = 3.0
#: The spike and the step start this far into the sequence (as a fraction of its length).
ONSET_FRACTION = 0.25
#: Height of the spike and the step.
AMPLITUDE = 1.0
#: Full periods of the sine over the sequence.
SINE_CYCLES = 2.0
#: What the result holds per time step, in display order.
TRACES = ("i", "f", "g", "o", "c", "h")


@dataclass(frozen=True)
class SequenceTraceResult:
    pattern: str
    hidden_size: int
    forget_bias: float
    #: (T,) the input signal.
    x: np.ndarray
    #: name -> (H, T): rows are units, columns are time steps; i f o in (0, 1), g h in (-1, 1), c unbounded.
    traces: dict[str, np.ndarray]
    #: Index of the spike/step onset, or None for noise, sine and custom input.
    onset: int | None

    @property
    def steps(self) -> int:
        return len(self.x)


def signal(
    pattern: str, steps: int, seed: int, values: tuple[float, ...] = ()
) -> tuple[np.ndarray, int | None]:
    """The input sequence ``(T,)`` for ``pattern`` and its onset step (spike and step only)."""
    onset = int(steps * ONSET_FRACTION)
    t = np.arange(steps)
    if pattern == "spike":
        return np.where(t == onset, AMPLITUDE, 0.0), onset
    if pattern == "step":
        return np.where(t >= onset, AMPLITUDE, 0.0), onset
    if pattern == "noise":
        return np.random.default_rng(seed).normal(0.0, AMPLITUDE, steps), None
    if pattern == "sine":
        return AMPLITUDE * np.sin(2 * np.pi * SINE_CYCLES * t / steps), None
    if pattern == "custom":
        return np.asarray(values, dtype=np.float64), None
    raise ValueError(f"unknown pattern {pattern!r}")


def run(**args: object) -> SequenceTraceResult:
    """Trace the gates of an LSTM over the chosen input. ``pattern=custom`` reads ``values`` (and ignores
    ``seq_len``). ValueError for a bad argument."""
    values = SPECS[NAME].validate(args)
    pattern = str(values["pattern"])
    hidden = int(values["hidden_size"])  # type: ignore[arg-type]
    seed = int(values["seed"])  # type: ignore[arg-type]
    forget_bias = float(values["forget_bias"])  # type: ignore[arg-type]
    x, onset = signal(pattern, int(values["seq_len"]), seed, tuple(values["values"]))  # type: ignore[arg-type]

    model = LSTM(1, hidden, seed=seed, forget_bias=forget_bias)
    model.parameters()["weight_ih_l0"] *= INPUT_GAIN
    gates = model.forward(x[:, None, None]).gates[0]
    traces = {name: np.ascontiguousarray(gates[name][:, 0, :].T) for name in TRACES}
    return SequenceTraceResult(
        pattern=pattern, hidden_size=hidden, forget_bias=forget_bias, x=x, traces=traces, onset=onset
    )
