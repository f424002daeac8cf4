"""Argument handling the commands share: types, overrides, profile files, errors."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from heron_simpy.compare import load_policy
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET
from heron_simpy.exceptions import ConfigError
from heron_simpy.profile_file import load_profiles, printable
from heron_simpy.registry import spec
from heron_simpy.timing import TimingProfile
from heron_simpy.timing import profiles as builtin_profiles

__all__ = [
    "PLOT_HINT",
    "PROG",
    "add_budget",
    "add_profile_file",
    "add_scenario_args",
    "check_overrides",
    "check_policy",
    "file_profiles",
    "int_at_least",
    "lookup",
    "one_line",
    "parse_overrides",
    "positive_float",
    "printable",
]

PROG = "heron-simpy"
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
ALLOW_OUTSIDE_CSV_HELP = (
    "let --profile-file's empirical csv paths leave the file's folder (absolute "
    "paths, .., symlinks leading out)"
)


# ------------------------------------------------------------------ types


def positive_float(text: str) -> float:
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


def int_at_least(low: int) -> Callable[[str], int]:
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


# -------------------------------------------------------------- arguments


def add_budget(p: argparse.ArgumentParser) -> None:
    """Add the ``--event-budget`` option of run, compare and demo."""
    p.add_argument(
        "--event-budget",
        type=_event_budget,
        default=DEFAULT_EVENT_BUDGET,
        metavar="N",
        help="refuse, before running, work estimated at more than N events (for "
        f"compare: all episodes together; default: {DEFAULT_EVENT_BUDGET:.0e}; "
        "'none': no limit)",
    )


def add_scenario_args(p: argparse.ArgumentParser) -> None:
    """Add the arguments shared by ``run`` and ``compare``."""
    p.add_argument("scenario", metavar="SCENARIO", help="a registered scenario id")
    p.add_argument(
        "--policy",
        metavar="MODULE:CALLABLE",
        default=None,
        help=POLICY_HELP,
    )
    p.add_argument(
        "--t-end",
        type=positive_float,
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
    add_budget(p)


def add_profile_file(p: argparse.ArgumentParser) -> None:
    """Add ``--profile-file`` and ``--allow-outside-csv`` (run and compare)."""
    p.add_argument(
        "--profile-file",
        type=Path,
        default=None,
        metavar="FILE",
        help=PROFILE_FILE_HELP,
    )
    p.add_argument(
        "--allow-outside-csv",
        action="store_true",
        help=ALLOW_OUTSIDE_CSV_HELP,
    )


# ----------------------------------------------------------- scenario, policy


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


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
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


def check_overrides(scenario_id: str, overrides: dict[str, Any]) -> None:
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


def check_policy(ref: str | None) -> None:
    """Import ``module:callable`` (the current directory is searched last).

    Raises:
        ConfigError: A malformed, unimportable or non-callable reference.
    """
    if ref is not None:
        load_policy(ref)


# ------------------------------------------------------------ profile files


def file_profiles(
    path: Path | None, allow_outside_csv: bool = False
) -> dict[str, TimingProfile]:
    """The profiles of ``--profile-file`` (none without one).

    Raises:
        ProfileFileError: The file is unreadable or invalid (every problem).
    """
    if path is None:
        return {}
    return load_profiles(path, allow_outside_csv=allow_outside_csv)


def lookup(
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
        f"from {printable(str(path))}: {printable(', '.join(found))}"
    )


# ------------------------------------------------------------------ output


def one_line(message: str) -> str:
    """Fold a multi-line (bulleted) error message onto one line."""
    lines = [line.strip().removeprefix("- ") for line in message.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) <= 1:
        return lines[0] if lines else message
    head, rest = lines[0], lines[1:]
    if head.endswith(":"):
        return f"{head} {'; '.join(rest)}"
    return "; ".join(lines)
