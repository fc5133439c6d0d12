"""Errors that reach the user as one line and a non-zero exit code, never as a traceback."""

from __future__ import annotations

#: Exit code for bad input of any kind (bad arguments, bad bank files, unusable data folder), as ruff and mypy do.
EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix. ``str(err)`` is the whole one-line message (``path:line: message`` when a
    file is involved); the CLI prints it to stderr and exits with ``EXIT_USAGE``."""
