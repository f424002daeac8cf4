"""DESIGN.md section 6: under `ideal`, event time equals lockstep, bit for bit.

For every registered scenario, a state-dependent policy is run (a) event-driven
through ``evaluate`` and (b) by stepping the lockstep PettingZoo facade. Every
decision's observation and action, every reward and the final plant state must
be identical -- compared with ``np.array_equal`` and ``==`` on floats, never
approximately.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import heron_simpy
from heron_simpy import registry

SCENARIOS = heron_simpy.available()
T_END = {
    "battery-v0": 60.0,
    "heating-v0": 6 * 300.0,
    "sensor-network-v0": 150.0,
    "microgrid-v0": 120.0,
    "feeder33-v0": 900.0,  # three coordinator ticks of 300 s
}  # short episodes keep the default run fast


def recording_policy(log: list[tuple[Any, ...]], clock: Any):
    """A state-dependent policy (bounded, nonlinear) that logs what it saw."""

    def policy(agent_id: str, obs: np.ndarray) -> Any:
        space = spaces[agent_id]
        x = float(np.tanh(np.sum(obs * np.arange(1, obs.size + 1)) - 1.0))
        lo, hi = float(space.low.ravel()[0]), float(space.high.ravel()[0])
        action = np.full(
            space.shape, lo + (hi - lo) * (x + 1.0) / 2.0, dtype=space.dtype
        )
        log.append((clock(), agent_id, obs.copy(), action.copy()))
        return action

    spaces: dict[str, Any] = {}
    policy.spaces = spaces  # type: ignore[attr-defined]
    return policy


def event_run(scenario_id: str, t_end: float, seed: int, **overrides: Any):
    log: list[tuple[Any, ...]] = []
    holder: dict[str, Any] = {}
    policy = recording_policy(log, lambda: holder["sim"].now)
    scenario = registry.build(scenario_id, **overrides)
    for a in scenario.controllable:
        policy.spaces[a.agent_id] = a.action_space
        a.policy = policy
    sim = scenario.simulation("ideal", seed)
    holder["sim"] = sim
    sim.run_until(t_end)
    state = scenario.state(scenario.plant) if scenario.state else None
    return log, sim.rewards, state


def lockstep_run(scenario_id: str, t_end: float, seed: int, **overrides: Any):
    log: list[tuple[Any, ...]] = []
    env = heron_simpy.make(scenario_id, **overrides)
    policy = recording_policy(log, lambda: env.time)
    for a in env.possible_agents:
        policy.spaces[a] = env.action_space(a)
    obs, infos = env.reset(seed=seed)
    rewards: dict[str, list[float]] = {}
    for _ in range(round(t_end / env.dt)):
        actions = {a: policy(a, obs[a]) for a in env.agents if infos[a]["active"]}
        obs, rew, _, _, infos = env.step(actions)
        for a, r in rew.items():
            rewards.setdefault(a, []).append(r)
    state = env.state()
    return log, rewards, state


@pytest.mark.parametrize("scenario_id", SCENARIOS)
@pytest.mark.parametrize("seed", [0, 7])
def test_ideal_event_run_equals_lockstep_bit_for_bit(
    scenario_id: str, seed: int
) -> None:
    t_end = T_END.get(scenario_id, 30.0)
    ev_log, ev_rewards, ev_state = event_run(scenario_id, t_end, seed)
    ls_log, ls_rewards, ls_state = lockstep_run(scenario_id, t_end, seed)
    assert len(ev_log) == len(ls_log) > 0
    for e, s in zip(ev_log, ls_log, strict=True):
        assert e[:2] == s[:2]
        assert e[2].dtype == s[2].dtype
        assert np.array_equal(e[2], s[2]), (e[:2], e[2], s[2])
        assert e[3].dtype == s[3].dtype
        assert np.array_equal(e[3], s[3])
    controllable = set(ls_rewards)
    assert {a: ev_rewards[a] for a in controllable} == ls_rewards
    assert np.array_equal(ev_state, ls_state)


@pytest.mark.parametrize(
    "overrides",
    [
        {"dt": 0.1, "coordinator_tick": 0.5, "horizon": 3.0},
        {"n_agents": 4, "coordinator_tick": 3.0},
    ],
    ids=["dt=0.1", "coordinator-3s"],
)
def test_equivalence_with_fractional_steps(overrides: dict[str, Any]) -> None:
    """A 0.1 s step: tick k must be the same instant as grid point k (no drift)."""
    t_end = overrides.get("horizon", 30.0)
    ev_log, ev_rewards, ev_state = event_run("battery-v0", t_end, 3, **overrides)
    ls_log, ls_rewards, ls_state = lockstep_run("battery-v0", t_end, 3, **overrides)
    assert len(ev_log) == len(ls_log) > 0
    for e, s in zip(ev_log, ls_log, strict=True):
        assert e[:2] == s[:2]
        assert np.array_equal(e[2], s[2])
        assert np.array_equal(e[3], s[3])
    assert {a: ev_rewards[a] for a in ls_rewards} == ls_rewards
    assert np.array_equal(ev_state, ls_state)


def test_equivalence_test_can_fail() -> None:
    """A lossy profile must break the equality (the comparison is not vacuous)."""
    _, ev_rewards, _ = event_run("battery-v0", 30.0, 0)
    scenario = registry.build("battery-v0")
    log: list[Any] = []
    holder: dict[str, Any] = {}
    policy = recording_policy(log, lambda: holder["sim"].now)
    for a in scenario.controllable:
        policy.spaces[a.agent_id] = a.action_space
        a.policy = policy
    sim = scenario.simulation("lan", 0)
    holder["sim"] = sim
    sim.run_until(30.0)
    assert sim.rewards != ev_rewards
