"""The agent building block: what it senses, how it decides, how it acts."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

from heron_simpy.broker import Message
from heron_simpy.exceptions import ConfigError
from heron_simpy.timing import DEFAULT_TICKS, LEVELS

__all__ = ["Agent", "Context"]

Sensor = Callable[[Any, str], Any]
Controller = Callable[[str, Any, "tuple[Message, ...]", "Context"], Any]


class Context(Protocol):
    """What a controller can do besides returning an action."""

    agent_id: str

    @property
    def now(self) -> float:
        """The decision time, s."""

    def send(self, recipient: str, payload: Any, topic: str | None = None) -> Message:
        """Send a message through the broker (pays the link's delay and loss)."""


class Agent:
    """An agent: a sensor, a controller and an actuator at one level of a tree.

    Subclass and override :meth:`sense`, :meth:`decide` and :meth:`act`, or
    pass plain functions. The same object is driven by the event-driven engine
    and by the lockstep facade.

    Args:
        agent_id: Unique id (non-empty str).
        level: ``"field"``, ``"coordinator"`` or ``"system"``.
        parent: The direct parent's id, or None for a root.
        tick_interval: Nominal seconds between ticks (> 0); default by level
            (field 1 s, coordinator 60 s, system 300 s).
        phase: Offset of the first tick from the start, s (>= 0).
        sensor: ``sensor(plant, agent_id) -> observation``; the observation
            must be immutable (a copy). Default: no observation (None).
        controller: ``controller(agent_id, observation, messages, ctx) ->
            action`` (None for "do nothing"). Default: never acts.

    Raises:
        ConfigError: Empty id, unknown level, bad tick interval or phase.
    """

    def __init__(
        self,
        agent_id: str,
        *,
        level: str = "field",
        parent: str | None = None,
        tick_interval: float | None = None,
        phase: float = 0.0,
        sensor: Sensor | None = None,
        controller: Controller | None = None,
    ) -> None:
        if not isinstance(agent_id, str) or not agent_id:
            raise ConfigError(
                f"Agent agent_id must be a non-empty str, got {agent_id!r}"
            )
        if level not in LEVELS:
            raise ConfigError(
                f"Agent {agent_id!r} level must be one of {', '.join(LEVELS)}, "
                f"got {level!r}"
            )
        interval = DEFAULT_TICKS[level] if tick_interval is None else tick_interval
        if not _finite(interval) or interval <= 0:
            raise ConfigError(
                f"Agent {agent_id!r} tick_interval must be > 0 s, got {tick_interval!r}"
            )
        if not _finite(phase) or phase < 0:
            raise ConfigError(f"Agent {agent_id!r} phase must be >= 0 s, got {phase!r}")
        self.agent_id = agent_id
        self.level = level
        self.parent = parent
        self.tick_interval = float(interval)
        self.phase = float(phase)
        self._sensor = sensor
        self._controller = controller

    def sense(self, plant: Any) -> Any:
        """Sample this agent's observation of ``plant`` now (an immutable copy)."""
        if self._sensor is None:
            return None
        return self._sensor(plant, self.agent_id)

    def decide(
        self, observation: Any, messages: tuple[Message, ...], ctx: Context
    ) -> Any:
        """Return an action (or None) from an observation and delivered messages."""
        if self._controller is None:
            return None
        return self._controller(self.agent_id, observation, messages, ctx)

    #: Whether a learner may choose this agent's actions (policy agents only).
    controllable = False

    def prepare(self, observation: Any, messages: tuple[Message, ...]) -> Any:
        """Absorb messages; return what the policy observes (policy agents only)."""
        raise NotImplementedError(f"{type(self).__name__} is not policy-driven")

    def respond(self, policy_obs: Any, ctx: Context, action: Any = None) -> Any:
        """Act on a prepared observation; return the plant action (policy agents)."""
        raise NotImplementedError(f"{type(self).__name__} is not policy-driven")

    def act(self, plant: Any, action: Any) -> None:
        """Make ``action`` take effect on ``plant`` (default: ``plant.apply``).

        Without a plant (``None``) the effect is only recorded.
        """
        if plant is not None:
            plant.apply(self.agent_id, action)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.agent_id!r}, level={self.level!r}, "
            f"parent={self.parent!r}, tick_interval={self.tick_interval!r})"
        )


def _finite(value: Any) -> bool:
    """Whether ``value`` is a real, finite number (bools excluded)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
