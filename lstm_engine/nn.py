"""Training building blocks beside the recurrent models: a Linear head, losses and dropout.

Each piece matches its PyTorch counterpart (``torch.nn.Linear``, ``F.mse_loss``, ``F.cross_entropy``,
``torch.nn.Dropout``) in layout, initialisation distribution and reduction, and returns its gradients explicitly:
there is no autograd here, a ``forward`` keeps what its ``backward`` needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Shape notation: N is any number of leading dimensions (``(T, B)`` for a per-step head, ``(B,)`` for the last
#: step), ``in``/``out`` are the feature sizes, C the number of classes.


class Linear:
    """``y = x @ weight.T + bias``, PyTorch layout: ``weight`` (out, in), ``bias`` (out,).

    Initialised as ``torch.nn.Linear``: weight and bias both uniform in ``[-1/sqrt(in), 1/sqrt(in)]`` (kaiming
    uniform with a = sqrt(5) reduces to that bound), drawn from ``np.random.default_rng(seed)``.
    """

    def __init__(self, in_features: int, out_features: int, dtype: type = np.float64, seed: int = 0) -> None:
        if in_features < 1 or out_features < 1:
            raise ValueError(f"Linear needs positive sizes, got in={in_features}, out={out_features}")
        self.in_features = in_features
        self.out_features = out_features
        self.dtype = np.dtype(dtype)
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(in_features)
        self._params: dict[str, np.ndarray] = {
            "weight": rng.uniform(-bound, bound, (out_features, in_features)).astype(self.dtype),
            "bias": rng.uniform(-bound, bound, out_features).astype(self.dtype),
        }
        self._input: np.ndarray | None = None

    @property
    def weight(self) -> np.ndarray:
        """(out, in)"""
        return self._params["weight"]

    @property
    def bias(self) -> np.ndarray:
        """(out,)"""
        return self._params["bias"]

    def parameters(self) -> dict[str, np.ndarray]:
        """The live dict ``{"weight", "bias"}`` that optimisers update in place."""
        return self._params

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters under PyTorch's keys."""
        return {name: value.copy() for name, value in self._params.items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy ``state`` (PyTorch keys and shapes) into the live arrays."""
        for name, value in self._params.items():
            new = np.asarray(state[name])
            if new.shape != value.shape:
                raise ValueError(f"{name}: expected shape {value.shape}, got {new.shape}")
            value[...] = new

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (..., in) -> (..., out). Keeps ``x`` for ``backward``."""
        x = np.asarray(x, dtype=self.dtype)
        if x.shape[-1] != self.in_features:
            raise ValueError(f"Linear expects last dimension {self.in_features}, got shape {x.shape}")
        self._input = x
        return x @ self.weight.T + self.bias

    __call__ = forward

    def backward(self, dy: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """dy (..., out) -> (dx (..., in), {"weight": (out, in), "bias": (out,)}) for the last ``forward``."""
        if self._input is None:
            raise RuntimeError("Linear.backward called before forward")
        x = self._input
        dy = np.asarray(dy, dtype=self.dtype)
        flat_dy = dy.reshape(-1, self.out_features)
        flat_x = x.reshape(-1, self.in_features)
        grads = {"weight": flat_dy.T @ flat_x, "bias": flat_dy.sum(axis=0)}
        return dy @ self.weight, grads


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over every element (torch ``reduction="mean"``) and its gradient.

    pred, target: the same shape (any). Returns ``(loss, dloss/dpred)`` with dpred shaped like ``pred``."""
    pred = np.asarray(pred)
    target = np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(f"mse_loss: pred {pred.shape} and target {target.shape} differ in shape")
    diff = pred - target
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable log-softmax over the last axis: ``z - logsumexp(z)`` with the max subtracted first."""
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy (torch ``F.cross_entropy``, reduction="mean") and its gradient.

    logits (N, C) float; labels (N,) int in ``[0, C)``. Returns ``(loss, dlogits (N, C))`` where
    ``dlogits = (softmax(logits) - onehot(labels)) / N``. Stable for large logits (log-sum-exp)."""
    logits = np.asarray(logits)
    labels = np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(f"cross_entropy: expected logits (N, C) and labels (N,), got {logits.shape}, {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"cross_entropy: labels must be integers, got dtype {labels.dtype}")
    n, classes = logits.shape
    if n and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"cross_entropy: labels must lie in [0, {classes}), got {labels.min()}..{labels.max()}")
    logp = log_softmax(logits)
    rows = np.arange(n)
    loss = -float(np.mean(logp[rows, labels]))
    dlogits = np.exp(logp)
    dlogits[rows, labels] -= 1.0
    return loss, dlogits / n


class Dropout:
    """Inverted dropout (``torch.nn.Dropout``): in training, zero each element with probability ``p`` and scale
    the survivors by ``1/(1-p)``, so evaluation is the identity.

    ``rng`` is a ``np.random.Generator`` or an int seed. ``train()``/``eval()`` switch mode; ``forward`` draws a
    fresh mask each call in training mode and ``backward`` applies the same mask to the upstream gradient.
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = float(p)
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.training = True
        self._mask: np.ndarray | None = None

    def train(self, mode: bool = True) -> Dropout:
        self.training = mode
        return self

    def eval(self) -> Dropout:
        return self.train(False)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x (any shape) -> the same shape. Identity in eval mode or when p = 0."""
        x = np.asarray(x)
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        if self.p == 1.0:
            self._mask = np.zeros_like(x)
        else:
            keep = self.rng.random(x.shape) >= self.p
            self._mask = keep.astype(x.dtype) / (1.0 - self.p)
        return x * self._mask

    __call__ = forward

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dL/dx for the last ``forward``: ``dy * mask`` (``dy`` itself when the last forward was the identity)."""
        return dy if self._mask is None else dy * self._mask


class SequenceRegressor:
    """A recurrent model read out at its last step by a Linear head, trained with MSE: ``y = head(drop(h_T))``.

    ``model`` is any of the engine's recurrent models (``forward(x)`` -> run with ``output`` (T, B, H) and
    ``backward(run, d_output)`` -> grads with ``params``); ``head`` a :class:`Linear` (H -> out); ``dropout`` an
    optional :class:`Dropout` applied to ``h_T`` in training only. Parameters and gradients live in one flat dict
    with the prefixes ``"rnn."`` and ``"head."``, so one optimiser and one ``clip_grad_norm`` cover the whole net.
    """

    def __init__(self, model: Any, head: Linear, dropout: Dropout | None = None) -> None:
        self.model = model
        self.head = head
        self.dropout = dropout
        self._params = {f"rnn.{k}": v for k, v in model.parameters().items()}
        self._params.update({f"head.{k}": v for k, v in head.parameters().items()})

    def parameters(self) -> dict[str, np.ndarray]:
        """The live arrays of the model and the head, keyed ``rnn.<name>`` / ``head.<name>``."""
        return self._params

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        for k, v in self._params.items():
            v[...] = state[k]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x (T, B, X) -> (B, out), without dropout."""
        return self.head.forward(self.model.forward(x).output[-1])

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """One training pass: x (T, B, X), y (B, out) -> (MSE, gradients keyed like ``parameters()``).

        The gradients are fresh arrays, so clipping them in place leaves nothing else changed."""
        run = self.model.forward(x)
        last = run.output[-1]
        if self.dropout is not None:
            self.dropout.train()
            last = self.dropout.forward(last)
        loss, dpred = mse_loss(self.head.forward(last), y)
        dlast, head_grads = self.head.backward(dpred)
        if self.dropout is not None:
            dlast = self.dropout.backward(dlast)
        d_output = np.zeros_like(run.output)
        d_output[-1] = dlast
        grads = {f"rnn.{k}": v for k, v in self.model.backward(run, d_output).params.items()}
        grads.update({f"head.{k}": v for k, v in head_grads.items()})
        return loss, grads

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> float:
        """MSE on (x (T, B, X), y (B, out)) without dropout."""
        return mse_loss(self.predict(x), y)[0]
