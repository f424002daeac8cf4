"""Sweeps over one timing parameter: each value becomes a timing regime."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from heron_simpy.engine.budget import (
    AGENT_SETUP_EVENTS,
    DEFAULT_EVENT_BUDGET,
    check_event_budget,
    refuse_over_budget,
)
from heron_simpy.exceptions import ConfigError
from heron_simpy.timing import BernoulliLoss, JitterType, TimingProfile, resolve_profile

__all__ = ["PROFILE_PARAMS", "Regime", "Sweep", "exact", "parse_sweep"]

#: Parameters a sweep can vary on every level of a base profile.
PROFILE_PARAMS = ("obs_delay", "act_delay", "msg_delay", "jitter_ratio", "loss")


@dataclass(frozen=True)
class Regime:
    """One timing regime of a comparison.

    Attributes:
        label: Row label (a profile name, or ``param=value``).
        profile: The timing profile to run under.
        overrides: Scenario overrides of this regime (for sweeps over a
            scenario parameter such as ``coordinator_tick``).
        value: The swept value (None for a named profile).
    """

    label: str
    profile: TimingProfile
    overrides: tuple[tuple[str, Any], ...] = ()
    value: float | None = None


@dataclass(frozen=True)
class Sweep:
    """Vary one parameter over ``values`` on top of a base profile.

    ``param`` is one of :data:`PROFILE_PARAMS` (applied on every level of
    ``base``; ``loss`` is a Bernoulli message-loss probability; a
    ``jitter_ratio`` on a base without jitter uses gaussian jitter) or the name
    of a numeric scenario override (for example ``coordinator_tick``).

    Attributes:
        param: The parameter.
        values: Its values, in order.
        base: The profile the values are applied to.

    Example:
        >>> from heron_simpy.compare import Sweep
        >>> [r.label for r in Sweep("obs_delay", (0.0, 0.5)).regimes()]
        ['obs_delay=0', 'obs_delay=0.5']
    """

    param: str
    values: tuple[float, ...]
    base: str | TimingProfile = "ideal"

    def __post_init__(self) -> None:
        if isinstance(self.values, (str, bytes)) or not isinstance(
            self.values, Iterable
        ):
            raise TypeError(
                f"Sweep {self.param} values must be a list of numbers, "
                f"got {self.values!r}"
            )
        object.__setattr__(self, "values", tuple(map(self._number, self.values)))
        if not self.values:
            raise ConfigError(
                f"Sweep {self.param!r} needs at least one value, got none"
            )
        for v in self.values:
            if not math.isfinite(v) or v < 0:
                raise ConfigError(
                    f"Sweep {self.param} values must be finite and >= 0, got {v!r}"
                )
        seen: set[float] = set()
        repeated: set[float] = set()
        for v in self.values:
            (repeated if v in seen else seen).add(v)
        if repeated:
            shown = ", ".join(map(repr, sorted(repeated)[:5]))
            more = ", ..." if len(repeated) > 5 else ""
            raise ConfigError(
                f"Sweep {self.param} values must be distinct, got {shown}{more} "
                "more than once"
            )
        if self.param == "loss" and max(self.values) > 1:
            raise ConfigError(
                "Sweep loss values must be probabilities in [0, 1], "
                f"got {max(self.values)!r}"
            )

    def _number(self, value: Any) -> float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"Sweep {self.param} values must be numbers, got {value!r}"
            ) from None

    def regimes(self) -> list[Regime]:
        """One regime per value."""
        base = resolve_profile(self.base)
        return [self._regime(base, v) for v in self.values]

    def regime(self, index: int) -> Regime:
        """The regime of ``values[index]`` alone (no other value is built)."""
        return self._regime(resolve_profile(self.base), self.values[index])

    def _regime(self, base: TimingProfile, value: float) -> Regime:
        label = f"{self.param}={exact(value)}"
        if self.param in PROFILE_PARAMS:
            return Regime(label, _apply(base, self.param, value), (), value)
        return Regime(label, base, ((self.param, value),), value)


def exact(value: float) -> str:
    """``value`` as short as ``:g`` writes it when that reads back equal, else repr.

    Two different values never give the same text, so sweep labels are unique.

    Example:
        >>> exact(0.5), exact(1.0), exact(1.0000005), exact(123456789.0)
        ('0.5', '1', '1.0000005', '123456789.0')
    """
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _apply(base: TimingProfile, param: str, value: float) -> TimingProfile:
    """``base`` with ``param`` set to ``value`` on every level."""
    if param == "loss":
        return base.replace(
            name=f"{base.name}+loss={exact(value)}",
            loss=BernoulliLoss(value) if value > 0 else None,
        )
    changes: dict[str, Any] = {param: value}
    if param == "jitter_ratio" and base.field.jitter_type is JitterType.NONE:
        changes["jitter_type"] = JitterType.GAUSSIAN
    levels = {
        lvl: getattr(base, lvl).replace(**changes)
        for lvl in ("field", "coordinator", "system")
    }
    return base.replace(name=f"{base.name}+{param}={exact(value)}", **levels)


_SWEEP = re.compile(
    r"^(?P<param>[a-z_][a-z0-9_]*)=(?P<start>[^:]+):(?P<stop>[^:]+):(?P<n>[^:]+)$"
)


def parse_sweep(
    text: str,
    base: str | TimingProfile = "ideal",
    *,
    event_budget: float | None = DEFAULT_EVENT_BUDGET,
) -> Sweep:
    """Parse ``PARAM=START:STOP:N`` (N evenly spaced values, both ends included).

    N is counted before any value is made: every value is at least one
    episode, and an episode sets up at least one agent
    (``AGENT_SETUP_EVENTS`` events), so N is refused when that floor is over
    ``event_budget`` (:mod:`heron_simpy.engine.budget`). :func:`compare` then
    checks the real estimate of every episode.

    Args:
        text: ``PARAM=START:STOP:N``.
        base: The profile the values are applied to.
        event_budget: Events the comparison may take; None: no limit.

    Raises:
        ConfigError: Malformed text, non-numbers, N < 1, START > STOP, or
            equal values.
        BudgetError: N values cannot fit in ``event_budget``.

    Example:
        >>> from heron_simpy.compare import parse_sweep
        >>> parse_sweep("obs_delay=0:2:5").values
        (0.0, 0.5, 1.0, 1.5, 2.0)
    """
    m = _SWEEP.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        raise ConfigError(
            "sweep must look like PARAM=START:STOP:N (e.g. obs_delay=0:2:5), "
            f"got {text!r}"
        )
    try:
        start, stop = float(m["start"]), float(m["stop"])
        n = int(m["n"])
    except ValueError:
        raise ConfigError(
            f"sweep START and STOP must be numbers and N an integer, got {text!r}"
        ) from None
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise ConfigError(
            f"sweep {m['param']} START and STOP must be finite, got {text!r}"
        )
    if n < 1 or start > stop:
        raise ConfigError(f"sweep needs N >= 1 and START <= STOP, got {text!r}")
    refuse_over_budget(
        float(n) * AGENT_SETUP_EVENTS,
        check_event_budget(event_budget, "parse_sweep"),
        f"sweep {text.strip()!r} ({n:,} values, each at least one episode of "
        "one agent)",
    )
    values: Sequence[float] = (
        [start] if n == 1 else np.linspace(start, stop, n).tolist()
    )
    return Sweep(m["param"], tuple(values), base)
