"""Stored settings: schema version 2 migrating a real version-1 file, the stored desired retention (kept,
validated, a bad stored value refused and repairable), and ``quizzer review --retention`` remembered by later runs
(checked against the fsrs library's own intervals)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler
from review_support import T0, Clock, quizzer

import quizzer.commands.review as review_command
from quizzer import storage
from quizzer.cli import main
from quizzer.errors import UserError
from quizzer.scheduling import FsrsScheduler, card_id_for, format_interval
from quizzer.storage import DB_NAME, SCHEMA_VERSION, Store
from quizzer.widgets.flashcard import RatingBar

#: The version-1 schema exactly as quizzer 1 wrote it (``MIGRATIONS[0]`` must never change: files exist).
V1_SCHEMA = """
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
    """

RETENTION_ERROR = "is not a number from 0.7 to 0.99"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / DB_NAME)


def stored_settings(data_dir: Path) -> list[tuple]:
    """The settings table as another connection sees it (so only what is committed)."""
    with raw(data_dir) as conn:
        return conn.execute("SELECT key, value FROM settings ORDER BY key").fetchall()


def set_raw_setting(data_dir: Path, value: str) -> None:
    """Overwrite the stored retention behind quizzer's back, checkpointed into the main file."""
    conn = raw(data_dir)
    conn.execute("UPDATE settings SET value = ? WHERE key = 'desired_retention'", (value,))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# ---------------------------------------------------------------------------------------------------- migration

V1_TABLES = ("cards", "review_log", "undone_reviews", "quiz_answers", "flags")


def make_version_1_file(data_dir: Path) -> Card:
    """A ``quizzer.db`` as quizzer 1 left it: WAL, the version-1 DDL, a card rated twice with the second rating
    undone, a quiz answer and a flag. Returns the card as it stands (after the first rating)."""
    scheduler = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    first, _ = scheduler.review_card(Card(card_id=card_id_for("lstm-gates"), due=T0), Rating.Good,
                                     review_datetime=T0)
    second, _ = scheduler.review_card(first, Rating.Good, review_datetime=first.due)

    def js(card: Card) -> str:
        return json.dumps(card.to_dict(), sort_keys=True)

    data_dir.mkdir()
    conn = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(V1_SCHEMA)
    conn.execute("PRAGMA user_version = 1")
    log = ("INSERT INTO review_log (question_id, topic, rating, reviewed_at, duration_ms, state, state_before, "
           "state_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    conn.execute(log, ("lstm-gates", "lstm", 3, storage.to_ms(T0), 4_000, 0, None, js(first)))
    conn.execute(log, ("lstm-gates", "lstm", 3, storage.to_ms(first.due), 2_500, first.state.value, js(first),
                       js(second)))
    conn.execute("INSERT INTO undone_reviews (review_id, undone_at) VALUES (2, ?)", (storage.to_ms(first.due),))
    conn.execute("INSERT INTO cards VALUES (?, ?, ?, ?, ?, ?)",
                 ("lstm-gates", "lstm", first.state.value, storage.to_ms(first.due), js(first), storage.to_ms(T0)))
    conn.execute("INSERT INTO quiz_answers (question_id, topic, difficulty, kind, correct, answered_at) "
                 "VALUES ('gru-gates', 'gru', 'easy', 'choice', 0, ?)", (storage.to_ms(T0),))
    conn.execute("INSERT INTO flags (question_id, note, created_at) VALUES ('gru-gates', 'typo', ?)",
                 (storage.to_ms(T0),))
    conn.close()
    return first


def v1_contents(data_dir: Path) -> tuple[list[tuple], dict[str, list[tuple]]]:
    """The version-1 objects' definitions and every row of the version-1 tables."""
    with raw(data_dir) as conn:
        schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN "
                              f"({', '.join('?' * len(V1_TABLES))}) ORDER BY name", V1_TABLES).fetchall()
        rows = {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in V1_TABLES}
    return schema, rows


def test_version_1_file_migrates_to_version_2_keeping_data(data_dir: Path) -> None:
    assert storage.MIGRATIONS[0] == V1_SCHEMA            # a released migration is never edited
    assert SCHEMA_VERSION == 2 == len(storage.MIGRATIONS)
    card = make_version_1_file(data_dir)
    schema, rows = v1_contents(data_dir)
    assert len(schema) == 15 and sum(map(len, rows.values())) == 6

    with Store.open(data_dir, clock=Clock(T0 + timedelta(days=1))) as store:
        assert store.desired_retention() == 0.9 and store.scheduler.desired_retention == 0.9
        assert store.get_card("lstm-gates").to_dict() == card.to_dict()
        assert [(row.rating, row.undone) for row in store.history("lstm-gates")] == [(3, False), (3, True)]
        assert [(f.question_id, f.note) for f in store.flags()] == [("gru-gates", "typo")]
        assert store.due_ids() == ["lstm-gates"]

    assert v1_contents(data_dir) == (schema, rows)       # every version-1 table, index, trigger and row intact
    conn = raw(data_dir)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [(name, kind, notnull, pk) for _, name, kind, notnull, _, pk in
            conn.execute("PRAGMA table_info(settings)")] == [("key", "TEXT", 0, 1), ("value", "TEXT", 1, 0)]
    assert conn.execute("SELECT COUNT(*) FROM settings").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM review_log")
    conn.close()

    # The migrated file takes the new setting and keeps it.
    with Store.open(data_dir, desired_retention=0.8) as store:
        assert store.scheduler.desired_retention == 0.8
    with Store.open(data_dir) as store:
        assert store.desired_retention() == 0.8 and store.get_card("lstm-gates").to_dict() == card.to_dict()


# ---------------------------------------------------------------------------------------------------- the setting


def test_desired_retention_is_stored_committed_and_validated(store: Store, data_dir: Path) -> None:
    assert store.desired_retention() == 0.9 and store.scheduler.desired_retention == 0.9
    assert stored_settings(data_dir) == []
    store.set_desired_retention(0.85)
    assert stored_settings(data_dir) == [("desired_retention", "0.85")]    # committed when the call returns
    assert store.desired_retention() == 0.85 and store.scheduler.desired_retention == 0.85
    for bad in (0.69, 0.995, 1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="from 0.7 to 0.99"):
            store.set_desired_retention(bad)
        with pytest.raises(ValueError, match="from 0.7 to 0.99"):
            Store.open(data_dir, desired_retention=bad)
    assert stored_settings(data_dir) == [("desired_retention", "0.85")]
    with Store.open(data_dir) as again:
        assert again.desired_retention() == 0.85 and again.scheduler.desired_retention == 0.85
    # An injected scheduler (tests) is used as given; setting a retention replaces it, keeping its fuzzing.
    with Store.open(data_dir, scheduler=FsrsScheduler(0.75, fuzzing=True)) as injected:
        assert injected.scheduler.desired_retention == 0.75 and injected.desired_retention() == 0.85
        injected.set_desired_retention(0.95)
        assert (injected.scheduler.desired_retention, injected.scheduler.fuzzing) == (0.95, True)
        assert injected.scheduler.fsrs.desired_retention == 0.95


@pytest.mark.parametrize("bad", ["abc", "1.5", "0.5", "nan", ""])
def test_unreadable_stored_retention_is_refused_untouched_and_replaceable(data_dir: Path, bad: str) -> None:
    """A stored value quizzer cannot use is refused like a damaged file (one line naming the file, the file left
    as it is), not silently replaced by the default; storing a new one (--retention) repairs it."""
    with Store.open(data_dir) as store:
        store.set_desired_retention(0.85)
    set_raw_setting(data_dir, bad)
    db = data_dir / DB_NAME
    digest = sha256(db)
    with pytest.raises(UserError) as err:
        Store.open(data_dir)
    message = str(err.value)
    assert message.startswith(f"{db}: the stored desired retention {bad!r} {RETENTION_ERROR}; it was left untouched")
    assert "\n" not in message and message.endswith("Replace it with quizzer review --retention R")
    assert sha256(db) == digest
    with Store.open(data_dir, desired_retention=0.8) as store:
        assert store.desired_retention() == 0.8 and store.scheduler.desired_retention == 0.8
    assert stored_settings(data_dir) == [("desired_retention", "0.8")]


# ---------------------------------------------------------------------------------------------------- the CLI


def test_bad_stored_retention_through_the_cli(tmp_path: Path, bank_dir: Path, monkeypatch) -> None:
    """stats and review refuse in one line (exit 2, no traceback); review --retention R repairs the file."""
    data = tmp_path / "data"
    with Store.open(data, desired_retention=0.85):
        pass
    set_raw_setting(data, "eighty")
    for args in (("stats",), ("review",)):
        proc = quizzer("--bank", bank_dir, *args, data_dir=data)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
        assert proc.stderr.startswith(f"quizzer: {data / DB_NAME}: the stored desired retention 'eighty' "
                                      f"{RETENTION_ERROR}")
    seen = []
    monkeypatch.setattr(review_command, "run_review_app",
                        lambda args, bank, store: seen.append(store.scheduler.desired_retention) or 0)
    assert main(["--bank", str(bank_dir), "--data-dir", str(data), "review", "--retention", "0.8"]) == 0
    assert seen == [0.8]
    proc = quizzer("--bank", bank_dir, "stats", data_dir=data)
    assert proc.returncode == 0, proc.stderr


def test_rejected_retention_arguments_change_nothing(tmp_path: Path, bank_dir: Path) -> None:
    """Bad values: one line, exit 2, no traceback. Neither they nor a run that fails later (unknown topic) touch
    the stored retention."""
    data = tmp_path / "data"
    with Store.open(data, desired_retention=0.85):
        pass
    for value in ("0.5", "1.2", "0.995", "x", "nan", ""):
        proc = quizzer("--bank", bank_dir, "review", "--retention", value, data_dir=data)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
        assert proc.stderr == ("quizzer review: error: argument --retention: retention must be a number from 0.7 "
                               f"to 0.99, got {value!r}\n")
    proc = quizzer("--bank", bank_dir, "review", "--retention", "0.8", "--topic", "lstn", data_dir=data)
    assert (proc.returncode, proc.stderr) == (2, "quizzer: unknown topic 'lstn' (did you mean 'lstm'?)\n")
    assert stored_settings(data) == [("desired_retention", "0.85")]


def test_review_retention_is_remembered_by_later_runs(tmp_path: Path, bank_dir: Path, monkeypatch) -> None:
    """``quizzer review --retention 0.85``, then two runs without it, each through the real Review screen at a
    frozen clock: the intervals offered and the cards stored are exactly those of
    ``fsrs.Scheduler(desired_retention=0.85)`` for the same card at the same instants (and 0.9 would differ)."""
    clock = Clock()
    monkeypatch.setattr(storage, "utc_now", clock)           # the clock of every store the CLI opens
    data = tmp_path / "data"
    cli = ["--bank", str(bank_dir), "--data-dir", str(data), "review", "--topic", "lstm"]
    screens: list[dict] = []

    def run_real_screen(args, bank, store) -> int:
        """The command's own app, driven by Pilot: show the first card, note what it offers, rate Easy then
        Good (one card per run)."""
        app = review_command.review_app(bank, store, topic=args.topic, limit=1, new_limit=args.new)

        async def drive() -> None:
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                session = app.screen.session
                seen = {"id": session.current.question_id, "preview": session.preview(),
                        "status": str(app.screen.query_one("#review-status").content)}
                await pilot.press("space")
                seen["bar"] = app.screen.query_one(RatingBar).intervals
                await pilot.press("4" if not screens else "3")
                await pilot.pause()
                screens.append(seen)

        asyncio.run(drive())
        return 0

    monkeypatch.setattr(review_command, "run_review_app", lambda args, bank, store: 0)
    assert main([*cli, "--retention", "0.85"]) == 0             # saves it; this run rates nothing
    monkeypatch.setattr(review_command, "run_review_app", run_real_screen)
    assert main(cli) == 0                                       # a new card, rated Easy at T0
    qid = screens[0]["id"]
    with Store.open(data) as store:
        clock.now = store.get_card(qid).due                     # the card falls due
    assert main(cli) == 0                                       # the same card, due, rated Good
    assert screens[1]["id"] == qid

    def reference(retention: float) -> tuple[list[dict[Rating, timedelta]], Card]:
        fsrs = Scheduler(desired_retention=retention, enable_fuzzing=False)
        card, offered = Card(card_id=card_id_for(qid), due=T0), []
        for rating in (Rating.Easy, Rating.Good):
            now = card.due
            offered.append({r: fsrs.review_card(card, r, review_datetime=now)[0].due - now for r in Rating})
            card, _ = fsrs.review_card(card, rating, review_datetime=now)
        return offered, card

    offered, card = reference(0.85)
    assert [seen["preview"] for seen in screens] == offered
    assert [seen["bar"] for seen in screens] == [tuple(format_interval(o[r]) for r in Rating) for o in offered]
    assert all(seen["status"].endswith("· desired retention 85%") for seen in screens)
    with Store.open(data) as store:
        assert store.get_card(qid).to_dict() == card.to_dict()
        assert [row.state_after.to_dict() for row in store.history(qid)][-1] == card.to_dict()
    assert reference(0.9)[0][1] != offered[1]                  # the retention made a difference


def test_stats_shows_the_stored_desired_retention(tmp_path: Path, bank_dir: Path) -> None:
    """quizzer stats puts the desired retention in the true-retention chart's title: 90% until one is stored."""
    data = tmp_path / "data"
    title = "True retention per topic (reviews of mature cards passed) vs desired {}"
    proc = quizzer("--bank", bank_dir, "stats", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert title.format("90%") in proc.stdout
    with Store.open(data, desired_retention=0.85) as store:
        first = store.review("lstm-gate-count", "lstm", Rating.Easy, at=T0).after      # straight to Review
        store.review("lstm-gate-count", "lstm", Rating.Again, at=first.due)            # a lapse of a mature card
    proc = quizzer("--bank", bank_dir, "stats", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    assert f"{title.format('85%')}\nlstm (0/1) " in proc.stdout and "desired 90%" not in proc.stdout
