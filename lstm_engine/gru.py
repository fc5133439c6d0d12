"""GRU with PyTorch's ``nn.GRU`` equations (reset-after form), parameter names and gate row order r|z|n.

    r = σ(W_ir x + b_ir + W_hr h_{t-1} + b_hr)
    z = σ(W_iz x + b_iz + W_hz h_{t-1} + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

σ and tanh come from the overflow-free exp-based kernels of :mod:`lstm_engine._activations`; the factors -1 (r, z)
and -2 (n) those kernels need are folded into the rows of the weight copies used in the step loop (exact: powers of
two). The loops work unit-major, see :mod:`lstm_engine.base`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_engine._activations import SIGMOID_SCALE, TANH_SCALE, overflow_ok, sigmoid_, tanh_
from lstm_engine.base import (
    Grads,
    RecurrentModel,
    Run,
    _LayerGrads,
    _Mask,
    _project,
    _scratch_array,
    _time_major,
)

__all__ = ["GRU", "Grads", "Run"]

_R, _Z, _N = range(3)  # PyTorch's block order
_SIGMOID_BLOCKS = 2  # r, z
# Backward blocks per step: dL/d(W_hn h + b_hn) = dA_n·r, then dA_r, dA_z, dA_n. Blocks 0-2 are the h side (with
# W_hh's rows permuted to n|r|z), blocks 1-3 the x side in PyTorch's order r|z|n: both contiguous.
_NH, _DR, _DZ, _DN = range(4)


@dataclass
class _GRULayer:
    """One layer's forward record (unit-major).

    ``layer`` the layer's index; ``x`` ``(T, B, X)`` the layer's input; ``act`` ``(T, 3H, B)`` gate values r|z|n; ``hs`` ``(T+1, H, B)``
    states with index 0 the initial state; ``states`` = ``hs`` as ``(T+1, B, H)``; ``hn`` ``(T, H, B)``
    ``TANH_SCALE * (W_hn h_{t-1} + b_hn)``; ``w_ih`` ``(3H, X)``, ``w_hh`` ``(3H, H)`` the weights used.
    """

    layer: int
    x: np.ndarray
    act: np.ndarray
    hs: np.ndarray
    states: np.ndarray
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
        steps, batch, _ = x.shape
        hidden = self.hidden_size
        sig = _SIGMOID_BLOCKS * hidden
        scale = self._scale
        w_ih, w_hh = p["weight_ih"].copy(), p["weight_hh"].copy()
        w_hh_s = w_hh * scale[:, None]  # (3H, H), rows scaled for the kernels
        bias = p["bias_ih"].copy()
        bias[:sig] += p["bias_hh"][:sig]  # b_hn stays inside r ⊙ (...)
        b_hn = (p["bias_hh"][sig:] * TANH_SCALE)[:, None]
        act = _project(  # (T, 3H, B)
            w_ih * scale[:, None],
            bias * scale,
            x,
            self._array(f"act_l{layer}", (steps, 3 * hidden, batch)),
            self._array(f"x_ones_l{layer}", (steps, x.shape[2] + 1, batch)),
        )
        hs = self._array(f"hs_l{layer}", (steps + 1, hidden, batch))
        hs[0] = init[0].T
        hn = self._array(f"hn_l{layer}", (steps, hidden, batch))
        rec = np.empty((3 * hidden, batch), dtype=self.dtype)
        tmp = np.empty((hidden, batch), dtype=self.dtype)
        padded = mask.padded_steps if mask is not None else None
        with overflow_ok():
            for t in range(steps):
                a = act[t]
                np.matmul(w_hh_s, hs[t], out=rec)
                s = a[:sig]
                np.add(s, rec[:sig], out=s)
                sigmoid_(s)
                np.add(rec[sig:], b_hn, out=hn[t])
                n = a[sig:]
                np.multiply(a[:hidden], hn[t], out=tmp)
                np.add(n, tmp, out=n)
                tanh_(n)
                np.subtract(hs[t], n, out=tmp)
                np.multiply(tmp, a[hidden:sig], out=tmp)
                np.add(n, tmp, out=hs[t + 1])
                if padded is not None and padded[t]:
                    np.copyto(hs[t + 1], hs[t], where=mask.pad_units[t])
        states = _time_major(hs, self._array(f"states_l{layer}", (steps + 1, batch, hidden)))
        if mask is None:
            output = states[1:]
        else:
            output = states[1:] * mask.keep
            act *= mask.keep_units  # report gates as 0 where the cell did not run
        blocks = act.reshape(steps, 3, hidden, batch).transpose(0, 1, 3, 2)  # (T, 3, B, H) views
        gates = {"r": blocks[:, _R], "z": blocks[:, _Z], "n": blocks[:, _N], "h": states[1:]}
        return _GRULayer(
            layer=layer,
            x=x,
            act=act,
            hs=hs,
            states=states,
            hn=hn,
            w_ih=w_ih,
            w_hh=w_hh,
            output=output,
            final=(states[steps],),
            gates=gates,
        )

    def _layer_backward(
        self,
        record: _GRULayer,
        d_out: np.ndarray,
        d_final: tuple[np.ndarray, ...],
        mask: _Mask | None,
        scratch: dict[str, np.ndarray],
    ) -> _LayerGrads:
        x, act = record.x, record.act
        steps, batch, width = x.shape
        hidden = self.hidden_size
        layer = record.layer
        d_h = self._array(f"d_h_l{layer}", (steps, hidden, batch))  # becomes dL/dh_t in total
        np.copyto(d_h, d_out.transpose(0, 2, 1))  # a copy: d_out is read-only
        flat = _scratch_array(
            scratch, "flat", (4 * hidden, steps, batch), self.dtype
        )  # blocks n'|r|z|n, for the GEMMs
        blocks = self._time_blocks(steps, 4 * hidden * batch)
        longest = max(stop - start for start, stop in blocks)
        factors = _scratch_array(scratch, "factors", (longest, 4 * hidden, batch), self.dtype)
        w_hh_t = np.concatenate((record.w_hh[2 * hidden :], record.w_hh[: 2 * hidden])).T  # (H, 3H): n|r|z
        carry = d_final[0].T.copy()  # (H, B) dL/dh_t from step t+1 (or from d_state)
        tmp = np.empty_like(carry)
        padded = mask.padded_steps if mask is not None else None
        for start, stop in blocks:
            size = stop - start
            _local_factors(
                act[start:stop],
                record.hn[start:stop],
                record.hs[start:stop],
                factors[:size],
                None if mask is None else mask.keep_units[start:stop],
            )
            f4 = factors.reshape(longest, 4, hidden, batch)
            for t in range(stop - 1, start - 1, -1):
                k = t - start
                dh = d_h[t]
                np.add(dh, carry, out=dh)
                np.multiply(f4[k, _DZ:], dh, out=f4[k, _DZ:])  # dA_z, dA_n
                np.multiply(f4[k, :_DZ], f4[k, _DN], out=f4[k, :_DZ])  # dA_n·r, dA_r
                np.matmul(w_hh_t, factors[k, : 3 * hidden], out=carry)
                np.multiply(dh, act[t, hidden : 2 * hidden], out=tmp)  # h_t = ... + z·h_{t-1}
                np.add(carry, tmp, out=carry)
                if padded is not None and padded[t]:  # the cell did not run: the gradient passes through
                    np.copyto(carry, dh, where=mask.pad_units[t])
            np.copyto(flat[:, start:stop], factors[:size].transpose(1, 0, 2))
        h_side = flat[: 3 * hidden].reshape(3 * hidden, steps * batch)  # n'|r|z
        x_side = flat[hidden:].reshape(3 * hidden, steps * batch)  # r|z|n
        d_w_hh = h_side @ record.states[:-1].reshape(steps * batch, hidden)
        sums = flat.reshape(4 * hidden, steps * batch).sum(axis=1)  # the r and z rows serve both sides
        params = {
            "weight_ih": x_side @ x.reshape(steps * batch, width),
            "weight_hh": np.concatenate((d_w_hh[hidden:], d_w_hh[:hidden])),
            "bias_ih": sums[hidden:].copy(),
            "bias_hh": np.concatenate((sums[hidden : 3 * hidden], sums[:hidden])),
        }
        d_input = self._array(f"d_input_l{layer}", (steps, batch, width))
        np.matmul(x_side.T, record.w_ih, out=d_input.reshape(steps * batch, width))
        return _LayerGrads(d_input=d_input, d_init=(carry.T,), params=params, hidden=d_h.transpose(0, 2, 1))


def _local_factors(
    act: np.ndarray, hn: np.ndarray, h_prev: np.ndarray, out: np.ndarray, keep: np.ndarray | None
) -> None:
    """Local derivative factors for a block of K steps, written into ``out`` ``(K, 4H, B)`` (blocks n'|r|z|n):

        n': r   r: (W_hn h_{t-1} + b_hn)·σ'(a_r)   (both later times dA_n)
        z: (h_{t-1} - n)·σ'(a_z)   n: (1 - z)·tanh'(a_n)   (both later times dL/dh_t)

    ``act`` ``(K, 3H, B)``, ``hn`` ``(K, H, B)`` (scaled by TANH_SCALE), ``h_prev`` ``(K, H, B)``; ``keep``
    ``(K, 1, B)`` zeroes the n factor at masked steps (the others are 0 there already: the gates are).
    """
    steps, rows, batch = act.shape
    r, z, n = (act.reshape(steps, 3, rows // 3, batch)[:, k] for k in (_R, _Z, _N))
    nh, fr, fz, fn = (out.reshape(steps, 4, rows // 3, batch)[:, k] for k in (_NH, _DR, _DZ, _DN))
    np.subtract(1.0, r, out=fr)
    fr *= r
    fr *= hn
    fr *= 1.0 / TANH_SCALE
    np.subtract(1.0, z, out=fn)
    np.multiply(z, fn, out=fz)
    np.subtract(h_prev, n, out=nh)  # nh is scratch until the end
    fz *= nh
    np.square(n, out=nh)
    np.subtract(1.0, nh, out=nh)
    fn *= nh
    if keep is not None:
        fn *= keep
    np.copyto(nh, r)
