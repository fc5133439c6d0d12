"""masking: a right-padded batch run with and without a mask, against each sequence run alone.

The batch holds one sequence per entry of ``lengths`` (random normal inputs), right-padded with zeros to the
longest. Three runs of the same ``le.LSTM``:

* unmasked: the padding steps are fed through the cell, so a short sequence's final state has kept running;
* masked (``mask[t, b] = t < lengths[b]``): the state is carried unchanged through padding;
* alone: each sequence by itself, with no padding at all (the truth).

Only the masked final state equals the truth. Reading the unmasked output at each sequence's own last step
(``output[length - 1, b]``, the "gather" fix) also equals it, because right padding comes after the real steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine.demos.params import SPECS
from lstm_engine.lstm import LSTM

NAME = "masking"
INPUT_SIZE = 2
#: Value written into padded positions (what a padded tensor holds).
PAD_VALUE = 0.0


@dataclass(frozen=True)
class MaskingResult:
    lengths: tuple[int, ...]
    hidden_size: int
    #: (T, B) 1 at real steps, 0 at padding.
    mask: np.ndarray
    #: (B, H) final hidden states.
    unmasked: np.ndarray
    masked: np.ndarray
    alone: np.ndarray
    #: (B, H) the unmasked run's output at each sequence's last real step.
    gathered: np.ndarray
    #: (B, H) final cell states of the masked run and of each sequence alone.
    masked_cell: np.ndarray
    alone_cell: np.ndarray

    def error(self, which: str) -> np.ndarray:
        """(B,) max |h - h_alone| per sequence for ``which`` in unmasked, masked, gathered."""
        return np.max(np.abs(getattr(self, which) - self.alone), axis=1)


def run(**args: object) -> MaskingResult:
    """Run the padded batch three ways. ValueError for a bad argument."""
    values = SPECS[NAME].validate(args)
    lengths = tuple(int(n) for n in values["lengths"])  # type: ignore[attr-defined]
    hidden = int(values["hidden_size"])  # type: ignore[arg-type]
    seed = int(values["seed"])  # type: ignore[arg-type]
    steps, batch = max(lengths), len(lengths)
    rng = np.random.default_rng(seed)
    x = np.full((steps, batch, INPUT_SIZE), PAD_VALUE)
    for b, length in enumerate(lengths):
        x[:length, b] = rng.normal(size=(length, INPUT_SIZE))
    mask = (np.arange(steps)[:, None] < np.array(lengths)[None, :]).astype(np.float64)

    model = LSTM(INPUT_SIZE, hidden, seed=seed)
    plain = model.forward(x)
    masked = model.forward(x, mask=mask)
    alone = [model.forward(x[:length, b : b + 1]).state for b, length in enumerate(lengths)]
    return MaskingResult(
        lengths=lengths,
        hidden_size=hidden,
        mask=mask,
        unmasked=plain.state[0][-1],
        masked=masked.state[0][-1],
        alone=np.stack([state[0][-1, 0] for state in alone]),
        gathered=np.stack([plain.output[length - 1, b] for b, length in enumerate(lengths)]),
        masked_cell=masked.state[1][-1],
        alone_cell=np.stack([state[1][-1, 0] for state in alone]),
    )
