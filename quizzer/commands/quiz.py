"""`quizzer quiz`: a quiz session in the terminal app; `quizzer` alone opens the app's home screen.

The bank is loaded before the app starts only for `quizzer quiz`, so that a filter that matches nothing is a
one-line error and exit code 2 rather than an empty screen. The home screen loads it after its first frame.
"""

from __future__ import annotations

import argparse

from quizzer.errors import UserError
from quizzer.session import DEFAULT_COUNT, KINDS, Filters


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "quiz",
        parents=parents,
        help="take a quiz in the terminal app",
        description="One question at a time: pick, type or recall the answer, then read why.",
    )
    parser.add_argument("--topic", action="append", default=[], metavar="T", help="only this topic (repeatable)")
    parser.add_argument(
        "--difficulty", action="append", default=[], metavar="D", help="only this difficulty (repeatable)"
    )
    parser.add_argument("--kind", action="append", default=[], choices=KINDS, help="only this kind (repeatable)")
    parser.add_argument(
        "--count", type=_positive, default=DEFAULT_COUNT, metavar="N", help=f"questions (default {DEFAULT_COUNT})"
    )
    parser.add_argument("--seed", type=int, default=None, metavar="S", help="shuffle seed: same seed, same quiz")
    parser.set_defaults(handler=_run)


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(
        topics=tuple(args.topic),
        difficulties=tuple(args.difficulty),
        kinds=tuple(args.kind),
        count=args.count,
        seed=args.seed,
    )


def load_bank(args: argparse.Namespace):  # -> question_bank.Bank
    """The packaged bank plus the user's ``--bank`` files. Content errors are kept in ``bank.errors``."""
    import question_bank
    from quizzer.cli import bank_paths
    from quizzer.demos import registry

    return question_bank.load(bank_paths(args), demos=registry.validators())


def _run(args: argparse.Namespace) -> int:
    from quizzer.session import QuizSession

    bank = load_bank(args)
    session = QuizSession.select(bank, filters_from(args))
    return run_app(args, bank=bank, session=session)


def run_app(args: argparse.Namespace, *, bank=None, session=None) -> int:
    """Run the Textual app: the home screen, or straight into ``session`` when given."""
    from quizzer.app import QuizzerApp
    from quizzer.cli import bank_paths

    app = QuizzerApp(bank_paths=bank_paths(args), data_dir=args.data_dir, bank=bank, session=session)
    app.run()
    if isinstance(app.return_value, UserError):
        raise app.return_value
    return app.return_code or 0
