"""Shared test settings."""

from __future__ import annotations

from quizzer.cli import single_blas_thread

# Before anything imports NumPy: the same single BLAS thread the app uses. The test matrices are small, where a
# second OpenBLAS thread was 2-9x slower on this 2-core machine.
single_blas_thread()

import pytest


@pytest.fixture(autouse=True)
def _colour_and_data(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Snapshots need colour, and no test may touch the user's real data folder or bank path."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("QUIZZER_BANK_PATH", raising=False)
    monkeypatch.setenv("QUIZZER_DATA_DIR", str(tmp_path_factory.mktemp("quizzer-data")))
