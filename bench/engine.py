"""The NumPy engine side by side with PyTorch on the CPU, in one process, interleaved run by run.

    python bench/engine.py                 # everything (a few minutes on 2 cores)
    python bench/engine.py --quick         # fewer repeats, skips the large shape
    python bench/engine.py --models lstm --shapes demo,medium --dtypes float64

For each model, shape (T, B, X, H), dtype and mode (forward, forward+backward) it prints the median wall time of
the engine and of PyTorch 2.13.0 with the same thread count, their ratio (engine / PyTorch; below 1 means the
engine is faster), and the achieved GFLOP/s against NumPy's own GEMM rate at the step's GEMM shape (the ceiling
on this machine, measured on its own just before, see ``gemm_gflops``). The issue's targets are printed with a
verdict at the end. Timing only: nothing is asserted.

The "floor" columns time only the part of one call that the engine cannot shed: its GEMMs at their shapes (the
input projection, one recurrent GEMM per step, and for the backward one more per step plus the weight- and
input-gradient GEMMs) and the ``np.exp`` calls its sigmoids and tanhs need (exp is NumPy's cheapest
transcendental, see ``lstm_engine/_activations.py``), run back to back on preallocated arrays with none of the
other elementwise work. "best" is floor / PyTorch: a ratio target below it cannot be met by an engine that does
its arithmetic through NumPy's BLAS and ufuncs on this machine, however its Python is arranged. (The floor runs
its GEMMs unit-major, ``(G*H, K) @ (K, B)``; at the demo and medium shapes on two BLAS threads those tiny GEMMs
time erratically and the engine, or the RNN's time-major loop, has come in below the floor there.) Where the engine
splits the batch over threads (``lstm_engine.set_num_threads``, the "shards" column), the floor is split the same
way and run on the same threads.

The engine runs with ``lstm_engine.set_num_threads(--engine-threads)``, by default the same count as BLAS and
PyTorch; ``--engine-threads 1`` shows the engine on one Python thread with a multi-threaded BLAS instead.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from quizzer.cli import BLAS_THREAD_VARS

SHAPES: dict[str, tuple[int, int, int, int]] = {
    "demo": (50, 32, 2, 16),
    "medium": (100, 32, 32, 64),
    "large": (200, 64, 128, 256),
    "long": (1000, 1, 1, 32),
}
#: Gate blocks per model: rows of weight_ih are GATES * H.
GATES = {"lstm": 4, "gru": 3, "rnn": 1}
#: A backward pass costs about two forward GEMMs (input and weight gradients) per forward GEMM.
BACKWARD_FLOP_FACTOR = 2

# (model, shape, dtype, mode) -> maximum median ratio engine / PyTorch, from the benchmarks issue.
RATIO_TARGETS: dict[tuple[str, str, str, str], float] = {}
for _model in GATES:
    RATIO_TARGETS[(_model, "demo", "float64", "fwd+bwd")] = 0.5
    RATIO_TARGETS[(_model, "medium", "float64", "fwd+bwd")] = 0.5
    RATIO_TARGETS[(_model, "long", "float64", "fwd+bwd")] = 0.3
    RATIO_TARGETS[(_model, "large", "float32", "fwd+bwd")] = 1.2
    RATIO_TARGETS[(_model, "large", "float32", "forward")] = 1.5
#: Untimed runs per side before timing.
WARMUP_RUNS = 2
#: LSTM and GRU forward+backward at the large shape reach this fraction of the GEMM ceiling.
CEILING_TARGET = 0.8
#: exp calls per unit and batch element in one step: LSTM 4 gates + tanh(c_t), GRU r, z, n, RNN tanh.
EXPS_PER_UNIT = {"lstm": 5, "gru": 3, "rnn": 1}


@dataclass
class Row:
    model: str
    shape: str
    dtype: str
    mode: str
    engine_ms: float
    torch_ms: float
    gflops: float
    ceiling_gflops: float
    floor_ms: float
    flops: float
    shards: int

    @property
    def ratio(self) -> float:
        return self.engine_ms / self.torch_ms

    @property
    def best_ratio(self) -> float:
        """The ratio the floor alone gives: no NumPy engine gets below it here."""
        return self.floor_ms / self.torch_ms

    @property
    def best_ceiling(self) -> float:
        """The fraction of the GEMM ceiling the floor alone reaches."""
        return self.flops / (self.floor_ms / 1e3) / 1e9 / self.ceiling_gflops


def model_flops(model: str, t: int, b: int, x: int, h: int, mode: str) -> float:
    """Multiply-add FLOPs of the GEMMs (2 per MAC); elementwise work is not counted."""
    forward = 2.0 * t * b * GATES[model] * h * (x + h)
    return forward * (1 + BACKWARD_FLOP_FACTOR) if mode == "fwd+bwd" else forward


def median_ms(fn: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def gemm_gflops(np, b: int, k: int, n: int, dtype, repeats: int) -> float:
    """NumPy's GEMM rate for (b, k) @ (k, n), the per-step recurrent GEMM shape: the best of ``repeats`` runs of
    back-to-back calls, after a warm-up run.

    Measured on its own, before the interleaved loop: on these virtual machines a 2-thread GEMM that follows work
    which left the second core idle (or ran BLAS at one thread) runs at half speed or less for tens of
    milliseconds, so timing it between the other calls would measure the machine's wake-up, not NumPy's rate.
    """
    rng = np.random.default_rng(0)
    a = rng.standard_normal((b, k)).astype(dtype)
    w = rng.standard_normal((k, n)).astype(dtype)
    out = np.empty((b, n), dtype=dtype)
    inner = max(1, int(2e8 / (2 * b * k * n)))  # enough calls to take ~0.1 s at 2 GFLOP/s

    def run() -> None:
        for _ in range(inner):
            np.matmul(a, w, out=out)

    run()
    best = min(median_ms(run, repeats)) / 1e3
    return 2.0 * b * k * n * inner / best / 1e9


def floor_fn(np, model: str, t: int, b: int, x: int, h: int, dtype, mode: str) -> Callable[[], None]:
    """The GEMMs and exp calls of one engine call at this shape, and nothing else (see the module docstring),
    split over threads as the engine would split this batch."""
    from lstm_engine.parallel import run_all, shard_slices

    parts = shard_slices(b, GATES[model] * h)
    if len(parts) == 1:
        return _floor_part(np, model, t, b, x, h, dtype, mode)
    calls = [_floor_part(np, model, t, part.stop - part.start, x, h, dtype, mode) for part in parts]
    return lambda: run_all(calls)


def _floor_part(np, model: str, t: int, b: int, x: int, h: int, dtype, mode: str) -> Callable[[], None]:
    rows = GATES[model] * h
    rng = np.random.default_rng(2)

    def arr(*shape: int, low: float = -1.0, high: float = 1.0):
        return rng.uniform(low, high, shape).astype(dtype)

    w_ih, w_hh, x_ones = arr(rows, x + 1), arr(rows, h), arr(t, x + 1, b)
    proj, rec, h_prev = arr(t, rows, b), arr(rows, b), arr(h, b)
    w_hh_t, carry = np.ascontiguousarray(w_hh.T), arr(h, b)
    # exp's inputs as the kernels see them (-a, with a of either sign); values that do not overflow.
    pre, gate = arr(EXPS_PER_UNIT[model] * h, b, low=-8.0, high=8.0), arr(EXPS_PER_UNIT[model] * h, b)
    flat, xs, states = arr(rows, t * b), arr(t * b, x), arr(t * b, h)
    d_w_ih, d_w_hh, d_input = arr(rows, x), arr(rows, h), arr(t * b, x)
    backward = mode == "fwd+bwd"

    def run() -> None:
        np.matmul(w_ih, x_ones, out=proj)
        for _ in range(t):
            np.matmul(w_hh, h_prev, out=rec)
            np.exp(pre, out=gate)
        if backward:
            for _ in range(t):
                np.matmul(w_hh_t, rec, out=carry)
            np.matmul(flat, xs, out=d_w_ih)
            np.matmul(flat, states, out=d_w_hh)
            np.matmul(flat.T, w_ih[:, :x], out=d_input)

    return run


def timed_calls(torch, engine, ref, xs, d_out) -> list[tuple[str, Callable[[], None], Callable[[], None]]]:
    """(mode, engine call, PyTorch call) for forward and for forward+backward, on the same data."""
    tx = torch.from_numpy(xs).requires_grad_(True)
    tgrad = torch.from_numpy(d_out)

    def engine_forward() -> None:
        engine.forward(xs)

    def engine_both() -> None:
        engine.backward(engine.forward(xs), d_out)

    def torch_forward() -> None:
        with torch.no_grad():
            ref(tx)

    def torch_both() -> None:
        ref.zero_grad(set_to_none=True)
        tx.grad = None
        out, _ = ref(tx)
        out.backward(tgrad)

    return [("forward", engine_forward, torch_forward), ("fwd+bwd", engine_both, torch_both)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="lstm,gru,rnn")
    parser.add_argument("--shapes", default="demo,medium,large,long")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per side (median reported)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="BLAS and PyTorch threads")
    parser.add_argument("--engine-threads", type=int, help="lstm_engine.set_num_threads (default: --threads)")
    parser.add_argument("--quick", action="store_true", help="3 repeats and no large shape")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.repeats = 3
        opts.shapes = ",".join(s for s in opts.shapes.split(",") if s != "large")

    # Same thread count on both sides: set BLAS threads before NumPy loads.
    for var in BLAS_THREAD_VARS:
        os.environ[var] = str(opts.threads)
    import numpy as np

    import lstm_engine as le

    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: pip install -e '.[torch]'", file=sys.stderr)
        return 2
    torch.set_num_threads(opts.threads)
    engine_threads = opts.threads if opts.engine_threads is None else opts.engine_threads
    le.set_num_threads(engine_threads)
    from lstm_engine.parallel import shard_slices

    print(f"# machine: {platform.machine()}, {os.cpu_count()} cores, threads={opts.threads}, "
          f"engine threads={engine_threads}, "
          f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}")
    engines = {"lstm": le.LSTM, "gru": le.GRU, "rnn": le.RNN}
    references = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
    rows: list[Row] = []
    header = f"{'model':5} {'shape':7} {'dtype':7} {'mode':8} {'engine ms':>10} {'torch ms':>10} {'ratio':>6} " \
             f"{'GFLOP/s':>8} {'ceiling':>8} {'%ceil':>6} {'floor ms':>9} {'best':>5} {'shards':>6}"
    print(header)
    print("-" * len(header))
    for shape in opts.shapes.split(","):
        t, b, x, h = SHAPES[shape]
        for dtype_name in opts.dtypes.split(","):
            np_dtype = np.dtype(dtype_name)
            torch_dtype = getattr(torch, dtype_name)
            rng = np.random.default_rng(1)
            xs = rng.standard_normal((t, b, x)).astype(np_dtype)
            d_out = rng.standard_normal((t, b, h)).astype(np_dtype)
            for model in opts.models.split(","):
                ceiling = gemm_gflops(np, b, h, GATES[model] * h, np_dtype, 3)
                engine = engines[model](x, h, dtype=np_dtype, seed=0)
                ref = references[model](x, h).to(torch_dtype)
                with torch.no_grad():
                    for name, value in engine.state_dict().items():
                        getattr(ref, name).copy_(torch.from_numpy(np.ascontiguousarray(value)))
                for mode, efn, tfn in timed_calls(torch, engine, ref, xs, d_out):
                    ffn = floor_fn(np, model, t, b, x, h, np_dtype, mode)
                    for _ in range(WARMUP_RUNS):  # first calls pay for allocation and oneDNN set-up
                        efn(), tfn(), ffn()
                    e_times: list[float] = []
                    t_times: list[float] = []
                    f_times: list[float] = []
                    for _ in range(opts.repeats):  # interleaved, so drift hits all three alike
                        e_times += median_ms(efn, 1)
                        t_times += median_ms(tfn, 1)
                        f_times += median_ms(ffn, 1)
                    e_ms, t_ms = statistics.median(e_times), statistics.median(t_times)
                    flops = model_flops(model, t, b, x, h, mode)
                    gflops = flops / (e_ms / 1e3) / 1e9
                    row = Row(model, shape, dtype_name, mode, e_ms, t_ms, gflops, ceiling,
                              statistics.median(f_times), flops, len(shard_slices(b, GATES[model] * h)))
                    rows.append(row)
                    print(f"{model:5} {shape:7} {dtype_name:7} {mode:8} {e_ms:10.2f} {t_ms:10.2f} "
                          f"{row.ratio:6.2f} {gflops:8.2f} {row.ceiling_gflops:8.2f} "
                          f"{100 * gflops / row.ceiling_gflops:5.0f}% {row.floor_ms:9.2f} {row.best_ratio:5.2f} "
                          f"{row.shards:6d}",
                          flush=True)

    print()
    print("# targets (median ratio engine/PyTorch, lower is better; ceiling fraction, higher is better)")
    for row in rows:
        key = (row.model, row.shape, row.dtype, row.mode)
        if key in RATIO_TARGETS:
            target = RATIO_TARGETS[key]
            verdict = "PASS" if row.ratio <= target else "MISS"
            print(f"{verdict}  {row.model} {row.shape} {row.dtype} {row.mode}: ratio {row.ratio:.2f} "
                  f"(target <= {target}; GEMMs + exp alone give {row.best_ratio:.2f})")
        if row.model in ("lstm", "gru") and row.shape == "large" and row.mode == "fwd+bwd":
            frac = row.gflops / row.ceiling_gflops
            verdict = "PASS" if frac >= CEILING_TARGET else "MISS"
            print(f"{verdict}  {row.model} large {row.dtype} fwd+bwd: {100 * frac:.0f}% of the GEMM ceiling "
                  f"(target >= {100 * CEILING_TARGET:.0f}%; GEMMs + exp alone give {100 * row.best_ceiling:.0f}%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
