"""masking: only the masked run (or gathering the last real output) equals running each sequence alone."""

from __future__ import annotations

from io import StringIO

import numpy as np
import pytest
from rich.console import Console

from lstm_engine.demos import masking
from lstm_engine.lstm import LSTM
from quizzer.demos import masking as view

#: Float64 rounding between a batched and a single-sequence GEMM.
TOL = 1e-12


def test_masked_run_equals_each_sequence_alone() -> None:
    result = masking.run(lengths=(7, 3, 5, 1), hidden_size=6, seed=3)
    np.testing.assert_allclose(result.masked, result.alone, atol=TOL)
    np.testing.assert_allclose(result.masked_cell, result.alone_cell, atol=TOL)
    np.testing.assert_allclose(result.gathered, result.alone, atol=TOL)


def test_unmasked_run_differs_for_every_padded_sequence() -> None:
    result = masking.run(lengths=(7, 3, 5, 1), hidden_size=6, seed=3)
    errors = result.error("unmasked")
    assert errors[0] < TOL  # the longest sequence has no padding
    assert np.all(errors[1:] > 1e-3)


def test_equal_lengths_need_no_mask() -> None:
    result = masking.run(lengths=(4, 4), hidden_size=3)
    np.testing.assert_allclose(result.unmasked, result.masked, atol=TOL)
    assert result.mask.all()


def test_mask_marks_the_real_steps() -> None:
    result = masking.run(lengths=(3, 1))
    assert result.mask.tolist() == [[1, 1], [1, 0], [1, 0]]


def test_masked_run_matches_pytorch_packed_sequences() -> None:
    torch = pytest.importorskip("torch")
    lengths = (6, 4, 2)
    result = masking.run(lengths=lengths, hidden_size=4, seed=0)
    # the demo's batch, rebuilt from its seed
    rng = np.random.default_rng(0)
    x = np.zeros((6, 3, masking.INPUT_SIZE))
    for b, length in enumerate(lengths):
        x[:length, b] = rng.normal(size=(length, masking.INPUT_SIZE))
    reference = torch.nn.LSTM(masking.INPUT_SIZE, 4).double()
    reference.load_state_dict(
        {k: torch.from_numpy(v) for k, v in LSTM(masking.INPUT_SIZE, 4, seed=0).state_dict().items()}
    )
    packed = torch.nn.utils.rnn.pack_padded_sequence(
        torch.from_numpy(x), torch.tensor(lengths), enforce_sorted=False
    )
    with torch.no_grad():
        _, (h_n, c_n) = reference(packed)
    np.testing.assert_allclose(result.masked, h_n[0].numpy(), atol=1e-12)
    np.testing.assert_allclose(result.masked_cell, c_n[0].numpy(), atol=1e-12)


def test_view_marks_same_and_different() -> None:
    result = masking.run()
    console = Console(file=StringIO(), width=120)
    console.print(view.render(result))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert any(line.strip() == "seq 1  ■■■■··" for line in lines)
    rows = [line for line in lines if line.startswith("│ ")]
    assert len(rows) == 3
    assert rows[0].count("same") == 3  # no padding: all three agree
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells[3].endswith("differs") and cells[4].endswith("same") and cells[5].endswith("same")
    numbers = dict(view.key_numbers(result))
    assert float(numbers["max error with mask"]) < TOL < float(numbers["max error without mask"])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="lengths must be 1 to 8 comma-separated integers in"):
        masking.run(lengths=(0, 3))
