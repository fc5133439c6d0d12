"""The PyTorch cross-check from stored answers, so it runs where torch is absent.

tests/engine/reference/*.npz were written by ``python tests/engine/make_reference.py`` with PyTorch 2.13.0.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from engine_support import (
    KINDS,
    REFERENCE_FILES,
    TORCH_TOL,
    assert_results_close,
    engine_results,
    load_reference,
)

#: make_reference.py writes three cases per model.
CASES_PER_MODEL = 3
#: Stored vectors must stay small (the issue: well under 1 MB in total).
MAX_TOTAL_BYTES = 200_000


def test_reference_files_present_and_small() -> None:
    kinds = sorted(str(np.load(path)["meta/kind"]) for path in REFERENCE_FILES)
    assert kinds == sorted(KINDS * CASES_PER_MODEL)
    assert sum(path.stat().st_size for path in REFERENCE_FILES) < MAX_TOTAL_BYTES


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.stem)
def test_matches_stored_torch_answers(path: Path) -> None:
    kind, arrays, expected = load_reference(path)
    tol = TORCH_TOL[arrays["x"].dtype.name]
    assert_results_close(engine_results(kind, arrays), expected, tol)
