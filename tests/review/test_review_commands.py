"""`quizzer stats`, `quizzer review` argument errors and `list_flagged`, through the real CLI in a subprocess."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Rating
from review_support import quizzer

from quizzer.commands.review import list_flagged
from quizzer.storage import Store, populate_synthetic


def test_stats_prints_what_the_database_holds(tmp_path: Path, bank_dir: Path) -> None:
    """Reviews dated today and yesterday (real clock), quiz answers, and the numbers the CLI prints."""
    data = tmp_path / "data"
    now = datetime.now(UTC)
    with Store.open(data) as store:
        store.review("lstm-gate-count", "lstm", Rating.Good, at=now - timedelta(days=1))
        store.review("lstm-gate-count", "lstm", Rating.Good, at=now - timedelta(days=1) + timedelta(minutes=10))
        store.review("gru-no-cell", "gru", Rating.Again, at=now)
        for correct in (True, True, False):
            store.record_quiz_answer("gru-gate-count", "gru", "easy", "truefalse", correct, at=now)
    proc = quizzer("--bank", bank_dir, "stats", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for title in ("Reviews per day", "Cards due in the next 14 days", "True retention per topic",
                  "Quiz accuracy per topic and difficulty", "Cards by state"):
        assert title in out
    assert "3 reviews" in out and "3 reviews in the last 30 days" in out
    assert re.search(r"^gru · easy \(2/3\) .* 66\.7 %$", out, re.MULTILINE)
    # New: every question never rated, including the one missed in the quiz (it has a card, due, but no rating).
    import question_bank

    total = len(question_bank.load([bank_dir]).questions)
    assert re.search(rf"^New\s.* {total - 2}$", out, re.MULTILINE)
    assert re.search(r"^Learning\s.* 1$", out, re.MULTILINE) and re.search(r"^Relearning\s.* 0$", out, re.MULTILINE)
    assert "{" not in out                                # charts, not JSON


def test_review_rejects_an_unknown_topic_before_starting(tmp_path: Path, bank_dir: Path) -> None:
    proc = quizzer("--bank", bank_dir, "review", "--topic", "lstn", data_dir=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "quizzer: unknown topic 'lstn' (did you mean 'lstm'?)\n"


def test_review_argument_errors(tmp_path: Path) -> None:
    for args in (("--limit", "0"), ("--new", "-1"), ("--limit", "x"), ("--retention", "0.5"), ("--retention", "x")):
        proc = quizzer("review", *args, data_dir=tmp_path)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1


def test_list_flagged(tmp_path: Path, bank_dir: Path, capsys) -> None:
    data = tmp_path / "data"
    args = argparse.Namespace(data_dir=str(data), bank=[str(bank_dir)])
    assert list_flagged(args) == 0
    assert capsys.readouterr().out == "no flagged questions\n"
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with Store.open(data) as store:
        store.flag("gru-no-cell", "answer should mention the update gate", at=at)
        store.flag("deleted-question", "duplicate", at=at)
    assert list_flagged(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{bank_dir / 'gru.yaml'}:{_line_of(bank_dir / 'gru.yaml', 'gru-no-cell')}: gru-no-cell: " \
                     "answer should mention the update gate (flagged 2026-03-01)"
    assert out[1] == "deleted-question: duplicate (flagged 2026-03-01; no longer in the bank)"


def _line_of(path: Path, qid: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip() == f"- id: {qid}":
            return number
    raise AssertionError(qid)


def test_populate_synthetic(tmp_path: Path) -> None:
    """The benchmark helper: the requested sizes, every review in the past, every card's state its last one."""
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with Store.open(tmp_path, clock=lambda: now) as store:
        ids = populate_synthetic(store, cards=40, reviews=300, seed=3)
        assert len(ids) == 40 == len(store.card_ids())
        history = store.history()
        assert len(history) == 300
        assert all(row.reviewed_at <= now for row in history)
        last = {row.question_id: row.state_after for row in history}
        assert all(store.get_card(qid).to_dict() == last[qid].to_dict() for qid in ids)
        stats = store.stats()
        assert stats.total_reviews == 300 and sum(stats.counts.values()) == 40


def test_retention_option_reaches_the_scheduler(tmp_path: Path, bank_dir: Path, monkeypatch) -> None:
    """--retention sets FSRS's desired retention: a higher one gives the same card a shorter Good interval."""
    import quizzer.commands.review as review_command
    from quizzer.cli import main

    seen: dict[str, Store] = {}

    def fake_app(args, bank, store):  # stands in for the TUI: record the store the command built
        seen["store"] = store
        return 0

    monkeypatch.setattr(review_command, "run_review_app", fake_app)
    intervals = {}
    for retention in ("0.8", "0.95"):
        assert main(["--bank", str(bank_dir), "--data-dir", str(tmp_path), "review", "--retention", retention]) == 0
        scheduler = seen["store"].scheduler
        assert scheduler.desired_retention == float(retention)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        card = scheduler.review(scheduler.new_card("q", now), Rating.Good, now)
        card = scheduler.review(card, Rating.Good, card.due)
        intervals[retention] = card.due - now
    assert intervals["0.95"] < intervals["0.8"]
