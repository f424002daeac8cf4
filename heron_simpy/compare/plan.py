"""What a comparison will run, checked before any episode: seeds, regimes, events."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from heron_simpy.compare.sweep import PROFILE_PARAMS, Regime, Sweep
from heron_simpy.engine.budget import refuse_over_budget
from heron_simpy.exceptions import ConfigError
from heron_simpy.registry import build, spec
from heron_simpy.timing import TickConfig, TimingProfile, resolve_profile

__all__ = ["DEFAULT_PROFILES", "check_t_end", "checked_seeds", "plan_regimes"]

DEFAULT_PROFILES = ("ideal", "lan", "wan", "scada")


def check_t_end(t_end: float | None) -> None:
    """Refuse a horizon no episode could run with (the rule of ``evaluate``).

    Raises:
        ConfigError: Not None and not a finite number > 0.
    """
    if t_end is None:
        return
    if (
        isinstance(t_end, bool)
        or not isinstance(t_end, (int, float))
        or not math.isfinite(t_end)
        or t_end <= 0
    ):
        raise ConfigError(
            f"compare t_end must be a finite number > 0 s or None, got {t_end!r}"
        )


def checked_seeds(seeds: int | Sequence[int]) -> Sequence[int]:
    """The seeds of a comparison: ``range(n)`` for a count, or the seeds given.

    A count is never turned into a list, so a huge one costs nothing before
    the event budget refuses it; given seeds must be distinct.

    Raises:
        ConfigError: Not a count >= 1 or a non-empty list of ints >= 0, or a
            seed given twice.
    """
    if isinstance(seeds, bool):
        raise ConfigError(
            f"compare seeds must be a count >= 1 or a list of seeds, got {seeds!r}"
        )
    if isinstance(seeds, int):
        if seeds < 1:
            raise ConfigError(
                f"compare seeds must be a count >= 1 or a list of seeds, got {seeds!r}"
            )
        return range(seeds)
    if not isinstance(seeds, Iterable):
        raise ConfigError(
            f"compare seeds must be a count >= 1 or a list of seeds, got {seeds!r}"
        )
    out = list(seeds)
    if not out or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in out
    ):
        raise ConfigError(
            f"compare seeds must be a count >= 1 or a list of seeds, got {seeds!r}"
        )
    repeated = sorted(s for s, n in Counter(out).items() if n > 1)
    if repeated:
        shown = ", ".join(map(repr, repeated[:5]))
        more = ", ..." if len(repeated) > 5 else ""
        raise ConfigError(
            f"compare seeds must be distinct (a repeated seed repeats its episode "
            f"and narrows the interval falsely), got {shown}{more} more than once"
        )
    return out


def plan_regimes(  # noqa: PLR0917  (internal; one call site)
    scenario_id: str,
    profiles: Iterable[str | TimingProfile | TickConfig] | None,
    sweep: Sweep | None,
    n_seeds: int,
    t_end: float | None,
    overrides: dict[str, Any],
    budget: float | None,
) -> list[Regime]:
    """The regimes of a comparison, refused first if over the event budget.

    The estimate is ``n_seeds`` times the sum over regimes of one episode's
    estimated events (``Scenario.estimate_events``). A sweep is counted
    before its regimes are built: ``len(values) x n_seeds x`` the first
    value's episode must fit first. A sweep of a timing parameter leaves the
    tick rates, so every value has the first value's estimate; a sweep of a
    scenario override is estimated (and its config checked) value by value.

    Raises:
        ConfigError: Bad profiles, or a swept value the scenario rejects.
        BudgetError: The comparison would take more than ``budget`` events.
    """
    if sweep is None:
        regimes = _profile_regimes(profiles)
        if budget is not None:
            per = [_episode(scenario_id, r, t_end, overrides, budget) for r in regimes]
            _refuse(
                scenario_id, math.fsum(per), max(per), len(per), n_seeds, t_end, budget
            )
        return regimes
    if budget is not None:
        first = _episode(scenario_id, sweep.regime(0), t_end, overrides, budget)
        n = len(sweep.values)
        _refuse(scenario_id, first * n, first, n, n_seeds, t_end, budget)
    regimes = sweep.regimes()
    if sweep.param in PROFILE_PARAMS:
        return regimes
    if budget is None:
        entry = spec(scenario_id)
        for r in regimes:
            entry.config(**{**overrides, **dict(r.overrides)})
        return regimes
    per = [_episode(scenario_id, r, t_end, overrides, budget) for r in regimes]
    _refuse(scenario_id, math.fsum(per), max(per), len(per), n_seeds, t_end, budget)
    return regimes


def _episode(
    scenario_id: str,
    regime: Regime,
    t_end: float | None,
    overrides: dict[str, Any],
    budget: float,
) -> float:
    """Estimated events of one episode of ``regime`` (set-up included)."""
    scenario = build(scenario_id, budget, **{**overrides, **dict(regime.overrides)})
    return scenario.estimate_events(regime.profile, t_end)


def _refuse(  # noqa: PLR0917  (internal)
    scenario_id: str,
    per_seed: float,
    largest: float,
    n_regimes: int,
    n_seeds: int,
    t_end: float | None,
    budget: float,
) -> None:
    """Refuse ``per_seed x n_seeds`` events over the budget, naming the size."""
    horizon = "the scenario's horizon" if t_end is None else f"t_end={t_end:g} s"
    refuse_over_budget(
        per_seed * n_seeds,
        budget,
        f"compare {scenario_id} of {n_regimes:,} regimes x {n_seeds:,} seeds to "
        f"{horizon} "
        f"(up to {largest:.3g} events per episode)",
    )


def _profile_regimes(
    profiles: Iterable[str | TimingProfile | TickConfig] | None,
) -> list[Regime]:
    """Named regimes: checked, resolved and distinct."""
    if isinstance(profiles, str):
        raise ConfigError(
            "compare profiles must be a list of timing regimes "
            f"(for one profile pass [{profiles!r}]), got {profiles!r}"
        )
    if profiles is not None and not isinstance(profiles, Iterable):
        raise ConfigError(
            f"compare profiles must be a list of timing regimes, got {profiles!r}"
        )
    out = []
    for p in DEFAULT_PROFILES if profiles is None else profiles:
        prof = resolve_profile(p)
        out.append(Regime(p if isinstance(p, str) else prof.name, prof))
    if not out:
        raise ConfigError(
            "compare profiles must name at least one timing regime, got none"
        )
    labels = [r.label for r in out]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"compare profiles must be distinct, got {labels!r}")
    return out
