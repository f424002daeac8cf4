"""traffic-v0: queues, platoons, the enforced phase cycle and the coordinator."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pytest
from heron_simpy.scenarios.traffic import (
    ALL_RED_MAIN,
    ALL_RED_SIDE,
    GREEN_MAIN,
    GREEN_SIDE,
    YELLOW_MAIN,
    YELLOW_SIDE,
    Config,
    TrafficPlant,
    green_wave_offsets,
)

import heron_simpy
from heron_simpy import ConfigError, registry
from heron_simpy.timing import generator
from tests.conftest import rows

SID = "traffic-v0"
SEEDS = range(3)
OFFSETS = green_wave_offsets(Config()).astype(np.float32)


def never_switch(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """Do nothing: signals keep the main street green (offsets as built in)."""
    if agent_id == "corridor":
        return OFFSETS.copy()
    return np.zeros(1, np.float32)


def fresh_plant(seed: int, **overrides: Any) -> TrafficPlant:
    """A plant reset from the stream a simulation with ``seed`` would give it."""
    plant = TrafficPlant(Config(**overrides))
    plant.reset(generator(seed, "plant"))
    return plant


def arrivals(seed: int, **overrides: Any) -> np.ndarray:
    """Every step's arrivals [entry, side streets...] of a fresh plant, in order."""
    plant = fresh_plant(seed, **overrides)
    steps = round(plant.config.horizon / plant.physics_step) + 1
    rows = []
    for k in range(steps):
        entry, side = plant.arrivals(k)
        rows.append([entry, *side])
    return np.array(rows)


def drive(plant: TrafficPlant, seed: int, p_switch: float = 0.05):
    """Step the plant with random switch requests.

    Yields once per step, after the requests and before the plant advances,
    so the phases seen are the ones in force during that step.
    """
    rng = np.random.default_rng(seed)
    steps = round(plant.config.horizon / plant.physics_step)
    for _ in range(steps):
        for agent_id in plant.ids:
            plant.apply(agent_id, np.array([float(rng.random() < p_switch)]))
        yield
        plant.advance(plant.physics_step)


def signal_return(policy: Any = None, profile: Any = "ideal", seed: int = 0) -> float:
    """Summed return of the signals (minus the corridor's vehicle-seconds)."""
    ep = heron_simpy.evaluate(SID, policy, profile=profile, seed=seed)
    return math.fsum(v for k, v in ep.returns.items() if k != "corridor")


# ------------------------------------------------------------------ the plant
@pytest.mark.parametrize("seed", [0, 3])
def test_queues_never_negative_and_vehicles_conserved(seed: int) -> None:
    plant = fresh_plant(seed)
    for _ in drive(plant, seed):
        assert (plant.queue >= 0.0).all()
        assert (plant.transit >= 0.0).all()
        assert np.array_equal(plant.queue, np.round(plant.queue))
        assert plant.arrived == plant.queue.sum() + plant.exited + plant.in_transit
    assert plant.arrived > 0
    assert plant.exited > 0


def test_platoons_take_the_travel_time() -> None:
    plant = fresh_plant(0, main_rate=0.0, side_rate=0.0, n_intersections=2)
    plant.queue[0, 0] = 1.0
    plant.arrived = 1.0
    steps = left = 0
    while plant.queue[1, 0] == 0.0:
        plant.advance(plant.physics_step)
        steps += 1
        if not left and plant.queue[0, 0] == 0.0:
            left = steps
    assert left > 0
    assert steps - left == plant.travel_steps  # the platoon spends travel_time
    assert plant.in_transit == 0.0


@pytest.mark.parametrize("seed", [0, 1])
def test_min_green_and_clearance_are_always_respected(seed: int) -> None:
    plant = fresh_plant(seed)
    history = []
    for _ in drive(plant, seed, p_switch=0.3):
        history.append(plant.phase.copy())
    phases = np.array(history)  # steps x intersections
    need = {
        GREEN_MAIN: plant.min_green_steps,
        GREEN_SIDE: plant.min_green_steps,
        YELLOW_MAIN: plant.yellow_steps,
        YELLOW_SIDE: plant.yellow_steps,
        ALL_RED_MAIN: plant.all_red_steps,
        ALL_RED_SIDE: plant.all_red_steps,
    }
    switches = 0
    for i in range(plant.n):
        column = phases[:, i]
        change = np.flatnonzero(column[1:] != column[:-1]) + 1
        starts = np.concatenate([[0], change])
        for start, end in itertools.pairwise(starts):
            phase = int(column[start])
            assert int(column[end]) == (phase + 1) % 6  # the fixed cycle order
            if phase in (GREEN_MAIN, GREEN_SIDE):
                assert end - start >= need[phase]
            else:  # clearance lasts exactly its length
                assert end - start == need[phase]
        switches += len(change)
    assert switches > 20


@pytest.mark.parametrize("profile", ["ideal", "traffic"])
def test_the_running_simulation_respects_the_phase_timing(profile: str) -> None:
    scenario = registry.build(SID)
    plant = scenario.plant
    changes: list[tuple[str, int, int, int]] = []  # (by, from, steps, to)
    apply, advance = plant.apply, plant.advance

    def watched_apply(agent_id: str, action: np.ndarray) -> None:
        i = plant.index[agent_id]
        before, steps = int(plant.phase[i]), int(plant.phase_steps[i])
        apply(agent_id, action)
        if plant.phase[i] != before:
            changes.append(("apply", before, steps, int(plant.phase[i])))

    def watched_advance(dt: float) -> None:
        before, steps = plant.phase.copy(), plant.phase_steps.copy()
        advance(dt)
        for i in np.flatnonzero(plant.phase != before):
            changes.append(
                ("advance", int(before[i]), int(steps[i]) + 1, int(plant.phase[i]))
            )

    plant.apply, plant.advance = watched_apply, watched_advance
    sim = scenario.simulation(profile, 0)
    sim.run_until(120.0)
    need = {
        YELLOW_MAIN: plant.yellow_steps,
        YELLOW_SIDE: plant.yellow_steps,
        ALL_RED_MAIN: plant.all_red_steps,
        ALL_RED_SIDE: plant.all_red_steps,
    }
    assert len(changes) > 20
    for by, before, steps, after in changes:
        assert after == (before + 1) % 6
        if by == "apply":  # only a green ends on request, after min green
            assert before in (GREEN_MAIN, GREEN_SIDE)
            assert steps >= plant.min_green_steps
        else:  # only clearance ends by itself, after exactly its length
            assert steps == need[before]


def test_switch_requests_during_min_green_or_clearance_are_ignored() -> None:
    plant = fresh_plant(0)
    switch = np.array([1.0])
    plant.apply("signal_0", switch)  # t = 0: inside min green
    assert plant.phase[0] == GREEN_MAIN
    for _ in range(plant.min_green_steps):
        plant.advance(plant.physics_step)
    plant.apply("signal_0", switch)
    assert plant.phase[0] == YELLOW_MAIN
    plant.advance(plant.physics_step)
    plant.apply("signal_0", switch)  # during yellow: ignored
    assert plant.phase[0] == YELLOW_MAIN
    assert plant.phase_steps[0] == 1
    plant.apply("signal_0", np.array([0.49]))  # below 0.5 is "keep"
    assert plant.switches[0] == 1


def test_arrivals_are_seeded() -> None:
    assert np.array_equal(arrivals(0), arrivals(0))
    assert not np.array_equal(arrivals(0)[:, 1:], arrivals(1)[:, 1:])
    a, b, c = fresh_plant(0), fresh_plant(0), fresh_plant(1)
    for plant in (a, b, c):
        for _ in drive(plant, 0):
            pass
    assert a.arrived == b.arrived
    assert np.array_equal(a.queue, b.queue)
    assert not np.array_equal(a.queue, c.queue) or a.arrived != c.arrived


def test_arrival_rates_match_the_config() -> None:
    rows = arrivals(0, horizon=3600.0)  # 36001 steps: several chunks
    seconds = 3600.0
    assert rows[:, 0].sum() / seconds == pytest.approx(0.15, rel=0.15)
    assert rows[:, 1:].sum() / seconds / 4 == pytest.approx(0.08, rel=0.15)


# ------------------------------------------------------------------ controllers
@pytest.mark.parametrize("seed", SEEDS)
def test_builtin_controller_beats_never_switching_under_ideal(seed: int) -> None:
    builtin, nothing = (
        signal_return(None, seed=seed),
        signal_return(never_switch, seed=seed),
    )
    assert builtin > 1.5 * nothing  # both negative: at least a third less delay
    assert builtin - nothing > 500.0


def test_coordinator_sends_green_wave_offsets() -> None:
    scenario = registry.build(SID)
    recorder = heron_simpy.Recorder()
    sim = scenario.simulation("ideal", 0, recorder=recorder)
    sim.run_until(10.0)
    sends = [r for r in recorder.records if r.kind == "send"]
    assert len(sends) == 2 * 4  # t = 0 and t = 5, one per signal
    assert {r.agent_id for r in sends} == {"corridor"}
    follower = scenario.agent("signal_2").protocols[0]
    assert follower.value == 20.0  # 2 x travel time 10 s, modulo the 40 s cycle
    assert OFFSETS.tolist() == [0.0, 10.0, 20.0, 30.0]


def test_traffic_profile_completes_and_differs_from_ideal() -> None:
    ideal = heron_simpy.evaluate(SID, profile="ideal", seed=0)
    field = heron_simpy.evaluate(SID, profile="traffic", seed=0)
    assert set(field.returns) == set(ideal.returns)
    assert field.returns != ideal.returns
    assert all(math.isfinite(v) for v in field.returns.values())


def test_observation_layout() -> None:
    names = registry.build(SID).agent("signal_0").observation_names
    assert names == (
        "signal_0.queue.main",
        "signal_0.queue.side",
        "signal_0.signal.phase",
        "signal_0.signal.time_in_phase",
        "signal_0.clock.cycle_position",
        "signal_0.setpoint",
    )
    env = heron_simpy.make(SID)
    obs, _ = env.reset(seed=0)
    assert obs["signal_0"].shape == (6,)
    assert obs["corridor"].shape == (8,)  # every signal's two queues


# ------------------------------------------------------------------ determinism
def test_same_seed_same_trace_different_seed_different() -> None:
    a = heron_simpy.evaluate(SID, seed=3, profile="traffic", t_end=40.0)
    b = heron_simpy.evaluate(SID, seed=3, profile="traffic", t_end=40.0)
    c = heron_simpy.evaluate(SID, seed=4, profile="traffic", t_end=40.0)
    assert rows(a.trace) == rows(b.trace)
    assert a.rewards == b.rewards
    assert rows(a.trace) != rows(c.trace)


# ------------------------------------------------------------------ overrides
def test_overrides_scale_the_corridor() -> None:
    ep = heron_simpy.evaluate(SID, t_end=5.0, n_intersections=2)
    assert set(ep.returns) == {"signal_0", "signal_1", "corridor"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_intersections": 0}, "n_intersections must be an int >= 1, got 0"),
        ({"saturation_flow": 0.0}, "saturation_flow must be a number > 0, got 0.0"),
        ({"min_green": math.inf}, "min_green must be a number > 0, got inf"),
        ({"main_rate": -0.1}, "main_rate must be a number >= 0, got -0.1"),
        ({"side_rate": math.nan}, "side_rate must be a number >= 0, got nan"),
        ({"dt": -1.0}, "dt must be a number > 0, got -1.0"),
        ({"yellow": 3.05}, "yellow must be a multiple of dt (0.1), got 3.05"),
        (
            {"coordinator_tick": 5.0, "dt": 2.0},
            "coordinator_tick must be a multiple of dt (2.0), got 5.0",
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
        Config(n_intersections=0, cycle=-1.0, margin=-2.0)
    text = str(info.value)
    assert text.startswith("invalid traffic-v0 Config:\n- ")
    assert "n_intersections must be an int >= 1, got 0" in text
    assert "cycle must be a number > 0, got -1.0" in text
    assert "margin must be a number >= 0, got -2.0" in text
