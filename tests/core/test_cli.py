"""The CLI dispatcher: global options before or after the subcommand, one-line errors, exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quizzer.cli import app_only_args, bank_paths, build_parser


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
    proc = subprocess.run([sys.executable, "-m", "quizzer", "frobnicate"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("quizzer: error: argument COMMAND: invalid choice: 'frobnicate'")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("argv", "bank", "data_dir"),
    [([], None, None), (["--bank", "a", "--bank=b"], ["a", "b"], None), (["--data-dir", "/d"], None, "/d")],
)
def test_opening_the_app_parses_without_the_subcommands(argv: list[str], bank, data_dir) -> None:
    args = app_only_args(argv)
    assert args is not None and args.command is None
    assert (args.bank, args.data_dir) == (bank, data_dir)


@pytest.mark.parametrize("argv", [["quiz"], ["--help"], ["-h"], ["frobnicate"], ["--bank"], ["--nope"], ["--bank", "x", "stats"]])
def test_anything_more_goes_to_the_full_parser(argv: list[str]) -> None:
    assert app_only_args(argv) is None


def test_opening_the_app_imports_no_subcommand_module() -> None:
    code = (
        "import sys, quizzer.cli as c; c.app_only_args(['--bank', 'x']);"
        "print(sorted(m for m in sys.modules if m.startswith('quizzer.commands.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
