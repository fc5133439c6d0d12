"""``quizzer demo``: list the live demos, or run one and print its view.

    quizzer demo list
    quizzer demo NAME [--set key=value ...] [--seed N]
    quizzer demo NAME --help          # that demo's parameters, defaults and ranges

Arguments go through the same specs as the engine and the bank (``lstm_engine.demos.params``); a bad one is a
one-line ``UserError``. Trainings show a progress bar on stderr; Ctrl-C stops them at the next step and prints the
partial result (a second Ctrl-C aborts).
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
from typing import Any

from quizzer.errors import UserError

#: ``key=value`` of ``--set``.
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$", re.DOTALL)
#: A number as typed on a command line (int or float, with exponent).
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def add_parser(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "demo",
        parents=parents,
        add_help=False,
        help="list the live demos or run one",
        description="Run a live demo computed by the NumPy engine, or list them all.",
        epilog="'quizzer demo NAME --help' lists that demo's parameters.",
    )
    parser.add_argument("name", nargs="?", metavar="NAME", help="a demo name, or 'list' (the default)")
    parser.add_argument(
        "--set",
        dest="assignments",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a demo parameter (repeatable); lists are comma-separated: --set lengths=6,4,2",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (same as --set seed=N)")
    parser.add_argument(
        "-h", "--help", action="store_true", help="show this help (with NAME: its parameters)"
    )
    parser.set_defaults(handler=lambda args: _run(args, parser))


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from quizzer.demos import registry

    if args.name in (None, "list"):
        if args.help:
            parser.print_help()
            return 0
        _console().print(_list_table(registry))
        return 0
    demo = registry.get(args.name)
    if args.help:  # the specs are enough: help works even before a demo's module exists
        _console().print(_demo_help(demo))
        return 0
    _check_built(demo)
    values = _arguments(demo, args.assignments, args.seed)
    if demo.training:
        result = _train(demo, values)
    else:
        try:
            result = demo.run(values)
        except ValueError as err:  # argument combinations the specs cannot express (proj_size >= hidden_size)
            raise UserError(str(err)) from None
    _console().print(demo.render(result))
    return 0


def _check_built(demo: Any) -> None:
    """A demo listed in the registry whose engine module does not exist yet is a user-facing error, not a
    traceback (other import failures still raise)."""
    import importlib.util

    module = f"lstm_engine.demos.{demo.module}"
    if importlib.util.find_spec(module) is None:
        raise UserError(f"demo '{demo.name}' is not available in this build")


def _arguments(demo: Any, assignments: list[str], seed: int | None) -> dict[str, object]:
    """``--set`` pairs and ``--seed`` as checked, typed demo arguments (UserError otherwise)."""
    raw: dict[str, object] = {}
    for text in assignments:
        match = _ASSIGNMENT.match(text)
        if not match:
            raise UserError(f"--set expects KEY=VALUE, got '{text}'")
        raw[match.group(1)] = match.group(2).strip()
    if seed is not None:
        if "seed" not in demo.params.names:
            raise UserError(f"{demo.name} has no seed parameter (its results do not depend on one)")
        raw["seed"] = seed
    typed: dict[str, object] = {}
    for key, value in raw.items():
        kind = demo.params[key].kind if key in demo.params.names else None
        if kind in ("int", "float") and isinstance(value, str) and _NUMBER.match(value):
            # so that errors read "got 500" rather than "got '500'"
            number = float(value)
            value = (
                int(number)
                if number.is_integer() and "." not in value and "e" not in value.lower()
                else number
            )
        typed[key] = value
    try:
        return demo.validate(typed)
    except ValueError as err:
        raise UserError(str(err)) from None


def _train(demo: Any, values: dict[str, object]) -> Any:
    """Run a training with a progress bar on stderr; the first Ctrl-C asks it to stop at the next step."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    stop = {"requested": False}
    previous = signal.getsignal(signal.SIGINT)

    def request_stop(signum: int, frame: object) -> None:
        stop["requested"] = True
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C aborts for real

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[metrics]}"),
    )
    with Progress(*columns, console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task(demo.title, total=None, metrics="")

        def on_step(done: int, total: int, metrics: dict[str, float]) -> bool:
            shown = "  ".join(f"{key}={value:.4g}" for key, value in metrics.items())
            progress.update(task, completed=done, total=total, metrics=shown)
            return stop["requested"]

        handler_installed = _install(request_stop)
        try:
            result = demo.run(values, on_step=on_step)
        except ValueError as err:
            raise UserError(str(err)) from None
        finally:
            if handler_installed:
                signal.signal(signal.SIGINT, previous)
    if getattr(result, "cancelled", False):
        done = progress.tasks[0].completed
        total = progress.tasks[0].total
        of = f" of {int(total)}" if total else ""
        print(f"quizzer: cancelled after {int(done)}{of} steps; showing the partial result", file=sys.stderr)
    return result


def _install(handler: Any) -> bool:
    """Install a SIGINT handler if this is the main thread (signals cannot be caught elsewhere)."""
    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:
        return False
    return True


def _param_line(param: Any) -> str:
    default = param.default
    if isinstance(default, tuple):
        default = ",".join(str(v) for v in default)
    elif isinstance(default, bool):
        default = str(default).lower()
    elif default is None:
        default = "(preset)"
    return f"{param.name}={default}"


def _list_table(registry: Any) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title="Live demos: quizzer demo NAME [--set key=value ...]", title_justify="left", show_lines=True
    )
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("what it shows", ratio=3)
    table.add_column("parameters (default, allowed)", ratio=2)
    for demo in registry.REGISTRY.values():
        about = Text()
        about.append(demo.title, style="bold")
        if demo.training:
            about.append(" (trains)", style="dim")
        about.append("\n" + demo.description)
        params = Text(overflow="fold")
        for index, group in enumerate(_groups(demo.params.params)):
            if index:
                params.append("\n")
            if len(group) == 1:
                params.append(_param_line(group[0]))
            else:  # a run of alike parameters (gate-stepper's twelve weight overrides) on one line
                params.append(" ".join(p.name for p in group) + "=" + _param_line(group[0]).split("=", 1)[1])
            params.append(f"  {_short_range(group[0])}", style="dim")
        table.add_row(demo.name, about, params)
    return table


#: Consecutive parameters alike in everything but the name are listed together from this many on.
_GROUP_FROM = 3


def _groups(params: tuple[Any, ...]) -> list[list[Any]]:
    """Runs of consecutive parameters with the same kind, default and range (runs shorter than _GROUP_FROM
    are split back into single parameters)."""
    runs: list[list[Any]] = []
    for param in params:
        key = (param.kind, param.default, param.low, param.high, param.choices)
        last = runs[-1][0] if runs else None
        if last is not None and (last.kind, last.default, last.low, last.high, last.choices) == key:
            runs[-1].append(param)
        else:
            runs.append([param])
    groups: list[list[Any]] = []
    for run in runs:
        groups.extend([run] if len(run) >= _GROUP_FROM else [[p] for p in run])
    return groups


def _short_range(param: Any) -> str:
    if param.kind == "choice":
        return ", ".join(param.choices)
    if param.kind == "bool":
        return "true, false"
    if param.low is None:
        return ""
    text = param.range_text
    return text[text.index("[") :] if "[" in text else text


def _demo_help(demo: Any) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    head = Text()
    head.append(f"quizzer demo {demo.name} [--set key=value ...]", style="bold")
    if "seed" in demo.params.names:
        head.append(" [--seed N]", style="bold")
    head.append(f"\n\n{demo.title}: {demo.description}\n")
    table = Table(title="parameters", title_justify="left")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("default", no_wrap=True)
    table.add_column("allowed")
    table.add_column("meaning")
    for param in demo.params.params:
        table.add_row(param.name, _param_line(param).split("=", 1)[1], param.range_text, param.help)
    return Group(head, table)
