"""Fault specs and their injection through profiles, Simulation, evaluate and compare.

Exact per-fault timelines are pinned in tests/invariants/test_fault_timelines.py;
this file checks the plumbing users rely on: validation, pickling, patterns,
where faults come from, and that a fault changes only what it should.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

from heron_simpy import Agent, Simulation, compare, evaluate, make, profiles
from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.faults import (
    FAULT_KINDS,
    ActuatorSaturation,
    ClockDrift,
    Crash,
    FaultError,
    LinkOutage,
    SensorDropout,
    StuckSensor,
    fault_from_mapping,
)
from tests.conftest import Counter, acting, det, rows

ONE_OF_EACH = (
    SensorDropout("battery_0", 10, 20),
    StuckSensor("battery_1", 30, 20),
    LinkOutage("fleet", "*", 40, 30, "queue"),
    Crash("battery_*", 100, 15, "kept"),
    ActuatorSaturation("battery_0", 120, 40, low=-0.2, high=0.2),
    ClockDrift("battery_1", ppm=250.0, offset=0.01),
)


def test_every_kind_is_registered_once() -> None:
    assert sorted(FAULT_KINDS) == sorted({f.kind for f in ONE_OF_EACH})


@pytest.mark.parametrize("fault", ONE_OF_EACH, ids=lambda f: f.kind)
def test_as_dict_round_trips_and_pickles(fault) -> None:
    assert fault_from_mapping(fault.as_dict()) == fault
    assert pickle.loads(pickle.dumps(fault)) == fault


def test_a_spec_reports_every_problem_at_once() -> None:
    with pytest.raises(FaultError) as info:
        LinkOutage("", "b", start=-1.0, duration=math.nan, mode="hold")
    assert [name for name, _ in info.value.problems] == [
        "sender",
        "start",
        "duration",
        "mode",
    ]
    text = str(info.value)
    assert "LinkOutage start must be a finite number >= 0 s" in text
    assert "got -1.0" in text
    assert "got 'hold'" in text


def test_saturation_needs_a_bound_and_ordered_bounds() -> None:
    with pytest.raises(ConfigError, match="low and high must not both be None"):
        ActuatorSaturation("a", 0, 1)
    with pytest.raises(ConfigError, match=r"low must be <= high \(0.1\), got 0.5"):
        ActuatorSaturation("a", 0, 1, low=0.5, high=0.1)


def test_a_pattern_that_names_no_agent_fails_before_anything_runs() -> None:
    sim = Simulation(Counter(["a"]), seed=0)
    sim.add_agent(acting("a"), tick=det(1.0))
    sim.add_fault(Crash("pump_*", 1.0, 1.0))
    with pytest.raises(ConfigError, match=r"Crash agent pattern 'pump_\*' matches no"):
        sim.run_until(5.0)
    assert sim.stats.events_processed == 0
    assert sim.trace == []


def test_add_fault_after_start_is_refused() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("a"), tick=det(1.0))
    sim.run_until(1.0)
    with pytest.raises(SimulationError, match="add_fault must be called before"):
        sim.add_fault(Crash("a", 2.0, 1.0))


def test_profile_faults_and_added_faults_both_apply_in_that_order() -> None:
    first, second = SensorDropout("a", 1, 1), Crash("a", 5, 1)
    profile = profiles["ideal"].with_faults(first, name="ideal+dropout")
    sim = Simulation(Counter(["a"]), seed=0, profile=profile, faults=[second])
    sim.add_agent(acting("a"), tick=det(1.0))
    assert sim.faults == (first, second)
    sim.run_until(10.0)
    starts = [(r.time, r.fault) for r in sim.trace if r.kind == "fault"]
    assert starts == [
        (1.0, "sensor_dropout"),
        (2.0, "sensor_dropout"),
        (5.0, "crash"),
        (6.0, "crash"),
    ]


def test_fault_times_are_relative_to_the_episode_start() -> None:
    sim = Simulation(Counter(["a"]), seed=0, start_time=100.0)
    sim.add_agent(acting("a"), tick=det(1.0))
    sim.add_fault(Crash("a", 2.0, 3.0))
    sim.run_until(110.0)
    ticks = [r.time for r in sim.trace if r.kind == "tick"]
    assert ticks == [100.0, 101.0, 105.0, 106.0, 107.0, 108.0, 109.0]


def test_overlapping_crashes_nest() -> None:
    """Crash [2, 6) and [4, 8) keep the agent down over [2, 8), restart once."""
    sim = Simulation(Counter(["a"]), seed=0)
    sim.add_agent(acting("a"), tick=det(1.0))
    sim.add_fault(Crash("a", 2.0, 4.0), Crash("a", 4.0, 4.0))
    sim.run_until(10.0)
    ticks = [r.time for r in sim.trace if r.kind == "tick"]
    assert ticks == [0.0, 1.0, 8.0, 9.0]
    assert sim.stats.faults == 2


def test_a_crash_wipes_the_inbox() -> None:
    """``b`` (deciding every 10 s) holds three messages when it crashes at 2.5.

    The one sent at 3 arrives while ``b`` is down and stays in its inbox.
    """

    def talk(agent_id, obs, messages, ctx):
        ctx.send("b", obs)

    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=talk), tick=det(1.0))
    sim.add_agent(Agent("b"), tick=det(10.0, phase=5.0))
    sim.add_fault(Crash("b", 2.5, 1.0))
    sim.run_until(3.2)
    lost = [r for r in sim.trace if r.kind == "lose"]
    assert [(r.time, r.item, r.origin) for r in lost] == [
        (2.5, "message", 0.0),
        (2.5, "message", 1.0),
        (2.5, "message", 2.0),
    ]
    assert sim.stats.messages_flushed == 3
    assert [m.sent_at for m in sim.inbox("b")] == [3.0]
    assert sim.stats.messages_accounted


def test_clock_drift_stamps_messages_with_the_local_clock() -> None:
    stamps = []

    def talk(agent_id, obs, messages, ctx):
        stamps.append((ctx.now, ctx.send("b", 0).stamp))

    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=talk), tick=det(1.0))
    sim.add_agent(Agent("b"), tick=det(100.0))
    sim.add_fault(ClockDrift("a", ppm=1e5, offset=0.5))
    sim.run_until(3.0)
    ticks = [r.time for r in sim.trace if r.kind == "tick" and r.agent_id == "a"]
    # local ticks at 1, 2, 3, ... are reached (t - 0) * 1.1 + 0.5 -> t = (k - 0.5) / 1.1
    assert ticks == pytest.approx([0.5 / 1.1, 1.5 / 1.1, 2.5 / 1.1])
    assert [s for s, _ in stamps] == pytest.approx([1.0, 2.0, 3.0])
    assert all(now == stamp for now, stamp in stamps)


def test_evaluate_runs_a_profile_with_faults_and_traces_them() -> None:
    plain = evaluate("battery-v0", profile="lan", seed=3)
    faulted = evaluate(
        "battery-v0",
        profile=profiles["lan"].with_faults(*ONE_OF_EACH, name="lan+all"),
        seed=3,
    )
    kinds = {r.fault for r in faulted.trace if r.kind == "fault"}
    assert kinds == set(FAULT_KINDS)
    assert faulted.stats.faults == 7  # the crash hits both batteries
    assert faulted.stats.observations_lost > 0
    assert faulted.returns != plain.returns
    assert plain.stats.faults == 0
    assert not [r for r in plain.trace if r.kind in ("fault", "lose")]


def test_a_fault_outside_the_run_changes_nothing() -> None:
    """A fault scheduled after t_end leaves the trace bit for bit as without it."""
    late = profiles["scada"].with_faults(Crash("fleet", 500.0, 10.0), name="late")
    plain = evaluate("battery-v0", profile="scada", seed=1)
    faulted = evaluate("battery-v0", profile=late, seed=1)
    assert rows(faulted.trace) == rows(plain.trace)
    assert faulted.returns == plain.returns


def test_compare_rows_with_faults_match_between_pool_and_serial() -> None:
    crash = profiles["lan"].with_faults(Crash("battery_*", 60, 120), name="lan+crash")
    kw = {"profiles": ["lan", crash], "seeds": 2, "t_end": 200.0}
    serial = compare("battery-v0", None, workers=1, **kw)
    pooled = compare("battery-v0", None, workers=2, **kw)
    assert serial.rows == pooled.rows
    labels = [r.label for r in serial.rows]
    assert labels == ["lan", "lan+crash"]
    assert serial.rows[1].mean_return < serial.rows[0].mean_return


def test_reset_clears_fault_state_and_the_rerun_is_identical() -> None:
    sim = Simulation(Counter(["a", "b"]), seed=0, profile="lan")
    sim.add_agent(acting("a"))
    sim.add_agent(acting("b"))
    sim.add_fault(Crash("a", 2.0, 5.0), LinkOutage("*", "*", 1.0, 100.0, "queue"))
    sim.run_until(4.0)
    first = rows(sim.trace)
    sim.reset()
    assert sim.kernel.live_processes == 0
    sim.run_until(4.0)
    assert rows(sim.trace) == first


def test_the_event_training_env_runs_faults_from_its_profile() -> None:
    """A crashed battery gets no observation (so no step entry) while it is down."""
    profile = profiles["ideal"].with_faults(Crash("battery_1", 5, 10), name="crash")
    env = make("battery-v0", api="event", profile=profile)
    obs, _ = env.reset(seed=0)
    seen: dict[str, list[float]] = {"battery_0": [], "battery_1": []}
    while env.time < 20.0:
        for a, times in seen.items():
            if a in obs:
                times.append(env.time)
        space = env.action_space
        obs, *_ = env.step({a: space(a).low for a in obs})
    assert [t for t in seen["battery_0"] if 5 <= t < 15] == list(range(5, 15))
    assert [t for t in seen["battery_1"] if 5 <= t < 15] == []
    assert 15.0 in seen["battery_1"]
    assert env.simulation.stats.faults == 1  # the env keeps counts, not a trace


def test_saturation_keeps_the_action_dtype_and_counts_only_changes() -> None:
    """float32 arrays stay float32; an action inside the bounds is passed as is."""
    actions = iter([np.array([0.9], np.float32), np.array([0.1], np.float32)])
    applied = []

    class Recording(Agent):
        def act(self, plant, action):
            applied.append(action)

    sim = Simulation(seed=0)
    sim.add_agent(Recording("a", controller=lambda *_: next(actions)), tick=det(1.0))
    sim.add_fault(ActuatorSaturation("a", 0.0, 10.0, low=-0.5, high=0.5))
    sim.run_until(2.0)
    first, second = applied
    assert first.dtype == np.float32
    assert first.tolist() == [0.5]
    assert second.tolist() == pytest.approx([0.1])
    assert sim.stats.actions_saturated == 1
