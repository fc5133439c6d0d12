"""Shared helpers for tests/review (a unique module name: test folders are not packages)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: The repository root: subprocesses run from here, as CI does.
REPO = Path(__file__).resolve().parents[2]

#: Every test starts at this instant (a Sunday noon, UTC).
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@dataclass(frozen=True)
class Q:
    """The two fields of a bank question the review queue needs."""

    id: str
    topic: str


def quizzer(*args: object, data_dir: Path) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess (plain 100-column output), with ``data_dir`` as ``$QUIZZER_DATA_DIR``."""
    env = {**os.environ, "QUIZZER_DATA_DIR": str(data_dir), "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "quizzer", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
