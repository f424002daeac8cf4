"""The immutable message that travels through the broker."""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Message"]


class Message(NamedTuple):
    """One message between two agents (immutable).

    Attributes:
        msg_id: Broker-wide number, 0, 1, 2, ... in send order per episode.
        sender: The sending agent's id.
        recipient: The addressee's id.
        payload: What is carried; treat it as read-only (send tuples, floats,
            or arrays you will not mutate).
        sent_at: Simulated send time, s.
        topic: A free label protocols use to tell message kinds apart.
        stamp: The sender's own clock reading at send time, s (equal to
            ``sent_at`` unless the sender's clock drifts; None when sent
            outside an agent).

    Example:
        >>> from heron_simpy.broker import Message
        >>> m = Message(0, "coord", "dev_1", 2.5, 60.0, "setpoint")
        >>> m.recipient, m.payload
        ('dev_1', 2.5)
    """

    msg_id: int
    sender: str
    recipient: str
    payload: Any
    sent_at: float
    topic: str | None = None
    stamp: float | None = None
