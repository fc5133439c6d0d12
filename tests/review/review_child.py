"""A reviewing process for the reliability tests (run as a script, never imported by pytest).

    python review_child.py store DATA_DIR WORKER COUNT GO_FILE
        Waits for GO_FILE, then rates COUNT times through ``Store.review`` (ids shared with other workers), printing
        ``rated <review_id> <question_id>`` after each rating returns.

    python review_child.py tui DATA_DIR BANK_DIR COUNT GO_FILE [hold]
        Waits for GO_FILE, then drives the real app headless on its Review screen (space, then a rating key),
        printing ``rated <n> <question_id>`` once the screen shows the next card. COUNT 0: until the session ends.
        ``hold``: after COUNT ratings, print ``holding`` and wait (mid-session, cards left) to be killed.

Both print ``ready`` first and exit 0 when done.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path


def wait_for(go: Path) -> None:
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.005)


def store_worker(data_dir: str, worker: int, count: int, go: Path) -> None:
    from quizzer.storage import Store

    with Store.open(data_dir) as store:
        wait_for(go)
        for i in range(count):
            qid = f"shared-{(i * 7 + worker) % 11}"
            result = store.review(qid, "lstm", 1 + (i + worker) % 4, duration_ms=worker)
            print(f"rated {result.review_id} {qid}", flush=True)


async def tui_worker(data_dir: str, bank_dir: str, count: int, go: Path, hold: bool) -> None:
    import question_bank
    from quizzer.commands.review import review_app
    from quizzer.storage import Store

    bank = question_bank.load([bank_dir], packaged=False)
    with Store.open(data_dir) as store:
        app = review_app(bank, store, new_limit=1000)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            wait_for(go)
            keys = "3142"
            n = 0
            while screen.session.current is not None and (count == 0 or n < count):
                qid = screen.session.current.question_id
                await pilot.press("space", keys[n % 4])
                n += 1
                assert screen.rated == n, (screen.rated, n)
                print(f"rated {n} {qid}", flush=True)
            if hold:
                assert screen.session.current is not None
                print("holding", flush=True)
                await asyncio.sleep(3600)


def main(argv: list[str]) -> int:
    mode, data_dir = argv[0], argv[1]
    if mode == "store":
        store_worker(data_dir, int(argv[2]), int(argv[3]), Path(argv[4]))
    elif mode == "tui":
        asyncio.run(tui_worker(data_dir, argv[2], int(argv[3]), Path(argv[4]), argv[5:] == ["hold"]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
