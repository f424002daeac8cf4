"""sensor-network-v0: seeded graph, spreading event, shared readings, loss matters."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pytest
from heron_simpy.scenarios.sensor_network import Config, SensorPlant

import heron_simpy
from heron_simpy import ConfigError, registry
from heron_simpy.timing import BernoulliLoss, GilbertElliottLoss, generator
from tests.conftest import rows

SID = "sensor-network-v0"
SEEDS = range(4)


def never_alarm(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """The do-nothing controller: the alarm stays off."""
    return np.zeros(1, np.float32)


def fresh_plant(seed: int, **overrides: Any) -> SensorPlant:
    """A plant reset from the stream a simulation with ``seed`` would give it."""
    plant = SensorPlant(Config(**overrides))
    plant.reset(generator(seed, "plant"))
    return plant


def mean_return(
    policy: Any = None, profile: Any = "ideal", seeds: Any = SEEDS
) -> float:
    """Mean per-sensor return over ``seeds``."""
    per_seed = []
    for seed in seeds:
        ep = heron_simpy.evaluate(SID, policy, profile=profile, seed=seed)
        per_seed.append(math.fsum(ep.returns.values()) / len(ep.returns))
    return math.fsum(per_seed) / len(per_seed)


# ------------------------------------------------------------------ the plant
def test_graph_is_seeded() -> None:
    a, b, c = fresh_plant(0), fresh_plant(0), fresh_plant(1)
    assert np.array_equal(a.positions, b.positions)
    assert np.array_equal(a.adjacency, b.adjacency)
    assert a.neighbours == b.neighbours
    assert not np.array_equal(a.positions, c.positions)
    assert not np.array_equal(a.adjacency, c.adjacency)


def test_graph_is_a_symmetric_radius_graph() -> None:
    plant = fresh_plant(3, radius=0.3)
    gap = plant.positions[:, None, :] - plant.positions[None, :, :]
    dist = np.sqrt((gap**2).sum(axis=-1))
    assert np.array_equal(plant.adjacency, plant.adjacency.T)
    assert not plant.adjacency.diagonal().any()
    off = ~np.eye(plant.n, dtype=bool)
    assert np.array_equal(plant.adjacency[off], (dist <= 0.3)[off])


@pytest.mark.parametrize("seed", [0, 5])
def test_event_spreads_monotonically_and_readings_stay_in_range(seed: int) -> None:
    plant = fresh_plant(seed)
    areas, covered = [], [plant.covered.copy()]
    for _ in range(round(plant.config.horizon / plant.physics_step)):
        plant.advance(plant.physics_step)
        areas.append(plant.covered_area)
        covered.append(plant.covered.copy())
        assert (plant.reading >= 0.0).all()
        assert (plant.reading <= 2.0).all()
    assert all(later >= earlier for earlier, later in itertools.pairwise(areas))
    # a covered sensor stays covered
    assert all((c1 >= c0).all() for c0, c1 in itertools.pairwise(covered))
    assert areas[0] == 0.0  # the onset is at least 30 s in
    assert areas[-1] > 0.0
    assert covered[-1].any()


def test_readings_before_the_onset_are_only_noise() -> None:
    plant = fresh_plant(2, noise=0.0)
    assert plant.onset >= 30.0
    for _ in range(29):
        plant.advance(1.0)
        assert (plant.reading == 0.0).all()
        assert not plant.active


# ------------------------------------------------------------------ controllers
def test_builtin_controller_beats_doing_nothing_under_ideal() -> None:
    builtin, nothing = mean_return(None), mean_return(never_alarm)
    assert nothing < 0.0 < builtin
    assert builtin - nothing > 100.0


@pytest.mark.parametrize(
    "loss",
    [BernoulliLoss(0.5), GilbertElliottLoss(0.1, 0.2)],
    ids=["bernoulli-0.5", "gilbert-elliott"],
)
def test_loss_lowers_the_builtin_return(loss: Any) -> None:
    lossless = mean_return(None)
    lossy = mean_return(None, heron_simpy.profiles["ideal"].with_loss(loss))
    assert lossy < lossless - 5.0


def test_wan_lowers_the_builtin_return() -> None:
    assert mean_return(None, "wan") < mean_return(None)


def test_loss_does_not_touch_the_do_nothing_controller() -> None:
    lossy = heron_simpy.profiles["ideal"].with_loss(BernoulliLoss(0.5))
    assert mean_return(never_alarm, lossy) == mean_return(never_alarm)


# ------------------------------------------------------------------ messages
@pytest.mark.parametrize("seed", [0, 4])
def test_readings_flow_between_graph_neighbours_only(seed: int) -> None:
    scenario = registry.build(SID)
    recorder = heron_simpy.Recorder()
    sim = scenario.simulation("ideal", seed, recorder=recorder)
    sim.run_until(20.0)
    plant = scenario.plant
    sends = [r for r in recorder.records if r.kind == "send"]
    delivers = [r for r in recorder.records if r.kind == "deliver"]
    edges = {(a, b) for a, peers in plant.neighbours.items() for b in peers}
    assert edges  # the default graph has edges
    assert {(r.agent_id, r.recipient) for r in sends} == edges
    assert {(r.sender, r.agent_id) for r in delivers} == edges
    assert len(sends) == len(delivers) == 20 * len(edges)  # one per tick and edge
    assert all(r.time == r.sent_at for r in delivers)  # ideal: instant


def test_heavy_loss_drops_messages() -> None:
    lossy = heron_simpy.profiles["ideal"].with_loss(BernoulliLoss(0.5))
    stats = heron_simpy.evaluate(SID, profile=lossy, t_end=50.0).stats
    assert stats.messages_dropped > 0
    assert stats.messages_sent == (
        stats.messages_delivered + stats.messages_dropped + stats.messages_in_flight
    )


def test_observation_is_own_reading_then_neighbour_evidence() -> None:
    env = heron_simpy.make(SID)
    obs, _ = env.reset(seed=0)
    names = registry.build(SID).agent("sensor_0").observation_names
    assert names == (
        "sensor_0.reading.reading",
        "sensor_0.neighbour_max",
        "sensor_0.heard",
    )
    assert all(o.shape == (3,) for o in obs.values())


# ------------------------------------------------------------------ determinism
def test_same_seed_same_trace_different_seed_different() -> None:
    a = heron_simpy.evaluate(SID, seed=3, profile="wan", t_end=100.0)
    b = heron_simpy.evaluate(SID, seed=3, profile="wan", t_end=100.0)
    c = heron_simpy.evaluate(SID, seed=4, profile="wan", t_end=100.0)
    assert rows(a.trace) == rows(b.trace)
    assert a.rewards == b.rewards
    assert rows(a.trace) != rows(c.trace)


# ------------------------------------------------------------------ overrides
def test_overrides_scale_the_population() -> None:
    ep = heron_simpy.evaluate(SID, t_end=5.0, n_sensors=3)
    assert set(ep.returns) == {"sensor_0", "sensor_1", "sensor_2"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_sensors": 1}, "n_sensors must be an int >= 2, got 1"),
        ({"radius": 0.0}, "radius must be a number > 0, got 0.0"),
        ({"radius": math.inf}, "radius must be a number > 0, got inf"),
        ({"speed": -0.1}, "speed must be a number >= 0, got -0.1"),
        ({"noise": math.nan}, "noise must be a number >= 0, got nan"),
        ({"dt": -1.0}, "dt must be a number > 0, got -1.0"),
        (
            {"onset_min": 50.0, "onset_max": 40.0},
            "onset_max must be >= onset_min (50.0), got 40.0",
        ),
    ],
)
def test_bad_overrides_are_rejected_naming_field_and_value(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        heron_simpy.make(SID, **overrides)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        Config(n_sensors=0, radius=-1.0, fp_penalty=-2.0)
    text = str(info.value)
    assert text.startswith("invalid sensor-network-v0 Config:\n- ")
    assert "n_sensors must be an int >= 2, got 0" in text
    assert "radius must be a number > 0, got -1.0" in text
    assert "fp_penalty must be a number >= 0, got -2.0" in text


def test_wrong_override_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=re.escape("override n_sensors must be int")):
        heron_simpy.make(SID, n_sensors=2.5)
