"""peephole: an LSTM with and without peephole connections, on the same input and on a timing task.

Peepholes (Gers & Schmidhuber 2000) let the gates read the cell state: ``i`` and ``f`` see ``c_{t-1}``, ``o`` sees
``c_t``, each through a per-unit weight vector (``weight_ci``, ``weight_cf``, ``weight_co``, shape (H,)). They were
proposed for tasks that need precise timing, where the cell state acts as a counter the gates should react to.

The experiment:

1. Two LSTMs share every ordinary weight; the second adds peephole weights (drawn like the others, U(-1/sqrt(H),
   1/sqrt(H))). Both read the same interval-task sequence; we record every gate and the differences between them.
   Any difference is caused by the peepholes alone.
2. From those initial weights both train with Adam on the interval task (``lstm_engine.tasks.interval_task``: two
   spikes, predict the delay between them). We report held-out MSE against the mean-predictor baseline, whatever it
   shows; on small tasks peepholes often change little (Greff et al. 2017 found them dispensable on most tasks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine import tasks
from lstm_engine.demos.params import SPECS, OnStep
from lstm_engine.lstm import LSTM
from lstm_engine.nn import Linear, SequenceRegressor
from lstm_engine.optim import Adam, clip_grad_norm

NAME = "peephole"
#: The interval task has one input channel (spikes).
INPUT_SIZE = 1
#: Gates compared between the two models (``g`` has no peephole; ``c`` and ``h`` are the states).
GATES = ("i", "f", "o", "c", "h")
#: Training recipe, shared by both models.
BATCH_SIZE = 32
LEARNING_RATE = 0.01
MAX_NORM = 1.0
FORGET_BIAS = 1.0
#: Held-out sequences scored before training and every ``EVAL_EVERY`` steps (and after the last).
EVAL_SIZE = 256
EVAL_EVERY = 10
#: ``on_step`` is called every this many steps with each model's mean training MSE since the last call.
PROGRESS_EVERY = 5
#: Seed offsets so the head, the held-out set and the shown sequence draw their own numbers.
HEAD_SEED_OFFSET = 1000
EVAL_SEED_OFFSET = 7919
SHOWN_SEED_OFFSET = 104729
#: Keys of the two models in the result.
MODELS = ("plain", "peephole")

@dataclass
class PeepholeResult:
    """Arrays float64.

    Attributes:
        x: ``(T,)`` the sequence both models read in part 1 (two spikes).
        spikes: ``(t1, t2)`` where the spikes are.
        gates_plain, gates_peephole: gate name -> ``(T, H)`` for that sequence (``i f o c h``), untrained weights.
        gate_diff: gate name -> ``(T,)`` mean over units of ``|peephole - plain|``.
        peephole_weights: ``{"ci", "cf", "co"}`` -> ``(H,)`` the initial peephole weights.
        eval_steps: ``(k,)`` steps after which both models were scored (0 = untrained).
        eval_loss: model ("plain" / "peephole") -> ``(k,)`` held-out MSE.
        train_loss: model -> ``(steps_done,)`` training MSE per step.
        baseline_mse: MSE of predicting the mean interval (the target's variance).
    """

    seq_len: int
    hidden_size: int
    train_steps: int
    seed: int
    x: np.ndarray
    spikes: tuple[int, int]
    gates_plain: dict[str, np.ndarray]
    gates_peephole: dict[str, np.ndarray]
    gate_diff: dict[str, np.ndarray]
    peephole_weights: dict[str, np.ndarray]
    eval_steps: np.ndarray
    eval_loss: dict[str, np.ndarray]
    train_loss: dict[str, np.ndarray]
    baseline_mse: float
    cancelled: bool = False

    @property
    def steps_done(self) -> int:
        return len(self.train_loss["plain"])

    def final_mse(self, model: str) -> float:
        return float(self.eval_loss[model][-1])

    def best_mse(self, model: str) -> float:
        return float(np.min(self.eval_loss[model]))


def twin_lstms(hidden_size: int, seed: int) -> tuple[LSTM, LSTM]:
    """Two LSTMs (1 input, H units, forget bias 1) with identical ordinary weights; the second has peepholes."""
    plain = LSTM(INPUT_SIZE, hidden_size, seed=seed, forget_bias=FORGET_BIAS)
    peep = LSTM(INPUT_SIZE, hidden_size, peephole=True, seed=seed, forget_bias=FORGET_BIAS)
    state = peep.state_dict()
    state.update(plain.state_dict())
    peep.load_state_dict(state)
    return plain, peep


def _gates(model: LSTM, x: np.ndarray) -> dict[str, np.ndarray]:
    recorded = model.forward(x).gates[0]
    return {name: recorded[name][:, 0, :].astype(np.float64) for name in GATES}


def run(on_step: OnStep | None = None, **args: object) -> PeepholeResult:
    """Run the experiment in the module docstring; ValueError on a bad argument."""
    values = SPECS[NAME].validate(args)
    seq_len, hidden = int(values["seq_len"]), int(values["hidden_size"])
    steps, seed = int(values["train_steps"]), int(values["seed"])

    plain, peep = twin_lstms(hidden, seed)
    x_shown, _ = tasks.interval_task(1, seq_len, np.random.default_rng(seed + SHOWN_SEED_OFFSET))
    spikes = tuple(int(t) for t in np.flatnonzero(x_shown[:, 0, 0]))
    gates_plain, gates_peep = _gates(plain, x_shown), _gates(peep, x_shown)
    diff = {g: np.mean(np.abs(gates_peep[g] - gates_plain[g]), axis=1) for g in GATES}
    peep_params = peep.parameters()
    weights = {k: peep_params[f"weight_{k}_l0"].astype(np.float64).copy() for k in ("ci", "cf", "co")}

    nets = {
        "plain": SequenceRegressor(plain, Linear(hidden, 1, seed=seed + HEAD_SEED_OFFSET)),
        "peephole": SequenceRegressor(peep, Linear(hidden, 1, seed=seed + HEAD_SEED_OFFSET)),
    }
    opts = {name: Adam(net.parameters(), lr=LEARNING_RATE) for name, net in nets.items()}
    rng = np.random.default_rng(seed)
    x_eval, y_eval = tasks.interval_task(EVAL_SIZE, seq_len, np.random.default_rng(seed + EVAL_SEED_OFFSET))
    eval_steps = [0]
    eval_loss = {name: [net.evaluate(x_eval, y_eval)] for name, net in nets.items()}
    train_loss: dict[str, list[float]] = {name: [] for name in MODELS}
    cancelled = False
    for step in range(1, steps + 1):
        x, y = tasks.interval_task(BATCH_SIZE, seq_len, rng)
        for name, net in nets.items():
            loss, grads = net.loss_and_grads(x, y)
            clip_grad_norm(grads, MAX_NORM)
            opts[name].step(grads)
            train_loss[name].append(loss)
        stop = False
        if on_step is not None and (step % PROGRESS_EVERY == 0 or step == steps):
            metrics = {name: float(np.mean(train_loss[name][-PROGRESS_EVERY:])) for name in MODELS}
            stop = bool(on_step(step, steps, metrics)) and step < steps
        if step % EVAL_EVERY == 0 or step == steps or stop:
            eval_steps.append(step)
            for name, net in nets.items():
                eval_loss[name].append(net.evaluate(x_eval, y_eval))
        if stop:
            cancelled = True
            break

    return PeepholeResult(
        seq_len=seq_len, hidden_size=hidden, train_steps=steps, seed=seed, x=x_shown[:, 0, 0].astype(np.float64),
        spikes=(spikes[0], spikes[1]), gates_plain=gates_plain, gates_peephole=gates_peep, gate_diff=diff,
        peephole_weights=weights, eval_steps=np.array(eval_steps), eval_loss={k: np.array(v) for k, v in
                                                                              eval_loss.items()},
        train_loss={k: np.array(v) for k, v in train_loss.items()},
        baseline_mse=tasks.interval_baseline_mse(seq_len), cancelled=cancelled,
    )
