"""Progress on disk: one SQLite file, ``quizzer.db``, in the user's data folder (no Textual here).

The folder is ``--data-dir DIR``, else ``$QUIZZER_DATA_DIR``, else ``platformdirs.user_data_dir("quizzer")``.

Tables (schema version in ``PRAGMA user_version``, migrated forward, never down):

- ``cards``: one row per question that has a schedule, keyed by the author's question id (so fixing a typo in a
  question keeps its progress), with the FSRS card as JSON (``Card.to_dict``), its topic, and ``due`` (epoch
  milliseconds, indexed). A question removed from the bank keeps its row and its history.
- ``review_log``: append-only (triggers refuse UPDATE and DELETE): one row per rating with the card as JSON before
  and after. Undoing a rating appends to ``undone_reviews`` and restores the card row; the log itself never changes.
- ``quiz_answers`` and ``flags``.
- ``settings`` (schema version 2): ``key -> value`` as text. Today one key, ``desired_retention`` (FSRS's desired
  retention, 0.7 to 0.99; 0.9 while none is stored), set by ``quizzer review --retention R``. :meth:`Store.open`
  builds the scheduler from it. A stored value that is not a number in that range is refused like a damaged file:
  a one-line :class:`StoreError` naming the file, which is left untouched; ``quizzer review --retention R``
  overwrites it (the new value is written before the old one is read).

Every write is one ``BEGIN IMMEDIATE`` transaction, committed (WAL, ``synchronous=FULL``) before the call returns,
so a rating the UI has shown as done survives ``kill -9`` and a power cut. WAL lets readers run beside a writer,
and the busy timeout makes a second process wait for the lock instead of failing with "database is locked".

All times are timezone-aware UTC ``datetime`` objects at the API and integer epoch milliseconds in the file. Day
boundaries (new cards per day, stats per day) use the store's ``tz`` (the local zone unless one is injected).
"""

from __future__ import annotations

import bisect
import json
import os
import random
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Self

from fsrs import Card, Rating, State

from quizzer.errors import UserError
from quizzer.scheduling import FsrsScheduler
from quizzer.settings import DEFAULT_RETENTION, RETENTION_KEY, RETENTION_RANGE, check_retention

DB_NAME = "quizzer.db"
#: The schema this code writes. A file with a larger ``user_version`` is refused, never downgraded.
SCHEMA_VERSION = 2
#: How long a writer waits for another process's transaction before giving up (SQLite busy timeout).
BUSY_TIMEOUT_S = 30.0
#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: ``cards.state`` / ``review_log.state`` value of a card that has never been rated (fsrs has no New state).
STATE_NEW = 0
STATE_NAMES = {STATE_NEW: "New", State.Learning.value: "Learning", State.Review.value: "Review",
               State.Relearning.value: "Relearning"}

Clock = Callable[[], datetime]

#: Forward migrations: ``MIGRATIONS[v]`` takes a database from version ``v`` to ``v + 1``.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE cards (
        question_id TEXT PRIMARY KEY,
        topic       TEXT NOT NULL,
        state       INTEGER NOT NULL,     -- 0 new (never rated), else fsrs State: 1 learning, 2 review, 3 relearning
        due         INTEGER NOT NULL,     -- epoch ms, UTC
        card        TEXT NOT NULL,        -- fsrs Card.to_dict() as JSON
        updated_at  INTEGER NOT NULL
    );
    CREATE INDEX cards_due ON cards (due, topic, question_id);
    CREATE INDEX cards_state ON cards (state);

    CREATE TABLE review_log (
        id           INTEGER PRIMARY KEY,
        question_id  TEXT NOT NULL,
        topic        TEXT NOT NULL,
        rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
        reviewed_at  INTEGER NOT NULL,    -- epoch ms, UTC
        duration_ms  INTEGER,
        state        INTEGER NOT NULL,    -- the card's state before this review (0 new)
        state_before TEXT,                -- fsrs card JSON before; NULL when the question had no card yet
        state_after  TEXT NOT NULL        -- fsrs card JSON after
    );
    CREATE INDEX review_log_time ON review_log (reviewed_at);
    CREATE INDEX review_log_question ON review_log (question_id, id);
    CREATE INDEX review_log_retention ON review_log (state, topic, rating);
    CREATE TRIGGER review_log_no_update BEFORE UPDATE ON review_log
        BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END;
    CREATE TRIGGER review_log_no_delete BEFORE DELETE ON review_log
        BEGIN SELECT RAISE(ABORT, 'review_log is append-only'); END;

    CREATE TABLE undone_reviews (
        review_id INTEGER PRIMARY KEY REFERENCES review_log (id),
        undone_at INTEGER NOT NULL
    );

    CREATE TABLE quiz_answers (
        id          INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        topic       TEXT NOT NULL,
        difficulty  NOT NULL,             -- as the bank spells it
        kind        TEXT NOT NULL,
        correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
        answered_at INTEGER NOT NULL
    );
    CREATE INDEX quiz_answers_question ON quiz_answers (question_id);

    CREATE TABLE flags (
        id          INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        note        TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    );
    CREATE INDEX flags_question ON flags (question_id);
    """,
    """
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,           -- quizzer.settings names the keys
        value TEXT NOT NULL               -- a number as text, e.g. 0.85
    );
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION

#: ``review_log`` rows that count (not undone).
_LIVE = "NOT EXISTS (SELECT 1 FROM undone_reviews u WHERE u.review_id = review_log.id)"


class StoreError(UserError):
    """The database cannot be used (corrupt, newer, unwritable, failing disk). The message names the file."""


class UndoConflict(Exception):
    """The rating cannot be undone: it was undone already, or the card has been rated since (another session)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    return round(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """``data_dir`` if given, else ``$QUIZZER_DATA_DIR``, else the platform's user data folder."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get("QUIZZER_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("quizzer"))


def _card_json(card: Card) -> str:
    return json.dumps(card.to_dict(), sort_keys=True)


def _card_from_json(text: str) -> Card:
    return Card.from_dict(json.loads(text))


def _card_state(card: Card) -> int:
    return STATE_NEW if card.last_review is None else card.state.value


# ---------------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class DueCard:
    question_id: str
    topic: str
    due: datetime


@dataclass(frozen=True)
class ReviewResult:
    review_id: int
    question_id: str
    rating: Rating
    before: Card | None     # None: the question had no card yet (a new card)
    after: Card


@dataclass(frozen=True)
class ReviewRow:
    id: int
    question_id: str
    topic: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None
    state: int
    state_before: Card | None
    state_after: Card
    undone: bool


@dataclass(frozen=True)
class Flag:
    id: int
    question_id: str
    note: str
    created_at: datetime


@dataclass(frozen=True)
class QuizAccuracy:
    topic: str
    difficulty: object
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else float("nan")


@dataclass(frozen=True)
class Retention:
    topic: str
    reviews: int            # reviews of cards that were in the Review state
    passed: int             # of which rated Hard, Good or Easy

    @property
    def rate(self) -> float:
        return self.passed / self.reviews if self.reviews else float("nan")


@dataclass(frozen=True)
class Stats:
    """Everything ``quizzer stats`` and the Stats screen show. Days are local days of the store's ``tz``."""

    now: datetime
    days: tuple[str, ...]                        # the last 30 days, oldest first, "MM-DD"
    reviews_per_day: tuple[int, ...]             # same length as days
    forecast_days: tuple[str, ...]               # today and the next 13 days
    due_per_day: tuple[int, ...]                 # overdue cards count as due today
    retention: tuple[Retention, ...]             # per topic, sorted by topic
    quiz: tuple[QuizAccuracy, ...]               # per (topic, difficulty)
    counts: dict[str, int] = field(default_factory=dict)   # "New", "Learning", "Review", "Relearning"
    total_reviews: int = 0
    desired_retention: float = DEFAULT_RETENTION     # what the scheduler aims for, beside the true retention


# ---------------------------------------------------------------------------------------------------- the store


class Store:
    """An open ``quizzer.db``. Create with :meth:`Store.open`; use from one thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, clock: Clock | None = None,
                 tz: tzinfo | None = None, scheduler: FsrsScheduler | None = None) -> None:
        self.path = path
        self._conn = conn
        self._clock = clock or utc_now
        self.tz = tz
        self.scheduler = scheduler or FsrsScheduler()

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(cls, data_dir: str | os.PathLike[str] | None = None, *, clock: Clock | None = None,
             tz: tzinfo | None = None, scheduler: FsrsScheduler | None = None,
             desired_retention: float | None = None) -> Store:
        """Open (creating if needed) ``quizzer.db`` in ``data_dir`` (see :func:`resolve_data_dir`).

        The store schedules with the stored desired retention (see :meth:`desired_retention`) unless ``scheduler``
        is given (tests). ``desired_retention`` is first stored (committed) as the new setting, as
        :meth:`set_desired_retention` does; that also replaces a stored value that cannot be read.

        Raises :class:`StoreError` (a ``UserError``) naming the file for a folder that cannot be written, a file
        that is not a quizzer database (left byte-for-byte untouched), a database from a newer quizzer, or a stored
        desired retention that is not a number from 0.7 to 0.99. ValueError for a ``desired_retention`` outside
        that range."""
        if desired_retention is not None:
            check_retention(desired_retention)          # before anything is created or written
        folder = resolve_data_dir(data_dir)
        path = folder / DB_NAME
        _ensure_writable_folder(folder)
        _check_header(path)
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(f"{path}: cannot open ({err}); choose another folder with --data-dir DIR") from err
        try:
            _check_contents(conn, path)     # reads only: nothing is written before this passes
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn)
        except StoreError:
            conn.close()
            raise
        except sqlite3.DatabaseError as err:
            conn.close()
            raise _unusable(path, err) from err
        store = cls(path, conn, clock=clock, tz=tz, scheduler=scheduler)
        try:
            if desired_retention is not None:
                store.set_desired_retention(desired_retention)
            elif scheduler is None:
                store.scheduler = FsrsScheduler(store.desired_retention())
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- time

    def now(self) -> datetime:
        """The store's clock (injectable for tests), as aware UTC."""
        return self._clock().astimezone(UTC)

    def local_day_start(self, moment: datetime | None = None) -> datetime:
        """Midnight (in ``tz``) of the local day containing ``moment``, as UTC."""
        local = (moment or self.now()).astimezone(self.tz)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.astimezone(UTC)

    # ---------------------------------------------------------------- low level

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction, committed on leaving (rolled back on an exception)."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as err:
            raise _unusable(self.path, err) from err
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _unusable(self.path, err) from err

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as err:
            raise _unusable(self.path, err) from err

    # ---------------------------------------------------------------- settings

    def desired_retention(self) -> float:
        """FSRS's desired retention as stored, ``DEFAULT_RETENTION`` while none is. :class:`StoreError` naming
        the file if the stored value is not a number in ``RETENTION_RANGE`` (the file is not changed)."""
        rows = self._query("SELECT value FROM settings WHERE key = ?", (RETENTION_KEY,))
        if not rows:
            return DEFAULT_RETENTION
        text = rows[0][0]
        try:
            return check_retention(text)
        except (TypeError, ValueError):
            low, high = RETENTION_RANGE
            raise StoreError(
                f"{self.path}: the stored desired retention {text!r} is not a number from {low} to {high}; it was "
                "left untouched. Replace it with quizzer review --retention R") from None

    def set_desired_retention(self, value: float) -> None:
        """Store FSRS's desired retention (ValueError outside ``RETENTION_RANGE``), committed before returning, and
        schedule with it from now on (the scheduler keeps its fuzzing setting)."""
        value = check_retention(value)
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (RETENTION_KEY, repr(value)))
        self.scheduler = FsrsScheduler(value, fuzzing=self.scheduler.fuzzing)

    # ---------------------------------------------------------------- cards

    def get_card(self, question_id: str) -> Card | None:
        rows = self._query("SELECT card FROM cards WHERE question_id = ?", (question_id,))
        return _card_from_json(rows[0][0]) if rows else None

    def card_ids(self) -> set[str]:
        """Ids of every question that has a card (new questions have none)."""
        return {row[0] for row in self._query("SELECT question_id FROM cards")}

    def due_cards(self, now: datetime | None = None, topic: str | None = None) -> list[DueCard]:
        """Cards due at ``now`` (default: the clock), most overdue first."""
        now_ms = to_ms(now or self.now())
        if topic is None:
            rows = self._query("SELECT question_id, topic, due FROM cards WHERE due <= ? ORDER BY due", (now_ms,))
        else:
            rows = self._query("SELECT question_id, topic, due FROM cards WHERE due <= ? AND topic = ? ORDER BY due",
                               (now_ms, topic))
        return [DueCard(qid, t, from_ms(due)) for qid, t, due in rows]

    def due_ids(self, now: datetime | None = None) -> list[str]:
        """Ids of the cards due at ``now``, most overdue first: the review queue's query (index only, no
        datetimes built, so it stays fast with 10,000 cards)."""
        rows = self._query("SELECT question_id FROM cards WHERE due <= ? ORDER BY due", (to_ms(now or self.now()),))
        return [row[0] for row in rows]

    def scheduled_ids(self) -> list[str]:
        """Ids of every card, soonest due first (cram mode)."""
        return [row[0] for row in self._query("SELECT question_id FROM cards ORDER BY due")]

    def known_ids(self, question_ids: Iterable[str]) -> set[str]:
        """Which of ``question_ids`` have a card (the others are new)."""
        wanted = list(question_ids)
        try:
            rows = self._conn.execute(
                "SELECT question_id FROM cards WHERE question_id IN (SELECT value FROM json_each(?))",
                (json.dumps(wanted),)).fetchall()
        except sqlite3.OperationalError:        # an SQLite built without JSON1
            return self.card_ids().intersection(wanted)
        return {row[0] for row in rows}

    def scheduled_cards(self, topic: str | None = None) -> list[DueCard]:
        """Every card, soonest due first (cram mode studies these without rescheduling them)."""
        if topic is None:
            rows = self._query("SELECT question_id, topic, due FROM cards ORDER BY due")
        else:
            rows = self._query("SELECT question_id, topic, due FROM cards WHERE topic = ? ORDER BY due", (topic,))
        return [DueCard(qid, t, from_ms(due)) for qid, t, due in rows]

    def next_due(self, after: datetime | None = None, topic: str | None = None,
                 question_ids: set[str] | None = None) -> datetime | None:
        """When the next card falls due after ``after`` (only among ``question_ids`` if given)."""
        after_ms = to_ms(after or self.now())
        sql = "SELECT question_id, due FROM cards WHERE due > ?" + (" AND topic = ?" if topic else "") + " ORDER BY due"
        try:
            cursor = self._conn.execute(sql, (after_ms, topic) if topic else (after_ms,))
            for qid, due in cursor:
                if question_ids is None or qid in question_ids:
                    return from_ms(due)
        except sqlite3.DatabaseError as err:
            raise _unusable(self.path, err) from err
        return None

    def new_cards_today(self, now: datetime | None = None) -> int:
        """How many new questions got their first rating since local midnight (the new-cards-per-day budget)."""
        start = to_ms(self.local_day_start(now))
        rows = self._query(
            f"SELECT COUNT(DISTINCT question_id) FROM review_log WHERE reviewed_at >= ? AND state_before IS NULL "
            f"AND {_LIVE}", (start,))
        return rows[0][0]

    # ---------------------------------------------------------------- reviews

    def review(self, question_id: str, topic: str, rating: Rating | int, *, at: datetime | None = None,
               duration_ms: int | None = None) -> ReviewResult:
        """Rate a card and commit before returning. The rating applies to the card as it is in the file at this
        moment (inside the write lock), so two sessions rating the same card both count."""
        rating = Rating(rating)
        at = (at or self.now()).astimezone(UTC)
        with self._write() as conn:
            row = conn.execute("SELECT card FROM cards WHERE question_id = ?", (question_id,)).fetchone()
            before = _card_from_json(row[0]) if row else None
            start = before if before is not None else self.scheduler.new_card(question_id, at)
            after = self.scheduler.review(start, rating, at)
            after_json = _card_json(after)
            cursor = conn.execute(
                "INSERT INTO review_log (question_id, topic, rating, reviewed_at, duration_ms, state, state_before,"
                " state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question_id, topic, rating.value, to_ms(at), duration_ms, _card_state(start),
                 row[0] if row else None, after_json))
            self._put_card(conn, question_id, topic, after, after_json, at)
        return ReviewResult(cursor.lastrowid, question_id, rating, before, after)

    def undo(self, review_id: int, *, at: datetime | None = None) -> Card | None:
        """Undo a rating: the card goes back to exactly its state before it (``None``: it is new again, with no
        card row). The log keeps the rating and records it as undone. :class:`UndoConflict` if it was undone
        already or the card has changed since."""
        at = at or self.now()
        with self._write() as conn:
            row = conn.execute(
                "SELECT question_id, state_before, state_after, "
                "EXISTS (SELECT 1 FROM undone_reviews WHERE review_id = review_log.id) "
                "FROM review_log WHERE id = ?", (review_id,)).fetchone()
            if row is None:
                raise UndoConflict(f"no review {review_id}")
            question_id, before_json, after_json, undone = row
            if undone:
                raise UndoConflict(f"review {review_id} was undone already")
            current = conn.execute("SELECT card FROM cards WHERE question_id = ?", (question_id,)).fetchone()
            if current is None or current[0] != after_json:
                raise UndoConflict(f"{question_id} has been rated since; that rating stays")
            conn.execute("INSERT INTO undone_reviews (review_id, undone_at) VALUES (?, ?)", (review_id, to_ms(at)))
            if before_json is None:
                conn.execute("DELETE FROM cards WHERE question_id = ?", (question_id,))
                return None
            before = _card_from_json(before_json)
            conn.execute("UPDATE cards SET card = ?, state = ?, due = ?, updated_at = ? WHERE question_id = ?",
                         (before_json, _card_state(before), to_ms(before.due), to_ms(at), question_id))
            return before

    def _put_card(self, conn: sqlite3.Connection, question_id: str, topic: str, card: Card, card_json: str,
                  at: datetime) -> None:
        conn.execute(
            "INSERT INTO cards (question_id, topic, state, due, card, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (question_id) DO UPDATE SET topic = excluded.topic, state = excluded.state, "
            "due = excluded.due, card = excluded.card, updated_at = excluded.updated_at",
            (question_id, topic, _card_state(card), to_ms(card.due), card_json, to_ms(at)))

    def history(self, question_id: str | None = None) -> list[ReviewRow]:
        """The review log (oldest first), undone ratings included and marked."""
        sql = ("SELECT id, question_id, topic, rating, reviewed_at, duration_ms, state, state_before, state_after, "
               "EXISTS (SELECT 1 FROM undone_reviews u WHERE u.review_id = review_log.id) FROM review_log")
        rows = self._query(sql + (" WHERE question_id = ? ORDER BY id" if question_id else " ORDER BY id"),
                           (question_id,) if question_id else ())
        return [ReviewRow(r[0], r[1], r[2], r[3], from_ms(r[4]), r[5], r[6],
                          _card_from_json(r[7]) if r[7] else None, _card_from_json(r[8]), bool(r[9]))
                for r in rows]

    # ---------------------------------------------------------------- quiz and flags

    def record_quiz_answer(self, question_id: str, topic: str, difficulty: object, kind: str, correct: bool,
                           at: datetime | None = None) -> None:
        """Record a quiz answer. A missed question becomes due for review now: its card (a fresh one if it had
        none) gets ``due = at`` and keeps its memory state; the review that follows rates it."""
        at = (at or self.now()).astimezone(UTC)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO quiz_answers (question_id, topic, difficulty, kind, correct, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (question_id, topic, difficulty, kind, int(bool(correct)), to_ms(at)))
            if correct:
                return
            row = conn.execute("SELECT card FROM cards WHERE question_id = ?", (question_id,)).fetchone()
            card = _card_from_json(row[0]) if row else self.scheduler.new_card(question_id, at)
            card.due = min(card.due, at)
            self._put_card(conn, question_id, topic, card, _card_json(card), at)

    def quiz_answers(self, question_id: str | None = None) -> list[tuple[str, str, object, str, bool, datetime]]:
        sql = "SELECT question_id, topic, difficulty, kind, correct, answered_at FROM quiz_answers"
        rows = self._query(sql + (" WHERE question_id = ? ORDER BY id" if question_id else " ORDER BY id"),
                           (question_id,) if question_id else ())
        return [(q, t, d, k, bool(c), from_ms(a)) for q, t, d, k, c, a in rows]

    def flag(self, question_id: str, note: str, at: datetime | None = None) -> int:
        """Flag a question with a note (for the author to fix); returns the flag's id."""
        with self._write() as conn:
            cursor = conn.execute("INSERT INTO flags (question_id, note, created_at) VALUES (?, ?, ?)",
                                  (question_id, note.strip(), to_ms(at or self.now())))
        return cursor.lastrowid

    def flags(self) -> list[Flag]:
        return [Flag(i, q, n, from_ms(c)) for i, q, n, c in
                self._query("SELECT id, question_id, note, created_at FROM flags ORDER BY id")]

    # ---------------------------------------------------------------- stats

    def stats(self, now: datetime | None = None, question_ids: set[str] | None = None) -> Stats:
        """Reviews per day (last 30 days), due forecast (14 days), true retention per topic, quiz accuracy per
        topic and difficulty, and card counts by state. ``question_ids`` (the bank) adds the count of new
        questions, those with no card yet."""
        now = now or self.now()
        today = self.local_day_start(now)
        past = [self._day_start_offset(today, k) for k in range(-29, 1)]       # the last 30 days, today last
        future = [self._day_start_offset(today, k) for k in range(14)]      # today and the next 13 days

        def bucket(values: list[tuple[int, int]], edges: list[datetime]) -> list[int]:
            counts = [0] * len(edges)
            ms = [to_ms(e) for e in edges]
            for value, n in values:
                index = bisect.bisect_right(ms, value) - 1
                if index >= 0:
                    counts[index] += n
            return counts

        # Undone ratings are few: aggregate every row, then take away the same aggregate over the undone ones
        # (much cheaper than a NOT EXISTS per row). Per-minute groups keep the Python side small; days are then
        # cut in local time (DST-safe).
        since = to_ms(past[0])
        per_minute = self._query(
            "SELECT reviewed_at / 60000 * 60000, COUNT(*) FROM review_log WHERE reviewed_at >= ? GROUP BY 1",
            (since,))
        per_minute += self._query(
            "SELECT r.reviewed_at, -1 FROM undone_reviews u JOIN review_log r ON r.id = u.review_id "
            "WHERE r.reviewed_at >= ?", (since,))
        reviews = bucket(per_minute, past)
        end = to_ms(self._day_start_offset(today, 14))
        due_minutes = self._query(
            "SELECT MAX(due, ?) / 60000 * 60000, COUNT(*) FROM cards WHERE due < ? GROUP BY 1", (to_ms(today), end))
        due = bucket(due_minutes, future)

        mature = State.Review.value
        by_topic = {topic: [n, passed] for topic, n, passed in self._query(
            f"SELECT topic, COUNT(*), SUM(rating > 1) FROM review_log WHERE state = {mature} GROUP BY topic")}
        for topic, n, passed in self._query(
                "SELECT r.topic, COUNT(*), SUM(r.rating > 1) FROM undone_reviews u JOIN review_log r "
                f"ON r.id = u.review_id WHERE r.state = {mature} GROUP BY r.topic"):
            by_topic[topic][0] -= n
            by_topic[topic][1] -= passed
        retention = tuple(Retention(topic, n, passed) for topic, (n, passed) in sorted(by_topic.items()) if n)
        quiz = tuple(QuizAccuracy(t, d, n, c) for t, d, n, c in self._query(
            "SELECT topic, difficulty, COUNT(*), SUM(correct) FROM quiz_answers GROUP BY topic, difficulty "
            "ORDER BY topic, difficulty"))
        counts = {name: 0 for name in STATE_NAMES.values()}
        for state, n in self._query("SELECT state, COUNT(*) FROM cards GROUP BY state"):
            counts[STATE_NAMES[state]] += n
        if question_ids is not None:
            counts["New"] += len(question_ids) - len(self.known_ids(question_ids))
        total = self._query("SELECT (SELECT COUNT(*) FROM review_log) - (SELECT COUNT(*) FROM undone_reviews)")[0][0]
        return Stats(now, tuple(d.astimezone(self.tz).strftime("%m-%d") for d in past), tuple(reviews),
                     tuple(d.astimezone(self.tz).strftime("%m-%d") for d in future), tuple(due), retention, quiz,
                     counts, total, self.scheduler.desired_retention)

    def _day_start_offset(self, day_start: datetime, days: int) -> datetime:
        """The local midnight ``days`` days after ``day_start`` (a local midnight), as UTC."""
        local = day_start.astimezone(self.tz)
        shifted = (local.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=local.tzinfo)
        return self.local_day_start(shifted.astimezone(UTC) + timedelta(hours=12))


# ---------------------------------------------------------------------------------------------------- opening checks


def _unusable(path: Path, err: sqlite3.Error) -> StoreError:
    text = str(err)
    if isinstance(err, sqlite3.OperationalError) and ("readonly" in text or "unable to open" in text
                                                     or "disk I/O" in text):
        return StoreError(f"{path}: cannot write ({text}); choose another data folder with --data-dir DIR")
    return StoreError(
        f"{path}: not a usable quizzer database ({text}); it was left untouched. "
        "Move it aside, or start afresh in another folder with --data-dir DIR")


def _ensure_writable_folder(folder: Path) -> None:
    hint = "choose another with --data-dir DIR or $QUIZZER_DATA_DIR"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StoreError(f"{folder}: the data folder is a file, not a folder; {hint}") from None
    except OSError as err:
        raise StoreError(f"{folder}: cannot create the data folder ({err.strerror}); {hint}") from None
    if not folder.is_dir():
        raise StoreError(f"{folder}: the data folder is not a folder; {hint}")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise StoreError(f"{folder}: cannot write to the data folder ({err.strerror}); {hint}") from None


def _check_header(path: Path) -> None:
    """Refuse, without opening it, a file that is not SQLite at all (SQLite would happily overwrite an empty one,
    which holds nothing to lose)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise StoreError(f"{path}: is a folder, not a database file; choose another data folder with --data-dir DIR"
                         ) from None
    except OSError as err:
        raise StoreError(f"{path}: cannot read ({err.strerror}); choose another data folder with --data-dir DIR"
                         ) from None
    if head and head != SQLITE_HEADER:
        raise StoreError(f"{path}: not a SQLite database; it was left untouched. "
                         "Move it aside, or start afresh in another folder with --data-dir DIR")


def _check_contents(conn: sqlite3.Connection, path: Path) -> None:
    """Read-only checks: the schema version is one we know, and a version-0 file holds no foreign tables."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: written by a newer quizzer (schema version {version}; this one knows up to {SCHEMA_VERSION}); "
            "it was left untouched. Upgrade quizzer, or use another folder with --data-dir DIR")
    if version == 0 and tables:
        raise StoreError(f"{path}: a SQLite file but not a quizzer database (tables: {', '.join(sorted(tables))}); "
                         "it was left untouched. Use another folder with --data-dir DIR")


def _migrate(conn: sqlite3.Connection) -> None:
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]    # another process may have migrated
        for target in range(version, SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[target]):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (``executescript`` would commit our transaction)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line.split("--")[0] if "--" in line else line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete statement in migration: {buffer!r}")


# ---------------------------------------------------------------------------------------------------- synthetic data


def populate_synthetic(store: Store, cards: int = 10_000, reviews: int = 100_000, seed: int = 0, *,
                       topics: Sequence[str] = ("rnn", "lstm", "gru", "training", "gradients"),
                       now: datetime | None = None, question_ids: Sequence[str] | None = None) -> list[str]:
    """Fill ``store`` with a realistic history for benchmarks: ``cards`` cards rated ``reviews`` times in all by
    the real FSRS scheduler over the past year (each card's ratings at the times FSRS scheduled them), plus quiz
    answers and a few flags. Returns the question ids (``question_ids`` if given, else ``"<topic>-<n>"``).
    One transaction; about 2 s for the defaults."""
    rng = random.Random(seed)
    now = (now or store.now()).astimezone(UTC)
    ids = list(question_ids) if question_ids is not None else [f"{topics[i % len(topics)]}-{i:05d}"
                                                             for i in range(cards)]
    ids = ids[:cards]
    per_card = [reviews // len(ids)] * len(ids)
    for i in range(reviews - sum(per_card)):
        per_card[i] += 1
    scheduler = store.scheduler
    weights = (Rating.Again, Rating.Hard, Rating.Good, Rating.Good, Rating.Good, Rating.Good, Rating.Easy)
    log_rows: list[tuple] = []
    card_rows: list[tuple] = []
    for index, qid in enumerate(ids):
        topic = topics[index % len(topics)]
        at = now - timedelta(days=365 * rng.random())
        card = scheduler.new_card(qid, at)
        before_json: str | None = None
        for done in range(per_card[index]):
            rating = rng.choice(weights)
            start = card
            card = scheduler.review(card, rating, at)
            after_json = _card_json(card)
            log_rows.append((qid, topic, rating.value, to_ms(at), rng.randint(2_000, 30_000), _card_state(start),
                             before_json, after_json))
            before_json = after_json
            # The next review when due (plus a little), but early enough to fit the card's remaining reviews
            # before now, so every review lies in the past.
            left = per_card[index] - done
            at = min(card.due + timedelta(minutes=rng.randint(0, 600)), at + (now - at) * rng.uniform(0.3, 1) / left)
        card_rows.append((qid, topic, _card_state(card), to_ms(card.due), _card_json(card), to_ms(now)))
    quiz_rows = [(qid, topics[i % len(topics)], rng.choice(("easy", "medium", "hard")),
                  rng.choice(("choice", "recall", "numeric")), int(rng.random() < 0.7),
                  to_ms(now - timedelta(days=30 * rng.random())))
                 for i, qid in enumerate(rng.sample(ids, min(len(ids), 500)))]
    with store._write() as conn:
        conn.executemany(
            "INSERT INTO review_log (question_id, topic, rating, reviewed_at, duration_ms, state, state_before,"
            " state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", log_rows)
        conn.executemany(
            "INSERT OR REPLACE INTO cards (question_id, topic, state, due, card, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            card_rows)
        conn.executemany(
            "INSERT INTO quiz_answers (question_id, topic, difficulty, kind, correct, answered_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", quiz_rows)
        conn.executemany("INSERT INTO flags (question_id, note, created_at) VALUES (?, ?, ?)",
                         [(qid, "synthetic flag", to_ms(now)) for qid in ids[:5]])
    return ids
