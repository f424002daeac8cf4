"""DESIGN.md section 8: the gymnasium facade passes ``gymnasium``'s ``check_env``.

Two shapes are checked: one controllable agent (its own Box spaces) and central
control of every agent (``Dict`` spaces keyed by agent id). ``check_env`` reports
advisory findings as warnings; the repo's pytest configuration turns only
``HeronWarning`` into errors, so warnings are recorded here and inspected: none may
come from heron_simpy, and every other one must be a gymnasium advisory.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env

import heron_simpy
from heron_simpy import HeronWarning


def single() -> Any:
    return heron_simpy.make(
        "battery-v0", api="gymnasium", n_agents=1, coordinator=False
    )


def central() -> Any:
    return heron_simpy.make("battery-v0", api="gymnasium")


def run_check_env(env: gym.Env[Any, Any]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env, skip_render_check=True)
    heron = [w for w in caught if issubclass(w.category, HeronWarning)]
    assert heron == []
    # Anything else must be one of gymnasium's advisory warnings ("WARN: ...").
    assert all("WARN:" in str(w.message) for w in caught), [
        str(w.message) for w in caught
    ]
    return caught


def test_single_agent_passes_check_env() -> None:
    env = single()
    assert isinstance(env, gym.Env)
    assert isinstance(env.observation_space, spaces.Box)
    assert env.observation_space.shape == (3,)
    assert env.action_space == spaces.Box(-1.0, 1.0, (1,), np.float32)
    assert run_check_env(env) == []


def test_central_control_passes_check_env() -> None:
    env = central()
    assert isinstance(env.observation_space, spaces.Dict)
    assert isinstance(env.action_space, spaces.Dict)
    assert sorted(env.observation_space.spaces) == ["battery_0", "battery_1", "fleet"]
    # Includes gymnasium 1.4's check that no two returned observations share an
    # array: the fleet is not due between its 10 s ticks, and its observation
    # must still be a new object at every step.
    assert run_check_env(env) == []


def test_central_control_reward_is_the_sum_of_agent_rewards() -> None:
    env = central()
    obs, info = env.reset(seed=4)
    assert obs in env.observation_space
    assert info == {"active": ["fleet", "battery_0", "battery_1"], "time": 0.0}
    lockstep = env.lockstep
    zero = {a: np.zeros(1, np.float32) for a in lockstep.possible_agents}
    for step in range(1, 12):
        obs, reward, terminated, truncated, info = env.step(zero)
        row = lockstep.simulation.last_reward_row
        assert reward == math.fsum(row[a] for a in lockstep.possible_agents)
        assert obs in env.observation_space
        assert (terminated, truncated) == (False, False)
        assert info["time"] == float(step)
        expected = ["battery_0", "battery_1"]
        assert info["active"] == (["fleet", *expected] if step == 10 else expected)


def test_single_agent_episode_truncates_at_the_horizon() -> None:
    env = single()
    env.reset(seed=0)
    flags = []
    for _ in range(300):
        _, _, terminated, truncated, _ = env.step(np.zeros(1, np.float32))
        flags.append((terminated, truncated))
    assert flags[:-1] == [(False, False)] * 299
    assert flags[-1] == (False, True)
