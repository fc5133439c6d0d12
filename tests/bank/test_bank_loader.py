"""The loader's behaviour: the records it builds, checks across files, Bank, check_answer, import cost."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest
from bank_support import GOOD_FILE, topic_file, write

import question_bank
from question_bank import DemoRef, Question, check_answer, loader
from quizzer.demos.registry import validators

ONE_QUESTION = """\
- id: {qid}
  kind: truefalse
  difficulty: easy
  prompt: Question {qid}.
  answer: true
  explanation: Because.
"""


def _file(topic: str, *qids: str, title: str | None = None, follow_ups: dict[str, str] | None = None) -> str:
    items = ""
    for qid in qids:
        items += ONE_QUESTION.format(qid=qid)
        if follow_ups and qid in follow_ups:
            items += f"  follow_ups: [{follow_ups[qid]}]\n"
    return topic_file(items, topic=topic, title=title or topic.title())


def test_records_hold_every_field_typed() -> None:
    bank = question_bank.load_text(GOOD_FILE, path="good.yaml", demos=validators())
    assert bank.errors == ()
    ids = ["tf-one", "choice-one", "multi-one", "numeric-one", "recall-one"]
    assert [q.id for q in bank.questions] == ids
    tf, choice, multi, numeric, recall = bank.questions
    assert (tf.answer, tf.tags, tf.tolerance, tf.choices) == (True, ("lstm",), None, ())
    assert (tf.path, tf.line, choice.line) == ("good.yaml", 4, 11)
    assert (choice.answer, choice.choices) == (1, ("input", "forget", "output"))
    assert choice.misconception == "The output gate erases memory."
    assert multi.answer == (0, 2)  # sorted
    assert multi.follow_ups == ("choice-one",)
    assert numeric.answer == 0.5 and numeric.tolerance == 0.001  # "1e-3" is a number (YAML 1.2)
    assert numeric.demo == DemoRef("gate-stepper", {"preset": "remember", "x": 1.5})
    assert numeric.sources == ("Hochreiter and Schmidhuber 1997",)
    assert recall.answer == ("The path through c_t is additive, so\n"
                             "gradients are scaled by f_t, not squashed.\n")
    assert recall.tolerance is None and recall.demo is None and recall.misconception is None
    assert {q.topic for q in bank.questions} == {"test-topic"}
    assert bank.topics["test-topic"].title == "Test topic"


def test_numeric_tolerance_defaults_to_zero_and_integers_become_floats() -> None:
    text = topic_file("""\
        - id: count-gates
          kind: numeric
          difficulty: easy
          prompt: How many gates does an LSTM have?
          answer: 3
          explanation: Input, forget, output.
        """)
    question = question_bank.load_text(text).get("count-gates")
    assert question is not None
    assert question.answer == 3.0 and isinstance(question.answer, float)
    assert question.tolerance == 0.0


def test_text_is_kept_literally() -> None:
    prompt = "What does [bold]h_t[/] hold? Use `c_t` and [red]* markdown *[/red] \\n too."
    text = topic_file(f"""\
        - id: literal
          kind: recall
          difficulty: easy
          prompt: '{prompt}'
          answer: "[link=https://example.com]x[/link] <b>html</b>"
          explanation: |
            Line one: [/]
              indented line two
        """)
    question = question_bank.load_text(text).get("literal")
    assert question is not None
    assert question.prompt == prompt
    assert question.answer == "[link=https://example.com]x[/link] <b>html</b>"
    assert question.explanation == "Line one: [/]\n  indented line two\n"


@pytest.mark.parametrize(("scalar", "value"), [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("Norway", "Norway"),
    ("'true'", "true"), ("2020-01-01", "2020-01-01"), ("1_000", "1_000"), ("0.5.1", "0.5.1"),
])
def test_yaml_12_core_schema_keeps_these_as_text(scalar: str, value: str) -> None:
    text = GOOD_FILE.replace("choices: [input, forget, output]", f"choices: [input, {scalar}, output]")
    question = question_bank.load_text(text).get("choice-one")
    assert question is not None
    assert question.choices[1] == value


@pytest.mark.parametrize(("scalar", "value"), [
    ("1e-3", 0.001), ("0x10", 16.0), ("0o17", 15.0), ("+2", 2.0), ("-.5", -0.5), ("3.", 3.0),
    ("!!float 2", 2.0),
])
def test_yaml_12_core_schema_numbers(scalar: str, value: float) -> None:
    text = GOOD_FILE.replace("answer: 0.5", f"answer: {scalar}")
    question = question_bank.load_text(text).get("numeric-one")
    assert question is not None
    assert question.answer == value


def test_id_used_in_two_files_names_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", _file("alpha", "shared-id", "alpha-only"))
    second = write(tmp_path, "b.yaml", _file("beta", "beta-only", "shared-id"))
    bank = question_bank.load([tmp_path], packaged=False)
    assert [str(e) for e in bank.errors] == [
        (f"{second}:10: shared-id: id 'shared-id' is already used at {first}:4; "
        f"ids are unique across the bank")]
    assert [q.id for q in bank.questions] == ["shared-id", "alpha-only", "beta-only"]
    assert bank.get("shared-id").topic == "alpha"  # type: ignore[union-attr]


def test_an_invalid_question_still_claims_its_id(tmp_path: Path) -> None:
    broken = _file("alpha", "claimed").replace("answer: true", "answer: maybe")
    write(tmp_path, "a.yaml", broken)
    second = write(tmp_path, "b.yaml", _file("beta", "claimed"))
    bank = question_bank.load([tmp_path], packaged=False)
    assert [(e.path, e.line, e.qid) for e in bank.errors] == [(str(tmp_path / "a.yaml"), 8, "claimed"),
                                                             (str(second), 4, "claimed")]
    assert bank.questions == ()


def test_follow_ups_resolve_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", _file("alpha", "first", follow_ups={"first": "second"}))
    write(tmp_path, "b.yaml", _file("beta", "second", follow_ups={"second": "thrid"}))
    bank = question_bank.load([tmp_path], packaged=False)
    assert [str(e) for e in bank.errors] == [
        f"{tmp_path / 'b.yaml'}:10: second: follow-up 'thrid' is not a question in the bank"]
    assert [q.id for q in bank.questions] == ["first"]
    assert bank.get("first").follow_ups == ("second",)  # type: ignore[union-attr]


def test_folder_reads_yaml_and_yml_in_name_order_and_nothing_else(tmp_path: Path) -> None:
    write(tmp_path, "b.yml", _file("bravo", "from-b"))
    write(tmp_path, "a.yaml", _file("alpha", "from-a"))
    write(tmp_path, "c.txt", "not: [a bank")
    write(tmp_path, "d.YAML.bak", "not: [a bank")
    (tmp_path / "sub.yaml").mkdir()
    bank = question_bank.load([tmp_path], packaged=False)
    assert bank.errors == ()
    assert [q.id for q in bank.questions] == ["from-a", "from-b"]
    assert list(bank.topics) == ["alpha", "bravo"]


def test_a_single_path_need_not_be_in_a_list(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", _file("alpha", "single"))
    assert [q.id for q in question_bank.load(str(path), packaged=False).questions] == ["single"]
    assert [q.id for q in question_bank.load(path, packaged=False).questions] == ["single"]


def test_the_same_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", _file("alpha", "only-once"))
    bank = question_bank.load([path, tmp_path, str(path)], packaged=False)
    assert bank.errors == ()
    assert len(bank.questions) == 1


def test_files_may_share_a_topic_with_the_same_title(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", _file("gates", "one"))
    other = write(tmp_path, "b.yaml", _file("gates", "two", title="Other title"))
    write(tmp_path, "c.yaml", _file("gates", "three"))
    bank = question_bank.load([tmp_path], packaged=False)
    assert [q.id for q in bank.questions] == ["one", "two", "three"]
    assert [str(e) for e in bank.errors] == [
        (f"{other}:1: topic 'gates' is titled 'Gates' at {tmp_path / 'a.yaml'}:1; "
        f"files that share a topic share its title")]


def test_packaged_bank_comes_first_and_can_be_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.yaml", _file("mine", "my-own-question"))
    with_packaged = question_bank.load([path])
    without = question_bank.load([path], packaged=False)
    assert [q.id for q in without.questions] == ["my-own-question"]
    assert with_packaged.questions[-1].id == "my-own-question"
    assert len(with_packaged.questions) > len(without.questions)
    assert question_bank.load(packaged=False).questions == ()


def test_without_a_registry_demo_links_are_checked_for_shape_only() -> None:
    text = GOOD_FILE.replace("demo: {name: gate-stepper, args: {preset: remember, x: 1.5}}",
                             "demo: {name: not-registered, args: {anything: [1, 2]}}")
    assert question_bank.load_text(text).get("numeric-one").demo == DemoRef(  # type: ignore[union-attr]
        "not-registered", {"anything": (1, 2)})
    assert [e.message for e in question_bank.load_text(text, demos=validators()).errors] == [
        ("unknown demo 'not-registered' (known demos: adding-problem, exploding-gradient, forget-bias, "
        "gate-stepper, gru-vs-lstm, masking, overfitting, param-count, peephole, sequence-trace, "
        "vanishing-gradient)")]
    shapeless = GOOD_FILE.replace("demo: {name: gate-stepper, args: {preset: remember, x: 1.5}}", "demo: 7")
    assert [e.message for e in question_bank.load_text(shapeless).errors] == [
        "'demo' must be a mapping with 'name' and optional 'args', got the number 7"]


def test_a_validator_that_crashes_is_reported_not_raised() -> None:
    def broken(args: object) -> None:
        raise KeyError("oops")

    bank = question_bank.load_text(GOOD_FILE, demos={"gate-stepper": broken})
    assert [str(e) for e in bank.errors] == ["<text>:34: numeric-one: demo 'gate-stepper': KeyError: 'oops'"]


def test_errors_are_sorted_by_file_then_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", _file("alpha", "dup", "a-two").replace("Question a-two.", "''"))
    write(tmp_path, "b.yaml", _file("beta", "dup").replace("easy", "eazy"))
    bank = question_bank.load([tmp_path], packaged=False)
    where = [(Path(e.path).name, e.line) for e in bank.errors]
    assert where == [("a.yaml", 13), ("b.yaml", 4), ("b.yaml", 6)]


def test_bank_get_and_select() -> None:
    bank = question_bank.load_text(GOOD_FILE)
    assert bank.get("multi-one").kind == "multi"  # type: ignore[union-attr]
    assert bank.get("no-such-id") is None
    assert [q.id for q in bank.select(kinds=["choice", "multi"])] == ["choice-one", "multi-one"]
    assert [q.id for q in bank.select(difficulties={"easy"})] == ["tf-one", "recall-one"]
    assert [q.id for q in bank.select(topics=["test-topic"], difficulties=["medium"], kinds=["numeric"])] == [
        "numeric-one"]
    assert bank.select(topics=[]) == []
    assert len(bank.select()) == len(bank.questions)


def _question(kind: str, answer: object, tolerance: float | None = None) -> Question:
    return Question(id="q", topic="t", kind=kind, difficulty="easy", tags=(), prompt="p", answer=answer,
                    choices=("a", "b", "c"), tolerance=tolerance, explanation="e", misconception=None,
                    demo=None, follow_ups=(), sources=(), path="x.yaml", line=1)


def test_check_answer_per_kind() -> None:
    assert check_answer(_question("choice", 1), 1)
    assert not check_answer(_question("choice", 1), 2)
    assert check_answer(_question("multi", (0, 2)), {2, 0})
    assert check_answer(_question("multi", (0, 2)), [0, 2])
    assert not check_answer(_question("multi", (0, 2)), {0})
    assert not check_answer(_question("multi", (0, 2)), {0, 1, 2})
    assert check_answer(_question("truefalse", False), False)
    assert not check_answer(_question("truefalse", False), True)


def test_check_answer_numeric_tolerance_is_absolute_and_forgives_rounding() -> None:
    question = _question("numeric", 0.3, tolerance=0.1)
    assert check_answer(question, 0.4)  # |0.4 - 0.3| is 0.10000000000000003 in binary
    assert check_answer(question, 0.2)
    assert not check_answer(question, 0.41)
    assert check_answer(_question("numeric", 0.1, tolerance=0.0), 0.1)
    assert not check_answer(_question("numeric", 0.1, tolerance=0.0), 0.1001)
    assert check_answer(_question("numeric", 2.0, tolerance=0.0), 2)
    assert not check_answer(question, math.nan)
    assert not check_answer(question, math.inf)


@pytest.mark.parametrize(("kind", "answer", "response"), [
    ("choice", 1, "1"), ("choice", 1, True), ("choice", 1, 1.0), ("multi", (0,), "0"), ("multi", (0,), 0),
    ("multi", (0,), ["0"]), ("truefalse", True, 1), ("truefalse", True, "true"), ("numeric", 1.0, "1"),
    ("numeric", 1.0, True),
])
def test_check_answer_rejects_responses_of_the_wrong_type(kind: str, answer: object,
                                                          response: object) -> None:
    with pytest.raises(TypeError):
        check_answer(_question(kind, answer), response)


def test_recall_is_graded_by_the_learner() -> None:
    with pytest.raises(ValueError, match="graded by the learner"):
        check_answer(_question("recall", "text"), "text")


def test_importing_question_bank_does_not_import_yaml() -> None:
    code = ("import sys, question_bank; "
            "print('yaml' in sys.modules, 'rich' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_only_the_first_broken_follow_ups_get_hints() -> None:
    count = loader.MAX_FOLLOW_UP_HINTS + 3
    items = "".join(ONE_QUESTION.format(qid=f"q-{n}") + f"  follow_ups: [qq-{n}]\n" for n in range(count))
    bank = question_bank.load_text(topic_file(items))
    hinted = [error.message.endswith(f"(did you mean 'q-{n}'?)") for n, error in enumerate(bank.errors)]
    assert hinted == [True] * loader.MAX_FOLLOW_UP_HINTS + [False] * 3
