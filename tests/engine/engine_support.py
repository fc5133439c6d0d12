"""Shared helpers for the model tests in tests/engine (a unique module name: test folders are not packages).

The PyTorch side (``torch_results``) is used live by test_models_torch.py and offline by make_reference.py, which
stores its answers in tests/engine/reference/*.npz for test_models_reference.py. torch is imported inside the
function only, so this module loads without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import lstm_engine as le

KINDS = ("LSTM", "GRU", "RNN")
#: Agreement with PyTorch required by the issue, per dtype.
TORCH_TOL = {"float64": 1e-10, "float32": 1e-4}
#: PyTorch's stored answers, written by make_reference.py.
REFERENCE_FILES = sorted((Path(__file__).resolve().parent / "reference").glob("*.npz"))


def load_reference(path: Path) -> tuple[str, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One stored case: the model kind, the case's inputs (as ``make_case`` makes them) and PyTorch's answers
    (keyed as ``engine_results`` keys its own)."""
    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    kind = str(arrays.pop("meta/kind"))
    arrays.pop("meta/torch_version")
    expected = {k.removeprefix("expect/"): arrays.pop(k) for k in list(arrays) if k.startswith("expect/")}
    return kind, arrays, expected


def make_model(
    kind: str,
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    dtype: Any = np.float64,
    seed: int = 0,
    **kwargs: Any,
) -> Any:
    return getattr(le, kind)(input_size, hidden_size, num_layers, dtype=dtype, seed=seed, **kwargs)


def lengths_to_mask(lengths: np.ndarray, steps: int, dtype: Any = np.float64) -> np.ndarray:
    """``(T, B)`` right-padded 0/1 mask: 1 for ``t < lengths[b]``."""
    return (np.arange(steps)[:, None] < np.asarray(lengths)[None, :]).astype(dtype)


def random_state(
    kind: str, num_layers: int, batch: int, hidden: int, rng: np.random.Generator, dtype: Any = np.float64
) -> Any:
    """A random state shaped like ``Run.state``: ``(h, c)`` for LSTM, ``h`` otherwise, each ``(L, B, H)``."""
    shape = (num_layers, batch, hidden)
    h = rng.standard_normal(shape).astype(dtype)
    if kind == "LSTM":
        return (h, rng.standard_normal(shape).astype(dtype))
    return h


def state_parts(kind: str, state: Any) -> dict[str, np.ndarray]:
    """``{"h": ..., "c": ...}`` for LSTM states, ``{"h": ...}`` otherwise."""
    return {"h": state[0], "c": state[1]} if kind == "LSTM" else {"h": state}


def parts_to_state(kind: str, parts: dict[str, np.ndarray]) -> Any:
    return (parts["h"], parts["c"]) if kind == "LSTM" else parts["h"]


def make_case(
    kind: str,
    num_layers: int,
    masked: bool,
    dtype: str,
    seed: int = 0,
    steps: int = 5,
    batch: int = 3,
    input_size: int = 3,
    hidden: int = 4,
) -> dict[str, np.ndarray]:
    """A flat dict of inputs for one cross-check: parameters (``param/<key>``), ``x``, ``state/h`` (``state/c``),
    ``lengths`` (all ``T`` when unmasked), ``d_output`` and ``d_state/h`` (``d_state/c``).

    The model's weights are spread wider than PyTorch's default so that gates move away from 0.5.
    """
    rng = np.random.default_rng(seed)
    model = make_model(kind, input_size, hidden, num_layers, dtype=dtype, seed=seed)
    case: dict[str, np.ndarray] = {
        f"param/{k}": (2.0 * v).astype(dtype) for k, v in model.state_dict().items()
    }
    case["x"] = rng.standard_normal((steps, batch, input_size)).astype(dtype)
    for name, value in state_parts(kind, random_state(kind, num_layers, batch, hidden, rng, dtype)).items():
        case[f"state/{name}"] = value
    # Unsorted, one sequence full length (pad_packed_sequence then returns T steps), one of length 1.
    lengths = rng.integers(1, steps, size=batch)
    lengths[rng.integers(batch)] = steps
    lengths[(np.argmax(lengths) + 1) % batch] = 1
    case["lengths"] = lengths if masked else np.full(batch, steps)
    case["masked"] = np.array(masked)
    case["d_output"] = rng.standard_normal((steps, batch, hidden)).astype(dtype)
    for name, value in state_parts(kind, random_state(kind, num_layers, batch, hidden, rng, dtype)).items():
        case[f"d_state/{name}"] = value
    return case


def _case_params(case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k.removeprefix("param/"): v for k, v in case.items() if k.startswith("param/")}


def _case_state(kind: str, case: dict[str, np.ndarray], prefix: str) -> Any:
    return parts_to_state(kind, {n: case[f"{prefix}/{n}"] for n in ("h", "c") if f"{prefix}/{n}" in case})


def engine_results(kind: str, case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run the engine on ``case``: forward, then backward of ``sum(output * d_output) + sum(state * d_state)``."""
    x = case["x"]
    steps, _, input_size = x.shape
    params = _case_params(case)
    num_layers = sum(1 for k in params if k.startswith("weight_ih_l"))
    hidden = params["weight_hh_l0"].shape[1]
    model = make_model(kind, input_size, hidden, num_layers, dtype=x.dtype)
    model.load_state_dict(params)
    mask = lengths_to_mask(case["lengths"], steps, x.dtype) if bool(case["masked"]) else None
    run = model.forward(x, _case_state(kind, case, "state"), mask)
    grads = model.backward(run, case["d_output"], _case_state(kind, case, "d_state"))
    out = {"output": run.output, "grad/input": grads.input}
    for name, value in state_parts(kind, run.state).items():
        out[f"final/{name}"] = value
    for name, value in state_parts(kind, grads.state).items():
        out[f"grad/state/{name}"] = value
    for name, value in grads.params.items():
        out[f"grad/param/{name}"] = value
    return out


def torch_results(kind: str, case: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same as ``engine_results`` computed by ``torch.nn.<kind>`` with autograd (masks through
    ``pack_padded_sequence(..., enforce_sorted=False)`` and ``pad_packed_sequence``)."""
    import torch

    x_np = case["x"]
    steps, _, input_size = x_np.shape
    tdtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}[x_np.dtype]
    params = _case_params(case)
    num_layers = sum(1 for k in params if k.startswith("weight_ih_l"))
    hidden = params["weight_hh_l0"].shape[1]
    net = getattr(torch.nn, kind)(input_size, hidden, num_layers, dtype=tdtype)
    net.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in params.items()})
    x = torch.from_numpy(x_np.copy()).requires_grad_()
    init = {
        n: torch.from_numpy(case[f"state/{n}"].copy()).requires_grad_()
        for n in ("h", "c")
        if f"state/{n}" in case
    }
    torch_state = (init["h"], init["c"]) if kind == "LSTM" else init["h"]
    if bool(case["masked"]):
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, torch.from_numpy(case["lengths"]), enforce_sorted=False
        )
        out_packed, final = net(packed, torch_state)
        output, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, total_length=steps)
    else:
        output, final = net(x, torch_state)
    final_parts = {"h": final[0], "c": final[1]} if kind == "LSTM" else {"h": final}
    loss = (output * torch.from_numpy(case["d_output"])).sum()
    for name, value in final_parts.items():
        loss = loss + (value * torch.from_numpy(case[f"d_state/{name}"])).sum()
    loss.backward()
    out = {"output": output.detach().numpy(), "grad/input": x.grad.numpy()}
    for name, value in final_parts.items():
        out[f"final/{name}"] = value.detach().numpy()
    for name, value in init.items():
        out[f"grad/state/{name}"] = value.grad.numpy()
    for name, value in net.named_parameters():
        out[f"grad/param/{name}"] = value.grad.numpy()
    return out


def assert_results_close(got: dict[str, np.ndarray], expected: dict[str, np.ndarray], tol: float) -> None:
    """Every expected array is present in ``got`` with the same shape and dtype, within ``tol`` (max abs)."""
    assert sorted(got) == sorted(expected)
    for key, want in expected.items():
        have = got[key]
        assert have.shape == want.shape, key
        assert have.dtype == want.dtype, key
        err = float(np.max(np.abs(have - want)))
        assert err <= tol, f"{key}: max abs diff {err:.3g} > {tol:g}"
