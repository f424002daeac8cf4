"""The ``heron-simpy`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from heron_simpy.demo import run_demo
from heron_simpy.exceptions import HeronError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="heron-simpy", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="run the embedded demo and print a timeline summary"
    )
    demo.add_argument(
        "--profiles", default="ideal,lan,scada", help="comma-separated profile names"
    )
    demo.add_argument("--t-end", type=float, default=120.0, help="simulated seconds")
    demo.add_argument("--seed", type=int, default=0)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            profiles = tuple(p.strip() for p in args.profiles.split(",") if p.strip())
            print(run_demo(profiles, args.t_end, args.seed))
    except HeronError as exc:
        print(f"heron-simpy: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
