"""Library bugs found by the invariant tests, each reduced to its smallest case
and kept as a regression test (all fixed).

Root cause of the first three (fixed: the restart now waits for a TICK-priority
timer at the restart instant): ``AgentProcess.restart`` starts a new SimPy
process; a *jittered* agent ticks directly inside that process's
initialisation event, which SimPy runs at ``URGENT`` priority -- before the
other fault transitions of the instant (``NORMAL``) and before the
``EVALUATE`` / ``APPLY`` / ``TICK`` phases. A deterministic agent first
yields a ``TICK``-priority timer and is not affected.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from heron_simpy import Agent, Simulation, TickConfig
from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.faults import (
    ActuatorSaturation,
    ClockDrift,
    Crash,
    LinkOutage,
    SensorDropout,
    StuckSensor,
)
from tests.conftest import Counter, det

JITTERED = TickConfig(1.0, jitter_type="uniform", jitter_ratio=0.1)


def ticks(sim: Simulation, agent_id: str = "a") -> list[float]:
    return [r.time for r in sim.trace if r.kind == "tick" and r.agent_id == agent_id]


def restart_case(*faults: Any, tick: TickConfig = JITTERED) -> Simulation:
    sim = Simulation(seed=0, faults=list(faults))
    sim.add_agent(Agent("a", controller=lambda *_: None), tick=tick)
    sim.run_until(3.0)
    return sim


def test_deterministic_agent_respects_a_crash_starting_at_its_restart() -> None:
    """The reference behaviour: what the jittered agents below must match."""
    sim = restart_case(Crash("a", 0.5, 0.5), Crash("a", 1.0, 1.0), tick=det(1.0))
    assert ticks(sim) == [0.0, 2.0]


def test_no_tick_when_a_crash_ends_as_the_next_starts() -> None:
    """Crash [0.5, 1.0) then crash [1.0, 2.0), listed in that order, jittered ticks.

    Expected: down over [0.5, 2.0) (windows are half-open, a crash starting at
    1.0 holds for the tick at 1.0): ticks at 0.0, then 2.0 (restart), then ~3.
    Actual: ticks [0.0, 1.0, 2.0, ...] -- a tick at 1.0 inside [1.0, 2.0), its
    observation then lost to the crash. Listing the crashes the other way
    round, or a deterministic tick config, gives no tick at 1.0.
    """
    sim = restart_case(Crash("a", 0.5, 0.5), Crash("a", 1.0, 1.0))
    assert 1.0 not in ticks(sim)


def test_dropout_starting_at_a_restart_drops_the_restart_tick() -> None:
    """Crash [0.5, 1.0), then a sensor dropout [1.0, 2.0); jittered ticks.

    Expected: the restart tick at 1.0 is inside the dropout: its observation
    is lost (a ``lose`` record), as it is for a deterministic agent.
    Actual: ``observe`` and ``decide`` at 1.0 of an observation sampled at 1.0,
    inside the dropout window (and, symmetrically, a dropout *ending* at 1.0
    still drops the restart tick).
    """
    sim = restart_case(Crash("a", 0.5, 0.5), SensorDropout("a", 1.0, 1.0))
    observed = [r.sampled_at for r in sim.trace if r.kind == "observe"]
    assert 1.0 not in observed


def test_restart_tick_senses_after_the_effects_of_its_instant() -> None:
    """a (jittered) crashes [0.5, 1.0); b's action (decided 0.0, act 1.0) lands at 1.0.

    Expected (same-time order: effects land, then agents tick and sense): a's
    restart tick at 1.0 reads b's value after the effect, 1.0 -- as it does
    with a deterministic tick config.
    Actual: it reads 0.0, and its tick record precedes b's apply at 1.0.
    """
    seen: list[float] = []
    plant = Counter(["a", "b"])
    sim = Simulation(plant, seed=0, faults=[Crash("a", 0.5, 0.5)])
    sim.add_agent(
        Agent(
            "a",
            sensor=lambda p, _: p.value["b"],
            controller=lambda a, obs, m, c: seen.append(obs),
        ),
        tick=JITTERED,
    )
    sim.add_agent(
        Agent("b", controller=lambda *_: 1.0), tick=TickConfig(10.0, act_delay=1.0)
    )
    sim.run_until(1.5)
    assert seen == [0.0, 1.0]


def test_clock_drift_has_no_start() -> None:
    """A clock error is a standing property of a device: ClockDrift holds for
    the whole episode and takes no ``start`` (found: a ``start`` field that the
    engine ignored)."""
    with pytest.raises(TypeError, match="start"):
        ClockDrift("a", ppm=1e5, start=5.0)  # type: ignore[call-arg]


def test_drop_outage_keeps_other_links_draws() -> None:
    """a sends to b and c each tick (msg 0.5 s, uniform jitter 0.4); a->b down [2, 4).

    ``Broker.outage``: "Loss and delay are still drawn for it, so other links'
    and later messages' draws do not change." Expected: the a->c deliveries
    are identical with and without the outage (they are in ``mode="queue"``).
    Actual (seed 1): a->c messages 5, 7, 9 arrive at 2.757, 3.917, 5.492
    instead of 2.650, 4.167, 5.286: ``Broker.send`` returns before
    ``link.delay()`` for a message dropped by the outage, and a's message-delay
    stream is shared by all its links.
    """

    def deliveries(*faults: Any) -> list[tuple[float, int]]:
        def both(agent_id: str, obs: Any, messages: tuple, ctx: Any) -> None:
            ctx.send("b", 0)
            ctx.send("c", 0)

        sim = Simulation(seed=1, faults=list(faults))
        sim.add_agent(
            Agent("a", controller=both),
            tick=TickConfig(
                1.0, msg_delay=0.5, jitter_type="uniform", jitter_ratio=0.4
            ),
        )
        sim.add_agent(Agent("b"), tick=TickConfig(100.0))
        sim.add_agent(Agent("c"), tick=TickConfig(100.0))
        sim.run_until(6.0)
        return [
            (r.time, r.msg_id)
            for r in sim.trace
            if r.kind == "deliver" and r.agent_id == "c"
        ]

    assert deliveries(LinkOutage("a", "b", 2.0, 2.0, "queue")) == deliveries()
    assert deliveries(LinkOutage("a", "b", 2.0, 2.0, "drop")) == deliveries()


def test_saturation_list_bounds_on_a_scalar_action() -> None:
    """ActuatorSaturation(low=[0.0], high=[1.0]) and a float action 0.5.

    Expected: 0.5 lands unchanged (nothing to clip), or -- if list bounds do
    not fit a scalar -- a SimulationError naming the agent, the time and the
    fault, like every other error inside a run (design.md, "Errors raised
    inside a run"). Actual: ``TypeError: only 0-dimensional arrays can be
    converted to Python scalars`` from ``float(clipped)`` in
    ``AgentProcess._saturated`` (np.clip broadcasts to shape (1,), and
    ``np.array_equal`` of shapes (1,) and () is False).
    """
    plant = Counter(["a"])
    sim = Simulation(
        plant, seed=0, faults=[ActuatorSaturation("a", 0.0, 10.0, [0.0], [1.0])]
    )
    sim.add_agent(Agent("a", controller=lambda *_: 0.5), tick=det(1.0))
    with contextlib.suppress(SimulationError):
        sim.run_until(1.0)
        assert plant.applied == [("a", 0.5)]
        assert sim.stats.actions_saturated == 0


def test_saturation_rejects_list_bounds_with_low_above_high() -> None:
    """ActuatorSaturation("a", 0, 1, low=[2.0], high=[1.0]).

    Expected: a FaultError naming ``low`` (as for scalar bounds: "must be <=
    high"). Actual: accepted; np.clip then silently returns ``high`` for every
    element.
    """
    with pytest.raises(ConfigError, match="low"):
        ActuatorSaturation("a", 0.0, 1.0, low=[2.0], high=[1.0])


def test_stuck_sensor_starting_on_a_tick_reads_what_that_tick_reads() -> None:
    """Sensor reads the plant; effects (+1, act 1.0) land on every whole second.

    Without a fault the tick at 5.0 reads 5.0 (effects land before sensing at
    an instant). StuckSensor(start=5.0): the docstring says every tick
    delivers "the observation sampled at ``start``" and injection.py says a
    fault starting at t "already holds for the tick ... at t". Expected: the
    ticks at 5.0 and 6.0 deliver 5.0 (the reading a sensor takes at 5.0).
    Actual: 4.0 -- ``sensor_fault`` senses at NORMAL priority, before the
    effect landing at 5.0 (a start at 4.5 gives 4.0, correctly).
    """
    seen: list[float] = []
    plant = Counter(["a"])
    sim = Simulation(plant, seed=0, faults=[StuckSensor("a", 5.0, 2.0)])
    sim.add_agent(
        Agent(
            "a",
            sensor=lambda p, a: p.value[a],
            controller=lambda a, obs, m, c: seen.append(obs) or 1.0,
        ),
        tick=det(1.0, act=1.0),
    )
    sim.run_until(8.0)
    assert seen == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, 7.0]


def test_clock_offset_first_tick_does_not_depend_on_negligible_jitter() -> None:
    """ClockDrift(offset=2.5), tick 1 s, phase 0: deterministic vs ratio 1e-12 jitter.

    Expected: a jitter of 1e-12 moves the first tick by ~1e-12 s at most.
    Actual: deterministic ticks start at 0.5 (local ticks 0, 1, 2 fell before
    the start and are skipped; local 3 is reached at true 0.5), jittered ones
    at 0.0 (``max(0, phase - offset)``): the same clock gives two schedules.
    """
    first = []
    for tick in (det(1.0), TickConfig(1.0, jitter_type="uniform", jitter_ratio=1e-12)):
        sim = Simulation(seed=0, faults=[ClockDrift("a", offset=2.5)])
        sim.add_agent(Agent("a"), tick=tick)
        sim.run_until(2.0)
        first.append(ticks(sim)[0])
    assert first[0] == pytest.approx(first[1], abs=1e-6)
