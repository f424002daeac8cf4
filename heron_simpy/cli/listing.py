"""The ``list`` command: the registered scenarios with their descriptions."""

from __future__ import annotations

import argparse
from typing import Any

from heron_simpy.registry import available, spec

__all__ = ["add_list"]


def add_list(sub: Any) -> None:
    """Add the ``list`` subcommand."""
    p = sub.add_parser(
        "list",
        help="list the registered scenarios",
        description="List the registered scenarios with their descriptions.",
    )
    p.set_defaults(handler=_cmd_list)


def _cmd_list(args: argparse.Namespace) -> int:
    """Print every registered scenario id with its one-line description."""
    ids = available()
    width = max((len(i) for i in ids), default=0)
    for scenario_id in ids:
        print(f"{scenario_id:<{width}}  {spec(scenario_id).description}".rstrip())
    return 0
