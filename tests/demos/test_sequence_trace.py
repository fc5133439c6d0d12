"""sequence-trace: the traced gates are an LSTM's, step by step, as the textbook equations give them."""

from __future__ import annotations

import math
from io import StringIO

import numpy as np
import pytest
from rich.console import Console

from lstm_engine.demos import sequence_trace
from lstm_engine.lstm import LSTM
from quizzer.demos import sequence_trace as view


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def textbook(x: np.ndarray, hidden: int, seed: int, forget_bias: float) -> dict[str, np.ndarray]:
    """The same model's weights, stepped with the plain equations (PyTorch gate order i|f|g|o)."""
    model = LSTM(1, hidden, seed=seed, forget_bias=forget_bias)
    p = model.state_dict()
    w_ih = p["weight_ih_l0"] * sequence_trace.INPUT_GAIN
    h, c = np.zeros(hidden), np.zeros(hidden)
    out: dict[str, list[np.ndarray]] = {k: [] for k in sequence_trace.TRACES}
    for value in x:
        z = w_ih[:, 0] * value + p["weight_hh_l0"] @ h + p["bias_ih_l0"] + p["bias_hh_l0"]
        i, f, g, o = (
            sigmoid(z[:hidden]),
            sigmoid(z[hidden : 2 * hidden]),
            np.tanh(z[2 * hidden : 3 * hidden]),
            sigmoid(z[3 * hidden :]),
        )
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, v in zip(sequence_trace.TRACES, (i, f, g, o, c, h)):
            out[name].append(v)
    return {name: np.array(v).T for name, v in out.items()}


def rendered(result: object, width: int = 100) -> str:
    console = Console(file=StringIO(), width=width)
    console.print(view.render(result))
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("pattern", ["spike", "step", "noise", "sine"])
def test_traces_match_the_textbook_equations(pattern: str) -> None:
    result = sequence_trace.run(pattern=pattern, seq_len=17, hidden_size=3, forget_bias=0.5, seed=4)
    expected = textbook(result.x, 3, 4, 0.5)
    for name in sequence_trace.TRACES:
        assert result.traces[name].shape == (3, 17)
        np.testing.assert_allclose(result.traces[name], expected[name], rtol=1e-12, atol=1e-14)


def test_hidden_states_match_pytorch() -> None:
    torch = pytest.importorskip("torch")
    result = sequence_trace.run(pattern="noise", seq_len=12, hidden_size=4, seed=1)
    model = LSTM(1, 4, seed=1, forget_bias=result.forget_bias)
    state = model.state_dict()
    state["weight_ih_l0"] = state["weight_ih_l0"] * sequence_trace.INPUT_GAIN
    reference = torch.nn.LSTM(1, 4).double()
    reference.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()})
    with torch.no_grad():
        out, (_, c_n) = reference(torch.from_numpy(result.x[:, None, None]))
    np.testing.assert_allclose(result.traces["h"], out[:, 0, :].numpy().T, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(result.traces["c"][:, -1], c_n[0, 0].numpy(), rtol=1e-10, atol=1e-12)


def test_patterns_by_hand() -> None:
    steps = 20
    onset = int(steps * sequence_trace.ONSET_FRACTION)
    spike = sequence_trace.run(pattern="spike", seq_len=steps)
    assert spike.onset == onset == 5
    assert np.flatnonzero(spike.x).tolist() == [5] and spike.x[5] == sequence_trace.AMPLITUDE
    step = sequence_trace.run(pattern="step", seq_len=steps)
    assert step.x.tolist() == [0.0] * 5 + [1.0] * 15
    sine = sequence_trace.run(pattern="sine", seq_len=steps)
    assert sine.x[5] == pytest.approx(math.sin(2 * math.pi * 2 * 5 / 20)) and sine.onset is None
    noise = sequence_trace.run(pattern="noise", seq_len=steps, seed=3)
    np.testing.assert_array_equal(noise.x, sequence_trace.run(pattern="noise", seq_len=steps, seed=3).x)
    assert not np.array_equal(noise.x, sequence_trace.run(pattern="noise", seq_len=steps, seed=4).x)
    custom = sequence_trace.run(pattern="custom", values=(1, -2, 3), seq_len=50)
    assert custom.x.tolist() == [1.0, -2.0, 3.0] and custom.steps == 3


def test_the_lstm_is_causal() -> None:
    """Spike and step agree until their inputs differ (after the onset), and not after."""
    spike = sequence_trace.run(pattern="spike", seq_len=20)
    step = sequence_trace.run(pattern="step", seq_len=20)
    first_difference = 6  # spike returns to 0 at t = 6, the step stays at 1
    for name in sequence_trace.TRACES:
        np.testing.assert_array_equal(
            spike.traces[name][:, :first_difference], step.traces[name][:, :first_difference]
        )
        assert not np.allclose(
            spike.traces[name][:, first_difference], step.traces[name][:, first_difference]
        )


def test_forget_bias_raises_the_forget_gate() -> None:
    means = [float(sequence_trace.run(forget_bias=b).traces["f"].mean()) for b in (-2.0, 0.0, 2.0)]
    assert means[0] < means[1] < means[2]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"hidden_size must be an integer in \[1, 16\], got 17"):
        sequence_trace.run(hidden_size=17)
    with pytest.raises(ValueError, match="pattern must be one of spike, step, noise, sine, custom"):
        sequence_trace.run(pattern="square")


def test_view_has_a_heatmap_per_trace_with_units_and_scales() -> None:
    result = sequence_trace.run(hidden_size=5, seq_len=12)
    text = rendered(result)
    for title, _ in view.TITLES.values():
        assert title in text
    # 5 units -> three half-block lines per heatmap: u0/u1, u2/u3, u4
    assert text.count("u0/u1 ") == len(view.TITLES) and text.count("   u4 ") == len(view.TITLES)
    assert text.count("0 ████████████████████████ 1") == 3  # i, f, o share the fixed [0, 1] scale
    assert "the input changes at t = 3" in text


def test_key_numbers() -> None:
    result = sequence_trace.run()
    numbers = dict(view.key_numbers(result))
    assert float(numbers["mean f"]) == pytest.approx(result.traces["f"].mean(), rel=1e-2)
    assert float(numbers["max |c_t|"]) == pytest.approx(abs(result.traces["c"]).max(), rel=1e-2)
    assert 2 <= len(numbers) <= 6
