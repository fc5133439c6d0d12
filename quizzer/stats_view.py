"""Review and quiz statistics as Rich renderables, shared by ``quizzer stats`` and the Stats screen (no Textual).

Data comes from :meth:`quizzer.storage.Store.stats`; charts from :mod:`quizzer.plotting`.
"""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.text import Text

from quizzer.plotting import bar_chart, line_plot
from quizzer.settings import format_retention
from quizzer.storage import Stats

#: Rows of the reviews-per-day plot.
PLOT_HEIGHT = 10


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else math.nan


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def summary(stats: Stats) -> Text:
    """One line: cards, reviews, due today."""
    cards = sum(stats.counts.values())
    due_today = stats.due_per_day[0] if stats.due_per_day else 0
    text = Text()
    text.append(_count(cards, "card"), style="bold")
    text.append(f" · {_count(stats.total_reviews, 'review')} · ")
    text.append(f"{due_today:,} due today", style="bold")
    text.append(f" · {_count(sum(stats.reviews_per_day), 'review')} in the last 30 days")
    return text


def reviews_plot(stats: Stats) -> RenderableType:
    return line_plot({"reviews": stats.reviews_per_day}, list(range(-len(stats.days) + 1, 1)),
                     title=f"Reviews per day, last 30 days ({stats.days[0]} to {stats.days[-1]})",
                     xlabel="days ago", height=PLOT_HEIGHT)


def forecast_chart(stats: Stats) -> RenderableType:
    labels = ["today", *stats.forecast_days[1:]]
    return bar_chart(list(zip(labels, stats.due_per_day)),
                     title="Cards due in the next 14 days (overdue cards count as today)")


def retention_chart(stats: Stats) -> RenderableType:
    items = [(f"{r.topic} ({r.passed}/{r.reviews})", _percent(r.passed, r.reviews)) for r in stats.retention]
    desired = format_retention(stats.desired_retention)
    return bar_chart(items, title=f"True retention per topic (reviews of mature cards passed) vs desired {desired}",
                     unit="%")


def quiz_chart(stats: Stats) -> RenderableType:
    items = [(f"{q.topic} · {q.difficulty} ({q.correct}/{q.answered})", _percent(q.correct, q.answered))
             for q in stats.quiz]
    return bar_chart(items, title="Quiz accuracy per topic and difficulty", unit="%")


def counts_chart(stats: Stats) -> RenderableType:
    return bar_chart(list(stats.counts.items()), title="Cards by state (New: never rated)")


def sections(stats: Stats) -> list[RenderableType]:
    """The stats, top to bottom: summary, reviews per day, forecast, retention, quiz accuracy, card counts."""
    return [summary(stats), reviews_plot(stats), forecast_chart(stats), retention_chart(stats), quiz_chart(stats),
            counts_chart(stats)]


def render_stats(stats: Stats) -> RenderableType:
    """Every section, one blank line apart."""
    parts: list[RenderableType] = []
    for section in sections(stats):
        if parts:
            parts.append(Text(""))
        parts.append(section)
    return Group(*parts)
