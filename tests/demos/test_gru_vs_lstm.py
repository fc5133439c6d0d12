"""gru-vs-lstm: parameter counts by formula, by the engine's arrays and by PyTorch agree."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from lstm_engine.demos import gru_vs_lstm
from quizzer.demos import gru_vs_lstm as view

SIZES = [(1, 1), (32, 32), (3, 17), (100, 8)]


@pytest.mark.parametrize(("x", "h"), SIZES)
def test_counts_match_the_formulas(x: int, h: int) -> None:
    result = gru_vs_lstm.run(input_size=x, hidden_size=h, seq_len=5, batch_size=1)
    assert result.lstm.counted_params == result.lstm.formula_params == 4 * h * (x + h) + 8 * h
    assert result.gru.counted_params == result.gru.formula_params == 3 * h * (x + h) + 6 * h
    assert result.param_ratio == pytest.approx(4 / 3)


@pytest.mark.parametrize(("x", "h"), SIZES)
def test_counts_and_shapes_match_pytorch(x: int, h: int) -> None:
    torch = pytest.importorskip("torch")
    result = gru_vs_lstm.run(input_size=x, hidden_size=h, seq_len=5, batch_size=1)
    for stats, module in ((result.lstm, torch.nn.LSTM(x, h)), (result.gru, torch.nn.GRU(x, h))):
        assert stats.counted_params == sum(p.numel() for p in module.parameters())
        assert stats.shapes == {name: tuple(p.shape) for name, p in module.named_parameters()}


def test_gradient_flow_and_timings_are_reported() -> None:
    result = gru_vs_lstm.run(hidden_size=4, seq_len=8, batch_size=2)
    for stats in (result.lstm, result.gru):
        assert stats.norms.shape == (8,)
        assert stats.norms[-1] == pytest.approx(2.0)  # ||I_4|| = sqrt(4)
        assert stats.forward_ms_per_step >= 0 and stats.train_ms_per_step >= 0


def test_view_shows_the_formulas_with_numbers() -> None:
    result = gru_vs_lstm.run(input_size=32, hidden_size=64, seq_len=5, batch_size=2)
    console = Console(file=StringIO(), width=120)
    console.print(view.render(result))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "4·64·(32+64) + 8·64 = 25,088" in text
    assert "3·64·(32+64) + 6·64 = 18,816" in text
    assert "━━ LSTM   ━━ GRU" in text
    numbers = dict(view.key_numbers(result))
    assert (
        numbers["LSTM params"] == "25,088"
        and numbers["GRU params"] == "18,816"
        and numbers["LSTM/GRU"] == "1.33"
    )


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 512\], got 0"):
        gru_vs_lstm.run(batch_size=0)
