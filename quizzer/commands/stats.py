"""`quizzer stats`: reviews per day, due forecast, retention, quiz accuracy and card counts, printed with Rich."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "stats",
        parents=parents,
        help="print review and quiz statistics",
        description="Reviews per day (last 30 days), cards due in the next 14 days, true retention per topic, "
        "quiz accuracy per topic and difficulty, and cards by state.",
    )
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from quizzer.commands.quiz import load_bank
    from quizzer.stats_view import render_stats
    from quizzer.storage import Store

    with Store.open(getattr(args, "data_dir", None)) as store:
        bank = load_bank(args)
        stats = store.stats(question_ids={q.id for q in bank.questions})
    Console().print(render_stats(stats))
    return 0
