"""Spaced repetition with the ``fsrs`` package, and the review session's queue (no Textual, no SQL here).

:class:`FsrsScheduler` wraps ``fsrs.Scheduler`` (desired retention configurable, default
``quizzer.settings.DEFAULT_RETENTION`` = 0.9; a store builds its scheduler from the retention it stores; fuzzing off
by default so that intervals are reproducible). All datetimes are timezone-aware UTC.

:class:`ReviewSession` is what the Review screen drives: due cards first (most overdue first), then up to the day's
budget of new cards, cards that come back within the session (Again, learning steps) at the end of the queue,
multi-level undo, and cram mode (every card in scope, nothing written).
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from fsrs import Card, Rating, Scheduler

from quizzer.settings import DEFAULT_RETENTION

if TYPE_CHECKING:
    from quizzer.storage import Store

#: The four ratings in key order (1-4), as Anki.
RATINGS: tuple[Rating, ...] = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
RATING_NAMES: dict[Rating, str] = {Rating.Again: "Again", Rating.Hard: "Hard", Rating.Good: "Good",
                                   Rating.Easy: "Easy"}
#: A card that comes back within this long (Again, learning steps) is shown again in the same session.
LEARN_AHEAD = timedelta(minutes=20)


def as_utc(moment: datetime) -> datetime:
    """``moment`` as ``timezone.utc`` (fsrs refuses other tzinfo objects, even ones at offset 0)."""
    if moment.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return moment.astimezone(UTC)


def card_id_for(question_id: str) -> int:
    """A stable fsrs ``card_id`` for a question id (fsrs's default id sleeps 1 ms and means nothing to us)."""
    return int.from_bytes(hashlib.blake2b(question_id.encode(), digest_size=6).digest(), "big")


class FsrsScheduler:
    """FSRS with our defaults. ``review`` never mutates its argument."""

    def __init__(self, desired_retention: float = DEFAULT_RETENTION, *, fuzzing: bool = False) -> None:
        if not 0 < desired_retention < 1:
            raise ValueError(f"desired retention must be between 0 and 1, got {desired_retention}")
        self.desired_retention = desired_retention
        self.fuzzing = fuzzing
        self.fsrs = Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzzing)

    def new_card(self, question_id: str, now: datetime) -> Card:
        """A card never rated, due ``now``."""
        return Card(card_id=card_id_for(question_id), due=as_utc(now))

    def review(self, card: Card, rating: Rating | int, now: datetime, duration_ms: int | None = None) -> Card:
        after, _log = self.fsrs.review_card(card, Rating(rating), review_datetime=as_utc(now),
                                            review_duration=duration_ms)
        return after

    def preview(self, card: Card, now: datetime) -> dict[Rating, timedelta]:
        """The interval each rating would give ``card`` if rated ``now`` (for "Good · 2d")."""
        now = as_utc(now)
        return {rating: self.review(card, rating, now).due - now for rating in RATINGS}

    def retrievability(self, card: Card, now: datetime) -> float:
        return self.fsrs.get_card_retrievability(card, current_datetime=as_utc(now))


def format_interval(delta: timedelta) -> str:
    """Anki's short interval: ``<1m``, ``10m``, ``1.5h``, ``2d``, ``1.5mo``, ``1.2y``."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{_one_decimal(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{_one_decimal(days / 30)}mo"
    return f"{_one_decimal(days / 365)}y"


def _one_decimal(value: float) -> str:
    text = f"{math.floor(value * 10 + 0.5) / 10:.1f}"
    return text.removesuffix(".0")


def rating_label(rating: Rating, delta: timedelta | None) -> str:
    """``"Good · 2d"``; just ``"Good"`` without an interval (cram mode)."""
    name = RATING_NAMES[Rating(rating)]
    return name if delta is None else f"{name} · {format_interval(delta)}"


def format_when(due: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """``"in 3h (Sun 01 Mar 15:00)"``: when the next card is due, in ``tz`` (default: local time)."""
    local = due.astimezone(tz)
    return f"in {format_interval(due - now)} ({local:%a %d %b %H:%M})"


# ---------------------------------------------------------------------------------------------------- the session


class QuestionLike(Protocol):
    id: str
    topic: str


@dataclass
class Item:
    """One card in the session's queue."""

    question_id: str
    topic: str
    new: bool            # the question had no card when the session started


@dataclass
class _Done:
    item: Item
    review_id: int | None        # None in cram mode (nothing written)
    requeued: Item | None        # the item put back at the end of the queue, if any


class ReviewSession:
    """The queue behind the Review screen. Every rating is committed by ``store.review`` before ``rate``
    returns, so the next card is never shown before the last rating is on disk."""

    def __init__(self, store: Store, questions: Sequence[QuestionLike], *, topic: str | None = None,
                 limit: int | None = None, new_limit: int = 20, cram: bool = False) -> None:
        self.store = store
        self.cram = cram
        self.topic = topic
        now = store.now()
        in_scope = [q for q in questions if topic is None or q.topic == topic]
        self._scope_ids = {q.id for q in in_scope}
        by_id = {q.id: q for q in in_scope}
        # Scope by the bank's topics, not the stored ones: a question may have moved topic since it was rated.
        if cram:
            queue = [Item(qid, by_id[qid].topic, False) for qid in store.scheduled_ids() if qid in by_id]
        else:
            queue = [Item(qid, by_id[qid].topic, False) for qid in store.due_ids(now) if qid in by_id]
            budget = max(0, new_limit - store.new_cards_today(now))
            if budget:
                known = store.known_ids(by_id)
                fresh = [Item(q.id, q.topic, True) for q in in_scope if q.id not in known]
                queue.extend(fresh[:budget])
        if limit is not None:
            queue = queue[:max(0, limit)]
        self.queue: deque[Item] = deque(queue)
        self.done: list[_Done] = []
        self.started = now

    # ---------------------------------------------------------------- state

    @property
    def current(self) -> Item | None:
        return self.queue[0] if self.queue else None

    @property
    def finished(self) -> bool:
        return not self.queue

    def counts(self) -> tuple[int, int]:
        """(review cards left, new cards left), as Anki's bottom-bar numbers."""
        new = sum(1 for item in self.queue if item.new)
        return len(self.queue) - new, new

    def card(self, now: datetime | None = None) -> Card:
        """The current card's FSRS state (a fresh card for a new question)."""
        item = self._require()
        stored = self.store.get_card(item.question_id)
        return stored if stored is not None else self.store.scheduler.new_card(item.question_id,
                                                                              now or self.store.now())

    def preview(self, now: datetime | None = None) -> dict[Rating, timedelta | None]:
        """Each rating's interval for the current card; ``None`` in cram mode (nothing is rescheduled)."""
        if self.cram:
            return dict.fromkeys(RATINGS)
        now = now or self.store.now()
        return dict(self.store.scheduler.preview(self.card(now), now))

    def next_due(self) -> datetime | None:
        """When the next card in scope falls due (for "nothing due")."""
        return self.store.next_due(self.store.now(), question_ids=self._scope_ids)

    # ---------------------------------------------------------------- actions

    def rate(self, rating: Rating | int, duration_ms: int | None = None) -> Item:
        """Rate the current card (committed before returning) and move on. Returns the rated item."""
        item = self._require()
        rating = Rating(rating)
        review_id = None
        requeued = None
        if self.cram:
            if rating == Rating.Again:
                requeued = Item(item.question_id, item.topic, item.new)
        else:
            result = self.store.review(item.question_id, item.topic, rating, duration_ms=duration_ms)
            review_id = result.review_id
            if result.after.due - self.store.now() <= LEARN_AHEAD:
                requeued = Item(item.question_id, item.topic, False)
        self.queue.popleft()
        if requeued is not None:
            self.queue.append(requeued)
        self.done.append(_Done(item, review_id, requeued))
        return item

    @property
    def can_undo(self) -> bool:
        return bool(self.done)

    def undo(self) -> Item | None:
        """Undo the last rating: the card's state is restored exactly and it is shown again. ``None`` if there is
        nothing to undo. Raises ``quizzer.storage.UndoConflict`` if another session has rated it since."""
        if not self.done:
            return None
        last = self.done[-1]
        if last.review_id is not None:
            self.store.undo(last.review_id)
        self.done.pop()
        if last.requeued is not None:
            # The requeued copy is the last one of that card in the queue.
            for index in range(len(self.queue) - 1, -1, -1):
                if self.queue[index] is last.requeued:
                    del self.queue[index]
                    break
        self.queue.appendleft(last.item)
        return last.item

    def _require(self) -> Item:
        if not self.queue:
            raise LookupError("the session has no card left")
        return self.queue[0]
