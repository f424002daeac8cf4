"""The SimPy process of one agent: tick, sense, decide, act, talk."""

from __future__ import annotations

import itertools
import math
from collections.abc import Generator, Iterator
from typing import Any, NamedTuple

import numpy as np
import simpy
from simpy.events import Event

from heron_simpy.agents.base import Agent
from heron_simpy.broker import Broker, Message
from heron_simpy.engine import (
    APPLY,
    OBSERVE,
    TICK,
    Call,
    Kernel,
    Timer,
    deliver,
    priority,
)
from heron_simpy.exceptions import ActionError, ConfigError, SimulationError
from heron_simpy.faults import ActuatorSaturation, ClockDrift
from heron_simpy.plant import PlantDriver
from heron_simpy.recording import (
    ApplyRecord,
    DecideRecord,
    DiscardRecord,
    LoseRecord,
    ObserveRecord,
    TickRecord,
)
from heron_simpy.timing import TickConfig

__all__ = ["AgentProcess", "Pending"]


class Pending(NamedTuple):
    """A decision parked for a learner: the observation its policy would get.

    Attributes:
        process: The agent process to resolve it on.
        observation: The policy observation (sensed features + local state).
        time: Decision time, s.
        sampled_at: When the sensed part was sampled, s.
    """

    process: AgentProcess
    observation: Any
    time: float
    sampled_at: float


class AgentProcess:
    """Run one agent in event time (DESIGN.md section 4).

    Per tick at time ``t``: the sensor samples the observation as of ``t``; a
    timer delivers it into the agent's observation store at ``t + obs_delay``;
    on delivery the controller decides with it and with the messages already in
    the inbox (an observation sampled before one already used is discarded);
    the action lands at ``decision + act_delay``, in decision order. The next
    tick is one fresh tick-interval sample later.

    Args:
        kernel: Clock, stats and trace of the episode.
        driver: Advances the plant to event times.
        broker: Carries the agent's messages; owns its inbox.
        agent: The agent being driven.
        config: Its resolved timing.
        rank: Its place in the same-time order (parents first).
        seed: Master seed; the agent's streams are keyed by its id.
        grid: The reward grid step, s, that deterministic ticks align with.
        clock: A clock drift of this agent (None: a perfect clock).

    Faults (see :mod:`heron_simpy.injection`) act through :meth:`crash`,
    :meth:`restart`, :meth:`sensor_fault` and :meth:`saturate`.
    """

    def __init__(
        self,
        kernel: Kernel,
        driver: PlantDriver,
        broker: Broker,
        agent: Agent,
        *,
        config: TickConfig,
        rank: int,
        seed: int | None,
        grid: float | None = None,
        clock: ClockDrift | None = None,
    ) -> None:
        self.agent = agent
        self.agent_id = agent.agent_id
        self.config = config
        self.rank = rank
        self._kernel = kernel
        self._driver = driver
        self._broker = broker
        samplers = config.samplers(seed, "agent", agent.agent_id)
        self._next_interval = samplers.tick
        self._obs_delay = samplers.obs
        self._act_delay = samplers.act
        self.inbox = broker.register(agent.agent_id, rank, samplers.msg)
        self.observations = kernel.store()
        self._prio_tick = priority(TICK, rank)
        self._prio_observe = priority(OBSERVE, rank)
        self._prio_apply = priority(APPLY, rank)
        self._last_used = -math.inf
        self._last_apply_at = -math.inf
        # Hot-path shortcuts (an AgentProcess lives for one episode only).
        self._env = kernel.env
        self._stats = kernel.stats
        self._keep = kernel.keep
        self._append = kernel.recorder.append
        self._sync = driver.sync
        self._plant = driver.plant
        self._start = kernel.start_time
        self._grid = grid
        #: Where deferred decisions go (a facade's list), or None to decide at once.
        self.feed: list[Pending] | None = None
        # Fault state: all neutral without faults (the hot path checks ints).
        self.clock = clock
        self._crashes = 0  # > 0 while crashed (overlapping crashes nest)
        self._epoch = 0  # bumped by every crash: older observations are lost
        self._act_floor = 0  # actions decided in an earlier epoch are lost
        self._dropouts = 0  # > 0 while the sensor delivers nothing
        self._stuck = 0  # > 0 while the sensor repeats _stuck_obs
        self._stuck_obs: Any = None
        self._saturations: list[ActuatorSaturation] = []
        self.process: simpy.Process = kernel.process(self._run())

    # ------------------------------------------------------------ context
    @property
    def now(self) -> float:
        """The agent's own clock reading, s (for controllers).

        The simulated time, unless the agent's clock drifts: then
        ``start + (t - start) * (1 + ppm * 1e-6) + offset``.
        """
        t = float(self._env.now)
        clock = self.clock
        if clock is None:
            return t
        return self._start + (t - self._start) * clock.rate + clock.offset

    @property
    def down(self) -> bool:
        """Whether the agent is crashed now."""
        return self._crashes > 0

    def send(self, recipient: str, payload: Any, topic: str | None = None) -> Message:
        """Send a message through the broker, stamped with the agent's clock."""
        return self._broker.send(self.agent_id, recipient, payload, topic, self.now)

    # ------------------------------------------------------------ faults
    def crash(self, lose_in_flight: bool) -> None:
        """Stop the agent now: interrupt its process and wipe its inbox.

        Observations still on their way to it are lost when they arrive;
        actions it decided that have not landed are lost too when
        ``lose_in_flight`` (else they still land).
        """
        self._crashes += 1
        if self._crashes > 1:
            return
        now = self._env._now
        self._epoch += 1
        if lose_in_flight:
            self._act_floor = self._epoch
        items = self.inbox.items
        if items:
            self._stats.messages_flushed += len(items)
            if self._keep:
                for msg in items:
                    self._append(
                        LoseRecord(now, self.agent_id, "message", msg.sent_at, "crash")
                    )
            items.clear()
        if self.process.is_alive:
            self.process.interrupt("crash")

    def restart(self) -> None:
        """Bring a crashed agent back: it ticks now, then at its interval."""
        self._crashes -= 1
        if self._crashes == 0:
            self.process = self._kernel.process(self._run(self._env._now))

    def sensor_fault(self, kind: str, on: bool) -> None:
        """Start (``on``) or end a ``"sensor_dropout"`` or ``"stuck_sensor"``."""
        step = 1 if on else -1
        if kind == "sensor_dropout":
            self._dropouts += step
            return
        if on and self._stuck == 0:
            # The reading it sticks at: what a tick now would read, i.e. after
            # the effects of this instant (just before this agent's tick phase).
            Call(self._env, 0.0, self._prio_tick - 1, self._freeze, None)
        self._stuck += step

    def _freeze(self, call: Call) -> None:
        """Take the reading a stuck sensor will repeat."""
        now = self._env._now
        self._sync(now)
        try:
            self._stuck_obs = self.agent.sense(self._plant)
        except Exception as exc:
            raise self._error(now, "sensor", exc) from exc

    def saturate(self, fault: ActuatorSaturation, on: bool) -> None:
        """Start (``on``) or end an actuator saturation window."""
        if on:
            self._saturations.append(fault)
        else:
            self._saturations.remove(fault)

    # ------------------------------------------------------------ process
    def _run(self, restart: float | None = None) -> Generator[Event, Any, None]:
        """The agent's SimPy process: wait for the phase, then tick forever.

        Jittered ticks add a fresh interval sample to the previous tick (DESIGN
        section 2). Deterministic ticks are placed at absolute times so that
        they never drift: on the reward grid's own formula ``start + j * grid``
        when the interval and phase are whole grid steps (so a tick and a grid
        point that are the same instant compare equal), else
        ``start + phase + k * interval``. After a crash (``restart`` = the
        restart time) the agent ticks at once, then every interval from there.
        A drifting clock divides every interval by its rate (and its offset
        shifts the first tick).
        """
        env = self._env
        prio = self._prio_tick
        rate = 1.0 if self.clock is None else self.clock.rate
        try:
            if self.config.tick_model.is_deterministic:
                times = self._tick_times(restart)
                while True:
                    yield Timer(env, 0.0, prio, at=next(times))
                    self._tick()
            next_interval = self._next_interval
            # After a restart: tick at once, but in the tick phase of the instant.
            yield Timer(env, self._first_tick() if restart is None else 0.0, prio)
            while True:
                self._tick()
                interval = next_interval()
                yield Timer(env, interval if rate == 1.0 else interval / rate, prio)
        except simpy.Interrupt:
            return

    def _first_tick(self) -> float:
        """Delay of a jittered agent's first tick: its phase on its own clock.

        A clock ``offset`` s ahead reaches the phase early; one that is past
        it already ticks at the next whole interval, as deterministic ticks do.
        """
        clock = self.clock
        if clock is None:
            return self.config.phase
        lead = self.config.phase - clock.offset
        if lead < 0:
            interval = self.config.tick_interval
            lead += math.ceil(-lead / interval) * interval
        return lead / clock.rate

    def _tick_times(self, restart: float | None = None) -> Iterator[float]:
        """Absolute times of deterministic ticks (see :meth:`_run`)."""
        start = self._start
        interval, phase, grid = self.config.tick_interval, self.config.phase, self._grid
        clock = self.clock
        if restart is not None:
            step = interval if clock is None else interval / clock.rate
            return (restart + k * step for k in itertools.count())
        if grid is not None:
            m, p = interval / grid, phase / grid
            if _whole(m) and _whole(p):
                m_i, p_i = round(m), round(p)
                local = (start + (p_i + k * m_i) * grid for k in itertools.count())
                return local if clock is None else _true_times(local, start, clock)
        local = (start + phase + k * interval for k in itertools.count())
        return local if clock is None else _true_times(local, start, clock)

    def _tick(self) -> None:
        """Sample the observation now and start its delayed delivery."""
        env = self._env
        now = env._now
        self._stats.ticks += 1
        if self._keep:
            self._append(TickRecord(now, self.agent_id))
        if self._dropouts:  # the sensor delivers nothing; keep the draw aligned
            self._obs_delay()
            self._lose(now, "observation", now, "sensor_dropout")
            return
        if self._stuck:
            obs = self._stuck_obs
        else:
            self._sync(now)
            try:
                obs = self.agent.sense(self._plant)
            except Exception as exc:
                raise self._error(now, "sensor", exc) from exc
        Call(
            env,
            self._obs_delay(),
            self._prio_observe,
            self._on_observation,
            (now, obs, self._epoch),
        )

    def _lose(self, now: float, item: str, origin: float, cause: str) -> None:
        """Count and trace an observation or action lost to a fault."""
        if item == "observation":
            self._stats.observations_lost += 1
        else:
            self._stats.actions_lost += 1
        if self._keep:
            self._append(LoseRecord(now, self.agent_id, item, origin, cause))

    def _on_observation(self, call: Call) -> None:
        """Deliver an observation; decide with it unless it is stale."""
        now = self._env._now
        sampled_at, obs, epoch = call.item
        if epoch != self._epoch or self._crashes:  # sent to a controller that died
            self._lose(now, "observation", sampled_at, "crash")
            return
        stats = self._stats
        stats.observations_delivered += 1
        if self._keep:
            self._append(ObserveRecord(now, self.agent_id, sampled_at))
        if sampled_at < self._last_used:
            stats.observations_discarded += 1
            if self._keep:
                self._append(DiscardRecord(now, self.agent_id, sampled_at))
            return
        store = self.observations
        if store.get_queue:  # a user process waits in `yield store.get()`
            deliver(store, obs)
            return
        # Plain version: deliver(store, obs); obs = store.items.pop(). The
        # observation passes through the store without touching it.
        self._last_used = sampled_at
        self._decide(now, sampled_at, obs)

    def _decide(self, now: float, sampled_at: float, obs: Any) -> None:
        """Run the controller and schedule the action's effect."""
        items = self.inbox.items
        messages: tuple[Message, ...] = ()
        if items:
            messages = tuple(items)
            items.clear()
        stats = self._stats
        stats.decisions += 1
        stats.obs_age_total += now - sampled_at
        if self._keep:
            self._append(DecideRecord(now, self.agent_id, sampled_at))
        agent = self.agent
        try:
            if self.feed is not None and agent.controllable:
                self.feed.append(
                    Pending(self, agent.prepare(obs, messages), now, sampled_at)
                )
                return
            action = agent.decide(obs, messages, self)
        except (ActionError, SimulationError) as exc:
            raise self._named(now, exc) from exc
        except Exception as exc:
            raise self._error(now, "controller", exc) from exc
        self._effect(now, action)

    def resolve(self, pending: Pending, action: Any) -> None:
        """Finish a deferred decision now with ``action`` (given by a learner)."""
        now = self._env._now
        try:
            plant_action = self.agent.respond(pending.observation, self, action)
        except (ActionError, SimulationError) as exc:
            raise self._named(now, exc) from exc
        except Exception as exc:
            raise self._error(now, "controller", exc) from exc
        self._effect(now, plant_action)

    def _effect(self, now: float, action: Any) -> None:
        """Schedule ``action``'s effect after the act delay (FIFO per agent)."""
        if action is None:
            return
        stats = self._stats
        delay = self._act_delay()
        if now + delay < self._last_apply_at:  # effects land in decision order
            delay = self._last_apply_at - now
            while now + delay < self._last_apply_at:
                delay = math.nextafter(delay, math.inf)
        self._last_apply_at = now + delay
        stats.actions_in_flight += 1
        Call(
            self._env,
            delay,
            self._prio_apply,
            self._on_apply,
            (now, action, self._epoch),
        )

    def _on_apply(self, call: Call) -> None:
        """Apply a decided action to the plant."""
        now = self._env._now
        decided_at, action, epoch = call.item
        if epoch < self._act_floor:  # decided before a crash that lost it
            self._stats.actions_in_flight -= 1
            self._lose(now, "action", decided_at, "crash")
            return
        if self._saturations:
            action = self._saturated(now, action)
        self._sync(now)
        try:
            self.agent.act(self._plant, action)
        except Exception as exc:
            raise self._error(now, "actuator", exc) from exc
        stats = self._stats
        stats.actions_in_flight -= 1
        stats.actions_applied += 1
        stats.act_latency_total += now - decided_at
        if self._keep:
            self._append(ApplyRecord(now, self.agent_id, decided_at))

    def _saturated(self, now: float, action: Any) -> Any:
        """Clip a numeric ``action`` to every active saturation window."""
        try:
            value = np.asarray(action, dtype=float)
        except (TypeError, ValueError):
            raise SimulationError(
                f"agent {self.agent_id!r} at t={now:.3f}: actuator_saturation "
                f"needs a numeric action, got {action!r}"
            ) from None
        clipped = value
        for fault in self._saturations:
            low = -np.inf if fault.low is None else np.asarray(fault.low)
            high = np.inf if fault.high is None else np.asarray(fault.high)
            try:
                clipped = np.clip(clipped, low, high)
            except ValueError:
                raise SimulationError(
                    f"agent {self.agent_id!r} at t={now:.3f}: actuator_saturation "
                    f"bounds low={fault.low!r} high={fault.high!r} do not fit "
                    f"action shape {value.shape}"
                ) from None
        if clipped.shape != value.shape:  # bounds broadcast a scalar action
            if clipped.size != value.size:
                raise SimulationError(
                    f"agent {self.agent_id!r} at t={now:.3f}: actuator_saturation "
                    f"bounds low={self._saturations[0].low!r} do not fit action "
                    f"{action!r}"
                )
            clipped = clipped.reshape(value.shape)
        if np.array_equal(clipped, value):
            return action
        self._stats.actions_saturated += 1
        dtype = getattr(action, "dtype", None)  # keep a numpy action's dtype
        if dtype is None:
            return float(clipped) if clipped.ndim == 0 else clipped
        out = clipped.astype(dtype)
        return out[()] if out.ndim == 0 else out

    def _named(self, now: float, exc: Exception) -> Exception:
        """``exc`` itself if it names this agent, else a copy prefixed with it.

        The library's own ActionErrors and SimulationErrors already name the
        agent and the time; one raised by a user's policy gets them here.
        """
        if f"agent {self.agent_id!r}" in str(exc):
            return exc
        return type(exc)(f"agent {self.agent_id!r} at t={now:.3f}: {exc}")

    def _error(self, now: float, where: str, exc: Exception) -> Exception:
        """Wrap an exception from user code with the agent and the time.

        A ConfigError (a protocol or feature rejecting a value) stays a
        ConfigError, prefixed; anything else becomes a SimulationError.
        """
        if isinstance(exc, ConfigError):
            return ConfigError(f"agent {self.agent_id!r} at t={now:.3f}: {exc}")
        return SimulationError(
            f"agent {self.agent_id!r} at t={now:.3f}: {where} raised "
            f"{type(exc).__name__}: {exc}"
        )


def _true_times(
    local: Iterator[float], start: float, clock: ClockDrift
) -> Iterator[float]:
    """Map tick times read on a drifting clock to true times (none before start).

    The clock reads ``start + (t - start) * rate + offset`` at true time ``t``.
    """
    rate, offset = clock.rate, clock.offset
    for tau in local:
        t = start + (tau - start - offset) / rate
        if t >= start:
            yield t


def _whole(x: float) -> bool:
    """Whether ``x`` is a whole number (up to rounding of a division)."""
    return abs(x - round(x)) <= 1e-9 * max(1.0, abs(x))
