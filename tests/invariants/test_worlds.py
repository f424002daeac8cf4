"""Invariants over random hand-built simulations with random fault schedules.

Each example is a :class:`~tests.invariants.world.World`: a coordinator (or
none) and 1-4 field agents exchanging messages through the broker, each with
a random ``TickConfig`` (every jitter type, delays 0-1.5 s, ``min_delay``,
phase), random link loss (none, Bernoulli, Gilbert-Elliott), a random start
time, a horizon of 6-16 s, and 1-6 random faults of every kind (crash with
``in_flight`` lost / kept, link outage drop / queue, sensor dropout, stuck
sensor, actuator saturation, clock drift with ppm in +-1e5 and offsets in
+-2 s) aimed at exact ids, ``"*"`` or prefix patterns, often starting on a
tick instant, with overlapping windows and never-ending ones.

Hypothesis examples per test (``EXAMPLES``; derandomized, so every run checks
the same examples):
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from heron_simpy.faults import LinkOutage
from tests.invariants import strategies as strat
from tests.invariants.checks import (
    Monitor,
    note_coverage,
    same_trace,
    stats_dict,
)
from tests.invariants.world import World, check_world, worlds

EXAMPLES = {
    "test_every_event_and_whole_trace": 400,
    "test_invariants_hold_in_long_runs": 60,
    "test_same_seed_same_trace_other_seed_other_trace": 80,
    "test_faults_that_stop_no_agent_keep_every_draw_aligned": 150,
}
__doc__ += "\n".join(f"- ``{k}``: {v}" for k, v in EXAMPLES.items()) + "\n"


def examples(name: str, scale: float = 1.0) -> settings:
    return strat.budget(round(EXAMPLES[name] * scale))


@examples("test_every_event_and_whole_trace")
@given(world=worlds())
def test_every_event_and_whole_trace(world: World) -> None:
    """Stats and trace accounted after every event; every trace invariant at the end."""
    sim, plant, log = world.build()
    Monitor(sim).run(world.t_end)
    note_coverage(sim, check_world(world, sim, plant, log))
    ref, _, _ = world.build()  # stepping one event at a time changes nothing
    ref.run_until(world.t_end)
    assert same_trace(sim.trace, ref.trace)
    assert stats_dict(sim) == stats_dict(ref)


@examples("test_invariants_hold_in_long_runs")
@given(
    world=st.one_of(
        worlds(horizon=strat.down_from(40.0, 20.0), fast=True),
        worlds(horizon=strat.down_from(60.0, 20.0)),
    ),
    batch=st.integers(1, 64),
)
def test_invariants_hold_in_long_runs(world: World, batch: int) -> None:
    """20-60 s runs (half with 0.1-0.5 s field ticks) checked every ``batch`` events."""
    sim, plant, log = world.build()
    Monitor(sim).run(world.t_end, batch=batch)
    note_coverage(sim, check_world(world, sim, plant, log))


@examples("test_same_seed_same_trace_other_seed_other_trace")
@given(world=worlds(), other=strat.seeds)
def test_same_seed_same_trace_other_seed_other_trace(world: World, other: int) -> None:
    first, plant1, log1 = world.build()
    first.run_until(world.t_end)
    again, plant2, log2 = world.build()
    again.run_until(world.t_end)
    assert same_trace(first.trace, again.trace)
    assert stats_dict(first) == stats_dict(again)
    assert plant1.landed == plant2.landed
    assert log1.seen == log2.seen
    # Another seed moves the second tick of a jittered agent (continuous draw).
    assume(other != world.seed)
    ticks = Counter(r.agent_id for r in first.trace if r.kind == "tick")
    jittered = [
        a
        for a, cfg in world.configs().items()
        if not cfg.tick_model.is_deterministic and ticks[a] >= 3
    ]
    assume(jittered)
    different, _, _ = world.build(seed=other)
    different.run_until(world.t_end)
    assert not same_trace(different.trace, first.trace)


@st.composite
def benign_worlds(draw: st.DrawFn) -> World:
    world = draw(worlds(with_faults=False))
    faults = strat.benign_faults(world.ids, world.horizon)
    return replace(world, faults=tuple(draw(st.lists(faults, min_size=1, max_size=5))))


def of_kind(sim: Any, *kinds: str) -> list[tuple]:
    return [(r.kind, *r) for r in sim.trace if r.kind in kinds]


@examples("test_faults_that_stop_no_agent_keep_every_draw_aligned")
@given(world=benign_worlds())
def test_faults_that_stop_no_agent_keep_every_draw_aligned(world: World) -> None:
    """Dropouts, stuck sensors, saturation and queue outages shift no random draw.

    Against the same world without faults: identical ticks; the observations
    delivered are the fault-free ones minus those of dropped-out ticks. Without
    a dropout the decisions, sends and loss drops are identical too, and every
    message on a link no outage ever covers is delivered at the same time.
    """
    sim, _, _ = world.build()
    sim.run_until(world.t_end)
    base, _, _ = world.build(faults=())
    base.run_until(world.t_end)
    assert of_kind(sim, "tick") == of_kind(base, "tick")
    dropped = {(r.agent_id, r.origin) for r in sim.trace if r.kind == "lose"}
    assert of_kind(sim, "observe") == [
        o for o in of_kind(base, "observe") if (o[2], o[3]) not in dropped
    ]
    if any(f.kind == "sensor_dropout" for f in world.faults):
        return
    assert of_kind(sim, "decide", "send", "drop") == of_kind(
        base, "decide", "send", "drop"
    )
    outages = [f for f in world.faults if isinstance(f, LinkOutage)]

    def untouched(r: Any) -> bool:
        return not any(
            fnmatchcase(r.sender, f.sender) and fnmatchcase(r.agent_id, f.recipient)
            for f in outages
        )

    kept = [(r.kind, *r) for r in sim.trace if r.kind == "deliver" and untouched(r)]
    ref = [(r.kind, *r) for r in base.trace if r.kind == "deliver" and untouched(r)]
    assert kept == ref
