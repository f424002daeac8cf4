"""Parallel scaling of compare(): a 4-profile x 8-seed sweep on 1 and 2 workers.

Reports the wall time with ``workers=1`` (serial, in this process) and
``workers=2`` (process pool), the speed-up (target: >= 1.7x on 2 cores), and the
per-episode overhead of the pool (and of Ray, when installed) against running
the same episodes serially in one process. Before reporting, it checks that
every backend returned identical rows: seeds, not scheduling, decide results.

    python benchmarks/compare_scaling.py [--quick] [--json out.json]
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

from heron_simpy.compare import compare

PROFILES = ("ideal", "lan", "wan", "scada")


def timed(**kwargs: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = compare("battery-v0", profiles=PROFILES, **kwargs)
    return time.perf_counter() - t0, result


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    seeds = 2 if args.quick else 8
    n_agents = (args.sizes or [4 if args.quick else 20])[0]
    common = {"seeds": seeds, "n_agents": n_agents}
    episodes = len(PROFILES) * seeds
    best: dict[str, float] = {}
    results: dict[str, Any] = {}
    backends = [("serial", {"workers": 1}), ("pool-2", {"workers": 2})]
    if importlib.util.find_spec("ray") is not None:
        backends.append(("ray", {"backend": "ray"}))
    for _ in range(args.repeat):
        for name, kw in backends:
            wall, result = timed(**common, **kw)
            best[name] = min(best.get(name, float("inf")), wall)
            results[name] = result
    reference = results["serial"].rows
    for name, result in results.items():
        if result.rows != reference:
            raise SystemExit(
                f"rows differ between serial and {name}: refusing to report"
            )
    print(
        f"check: identical rows from {', '.join(results)} ({episodes} episodes, "
        f"battery-v0 with {n_agents} batteries)"
    )
    serial = best["serial"]
    per_episode = serial / episodes
    rows = []
    for name, wall in best.items():
        speedup = serial / wall
        overhead = (
            wall * (1 if name == "serial" else _workers(name)) - serial
        ) / episodes
        rows.append(
            {
                "backend": name,
                "wall_s": wall,
                "speedup": speedup,
                "overhead_per_episode_s": overhead,
            }
        )
        print(
            f"{name:<7} wall {wall:7.2f} s  speed-up {speedup:4.2f}x  "
            f"overhead per episode {overhead * 1e3:7.1f} ms "
            f"(serial episode {per_episode * 1e3:.1f} ms)"
        )
    if "ray" not in best:
        print("ray: not installed (pip install 'heron-simpy[ray]' to measure it)")
    write(
        args.json,
        {
            "benchmark": "compare_scaling",
            "params": {
                "seeds": seeds,
                "n_agents": n_agents,
                "profiles": PROFILES,
                "repeat": args.repeat,
            },
            "versions": versions(),
            "rows": rows,
        },
    )


def _workers(name: str) -> int:
    """CPU-seconds multiplier of a backend (its workers' total busy time)."""
    return 2 if name in ("pool-2", "ray") else 1


if __name__ == "__main__":
    main()
