"""Safe, bounded YAML composition: UTF-8 bytes -> one tree of nodes that remember their lines.

PyYAML's own composers are bypassed on purpose; this module reads libyaml's *events* and builds the tree:

- **Bounded.** ``yaml.compose`` with the C loader recurses in C once per nesting level and crashes the
  process (SIGSEGV) near 100,000 levels, and libyaml's scanner is quadratic in the flow depth (0.3 s at
  10,000 levels). Events arrive lazily, so stopping at ``MAX_DEPTH`` keeps any input cheap. Aliases are
  references to one node, and the total they would expand to is counted as they appear: a "billion laughs"
  file stops after ``MAX_ALIAS_NODES`` nodes, long before anything is copied.
- **Strict.** A duplicate mapping key (PyYAML silently keeps the last), a non-text key and any tag outside the
  plain data types are recorded as problems at their line; nothing ever builds a Python object from a tag.
- **Literal.** Untagged plain scalars are resolved by the YAML 1.2 core schema (``resolve``), so ``yes``,
  ``no``, ``on`` and ``off`` stay text and ``1e-3`` is a number; quoted and block scalars are always text.
- **Fast.** The C composer spends most of its time in Python's cyclic garbage collector and in the 1.1
  resolver; here scalars are resolved only when a field asks, and the loader pauses the collector
  (``collector_paused``) while the acyclic tree lives.

Lines are 1-based. ``compose`` raises ``YamlProblem`` for a file that cannot be read as one YAML document
at all; problems that leave the tree usable come back as a list of ``(line, message)``.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

#: Deepest nesting accepted. The bank's schema needs 6 levels (file, questions, question, demo, args, a list).
MAX_DEPTH = 20
#: Most nodes that aliases may add to a document by repetition (a "billion laughs" file needs ~10**9).
MAX_ALIAS_NODES = 100_000

_STANDARD = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, SEQ, MAP = (_STANDARD + name for name in ("str", "int", "float", "bool", "null",
                                                                      "seq", "map"))
#: The non-specific tag ``!``: text for a scalar, the plain collection otherwise.
_NON_SPECIFIC = "!"

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_WORDS: dict[str, object] = {"": None, "~": None, "null": None, "Null": None, "NULL": None,
                             "true": True, "True": True, "TRUE": True,
                             "false": False, "False": False, "FALSE": False,
                             ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
                             "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
                             "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
                             ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
#: First characters of the plain scalars that may be numbers (the others are text unless in ``_WORDS``).
_NUMERIC_START = frozenset("0123456789+-.")
#: First characters of the words in ``_WORDS`` that do not start like numbers.
_WORD_START = frozenset("~nNtTfF")


class YamlProblem(Exception):
    """The file is not one usable YAML document; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Scalar(tuple):
    """``(value, line, plain, tag)``: a tuple, because the composer makes one per scalar and a tuple costs no
    Python-level ``__init__``. ``plain`` marks an untagged plain scalar (resolved by the core schema);
    otherwise ``tag`` (None, ``!`` or ``!!str`` for text) decides."""

    __slots__ = ()
    value: str = property(itemgetter(0))  # type: ignore[assignment]
    line: int = property(itemgetter(1))  # type: ignore[assignment]
    plain: bool = property(itemgetter(2))  # type: ignore[assignment]
    tag: str | None = property(itemgetter(3))  # type: ignore[assignment]


class Seq:
    __slots__ = ("items", "line")

    def __init__(self, line: int, items: list[Node]) -> None:
        self.line = line
        self.items = items


class Map:
    __slots__ = ("fields", "line")

    def __init__(self, line: int, fields: dict[str, tuple[Scalar, Node]]) -> None:
        self.line = line
        #: key text -> (key node, value node); a duplicate key keeps the first and is reported.
        self.fields = fields


Node = Scalar | Seq | Map


def last_line(node: Node) -> int:
    """The last line on which any part of ``node`` starts (bounded by the depth and alias limits)."""
    if type(node) is Scalar:
        return node.line
    children = node.items if type(node) is Seq else [n for pair in node.fields.values() for n in pair]
    return max([node.line, *(last_line(child) for child in children)])


def show_tag(tag: str) -> str:
    """A tag as its author wrote it: ``!!python/object`` rather than ``tag:yaml.org,2002:python/object``."""
    return "!!" + tag[len(_STANDARD):] if tag.startswith(_STANDARD) else tag


def _core(value: str) -> object:
    """An untagged plain scalar under the YAML 1.2 core schema."""
    if value in _WORDS:
        return _WORDS[value]
    if value[0] not in _NUMERIC_START:
        return value
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    if _OCT.fullmatch(value):
        return int(value, 0)
    if _HEX.fullmatch(value):
        return int(value, 0)
    return value


#: What each explicit standard scalar tag accepts (after core-schema resolution of the text).
_TAG_TYPES: dict[str, type | tuple[type, ...]] = {INT: int, FLOAT: (int, float), BOOL: bool, NULL: type(None)}


def tag_problem(tag: str, text: str) -> str | None:
    """What is wrong with an explicitly tagged scalar (unsupported tag, text that does not fit), or None."""
    if tag == STR or tag == _NON_SPECIFIC:
        return None
    expected = _TAG_TYPES.get(tag)
    if expected is None:
        return f"unsupported tag '{show_tag(tag)}': a bank file holds plain data"
    value = _core(text)
    if isinstance(value, bool) and tag != BOOL or not isinstance(value, expected):
        return f"{show_tag(tag)} {text!r} is not a valid {show_tag(tag)[2:]}"
    return None


def resolve(node: Scalar) -> object:
    """The scalar's value: text, int, float, bool or None.

    Untagged plain scalars follow the core schema; quoted and block scalars, ``!!str`` and ``!`` are text. A
    standard tag converts (``!!float 1`` is 1.0); a tag that does not fit, or an unsupported one, was reported
    while composing, and the value is then what the text would be without it."""
    if node.plain:
        return _core(node.value)
    tag = node.tag
    if tag is None or tag == STR or tag == _NON_SPECIFIC:
        return node.value
    if tag not in _TAG_TYPES:
        return node.value
    value = _core(node.value)
    return float(value) if tag == FLOAT and isinstance(value, int) and not isinstance(value, bool) else value


def value_of(node: Node) -> object:
    """A scalar's value (see ``resolve``), or the node itself for a collection. The hot path of validation:
    plain text returns at once."""
    if type(node) is Scalar:
        if node[2]:  # plain: read by index, the hot path of every check
            value = node[0]
            if not value:
                return None
            first = value[0]
            if first not in _NUMERIC_START:
                return _WORDS.get(value, value) if first in _WORD_START else value
            return _core(value)
        return resolve(node)
    return node


def to_data(node: Node) -> object:
    """Plain Python data (text, numbers, bools, None, tuples for lists, dicts) from a node.

    Bounded by the composer's alias budget: the tree holds at most ``MAX_ALIAS_NODES`` nodes more than the
    file."""
    if isinstance(node, Scalar):
        return resolve(node)
    if isinstance(node, Seq):
        return tuple(to_data(item) for item in node.items)
    assert isinstance(node, Map)
    return {key: to_data(value) for key, (_, value) in node.fields.items()}


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, which would rescan the growing tree hundreds of times (making
    a load three times slower). The tree holds no cycles: reference counting frees it when the caller drops
    it, so drop it before this block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, max(0, offset)) + 1


def compose(data: bytes) -> tuple[Node, list[tuple[int, str]]]:
    """Compose one YAML document from UTF-8 ``data``.

    Returns the root node and the problems that leave it usable (duplicate keys, bad tags, non-text keys).
    Raises ``YamlProblem`` for anything else: a syntax error, no document or several, too deep, an unknown or
    recursive alias, or aliases that would expand beyond ``MAX_ALIAS_NODES``."""
    import yaml
    from yaml import events

    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    parser = loader_class(data)
    try:
        return _build(parser, events)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = err.problem or err.context or "cannot parse"
        if err.context and err.problem:
            start = err.context_mark
            where = f" that starts at line {start.line + 1}" if start is not None else ""
            detail += f" ({err.context}{where})"
        raise YamlProblem(line, f"invalid YAML: {detail}") from None
    except yaml.reader.ReaderError as err:
        raise YamlProblem(_line_of_offset(data, err.position), f"invalid YAML: {err.reason}") from None
    except yaml.YAMLError as err:  # any other libyaml complaint: still one line, never a traceback
        raise YamlProblem(1, f"invalid YAML: {err}".replace("\n", " ")) from None
    finally:
        parser.dispose()


def _build(parser, events) -> tuple[Node, list[tuple[int, str]]]:
    ScalarEvent, AliasEvent = events.ScalarEvent, events.AliasEvent
    MappingStartEvent, SequenceStartEvent = events.MappingStartEvent, events.SequenceStartEvent
    CollectionEndEvent, DocumentStartEvent = events.CollectionEndEvent, events.DocumentStartEvent
    StreamEndEvent = events.StreamEndEvent
    new_scalar = tuple.__new__

    problems: list[tuple[int, str]] = []
    anchors: dict[str, Node | None] = {}  # None while the anchored collection is still open
    sizes: dict[int, int] = {}  # id(anchored node) -> its size with aliases expanded
    alias_nodes = 0
    documents = 0
    #: Open collections: (is_map, line, anchor, children); a mapping's children alternate key, value.
    stack: list[tuple[bool, int, str | None, list[Node]]] = []
    top: list[Node] = []  # children of the innermost open collection (the document's root at first)
    root_holder = top

    get_event = parser.get_event
    while True:
        event = get_event()
        kind = type(event)
        if kind is ScalarEvent:
            tag = event.tag
            line = event.start_mark.line + 1
            if tag is None:
                node: Node = new_scalar(Scalar, (event.value, line, event.implicit[0], None))
            else:
                problem = tag_problem(tag, event.value)
                if problem is not None:
                    problems.append((line, problem))
                node = new_scalar(Scalar, (event.value, line, False, tag))
            if event.anchor is not None:
                anchors[event.anchor] = node
                sizes[id(node)] = 1
            top.append(node)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            line = event.start_mark.line + 1
            if len(stack) >= MAX_DEPTH:
                raise YamlProblem(line, f"nesting is deeper than {MAX_DEPTH} levels")
            is_map = kind is MappingStartEvent
            tag = event.tag
            if tag is not None and tag != _NON_SPECIFIC and tag != (MAP if is_map else SEQ):
                problems.append((line, f"unsupported tag '{show_tag(tag)}': a bank file holds plain data"))
            if event.anchor is not None:
                anchors[event.anchor] = None
            top = []
            stack.append((is_map, line, event.anchor, top))
        elif isinstance(event, CollectionEndEvent):
            is_map, line, anchor, children = stack.pop()
            node = _mapping(line, children, problems) if is_map else Seq(line, children)
            if anchor is not None:
                anchors[anchor] = node
                sizes[id(node)] = _size(node, sizes)
            top = stack[-1][3] if stack else root_holder
            top.append(node)
        elif kind is AliasEvent:
            line = event.start_mark.line + 1
            if event.anchor not in anchors:
                raise YamlProblem(line, f"unknown alias '*{event.anchor}'")
            target = anchors[event.anchor]
            if target is None:
                raise YamlProblem(line, f"recursive alias '*{event.anchor}' (a node cannot contain itself)")
            alias_nodes += sizes[id(target)]
            if alias_nodes > MAX_ALIAS_NODES:
                raise YamlProblem(line, f"aliases expand to more than {MAX_ALIAS_NODES} nodes")
            top.append(target)
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(event.start_mark.line + 1,
                                  "a bank file holds one YAML document, found a second '---'")
        elif kind is StreamEndEvent:
            break
        # stream start and document end carry nothing

    if not root_holder:
        raise YamlProblem(1, "the file holds no YAML document")
    return root_holder[0], problems


def _mapping(line: int, children: list[Node], problems: list[tuple[int, str]]) -> Map:
    """A mapping from its alternating keys and values: text keys only, the first of duplicates kept."""
    fields: dict[str, tuple[Scalar, Node]] = {}
    for index in range(0, len(children) - 1, 2):
        key = children[index]
        if type(key) is not Scalar:
            problems.append((key.line, "a mapping key must be text, not a list or mapping"))
            continue
        name = key[0]
        if name in fields:
            problems.append((key.line, f"duplicate key '{name}' (first at line {fields[name][0].line})"))
        else:
            fields[name] = (key, children[index + 1])
    return Map(line, fields)


def _size(node: Seq | Map, sizes: dict[int, int]) -> int:
    """Nodes in ``node`` with aliases expanded (children that are anchored use their recorded size)."""
    children = node.items if type(node) is Seq else [v for pair in node.fields.values() for v in pair]
    total = 1
    for child in children:
        known = sizes.get(id(child))
        if known is not None:
            total += known
        elif type(child) is Scalar:
            total += 1
        else:
            total += _size(child, sizes)
    return total
