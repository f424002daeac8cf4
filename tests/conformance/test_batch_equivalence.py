"""The lockstep facade's batched path equals driving the agent processes, bit for bit.

A scenario may ship a vectorised ``Batch`` (one matrix observation, one batched
apply). It is a second implementation of its agents' sense/prepare/act, so every
scenario configuration that has one is stepped both ways with the same
state-dependent actions and must give identical observations, rewards, states
and errors.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import heron_simpy
from heron_simpy.facade import LockstepEnv
from heron_simpy.registry import spec

# Scenario id -> override sets under which it provides a batch.
BATCH_CASES: dict[str, list[dict[str, Any]]] = {
    "battery-v0": [
        {"coordinator": False},
        {"coordinator": False, "n_agents": 7},
        {"coordinator": False, "n_agents": 3, "dt": 0.5, "horizon": 30.0},
    ],
}


def test_every_batched_scenario_is_covered() -> None:
    for scenario_id in heron_simpy.available():
        if spec(scenario_id).missing:
            continue
        default = spec(scenario_id).build()
        if default.batch is not None:
            assert scenario_id in BATCH_CASES, f"add {scenario_id} to BATCH_CASES"


def policy(obs: np.ndarray, space: Any) -> np.ndarray:
    x = float(np.tanh(np.sum(obs * np.arange(1, obs.size + 1)) - 1.0))
    lo, hi = float(space.low.ravel()[0]), float(space.high.ravel()[0])
    return np.full(space.shape, lo + (hi - lo) * (x + 1.0) / 2.0, dtype=space.dtype)


def rollout(env: LockstepEnv, seed: int) -> list[Any]:
    out: list[Any] = []
    obs, infos = env.reset(seed=seed)
    out.append(({a: o.copy() for a, o in obs.items()}, None))
    while env.agents:
        actions = {a: policy(obs[a], env.action_space(a)) for a in env.agents}
        obs, rew, term, trunc, infos = env.step(actions)
        out.append(({a: o.copy() for a, o in obs.items()}, (rew, term, trunc, infos)))
    out.append(env.state().copy())
    return out


CASES = [(sid, ov) for sid, sets in BATCH_CASES.items() for ov in sets]


@pytest.mark.parametrize(("scenario_id", "overrides"), CASES, ids=str)
@pytest.mark.parametrize("seed", [0, 5])
def test_batched_equals_processes(scenario_id: str, overrides: dict, seed: int) -> None:
    entry = spec(scenario_id)
    batched = LockstepEnv(entry, overrides, batched=True)
    processes = LockstepEnv(entry, overrides, batched=False)
    assert batched.batched
    assert not processes.batched
    a, b = rollout(batched, seed), rollout(processes, seed)
    assert len(a) == len(b)
    for x, y in zip(a[:-1], b[:-1], strict=True):
        assert x[0].keys() == y[0].keys()
        for agent in x[0]:
            assert x[0][agent].dtype == y[0][agent].dtype
            assert np.array_equal(x[0][agent], y[0][agent])
        assert x[1] == y[1]
    assert np.array_equal(a[-1], b[-1])


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            np.array([2.0], dtype=np.float32),
            "action must be within Box(-1.0, 1.0, (1,), float32)",
        ),
        (np.array([np.nan], dtype=np.float32), "action must be finite"),
        (np.zeros(2, dtype=np.float32), "action must have shape (1,), not shape (2,)"),
        (None, "action must have shape (1,), not shape ()"),
    ],
    ids=["range", "nan", "shape", "none"],
)
def test_batched_path_rejects_like_the_process_path(bad: Any, message: str) -> None:
    entry = spec("battery-v0")
    for batched in (True, False):
        env = LockstepEnv(entry, {"coordinator": False, "n_agents": 3}, batched=batched)
        env.reset(seed=0)
        actions = {a: np.zeros(1, dtype=np.float32) for a in env.agents}
        actions["battery_1"] = bad
        with pytest.raises(
            heron_simpy.ActionError,
            match=re.escape(f"agent 'battery_1' at t=0.000: {message}"),
        ):
            env.step(actions)
        # Nothing happened: the same step goes through once fixed.
        actions["battery_1"] = np.zeros(1, dtype=np.float32)
        env.step(actions)
        assert env.time == 1.0


def test_batched_true_without_a_batch_is_refused() -> None:
    with pytest.raises(
        heron_simpy.ConfigError,
        match=re.escape("LockstepEnv batched=True needs a scenario batch"),
    ):
        LockstepEnv(spec("battery-v0"), {}, batched=True)
