"""A HERON-style environment: registered agents driven by an EventScheduler."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

from heron_simpy.agents import Agent, PolicyAgent, bind_tree
from heron_simpy.broker import Message
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET
from heron_simpy.engine.scheduler import Event, EventScheduler, EventType
from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.plant import Plant, PlantDriver
from heron_simpy.timing import TickConfig, generator

__all__ = ["HeronEnv"]

StateFn = Callable[[], Any]
EffectFn = Callable[[str, Any], None]


class _Context:
    """A controller's ``ctx``: the decision time and message sending."""

    def __init__(
        self, scheduler: EventScheduler, agent_id: str, ids: Iterator[int]
    ) -> None:
        self.agent_id = agent_id
        self._scheduler = scheduler
        self._ids = ids

    @property
    def now(self) -> float:
        """The decision time, s."""
        return self._scheduler.current_time

    def send(self, recipient: str, payload: Any, topic: str | None = None) -> Message:
        """Deliver a message to ``recipient`` after the sender's msg_delay."""
        now = self._scheduler.current_time
        msg = Message(next(self._ids), self.agent_id, recipient, payload, now, topic)
        self._scheduler.schedule_message_delivery(self.agent_id, recipient, msg)
        return msg


class HeronEnv:
    """Drive heron_simpy agents through HERON's event-driven env API.

    :meth:`setup_event_driven` builds an :class:`EventScheduler` with every
    registered agent; :meth:`setup_default_handlers` runs the cascade on it:
    a tick senses (``global_state_fn()`` if given, else ``agent.sense(plant)``)
    and queues OBSERVATION_READY after the obs delay; that runs the controller
    with the messages delivered since the agent's last decision; a non-None
    action lands as ACTION_EFFECT after the act delay, calling
    ``on_action_effect(agent_id, action)`` (default ``agent.act(plant,
    action)``). Same-time events run parents first. An observation sampled
    before one already used is skipped (counted as discarded). For message
    loss and rewards, use :class:`heron_simpy.Simulation`.

    Args:
        plant: What agents sense and act on, or None. Every
            :meth:`setup_event_driven` resets it (stream ``generator(seed,
            "plant")``); it is advanced lazily to each tick and effect.

    Example:
        >>> from heron_simpy import Agent, TickConfig
        >>> from heron_simpy.heron_env import HeronEnv
        >>> env = HeronEnv()
        >>> _ = env.register_agent(Agent("dev", controller=lambda a, o, m, c: o),
        ...     tick_config=TickConfig.deterministic(1.0, act_delay=0.5))
        >>> _ = env.setup_event_driven(seed=0)
        >>> applied = []
        >>> env.setup_default_handlers(
        ...     global_state_fn=lambda: env.scheduler.current_time,
        ...     on_action_effect=lambda aid, action: applied.append(action))
        >>> env.run_event_driven(t_end=3.0)
        9
        >>> applied
        [0.0, 1.0, 2.0]
    """

    def __init__(self, plant: Plant | None = None) -> None:
        self.plant = plant
        self._agents: dict[str, Agent] = {}
        self._configs: dict[str, TickConfig] = {}
        self._scheduler: EventScheduler | None = None
        self._driver = PlantDriver(plant)
        self._inboxes: dict[str, list[Message]] = {}
        self._last_used: dict[str, float] = {}
        self._msg_ids = itertools.count()
        self._state_fn: StateFn | None = None
        self._effect_fn: EffectFn | None = None
        self._defaults = False

    # ------------------------------------------------------------ set-up
    def register_agent(
        self, agent: Agent, tick_config: TickConfig | None = None
    ) -> Agent:
        """Register ``agent`` with its timing (default: deterministic, its own rate).

        Raises:
            TypeError: ``agent`` is not an Agent or ``tick_config`` not a TickConfig.
            ConfigError: The id is already registered.
            SimulationError: :meth:`setup_event_driven` has already run.
        """
        if not isinstance(agent, Agent):
            raise TypeError(f"HeronEnv register_agent needs an Agent, got {agent!r}")
        if tick_config is not None and not isinstance(tick_config, TickConfig):
            raise TypeError(
                f"HeronEnv register_agent tick_config must be a TickConfig, "
                f"got {tick_config!r}"
            )
        if self._scheduler is not None:
            raise SimulationError(
                f"HeronEnv.register_agent must come before setup_event_driven(), "
                f"got {agent.agent_id!r} after it"
            )
        if agent.agent_id in self._agents:
            raise ConfigError(
                f"HeronEnv agent_id must be unique, got {agent.agent_id!r} twice"
            )
        self._agents[agent.agent_id] = agent
        if tick_config is None:
            tick_config = TickConfig.deterministic(
                agent.tick_interval, phase=agent.phase
            )
        self._configs[agent.agent_id] = tick_config
        return agent

    def setup_event_driven(
        self,
        start_time: float = 0.0,
        seed: int | None = None,
        event_budget: float | None = DEFAULT_EVENT_BUDGET,
    ) -> EventScheduler:
        """Start an episode: a new scheduler with every agent (parents first).

        Policy agents get their observation layouts; the plant is reset.
        ``event_budget`` bounds each :meth:`run_event_driven` (see
        :mod:`heron_simpy.engine.budget`; None: no limit).

        Raises:
            ConfigError: Bad seed, or a parent that is not registered.
        """
        ranked = bind_tree(list(self._agents.values()))
        scheduler = EventScheduler(start_time, seed, event_budget)
        for agent in ranked:
            scheduler.register_agent(
                agent.agent_id, tick_config=self._configs[agent.agent_id]
            )
        if self.plant is not None:
            self.plant.reset(generator(seed, "plant"))
        self._driver.restart(start_time)
        self._inboxes = {a: [] for a in self._agents}
        self._last_used = dict.fromkeys(self._agents, -math.inf)
        self._msg_ids = itertools.count()
        self._scheduler = scheduler
        if self._defaults:
            self._install()
        return scheduler

    def setup_default_handlers(
        self,
        global_state_fn: StateFn | None = None,
        on_action_effect: EffectFn | None = None,
    ) -> None:
        """Install the cascade's handlers (kept by later episodes; see the class).

        Raises:
            SimulationError: :meth:`setup_event_driven` has not run yet.
        """
        self._need("setup_default_handlers")
        self._state_fn = global_state_fn
        self._effect_fn = on_action_effect
        self._defaults = True
        self._install()

    # ------------------------------------------------------------ running
    def run_event_driven(self, t_end: float, max_events: int | None = None) -> int:
        """Dispatch every event strictly before ``t_end``; return how many.

        Raises:
            BudgetError: Estimated over the episode's event budget.
            SimulationError: Called before :meth:`setup_event_driven`, or a
                handler raised (the message names the agent and the time).
        """
        return self._need("run_event_driven").run_until(t_end, max_events)

    @property
    def scheduler(self) -> EventScheduler:
        """The current episode's scheduler (SimulationError before set-up)."""
        return self._need("scheduler")

    @property
    def registered_agents(self) -> tuple[str, ...]:
        """Registered agent ids, in registration order."""
        return tuple(self._agents)

    def get_heron_agent(self, agent_id: str) -> Agent:
        """Return agent ``agent_id`` (SimulationError listing the known ids)."""
        try:
            return self._agents[agent_id]
        except KeyError:
            raise SimulationError(
                f"unknown agent {agent_id!r}; registered: "
                f"{', '.join(self._agents) or '(none)'}"
            ) from None

    # ------------------------------------------------------------ handlers
    def _install(self) -> None:
        scheduler = self._need("setup_default_handlers")
        scheduler.set_handler(EventType.AGENT_TICK, self._on_tick)
        scheduler.set_handler(EventType.OBSERVATION_READY, self._on_observation)
        scheduler.set_handler(EventType.ACTION_EFFECT, self._on_effect)
        scheduler.set_handler(EventType.MESSAGE_DELIVERY, self._on_message)

    def _on_tick(self, event: Event, scheduler: EventScheduler) -> None:
        self._driver.sync(event.timestamp)
        if self._state_fn is not None:
            obs = self._state_fn()
        else:
            obs = self._agents[event.agent_id].sense(self.plant)
        scheduler.schedule_observation(event.agent_id, obs)

    def _on_observation(self, event: Event, scheduler: EventScheduler) -> None:
        agent_id = event.agent_id
        sampled_at = event.payload["sampled_at"]
        if sampled_at < self._last_used[agent_id]:  # overtaken by a newer one
            scheduler.kernel.stats.observations_discarded += 1
            return
        self._last_used[agent_id] = sampled_at
        inbox = self._inboxes[agent_id]
        messages = tuple(inbox)
        inbox.clear()
        agent = self._agents[agent_id]
        ctx = _Context(scheduler, agent_id, self._msg_ids)
        obs = event.payload["observation"]
        if isinstance(agent, PolicyAgent):
            action = agent.respond(agent.prepare(obs, messages), ctx)
        else:
            action = agent.decide(obs, messages, ctx)
        if action is not None:
            scheduler.schedule_action_effect(agent_id, action)

    def _on_effect(self, event: Event, scheduler: EventScheduler) -> None:
        action = event.payload["action"]
        self._driver.sync(event.timestamp)
        if self._effect_fn is not None:
            self._effect_fn(event.agent_id, action)
            return
        self._agents[event.agent_id].act(self.plant, action)

    def _on_message(self, event: Event, scheduler: EventScheduler) -> None:
        self._inboxes[event.agent_id].append(event.payload["message"])

    def _need(self, what: str) -> EventScheduler:
        """The scheduler, or a clear error naming the call made too early."""
        if self._scheduler is None:
            raise SimulationError(
                f"HeronEnv has no scheduler yet ({what}): "
                "call setup_event_driven() first"
            )
        return self._scheduler
