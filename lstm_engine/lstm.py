"""LSTM with PyTorch's ``nn.LSTM`` equations, parameter names and gate row order i|f|g|o, optional peepholes.

    i = σ(W_ii x + b_ii + W_hi h_{t-1} + b_hi [+ w_ci ⊙ c_{t-1}])
    f = σ(W_if x + b_if + W_hf h_{t-1} + b_hf [+ w_cf ⊙ c_{t-1}])
    g = tanh(W_ig x + b_ig + W_hg h_{t-1} + b_hg)
    c_t = f ⊙ c_{t-1} + i ⊙ g
    o = σ(W_io x + b_io + W_ho h_{t-1} + b_ho [+ w_co ⊙ c_t])
    h_t = o ⊙ tanh(c_t)

Inside the step loop the gates live unit-major (see :mod:`lstm_engine.base`) in the order o|i|f|g, so that the three
sigmoid gates are one contiguous block and the three gates driven by dL/dc_t in the backward pass (i, f, g) are
another. All four gates go through one
overflow-free exp-based sigmoid (g as σ(2a) then 2σ-1, see :mod:`lstm_engine._activations`); the factors -1 and -2
that kernel needs are folded into the rows of the weight copies (exact: powers of two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_engine._activations import (
    SIGMOID_SCALE,
    TANH_SCALE,
    overflow_ok,
    sigmoid_,
    tanh_from_sigmoid_,
    tanh_of_,
)
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

__all__ = ["LSTM", "Grads", "Run"]

# Internal block k holds PyTorch's block _ORDER[k] (PyTorch rows: i=0, f=1, g=2, o=3).
_ORDER = (3, 0, 1, 2)
_O, _I, _F, _G = range(4)  # internal block positions
_SIGMOID_BLOCKS = 3  # o, i, f: the first three internal blocks


@dataclass
class _LSTMLayer:
    """One layer's forward record (internal gate order o|i|f|g, unit-major).

    ``layer`` the layer's index; ``x`` ``(T, B, X)`` the layer's input; ``act`` ``(T, 4H, B)`` gate values; ``hs``, ``cs`` ``(T+1, H, B)``
    states with index 0 the initial state; ``states`` = ``hs`` as ``(T+1, B, H)``; ``tanh_c`` ``(T, H, B)``;
    ``terms`` ``(T, 2, H, B)`` the two terms of ``c_t``, ``i⊙g`` and ``f⊙c_{t-1}`` (the backward reuses them);
    ``w_ih`` ``(4H, X)`` and ``w_hh`` ``(4H, H)`` the unscaled weights used, in internal order; ``peep``
    ``(3, H)`` rows w_ci, w_cf, w_co or None.
    """

    layer: int
    x: np.ndarray
    act: np.ndarray
    hs: np.ndarray
    cs: np.ndarray
    states: np.ndarray
    tanh_c: np.ndarray
    terms: np.ndarray
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
        steps, batch, _ = x.shape
        hidden = self.hidden_size
        perm, scale = self._perm, self._scale[:, None]
        w_ih = p["weight_ih"][perm]  # (4H, X) internal order, unscaled (for backward)
        w_hh = p["weight_hh"][perm]
        w_hh_s = w_hh * scale  # (4H, H), rows scaled for the kernels
        bias = (p["bias_ih"] + p["bias_hh"])[perm] * self._scale
        act = _project(  # (T, 4H, B) scaled pre-activations, made gate values step by step
            w_ih * scale,
            bias,
            x,
            self._array(f"act_l{layer}", (steps, 4 * hidden, batch)),
            self._array(f"x_ones_l{layer}", (steps, x.shape[2] + 1, batch)),
        )
        hs = self._array(f"hs_l{layer}", (steps + 1, hidden, batch))
        cs = self._array(f"cs_l{layer}", (steps + 1, hidden, batch))
        hs[0], cs[0] = init[0].T, init[1].T
        tanh_c = self._array(f"tanh_c_l{layer}", (steps, hidden, batch))
        terms = self._array(f"terms_l{layer}", (steps, 2, hidden, batch))
        peep = None
        with overflow_ok():
            if self.peephole:
                peep = np.stack([p["weight_ci"], p["weight_cf"], p["weight_co"]])
                self._peephole_steps(act, hs, cs, tanh_c, terms, w_hh_s, peep, mask)
            else:
                self._steps(act, hs, cs, tanh_c, terms, w_hh_s, mask)
        states = _time_major(hs, self._array(f"states_l{layer}", (steps + 1, batch, hidden)))
        if mask is None:
            output = states[1:]
        else:
            output = states[1:] * mask.keep
            act *= mask.keep_units  # report gates as 0 where the cell did not run
        blocks = act.reshape(steps, 4, hidden, batch).transpose(0, 1, 3, 2)  # (T, 4, B, H) views
        gates = {"i": blocks[:, _I], "f": blocks[:, _F], "g": blocks[:, _G], "o": blocks[:, _O]}
        gates.update(c=cs[1:].transpose(0, 2, 1), h=states[1:])
        return _LSTMLayer(
            layer=layer,
            x=x,
            act=act,
            hs=hs,
            cs=cs,
            states=states,
            tanh_c=tanh_c,
            terms=terms,
            w_ih=w_ih,
            w_hh=w_hh,
            peep=peep,
            output=output,
            final=(states[steps], cs[steps].T),
            gates=gates,
        )

    def _steps(
        self,
        act: np.ndarray,
        hs: np.ndarray,
        cs: np.ndarray,
        tanh_c: np.ndarray,
        terms: np.ndarray,
        w_hh_s: np.ndarray,
        mask: _Mask | None,
    ) -> None:
        """The step loop: turns ``act`` into gate values and fills ``hs``, ``cs``, ``tanh_c``, ``terms``."""
        steps, _, batch = act.shape
        hidden = self.hidden_size
        rec = np.empty((4 * hidden, batch), dtype=self.dtype)
        padded = mask.padded_steps if mask is not None else None
        for t in range(steps):
            a = act[t]
            np.matmul(w_hh_s, hs[t], out=rec)
            np.add(a, rec, out=a)
            sigmoid_(a)  # o i f, and σ(2 a_g) for g
            g = tanh_from_sigmoid_(a[3 * hidden :])
            ig, fc = terms[t]
            np.multiply(a[hidden : 2 * hidden], g, out=ig)
            np.multiply(a[2 * hidden : 3 * hidden], cs[t], out=fc)
            c = np.add(ig, fc, out=cs[t + 1])
            tc = tanh_of_(c, tanh_c[t])
            np.multiply(a[:hidden], tc, out=hs[t + 1])
            if padded is not None and padded[t]:
                np.copyto(c, cs[t], where=mask.pad_units[t])
                np.copyto(hs[t + 1], hs[t], where=mask.pad_units[t])

    def _peephole_steps(
        self,
        act: np.ndarray,
        hs: np.ndarray,
        cs: np.ndarray,
        tanh_c: np.ndarray,
        terms: np.ndarray,
        w_hh_s: np.ndarray,
        peep: np.ndarray,
        mask: _Mask | None,
    ) -> None:
        """The step loop with peepholes: i, f see ``c_{t-1}``; o sees ``c_t``, so o is finished after c."""
        steps, _, batch = act.shape
        hidden = self.hidden_size
        peep_if = (peep[:2] * SIGMOID_SCALE)[
            :, :, None
        ]  # (2, H, 1): w_ci, w_cf scaled like their gates' rows
        peep_o = (peep[2] * SIGMOID_SCALE)[:, None]
        rec = np.empty((4 * hidden, batch), dtype=self.dtype)
        tmp2 = np.empty((2, hidden, batch), dtype=self.dtype)
        tmp = np.empty((hidden, batch), dtype=self.dtype)
        padded = mask.padded_steps if mask is not None else None
        for t in range(steps):
            a = act[t]
            a4 = a.reshape(4, hidden, batch)
            np.matmul(w_hh_s, hs[t], out=rec)
            np.add(a, rec, out=a)
            np.multiply(peep_if, cs[t], out=tmp2)
            np.add(a4[_I : _F + 1], tmp2, out=a4[_I : _F + 1])
            sigmoid_(a[hidden:])  # i f, and σ(2 a_g) for g
            tanh_from_sigmoid_(a4[_G])
            ig, fc = terms[t]
            np.multiply(a4[_I], a4[_G], out=ig)
            np.multiply(a4[_F], cs[t], out=fc)
            c = np.add(ig, fc, out=cs[t + 1])
            o = a4[_O]
            np.multiply(c, peep_o, out=tmp)
            np.add(o, tmp, out=o)
            sigmoid_(o)
            tc = tanh_of_(c, tanh_c[t])
            np.multiply(o, tc, out=hs[t + 1])
            if padded is not None and padded[t]:
                np.copyto(c, cs[t], where=mask.pad_units[t])
                np.copyto(hs[t + 1], hs[t], where=mask.pad_units[t])

    # ----------------------------------------------------------------------------------------- backward

    def _layer_backward(
        self,
        record: _LSTMLayer,
        d_out: np.ndarray,
        d_final: tuple[np.ndarray, ...],
        mask: _Mask | None,
        scratch: dict[str, np.ndarray],
    ) -> _LayerGrads:
        x, act, cs = record.x, record.act, record.cs
        steps, batch, width = x.shape
        hidden = self.hidden_size
        layer = record.layer
        d_h = self._array(f"d_h_l{layer}", (steps, hidden, batch))  # becomes dL/dh_t in total
        np.copyto(d_h, d_out.transpose(0, 2, 1))  # a copy: d_out is read-only
        d_c = self._array(f"d_c_l{layer}", (steps, hidden, batch))
        flat = _scratch_array(
            scratch, "flat", (4 * hidden, steps, batch), self.dtype
        )  # dL/d(pre-activation), for the GEMMs
        blocks = self._time_blocks(steps, act[0].size)
        longest = max(stop - start for start, stop in blocks)
        factors = _scratch_array(scratch, "factors", (longest, 4 * hidden, batch), self.dtype)
        h_to_c = _scratch_array(scratch, "h_to_c", (longest, hidden, batch), self.dtype)
        carry = (d_final[0].T.copy(), d_final[1].T.copy())  # (H, B) dL/dh_t, dL/dc_t from step t+1 or d_state
        reverse_steps = self._reverse_steps if record.peep is None else self._peephole_reverse_steps
        for start, stop in blocks:
            size = stop - start
            _local_factors(
                act[start:stop],
                record.hs[start + 1 : stop + 1],
                record.tanh_c[start:stop],
                record.terms[start:stop],
                factors[:size],
                h_to_c[:size],
                None if mask is None else mask.keep_units[start:stop],
            )
            reverse_steps(start, stop, record, factors, d_h, d_c, h_to_c, carry, mask)
            np.copyto(flat[:, start:stop], factors[:size].transpose(1, 0, 2))
        flat2 = flat.reshape(4 * hidden, steps * batch)
        inverse = np.empty_like(self._perm)
        inverse[self._perm] = np.arange(self._perm.size)
        d_w_ih = flat2 @ x.reshape(steps * batch, width)
        d_w_hh = flat2 @ record.states[:-1].reshape(steps * batch, hidden)
        d_bias = flat2.sum(axis=1)[inverse]
        params = {
            "weight_ih": d_w_ih[inverse],
            "weight_hh": d_w_hh[inverse],
            "bias_ih": d_bias,
            "bias_hh": d_bias.copy(),
        }
        if record.peep is not None:
            d4 = flat.reshape(4, hidden, steps, batch)
            c_prev, c_new = cs[:-1].transpose(1, 0, 2), cs[1:].transpose(1, 0, 2)  # (H, T, B) views
            params["weight_ci"] = np.einsum("htb,htb->h", d4[_I], c_prev)
            params["weight_cf"] = np.einsum("htb,htb->h", d4[_F], c_prev)
            params["weight_co"] = np.einsum("htb,htb->h", d4[_O], c_new)
        d_input = self._array(f"d_input_l{layer}", (steps, batch, width))
        np.matmul(flat2.T, record.w_ih, out=d_input.reshape(steps * batch, width))
        return _LayerGrads(
            d_input=d_input,
            d_init=(carry[0].T, carry[1].T),
            params=params,
            hidden=d_h.transpose(0, 2, 1),
            cell=d_c.transpose(0, 2, 1),
        )

    def _reverse_steps(
        self,
        start: int,
        stop: int,
        record: _LSTMLayer,
        factors: np.ndarray,
        d_h: np.ndarray,
        d_c: np.ndarray,
        h_to_c: np.ndarray,
        carry: tuple[np.ndarray, np.ndarray],
        mask: _Mask | None,
    ) -> None:
        """Steps ``stop-1`` down to ``start``. ``factors[t - start]`` ``(4H, B)`` holds the local factors and gets
        dL/dh_t (o) or dL/dc_t (i, f, g) multiplied in; ``d_h`` (holding dL/d output) and ``d_c`` become the
        totals; the ``carry`` pair ``(H, B)`` is passed from step to step in place."""
        hidden = self.hidden_size
        carry_h, carry_c = carry
        f4 = factors.reshape(factors.shape[0], 4, hidden, -1)
        act = record.act
        w_hh_t = record.w_hh.T  # (H, 4H)
        padded = mask.padded_steps if mask is not None else None
        for t in range(stop - 1, start - 1, -1):
            k = t - start
            dh = d_h[t]
            np.add(dh, carry_h, out=dh)
            dc = d_c[t]
            np.multiply(dh, h_to_c[k], out=dc)
            np.add(dc, carry_c, out=dc)
            da = f4[k]
            np.multiply(da[_O], dh, out=da[_O])
            np.multiply(da[_I:], dc, out=da[_I:])
            np.matmul(w_hh_t, factors[k], out=carry_h)
            np.multiply(dc, act[t, 2 * hidden : 3 * hidden], out=carry_c)
            if padded is not None and padded[t]:  # the cell did not run: both gradients pass through
                np.copyto(carry_h, dh, where=mask.pad_units[t])
                np.copyto(carry_c, dc, where=mask.pad_units[t])

    def _peephole_reverse_steps(
        self,
        start: int,
        stop: int,
        record: _LSTMLayer,
        factors: np.ndarray,
        d_h: np.ndarray,
        d_c: np.ndarray,
        h_to_c: np.ndarray,
        carry: tuple[np.ndarray, np.ndarray],
        mask: _Mask | None,
    ) -> None:
        """``_reverse_steps`` with peepholes: o's pre-activation adds w_co·c_t, i's and f's add w·c_{t-1}."""
        hidden = self.hidden_size
        carry_h, carry_c = carry
        f4 = factors.reshape(factors.shape[0], 4, hidden, -1)
        act = record.act
        w_hh_t = record.w_hh.T
        w_ci, w_cf, w_co = (w[:, None] for w in record.peep)
        tmp = np.empty_like(carry_c)
        padded = mask.padded_steps if mask is not None else None
        for t in range(stop - 1, start - 1, -1):
            k = t - start
            dh = d_h[t]
            np.add(dh, carry_h, out=dh)
            da = f4[k]
            np.multiply(da[_O], dh, out=da[_O])
            dc = d_c[t]
            np.multiply(dh, h_to_c[k], out=dc)
            np.add(dc, carry_c, out=dc)
            np.multiply(da[_O], w_co, out=tmp)
            np.add(dc, tmp, out=dc)
            np.multiply(da[_I:], dc, out=da[_I:])
            np.matmul(w_hh_t, factors[k], out=carry_h)
            np.multiply(dc, act[t, 2 * hidden : 3 * hidden], out=carry_c)
            if padded is not None and padded[t]:
                np.copyto(carry_h, dh, where=mask.pad_units[t])
                np.copyto(carry_c, dc, where=mask.pad_units[t])
            np.multiply(da[_I], w_ci, out=tmp)
            np.add(carry_c, tmp, out=carry_c)
            np.multiply(da[_F], w_cf, out=tmp)
            np.add(carry_c, tmp, out=carry_c)


def _local_factors(
    act: np.ndarray,
    h: np.ndarray,
    tanh_c: np.ndarray,
    terms: np.ndarray,
    out: np.ndarray,
    h_to_c: np.ndarray,
    keep: np.ndarray | None,
) -> None:
    """Each gate's local derivative factor for a block of K steps, written into ``out`` ``(K, 4H, B)`` (internal
    order, like ``act``) and ``h_to_c`` ``(K, H, B)``, from the forward's values (``h = o·tanh(c)``,
    ``terms = (i·g, f·c_{t-1})``):

        o: tanh(c_t)·σ'(a_o) = (1-o)·h      i: g·σ'(a_i) = (1-i)·(i·g)      f: c_{t-1}·σ'(a_f) = (1-f)·(f·c_{t-1})
        g: i·tanh'(a_g) = i - g·(i·g)       h_to_c: o·tanh'(c_t) = o - h·tanh(c_t)

    ``keep`` ``(K, 1, B)`` zeroes them at masked steps, where the cell did not run.
    """
    steps, rows, batch = act.shape
    gates = act.reshape(steps, 4, rows // 4, batch)
    factors = out.reshape(gates.shape)
    ig = terms[:, 0]
    sig = rows // 4 * _SIGMOID_BLOCKS
    np.subtract(1.0, act[:, :sig], out=out[:, :sig])
    factors[:, _O] *= h
    factors[:, _I : _F + 1] *= terms
    np.multiply(gates[:, _G], ig, out=factors[:, _G])
    np.subtract(gates[:, _I], factors[:, _G], out=factors[:, _G])
    np.multiply(h, tanh_c, out=h_to_c)
    np.subtract(gates[:, _O], h_to_c, out=h_to_c)
    if keep is not None:
        factors *= keep[:, None]
        h_to_c *= keep
