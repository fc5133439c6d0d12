"""Subcommands of the ``quizzer`` CLI, one module each (see ``quizzer.cli``)."""
