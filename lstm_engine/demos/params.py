"""Every demo's parameters: names, kinds, defaults and inclusive ranges. The single source of truth.

This module imports no NumPy, so the app can list demos, show their controls and validate a question bank's demo
links without paying for the numerical stack. Each demo's ``run`` calls ``SPECS[name].validate(args)`` first; the
app's registry and the bank validator use the same specs.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

KINDS = ("int", "float", "bool", "choice", "floats", "ints")

#: A training demo's progress callback: ``on_step(done, total, metrics)``; returning True cancels the run, which
#: then returns its partial result with ``cancelled=True``.
OnStep = Callable[[int, int, dict[str, float]], "bool | None"]
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


@dataclass(frozen=True)
class Param:
    """One demo parameter. ``low``/``high`` bound int and float values (each element of floats/ints), inclusive."""

    name: str
    kind: str
    default: object
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    #: Smallest number of elements for ``floats``/``ints``; the largest is ``max_len``.
    min_len: int = 1
    max_len: int = 64

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown parameter kind {self.kind!r}")

    @property
    def range_text(self) -> str:
        """The allowed values in words, as error messages and the UI show them."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        bounds = f"[{_fmt(self.low)}, {_fmt(self.high)}]" if self.low is not None else ""
        if self.kind == "int":
            return f"an integer in {bounds}".strip()
        if self.kind == "float":
            return f"a number in {bounds}".strip()
        noun = "integers" if self.kind == "ints" else "numbers"
        return f"{self.min_len} to {self.max_len} comma-separated {noun} in {bounds}".strip()

    def _bad(self, value: object) -> ValueError:
        return ValueError(f"{self.name} must be {self.range_text}, got {value!r}")

    def _number(self, value: object, integer: bool) -> float | int:
        if isinstance(value, bool):
            raise self._bad(value)
        if isinstance(value, str):
            text = value.strip()
            try:
                number: float | int = int(text) if integer else float(text)
            except ValueError:
                if integer:
                    try:
                        as_float = float(text)
                    except ValueError:
                        raise self._bad(value) from None
                    if not as_float.is_integer():
                        raise self._bad(value) from None
                    number = int(as_float)
                else:
                    raise self._bad(value) from None
        elif isinstance(value, int):
            number = value if integer else float(value)
        elif isinstance(value, float):
            if integer:
                if not value.is_integer():
                    raise self._bad(value)
                number = int(value)
            else:
                number = value
        else:
            raise self._bad(value)
        if isinstance(number, float) and not math.isfinite(number):
            raise self._bad(value)
        if self.low is not None and number < self.low:
            raise self._bad(value)
        if self.high is not None and number > self.high:
            raise self._bad(value)
        return number

    def coerce(self, value: object) -> object:
        """Return ``value`` as this parameter's type, accepting the string form ``quizzer demo --set`` passes.

        Raises ValueError naming the parameter and its allowed range."""
        if self.kind == "int":
            return self._number(value, integer=True)
        if self.kind == "float":
            return self._number(value, integer=False)
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise self._bad(value)
        if self.kind == "choice":
            if isinstance(value, str) and value.strip() in self.choices:
                return value.strip()
            raise self._bad(value)
        # floats / ints
        if isinstance(value, str):
            items: list[object] = [v for v in value.replace(",", " ").split() if v]
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            raise self._bad(value)
        if not self.min_len <= len(items) <= self.max_len:
            raise self._bad(value)
        integer = self.kind == "ints"
        try:
            return tuple(self._number(item, integer=integer) for item in items)
        except ValueError:
            raise self._bad(value) from None


@dataclass(frozen=True)
class DemoParams:
    """The parameters of one demo."""

    name: str
    params: tuple[Param, ...]

    def __getitem__(self, key: str) -> Param:
        for param in self.params:
            if param.name == key:
                return param
        raise KeyError(key)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def defaults(self) -> dict[str, object]:
        return {p.name: p.default for p in self.params}

    def validate(self, args: Mapping[str, object] | None = None) -> dict[str, object]:
        """Return every parameter's value: ``args`` coerced and checked, defaults for the rest.

        Raises ValueError on an unknown name (with a "did you mean" hint) or a value out of range. A default of
        ``None`` means "decided by the demo" (for example a preset's weight) and is passed through as ``None``."""
        values = self.defaults()
        for key, value in (args or {}).items():
            if key not in values:
                hint = difflib.get_close_matches(str(key), self.names, n=1)
                more = f" (did you mean '{hint[0]}'?)" if hint else f" (expected one of: {', '.join(self.names)})"
                raise ValueError(f"{self.name}: unknown parameter '{key}'{more}")
            values[key] = None if value is None and self[key].default is None else self[key].coerce(value)
        return values


def _seed() -> Param:
    return Param("seed", "int", 0, 0, 2**31 - 1, help="random seed: the same seed gives the same numbers")


def _hidden(default: int, high: int = 64, low: int = 1) -> Param:
    return Param("hidden_size", "int", default, low, high, help="hidden units H")


def _seq_len(default: int, low: int, high: int) -> Param:
    return Param("seq_len", "int", default, low, high, help="sequence length T")


_GATE_WEIGHTS = tuple(
    Param(f"{kind}_{gate}", "float", None, -20.0, 20.0, help=f"{label} of the {gate} gate (default: the preset's)")
    for gate in "ifgo"
    for kind, label in (("w", "input weight"), ("u", "recurrent weight"), ("b", "bias"))
)

SPECS: dict[str, DemoParams] = {
    spec.name: spec
    for spec in (
        DemoParams(
            "gate-stepper",
            (
                Param(
                    "preset",
                    "choice",
                    "balanced",
                    choices=("balanced", "remember", "forget", "write", "saturate"),
                    help="a set of 1-unit weights that shows one behaviour of the cell",
                ),
                Param("x", "float", 1.0, -1e6, 1e6, help="input x_t"),
                Param("h_prev", "float", 0.0, -1.0, 1.0, help="previous hidden state h_{t-1}"),
                Param("c_prev", "float", 0.5, -1e3, 1e3, help="previous cell state c_{t-1}"),
                *_GATE_WEIGHTS,
            ),
        ),
        DemoParams(
            "sequence-trace",
            (
                Param("pattern", "choice", "spike", choices=("spike", "step", "noise", "sine", "custom"),
                      help="the input signal"),
                Param("values", "floats", (0.0, 1.0, 0.0, 0.0, -1.0, 0.0), -100.0, 100.0,
                      help="the input when pattern=custom", max_len=200),
                _seq_len(20, 2, 200),
                _hidden(4, 16),
                Param("forget_bias", "float", 1.0, -10.0, 10.0, help="bias of the forget gate"),
                _seed(),
            ),
        ),
        DemoParams(
            "vanishing-gradient",
            (
                _seq_len(50, 5, 300),
                _hidden(16, 128, 2),
                Param("weight_scale", "float", 1.0, 0.05, 3.0,
                      help="spectral radius of the recurrent weight matrices"),
                # 2 rather than Jozefowicz et al.'s 1: at 1 (f ~ 0.73) whether an untrained LSTM beats the RNN
                # depends on the seed; at 2 (f ~ 0.88) it does for every seed, which is the point of the demo.
                Param("forget_bias", "float", 2.0, -10.0, 10.0, help="LSTM forget-gate bias"),
                _seed(),
            ),
        ),
        DemoParams(
            "forget-bias",
            (
                Param("biases", "floats", (0.0, 1.0, 2.0), -10.0, 10.0, help="forget-gate biases to compare",
                      max_len=6),
                _seq_len(50, 5, 300),
                _hidden(8, 128, 2),
                _seed(),
            ),
        ),
        DemoParams(
            "exploding-gradient",
            (
                Param("spectral_radius", "float", 1.8, 0.1, 5.0, help="spectral radius of the RNN's W_hh"),
                _seq_len(40, 5, 200),
                _hidden(32, 64, 2),
                Param("max_norm", "float", 1.0, 0.01, 100.0, help="clip the global gradient norm to this"),
                Param("train_steps", "int", 150, 10, 2000, help="SGD steps for the loss curves"),
                Param("lr", "float", 0.1, 1e-5, 10.0, help="learning rate"),
                _seed(),
            ),
        ),
        DemoParams(
            "peephole",
            (
                _seq_len(30, 5, 200),
                _hidden(8, 64),
                Param("train_steps", "int", 300, 0, 5000, help="Adam steps on the timing task (0: skip)"),
                _seed(),
            ),
        ),
        DemoParams(
            "gru-vs-lstm",
            (
                Param("input_size", "int", 32, 1, 2048, help="input features X"),
                _hidden(32, 2048),
                _seq_len(30, 5, 500),
                Param("batch_size", "int", 16, 1, 512, help="batch size B for the timing"),
                _seed(),
            ),
        ),
        DemoParams(
            "masking",
            (
                Param("lengths", "ints", (6, 4, 2), 1, 50, help="true lengths of the sequences in the batch",
                      max_len=8),
                _hidden(4, 32),
                _seed(),
            ),
        ),
        DemoParams(
            "adding-problem",
            (
                _seq_len(50, 10, 200),
                _hidden(32, 256, 2),
                Param("iterations", "int", 3000, 1, 100000, help="training iterations (Adam steps)"),
                Param("batch_size", "int", 32, 1, 1024, help="sequences per step"),
                Param("lr", "float", 0.02, 1e-5, 1.0, help="Adam learning rate"),
                Param("models", "choice", "all", choices=("all", "lstm", "gru", "rnn"), help="which models to train"),
                Param("target_mse", "float", 0.01, 0.0, 1.0,
                      help="stop once the LSTM's held-out MSE is below this (0: train every iteration)"),
                _seed(),
            ),
        ),
        DemoParams(
            "overfitting",
            (
                _hidden(32, 256, 2),
                Param("dropout", "float", 0.3, 0.0, 0.9, help="dropout on the LSTM output"),
                Param("epochs", "int", 150, 1, 5000, help="full-batch training epochs"),
                Param("patience", "int", 15, 1, 1000, help="early stopping: epochs without improvement"),
                Param("noise", "float", 0.3, 0.0, 5.0, help="noise added to the series"),
                _seed(),
            ),
        ),
        DemoParams(
            "param-count",
            (
                Param("cell", "choice", "lstm", choices=("lstm", "gru", "rnn"), help="recurrent cell"),
                Param("input_size", "int", 10, 1, 1_000_000, help="input features X"),
                _hidden(20, 1_000_000),
                Param("num_layers", "int", 1, 1, 64, help="stacked layers"),
                Param("bidirectional", "bool", False, help="two directions per layer"),
                Param("proj_size", "int", 0, 0, 1_000_000, help="LSTM projection size (0: none)"),
            ),
        ),
    )
}
