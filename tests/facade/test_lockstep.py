"""The lockstep PettingZoo facade (``LockstepEnv``) on battery-v0.

battery-v0 at its defaults: two batteries ticking every ``dt = 1 s`` under a
``fleet`` coordinator ticking every 10 s, 300 steps per episode. Multi-rate masking,
spaces, seeding, the episode clock, misuse errors and action validation are pinned
here; messages are compared whole (``re.escape``) against ``check_action``'s wording.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import data_equivalence
from heron_simpy.scenarios.battery import battery_controller

import heron_simpy
from heron_simpy import ActionError, SimulationError
from heron_simpy.facade import LockstepEnv

BATTERIES = ("battery_0", "battery_1")
ALL = ("fleet", *BATTERIES)  # same-time order: parents first
STEPS = 300
NOT_STARTED = "LockstepEnv.step() needs reset() first (the episode is over)"


def make(**overrides: Any) -> LockstepEnv:
    return heron_simpy.make("battery-v0", **overrides)


def zeros(env: LockstepEnv) -> dict[str, np.ndarray]:
    return {
        a: np.zeros(env.action_space(a).shape, env.action_space(a).dtype)
        for a in env.agents
    }


def step_n(env: LockstepEnv, n: int) -> None:
    for _ in range(n):
        env.step(zeros(env))


# --------------------------------------------------------------- multi-rate masking
def test_fleet_is_active_only_every_tenth_step_batteries_every_step() -> None:
    env = make()
    _, infos = env.reset(seed=0)
    fleet, batteries, times = [infos["fleet"]["active"]], [], [infos["fleet"]["time"]]
    batteries.append(all(infos[b]["active"] for b in BATTERIES))
    while env.agents:
        _, _, _, _, infos = env.step(zeros(env))
        assert set(infos) == set(ALL)
        fleet.append(infos["fleet"]["active"])
        batteries.append(all(infos[b]["active"] for b in BATTERIES))
        times.append(infos["fleet"]["time"])
    assert len(fleet) == STEPS + 1
    assert [k for k, active in enumerate(fleet) if active] == list(range(0, 301, 10))
    assert all(batteries)
    assert times == [float(k) for k in range(STEPS + 1)]


def _masked_rollout(
    fleet_action: Callable[[int, bool], float], n: int = 45, seed: int = 3
) -> list[Any]:
    """Batteries follow their built-in controller (so setpoints matter)."""
    env = make()
    obs, infos = env.reset(seed=seed)
    trajectory: list[Any] = [(obs, infos)]
    for k in range(n):
        actions = {b: battery_controller(b, obs[b]) for b in BATTERIES}
        value = fleet_action(k, infos["fleet"]["active"])
        actions["fleet"] = np.array([value], np.float32)
        obs, rewards, _, _, infos = env.step(actions)
        trajectory.append((obs, rewards, infos, env.state()))
    return trajectory


def _same(a: list[Any], b: list[Any]) -> bool:
    return bool(data_equivalence(a, b, exact=True))


def test_actions_of_an_inactive_agent_are_ignored() -> None:
    rng = np.random.default_rng(0)
    wild = rng.uniform(-0.2, 0.2, 100).astype(np.float32)
    base = _masked_rollout(lambda k, active: 0.1 if active else 0.0)
    high = _masked_rollout(lambda k, active: 0.1 if active else 0.2)
    low = _masked_rollout(lambda k, active: 0.1 if active else -0.2)
    noisy = _masked_rollout(lambda k, active: 0.1 if active else float(wild[k]))
    assert _same(base, high)
    assert _same(base, low)
    assert _same(base, noisy)


def test_actions_of_an_active_agent_do_change_the_trajectory() -> None:
    """The comparison above is not vacuous: the fleet's action at step 10 matters."""
    base = _masked_rollout(lambda k, active: 0.1 if active else 0.0)
    other = _masked_rollout(lambda k, active: (0.1 if k != 10 else -0.2) * active)
    # The setpoint sent at t=10 reaches the batteries' observations at t=11.
    assert _same(base[:11], other[:11])
    assert not _same(base[11:12], other[11:12])


def test_inactive_agent_keeps_its_last_observation() -> None:
    env = make()
    obs, infos = env.reset(seed=1)
    last = obs["fleet"]
    for k in range(1, 25):
        obs, _, _, _, infos = env.step(zeros(env))
        if k % 10 == 0:
            assert infos["fleet"]["active"]
            last = obs["fleet"]
        else:
            assert not infos["fleet"]["active"]
            assert np.array_equal(obs["fleet"], last)
            # A new, read-only array every step (learners may keep references).
            assert not np.shares_memory(obs["fleet"], last)
            assert not obs["fleet"].flags.writeable


# --------------------------------------------------------------- spaces
def test_spaces_are_the_same_object_every_call() -> None:
    env = make()
    before = {a: (env.observation_space(a), env.action_space(a)) for a in ALL}
    env.reset(seed=0)
    step_n(env, 3)
    for a in ALL:
        assert env.observation_space(a) is env.observation_space(a)
        assert env.action_space(a) is env.action_space(a)
        assert env.observation_space(a) is before[a][0]
        assert env.action_space(a) is before[a][1]


def test_spaces_of_battery_v0() -> None:
    env = make()
    assert env.possible_agents == list(ALL)
    assert env.action_space("fleet") == spaces.Box(-0.2, 0.2, (1,), np.float32)
    for b in BATTERIES:
        assert env.observation_space(b).shape == (3,)  # soc, load, setpoint
        assert env.action_space(b) == spaces.Box(-1.0, 1.0, (1,), np.float32)


@pytest.mark.parametrize("n_agents", [2, 5])
def test_spaces_contain_every_observation(n_agents: int) -> None:
    env = make(n_agents=n_agents)
    for i, a in enumerate(env.possible_agents):
        env.action_space(a).seed(50 + i)
    obs, _ = env.reset(seed=2)
    seen = 0
    while True:
        assert set(obs) == set(env.possible_agents)
        for a, o in obs.items():
            assert o in env.observation_space(a), (a, o)
            seen += 1
        if not env.agents:
            break
        actions = {a: env.action_space(a).sample() for a in env.agents}
        obs, *_ = env.step(actions)
    assert seen == (STEPS + 1) * (n_agents + 1)


# --------------------------------------------------------------- seeding
def test_reset_with_a_seed_is_reproducible() -> None:
    first, second = make(), make()
    obs_a, infos_a = first.reset(seed=42)
    obs_b, infos_b = second.reset(seed=42)
    assert infos_a == infos_b
    for a in ALL:
        assert np.array_equal(obs_a[a], obs_b[a])
    for _ in range(30):
        actions = {b: battery_controller(b, obs_a[b]) for b in BATTERIES}
        actions["fleet"] = np.array([0.05], np.float32)
        obs_a, rew_a, *_ = first.step(actions)
        obs_b, rew_b, *_ = second.step(actions)
        assert rew_a == rew_b
        assert all(np.array_equal(obs_a[a], obs_b[a]) for a in ALL)
    # A reset with the same seed on a used env starts the same episode again.
    again, _ = first.reset(seed=42)
    assert all(np.array_equal(again[a], make().reset(seed=42)[0][a]) for a in ALL)


def test_different_seeds_give_different_initial_observations() -> None:
    env = make()
    initial = [env.reset(seed=s)[0]["battery_0"] for s in range(5)]
    socs = {float(o[0]) for o in initial}
    assert len(socs) == 5
    assert all(0.2 <= s <= 0.8 for s in socs)  # battery-v0 draws soc in [0.2, 0.8)


def test_unseeded_resets_follow_the_last_seed() -> None:
    first, second = make(), make()
    first.reset(seed=9)
    second.reset(seed=9)
    a, b = first.reset()[0], second.reset()[0]
    assert all(np.array_equal(a[x], b[x]) for x in ALL)
    assert not np.array_equal(a["battery_0"], make().reset(seed=9)[0]["battery_0"])


# --------------------------------------------------------------- episode clock
def test_episode_is_300_steps_then_truncated() -> None:
    env = make()
    env.reset(seed=0)
    assert env.steps_per_episode == STEPS
    for k in range(1, STEPS + 1):
        assert env.agents == list(ALL)
        obs, rewards, terms, truncs, _ = env.step(zeros(env))
        assert set(obs) == set(rewards) == set(terms) == set(truncs) == set(ALL)
        assert not any(terms.values())
        assert all(truncs.values()) == (k == STEPS)
        assert any(truncs.values()) == (k == STEPS)
    assert env.agents == []
    assert env.time == 300.0
    assert env.simulation.reward_count == STEPS


def test_step_before_reset_raises() -> None:
    env = make()
    with pytest.raises(SimulationError, match=re.escape(NOT_STARTED)):
        env.step({})


def test_step_after_the_end_raises() -> None:
    env = make(horizon=20.0)
    env.reset(seed=0)
    step_n(env, 20)
    assert env.agents == []
    with pytest.raises(SimulationError, match=re.escape(NOT_STARTED)):
        env.step({a: np.zeros(1, np.float32) for a in ALL})
    env.reset(seed=0)  # a reset starts a new episode
    env.step(zeros(env))
    assert env.time == 1.0


def test_step_after_close_raises() -> None:
    env = make()
    env.reset(seed=0)
    env.close()
    assert env.agents == []
    with pytest.raises(SimulationError, match=re.escape(NOT_STARTED)):
        env.step({})


# --------------------------------------------------------------- state
@pytest.mark.parametrize("n_agents", [1, 2, 5])
def test_state_is_charge_then_load_of_every_battery(n_agents: int) -> None:
    env = make(n_agents=n_agents)
    obs, _ = env.reset(seed=5)
    state = env.state()
    assert state.shape == (2 * n_agents,)
    for i in range(n_agents):
        soc, load, _ = obs[f"battery_{i}"]
        assert state[i] == soc
        assert state[n_agents + i] == load


def test_state_before_reset_raises() -> None:
    with pytest.raises(
        SimulationError, match=re.escape("LockstepEnv.state() needs reset() first")
    ):
        make().state()


# --------------------------------------------------------------- action validation
F32 = np.float32
BAD_ACTIONS = [
    pytest.param(
        np.zeros(2, F32),
        "action must have shape (1,), not shape (2,), got array([0., 0.], dtype=float32)",
        id="wrong-shape",
    ),
    pytest.param(
        0.5, "action must have shape (1,), not shape (), got 0.5", id="scalar"
    ),
    pytest.param(
        np.array([np.nan], F32),
        "action must be finite, got array([nan], dtype=float32)",
        id="nan",
    ),
    pytest.param(
        np.array([np.inf]), "action must be finite, got array([inf])", id="inf"
    ),
    pytest.param(
        np.array([1.5], F32),
        "action must be within Box(-1.0, 1.0, (1,), float32), got array([1.5], dtype=float32)",
        id="out-of-range",
    ),
    pytest.param(
        np.array([-1.0000001]),
        "action must be within Box(-1.0, 1.0, (1,), float32), got array([-1.0000001])",
        id="barely-out-of-range-not-clipped",
    ),
    pytest.param("x", "action must be an array of real numbers, got 'x'", id="str"),
    pytest.param(
        np.array(["x"]),
        "action must hold real numbers, got array(['x'], dtype='<U1')",
        id="str-array",
    ),
    pytest.param(
        np.array([True]),
        "action must hold real numbers, got array([ True])",
        id="bool-array",
    ),
    pytest.param(
        np.array([0.5 + 0j]),
        "action must hold real numbers, got array([0.5+0.j])",
        id="complex",
    ),
]


@pytest.mark.parametrize(("bad", "rule"), BAD_ACTIONS)
def test_invalid_action_raises_naming_agent_and_time(bad: Any, rule: str) -> None:
    env = make()
    env.reset(seed=0)
    step_n(env, 3)
    soc_before = env.state().copy()
    applied = env.simulation.stats.actions_applied
    actions = zeros(env) | {"battery_1": bad}
    with pytest.raises(
        ActionError, match=re.escape(f"agent 'battery_1' at t=3.000: {rule}")
    ):
        env.step(actions)
    # Rejected, not clipped: nothing was applied and the clock did not move.
    assert env.simulation.stats.actions_applied == applied
    assert env.time == 3.0
    assert np.array_equal(env.state(), soc_before)


def test_invalid_coordinator_action_names_the_coordinator() -> None:
    env = make()
    env.reset(seed=0)
    step_n(env, 10)
    bad = np.array([0.3], F32)
    msg = (
        "agent 'fleet' at t=10.000: action must be within Box(-0.2, 0.2, (1,), float32), "
        "got array([0.3], dtype=float32)"
    )
    with pytest.raises(ActionError, match=re.escape(msg)):
        env.step(zeros(env) | {"fleet": bad})


def test_boundary_actions_are_valid() -> None:
    env = make()
    env.reset(seed=0)
    for value in (-1.0, 1.0):
        actions = zeros(env) | {"battery_0": np.array([value], F32)}
        env.step(actions)
    assert env.time == 2.0


def test_missing_action_of_an_active_agent_raises() -> None:
    env = make()
    env.reset(seed=0)
    step_n(env, 3)
    actions = zeros(env)
    del actions["battery_1"]
    with pytest.raises(
        ActionError,
        match=re.escape("agent 'battery_1' at t=3.000: action is due but missing"),
    ):
        env.step(actions)


def test_missing_action_of_an_inactive_agent_is_fine() -> None:
    env = make()
    env.reset(seed=0)
    env.step(zeros(env))
    env.step({b: np.zeros(1, F32) for b in BATTERIES})  # fleet is not due at t=1
    assert env.time == 2.0


def test_none_action_is_rejected_not_replaced_by_the_controller() -> None:
    """Regression: None used to be replaced by the built-in controller's action."""
    env = make()
    env.reset(seed=0)
    msg = "agent 'battery_0' at t=0.000: action must have shape (1,), not shape (), got None"
    with pytest.raises(ActionError, match=re.escape(msg)):
        env.step(zeros(env) | {"battery_0": None})


def test_a_rejected_step_changes_nothing_and_can_be_retried() -> None:
    """Regression: a rejected step used to drop that instant's decisions.

    The fleet's action (resolved before the bad battery action) was applied,
    and the next step() advanced without the batteries' decisions at t=0.
    """
    env = make()
    env.reset(seed=0)
    stats = dataclasses.replace(env.simulation.stats)
    bad = zeros(env) | {"battery_1": np.array([2.0], F32)}  # the last one resolved
    msg = "agent 'battery_1' at t=0.000: action must be within"
    for _ in range(2):  # the same bad step is rejected again, not skipped
        with pytest.raises(ActionError, match=re.escape(msg)):
            env.step(bad)
    assert env.simulation.stats == stats  # the fleet's setpoints were not sent
    assert env.time == 0.0
    good = zeros(env) | {"fleet": np.array([0.2], F32)}
    retried = [env.step(good)] + [env.step(zeros(env)) for _ in range(20)]
    clean = make()
    clean.reset(seed=0)
    expected = [clean.step(good)] + [clean.step(zeros(clean)) for _ in range(20)]
    assert data_equivalence(retried, expected, exact=True)


def test_nothing_recorded_is_lost_after_an_action_error() -> None:
    env = make()
    env.reset(seed=0)
    step_n(env, 5)
    sim = env.simulation
    before = dataclasses.replace(sim.stats)
    rewards_before = [dict(r) for r in sim.reward_rows]
    with pytest.raises(ActionError):
        env.step(zeros(env) | {"battery_0": np.array([np.nan], F32)})
    assert env.simulation is sim
    stats = sim.stats
    assert stats == before
    # t = 0..5: two batteries tick 6 times each, the fleet once (t = 0).
    assert (stats.ticks, stats.decisions, stats.observations_delivered) == (13, 13, 13)
    assert stats.actions_applied == 10  # two batteries x steps 0..4
    assert stats.evaluations == sim.reward_count == 5
    assert [dict(r) for r in sim.reward_rows] == rewards_before
    assert len(sim.rewards["battery_0"]) == 5
