"""Fixtures for storage, scheduling and the review/stats screens: a frozen, steppable clock and a store in a
temporary folder that uses it."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from review_support import Clock

from quizzer.storage import Store


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path, clock: Clock):
    s = Store.open(data_dir, clock=clock, tz=UTC)
    yield s
    s.close()


BANK_LSTM = """\
topic: lstm
title: LSTM
questions:
  - id: lstm-forget-gate
    kind: recall
    difficulty: medium
    prompt: What does the forget gate of an LSTM do?
    answer: It scales the previous cell state c_{t-1} element by element, between 0 and 1.
    explanation: f_t multiplies c_{t-1}, so f_t near 1 keeps the memory and near 0 erases it.
    demo: {name: forget-bias, args: {seq_len: 50}}
  - id: lstm-gate-count
    kind: numeric
    difficulty: easy
    prompt: How many sigmoid gates does a standard LSTM cell have?
    answer: 3
    explanation: Input, forget and output; the candidate g uses tanh and is not a gate.
  - id: lstm-cell-output
    kind: choice
    difficulty: hard
    prompt: Which expression gives h_t?
    choices: ["o_t * tanh(c_t)", "tanh(o_t * c_t)", "o_t + c_t"]
    answer: 0
    explanation: The output gate scales the squashed cell state.
"""

BANK_GRU = """\
topic: gru
title: GRU
questions:
  - id: gru-gate-count
    kind: truefalse
    difficulty: easy
    prompt: A GRU has two gates.
    answer: true
    explanation: The reset gate r and the update gate z.
  - id: gru-no-cell
    kind: recall
    difficulty: medium
    prompt: Where does a GRU keep its memory?
    answer: In h_t itself; there is no separate cell state.
    explanation: h_t is both the memory and the output.
"""


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    """Two small topic files, as a user's ``--bank`` folder."""
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "lstm.yaml").write_text(BANK_LSTM)
    (folder / "gru.yaml").write_text(BANK_GRU)
    return folder


@pytest.fixture
def bank(bank_dir: Path):
    import question_bank

    loaded = question_bank.load([bank_dir], packaged=False)
    assert not loaded.errors, loaded.errors
    assert len(loaded.questions) == 5
    return loaded
