"""Vertical protocols: setpoints down the tree, reports up, as broker messages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from heron_simpy.agents import Context, PolicyAgent
from heron_simpy.broker import Message
from heron_simpy.exceptions import ConfigError

__all__ = [
    "DECOMPOSITIONS",
    "Report",
    "ReportCollector",
    "SetpointDispatch",
    "SetpointFollower",
]

DECOMPOSITIONS = ("split", "broadcast", "proportional")
_EMPTY = np.zeros(0)


class SetpointDispatch:
    """A coordinator's role: decompose its action into one setpoint per child.

    Modes:
        * ``"split"``: the action is a vector with one entry per child (in the
          coordinator's ``children`` order); child i gets entry i.
        * ``"broadcast"``: every child gets the whole action.
        * ``"proportional"``: the action is a total; child i gets
          ``total * weights[i] / sum(weights)`` (equal shares by default).

    Each setpoint is a message with topic ``topic``: it pays ``msg_delay`` and
    can be lost.

    Args:
        mode: One of ``DECOMPOSITIONS``.
        weights: Child id -> weight (> 0), for ``"proportional"``.
        topic: Message topic.

    Example:
        >>> from heron_simpy.protocols import SetpointDispatch
        >>> SetpointDispatch("proportional", {"a": 1.0, "b": 3.0}).setpoints(
        ...     8.0, ("a", "b"))
        {'a': 2.0, 'b': 6.0}
    """

    fields: tuple[str, ...] = ()
    low = _EMPTY
    high = _EMPTY

    def __init__(
        self,
        mode: str = "broadcast",
        weights: dict[str, float] | None = None,
        topic: str = "setpoint",
    ) -> None:
        if mode not in DECOMPOSITIONS:
            raise ConfigError(
                f"SetpointDispatch mode must be one of {', '.join(DECOMPOSITIONS)}, "
                f"got {mode!r}"
            )
        for child, w in (weights or {}).items():
            if not (isinstance(w, (int, float)) and math.isfinite(w) and w > 0):
                raise ConfigError(
                    f"SetpointDispatch weight of {child!r} must be a number > 0, "
                    f"got {w!r}"
                )
        self.mode = mode
        self.weights = dict(weights or {})
        self.topic = topic

    def setpoints(self, action: Any, children: Sequence[str]) -> dict[str, Any]:
        """Return child id -> setpoint for ``action``."""
        if self.mode == "broadcast":
            return dict.fromkeys(children, action)
        values = np.asarray(action, dtype=np.float64).reshape(-1)
        if self.mode == "split":
            if values.shape[0] != len(children):
                raise ConfigError(
                    f"split setpoint action must have one value per child "
                    f"({len(children)}), got {values.shape[0]}"
                )
            return {c: float(v) for c, v in zip(children, values, strict=True)}
        total = float(values.sum())
        w = np.array([self.weights.get(c, 1.0) for c in children])
        shares = total * w / w.sum()
        return {c: float(v) for c, v in zip(children, shares, strict=True)}

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Nothing to absorb."""

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """No local state."""
        return _EMPTY

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Send every child its setpoint (nothing when there is no action)."""
        if action is None:
            return
        for child, value in self.setpoints(action, agent.children).items():
            ctx.send(child, value, self.topic)


class SetpointFollower:
    """A child's role: keep the latest setpoint received (part of its observation).

    Args:
        default: Setpoint until the first one arrives (and after a reset).
        low: Lowest setpoint the observation space allows.
        high: Highest setpoint the observation space allows.
        topic: Message topic to listen to.
    """

    fields: tuple[str, ...] = ("setpoint",)
    default_topic = "setpoint"

    def __init__(
        self,
        default: float = 0.0,
        low: float = -math.inf,
        high: float = math.inf,
        topic: str | None = None,
    ) -> None:
        self.value = float(default)
        self.low = np.array([low], dtype=np.float64)
        self.high = np.array([high], dtype=np.float64)
        self.topic = self.default_topic if topic is None else topic

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Keep the newest setpoint among the delivered messages."""
        for msg in messages:
            if msg.topic == self.topic:
                values = np.asarray(msg.payload, dtype=np.float64).reshape(-1)
                if values.size != 1:
                    raise ConfigError(
                        f"SetpointFollower of {agent.agent_id!r} takes one value per "
                        f"setpoint, got {msg.payload!r}"
                    )
                self.value = float(np.clip(values[0], self.low[0], self.high[0]))

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """The current setpoint."""
        return np.array([self.value])

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Followers send nothing."""


class Report:
    """A child's role: report one observed value to its parent at every decision.

    Args:
        index: Which value of the agent's sensed observation to report.
        topic: Message topic.
    """

    fields: tuple[str, ...] = ()
    low = _EMPTY
    high = _EMPTY

    def __init__(self, index: int = 0, topic: str = "report") -> None:
        self.index = index
        self.topic = topic

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Nothing to absorb."""

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """No local state."""
        return _EMPTY

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Send the reported value of the latest sensed observation upward."""
        if agent.parent is not None and agent.last_sensed is not None:
            ctx.send(agent.parent, float(agent.last_sensed[self.index]), self.topic)


class ReportCollector:
    """A parent's role: keep each child's latest report; observe their mean.

    Args:
        default: Value assumed for a child that has not reported yet.
        low: Lowest reportable value.
        high: Highest reportable value.
        topic: Message topic to listen to.
    """

    fields = ("reported_mean",)

    def __init__(
        self,
        default: float = 0.0,
        low: float = -math.inf,
        high: float = math.inf,
        topic: str = "report",
    ) -> None:
        self.default = float(default)
        self.low = np.array([low], dtype=np.float64)
        self.high = np.array([high], dtype=np.float64)
        self.topic = topic
        self.latest: dict[str, float] = {}

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Keep the newest report of each child."""
        for msg in messages:
            if msg.topic == self.topic and msg.payload is not None:
                self.latest[msg.sender] = float(msg.payload)

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """Mean of the children's latest reports (default for silent children)."""
        if not agent.children:
            return np.array([self.default])
        values = [self.latest.get(c, self.default) for c in agent.children]
        return np.array([math.fsum(values) / len(values)])

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Collectors send nothing."""
