"""adding-problem: train an RNN, an LSTM and a GRU on Hochreiter & Schmidhuber's adding problem.

Each sequence is T steps of (value ~ U(0, 1), marker); the target is the sum of the two marked values, one marker
in each half (``lstm_engine.tasks.adding_problem``). Predicting the mean scores MSE 1/6, so a model has learnt
something only once its MSE falls clearly below that; solving the task means carrying a value across ~T/2 steps.

Every model reads the sequence and a Linear head maps its last hidden state to the prediction. All models see the
same batches and train with the same recipe: Adam, global gradient-norm clipping at ``MAX_NORM`` and (LSTM) a
forget-gate bias of ``FORGET_BIAS``. Before training and every ``EVAL_EVERY`` iterations each model is scored on
one fixed held-out set of ``EVAL_SIZE`` sequences; a model whose held-out MSE is below ``target_mse`` stops training
there, and the whole run stops once the LSTM (or, without an LSTM, every model) has reached the target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from lstm_engine import tasks
from lstm_engine.demos.params import SPECS, OnStep
from lstm_engine.gru import GRU
from lstm_engine.lstm import LSTM
from lstm_engine.nn import Linear, SequenceRegressor
from lstm_engine.optim import Adam, clip_grad_norm
from lstm_engine.rnn import RNN

NAME = "adding-problem"
#: Training order (and the order of every per-model dict in the result).
MODEL_NAMES = ("lstm", "gru", "rnn")
#: Value and marker channels.
INPUT_SIZE = 2
#: Gradients are clipped to this global L2 norm before each Adam step.
MAX_NORM = 1.0
#: The LSTM's forget-gate bias (Gers et al. 2000; Jozefowicz et al. 2015): remember by default.
FORGET_BIAS = 1.0
#: Held-out sequences scored every ``EVAL_EVERY`` iterations (and after the last).
EVAL_SIZE = 256
EVAL_EVERY = 25
#: ``on_step`` is called every this many iterations, with each model's mean training loss since the last call.
PROGRESS_EVERY = 5
#: Seed offsets so the models, the head and the held-out set draw different numbers from one user seed.
HEAD_SEED_OFFSET = 1000
EVAL_SEED_OFFSET = 7919

@dataclass
class ModelCurve:
    """One model's training record. ``train_loss`` ``(n,)`` per iteration it trained; ``eval_iterations`` and
    ``eval_loss`` ``(k,)`` the held-out MSE after those iterations; ``seconds`` its own compute time (training
    and scoring, not the other models'); ``iterations_to_target`` / ``seconds_to_target`` None if not reached."""

    name: str
    train_loss: np.ndarray
    eval_iterations: np.ndarray
    eval_loss: np.ndarray
    seconds: float
    iterations_to_target: int | None
    seconds_to_target: float | None

    @property
    def final_mse(self) -> float:
        """The last held-out MSE (nan if never scored)."""
        return float(self.eval_loss[-1]) if len(self.eval_loss) else float("nan")

    @property
    def best_mse(self) -> float:
        return float(np.min(self.eval_loss)) if len(self.eval_loss) else float("nan")


@dataclass
class AddingProblemResult:
    """The run's settings and one :class:`ModelCurve` per trained model (keyed lstm, gru, rnn)."""

    seq_len: int
    hidden_size: int
    iterations: int
    batch_size: int
    lr: float
    target_mse: float
    seed: int
    curves: dict[str, ModelCurve]
    iterations_done: int
    wall_seconds: float
    baseline_mse: float = tasks.ADDING_BASELINE_MSE
    cancelled: bool = False
    #: True when the run ended early because the target was reached.
    reached_target: bool = False


def build(name: str, hidden_size: int, seed: int) -> SequenceRegressor:
    """A model ``name`` (lstm, gru or rnn) reading 2 features with a Linear(H, 1) head on its last step."""
    if name == "lstm":
        model = LSTM(INPUT_SIZE, hidden_size, seed=seed, forget_bias=FORGET_BIAS)
    elif name == "gru":
        model = GRU(INPUT_SIZE, hidden_size, seed=seed)
    elif name == "rnn":
        model = RNN(INPUT_SIZE, hidden_size, seed=seed)
    else:
        raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")
    return SequenceRegressor(model, Linear(hidden_size, 1, seed=seed + HEAD_SEED_OFFSET))


@dataclass
class _Trainer:
    name: str
    net: SequenceRegressor
    opt: Adam
    losses: list[float] = field(default_factory=list)
    eval_iterations: list[int] = field(default_factory=list)
    eval_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    reached: int | None = None
    reached_seconds: float | None = None
    since_report: list[float] = field(default_factory=list)

    def train(self, x: np.ndarray, y: np.ndarray) -> None:
        start = time.perf_counter()
        loss, grads = self.net.loss_and_grads(x, y)
        clip_grad_norm(grads, MAX_NORM)
        self.opt.step(grads)
        self.seconds += time.perf_counter() - start
        self.losses.append(loss)
        self.since_report.append(loss)

    def score(self, iteration: int, x: np.ndarray, y: np.ndarray, target: float) -> None:
        """Held-out MSE after ``iteration`` steps; the target counts only after at least one step."""
        start = time.perf_counter()
        mse = self.net.evaluate(x, y)
        self.seconds += time.perf_counter() - start
        self.eval_iterations.append(iteration)
        self.eval_loss.append(mse)
        if self.reached is None and iteration > 0 and mse < target:
            self.reached, self.reached_seconds = iteration, self.seconds

    def curve(self) -> ModelCurve:
        return ModelCurve(self.name, np.array(self.losses), np.array(self.eval_iterations, dtype=int),
                          np.array(self.eval_loss), self.seconds, self.reached, self.reached_seconds)


def run(on_step: OnStep | None = None, **args: object) -> AddingProblemResult:
    """Train the selected models (see the module docstring); ValueError on a bad argument.

    ``on_step(done, total, metrics)`` gets each still-training model's mean training MSE since the previous
    call, keyed lstm/gru/rnn; returning True stops the run (``cancelled=True``). Wall-clock fields vary from run to
    run; every other field is a deterministic function of the arguments."""
    values = SPECS[NAME].validate(args)
    seq_len, hidden = int(values["seq_len"]), int(values["hidden_size"])
    iterations, batch = int(values["iterations"]), int(values["batch_size"])
    lr, target, seed = float(values["lr"]), float(values["target_mse"]), int(values["seed"])
    names = MODEL_NAMES if values["models"] == "all" else (str(values["models"]),)
    leaders = {"lstm"} if "lstm" in names else set(names)

    trainers = []
    for name in names:
        net = build(name, hidden, seed)
        trainers.append(_Trainer(name, net, Adam(net.parameters(), lr=lr)))
    rng = np.random.default_rng(seed)
    x_eval, y_eval = tasks.adding_problem(EVAL_SIZE, seq_len, np.random.default_rng(seed + EVAL_SEED_OFFSET))

    start = time.perf_counter()
    for trainer in trainers:
        trainer.score(0, x_eval, y_eval, target)
    done = 0
    cancelled = reached_target = False
    while done < iterations:
        x, y = tasks.adding_problem(batch, seq_len, rng)
        active = [t for t in trainers if t.reached is None]
        for trainer in active:
            trainer.train(x, y)
        done += 1
        if done % EVAL_EVERY == 0 or done == iterations:
            for trainer in active:
                trainer.score(done, x_eval, y_eval, target)
            if all(t.reached is not None for t in trainers if t.name in leaders):
                reached_target = True
        if on_step is not None and (done % PROGRESS_EVERY == 0 or done == iterations or reached_target):
            metrics = {t.name: float(np.mean(t.since_report)) for t in active if t.since_report}
            for trainer in active:
                trainer.since_report.clear()
            if on_step(done, iterations, metrics) and done < iterations and not reached_target:
                cancelled = True
                break
        if reached_target:
            break

    # Score the last state of a model that stopped between two scoring points (a cancel, say).
    for trainer in trainers:
        if trainer.eval_iterations[-1] != len(trainer.losses):
            trainer.score(len(trainer.losses), x_eval, y_eval, target)

    return AddingProblemResult(
        seq_len=seq_len, hidden_size=hidden, iterations=iterations, batch_size=batch, lr=lr, target_mse=target,
        seed=seed, curves={t.name: t.curve() for t in trainers}, iterations_done=done,
        wall_seconds=time.perf_counter() - start, cancelled=cancelled, reached_target=reached_target,
    )
