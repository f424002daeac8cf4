"""One agent, deterministic delays: the sense -> decide -> act cascade.

Timeline (tick 1 s, obs_delay 0.25 s, act_delay 0.5 s, horizon [0, 3))::

    t    0.0   0.25        0.75   1.0   1.25        1.75   2.0   2.25        2.75
         tick  obs+decide  apply  tick  obs+decide  apply  tick  obs+decide  apply
          |-----^------------^      |-----^------------^     |-----^------------^
"""

from __future__ import annotations

from heron_simpy import Simulation
from tests.conftest import Counter, acting, det, rows


def test_cascade_full_trace() -> None:
    plant = Counter(["dev"])
    sim = Simulation(plant, seed=0)
    sim.add_agent(acting("dev", 2.0), tick=det(1.0, obs=0.25, act=0.5))
    sim.run_until(3.0)
    expected = []
    for t in (0.0, 1.0, 2.0):
        expected += [
            (t, "tick", "dev"),
            (t + 0.25, "observe", "dev", t),
            (t + 0.25, "decide", "dev", t),
            (t + 0.75, "apply", "dev", t + 0.25),
        ]
    assert rows(sim.trace) == expected
    assert plant.value["dev"] == 6.0
    s = sim.stats
    assert (s.ticks, s.observations_delivered, s.decisions, s.actions_applied) == (
        3,
        3,
        3,
        3,
    )
    assert s.mean_obs_age == 0.25
    assert s.mean_act_latency == 0.5
    assert sim.now == 3.0


def test_action_in_flight_at_horizon_is_counted_not_applied() -> None:
    """An action decided at 2.25 lands at 2.75: a horizon of 2.5 leaves it in flight."""
    plant = Counter(["dev"])
    sim = Simulation(plant, seed=0)
    sim.add_agent(acting("dev"), tick=det(1.0, obs=0.25, act=0.5))
    sim.run_until(2.5)
    assert sim.stats.actions_in_flight == 1
    assert sim.stats.actions_applied == 2
    sim.run_until(3.0)
    assert sim.stats.actions_in_flight == 0
    assert plant.value["dev"] == 3.0


def test_phase_offsets_first_tick() -> None:
    """phase 0.5 on a 2 s tick in [0, 5): ticks at 0.5, 2.5, 4.5."""
    sim = Simulation(seed=0)
    sim.add_agent(acting("dev"), tick=det(2.0, phase=0.5))
    sim.run_until(5.0)
    assert [r.time for r in sim.trace if r.kind == "tick"] == [0.5, 2.5, 4.5]


def test_deterministic_ticks_never_drift_off_the_grid() -> None:
    """1000 ticks of 0.1 s: each is exactly grid point k (0.1 * k), not a running sum.

    (A running sum gives 0.7999999999999999 for the 8th tick; the grid gives 0.8.)
    """
    sim = Simulation(
        Counter(["dev"]), seed=0, eval_dt=0.1, reward=lambda p, t: {"dev": t}
    )
    sim.add_agent(acting("dev"), tick=det(0.1))
    sim.run_until(100.0)
    ticks = [r.time for r in sim.trace if r.kind == "tick"]
    assert ticks == [k * 0.1 for k in range(1000)]
    assert sim.episode().reward_times == [k * 0.1 for k in range(1, 1001)]


def test_deterministic_ticks_off_the_grid_use_absolute_times() -> None:
    """An interval that is not a whole number of grid steps: start + phase + k * interval."""
    sim = Simulation(seed=0, start_time=2.0, eval_dt=1.0, reward=lambda p, t: {})
    sim.add_agent(acting("dev"), tick=det(0.3, phase=0.1))
    sim.run_until(32.0)
    ticks = [r.time for r in sim.trace if r.kind == "tick"]
    assert ticks == [2.0 + 0.1 + k * 0.3 for k in range(100)]
