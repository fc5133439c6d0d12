"""The app's own speed against the targets in the issues: first frame, bank loading, database, demos, training.

    python bench/app.py                    # everything, the two adding-problem trainings included (~2 min on 2 cores)
    python bench/app.py --quick            # fewer repeats, no trainings (under a minute)
    python bench/app.py --only startup,db  # some sections: startup, bank, db, demos, adding
    python bench/app.py --no-training      # everything but the adding-problem trainings

Sections (each prints its measurements, then a verdict line per target; a summary of every verdict comes last):

1. startup: the real ``quizzer`` (no arguments: the home screen) and a bare Textual hello-world
   (``bench/_hello_app.py``), each started by this Python in a 100x30 pseudo-terminal (TERM=xterm-256color, a fresh
   ``QUIZZER_DATA_DIR``), timed from spawn until the screen output contains a string of its first frame, then
   killed. Interleaved runs (order alternating), median of each and the ratio of the medians.
2. bank: a generated, valid bank of 10,000 questions (copies of the packaged questions, so every kind and real text
   lengths, in 100 files) loaded with ``question_bank.load(paths=[dir], demos=registry.validators(),
   packaged=False)``: the first call in a fresh process (it imports YAML, as the app's first load does), and
   again in this process.
3. db: ``populate_synthetic`` fills a temporary ``quizzer.db`` with 10,000 cards and 100,000 review-log rows; then
   the due query and the Review screen's queue (``ReviewSession``) over a 10,000-question bank, and the stats
   (``Store.stats`` + ``render_stats`` printed to a 100-column console, as ``quizzer stats``; and the real
   ``quizzer`` in a pseudo-terminal on that database: key ``4`` on the home screen until the Stats screen shows).
4. demos: ``REGISTRY[name].run({})`` for every demo that is not a training, with OPENBLAS_NUM_THREADS=1 as the
   CLI sets it; the render time is shown beside it (not judged). Trainings at their defaults are listed for
   information.
5. adding: ``adding-problem`` with ``models=lstm`` and ``seq_len`` 50 and 100 (its ``target_mse`` 0.01 stops the
   run once the LSTM's held-out MSE is below it): wall time until it returned, and whether it reached the target.
   One run each (the run is deterministic apart from its timing); a run is cancelled at 3x its time target.

Timing only: nothing is asserted, and the exit code is 0 whatever the verdicts. The machine may be shared: every
figure is a median of interleaved runs, printed with its min and max, and the load average is printed at the start
and the end.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import math
import os
import platform
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from quizzer.cli import single_blas_thread

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SECTIONS = ("startup", "bank", "db", "demos", "adding")

# ---------------------------------------------------------------------------------------------------- targets

#: quizzer's time to first frame over the bare Textual app's (ratio of the medians).
STARTUP_RATIO_TARGET = 1.3
#: Loading and validating the 10,000-question bank, seconds.
BANK_LOAD_TARGET_S = 1.0
#: The due query that opens review, and the stats (data + render), milliseconds.
DUE_QUERY_TARGET_MS = 50.0
STATS_TARGET_MS = 300.0
#: A non-training demo at its defaults, milliseconds.
DEMO_TARGET_MS = 30.0
#: adding-problem, LSTM to held-out MSE < target_mse: seq_len -> seconds.
ADDING_TARGETS_S = {50: 20.0, 100: 60.0}
#: A training run is cancelled after this many times its time target.
ADDING_CANCEL_FACTOR = 3.0

# ---------------------------------------------------------------------------------------------------- set-up

#: Terminal size for the first-frame runs and the width of every rendered renderable.
COLUMNS, ROWS = 100, 30
#: What each first frame contains (quizzer/screens/home.py's menu title; bench/_hello_app.py's text).
HOME_TEXT = "What would you like to do?"
HELLO_SCRIPT = BENCH_DIR / "_hello_app.py"
HELLO_TEXT = "Hello from a bare Textual app"
#: A first frame that has not come after this long counts as never.
FIRST_FRAME_TIMEOUT_S = 20.0
#: The generated bank.
BANK_QUESTIONS = 10_000
QUESTIONS_PER_FILE = 100
#: The synthetic database.
DB_CARDS = 10_000
DB_REVIEWS = 100_000
#: Escape sequences stripped from the terminal output before looking for the first frame's text: CSI (colours,
#: cursor moves, private modes), OSC (terminated by BEL or ST), and two-byte ESC sequences.
_ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


@dataclass
class Verdict:
    section: str
    what: str
    target: str
    measured: str
    verdict: str        # PASS, MISS, or a word saying why there is no verdict (ERROR, NONE)

    def line(self) -> str:
        return f"{self.verdict:5} {self.section:8} {self.what}: {self.measured} (target {self.target})"


VERDICTS: list[Verdict] = []


def judge(section: str, what: str, target: str, measured: str, ok: bool | None) -> None:
    """Record and print one target's verdict; ``ok`` None means it could not be measured."""
    verdict = Verdict(section, what, target, measured, "NONE" if ok is None else "PASS" if ok else "MISS")
    VERDICTS.append(verdict)
    print(verdict.line(), flush=True)


def times_ms(fn: Callable[[], object], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1e3)
    return out


def spread(values: Sequence[float], unit: str = "ms", digits: int = 1) -> str:
    """``median 12.3 ms (min 11.0, max 15.2, n=7)``."""
    med = statistics.median(values)
    return (f"median {med:.{digits}f} {unit} (min {min(values):.{digits}f}, max {max(values):.{digits}f}, "
            f"n={len(values)})")


def header(title: str) -> None:
    print(f"\n## {title}", flush=True)


def console(width: int = COLUMNS):
    """A Rich console printing to memory, as a 100-column true-colour terminal would receive it."""
    from rich.console import Console

    return Console(file=io.StringIO(), width=width, height=ROWS, force_terminal=True, color_system="truecolor",
                   legacy_windows=False)


def fresh_python(code: str, env: dict[str, str] | None = None, timeout: float = 120.0) -> str:
    """Run ``code`` in a new process of this Python (cwd = the repo); its stdout. RuntimeError on failure."""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return done.stdout


# ---------------------------------------------------------------------------------------------------- 1. startup


class PtyApp:
    """A command running in its own COLUMNS x ROWS pseudo-terminal (TERM=xterm-256color), whose output is read
    as it comes; :meth:`close` kills its process group."""

    def __init__(self, cmd: list[str], data_dir: str) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("TEXTUAL") and k not in ("NO_COLOR", "COLUMNS", "LINES", "QUIZZER_BANK_PATH")}
        env.update(TERM="xterm-256color", QUIZZER_DATA_DIR=data_dir)
        self.master = master
        self.raw = b""
        self.exit_code: int | None = None
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO,
                                     start_new_session=True, close_fds=True)
        os.close(slave)

    def screen(self, since: int = 0) -> str:
        """The output from byte ``since`` on, escape sequences stripped."""
        return _ESCAPES.sub(b"", self.raw[since:]).decode("utf-8", "replace")

    def wait_for(self, needle: str, since: int = 0, timeout: float = FIRST_FRAME_TIMEOUT_S) -> float | None:
        """Read until the output from byte ``since`` on contains ``needle``: the ``time.perf_counter()`` moment
        it did, or None after ``timeout`` or if the process ended first."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 1 << 16)
                except OSError:         # EIO: the child closed the terminal (it exited)
                    chunk = b""
                if chunk:
                    self.raw += chunk
                    if needle in self.screen(since):
                        return time.perf_counter()
                    continue
            if self.proc.poll() is not None:
                self.exit_code = self.proc.returncode
                return None
        return None

    def drain(self, seconds: float) -> None:
        """Keep reading for ``seconds`` (lets the app finish what it started after its first frame)."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            if select.select([self.master], [], [], left)[0]:
                try:
                    self.raw += os.read(self.master, 1 << 16)
                except OSError:
                    return

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.master)


@dataclass
class FrameRun:
    seconds: float | None       # None: the text never appeared
    screen: str                 # the output so far, escape sequences stripped (for the report when it fails)
    exit_code: int | None       # set if the process ended by itself before the text appeared


def first_frame(cmd: list[str], needle: str, data_dir: str) -> FrameRun:
    """Time from spawning ``cmd`` in a fresh pseudo-terminal until its output contains ``needle``; then kill it."""
    app = PtyApp(cmd, data_dir)
    try:
        found = app.wait_for(needle)
        seconds = None if found is None else found - app.started
    finally:
        app.close()
    return FrameRun(seconds, app.screen(), app.exit_code)


def quizzer_command() -> list[str]:
    """The installed ``quizzer`` script run by this Python (as the bare app is), else ``python -m quizzer``."""
    script = Path(sys.executable).parent / "quizzer"
    if not script.exists():
        found = shutil.which("quizzer")
        script = Path(found) if found else None  # type: ignore[assignment]
    return [sys.executable, str(script)] if script else [sys.executable, "-m", "quizzer"]


def bench_startup(repeats: int) -> None:
    header(f"1. startup: time to first frame in a {COLUMNS}x{ROWS} pseudo-terminal, quizzer vs bare Textual")
    sides = {"quizzer": (quizzer_command(), HOME_TEXT), "bare": ([sys.executable, str(HELLO_SCRIPT)], HELLO_TEXT)}
    for name, (cmd, needle) in sides.items():
        print(f"# {name:7}: {' '.join(cmd)}   (waits for {needle!r})")
    target = f"quizzer / bare <= {STARTUP_RATIO_TARGET}"
    with tempfile.TemporaryDirectory(prefix="quizzer-bench-") as tmp:
        runs = 0

        def one(name: str) -> FrameRun:
            nonlocal runs
            runs += 1
            data_dir = os.path.join(tmp, f"data-{runs}")      # a fresh, not yet created, data folder per run
            cmd, needle = sides[name]
            return first_frame(cmd, needle, data_dir)

        for name in sides:      # untimed: compiles bytecode, warms the disk cache
            warm = one(name)
            if warm.seconds is None:
                why = (f"exited with code {warm.exit_code}" if warm.exit_code is not None
                       else f"nothing matching after {FIRST_FRAME_TIMEOUT_S:.0f} s")
                print(f"# {name} never showed its first frame ({why}); last screen text:")
                print("#   " + " ".join(warm.screen.split())[-400:])
                judge("startup", "first frame quizzer / bare", target, f"{name}: no first frame ({why})", None)
                return
        seconds: dict[str, list[float]] = {name: [] for name in sides}
        missing = 0
        for index in range(repeats):
            order = list(sides) if index % 2 == 0 else list(reversed(sides))    # interleaved, order alternating
            for name in order:
                run = one(name)
                if run.seconds is None:
                    missing += 1
                else:
                    seconds[name].append(run.seconds * 1e3)
    for name, values in seconds.items():
        print(f"{name:8} first frame {spread(values)}")
    if missing:
        print(f"# {missing} run(s) showed no first frame within {FIRST_FRAME_TIMEOUT_S:.0f} s and are left out")
    if not all(seconds.values()):
        judge("startup", "first frame quizzer / bare", target, "no complete pair of runs", None)
        return
    quizzer_ms, bare_ms = (statistics.median(seconds[name]) for name in ("quizzer", "bare"))
    ratio = quizzer_ms / bare_ms
    print(f"ratio of the medians quizzer / bare: {ratio:.2f}; quizzer - bare: {quizzer_ms - bare_ms:+.0f} ms")
    startup_diagnostics()
    judge("startup", "first frame quizzer / bare", target,
          f"{ratio:.2f} (median {quizzer_ms:.0f} ms vs {bare_ms:.0f} ms)", ratio <= STARTUP_RATIO_TARGET)


#: Imported by a fresh process to see what the first frame's modules cost and which heavy modules they pull in.
_IMPORT_PROBE = """
import sys, time
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
heavy = [m for m in ("numpy", "yaml", "fsrs", "sqlite3", "plotext", "lstm_engine.lstm")
         if m in sys.modules]
print(elapsed * 1e3, ",".join(heavy))
"""


def startup_diagnostics(repeats: int = 3) -> None:
    """For information, each in a fresh process: the app module's import time against Textual's own, the CLI's
    parser (which imports every subcommand module), and which heavy modules each pulls in before the first frame."""
    probes = {
        "import textual.app, textual.widgets": "import textual.app, textual.widgets",
        "import quizzer.app": "import quizzer.app",
        "quizzer.cli.build_parser()": "import quizzer.cli; quizzer.cli.build_parser()",
    }
    results: dict[str, list[float]] = {label: [] for label in probes}
    heavy: dict[str, str] = {}
    try:
        for _ in range(repeats):
            for label, values in results.items():
                elapsed, loaded = fresh_python(_IMPORT_PROBE.format(statement=probes[label])).split(" ", 1)
                values.append(float(elapsed))
                heavy[label] = loaded.strip()
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
        print(f"# import probe failed: {err}")
        return
    for label, values in results.items():
        print(f"# info: {label:35} {spread(values, digits=0)}; heavy modules loaded: "
              f"{heavy[label] or 'none'}")


# ---------------------------------------------------------------------------------------------------- 2. bank


def _literal_dumper():
    """A safe YAML dumper writing multi-line text as ``|`` blocks, as the bank's authors do."""
    import yaml

    base = getattr(yaml, "CSafeDumper", None) or yaml.SafeDumper

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def text(dumper, value: str):
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def generate_bank(folder: Path, count: int = BANK_QUESTIONS, per_file: int = QUESTIONS_PER_FILE) -> dict[str, int]:
    """Write ``count`` valid questions to ``folder`` in files of ``per_file``: copies of the packaged questions
    that validate today (every kind, real text lengths and demo links), ids suffixed per copy round, follow-ups
    pointing into the same round (dropped where the last, partial round lacks the target). Returns kind counts."""
    import yaml

    import question_bank
    from question_bank.loader import packaged_files
    from quizzer.demos import registry

    valid = {q.id for q in question_bank.load(demos=registry.validators()).questions}
    templates = []
    for file in packaged_files():
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        templates += [q for q in data.get("questions", []) if isinstance(q, dict) and q.get("id") in valid]
    if not templates:
        raise RuntimeError("the packaged bank has no valid question to copy")
    questions = []
    for round_ in range(math.ceil(count / len(templates))):
        chosen = templates[:count - len(questions)]
        ids = {q["id"] for q in chosen}
        for q in chosen:
            copy = dict(q, id=f"{q['id']}-x{round_:03d}")
            if "follow_ups" in q:
                copy["follow_ups"] = [f"{f}-x{round_:03d}" for f in q["follow_ups"] if f in ids]
            questions.append(copy)
    dumper = _literal_dumper()
    kinds: dict[str, int] = {}
    for index in range(0, len(questions), per_file):
        topic = f"bench-{index // per_file:03d}"
        doc = {"topic": topic, "title": f"Benchmark topic {index // per_file}",
               "questions": questions[index:index + per_file]}
        for q in doc["questions"]:
            kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
        (folder / f"{topic}.yaml").write_text(
            yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    return kinds


def yaml_breakdown(folder: Path, repeats: int) -> dict[str, list[float]]:
    """For information, where a load's time goes: libyaml's events alone (the floor for any loader built on
    libyaml) and the loader's composition of those events into line-numbered nodes (``question_bank._compose``,
    a private module: skipped if it has changed); the rest of a load is validation."""
    import yaml

    datas = [file.read_bytes() for file in sorted(folder.glob("*.yaml"))]
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

    def events() -> None:
        for data in datas:
            for _event in yaml.parse(data, Loader=loader):
                pass

    out = {"libyaml's events alone (yaml.parse, C)": times_ms(events, repeats)}
    try:
        from question_bank._compose import collector_paused, compose
    except ImportError:
        return out

    def composed() -> None:
        with collector_paused():
            for data in datas:
                compose(data)

    out["events + nodes (question_bank._compose)"] = times_ms(composed, repeats)
    return out


#: A fresh process's first load, imports included (what the app's bank worker pays).
_COLD_LOAD = """
import time
start = time.perf_counter()
import question_bank
from quizzer.demos import registry
imported = time.perf_counter()
bank = question_bank.load(paths=[{folder!r}], demos=registry.validators(), packaged=False)
print((imported - start) * 1e3, (time.perf_counter() - imported) * 1e3)
"""


def bench_bank(repeats: int) -> None:
    header(f"2. bank: load and validate {BANK_QUESTIONS:,} generated questions (packaged=False)")
    import question_bank
    from quizzer.demos import registry

    target = f"<= {BANK_LOAD_TARGET_S:.1f} s"
    with tempfile.TemporaryDirectory(prefix="quizzer-bench-bank-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        kinds = generate_bank(folder)
        files = sorted(folder.glob("*.yaml"))
        size = sum(f.stat().st_size for f in files)
        print(f"# generated {sum(kinds.values()):,} questions in {len(files)} files, {size / 2**20:.1f} MiB, in "
              f"{time.perf_counter() - start:.1f} s; kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))

        def load():
            return question_bank.load(paths=[str(folder)], demos=registry.validators(), packaged=False)

        bank = load()
        lengths = [len(q.prompt) + len(q.explanation) for q in bank.questions]
        print(f"# loaded: {len(bank.questions):,} questions, {len(bank.errors)} errors; prompt + explanation "
              f"{statistics.mean(lengths):.0f} characters on average (max {max(lengths)})")
        for error in bank.errors[:3]:
            print(f"#   {error}")
        valid = len(bank.questions) == BANK_QUESTIONS and not bank.errors
        cold: list[float] | None = []
        imports: list[float] = []
        warm: list[float] = []
        for _ in range(repeats):    # interleaved, so drift in the machine's load hits both alike
            if cold is not None:
                try:
                    import_ms, load_ms = fresh_python(_COLD_LOAD.format(folder=str(folder))).split()
                    imports.append(float(import_ms))
                    cold.append(float(load_ms))
                except (RuntimeError, subprocess.TimeoutExpired, ValueError) as err:
                    print(f"# the fresh-process load failed: {err}")
                    cold = None
            warm += times_ms(load, 1)
        breakdown = yaml_breakdown(folder, max(1, repeats // 2))
    if cold:
        print(f"first load() in a fresh process (imports YAML) {spread(cold, digits=0)}")
        print(f"# info: before it, import question_bank + quizzer.demos.registry {spread(imports, digits=0)}")
    print(f"load() again in this process                   {spread(warm, digits=0)}")
    for label, values in breakdown.items():
        print(f"# info: within a load, {label:39} {spread(values, digits=0)}")
    note = "" if valid else f" [the generated bank was not all valid: {len(bank.errors)} errors]"
    if cold:
        cold_s = statistics.median(cold) / 1e3
        judge("bank", f"load {BANK_QUESTIONS:,} questions, first in a process", target,
              f"{cold_s:.2f} s (min {min(cold) / 1e3:.2f}){note}", cold_s <= BANK_LOAD_TARGET_S)
    warm_s = statistics.median(warm) / 1e3
    judge("bank", f"load {BANK_QUESTIONS:,} questions, again", target,
          f"{warm_s:.2f} s (min {min(warm) / 1e3:.2f}){note}", warm_s <= BANK_LOAD_TARGET_S)


# ---------------------------------------------------------------------------------------------------- 3. database


@dataclass(frozen=True)
class _Question:
    """What ``ReviewSession`` reads of a bank question."""

    id: str
    topic: str


def bench_db(repeats: int) -> None:
    header(f"3. db: {DB_CARDS:,} cards and {DB_REVIEWS:,} review-log rows in a temporary quizzer.db")
    from quizzer.scheduling import ReviewSession
    from quizzer.stats_view import render_stats
    from quizzer.storage import Store, populate_synthetic

    topics = ("rnn", "lstm", "gru", "training", "gradients")
    with tempfile.TemporaryDirectory(prefix="quizzer-bench-db-") as tmp:
        start = time.perf_counter()
        with Store.open(tmp) as store:
            ids = populate_synthetic(store, cards=DB_CARDS, reviews=DB_REVIEWS, seed=0, topics=topics)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20
        print(f"# populate_synthetic: {time.perf_counter() - start:.1f} s, {size:.1f} MiB on disk")
        questions = [_Question(qid, topics[i % len(topics)]) for i, qid in enumerate(ids)]
        question_ids = {q.id for q in questions}

        # As the app does: open the file (a new connection), then query. The first query pays for reading the
        # pages from the OS cache; later ones hit SQLite's own cache.
        with Store.open(tmp) as store:
            now = store.now()
            first = times_ms(lambda: store.due_ids(now), 1)[0]
            due = store.due_ids(now)
            due_ms = times_ms(lambda: store.due_ids(now), repeats)
            first_session = times_ms(lambda: ReviewSession(store, questions), 1)[0]
            session_ms = times_ms(lambda: ReviewSession(store, questions), repeats)
            session = ReviewSession(store, questions)
            home_ms = times_ms(lambda: store.due_cards(), repeats)

            def stats():
                return store.stats(question_ids=question_ids)

            def render(data) -> None:
                console().print(render_stats(data))

            first_stats = times_ms(lambda: render(stats()), 1)[0]    # also imports plotext
            data_ms, render_ms, total_ms = [], [], []
            for _ in range(repeats):
                t0 = time.perf_counter()
                data = stats()
                t1 = time.perf_counter()
                render(data)
                t2 = time.perf_counter()
                data_ms.append((t1 - t0) * 1e3)
                render_ms.append((t2 - t1) * 1e3)
                total_ms.append((t2 - t0) * 1e3)
        screen_ms, screen_problem = stats_screen_ms(tmp, max(3, repeats // 3))
        cli_ms = quizzer_stats_cli_ms(tmp, max(1, repeats // 5))

    print(f"{len(due):,} cards due now; review queue {len(session.queue):,} cards "
          f"(reviews, new) = {session.counts()}")
    print(f"due query  store.due_ids(now)            {spread(due_ms, digits=2)}; first after open {first:.2f} ms")
    print(f"open review ReviewSession(store, 10k qs)  {spread(session_ms, digits=2)}; "
          f"first after open {first_session:.2f} ms")
    print(f"# info: home screen's due count (store.due_cards) {spread(home_ms, digits=2)}")
    print(f"stats data  store.stats(question_ids)     {spread(data_ms)}")
    print(f"stats render render_stats -> {COLUMNS} columns  {spread(render_ms)}")
    print(f"stats data + render                       {spread(total_ms)}; first (imports plotext) {first_stats:.0f} ms")
    if screen_ms:
        print(f"Stats screen in the real quizzer ({COLUMNS}x{ROWS} pty), key 4 on home to summary shown, first visit "
              f"in a session: {spread(screen_ms)}")
    if screen_problem:
        print(f"# the Stats screen could not be timed: {screen_problem}")
    if cli_ms:
        print(f"# info: `quizzer stats` end to end (a process: imports, packaged bank, query, print) "
              f"{spread(cli_ms, digits=0)}")
    due_target = f"<= {DUE_QUERY_TARGET_MS:.0f} ms"
    stats_target = f"<= {STATS_TARGET_MS:.0f} ms"
    judge("db", "due query (store.due_ids)", due_target, f"{statistics.median(due_ms):.2f} ms",
          statistics.median(due_ms) <= DUE_QUERY_TARGET_MS)
    judge("db", "open review (ReviewSession over 10,000 questions)", due_target,
          f"{statistics.median(session_ms):.2f} ms", statistics.median(session_ms) <= DUE_QUERY_TARGET_MS)
    judge("db", "stats data + render (quizzer stats renderable)", stats_target,
          f"{statistics.median(total_ms):.0f} ms", statistics.median(total_ms) <= STATS_TARGET_MS)
    what = "Stats screen in the TUI, key to shown (first visit)"
    if screen_ms:
        judge("db", what, stats_target, f"{statistics.median(screen_ms):.0f} ms",
              statistics.median(screen_ms) <= STATS_TARGET_MS)
    else:
        judge("db", what, stats_target, "not measured (see above)", None)


#: The home screen once the bank has loaded (its table's footer), and the Stats screen's summary line.
BANK_LOADED_TEXT = "All topics"
STATS_TEXT = "in the last 30 days"
#: After the bank has loaded, the home screen counts the cards due: let it finish before pressing a key.
SETTLE_S = 1.0


def stats_screen_ms(data_dir: str, repeats: int) -> tuple[list[float], str]:
    """The real ``quizzer`` in a pseudo-terminal on the populated database: once its home screen shows the loaded
    bank (and has had SETTLE_S to count the due cards), press ``4`` and time until the Stats screen's summary line
    is on the screen. A new process per run, so each is the session's first visit (imports included).
    Returns the times and, if a run failed, why."""
    out = []
    for _ in range(repeats):
        app = PtyApp(quizzer_command(), data_dir)
        try:
            if app.wait_for(BANK_LOADED_TEXT) is None:
                last = " ".join(app.screen().split())[-300:]
                return out, f"the home screen never showed {BANK_LOADED_TEXT!r}: ...{last}"
            app.drain(SETTLE_S)
            since = len(app.raw)
            pressed = time.perf_counter()
            app.press(b"4")
            shown = app.wait_for(STATS_TEXT, since=since)
            if shown is None:
                return out, f"no {STATS_TEXT!r} after pressing 4: ...{' '.join(app.screen(since).split())[-300:]}"
            out.append((shown - pressed) * 1e3)
        finally:
            app.close()
    return out, ""


def quizzer_stats_cli_ms(data_dir: str, repeats: int) -> list[float]:
    env = dict(os.environ, QUIZZER_DATA_DIR=data_dir, COLUMNS=str(COLUMNS))
    env.pop("QUIZZER_BANK_PATH", None)
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run([*quizzer_command(), "stats"], capture_output=True, text=True, env=env, timeout=120,
                              check=False)
        elapsed = (time.perf_counter() - start) * 1e3
        if done.returncode != 0:
            print(f"# `quizzer stats` failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
            return []
        out.append(elapsed)
    return out


# ---------------------------------------------------------------------------------------------------- 4. demos


def _print_render(demo, result) -> None:
    console().print(demo.render(result))


def bench_demos(repeats: int, trainings: bool) -> None:
    header(f"4. demos: REGISTRY[name].run({{}}) at the defaults, OPENBLAS_NUM_THREADS="
           f"{os.environ.get('OPENBLAS_NUM_THREADS')}")
    from quizzer.demos.registry import REGISTRY

    target = f"<= {DEMO_TARGET_MS:.0f} ms"
    print(f"{'demo':20} {'first ms':>9} {'median ms':>10} {'min':>7} {'max':>7} {'render ms':>10}   (median of "
          f"{repeats}; first = the call that imports)")
    rows = []
    for name, demo in REGISTRY.items():
        if demo.training:
            continue
        try:
            start = time.perf_counter()
            result = demo.run({})
            first = (time.perf_counter() - start) * 1e3
            run_ms = times_ms(partial(demo.run, {}), repeats)
            demo.render(result)                     # imports the view and plotext
            render_ms = times_ms(partial(_print_render, demo, result), repeats)
        except Exception as err:  # noqa: BLE001 - one demo in progress must not stop the others
            print(f"{name:20} ERROR {type(err).__name__}: {err}")
            rows.append((name, None))
            continue
        med = statistics.median(run_ms)
        print(f"{name:20} {first:9.1f} {med:10.2f} {min(run_ms):7.2f} {max(run_ms):7.2f} "
              f"{statistics.median(render_ms):10.1f}", flush=True)
        rows.append((name, med))
    for name, med in rows:
        judge("demos", f"{name} run({{}})", target, "error (see above)" if med is None else f"{med:.2f} ms",
              None if med is None else med <= DEMO_TARGET_MS)
    if trainings:
        print("# info: trainings at their defaults (one run each, no target; adding-problem is section 5)")
        for name, demo in REGISTRY.items():
            if not demo.training or name == "adding-problem":
                continue
            try:
                start = time.perf_counter()
                demo.run({})
                print(f"# info: {name:20} {time.perf_counter() - start:6.2f} s", flush=True)
            except Exception as err:  # noqa: BLE001
                print(f"# info: {name:20} ERROR {type(err).__name__}: {err}")


# ---------------------------------------------------------------------------------------------------- 5. adding


def _past(deadline: float, done: int, total: int, metrics: dict[str, float]) -> bool:
    """An ``on_step`` that cancels the training once ``time.perf_counter()`` has passed ``deadline``."""
    return time.perf_counter() > deadline


def bench_adding() -> None:
    header("5. adding-problem: LSTM alone (models=lstm) until held-out MSE < target_mse, at each seq_len")
    from quizzer.demos.registry import REGISTRY

    demo = REGISTRY["adding-problem"]
    defaults = demo.validate({})
    print("# defaults: " + ", ".join(f"{k}={v}" for k, v in defaults.items()) + f"; one run per seq_len, "
          f"cancelled at {ADDING_CANCEL_FACTOR:.0f}x the time target")
    for seq_len, limit in ADDING_TARGETS_S.items():
        target = f"MSE < {defaults.get('target_mse', 0.01)} in <= {limit:.0f} s"
        cap = ADDING_CANCEL_FACTOR * limit
        start = time.perf_counter()
        try:
            result = demo.run({"seq_len": seq_len, "models": "lstm"}, on_step=partial(_past, start + cap))
        except Exception as err:  # noqa: BLE001 - the demo may be in progress
            print(f"T={seq_len}: ERROR {type(err).__name__}: {err}")
            judge("adding", f"T={seq_len} LSTM to target", target, f"error: {type(err).__name__}", None)
            continue
        wall = time.perf_counter() - start
        curve = result.curves["lstm"]
        how = ("reached the target" if result.reached_target
               else f"cancelled at the {cap:.0f} s cap" if result.cancelled
               else "ran every iteration without reaching the target")
        print(f"T={seq_len:3}: {how}; wall {wall:.1f} s, {result.iterations_done} iterations "
              f"({1e3 * curve.seconds / max(1, len(curve.train_loss)):.1f} ms each incl. scoring), "
              f"iterations to target {curve.iterations_to_target}, model compute to target "
              f"{'-' if curve.seconds_to_target is None else f'{curve.seconds_to_target:.1f} s'}, "
              f"final held-out MSE {curve.final_mse:.4f} (best {curve.best_mse:.4f})", flush=True)
        measured = f"{wall:.1f} s, " + ("reached" if result.reached_target else f"not reached (MSE "
                                                                                f"{curve.best_mse:.4f})")
        judge("adding", f"T={seq_len} LSTM to target", target, measured,
              result.reached_target and wall <= limit)


# ---------------------------------------------------------------------------------------------------- main


def run_section(name: str, bench: Callable[..., None], *args: object) -> None:
    """Run one section; an exception (code still being written by others, say) is reported and the rest runs."""
    try:
        bench(*args)
    except Exception as err:  # noqa: BLE001
        import traceback

        where = traceback.extract_tb(err.__traceback__)[-1]
        print(f"# {name} stopped: {type(err).__name__}: {err} ({where.filename}:{where.lineno})")
        judge(name, "the section", "-", f"not measured: {type(err).__name__}: {err}", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; no trainings unless --training")
    parser.add_argument("--only", metavar="NAME[,NAME]", default=",".join(SECTIONS),
                        help=f"sections to run: {', '.join(SECTIONS)}")
    parser.add_argument("--training", action=argparse.BooleanOptionalAction, default=None,
                        help="run the adding-problem trainings (default: on, off with --quick)")
    opts = parser.parse_args(argv)
    only = [s.strip() for s in opts.only.split(",") if s.strip()]
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    training = (not opts.quick) if opts.training is None else opts.training
    single_blas_thread()                    # as the app does, before anything imports NumPy

    load_start = os.getloadavg()
    print(f"# machine: {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"load average {load_start[0]:.2f} (1 min) at the start; every figure is a median of repeated runs "
          f"because the machine is shared and noisy")
    print(f"# command: python bench/app.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip())
    wall = time.perf_counter()
    if "startup" in only:
        run_section("startup", bench_startup, 7 if opts.quick else 11)
    if "bank" in only:
        run_section("bank", bench_bank, 3 if opts.quick else 7)
    if "db" in only:
        run_section("db", bench_db, 5 if opts.quick else 15)
    if "demos" in only:
        run_section("demos", bench_demos, 3 if opts.quick else 9, not opts.quick)
    if "adding" in only:
        if training:
            run_section("adding", bench_adding)
        else:
            header("5. adding-problem: skipped (--no-training, or --quick without --training)")
            for seq_len, limit in ADDING_TARGETS_S.items():
                judge("adding", f"T={seq_len} LSTM to target", f"<= {limit:.0f} s", "skipped", None)

    load_end = os.getloadavg()
    print(f"\n# targets ({time.perf_counter() - wall:.0f} s in all; load average {load_start[0]:.2f} -> "
          f"{load_end[0]:.2f} on {os.cpu_count()} cores; medians, but one run per training)")
    for verdict in VERDICTS:
        print(verdict.line())
    counts = {word: sum(v.verdict == word for v in VERDICTS) for word in ("PASS", "MISS", "NONE")}
    print(f"# {counts['PASS']} PASS, {counts['MISS']} MISS, {counts['NONE']} not measured")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
