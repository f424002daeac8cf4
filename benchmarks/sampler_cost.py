"""Per-call cost of the batched timing samplers against a per-call numpy draw.

Every sampler the engine calls per event (ratio jitter, delay models, loss
models) pre-draws its stream in batches of 256. This script times one call of
each against the baseline the batching replaces -- one scalar ``Generator``
draw per call -- in the same process, and checks first that the batched
samplers reproduce the scalar reference values (so a fast wrong sampler fails).

    python benchmarks/sampler_cost.py [--json out.json]
"""

from __future__ import annotations

import math
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

from heron_simpy.timing import (
    BernoulliLoss,
    FixedDelay,
    GaussianDelay,
    GilbertElliottLoss,
    JitterType,
    LogNormalDelay,
    RatioDelay,
    UniformDelay,
)

CASES = {
    "ratio-uniform": RatioDelay(1.0, JitterType.UNIFORM, 0.3, 0.1),
    "ratio-gaussian": RatioDelay(1.0, JitterType.GAUSSIAN, 0.3, 0.1),
    "ratio-lognormal": RatioDelay(1.0, JitterType.LOGNORMAL, 0.3, 0.1),
    "fixed": FixedDelay(0.2),
    "uniform": UniformDelay(0.1, 0.3),
    "gaussian": GaussianDelay(0.2, 0.05),
    "lognormal": LogNormalDelay(0.2, 0.4),
    "bernoulli-loss": BernoulliLoss(0.1),
    "gilbert-elliott-loss": GilbertElliottLoss(0.01, 0.3),
}


def check() -> None:
    """Batched uniform-ratio samples equal the scalar formula."""
    sample = CASES["ratio-uniform"].sampler(np.random.default_rng(1))
    rng = np.random.default_rng(1)
    for _ in range(1000):
        ref = max(1.0 * (1 + 0.3 * (2 * rng.random() - 1)), 0.1)
        if not math.isclose(sample(), ref, rel_tol=0, abs_tol=1e-15):
            raise SystemExit("batched sampler does not reproduce the scalar stream")


def per_call(fn, number: int = 200_000, repeat: int = 5) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    check()
    rng = np.random.default_rng(args.seed)
    base = per_call(rng.standard_normal)
    print(f"baseline: one scalar numpy draw per call = {base * 1e9:.0f} ns")
    rows = []
    for name, model in CASES.items():
        sample = model.sampler(np.random.default_rng(args.seed))
        cost = per_call(sample)
        rows.append(
            {
                "sampler": name,
                "ns_per_call": cost * 1e9,
                "ratio_to_scalar_draw": cost / base,
            }
        )
        print(
            f"{name:<22} {cost * 1e9:7.0f} ns/call   "
            f"{cost / base:5.2f}x the scalar draw"
        )
    write(
        args.json,
        {
            "benchmark": "sampler_cost",
            "params": {"seed": args.seed},
            "versions": versions(),
            "baseline_ns": base * 1e9,
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
