"""`quizzer bank`: not built yet (see the open issues)."""

from __future__ import annotations

import argparse

from quizzer.errors import UserError


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("bank", parents=parents, help="(not built yet)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    raise UserError("'quizzer bank' is not built yet")
