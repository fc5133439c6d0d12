"""`quizzer review`: spaced-repetition flashcards in the terminal app; also `list_flagged` for `quizzer bank flagged`.

The bank is loaded and the database opened before the app starts, so that an unknown topic or a corrupt database
is a one-line error and exit code 2 rather than an empty screen. ``--retention R`` is stored in the database (and
so used by every later session, the home menu's Review included) only once both checks have passed.
"""

from __future__ import annotations

import argparse
import difflib

from quizzer.errors import UserError
from quizzer.settings import DEFAULT_RETENTION, RETENTION_RANGE, check_retention

#: New cards introduced per day when ``--new`` is not given (Anki's default).
DEFAULT_NEW_PER_DAY = 20


def _count(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "review",
        parents=parents,
        help="review flashcards due today (FSRS spaced repetition)",
        description="Due cards first, then new ones. Keys: space shows the answer, 1-4 rate Again/Hard/Good/Easy "
        "(each with its next interval), u undoes, f flags the card, d opens its demo, escape leaves.",
    )
    parser.add_argument("--topic", metavar="T", help="only this topic")
    parser.add_argument("--limit", type=_count(1), metavar="N", help="at most N cards this session")
    parser.add_argument("--new", type=_count(0), default=DEFAULT_NEW_PER_DAY, metavar="N",
                        help=f"new cards per day (default {DEFAULT_NEW_PER_DAY})")
    parser.add_argument("--cram", action="store_true",
                        help="study every card in scope, due or not, without changing its schedule")
    parser.add_argument("--retention", type=_retention, default=None, metavar="R",
                        help=f"desired retention for FSRS, {RETENTION_RANGE[0]} to {RETENTION_RANGE[1]}: higher "
                        "means shorter intervals and more reviews. Remembered in the database for later "
                        f"sessions (default {DEFAULT_RETENTION} until set)")
    parser.set_defaults(handler=_run)


def _retention(text: str) -> float:
    try:
        return check_retention(text)
    except ValueError:
        low, high = RETENTION_RANGE
        raise argparse.ArgumentTypeError(f"retention must be a number from {low} to {high}, got {text!r}") from None


def check_topic(bank, topic: str | None) -> None:
    """UserError for a topic the bank does not have, with a did-you-mean hint."""
    if topic is None:
        return
    topics = sorted({q.topic for q in bank.questions})
    if topic in topics:
        return
    close = difflib.get_close_matches(topic, topics, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else f"; topics: {', '.join(topics) or 'none'}"
    raise UserError(f"unknown topic '{topic}'{hint}")


def _run(args: argparse.Namespace) -> int:
    from quizzer.commands.quiz import load_bank
    from quizzer.storage import Store

    bank = load_bank(args)
    check_topic(bank, args.topic)
    # A bad database fails here, before the app starts; --retention is committed here (and then used).
    store = Store.open(getattr(args, "data_dir", None), desired_retention=args.retention)
    try:
        return run_review_app(args, bank, store)
    finally:
        store.close()


def run_review_app(args: argparse.Namespace, bank, store) -> int:
    """Run the Textual app with the Review screen as its first screen (escape or q leaves)."""
    from quizzer.cli import bank_paths

    app = review_app(bank, store, topic=args.topic, limit=args.limit, new_limit=args.new, cram=args.cram,
                     bank_paths=bank_paths(args), data_dir=getattr(args, "data_dir", None))
    app.run()
    if isinstance(app.return_value, UserError):
        raise app.return_value
    return app.return_code or 0


def review_app(bank, store, *, topic: str | None = None, limit: int | None = None,
               new_limit: int = DEFAULT_NEW_PER_DAY, cram: bool = False, bank_paths=(), data_dir=None):
    """The app opening straight on a Review screen over ``bank`` and ``store`` (the caller closes ``store``)."""
    from quizzer.app import QuizzerApp
    from quizzer.screens.review import ReviewScreen

    screen = ReviewScreen(topic=topic, limit=limit, new_limit=new_limit, cram=cram, store=store, bank=bank)
    return QuizzerApp(bank_paths=bank_paths, data_dir=data_dir, bank=bank, store=store, screen=screen)


def app_starting_on(make_screen, *, bank, bank_paths=(), data_dir=None):
    """``quizzer.app.QuizzerApp`` with ``make_screen()`` as its first screen instead of the home screen."""
    from quizzer.app import QuizzerApp

    return QuizzerApp(bank_paths=bank_paths, data_dir=data_dir, bank=bank, screen=make_screen())


def list_flagged(args: argparse.Namespace) -> int:
    """Print every flagged question as ``path:line: id: note`` (editors jump there), oldest first. Questions no
    longer in the bank are listed by id. Returns the exit code (0)."""
    from quizzer.commands.quiz import load_bank
    from quizzer.storage import Store

    with Store.open(getattr(args, "data_dir", None)) as store:
        flags = store.flags()
    if not flags:
        print("no flagged questions")
        return 0
    bank = load_bank(args)
    for flag in flags:
        question = bank.get(flag.question_id)
        when = flag.created_at.astimezone().strftime("%Y-%m-%d")
        if question is None:
            print(f"{flag.question_id}: {flag.note} (flagged {when}; no longer in the bank)")
        else:
            print(f"{question.path}:{question.line}: {flag.question_id}: {flag.note} (flagged {when})")
    return 0
