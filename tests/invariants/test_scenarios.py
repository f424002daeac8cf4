"""Invariants for every registered scenario, under every profile, with random faults.

Every id of ``heron_simpy.available()`` is built small (``SMALL``; an id not
listed runs with its defaults for at most 30 steps) and run over ``[0,
t_end)``:

- under a random profile (a built-in one -- ideal, lan, wan, scada, traffic --
  or a random ``TimingProfile`` with random per-level delays, jitter,
  ``min_delay`` and loss) and a random fault schedule aimed at the
  scenario's own agent ids (exact ids, ``"*"``, prefix patterns), one SimPy
  event at a time, checked after every event (:class:`Monitor`) and as a whole
  trace (:func:`check_trace`);
- for every (scenario, built-in profile) pair with a random fault schedule:
  the same seed gives the identical trace, stats and rewards; a different
  seed gives a different trace under a jittered profile.

A scenario needing a missing optional extra is skipped; ``feeder33-v0``
(pandapower AC power flow, seconds per episode) is marked ``slow``.

Hypothesis examples per test and scenario (``EXAMPLES``):
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import heron_simpy
from heron_simpy import Simulation, registry
from heron_simpy.faults import Fault
from heron_simpy.scenario import Scenario
from heron_simpy.timing import TimingProfile
from tests.invariants import strategies as strat
from tests.invariants.checks import (
    Monitor,
    check_trace,
    lossless_profile,
    note_coverage,
    same_trace,
    stats_dict,
)

#: Small instances (overrides) of the shipped scenarios.
SMALL: dict[str, dict[str, Any]] = {
    "battery-v0": {"n_agents": 3, "coordinator_tick": 5.0, "horizon": 40.0},
    "feeder33-v0": {"horizon": 900.0, "coordinator_tick": 300.0},
    "heating-v0": {"n_rooms": 2, "coordinator_tick": 600.0, "horizon": 3600.0},
    "microgrid-v0": {
        "n_microgrids": 2,
        "n_batteries": 1,
        "coordinator_tick": 10.0,
        "operator_tick": 20.0,
        "horizon": 40.0,
    },
    "sensor-network-v0": {"n_sensors": 4, "horizon": 40.0},
    "traffic-v0": {"n_intersections": 2, "horizon": 20.0},
}

EXAMPLES = {
    "test_every_event_and_whole_trace": 60,  # per scenario
    "test_same_seed_same_trace": 6,  # per (scenario, profile)
}
#: feeder33-v0 (slow) runs this fraction of every count (at least one).
HEAVY_SCALE = 0.2
__doc__ += "\n".join(f"- ``{k}``: {v}" for k, v in EXAMPLES.items()) + "\n"

HEAVY = {"feeder33-v0"}  # real power-flow solvers: seconds per episode


def scenario_ids() -> list[Any]:
    return [
        pytest.param(sid, marks=pytest.mark.slow) if sid in HEAVY else sid
        for sid in heron_simpy.available()
    ]


def examples(name: str, scale: float = 1.0) -> settings:
    return strat.budget(round(EXAMPLES[name] * scale))


def build(scenario_id: str) -> Scenario:
    """A fresh small instance of ``scenario_id`` (skipped without its extra)."""
    missing = registry.spec(scenario_id).missing
    if missing:
        pytest.skip(f"{scenario_id} needs {', '.join(missing)} (an optional extra)")
    return registry.build(scenario_id, **SMALL.get(scenario_id, {}))


def t_end_of(scenario: Scenario) -> float:
    return min(scenario.horizon, 30 * scenario.dt)


def simulation(
    scenario_id: str,
    profile: str | TimingProfile,
    seed: int,
    faults: tuple[Fault, ...],
) -> tuple[Simulation, float]:
    """A fresh scenario on a fresh simulation with ``faults`` injected."""
    scenario = build(scenario_id)
    sim = scenario.simulation(profile, seed)
    sim.add_fault(*faults)
    return sim, t_end_of(scenario)


@functools.cache
def _shape(scenario_id: str) -> tuple[tuple[str, ...], float]:
    scenario = build(scenario_id)
    return tuple(a.agent_id for a in scenario.ranked), t_end_of(scenario)


def schedules_for(scenario_id: str) -> st.SearchStrategy[tuple[Fault, ...]]:
    """Fault schedules aimed at the scenario's agents (skips without its extra)."""
    missing = registry.spec(scenario_id).missing
    if missing:
        pytest.skip(f"{scenario_id} needs {', '.join(missing)} (an optional extra)")
    ids, t_end = _shape(scenario_id)
    return strat.schedules(ids, t_end)


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_every_event_and_whole_trace(scenario_id: str) -> None:
    scale = HEAVY_SCALE if scenario_id in HEAVY else 1.0

    @examples("test_every_event_and_whole_trace", scale)
    @given(
        profile=strat.timing_profiles,
        faults=schedules_for(scenario_id),
        seed=strat.seeds,
    )
    def run(profile: str | TimingProfile, faults: tuple[Fault, ...], seed: int) -> None:
        sim, t_end = simulation(scenario_id, profile, seed, faults)
        Monitor(sim).run(t_end)
        note_coverage(sim, check_trace(sim, lossless=lossless_profile(profile)))

    run()


@pytest.mark.parametrize("profile", strat.PROFILES)
@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_same_seed_same_trace(scenario_id: str, profile: str) -> None:
    scale = HEAVY_SCALE if scenario_id in HEAVY else 1.0

    @examples("test_same_seed_same_trace", scale)
    @given(faults=schedules_for(scenario_id), seed=strat.seeds, other=strat.seeds)
    def run(faults: tuple[Fault, ...], seed: int, other: int) -> None:
        first, t_end = simulation(scenario_id, profile, seed, faults)
        first.run_until(t_end)
        again, _ = simulation(scenario_id, profile, seed, faults)
        again.run_until(t_end)
        assert same_trace(first.trace, again.trace)
        assert stats_dict(first) == stats_dict(again)
        assert first.rewards == again.rewards
        ticks = Counter(r.agent_id for r in first.trace if r.kind == "tick")
        if profile in strat.JITTERED and other != seed and max(ticks.values()) >= 3:
            different, _ = simulation(scenario_id, profile, other, faults)
            different.run_until(t_end)
            assert not same_trace(different.trace, first.trace)

    run()
