"""Scheduling: what the store records equals what the fsrs library computes when called directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State
from review_support import T0, Clock, Q

from quizzer.scheduling import FsrsScheduler, ReviewSession, card_id_for, format_interval, rating_label
from quizzer.storage import Store

#: (minutes late, i.e. after the card fell due, rating): a new card's first months, with a lapse.
SCRIPT = [
    (0, Rating.Good), (3, Rating.Good), (60 * 24 * 2, Rating.Good), (60 * 24 * 5, Rating.Again),
    (10, Rating.Hard), (0, Rating.Hard), (60, Rating.Easy), (60 * 24 * 9, Rating.Good), (60 * 24 * 30, Rating.Hard),
]


def reference(retention: float) -> list[tuple[Card, dict[Rating, timedelta]]]:
    """The script run on the fsrs library itself: the card after each step and the four intervals offered
    before it."""
    fsrs = Scheduler(desired_retention=retention, enable_fuzzing=False)
    card = Card(card_id=card_id_for("lstm-gates"), due=T0)
    out = []
    for minutes, rating in SCRIPT:
        now = card.due + timedelta(minutes=minutes)
        offered = {r: fsrs.review_card(card, r, review_datetime=now)[0].due - now for r in Rating}
        card, _ = fsrs.review_card(card, rating, review_datetime=now)
        out.append((card, offered))
    return out


@pytest.mark.parametrize("retention", [0.9, 0.8])
def test_scripted_ratings_match_fsrs(tmp_path, retention: float) -> None:
    clock = Clock()
    store = Store.open(tmp_path, clock=clock, tz=UTC, scheduler=FsrsScheduler(retention))
    expected = reference(retention)
    for (minutes, rating), (want_card, want_offered) in zip(SCRIPT, expected, strict=True):
        due = store.get_card("lstm-gates").due if store.get_card("lstm-gates") else T0
        clock.now = due + timedelta(minutes=minutes)
        session = ReviewSession(store, [Q("lstm-gates", "lstm")], new_limit=1)
        assert session.current is not None and session.current.question_id == "lstm-gates"
        assert session.preview() == want_offered
        session.rate(rating)
        assert store.get_card("lstm-gates").to_dict() == want_card.to_dict()
    # The log replays the same states, and the retention actually changes the schedule.
    history = store.history("lstm-gates")
    assert [row.state_after.to_dict() for row in history] == [c.to_dict() for c, _ in expected]
    assert [row.rating for row in history] == [r.value for _, r in SCRIPT]
    store.close()


def test_retention_changes_intervals() -> None:
    card = Card(card_id=1, state=State.Review, stability=10.0, difficulty=5.0, due=T0, last_review=T0 - timedelta(10))
    loose = FsrsScheduler(0.8).preview(card, T0)[Rating.Good]
    strict = FsrsScheduler(0.95).preview(card, T0)[Rating.Good]
    assert strict < loose


def test_review_does_not_mutate_and_accepts_other_utc_zones() -> None:
    scheduler = FsrsScheduler()
    card = scheduler.new_card("q", T0)
    before = card.to_dict()
    berlin = timezone(timedelta(hours=1))
    after = scheduler.review(card, Rating.Good, T0.astimezone(berlin))
    assert card.to_dict() == before
    assert after.last_review == T0 and after.last_review.tzinfo is UTC
    with pytest.raises(ValueError):
        scheduler.review(card, Rating.Good, datetime(2026, 3, 1))


def test_bad_retention_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        FsrsScheduler(1.5)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "<1m"), (timedelta(minutes=1), "1m"), (timedelta(minutes=10), "10m"),
        (timedelta(hours=1), "1h"), (timedelta(hours=1, minutes=30), "1.5h"), (timedelta(days=1), "1d"),
        (timedelta(days=2, hours=3), "2d"), (timedelta(days=45), "1.5mo"), (timedelta(days=400), "1.1y"),
    ],
)
def test_format_interval(delta: timedelta, text: str) -> None:
    assert format_interval(delta) == text


def test_rating_label() -> None:
    assert rating_label(Rating.Good, timedelta(days=2)) == "Good · 2d"
    assert rating_label(Rating.Again, None) == "Again"


def test_card_ids_are_stable_and_distinct() -> None:
    assert card_id_for("lstm-gates") == card_id_for("lstm-gates")
    assert card_id_for("lstm-gates") != card_id_for("gru-gates")
