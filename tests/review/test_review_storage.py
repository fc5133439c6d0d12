"""Storage: the file's schema, undo, quiz answers, stable keys, and refusing files it must not touch."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating, State
from review_support import T0, Clock, Q

from quizzer.errors import UserError
from quizzer.scheduling import ReviewSession
from quizzer.storage import DB_NAME, SCHEMA_VERSION, Store, UndoConflict, resolve_data_dir

#: The repository root: subprocesses run from here, as CI does.
REPO = Path(__file__).resolve().parents[2]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / DB_NAME)


# ---------------------------------------------------------------------------------------------------- the file


def test_data_dir_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUIZZER_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag") == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.delenv("QUIZZER_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert resolve_data_dir(None) == tmp_path / "xdg" / "quizzer"


def test_schema_wal_and_version(store: Store, data_dir: Path) -> None:
    conn = raw(data_dir)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cards", "review_log", "quiz_answers", "flags"} <= tables
    plan = conn.execute("EXPLAIN QUERY PLAN SELECT question_id FROM cards WHERE due <= 0 ORDER BY due").fetchall()
    assert "USING COVERING INDEX cards_due" in " ".join(str(r) for r in plan)


def test_review_log_is_append_only(store: Store, data_dir: Path) -> None:
    store.review("q1", "lstm", Rating.Good)
    conn = raw(data_dir)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE review_log SET rating = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM review_log")


def test_reopen_keeps_data_and_does_not_migrate_again(data_dir: Path, clock: Clock) -> None:
    with Store.open(data_dir, clock=clock) as store:
        store.review("q1", "lstm", Rating.Good)
        store.flag("q1", "typo in the answer")
    with Store.open(data_dir, clock=clock) as store:
        assert len(store.history("q1")) == 1
        assert [f.note for f in store.flags()] == ["typo in the answer"]


def test_ratings_are_committed_when_review_returns(store: Store, data_dir: Path) -> None:
    """Another connection (as another process would) sees the rating as soon as ``review`` returns."""
    store.review("q1", "lstm", Rating.Hard, duration_ms=4200)
    row = raw(data_dir).execute("SELECT question_id, rating, duration_ms, reviewed_at FROM review_log").fetchall()
    assert row == [("q1", 2, 4200, int(T0.timestamp() * 1000))]


# ---------------------------------------------------------------------------------------------------- undo


def test_undo_restores_the_exact_previous_state(store: Store, clock: Clock, data_dir: Path) -> None:
    store.review("q1", "lstm", Rating.Good)
    clock.advance(days=3)
    store.review("q1", "lstm", Rating.Good)
    clock.advance(days=9)
    before = store.get_card("q1").to_dict()
    raw_before = raw(data_dir).execute("SELECT * FROM cards").fetchall()
    result = store.review("q1", "lstm", Rating.Again)
    assert store.get_card("q1").state == State.Relearning
    stats = store.stats()
    assert (stats.total_reviews, sum(stats.reviews_per_day)) == (3, 3)
    assert [(r.topic, r.reviews, r.passed) for r in stats.retention] == [("lstm", 1, 0)]   # a lapse of a mature card
    restored = store.undo(result.review_id)
    stats = store.stats()                                    # an undone rating counts nowhere
    assert (stats.total_reviews, sum(stats.reviews_per_day), stats.retention) == (2, 2, ())
    assert restored.to_dict() == before
    assert store.get_card("q1").to_dict() == before
    # The row is identical except for its bookkeeping timestamp; the log keeps the rating, marked undone.
    raw_after = raw(data_dir).execute("SELECT * FROM cards").fetchall()
    assert [r[:5] for r in raw_after] == [r[:5] for r in raw_before]
    assert [(r.rating, r.undone) for r in store.history("q1")] == [(3, False), (3, False), (1, True)]
    with pytest.raises(UndoConflict):
        store.undo(result.review_id)


def test_undo_of_a_new_card_makes_it_new_again(store: Store) -> None:
    result = store.review("q1", "lstm", Rating.Easy)
    assert store.undo(result.review_id) is None
    assert store.get_card("q1") is None and "q1" not in store.card_ids()
    assert store.new_cards_today() == 0


def test_undo_refuses_when_rated_since(store: Store, clock: Clock) -> None:
    first = store.review("q1", "lstm", Rating.Good)
    clock.advance(minutes=10)
    store.review("q1", "lstm", Rating.Good)
    with pytest.raises(UndoConflict, match="rated since"):
        store.undo(first.review_id)


# ---------------------------------------------------------------------------------------------------- quiz answers


def test_missed_quiz_question_becomes_due(store: Store, clock: Clock) -> None:
    store.record_quiz_answer("new-q", "gru", "easy", "choice", False)
    assert [c.question_id for c in store.due_cards()] == ["new-q"]
    # A studied card not due for weeks: missing it in a quiz makes it due now, its memory state untouched.
    store.review("old-q", "lstm", Rating.Easy)
    clock.advance(minutes=1)
    store.review("old-q", "lstm", Rating.Easy)
    card = store.get_card("old-q")
    assert card.due - clock.now > timedelta(days=7)
    clock.advance(hours=1)
    store.record_quiz_answer("old-q", "lstm", "hard", "numeric", False)
    after = store.get_card("old-q")
    assert after.due == clock.now
    assert (after.stability, after.difficulty, after.state) == (card.stability, card.difficulty, card.state)
    session = ReviewSession(store, [Q("old-q", "lstm"), Q("new-q", "gru")], new_limit=0)
    assert [i.question_id for i in session.queue] == ["new-q", "old-q"]


def test_correct_quiz_answer_changes_no_schedule(store: Store) -> None:
    store.record_quiz_answer("q1", "gru", "medium", "truefalse", True)
    assert store.get_card("q1") is None
    assert store.quiz_answers() == [("q1", "gru", "medium", "truefalse", True, T0)]


# ---------------------------------------------------------------------------------------------------- stable keys


def test_cards_are_keyed_by_id_and_outlive_the_bank(store: Store, clock: Clock) -> None:
    """Progress follows the question id: a question whose text (or topic) changed keeps its card; one removed
    from the bank keeps its card and history but is not shown."""
    session = ReviewSession(store, [Q("a", "lstm"), Q("b", "lstm")])
    session.rate(Rating.Good)
    session.rate(Rating.Good)
    clock.advance(days=30)
    edited = [Q("a", "gates")]          # "b" was deleted from the bank; "a" moved topic
    session = ReviewSession(store, edited)
    assert [(i.question_id, i.new) for i in session.queue] == [("a", False)]
    assert len(store.history("b")) == 1 and store.get_card("b") is not None
    assert [i.question_id for i in ReviewSession(store, edited, topic="gates").queue] == ["a"]
    assert list(ReviewSession(store, edited, topic="lstm").queue) == []
    session.rate(Rating.Good)
    assert store.get_card("a").state == State.Review
    assert [r.topic for r in store.history("a")] == ["lstm", "gates"]


# ---------------------------------------------------------------------------------------------------- refusals


def test_corrupt_file_is_refused_and_untouched(data_dir: Path) -> None:
    data_dir.mkdir()
    db = data_dir / DB_NAME
    db.write_bytes(os.urandom(8192))
    digest = sha256(db)
    with pytest.raises(UserError) as err:
        Store.open(data_dir)
    message = str(err.value)
    assert str(db) in message and "--data-dir" in message and "\n" not in message
    assert sha256(db) == digest
    assert sorted(p.name for p in data_dir.iterdir()) == [DB_NAME]


def test_damaged_sqlite_file_is_refused_and_untouched(data_dir: Path, clock: Clock) -> None:
    """A real quizzer database with its first page garbled after the header."""
    with Store.open(data_dir, clock=clock) as store:
        store.review("q1", "lstm", Rating.Good)
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(db.read_bytes())
    data[100:4096] = b"\xa5" * (4096 - 100)
    db.write_bytes(bytes(data))
    digest = sha256(db)
    with pytest.raises(UserError, match="--data-dir") as err:
        Store.open(data_dir)
    assert str(db) in str(err.value)
    assert sha256(db) == digest


def test_foreign_sqlite_file_is_refused_and_untouched(data_dir: Path) -> None:
    data_dir.mkdir()
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    digest = sha256(db)
    with pytest.raises(UserError, match="not a quizzer database"):
        Store.open(data_dir)
    assert sha256(db) == digest


def test_newer_schema_is_refused_never_downgraded(data_dir: Path, clock: Clock) -> None:
    with Store.open(data_dir, clock=clock) as store:
        store.review("q1", "lstm", Rating.Good)
    conn = raw(data_dir)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    db = data_dir / DB_NAME
    digest = sha256(db)
    with pytest.raises(UserError) as err:
        Store.open(data_dir)
    assert "newer" in str(err.value) and str(db) in str(err.value) and "--data-dir" in str(err.value)
    assert sha256(db) == digest
    assert raw(data_dir).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    """A data folder under a regular file cannot be created, even by root (who ignores permission bits)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    with pytest.raises(UserError) as err:
        Store.open(blocker / "data")
    assert str(blocker / "data") in str(err.value) and "--data-dir" in str(err.value)
    with pytest.raises(UserError, match="is a file"):
        Store.open(blocker)
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:  # pragma: no cover - runs as non-root only
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(UserError, match="cannot write"):
            Store.open(folder)
    finally:
        folder.chmod(0o700)


def test_cli_reports_a_bad_database_in_one_line(tmp_path: Path) -> None:
    """Through the real CLI: exit code 2, one line on stderr naming the file, no traceback."""
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite, it is a shopping list\n" * 50)
    digest = sha256(tmp_path / DB_NAME)
    proc = subprocess.run([sys.executable, "-m", "quizzer", "--data-dir", str(tmp_path), "stats"],
                          capture_output=True, text=True, timeout=60, cwd=REPO, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"quizzer: {tmp_path / DB_NAME}: not a SQLite database")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "--data-dir" in proc.stderr
    assert sha256(tmp_path / DB_NAME) == digest


# ---------------------------------------------------------------------------------------------------- days


def test_day_boundaries_follow_the_store_time_zone(data_dir: Path) -> None:
    """New cards per day count from local midnight: 23:30 and 00:30 in UTC+2 are different days."""
    plus2 = timezone(timedelta(hours=2))
    clock = Clock(T0.replace(hour=21, minute=30))          # 23:30 in UTC+2
    with Store.open(data_dir, clock=clock, tz=plus2) as store:
        store.review("q1", "lstm", Rating.Good)
        assert store.new_cards_today() == 1
        clock.advance(hours=1)                               # 00:30 the next day there
        assert store.new_cards_today() == 0
    with Store.open(data_dir, clock=clock, tz=UTC) as store:
        assert store.new_cards_today() == 1                  # still the same day in UTC


# ---------------------------------------------------------------------------------------------------- stats


def test_stats_counts_by_day_topic_and_state(store: Store, clock: Clock) -> None:
    two_days_ago = T0 - timedelta(days=2)
    store.review("q1", "lstm", Rating.Good, at=two_days_ago.replace(hour=0, minute=0))      # first minute of 02-27
    store.review("q2", "gru", Rating.Good, at=two_days_ago.replace(hour=23, minute=59))     # last minute of 02-27
    store.review("q3", "gru", Rating.Easy)                                                   # today
    store.record_quiz_answer("q9", "lstm", "hard", "numeric", True)
    store.record_quiz_answer("q9", "lstm", "hard", "numeric", False)
    store.record_quiz_answer("q8", "lstm", "easy", "choice", True)
    stats = store.stats(question_ids={"q1", "q2", "q3", "q4"})
    assert stats.days[-3:] == ("02-27", "02-28", "03-01") and len(stats.days) == 30
    assert stats.reviews_per_day[-3:] == (2, 0, 1) and sum(stats.reviews_per_day) == 3
    # Forecast: q1, q2 (learning steps, overdue) and q9 (missed in the quiz) are due today; q3 when fsrs says.
    q3_day = (store.get_card("q3").due.date() - T0.date()).days
    expected = [0] * 14
    expected[0] = 3
    expected[q3_day] += 1
    assert stats.forecast_days[0] == "03-01" and list(stats.due_per_day) == expected
    assert [(q.topic, q.difficulty, q.answered, q.correct) for q in stats.quiz] == [
        ("lstm", "easy", 1, 1), ("lstm", "hard", 2, 1)]
    # q4 has no card (new), q9 a card never rated (new); q1 q2 learning; q3 graduated straight to review.
    assert stats.counts == {"New": 2, "Learning": 2, "Review": 1, "Relearning": 0}


def test_migrates_forward_keeping_data(data_dir: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A future schema version applied to today's file: data kept, version bumped; then today's code refuses
    the upgraded file instead of downgrading it."""
    from quizzer import storage

    with Store.open(data_dir, clock=clock) as store:
        store.review("q1", "lstm", Rating.Good)
    v2 = "ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;"
    with monkeypatch.context() as patch:
        patch.setattr(storage, "MIGRATIONS", (*storage.MIGRATIONS, v2))
        patch.setattr(storage, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
        with Store.open(data_dir, clock=clock) as store:
            assert len(store.history("q1")) == 1 and store.get_card("q1") is not None
    conn = raw(data_dir)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert conn.execute("SELECT question_id, suspended FROM cards").fetchall() == [("q1", 0)]
    conn.close()
    with pytest.raises(UserError, match="newer quizzer"):
        Store.open(data_dir)
