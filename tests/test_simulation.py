"""Simulation: reward grid, plant driving, hierarchy order, errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

from heron_simpy import (
    Agent,
    ConfigError,
    PlantDriver,
    Recorder,
    Simulation,
    SimulationError,
    TickConfig,
    profiles,
)
from tests.conftest import Counter, acting, det


class Tank:
    """Continuous-time plant: level drains at 0.1 per second; actions add."""

    physics_step = None

    def __init__(self) -> None:
        self.level = np.zeros(1)
        self.advances: list[float] = []

    def reset(self, rng: np.random.Generator) -> None:
        self.level = np.array([10.0])
        self.advances = []

    def advance(self, dt: float) -> None:
        self.advances.append(dt)
        self.level -= 0.1 * dt

    def apply(self, agent_id: str, action: float) -> None:
        self.level += action


class SteppedTank(Tank):
    physics_step = 0.5


def level_reward(plant: Tank, t: float) -> dict[str, float]:
    return {"pump": -abs(float(plant.level[0]) - 10.0)}


def test_reward_grid_has_k_points_over_k_steps() -> None:
    sim = Simulation(Tank(), seed=0, eval_dt=1.0, reward=level_reward)
    sim.add_agent(Agent("pump"), tick=det(1.0))
    sim.run_until(5.0)
    ep = sim.episode()
    assert ep.reward_times == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert ep.rewards["pump"] == pytest.approx([-0.1, -0.2, -0.3, -0.4, -0.5])
    assert ep.returns["pump"] == pytest.approx(-1.5)


def test_closing_read_is_not_repeated_when_run_continues() -> None:
    sim = Simulation(Tank(), seed=0, eval_dt=1.0, reward=level_reward)
    sim.add_agent(Agent("pump"), tick=det(1.0))
    sim.run_until(2.0)
    sim.run_until(4.0)
    assert sim.episode().reward_times == [1.0, 2.0, 3.0, 4.0]


def test_reward_reads_state_before_same_time_effects() -> None:
    """An effect landing exactly at a grid point counts in the next interval."""
    sim = Simulation(Tank(), seed=0, eval_dt=1.0, reward=level_reward)
    sim.add_agent(acting("pump", 5.0), tick=det(1.0, act=1.0))
    sim.run_until(2.0)
    assert sim.rewards["pump"] == pytest.approx([-0.1, -(10.0 - 0.2 + 5.0 - 10.0)])


def test_lazy_plant_advances_to_each_event() -> None:
    plant = Tank()
    sim = Simulation(plant, seed=0)
    sim.add_agent(acting("pump", 0.0), tick=det(1.0, act=0.25))
    sim.run_until(2.0)
    assert plant.advances == [0.25, 0.75, 0.25]


def test_fixed_step_plant_advances_in_whole_steps() -> None:
    plant = SteppedTank()
    sim = Simulation(plant, seed=0)
    sim.add_agent(acting("pump", 0.0), tick=det(1.0, act=0.25))
    sim.run_until(2.0)
    assert plant.advances == [0.5, 0.5]  # steps done by the tick at 1.0
    sim.run_until(2.01)
    assert plant.advances == [0.5] * 4


def test_simultaneous_applies_are_atomic() -> None:
    """Two agents writing the same state at the same instant: no lost update."""

    class Shared:
        physics_step = None

        def reset(self, rng):
            self.total = 0.0

        def advance(self, dt):
            pass

        def apply(self, agent_id, action):
            self.total += action

    plant = Shared()
    sim = Simulation(plant, seed=0)
    for i in range(5):
        sim.add_agent(acting(f"a{i}", 1.0), tick=det(1.0, act=0.5))
    sim.run_until(10.0)
    assert plant.total == 50.0


def test_plant_driver_rejects_bad_step() -> None:
    class Bad(Tank):
        physics_step = -1.0

    with pytest.raises(
        ConfigError,
        match=re.escape("Bad physics_step must be a number > 0 s or None, got -1.0"),
    ):
        PlantDriver(Bad())


def test_parents_rank_before_children_regardless_of_registration() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("leaf", parent="mid"))
    sim.add_agent(Agent("mid", level="coordinator", parent="top"))
    sim.add_agent(Agent("top", level="system"))
    sim.add_agent(Agent("leaf2", parent="top"))
    assert sim.agent_ids == ("top", "mid", "leaf2", "leaf")


def test_counts_recorder_keeps_stats_only() -> None:
    sim = Simulation(Counter(["a"]), seed=0, recorder=Recorder("counts"))
    sim.add_agent(acting("a"), tick=det(1.0, obs=0.25))
    sim.run_until(10.0)
    assert sim.trace == []
    assert sim.stats.ticks == 10
    assert sim.stats.actions_applied == 10


def test_ring_recorder_keeps_last_records() -> None:
    sim = Simulation(Counter(["a"]), seed=0, recorder=Recorder("ring", maxlen=4))
    sim.add_agent(acting("a"), tick=det(1.0))
    sim.run_until(10.0)
    assert [r.kind for r in sim.trace] == ["tick", "observe", "decide", "apply"]
    assert sim.trace[0].time == 9.0


def test_controller_error_names_agent_and_time_and_keeps_trace() -> None:
    def boom(agent_id, obs, messages, ctx):
        if ctx.now >= 2.0:
            raise ValueError("bad gain")
        return 1.0

    sim = Simulation(Counter(["a"]), seed=0)
    sim.add_agent(Agent("a", controller=boom), tick=det(1.0))
    with pytest.raises(
        SimulationError,
        match=re.escape("agent 'a' at t=2.000: controller raised ValueError: bad gain"),
    ):
        sim.run_until(5.0)
    assert [r.time for r in sim.trace if r.kind == "apply"] == [0.0, 1.0]


def test_message_to_unknown_agent() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=lambda a, o, m, c: c.send("ghost", 1)))
    with pytest.raises(
        SimulationError,
        match=re.escape(
            "agent 'a' at t=0.000: message recipient 'ghost' is not a registered agent; known: a"
        ),
    ):
        sim.run_until(1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "Simulation seed must be an int >= 0 or None, got -1"),
        (
            {"eval_dt": 0.0},
            "Simulation eval_dt must be a number > 0 s or None, got 0.0",
        ),
        (
            {"reward": level_reward},
            "Simulation reward needs an eval_dt (the reward grid step), got None",
        ),
        (
            {"profile": "moon"},
            "unknown timing profile 'moon'; valid: ideal, lan, scada, traffic, wan",
        ),
    ],
    ids=["seed", "eval_dt", "reward-without-grid", "profile"],
)
def test_simulation_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Simulation(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agent_id": ""}, "Agent agent_id must be a non-empty str, got ''"),
        (
            {"agent_id": "x", "level": "boss"},
            "Agent 'x' level must be one of field, coordinator, system, got 'boss'",
        ),
        (
            {"agent_id": "x", "tick_interval": -1.0},
            "Agent 'x' tick_interval must be > 0 s, got -1.0",
        ),
        (
            {"agent_id": "x", "phase": float("inf")},
            "Agent 'x' phase must be >= 0 s, got inf",
        ),
    ],
    ids=["empty-id", "level", "tick", "phase"],
)
def test_agent_bad_input(kwargs: dict, message: str) -> None:
    agent_id = kwargs.pop("agent_id")
    with pytest.raises(ConfigError, match=re.escape(message)):
        Agent(agent_id, **kwargs)


def test_hierarchy_errors() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", parent="nobody"))
    with pytest.raises(
        ConfigError,
        match=re.escape("agent 'a' parent must be a registered agent, got 'nobody'"),
    ):
        sim.run_until(1.0)
    sim2 = Simulation(seed=0)
    sim2.add_agent(Agent("a", parent="b"))
    sim2.add_agent(Agent("b", parent="a"))
    with pytest.raises(
        ConfigError, match=re.escape("agent hierarchy has a cycle through 'a'")
    ):
        sim2.run_until(1.0)
    with pytest.raises(
        ConfigError,
        match=re.escape("Simulation agent_id must be unique, got 'a' twice"),
    ):
        sim2.add_agent(Agent("a"))


def test_cannot_add_agents_while_running() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a"))
    sim.run_until(1.0)
    with pytest.raises(
        SimulationError,
        match=re.escape(
            "Simulation.add_agent must be called before the first run or after reset()"
        ),
    ):
        sim.add_agent(Agent("b"))


def test_profile_per_agent_override_wins() -> None:
    special = TickConfig(tick_interval=0.5, obs_delay=0.25)
    profile = profiles["lan"].with_agent("b", special)
    sim = Simulation(seed=0, profile=profile)
    sim.add_agent(Agent("a"))
    sim.add_agent(Agent("b"))
    assert sim.config_for("b") == special
    assert sim.config_for("a").obs_delay == profiles["lan"].field.obs_delay
    assert sim.config_for("a").tick_interval == 1.0
    sim.run_until(2.0)
    assert sum(1 for r in sim.trace if r.kind == "tick" and r.agent_id == "b") == 4
