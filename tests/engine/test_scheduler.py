"""HERON-style EventScheduler on the SimPy kernel."""

from __future__ import annotations

import re

import pytest

from heron_simpy import (
    ConfigError,
    EventScheduler,
    EventType,
    JitterType,
    SimulationError,
    TickConfig,
)


def heron_example(seed: int) -> dict[str, int]:
    """The issue's example: battery 1 s (uniform 10 %), microgrid 5 s (gaussian 5 %)."""
    sched = EventScheduler(start_time=0.0)
    sched.register_agent(
        "battery_1",
        tick_config=TickConfig.with_jitter(
            tick_interval=1.0,
            jitter_type=JitterType.UNIFORM,
            jitter_ratio=0.1,
            seed=seed,
        ),
    )
    sched.register_agent(
        "microgrid_1",
        tick_config=TickConfig.with_jitter(
            tick_interval=5.0,
            jitter_type=JitterType.GAUSSIAN,
            jitter_ratio=0.05,
            seed=seed,
        ),
    )
    counts = {"battery_1": 0, "microgrid_1": 0}

    def on_tick(event, scheduler):
        counts[event.agent_id] += 1

    sched.set_handler(EventType.AGENT_TICK, on_tick)
    n = sched.run_until(t_end=10.0)
    assert n == sum(counts.values())
    assert sched.current_time == 10.0
    return counts


def test_heron_example_seed_10() -> None:
    assert heron_example(10) == {"battery_1": 10, "microgrid_1": 2}


def test_heron_example_bounds_over_seeds() -> None:
    """Ticks at 0, ~5, ~10 +- 0.35: the third 5 s tick falls before 10 s for some seeds."""
    results = [heron_example(s) for s in range(40)]
    assert all(9 <= r["battery_1"] <= 11 for r in results)
    assert {r["microgrid_1"] for r in results} == {2, 3}


def test_deterministic_ticks_and_intervals() -> None:
    sched = EventScheduler()
    sched.register_agent("a", tick_interval=1.0)
    sched.register_agent("b", schedule_config=TickConfig.deterministic(5.0))
    seen = []
    sched.set_handler(
        EventType.AGENT_TICK, lambda e, s: seen.append((e.timestamp, e.agent_id))
    )
    assert sched.pending_count == 2
    assert sched.run_until(10.0) == 12
    assert seen[:3] == [(0.0, "a"), (0.0, "b"), (1.0, "a")]
    assert sched.agent_intervals == {"a": 1.0, "b": 5.0}
    assert sched.registered_agents == ("a", "b")


def test_action_effect_and_message_delivery_delays() -> None:
    sched = EventScheduler()
    sched.register_agent("dev", tick_interval=1.0, act_delay=0.25, msg_delay=0.5)
    sched.register_agent("coord", tick_interval=10.0)
    log = []

    def on_tick(event, s):
        if event.agent_id == "dev" and event.timestamp < 1.0:
            s.schedule_action_effect("dev", action=3)
            s.schedule_message_delivery("dev", "coord", {"soc": 0.5})

    sched.set_handler(EventType.AGENT_TICK, on_tick)
    sched.set_handler(
        EventType.ACTION_EFFECT,
        lambda e, s: log.append((s.current_time, "effect", e.payload["action"])),
    )
    sched.set_handler(
        EventType.MESSAGE_DELIVERY,
        lambda e, s: log.append(
            (s.current_time, "msg", e.payload["sender"], e.agent_id)
        ),
    )
    sched.run_until(2.0)
    assert log == [(0.25, "effect", 3), (0.5, "msg", "dev", "coord")]
    kinds = [r.kind for r in sched.trace]
    assert (kinds.count("apply"), kinds.count("deliver"), kinds.count("send")) == (
        1,
        1,
        1,
    )


def test_process_next_one_event_at_a_time() -> None:
    sched = EventScheduler()
    sched.register_agent("a", tick_interval=2.0)
    times = []
    sched.set_handler(EventType.AGENT_TICK, lambda e, s: times.append(s.current_time))
    assert sched.process_next() is True
    assert sched.process_next() is True
    assert times == [0.0, 2.0]
    assert sched.events_processed == 2


def test_process_next_false_when_empty() -> None:
    assert EventScheduler().process_next() is False


def test_cancel_is_exact() -> None:
    sched = EventScheduler()
    sched.register_agent("a", tick_interval=1.0)
    fired = []
    sched.set_handler(
        EventType.ACTION_EFFECT, lambda e, s: fired.append(e.payload["action"])
    )
    keep = sched.schedule_action_effect("a", "keep", delay=0.5)
    drop = sched.schedule_action_effect("a", "drop", delay=0.5)
    assert sched.pending_count == 3  # two effects and the next tick
    assert sched.cancel(drop) is True
    assert sched.cancel(drop) is False
    assert sched.pending_count == 2
    sched.run_until(1.0)
    assert fired == ["keep"]
    assert sched.cancel(keep) is False  # already fired


def test_cancel_a_tick_skips_only_that_tick() -> None:
    sched = EventScheduler()
    sched.register_agent("a", tick_interval=1.0)
    seen = []
    sched.set_handler(EventType.AGENT_TICK, lambda e, s: seen.append(e.timestamp))
    sched.run_until(1.5)
    assert sched.cancel(sched.next_tick("a"))
    sched.run_until(4.0)
    assert seen == [0.0, 1.0, 3.0]


def test_reset_restarts_agents_identically() -> None:
    sched = EventScheduler(seed=7)
    sched.register_agent("a", tick_config=TickConfig.with_jitter(1.0, jitter_ratio=0.2))
    seen = []
    sched.set_handler(EventType.AGENT_TICK, lambda e, s: seen.append(e.timestamp))
    sched.schedule_action_effect("a", delay=50.0)
    sched.run_until(10.0)
    first = list(seen)
    env = sched.kernel.env
    sched.reset()
    assert env.peek() == float("inf")
    assert sched.current_time == 0.0
    assert sched.pending_count == 1
    seen.clear()
    sched.run_until(10.0)
    assert seen == first


def test_max_events_counts_dispatched_events() -> None:
    sched = EventScheduler()
    sched.register_agent("a", tick_interval=1.0)
    assert sched.run_until(100.0, max_events=7) == 7
    assert sched.current_time == 6.0


def test_handler_error_names_agent_and_time() -> None:
    sched = EventScheduler()
    sched.register_agent("pump_2", tick_interval=2.5)

    def bad(event, s):
        if event.timestamp > 10:
            raise KeyError("x")

    sched.set_handler(EventType.AGENT_TICK, bad)
    with pytest.raises(
        SimulationError,
        match=re.escape(
            "agent 'pump_2' at t=12.500: agent_tick handler raised KeyError: 'x'"
        ),
    ):
        sched.run_until(20.0)


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (
            lambda s: s.register_agent("a", tick_interval=1.0),
            ConfigError,
            "register_agent agent_id must be unique, got 'a' twice",
        ),
        (
            lambda s: s.register_agent(
                "b", tick_config=TickConfig(), tick_interval=1.0
            ),
            ConfigError,
            "register_agent 'b': give a TickConfig or plain numbers (tick_interval), not both",
        ),
        (
            lambda s: s.schedule_action_effect("ghost"),
            SimulationError,
            "unknown agent 'ghost'; registered: a",
        ),
        (
            lambda s: s.schedule(EventType.CUSTOM, "a", delay=-1.0),
            ConfigError,
            "schedule delay must be a finite number >= 0 s, got -1.0",
        ),
        (
            lambda s: s.run_until(1.0, max_events=0),
            ConfigError,
            "run_until max_events must be an int > 0, got 0",
        ),
    ],
    ids=["duplicate", "both-timings", "unknown-agent", "negative-delay", "max-events"],
)
def test_scheduler_bad_input(call, exc, message) -> None:
    sched = EventScheduler()
    sched.register_agent("a", tick_interval=1.0)
    with pytest.raises(exc, match=re.escape(message)):
        call(sched)
