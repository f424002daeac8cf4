"""The narrow layer around ``simpy.Environment``: timers, processes, stores, runs."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Generator
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import URGENT, Event

from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.recording import EpisodeStats, Recorder
from heron_simpy.timing.checks import shown, to_float

__all__ = ["Call", "Kernel", "Timer", "check_run", "deliver"]

Callback = Callable[[Any], None]
_CLOCK = -1  # priority of the clock-advancing timer: before everything at t_end


class Timer(Event):
    """A SimPy event that fires after ``delay`` with a chosen same-time priority.

    It does what ``env.timeout(delay, value)`` does, but takes the priority from
    :mod:`heron_simpy.engine.ordering` and carries an ``item`` for callbacks.
    Processes may ``yield`` it like a timeout.
    """

    def __init__(
        self,
        env: simpy.Environment,
        delay: float,
        prio: int,
        item: Any = None,
        at: float | None = None,
    ) -> None:
        self.env = env
        self.callbacks: list[Callable[[Event], None]] = []
        self.item = item
        self._value = item
        self._ok = True
        # Plain version: env.schedule(self, prio, delay). Inlined (one call less
        # per event, measured by benchmarks/engine_throughput.py); same heap entry.
        # ``at`` places it at an absolute time (``now + (at - now)`` may differ
        # from ``at`` in the last bit; grid-aligned ticks must not).
        queue: list[Any] = env._queue
        time = env._now + delay if at is None else at
        heappush(queue, (time, prio, next(env._eid), self))


class Call:
    """A callback-only timer: what ``call_later`` queues (never yielded).

    SimPy's ``step`` needs only ``callbacks`` and ``_ok`` from a queued object,
    so this slotted class stands in for a full ``Event`` where no process waits
    on it (about half the creation cost, measured by
    benchmarks/engine_throughput.py). Plain version: a :class:`Timer` with the
    callback appended.
    """

    __slots__ = ("callbacks", "item")
    _ok = True

    def __init__(
        self,
        env: simpy.Environment,
        delay: float,
        prio: int,
        callback: Callback,
        item: Any,
    ) -> None:
        self.callbacks: Any = (callback,)
        self.item = item
        queue: list[Any] = env._queue
        heappush(queue, (env._now + delay, prio, next(env._eid), self))


def deliver(store: simpy.Store, item: Any) -> None:
    """Put ``item`` into an unbounded ``store`` without an extra event.

    A process waiting in ``yield store.get()`` is woken through SimPy's normal
    put path; otherwise the item is appended to ``store.items`` directly.
    """
    if store.get_queue:
        store.put(item)
    else:
        store.items.append(item)


class Kernel:
    """Own one ``simpy.Environment`` per episode, and the episode's stats and trace.

    Every process and store the engine creates goes through the kernel, so that
    :meth:`reset` can interrupt every process, drop every pending event and
    drain every store: nothing leaks from one episode into the next.

    Args:
        start_time: Simulated time of the first instant, s (finite).
        recorder: Where trace records go; defaults to a full recorder.
    """

    def __init__(
        self, start_time: float = 0.0, recorder: Recorder | None = None
    ) -> None:
        _check_time("Kernel start_time", start_time)
        self.env = simpy.Environment(float(start_time))
        self.start_time = float(start_time)
        self.recorder = recorder if recorder is not None else Recorder("full")
        #: Whether records are built at all (False in "counts" mode: hot path).
        self.keep = self.recorder.keeps_records
        self.stats = EpisodeStats()
        self._processes: list[simpy.Process] = []
        self._stores: list[simpy.Store] = []

    @property
    def now(self) -> float:
        """The current simulated time, s."""
        return float(self.env.now)

    def timer(self, delay: float, prio: int, item: Any = None) -> Timer:
        """Return a :class:`Timer` firing ``delay`` s from now (for ``yield``)."""
        return Timer(self.env, delay, prio, item)

    def call_later(
        self, delay: float, prio: int, callback: Callback, item: Any = None
    ) -> Call:
        """Call ``callback(call)`` ``delay`` s from now; ``call.item`` is ``item``."""
        return Call(self.env, delay, prio, callback, item)

    def process(self, generator: Generator[Event, Any, Any]) -> simpy.Process:
        """Start a SimPy process that :meth:`reset` will interrupt."""
        proc = self.env.process(generator)
        self._processes.append(proc)
        return proc

    def store(self) -> simpy.Store:
        """Return a new unbounded ``simpy.Store`` that :meth:`reset` will drain."""
        store = simpy.Store(self.env)
        self._stores.append(store)
        return store

    def run_until(
        self, t_end: float, max_events: int | None = None, before: float | None = None
    ) -> int:
        """Process every event strictly before ``t_end`` (half-open horizon).

        Args:
            t_end: End of the horizon, s; must not be before :attr:`now`.
            max_events: Stop after this many events (> 0); ``None`` for no cap.
            before: Also process the events *at* ``t_end`` whose priority is
                below this one (a pause point inside an instant, used by the
                facades); None processes nothing at ``t_end``.

        Returns:
            The number of SimPy events processed by this call. When the cap
            stops the run, the clock stays at the last event; otherwise it is
            moved to ``t_end``.

        Raises:
            SimulationError: ``t_end`` is in the past.
            ConfigError: ``max_events`` is not a positive int.
        """
        check_run(t_end, max_events, self.env.now)
        env = self.env
        cap = math.inf if max_events is None else max_events
        bound = -math.inf if before is None else before
        n = 0
        # Plain version: `while n < cap and env.peek() < t_end: env.step()`.
        # The loop below is SimPy's Environment.step inlined (same heap, same
        # callback and failure semantics), which benchmarks/engine_throughput.py
        # shows is worth one method call and one peek per event.
        queue: list[Any] = env._queue
        event: Any
        try:
            while (
                n < cap
                and queue
                and (
                    (head := queue[0])[0] < t_end
                    or (head[0] == t_end and head[1] < bound)
                )
            ):
                env._now, _, _, event = heappop(queue)
                callbacks, event.callbacks = event.callbacks, None
                for callback in callbacks:
                    callback(event)
                n += 1
                if not event._ok and not hasattr(event, "_defused"):
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    raise exc
        finally:
            self.stats.events_processed += n
        if n < cap:
            self.advance_clock(t_end)
        return n

    def advance_clock(self, t_end: float) -> None:
        """Move the clock to ``t_end`` when no event is left before it.

        A priority -1 timer pops before anything else queued at ``t_end``, so no
        event at ``t_end`` itself runs (the horizon stays half-open).
        """
        env = self.env
        if t_end > env.now and not math.isinf(t_end):
            Timer(env, t_end - env.now, _CLOCK)
            env.step()

    def reset(self, start_time: float | None = None) -> None:
        """Interrupt every process, drop pending events, drain stores; start afresh.

        The old environment is left with no live process, no queued event and
        no stored item (tests introspect it). A new environment starts at
        ``start_time`` (default: the original start time). Stats and trace are
        cleared.
        """
        start = self.start_time if start_time is None else start_time
        _check_time("Kernel.reset start_time", start)
        self.close()
        self.env = simpy.Environment(float(start))
        self.start_time = float(start)
        self.stats.clear()
        self.recorder.clear()

    def close(self) -> None:
        """Interrupt every live process, drop every pending event, drain stores."""
        env = self.env
        for proc in self._processes:
            if proc.is_alive:
                proc.callbacks.append(_defuse)
                proc.interrupt("reset")
        # Interruptions are URGENT at `now`: they run before anything else.
        # Plain version: `while queue and queue[0][1] <= URGENT and
        # self.live_processes: env.step()`, which counts every process per step
        # (O(N^2) for N processes). A process never comes back to life, so the
        # first live one (index `first`) only moves forward: O(N + steps).
        queue = env._queue  # the kernel is the one place that reads SimPy's heap
        procs = self._processes  # may grow while stepping (a process can spawn)
        first = 0
        while queue and queue[0][1] <= URGENT:
            while first < len(procs) and not procs[first].is_alive:
                first += 1
            if first == len(procs):
                break
            env.step()
        for store in self._stores:
            store.items.clear()
            store.get_queue.clear()
            store.put_queue.clear()
        queue.clear()
        self._processes.clear()
        self._stores.clear()

    @property
    def live_processes(self) -> int:
        """How many processes started through the kernel are still alive."""
        return sum(1 for p in self._processes if p.is_alive)

    @property
    def pending_events(self) -> int:
        """How many events are queued in the current environment."""
        return len(self.env._queue)


def check_run(t_end: float, max_events: int | None, now: float) -> None:
    """Validate the arguments of a ``run_until`` call made at time ``now``.

    Raises:
        SimulationError: ``t_end`` is NaN or before ``now``.
        ConfigError: ``max_events`` is not None nor an int > 0.
    """
    number = to_float(t_end)
    if number is None:
        raise TypeError(
            f"run_until t_end must be a number of seconds, got {shown(t_end)}"
        )
    if math.isinf(number) and isinstance(t_end, numbers.Integral):
        raise ConfigError(
            "run_until t_end must be a number of seconds within the float range "
            f"(or inf), got {shown(t_end)}"
        )
    if math.isnan(number) or number < now:
        raise SimulationError(
            f"run_until t_end must be >= the current time {now!r}, got {shown(t_end)}"
        )
    if max_events is not None and (
        isinstance(max_events, bool)
        or not isinstance(max_events, numbers.Integral)
        or max_events <= 0
    ):
        raise ConfigError(
            f"run_until max_events must be an int > 0, got {max_events!r}"
        )


def _defuse(event: Event) -> None:
    """Mark a process that died of the reset interrupt as handled."""
    event.defused = True


def _check_time(subject: str, value: float) -> None:
    """Raise ConfigError unless ``value`` is a finite number (``10**400`` is not)."""
    number = to_float(value)
    if number is None or not math.isfinite(number):
        raise ConfigError(
            f"{subject} must be a finite number of seconds, got {shown(value)}"
        )
