"""Regenerate tests/engine/reference/*.npz: PyTorch's answers for small cross-check cases.

    python tests/engine/make_reference.py

Each file holds one case's inputs (as engine_support.make_case builds them) and, under ``expect/``, what torch.nn
computed: output, final state and the gradients of sum(output * d_output) + sum(final state * d_state) with respect
to every parameter, the input and the initial state. test_models_reference.py checks the engine against these
without needing PyTorch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from engine_support import KINDS, make_case, torch_results

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
#: (num_layers, masked, dtype) per model; small shapes keep every file a few kilobytes.
CASES = ((1, False, "float64"), (2, True, "float64"), (2, True, "float32"))
SEED = 2024


def case_name(kind: str, num_layers: int, masked: bool, dtype: str) -> str:
    return f"{kind.lower()}_l{num_layers}_{'masked' if masked else 'full'}_{dtype}"


def main() -> None:
    REFERENCE_DIR.mkdir(exist_ok=True)
    for kind in KINDS:
        for num_layers, masked, dtype in CASES:
            case = make_case(kind, num_layers, masked, dtype, seed=SEED)
            expected = torch_results(kind, case)
            arrays = {**case, **{f"expect/{k}": v for k, v in expected.items()}}
            arrays["meta/kind"] = np.array(kind)
            arrays["meta/torch_version"] = np.array(torch.__version__)
            path = REFERENCE_DIR / f"{case_name(kind, num_layers, masked, dtype)}.npz"
            np.savez_compressed(path, **arrays)
            print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
