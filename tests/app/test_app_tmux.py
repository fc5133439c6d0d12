"""The installed `quizzer` in a real terminal (tmux): scripts/tmux_check.sh drives it and reads the screen."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "tmux_check.sh"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.skipif(shutil.which("quizzer") is None, reason="the quizzer command is not installed")
def test_tmux_check_script_passes() -> None:
    done = subprocess.run(["bash", str(SCRIPT)], check=False, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "all checks passed" in done.stdout
