"""overfitting view: the series, train and validation curves with and without dropout, early stopping marked."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.overfitting import OverfittingResult, RunCurve
from quizzer.plotting import format_number, line_plot

PLOT_HEIGHT = 12
LABELS = {"plain": "no dropout", "dropout": "dropout"}


def _early(curve: RunCurve) -> str:
    """What early stopping keeps: best epoch and its validation MSE."""
    if curve.epochs_run == 0:
        return "not trained"
    return f"epoch {curve.best_epoch}, val {format_number(curve.best_val)}"


def _stop(curve: RunCurve) -> str:
    return f"epoch {curve.stop_epoch}" if curve.stop_epoch is not None else "never"


def _comparison(result: OverfittingResult) -> Text:
    plain, drop = result.runs["plain"], result.runs["dropout"]
    text = Text()
    if not plain.epochs_run:
        return text
    text.append("Validation MSE after all epochs: ", style="bold")
    text.append(f"{format_number(plain.final_val)} without dropout, {format_number(drop.final_val)} with it. ")
    text.append("With early stopping: ", style="bold")
    text.append(f"{format_number(plain.best_val)} without dropout, {format_number(drop.best_val)} with it. ")
    text.append("Training MSE at the end: ", style="bold")
    text.append(f"{format_number(plain.final_train)} and {format_number(drop.final_train)} against a noise floor "
                f"of {format_number(result.noise_floor)}.")
    return text


def render(result: OverfittingResult) -> RenderableType:
    plain, drop = result.runs["plain"], result.runs["dropout"]
    intro = Text()
    intro.append("Overfitting, dropout and early stopping\n", style="bold")
    intro.append(
        f"LSTM H={result.hidden_size} predicts the next value of a noisy series (noise sd "
        f"{format_number(result.noise)}) from the values before it: {result.train_windows} training windows (targets "
        f"before t={result.split}), validation on the later ones. Two runs from the same weights, one with dropout "
        f"p={format_number(result.dropout)} on the last hidden state; early stopping (patience {result.patience}) "
        "is marked on each."
    )
    if result.cancelled:
        intro.append(f"\nCancelled after {plain.epochs_run} of {result.epochs} epochs.", style="yellow")

    series_plot = line_plot({"noisy series": result.series, "clean signal": result.clean},
                            title=f"The data: training targets before t={result.split}, validation after",
                            xlabel="t", ylabel="value", height=PLOT_HEIGHT)
    curves: dict[str, object] = {}
    for key, curve in result.runs.items():
        suffix = ", dropout" if key == "dropout" else ""
        curves[f"train{suffix}"] = curve.train_loss
        curves[f"val{suffix}"] = curve.val_loss
    longest = max(plain.epochs_run, drop.epochs_run, 1)
    curves["noise floor"] = [result.noise_floor] * longest
    loss_plot = line_plot(curves, list(range(1, longest + 1)), title="MSE per epoch (measured without dropout)",
                          xlabel="epoch", ylabel="MSE", log_y=True, height=PLOT_HEIGHT)

    table = Table(title="Each way", title_justify="left")
    table.add_column("run", no_wrap=True)
    table.add_column("early stop", justify="right")
    table.add_column("best epoch", justify="right")
    table.add_column("best val", justify="right")
    table.add_column(f"val at {plain.epochs_run}", justify="right")
    table.add_column(f"train at {plain.epochs_run}", justify="right")
    for key, curve in result.runs.items():
        if curve.epochs_run == 0:
            table.add_row(LABELS[key], "", "", "", "", "")
            continue
        table.add_row(LABELS[key], _stop(curve), str(curve.best_epoch), format_number(curve.best_val),
                      format_number(curve.final_val), format_number(curve.final_train))
    table.add_row("noise floor", "", "", format_number(result.noise_floor), "", "")

    notes = Text(
        "The noise cannot be predicted, so even a perfect model of the clean signal scores the noise floor on "
        "validation data. A training MSE far below it means the network memorised the noise of its few windows; "
        "then the validation MSE rises while the training MSE keeps falling. Early stopping keeps the weights "
        "from the bottom of the validation curve; dropout makes memorising harder.",
        style="dim",
    )
    return Group(intro, series_plot, loss_plot, table, _comparison(result), notes)


def key_numbers(result: OverfittingResult) -> list[tuple[str, str]]:
    plain, drop = result.runs["plain"], result.runs["dropout"]
    pairs = [("no dropout, early stop keeps", _early(plain)), ("dropout, early stop keeps", _early(drop))]
    if plain.epochs_run:
        pairs.append((f"val MSE at epoch {plain.epochs_run}",
                      f"{format_number(plain.final_val)} / {format_number(drop.final_val)} (no dropout / dropout)"))
    pairs.append(("noise floor", format_number(result.noise_floor)))
    return pairs
