"""Gradient clipping and optimisers with exactly ``torch.nn.utils.clip_grad_norm_`` / ``torch.optim`` semantics.

Parameters are the live dicts a model's ``parameters()`` returns (name -> ndarray); ``step(grads)`` takes a dict
with the same names (a missing name is skipped, as a PyTorch parameter whose ``.grad`` is None) and updates the
arrays in place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

#: Added to the total norm before dividing, as ``torch.nn.utils.clip_grad_norm_`` does.
CLIP_EPS = 1e-6


def global_norm(grads: Mapping[str, np.ndarray] | Iterable[np.ndarray]) -> float:
    """The L2 norm of all arrays together: ``sqrt(sum_k ||g_k||^2)``. Accepts a dict or an iterable of arrays."""
    arrays = list(grads.values()) if isinstance(grads, Mapping) else list(grads)
    if not arrays:
        return 0.0
    return float(np.linalg.norm([np.linalg.norm(np.ravel(g)) for g in arrays]))


def clip_grad_norm(grads: Mapping[str, np.ndarray] | Iterable[np.ndarray], max_norm: float) -> float:
    """Scale ``grads`` in place so their global L2 norm is at most ``max_norm``; return the norm before clipping.

    Exactly ``torch.nn.utils.clip_grad_norm_(..., norm_type=2)``: ``coef = max_norm / (total + 1e-6)`` and every
    array is multiplied by ``coef`` only when ``coef < 1``. A non-finite total is returned as is (torch's default
    ``error_if_nonfinite=False``) and the arrays are then scaled by the resulting coefficient, as torch does.
    """
    arrays = list(grads.values()) if isinstance(grads, Mapping) else list(grads)
    total = global_norm(arrays)
    coef = max_norm / (total + CLIP_EPS)
    if coef < 1.0 or np.isnan(coef):
        for g in arrays:
            g *= coef
    return total


def _check(params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
    unknown = set(grads) - set(params)
    if unknown:
        raise KeyError(f"gradients for unknown parameters: {sorted(unknown)}")


class SGD:
    """``torch.optim.SGD`` (no dampening, no Nesterov): ``d = g + wd*p``; with momentum ``buf = d`` on the first
    step and ``buf = momentum*buf + d`` afterwards, ``d = buf``; then ``p -= lr*d``."""

    def __init__(self, params: Mapping[str, np.ndarray], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD needs lr, momentum, weight_decay >= 0, got {lr}, {momentum}, {weight_decay}")
        self.params = params
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self._buffers: dict[str, np.ndarray] = {}

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter that has a gradient in ``grads``, in place."""
        _check(self.params, grads)
        for name, g in grads.items():
            p = self.params[name]
            d = g + self.weight_decay * p if self.weight_decay else g
            if self.momentum:
                buf = self._buffers.get(name)
                if buf is None:
                    buf = self._buffers[name] = np.array(d, dtype=p.dtype, copy=True)
                else:
                    buf *= self.momentum
                    buf += d
                d = buf
            p -= self.lr * d


class Adam:
    """``torch.optim.Adam`` (amsgrad off, L2 ``weight_decay`` added to the gradient).

    Per parameter, with step count t:
    ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g^2``,
    ``p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.
    """

    def __init__(self, params: Mapping[str, np.ndarray], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0 or not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"invalid Adam settings: lr={lr}, betas={betas}, eps={eps}, weight_decay={weight_decay}")
        self.params = params
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.weight_decay = weight_decay
        self._m: dict[str, np.ndarray] = {}
        self._v: dict[str, np.ndarray] = {}
        self._t: dict[str, int] = {}

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter that has a gradient in ``grads``, in place."""
        _check(self.params, grads)
        beta1, beta2 = self.betas
        for name, g in grads.items():
            p = self.params[name]
            if self.weight_decay:
                g = g + self.weight_decay * p
            if name not in self._m:
                self._m[name] = np.zeros_like(p)
                self._v[name] = np.zeros_like(p)
                self._t[name] = 0
            m, v = self._m[name], self._v[name]
            self._t[name] += 1
            t = self._t[name]
            m += (1.0 - beta1) * (g - m)          # torch's lerp: m + (1-b1)(g-m) = b1*m + (1-b1)*g
            v *= beta2
            v += (1.0 - beta2) * g * g
            step_size = self.lr / (1.0 - beta1**t)
            denom = np.sqrt(v) / np.sqrt(1.0 - beta2**t) + self.eps
            p -= step_size * (m / denom)
