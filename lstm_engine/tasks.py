"""Synthetic sequence tasks for the training demos. Time-major like the models: x is (T, B, X).

Every generator takes a ``np.random.Generator`` so the same seed gives the same data.
"""

from __future__ import annotations

import numpy as np

#: Predicting the mean target 1.0 on the adding problem scores Var(U1 + U2) = 2 * (1/12) = 1/6 (MSE).
ADDING_BASELINE_MSE = 1.0 / 6.0


def adding_problem(n: int, seq_len: int, rng: np.random.Generator,
                   dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber 1997, experiment 4), in its common modern form: values in
    [0, 1), the target the plain sum (the original drew values from [-1, 1] and scaled the target).

    Each sequence has two channels: channel 0 holds values drawn from U(0, 1); channel 1 is a marker that is 1 at
    exactly two steps, one in the first half and one in the second half, and 0 elsewhere. The target is the sum of
    the two marked values. A model that ignores the input and predicts 1.0 scores MSE 1/6
    (``ADDING_BASELINE_MSE``); solving it needs memory across about ``seq_len / 2`` steps.

    Returns x (T, n, 2) and y (n, 1), both ``dtype``.
    """
    if seq_len < 2:
        raise ValueError(f"adding_problem needs seq_len >= 2, got {seq_len}")
    values = rng.random((seq_len, n))
    half = seq_len // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, seq_len, n)
    markers = np.zeros((seq_len, n))
    cols = np.arange(n)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values[first, cols] + values[second, cols])[:, None].astype(dtype)
    return x, y


def interval_task(n: int, seq_len: int, rng: np.random.Generator,
                  dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Interval timing (after Gers, Schraudolph & Schmidhuber 2002, "measuring spike delays").

    One input channel that is 0 except for two unit spikes at steps ``t1 < t2``; the target, read at the last
    step, is the interval between them as a fraction of the sequence, ``(t2 - t1) / seq_len``. The second spike
    falls anywhere after the first, so the network must count the steps in between: a clock, which is what
    peephole connections (the cell state feeding the gates) were proposed for.

    Returns x (T, n, 1) and y (n, 1). ``interval_baseline_mse`` gives the score of predicting the mean interval.
    """
    if seq_len < 3:
        raise ValueError(f"interval_task needs seq_len >= 3, got {seq_len}")
    t1 = rng.integers(0, seq_len - 1, n)
    t2 = t1 + 1 + np.floor(rng.random(n) * (seq_len - 1 - t1)).astype(int)
    x = np.zeros((seq_len, n, 1))
    cols = np.arange(n)
    x[t1, cols, 0] = 1.0
    x[t2, cols, 0] = 1.0
    y = ((t2 - t1) / seq_len)[:, None]
    return x.astype(dtype), y.astype(dtype)


def interval_baseline_mse(seq_len: int) -> float:
    """MSE of always predicting the mean interval on ``interval_task``: the variance of its target, exactly.

    Computed by enumerating the distribution (t1 uniform on [0, T-2], then t2 uniform on (t1, T-1])."""
    targets, weights = [], []
    for t1 in range(seq_len - 1):
        choices = seq_len - 1 - t1
        for t2 in range(t1 + 1, seq_len):
            targets.append((t2 - t1) / seq_len)
            weights.append(1.0 / ((seq_len - 1) * choices))
    target_arr, weight_arr = np.array(targets), np.array(weights)
    mean = float(np.sum(weight_arr * target_arr))
    return float(np.sum(weight_arr * (target_arr - mean) ** 2))


def noisy_series(length: int, noise: float, rng: np.random.Generator,
                 periods: tuple[float, ...] = (17.0, 29.0)) -> tuple[np.ndarray, np.ndarray]:
    """A sum of sines with Gaussian noise: returns (clean (length,), noisy (length,)).

    ``clean[t] = mean_k sin(2 pi t / periods[k] + phase_k)`` with random phases; ``noisy = clean + noise * N(0,1)``.
    """
    t = np.arange(length)
    phases = rng.uniform(0.0, 2.0 * np.pi, len(periods))
    clean = np.mean([np.sin(2.0 * np.pi * t / p + ph) for p, ph in zip(periods, phases)], axis=0)
    return clean, clean + noise * rng.standard_normal(length)


def windows(series: np.ndarray, window: int, dtype: type = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Next-value prediction pairs from a 1-D series: x (window, N, 1) of consecutive values and y (N, 1) the
    value that follows each window, N = len(series) - window."""
    series = np.asarray(series, dtype=np.float64)
    n = len(series) - window
    if window < 1 or n < 1:
        raise ValueError(f"windows: need 1 <= window < len(series), got window={window}, len={len(series)}")
    idx = np.arange(window)[:, None] + np.arange(n)[None, :]
    return series[idx][:, :, None].astype(dtype), series[window:][:, None].astype(dtype)
