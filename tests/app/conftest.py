"""Fixtures for the app tests (helpers live in app_support.py beside this file)."""

from __future__ import annotations

from typing import Any

import pytest
from app_support import load_bank


@pytest.fixture(scope="session")
def bank() -> Any:
    """The fixture bank: one question of each kind in fixture-gates, one in fixture-gru."""
    return load_bank()
