"""Central finite differences (float64) against every gradient the models return.

The loss is ``sum(output * W) + sum(final state * V)`` with random ``W`` and ``V``. Covered: every parameter
(including the peephole LSTM's, which PyTorch lacks), the input, the initial state, and ``grads.hidden`` /
``grads.cell`` (dL/dh_t, dL/dc_t of every layer), with and without masks.

dL/dh_t is checked by perturbing h_t in the middle of a run: each layer runs as its own one-layer model, the
target layer is stopped after step t, its state is nudged, and the run continues from there.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_support import lengths_to_mask, make_model, parts_to_state, random_state, state_parts

FD_STEP = 1e-6
#: The issue's bound on the relative error of the analytic gradients.
REL_TOL = 1e-6
STEPS, BATCH, INPUT, HIDDEN = 5, 3, 2, 3
LENGTHS = np.array([2, 5, 1])  # unsorted right-padded lengths, one full

MODELS = [
    ("LSTM", {}),
    ("LSTM", {"peephole": True}),
    ("GRU", {}),
    ("RNN", {}),
]
MODEL_IDS = ["lstm", "lstm-peephole", "gru", "rnn"]


def relative_error(numeric: np.ndarray, analytic: np.ndarray) -> float:
    scale = max(np.abs(numeric).max(), np.abs(analytic).max())
    return float(np.abs(numeric - analytic).max() / scale)


def central_difference(loss, array: np.ndarray) -> np.ndarray:
    """dloss/darray by central differences, perturbing ``array`` in place (restored afterwards)."""
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        old = array[idx]
        array[idx] = old + FD_STEP
        plus = loss()
        array[idx] = old - FD_STEP
        minus = loss()
        array[idx] = old
        grad[idx] = (plus - minus) / (2 * FD_STEP)
    return grad


class Setup:
    """A model with wide weights, random input, state, mask and loss weights."""

    def __init__(self, kind: str, kwargs: dict, num_layers: int, masked: bool, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.kind = kind
        self.model = make_model(kind, INPUT, HIDDEN, num_layers, seed=seed, **kwargs)
        for value in self.model.parameters().values():
            value *= 2.0  # wider than the default init, so gates leave the linear region
        self.x = rng.standard_normal((STEPS, BATCH, INPUT))
        self.state = random_state(kind, num_layers, BATCH, HIDDEN, rng)
        self.mask = lengths_to_mask(LENGTHS, STEPS) if masked else None
        self.w_out = rng.standard_normal((STEPS, BATCH, HIDDEN))
        self.w_state = random_state(kind, num_layers, BATCH, HIDDEN, rng)

    def state_loss(self, state) -> float:
        parts, weights = state_parts(self.kind, state), state_parts(self.kind, self.w_state)
        return sum(float(np.sum(parts[k] * weights[k])) for k in parts)

    def loss(self) -> float:
        run = self.model.forward(self.x, self.state, self.mask)
        return float(np.sum(run.output * self.w_out)) + self.state_loss(run.state)

    def grads(self):
        run = self.model.forward(self.x, self.state, self.mask)
        return self.model.backward(run, self.w_out, self.w_state)


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize(("kind", "kwargs"), MODELS, ids=MODEL_IDS)
def test_parameter_input_and_state_gradients(kind: str, kwargs: dict, num_layers: int, masked: bool) -> None:
    s = Setup(kind, kwargs, num_layers, masked)
    grads = s.grads()
    params = s.model.parameters()
    assert list(grads.params) == list(params)
    for key, value in params.items():
        assert relative_error(central_difference(s.loss, value), grads.params[key]) <= REL_TOL, key
    assert relative_error(central_difference(s.loss, s.x), grads.input) <= REL_TOL
    for name, value in state_parts(kind, s.state).items():
        analytic = state_parts(kind, grads.state)[name]
        assert relative_error(central_difference(s.loss, value), analytic) <= REL_TOL, name


def one_layer_models(s: Setup) -> list:
    """Each layer of ``s.model`` as its own one-layer model with the same weights."""
    model = s.model
    singles = []
    for layer in range(model.num_layers):
        width = model.input_size if layer == 0 else model.hidden_size
        kwargs = {"peephole": True} if getattr(model, "peephole", False) else {}
        single = make_model(s.kind, width, model.hidden_size, 1, **kwargs)
        single.load_state_dict(
            {
                k.replace(f"_l{layer}", "_l0"): v
                for k, v in model.state_dict().items()
                if k.endswith(f"_l{layer}")
            }
        )
        singles.append(single)
    return singles


def output_gate(single, x_t: np.ndarray, head, start, t: int, b: int, j: int, c_t: float) -> float:
    """o_t of sequence b, unit j of a one-layer LSTM, recomputed from its weights (PyTorch rows 3H:4H) with the
    cell value c_t, which only a peephole connection lets into the gate."""
    p = single.parameters()
    hidden = single.hidden_size
    row = 3 * hidden + j
    h_prev = state_parts("LSTM", start)["h"][0, b] if t == 0 else head.gates[0]["h"][t - 1, b]
    pre = p["weight_ih_l0"][row] @ x_t + p["bias_ih_l0"][row] + p["weight_hh_l0"][row] @ h_prev
    pre += p["bias_hh_l0"][row]
    if "weight_co_l0" in p:
        pre += p["weight_co_l0"][j] * c_t
    return 1.0 / (1.0 + np.exp(-pre))


def loss_with_nudge(
    s: Setup, singles: list, layer: int, t: int, which: str, b: int, j: int, delta: float
) -> float:
    """The loss when layer ``layer``'s h_t (``which="h"``) or c_t (``"c"``) of sequence b, unit j, gets +delta.

    Nudging c_t also moves h_t = o_t * tanh(c_t) (and o_t itself with peepholes) when step t is real for sequence
    b: dL/dc_t is total.
    """
    inp = s.x
    total = 0.0
    init = state_parts(s.kind, s.state)
    w_state = state_parts(s.kind, s.w_state)
    for k, single in enumerate(singles):
        start = parts_to_state(s.kind, {n: v[k : k + 1] for n, v in init.items()})
        if k != layer:
            run = single.forward(inp, start, s.mask)
            out, final = run.output, state_parts(s.kind, run.state)
        else:
            head_mask = None if s.mask is None else s.mask[: t + 1]
            head = single.forward(inp[: t + 1], start, head_mask)
            out = head.output.copy()
            final = {n: v.copy() for n, v in state_parts(s.kind, head.state).items()}
            real = s.mask is None or s.mask[t, b] == 1
            final[which][0, b, j] += delta
            if which == "c" and real:
                o = output_gate(single, inp[t, b], head, start, t, b, j, final["c"][0, b, j])
                final["h"][0, b, j] = o * np.tanh(final["c"][0, b, j])
            if real:
                out[t, b, j] = final["h"][0, b, j]
            if t + 1 < STEPS:
                tail_mask = None if s.mask is None else s.mask[t + 1 :]
                tail = single.forward(inp[t + 1 :], parts_to_state(s.kind, final), tail_mask)
                out = np.concatenate([out, tail.output])
                final = state_parts(s.kind, tail.state)
        total += sum(float(np.sum(final[n][0] * w_state[n][k])) for n in final)
        inp = out
    return total + float(np.sum(inp * s.w_out))


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize(("kind", "kwargs"), MODELS, ids=MODEL_IDS)
def test_hidden_and_cell_gradients(kind: str, kwargs: dict, masked: bool) -> None:
    s = Setup(kind, kwargs, 2, masked, seed=1)
    grads = s.grads()
    singles = one_layer_models(s)
    assert abs(loss_with_nudge(s, singles, 0, 0, "h", 0, 0, 0.0) - s.loss()) < 1e-12  # the split run is exact
    wanted = {"h": grads.hidden}
    if kind == "LSTM":
        wanted["c"] = grads.cell
    else:
        assert grads.cell is None
    for which, per_layer in wanted.items():
        for layer, analytic in enumerate(per_layer):
            assert analytic.shape == (STEPS, BATCH, HIDDEN)
            numeric = np.zeros_like(analytic)
            for t, b, j in np.ndindex(analytic.shape):
                plus = loss_with_nudge(s, singles, layer, t, which, b, j, FD_STEP)
                minus = loss_with_nudge(s, singles, layer, t, which, b, j, -FD_STEP)
                numeric[t, b, j] = (plus - minus) / (2 * FD_STEP)
            assert relative_error(numeric, analytic) <= REL_TOL, (which, layer)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_jacobian_rows_from_last_step_seed(kind: str) -> None:
    """Seeding d_output at the last step only gives grads.hidden[0][t] = (dh_T/dh_t)^T e: the gradient-flow demo's
    use. Checked against the same row built by the chain rule on per-step Jacobians from finite differences."""
    s = Setup(kind, {}, 1, False, seed=2)
    unit = 1
    seed = np.zeros((STEPS, BATCH, HIDDEN))
    seed[-1, :, unit] = 1.0
    grads = s.model.backward(s.model.forward(s.x, s.state), seed)
    singles = one_layer_models(s)
    for t in range(STEPS):
        numeric = np.zeros((BATCH, HIDDEN))
        for b, j in np.ndindex(numeric.shape):
            plus = _last_output(s, singles, t, b, j, FD_STEP)
            minus = _last_output(s, singles, t, b, j, -FD_STEP)
            numeric[b, j] = (plus[b, unit] - minus[b, unit]) / (2 * FD_STEP)
        assert relative_error(numeric, grads.hidden[0][t]) <= REL_TOL, t


def _last_output(s: Setup, singles: list, t: int, b: int, j: int, delta: float) -> np.ndarray:
    """h_T (B, H) of a one-layer model whose h_t (sequence b, unit j) was nudged by delta (c_t kept)."""
    single = singles[0]
    head = single.forward(s.x[: t + 1], s.state)
    final = {n: v.copy() for n, v in state_parts(s.kind, head.state).items()}
    final["h"][0, b, j] += delta
    if t + 1 == STEPS:
        return final["h"][0]
    return single.forward(s.x[t + 1 :], parts_to_state(s.kind, final)).output[-1]
