"""overfitting: a small noisy series, an LSTM trained with and without dropout and early stopping.

The series is a sum of two sines plus Gaussian noise (``lstm_engine.tasks.noisy_series``); the model reads a window
of ``WINDOW`` values and predicts the next one. The first ``TRAIN_WINDOWS`` windows train, the rest (later in time)
validate. Both targets are noisy, so no model can beat the noise floor ``noise**2`` on validation data; a training
MSE far below it means the network is memorising the noise.

Two runs start from the same weights and train full-batch with Adam on the same data for every epoch: **plain**
(no dropout) and **dropout** (dropout ``p`` on the LSTM's last hidden state, training only). Early stopping with
``patience`` is applied to each: it would stop at the first epoch where the validation MSE has not improved for
``patience`` epochs and keep the weights of the best epoch so far. Training is deterministic, so this is exactly what
an early-stopped run would have done, and the curves also show what happens if training goes on.

Training MSE is measured without dropout (evaluation mode) after each epoch, so the runs compare directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine import tasks
from lstm_engine.demos.params import SPECS, OnStep
from lstm_engine.lstm import LSTM
from lstm_engine.nn import Dropout, Linear, SequenceRegressor
from lstm_engine.optim import Adam, clip_grad_norm

NAME = "overfitting"
#: Values the model reads to predict the next one.
WINDOW = 12
#: Length of the series, and how many of its windows train (the rest validate).
SERIES_LENGTH = 112
TRAIN_WINDOWS = 40
#: Training recipe shared by both runs.
LEARNING_RATE = 0.01
MAX_NORM = 1.0
FORGET_BIAS = 1.0
#: ``on_step`` is called every this many epochs (and after the last).
PROGRESS_EVERY = 2
#: Seed offsets so the model, the head, the dropout masks and the data draw their own numbers.
HEAD_SEED_OFFSET = 1000
DROPOUT_SEED_OFFSET = 2000
#: The two runs.
RUNS = ("plain", "dropout")

@dataclass
class RunCurve:
    """One run. ``train_loss`` and ``val_loss`` ``(epochs_run,)``: MSE after each epoch (no dropout).

    Early stopping, 1-based epochs: ``stop_epoch`` is where patience ran out (None if it never did within the
    epochs run); ``best_epoch`` and ``best_val`` are the best validation epoch up to there, the weights early
    stopping keeps."""

    name: str
    dropout: float
    train_loss: np.ndarray
    val_loss: np.ndarray
    best_epoch: int
    best_val: float
    stop_epoch: int | None

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)

    @property
    def final_val(self) -> float:
        return float(self.val_loss[-1])

    @property
    def final_train(self) -> float:
        return float(self.train_loss[-1])

    @property
    def train_at_best(self) -> float:
        return float(self.train_loss[self.best_epoch - 1])


def early_stopping(val_loss: np.ndarray, patience: int) -> tuple[int, float, int | None]:
    """(best_epoch, best_val, stop_epoch) of early stopping on a validation curve ``(E,)``, epochs 1-based.

    Stops at the first epoch e with ``e - best_epoch_so_far >= patience`` (``stop_epoch`` None if none) and keeps
    the best epoch up to there. An improvement must be strictly lower. Empty curve: (0, nan, None)."""
    best_epoch, best = 0, float("inf")
    for epoch, value in enumerate(val_loss, start=1):
        if value < best:
            best_epoch, best = epoch, float(value)
        elif epoch - best_epoch >= patience:
            return best_epoch, best, epoch
    return best_epoch, (best if best_epoch else float("nan")), None


@dataclass
class OverfittingResult:
    """Settings, the data (``series`` ``(SERIES_LENGTH,)`` noisy, ``clean`` the same without noise, ``split`` the
    index of the first validation target, ``train_windows`` training examples) and one :class:`RunCurve` per run
    (keys ``plain``, ``dropout``). ``noise_floor`` = noise**2, the validation MSE of a perfect model of the clean
    signal."""

    hidden_size: int
    dropout: float
    epochs: int
    patience: int
    noise: float
    seed: int
    series: np.ndarray
    clean: np.ndarray
    split: int
    train_windows: int
    runs: dict[str, RunCurve]
    noise_floor: float
    cancelled: bool = False


def make_data(noise: float, seed: int) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """The clean and noisy series ``(SERIES_LENGTH,)`` and (x_train (W, N_train, 1), y_train (N_train, 1),
    x_val (W, N_val, 1), y_val (N_val, 1)), validation windows later in time than training ones."""
    clean, noisy = tasks.noisy_series(SERIES_LENGTH, noise, np.random.default_rng(seed))
    x, y = tasks.windows(noisy, WINDOW)
    return clean, noisy, (x[:, :TRAIN_WINDOWS], y[:TRAIN_WINDOWS], x[:, TRAIN_WINDOWS:], y[TRAIN_WINDOWS:])


def build(hidden: int, seed: int, dropout: float) -> SequenceRegressor:
    """LSTM(1, H, forget bias 1) + Linear(H, 1), with dropout ``p`` on h_T when p > 0."""
    drop = Dropout(dropout, rng=seed + DROPOUT_SEED_OFFSET) if dropout > 0 else None
    return SequenceRegressor(LSTM(1, hidden, seed=seed, forget_bias=FORGET_BIAS),
                             Linear(hidden, 1, seed=seed + HEAD_SEED_OFFSET), drop)


def train_epoch(net: SequenceRegressor, opt: Adam, data: tuple[np.ndarray, ...]) -> tuple[float, float]:
    """One full-batch Adam step on the training windows; returns (train MSE, val MSE) after it, without dropout."""
    x_train, y_train, x_val, y_val = data
    _, grads = net.loss_and_grads(x_train, y_train)
    clip_grad_norm(grads, MAX_NORM)
    opt.step(grads)
    return net.evaluate(x_train, y_train), net.evaluate(x_val, y_val)


def run(on_step: OnStep | None = None, **args: object) -> OverfittingResult:
    """Run the experiment in the module docstring; ValueError on a bad argument.

    ``on_step(done, total, metrics)`` gets each run's latest validation MSE (keys ``plain`` and ``dropout``);
    returning True stops both (``cancelled=True``)."""
    values = SPECS[NAME].validate(args)
    hidden, dropout = int(values["hidden_size"]), float(values["dropout"])
    epochs, patience = int(values["epochs"]), int(values["patience"])
    noise, seed = float(values["noise"]), int(values["seed"])
    clean, noisy, data = make_data(noise, seed)

    nets = {"plain": build(hidden, seed, 0.0), "dropout": build(hidden, seed, dropout)}
    opts = {name: Adam(net.parameters(), lr=LEARNING_RATE) for name, net in nets.items()}
    train: dict[str, list[float]] = {name: [] for name in RUNS}
    val: dict[str, list[float]] = {name: [] for name in RUNS}
    cancelled = False
    for epoch in range(1, epochs + 1):
        for name in RUNS:
            tr, va = train_epoch(nets[name], opts[name], data)
            train[name].append(tr)
            val[name].append(va)
        report = on_step is not None and (epoch % PROGRESS_EVERY == 0 or epoch == epochs)
        if report and on_step(epoch, epochs, {name: val[name][-1] for name in RUNS}) and epoch < epochs:
            cancelled = True
            break

    runs = {}
    for name, p in (("plain", 0.0), ("dropout", dropout)):
        best_epoch, best_val, stop = early_stopping(np.array(val[name]), patience)
        runs[name] = RunCurve(name, p, np.array(train[name]), np.array(val[name]), best_epoch, best_val, stop)
    return OverfittingResult(
        hidden_size=hidden, dropout=dropout, epochs=epochs, patience=patience, noise=noise, seed=seed,
        series=noisy, clean=clean, split=WINDOW + TRAIN_WINDOWS, train_windows=TRAIN_WINDOWS, runs=runs,
        noise_floor=noise**2, cancelled=cancelled,
    )
