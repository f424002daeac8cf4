"""microgrid-v0: physics invariants, messages, built-in controllers, config errors.

The scenario is built from its module (``build(Config(...))``) and run on a
``Simulation``, so these tests do not depend on the registry. Every check is
deterministic from a seed.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from heron_simpy.scenarios import microgrid
from heron_simpy.scenarios.microgrid import Config, MicrogridPlant, build

import heron_simpy
from heron_simpy import ConfigError, Recorder
from heron_simpy.timing.loss import BernoulliLoss


class Checked(MicrogridPlant):
    """The plant, checking the physics after every step."""

    steps = 0

    def advance(self, dt: float) -> None:
        c = self.config
        pv, demand = self.pv.copy(), self.demand.copy()  # this step's inputs
        gen_before = self.gen.copy()
        super().advance(dt)
        lhs = self.grid + pv + self.bat_p.sum(axis=1) + self.gen + self.imbalance
        assert np.allclose(lhs, demand - self.curtail, rtol=0, atol=1e-9)
        assert np.all(np.abs(self.grid) <= self.limit + 1e-12)
        assert np.all(self.soc >= c.soc_min)
        assert np.all(self.soc <= c.soc_max)
        assert np.all(np.abs(self.gen - gen_before) <= c.gen_ramp * dt + 1e-12)
        assert np.all(self.gen >= 0)
        assert np.all(self.gen <= c.gen_kw + 1e-12)
        assert np.all(np.abs(self.bat_p) <= c.battery_kw + 1e-12)
        type(self).steps += 1


def run(
    policy: Any = None,
    profile: Any = "ideal",
    seed: int = 0,
    t_end: float | None = None,
    plant_cls: type = MicrogridPlant,
    **overrides: Any,
):
    config = Config(**overrides)
    scenario = build(config)
    if plant_cls is not MicrogridPlant:
        scenario.plant = plant_cls(config)
    for agent in scenario.controllable:
        agent.policy = policy
    sim = scenario.simulation(profile, seed, Recorder("full"))
    sim.run_until(scenario.horizon if t_end is None else t_end)
    return scenario, sim


def nothing(scenario):
    spaces = {a.agent_id: a.action_space for a in scenario.controllable}
    return lambda agent_id, obs: np.zeros(spaces[agent_id].shape, np.float32)


def random_policy(scenario, seed: int):
    spaces = {a.agent_id: a.action_space for a in scenario.controllable}
    for i, space in enumerate(spaces.values()):
        space.seed(seed + i)
    return lambda agent_id, obs: spaces[agent_id].sample()


def total(sim) -> float:
    return sum(sum(r) for r in sim.rewards.values())


# ------------------------------------------------------------ physics
@pytest.mark.parametrize("who", ["builtin", "random"])
def test_power_balance_soc_and_ramp_limits_hold_every_step(who: str) -> None:
    Checked.steps = 0
    scenario = build(Config())
    policy = None if who == "builtin" else random_policy(scenario, 3)
    # Small batteries so the SoC limits are actually reached.
    run(policy, t_end=300.0, plant_cls=Checked, battery_kwh=0.5, gen_ramp=0.2)
    assert Checked.steps == 300


def test_soc_floor_stops_discharge_and_refused_power_is_penalised() -> None:
    def drain(agent_id: str, obs: np.ndarray) -> np.ndarray:
        if "battery" in agent_id:
            return np.ones(1, np.float32)
        return scenario_zero(agent_id)

    scenario, small = run(drain, t_end=120.0, battery_kwh=0.2)
    assert np.allclose(scenario.plant.soc, 0.1, rtol=0, atol=1e-12)
    _, free = run(drain, t_end=120.0, battery_kwh=0.2, limit_penalty=0.0)
    # 6 batteries empty after 11-18 s, then refuse 20 kW: about 0.6 kWh each.
    gap = sum(free.rewards["operator"]) - sum(small.rewards["operator"])
    assert 3.0 < gap < 4.0


def scenario_zero(agent_id: str) -> np.ndarray:
    if agent_id.startswith("operator"):
        return np.zeros(2, np.float32)
    if agent_id.count("_") == 1:  # a coordinator: batteries, gen, load
        return np.zeros(4, np.float32)
    return np.zeros(1, np.float32)


def test_generator_ramps_toward_its_setpoint() -> None:
    def policy(agent_id: str, obs: np.ndarray) -> np.ndarray:
        if agent_id.endswith("_gen"):
            return np.ones(1, np.float32)
        return scenario_zero(agent_id)

    scenario, _ = run(policy, t_end=10.0)
    # 10 steps at 0.5 kW/s, the first command landing before the first step.
    assert np.allclose(scenario.plant.gen, 5.0)


def test_profiles_are_shaped_and_shipped() -> None:
    pv, load = microgrid.load_profiles()
    assert pv.shape == load.shape == (1440,)
    assert pv[:300].max() == 0.0
    assert pv[1260:].max() == 0.0
    assert pv[11 * 60 : 15 * 60].mean() > 0.5
    assert load[19 * 60] > load[7 * 60 + 30] > load[3 * 60]  # evening > morning


# ------------------------------------------------------------ messages
def test_setpoints_prices_and_reports_travel_as_messages() -> None:
    scenario, sim = run(t_end=1.0, n_microgrids=2, n_batteries=1)
    sends = [(r.agent_id, r.recipient) for r in sim.trace if r.kind == "send"]
    delivered = [(r.sender, r.agent_id) for r in sim.trace if r.kind == "deliver"]
    assert sorted(sends) == sorted(delivered)
    expected = []
    for i in range(2):
        mg = f"mg_{i}"
        expected += [("operator", mg), ("operator", f"{mg}_load")]  # price
        expected += [("operator", mg)]  # import limit
        children = [f"{mg}_battery_0", f"{mg}_gen", f"{mg}_load"]
        expected += [(mg, c) for c in children]  # setpoints
        expected += [(c, mg) for c in children]  # reports
        expected += [(mg, "operator")]  # report
    assert sorted(sends) == sorted(expected)
    # The messages carried what the topics say: the followers took the values.
    mg0 = scenario.agent("mg_0")
    price, limit = mg0.protocols[0].value, mg0.protocols[1].value
    assert limit == 15.0
    assert -1.0 <= price <= 1.0
    gen = scenario.agent("mg_0_gen").protocols[0]
    assert gen.value == 0.0  # midday: no deficit for the generator


def test_lossy_links_drop_some_setpoints_and_keep_the_accounting() -> None:
    profile = heron_simpy.profiles["ideal"].with_loss(BernoulliLoss(0.3))
    _, sim = run(profile=profile, t_end=120.0, seed=2)
    kinds = [r.kind for r in sim.trace]
    assert kinds.count("drop") > 0
    assert kinds.count("send") == kinds.count("deliver") + kinds.count("drop")
    dropped = {(r.agent_id, r.recipient) for r in sim.trace if r.kind == "drop"}
    assert any(s.startswith("mg_") and "_" in r[3:] for s, r in dropped)


def test_message_delay_is_paid() -> None:
    _, sim = run(profile="wan", t_end=60.0, seed=1)
    lags = [r.time - r.sent_at for r in sim.trace if r.kind == "deliver"]
    assert lags
    assert min(lags) > 0.0


# ------------------------------------------------------------ controllers
def test_builtin_controllers_beat_doing_nothing_under_ideal() -> None:
    _, builtin = run()
    scenario = build(Config())
    _, idle = run(nothing(scenario))
    assert total(builtin) > total(idle) + 10.0
    assert sum(builtin.rewards["operator"]) > sum(idle.rewards["operator"]) + 1.0


def test_same_seed_same_trace_different_seed_different_trace() -> None:
    _, a = run(profile="lan", seed=4, t_end=120.0)
    _, b = run(profile="lan", seed=4, t_end=120.0)
    _, c = run(profile="lan", seed=5, t_end=120.0)
    assert list(a.trace) == list(b.trace)
    assert a.rewards == b.rewards
    assert list(a.trace) != list(c.trace)


def test_spaces_and_agent_ids() -> None:
    scenario = build(Config(n_microgrids=2, n_batteries=3))
    ids = [a.agent_id for a in scenario.ranked]
    assert ids[:3] == ["operator", "mg_0", "mg_1"]
    assert set(ids[3:]) == {
        f"mg_{i}_{d}"
        for i in range(2)
        for d in ("battery_0", "battery_1", "battery_2", "gen", "load")
    }
    mg = scenario.agent("mg_0")
    assert mg.tick_interval == 60.0
    assert mg.action_space.shape == (5,)
    assert mg.observation_space.shape == (3 + 3 + 3,)
    assert scenario.agent("operator").tick_interval == 300.0
    assert scenario.agent("mg_1_battery_2").observation_space.shape == (5,)


# ------------------------------------------------------------ config
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_microgrids": 0}, "n_microgrids must be an int >= 1, got 0"),
        ({"n_microgrids": True}, "n_microgrids must be an int >= 1, got True"),
        ({"n_batteries": 0}, "n_batteries must be an int >= 1, got 0"),
        ({"horizon": -1.0}, "horizon must be a number > 0, got -1.0"),
        ({"dt": 0.0}, "dt must be a number > 0, got 0.0"),
        ({"horizon": 10.5}, "horizon must be a whole multiple of dt (1.0 s), got 10.5"),
        (
            {"coordinator_tick": 2.5},
            "coordinator_tick must be a whole multiple of dt (1.0 s), got 2.5",
        ),
        ({"start_hour": 24}, "start_hour must be in [0, 24), got 24"),
        (
            {"soc_min": 0.9, "soc_max": 0.5},
            "soc_max must be in (soc_min, 1] = (0.9, 1], got 0.5",
        ),
        ({"gen_ramp": float("nan")}, "gen_ramp must be a number > 0, got nan"),
        ({"import_price": -0.1}, "import_price must be a number >= 0, got -0.1"),
    ],
    ids=str,
)
def test_bad_overrides_are_rejected_by_name(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Config(**overrides)


def test_every_problem_is_collected() -> None:
    msg = (
        "invalid microgrid-v0 Config:\n"
        "- n_microgrids must be an int >= 1, got 0\n"
        "- dt must be a number > 0, got -1.0\n"
        "- flex_share must be in [0, 1], got 2.0"
    )
    with pytest.raises(ConfigError, match=re.escape(msg) + "$"):
        Config(n_microgrids=0, dt=-1.0, flex_share=2.0)


def test_overrides_scale_the_population() -> None:
    scenario = build(Config(n_microgrids=4, n_batteries=1, horizon=60.0))
    assert len(scenario.ranked) == 1 + 4 + 4 * 3
    assert scenario.steps == 60
