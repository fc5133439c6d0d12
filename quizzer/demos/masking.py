"""masking view: the padded batch, and how far each final state is from running the sequence alone."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lstm_engine.demos.masking import MaskingResult

#: Differences below this are float rounding, not a real difference.
SAME = 1e-12
REAL_STEP = "■"
PAD_STEP = "·"


def _diff(value: float) -> Text:
    if value < SAME:
        return Text(f"{value:.1e}  same", style="green")
    return Text(f"{value:.3g}  differs", style="red")


def render(result: MaskingResult) -> RenderableType:
    steps = result.mask.shape[0]
    batch = Text()
    batch.append(f"Padded batch ({REAL_STEP} real step, {PAD_STEP} padding), T = {steps}\n", style="bold")
    for b, length in enumerate(result.lengths):
        batch.append(f"  seq {b}  ")
        batch.append(REAL_STEP * length, style="green")
        batch.append(PAD_STEP * (steps - length) + "\n", style="dim")
    table = Table(title="max |h_T - h_T(alone)| per sequence", title_justify="left")
    table.add_column("seq")
    table.add_column("length", justify="right")
    table.add_column("padding", justify="right")
    table.add_column("no mask", justify="left")
    table.add_column("with mask", justify="left")
    table.add_column(Text("no mask, output[length-1]"), justify="left")
    unmasked, masked, gathered = (result.error(k) for k in ("unmasked", "masked", "gathered"))
    for b, length in enumerate(result.lengths):
        table.add_row(
            str(b),
            str(length),
            str(steps - length),
            _diff(float(unmasked[b])),
            _diff(float(masked[b])),
            _diff(float(gathered[b])),
        )
    note = Text(style="dim")
    note.append(
        "Without a mask the cell keeps running over the padding, so every shorter sequence's final state "
        "is wrong. With the mask the state is carried unchanged through padding (as PyTorch's "
        "pack_padded_sequence), and equals running the sequence alone; so does reading the unmasked "
        "output at the last real step."
    )
    return Group(batch, table, note)


def key_numbers(result: MaskingResult) -> list[tuple[str, str]]:
    return [
        ("max error without mask", f"{float(result.error('unmasked').max()):.3g}"),
        ("max error with mask", f"{float(result.error('masked').max()):.1e}"),
        ("sequences", ", ".join(str(n) for n in result.lengths)),
    ]
