"""feeder33-v0: AC power flow, voltage band, SoC limits, controllers, conformance.

pandapower is an optional extra (``heron-simpy[grid]``): without it the whole
module is skipped. Every test runs real AC power flows, so the module is marked
slow (CI installs the extra and runs it). The registry-wide conformance tests
(PettingZoo API and seed tests, ``ideal`` event-driven == lockstep) cover
feeder33-v0 like every other registered scenario.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pytest

pytest.importorskip("pandapower", reason="pandapower not installed (heron-simpy[grid])")

from gymnasium.utils.env_checker import data_equivalence
from heron_simpy.scenarios.feeder33 import (
    Config,
    FeederPlant,
    build,
    overloading,
    voltage_violation,
)

import heron_simpy
from heron_simpy import ConfigError

pytestmark = pytest.mark.slow

SID = "feeder33-v0"


class Checked(FeederPlant):
    """The plant, checking every power flow."""

    steps = 0

    def advance(self, dt: float) -> None:
        super().advance(dt)
        c = self.config
        assert self.converged
        assert np.all(np.isfinite(self.vm))
        assert self.vm.shape == (33,)
        assert np.all(np.isfinite(self.loading))
        assert np.all(self.soc >= c.soc_min)
        assert np.all(self.soc <= c.soc_max)
        assert np.all(np.abs(self.bat_p) <= c.battery_kw + 1e-9)
        type(self).steps += 1


def run(policy: Any = None, seed: int = 0, t_end: float | None = None, **overrides):
    config = Config(**overrides)
    scenario = build(config)
    for agent in scenario.controllable:
        agent.policy = policy
    sim = scenario.simulation("ideal", seed)
    sim.run_until(scenario.horizon if t_end is None else t_end)
    return scenario, sim


def nothing(agent_id: str, obs: np.ndarray) -> np.ndarray:
    return np.zeros(1, np.float32)


def constant(value: float):
    return lambda agent_id, obs: np.full(1, value, np.float32)


# ------------------------------------------------------------ physics
@pytest.mark.parametrize("who", ["builtin", "nothing", "extreme"])
def test_power_flow_converges_and_voltages_are_finite_every_step(who: str) -> None:
    policy = {"builtin": None, "nothing": nothing, "extreme": constant(1.0)}[who]
    config = Config()
    scenario = build(config)
    scenario.plant = Checked(config)
    Checked.steps = 0
    for agent in scenario.controllable:
        agent.policy = policy
    sim = scenario.simulation("ideal", 3)
    sim.run_until(scenario.horizon)
    assert Checked.steps == 60
    assert scenario.plant.runs == 61  # the reset's power flow + one per step
    assert scenario.plant.failures == 0
    assert all(np.isfinite(r).all() for r in map(np.array, sim.rewards.values()))


def test_voltage_violation_metric() -> None:
    assert voltage_violation(np.ones(33), 0.95, 1.05) == 0.0
    assert voltage_violation(np.full(33, 0.95), 0.95, 1.05) == 0.0
    vm = np.ones(33)
    vm[5], vm[7] = 0.93, 1.08
    assert voltage_violation(vm, 0.95, 1.05) == pytest.approx(0.05, abs=1e-12)
    assert overloading(np.array([50.0, 100.0])) == 0.0
    assert overloading(np.array([150.0, 120.0])) == pytest.approx(0.7)


def test_do_nothing_violates_the_band_in_the_evening_peak() -> None:
    scenario = build(Config())
    scenario.plant.reset(np.random.default_rng(0))
    assert scenario.plant.vm.min() < 0.95
    assert voltage_violation(scenario.plant.vm, 0.95, 1.05) > 0.0


@pytest.mark.parametrize("value", [1.0, -1.0])
def test_batteries_stay_within_soc_limits(value: float) -> None:
    config = Config(battery_kwh=60.0)  # empties / fills in about 10 minutes
    scenario = build(config)
    scenario.plant = Checked(config)
    for agent in scenario.controllable:
        agent.policy = constant(value)
    sim = scenario.simulation("ideal", 0)
    sim.run_until(1200.0)
    limit = config.soc_min if value > 0 else config.soc_max
    assert np.allclose(scenario.plant.soc, limit, rtol=0, atol=1e-12)
    assert np.all(scenario.plant.bat_p == 0.0)


def test_nonconvergence_keeps_previous_results_and_is_penalised() -> None:
    scenario, sim = run(nothing, t_end=180.0, load_scale=20.0)
    plant = scenario.plant
    assert plant.runs == 4
    assert plant.failures == 4
    assert np.all(plant.vm == 1.0)  # never replaced
    penalty = Config().nonconvergence_penalty
    assert all(r <= -penalty for r in sim.rewards["feeder"])


# ------------------------------------------------------------ controllers
def test_builtin_controllers_beat_doing_nothing() -> None:
    _, builtin = run(None)
    _, idle = run(nothing)
    b, n = sum(builtin.rewards["feeder"]), sum(idle.rewards["feeder"])
    assert b > 0.5 * n  # both negative: the built-ins at least halve the cost
    assert b > n + 300.0


def test_coordinator_sees_the_lowest_reported_voltage() -> None:
    scenario, _ = run(None, t_end=360.0)
    feeder = scenario.agent("feeder")
    lowest = feeder.protocols[1].state(feeder)[0]
    assert lowest == min(feeder.protocols[1].latest.values())
    assert 0.9 < lowest < 1.0


def test_visibility_coordinator_sees_child_voltage_and_soc_only() -> None:
    scenario = build(Config())
    env = heron_simpy.make(SID)
    obs, _ = env.reset(seed=0)
    # feeder: own (min vm, import), 4 PV voltages, 2 x (voltage, soc), lowest.
    assert obs["feeder"].shape == (2 + 4 + 4 + 1,)
    assert obs["pv_17"].shape == (1 + 2 + 1,)
    assert obs["battery_32"].shape == (1 + 1 + 1 + 1,)
    assert [a.agent_id for a in scenario.controllable] == env.possible_agents


# ------------------------------------------------------------ determinism
def _episode(seed: int) -> list[Any]:
    env = heron_simpy.make(SID, horizon=900.0)
    out: list[Any] = [env.reset(seed=seed)]
    for i, agent in enumerate(env.possible_agents):
        env.action_space(agent).seed(100 + i)
    while env.agents:
        out.append(env.step({a: env.action_space(a).sample() for a in env.agents}))
    return out


def test_seeded_episodes_are_identical_to_the_end() -> None:
    first, second = _episode(11), _episode(11)
    assert len(first) == 16
    assert data_equivalence(first, second, exact=True)
    assert not data_equivalence(first, _episode(12))


# ------------------------------------------------------------ configuration
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"pv_buses": (0, 5)},
            "pv_buses must be a non-empty tuple of ints in 1..32, got (0, 5)",
        ),
        ({"battery_buses": (3, 3)}, "battery_buses must not repeat a bus, got (3, 3)"),
        ({"pv_buses": ()}, "pv_buses must be a non-empty tuple of ints in 1..32"),
        ({"q_max_kvar": -1.0}, "q_max_kvar must be a number > 0, got -1.0"),
        ({"v_min": 1.0}, "v_min must be in [0.5, 1), got 1.0"),
        ({"v_max": 0.99}, "v_max must be in (1, 1.5], got 0.99"),
        ({"soc_max": 0.05}, "soc_max must be in (soc_min, 1] = (0.1, 1], got 0.05"),
        (
            {"coordinator_tick": 90.0},
            "coordinator_tick must be a whole multiple of dt (60.0 s), got 90.0",
        ),
        ({"horizon": 100.0}, "horizon must be a whole multiple of dt (60.0 s)"),
        ({"energy_price": -0.1}, "energy_price must be a number >= 0, got -0.1"),
    ],
)
def test_bad_overrides_name_the_field(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        heron_simpy.make(SID, **overrides)
    assert str(err.value).startswith("invalid feeder33-v0 Config:\n- ")


def test_unknown_and_mistyped_overrides() -> None:
    with pytest.raises(ConfigError, match="feeder33-v0 has no override 'n_pv'"):
        heron_simpy.make(SID, n_pv=3)
    with pytest.raises(
        TypeError, match=re.escape("feeder33-v0 override pv_buses must be tuple")
    ):
        heron_simpy.make(SID, pv_buses=[17, 21])


def test_missing_pandapower_is_a_named_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandapower", None)
    monkeypatch.setitem(sys.modules, "pandapower.networks", None)
    with pytest.raises(ConfigError) as err:
        build(Config())
    assert str(err.value) == (
        "feeder33-v0 needs pandapower: pip install 'heron-simpy[grid]'"
    )
