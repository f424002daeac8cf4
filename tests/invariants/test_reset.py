"""``reset`` in the middle of faults leaves nothing behind, and replays exactly.

Each example runs a random world (or a registered scenario under a random
profile) whose fault schedule is forced to be *active at the cut*: a crash
(``in_flight`` lost or kept) of a random agent, a ``queue`` link outage
holding messages, and maybe a sensor dropout / stuck sensor / saturation,
all covering the cut instant, plus the random schedule. The run stops at the
cut (and maybe ``extra`` events into the cut instant), then ``reset()``:

- the OLD SimPy environment, introspected: no live process (every process
  the kernel started, the restarted agent processes included), an empty event
  queue, every store created empty (items, get and put queues);
- the new episode starts clean (no process, no event, no record, zero stats);
- re-running to the cut gives the same trace and stats as the first time,
  without touching the old environment; running on to the end gives the same
  trace as a fresh simulation; ``reset(seed, start_time)`` equals a fresh
  simulation with that seed and start time.

Hypothesis examples per test (``EXAMPLES``):
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from heron_simpy import Simulation
from heron_simpy.faults import (
    ActuatorSaturation,
    Crash,
    Fault,
    LinkOutage,
    SensorDropout,
    StuckSensor,
)
from heron_simpy.timing import TimingProfile
from tests.invariants import strategies as strat
from tests.invariants.checks import (
    check_trace,
    same_trace,
    stats_dict,
)
from tests.invariants.test_scenarios import (
    HEAVY,
    HEAVY_SCALE,
    scenario_ids,
    schedules_for,
    simulation,
)
from tests.invariants.test_scenarios import _shape as scenario_shape
from tests.invariants.world import World, worlds

EXAMPLES = {
    "test_reset_mid_fault_world": 150,
    "test_reset_mid_fault_scenario": 15,  # per scenario
}
__doc__ += "\n".join(f"- ``{k}``: {v}" for k, v in EXAMPLES.items()) + "\n"


def examples(name: str, scale: float = 1.0) -> settings:
    return strat.budget(round(EXAMPLES[name] * scale))


@st.composite
def active_at(draw: st.DrawFn, ids: tuple[str, ...], cut: float) -> tuple[Fault, ...]:
    """Faults whose windows cover ``cut`` (s after the start): a crash, an outage..."""

    def window() -> tuple[float, float]:
        before = draw(st.floats(0.01, 3.0))
        start = max(0.0, cut - before)
        return start, cut - start + draw(
            st.one_of(st.floats(0.01, 5.0), st.just(math.inf))
        )

    who = strat.patterns(ids)
    start, length = window()
    out: list[Fault] = [
        Crash(
            draw(st.sampled_from(ids)),
            start,
            length,
            draw(st.sampled_from(["lost", "kept"])),
        )
    ]
    start, length = window()
    out.append(LinkOutage(draw(who), draw(who), start, length, "queue"))
    if draw(st.booleans()):
        start, length = window()
        out.append(SensorDropout(draw(who), start, length))
    if draw(st.booleans()):
        start, length = window()
        out.append(StuckSensor(draw(who), start, length))
    if draw(st.booleans()):
        start, length = window()
        out.append(ActuatorSaturation(draw(who), start, length, -1.0, 1.0))
    return tuple(out)


class Cut:
    """Run to a cut (maybe into the cut instant), reset, introspect, replay."""

    def __init__(
        self, sim: Simulation, cut: float, extra: int, start: float, t_end: float
    ) -> None:
        self.sim, self.cut, self.extra, self.start = sim, cut, extra, start
        self.t_end = t_end
        self.run_to_cut()
        self.first = (list(sim.trace), stats_dict(sim))
        self.old_env = sim.kernel.env
        self.reset_and_introspect()

    def run_to_cut(self) -> None:
        self.sim.run_until(self.cut)
        if self.extra:  # stop in the middle of the cut instant
            self.sim.run_until(self.t_end, max_events=self.extra)

    def reset_and_introspect(self) -> None:
        """Reset and check the old environment is left with nothing in it."""
        sim, kernel = self.sim, self.sim.kernel
        old_env = kernel.env
        old_procs = list(kernel._processes)  # reset() empties these lists
        old_stores = list(kernel._stores)
        old_agents = list(sim.processes.values())
        assert old_procs
        assert old_stores
        if any(p.down for p in old_agents):
            event("reset while an agent is crashed")
        if sim.stats.messages_in_flight:
            event("reset with messages in flight")
        sim.reset()
        assert old_env._queue == []
        assert old_env.peek() == math.inf
        assert not any(p.is_alive for p in old_procs)
        assert not any(p.process.is_alive for p in old_agents)
        for store in old_stores:
            assert (store.items, store.get_queue, store.put_queue) == ([], [], [])
        assert (kernel.live_processes, kernel.pending_events) == (0, 0)
        assert kernel.env is not old_env
        assert (sim.now, sim.trace, sim.processes) == (self.start, [], {})
        assert all(v in (0, 0.0, None) for v in stats_dict(sim).values())

    def replay(self, fresh: Callable[[], Simulation]) -> None:
        """Same run to the cut as before the reset; same to the end as a fresh one."""
        sim = self.sim
        self.run_to_cut()
        assert same_trace(sim.trace, self.first[0])
        assert stats_dict(sim) == self.first[1]
        assert self.old_env._queue == []  # the new episode did not touch the old one
        sim.run_until(self.t_end)
        ref = fresh()
        ref.run_until(self.t_end)
        assert same_trace(sim.trace, ref.trace)
        assert stats_dict(sim) == stats_dict(ref)


@st.composite
def worlds_cut_mid_fault(draw: st.DrawFn) -> tuple[World, float]:
    world = draw(worlds())
    cut = draw(st.floats(0.2, 0.9)) * world.horizon
    forced = draw(active_at(tuple(world.ids), cut))
    return replace(world, faults=world.faults + forced), world.start + cut


@examples("test_reset_mid_fault_world")
@given(case=worlds_cut_mid_fault(), extra=st.integers(0, 7), other=strat.seeds)
def test_reset_mid_fault_world(
    case: tuple[World, float], extra: int, other: int
) -> None:
    world, cut = case
    sim, _, _ = world.build()
    Cut(sim, cut, extra, world.start, world.t_end).replay(lambda: world.build()[0])
    check_trace(sim, lossless=world.loss is None)
    # A reset with another seed and start time is a fresh simulation of those.
    sim.reset(seed=other, start_time=world.start + 7.5)
    moved = replace(world, seed=other, start=world.start + 7.5)
    sim.run_until(moved.t_end)
    ref, _, _ = moved.build()
    ref.run_until(moved.t_end)
    assert same_trace(sim.trace, ref.trace)


@pytest.mark.parametrize("scenario_id", scenario_ids())
def test_reset_mid_fault_scenario(scenario_id: str) -> None:
    faults_strategy = schedules_for(scenario_id)  # skips without the extra
    ids, t_end = scenario_shape(scenario_id)

    @st.composite
    def cases(draw: st.DrawFn) -> tuple[Any, tuple[Fault, ...], float]:
        cut = draw(st.floats(0.2, 0.9)) * t_end
        faults = draw(faults_strategy) + draw(active_at(ids, cut))
        return draw(strat.timing_profiles), faults, cut

    scale = HEAVY_SCALE if scenario_id in HEAVY else 1.0

    @examples("test_reset_mid_fault_scenario", scale)
    @given(case=cases(), extra=st.integers(0, 7), seed=strat.seeds)
    def run(
        case: tuple[str | TimingProfile, tuple[Fault, ...], float],
        extra: int,
        seed: int,
    ) -> None:
        profile, faults, cut = case
        sim, _ = simulation(scenario_id, profile, seed, faults)
        fresh = lambda: simulation(scenario_id, profile, seed, faults)[0]  # noqa: E731
        Cut(sim, cut, extra, 0.0, t_end).replay(fresh)

    run()
