"""Engine throughput against a hand-written heapq event loop (the CPython floor).

The workload, the floor and the trace check live in ``heron_simpy.throughput``
(so ``heron-simpy bench`` works from an installed package); this script adds
the shared benchmark arguments and the JSON output.

    python benchmarks/engine_throughput.py                 # N = 10, 100, 1000
    python benchmarks/engine_throughput.py --quick         # N = 10, 100, 300 s
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

from heron_simpy.throughput import run


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    horizon = args.horizon or (300.0 if args.quick else 3600.0)
    rows = run(
        sizes, horizon, args.seed, args.repeat, lambda line: print(line, flush=True)
    )
    write(
        args.json,
        {
            "benchmark": "engine_throughput",
            "params": vars(args)
            | {"sizes": sizes, "horizon": horizon, "json": str(args.json)},
            "versions": versions(),
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
