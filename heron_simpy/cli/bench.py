"""The ``bench`` command: engine throughput against a bare heapq loop.

It runs the workload of :mod:`heron_simpy.throughput` in this process, so it
works from an installed package as well as from a source checkout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from heron_simpy.cli.parsing import PROG
from heron_simpy.throughput import run as measure_throughput

__all__ = ["FULL", "QUICK", "add_bench"]

QUICK = ((10, 100), 300.0)
"""Population sizes and simulated seconds of ``bench --quick``."""
FULL = ((10, 100, 1000), 3600.0)
"""Population sizes and simulated seconds of ``bench``."""


def add_bench(sub: Any) -> None:
    """Add the ``bench`` subcommand."""
    p = sub.add_parser(
        "bench",
        help="measure engine throughput against a bare heapq loop",
        description="Check that the engine and a bare heapq event loop produce the "
        "same trace, then time both at N = 10, 100 and 1000 agents over 3600 "
        "simulated seconds and print one ratio line per N. For JSON output and "
        "other sizes, run benchmarks/engine_throughput.py from a source checkout.",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="N = 10 and 100 over 300 simulated seconds (a few seconds)",
    )
    p.set_defaults(handler=_cmd_bench)


def _cmd_bench(args: argparse.Namespace) -> int:
    """Check the traces agree, then print one throughput line per size."""
    sizes, horizon = QUICK if args.quick else FULL
    try:
        measure_throughput(list(sizes), horizon, echo=_echo)
    except SystemExit as exc:  # the trace check: engine and floor disagree
        if not isinstance(exc.code, str):
            raise
        print(f"{PROG}: error: {exc.code}", file=sys.stderr)
        return 1
    return 0


def _echo(line: str) -> None:
    """Print one line at once (a full run takes minutes)."""
    print(line, flush=True)
