"""Validate one composed bank file: nodes in, a ``Topic``, ``Question`` records and ``BankError``s out.

Every problem is collected (not only the first) and reported at the line of the node at fault: the field's
value, or the question's mapping for a missing field. A question with any problem is left out; the others
are kept. Checks that need the whole bank (ids used twice, follow-ups that name no question) are the loader's.
"""

from __future__ import annotations

import bisect
import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from question_bank._compose import Map, Node, Scalar, Seq, last_line, to_data, value_of
from question_bank.errors import BankError
from question_bank.schema import (
    CHOICE_KINDS,
    DEMO_FIELDS,
    DIFFICULTIES,
    KEBAB,
    KINDS,
    MAX_CHOICES,
    MIN_CHOICES,
    QUESTION_FIELDS,
    REQUIRED_QUESTION_FIELDS,
    REQUIRED_TOPIC_FIELDS,
    TOPIC_FIELDS,
    DemoRef,
    Question,
    Topic,
)

Validators = Mapping[str, Callable[[Mapping[str, object]], object]]
#: Demo links already read in one load: (demo name, arguments as written) -> (arguments, the validator's
#: problem or None). Banks repeat the same links (5,840 in the 10,000-question benchmark, a few dozen
#: distinct), and a validator is a pure function of its arguments.
DemoCache = dict[tuple[str, object], tuple[dict[str, object], str | None]]

#: ``difflib`` similarity from which a name counts as a probable typo.
HINT_CUTOFF = 0.6
#: Longest value quoted back in a message.
QUOTE_LIMIT = 40
_MERGE_KEY = "<<"
_KIND_SET = frozenset(KINDS)
_DIFFICULTY_SET = frozenset(DIFFICULTIES)


@dataclass
class Declared:
    """A question with a usable id: where it is, the record if it is valid (else None), and its follow-up
    references (id, line) for the loader to resolve against the whole bank."""

    qid: str
    line: int
    question: Question | None
    follow_ups: list[tuple[str, int]]


@dataclass
class FileResult:
    """What one file gives: its topic (None if unusable), its questions with usable ids, and its errors."""

    path: str
    topic: Topic | None = None
    declared: list[Declared] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)


def hint(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a probable typo of one of ``known``, else ``''``."""
    match = difflib.get_close_matches(name, list(known), n=1, cutoff=HINT_CUTOFF)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _quote(text: str) -> str:
    return repr(text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "...")


def describe(value: object) -> str:
    """A value's YAML type in words, for "must be X, got Y" messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {_quote(value)}"
    return "a list" if isinstance(value, (list, tuple, Seq)) else "a mapping"


class _Question:
    """Checks one question mapping, collecting errors against its id."""

    def __init__(self, path: str, topic: str | None, node: Map, demos: Validators | None,
                 problems: list[tuple[int, str]], *, is_question: bool = True,
                 demo_cache: DemoCache | None = None) -> None:
        self.path = path
        self.topic = topic
        self.node = node
        self.demos = demos
        self.demo_cache: DemoCache = {} if demo_cache is None else demo_cache
        self.errors: list[BankError] = []
        self.qid: str | None = None
        self.follow_ups: list[tuple[str, int]] = []
        id_pair = node.fields.get("id") if is_question else None
        if id_pair is not None and isinstance(id_pair[1], Scalar):
            raw = value_of(id_pair[1])
            if isinstance(raw, str) and raw.strip():
                self.qid = raw
        for line, message in problems:
            self.error(line, message)

    def error(self, line: int, message: str) -> None:
        self.errors.append(BankError(self.path, line, self.qid, message))

    # --- field readers: each returns the value, or None after recording an error ---

    def text(self, name: str, node: Node) -> str | None:
        value = value_of(node)
        if type(value) is str and value and not value.isspace():
            return value
        if value is None or isinstance(value, str):
            self.error(node.line, f"'{name}' is empty")
        else:
            quote = " (quote it)" if isinstance(value, (bool, int, float)) else ""
            self.error(node.line, f"'{name}' must be text, got {describe(value)}{quote}")
        return None

    def texts(self, name: str, node: Node) -> tuple[str, ...] | None:
        """A list of distinct non-empty texts."""
        if not isinstance(node, Seq):
            self.error(node.line, f"'{name}' must be a list of text, got {describe(value_of(node))}")
            return None
        items: list[str] = []
        seen: dict[str, int] = {}
        ok = True
        for item in node.items:
            value = self._item_text(name, item)
            if value is None:
                ok = False
            elif value in seen:
                self.error(item.line, f"'{name}' lists {_quote(value)} twice (first at line {seen[value]})")
                ok = False
            else:
                seen[value] = item.line
                items.append(value)
        return tuple(items) if ok else None

    def _item_text(self, name: str, node: Node) -> str | None:
        value = value_of(node)
        if type(value) is str and value and not value.isspace():
            return value
        what = "an empty item" if value is None or isinstance(value, str) else describe(value)
        self.error(node.line, f"'{name}' items must be non-empty text, got {what}")
        return None

    def choice_of(self, name: str, node: Node, allowed: tuple[str, ...]) -> str | None:
        value = value_of(node)
        if isinstance(value, str) and value in allowed:
            return value
        shown = _quote(value) if isinstance(value, str) else describe(value)
        more = hint(value, allowed) if isinstance(value, str) else ""
        self.error(node.line, f"'{name}' must be one of {', '.join(allowed)}, got {shown}{more}")
        return None

    def check_kind(self, name: str, node: Node) -> str | None:
        value = value_of(node)
        return value if value in _KIND_SET else self.choice_of(name, node, KINDS)

    def check_difficulty(self, name: str, node: Node) -> str | None:
        value = value_of(node)
        return value if value in _DIFFICULTY_SET else self.choice_of(name, node, DIFFICULTIES)

    def number(self, name: str, node: Node) -> float | None:
        value = value_of(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(node.line, f"'{name}' must be a number, got {describe(value)}")
            return None
        if not math.isfinite(value):
            self.error(node.line, f"'{name}' must be a finite number, got {value!r}")
            return None
        return float(value)

    # --- the question ---

    def check(self) -> Question | None:
        node = self.node
        fields = node.fields
        values: dict[str, object] = {}
        for name, (key, value) in fields.items():
            reader = _READERS.get(name)
            if reader is not None:
                values[name] = reader(self, name, value)
            elif name == _MERGE_KEY:
                self.error(key.line, "merge keys ('<<') are not supported: write the fields out")
            elif name not in QUESTION_FIELDS:
                self.error(key.line, f"unknown field {_quote(name)}{hint(name, QUESTION_FIELDS)}")
        for name in REQUIRED_QUESTION_FIELDS:
            if name not in fields:
                self.error(node.line, f"missing required field '{name}'")

        kind = values.get("kind")
        if isinstance(kind, str):
            self.check_kind_fields(kind, values)

        if self.errors or self.topic is None:
            return None
        get = values.get
        return Question(  # positional, in field order: a tenth of the cost of keywords for 10,000 questions
            values["id"], self.topic, kind, values["difficulty"], get("tags", ()), values["prompt"],
            values["answer"], get("choices", ()), get("tolerance", 0.0) if kind == "numeric" else None,
            values["explanation"], get("misconception"), get("demo"), get("follow_ups", ()),
            get("sources", ()), self.path, node.line,
        )  # type: ignore[arg-type]

    def check_id(self, name: str, node: Node) -> str | None:
        value = self.text(name, node)
        if value is None:
            return None
        if not KEBAB.fullmatch(value):
            words = "".join(c if c.isalnum() and c.isascii() else " " for c in value.lower()).split()
            suggestion = "-".join(words)
            more = f" (e.g. '{suggestion}')" if suggestion and KEBAB.fullmatch(suggestion) else ""
            self.error(node.line, f"id {_quote(value)} must be kebab-case: lowercase letters and digits "
                                  f"joined by single hyphens{more}")
            return None
        return value

    def check_follow_ups(self, name: str, node: Node) -> tuple[str, ...] | None:
        """Distinct kebab-case ids other than the question's own; each is recorded (with its line) for the
        loader to look up in the whole bank, even when another item is wrong."""
        if not isinstance(node, Seq):
            self.error(node.line, f"'{name}' must be a list of question ids, got {describe(value_of(node))}")
            return None
        ids: list[str] = []
        seen: dict[str, int] = {}
        for item in node.items:
            value = self._item_text(name, item)
            if value is None:
                continue
            if value in seen:
                self.error(item.line, f"'{name}' lists {_quote(value)} twice (first at line {seen[value]})")
            elif value == self.qid:
                self.error(item.line, "a question cannot be its own follow-up")
            elif not KEBAB.fullmatch(value):
                self.error(item.line, f"follow-up {_quote(value)} is not a question id (ids are kebab-case)")
            else:
                self.follow_ups.append((value, item.line))
                ids.append(value)
            seen.setdefault(value, item.line)
        return tuple(ids) if len(ids) == len(node.items) else None

    def check_demo(self, name: str, node: Node) -> DemoRef | None:
        if not isinstance(node, Map):
            self.error(node.line, f"'demo' must be a mapping with 'name' and optional 'args', "
                                  f"got {describe(value_of(node))}")
            return None
        ok = True
        for key_name, (key, _) in node.fields.items():
            if key_name not in DEMO_FIELDS:
                more = hint(key_name, DEMO_FIELDS)
                self.error(key.line, f"unknown field {_quote(key_name)} in 'demo'{more}")
                ok = False
        pair = node.fields.get("name")
        if pair is None:
            self.error(node.line, "'demo' is missing its 'name'")
            return None
        demo_name = self.text("demo name", pair[1])
        if demo_name is None:
            return None
        args_pair = node.fields.get("args")
        args_line = node.line
        args_node: Node | None = None
        if args_pair is not None:
            args_node = args_pair[1]
            args_line = args_node.line
            if type(args_node) is not Map:
                value = value_of(args_node)
                if value is not None:  # "args:" with nothing after it means no arguments
                    self.error(args_node.line, f"demo 'args' must be a mapping, got {describe(value)}")
                    return None
                args_node = None
        validator = None
        if self.demos is not None:
            validator = self.demos.get(demo_name)
            if validator is None:
                more = hint(demo_name, self.demos) or f" (known demos: {', '.join(sorted(self.demos))})"
                self.error(pair[1].line, f"unknown demo {_quote(demo_name)}{more}")
                return None
        key = (demo_name, None if args_node is None else _node_key(args_node))
        cached = self.demo_cache.get(key)
        if cached is None:
            args: dict[str, object] = {}
            if args_node is not None:
                args = {arg: to_data(item) for arg, (_, item) in args_node.fields.items()}  # type: ignore[union-attr]
            detail = None if validator is None else _demo_problem(validator, demo_name, args)
            cached = self.demo_cache[key] = (args, detail)
        args, detail = cached
        if detail is not None:
            self.error(_argument_line(detail, args_pair[1] if args_pair else None, args_line),
                       f"demo '{demo_name}': {detail}")
            return None
        return DemoRef(demo_name, MappingProxyType(args)) if ok else None

    def check_kind_fields(self, kind: str, values: dict[str, object]) -> None:
        """``choices``, ``tolerance`` and ``answer``, which depend on the kind."""
        fields = self.node.fields
        choices: tuple[str, ...] | None = None
        pair = fields.get("choices")
        if kind in CHOICE_KINDS:
            if pair is None:
                self.error(self.node.line, f"missing required field 'choices' (a {kind} question lists "
                                           f"{MIN_CHOICES} to {MAX_CHOICES})")
            else:
                choices = self.texts("choices", pair[1])
                if choices is not None and not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
                    self.error(pair[1].line, f"'choices' must list {MIN_CHOICES} to {MAX_CHOICES} options, "
                                             f"got {len(choices)}")
                    choices = None
                if choices is not None:
                    values["choices"] = choices
        elif pair is not None:
            self.error(pair[1].line, f"'choices' only applies to choice and multi questions, not {kind}")

        pair = fields.get("tolerance")
        if pair is not None:
            if kind != "numeric":
                self.error(pair[1].line, f"'tolerance' only applies to numeric questions, not {kind}")
            else:
                tolerance = self.number("tolerance", pair[1])
                if tolerance is not None and tolerance < 0:
                    self.error(pair[1].line, f"'tolerance' must be at least 0, got {tolerance!r}")
                elif tolerance is not None:
                    values["tolerance"] = tolerance

        pair = fields.get("answer")
        if pair is not None:
            answer = self.check_answer(kind, pair[1], choices)
            if answer is not None:
                values["answer"] = answer

    def check_answer(self, kind: str, node: Node, choices: tuple[str, ...] | None) -> object:
        value = value_of(node)
        if kind == "recall":
            return self.text("answer", node)
        if kind == "truefalse":
            if isinstance(value, bool):
                return value
            self.error(node.line, f"a truefalse answer must be true or false, got {describe(value)}")
            return None
        if kind == "numeric":
            return self.number("answer", node)
        if kind == "choice":
            return self.index(node, value, choices, "a choice answer is a 0-based index")
        # multi
        if not isinstance(node, Seq) or not node.items:
            got = "an empty list" if isinstance(node, Seq) else describe(value)
            self.error(node.line, f"a multi answer is a non-empty list of 0-based indexes, got {got}")
            return None
        indexes: list[int] = []
        seen: dict[int, int] = {}
        for item in node.items:
            index = self.index(item, value_of(item), choices, "a multi answer lists 0-based indexes")
            if index is None:
                continue
            if index in seen:
                self.error(item.line, f"index {index} is listed twice in the answer "
                                      f"(first at line {seen[index]})")
            else:
                seen[index] = item.line
                indexes.append(index)
        return tuple(sorted(indexes)) if len(indexes) == len(node.items) else None

    def index(self, node: Node, value: object, choices: tuple[str, ...] | None, what: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            more = ""
            if isinstance(value, str) and choices and value in choices:
                more = f" (did you mean {choices.index(value)}?)"
            self.error(node.line, f"{what}, got {describe(value)}{more}")
            return None
        if choices is None:  # missing or invalid choices are reported already: only the sign can be checked
            if value < 0:
                self.error(node.line, f"{what}, got {value}")
                return None
            return value
        if not 0 <= value < len(choices):
            self.error(node.line, f"answer index {value} is out of range: there are {len(choices)} choices "
                                  f"(0 to {len(choices) - 1})")
            return None
        return value


#: Readers of the fields that do not depend on the kind (choices, tolerance and answer are read after it).
_READERS: dict[str, Callable[[_Question, str, Node], object]] = {
    "id": _Question.check_id,
    "kind": _Question.check_kind,
    "difficulty": _Question.check_difficulty,
    "tags": _Question.texts,
    "prompt": _Question.text,
    "explanation": _Question.text,
    "misconception": _Question.text,
    "sources": _Question.texts,
    "follow_ups": _Question.check_follow_ups,
    "demo": _Question.check_demo,
}


def _demo_problem(validator: Callable[[Mapping[str, object]], object], demo_name: str,
                  args: dict[str, object]) -> str | None:
    """What the validator says is wrong with ``args`` (without the demo's name in front), or None."""
    try:
        validator(args)
    except Exception as err:  # noqa: BLE001 - a validator's complaint is a content error, not a crash
        detail = str(err) if isinstance(err, ValueError) else f"{type(err).__name__}: {err}"
        return detail.removeprefix(f"{demo_name}: ")
    return None


def _node_key(node: Node) -> object:
    """A hashable key for demo arguments as written: what decides their value (text, plain or not, tag), not
    their lines; so ``1``, ``1.0``, ``true`` and ``'1'`` differ, and order is kept (a validator reports the
    first bad argument)."""
    if type(node) is Scalar:
        return (node[0], node[2], node[3])
    if type(node) is Seq:
        return (Seq, tuple([_node_key(item) for item in node.items]))
    return (Map, tuple([(name, _node_key(value)) for name, (_, value) in node.fields.items()]))  # type: ignore[union-attr]


def _argument_line(detail: str, args: Node | None, default: int) -> int:
    """The line of the demo argument that a validator's message names ("seq_len must be ...", "'seqlen'")."""
    if isinstance(args, Map):
        for key, (key_node, value) in args.fields.items():
            if detail.startswith(f"{key} ") or f"'{key}'" in detail:
                return value.line if detail.startswith(f"{key} ") else key_node.line
    return default


def _attribute(problems: list[tuple[int, str]], spans: list[tuple[int, int]]) -> tuple[
        list[list[tuple[int, str]]], list[tuple[int, str]]]:
    """Split composer problems between the questions whose lines contain them and the file itself."""
    per_question: list[list[tuple[int, str]]] = [[] for _ in spans]
    rest: list[tuple[int, str]] = []
    starts = [start for start, _ in spans]
    for line, message in problems:
        at = bisect.bisect_right(starts, line) - 1
        if at >= 0 and line <= spans[at][1]:
            per_question[at].append((line, message))
        else:
            rest.append((line, message))
    return per_question, rest


def validate_file(path: str, root: Node, problems: list[tuple[int, str]],
                  demos: Validators | None, demo_cache: DemoCache | None = None) -> FileResult:
    """Check a composed file: its topic header and every question. ``demo_cache`` carries demo validations
    from file to file within one load."""
    if demo_cache is None:
        demo_cache = {}
    result = FileResult(path)

    def error(line: int, message: str) -> None:
        result.errors.append(BankError(path, line, None, message))

    if not isinstance(root, Map):
        error(root.line, f"a bank file is a mapping with 'topic', 'title' and 'questions', "
                         f"got {describe(value_of(root))}")
        for line, message in problems:
            error(line, message)
        return result
    fields = root.fields
    for name, (key, _) in fields.items():
        if name not in TOPIC_FIELDS:
            more = hint(name, TOPIC_FIELDS)
            if not more and name in QUESTION_FIELDS:
                more = " (question fields go in a list under 'questions')"
            error(key.line, f"unknown field {_quote(name)}{more}")
    for name in REQUIRED_TOPIC_FIELDS:
        if name not in fields:
            error(root.line, f"missing required field '{name}'")

    header = _Question(path, None, root, None, [], is_question=False)
    topic_name = title = None
    if "topic" in fields:
        node = fields["topic"][1]
        topic_name = header.text("topic", node)
        if topic_name is not None and not KEBAB.fullmatch(topic_name):
            header.error(node.line, f"topic {_quote(topic_name)} must be kebab-case: lowercase letters and "
                                    f"digits joined by single hyphens")
            topic_name = None
    if "title" in fields:
        title = header.text("title", fields["title"][1])
    result.errors.extend(header.errors)
    if topic_name is not None and title is not None:
        result.topic = Topic(topic_name, title, path, fields["topic"][1].line)

    items: list[Node] = []
    if "questions" in fields:
        questions = fields["questions"][1]
        if isinstance(questions, Seq):
            items = questions.items
        else:
            value = value_of(questions)
            if value is not None:  # "questions:" with nothing after it is an empty topic
                error(questions.line, f"'questions' must be a list of questions, got {describe(value)}")

    spans = [(item.line, last_line(item)) for item in items] if problems else [(0, 0)] * len(items)
    per_question, rest = _attribute(problems, spans)
    for line, message in rest:
        error(line, message)
    usable_topic = result.topic.name if result.topic is not None else None
    seen: set[int] = set()
    for item, item_problems in zip(items, per_question, strict=True):
        if not isinstance(item, Map):
            error(item.line, f"each question must be a mapping of fields, got {describe(value_of(item))}")
            continue
        if id(item) in seen:  # an alias repeating a whole question
            error(item.line, "the same question appears twice (an alias)")
            continue
        seen.add(id(item))
        checker = _Question(path, usable_topic, item, demos, item_problems, demo_cache=demo_cache)
        question = checker.check()
        if checker.qid is not None and KEBAB.fullmatch(checker.qid):
            result.declared.append(Declared(checker.qid, item.line, question, checker.follow_ups))
        result.errors.extend(checker.errors)
    return result
