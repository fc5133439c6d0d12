"""Results a caller holds stay intact across later calls, although the engine reuses its buffers for speed.

The models recycle record and result arrays that nothing else references (to avoid page faults); these tests pin
the other half of that contract: anything the caller still holds, whole or as a single view, is never reused.
"""

from __future__ import annotations

import numpy as np
import pytest

import lstm_engine as le

MODELS = {
    "lstm": lambda: le.LSTM(3, 5, num_layers=2, seed=1),
    "lstm-peephole": lambda: le.LSTM(3, 5, num_layers=2, peephole=True, seed=1),
    "gru": lambda: le.GRU(3, 5, num_layers=2, seed=1),
    "rnn": lambda: le.RNN(3, 5, num_layers=2, seed=1),
}


def _snapshot(tree: object) -> object:
    """A deep copy of every array in a run/grads structure (dataclass fields, dicts, tuples, lists)."""
    if isinstance(tree, np.ndarray):
        return tree.copy()
    if isinstance(tree, dict):
        return {k: _snapshot(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_snapshot(v) for v in tree)
    if hasattr(tree, "__dataclass_fields__"):
        return {name: _snapshot(getattr(tree, name)) for name in tree.__dataclass_fields__}
    return tree


def _assert_same(a: object, b: object) -> None:
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("name", sorted(MODELS))
def test_held_runs_and_grads_survive_later_calls(name: str) -> None:
    model = MODELS[name]()
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal((2, 7, 4, 3))
    d1, d2 = rng.standard_normal((2, 7, 4, 5))
    run1 = model.forward(x1)
    grads1 = model.backward(run1, d1)
    held_run = {f: _snapshot(getattr(run1, f)) for f in ("output", "state", "gates")}
    held_grads = {f: _snapshot(getattr(grads1, f)) for f in ("params", "input", "state")}
    for _ in range(3):  # several later calls, so every buffer in a pool gets a chance to be reused
        model.backward(model.forward(x2), d2)
    _assert_same({f: getattr(run1, f) for f in held_run}, held_run)
    _assert_same({f: getattr(grads1, f) for f in held_grads}, held_grads)
    # The held run can still be back-propagated and gives the same gradients as the first time.
    again = model.backward(run1, d1)
    _assert_same({f: getattr(again, f) for f in held_grads}, held_grads)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_single_held_view_survives_later_calls(name: str) -> None:
    """Keeping only ``run.output`` or one gate (views into larger records) must keep their data alive."""
    model = MODELS[name]()
    rng = np.random.default_rng(1)
    x1, x2 = rng.standard_normal((2, 6, 2, 3))
    output = model.forward(x1).output
    gate = model.forward(x1).gates[0]["h"]
    d_input = model.backward(model.forward(x1), np.ones((6, 2, 5))).input
    expected = (output.copy(), gate.copy(), d_input.copy())
    for _ in range(3):
        model.backward(model.forward(x2), np.ones((6, 2, 5)))
    for kept, want in zip((output, gate, d_input), expected, strict=True):
        np.testing.assert_array_equal(kept, want)
