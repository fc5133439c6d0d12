"""Elman RNN with tanh, PyTorch's ``nn.RNN`` equations and parameter names.

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)

tanh comes from the overflow-free exp-based kernel of :mod:`lstm_engine._activations`; the factor -2 it needs is
folded into the weight copies used in the step loop (exact: a power of two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_engine._activations import TANH_SCALE, overflow_ok, tanh_
from lstm_engine.base import Grads, RecurrentModel, Run, _LayerGrads, _Mask

__all__ = ["RNN", "Grads", "Run"]


@dataclass
class _RNNLayer:
    """One layer's forward record. ``hs`` ``(T+1, B, H)``: ``hs[0]`` the initial state, ``hs[t+1]`` the state
    after step ``t``; ``w_ih`` ``(H, X)`` and ``w_hh`` ``(H, H)`` copies of the weights used."""

    x: np.ndarray
    hs: np.ndarray
    w_ih: np.ndarray
    w_hh: np.ndarray
    output: np.ndarray
    final: tuple[np.ndarray, ...]
    gates: dict[str, np.ndarray]


class RNN(RecurrentModel):
    """Multi-layer tanh RNN (time-major), exact BPTT; see :mod:`lstm_engine.base` for the API."""

    _GATES = 1
    _STATES = 1

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, dtype: Any = np.float64, seed: int = 0
    ) -> None:
        super().__init__(input_size, hidden_size, num_layers, dtype=dtype, seed=seed)

    def _layer_forward(
        self, layer: int, x: np.ndarray, init: tuple[np.ndarray, ...], mask: _Mask | None
    ) -> _RNNLayer:
        p = self._layer_params(layer)
        steps, batch, width = x.shape
        w_ih, w_hh = p["weight_ih"].copy(), p["weight_hh"].copy()
        w_hh_t = np.ascontiguousarray(w_hh.T * TANH_SCALE)  # (H, H) scaled for the kernel
        pre = np.matmul(x.reshape(steps * batch, width), w_ih.T * TANH_SCALE).reshape(steps, batch, -1)
        pre += (p["bias_ih"] + p["bias_hh"]) * TANH_SCALE
        hs = np.empty((steps + 1, batch, self.hidden_size), dtype=self.dtype)
        hs[0] = init[0]
        padded = mask.padded_steps if mask is not None else None
        with overflow_ok():
            for t in range(steps):
                h = hs[t + 1]
                np.matmul(hs[t], w_hh_t, out=h)
                np.add(h, pre[t], out=h)
                tanh_(h)
                if padded is not None and padded[t]:
                    np.copyto(h, hs[t], where=mask.pad[t])
        states = hs[1:]
        output = states if mask is None else states * mask.keep
        return _RNNLayer(
            x=x, hs=hs, w_ih=w_ih, w_hh=w_hh, output=output, final=(hs[steps],), gates={"h": states}
        )

    def _layer_backward(
        self,
        record: _RNNLayer,
        d_out: np.ndarray,
        d_final: tuple[np.ndarray, ...],
        mask: _Mask | None,
        scratch: dict[str, np.ndarray],
    ) -> _LayerGrads:
        hs, x = record.hs, record.x
        steps, batch, width = x.shape
        d_h = d_out.copy()  # (T, B, H) (d_out is read-only), becomes dL/dh_t in total
        d_pre = np.square(hs[1:])  # (T, B, H): dL/d(pre-activation) after the loop; 1 - h^2 first
        np.subtract(1.0, d_pre, out=d_pre)
        if mask is not None:
            d_pre *= mask.keep
        padded = mask.padded_steps if mask is not None else None
        carry = d_final[0].copy()  # dL/dh_{t} from step t+1 (and from d_state at t = T-1)
        w_hh = record.w_hh
        for t in range(steps - 1, -1, -1):
            dh = d_h[t]
            np.add(dh, carry, out=dh)
            np.multiply(d_pre[t], dh, out=d_pre[t])
            np.matmul(d_pre[t], w_hh, out=carry)
            if padded is not None and padded[t]:
                np.copyto(carry, dh, where=mask.pad[t])
        flat = d_pre.reshape(steps * batch, -1)
        d_bias = flat.sum(axis=0)
        params = {
            "weight_ih": flat.T @ x.reshape(steps * batch, width),
            "weight_hh": flat.T @ hs[:-1].reshape(steps * batch, -1),
            "bias_ih": d_bias,
            "bias_hh": d_bias.copy(),
        }
        d_input = (flat @ record.w_ih).reshape(steps, batch, width)
        return _LayerGrads(d_input=d_input, d_init=(carry,), params=params, hidden=d_h)
