"""The ``demo`` command: the embedded demo and its timeline summary."""

from __future__ import annotations

import argparse
from typing import Any

from heron_simpy.cli.parsing import add_budget
from heron_simpy.demo import run_demo

__all__ = ["add_demo"]


def add_demo(sub: Any) -> None:
    """Add the ``demo`` subcommand."""
    demo = sub.add_parser(
        "demo", help="run the embedded demo and print a timeline summary"
    )
    demo.add_argument(
        "--profiles", default="ideal,lan,scada", help="comma-separated profile names"
    )
    demo.add_argument("--t-end", type=float, default=120.0, help="simulated seconds")
    demo.add_argument("--seed", type=int, default=0)
    add_budget(demo)
    demo.set_defaults(handler=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    """Run the embedded demo."""
    profiles = tuple(p.strip() for p in args.profiles.split(",") if p.strip())
    print(run_demo(profiles, args.t_end, args.seed, args.event_budget))
    return 0
