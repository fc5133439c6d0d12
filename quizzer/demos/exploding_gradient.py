"""exploding-gradient view: ||dL/dh_t|| back through time, gradient norms before/after clipping, loss curves."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.exploding_gradient import ExplodingGradientResult
from quizzer.plotting import format_number, line_plot

#: Text rows of each chart.
PLOT_HEIGHT = 12
#: The "final loss" is the mean over this many last steps (the per-batch loss is noisy).
FINAL_WINDOW = 20


def _final(losses) -> float:
    return float(losses[-FINAL_WINDOW:].mean()) if len(losses) else float("nan")


def _unclipped_outcome(result: ExplodingGradientResult) -> str:
    if result.diverged_step is not None:
        return f"diverged at step {result.diverged_step}"
    return f"final loss {format_number(_final(result.loss_unclipped))}"


def _ratio(result: ExplodingGradientResult) -> float:
    norms = result.hidden_grad_norms
    return float(norms[0] / norms[-1]) if norms[-1] > 0 else float("nan")


def render(result: ExplodingGradientResult) -> RenderableType:
    steps = result.steps_done
    intro = Text()
    intro.append("Exploding gradients and clipping\n", style="bold")
    intro.append(
        f"tanh RNN, H={result.hidden_size}, W_hh rescaled to spectral radius {format_number(result.spectral_radius)}; "
        f"adding problem, T={result.seq_len}; SGD lr={format_number(result.lr)}; clip to "
        f"max_norm={format_number(result.max_norm)}. Both runs start from the same weights and see the same batches."
    )
    if result.cancelled:
        intro.append(f"\nCancelled after {steps} of {result.train_steps} steps.", style="yellow")

    profile = line_plot(
        {"||dL/dh_t||": result.hidden_grad_norms}, title="Gradient reaching each step, at initialisation",
        xlabel="time step t (the loss reads the last)", ylabel="norm", log_y=True, height=PLOT_HEIGHT,
    )
    norms = {"before clipping": result.norm_before_clip, "after clipping": result.norm_after_clip}
    if len(result.norm_unclipped):
        norms["no clipping"] = result.norm_unclipped
    norm_plot = line_plot(norms, title="Global gradient norm per step", xlabel="step", ylabel="norm", log_y=True,
                          height=PLOT_HEIGHT)
    losses = {"clipped": result.loss_clipped, "no clipping": result.loss_unclipped,
              "predict the mean (1/6)": [result.baseline_mse] * steps}
    loss_plot = line_plot(losses, title="Training loss (MSE)", xlabel="step", ylabel="MSE", log_y=True,
                          height=PLOT_HEIGHT)

    table = Table(title="Numbers", title_justify="left")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("growth of ||dL/dh_t|| per step back", f"x{format_number(result.growth_per_step)}")
    table.add_row(f"||dL/dh_0|| / ||dL/dh_{result.seq_len - 1}||", format_number(_ratio(result)))
    if steps:
        table.add_row("largest norm before clipping", format_number(float(result.norm_before_clip.max())))
        table.add_row("largest norm after clipping", format_number(float(result.norm_after_clip.max())))
        table.add_row("steps where clipping acted", f"{result.clipped_fraction:.0%}")
        table.add_row(f"final loss, clipped (mean of last {FINAL_WINDOW})", format_number(_final(result.loss_clipped)))
    table.add_row("without clipping", _unclipped_outcome(result))
    table.add_row("baseline: predict the mean", format_number(result.baseline_mse))

    notes = Text(
        "Backprop multiplies dL/dh by W_hh^T diag(1 - h^2) once per step, so with spectral radius > 1 and "
        "unsaturated units the gradient grows geometrically with distance from the loss. Clipping rescales the "
        "whole gradient when its norm exceeds max_norm: the direction is kept, the step length is bounded by "
        "lr x max_norm. It stops divergence; it does not fix the long-range credit assignment (an LSTM does).",
        style="dim",
    )
    return Group(intro, profile, norm_plot, loss_plot, table, notes)


def key_numbers(result: ExplodingGradientResult) -> list[tuple[str, str]]:
    pairs = [
        ("gradient growth per step back", f"x{format_number(result.growth_per_step)}"),
        (f"||dL/dh_0|| / ||dL/dh_{result.seq_len - 1}||", format_number(_ratio(result))),
    ]
    if result.steps_done:
        pairs.append(("largest norm before clipping", format_number(float(result.norm_before_clip.max()))))
        pairs.append(("final loss, clipped", format_number(_final(result.loss_clipped))))
    pairs.append(("no clipping", _unclipped_outcome(result)))
    return pairs
