"""The ``quizzer`` command line.

Each subcommand lives in ``quizzer.commands.<name>`` and exposes ``add_parser(subparsers, parents)``; the parser it
adds sets ``handler`` (a function ``(args) -> int``) with ``set_defaults``. Heavy imports (NumPy, YAML, Textual)
happen inside handlers so that ``quizzer --help`` and the first frame stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from quizzer.errors import EXIT_USAGE, UserError

#: BLAS thread variables. The app's matrices are small (H <= 256), where a second OpenBLAS thread costs more in
#: hand-off than it gains: measured 2-3x slower demos on 2 cores. Users can still set them.
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_blas_thread() -> None:
    """Default BLAS to one thread (a user's own setting wins). Must run before anything imports NumPy."""
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("quiz", "review", "demo", "bank", "stats")


def common_options(*, top_level: bool) -> argparse.ArgumentParser:
    """Options every subcommand accepts, before or after its name.

    The subcommands' copy uses ``SUPPRESS`` defaults: otherwise argparse lets a subparser's default overwrite a
    value given before the subcommand (``quizzer --bank x quiz``)."""
    default = None if top_level else argparse.SUPPRESS
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--bank",
        action="append",
        default=default,
        metavar="PATH",
        help="extra question bank file or folder (repeatable; also $QUIZZER_BANK_PATH, ':'-separated)",
    )
    common.add_argument(
        "--data-dir",
        default=default,
        metavar="DIR",
        help="folder for quizzer.db (default: $QUIZZER_DATA_DIR, else the platform's user data folder)",
    )
    return common


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exit code 2 (its default code, but a shorter message)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="quizzer",
        description="Interview prep for LSTM, GRU and RNN: quizzes, FSRS flashcards and live gate-math demos.",
        parents=[common_options(top_level=True)],
    )
    common = common_options(top_level=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"quizzer.commands.{name}")
        module.add_parser(sub, [common])
    return parser


def bank_paths(args: argparse.Namespace) -> list[str]:
    """User bank paths from ``--bank`` (repeatable) and ``$QUIZZER_BANK_PATH`` (os.pathsep-separated)."""
    paths = [p for p in os.environ.get("QUIZZER_BANK_PATH", "").split(os.pathsep) if p]
    paths += args.bank or []
    return paths


class _NotAppOnly(Exception):
    """The arguments are more than ``[--bank P]... [--data-dir D]``: the full parser must handle them."""


class _AppOnlyParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotAppOnly(message)


def app_only_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """Parse ``quizzer [--bank PATH]... [--data-dir DIR]`` (open the app) without importing every subcommand.

    That import costs ~15 ms of the first frame. Anything else (help, a command, a bad option) returns None, so the
    full parser gives its usual answer."""
    if any(arg in ("-h", "--help") or arg in COMMANDS for arg in argv):
        return None
    parser = _AppOnlyParser(prog="quizzer", add_help=False, parents=[common_options(top_level=True)])
    try:
        args, rest = parser.parse_known_args(list(argv))
    except _NotAppOnly:
        return None
    if rest:
        return None
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    single_blas_thread()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = app_only_args(argv) or build_parser().parse_args(argv)
    try:
        if args.command is None:
            from quizzer.commands.quiz import run_app

            return run_app(args)
        return int(args.handler(args) or 0)
    except UserError as err:
        print(f"quizzer: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("quizzer: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
