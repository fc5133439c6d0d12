"""The question bank: YAML topic files validated into ``Question`` records (see ``question_bank.schema``).

``load`` reads the packaged topics plus user files; it never raises for anything in a file and returns the
valid questions with every problem found. Importing this package does not import YAML (the first load does).
"""

from __future__ import annotations

from question_bank.errors import BankError
from question_bank.loader import load, load_text
from question_bank.schema import DIFFICULTIES, KINDS, Bank, DemoRef, Question, Topic, check_answer

__all__ = ["DIFFICULTIES", "KINDS", "Bank", "BankError", "DemoRef", "Question", "Topic", "check_answer",
           "load", "load_text"]
