"""Settings kept in the ``settings`` table of ``quizzer.db``: their keys, defaults and allowed ranges.

Standard library only: the command-line parser reads these to build ``--help``, and importing ``fsrs`` (as
:mod:`quizzer.scheduling` does) would cost every ``quizzer`` invocation about 30 ms.
"""

from __future__ import annotations

#: ``settings.key`` of FSRS's desired retention; the value is the number as text (``"0.85"``).
RETENTION_KEY = "desired_retention"
#: FSRS's desired retention while none is stored (fsrs's and Anki's default).
DEFAULT_RETENTION = 0.9
#: The desired retention a user may choose. FSRS accepts (0, 1); outside this range intervals become absurd
#: (years at 0.5) or reviews pile up (daily at 0.999).
RETENTION_RANGE = (0.7, 0.99)


def check_retention(value: float) -> float:
    """``value`` as a float if it is a desired retention a user may choose, else ValueError (NaN included)."""
    number = float(value)
    low, high = RETENTION_RANGE
    if not low <= number <= high:
        raise ValueError(f"desired retention must be a number from {low} to {high}, got {value!r}")
    return number


def format_retention(value: float) -> str:
    """A retention as a percentage: ``0.85`` -> ``"85%"``, ``0.875`` -> ``"87.5%"``."""
    return f"{value * 100:.4g}%"
