"""RNN, LSTM and GRU: hand-computed values, step-by-step runs, stability, dtypes, parameters and input checks."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from engine_support import KINDS, lengths_to_mask, make_model, random_state, state_parts
from hypothesis import given, settings
from hypothesis import strategies as st

import lstm_engine as le

#: Step-by-step and batched runs do the same arithmetic in the same order, so they agree to rounding.
SPLIT_TOL = 1e-12
#: Largest input magnitude and longest sequence the issue requires to stay finite and warning-free.
HUGE_INPUT = 1e6
LONG_STEPS = 10_000


def sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


# ----------------------------------------------------------------------------------------------- hand-computed


def test_one_unit_lstm_by_hand() -> None:
    """A 1-unit LSTM with chosen weights, two steps, every gate worked out with math.exp / math.tanh."""
    m = le.LSTM(1, 1)
    # PyTorch rows i|f|g|o. W_ih, W_hh, b_ih, b_hh per gate:
    w_x = {"i": 0.5, "f": -1.0, "g": 2.0, "o": 1.5}
    w_h = {"i": 0.25, "f": 0.5, "g": -1.0, "o": 0.75}
    b_x = {"i": 0.1, "f": 1.0, "g": 0.0, "o": -0.5}
    b_h = {"i": -0.2, "f": 0.5, "g": 0.3, "o": 0.0}
    order = "ifgo"
    m.load_state_dict(
        {
            "weight_ih_l0": np.array([[w_x[k]] for k in order]),
            "weight_hh_l0": np.array([[w_h[k]] for k in order]),
            "bias_ih_l0": np.array([b_x[k] for k in order]),
            "bias_hh_l0": np.array([b_h[k] for k in order]),
        }
    )
    xs = [1.0, -2.0]
    h, c = 0.5, -0.3  # initial state
    expected = []
    for x in xs:
        i = sigmoid(0.5 * x + 0.1 + 0.25 * h - 0.2)
        f = sigmoid(-1.0 * x + 1.0 + 0.5 * h + 0.5)
        g = math.tanh(2.0 * x + 0.0 - 1.0 * h + 0.3)
        o = sigmoid(1.5 * x - 0.5 + 0.75 * h + 0.0)
        c = f * c + i * g
        h = o * math.tanh(c)
        expected.append({"i": i, "f": f, "g": g, "o": o, "c": c, "h": h})
    # The first step written out: i = σ(0.5 + 0.1 + 0.125 - 0.2) = σ(0.525) = 1 / (1 + 0.591555) ≈ 0.628316.
    assert expected[0]["i"] == pytest.approx(0.628316, abs=1e-6)
    run = m.forward(np.array(xs).reshape(2, 1, 1), (np.full((1, 1, 1), 0.5), np.full((1, 1, 1), -0.3)))
    for t, values in enumerate(expected):
        for name, value in values.items():
            assert run.gates[0][name][t, 0, 0] == pytest.approx(value, abs=1e-14), (t, name)
    assert run.output[:, 0, 0] == pytest.approx([e["h"] for e in expected], abs=1e-14)
    assert run.state[1][0, 0, 0] == pytest.approx(expected[-1]["c"], abs=1e-14)


def test_one_unit_gru_and_rnn_by_hand() -> None:
    gru = le.GRU(1, 1)
    gru.load_state_dict(
        {
            "weight_ih_l0": np.array([[0.5], [-1.0], [2.0]]),  # r z n
            "weight_hh_l0": np.array([[1.0], [0.5], [-0.5]]),
            "bias_ih_l0": np.array([0.1, 0.2, 0.3]),
            "bias_hh_l0": np.array([-0.1, 0.4, 0.6]),
        }
    )
    x, h = 0.8, -0.4
    r = sigmoid(0.5 * x + 0.1 + 1.0 * h - 0.1)
    z = sigmoid(-1.0 * x + 0.2 + 0.5 * h + 0.4)
    n = math.tanh(2.0 * x + 0.3 + r * (-0.5 * h + 0.6))
    h_new = (1 - z) * n + z * h
    run = gru.forward(np.full((1, 1, 1), x), np.full((1, 1, 1), h))
    assert [run.gates[0][k][0, 0, 0] for k in "rznh"] == pytest.approx([r, z, n, h_new], abs=1e-14)

    rnn = le.RNN(1, 1)
    rnn.load_state_dict(
        {
            "weight_ih_l0": np.array([[1.5]]),
            "weight_hh_l0": np.array([[-0.5]]),
            "bias_ih_l0": np.array([0.2]),
            "bias_hh_l0": np.array([-0.1]),
        }
    )
    run = rnn.forward(np.full((1, 1, 1), x), np.full((1, 1, 1), h))
    assert run.output[0, 0, 0] == pytest.approx(math.tanh(1.5 * x + 0.2 - 0.5 * h - 0.1), abs=1e-14)


def test_one_unit_lstm_gradient_by_hand() -> None:
    """dL/dx for one step of a 1-unit LSTM from zero state, L = h: the chain rule written out."""
    m = le.LSTM(1, 1)
    w = {"i": 0.5, "f": -1.0, "g": 2.0, "o": 1.5}
    m.load_state_dict(
        {
            "weight_ih_l0": np.array([[w[k]] for k in "ifgo"]),
            "weight_hh_l0": np.zeros((4, 1)),
            "bias_ih_l0": np.zeros(4),
            "bias_hh_l0": np.zeros(4),
        }
    )
    x = 0.7
    i, g, o = sigmoid(w["i"] * x), math.tanh(w["g"] * x), sigmoid(w["o"] * x)
    c = i * g  # f·c_prev = 0
    # h = o·tanh(c): dh/dx = do/dx·tanh(c) + o·(1 - tanh²c)·(di/dx·g + i·dg/dx)
    dh_dx = (o * (1 - o) * w["o"]) * math.tanh(c) + o * (1 - math.tanh(c) ** 2) * (
        i * (1 - i) * w["i"] * g + i * (1 - g**2) * w["g"]
    )
    run = m.forward(np.full((1, 1, 1), x))
    grads = m.backward(run, np.ones((1, 1, 1)))
    assert grads.input[0, 0, 0] == pytest.approx(dh_dx, abs=1e-14)
    assert grads.params["weight_ih_l0"][1, 0] == 0.0  # f multiplies c_prev = 0


# ----------------------------------------------------------------------------------------------- step by step


def run_in_chunks(model, x: np.ndarray, state, mask, bounds: list[int]):
    """Forward over [bounds[k], bounds[k+1]) chunks, each starting from the previous chunk's final state."""
    outputs = []
    for start, stop in itertools.pairwise(bounds):
        run = model.forward(x[start:stop], state, None if mask is None else mask[start:stop])
        outputs.append(run.output)
        state = run.state
    return np.concatenate(outputs), state


@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_step_by_step_equals_one_call(kind: str, num_layers: int, masked: bool) -> None:
    rng = np.random.default_rng(3)
    steps, batch, hidden = 9, 4, 5
    m = make_model(kind, 3, hidden, num_layers, seed=4)
    x = rng.standard_normal((steps, batch, 3))
    state = random_state(kind, num_layers, batch, hidden, rng)
    mask = lengths_to_mask([9, 3, 6, 1], steps) if masked else None
    whole = m.forward(x, state, mask)
    out, final = run_in_chunks(m, x, state, mask, list(range(steps + 1)))
    np.testing.assert_allclose(out, whole.output, rtol=0, atol=SPLIT_TOL)
    for name, value in state_parts(kind, final).items():
        np.testing.assert_allclose(value, state_parts(kind, whole.state)[name], rtol=0, atol=SPLIT_TOL)


@settings(max_examples=25, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    steps=st.integers(1, 8),
    batch=st.integers(1, 4),
    input_size=st.integers(1, 4),
    hidden=st.integers(1, 5),
    num_layers=st.integers(1, 3),
    cut=st.integers(0, 8),
    data=st.data(),
)
def test_property_split_anywhere_equals_one_call(
    kind, steps, batch, input_size, hidden, num_layers, cut, data
):
    rng = np.random.default_rng(cut)
    m = make_model(kind, input_size, hidden, num_layers, seed=steps)
    x = rng.standard_normal((steps, batch, input_size))
    lengths = data.draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch))
    mask = lengths_to_mask(lengths, steps)
    whole = m.forward(x, None, mask)
    cut = min(cut, steps - 1)
    bounds = [0, steps] if cut == 0 else [0, cut, steps]
    out, final = run_in_chunks(m, x, None, mask, bounds)
    np.testing.assert_allclose(out, whole.output, rtol=0, atol=SPLIT_TOL)
    h_n = state_parts(kind, whole.state)["h"]
    # The final state is each sequence's state after its last real step; a length-0 sequence keeps the zeros.
    for b, length in enumerate(lengths):
        expected = whole.gates[-1]["h"][length - 1, b] if length else np.zeros(hidden)
        np.testing.assert_array_equal(h_n[-1, b], expected)
        np.testing.assert_array_equal(whole.output[length:, b], 0.0)
    np.testing.assert_allclose(state_parts(kind, final)["h"], h_n, rtol=0, atol=SPLIT_TOL)


# ----------------------------------------------------------------------------------------------- stability


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [("LSTM", {}), ("LSTM", {"peephole": True}), ("GRU", {}), ("RNN", {})],
    ids=["lstm", "lstm-peephole", "gru", "rnn"],
)
def test_huge_inputs_stay_finite_without_warnings(kind: str, kwargs: dict, dtype) -> None:
    rng = np.random.default_rng(0)
    m = make_model(kind, 3, 6, 2, dtype=dtype, **kwargs)
    x = (HUGE_INPUT * rng.choice([-1.0, 1.0], size=(20, 4, 3))).astype(dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        run = m.forward(x)
        grads = m.backward(run, np.ones_like(run.output))
    check_finite_and_typed(run, grads, dtype)
    assert np.abs(run.output).max() <= 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", KINDS)
def test_ten_thousand_steps_stay_finite_without_warnings(kind: str, dtype) -> None:
    rng = np.random.default_rng(1)
    m = make_model(kind, 2, 4, 1, dtype=dtype, seed=1, **({"forget_bias": 5.0} if kind == "LSTM" else {}))
    x = rng.standard_normal((LONG_STEPS, 2, 2)).astype(dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        run = m.forward(x)
        grads = m.backward(run, np.ones_like(run.output))
    check_finite_and_typed(run, grads, dtype)


def check_finite_and_typed(run, grads, dtype) -> None:
    arrays = [
        run.output,
        *state_parts_any(run.state),
        grads.input,
        *state_parts_any(grads.state),
        *grads.params.values(),
        *grads.hidden,
        *(grads.cell or []),
    ]
    arrays += [a for gates in run.gates for a in gates.values()]
    for a in arrays:
        assert a.dtype == np.dtype(dtype)
        assert np.isfinite(a).all()


def state_parts_any(state) -> list[np.ndarray]:
    return list(state) if isinstance(state, tuple) else [state]


# ----------------------------------------------------------------------------------------------- shapes, dtypes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", KINDS)
def test_shapes_and_dtypes(kind: str, dtype) -> None:
    steps, batch, inp, hidden, layers = 4, 3, 2, 5, 2
    m = make_model(kind, inp, hidden, layers, dtype=dtype)
    run = m.forward(np.zeros((steps, batch, inp), dtype=dtype))
    assert run.output.shape == (steps, batch, hidden)
    for part in state_parts_any(run.state):
        assert part.shape == (layers, batch, hidden)
    names = {"LSTM": "ifgoch", "GRU": "rznh", "RNN": "h"}[kind]
    assert len(run.gates) == layers
    for gates in run.gates:
        assert sorted(gates) == sorted(names)
        assert all(v.shape == (steps, batch, hidden) for v in gates.values())
    np.testing.assert_array_equal(run.gates[-1]["h"], run.output)
    grads = m.backward(run, np.ones_like(run.output))
    assert grads.input.shape == (steps, batch, inp)
    assert {k: v.shape for k, v in grads.params.items()} == {k: v.shape for k, v in m.state_dict().items()}
    assert len(grads.hidden) == layers
    assert m.hidden_size == hidden and m.num_layers == layers and m.dtype == np.dtype(dtype)
    check_finite_and_typed(run, grads, dtype)


def test_masked_steps_report_zero_gates_and_carried_state() -> None:
    m = le.LSTM(2, 3, seed=5)
    x = np.random.default_rng(0).standard_normal((4, 2, 2))
    run = m.forward(x, mask=lengths_to_mask([4, 2], 4))
    gates = run.gates[0]
    for name in "ifgo":
        np.testing.assert_array_equal(gates[name][2:, 1], 0.0)
        assert np.all(gates[name][:, 0] != 0.0)
    np.testing.assert_array_equal(gates["c"][2:, 1], gates["c"][[1, 1], 1])
    np.testing.assert_array_equal(run.output[2:, 1], 0.0)
    np.testing.assert_array_equal(run.state[1][0, 1], gates["c"][1, 1])


def test_backward_without_d_output_uses_zeros() -> None:
    m = le.GRU(2, 3)
    run = m.forward(np.ones((3, 1, 2)))
    d_state = np.ones((1, 1, 3))
    a = m.backward(run, None, d_state)
    b = m.backward(m.forward(np.ones((3, 1, 2))), np.zeros((3, 1, 3)), d_state)
    np.testing.assert_array_equal(a.input, b.input)
    assert np.abs(a.input).max() > 0


def test_backward_uses_the_weights_of_its_forward() -> None:
    """An optimiser step between forward and backward must not leak into that backward."""
    m = le.LSTM(2, 3)
    x = np.ones((3, 1, 2))
    reference = m.backward(m.forward(x), np.ones((3, 1, 3)))
    run = m.forward(x)
    for value in m.parameters().values():
        value += 1.0
    late = m.backward(run, np.ones((3, 1, 3)))
    np.testing.assert_array_equal(late.input, reference.input)


# ----------------------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("kind", KINDS)
def test_init_is_pytorch_uniform_from_the_seed(kind: str) -> None:
    hidden = 16
    m = make_model(kind, 3, hidden, 2, seed=11)
    bound = 1 / math.sqrt(hidden)
    params = m.state_dict()
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[kind]
    assert list(params) == [
        f"{n}_l{k}" for k in range(2) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    ]
    assert params["weight_ih_l0"].shape == (gates * hidden, 3)
    assert params["weight_ih_l1"].shape == (gates * hidden, hidden)
    every = np.concatenate([p.ravel() for p in params.values()])
    assert every.min() >= -bound and every.max() <= bound
    assert every.min() < -0.9 * bound and every.max() > 0.9 * bound  # spread over the whole range
    first = np.random.default_rng(11).uniform(-bound, bound, size=(gates * hidden, 3))
    np.testing.assert_array_equal(params["weight_ih_l0"], first)
    assert m.num_parameters() == every.size
    same = make_model(kind, 3, hidden, 2, seed=11).state_dict()
    assert all(np.array_equal(same[k], v) for k, v in params.items())
    other = make_model(kind, 3, hidden, 2, seed=12).state_dict()
    assert not np.array_equal(other["weight_hh_l0"], params["weight_hh_l0"])


def test_lstm_parameter_count_and_peephole_keys() -> None:
    inp, hidden = 5, 7
    assert le.LSTM(inp, hidden).num_parameters() == 4 * hidden * (inp + hidden) + 8 * hidden
    m = le.LSTM(inp, hidden, 2, peephole=True)
    for k in range(2):
        for gate in ("ci", "cf", "co"):
            assert m.state_dict()[f"weight_{gate}_l{k}"].shape == (hidden,)


def test_forget_bias() -> None:
    hidden = 3
    m = le.LSTM(2, hidden, 2, forget_bias=1.5)
    for k in range(2):
        b_ih, b_hh = m.state_dict()[f"bias_ih_l{k}"], m.state_dict()[f"bias_hh_l{k}"]
        np.testing.assert_array_equal(b_ih[hidden : 2 * hidden], 1.5)
        np.testing.assert_array_equal(b_hh[hidden : 2 * hidden], 0.0)
        assert np.all(b_ih[:hidden] != 1.5)
    m.set_forget_bias(-2.0)
    run = m.forward(np.zeros((1, 1, 2)))
    # Zero input and state: f = σ(-2) exactly.
    np.testing.assert_allclose(run.gates[0]["f"][0, 0], sigmoid(-2.0), rtol=0, atol=1e-15)


def test_parameters_is_live_and_state_dict_is_a_copy() -> None:
    m = le.RNN(2, 3)
    live = m.parameters()
    assert live is m.parameters()
    x = np.ones((2, 1, 2))
    before = m.forward(x).output.copy()
    live["bias_ih_l0"] += 1.0
    assert not np.allclose(m.forward(x).output, before)
    current = live["bias_ih_l0"].copy()
    snapshot = m.state_dict()
    snapshot["bias_ih_l0"] += 1.0
    np.testing.assert_array_equal(m.parameters()["bias_ih_l0"], current)


def test_load_state_dict_keeps_live_arrays_and_casts() -> None:
    m = le.LSTM(2, 3, dtype=np.float32)
    live = m.parameters()["weight_hh_l0"]
    values = {k: np.full(v.shape, 0.25) for k, v in m.state_dict().items()}  # float64
    m.load_state_dict(values)
    assert m.parameters()["weight_hh_l0"] is live
    assert live.dtype == np.float32 and np.all(live == 0.25)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("bias_hh_l0"), "missing key(s) 'bias_hh_l0'"),
        (lambda d: d.update(weight_ci_l0=np.zeros(3)), "unexpected key(s) 'weight_ci_l0'"),
        (
            lambda d: d.update(weight_ih_l0=np.zeros((3, 2))),
            ("state_dict['weight_ih_l0'] must have shape (12, 2), got shape (3, 2)"),
        ),
        (lambda d: d["weight_hh_l0"].__setitem__((0, 0), np.nan), "state_dict['weight_hh_l0'] contains NaN"),
    ],
    ids=["missing", "extra", "shape", "nan"],
)
def test_load_state_dict_errors(change, message: str) -> None:
    m = le.LSTM(2, 3)
    before = m.state_dict()
    bad = m.state_dict()
    bad["bias_ih_l0"] = np.full(12, 9.0)  # a valid value that must not be loaded when another key is bad
    change(bad)
    with pytest.raises(ValueError) as err:
        m.load_state_dict(bad)
    assert message in str(err.value)
    np.testing.assert_array_equal(m.parameters()["bias_ih_l0"], before["bias_ih_l0"])


# ----------------------------------------------------------------------------------------------- bad input


def lstm_errors() -> list:
    ok_state = (np.zeros((2, 3, 4)), np.zeros((2, 3, 4)))
    nan_x = np.zeros((5, 3, 2))
    nan_x[1, 1, 1] = np.nan
    return [
        ({"x": np.zeros((5, 2))}, "x must have shape (T, B, 2), got shape (5, 2)"),
        ({"x": np.zeros((5, 3, 7))}, "x must have shape (T, B, 2), got shape (5, 3, 7)"),
        ({"x": np.zeros((0, 3, 2))}, "with T, B >= 1, got (0, 3, 2)"),
        (
            {"x": np.zeros((5, 3, 2), dtype=np.float32)},
            "x must have dtype float64 (the model's dtype), got float32",
        ),
        ({"x": np.zeros((5, 3, 2), dtype=int)}, "got int64"),
        ({"x": nan_x}, "x of shape (5, 3, 2) contains NaN or inf"),
        ({"x": np.full((5, 3, 2), np.inf)}, "contains NaN or inf"),
        (
            {"state": np.zeros((2, 3, 4))},
            "state must be a tuple (h, c) of two arrays of shape (2, 3, 4), got ndarray",
        ),
        (
            {"state": (np.zeros((1, 3, 4)), ok_state[1])},
            "state[0] must have shape (2, 3, 4), got shape (1, 3, 4)",
        ),
        (
            {"state": (ok_state[0], np.zeros((2, 4, 4)))},
            "state[1] must have shape (2, 3, 4), got shape (2, 4, 4)",
        ),
        ({"mask": np.ones((5, 2))}, "mask must have shape (T, B) = (5, 3), got shape (5, 2)"),
        ({"mask": np.full((5, 3), 2.0)}, "mask of shape (5, 3) must hold only 0 and 1"),
        ({"mask": np.full((5, 3), "a")}, "mask must hold 0/1"),
    ]


@pytest.mark.parametrize(("kwargs", "message"), lstm_errors())
def test_lstm_forward_rejects_bad_input(kwargs: dict, message: str) -> None:
    m = le.LSTM(2, 4, 2)
    args = {"x": np.zeros((5, 3, 2)), **kwargs}
    with pytest.raises(ValueError) as err:
        m.forward(**args)
    assert message in str(err.value)


@pytest.mark.parametrize("kind", ["GRU", "RNN"])
def test_gru_rnn_state_shape_errors(kind: str) -> None:
    m = make_model(kind, 2, 4, 2)
    with pytest.raises(ValueError, match=r"state must have shape \(2, 3, 4\), got shape \(2, 1, 4\)"):
        m.forward(np.zeros((5, 3, 2)), np.zeros((2, 1, 4)))
    with pytest.raises(ValueError, match=r"state must have dtype float64 \(the model's dtype\), got float32"):
        m.forward(np.zeros((5, 3, 2)), np.zeros((2, 3, 4), dtype=np.float32))


@pytest.mark.parametrize("kind", KINDS)
def test_backward_rejects_bad_input(kind: str) -> None:
    m = make_model(kind, 2, 4)
    run = m.forward(np.zeros((5, 3, 2)))
    with pytest.raises(ValueError, match=r"d_output must have shape \(5, 3, 4\), got shape \(5, 3\)"):
        m.backward(run, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="this model's forward"):
        make_model(kind, 2, 4).backward(run, np.zeros((5, 3, 4)))
    with pytest.raises(ValueError, match=r"d_state.* must have shape \(1, 3, 4\), got shape \(1, 3, 5\)"):
        bad = np.zeros((1, 3, 5))
        m.backward(run, None, (bad, bad) if kind == "LSTM" else bad)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_size": 0, "hidden_size": 3}, "input_size must be a positive integer, got 0"),
        ({"input_size": 2, "hidden_size": 2.5}, "hidden_size must be a positive integer, got 2.5"),
        (
            {"input_size": 2, "hidden_size": 3, "num_layers": 0},
            "num_layers must be a positive integer, got 0",
        ),
        (
            {"input_size": 2, "hidden_size": 3, "dtype": np.int32},
            "dtype must be float32 or float64, got int32",
        ),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_constructor_rejects_bad_arguments(kind: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError) as err:
        getattr(le, kind)(**kwargs)
    assert message in str(err.value)
