"""The event-driven training env (``EventEnv``, RLlib ``MultiAgentEnv`` contract).

``make("battery-v0", api="event", profile=...)``: ``step`` runs to the next instant
at which agents decide and returns observations only for them, each with its
reward summed over the grid points since its previous decision. The policy used
throughout is the scenario's own built-in controllers (deterministic functions of
the observation), so a run is a function of the profile and the seed alone.
"""

from __future__ import annotations

import dataclasses
import doctest
import functools
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from heron_simpy.scenarios.battery import battery_controller, fleet_controller

import heron_simpy
from heron_simpy import ActionError, SimulationError
from heron_simpy.facade import EventEnv, asynchronous

ALL = "__all__"
AGENTS = ("fleet", "battery_0", "battery_1")
HORIZON = 300.0
OVER = "EventEnv.step() needs reset() first (the episode is over)"


def policy(agent_id: str, obs: np.ndarray) -> np.ndarray:
    if agent_id == "fleet":
        return fleet_controller(agent_id, obs)
    return battery_controller(agent_id, obs)


@dataclass(frozen=True)
class Step:
    """What one reset() / step() returned (reset: rewards etc. are None)."""

    time: float
    obs: dict[str, np.ndarray]
    rewards: dict[str, float] | None
    terminateds: dict[str, bool] | None
    truncateds: dict[str, bool] | None
    infos: dict[str, dict[str, Any]]
    rows_read: int  # grid points read by then


@dataclass(frozen=True)
class Run:
    steps: tuple[Step, ...]
    reward_rows: tuple[dict[str, float], ...]
    reward_times: tuple[float, ...]
    env: EventEnv


def make(profile: Any = "ideal", **overrides: Any) -> EventEnv:
    return heron_simpy.make("battery-v0", api="event", profile=profile, **overrides)


@functools.cache
def run(profile: str, seed: int) -> Run:
    """One whole episode; cached (tests must not mutate what they read)."""
    env = make(profile)
    obs, infos = env.reset(seed=seed)
    sim = env.simulation
    steps = [Step(env.time, obs, None, None, None, infos, sim.reward_count)]
    while True:
        obs, rew, terms, truncs, infos = env.step(
            {a: policy(a, o) for a, o in obs.items()}
        )
        steps.append(Step(env.time, obs, rew, terms, truncs, infos, sim.reward_count))
        if truncs[ALL]:
            break
    episode = sim.episode()
    return Run(
        tuple(steps),
        tuple(dict(r) for r in sim.reward_rows),
        tuple(episode.reward_times),
        env,
    )


# --------------------------------------------------------------- ideal timing
def test_ideal_decides_on_whole_seconds_with_both_batteries_every_step() -> None:
    steps = run("ideal", 0).steps
    assert len(steps) == 301  # reset at t=0, decisions at t=1..299, the end at t=300
    assert [s.time for s in steps] == [float(k) for k in range(301)]
    for s in steps:
        expected = set(AGENTS) if s.time % 10 == 0 else {"battery_0", "battery_1"}
        assert set(s.obs) == expected, s.time


def test_ideal_reset_returns_every_agent_at_t0() -> None:
    env = make("ideal")
    obs, infos = env.reset(seed=0)
    assert env.time == 0.0
    assert set(obs) == set(AGENTS) == set(infos)
    assert all(info == {"time": 0.0} for info in infos.values())
    for a, o in obs.items():
        assert o in env.observation_space(a)


# --------------------------------------------------------------- realistic timing
@pytest.mark.parametrize("profile", ["lan", "scada"])
def test_observations_are_partial_and_off_the_grid(profile: str) -> None:
    steps = run(profile, 0).steps
    times = [s.time for s in steps]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    # Observation delays are never zero under these profiles: no decision instant
    # is on the 1 s grid (only the closing instant at the horizon is).
    assert all(t != round(t) for t in times[:-1])
    assert times[-1] == HORIZON
    partial = [s for s in steps[:-1] if 0 < len(s.obs) < len(AGENTS)]
    assert len(partial) > len(steps) // 2
    assert all(s.obs for s in steps)  # a step always stops where someone decides
    for s in steps:
        assert set(s.infos) == set(s.obs)
        assert all(info == {"time": s.time} for info in s.infos.values())


@pytest.mark.parametrize("profile", ["ideal", "lan", "scada"])
def test_observations_are_inside_their_spaces(profile: str) -> None:
    r = run(profile, 0)
    for s in r.steps:
        for a, o in s.obs.items():
            assert o in r.env.observation_space(a), (s.time, a, o)


def test_lan_reset_returns_only_the_agents_whose_observation_arrived() -> None:
    env = make("lan")
    obs, _ = env.reset(seed=0)
    assert 0.0 < env.time < 0.1  # one observation delay (50 ms +- 10 %)
    assert 0 < len(obs) < len(AGENTS)


# --------------------------------------------------------------- rewards
@pytest.mark.parametrize("profile", ["ideal", "lan", "scada"])
def test_reward_is_the_sum_of_grid_rewards_since_the_previous_decision(
    profile: str,
) -> None:
    r = run(profile, 0)
    assert len(r.reward_rows) == len(r.reward_times) == 300
    assert list(r.reward_times) == [float(k) for k in range(1, 301)]
    # reset() reports no rewards: an agent's first reward covers everything
    # since the start of the episode, whether or not it decided in reset().
    last_seen: dict[str, float] = dict.fromkeys(AGENTS, -math.inf)
    checked = 0
    for s in r.steps[1:]:
        assert s.rewards is not None
        assert set(s.rewards) == set(s.obs)
        # Exactly the grid points at or before this instant have been read.
        assert all(t <= s.time for t in r.reward_times[: s.rows_read])
        assert all(t > s.time for t in r.reward_times[s.rows_read :])
        for a, got in s.rewards.items():
            expected = 0.0
            for t, row in zip(r.reward_times, r.reward_rows, strict=True):
                if last_seen[a] < t <= s.time:
                    expected += row[a]
            assert got == expected, (profile, s.time, a)
            last_seen[a] = s.time
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("profile", ["ideal", "lan", "scada"])
def test_rewards_returned_over_an_episode_add_up_to_the_episode_return(
    profile: str,
) -> None:
    r = run(profile, 0)
    returned = dict.fromkeys(AGENTS, 0.0)
    for s in r.steps[1:]:
        for a, v in s.rewards.items():
            returned[a] += v
    for a in AGENTS:
        grid = math.fsum(row[a] for row in r.reward_rows)
        assert returned[a] == pytest.approx(grid, rel=1e-12, abs=1e-12), a


# --------------------------------------------------------------- episode end
@pytest.mark.parametrize("profile", ["ideal", "lan", "scada"])
def test_done_flags_carry_all_and_the_episode_ends_at_the_horizon(
    profile: str,
) -> None:
    r = run(profile, 0)
    for s in r.steps[1:-1]:
        assert set(s.terminateds) == set(s.truncateds) == set(s.rewards) | {ALL}
        assert not any(s.terminateds.values())
        assert not any(s.truncateds.values())
    end = r.steps[-1]
    assert end.time == HORIZON
    assert set(end.obs) == set(end.rewards) == set(AGENTS)
    assert end.truncateds == dict.fromkeys((*AGENTS, ALL), True)
    assert end.terminateds == dict.fromkeys((*AGENTS, ALL), False)
    assert end.rows_read == 300
    # The final observation of each agent is the last one it decided on.
    for a in AGENTS:
        previous = [s for s in r.steps[:-1] if a in s.obs][-1]
        assert np.array_equal(end.obs[a], previous.obs[a])


def test_step_after_the_end_and_before_reset_raises() -> None:
    env = make("lan", horizon=5.0)
    with pytest.raises(SimulationError, match=re.escape(OVER)):
        env.step({})
    obs, _ = env.reset(seed=0)
    truncs = {ALL: False}
    while not truncs[ALL]:
        obs, _, _, truncs, _ = env.step({a: policy(a, o) for a, o in obs.items()})
    assert env.agents == []
    assert env.time == 5.0
    with pytest.raises(SimulationError, match=re.escape(OVER)):
        env.step({a: policy(a, o) for a, o in obs.items()})


# --------------------------------------------------------------- determinism
def _signature(r: Run) -> list[Any]:
    return [(s.time, sorted(s.obs), s.rewards) for s in r.steps]


@pytest.mark.parametrize("profile", ["ideal", "lan", "scada"])
def test_same_seed_same_sequence(profile: str) -> None:
    first = run(profile, 3)
    second = run.__wrapped__(profile, 3)  # a fresh env, not the cached run
    assert first is not second
    assert _signature(first) == _signature(second)
    for a, b in zip(first.steps, second.steps, strict=True):
        assert a.obs.keys() == b.obs.keys()
        assert all(np.array_equal(a.obs[k], b.obs[k]) for k in a.obs)


def test_different_seeds_differ_under_scada() -> None:
    a, b = run("scada", 0), run("scada", 1)
    assert [s.time for s in a.steps] != [s.time for s in b.steps]
    assert _signature(a) != _signature(b)


def test_reset_with_the_same_seed_restarts_the_same_episode() -> None:
    env = make("scada")
    first, _ = env.reset(seed=5)
    t0 = env.time
    env.step({a: policy(a, o) for a, o in first.items()})
    again, _ = env.reset(seed=5)
    assert env.time == t0
    assert first.keys() == again.keys()
    assert all(np.array_equal(first[a], again[a]) for a in first)


# --------------------------------------------------------------- actions
def test_missing_action_raises_under_ideal() -> None:
    env = make("ideal")
    obs, _ = env.reset(seed=0)
    actions = {a: policy(a, o) for a, o in obs.items() if a != "battery_1"}
    msg = "agent 'battery_1' at t=0.000: action is due but missing"
    with pytest.raises(ActionError, match=re.escape(msg)):
        env.step(actions)


def test_missing_action_raises_off_the_grid() -> None:
    env = make("lan")
    obs, _ = env.reset(seed=0)
    (waiting,) = obs  # seed 0: exactly one agent decides first
    assert env.time != round(env.time)
    msg = f"agent {waiting!r} at t={env.time:.3f}: action is due but missing"
    with pytest.raises(ActionError, match=re.escape(msg)):
        env.step({})


def test_invalid_action_raises_naming_agent_and_time() -> None:
    env = make("lan")
    obs, _ = env.reset(seed=0)
    (waiting,) = obs
    bad = np.array([np.nan], np.float32)
    msg = (
        f"agent {waiting!r} at t={env.time:.3f}: action must be finite, "
        "got array([nan], dtype=float32)"
    )
    with pytest.raises(ActionError, match=re.escape(msg)):
        env.step({waiting: bad})


def test_actions_of_agents_not_deciding_are_ignored() -> None:
    env = make("lan")
    obs, _ = env.reset(seed=0)
    actions = {a: policy(a, o) for a, o in obs.items()}
    others = {a: np.array([9.0]) for a in AGENTS if a not in obs}  # invalid, unused
    env.step(actions | others)


def test_none_action_is_rejected() -> None:
    """Regression: None used to be replaced by the built-in controller's action."""
    env = make("ideal")
    obs, _ = env.reset(seed=0)
    actions = {a: policy(a, o) for a, o in obs.items()} | {"battery_1": None}
    msg = "agent 'battery_1' at t=0.000: action must have shape (1,), not shape (), got None"
    with pytest.raises(ActionError, match=re.escape(msg)):
        env.step(actions)


def _steps(env: EventEnv, obs: dict[str, np.ndarray], n: int) -> list[Any]:
    out = []
    for _ in range(n):
        obs, rew, _, _, _ = env.step({a: policy(a, o) for a, o in obs.items()})
        out.append((env.time, {a: o.tolist() for a, o in obs.items()}, rew))
    return out


@pytest.mark.parametrize("profile", ["ideal", "lan"])
def test_a_rejected_step_changes_nothing_and_can_be_retried(profile: str) -> None:
    """Regression: a rejected step used to drop that instant's decisions.

    The agents decided at the instant before the bad one were resolved anyway,
    and the next step() ran on without them.
    """
    env = make(profile)
    obs, _ = env.reset(seed=0)
    stats = dataclasses.replace(env.simulation.stats)
    good = {a: policy(a, o) for a, o in obs.items()}
    last = list(good)[-1]  # fail on the last one: the others come first
    bad = good | {last: np.array([2.0])}
    for _ in range(2):  # the same bad step is rejected again, not skipped
        with pytest.raises(ActionError, match=re.escape(f"agent {last!r} at t=")):
            env.step(bad)
    assert env.simulation.stats == stats
    obs, *_ = env.step(good)
    retried = _steps(env, obs, 30)
    clean = make(profile)
    clean_obs, _ = clean.reset(seed=0)
    clean_obs, *_ = clean.step({a: policy(a, o) for a, o in clean_obs.items()})
    assert retried == _steps(clean, clean_obs, 30)


# --------------------------------------------------------------- docs
def test_event_env_docstring_example_holds() -> None:
    """Regression: the example claimed all agents decide at once under 'lan'."""
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(asynchronous.EventEnv, "EventEnv", module=asynchronous):
        runner.run(test, out=lambda s: None)
    assert runner.tries > 0
    assert runner.failures == 0
