"""Real processes: kill -9 in the middle of a review session, and two processes reviewing one database at once."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quizzer.storage import DB_NAME, Store

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("review_child.py")
#: Generous: the processes share two cores with other test runs. Never a timing assertion, only a hang guard.
HANG_GUARD_S = 240


def start(*args: object) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("QUIZZER_DATA_DIR", None)
    return subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_line(proc: subprocess.Popen) -> str:
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=HANG_GUARD_S)
        raise AssertionError(f"child exited {proc.returncode}: {proc.stderr.read()}")
    return line.strip()


def finish(proc: subprocess.Popen) -> tuple[list[str], str]:
    out, err = proc.communicate(timeout=HANG_GUARD_S)
    assert proc.returncode == 0, err
    return out.split(), err


def live_log(data_dir: Path) -> list[tuple[int, str, str, str]]:
    """(id, question_id, state_after, card now) of every rating not undone, in order."""
    with sqlite3.connect(data_dir / DB_NAME) as conn:
        return conn.execute(
            "SELECT r.id, r.question_id, r.state_after, c.card FROM review_log r JOIN cards c USING (question_id) "
            "WHERE r.id NOT IN (SELECT review_id FROM undone_reviews) ORDER BY r.id").fetchall()


def write_bank(folder: Path, n: int) -> Path:
    folder.mkdir()
    lines = ["topic: drill", "title: Drill", "questions:"]
    for i in range(n):
        lines += [f"  - id: drill-{i:02d}", "    kind: recall", "    difficulty: easy",
                  f"    prompt: Drill question {i}?", f"    answer: Answer {i}.", f"    explanation: Because {i}."]
    (folder / "drill.yaml").write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize("moment", ["while-rating", "after-a-rating"])
def test_kill_9_mid_session_loses_no_shown_rating(tmp_path: Path, moment: str) -> None:
    """The app is killed mid-session, either while it keeps rating or just after it showed the next card. Every
    rating it had shown as done is on disk, in order, and the database opens cleanly."""
    data, bank = tmp_path / "data", write_bank(tmp_path / "bank", 40)
    go = tmp_path / "go"
    shown_count = 12
    hold = moment == "after-a-rating"
    proc = start("tui", data, bank, shown_count if hold else 0, go, *(["hold"] if hold else []))
    assert read_line(proc) == "ready"
    go.touch()
    shown = []
    for _ in range(shown_count):
        tag, _n, qid = read_line(proc).split()
        assert tag == "rated"
        shown.append(qid)
    if hold:
        assert read_line(proc) == "holding"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=HANG_GUARD_S)
    assert proc.returncode == -signal.SIGKILL
    with Store.open(data) as store:                    # opens: no corruption, no stale lock
        logged = [row.question_id for row in store.history() if not row.undone]
    if hold:
        assert logged == shown                         # nothing shown as done is missing, nothing extra
    else:
        assert logged[: len(shown)] == shown
    with sqlite3.connect(data / DB_NAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_two_writer_processes_lose_nothing(tmp_path: Path) -> None:
    """Two processes rate the same cards at the same moment: no "database is locked", every rating logged, and
    each card's state is the result of its last logged rating."""
    data, go = tmp_path / "data", tmp_path / "go"
    Store.open(data).close()
    count = 150
    procs = [start("store", data, worker, count, go) for worker in (1, 2)]
    for proc in procs:
        assert read_line(proc) == "ready"
    go.touch()
    printed = []
    for proc in procs:
        out, err = finish(proc)
        assert "locked" not in err and err == ""
        assert len(out) == 3 * count
        printed += [int(review_id) for review_id in out[1::3]]
    rows = live_log(data)
    assert sorted(printed) == [row[0] for row in rows]
    last: dict[str, str] = {}
    for _, qid, after, _card in rows:
        last[qid] = after
    assert all(json.loads(card) == json.loads(last[qid]) for _, qid, _, card in rows)
    # Each rating applied to the state the previous one left: the chain of states is unbroken per card.
    with Store.open(data) as store:
        for qid in last:
            history = store.history(qid)
            for previous, row in itertools.pairwise(history):
                assert row.state_before.to_dict() == previous.state_after.to_dict()


@pytest.mark.parametrize("count", [15])
def test_two_app_instances_review_one_database(tmp_path: Path, count: int) -> None:
    """Two copies of the app reviewing the same cards at once: both finish, every rating they showed is logged."""
    data, bank, go = tmp_path / "data", write_bank(tmp_path / "bank", 12), tmp_path / "go"
    Store.open(data).close()
    procs = [start("tui", data, bank, count, go) for _ in range(2)]
    for proc in procs:
        assert read_line(proc) == "ready"
    go.touch()
    shown = []
    for proc in procs:
        out, err = finish(proc)
        assert "locked" not in err and "Traceback" not in err
        assert len(out) == 3 * count
        shown += out[2::3]
    logged = [row[1] for row in live_log(data)]
    assert sorted(logged) == sorted(shown)
