"""The one registry of live demos: names, titles, descriptions and parameters.

Importing this module is cheap (no NumPy, no Rich): the computation lives in ``lstm_engine.demos.<module>.run``
and the rendering in ``quizzer.demos.<module>`` (``render(result)`` and ``key_numbers(result)``); both are
imported on first use. Parameters come from ``lstm_engine.demos.params.SPECS``, the same specs the engine uses
to validate its arguments, so the bank validator, the CLI and the TUI all agree on names and ranges.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lstm_engine.demos.params import SPECS, DemoParams, OnStep
from quizzer.errors import UserError


@dataclass(frozen=True)
class Demo:
    name: str
    title: str
    description: str
    #: Trainings take seconds: the CLI shows a progress bar and the TUI runs them in a worker.
    training: bool = False

    @property
    def module(self) -> str:
        """The module name shared by ``lstm_engine.demos.<module>`` and ``quizzer.demos.<module>``."""
        return self.name.replace("-", "_")

    @property
    def params(self) -> DemoParams:
        return SPECS[self.name]

    def validate(self, args: Mapping[str, object] | None = None) -> dict[str, object]:
        """All arguments, coerced and checked, defaults filled in. ValueError on a bad one."""
        return self.params.validate(args or {})

    def run(self, args: Mapping[str, object] | None = None, on_step: OnStep | None = None) -> Any:
        """Compute the demo. Imports NumPy and the engine on first call."""
        engine = importlib.import_module(f"lstm_engine.demos.{self.module}")
        values = self.validate(args)
        if self.training:
            return engine.run(**values, on_step=on_step)
        return engine.run(**values)

    def _view(self) -> Any:
        return importlib.import_module(f"quizzer.demos.{self.module}")

    def render(self, result: Any) -> Any:
        """The full view of a result, as a Rich renderable (the CLI prints it; the TUI shows it)."""
        return self._view().render(result)

    def key_numbers(self, result: Any) -> list[tuple[str, str]]:
        """Two to six (label, value) pairs that sum the result up, shown inline after a quiz answer."""
        return self._view().key_numbers(result)


REGISTRY: dict[str, Demo] = {
    demo.name: demo
    for demo in (
        Demo("gate-stepper", "LSTM gate stepper",
             "One LSTM step by hand: every pre-activation, i, f, g, o, c_t and h_t beside its equation."),
        Demo("sequence-trace", "Gates over a sequence",
             "An LSTM reads a spike, a step, noise or your sequence: heatmaps of its gates and cell state."),
        Demo("vanishing-gradient", "Vanishing gradients",
             "||dh_T/dh_t|| from real BPTT for an RNN, an LSTM and a GRU on the same input, on a log scale."),
        Demo("forget-bias", "Forget-gate bias",
             "How a forget-gate bias of 0, 1 or 2 changes gradient flow and how long the cell remembers."),
        Demo("exploding-gradient", "Exploding gradients and clipping",
             "An RNN with spectral radius > 1: gradient norms blow up; clipping by global norm bounds the updates.",
             training=True),
        Demo("peephole", "Peephole connections",
             "The same input with and without peepholes: how the gates differ, and honest numbers on a timing task.",
             training=True),
        Demo("gru-vs-lstm", "GRU vs LSTM",
             "Parameter counts by formula and by counting arrays, measured time per step, gradient flow."),
        Demo("masking", "Masking padded batches",
             "A padded batch with and without a mask: only the masked run equals running each sequence alone."),
        Demo("adding-problem", "The adding problem",
             "Train an RNN, an LSTM and a GRU on Hochreiter and Schmidhuber's adding problem; watch the losses.",
             training=True),
        Demo("overfitting", "Overfitting, dropout, early stopping",
             "A small noisy series trained with and without dropout and early stopping: train vs validation loss.",
             training=True),
        Demo("param-count", "Parameter counter",
             "Parameters of an LSTM, GRU or RNN layer stack, with PyTorch's two biases and Keras's one."),
    )
}


def get(name: str) -> Demo:
    """The demo called ``name``; UserError with a "did you mean" hint otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        hint = difflib.get_close_matches(name, REGISTRY, n=1)
        more = f" (did you mean '{hint[0]}'?)" if hint else " (see 'quizzer demo list')"
        raise UserError(f"unknown demo '{name}'{more}") from None


def validators() -> dict[str, Callable[[Mapping[str, object]], None]]:
    """Per-demo argument validators for ``question_bank.load(demos=...)``; each raises ValueError."""
    return {name: demo.validate for name, demo in REGISTRY.items()}
