"""Set-up and reset do work linear in the number of agents (issue 10, item 8).

A user who builds a fleet of 10k agents waits seconds, not minutes: laying out
every agent's observation, ranking the tree and ending an episode must each do
O(N) work. Wall-clock time is not asserted (it depends on the machine); the
tests count work instead -- Python calls and lines executed (``sys.settrace``),
or calls of the inner check of each loop -- at N and 2N agents, and require the
count to grow by a factor well below 4 (what a quadratic step gives):

    work(2N) / work(N)  <  2.5     (linear: ~2, quadratic: ~4)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

import pytest
import simpy

import heron_simpy
from heron_simpy import Agent, Simulation
from heron_simpy.agents import CoordinatorAgent, FieldAgent, bind_tree, rank
from heron_simpy.engine import Kernel
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.features import visibility as visibility_module

SMALL = 200  # agents; compared with twice as many
LINEAR = 2.5  # largest accepted work(2N) / work(N)


def traced_work(action: Callable[[], Any]) -> int:
    """Count the Python calls and lines executed while ``action()`` runs."""
    count = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        action()
    finally:
        sys.settrace(previous)
    return count


def assert_linear(work: Callable[[int], int], n: int = SMALL) -> None:
    """``work(2n) / work(n)`` stays below :data:`LINEAR`."""
    small, large = work(n), work(2 * n)
    assert small > 0
    ratio = large / small
    assert ratio < LINEAR, (
        f"work grows {ratio:.2f}x from {n} to {2 * n} agents "
        f"({small} -> {large}): super-linear"
    )


def fleet(n: int) -> list[Agent]:
    """n field agents under one coordinator, registered leaves first."""
    soc = FeatureProvider(
        "soc", ("soc",), lambda p, a: (0.5,), visibility=Visibility.UPPER_LEVEL
    )
    load = FeatureProvider("load", ("load",), lambda p, a: (0.0,))
    agents: list[Agent] = [
        FieldAgent(f"f{i}", parent="c", features=(soc, load)) for i in range(n)
    ]
    agents.append(CoordinatorAgent("c"))
    return agents


@contextmanager
def counting_can_see(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count the calls of ``can_see`` made by the observation layouts."""
    calls = [0]
    real = visibility_module.can_see

    def counted(*args: Any) -> bool:
        calls[0] += 1
        return real(*args)

    with monkeypatch.context() as m:
        m.setattr(visibility_module, "can_see", counted)
        yield calls


@pytest.mark.timeout(120)
def test_fleet_layouts_ask_can_see_linearly_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def work(n: int) -> int:
        agents = fleet(n)
        with counting_can_see(monkeypatch) as calls:
            bind_tree(agents)
        return calls[0]

    assert_linear(work)


@pytest.mark.timeout(120)
def test_bind_tree_does_linear_work() -> None:
    def work(n: int) -> int:
        agents = fleet(n)
        return traced_work(lambda: bind_tree(agents))

    assert_linear(work)


class _CountingId(str):
    """An agent id that counts its equality comparisons."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        _CountingId.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


@pytest.mark.timeout(120)
def test_ranking_a_deep_chain_compares_ids_linearly_often() -> None:
    """A chain n0 <- n1 <- ... registered leaf first walks each link once."""

    def work(n: int) -> int:
        ids = [_CountingId(f"n{i}") for i in range(n)]
        agents = [
            Agent(ids[i], parent=None if i == 0 else _CountingId(f"n{i - 1}"))
            for i in reversed(range(n))
        ]
        _CountingId.comparisons = 0
        ranked = rank(agents)
        assert [a.agent_id for a in ranked] == [f"n{i}" for i in range(n)]
        return _CountingId.comparisons

    assert_linear(work)


@contextmanager
def counting_is_alive(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count the reads of ``simpy.Process.is_alive``."""
    calls = [0]
    real = simpy.Process.is_alive

    def counted(self: simpy.Process) -> bool:
        calls[0] += 1
        return bool(real.fget(self))  # type: ignore[attr-defined]

    with monkeypatch.context() as m:
        m.setattr(simpy.Process, "is_alive", property(counted))
        yield calls


def waiting_kernel(n: int) -> tuple[Kernel, list[simpy.Process]]:
    """A kernel with n processes, each waiting on its own timer."""
    kernel = Kernel()

    def sleeper() -> Any:
        while True:
            yield kernel.env.timeout(1.0)

    procs = [kernel.process(sleeper()) for _ in range(n)]
    kernel.run_until(0.5)
    return kernel, procs


@pytest.mark.timeout(120)
def test_kernel_close_checks_liveness_linearly_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def work(n: int) -> int:
        kernel, procs = waiting_kernel(n)
        with counting_is_alive(monkeypatch) as calls:
            kernel.close()
        assert not any(p.is_alive for p in procs)
        assert kernel.pending_events == 0
        return calls[0]

    assert_linear(work)


@pytest.mark.timeout(120)
def test_kernel_close_does_linear_work() -> None:
    def work(n: int) -> int:
        kernel, _ = waiting_kernel(n)
        return traced_work(kernel.close)

    assert_linear(work)


@pytest.mark.timeout(120)
def test_simulation_reset_does_linear_work() -> None:
    def work(n: int) -> int:
        sim = Simulation(seed=0)
        for i in range(n):
            sim.add_agent(Agent(f"a{i}"))
        sim.run_until(1.5)
        return traced_work(sim.reset)

    assert_linear(work)


@pytest.mark.timeout(300)
def test_make_battery_fleet_does_linear_work() -> None:
    def work(n: int) -> int:
        return traced_work(lambda: heron_simpy.make("battery-v0", n_agents=n))

    assert_linear(work)


@pytest.mark.timeout(300)
def test_reset_battery_fleet_does_linear_work() -> None:
    """Each reset rebuilds the fleet, ends the last episode and starts the next."""

    def work(n: int) -> int:
        env = heron_simpy.make("battery-v0", n_agents=n)
        env.reset(seed=0)
        count = traced_work(lambda: env.reset(seed=1))
        env.close()
        return count

    assert_linear(work)


@pytest.mark.timeout(300)
def test_reset_event_env_does_linear_work() -> None:
    """The event-driven env's reset runs the first instant's decisions too."""

    def work(n: int) -> int:
        env = heron_simpy.make("battery-v0", api="event", n_agents=n)
        env.reset(seed=0)
        return traced_work(lambda: env.reset(seed=1))

    assert_linear(work, 100)  # 100 vs 200: the quadratic path traces slowly


@pytest.mark.timeout(300)
def test_reset_batched_fleet_does_linear_work() -> None:
    """Without a coordinator the lockstep env steps the vectorised batch."""

    def work(n: int) -> int:
        env = heron_simpy.make("battery-v0", n_agents=n, coordinator=False)
        assert env.batched
        env.reset(seed=0)
        return traced_work(lambda: env.reset(seed=1))

    assert_linear(work, 500)  # at 200 the linear part still hides the scan
