"""The ``run`` command: one event-driven episode, its summary, trace and timeline."""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from heron_simpy.cli.parsing import (
    PLOT_HINT,
    add_profile_file,
    add_scenario_args,
    check_overrides,
    check_policy,
    file_profiles,
    int_at_least,
    lookup,
    parse_overrides,
    printable,
)
from heron_simpy.compare import load_policy
from heron_simpy.evaluation import evaluate
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording import Recorder, to_jsonl
from heron_simpy.recording.figures import has_matplotlib
from heron_simpy.recording.files import check_output_file
from heron_simpy.registry import build
from heron_simpy.simulation import Episode
from heron_simpy.timing import TimingProfile

__all__ = ["add_run"]


def add_run(sub: Any) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="run one event-driven episode and print its summary",
        description="Run one event-driven episode (evaluate) and print a summary.",
    )
    add_scenario_args(p)
    p.add_argument(
        "--profile",
        default=None,
        help="timing profile, built-in or from --profile-file (default: ideal; with "
        "--profile-file, the file's profile if it defines only one)",
    )
    add_profile_file(p)
    p.add_argument(
        "--seed", type=int_at_least(0), default=0, help="master seed (default: 0)"
    )
    p.add_argument(
        "--trace",
        type=Path,
        default=None,
        metavar="OUT.jsonl",
        help="write every trace record as JSON Lines",
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="TIMELINE.png",
        help=f"save a timeline PNG of the trace (needs matplotlib: {PLOT_HINT})",
    )
    p.set_defaults(handler=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    """Run one episode, print its summary, write the trace and timeline."""
    overrides = parse_overrides(args.overrides)
    check_overrides(args.scenario, overrides)
    check_policy(args.policy)
    if args.plot is not None and not has_matplotlib():
        raise ConfigError(f"run --plot needs matplotlib: {PLOT_HINT}")
    _check_outputs(args.trace, args.plot)
    keep = args.trace is not None or args.plot is not None
    horizon = (
        args.t_end
        if args.t_end is not None
        else build(args.scenario, args.event_budget, **overrides).horizon
    )
    found = file_profiles(args.profile_file, args.allow_outside_csv)
    name = _profile(args.profile, found, args.profile_file)
    label = name if name not in found else f"{name} (from {args.profile_file})"
    ep = evaluate(
        args.scenario,
        load_policy(args.policy),
        profile=lookup(name, found, args.profile_file),
        t_end=horizon,
        seed=args.seed,
        recorder=Recorder("full" if keep else "counts"),
        event_budget=args.event_budget,
        **overrides,
    )
    print("\n".join(_summary(args, printable(label), horizon, ep)))
    if args.trace is not None:
        n = to_jsonl(ep.trace, args.trace)
        print(f"wrote {args.trace} ({n} records)")
    if args.plot is not None:
        from heron_simpy.compare.plots import plot_timeline  # noqa: PLC0415

        print(f"wrote {plot_timeline(ep.trace, args.plot, t_end=horizon)}")
    return 0


def _profile(
    name: str | None, found: Mapping[str, TimingProfile], path: Path | None
) -> str:
    """The ``run --profile`` name, defaulting to a one-profile file's profile.

    Raises:
        ConfigError: No ``--profile`` and a file with several profiles.
    """
    if name is not None:
        return name
    if len(found) > 1:
        raise ConfigError(
            f"run --profile-file {printable(str(path))} defines {len(found)} "
            f"profiles; pick one with --profile NAME "
            f"({printable(', '.join(found))})"
        )
    return next(iter(found), "ideal")


def _check_outputs(trace: Path | None, plot: Path | None) -> None:
    """Check ``--trace`` and ``--plot`` before the episode runs.

    Raises:
        ConfigError: A path that is a link or a directory, a folder that cannot
            be created or written, or both options naming one file.
    """
    if trace is not None and plot is not None and trace.absolute() == plot.absolute():
        raise ConfigError(
            f"run --trace and --plot must be different files, got {str(trace)!r}"
        )
    if trace is not None:
        check_output_file(trace, "run --trace")
    if plot is not None:
        check_output_file(plot, "run --plot")


def _summary(
    args: argparse.Namespace, profile: str, horizon: float, ep: Episode
) -> list[str]:
    """The ``run`` summary as aligned ``key  value`` lines."""
    s = ep.stats
    pairs = [
        ("scenario", args.scenario),
        ("profile", profile),
        ("seed", str(args.seed)),
        ("horizon", f"{horizon:g} s"),
        ("total return", f"{math.fsum(ep.returns.values()):.4f}"),
    ]
    pairs += [(f"  {agent_id}", f"{r:.4f}") for agent_id, r in ep.returns.items()]
    pairs += [
        ("ticks", str(s.ticks)),
        (
            "observations",
            f"{s.observations_delivered} delivered, "
            f"{s.observations_discarded} discarded",
        ),
        ("decisions", str(s.decisions)),
        ("actions applied", str(s.actions_applied)),
        (
            "messages",
            f"{s.messages_sent} sent, {s.messages_delivered} delivered, "
            f"{s.messages_dropped} dropped",
        ),
        ("mean obs age", _seconds(s.mean_obs_age)),
        ("mean act latency", _seconds(s.mean_act_latency)),
        ("events processed", str(s.events_processed)),
    ]
    width = max(len(k) for k, _ in pairs)
    return [f"{k:<{width}}  {v}" for k, v in pairs]


def _seconds(value: float) -> str:
    """A mean time in seconds, or ``-`` when there was nothing to average."""
    return "-" if math.isnan(value) else f"{value:.4f} s"
