"""Horizontal protocols: peers share state each decision (consensus, prices)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from heron_simpy.agents import Context, PolicyAgent
from heron_simpy.broker import Message
from heron_simpy.protocols.vertical import SetpointFollower

__all__ = ["Consensus", "PriceFollower", "PriceSignal"]

_EMPTY = np.zeros(0)


class Consensus:
    """Share one sensed value with peers; observe the average of all known values.

    At every decision the agent sends its value (``last_sensed[index]``) to
    each peer; the local state is the mean of its own value and the latest value
    received from each peer (peers not heard from yet are left out). Under loss
    and delay the estimate is built from stale or missing values -- which is
    the point.

    Args:
        peers: Ids of the agents to share with (the agent itself is skipped).
        index: Which sensed value to share.
        low: Lowest value the observation space allows.
        high: Highest value the observation space allows.
        topic: Message topic.

    Example:
        >>> from heron_simpy.protocols import Consensus
        >>> Consensus(["a", "b"]).peers
        ('a', 'b')
    """

    fields = ("consensus",)

    def __init__(
        self,
        peers: Sequence[str],
        index: int = 0,
        low: float = -math.inf,
        high: float = math.inf,
        topic: str = "share",
    ) -> None:
        self.peers = tuple(peers)
        self.index = index
        self.low = np.array([low], dtype=np.float64)
        self.high = np.array([high], dtype=np.float64)
        self.topic = topic
        self.latest: dict[str, float] = {}

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Keep each peer's newest shared value."""
        for msg in messages:
            if msg.topic == self.topic:
                self.latest[msg.sender] = float(msg.payload)

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """Mean of the own value and the peers' latest values."""
        own = (
            float(agent.last_sensed[self.index])
            if agent.last_sensed is not None
            else 0.0
        )
        values = [own] + [self.latest[p] for p in self.peers if p in self.latest]
        return np.array([math.fsum(values) / len(values)])

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Send the own value to every peer."""
        if agent.last_sensed is None:
            return
        value = float(agent.last_sensed[self.index])
        for peer in self.peers:
            if peer != agent.agent_id:
                ctx.send(peer, value, self.topic)


class PriceSignal:
    """A coordinator's (or operator's) role: broadcast its action as a price.

    Args:
        recipients: Who gets the price (default: the agent's children).
        topic: Message topic.
    """

    fields: tuple[str, ...] = ()
    low = _EMPTY
    high = _EMPTY

    def __init__(
        self, recipients: Sequence[str] | None = None, topic: str = "price"
    ) -> None:
        self.recipients = None if recipients is None else tuple(recipients)
        self.topic = topic

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Nothing to absorb."""

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """No local state."""
        return _EMPTY

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Send the price (the action's first value) to every recipient."""
        if action is None:
            return
        price = float(np.asarray(action, dtype=np.float64).reshape(-1)[0])
        for recipient in self.recipients or agent.children:
            ctx.send(recipient, price, self.topic)


class PriceFollower(SetpointFollower):
    """A price taker's role: observe the latest price received.

    Args:
        default: Price until the first one arrives.
        low: Lowest price the observation space allows.
        high: Highest price the observation space allows.
        topic: Message topic to listen to.
    """

    fields = ("price",)
    default_topic = "price"
