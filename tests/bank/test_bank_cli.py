"""`quizzer bank validate|list|flagged`: exit codes, one error per stderr line, summary, literal listings."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bank_support import GOOD_FILE, topic_file, write

import question_bank
from question_bank import loader
from quizzer.cli import main
from quizzer.commands import bank as bank_command
from quizzer.commands import review
from quizzer.demos.registry import validators

MARKUP_PROMPT = "Is [bold]this[/] bold, [red]red[/red] or [link=x]linked[/link]? \\[escaped]"
MARKUP_FILE = topic_file(f"""\
    - id: markup-prompt
      kind: truefalse
      difficulty: hard
      prompt: '{MARKUP_PROMPT}'
      answer: false
      explanation: "[/] Markup is shown as written."
    """, topic="markup")
BROKEN_FILE = GOOD_FILE.replace("answer: 1\n", "answer: 7\n").replace("hard", "harder")
#: Terminal widths: one that fits every test prompt, and one that cuts them (the fixed columns take 48).
WIDE = 200
NARROW = 72


@pytest.fixture(autouse=True)
def _only_our_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs see no packaged bank, so that these tests do not depend on the content engineers."""
    monkeypatch.setattr(loader, "PACKAGED_DIR", tmp_path_factory.mktemp("no-packaged-bank"))


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_validate_a_good_bank_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", GOOD_FILE)
    assert main(["bank", "validate", str(good)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = _lines(out)
    assert lines[0] == "5 questions in 1 topic: no problems"
    assert "topic questions easy medium hard" in lines
    assert "test-topic 5 2 2 1" in lines  # per topic, by difficulty
    assert "kind questions easy medium hard" in lines
    for row in ("recall 1 1 0 0", "choice 1 0 1 0", "multi 1 0 0 1", "truefalse 1 1 0 0", "numeric 1 0 1 0"):
        assert row in lines
    assert lines.count("total 5 2 2 1") == 2


def test_validate_prints_each_error_on_one_line_and_exits_2(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path, "broken.yaml", BROKEN_FILE)
    missing = tmp_path / "missing.yaml"
    assert main(["bank", "validate", str(broken), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{broken}:16: choice-one: answer index 7 is out of range: there are 3 choices (0 to 2)",
        (f"{broken}:21: multi-one: 'difficulty' must be one of easy, medium, hard, got 'harder' "
        f"(did you mean 'hard'?)"),
        f"{missing}:1: no such file or folder",
        "quizzer: 3 problems in 2 files",
    ]


def test_validate_includes_bank_option_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from_env = write(tmp_path, "env.yaml", topic_file("- not a mapping\n", topic="env"))
    from_option = write(tmp_path, "option.yaml", topic_file("- also not\n", topic="option"))
    monkeypatch.setenv("QUIZZER_BANK_PATH", f"{tmp_path / 'nothing-here'}{os.pathsep}{from_env}")
    assert main(["--bank", str(from_option), "bank", "validate"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{tmp_path / 'nothing-here'}:1: no such file or folder",
        f"{from_env}:4: each question must be a mapping of fields, got the text 'not a mapping'",
        f"{from_option}:4: each question must be a mapping of fields, got the text 'also not'",
        "quizzer: 3 problems in 3 files",
    ]


def test_validate_checks_demo_links_against_the_registry(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, "demo.yaml", GOOD_FILE.replace("x: 1.5", "x: 2e6"))
    assert main(["bank", "validate", str(bad)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{bad}:34: numeric-one: demo 'gate-stepper': "
        f"x must be a number in [-1000000, 1000000], got 2000000.0")


def test_list_shows_markup_literally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDE))
    path = write(tmp_path, "markup.yaml", MARKUP_FILE)
    assert main(["bank", "list", "--bank", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "id             topic   kind       difficulty  prompt",
        f"markup-prompt  markup  truefalse  hard        {MARKUP_PROMPT}",
        "1 question",
    ]


def test_list_filters_by_topic_kind_and_difficulty(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", GOOD_FILE)
    markup = write(tmp_path, "markup.yaml", MARKUP_FILE)
    args = ["--bank", str(good), "--bank", str(markup), "bank", "list"]

    def listed(*filters: str) -> list[str]:
        assert main([*args, *filters]) == 0
        return [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:-1]]

    assert listed() == ["tf-one", "choice-one", "multi-one", "numeric-one", "recall-one", "markup-prompt"]
    assert listed("--topic", "markup") == ["markup-prompt"]
    assert listed("--kind", "choice", "--kind", "multi") == ["choice-one", "multi-one"]
    assert listed("--difficulty", "hard") == ["multi-one", "markup-prompt"]
    assert listed("--topic", "test-topic", "--difficulty", "easy", "--kind", "recall") == ["recall-one"]
    assert main([*args, "--kind", "numeric", "--difficulty", "hard"]) == 0
    assert capsys.readouterr().out == "No questions match.\n"


def test_list_cuts_long_prompts_to_the_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    long_prompt = "word " * 100
    text = GOOD_FILE.replace("prompt: Which are LSTM gates?", f"prompt: {long_prompt}")
    monkeypatch.setenv("COLUMNS", str(NARROW))
    assert main(["bank", "list", "--bank", str(write(tmp_path, "long.yaml", text))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= NARROW for line in lines)
    multi = next(line for line in lines if line.startswith("multi-one"))
    assert multi.endswith("…") and len(multi) == NARROW
    assert multi.split("hard", 1)[1].strip().startswith("word word")


def test_list_unknown_topic_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", GOOD_FILE)
    assert main(["bank", "list", "--bank", str(good), "--topic", "test-topc"]) == 2
    assert capsys.readouterr().err == "quizzer: unknown topic 'test-topc' (did you mean 'test-topic'?)\n"


def test_list_warns_about_problems_and_lists_the_valid_questions(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    broken = write(tmp_path, "broken.yaml", BROKEN_FILE)
    assert main(["bank", "list", "--bank", str(broken)]) == 0
    out, err = capsys.readouterr()
    assert [line.split()[0] for line in out.splitlines()[1:-1]] == ["tf-one", "numeric-one", "recall-one"]
    assert err == ("quizzer: the bank has 2 problems; questions with problems are not listed "
                   "(see 'quizzer bank validate')\n")


@pytest.mark.parametrize("argv", [["bank"], ["bank", "list", "--kind", "essay"], ["bank", "nonsense"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err


def test_flagged_delegates_to_review(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[argparse.Namespace] = []

    def fake(args: argparse.Namespace) -> int:
        calls.append(args)
        return 0

    monkeypatch.setattr(review, "list_flagged", fake)
    assert main(["--data-dir", "/somewhere", "bank", "flagged"]) == 0
    assert len(calls) == 1
    assert calls[0].data_dir == "/somewhere"


def test_flagged_without_review_support_is_a_clean_error(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delattr(review, "list_flagged", raising=False)
    assert main(["bank", "flagged"]) == 2
    assert capsys.readouterr().err.startswith("quizzer: 'quizzer bank flagged' is not available yet")


def test_load_bank_uses_the_registry_and_the_bank_paths(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "good.yaml", GOOD_FILE)
    monkeypatch.setenv("QUIZZER_BANK_PATH", str(path))
    bank = bank_command.load_bank(argparse.Namespace(bank=None))
    assert len(bank.questions) == 5
    assert bank.errors == question_bank.load([path], demos=validators()).errors == ()


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": str(WIDE)}
    return subprocess.run([sys.executable, "-m", "quizzer", *argv], capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def test_subprocess_list_prints_markup_literally(tmp_path: Path) -> None:
    path = write(tmp_path, "markup.yaml", MARKUP_FILE)
    result = _run("bank", "list", "--bank", str(path), "--topic", "markup")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith("markup-prompt"))
    assert row.endswith(MARKUP_PROMPT)


def test_subprocess_validate_garbage_is_errors_not_a_traceback(tmp_path: Path) -> None:
    garbage = write(tmp_path, "garbage.yaml", bytes(range(256)) * 4)
    result = _run("bank", "validate", str(garbage), str(tmp_path / "absent"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    ours = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    # byte 0x0a is a line break, so 0x80 sits on line 2
    assert ours == [f"{garbage}:2: file is not UTF-8: byte 0x80 cannot be decoded; save it as UTF-8",
                    f"{tmp_path / 'absent'}:1: no such file or folder"]
    assert re.fullmatch(r"quizzer: \d+ problems? in \d+ files?", result.stderr.splitlines()[-1])
