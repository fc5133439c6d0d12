"""GRU with PyTorch's ``nn.GRU`` equations (reset-after form), parameter names and gate row order r|z|n.

    r = σ(W_ir x + b_ir + W_hr h_{t-1} + b_hr)
    z = σ(W_iz x + b_iz + W_hz h_{t-1} + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

σ and tanh come from the overflow-free exp-based kernels of :mod:`lstm_engine._activations`; the factors -1 (r, z)
and -2 (n) those kernels need are folded into the rows of the weight copies used in the step loop (exact: powers of
two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_engine._activations import EXP_CLAMP, SIGMOID_SCALE, TANH_SCALE, sigmoid_, tanh_
from lstm_engine.base import Grads, RecurrentModel, Run, _LayerGrads, _Mask

__all__ = ["GRU", "Run", "Grads"]

_R, _Z, _N = range(3)  # PyTorch's block order
_SIGMOID_BLOCKS = 2  # r, z


@dataclass
class _GRULayer:
    """One layer's forward record.

    ``x`` ``(T, B, X)``; ``act`` ``(T, B, 3H)`` gate values r|z|n; ``hs`` ``(T+1, B, H)`` states with index 0 the
    initial state; ``hn`` ``(T, B, H)`` ``TANH_SCALE * (W_hn h_{t-1} + b_hn)``; ``w_ih`` ``(3H, X)``, ``w_hh`` ``(3H, H)`` the
    weights used.
    """

    x: np.ndarray
    act: np.ndarray
    hs: np.ndarray
    hn: np.ndarray
    w_ih: np.ndarray
    w_hh: np.ndarray
    output: np.ndarray
    final: tuple[np.ndarray, ...]
    gates: dict[str, np.ndarray]


class GRU(RecurrentModel):
    """Multi-layer GRU (time-major), exact BPTT; see :mod:`lstm_engine.base` for the API."""

    _GATES = 3
    _STATES = 1

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, dtype: Any = np.float64, seed: int = 0
    ) -> None:
        super().__init__(input_size, hidden_size, num_layers, dtype=dtype, seed=seed)
        scale = np.full((3, self.hidden_size), TANH_SCALE, dtype=self.dtype)
        scale[:_SIGMOID_BLOCKS] = SIGMOID_SCALE
        self._scale = scale.reshape(-1)  # (3H,) row factors for the exp-based kernels

    def _layer_forward(
        self, layer: int, x: np.ndarray, init: tuple[np.ndarray, ...], mask: _Mask | None
    ) -> _GRULayer:
        p = self._layer_params(layer)
        steps, batch, width = x.shape
        hidden = self.hidden_size
        sig = _SIGMOID_BLOCKS * hidden
        scale = self._scale
        w_ih, w_hh = p["weight_ih"].copy(), p["weight_hh"].copy()
        w_hh_t = np.ascontiguousarray((w_hh * scale[:, None]).T)  # (H, 3H), rows scaled for the kernels
        bias = p["bias_ih"].copy()
        bias[:sig] += p["bias_hh"][:sig]  # b_hn stays inside r ⊙ (...)
        b_hn = p["bias_hh"][sig:] * TANH_SCALE
        act = np.matmul(x.reshape(steps * batch, width), (w_ih * scale[:, None]).T)
        act += bias * scale
        act = act.reshape(steps, batch, 3 * hidden)
        hs = np.empty((steps + 1, batch, hidden), dtype=self.dtype)
        hs[0] = init[0]
        hn = np.empty((steps, batch, hidden), dtype=self.dtype)
        rec = np.empty((batch, 3 * hidden), dtype=self.dtype)
        tmp = np.empty((batch, hidden), dtype=self.dtype)
        clamp = EXP_CLAMP[self.dtype]
        padded = mask.padded_steps if mask is not None else None
        for t in range(steps):
            a = act[t]
            np.matmul(hs[t], w_hh_t, out=rec)
            s = a[:, :sig]
            np.add(s, rec[:, :sig], out=s)
            sigmoid_(s, clamp)
            np.add(rec[:, sig:], b_hn, out=hn[t])
            n = a[:, sig:]
            np.multiply(a[:, :hidden], hn[t], out=tmp)
            np.add(n, tmp, out=n)
            tanh_(n, clamp)
            np.subtract(hs[t], n, out=tmp)
            np.multiply(tmp, a[:, hidden:sig], out=tmp)
            np.add(n, tmp, out=hs[t + 1])
            if padded is not None and padded[t]:
                np.copyto(hs[t + 1], hs[t], where=mask.pad[t])
        states = hs[1:]
        if mask is None:
            output = states
        else:
            output = states * mask.keep
            act *= mask.keep  # report gates as 0 where the cell did not run
        blocks = act.reshape(steps, batch, 3, hidden)
        gates = {"r": blocks[:, :, _R], "z": blocks[:, :, _Z], "n": blocks[:, :, _N], "h": states}
        return _GRULayer(
            x=x, act=act, hs=hs, hn=hn, w_ih=w_ih, w_hh=w_hh, output=output, final=(hs[steps],), gates=gates
        )

    def _layer_backward(
        self, record: _GRULayer, d_out: np.ndarray, d_final: tuple[np.ndarray, ...], mask: _Mask | None
    ) -> _LayerGrads:
        x, act, hs, hn = record.x, record.act, record.hs, record.hn
        steps, batch, width = x.shape
        hidden = self.hidden_size
        blocks = act.reshape(steps, batch, 3, hidden)
        r, z, n = (blocks[:, :, k] for k in (_R, _Z, _N))
        # d4[t] = [dA_r, dA_z, dA_n ⊙ r, dA_n]: the first three are dL/d(W_hh h + b_hh) (the h side), and
        # r|z|n with the last one are dL/d(W_ih x + b_ih). Before the loop they hold the local factors:
        # r: (W_hn h + b_hn)·σ'(a_r) (times dA_n)   z: (h_{t-1} - n)·σ'(a_z)   n' = r (times dA_n)
        # n: (1 - z)·tanh'(a_n)   (z and n are then multiplied by dL/dh_t)
        d4 = np.empty((steps, batch, 4, hidden), dtype=self.dtype)
        fr, fz, fr2, fn = (d4[:, :, k] for k in range(4))
        np.subtract(1.0, r, out=fr)
        fr *= r
        fr *= hn
        fr *= 1.0 / TANH_SCALE  # hn was stored scaled
        np.subtract(1.0, z, out=fz)
        fz *= z
        np.subtract(hs[:-1], n, out=fr2)  # scratch
        fz *= fr2
        fr2[...] = r
        np.square(n, out=fn)
        np.subtract(1.0, fn, out=fn)
        one_minus_z = np.subtract(1.0, z)
        fn *= one_minus_z
        if mask is not None:
            fn *= mask.keep  # the only factor not already 0 where the cell did not run
        # dh_{t-1} gets dh_t·z directly; where the cell did not run it gets dh_t (z is 0 there, so add 1).
        keep_z = z if mask is None else z + mask.pad
        d_h = d_out
        carry = d_final[0].copy()
        tmp = np.empty((batch, hidden), dtype=self.dtype)
        w_hh = record.w_hh
        h_side = d4.reshape(steps, batch, 4 * hidden)[:, :, : 3 * hidden]
        for t in range(steps - 1, -1, -1):
            dh = d_h[t]
            np.add(dh, carry, out=dh)
            da = d4[t]
            np.multiply(dh[:, None, :], da[:, 1::2], out=da[:, 1::2])  # z, n
            np.multiply(da[:, 3:], da[:, 0:3:2], out=da[:, 0:3:2])  # r, n'
            np.matmul(h_side[t], w_hh, out=carry)
            np.multiply(dh, keep_z[t], out=tmp)
            np.add(carry, tmp, out=carry)
        h_flat = h_side.reshape(steps * batch, 3 * hidden)
        x_flat = d4[:, :, (_R, _Z, 3)].reshape(steps * batch, 3 * hidden)
        params = {
            "weight_ih": x_flat.T @ x.reshape(steps * batch, width),
            "weight_hh": h_flat.T @ hs[:-1].reshape(steps * batch, hidden),
            "bias_ih": x_flat.sum(axis=0),
            "bias_hh": h_flat.sum(axis=0),
        }
        d_input = (x_flat @ record.w_ih).reshape(steps, batch, width)
        return _LayerGrads(d_input=d_input, d_init=(carry,), params=params, hidden=d_h)
