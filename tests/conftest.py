"""Shared test settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _colour_and_data(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Snapshots need colour, and no test may touch the user's real data folder or bank path."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("QUIZZER_BANK_PATH", raising=False)
    monkeypatch.setenv("QUIZZER_DATA_DIR", str(tmp_path_factory.mktemp("quizzer-data")))
