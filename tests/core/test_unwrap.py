"""quizzer.session.unwrap: line breaks made only to keep a bank file narrow are joined; meaningful ones stay."""

from __future__ import annotations

from quizzer.session import unwrap

LONG = "A univariate series has 1000 points. You build training pairs with a sliding window (stride 1): 48"


def test_a_hard_wrapped_sentence_becomes_one_line() -> None:
    text = f"{LONG}\nconsecutive points as input. How many\n(input, target) pairs do you get?\n"
    # Only a line as long as a file's wrap width was broken to wrap: the short line after it keeps its break.
    assert unwrap(text) == f"{LONG} consecutive points as input. How many\n(input, target) pairs do you get?"


def test_lists_blank_lines_and_aligned_equations_keep_their_breaks() -> None:
    text = (
        f"{LONG}\n"
        "- a list item starts a line\n"
        f"- {LONG}\n"
        "  its continuation joins it\n"
        "\n"
        "r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                        reset gate\n"
        "z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                        update gate"
    )
    assert unwrap(text).split("\n") == [
        LONG,
        "- a list item starts a line",
        f"- {LONG} its continuation joins it",
        "",
        "r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                        reset gate",
        "z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                        update gate",
    ]
