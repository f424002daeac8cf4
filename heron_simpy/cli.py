"""The ``heron-simpy`` command line: list, run, compare, bench and demo.

Every subcommand returns an exit code: 0 on success, 2 on bad input or a
failed episode (one line ``heron-simpy: error: <message>`` on stderr, no
traceback; argparse usage errors keep argparse's own output; an invalid
``--profile-file`` lists one problem per line), 130 on Ctrl-C. Output paths are
checked before anything runs, and every file is written atomically. When
``compare`` stops early (a failed episode, Ctrl-C) it still writes the rows of
every regime that finished. matplotlib and tqdm are optional: without them
``compare`` skips its PNG and shows a plain progress line.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from heron_simpy.compare import (
    DEFAULT_PROFILES,
    OUTPUT_FILES,
    Comparison,
    ComparisonInterrupted,
    EpisodeError,
    Sweep,
    compare,
    load_policy,
    parse_sweep,
)
from heron_simpy.compare.progress import ProgressLine
from heron_simpy.demo import run_demo
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET
from heron_simpy.evaluation import evaluate
from heron_simpy.exceptions import ConfigError, HeronError
from heron_simpy.profile_file import ProfileFileError, load_profiles
from heron_simpy.recording import Recorder, to_jsonl
from heron_simpy.recording.figures import has_matplotlib
from heron_simpy.recording.files import check_output_dir, check_output_file
from heron_simpy.registry import available, build, spec
from heron_simpy.simulation import Episode
from heron_simpy.timing import TimingProfile
from heron_simpy.timing import profiles as builtin_profiles

__all__ = ["BENCH_SCRIPT", "main"]

PROG = "heron-simpy"
DESCRIPTION = (
    "Test multi-agent control policies under event-driven field timing, on SimPy."
)
#: The engine benchmark, found relative to a source checkout (not installed).
BENCH_SCRIPT = (
    Path(__file__).resolve().parents[1] / "benchmarks" / "engine_throughput.py"
)
PLOT_HINT = "pip install 'heron-simpy[plot]'"
POLICY_HELP = (
    "import MODULE and call CALLABLE(agent_id, observation) -> action at every "
    "decision: this runs MODULE's code with your permissions, so name only code "
    "you trust. MODULE is searched on sys.path first and in the current "
    "directory last (default: the scenario's built-in controllers)"
)
PROFILE_FILE_HELP = (
    "TOML or YAML file of timing profiles and fault schedules (format: "
    "docs/profiles/example_site.toml); its profiles are usable by name and "
    "replace built-ins of the same name"
)

Handler = Callable[[argparse.Namespace], int]
_has_matplotlib = has_matplotlib  # a module global, so tests can switch it off


# --------------------------------------------------------------------- parsing


def _positive_float(text: str) -> float:
    """Argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number > 0, got {text!r}"
        ) from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def _int_at_least(low: int) -> Callable[[str], int]:
    """Argparse type factory: an int >= ``low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an int >= {low}, got {text!r}")
        return value

    return parse


def _event_budget(text: str) -> float | None:
    """Argparse type: a number of events >= 1, or ``none`` for no limit."""
    if text.strip().lower() in ("none", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value >= 1:
        raise argparse.ArgumentTypeError(
            f"must be a number of events >= 1 or 'none', got {text!r}"
        )
    return value


def _add_budget(p: argparse.ArgumentParser) -> None:
    """The ``--event-budget`` option of run, compare and demo."""
    p.add_argument(
        "--event-budget",
        type=_event_budget,
        default=DEFAULT_EVENT_BUDGET,
        metavar="N",
        help="refuse, before running, work estimated at more than N events (for "
        f"compare: all episodes together; default: {DEFAULT_EVENT_BUDGET:.0e}; "
        "'none': no limit)",
    )


def _add_scenario_args(p: argparse.ArgumentParser) -> None:
    """Arguments shared by ``run`` and ``compare``."""
    p.add_argument("scenario", metavar="SCENARIO", help="a registered scenario id")
    p.add_argument(
        "--policy",
        metavar="MODULE:CALLABLE",
        default=None,
        help=POLICY_HELP,
    )
    p.add_argument(
        "--t-end",
        type=_positive_float,
        default=None,
        metavar="T",
        help="horizon in simulated seconds (default: the scenario's)",
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="scenario override, e.g. n_agents=10 (int, float, true/false or str)",
    )
    _add_budget(p)


def _add_list(sub: Any) -> None:
    """Add the ``list`` subcommand."""
    p = sub.add_parser(
        "list",
        help="list the registered scenarios",
        description="List the registered scenarios with their descriptions.",
    )
    p.set_defaults(handler=_cmd_list)


def _add_run(sub: Any) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser(
        "run",
        help="run one event-driven episode and print its summary",
        description="Run one event-driven episode (evaluate) and print a summary.",
    )
    _add_scenario_args(p)
    p.add_argument(
        "--profile",
        default=None,
        help="timing profile, built-in or from --profile-file (default: ideal; with "
        "--profile-file, the file's profile if it defines only one)",
    )
    p.add_argument(
        "--profile-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=PROFILE_FILE_HELP,
    )
    p.add_argument(
        "--seed", type=_int_at_least(0), default=0, help="master seed (default: 0)"
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


def _add_compare(sub: Any) -> None:
    """Add the ``compare`` subcommand."""
    p = sub.add_parser(
        "compare",
        help="run a policy under several timing regimes and compare returns",
        description="Run a policy under several timing regimes (or a sweep of one "
        "parameter) over several seeds; print the table and write DIR/compare.json "
        "and DIR/compare.png.",
    )
    _add_scenario_args(p)
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
    p.add_argument(
        "--profile-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=PROFILE_FILE_HELP,
    )
    p.add_argument(
        "--seeds",
        type=_int_at_least(1),
        default=5,
        metavar="N",
        help="seeds 0..N-1 per regime (default: 5)",
    )
    p.add_argument(
        "--workers",
        type=_int_at_least(1),
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


def _add_bench(sub: Any) -> None:
    """Add the ``bench`` subcommand."""
    p = sub.add_parser(
        "bench",
        help="measure engine throughput against a bare heapq loop",
        description="Run benchmarks/engine_throughput.py (source checkout only) "
        "and print its ratio lines.",
    )
    p.add_argument("--quick", action="store_true", help="small sizes (a few seconds)")
    p.set_defaults(handler=_cmd_bench)


def _add_demo(sub: Any) -> None:
    """Add the ``demo`` subcommand (unchanged)."""
    demo = sub.add_parser(
        "demo", help="run the embedded demo and print a timeline summary"
    )
    demo.add_argument(
        "--profiles", default="ideal,lan,scada", help="comma-separated profile names"
    )
    demo.add_argument("--t-end", type=float, default=120.0, help="simulated seconds")
    demo.add_argument("--seed", type=int, default=0)
    _add_budget(demo)
    demo.set_defaults(handler=_cmd_demo)


def _parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand."""
    p = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_list, _add_run, _add_compare, _add_bench, _add_demo):
        add(sub)
    return p


# ------------------------------------------------------------------ arguments


def _parse_value(text: str) -> Any:
    """An override value: int, then float, then true/false, else the string."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """Turn ``NAME=VALUE`` strings into scenario overrides (the last one wins).

    Raises:
        ConfigError: An item without ``=`` or with an empty name.
    """
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set must look like NAME=VALUE, got {item!r}")
        out[name.strip()] = _parse_value(value.strip())
    return out


def _check_overrides(scenario_id: str, overrides: dict[str, Any]) -> None:
    """Check the scenario id and its overrides before anything runs.

    Raises:
        ConfigError: Unknown scenario or override, a rejected value, or a value
            of the wrong type.
    """
    entry = spec(scenario_id)
    try:
        entry.config(**overrides)
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc


def _check_policy(ref: str | None) -> None:
    """Import ``module:callable`` (the current directory is searched last).

    Raises:
        ConfigError: A malformed, unimportable or non-callable reference.
    """
    if ref is not None:
        load_policy(ref)


def _one_line(message: str) -> str:
    """Fold a multi-line (bulleted) error message onto one line."""
    lines = [line.strip().removeprefix("- ") for line in message.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) <= 1:
        return lines[0] if lines else message
    head, rest = lines[0], lines[1:]
    if head.endswith(":"):
        return f"{head} {'; '.join(rest)}"
    return "; ".join(lines)


# ---------------------------------------------------------------------- list


def _cmd_list(args: argparse.Namespace) -> int:
    """Print every registered scenario id with its one-line description."""
    ids = available()
    width = max((len(i) for i in ids), default=0)
    for scenario_id in ids:
        print(f"{scenario_id:<{width}}  {spec(scenario_id).description}".rstrip())
    return 0


# ----------------------------------------------------------------------- run


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


def _cmd_run(args: argparse.Namespace) -> int:
    """Run one episode, print its summary, write the trace and timeline."""
    overrides = _parse_overrides(args.overrides)
    _check_overrides(args.scenario, overrides)
    _check_policy(args.policy)
    if args.plot is not None and not _has_matplotlib():
        raise ConfigError(f"run --plot needs matplotlib: {PLOT_HINT}")
    _check_run_outputs(args.trace, args.plot)
    keep = args.trace is not None or args.plot is not None
    horizon = (
        args.t_end
        if args.t_end is not None
        else build(args.scenario, args.event_budget, **overrides).horizon
    )
    found = _file_profiles(args.profile_file)
    name = _run_profile(args.profile, found, args.profile_file)
    label = name if name not in found else f"{name} (from {args.profile_file})"
    ep = evaluate(
        args.scenario,
        load_policy(args.policy),
        profile=_lookup(name, found, args.profile_file),
        t_end=horizon,
        seed=args.seed,
        recorder=Recorder("full" if keep else "counts"),
        event_budget=args.event_budget,
        **overrides,
    )
    print("\n".join(_summary(args, label, horizon, ep)))
    if args.trace is not None:
        n = to_jsonl(ep.trace, args.trace)
        print(f"wrote {args.trace} ({n} records)")
    if args.plot is not None:
        from heron_simpy.compare.plots import plot_timeline  # noqa: PLC0415

        print(f"wrote {plot_timeline(ep.trace, args.plot, t_end=horizon)}")
    return 0


def _check_run_outputs(trace: Path | None, plot: Path | None) -> None:
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


# ------------------------------------------------------------------- compare


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
    base = _lookup(args.base or "ideal", found, args.profile_file)
    sweep = parse_sweep(args.sweep, base, event_budget=args.event_budget)
    first = sweep.regime(0)  # resolves the base; compare checks every value
    _check_overrides(args.scenario, {**overrides, **dict(first.overrides)})
    return sweep


def _profiles(text: str | None) -> list[str]:
    """The ``--profiles`` names (default: ideal, lan, wan, scada)."""
    if text is None:
        return list(DEFAULT_PROFILES)
    return [p.strip() for p in text.split(",") if p.strip()]


def _file_profiles(path: Path | None) -> dict[str, TimingProfile]:
    """The profiles of ``--profile-file`` (none without one).

    Raises:
        ProfileFileError: The file is unreadable or invalid (every problem).
    """
    return {} if path is None else load_profiles(path)


def _lookup(
    name: str, found: Mapping[str, TimingProfile], path: Path | None
) -> str | TimingProfile:
    """A profile name: the file's profile, else the built-in name.

    Raises:
        ConfigError: With a profile file, a name that is in neither.
    """
    if name in found:
        return found[name]
    if not found or name in builtin_profiles:
        return name  # resolve_profile reports an unknown built-in name
    valid = ", ".join(sorted(builtin_profiles))
    raise ConfigError(
        f"unknown timing profile {name!r}; valid: {valid}; "
        f"from {path}: {', '.join(found)}"
    )


def _run_profile(
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
            f"run --profile-file {path} defines {len(found)} profiles; pick one "
            f"with --profile NAME ({', '.join(found)})"
        )
    return next(iter(found), "ideal")


def _compare_profiles(
    text: str | None, found: Mapping[str, TimingProfile], path: Path | None
) -> list[str | TimingProfile]:
    """The regimes of a compare: ``--profiles``, or ideal plus the file's."""
    names = _profiles(text)
    if text is None and found:
        names = ["ideal", *(name for name in found if name != "ideal")]
    return [_lookup(name, found, path) for name in names]


def _cmd_compare(args: argparse.Namespace) -> int:
    """Compare timing regimes; print the table; write JSON and PNG.

    A comparison that stops early (a failed episode, Ctrl-C) still prints and
    writes the rows of every regime that finished, then re-raises.
    """
    overrides = _parse_overrides(args.overrides)
    _check_overrides(args.scenario, overrides)
    _check_policy(args.policy)
    found = _file_profiles(args.profile_file)
    sweep = _sweep(args, overrides, found)
    regimes = _compare_profiles(args.profiles, found, args.profile_file)
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


# --------------------------------------------------------------- bench, demo


def _cmd_bench(args: argparse.Namespace) -> int:
    """Run the engine throughput benchmark of a source checkout."""
    script = BENCH_SCRIPT
    if not script.is_file():
        raise ConfigError(
            f"bench needs a source checkout: {script} not found "
            "(benchmarks/ is not installed with the package)"
        )
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (root, env.get("PYTHONPATH", "")) if p
    )
    cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
    return subprocess.run(cmd, env=env, check=False).returncode


def _cmd_demo(args: argparse.Namespace) -> int:
    """Run the embedded demo."""
    profiles = tuple(p.strip() for p in args.profiles.split(",") if p.strip())
    print(run_demo(profiles, args.t_end, args.seed, args.event_budget))
    return 0


# ----------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 2 on bad input or a failed episode (one
        error line on stderr, plus one line per problem of an invalid profile
        file), 130 when interrupted (Ctrl-C), or the benchmark's own code for
        ``bench``.
    """
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except (HeronError, ValueError, OSError) as exc:
        # A profile file's problems stay one per line; others fold onto one.
        text = str(exc) if isinstance(exc, ProfileFileError) else _one_line(str(exc))
        message = text or type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
