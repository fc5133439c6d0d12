"""gate-stepper: the engine's one step equals a hand computation with math.exp and math.tanh."""

from __future__ import annotations

import math
from io import StringIO

import pytest
from rich.cells import cell_len
from rich.console import Console

from lstm_engine.demos import gate_stepper
from quizzer.demos import gate_stepper as view


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def by_hand(weights: dict[str, tuple[float, float, float]], x: float, h: float, c: float) -> dict[str, float]:
    z = {gate: w * x + u * h + b for gate, (w, u, b) in weights.items()}
    i, f, o = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"])
    g = math.tanh(z["g"])
    c_new = f * c + i * g
    return {
        "i": i,
        "f": f,
        "g": g,
        "o": o,
        "c": c_new,
        "h": o * math.tanh(c_new),
        **{f"z_{k}": v for k, v in z.items()},
    }


def rendered(result: object, width: int = 100) -> str:
    console = Console(file=StringIO(), width=width)
    console.print(view.render(result))
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("preset", list(gate_stepper.PRESETS))
@pytest.mark.parametrize(("x", "h", "c"), [(1.0, 0.0, 0.5), (-0.7, 0.9, -2.0), (3.0, -0.3, 10.0)])
def test_every_preset_matches_the_hand_computation(preset: str, x: float, h: float, c: float) -> None:
    result = gate_stepper.run(preset=preset, x=x, h_prev=h, c_prev=c)
    expected = by_hand(gate_stepper.PRESETS[preset], x, h, c)
    for gate in "ifgo":
        assert result.gates[gate].value == pytest.approx(expected[gate], rel=1e-12, abs=1e-15)
        assert result.gates[gate].pre == pytest.approx(expected[f"z_{gate}"], rel=1e-12, abs=1e-15)
    assert result.c == pytest.approx(expected["c"], rel=1e-12, abs=1e-15)
    assert result.h == pytest.approx(expected["h"], rel=1e-12, abs=1e-15)
    assert result.kept + result.written == pytest.approx(result.c, rel=1e-12, abs=1e-15)


def test_overrides_replace_only_the_named_weight() -> None:
    result = gate_stepper.run(preset="balanced", w_f=-2.0, b_o=1.5, x=0.4, h_prev=0.2, c_prev=1.0)
    weights = dict(gate_stepper.PRESETS["balanced"])
    weights["f"] = (-2.0, weights["f"][1], weights["f"][2])
    weights["o"] = (weights["o"][0], weights["o"][1], 1.5)
    expected = by_hand(weights, 0.4, 0.2, 1.0)
    assert result.gates["f"].value == pytest.approx(expected["f"], rel=1e-12)
    assert result.h == pytest.approx(expected["h"], rel=1e-12)
    assert result.gates["f"].overridden == (True, False, False)
    assert result.gates["o"].overridden == (False, False, True)
    assert result.gates["i"].overridden == (False, False, False)


def test_presets_do_what_their_names_say() -> None:
    c_prev = 0.8
    remember = gate_stepper.run(preset="remember", x=-2.0, c_prev=c_prev)
    assert remember.c == pytest.approx(c_prev, abs=0.01)  # f ~ 1, i ~ 0: kept whatever the input
    forget = gate_stepper.run(preset="forget", x=-2.0, c_prev=c_prev)
    assert abs(forget.c) < 0.01  # wiped
    write = gate_stepper.run(preset="write", x=0.3, c_prev=c_prev)
    assert write.c == pytest.approx(math.tanh(2 * 0.3), abs=0.01)  # overwritten by the candidate
    saturate = gate_stepper.run(preset="saturate")
    assert all(gate.slope < view.SATURATED_SLOPE for gate in saturate.gates.values())


def test_slopes_are_the_activation_derivatives() -> None:
    result = gate_stepper.run(x=0.3, h_prev=-0.4)
    for gate in "ifo":
        z = result.gates[gate].pre
        assert result.gates[gate].slope == pytest.approx(sigmoid(z) * (1 - sigmoid(z)), rel=1e-12)
    assert result.gates["g"].slope == pytest.approx(1 - math.tanh(result.gates["g"].pre) ** 2, rel=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"preset": "nope"}, "preset must be one of balanced"),
        ({"h_prev": 2}, r"h_prev must be a number in \[-1, 1\]"),
        ({"w_q": 1}, "unknown parameter 'w_q'"),
        ({"b_f": 21}, r"b_f must be a number in \[-20, 20\], got 21"),
    ],
)
def test_bad_arguments_raise_value_error(args: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gate_stepper.run(**args)


def test_view_shows_both_notations_and_the_numbers() -> None:
    result = gate_stepper.run(preset="balanced", x=1.0, h_prev=0.0, c_prev=0.5)
    text = rendered(result, width=160)
    for equation in (
        "f_t = σ(W_f·[h_{t-1}, x_t] + b_f)",
        "Γf = σ(W_f[a⟨t-1⟩, x⟨t⟩] + b_f)",
        "C_t = f_t*C_{t-1} + i_t*C̃_t",
        "c⟨t⟩ = Γu*c̃⟨t⟩ + Γf*c⟨t-1⟩",
        "h_t = o_t*tanh(C_t)",
        "a⟨t⟩ = Γo*tanh(c⟨t⟩)",
        "C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)",
    ):
        assert equation in text
    expected = by_hand(gate_stepper.PRESETS["balanced"], 1.0, 0.0, 0.5)
    assert f"{expected['f']:.4f}" in text  # 0.6225
    assert f"{expected['c']:.4f}" in text
    assert "0.5·1 + 0.5·0 + 0" in text  # the pre-activation spelled out
    assert "Saturated" not in text


def test_view_flags_overrides_and_saturation() -> None:
    text = rendered(gate_stepper.run(preset="saturate", b_f=-3.0), width=160)
    assert "(-3)*" in text and "* = your override" in text
    assert "Saturated (i, f, g, o)" in " ".join(text.split())


def test_key_numbers() -> None:
    result = gate_stepper.run(preset="remember", c_prev=0.8)
    numbers = dict(view.key_numbers(result))
    assert numbers["c_t"] == f"{result.c:.4f}"
    assert float(numbers["f_t (forget)"]) == pytest.approx(sigmoid(gate_stepper.OPEN), abs=1e-4)
    assert 2 <= len(numbers) <= 6


def test_view_fits_narrow_widths() -> None:
    result = gate_stepper.run()
    for width in (60, 80):
        assert all(cell_len(line) <= width for line in rendered(result, width).splitlines())
