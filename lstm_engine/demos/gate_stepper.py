"""gate-stepper: one step of a one-unit LSTM, every intermediate number, computed by the real engine.

The user picks a preset of the twelve scalar weights (input weight ``w``, recurrent weight ``u`` and bias ``b`` for
each of the gates i, f, g, o), may override any of them, and sets ``x_t``, ``h_{t-1}`` and ``c_{t-1}``. The weights
are loaded into ``le.LSTM(1, 1)`` (``weight_ih`` = w, ``weight_hh`` = u, ``bias_ih`` = b, ``bias_hh`` = 0, rows
i|f|g|o) and one ``forward`` step produces the gates, ``c_t`` and ``h_t``; the pre-activations ``z = w x + u h + b``
and the local slopes (``σ'(z) = s(1-s)``, ``tanh'(z) = 1 - g²``) are added beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine.demos.params import SPECS
from lstm_engine.lstm import LSTM

NAME = "gate-stepper"
GATES = ("i", "f", "g", "o")
#: A bias this large makes a sigmoid gate ~0.9975 ("open"); its negative ~0.0025 ("closed").
OPEN = 6.0
#: Weights this large drive every pre-activation deep into saturation for |x| or |h| of order 1.
SATURATING = 10.0

#: preset -> gate -> (w, u, b).
PRESETS: dict[str, dict[str, tuple[float, float, float]]] = {
    # every gate half open: a bit of everything
    "balanced": {"i": (0.5, 0.5, 0.0), "f": (0.5, 0.5, 0.0), "g": (1.0, 1.0, 0.0), "o": (0.5, 0.5, 0.0)},
    # f open, i closed: c_t keeps c_{t-1} whatever the input
    "remember": {"i": (0.0, 0.0, -OPEN), "f": (0.0, 0.0, OPEN), "g": (1.0, 1.0, 0.0), "o": (0.0, 0.0, OPEN)},
    # f and i closed: the cell is wiped
    "forget": {"i": (0.0, 0.0, -OPEN), "f": (0.0, 0.0, -OPEN), "g": (1.0, 1.0, 0.0), "o": (0.0, 0.0, OPEN)},
    # f closed, i open: the cell is overwritten with the candidate tanh(2 x)
    "write": {"i": (0.0, 0.0, OPEN), "f": (0.0, 0.0, -OPEN), "g": (2.0, 0.0, 0.0), "o": (0.0, 0.0, OPEN)},
    # large weights: gates pinned at 0 or 1, slopes ~0, so gradients through the gates vanish
    "saturate": {gate: (SATURATING, SATURATING, 0.0) for gate in GATES},
}


@dataclass(frozen=True)
class Gate:
    """One gate of the step: its weights, pre-activation ``z = w x + u h + b``, activation and local slope."""

    name: str
    w: float
    u: float
    b: float
    pre: float
    value: float
    #: d value / d pre: s(1-s) for the sigmoid gates, 1 - g² for g.
    slope: float
    #: True when the weight came from an override, not the preset.
    overridden: tuple[bool, bool, bool]


@dataclass(frozen=True)
class GateStepperResult:
    preset: str
    x: float
    h_prev: float
    c_prev: float
    gates: dict[str, Gate]
    #: f_t * c_{t-1}: what survives of the old cell.
    kept: float
    #: i_t * g_t: what is written.
    written: float
    c: float
    tanh_c: float
    h: float


def _weights(
    values: dict[str, object],
) -> dict[str, tuple[tuple[float, float, float], tuple[bool, bool, bool]]]:
    preset = PRESETS[str(values["preset"])]
    out = {}
    for gate in GATES:
        chosen = []
        flags = []
        for k, kind in enumerate("wub"):
            override = values[f"{kind}_{gate}"]
            chosen.append(preset[gate][k] if override is None else float(override))  # type: ignore[arg-type]
            flags.append(override is not None)
        out[gate] = ((chosen[0], chosen[1], chosen[2]), (flags[0], flags[1], flags[2]))
    return out


def run(**args: object) -> GateStepperResult:
    """One LSTM step with the chosen weights. ValueError (naming the parameter and its range) for a bad argument."""
    values = SPECS[NAME].validate(args)
    weights = _weights(values)
    x, h_prev, c_prev = (float(values[k]) for k in ("x", "h_prev", "c_prev"))  # type: ignore[arg-type]

    model = LSTM(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": np.array([[weights[g][0][0]] for g in GATES]),
            "weight_hh_l0": np.array([[weights[g][0][1]] for g in GATES]),
            "bias_ih_l0": np.array([weights[g][0][2] for g in GATES]),
            "bias_hh_l0": np.zeros(len(GATES)),
        }
    )
    state = (np.full((1, 1, 1), h_prev), np.full((1, 1, 1), c_prev))
    step = model.forward(np.full((1, 1, 1), x), state=state)
    found = {name: float(array[0, 0, 0]) for name, array in step.gates[0].items()}

    gates = {}
    for gate in GATES:
        (w, u, b), flags = weights[gate]
        value = found[gate]
        slope = 1.0 - value * value if gate == "g" else value * (1.0 - value)
        gates[gate] = Gate(
            gate, w, u, b, pre=w * x + u * h_prev + b, value=value, slope=slope, overridden=flags
        )
    c = found["c"]
    return GateStepperResult(
        preset=str(values["preset"]),
        x=x,
        h_prev=h_prev,
        c_prev=c_prev,
        gates=gates,
        kept=found["f"] * c_prev,
        written=found["i"] * found["g"],
        c=c,
        tanh_c=float(np.tanh(c)),
        h=found["h"],
    )
