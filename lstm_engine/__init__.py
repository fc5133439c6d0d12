"""lstm_engine: vectorized NumPy RNN, LSTM and GRU with exact BPTT, matching PyTorch's equations and names.

Names are re-exported lazily (PEP 562) so that importing a light submodule such as ``lstm_engine.demos.params``
does not import NumPy; the app's first frame depends on that.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "RNN": "lstm_engine.rnn",
    "LSTM": "lstm_engine.lstm",
    "GRU": "lstm_engine.gru",
    "Run": "lstm_engine.base",
    "Grads": "lstm_engine.base",
    "Linear": "lstm_engine.nn",
    "mse_loss": "lstm_engine.nn",
    "cross_entropy": "lstm_engine.nn",
    "clip_grad_norm": "lstm_engine.optim",
    "SGD": "lstm_engine.optim",
    "Adam": "lstm_engine.optim",
    "set_num_threads": "lstm_engine.parallel",
    "get_num_threads": "lstm_engine.parallel",
}
_SUBMODULES = ("tasks", "analysis", "demos", "parallel")

__all__ = sorted([*_EXPORTS, *_SUBMODULES])  # noqa: PLE0605 (derived, so it cannot drift from _EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"lstm_engine.{name}")
    raise AttributeError(f"module 'lstm_engine' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
