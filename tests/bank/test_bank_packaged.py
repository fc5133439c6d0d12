"""The packaged bank is the real gate: every question validates against the real demo registry, and every
numeric answer is recomputed by one of the content engineers' ``test_numeric_*.py`` modules."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import question_bank
from question_bank.loader import PACKAGED_DIR, packaged_files
from quizzer.demos.registry import validators

HERE = Path(__file__).parent
#: The glob the content engineers' recomputation modules match.
NUMERIC_MODULES = "test_numeric_*.py"
#: The file names that pyproject.toml's package-data ships (``topics/*.yaml``): a .yml file would be lost.
SHIPPED_SUFFIX = ".yaml"


@pytest.fixture(scope="module")
def packaged() -> question_bank.Bank:
    return question_bank.load(demos=validators())


def test_every_packaged_question_validates(packaged: question_bank.Bank) -> None:
    assert [str(error) for error in packaged.errors] == []
    assert packaged.questions, f"no questions in {PACKAGED_DIR}"


def test_each_packaged_file_is_one_shipped_topic_named_like_its_file() -> None:
    for path in packaged_files():
        assert path.suffix == SHIPPED_SUFFIX, f"{path} would not be packaged"
        bank = question_bank.load([path], packaged=False)
        assert list(bank.topics) == [path.stem], f"{path} declares {list(bank.topics)}"


def test_every_packaged_topic_has_questions(packaged: question_bank.Bank) -> None:
    empty = [name for name in packaged.topics if not packaged.select(topics=[name])]
    assert empty == []


def test_packaged_follow_ups_and_demo_links_resolve(packaged: question_bank.Bank) -> None:
    registry = validators()
    for question in packaged.questions:
        for target in question.follow_ups:
            assert packaged.get(target) is not None, f"{question.id} -> {target}"
        if question.demo is not None:
            registry[question.demo.name](question.demo.args)


def _import_by_path(path: Path) -> ModuleType:
    """Import a content engineer's module under a private name (pytest imports it under its own)."""
    spec = importlib.util.spec_from_file_location(f"_bank_coverage_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_numeric_question_has_exactly_one_recomputation(packaged: question_bank.Bank) -> None:
    recompute: dict[str, Callable[[], float]] = {}
    owners: dict[str, str] = {}
    modules = sorted(HERE.glob(NUMERIC_MODULES))
    assert modules, f"no {NUMERIC_MODULES} modules in {HERE}"
    for path in modules:
        table = getattr(_import_by_path(path), "RECOMPUTE", None)
        assert isinstance(table, dict), f"{path.name} defines no RECOMPUTE dict"
        for qid, function in table.items():
            assert callable(function), f"{path.name}: RECOMPUTE[{qid!r}] is not callable"
            assert qid not in owners, f"{qid} is recomputed in both {owners.get(qid)} and {path.name}"
            owners[qid] = path.name
            recompute[qid] = function
    numeric = {question.id for question in packaged.select(kinds=["numeric"])}
    assert sorted(numeric - recompute.keys()) == [], "numeric questions without a recomputation"
    assert sorted(recompute.keys() - numeric) == [], "recomputations of ids that are not numeric questions"
