"""The CLI dispatcher: global options before or after the subcommand, one-line errors, exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quizzer.cli import bank_paths, build_parser


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--bank", "a.yaml", "stats"], ["a.yaml"]),
        (["stats", "--bank", "b.yaml"], ["b.yaml"]),
        (["stats", "--bank", "b.yaml", "--bank", "c"], ["b.yaml", "c"]),
        (["stats"], []),
    ],
)
def test_bank_option_survives_either_position(argv: list[str], expected: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert bank_paths(args) == expected


def test_data_dir_before_the_subcommand_is_not_overwritten() -> None:
    args = build_parser().parse_args(["--data-dir", "/tmp/x", "stats"])
    assert args.data_dir == "/tmp/x"


def test_env_bank_path_comes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZZER_BANK_PATH", "/one:/two")
    args = build_parser().parse_args(["stats", "--bank", "/three"])
    assert bank_paths(args) == ["/one", "/two", "/three"]


def test_unknown_subcommand_is_one_line_and_exit_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "quizzer", "frobnicate"], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("quizzer: error: argument COMMAND: invalid choice: 'frobnicate'")
    assert "Traceback" not in proc.stderr
