"""`quizzer bank validate|list|flagged`: check bank files, list questions, list flagged cards.

``validate`` prints every problem as ``path:line: id: message`` (one per line, on stderr, as ruff and mypy
do) and exits 2, or prints a summary table and exits 0. Text from bank files is printed literally: Rich markup
in a prompt (``[bold]``) is shown, never interpreted.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from question_bank.schema import DIFFICULTIES, KINDS
from quizzer.errors import EXIT_USAGE, UserError

if TYPE_CHECKING:
    from question_bank import Bank

#: ``bank list``: the space between columns, and the fewest prompt characters shown in a narrow terminal.
COLUMN_GAP = "  "
MIN_PROMPT_WIDTH = 20


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("bank", parents=parents, help="validate and list the question bank",
                            description="Validate bank files, list questions, list flagged cards.")
    actions = parser.add_subparsers(dest="bank_command", metavar="ACTION", required=True,
                                    parser_class=type(parser))

    validate = actions.add_parser(
        "validate", parents=parents, help="check the packaged bank and your files; exit 2 on any problem",
        description="Validate the packaged bank plus PATHs (files or folders), --bank and "
                    "$QUIZZER_BANK_PATH. Problems go to stderr as 'path:line: id: message'.")
    validate.add_argument("paths", nargs="*", metavar="PATH", help="bank file or folder of *.yaml files")
    validate.set_defaults(handler=run_validate)

    listing = actions.add_parser("list", parents=parents, help="list questions (id, topic, kind, difficulty)",
                                 description="List the bank's valid questions, optionally filtered.")
    listing.add_argument("--topic", action="append", metavar="T", help="only this topic (repeatable)")
    listing.add_argument("--kind", action="append", choices=KINDS, metavar="K",
                         help=f"only this kind (repeatable): {', '.join(KINDS)}")
    listing.add_argument("--difficulty", action="append", choices=DIFFICULTIES, metavar="D",
                         help=f"only this difficulty (repeatable): {', '.join(DIFFICULTIES)}")
    listing.set_defaults(handler=run_list)

    flagged = actions.add_parser("flagged", parents=parents, help="list the cards you flagged during review",
                                 description="List the cards you flagged during review.")
    flagged.set_defaults(handler=run_flagged)


def load_bank(args: argparse.Namespace, extra: Sequence[str] = ()) -> Bank:
    """The packaged bank plus ``--bank``/``$QUIZZER_BANK_PATH`` and ``extra`` paths, with demo links checked
    against the demo registry. Problems are in ``bank.errors``; nothing is raised for a file's content."""
    import question_bank
    from quizzer.cli import bank_paths
    from quizzer.demos.registry import validators

    return question_bank.load([*bank_paths(args), *extra], demos=validators())


def run_validate(args: argparse.Namespace) -> int:
    bank = load_bank(args, args.paths)
    if bank.errors:
        for error in bank.errors:
            print(error, file=sys.stderr)
        files = len({error.path for error in bank.errors})
        count = len(bank.errors)
        print(f"quizzer: {count} problem{'s' * (count != 1)} in {files} file{'s' * (files != 1)}",
              file=sys.stderr)
        return EXIT_USAGE
    _console().print(summary_table(bank))
    return 0


def summary_table(bank: Bank):
    """Question counts by topic and by kind, each broken down by difficulty, under a one-line total."""
    from rich.console import Group
    from rich.text import Text

    topics = len(bank.topics)
    headline = Text(f"{len(bank.questions)} questions in {topics} topic{'s' * (topics != 1)}: no problems")
    per_topic = {name: Counter() for name in bank.topics} | _count(bank.questions, "topic")
    per_kind = {kind: Counter() for kind in KINDS} | _count(bank.questions, "kind")
    return Group(headline, _difficulty_table("topic", per_topic), _difficulty_table("kind", per_kind))


def _count(questions: Sequence, attribute: str) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    for question in questions:
        counter = counts.setdefault(getattr(question, attribute), Counter())
        counter[question.difficulty] += 1
    return counts


def _difficulty_table(label: str, rows: dict[str, Counter[str]]):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_footer=True)
    table.add_column(label, footer="total", min_width=max(map(len, rows), default=0), no_wrap=True)
    table.add_column("questions", justify="right", footer=str(sum(sum(c.values()) for c in rows.values())))
    for difficulty in DIFFICULTIES:
        table.add_column(difficulty, justify="right", footer=str(sum(c[difficulty] for c in rows.values())))
    for name, counts in rows.items():
        table.add_row(Text(name), str(sum(counts.values())), *(str(counts[d]) for d in DIFFICULTIES))
    return table


def run_list(args: argparse.Namespace) -> int:
    bank = load_bank(args)
    topics = args.topic
    for topic in topics or ():
        if topic not in bank.topics:
            match = difflib.get_close_matches(topic, list(bank.topics), n=1)
            known = ", ".join(bank.topics) or "none"
            more = f" (did you mean '{match[0]}'?)" if match else f" (topics: {known})"
            raise UserError(f"unknown topic '{topic}'{more}")
    questions = bank.select(topics=topics, difficulties=args.difficulty, kinds=args.kind)
    if bank.errors:
        count = len(bank.errors)
        print(f"quizzer: the bank has {count} problem{'s' * (count != 1)}; questions with problems are not "
              f"listed (see 'quizzer bank validate')", file=sys.stderr)
    if not questions:
        print("No questions match.")
        return 0
    width = shutil.get_terminal_size().columns
    for text in question_lines(questions, width):
        print(text)
    count = len(questions)
    print(f"{count} question{'s' * (count != 1)}")
    return 0


def question_lines(questions: Sequence, width: int) -> list[str]:
    """A header and one aligned line per question (id, topic, kind, difficulty, prompt), at most ``width``
    characters wide with the prompt flattened to one line and cut with an ellipsis. Plain text, so that markup
    in a prompt is shown as written and the lines can be piped to grep."""
    columns = ("id", "topic", "kind", "difficulty")
    widths = [max(len(name), *(len(getattr(q, name)) for q in questions)) for name in columns]
    fixed = sum(widths) + len(COLUMN_GAP) * len(columns)
    room = max(MIN_PROMPT_WIDTH, width - fixed)

    def line(cells: Sequence[str], prompt: str) -> str:
        padded = [cell.ljust(w) for cell, w in zip(cells, widths, strict=True)]
        return COLUMN_GAP.join([*padded, prompt])

    lines = [line(columns, "prompt")]
    lines += [line([getattr(q, name) for name in columns], preview(q.prompt, room)) for q in questions]
    return [text.rstrip() for text in lines]


def preview(text: str, width: int) -> str:
    """``text`` on one line (whitespace runs collapsed), cut to ``width`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def run_flagged(args: argparse.Namespace) -> int:
    from quizzer.commands import review

    list_flagged = getattr(review, "list_flagged", None)
    if list_flagged is None:
        raise UserError("'quizzer bank flagged' is not available yet (flags come with 'quizzer review')")
    return int(list_flagged(args) or 0)


def _console():
    from rich.console import Console

    return Console(highlight=False)
