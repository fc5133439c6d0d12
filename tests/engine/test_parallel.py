"""Batch sharding over threads (``lstm_engine.set_num_threads``): the same answers as PyTorch and as one thread.

Every test forces sharding at small sizes by lowering ``MIN_SHARD_ELEMENTS`` to 1, so each batch is split into
``min(threads, B)`` contiguous shards, uneven where B does not divide.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from engine_support import (
    KINDS,
    REFERENCE_FILES,
    TORCH_TOL,
    assert_results_close,
    engine_results,
    load_reference,
    make_case,
    make_model,
)
from hypothesis import given
from hypothesis import strategies as st
from threadpoolctl import threadpool_info

import lstm_engine as le
from lstm_engine import parallel
from lstm_engine.base import _ShardedCache


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[callable]:
    """Call with n to shard every batch over n threads; one thread again after the test."""
    monkeypatch.setattr(parallel, "MIN_SHARD_ELEMENTS", 1)
    yield le.set_num_threads
    le.set_num_threads(1)


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def _sharded_run(model, x, **kwargs):
    run = model.forward(x, **kwargs)
    assert isinstance(run.cache, _ShardedCache), "the batch was not split"
    return run


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.stem)
def test_sharded_matches_stored_torch_answers(path: Path, threads) -> None:
    """B = 3 on 2 threads: shards of 1 and 2 sequences, with masks, initial states and d_state."""
    threads(2)
    kind, arrays, expected = load_reference(path)
    assert arrays["x"].shape[1] == 3
    assert_results_close(engine_results(kind, arrays), expected, TORCH_TOL[arrays["x"].dtype.name])


@pytest.mark.parametrize("n", [2, 3, 7])
@pytest.mark.parametrize("kind", KINDS)
def test_sharded_matches_torch_live(kind: str, n: int, threads) -> None:
    pytest.importorskip("torch")
    from engine_support import torch_results

    threads(n)
    case = make_case(kind, 2, True, "float64", seed=n, steps=7, batch=7, input_size=3, hidden=5)
    assert_results_close(engine_results(kind, case), torch_results(kind, case), TORCH_TOL["float64"])


@pytest.mark.parametrize("kind", [*KINDS, "peephole"])
def test_every_result_equals_one_thread(kind: str, threads) -> None:
    """Gates, per-layer hidden and cell gradients too (the parts PyTorch does not expose), peepholes included."""
    rng = np.random.default_rng(3)
    steps, batch, hidden, layers = 6, 5, 4, 2
    model = make_model("LSTM", 3, hidden, layers, peephole=True) if kind == "peephole" else make_model(
        kind, 3, hidden, layers
    )
    x = rng.standard_normal((steps, batch, 3))
    mask = (np.arange(steps)[:, None] < np.array([6, 2, 4, 1, 6])[None, :]).astype(float)
    d_out = rng.standard_normal((steps, batch, hidden))
    threads(1)
    one = model.forward(x, mask=mask)
    one_grads = model.backward(one, d_out)
    threads(3)
    run = _sharded_run(model, x, mask=mask)
    grads = model.backward(run, d_out)
    assert len(run.gates) == layers
    for layer in range(layers):
        assert list(run.gates[layer]) == list(one.gates[layer])
        for name, value in one.gates[layer].items():
            np.testing.assert_allclose(run.gates[layer][name], value, rtol=0, atol=1e-14, err_msg=name)
    assert len(grads.hidden) == layers
    for ours, theirs in ((grads.hidden, one_grads.hidden), (grads.cell, one_grads.cell)):
        if theirs is None:
            assert ours is None
            continue
        for layer in (0, 1, -1):
            np.testing.assert_allclose(ours[layer], theirs[layer], rtol=0, atol=1e-14)
        assert [a.shape for a in ours[:]] == [a.shape for a in theirs]
        with pytest.raises(IndexError):
            ours[layers]
    for key, value in one_grads.params.items():
        np.testing.assert_allclose(grads.params[key], value, rtol=0, atol=1e-13, err_msg=key)
    np.testing.assert_allclose(grads.input, one_grads.input, rtol=0, atol=1e-14)


def test_training_updates_reach_every_shard(threads) -> None:
    """Optimisers update the parameter arrays in place; the shard copies share them, so three Adam steps on two
    threads end where three steps on one thread do."""
    rng = np.random.default_rng(5)
    x, target = rng.standard_normal((8, 6, 2)), rng.standard_normal((8, 6, 4))
    finals = []
    for n in (1, 2):
        threads(n)
        model = make_model("LSTM", 2, 4, seed=1)
        opt = le.Adam(model.parameters(), lr=0.05)
        for _ in range(3):
            run = model.forward(x)
            opt.step(model.backward(run, 2 * (run.output - target)).params)
        finals.append(model.state_dict())
    for key, value in finals[0].items():
        np.testing.assert_allclose(finals[1][key], value, rtol=0, atol=1e-12, err_msg=key)


def test_concurrent_callers_share_one_model(threads) -> None:
    """Two user threads driving the same sharded model at once each get their own, correct, results."""
    model = make_model("GRU", 3, 5, 2)
    inputs = [np.random.default_rng(seed).standard_normal((9, 6, 3)) for seed in range(2)]
    threads(1)
    expected = [model.backward(model.forward(x), np.ones((9, 6, 5))).params for x in inputs]
    threads(2)
    got: list = [None, None]

    def work(k: int) -> None:
        for _ in range(20):
            got[k] = model.backward(model.forward(inputs[k]), np.ones((9, 6, 5))).params

    workers = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for want, have in zip(expected, got):
        for key, value in want.items():
            np.testing.assert_allclose(have[key], value, rtol=0, atol=1e-13, err_msg=key)


def test_blas_held_at_one_thread_only_while_sharded(threads) -> None:
    before = _blas_threads()
    threads(2)
    seen = parallel.run_all([_blas_threads, _blas_threads])
    assert seen == [[1] * len(before)] * 2
    assert _blas_threads() == before


def test_a_failing_shard_raises_and_restores_blas(threads) -> None:
    before = _blas_threads()
    threads(2)

    def fail() -> None:
        raise ValueError("shard failed")

    with pytest.raises(ValueError, match="shard failed"):
        parallel.run_all([lambda: 1, fail])
    with pytest.raises(ValueError, match="shard failed"):
        parallel.run_all([fail, lambda: 1])
    assert _blas_threads() == before
    assert parallel.run_all([lambda: 1, lambda: 2]) == [1, 2]


@given(
    n=st.integers(1, 8),
    batch=st.integers(1, 200),
    rows=st.integers(1, 4096),
    minimum=st.sampled_from([1, 1 << 13]),
)
def test_shards_cover_the_batch_in_order(n: int, batch: int, rows: int, minimum: int) -> None:
    saved = (parallel.get_num_threads(), parallel.MIN_SHARD_ELEMENTS)
    try:
        parallel.MIN_SHARD_ELEMENTS = minimum
        le.set_num_threads(n)
        parts = parallel.shard_slices(batch, rows)
    finally:
        le.set_num_threads(saved[0])
        parallel.MIN_SHARD_ELEMENTS = saved[1]
    assert [i for part in parts for i in range(batch)[part]] == list(range(batch))
    sizes = [part.stop - part.start for part in parts]
    assert max(sizes) - min(sizes) <= 1
    assert len(parts) <= min(n, batch)
    assert min(sizes) * rows >= minimum or len(parts) == 1
    more = len(parts) + 1  # one more shard would be allowed but would leave the smallest too small
    assert more > min(n, batch) or batch // more * rows < minimum


def test_one_thread_by_default_and_small_batches_stay_whole() -> None:
    assert le.get_num_threads() == 1
    model = make_model("LSTM", 2, 8)
    x = np.zeros((3, 4, 2))
    assert not isinstance(model.forward(x).cache, _ShardedCache)
    le.set_num_threads(2)
    try:  # 4 sequences x 32 gate rows: far below MIN_SHARD_ELEMENTS
        assert not isinstance(model.forward(x).cache, _ShardedCache)
    finally:
        le.set_num_threads(1)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_bad_thread_counts_are_refused(bad) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        le.set_num_threads(bad)
    assert le.get_num_threads() == 1
