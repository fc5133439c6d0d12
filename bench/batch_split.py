"""Would the engine gain from its own threads? Batch halves on two Python threads against one call on a 2-thread BLAS.

    python bench/batch_split.py                   # LSTM and GRU, large shape, float64 and float32
    python bench/batch_split.py --models gru --dtypes float64 --repeats 9

NumPy's ufuncs run on one core, so during the elementwise part of each step (the sigmoids, tanh and products) the
second core idles while BLAS waits. The batch's sequences are independent, so one alternative is data
parallelism: two Python threads each run forward+backward on half the batch (NumPy drops the GIL inside its
loops) with BLAS on one thread each, and the two weight gradients are summed. This script times both ways at the
large shape of ``bench/engine.py`` (T, B, X, H) = (200, 64, 128, 256), each in its own process because the BLAS
thread count is fixed when NumPy loads, and prints the speed-up and the fraction of the 2-thread GEMM ceiling
each way reaches. Timing only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

from engine import GATES, model_flops

SHAPE = (200, 64, 128, 256)


def _child(mode: str, model: str, dtype_name: str, repeats: int) -> dict[str, float]:
    """Runs in a child process whose BLAS thread count the parent set: times one way, returns medians."""
    import numpy as np

    import lstm_engine as le

    t, b, x, h = SHAPE
    dtype = np.dtype(dtype_name)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((t, b, x)).astype(dtype)
    d_out = rng.standard_normal((t, b, h)).astype(dtype)
    cls = {"lstm": le.LSTM, "gru": le.GRU}[model]
    half = b // 2
    models = [cls(x, h, dtype=dtype, seed=0) for _ in range(2)]

    def whole() -> None:
        models[0].backward(models[0].forward(xs), d_out)

    def halves() -> dict:
        results: list = [None, None]

        def run(k: int) -> None:
            part = slice(k * half, (k + 1) * half)
            results[k] = models[k].backward(models[k].forward(xs[:, part]), d_out[:, part]).params

        worker = threading.Thread(target=run, args=(1,))
        worker.start()
        run(0)
        worker.join()
        return {name: results[0][name] + results[1][name] for name in results[0]}  # summed weight gradients

    fn = whole if mode == "whole" else halves
    for _ in range(2):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    # The ceiling as bench/engine.py measures it: NumPy's GEMM rate at the step's shape, at this process's threads.
    from engine import gemm_gflops

    ceiling = gemm_gflops(np, b, h, GATES[model] * h, dtype, 3) if mode == "whole" else 0.0
    return {"ms": statistics.median(times), "gemm_gflops": ceiling}


def _spawn(mode: str, model: str, dtype: str, repeats: int, blas_threads: int) -> dict[str, float]:
    from quizzer.cli import BLAS_THREAD_VARS

    env = dict(os.environ, **{var: str(blas_threads) for var in BLAS_THREAD_VARS})
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--models", model, "--dtypes", dtype, "--repeats", str(repeats)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child", choices=("whole", "halves"), help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.child:
        print(json.dumps(_child(opts.child, opts.models, opts.dtypes, opts.repeats)))
        return 0

    t, b, x, h = SHAPE
    print(f"# {os.cpu_count()} cores; shape (T, B, X, H) = {SHAPE}; forward+backward, median of {opts.repeats}")
    print(f"{'model':5} {'dtype':7} {'1 call, BLAS 2 thr':>19} {'2 halves, BLAS 1 thr':>21} {'speed-up':>9} "
          f"{'%ceil':>6} {'->':>2} {'%ceil':>6}")
    for model in opts.models.split(","):
        for dtype in opts.dtypes.split(","):
            whole = _spawn("whole", model, dtype, opts.repeats, 2)
            halves = _spawn("halves", model, dtype, opts.repeats, 1)
            flops = model_flops(model, t, b, x, h, "fwd+bwd")
            ceiling = whole["gemm_gflops"] * 1e9
            frac_whole, frac_halves = (100 * flops / (ms / 1e3) / ceiling for ms in (whole["ms"], halves["ms"]))
            print(f"{model:5} {dtype:7} {whole['ms']:16.1f} ms {halves['ms']:18.1f} ms "
                  f"{whole['ms'] / halves['ms']:8.2f}x {frac_whole:5.0f}%    {frac_halves:5.0f}%",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
