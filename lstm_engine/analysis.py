"""Gradient-flow analysis from real BPTT: how much of ``h_T`` (or ``c_T``) each earlier step can still move.

Every function here runs the model's own ``forward`` and ``backward``; nothing is approximated. The trick that
turns one backward pass into a whole Jacobian: replicate the single input sequence ``H`` times along the batch
axis and seed sequence ``b`` with the unit vector ``e_b`` at the last step. Then ``grads.hidden[top][t, b]`` is row
``b`` of ``dh_T/dh_t`` for every ``t`` at once (and ``grads.cell`` gives ``dc_T/dc_t`` when the seed is on
``c_T``).

Shapes: ``T`` steps, ``X`` input features, ``H`` hidden units, ``L`` layers. Inputs are one sequence, ``(T, X)`` or
``(T, 1, X)``; an initial state, if given, is shaped as the model's ``forward`` takes it with batch 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


def _one_sequence(model: Any, x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=model.dtype)
    if arr.ndim == 2:
        arr = arr[:, None, :]
    if arr.ndim != 3 or arr.shape[1] != 1:
        raise ValueError(f"x must be one sequence of shape (T, X) or (T, 1, X), got shape {np.shape(x)}")
    return arr


def _replicate(model: Any, x: Any, state: Any) -> tuple[np.ndarray, Any]:
    """``x`` and ``state`` repeated ``H`` times along the batch axis."""
    copies = model.hidden_size
    xs = np.repeat(_one_sequence(model, x), copies, axis=1)
    if state is None:
        return xs, None
    if isinstance(state, (tuple, list)):
        return xs, tuple(np.repeat(np.asarray(s, dtype=model.dtype), copies, axis=1) for s in state)
    return xs, np.repeat(np.asarray(state, dtype=model.dtype), copies, axis=1)


def _unit_seeds(model: Any) -> np.ndarray:
    """``(H, H)`` identity in the model's dtype: sequence ``b`` is seeded with ``e_b``."""
    return np.eye(model.hidden_size, dtype=model.dtype)


def hidden_jacobians(model: Any, x: Any, state: Any = None) -> np.ndarray:
    """``(T, H, H)``: ``J[t] = dh_T/dh_t`` of the top layer (row ``b``: how ``h_T[b]`` moves with ``h_t``), from
    one real backward pass. ``J[T-1]`` is the identity. For an LSTM ``h_t`` is varied with ``c_t`` held fixed, as
    ``grads.hidden`` defines it."""
    xs, states = _replicate(model, x, state)
    run = model.forward(xs, state=states)
    steps = xs.shape[0]
    d_output = np.zeros((steps, model.hidden_size, model.hidden_size), dtype=model.dtype)
    d_output[-1] = _unit_seeds(model)
    grads = model.backward(run, d_output)
    return grads.hidden[-1]


def hidden_jacobian_norms(model: Any, x: Any, state: Any = None) -> np.ndarray:
    """``(T,)``: the Frobenius norm ``||dh_T/dh_t||`` of the top layer for every ``t``, from real BPTT."""
    jac = hidden_jacobians(model, x, state)
    return np.sqrt(np.einsum("tij,tij->t", jac, jac))


def cell_jacobians(model: Any, x: Any, state: Any = None) -> np.ndarray:
    """LSTM only. ``(T, H, H)``: ``dc_T/dc_t`` of the top layer through every path (the cell's own ``f`` path and
    the detour through ``h_t = o_t * tanh(c_t)`` and the next gates), from one real backward pass seeded on
    ``c_T``: ``c_t`` is varied before ``h_t`` is formed from it, as ``grads.cell`` defines it."""
    if getattr(model, "_STATES", 1) != 2:
        raise ValueError(f"cell Jacobians need an LSTM, got {type(model).__name__}")
    xs, states = _replicate(model, x, state)
    run = model.forward(xs, state=states)
    shape = (model.num_layers, model.hidden_size, model.hidden_size)
    d_c = np.zeros(shape, dtype=model.dtype)
    d_c[-1] = _unit_seeds(model)
    grads = model.backward(run, None, (np.zeros(shape, dtype=model.dtype), d_c))
    return grads.cell[-1]


def cell_jacobian_norms(model: Any, x: Any, state: Any = None) -> np.ndarray:
    """LSTM only. ``(T,)``: ``||dc_T/dc_t||`` (Frobenius, top layer, all paths), from real BPTT."""
    jac = cell_jacobians(model, x, state)
    return np.sqrt(np.einsum("tij,tij->t", jac, jac))


def forget_products(forget: np.ndarray) -> np.ndarray:
    """``(T, H)`` from forget gates ``(T, H)``: ``prod_{s=t+1}^{T-1} f_s``, the direct cell path of
    ``dc_T/dc_t`` (the "constant error carousel": ``c_s = f_s * c_{s-1} + ...``), 1 at the last step."""
    f = np.asarray(forget)
    out = np.ones_like(f)
    if len(f) > 1:
        # reverse cumulative product of f[t+1:], shifted so that out[t] excludes f[t]
        out[:-1] = np.cumprod(f[:0:-1], axis=0)[::-1]
    return out


def cell_path_norms(model: Any, x: Any, state: Any = None) -> np.ndarray:
    """LSTM only. ``(T,)``: the Frobenius norm of the direct cell path of ``dc_T/dc_t``, ``diag(prod f)``, read
    from the forget gates of a real forward pass (top layer)."""
    run = model.forward(_one_sequence(model, x), state=state)
    products = forget_products(run.gates[-1]["f"][:, 0, :])
    return np.sqrt(np.sum(np.square(products), axis=1))


@dataclass(frozen=True)
class LSTMGradientFlow:
    """Both Jacobian norms of an LSTM and its gates on one sequence, from a single forward and backward pass."""

    #: (T,) ||dh_T/dh_t|| and ||dc_T/dc_t|| (top layer, Frobenius).
    hidden_norms: np.ndarray
    cell_norms: np.ndarray
    #: name -> (T, H): the top layer's gates and states on the sequence (``i f g o c h``).
    gates: dict[str, np.ndarray]


def lstm_gradient_flow(model: Any, x: Any, state: Any = None) -> LSTMGradientFlow:
    """LSTM only. ``hidden_jacobian_norms`` and ``cell_jacobian_norms`` in one pass: the sequence is replicated
    2H times; the first H copies are seeded on ``h_T``, the other H on ``c_T`` (copies never interact)."""
    if getattr(model, "_STATES", 1) != 2:
        raise ValueError(f"LSTM gradient flow needs an LSTM, got {type(model).__name__}")
    hidden = model.hidden_size
    xs, states = _replicate(model, x, state)
    xs = np.concatenate([xs, xs], axis=1)
    if states is not None:
        states = tuple(np.concatenate([s, s], axis=1) for s in states)
    run = model.forward(xs, state=states)
    steps = xs.shape[0]
    d_output = np.zeros((steps, 2 * hidden, hidden), dtype=model.dtype)
    d_output[-1, :hidden] = _unit_seeds(model)
    d_c = np.zeros((model.num_layers, 2 * hidden, hidden), dtype=model.dtype)
    d_c[-1, hidden:] = _unit_seeds(model)
    grads = model.backward(run, d_output, (np.zeros_like(d_c), d_c))
    dh = grads.hidden[-1][:, :hidden]
    dc = grads.cell[-1][:, hidden:]
    return LSTMGradientFlow(
        hidden_norms=np.sqrt(np.einsum("tij,tij->t", dh, dh)),
        cell_norms=np.sqrt(np.einsum("tij,tij->t", dc, dc)),
        gates={name: values[:, 0, :].copy() for name, values in run.gates[-1].items()},
    )
