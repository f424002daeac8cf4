"""The single-agent gymnasium env in event time (for single-agent learners)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import heron_simpy
from heron_simpy import ConfigError

ONE = {"n_agents": 1, "coordinator": False}


def make(profile: str = "scada", **kw):
    return heron_simpy.make(
        "battery-v0", api="gymnasium", mode="event", profile=profile, **(ONE | kw)
    )


def test_passes_gymnasium_check_env() -> None:
    check_env(make(), skip_render_check=True)


def test_steps_go_from_decision_to_decision_and_rewards_add_up() -> None:
    env = make("scada", horizon=60.0)
    _, info = env.reset(seed=1)
    times, total = [info["time"]], 0.0
    truncated = False
    while not truncated:
        _, reward, terminated, truncated, info = env.step(np.zeros(1, dtype=np.float32))
        total += reward
        times.append(info["time"])
        assert not terminated
    assert times == sorted(times)
    assert any(t != round(t) for t in times)  # decisions off the grid under scada
    sim = env.event_env.simulation
    assert total == pytest.approx(sum(sim.rewards["battery_0"]), abs=1e-12)


def test_ideal_event_mode_matches_lockstep_gymnasium() -> None:
    event, lockstep = (
        make("ideal", horizon=30.0),
        heron_simpy.make("battery-v0", api="gymnasium", horizon=30.0, **ONE),
    )
    a, _ = event.reset(seed=3)
    b, _ = lockstep.reset(seed=3)
    for _ in range(30):
        assert np.array_equal(a, b)
        act = np.array([np.clip(10 * (0.5 - a[0]), -1, 1)], dtype=np.float32)
        a, ra, _, ta, _ = event.step(act)
        b, rb, _, tb, _ = lockstep.step(act)
        assert ra == rb
        assert ta == tb


def test_needs_exactly_one_controllable_agent() -> None:
    msg = "api='gymnasium' with mode='event' needs exactly one controllable agent, battery-v0 has"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", api="gymnasium", mode="event", profile="lan")
