"""Shared machinery of the recurrent models: parameters, input checks, the layer loop, and the result records.

Each model (``RNN``, ``LSTM``, ``GRU``) supplies three things: the parameter layout of one layer, a
``_layer_forward`` that runs one layer over all time steps, and a ``_layer_backward`` that walks those steps in
reverse (exact BPTT). This module stacks layers, checks every input, and packs results into :class:`Run` and
:class:`Grads`.

Conventions everywhere: time-major arrays, ``T`` steps, ``B`` sequences, ``X`` input features, ``H`` hidden units,
``L`` layers. All arrays carry the model's dtype (float32 or float64).

The LSTM and GRU step loops keep their arrays unit-major, ``(T, G*H, B)`` for G gate blocks and ``(T, H, B)`` for
states, so that every gate block of a step is one contiguous ``(H, B)`` chunk (NumPy is several times slower on
strided blocks) while the recurrent product stays one fused GEMM per step, ``(G*H, H) @ (H, B)``. The public arrays
are ``(T, B, H)``: contiguous copies for outputs and states, transposed views for gates and per-step gradients. The
RNN has a single gate block, so its loop stays time-major.

Threads: after ``lstm_engine.set_num_threads(n)`` a large enough batch is split into up to ``n`` contiguous
shards, each run whole (all layers, forward and backward) on its own thread by a shard copy of the model that
shares its parameters but keeps its own buffers; outputs, states and input gradients are joined, parameter
gradients summed. ``Run.gates``, ``Grads.hidden`` and ``Grads.cell`` then join their shards lazily, on first
access. See :mod:`lstm_engine.parallel`.

Masks: ``mask`` is ``(T, B)`` of 0/1. At a step where ``mask[t, b] == 0`` the cell does not run for sequence ``b``:
its state carries over unchanged, its output is 0 and its gate values are reported as 0. For right-padded
batches this is exactly PyTorch's ``pack_padded_sequence(..., enforce_sorted=False)`` followed by
``pad_packed_sequence``: the final state is each sequence's state at its last real step.
"""

from __future__ import annotations

import copy
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from lstm_engine.parallel import run_all, shard_slices

SUPPORTED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
#: Backward passes prepare per-step factors a block of steps at a time, so that a block's data is still in cache
#: when the reverse loop reads it (vectorising over all T at once streams them through main memory instead).
#: Measured here (512 KiB L2, 32 MiB L3 shared): 1 MiB beat 256 KiB by 1-10% (more blocks, more Python calls per
#: step at B = 32) and matched 2-4 MiB at the medium and large shapes of bench/engine.py.
BLOCK_BYTES = 1 << 20
#: Arrays a model keeps per name for reuse by later calls (see :func:`_recycled`): two lets a caller hold one
#: result while computing the next (``run = model.forward(x)`` in a loop).
POOL_DEPTH = 2
_POOL_LOCK = threading.Lock()


@dataclass
class Run:
    """The result of ``model.forward``; pass it to ``model.backward``.

    Attributes:
        output: ``(T, B, H)`` the top layer's ``h_t`` (0 at masked steps).
        state: the final state. LSTM: ``(h_n, c_n)``, each ``(L, B, H)``; GRU and RNN: ``h_n`` ``(L, B, H)``.
        gates: one mapping per layer of name -> ``(T, B, H)`` array. LSTM: ``i f g o c h``; GRU: ``r z n h``;
            RNN: ``h``. ``c`` and ``h`` are the layer's state after step ``t`` (carried through masked steps); the gates are
            0 at masked steps, where the cell did not run.
        cache: what ``backward`` needs (the inputs, every step's activations, the weights used). Not for users.
    """

    output: np.ndarray
    state: Any
    gates: list[Mapping[str, np.ndarray]]
    cache: Any = field(repr=False, compare=False)


@dataclass
class Grads:
    """The result of ``model.backward``: gradients of a scalar loss ``L``.

    Attributes:
        params: ``dL/dparam`` for every key of ``state_dict()``, same shapes and order.
        input: ``(T, B, X)`` ``dL/dx``.
        state: ``dL/d(initial state)``, shaped like ``run.state``.
        hidden: a sequence of one ``(T, B, H)`` array per layer: ``dL/dh_t`` in total (through time, the output and
            the layer above), where ``h_t`` is ``run.gates[layer]["h"][t]``.
        cell: LSTM only, a sequence of one ``(T, B, H)`` array per layer: ``dL/dc_t`` in total. ``None`` for GRU
            and RNN.
    """

    params: dict[str, np.ndarray]
    input: np.ndarray
    state: Any
    hidden: Sequence[np.ndarray]
    cell: Sequence[np.ndarray] | None = None


@dataclass
class _Mask:
    """A checked mask, in the forms the step loops need.

    ``keep`` ``(T, B, 1)`` model dtype, 1 at real steps; ``pad`` ``(T, B, 1)`` bool, True at masked steps (both
    for ``(T, B, H)`` arrays); ``keep_units`` and ``pad_units`` ``(T, 1, B)``, the same for unit-major
    ``(T, H, B)`` arrays; ``padded_steps`` a Python list of T bools, True where any sequence is masked (so
    unmasked steps skip work).
    """

    keep: np.ndarray
    pad: np.ndarray
    keep_units: np.ndarray
    pad_units: np.ndarray
    padded_steps: list[bool]

    @classmethod
    def of(cls, pad: np.ndarray, dtype: np.dtype) -> _Mask:
        """The forms of a checked ``(T, B)`` bool array, True at masked steps."""
        keep = (~pad).astype(dtype)
        return cls(
            keep=keep[:, :, None],
            pad=pad[:, :, None],
            keep_units=keep[:, None, :],
            pad_units=pad[:, None, :],
            padded_steps=pad.any(axis=1).tolist(),
        )

    def shard(self, part: slice) -> _Mask:
        """The mask of the sequences in ``part``."""
        return _Mask.of(np.ascontiguousarray(self.pad[:, part, 0]), self.keep.dtype)


@dataclass
class _Cache:
    """Everything ``backward`` reads: the model that ran, its input, the mask and one record per layer."""

    owner: Any
    x: np.ndarray
    mask: _Mask | None
    layers: list[Any]


@dataclass
class _ShardedCache:
    """What ``backward`` reads after a sharded ``forward``: each shard's slice of the batch, model and run."""

    owner: Any
    x: np.ndarray
    mask: _Mask | None
    parts: list[slice]
    models: list[Any]
    runs: list[Run]


class _JoinedGates(Mapping[str, np.ndarray]):
    """One layer's gates of a sharded run: each name's shards joined along the batch axis on first access."""

    def __init__(self, parts: list[Mapping[str, np.ndarray]]) -> None:
        self._parts = parts
        self._joined: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._joined:
            self._joined[name] = np.concatenate([part[name] for part in self._parts], axis=1)
        return self._joined[name]

    def __iter__(self):
        return iter(self._parts[0])

    def __len__(self) -> int:
        return len(self._parts[0])


class _JoinedLayers(Sequence[np.ndarray]):
    """Per-layer ``(T, B, H)`` arrays of a sharded backward, each joined along the batch axis on first access."""

    def __init__(self, parts: list[Sequence[np.ndarray]]) -> None:
        self._parts = parts
        self._joined: dict[int, np.ndarray] = {}

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[k] for k in range(len(self))[index]]
        layer = range(len(self))[index]  # IndexError and negative indices as for a list
        if layer not in self._joined:
            self._joined[layer] = np.concatenate([part[layer] for part in self._parts], axis=1)
        return self._joined[layer]

    def __len__(self) -> int:
        return len(self._parts[0])


@dataclass
class _LayerGrads:
    """One layer's backward result: ``d_input`` ``(T, B, X_l)``, ``d_init`` tuple of ``(B, H)``, the parameter
    gradients keyed by the bare name (``weight_ih``...), ``hidden`` and ``cell`` ``(T, B, H)``."""

    d_input: np.ndarray
    d_init: tuple[np.ndarray, ...]
    params: dict[str, np.ndarray]
    hidden: np.ndarray
    cell: np.ndarray | None = None


def _project(
    weight: np.ndarray, bias: np.ndarray, x: np.ndarray, out: np.ndarray, x_ones: np.ndarray
) -> np.ndarray:
    """Input projection of all steps, unit-major: ``out`` ``(T, R, B)`` with
    ``[t] = weight (R, X) @ x_t^T + bias (R,)``.

    ``x`` is ``(T, B, X)``. One stacked ``np.matmul`` writing each step's rows in place: as fast as a single GEMM
    over all ``T*B`` columns here, without the copy into step order that the single GEMM would need. The bias
    rides in the GEMM as an extra column of the weight against a row of ones: ``x_ones`` ``(T, X+1, B)``
    (scratch) receives ``x_t^T`` and the ones. Copying ``x`` costs far less than a separate pass adding the
    bias to ``out`` (``R/X`` times larger, and out of cache).
    """
    width = x.shape[2]
    np.copyto(x_ones[:, :width], x.transpose(0, 2, 1))
    x_ones[:, width] = 1.0
    np.matmul(np.concatenate((weight, bias[:, None]), axis=1), x_ones, out=out)
    return out


def _scratch_array(
    scratch: dict[str, np.ndarray], name: str, shape: tuple[int, ...], dtype: np.dtype
) -> np.ndarray:
    """An uninitialised array from ``scratch`` (reused from the last call when the shape matches), for data that
    never leaves one call, such as the gradient of every pre-activation that feeds the weight-gradient GEMMs.

    Memory that is new to the process costs about 0.6 ms per MB on these machines (page faults), more than the
    arithmetic that fills it, so a model keeps its scratch arrays between ``backward`` calls. ``backward`` takes
    the model's scratch dict for the duration of the call, so a concurrent call gets an empty one of its own.
    """
    arr = scratch.get(name)
    if arr is None or arr.shape != shape or arr.dtype != dtype:
        arr = scratch[name] = np.empty(shape, dtype=dtype)
    return arr


def _recycled(pool: dict[str, list[np.ndarray]], name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised array for data that may outlive the call (forward records, results), reused from an
    earlier call when nothing references that array any more.

    Memory new to the process costs about 0.6 ms per MB (page faults), and glibc hands the large arrays of a
    finished call back to the system, so every call would fault its arrays in afresh. A model keeps up to
    POOL_DEPTH arrays per name; one is free when the pool holds the only reference to it: every view (a
    ``Run``'s gates, ``Grads.hidden``...) references its base array, so an array still reachable from a result
    is never handed out again. The scan and the hand-over run under a lock, so concurrent calls get distinct
    arrays. A new shape or dtype under a name replaces the pool's arrays (the old ones live on with their users).
    """
    with _POOL_LOCK:
        arrays = pool.get(name)
        if arrays is None or arrays[0].shape != shape or arrays[0].dtype != dtype:
            arrays = pool[name] = []
        for arr in arrays:
            if sys.getrefcount(arr) <= 3:  # the list, ``arr`` and getrefcount's argument
                return arr
        arr = np.empty(shape, dtype=dtype)
        if len(arrays) < POOL_DEPTH:
            arrays.append(arr)
        return arr


def _time_major(units: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A contiguous ``(T, B, H)`` copy of a unit-major ``(T, H, B)`` array (into ``out`` when given)."""
    if out is None:
        return np.ascontiguousarray(units.transpose(0, 2, 1))
    np.copyto(out, units.transpose(0, 2, 1))
    return out


def _shape(a: Any) -> str:
    return str(tuple(np.shape(a)))


def _as_float_array(
    value: Any, name: str, expected_shape: tuple[int | str, ...], dtype: np.dtype
) -> np.ndarray:
    """Return ``value`` as an ndarray of ``dtype`` or raise ValueError naming the expected and given shape."""
    arr = np.asarray(value)
    expected = "(" + ", ".join(str(d) for d in expected_shape) + (",)" if len(expected_shape) == 1 else ")")
    if arr.ndim != len(expected_shape) or any(
        isinstance(e, int) and e != g for e, g in zip(expected_shape, arr.shape)
    ):
        raise ValueError(f"{name} must have shape {expected}, got shape {_shape(arr)}")
    if arr.dtype != dtype:
        raise ValueError(
            f"{name} must have dtype {dtype.name} (the model's dtype), got {arr.dtype.name}; "
            f"convert it with .astype(np.{dtype.name})"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} of shape {_shape(arr)} contains NaN or inf")
    return arr


class RecurrentModel:
    """Base class of ``RNN``, ``LSTM`` and ``GRU``: a stack of ``num_layers`` recurrent layers.

    Subclasses set ``_GATES`` (gate blocks per layer: 1, 3 or 4) and ``_STATES`` (1, or 2 for LSTM's ``(h, c)``)
    and implement ``_layer_forward`` and ``_layer_backward``.
    """

    _GATES: int = 1
    _STATES: int = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        dtype: Any = np.float64,
        seed: int = 0,
    ) -> None:
        for name, value in (
            ("input_size", input_size),
            ("hidden_size", hidden_size),
            ("num_layers", num_layers),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        dt = np.dtype(dtype)
        if dt not in SUPPORTED_DTYPES:
            raise ValueError(f"dtype must be float32 or float64, got {dt.name}")
        self.input_size = int(input_size)
        self.hidden_size = int(hidden_size)
        self.num_layers = int(num_layers)
        self.dtype = dt
        self._params: dict[str, np.ndarray] = {}
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(self.hidden_size)  # PyTorch: U(-1/sqrt(H), 1/sqrt(H)) for every parameter
        for name, shape in self._param_shapes().items():
            self._params[name] = rng.uniform(-bound, bound, size=shape).astype(dt)
        self._spare_scratch: list[dict[str, np.ndarray]] = [{}]  # see _scratch_array
        self._pool: dict[str, list[np.ndarray]] = {}  # see _recycled
        self._shards: list[RecurrentModel] = []  # see _shard_models

    def _shard_models(self, count: int) -> list[RecurrentModel]:
        """``count`` shallow copies of this model for sharded calls: they share its parameter arrays (so training
        updates reach them) but keep their own buffer pools, so shards never compete for one name's arrays."""
        with _POOL_LOCK:
            while len(self._shards) < count:
                shard = copy.copy(self)
                shard._spare_scratch, shard._pool, shard._shards = [{}], {}, []
                self._shards.append(shard)
            return self._shards[:count]

    def _array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """``_recycled`` from this model's pool, in the model's dtype."""
        return _recycled(self._pool, name, shape, self.dtype)

    # ----------------------------------------------------------------------------------------- parameters

    def _layer_param_shapes(self, layer: int) -> dict[str, tuple[int, ...]]:
        """Bare names (``weight_ih``...) and shapes of one layer's parameters, in PyTorch's order."""
        rows = self._GATES * self.hidden_size
        x = self.input_size if layer == 0 else self.hidden_size
        return {
            "weight_ih": (rows, x),
            "weight_hh": (rows, self.hidden_size),
            "bias_ih": (rows,),
            "bias_hh": (rows,),
        }

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        return {
            f"{name}_l{layer}": shape
            for layer in range(self.num_layers)
            for name, shape in self._layer_param_shapes(layer).items()
        }

    def _layer_params(self, layer: int) -> dict[str, np.ndarray]:
        return {name: self._params[f"{name}_l{layer}"] for name in self._layer_param_shapes(layer)}

    def parameters(self) -> dict[str, np.ndarray]:
        """The live dict ``name -> ndarray``; optimisers update these arrays in place."""
        return self._params

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter under PyTorch's key (``weight_ih_l0``...) with PyTorch's shape."""
        return {name: value.copy() for name, value in self._params.items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy values into the live parameters (cast to the model's dtype).

        Raises ValueError naming the key on a missing or extra key, a wrong shape or a non-finite value.
        """
        expected = self._param_shapes()
        missing = [k for k in expected if k not in state]
        extra = [k for k in state if k not in expected]
        if missing:
            raise ValueError(f"state_dict is missing key(s) {', '.join(map(repr, missing))}")
        if extra:
            raise ValueError(f"state_dict has unexpected key(s) {', '.join(map(repr, extra))}")
        values = {}
        for key, shape in expected.items():
            value = np.asarray(state[key])
            if value.shape != shape:
                raise ValueError(f"state_dict[{key!r}] must have shape {shape}, got shape {value.shape}")
            if not np.isfinite(value).all():
                raise ValueError(f"state_dict[{key!r}] contains NaN or inf")
            values[key] = value
        for key, value in values.items():
            np.copyto(self._params[key], value, casting="unsafe")

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return sum(p.size for p in self._params.values())

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"num_layers={self.num_layers}, dtype={self.dtype.name})"
        )

    # ----------------------------------------------------------------------------------------- checks

    def _check_x(self, x: Any) -> np.ndarray:
        arr = _as_float_array(x, "x", ("T", "B", self.input_size), self.dtype)
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(f"x must have shape (T, B, {self.input_size}) with T, B >= 1, got {_shape(arr)}")
        return arr

    def _check_state(self, state: Any, batch: int, name: str) -> list[tuple[np.ndarray, ...]]:
        """Per layer, a tuple of ``_STATES`` arrays ``(B, H)``; zeros when ``state`` is None."""
        shape = (self.num_layers, batch, self.hidden_size)
        if state is None:
            zeros = np.zeros(shape, dtype=self.dtype)
            parts = [zeros] * self._STATES
        elif self._STATES == 1:
            parts = [_as_float_array(state, name, shape, self.dtype)]
        else:
            if not isinstance(state, (tuple, list)) or len(state) != self._STATES:
                raise ValueError(
                    f"{name} must be a tuple (h, c) of two arrays of shape {shape}, got {type(state).__name__}"
                )
            parts = [_as_float_array(s, f"{name}[{k}]", shape, self.dtype) for k, s in enumerate(state)]
        return [tuple(p[layer] for p in parts) for layer in range(self.num_layers)]

    def _check_mask(self, mask: Any, steps: int, batch: int) -> _Mask | None:
        if mask is None:
            return None
        arr = np.asarray(mask)
        if arr.shape != (steps, batch):
            raise ValueError(f"mask must have shape (T, B) = {(steps, batch)}, got shape {_shape(arr)}")
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"mask must hold 0/1 (bool or numbers), got dtype {arr.dtype.name}")
        real = arr == 1
        if not (real | (arr == 0)).all():
            raise ValueError(f"mask of shape {_shape(arr)} must hold only 0 and 1")
        return _Mask.of(~real, self.dtype)

    def _time_blocks(self, steps: int, elements_per_step: int) -> list[tuple[int, int]]:
        """``(start, stop)`` ranges covering ``range(steps)`` from the end, each about BLOCK_BYTES of data."""
        size = max(1, BLOCK_BYTES // (elements_per_step * self.dtype.itemsize))
        return [(max(0, stop - size), stop) for stop in range(steps, 0, -size)]

    def _pack_state(self, finals: list[tuple[np.ndarray, ...]]) -> Any:
        stacked = tuple(np.stack([f[k] for f in finals]) for k in range(self._STATES))
        return stacked if self._STATES > 1 else stacked[0]

    # ----------------------------------------------------------------------------------------- passes

    def forward(self, x: Any, state: Any = None, mask: Any = None) -> Run:
        """Run all layers over ``x``.

        Args:
            x: ``(T, B, input_size)`` in the model's dtype, time-major, finite.
            state: initial state, shaped like ``Run.state`` (zeros when None).
            mask: ``(T, B)`` of 0/1, or None (every step real).

        Returns:
            A :class:`Run`. Raises ValueError on a wrong shape, dtype or non-finite value.
        """
        x = self._check_x(x)
        steps, batch = x.shape[:2]
        init = self._check_state(state, batch, "state")
        checked_mask = self._check_mask(mask, steps, batch)
        parts = shard_slices(batch, self._GATES * self.hidden_size)
        if len(parts) == 1:
            return self._forward_checked(x, init, checked_mask)
        models = self._shard_models(len(parts))
        output = self._array("output", (steps, batch, self.hidden_size))
        runs = run_all([
            partial(
                model._forward_part,
                x,
                part,
                [tuple(s[part] for s in layer_init) for layer_init in init],
                None if checked_mask is None else checked_mask.shard(part),
                output,
            )
            for model, part in zip(models, parts)
        ])
        return Run(
            output=output,
            state=_join_state([run.state for run in runs]),
            gates=[_JoinedGates([run.gates[layer] for run in runs]) for layer in range(self.num_layers)],
            cache=_ShardedCache(owner=self, x=x, mask=checked_mask, parts=parts, models=models, runs=runs),
        )

    def _forward_part(
        self,
        x: np.ndarray,
        part: slice,
        init: list[tuple[np.ndarray, ...]],
        mask: _Mask | None,
        output: np.ndarray,
    ) -> Run:
        """A shard's ``forward`` on the sequences ``part`` of ``x``; writes its output into ``output[:, part]``
        (on the shard's thread, so that the copies run in parallel too)."""
        run = self._forward_checked(np.ascontiguousarray(x[:, part]), init, mask)
        output[:, part] = run.output
        return run

    def _forward_checked(self, x: np.ndarray, init: list[tuple[np.ndarray, ...]], mask: _Mask | None) -> Run:
        """``forward`` on checked inputs, on the calling thread."""
        layers = []
        inp = x
        for layer in range(self.num_layers):
            record = self._layer_forward(layer, inp, init[layer], mask)
            layers.append(record)
            inp = record.output
        return Run(
            output=inp,
            state=self._pack_state([record.final for record in layers]),
            gates=[record.gates for record in layers],
            cache=_Cache(owner=self, x=x, mask=mask, layers=layers),
        )

    def backward(self, run: Run, d_output: Any = None, d_state: Any = None) -> Grads:
        """Exact backpropagation through time of ``run``.

        Args:
            run: the :class:`Run` this model's ``forward`` returned. Gradients use the weights of that forward.
            d_output: ``(T, B, H)`` ``dL/d run.output``, or None for zeros.
            d_state: ``dL/d run.state``, shaped like ``run.state``, or None for zeros.

        Returns:
            A :class:`Grads` in the model's dtype.
        """
        cache = run.cache if isinstance(run, Run) else None
        if not isinstance(cache, (_Cache, _ShardedCache)) or cache.owner is not self:
            raise ValueError("run must be the Run returned by this model's forward")
        steps, batch = cache.x.shape[:2]
        out_shape = (steps, batch, self.hidden_size)
        if d_output is None:
            d_in = np.zeros(out_shape, dtype=self.dtype)
        else:
            d_in = _as_float_array(d_output, "d_output", out_shape, self.dtype)
            if cache.mask is not None:
                d_in = d_in * cache.mask.keep  # the output is the constant 0 at masked steps
        d_final = self._check_state(d_state, batch, "d_state")
        if isinstance(cache, _Cache):
            return self._backward_checked(cache, d_in, d_final)
        d_input = self._array("d_input", cache.x.shape)
        grads = run_all([
            partial(
                model._backward_part,
                part_run.cache,
                d_in,
                part,
                [tuple(s[part] for s in layer_final) for layer_final in d_final],
                d_input,
            )
            for model, part, part_run in zip(cache.models, cache.parts, cache.runs)
        ])
        params = grads[0].params
        for other in grads[1:]:
            for key, value in params.items():
                value += other.params[key]  # each shard's arrays are its own, new in this call
        return Grads(
            params=params,
            input=d_input,
            state=_join_state([g.state for g in grads]),
            hidden=_JoinedLayers([g.hidden for g in grads]),
            cell=_JoinedLayers([g.cell for g in grads]) if self._STATES > 1 else None,
        )

    def _backward_part(
        self,
        cache: _Cache,
        d_in: np.ndarray,
        part: slice,
        d_final: list[tuple[np.ndarray, ...]],
        d_input: np.ndarray,
    ) -> Grads:
        """A shard's ``backward`` of the sequences ``part``; writes its input gradient into ``d_input[:, part]``."""
        grads = self._backward_checked(cache, d_in[:, part], d_final)
        d_input[:, part] = grads.input
        return grads

    def _backward_checked(
        self, cache: _Cache, d_in: np.ndarray, d_final: list[tuple[np.ndarray, ...]]
    ) -> Grads:
        """``backward`` on checked gradients (``d_in`` already zero at masked steps), on the calling thread."""
        per_layer: list[_LayerGrads] = []
        try:  # list.pop is atomic: a concurrent backward of this model finds no spare and starts empty
            scratch = self._spare_scratch.pop()
        except IndexError:
            scratch = {}
        try:
            for layer in reversed(range(self.num_layers)):
                result = self._layer_backward(cache.layers[layer], d_in, d_final[layer], cache.mask, scratch)
                per_layer.insert(0, result)
                d_in = result.d_input  # the layer below's output gradient
        finally:
            if not self._spare_scratch:
                self._spare_scratch.append(scratch)
        params = {}
        for key in self._params:
            name, layer = key.rsplit("_l", 1)
            params[key] = per_layer[int(layer)].params[name]
        return Grads(
            params=params,
            input=d_in,
            state=self._pack_state([r.d_init for r in per_layer]),
            hidden=[r.hidden for r in per_layer],
            cell=[r.cell for r in per_layer] if self._STATES > 1 else None,
        )

    def _layer_forward(
        self, layer: int, x: np.ndarray, init: tuple[np.ndarray, ...], mask: _Mask | None
    ) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _layer_backward(
        self,
        record: Any,
        d_out: np.ndarray,
        d_final: tuple[np.ndarray, ...],
        mask: _Mask | None,
        scratch: dict[str, np.ndarray],
    ) -> _LayerGrads:  # pragma: no cover - abstract
        """One layer's BPTT. ``d_out`` ``(T, B, H)`` may be the caller's ``d_output``: read it, never write it."""
        raise NotImplementedError


def _join_state(parts: list[Any]) -> Any:
    """Shards' states (an ``(L, b, H)`` array, or a tuple of them) joined along the batch axis."""
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate(group, axis=1) for group in zip(*parts))
    return np.concatenate(parts, axis=1)
