"""Soak: battery-v0 with 1,000 agents for 24 h of simulated time under ``lan``.

Workload: ``battery-v0`` (1000 batteries ticking at 1 s, one fleet coordinator
at 10 s, reports up and setpoints down through the broker) built with its
horizon set to the run length, run under the ``lan`` timing profile with a
bounded trace (``Recorder("ring", --ring)``) and ``keep_rewards=False``, so
nothing in the run is meant to grow with simulated time. The run is cut into
chunks of ``--chunk`` simulated seconds (default 3600: one per hour); after
each chunk the script records the events processed in it
(``sim.stats.events_processed``), its wall time, and -- after a
``gc.collect()``, outside the timed window -- the process's resident set size
(``/proc/self/statm``) and the interpreter's allocated blocks
(``sys.getallocatedblocks()``). Peak RSS is ``getrusage().ru_maxrss``.

Reported, as ratios against the first chunk of the same run:

* throughput: events/s of every chunk, and the last chunk's events/s over the
  first's (flat throughput is ~1.0x);
* memory: the growth of RSS and of allocated blocks from the end of the first
  chunk to the end of the last, in % (target: under 5 %), plus the absolute
  RSS growth in MiB. Blocks count Python objects only, so they are not diluted
  by big numpy buffers the way RSS is: battery-v0 pre-draws its load walk for
  the whole horizon at reset, (86400 + 1) x 1000 float64 = 659 MiB for the
  full soak (reported as ``plant_noise_mib``), allocated before the first
  chunk.

The script exits with status 1 when either growth is >= ``--max-growth`` (%),
so it is a check, not only a number. It needs at least two chunks to measure a
growth (with one, the check is skipped and reported as such).

Measured here (2 cores shared with other jobs, Python 3.11, lan, seed 0):

* the full soak, started 2026-11-23, ran for the session's remaining time:
  see benchmarks/results/soak_1000x24h_partial.json (and .log) for the
  simulated hours it completed, 14.77 M events each, ~28k events/s, RSS flat at
  771.7 MiB, allocated blocks within +-1 % of hour 1.

* 100 agents x 1 h, chunk 300 s: 1.48 M events, ~42k events/s (24k on a busier
  run), last/first chunk 1.20x (chunk-to-chunk noise 0.9-1.3x), memory growth
  +0.14 % RSS / -0.04 % blocks.
* 1000 agents x 0.25 h, chunk 300 s: 3.69 M events (4105 per simulated s),
  ~27k events/s (24k on a busier run), last/first 0.91x, memory growth
  +0.04 % RSS / -0.66 % blocks. The blocks count swings by ~1 % with the
  fleet's inbox (up to 10 s x 1000 reports waiting) at the moment it is read.
* 10 agents x 24 h, chunk 3600 s: 3.65 M events, memory growth +0.01 % RSS /
  +0.07 % blocks over 23 simulated hours.

The full run (1000 agents x 24 h) is ~355 M events: at 24-30k events/s it
takes about 3.3-4.1 h of wall time on one free core (about 8 s more to build and
pre-draw the plant), each 1 h chunk ~8-10 min; RSS ~0.72 GiB after set-up and
~0.77 GiB peak. Short runs go to another file with ``--out``.

    python benchmarks/soak.py                       # 1000 agents, 24 h (~4 h)
    python benchmarks/soak.py --quick               # 100 agents, 2 h (~1-2 min)
    python benchmarks/soak.py --agents 100 --hours 1 --chunk 300 \\
        --out benchmarks/results/soak_short_100x1h.json
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import versions, write

from heron_simpy.recording import Recorder
from heron_simpy.registry import build

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "soak.json"
MIB = 2**20


def rss_bytes() -> int:
    """Current resident set size of this process (peak RSS where /proc is absent)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # KiB on Linux


def memory() -> tuple[int, int]:
    """(RSS bytes, allocated blocks), read after a full collection."""
    gc.collect()
    return rss_bytes(), sys.getallocatedblocks()


def growth_pct(first: float, last: float) -> float:
    """Growth from ``first`` to ``last``, in % of ``first``."""
    return (last - first) / first * 100.0


def verdict(rows: Sequence[dict[str, Any]], max_growth: float) -> dict[str, Any]:
    """Memory growth from the first row to the last, and whether it stays flat.

    Flat means both the RSS and the allocated-block growth are below
    ``max_growth`` (%). With fewer than two rows there is nothing to compare:
    ``flat`` is None (not checked).
    """
    if len(rows) < 2:
        return {
            "rss_growth_pct": None,
            "blocks_growth_pct": None,
            "rss_growth_mib": None,
            "max_growth_pct": max_growth,
            "flat": None,
        }
    first, last = rows[0], rows[-1]
    rss = growth_pct(first["rss_mib"], last["rss_mib"])
    blocks = growth_pct(first["allocated_blocks"], last["allocated_blocks"])
    return {
        "rss_growth_pct": rss,
        "blocks_growth_pct": blocks,
        "rss_growth_mib": last["rss_mib"] - first["rss_mib"],
        "max_growth_pct": max_growth,
        "flat": rss < max_growth and blocks < max_growth,
    }


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agents", type=int, default=None, help="batteries (1000)")
    p.add_argument("--hours", type=float, default=None, help="simulated hours (24)")
    p.add_argument(
        "--chunk", type=float, default=3600.0, help="simulated s per chunk (3600)"
    )
    p.add_argument("--profile", default="lan", help="timing profile (lan)")
    p.add_argument("--ring", type=int, default=100_000, help="trace ring size")
    p.add_argument(
        "--max-growth",
        type=float,
        default=5.0,
        help="memory growth first->last chunk, %%, at which the check fails (5)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--quick", action="store_true", help="100 agents, 2 h (unless given)"
    )
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="JSON report (results/soak.json)"
    )
    p.add_argument("--no-out", action="store_true", help="write no JSON")
    args = p.parse_args(argv)
    if args.agents is None:
        args.agents = 100 if args.quick else 1000
    if args.hours is None:
        args.hours = 2.0 if args.quick else 24.0
    if args.agents < 1 or args.hours <= 0 or args.chunk <= 0:
        p.error("--agents, --hours and --chunk must be positive")
    return args


def soak(args: argparse.Namespace) -> dict[str, Any]:
    """Run the soak described by ``args``; return the report."""
    end = args.hours * 3600.0
    n_chunks = math.ceil(end / args.chunk - 1e-9)
    t0 = time.perf_counter()
    # The episode must cover the run: battery-v0's load walk covers `horizon` s
    # (drawn lazily, a chunk of steps at a time) and repeats the last step past it.
    # A soak is long on purpose and watches itself: no event budget.
    scenario = build(
        "battery-v0",
        event_budget=None,
        n_agents=args.agents,
        horizon=float(math.ceil(end)),
    )
    sim = scenario.simulation(
        args.profile,
        seed=args.seed,
        recorder=Recorder("ring", args.ring),
        keep_rewards=False,
        event_budget=None,
    )
    sim.start()  # reset the plant and start the agents
    setup_s = time.perf_counter() - t0
    noise = getattr(scenario.plant, "_noise", None)
    rss0, blocks0 = memory()
    start = {
        "rss_mib": rss0 / MIB,
        "allocated_blocks": blocks0,
        "plant_noise_mib": (noise.nbytes / MIB) if noise is not None else None,
        "setup_s": setup_s,
    }
    print(
        f"battery-v0, {args.agents} agents, {args.hours:g} h under {args.profile!r}, "
        f"ring {args.ring}: set-up {setup_s:.1f} s, RSS {start['rss_mib']:.1f} MiB "
        f"(load walk {start['plant_noise_mib'] or 0:.1f} MiB)",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    done = 0
    for k in range(1, n_chunks + 1):
        t_end = min(end, k * args.chunk)
        before = sim.stats.events_processed
        w0, c0 = time.perf_counter(), time.process_time()
        sim.run_until(t_end)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        events = sim.stats.events_processed - before
        done += events
        rss, blocks = memory()
        row = {
            "chunk": k,
            "sim_time_s": t_end,
            "sim_hour": t_end / 3600.0,
            "events": events,
            "wall_s": wall,
            "events_per_s": events / wall if wall > 0 else math.nan,
            "cpu_s": cpu,
            "events_per_cpu_s": events / cpu if cpu > 0 else math.nan,
            "rss_mib": rss / MIB,
            "allocated_blocks": blocks,
            "pending_events": sim.kernel.pending_events,
            "trace_records": len(sim.kernel.recorder),
        }
        rows.append(row)
        print(
            f"  t={t_end / 3600:6.2f} h  {events:10d} events  {wall:7.1f} s  "
            f"{row['events_per_s']:8.0f} ev/s ({row['events_per_cpu_s']:6.0f}/cpu s)  "
            f"RSS {row['rss_mib']:8.1f} MiB  "
            f"blocks {blocks:9d}  queue {row['pending_events']}",
            flush=True,
        )
    wall_total = sum(r["wall_s"] for r in rows)
    cpu_total = sum(r["cpu_s"] for r in rows)
    first, last = rows[0], rows[-1]
    return {
        "benchmark": "soak",
        "scenario": "battery-v0",
        "params": {
            "agents": args.agents,
            "hours": args.hours,
            "chunk_s": args.chunk,
            "profile": args.profile,
            "ring": args.ring,
            "seed": args.seed,
            "max_growth_pct": args.max_growth,
            "quick": args.quick,
        },
        "versions": versions(),
        "start": start,
        "rows": rows,
        "events_total": done,
        "wall_total_s": wall_total,
        "events_per_s": done / wall_total if wall_total > 0 else math.nan,
        "cpu_total_s": cpu_total,
        "events_per_cpu_s": done / cpu_total if cpu_total > 0 else math.nan,
        "events_per_sim_s": done / end,
        "throughput_last_over_first": last["events_per_s"] / first["events_per_s"],
        "cpu_throughput_last_over_first": (
            last["events_per_cpu_s"] / first["events_per_cpu_s"]
        ),
        "peak_rss_mib": peak_rss_bytes() / MIB,
        "memory": verdict(rows, args.max_growth),
        "returns_mean": sum(sim.returns.values()) / max(1, len(sim.returns)),
    }


def table(report: dict[str, Any]) -> str:
    """The report as a markdown table plus a summary."""
    lines = [
        "| sim hour | events | wall s | events/s | vs first "
        "| events/cpu s | vs first | RSS MiB | blocks |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = report["rows"][0]["events_per_s"]
    base_cpu = report["rows"][0]["events_per_cpu_s"]
    for r in report["rows"]:
        lines.append(
            f"| {r['sim_hour']:.2f} | {r['events']} | {r['wall_s']:.1f} | "
            f"{r['events_per_s']:.0f} | {r['events_per_s'] / base:.2f}x | "
            f"{r['events_per_cpu_s']:.0f} | {r['events_per_cpu_s'] / base_cpu:.2f}x | "
            f"{r['rss_mib']:.1f} | {r['allocated_blocks']} |"
        )
    m = report["memory"]
    if m["flat"] is None:
        growth = "memory growth: not measured (one chunk; use a smaller --chunk)"
    else:
        growth = (
            f"memory growth first->last chunk: RSS {m['rss_growth_pct']:+.2f} % "
            f"({m['rss_growth_mib']:+.1f} MiB), allocated blocks "
            f"{m['blocks_growth_pct']:+.2f} % (limit {m['max_growth_pct']:g} %): "
            f"{'flat' if m['flat'] else 'GROWING'}"
        )
    lines += [
        "",
        f"overall: {report['events_total']} events in {report['wall_total_s']:.1f} s"
        f" = {report['events_per_s']:.0f} events/s "
        f"({report['events_per_sim_s']:.0f} per simulated s), "
        f"{report['events_per_cpu_s']:.0f} per CPU s; last/first chunk "
        f"{report['throughput_last_over_first']:.2f}x wall, "
        f"{report['cpu_throughput_last_over_first']:.2f}x CPU",
        f"peak RSS {report['peak_rss_mib']:.1f} MiB "
        f"(at start {report['start']['rss_mib']:.1f} MiB)",
        growth,
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table, write the JSON; 1 if memory grew too much."""
    args = arguments(argv)
    report = soak(args)
    print(table(report), flush=True)
    if not args.no_out:
        write(args.out, report)
    return 1 if report["memory"]["flat"] is False else 0


if __name__ == "__main__":
    sys.exit(main())
