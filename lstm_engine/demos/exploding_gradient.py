"""exploding-gradient: an RNN whose recurrent matrix has spectral radius > 1, trained with and without clipping.

Backpropagation multiplies ``dL/dh_t`` by ``W_hh^T diag(1 - h_t^2)`` once per step, so when the recurrent matrix
stretches vectors (spectral radius rho > 1) and the tanh units are not saturated, the gradient grows roughly
geometrically with the distance from the loss (Pascanu, Mikolov & Bengio 2013). The experiment:

1. Build a tanh RNN (2 inputs, H units) and rescale ``weight_hh_l0`` so its spectral radius is exactly rho.
2. On one batch of the adding problem (loss on the last step only) record ``||dL/dh_t||`` for every t.
3. From that same initialisation train two copies with plain SGD on the same batches: one clips the global
   gradient norm to ``max_norm`` (``clip_grad_norm``, PyTorch's semantics), one does not. Record each step's
   loss and gradient norm before and after clipping. An unclipped run whose loss turns non-finite or exceeds
   ``DIVERGENCE_FACTOR`` times its first loss is stopped and reported as diverged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_engine import tasks
from lstm_engine.demos.params import SPECS, OnStep
from lstm_engine.nn import Linear, SequenceRegressor
from lstm_engine.optim import SGD, clip_grad_norm, global_norm
from lstm_engine.rnn import RNN

NAME = "exploding-gradient"
#: Sequences per SGD step.
BATCH_SIZE = 32
#: The adding problem has two input channels (value, marker).
INPUT_SIZE = 2
#: An unclipped run has diverged once its loss exceeds this multiple of its first loss (or is not finite).
DIVERGENCE_FACTOR = 1e3
#: ``on_step`` is called every this many steps (and after the last).
PROGRESS_EVERY = 5
#: The head's seed is offset from the model's so the two draws differ.
HEAD_SEED_OFFSET = 1

@dataclass
class ExplodingGradientResult:
    """Arrays are float64. S = steps run (<= train_steps); S_u <= S for the unclipped run if it diverged.

    Attributes:
        hidden_grad_norms: ``(T,)`` ``||dL/dh_t||`` (Frobenius over the batch) at initialisation, t = 0..T-1;
            the loss reads ``h_{T-1}`` so the norm grows towards t = 0 when gradients explode.
        growth_per_step: geometric-mean factor by which that norm grows per step back in time.
        loss_clipped, loss_unclipped: ``(S,)`` and ``(S_u,)`` training MSE per step (same batches).
        norm_before_clip: ``(S,)`` global gradient norm of the clipped run before clipping.
        norm_after_clip: ``(S,)`` the same after clipping (<= max_norm).
        norm_unclipped: ``(S_u,)`` global gradient norm of the unclipped run (what its update used).
        diverged_step: the step at which the unclipped run diverged, or None.
        baseline_mse: 1/6, the MSE of predicting the mean target.
    """

    spectral_radius: float
    seq_len: int
    hidden_size: int
    max_norm: float
    lr: float
    train_steps: int
    seed: int
    hidden_grad_norms: np.ndarray
    growth_per_step: float
    loss_clipped: np.ndarray
    loss_unclipped: np.ndarray
    norm_before_clip: np.ndarray
    norm_after_clip: np.ndarray
    norm_unclipped: np.ndarray
    diverged_step: int | None
    baseline_mse: float
    cancelled: bool = False

    @property
    def steps_done(self) -> int:
        return len(self.loss_clipped)

    @property
    def clipped_fraction(self) -> float:
        """Fraction of steps at which clipping changed the gradient."""
        if not self.steps_done:
            return 0.0
        return float(np.mean(self.norm_before_clip > self.max_norm))


def scaled_rnn(hidden_size: int, spectral_radius: float, seed: int) -> RNN:
    """A tanh RNN (2 inputs) whose ``weight_hh_l0`` (H, H) is rescaled to the given spectral radius."""
    model = RNN(INPUT_SIZE, hidden_size, seed=seed)
    w_hh = model.parameters()["weight_hh_l0"]
    w_hh *= spectral_radius / np.max(np.abs(np.linalg.eigvals(w_hh)))
    return model


def _regressor(hidden_size: int, spectral_radius: float, seed: int) -> SequenceRegressor:
    return SequenceRegressor(scaled_rnn(hidden_size, spectral_radius, seed),
                             Linear(hidden_size, 1, seed=seed + HEAD_SEED_OFFSET))


def hidden_gradient_norms(net: SequenceRegressor, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``||dL/dh_t||`` for t = 0..T-1, ``(T,)``, for the MSE of ``net`` on x (T, B, 2), y (B, 1)."""
    run = net.model.forward(x)
    pred = net.head.forward(run.output[-1])
    dpred = 2.0 * (pred - y) / pred.size
    d_output = np.zeros_like(run.output)
    d_output[-1] = net.head.backward(dpred)[0]
    hidden = net.model.backward(run, d_output).hidden[0]
    return np.sqrt(np.sum(hidden * hidden, axis=(1, 2)))


def run(on_step: OnStep | None = None, **args: object) -> ExplodingGradientResult:
    """Run the experiment described in the module docstring; ValueError on a bad argument."""
    values = SPECS[NAME].validate(args)
    rho = float(values["spectral_radius"])
    seq_len, hidden = int(values["seq_len"]), int(values["hidden_size"])
    max_norm, lr = float(values["max_norm"]), float(values["lr"])
    steps, seed = int(values["train_steps"]), int(values["seed"])
    rng = np.random.default_rng(seed)

    clipped = _regressor(hidden, rho, seed)
    unclipped = _regressor(hidden, rho, seed)
    x0, y0 = tasks.adding_problem(BATCH_SIZE, seq_len, rng)
    profile = hidden_gradient_norms(clipped, x0, y0)
    ratio = profile[0] / profile[-1] if profile[-1] > 0 else np.nan
    growth = float(ratio ** (1.0 / (seq_len - 1))) if np.isfinite(ratio) and ratio > 0 else float("nan")

    opt_clipped = SGD(clipped.parameters(), lr=lr)
    opt_unclipped = SGD(unclipped.parameters(), lr=lr)
    loss_c: list[float] = []
    loss_u: list[float] = []
    before: list[float] = []
    after: list[float] = []
    norm_u: list[float] = []
    diverged: int | None = None
    cancelled = False
    for step in range(steps):
        x, y = (x0, y0) if step == 0 else tasks.adding_problem(BATCH_SIZE, seq_len, rng)
        loss, grads = clipped.loss_and_grads(x, y)
        before.append(clip_grad_norm(grads, max_norm))
        after.append(global_norm(grads))
        opt_clipped.step(grads)
        loss_c.append(loss)
        if diverged is None:
            with np.errstate(over="ignore", invalid="ignore"):
                try:
                    loss, grads = unclipped.loss_and_grads(x, y)
                except ValueError:  # the engine refuses a non-finite upstream gradient once weights overflow
                    loss, grads = float("nan"), {}
                limit = DIVERGENCE_FACTOR * loss_u[0] if loss_u else np.inf
                if not np.isfinite(loss) or loss > limit:
                    diverged = step
                else:
                    norm_u.append(global_norm(grads))
                    opt_unclipped.step(grads)
                    loss_u.append(loss)
        done = step + 1
        if on_step is not None and (done % PROGRESS_EVERY == 0 or done == steps):
            metrics = {"clipped": loss_c[-1]}
            if diverged is None:
                metrics["unclipped"] = loss_u[-1]
            if on_step(done, steps, metrics):
                cancelled = done < steps
                break

    return ExplodingGradientResult(
        spectral_radius=rho, seq_len=seq_len, hidden_size=hidden, max_norm=max_norm, lr=lr, train_steps=steps,
        seed=seed, hidden_grad_norms=profile, growth_per_step=growth,
        loss_clipped=np.array(loss_c), loss_unclipped=np.array(loss_u), norm_before_clip=np.array(before),
        norm_after_clip=np.array(after), norm_unclipped=np.array(norm_u), diverged_step=diverged,
        baseline_mse=tasks.ADDING_BASELINE_MSE, cancelled=cancelled,
    )

