"""Helpers for the bank tests: small valid files to start from, and error lines as the loader prints them."""

from __future__ import annotations

import textwrap
from pathlib import Path

#: A file with one valid question of each kind (ids: tf-one, choice-one, multi-one, numeric-one, recall-one).
GOOD_FILE = textwrap.dedent("""\
    topic: test-topic
    title: Test topic
    questions:
      - id: tf-one
        kind: truefalse
        difficulty: easy
        tags: [lstm]
        prompt: An LSTM keeps a cell state.
        answer: true
        explanation: c_t runs alongside h_t.
      - id: choice-one
        kind: choice
        difficulty: medium
        prompt: Which gate decides what to forget?
        choices: [input, forget, output]
        answer: 1
        explanation: The forget gate.
        misconception: The output gate erases memory.
      - id: multi-one
        kind: multi
        difficulty: hard
        prompt: Which are LSTM gates?
        choices: [input, reset, output, update]
        answer: [2, 0]
        explanation: Reset and update belong to the GRU.
        follow_ups: [choice-one]
      - id: numeric-one
        kind: numeric
        difficulty: medium
        prompt: sigmoid(0)?
        answer: 0.5
        tolerance: 1e-3
        explanation: The logistic function is 1/2 at 0.
        demo: {name: gate-stepper, args: {preset: remember, x: 1.5}}
        sources: [Hochreiter and Schmidhuber 1997]
      - id: recall-one
        kind: recall
        difficulty: easy
        prompt: Why does the cell state help gradients?
        answer: |
          The path through c_t is additive, so
          gradients are scaled by f_t, not squashed.
        explanation: See the constant error carousel.
    """)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    """Write a bank file (text as UTF-8, bytes as given) and return its path."""
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def topic_file(questions: str, topic: str = "test-topic", title: str = "Test topic") -> str:
    """A bank file around ``questions`` (YAML list items, written at column 0 and indented here)."""
    body = textwrap.indent(textwrap.dedent(questions), "  ")
    return f"topic: {topic}\ntitle: {title}\nquestions:\n{body}"


def error_line(path: object, line: int, qid: str | None, message: str) -> str:
    """An error exactly as ``str(BankError)`` prints it."""
    return f"{path}:{line}: {qid}: {message}" if qid is not None else f"{path}:{line}: {message}"


def assert_matches_recomputation(bank: object, qid: str, recompute: object) -> None:
    """A packaged numeric question's answer equals ``recompute()`` (the engine's number) within its tolerance."""
    question = bank.get(qid)  # type: ignore[attr-defined]
    assert question is not None, f"{qid} is not in the packaged bank"
    assert question.kind == "numeric"
    recomputed = recompute()  # type: ignore[operator]
    tolerance = max(question.tolerance or 0.0, 1e-9)
    assert abs(recomputed - question.answer) <= tolerance, (
        f"{qid}: the bank says {question.answer}, the engine gives {recomputed!r} (tolerance {tolerance})"
    )
