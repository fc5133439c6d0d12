"""Shared checks for the demo views."""

from __future__ import annotations

import io
import re

from rich.console import Console

from quizzer.demos.registry import REGISTRY

#: A number as the views print it: 12, 0.0054, 1.2e-07.
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def assert_view_shows_key_numbers(name: str, result: object, width: int = 80) -> tuple[str, list[tuple[str, str]]]:
    """Render ``result`` at ``width`` columns and check the view fits and shows every key number.

    Returns the rendered text and the key numbers for further, demo-specific assertions."""
    demo = REGISTRY[name]
    console = Console(file=io.StringIO(), width=width)
    console.print(demo.render(result))
    text = console.file.getvalue()
    pairs = demo.key_numbers(result)
    assert 2 <= len(pairs) <= 6
    for _, value in pairs:
        for number in NUMBER.findall(value):
            assert number in text, f"key number {number} ({value}) is not in the view"
    assert max(len(line) for line in text.splitlines()) <= width
    return text, pairs
