"""HERON-style event scheduler API (handlers per event type) on the SimPy kernel."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Generator
from typing import Any

import simpy
from simpy.events import Event as SimpyEvent

from heron_simpy.engine.budget import (
    DEFAULT_EVENT_BUDGET,
    EVENTS_PER_TICK,
    agents_text,
    check_event_budget,
    refuse_over_budget,
)
from heron_simpy.engine.events import PHASE_OF, Event, EventType
from heron_simpy.engine.kernel import Kernel, Timer, check_run
from heron_simpy.engine.ordering import TICK, priority
from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.recording import (
    ApplyRecord,
    DeliverRecord,
    ObserveRecord,
    SendRecord,
    TickRecord,
)
from heron_simpy.timing import Sampler, TickConfig, TickSamplers
from heron_simpy.timing.checks import check_time, shown, to_float
from heron_simpy.timing.rng import check_seed

__all__ = ["Event", "EventScheduler", "EventType"]


Handler = Callable[[Event, "EventScheduler"], Any]


class EventScheduler:
    """Schedule agent ticks, action effects, observations and messages.

    Code written against HERON's event-driven API runs with only the import
    changed. Underneath, each registered agent is a SimPy process ticking on
    its own (jittered) interval, and every other event is a SimPy timer; events
    that share a timestamp run in the order of
    :mod:`heron_simpy.engine.ordering` (effects, ticks, observations,
    messages), then agent registration order.

    Args:
        start_time: Simulated time of the first instant, s (finite).
        seed: Master seed for every agent's timing streams (keyed by agent
            id), an int >= 0; None uses each TickConfig's own ``seed``.
        event_budget: Largest estimated event count of one :meth:`run_until`
            (registered agents' ticks; see :mod:`heron_simpy.engine.budget`);
            None: no limit.

    Raises:
        TypeError: ``start_time`` is not a number or ``seed`` not an int.
        ConfigError: ``start_time`` is not finite (``10**400`` is not) or
            ``seed`` is negative.

    Example:
        >>> from heron_simpy import EventScheduler, EventType, TickConfig
        >>> sched = EventScheduler(start_time=0.0, seed=0)
        >>> sched.register_agent("battery_1", tick_config=TickConfig.deterministic(1.0))
        >>> ticks = []
        >>> def on_tick(event, scheduler):
        ...     ticks.append(event.timestamp)
        >>> sched.set_handler(EventType.AGENT_TICK, on_tick)
        >>> sched.run_until(t_end=3.0)
        3
        >>> ticks
        [0.0, 1.0, 2.0]
    """

    def __init__(
        self,
        start_time: float = 0.0,
        seed: int | None = None,
        event_budget: float | None = DEFAULT_EVENT_BUDGET,
    ) -> None:
        self.seed = check_seed(seed, "EventScheduler")
        self.event_budget = check_event_budget(event_budget, "EventScheduler")
        self._kernel = Kernel(check_time(start_time, "EventScheduler start_time"))
        self._configs: dict[str, TickConfig] = {}
        self._ranks: dict[str, int] = {}
        self._samplers: dict[str, TickSamplers] = {}
        self._handlers: dict[EventType, Handler] = {}
        self._next_tick: dict[str, Event] = {}
        self._live: set[int] = set()
        self._sequence = itertools.count()
        self._dispatched = 0
        self._rate = 0.0  # estimated events per simulated second (ticks)

    # ------------------------------------------------------------ set-up
    def register_agent(
        self,
        agent_id: str,
        tick_config: TickConfig | None = None,
        schedule_config: TickConfig | None = None,
        *,
        tick_interval: float | None = None,
        obs_delay: float | None = None,
        act_delay: float | None = None,
        msg_delay: float | None = None,
    ) -> None:
        """Register an agent; it ticks from ``start_time + phase`` on.

        Give either a ``tick_config`` (alias ``schedule_config``) or the plain
        numbers (deterministic timing); not both.

        Raises:
            ConfigError: Duplicate id, both kinds of timing given, or bad values.
        """
        if not isinstance(agent_id, str) or not agent_id:
            raise ConfigError(
                f"register_agent agent_id must be a non-empty str, got {agent_id!r}"
            )
        if agent_id in self._configs:
            raise ConfigError(
                f"register_agent agent_id must be unique, got {agent_id!r} twice"
            )
        cfg = _pick_config(
            agent_id,
            tick_config=tick_config,
            schedule_config=schedule_config,
            tick_interval=tick_interval,
            obs_delay=obs_delay,
            act_delay=act_delay,
            msg_delay=msg_delay,
        )
        self._configs[agent_id] = cfg
        self._ranks[agent_id] = len(self._ranks)
        self._rate += EVENTS_PER_TICK / cfg.tick_interval
        self._start_agent(agent_id)

    def set_handler(self, event_type: EventType, handler: Handler) -> None:
        """Call ``handler(event, scheduler)`` for every event of ``event_type``."""
        self._handlers[EventType(event_type)] = handler

    # ------------------------------------------------------------ scheduling
    def schedule(
        self,
        event_type: EventType,
        agent_id: str,
        delay: float = 0.0,
        payload: dict[str, Any] | None = None,
    ) -> Event:
        """Queue an event ``delay`` s from now and return it (for :meth:`cancel`).

        Raises:
            SimulationError: Unknown agent.
            TypeError: ``delay`` is not a number (bools are not).
            ConfigError: Negative or non-finite delay.
        """
        rank = self._rank(agent_id)
        rule = "schedule delay must be a finite number >= 0 s"
        number = to_float(delay)
        if number is None:
            raise TypeError(f"{rule}, got {shown(delay)}")
        if not (math.isfinite(number) and number >= 0):
            raise ConfigError(f"{rule}, got {shown(delay)}")
        delay = number
        etype = EventType(event_type)
        env = self._kernel.env
        event = Event(
            env.now + delay, etype, agent_id, dict(payload or {}), next(self._sequence)
        )
        timer = Timer(env, delay, priority(PHASE_OF[etype], rank), event)
        timer.callbacks.append(self._fire)  # type: ignore[arg-type]
        self._live.add(event.sequence)
        return event

    def schedule_action_effect(
        self, agent_id: str, action: Any = None, delay: float | None = None
    ) -> Event:
        """Queue ``action``'s effect after ``delay`` (default: agent's act_delay)."""
        d = self._sampler(agent_id).act() if delay is None else delay
        return self.schedule(
            EventType.ACTION_EFFECT,
            agent_id,
            d,
            {"action": action, "decided_at": self.current_time},
        )

    def schedule_observation(
        self, agent_id: str, observation: Any = None, delay: float | None = None
    ) -> Event:
        """Queue OBSERVATION_READY after ``delay`` (default: the agent's obs_delay)."""
        d = self._sampler(agent_id).obs() if delay is None else delay
        return self.schedule(
            EventType.OBSERVATION_READY,
            agent_id,
            d,
            {"observation": observation, "sampled_at": self.current_time},
        )

    def schedule_message_delivery(
        self,
        sender_id: str,
        recipient_id: str,
        message: Any,
        delay: float | None = None,
    ) -> Event:
        """Queue a message for ``recipient_id`` (default delay: sender's msg_delay)."""
        self._rank(recipient_id)
        d = self._sampler(sender_id).msg() if delay is None else delay
        event = self.schedule(
            EventType.MESSAGE_DELIVERY,
            recipient_id,
            d,
            {"sender": sender_id, "message": message, "sent_at": self.current_time},
        )
        self._kernel.recorder.append(
            SendRecord(self.current_time, sender_id, recipient_id, event.sequence)
        )
        return event

    def cancel(self, event: Event) -> bool:
        """Cancel a pending event in O(1); False if it fired or was cancelled."""
        if event.sequence not in self._live:
            return False
        self._live.discard(event.sequence)
        return True

    # ------------------------------------------------------------ running
    def run_until(self, t_end: float, max_events: int | None = None) -> int:
        """Dispatch every event strictly before ``t_end``; return how many.

        Args:
            t_end: End of the half-open horizon, s.
            max_events: Stop after dispatching this many events (> 0).

        Raises:
            BudgetError: The registered agents' ticks up to ``t_end`` are
                estimated over ``event_budget`` (``t_end=inf`` without
                ``max_events``, a picosecond tick); nothing has run.
        """
        check_run(t_end, max_events, self.current_time)
        self._check_budget(t_end, max_events)
        env = self._kernel.env
        start = self._dispatched
        while env.peek() < t_end:
            if max_events is not None and self._dispatched - start >= max_events:
                return self._dispatched - start
            env.step()
            self._kernel.stats.events_processed += 1
        self._kernel.advance_clock(t_end)
        return self._dispatched - start

    def process_next(self) -> bool:
        """Dispatch exactly one pending event; False if none is pending."""
        env = self._kernel.env
        before = self._dispatched
        while self._dispatched == before:
            if not self._live or env.peek() == math.inf:
                return False
            env.step()
            self._kernel.stats.events_processed += 1
        return True

    def reset(self, start_time: float = 0.0) -> None:
        """Drop every pending event; restart the registered agents at ``start_time``.

        Raises:
            TypeError: ``start_time`` is not a number.
            ConfigError: ``start_time`` is not finite.
        """
        self._kernel.reset(check_time(start_time, "EventScheduler.reset start_time"))
        self._live.clear()
        self._next_tick.clear()
        self._dispatched = 0
        self._sequence = itertools.count()
        for agent_id in self._configs:
            self._start_agent(agent_id)

    # ------------------------------------------------------------ queries
    @property
    def current_time(self) -> float:
        """The current simulated time, s."""
        return float(self._kernel.env.now)

    @property
    def pending_count(self) -> int:
        """Events queued and not cancelled (each agent's next tick counts as one)."""
        return len(self._live)

    @property
    def events_processed(self) -> int:
        """Events dispatched since the last reset."""
        return self._dispatched

    @property
    def agent_intervals(self) -> dict[str, float]:
        """Agent id -> nominal tick interval, s."""
        return {a: c.tick_interval for a, c in self._configs.items()}

    @property
    def registered_agents(self) -> tuple[str, ...]:
        """Registered agent ids, in registration order."""
        return tuple(self._configs)

    @property
    def trace(self) -> list[Any]:
        """The trace records of the episode so far."""
        return self._kernel.recorder.records

    @property
    def kernel(self) -> Kernel:
        """The SimPy kernel underneath (its ``env`` is the simpy.Environment)."""
        return self._kernel

    def next_tick(self, agent_id: str) -> Event:
        """The pending tick event of ``agent_id`` (cancel it to skip one tick)."""
        self._rank(agent_id)
        return self._next_tick[agent_id]

    # ------------------------------------------------------------ internals
    def _check_budget(self, t_end: float, max_events: int | None) -> None:
        """Refuse a run whose ticks are estimated over the event budget."""
        if self.event_budget is None:
            return
        rate = self._rate
        span = float(t_end) - self.current_time
        estimate = rate * span if rate > 0 else float(len(self._live))
        if max_events is not None:
            estimate = min(estimate, to_float(max_events) or math.inf)
        if estimate <= self.event_budget:
            return  # the message below costs O(agents): only for a refusal
        intervals = [c.tick_interval for c in self._configs.values()]
        fastest = f", fastest tick {min(intervals):g} s" if intervals else ""
        refuse_over_budget(
            estimate,
            self.event_budget,
            f"EventScheduler.run_until({t_end!r}) from t={self.current_time!r} "
            f"with {agents_text(len(intervals))}{fastest}",
        )

    def _start_agent(self, agent_id: str) -> None:
        cfg = self._configs[agent_id]
        self._samplers[agent_id] = cfg.samplers(self.seed, "agent", agent_id)
        first = self._queue_tick(agent_id, cfg.phase)
        self._kernel.process(self._tick_loop(agent_id, first, cfg.phase))

    def _queue_tick(self, agent_id: str, delay: float) -> Event:
        """Create (and count as pending) the next tick event of ``agent_id``."""
        env = self._kernel.env
        event = Event(
            env.now + delay, EventType.AGENT_TICK, agent_id, {}, next(self._sequence)
        )
        self._next_tick[agent_id] = event
        self._live.add(event.sequence)
        return event

    def _tick_loop(
        self, agent_id: str, event: Event, delay: float
    ) -> Generator[SimpyEvent, Any, None]:
        """SimPy process of one agent: wait, dispatch AGENT_TICK, repeat."""
        env = self._kernel.env
        prio = priority(TICK, self._ranks[agent_id])
        interval: Sampler = self._samplers[agent_id].tick
        try:
            while True:
                yield Timer(env, delay, prio)
                if event.sequence in self._live:  # not cancelled
                    self._live.discard(event.sequence)
                    self._kernel.stats.ticks += 1
                    self._kernel.recorder.append(TickRecord(env.now, agent_id))
                    self._dispatch(event)
                delay = interval()
                event = self._queue_tick(agent_id, delay)
        except simpy.Interrupt:
            return

    def _fire(self, timer: Timer) -> None:
        """Timer callback: dispatch a queued event unless cancelled."""
        event: Event = timer.item
        if event.sequence not in self._live:  # cancelled
            return
        self._live.discard(event.sequence)
        now = self.current_time
        rec = self._kernel.recorder
        p = event.payload
        if event.event_type is EventType.ACTION_EFFECT:
            self._kernel.stats.actions_applied += 1
            rec.append(ApplyRecord(now, event.agent_id, p["decided_at"]))
        elif event.event_type is EventType.OBSERVATION_READY:
            self._kernel.stats.observations_delivered += 1
            rec.append(ObserveRecord(now, event.agent_id, p["sampled_at"]))
        elif event.event_type is EventType.MESSAGE_DELIVERY:
            self._kernel.stats.messages_delivered += 1
            rec.append(
                DeliverRecord(
                    now, event.agent_id, p["sender"], event.sequence, p["sent_at"]
                )
            )
        self._dispatch(event)

    def _dispatch(self, event: Event) -> None:
        self._dispatched += 1
        handler = self._handlers.get(event.event_type)
        if handler is None:
            return
        try:
            handler(event, self)
        except SimulationError:
            raise
        except Exception as exc:
            raise SimulationError(
                f"agent {event.agent_id!r} at t={event.timestamp:.3f}: "
                f"{event.event_type.value} handler raised {type(exc).__name__}: {exc}"
            ) from exc

    def _rank(self, agent_id: str) -> int:
        try:
            return self._ranks[agent_id]
        except KeyError:
            raise SimulationError(
                f"unknown agent {agent_id!r}; registered: "
                f"{', '.join(self._ranks) or '(none)'}"
            ) from None

    def _sampler(self, agent_id: str) -> TickSamplers:
        self._rank(agent_id)
        return self._samplers[agent_id]


def _pick_config(
    agent_id: str,
    *,
    tick_config: TickConfig | None,
    schedule_config: TickConfig | None,
    tick_interval: float | None,
    obs_delay: float | None,
    act_delay: float | None,
    msg_delay: float | None,
) -> TickConfig:
    """Resolve register_agent's alternative ways of giving timing."""
    given = [c for c in (tick_config, schedule_config) if c is not None]
    plain = {
        k: v
        for k, v in (
            ("tick_interval", tick_interval),
            ("obs_delay", obs_delay),
            ("act_delay", act_delay),
            ("msg_delay", msg_delay),
        )
        if v is not None
    }
    if len(given) > 1:
        raise ConfigError(
            f"register_agent {agent_id!r}: give tick_config or schedule_config, "
            "not both"
        )
    if given and plain:
        raise ConfigError(
            f"register_agent {agent_id!r}: give a TickConfig or plain numbers "
            f"({', '.join(plain)}), not both"
        )
    if given:
        cfg = given[0]
        if not isinstance(cfg, TickConfig):
            raise TypeError(
                f"register_agent tick_config must be a TickConfig, got {cfg!r}"
            )
        return cfg
    return TickConfig.deterministic(**plain)
