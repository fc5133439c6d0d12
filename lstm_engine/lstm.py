"""LSTM with PyTorch's ``nn.LSTM`` equations, parameter names and gate row order i|f|g|o, optional peepholes.

    i = σ(W_ii x + b_ii + W_hi h_{t-1} + b_hi [+ w_ci ⊙ c_{t-1}])
    f = σ(W_if x + b_if + W_hf h_{t-1} + b_hf [+ w_cf ⊙ c_{t-1}])
    g = tanh(W_ig x + b_ig + W_hg h_{t-1} + b_hg)
    c_t = f ⊙ c_{t-1} + i ⊙ g
    o = σ(W_io x + b_io + W_ho h_{t-1} + b_ho [+ w_co ⊙ c_t])
    h_t = o ⊙ tanh(c_t)

Inside the step loop the gates live in the order o|i|f|g, so that the three sigmoid gates are one contiguous block
and the three gates driven by dL/dc_t in the backward pass (i, f, g) are another. All four gates go through one
overflow-free exp-based sigmoid (g as σ(2a) then 2σ-1, see :mod:`lstm_engine._activations`); the factors -1 and -2
that kernel needs are folded into the rows of the weight copies (exact: powers of two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_engine._activations import EXP_CLAMP, SIGMOID_SCALE, TANH_SCALE, sigmoid_, tanh_from_sigmoid_, tanh_of_
from lstm_engine.base import Grads, RecurrentModel, Run, _LayerGrads, _Mask

__all__ = ["LSTM", "Run", "Grads"]

# Internal block k holds PyTorch's block _ORDER[k] (PyTorch rows: i=0, f=1, g=2, o=3).
_ORDER = (3, 0, 1, 2)
_O, _I, _F, _G = range(4)  # internal block positions
_SIGMOID_BLOCKS = 3  # o, i, f: the first three internal blocks


@dataclass
class _LSTMLayer:
    """One layer's forward record (internal gate order o|i|f|g).

    ``x`` ``(T, B, X)``; ``gates`` ``(T, B, 4H)`` activations; ``hs``, ``cs`` ``(T+1, B, H)`` states with index 0
    the initial state; ``tanh_c`` ``(T, B, H)`` tanh of the step's new cell; ``w_ih`` ``(4H, X)`` and ``w_hh``
    ``(4H, H)`` the unscaled weights used, in internal order; ``peep`` ``(3, H)`` rows w_ci, w_cf, w_co or None.
    """

    x: np.ndarray
    act: np.ndarray
    hs: np.ndarray
    cs: np.ndarray
    tanh_c: np.ndarray
    w_ih: np.ndarray
    w_hh: np.ndarray
    peep: np.ndarray | None
    output: np.ndarray
    final: tuple[np.ndarray, ...]
    gates: dict[str, np.ndarray]


class LSTM(RecurrentModel):
    """Multi-layer LSTM (time-major), exact BPTT; see :mod:`lstm_engine.base` for the API.

    Args:
        input_size: features per step ``X``.
        hidden_size: units ``H``.
        num_layers: stacked layers; layer ``k > 0`` reads layer ``k-1``'s output.
        peephole: add ``weight_ci_l{k}``, ``weight_cf_l{k}``, ``weight_co_l{k}`` ``(H,)`` (Gers & Schmidhuber);
            i and f see ``c_{t-1}``, o sees ``c_t``.
        dtype: float32 or float64.
        seed: for ``np.random.default_rng``; every parameter ~ U(-1/sqrt(H), 1/sqrt(H)), as PyTorch.
        forget_bias: if not None, ``set_forget_bias(forget_bias)`` after the initialisation.
    """

    _GATES = 4
    _STATES = 2

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        peephole: bool = False,
        dtype: Any = np.float64,
        seed: int = 0,
        forget_bias: float | None = None,
    ) -> None:
        self.peephole = bool(peephole)
        super().__init__(input_size, hidden_size, num_layers, dtype=dtype, seed=seed)
        hidden = self.hidden_size
        blocks = np.arange(4 * hidden).reshape(4, hidden)
        self._perm = blocks[list(_ORDER)].reshape(-1)  # internal row r = PyTorch row _perm[r]
        scale = np.full((4, hidden), TANH_SCALE, dtype=self.dtype)
        scale[:_SIGMOID_BLOCKS] = SIGMOID_SCALE
        self._scale = scale.reshape(-1)  # (4H,) row factors for the exp-based kernels
        if forget_bias is not None:
            self.set_forget_bias(forget_bias)

    def _layer_param_shapes(self, layer: int) -> dict[str, tuple[int, ...]]:
        shapes = super()._layer_param_shapes(layer)
        if self.peephole:
            for gate in ("ci", "cf", "co"):
                shapes[f"weight_{gate}"] = (self.hidden_size,)
        return shapes

    def set_forget_bias(self, value: float) -> None:
        """Set the f rows of every ``bias_ih_l{k}`` to ``value`` and of every ``bias_hh_l{k}`` to 0, in place."""
        value = float(value)
        if not np.isfinite(value):
            raise ValueError(f"forget bias must be finite, got {value}")
        rows = slice(self.hidden_size, 2 * self.hidden_size)  # PyTorch's f block
        for layer in range(self.num_layers):
            self._params[f"bias_ih_l{layer}"][rows] = value
            self._params[f"bias_hh_l{layer}"][rows] = 0.0

    # ----------------------------------------------------------------------------------------- forward

    def _layer_forward(
        self, layer: int, x: np.ndarray, init: tuple[np.ndarray, ...], mask: _Mask | None
    ) -> _LSTMLayer:
        p = self._layer_params(layer)
        steps, batch, width = x.shape
        hidden = self.hidden_size
        perm, scale = self._perm, self._scale
        w_ih = p["weight_ih"][perm]  # (4H, X) internal order, unscaled (for backward)
        w_hh = p["weight_hh"][perm]
        w_hh_t = np.ascontiguousarray((w_hh * scale[:, None]).T)  # (H, 4H), rows scaled for the kernels
        bias = (p["bias_ih"] + p["bias_hh"])[perm] * scale
        act = np.matmul(x.reshape(steps * batch, width), (w_ih * scale[:, None]).T)
        act += bias
        act = act.reshape(steps, batch, 4 * hidden)  # scaled pre-activations, turned into gate values step by step
        hs = np.empty((steps + 1, batch, hidden), dtype=self.dtype)
        cs = np.empty((steps + 1, batch, hidden), dtype=self.dtype)
        hs[0], cs[0] = init
        tanh_c = np.empty((steps, batch, hidden), dtype=self.dtype)
        peep = None
        if self.peephole:
            peep = np.stack([p["weight_ci"], p["weight_cf"], p["weight_co"]])
            self._peephole_steps(act, hs, cs, tanh_c, w_hh_t, peep, mask)
        else:
            self._steps(act, hs, cs, tanh_c, w_hh_t, mask)
        states = hs[1:]
        if mask is None:
            output = states
        else:
            output = states * mask.keep
            act *= mask.keep  # report gates as 0 where the cell did not run
        blocks = act.reshape(steps, batch, 4, hidden)
        gates = {"i": blocks[:, :, _I], "f": blocks[:, :, _F], "g": blocks[:, :, _G], "o": blocks[:, :, _O]}
        gates.update(c=cs[1:], h=states)
        return _LSTMLayer(
            x=x, act=act, hs=hs, cs=cs, tanh_c=tanh_c, w_ih=w_ih, w_hh=w_hh, peep=peep,
            output=output, final=(hs[steps], cs[steps]), gates=gates,
        )  # fmt: skip

    def _steps(
        self,
        act: np.ndarray,
        hs: np.ndarray,
        cs: np.ndarray,
        tanh_c: np.ndarray,
        w_hh_t: np.ndarray,
        mask: _Mask | None,
    ) -> None:
        """The step loop: fills ``act`` with gate values, ``hs``, ``cs`` and ``tanh_c``, in place."""
        steps, batch, _ = act.shape
        hidden = self.hidden_size
        clamp = EXP_CLAMP[self.dtype]
        rec = np.empty((batch, 4 * hidden), dtype=self.dtype)
        ig = np.empty((batch, hidden), dtype=self.dtype)
        padded = mask.padded_steps if mask is not None else None
        for t in range(steps):
            a = act[t]
            np.matmul(hs[t], w_hh_t, out=rec)
            np.add(a, rec, out=a)
            sigmoid_(a, clamp)  # o i f, and σ(2 a_g) for g
            g = tanh_from_sigmoid_(a[:, 3 * hidden :])
            c = cs[t + 1]
            np.multiply(a[:, 2 * hidden : 3 * hidden], cs[t], out=c)
            np.multiply(a[:, hidden : 2 * hidden], g, out=ig)
            np.add(c, ig, out=c)
            tc = tanh_of_(c, tanh_c[t], clamp)
            np.multiply(a[:, :hidden], tc, out=hs[t + 1])
            if padded is not None and padded[t]:
                np.copyto(c, cs[t], where=mask.pad[t])
                np.copyto(hs[t + 1], hs[t], where=mask.pad[t])

    def _peephole_steps(
        self,
        act: np.ndarray,
        hs: np.ndarray,
        cs: np.ndarray,
        tanh_c: np.ndarray,
        w_hh_t: np.ndarray,
        peep: np.ndarray,
        mask: _Mask | None,
    ) -> None:
        """The step loop with peepholes: i, f see ``c_{t-1}``; o sees ``c_t``, so o is finished after c."""
        steps, batch, _ = act.shape
        hidden = self.hidden_size
        clamp = EXP_CLAMP[self.dtype]
        peep_if = peep[:2] * SIGMOID_SCALE  # (2, H): w_ci, w_cf, scaled like their gates' rows
        peep_o = peep[2] * SIGMOID_SCALE
        rec = np.empty((batch, 4 * hidden), dtype=self.dtype)
        tmp2 = np.empty((batch, 2, hidden), dtype=self.dtype)
        tmp = np.empty((batch, hidden), dtype=self.dtype)
        padded = mask.padded_steps if mask is not None else None
        for t in range(steps):
            a = act[t]
            a4 = a.reshape(batch, 4, hidden)
            np.matmul(hs[t], w_hh_t, out=rec)
            np.add(a, rec, out=a)
            np.multiply(cs[t][:, None, :], peep_if, out=tmp2)
            np.add(a4[:, _I : _F + 1], tmp2, out=a4[:, _I : _F + 1])
            sigmoid_(a[:, hidden:], clamp)  # i f, and σ(2 a_g) for g
            tanh_from_sigmoid_(a4[:, _G])
            c = cs[t + 1]
            np.multiply(a4[:, _F], cs[t], out=c)
            np.multiply(a4[:, _I], a4[:, _G], out=tmp)
            np.add(c, tmp, out=c)
            o = a[:, :hidden]
            np.multiply(c, peep_o, out=tmp)
            np.add(o, tmp, out=o)
            sigmoid_(o, clamp)
            tc = tanh_of_(c, tanh_c[t], clamp)
            np.multiply(o, tc, out=hs[t + 1])
            if padded is not None and padded[t]:
                np.copyto(c, cs[t], where=mask.pad[t])
                np.copyto(hs[t + 1], hs[t], where=mask.pad[t])

    # ----------------------------------------------------------------------------------------- backward

    def _layer_backward(
        self, record: _LSTMLayer, d_out: np.ndarray, d_final: tuple[np.ndarray, ...], mask: _Mask | None
    ) -> _LayerGrads:
        x, act, hs, cs = record.x, record.act, record.hs, record.cs
        steps, batch, width = x.shape
        hidden = self.hidden_size
        d_act = np.empty_like(act)  # (T, B, 4H) dL/d(pre-activation), internal order
        h_to_c = np.empty((steps, batch, hidden), dtype=self.dtype)
        d_c = np.empty((steps, batch, hidden), dtype=self.dtype)
        carry = (d_final[0].copy(), d_final[1].copy())  # dL/dh_t, dL/dc_t from step t+1 (or from d_state)
        reverse_steps = self._reverse_steps if record.peep is None else self._peephole_reverse_steps
        for start, stop in self._time_blocks(steps, act[0].size):
            _local_factors(act[start:stop], record.tanh_c[start:stop], cs[start:stop], d_act[start:stop],
                           h_to_c[start:stop])  # fmt: skip
            reverse_steps(start, stop, record, d_act, d_out, d_c, h_to_c, carry, mask)
        flat = d_act.reshape(steps * batch, 4 * hidden)
        inverse = np.empty_like(self._perm)
        inverse[self._perm] = np.arange(self._perm.size)
        d_w_ih = flat.T @ x.reshape(steps * batch, width)
        d_w_hh = flat.T @ hs[:-1].reshape(steps * batch, hidden)
        d_bias = flat.sum(axis=0)[inverse]
        params = {
            "weight_ih": d_w_ih[inverse],
            "weight_hh": d_w_hh[inverse],
            "bias_ih": d_bias,
            "bias_hh": d_bias.copy(),
        }
        if record.peep is not None:
            d4 = d_act.reshape(steps, batch, 4, hidden)
            params["weight_ci"] = np.einsum("tbh,tbh->h", d4[:, :, _I], cs[:-1])
            params["weight_cf"] = np.einsum("tbh,tbh->h", d4[:, :, _F], cs[:-1])
            params["weight_co"] = np.einsum("tbh,tbh->h", d4[:, :, _O], cs[1:])
        d_input = (flat @ record.w_ih).reshape(steps, batch, width)
        return _LayerGrads(d_input=d_input, d_init=carry, params=params, hidden=d_out, cell=d_c)

    def _reverse_steps(
        self,
        start: int,
        stop: int,
        record: _LSTMLayer,
        d_act: np.ndarray,
        d_h: np.ndarray,
        d_c: np.ndarray,
        h_to_c: np.ndarray,
        carry: tuple[np.ndarray, np.ndarray],
        mask: _Mask | None,
    ) -> None:
        """Steps ``stop-1`` down to ``start``: ``d_act`` holds the local factors there and gets dL/dh_t (o) or
        dL/dc_t (i, f, g) multiplied in; ``d_h`` (holding dL/d output) and ``d_c`` become the totals; ``carry``
        ``(B, H)`` pair is passed from step to step in place."""
        hidden = self.hidden_size
        carry_h, carry_c = carry
        d4 = d_act.reshape(d_act.shape[0], -1, 4, hidden)
        forget = record.act.reshape(d4.shape)[:, :, _F]
        w_hh = record.w_hh
        padded = mask.padded_steps if mask is not None else None
        for t in range(stop - 1, start - 1, -1):
            dh = d_h[t]
            np.add(dh, carry_h, out=dh)
            dc = d_c[t]
            np.multiply(dh, h_to_c[t], out=dc)
            np.add(dc, carry_c, out=dc)
            da = d4[t]
            np.multiply(da[:, _O], dh, out=da[:, _O])
            np.multiply(da[:, _I], dc, out=da[:, _I])
            np.multiply(da[:, _F], dc, out=da[:, _F])
            np.multiply(da[:, _G], dc, out=da[:, _G])
            np.matmul(d_act[t], w_hh, out=carry_h)
            np.multiply(dc, forget[t], out=carry_c)
            if padded is not None and padded[t]:  # the cell did not run: both gradients pass through
                np.copyto(carry_h, dh, where=mask.pad[t])
                np.copyto(carry_c, dc, where=mask.pad[t])

    def _peephole_reverse_steps(
        self,
        start: int,
        stop: int,
        record: _LSTMLayer,
        d_act: np.ndarray,
        d_h: np.ndarray,
        d_c: np.ndarray,
        h_to_c: np.ndarray,
        carry: tuple[np.ndarray, np.ndarray],
        mask: _Mask | None,
    ) -> None:
        """``_reverse_steps`` with peepholes: o's pre-activation adds w_co·c_t, i's and f's add w·c_{t-1}."""
        hidden = self.hidden_size
        carry_h, carry_c = carry
        d4 = d_act.reshape(d_act.shape[0], -1, 4, hidden)
        forget = record.act.reshape(d4.shape)[:, :, _F]
        w_ci, w_cf, w_co = record.peep
        tmp = np.empty_like(carry_c)
        padded = mask.padded_steps if mask is not None else None
        for t in range(stop - 1, start - 1, -1):
            dh = d_h[t]
            np.add(dh, carry_h, out=dh)
            da = d4[t]
            np.multiply(da[:, _O], dh, out=da[:, _O])
            dc = d_c[t]
            np.multiply(dh, h_to_c[t], out=dc)
            np.add(dc, carry_c, out=dc)
            np.multiply(da[:, _O], w_co, out=tmp)
            np.add(dc, tmp, out=dc)
            np.multiply(da[:, _I], dc, out=da[:, _I])
            np.multiply(da[:, _F], dc, out=da[:, _F])
            np.multiply(da[:, _G], dc, out=da[:, _G])
            np.matmul(d_act[t], record.w_hh, out=carry_h)
            np.multiply(dc, forget[t], out=carry_c)
            if padded is not None and padded[t]:
                np.copyto(carry_h, dh, where=mask.pad[t])
                np.copyto(carry_c, dc, where=mask.pad[t])
            np.multiply(da[:, _I], w_ci, out=tmp)
            np.add(carry_c, tmp, out=carry_c)
            np.multiply(da[:, _F], w_cf, out=tmp)
            np.add(carry_c, tmp, out=carry_c)


def _local_factors(act: np.ndarray, tanh_c: np.ndarray, c_prev: np.ndarray, out: np.ndarray,
                   h_to_c: np.ndarray) -> None:  # fmt: skip
    """Each gate's local derivative factor for a block of steps, written into ``out`` (same shape as ``act``,
    ``(K, B, 4H)`` internal order) and ``h_to_c`` ``(K, B, H)``:

        o: tanh(c_t)·σ'(a_o)   i: g·σ'(a_i)   f: c_{t-1}·σ'(a_f)   g: i·tanh'(a_g)   h_to_c: o·tanh'(c_t)

    with σ' = σ(1-σ) and tanh' = 1 - tanh². All are 0 at masked steps, where the forward set the gates to 0.
    """
    gates = act.reshape(*act.shape[:2], 4, -1)
    o, i, g = gates[:, :, _O], gates[:, :, _I], gates[:, :, _G]
    factors = out.reshape(gates.shape)
    sig = act.shape[2] // 4 * _SIGMOID_BLOCKS
    np.subtract(1.0, act[:, :, :sig], out=out[:, :, :sig])
    np.multiply(out[:, :, :sig], act[:, :, :sig], out=out[:, :, :sig])
    factors[:, :, _O] *= tanh_c
    factors[:, :, _I] *= g
    factors[:, :, _F] *= c_prev
    np.square(g, out=factors[:, :, _G])
    np.subtract(1.0, factors[:, :, _G], out=factors[:, :, _G])
    factors[:, :, _G] *= i
    np.square(tanh_c, out=h_to_c)
    np.subtract(1.0, h_to_c, out=h_to_c)
    h_to_c *= o
