"""Kernel: half-open horizon, max_events, reset leaves nothing behind."""

from __future__ import annotations

import re

import pytest
import simpy

from heron_simpy import ConfigError, Simulation, SimulationError
from heron_simpy.engine import Kernel, deliver
from tests.conftest import Counter, acting, det, rows


@pytest.mark.parametrize(
    ("interval", "ticks"),
    [(1.0, 10), (5.0, 2), (2.5, 4), (3.0, 4)],
    ids=["1s", "5s", "2.5s", "3s"],
)
def test_half_open_horizon_tick_counts(interval: float, ticks: int) -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("a"), tick=det(interval))
    sim.run_until(10.0)
    assert sim.stats.ticks == ticks
    assert sim.now == 10.0


def test_run_in_pieces_equals_one_run() -> None:
    def build() -> Simulation:
        sim = Simulation(Counter(["a", "b"]), seed=0, profile="lan")
        sim.add_agent(acting("a"))
        sim.add_agent(acting("b", tick_interval=0.7))
        return sim

    one, pieces = build(), build()
    one.run_until(20.0)
    for t in (0.3, 5.0, 5.0, 12.25, 20.0):
        pieces.run_until(t)
    assert rows(one.trace) == rows(pieces.trace)


def test_max_events_stops_and_resumes() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("a"), tick=det(1.0, obs=0.25, act=0.5))
    n1 = sim.run_until(10.0, max_events=5)
    assert n1 == 5
    assert sim.now < 10.0
    n2 = sim.run_until(10.0)
    ref = Simulation(seed=0)
    ref.add_agent(acting("a"), tick=det(1.0, obs=0.25, act=0.5))
    assert n1 + n2 == ref.run_until(10.0)
    assert rows(sim.trace) == rows(ref.trace)


def test_run_until_in_the_past_is_rejected() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("a"))
    sim.run_until(5.0)
    with pytest.raises(
        SimulationError,
        match=re.escape("run_until t_end must be >= the current time 5.0, got 4.0"),
    ):
        sim.run_until(4.0)
    assert sim.stats.ticks == 5  # nothing recorded was lost


@pytest.mark.parametrize(
    "bad", [0, -1, 2.5, True], ids=["zero", "negative", "float", "bool"]
)
def test_max_events_validated(bad: object) -> None:
    sim = Simulation(seed=0)
    with pytest.raises(
        ConfigError,
        match=re.escape(f"run_until max_events must be an int > 0, got {bad!r}"),
    ):
        sim.run_until(1.0, max_events=bad)  # type: ignore[arg-type]


def test_reset_leaves_nothing_behind() -> None:
    plant = Counter(["a", "b"])
    sim = Simulation(plant, seed=0, profile="wan")
    sim.add_agent(acting("a"), tick=det(1.0, obs=0.3, act=0.4, msg=0.5))
    sim.add_agent(acting("b"))

    def chatter(s: Simulation):
        while True:
            yield s.env.timeout(0.5)
            s.broker.send("a", "b", "hello")

    sim.add_process(chatter)
    sim.run_until(7.3)
    old_env = sim.env
    old_stores = list(sim.kernel._stores)
    procs = list(sim.kernel._processes)
    assert sim.stats.messages_in_flight + sim.stats.actions_in_flight > 0
    first = rows(sim.trace)
    sim.reset()
    # The old environment: no live process, no queued event, no stored item.
    assert all(not p.is_alive for p in procs)
    assert old_env.peek() == float("inf")
    assert all(not s.items and not s.get_queue for s in old_stores)
    # The new episode starts clean and replays the first one bit for bit.
    assert sim.now == 0.0
    assert sim.trace == []
    assert sim.stats.messages_sent == 0
    sim.run_until(7.3)
    assert rows(sim.trace) == first


def test_reset_interrupts_user_process_that_ignores_interrupts() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("a"))

    def naive(s: Simulation):
        while True:
            yield s.env.timeout(1.0)

    sim.add_process(naive)
    sim.run_until(3.5)
    sim.reset()  # must not raise simpy.Interrupt out of reset
    sim.run_until(2.0)
    assert sim.stats.ticks == 2


def test_reset_with_new_seed_changes_jittered_trace() -> None:
    sim = Simulation(seed=0, profile="wan")
    sim.add_agent(acting("a"))
    sim.run_until(20.0)
    first = rows(sim.trace)
    sim.reset(seed=1)
    sim.run_until(20.0)
    assert rows(sim.trace) != first
    sim.reset(seed=0)
    sim.run_until(20.0)
    assert rows(sim.trace) == first


def test_kernel_store_wakes_waiting_getter() -> None:
    k = Kernel()
    store = k.store()
    got: list = []

    def consumer():
        item = yield store.get()
        got.append((k.now, item))

    k.process(consumer())
    k.call_later(2.0, 10, lambda t: deliver(store, "x"))
    k.run_until(5.0)
    assert got == [(2.0, "x")]
    deliver(store, "y")
    assert store.items == ["y"]
    assert isinstance(store, simpy.Store)


def test_kernel_start_time_validated() -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "Kernel start_time must be a finite number of seconds, got nan"
        ),
    ):
        Kernel(float("nan"))


def test_close_ends_processes_in_every_state() -> None:
    """Finished, sleeping, waiting on a store, and ones that react to the reset.

    A process that starts a clean-up process when interrupted sees it run up to
    its first wait before the queue is dropped (close keeps stepping while any
    process, old or new, is alive and urgent work is queued).
    """
    k = Kernel()
    store = k.store()
    log: list[str] = []

    def done():
        yield k.env.timeout(0.1)

    def sleeper():
        yield k.env.timeout(100.0)

    def getter():
        yield store.get()

    def cleaner():
        try:
            yield k.env.timeout(100.0)
        except simpy.Interrupt:
            k.process(cleanup())

    def cleanup():
        log.append("cleanup started")
        yield k.env.timeout(1.0)
        log.append("cleanup finished")  # never: its timeout is dropped

    procs = [k.process(g()) for g in (done, sleeper, getter, cleaner, sleeper)]
    deliver(store, "left over")
    k.process(getter())  # takes "left over"
    k.run_until(1.0)
    deliver(store, "stranded")
    assert k.live_processes == 4
    k.close()
    assert not any(p.is_alive for p in procs)
    assert log == ["cleanup started"]
    assert k.env.peek() == float("inf")
    assert (store.items, store.get_queue, store.put_queue) == ([], [], [])
