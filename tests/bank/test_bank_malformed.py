"""The malformed corpus: every file under malformed/ reports exactly these ``path:line: id: message`` lines.

Each entry is (line, question id or None, message); ``{path}`` in a message stands for the file's own path.
The questions listed in SURVIVORS are valid and must load in spite of their file's other problems.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bank_support import error_line

import question_bank
from quizzer.demos.registry import validators

MALFORMED = Path(__file__).parent / "malformed"
#: The brief asks for at least this many malformed files.
MIN_CORPUS = 25

GATE_PRESETS = "balanced, remember, forget, write, saturate"
KINDS = "recall, choice, multi, truefalse, numeric"
LEVELS = "easy, medium, hard"
KEBAB = "lowercase letters and digits joined by single hyphens"
DEMOS = ("adding-problem, exploding-gradient, forget-bias, gate-stepper, gru-vs-lstm, masking, overfitting, "
         "param-count, peephole, sequence-trace, vanishing-gradient")
A_BANK_FILE = "a bank file is a mapping with 'topic', 'title' and 'questions'"
PLAIN_DATA = "a bank file holds plain data"

EXPECTED: dict[str, list[tuple[int, str | None, str]]] = {
    "bad-demo-args.yaml": [
        (12, "bad-preset", f"demo 'gate-stepper': preset must be one of {GATE_PRESETS}, got 'sideways'"),
        (22, "misspelt-argument",
         "demo 'adding-problem': unknown parameter 'seqlen' (did you mean 'seq_len'?)"),
        (30, "demo-shape", "unknown field 'nmae' in 'demo' (did you mean 'name'?)"),
        (30, "demo-shape", "'demo' is missing its 'name'"),
    ],
    "bad-kind-and-difficulty.yaml": [
        (5, "bad-kind", f"'kind' must be one of {KINDS}, got 'recal' (did you mean 'recall'?)"),
        (6, "bad-kind", f"'difficulty' must be one of {LEVELS}, got 'meduim' (did you mean 'medium'?)"),
        (11, "no-hint", f"'kind' must be one of {KINDS}, got 'essay'"),
        (12, "no-hint", f"'difficulty' must be one of {LEVELS}, got the number 3"),
    ],
    "billion-laughs.yaml": [(8, None, "aliases expand to more than 100000 nodes")],
    "choice-answer-out-of-range.yaml": [
        (9, "out-of-range", "answer index 3 is out of range: there are 3 choices (0 to 2)"),
        (16, "answer-as-text", "a choice answer is a 0-based index, got the text 'tanh' (did you mean 1?)"),
    ],
    "choice-count.yaml": [
        (8, "one-choice", "'choices' must list 2 to 6 options, got 1"),
        (15, "seven-choices", "'choices' must list 2 to 6 options, got 7"),
        (22, "empty-choice", "'choices' items must be non-empty text, got an empty item"),
    ],
    "control-character.yaml": [(5, None, "invalid YAML: control characters are not allowed")],
    "deep-nesting.yaml": [(3, None, "nesting is deeper than 20 levels")],
    "duplicate-choices.yaml": [(11, "duplicate-choices", "'choices' lists 'forget' twice (first at line 9)")],
    "duplicate-id.yaml": [
        (10, "same-id", "id 'same-id' is already used at {path}:4; ids are unique across the bank"),
    ],
    "duplicate-keys.yaml": [
        (3, None, "duplicate key 'title' (first at line 2)"),
        (10, "duplicate-key", "duplicate key 'prompt' (first at line 8)"),
    ],
    "empty-text.yaml": [
        (7, "empty-text", "'prompt' is empty"),
        (8, "empty-text", "'answer' is empty"),
        (9, "empty-text", "'explanation' is empty"),
        (10, "empty-text", "'misconception' is empty"),
    ],
    "empty.yaml": [(1, None, "file is empty: a bank file declares 'topic', 'title' and 'questions'")],
    "header-problems.yaml": [
        (1, None, "missing required field 'title'"),
        (1, None, f"topic 'Broken_Topic' must be kebab-case: {KEBAB}"),
        (2, None, "unknown field 'titel' (did you mean 'title'?)"),
        (3, None, "unknown field 'id' (question fields go in a list under 'questions')"),
    ],
    "kind-specific-fields.yaml": [
        (10, "tolerance-on-choice", "'tolerance' only applies to numeric questions, not choice"),
        (16, "choices-on-recall", "'choices' only applies to choice and multi questions, not recall"),
        (19, "choice-without-choices", "missing required field 'choices' (a choice question lists 2 to 6)"),
    ],
    "list-fields.yaml": [
        (7, "list-fields", "'tags' lists 'lstm' twice (first at line 7)"),
        (11, "list-fields", "'sources' items must be non-empty text, got an empty item"),
        (12, "list-fields", "'follow_ups' must be a list of question ids, got a mapping"),
    ],
    "merge-and-odd-keys.yaml": [
        (3, None, "unknown field 'defaults'"),
        (7, "merge-key", "merge keys ('<<') are not supported: write the fields out"),
        (7, "merge-key", "missing required field 'kind'"),
        (7, "merge-key", "missing required field 'difficulty'"),
        (15, "list-key", "a mapping key must be text, not a list or mapping"),
    ],
    "missing-answer.yaml": [(4, "no-answer", "missing required field 'answer'")],
    "multi-answer-invalid.yaml": [
        (9, "multi-bad", "index 1 is listed twice in the answer (first at line 9)"),
        (9, "multi-bad", "answer index 7 is out of range: there are 4 choices (0 to 3)"),
        (9, "multi-bad", "answer index -1 is out of range: there are 4 choices (0 to 3)"),
        (9, "multi-bad", "a multi answer lists 0-based indexes, got the text 'first'"),
        (16, "multi-empty", "a multi answer is a non-empty list of 0-based indexes, got an empty list"),
    ],
    "non-kebab-id.yaml": [
        (4, "Forget_Gate role",
         f"id 'Forget_Gate role' must be kebab-case: {KEBAB} (e.g. 'forget-gate-role')"),
        (10, None, "'id' is empty"),
    ],
    "not-utf8.yaml": [(5, None, "file is not UTF-8: byte 0xe9 cannot be decoded; save it as UTF-8")],
    "numeric-answers.yaml": [
        (8, "nan-answer", "'answer' must be a finite number, got nan"),
        (14, "inf-answer", "'answer' must be a finite number, got -inf"),
        (15, "inf-answer", "'tolerance' must be a finite number, got inf"),
        (16, "inf-answer", "'explanation' must be text, got the number 1.0 (quote it)"),
        (21, "text-answer", "'answer' must be a number, got the text '0.5'"),
        (22, "text-answer", "'tolerance' must be at least 0, got -0.1"),
        (28, "bool-answer", "'answer' must be a number, got the boolean true"),
        (29, "bool-answer", "'tolerance' must be a number, got the text 'small'"),
    ],
    "python-tags.yaml": [
        (7, "python-object", f"unsupported tag '!!python/object/apply:os.system': {PLAIN_DATA}"),
        (7, "python-object", "'prompt' must be text, got a list"),
        (8, "python-object", f"unsupported tag '!!python/object:collections.OrderedDict': {PLAIN_DATA}"),
        (8, "python-object", "'answer' must be text, got a mapping"),
        (9, "python-object", f"unsupported tag '!custom': {PLAIN_DATA}"),
        (16, "standard-tags", f"unsupported tag '!!binary': {PLAIN_DATA}"),
        (21, "bad-standard-tag", "!!int '1.5' is not a valid int"),
    ],
    "question-not-mapping.yaml": [
        (4, None, "each question must be a mapping of fields, got the text 'just a string'"),
        (5, None, "each question must be a mapping of fields, got a list"),
    ],
    "questions-not-list.yaml": [(4, None, "'questions' must be a list of questions, got a mapping")],
    "recursive-alias.yaml": [(4, None, "recursive alias '*loop' (a node cannot contain itself)")],
    "syntax-error.yaml": [
        (9, None, ("invalid YAML: did not find expected ',' or ']' "
                  "(while parsing a flow sequence that starts at line 8)")),
    ],
    "top-level-list.yaml": [(1, None, f"{A_BANK_FILE}, got a list")],
    "truefalse-as-text.yaml": [
        (8, "quoted-yes", "a truefalse answer must be true or false, got the text 'yes'"),
        (14, "plain-no", "a truefalse answer must be true or false, got the text 'no'"),
        (20, "number-as-bool", "a truefalse answer must be true or false, got the number 1"),
    ],
    "two-documents.yaml": [(4, None, "a bank file holds one YAML document, found a second '---'")],
    "unknown-alias.yaml": [(3, None, "unknown alias '*nowhere'")],
    "unknown-demo.yaml": [
        (10, "unknown-demo", "unknown demo 'gate-steper' (did you mean 'gate-stepper'?)"),
        (18, "unknown-demo-no-hint", f"unknown demo 'zzz' (known demos: {DEMOS})"),
    ],
    "unknown-field-typo.yaml": [
        (10, "typo-question", "missing required field 'explanation'"),
        (15, "typo-question", "unknown field 'explaination' (did you mean 'explanation'?)"),
    ],
    "unknown-follow-up.yaml": [
        (16, "with-follow-ups", "a question cannot be its own follow-up"),
        (16, "with-follow-ups", "follow-up 'Not_Kebab' is not a question id (ids are kebab-case)"),
        (16, "with-follow-ups", ("follow-up 'good-questoin' is not a question in the bank "
                                "(did you mean 'good-question'?)")),
    ],
    "utf16.yaml": [
        (1, None, "file is not UTF-8 (it starts with a UTF-16 byte order mark); save it as UTF-8"),
    ],
    "wrong-types.yaml": [
        (7, "wrong-types", "'tags' must be a list of text, got the text 'lstm'"),
        (8, "wrong-types", "'prompt' must be text, got a list"),
        (9, "wrong-types", "'answer' must be text, got the number 42 (quote it)"),
        (10, "wrong-types", "'explanation' must be text, got a mapping"),
        (11, "wrong-types", "'sources' items must be non-empty text, got the number 1997"),
    ],
}

#: Valid questions that share a file with broken ones, and must still load.
SURVIVORS: dict[str, list[str]] = {
    "duplicate-id.yaml": ["same-id"],
    "duplicate-keys.yaml": ["good-question"],
    "question-not-mapping.yaml": ["good-question"],
    "unknown-field-typo.yaml": ["good-question"],
    "unknown-follow-up.yaml": ["good-question"],
}


def test_every_corpus_file_has_expectations() -> None:
    names = sorted(path.name for path in MALFORMED.iterdir())
    assert names == sorted(EXPECTED)
    assert len(names) >= MIN_CORPUS


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_reports_exact_lines(name: str) -> None:
    path = MALFORMED / name
    bank = question_bank.load([path], demos=validators(), packaged=False)
    expected = [error_line(path, line, qid, message.replace("{path}", str(path)))
                for line, qid, message in EXPECTED[name]]
    assert [str(error) for error in bank.errors] == expected
    assert [question.id for question in bank.questions] == SURVIVORS.get(name, [])


def test_the_first_of_two_questions_with_one_id_keeps_it() -> None:
    bank = question_bank.load([MALFORMED / "duplicate-id.yaml"], packaged=False)
    question = bank.get("same-id")
    assert question is not None
    assert question.prompt == "First use of the id."


def test_duplicate_key_keeps_the_first_value_and_rejects_the_question() -> None:
    bank = question_bank.load([MALFORMED / "duplicate-keys.yaml"], packaged=False)
    assert bank.get("duplicate-key") is None
    assert bank.topics["broken"].title == "Broken examples"
