"""Property tests: whatever a file holds, loading returns a Bank (never raises), every error is one
well-formed ``path:line:`` line, a bad question never hides a good one, and valid questions round-trip."""

from __future__ import annotations

import math
import string

import yaml
from bank_support import GOOD_FILE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import question_bank
from question_bank import Bank, BankError, Question
from question_bank.schema import DIFFICULTIES, KINDS, MAX_CHOICES, MIN_CHOICES
from quizzer.demos.registry import validators

#: Examples per property: enough to find structural bugs, cheap on two shared cores.
EXAMPLES = 150
PROPERTY_SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])
PATH = "prop.yaml"
#: Characters libyaml counts as line breaks.
LINE_BREAKS = ("\r\n", "\n", "\r", "\x85", "\u2028", "\u2029")
#: Error lines may point one past the last break (libyaml reports the end of the stream there).
PAST_THE_END = 2
#: Most edits made to GOOD_FILE by ``perturbed_good_files``.
PERTURBATIONS = 4

GOOD = {"id": "good-question", "kind": "truefalse", "difficulty": "easy", "prompt": "A good question.",
        "answer": True, "explanation": "It never hides."}
VALID_BASE = {"id": "mutant", "kind": "choice", "difficulty": "medium", "tags": ["lstm"],
              "prompt": "Which gate forgets?", "answer": 1, "choices": ["input", "forget"],
              "explanation": "The forget gate.", "follow_ups": ["good-question"],
              "demo": {"name": "gate-stepper", "args": {"preset": "remember"}}}
FIELDS = (*VALID_BASE, "tolerance", "misconception", "sources", "explaination", "extra")


def _line_count(text: str) -> int:
    for br in LINE_BREAKS[1:]:
        text = text.replace("\r\n", "\n").replace(br, "\n")
    return text.count("\n") + 1


def _assert_well_formed(bank: object, text: str) -> None:
    assert isinstance(bank, Bank)
    limit = _line_count(text) + PAST_THE_END
    for error in bank.errors:
        assert isinstance(error, BankError)
        shown = str(error)
        assert "\n" not in shown and "\r" not in shown
        assert shown.startswith(f"{PATH}:{error.line}: ")
        assert 1 <= error.line <= limit, shown
        assert error.qid is None or isinstance(error.qid, str)
    for question in bank.questions:
        assert isinstance(question, Question)
    ids = [question.id for question in bank.questions]
    assert len(ids) == len(set(ids))


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
structures = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)

YAML_TOKENS = [
    "[", "]", "{", "}", ",", ": ", "- ", "? ", "&a ", "*a", "&b ", "*b", "!!str ", "!!python/object ", "!x ",
    "---\n", "...\n", "'", '"', "|\n", ">\n", "#", "\n", "  ", "\t", "\\", "\x00", "\ufeff",
    "topic", "title", "questions", "id", "kind", "answer", "choices", "true", "1e3", ".nan", "~", "<<",
]
token_soup = st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=3), max_size=60).map("".join)


@PROPERTY_SETTINGS
@given(st.text(max_size=300))
def test_any_text_loads_without_raising(text: str) -> None:
    _assert_well_formed(question_bank.load_text(text, path=PATH, demos=validators()), text)


@PROPERTY_SETTINGS
@given(token_soup)
def test_yaml_token_soup_loads_without_raising(text: str) -> None:
    _assert_well_formed(question_bank.load_text(text, path=PATH, demos=validators()), text)


@st.composite
def perturbed_good_files(draw: st.DrawFn) -> str:
    """GOOD_FILE with a few lines or values replaced by token soup, or soup lines inserted: files that get far
    enough to fail inside questions, not only in the parser."""
    lines = GOOD_FILE.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, PERTURBATIONS))):
        index = draw(st.integers(0, len(lines) - 1))
        fragment = draw(token_soup)
        action = draw(st.sampled_from(["value", "insert", "line"]))
        if action == "value" and ": " in lines[index]:
            lines[index] = lines[index].split(": ", 1)[0] + f": {fragment}\n"
        elif action == "insert":
            lines.insert(index, fragment + "\n")
        else:
            lines[index] = fragment + "\n"
    return "".join(lines)


@PROPERTY_SETTINGS
@given(perturbed_good_files())
def test_perturbed_good_files_load_without_raising(text: str) -> None:
    _assert_well_formed(question_bank.load_text(text, path=PATH, demos=validators()), text)


@PROPERTY_SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_load_without_raising(data: bytes) -> None:
    bank = question_bank.load_text(data, path=PATH)
    _assert_well_formed(bank, data.decode("utf-8", "replace"))


@PROPERTY_SETTINGS
@given(structures)
def test_any_yaml_document_loads_without_raising(document: object) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    _assert_well_formed(question_bank.load_text(text, path=PATH, demos=validators()), text)


@PROPERTY_SETTINGS
@given(st.dictionaries(st.sampled_from(["topic", "title", "questions", "extra"]), structures, max_size=4))
def test_any_header_loads_without_raising(header: dict[str, object]) -> None:
    text = yaml.safe_dump(header, allow_unicode=True)
    _assert_well_formed(question_bank.load_text(text, path=PATH, demos=validators()), text)


@st.composite
def mutated_questions(draw: st.DrawFn) -> dict[str, object]:
    """A valid question with some fields deleted or replaced by anything at all."""
    question = dict(VALID_BASE)
    for field in draw(st.lists(st.sampled_from(FIELDS), unique=True, max_size=4)):
        if draw(st.booleans()):
            question.pop(field, None)
        else:
            question[field] = draw(structures)
    return question


@PROPERTY_SETTINGS
@given(mutated_questions())
def test_a_bad_question_never_hides_a_good_one(mutant: dict[str, object]) -> None:
    text = yaml.safe_dump({"topic": "props", "title": "Properties", "questions": [GOOD, mutant]},
                          allow_unicode=True, sort_keys=False)
    bank = question_bank.load_text(text, path=PATH, demos=validators())
    _assert_well_formed(bank, text)
    assert bank.get("good-question") is not None
    mutant_loaded = any(question is not bank.get("good-question") for question in bank.questions)
    assert mutant_loaded == (not bank.errors)
    # the dump puts each question's "- " at column 0: every problem lies within the mutant's lines
    mutant_line = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("- ")][1]
    assert all(error.line >= mutant_line for error in bank.errors), bank.errors


class _QuotedDumper(yaml.SafeDumper):
    """Dumps every string double-quoted, so that the YAML 1.1 dumper and the 1.2 loader agree it is text."""


_QuotedDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))

words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    lambda text: text.strip() != "")
kebab = st.lists(st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=6), min_size=1,
                 max_size=4).map("-".join)


@st.composite
def valid_questions(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(KINDS))
    question: dict[str, object] = {
        "id": draw(kebab), "kind": kind, "difficulty": draw(st.sampled_from(DIFFICULTIES)),
        "tags": draw(st.lists(words, unique=True, max_size=3)), "prompt": draw(words),
        "explanation": draw(words),
    }
    if kind in ("choice", "multi"):
        choices = draw(st.lists(words, min_size=MIN_CHOICES, max_size=MAX_CHOICES, unique=True))
        question["choices"] = choices
        indexes = st.integers(0, len(choices) - 1)
        question["answer"] = (draw(indexes) if kind == "choice"
                              else draw(st.lists(indexes, min_size=1, unique=True)))
    elif kind == "truefalse":
        question["answer"] = draw(st.booleans())
    elif kind == "numeric":
        question["answer"] = draw(st.floats(allow_nan=False, allow_infinity=False))
        question["tolerance"] = draw(st.floats(0, 1e6))
    else:
        question["answer"] = draw(words)
    if draw(st.booleans()):
        question["misconception"] = draw(words)
    return question


@PROPERTY_SETTINGS
@given(valid_questions())
def test_valid_questions_round_trip_exactly(question: dict[str, object]) -> None:
    text = yaml.dump({"topic": "round-trip", "title": "Round trip", "questions": [question]},
                     Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False)
    bank = question_bank.load_text(text, path=PATH, demos=validators())
    assert bank.errors == ()
    (loaded,) = bank.questions
    assert loaded.id == question["id"]
    assert (loaded.kind, loaded.difficulty) == (question["kind"], question["difficulty"])
    assert loaded.prompt == question["prompt"]
    assert loaded.explanation == question["explanation"]
    assert loaded.tags == tuple(question["tags"])  # type: ignore[arg-type]
    assert loaded.misconception == question.get("misconception")
    assert loaded.choices == tuple(question.get("choices", ()))  # type: ignore[arg-type]
    expected = question["answer"]
    if question["kind"] == "multi":
        assert loaded.answer == tuple(sorted(expected))  # type: ignore[call-overload]
        assert question_bank.check_answer(loaded, set(expected))  # type: ignore[call-overload]
    elif question["kind"] == "numeric":
        assert math.isclose(loaded.answer, expected, rel_tol=0, abs_tol=0)  # type: ignore[arg-type]
        assert question_bank.check_answer(loaded, expected)
    else:
        assert loaded.answer == expected
