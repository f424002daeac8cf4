"""DESIGN.md section 8: every registered scenario passes PettingZoo's parallel API tests.

The cases are generated from ``heron_simpy.available()`` at collection time, so a
newly registered scenario is tested without editing this file. Scenarios whose
``Config`` has an ``n_agents`` field are also tested with a single agent and with a
larger population. ``parallel_api_test`` reports many problems as warnings rather
than failures, so every warning it raises fails the test here.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import pytest
from gymnasium.utils.env_checker import data_equivalence
from pettingzoo.test import parallel_api_test, parallel_seed_test

import heron_simpy
from heron_simpy import registry

SCENARIOS = heron_simpy.available()
POPULATIONS = (1, 5)  # n_agents overrides for scenarios that have a population
SHORT_CYCLES = 50  # enough to cross several slow-agent ticks (battery fleet: 10 s)


def _population_overrides(scenario_id: str) -> list[dict[str, Any]]:
    if registry.spec(scenario_id).missing:  # its extra is not installed: skipped
        return []
    config = registry.spec(scenario_id).module().Config
    names = {f.name for f in dataclasses.fields(config)}
    return [{"n_agents": n} for n in POPULATIONS] if "n_agents" in names else []


CASES = [pytest.param(sid, {}, id=sid) for sid in SCENARIOS] + [
    pytest.param(sid, o, id=f"{sid}-n_agents={o['n_agents']}")
    for sid in SCENARIOS
    for o in _population_overrides(sid)
]


def test_scenarios_are_registered() -> None:
    assert "battery-v0" in SCENARIOS
    assert _population_overrides("battery-v0") == [{"n_agents": 1}, {"n_agents": 5}]


@pytest.mark.parametrize(("scenario_id", "overrides"), CASES)
def test_parallel_api(scenario_id: str, overrides: dict[str, Any]) -> None:
    env = heron_simpy.make(scenario_id, **overrides)
    # The unmodified scenario runs a whole episode (the truncation at the horizon
    # goes through the API test); population variants run a shorter stretch.
    cycles = env.steps_per_episode + 1 if not overrides else SHORT_CYCLES
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parallel_api_test(env, num_cycles=cycles)
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
    if not overrides:
        assert env.agents == []  # the episode really ended inside the API test


@pytest.mark.parametrize(("scenario_id", "overrides"), CASES)
def test_parallel_seed(scenario_id: str, overrides: dict[str, Any]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parallel_seed_test(lambda: heron_simpy.make(scenario_id, **overrides))
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []


def _episode(scenario_id: str, overrides: dict[str, Any], seed: int) -> list[Any]:
    env = heron_simpy.make(scenario_id, **overrides)
    out: list[Any] = [env.reset(seed=seed)]
    for i, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(100 + i)
    while env.agents:
        out.append(env.step({a: env.action_space(a).sample() for a in env.agents}))
    return out


@pytest.mark.parametrize(("scenario_id", "overrides"), CASES)
def test_seeded_episodes_are_identical_to_the_end(
    scenario_id: str, overrides: dict[str, Any]
) -> None:
    # pettingzoo's parallel_seed_test stops after the first step (it tests
    # `any(terminations)`, which is true for any non-empty dict), so the whole
    # episode is compared here.
    first = _episode(scenario_id, overrides, seed=11)
    second = _episode(scenario_id, overrides, seed=11)
    assert len(first) == registry.build(scenario_id, **overrides).steps + 1
    assert data_equivalence(first, second, exact=True)
    assert not data_equivalence(first, _episode(scenario_id, overrides, seed=12))
