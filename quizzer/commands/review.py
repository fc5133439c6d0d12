"""`quizzer review`: not built yet (see the open issues)."""

from __future__ import annotations

import argparse

from quizzer.errors import UserError


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("review", parents=parents, help="(not built yet)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    raise UserError("'quizzer review' is not built yet")
