"""The ``heron-simpy`` program: its parser, ``main`` and the error handling."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from heron_simpy.cli.bench import add_bench
from heron_simpy.cli.compare import add_compare
from heron_simpy.cli.demo import add_demo
from heron_simpy.cli.listing import add_list
from heron_simpy.cli.parsing import PROG, one_line
from heron_simpy.cli.run import add_run
from heron_simpy.exceptions import HeronError
from heron_simpy.profile_file import ProfileFileError

__all__ = ["main"]

DESCRIPTION = (
    "Test multi-agent control policies under event-driven field timing, on SimPy."
)

Handler = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    p = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (add_list, add_run, add_compare, add_bench, add_demo):
        add(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 2 on bad input or a failed episode (one
        error line on stderr, plus one line per problem of an invalid profile
        file), 130 when interrupted (Ctrl-C), and 1 when ``bench`` finds that
        the engine and the heapq floor disagree.
    """
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (HeronError, ValueError, OSError) as exc:
        # A profile file's problems stay one per line; others fold onto one.
        text = str(exc) if isinstance(exc, ProfileFileError) else one_line(str(exc))
        message = text or type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
