"""Opt-in data parallelism: ``set_num_threads(n)`` splits a batch into up to ``n`` shards run on ``n`` threads.

NumPy's ufuncs run on one core. While a step's sigmoids, tanhs and products run, a multi-threaded BLAS has
nothing to do, so on a 2-core machine one of the cores idles for much of every step. The sequences of a batch are
independent, so a model can instead run whole contiguous slices of the batch (all layers, forward and backward)
on separate threads, each with a one-thread BLAS, and sum the parameter gradients at the end. NumPy releases the
GIL inside its loops and GEMMs, so the threads overlap (``bench/engine.py`` measures how far).

The default is one thread, and every call then runs exactly as without this module. The app keeps it at one:
its UI thread needs the other core.

While a sharded call runs, the BLAS libraries NumPy loaded are held at one thread each (through
``threadpoolctl``, imported on the first sharded call only), and restored when the last concurrent sharded call
ends: two threads each driving a multi-threaded BLAS fight over its thread pool and run slower than one call.

A batch is split only when each shard keeps at least ``MIN_SHARD_ELEMENTS`` gate values per step (gate rows
times sequences): below that, a step is a handful of microseconds of NumPy calls whose Python overhead holds
the GIL, and the threads would mostly wait for each other.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, TypeVar

__all__ = ["MIN_SHARD_ELEMENTS", "get_num_threads", "set_num_threads", "shard_slices"]

T = TypeVar("T")

#: Gate values per step (gate rows G*H times sequences) a shard must keep for a batch to be split at all.
MIN_SHARD_ELEMENTS = 1 << 13

_threads = 1
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_blas_users = 0
_blas_controller: Any = None
_blas_restore: Any = None


def set_num_threads(n: int) -> None:
    """Let each ``forward`` and ``backward`` run on up to ``n`` threads (1, the default, turns sharding off)."""
    global _threads, _executor
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of threads must be a positive integer, got {n!r}")
    with _lock:
        if n != _threads and _executor is not None:
            _executor.shutdown(wait=False)
            _executor = None
        _threads = n


def get_num_threads() -> int:
    """The thread count set by :func:`set_num_threads` (1 by default)."""
    return _threads


def shard_slices(batch: int, rows: int) -> list[slice]:
    """Contiguous slices of ``range(batch)``, one per thread to use, for a model with ``rows`` gate rows per
    sequence (``G*H``); a single slice when the batch should not be split (see the module docstring)."""
    shards = min(_threads, batch)
    while shards > 1 and batch // shards * rows < MIN_SHARD_ELEMENTS:  # the smallest shard must keep enough
        shards -= 1
    bounds = [batch * k // shards for k in range(shards + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(shards)]


def run_all(calls: list[Callable[[], T]]) -> list[T]:
    """Run ``calls`` concurrently (the first on the calling thread) and return their results in order; the first
    exception raised by any of them is raised here once all have finished."""
    global _executor
    with _one_blas_thread():
        with _lock:  # submitted under the lock, so a concurrent set_num_threads cannot shut the pool in between
            if _executor is None:
                _executor = ThreadPoolExecutor(max_workers=max(1, _threads - 1), thread_name_prefix="lstm_engine")
            futures = [_executor.submit(call) for call in calls[1:]]
        try:
            first = calls[0]()
        except BaseException:
            wait(futures)  # no worker may still be writing into the caller's arrays
            raise
        return [first, *(future.result() for future in futures)]


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Hold NumPy's BLAS at one thread while any sharded call is running (counted, so calls may overlap)."""
    global _blas_users, _blas_controller, _blas_restore
    with _lock:
        if _blas_users == 0:
            if _blas_controller is None:
                from threadpoolctl import ThreadpoolController

                _blas_controller = ThreadpoolController().select(user_api="blas")
            _blas_restore = _blas_controller.limit(limits=1)
        _blas_users += 1
    try:
        yield
    finally:
        with _lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_restore.restore_original_limits()
                _blas_restore = None
