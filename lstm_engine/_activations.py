"""In-place sigmoid and tanh built on ``np.exp``, for any finite input.

NumPy's float64 ``tanh`` is a scalar libm loop on these machines (about 26 ns per element, measured) while ``exp``
is SIMD (about 5 ns), and the step loops spend most of their time here. So the models feed these kernels
pre-activations that are already negated (and doubled for tanh) by folding the factor into their weight copies,
an exact scaling by a power of two:

    σ(a)    = 1 / (1 + exp(z))          with z = -a
    tanh(a) = 2 / (1 + exp(z)) - 1      with z = -2a   (= 2σ(2a) - 1)

For a very negative ``a`` ``exp(z)`` overflows to inf, and the formulas still give the right limits: σ = 1/inf = 0
(the true value, below 1e-38 in float32 and 1e-308 in float64, rounds to 0 as well) and tanh = 2/inf - 1 = -1.
Callers run the kernels under ``np.errstate(over="ignore")`` (:func:`overflow_ok`) so that this expected overflow
raises no warning; clamping ``z`` instead costs a pass over the data on every step. ``1 / z`` is written as a
division: NumPy's float64 ``reciprocal`` is not vectorised here and takes almost twice as long.
"""

from __future__ import annotations

import numpy as np

#: Weight factors that turn a pre-activation a into the z the kernels take.
SIGMOID_SCALE = -1.0
TANH_SCALE = -2.0


def overflow_ok() -> np.errstate:
    """The floating-point error state the kernels run under: exp's overflow to inf is expected (see above)."""
    return np.errstate(over="ignore")


def sigmoid_(z: np.ndarray) -> np.ndarray:
    """In place: ``z`` holds ``-a``; afterwards it holds ``σ(a)``. Any shape, float32 or float64."""
    np.exp(z, out=z)
    np.add(z, 1.0, out=z)
    np.divide(1.0, z, out=z)
    return z


def tanh_(z: np.ndarray) -> np.ndarray:
    """In place: ``z`` holds ``-2a``; afterwards it holds ``tanh(a)``. Any shape, float32 or float64."""
    np.exp(z, out=z)
    np.add(z, 1.0, out=z)
    np.divide(2.0, z, out=z)
    np.subtract(z, 1.0, out=z)
    return z


def tanh_from_sigmoid_(s: np.ndarray) -> np.ndarray:
    """In place: ``s`` holds ``σ(2a)`` (what :func:`sigmoid_` makes of ``z = -2a``); afterwards ``tanh(a)``."""
    np.multiply(s, 2.0, out=s)
    np.subtract(s, 1.0, out=s)
    return s


def tanh_of_(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = tanh(x)`` for an unscaled ``x`` (one more ufunc call than :func:`tanh_`)."""
    np.multiply(x, TANH_SCALE, out=out)
    return tanh_(out)
