"""Turn fault specs into events on a running simulation.

Each windowed fault (dropout, stuck sensor, link outage, crash, saturation)
becomes two timer callbacks on the episode's SimPy clock, at
``start_time + fault.start`` and at its end. They run at SimPy's ``NORMAL``
priority, before any engine event of the same instant (see
:mod:`heron_simpy.engine.ordering`): a fault that starts at t already holds
for the tick, the decision and the effect at t, and one that ends at t no
longer does -- windows are half-open, ``[start, end)``. Clock drift is not a
window: it shapes the agent's tick times from the first one, so the
simulation hands it to the agent's process when the episode starts.

Every start and end is traced as a ``fault`` record (and counted in
``stats.faults`` at its start).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from simpy.events import NORMAL

from heron_simpy.agents import AgentProcess
from heron_simpy.broker import Broker
from heron_simpy.engine import Kernel, Timer
from heron_simpy.exceptions import ConfigError
from heron_simpy.faults import (
    ActuatorSaturation,
    ClockDrift,
    Crash,
    Fault,
    LinkOutage,
    SensorDropout,
    StuckSensor,
)
from heron_simpy.recording import FaultRecord

__all__ = ["FAULT_PRIORITY", "check_targets", "clocks", "install", "match"]

Plan = list[tuple[Fault, list[str]]]
"""Each fault with the agent ids it hits (an outage: its sender pattern)."""

#: Same-time priority of fault transitions: SimPy's NORMAL, before engine work.
FAULT_PRIORITY = NORMAL


def match(fault: Fault, pattern: str, agent_ids: Sequence[str]) -> list[str]:
    """The agent ids ``pattern`` names (exact id or shell-style pattern).

    Raises:
        ConfigError: The pattern names no agent (the message lists them).
    """
    hits = [a for a in agent_ids if fnmatchcase(a, pattern)]
    if not hits:
        raise ConfigError(
            f"{type(fault).__name__} agent pattern {pattern!r} matches no agent; "
            f"known: {', '.join(agent_ids) or '(none)'}"
        )
    return hits


def check_targets(faults: Iterable[Fault], agent_ids: Sequence[str]) -> Plan:
    """Pair each fault with the agent ids it hits (an outage: its sender pattern).

    Every pattern must name at least one agent.

    Raises:
        ConfigError: A pattern names no agent.
    """
    plans: Plan = []
    for fault in faults:
        if isinstance(fault, LinkOutage):
            match(fault, fault.sender, agent_ids)
            match(fault, fault.recipient, agent_ids)
            plans.append((fault, [fault.sender]))
        else:
            plans.append((fault, match(fault, fault.agent, agent_ids)))  # type: ignore[attr-defined]
    return plans


def clocks(plans: Plan) -> dict[str, ClockDrift]:
    """Agent id -> its clock drift (the last one naming it wins)."""
    return {
        agent_id: fault
        for fault, targets in plans
        if isinstance(fault, ClockDrift)
        for agent_id in targets
    }


def install(
    kernel: Kernel,
    broker: Broker,
    processes: Mapping[str, AgentProcess],
    plans: Plan,
) -> None:
    """Schedule every fault of an episode that starts now (at ``kernel.start_time``).

    ``plans`` comes from :func:`check_targets`, called before the agents'
    processes are built (clock drifts shape them).
    """
    t0 = kernel.start_time
    for fault, targets in plans:
        for agent_id in targets:
            if isinstance(fault, ClockDrift):
                _record(kernel, agent_id, fault, "start")
                continue
            on, off = _switches(fault, broker, processes.get(agent_id), t0)
            _at(kernel, t0 + fault.start, _flip(kernel, agent_id, fault, "start", on))
            if math.isfinite(fault.end):
                _at(kernel, t0 + fault.end, _flip(kernel, agent_id, fault, "end", off))


def _switches(
    fault: Fault, broker: Broker, proc: AgentProcess | None, t0: float
) -> tuple[Callable[[], None], Callable[[], None]]:
    """The start and end actions of ``fault`` on one target."""
    if isinstance(fault, LinkOutage):
        handle: list[Any] = []
        end = t0 + fault.end

        def start_outage() -> None:
            handle.append(broker.outage(fault.sender, fault.recipient, end, fault.mode))

        return start_outage, lambda: broker.restore(handle.pop())
    assert proc is not None
    if isinstance(fault, Crash):
        lose = fault.in_flight == "lost"
        return (lambda: proc.crash(lose)), proc.restart
    if isinstance(fault, (SensorDropout, StuckSensor)):
        kind = fault.kind
        return (
            lambda: proc.sensor_fault(kind, True),
            lambda: proc.sensor_fault(kind, False),
        )
    if isinstance(fault, ActuatorSaturation):
        return (lambda: proc.saturate(fault, True)), (
            lambda: proc.saturate(fault, False)
        )
    raise TypeError(f"unknown fault spec {fault!r}")  # pragma: no cover


def _flip(
    kernel: Kernel,
    agent_id: str,
    fault: Fault,
    phase: str,
    action: Callable[[], None],
) -> Callable[[Any], None]:
    """A timer callback: trace the transition, then act."""

    def callback(_: Any) -> None:
        _record(kernel, agent_id, fault, phase)
        action()

    return callback


def _at(kernel: Kernel, at: float, callback: Callable[[Any], None]) -> None:
    """Run ``callback`` at the absolute time ``at`` (no rounding of ``at - now``)."""
    timer = Timer(kernel.env, 0.0, FAULT_PRIORITY, at=max(at, kernel.env.now))
    timer.callbacks.append(callback)


def _record(kernel: Kernel, agent_id: str, fault: Fault, phase: str) -> None:
    if phase == "start":
        kernel.stats.faults += 1
    if kernel.keep:
        kernel.recorder.append(
            FaultRecord(kernel.env.now, agent_id, fault.kind, phase, _detail(fault))
        )


def _detail(fault: Fault) -> str:
    """The spec's fields other than the target, as ``name=value`` pairs."""
    return " ".join(
        f"{k}={v}" for k, v in fault.as_dict().items() if k not in ("kind", "agent")
    )
