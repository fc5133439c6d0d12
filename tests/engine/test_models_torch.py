"""Live cross-check of RNN, LSTM and GRU against torch.nn (skipped when PyTorch is not installed).

Identical weights go in through state_dict; the loss sum(output * d_output) + sum(final state * d_state) is
differentiated by both, so every parameter gradient, the input gradient and the initial-state gradient are compared,
with and without masks (PyTorch side: pack_padded_sequence(..., enforce_sorted=False)).
"""

from __future__ import annotations

import pytest
from engine_support import KINDS, TORCH_TOL, assert_results_close, engine_results, make_case, torch_results

pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_matches_torch(kind: str, num_layers: int, masked: bool, dtype: str) -> None:
    case = make_case(
        kind, num_layers, masked, dtype, seed=num_layers, steps=6, batch=4, input_size=3, hidden=5
    )
    assert_results_close(engine_results(kind, case), torch_results(kind, case), TORCH_TOL[dtype])


@pytest.mark.parametrize("kind", KINDS)
def test_matches_torch_long_wide(kind: str) -> None:
    """A longer sequence with more units than inputs, so that errors have time to compound."""
    case = make_case(kind, 2, True, "float64", seed=7, steps=40, batch=5, input_size=2, hidden=9)
    assert_results_close(engine_results(kind, case), torch_results(kind, case), TORCH_TOL["float64"])
