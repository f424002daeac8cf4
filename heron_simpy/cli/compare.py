"""The ``compare`` command: a policy under several timing regimes or a sweep.

When a comparison stops early (a failed episode, Ctrl-C) it still prints and
writes the rows of every regime that finished. Without matplotlib the PNG is
skipped with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from heron_simpy.cli.parsing import (
    PLOT_HINT,
    PROG,
    add_profile_file,
    add_scenario_args,
    check_overrides,
    check_policy,
    file_profiles,
    int_at_least,
    lookup,
    parse_overrides,
)
from heron_simpy.compare import (
    DEFAULT_PROFILES,
    OUTPUT_FILES,
    Comparison,
    ComparisonInterrupted,
    EpisodeError,
    Sweep,
    compare,
    parse_sweep,
)
from heron_simpy.compare.progress import ProgressLine
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.figures import has_matplotlib
from heron_simpy.recording.files import check_output_dir
from heron_simpy.timing import TimingProfile

__all__ = ["add_compare"]

_has_matplotlib = has_matplotlib  # a module global, so tests can switch it off


def add_compare(sub: Any) -> None:
    """Add the ``compare`` subcommand."""
    p = sub.add_parser(
        "compare",
        help="run a policy under several timing regimes and compare returns",
        description="Run a policy under several timing regimes (or a sweep of one "
        "parameter) over several seeds; print the table and write DIR/compare.json "
        "and DIR/compare.png.",
    )
    add_scenario_args(p)
    regimes = p.add_mutually_exclusive_group()
    regimes.add_argument(
        "--profiles",
        default=None,
        help="comma-separated profile names, built-in or from --profile-file "
        f"(default: {','.join(DEFAULT_PROFILES)}; with --profile-file: ideal, then "
        "every profile of the file in file order)",
    )
    regimes.add_argument(
        "--sweep",
        default=None,
        metavar="PARAM=START:STOP:N",
        help="vary one parameter (obs_delay, act_delay, msg_delay, jitter_ratio, "
        "loss, or a numeric scenario override) over N values",
    )
    p.add_argument(
        "--base", default=None, help="profile a --sweep starts from (default: ideal)"
    )
    add_profile_file(p)
    p.add_argument(
        "--seeds",
        type=int_at_least(1),
        default=5,
        metavar="N",
        help="seeds 0..N-1 per regime (default: 5)",
    )
    p.add_argument(
        "--workers",
        type=int_at_least(1),
        default=None,
        metavar="W",
        help="worker processes (default: CPU count; 1 runs in this process)",
    )
    p.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="local process pool or Ray (default: local)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("heron-out"),
        metavar="DIR",
        help="output directory (default: heron-out)",
    )
    p.set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    """Compare timing regimes; print the table; write JSON and PNG.

    A comparison that stops early (a failed episode, Ctrl-C) still prints and
    writes the rows of every regime that finished, then re-raises.
    """
    overrides = parse_overrides(args.overrides)
    check_overrides(args.scenario, overrides)
    check_policy(args.policy)
    found = file_profiles(args.profile_file, args.allow_outside_csv)
    sweep = _sweep(args, overrides, found)
    regimes = _regimes(args.profiles, found, args.profile_file)
    out = check_output_dir(args.out, "compare --out", OUTPUT_FILES)
    progress = ProgressLine(sys.stderr)
    try:
        try:
            result = compare(
                args.scenario,
                args.policy,
                regimes,
                args.seeds,
                args.workers,
                args.backend,
                args.t_end,
                sweep=sweep,
                progress=progress,
                event_budget=args.event_budget,
                **overrides,
            )
        finally:
            progress.close()
    except (EpisodeError, ComparisonInterrupted) as exc:
        if exc.partial is not None and exc.partial.episodes:
            _report(exc.partial, args.seeds, out)
        raise
    _report(result, args.seeds, out)
    return 0


def _sweep(
    args: argparse.Namespace,
    overrides: dict[str, Any],
    found: Mapping[str, TimingProfile],
) -> Sweep | None:
    """The ``--sweep`` of a compare, checked against the scenario.

    Raises:
        ConfigError: ``--base`` without ``--sweep``, a malformed sweep, an
            unknown base profile, or a first value the scenario rejects
            (values of the wrong kind fail here, not in ``compare``).
    """
    if args.sweep is None:
        if args.base is not None:
            raise ConfigError(f"compare --base needs --sweep, got --base {args.base!r}")
        return None
    base = lookup(args.base or "ideal", found, args.profile_file)
    sweep = parse_sweep(args.sweep, base, event_budget=args.event_budget)
    first = sweep.regime(0)  # resolves the base; compare checks every value
    check_overrides(args.scenario, {**overrides, **dict(first.overrides)})
    return sweep


def _regimes(
    text: str | None, found: Mapping[str, TimingProfile], path: Path | None
) -> list[str | TimingProfile]:
    """The regimes of a compare: ``--profiles``, or ideal plus the file's."""
    if text is None:
        names = list(DEFAULT_PROFILES)
        if found:
            names = ["ideal", *(name for name in found if name != "ideal")]
    else:
        names = [p.strip() for p in text.split(",") if p.strip()]
    return [lookup(name, found, path) for name in names]


def _report(result: Comparison, seeds: int, out: Path) -> None:
    """Print a comparison's table and write its files (finished rows only)."""
    head = f"{result.scenario_id}: {len(result.rows)} regimes x {seeds} seeds"
    if result.error is not None:
        head = f"{result.scenario_id}: stopped early; the {len(result.rows)} "
        head += f"regime(s) that finished x {seeds} seeds"
    print(f"{head}, degradation against {result.baseline!r}")
    print(result.table())
    written = result.save(out, plot=_has_matplotlib())
    print("\n".join(f"wrote {path}" for path in written))
    if result.rows and len(written) == 1:
        png = out / OUTPUT_FILES[1]
        print(
            f"{PROG}: skipped {png}: plotting needs matplotlib: {PLOT_HINT}",
            file=sys.stderr,
        )
