"""`quizzer quiz`: not built yet (see the open issues)."""

from __future__ import annotations

import argparse

from quizzer.errors import UserError


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("quiz", parents=parents, help="(not built yet)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    raise UserError("'quizzer quiz' is not built yet")


def run_app(args: argparse.Namespace) -> int:
    raise UserError("the app is not built yet")
