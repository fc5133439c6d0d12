"""adding-problem view: held-out MSE curves of RNN, LSTM and GRU against the 1/6 baseline, and time to target."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.adding_problem import AddingProblemResult, ModelCurve
from quizzer.plotting import format_number, line_plot

LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}
PLOT_HEIGHT = 15
#: A model "beats the baseline" when its MSE is below this fraction of 1/6.
CLEARLY_BELOW = 0.5


def _reached(curve: ModelCurve) -> str:
    if curve.iterations_to_target is None:
        return "not reached"
    return f"iteration {curve.iterations_to_target}, {curve.seconds_to_target:.1f} s"


def _summary(curve: ModelCurve, result: AddingProblemResult) -> str:
    mse = format_number(curve.final_mse)
    if curve.iterations_to_target is not None:
        return f"MSE {mse}, target at iteration {curve.iterations_to_target} ({curve.seconds_to_target:.1f} s)"
    verdict = "below" if curve.final_mse < CLEARLY_BELOW * result.baseline_mse else "near"
    return f"MSE {mse}, {verdict} the 1/6 baseline"


def render(result: AddingProblemResult) -> RenderableType:
    intro = Text()
    intro.append("The adding problem\n", style="bold")
    intro.append(
        f"T={result.seq_len} steps of (value, marker); the target is the sum of the two marked values. "
        f"H={result.hidden_size}, batch {result.batch_size}, Adam lr={format_number(result.lr)}, gradients clipped, "
        f"LSTM forget bias 1. Held-out MSE every few iterations; a model stops once it is below "
        f"{format_number(result.target_mse)}."
    )
    status = f"\n{result.iterations_done} of {result.iterations} iterations in {result.wall_seconds:.1f} s"
    if result.cancelled:
        intro.append(status + " (cancelled).", style="yellow")
    elif result.reached_target:
        intro.append(status + " (stopped: target reached).", style="green")
    else:
        intro.append(status + ".")

    series: dict[str, list[float]] = {}
    x_max = max((int(c.eval_iterations[-1]) for c in result.curves.values() if len(c.eval_iterations)), default=1)
    xs = sorted({int(i) for c in result.curves.values() for i in c.eval_iterations})
    for name, curve in result.curves.items():
        by_iteration = dict(zip(curve.eval_iterations.tolist(), curve.eval_loss.tolist()))
        values = [by_iteration.get(i, float("nan")) for i in xs]
        while values and values[-1] != values[-1]:  # a model that stopped early: drop its trailing gaps
            values.pop()
        series[LABELS[name]] = values
    series["predict the mean (1/6)"] = [result.baseline_mse] * len(xs)
    if result.target_mse > 0:
        series["target"] = [result.target_mse] * len(xs)
    plot = line_plot(series, xs or [0], title=f"Held-out MSE (iterations 0..{x_max})", xlabel="iteration",
                     ylabel="MSE", log_y=True, height=PLOT_HEIGHT)

    table = Table(title="Per model", title_justify="left")
    table.add_column("model")
    table.add_column("iterations", justify="right")
    table.add_column("final MSE", justify="right")
    table.add_column("best MSE", justify="right")
    table.add_column("target reached", justify="right")
    table.add_column("compute s", justify="right")
    for name, curve in result.curves.items():
        table.add_row(LABELS[name], str(len(curve.train_loss)), format_number(curve.final_mse),
                      format_number(curve.best_mse), _reached(curve), f"{curve.seconds:.1f}")
    notes = Text(
        f"Baseline: predicting 1.0 (the mean) scores {format_number(result.baseline_mse)}. The RNN's gradient "
        "from the last step fades over the ~T/2 steps back to the first marker, so it stays near the baseline "
        "once T is beyond a few dozen; the LSTM's additive cell path (forget gate near 1) and the GRU's update "
        "gate carry the value across. Times are each model's own compute on this machine.",
        style="dim",
    )
    return Group(intro, plot, table, notes)


def key_numbers(result: AddingProblemResult) -> list[tuple[str, str]]:
    pairs = [(LABELS[name], _summary(curve, result)) for name, curve in result.curves.items()]
    pairs.append(("baseline (predict the mean)", format_number(result.baseline_mse)))
    if len(pairs) < 2:
        pairs.append(("T", str(result.seq_len)))
    return pairs
