"""param-count: array by array against PyTorch, totals against the textbook formulas and Keras's layouts."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from rich.console import Console

from lstm_engine.demos import param_count
from quizzer.demos import param_count as view


def rendered(result: object, width: int = 120) -> str:
    console = Console(file=StringIO(), width=width)
    console.print(view.render(result))
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cell", "x", "h", "expected"),
    [
        # hand formulas: LSTM 4H(X+H)+8H, GRU 3H(X+H)+6H, RNN H(X+H)+2H
        ("lstm", 10, 20, 4 * 20 * 30 + 8 * 20),
        ("gru", 10, 20, 3 * 20 * 30 + 6 * 20),
        ("rnn", 10, 20, 20 * 30 + 2 * 20),
        ("lstm", 1, 1, 4 * 1 * 2 + 8),
        ("lstm", 300, 512, 4 * 512 * 812 + 8 * 512),
    ],
)
def test_single_layer_matches_the_textbook_formula(cell: str, x: int, h: int, expected: int) -> None:
    result = param_count.run(cell=cell, input_size=x, hidden_size=h)
    assert result.pytorch_total == expected
    assert result.formula_value == expected


def test_keras_has_one_bias_except_its_default_gru() -> None:
    # Keras LSTM: 4H(X+H) + 4H; SimpleRNN: H(X+H) + H; GRU(reset_after=True): as PyTorch; reset_after=False: +3H
    assert param_count.run(cell="lstm", input_size=10, hidden_size=20).keras_total == 4 * 20 * 30 + 4 * 20
    assert param_count.run(cell="rnn", input_size=10, hidden_size=20).keras_total == 20 * 30 + 20
    gru = param_count.run(cell="gru", input_size=10, hidden_size=20)
    assert gru.keras_total == 3 * 20 * 30 + 6 * 20
    assert gru.keras_gru_one_bias_total == 3 * 20 * 30 + 3 * 20
    # a worked example often quoted in interviews: Keras LSTM(64) on 32 features has 24,832 parameters
    assert param_count.run(cell="lstm", input_size=32, hidden_size=64).keras_total == 24_832


def test_stacked_bidirectional_layers_read_twice_the_hidden_size() -> None:
    result = param_count.run(cell="lstm", input_size=10, hidden_size=20, num_layers=3, bidirectional=True)
    assert [item.input_size for item in result.layers] == [10, 10, 40, 40, 40, 40]
    layer0 = 4 * 20 * (10 + 20) + 8 * 20
    upper = 4 * 20 * (40 + 20) + 8 * 20
    assert result.pytorch_total == 2 * layer0 + 4 * upper


def test_projection_shrinks_the_recurrent_weights_and_the_next_layer_input() -> None:
    result = param_count.run(cell="lstm", input_size=10, hidden_size=20, num_layers=2, proj_size=5)
    # per layer: 4H*in + 4H*P + 8H + P*H
    assert result.pytorch_total == (80 * 10 + 80 * 5 + 160 + 100) + (80 * 5 + 80 * 5 + 160 + 100)
    assert result.keras_total is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"cell": "gru", "proj_size": 3}, "proj_size applies only to cell=lstm"),
        ({"hidden_size": 8, "proj_size": 8}, r"proj_size must be smaller than hidden_size \(8\), got 8"),
        ({"num_layers": 0}, r"num_layers must be an integer in \[1, 64\], got 0"),
        ({"cells": "lstm"}, "did you mean 'cell'"),
    ],
)
def test_bad_arguments_name_the_parameter(args: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        param_count.run(**args)


CONFIGS = [
    (cell, layers, bidirectional, proj)
    for cell, layers, bidirectional, proj in itertools.product(
        ("lstm", "gru", "rnn"), (1, 2, 3), (False, True), (0, 3)
    )
    if not (proj and cell != "lstm")
]


@pytest.mark.parametrize(("cell", "layers", "bidirectional", "proj"), CONFIGS)
def test_every_array_matches_pytorch(cell: str, layers: int, bidirectional: bool, proj: int) -> None:
    torch = pytest.importorskip("torch")
    x_size, hidden = 7, 6
    kwargs = {"proj_size": proj} if proj else {}
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](
        x_size, hidden, num_layers=layers, bidirectional=bidirectional, **kwargs
    )
    result = param_count.run(
        cell=cell,
        input_size=x_size,
        hidden_size=hidden,
        num_layers=layers,
        bidirectional=bidirectional,
        proj_size=proj,
    )
    expected = [(name, tuple(p.shape)) for name, p in module.named_parameters()]
    assert [(a.name, a.shape) for a in result.arrays] == expected
    assert result.pytorch_total == sum(p.numel() for p in module.parameters())
    assert sum(item.pytorch for item in result.layers) == result.pytorch_total


def test_large_sizes_use_exact_integers() -> None:
    result = param_count.run(cell="lstm", input_size=1_000_000, hidden_size=1_000_000)
    assert result.pytorch_total == 4 * 10**6 * 2 * 10**6 + 8 * 10**6


def test_view_shows_both_frameworks_and_the_formula() -> None:
    result = param_count.run(cell="lstm", input_size=32, hidden_size=64)
    text = rendered(result)
    assert "24,832" in text and "25,088" in text  # Keras and PyTorch totals
    assert "4H(X+H) + 8H = 4*64*(32+64) + 8*64 = 25,088" in text
    numbers = dict(view.key_numbers(result))
    assert numbers["PyTorch"] == "25,088" and numbers["Keras"] == "24,832"
    assert 2 <= len(view.key_numbers(result)) <= 6


def test_view_of_a_projected_bidirectional_stack() -> None:
    result = param_count.run(
        cell="lstm", input_size=10, hidden_size=20, num_layers=2, bidirectional=True, proj_size=5
    )
    text = rendered(result)
    assert "weight_hr" in text and "0 reverse" in text and "1 reverse" in text
    assert "read 5 x 2 = 10 inputs" in text
    assert dict(view.key_numbers(result))["Keras"] == "n/a"
