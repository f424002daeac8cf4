"""Typed, immutable trace records: one class per record kind."""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "KINDS",
    "ApplyRecord",
    "DecideRecord",
    "DeliverRecord",
    "DiscardRecord",
    "DropRecord",
    "FaultRecord",
    "LoseRecord",
    "ObserveRecord",
    "Record",
    "SendRecord",
    "TickRecord",
]


class TickRecord(NamedTuple):
    """An agent ticked at ``time`` and its sensor sampled an observation.

    Attributes:
        time: Simulated time of the tick, in seconds.
        agent_id: The agent that ticked.
    """

    time: float
    agent_id: str

    @property
    def kind(self) -> str:
        """The record kind, ``"tick"``."""
        return "tick"


class ObserveRecord(NamedTuple):
    """An observation reached ``agent_id`` at ``time``.

    Attributes:
        time: Delivery time, in seconds.
        agent_id: The receiving agent.
        sampled_at: When the sensor sampled it (the tick time).
    """

    time: float
    agent_id: str
    sampled_at: float

    @property
    def kind(self) -> str:
        """The record kind, ``"observe"``."""
        return "observe"


class DiscardRecord(NamedTuple):
    """A delivered observation was older than one already used, and was dropped.

    Attributes:
        time: Delivery time, in seconds.
        agent_id: The receiving agent.
        sampled_at: When the discarded observation was sampled.
    """

    time: float
    agent_id: str
    sampled_at: float

    @property
    def kind(self) -> str:
        """The record kind, ``"discard"``."""
        return "discard"


class DecideRecord(NamedTuple):
    """The agent's controller computed an action from an observation.

    Attributes:
        time: Decision time, in seconds.
        agent_id: The deciding agent.
        sampled_at: When the observation used was sampled (its age is
            ``time - sampled_at``).
    """

    time: float
    agent_id: str
    sampled_at: float

    @property
    def kind(self) -> str:
        """The record kind, ``"decide"``."""
        return "decide"


class ApplyRecord(NamedTuple):
    """An action took effect on the plant.

    Attributes:
        time: When the effect landed, in seconds.
        agent_id: The acting agent.
        decided_at: When the action was decided (latency ``time - decided_at``).
    """

    time: float
    agent_id: str
    decided_at: float

    @property
    def kind(self) -> str:
        """The record kind, ``"apply"``."""
        return "apply"


class SendRecord(NamedTuple):
    """A message entered the broker.

    Attributes:
        time: Send time, in seconds.
        agent_id: The sender.
        recipient: The addressee.
        msg_id: Broker-wide message number (0, 1, 2, ... per episode).
    """

    time: float
    agent_id: str
    recipient: str
    msg_id: int

    @property
    def kind(self) -> str:
        """The record kind, ``"send"``."""
        return "send"


class DeliverRecord(NamedTuple):
    """A message reached its recipient's inbox.

    Attributes:
        time: Delivery time, in seconds.
        agent_id: The recipient.
        sender: The sender.
        msg_id: The message number from the matching send record.
        sent_at: When it was sent.
    """

    time: float
    agent_id: str
    sender: str
    msg_id: int
    sent_at: float

    @property
    def kind(self) -> str:
        """The record kind, ``"deliver"``."""
        return "deliver"


class DropRecord(NamedTuple):
    """A message was lost by the link's loss model (decided at send time).

    Attributes:
        time: Send time, in seconds (loss is sampled when the message is sent).
        agent_id: The sender.
        recipient: The addressee that will never see it.
        msg_id: The message number from the matching send record.
    """

    time: float
    agent_id: str
    recipient: str
    msg_id: int

    @property
    def kind(self) -> str:
        """The record kind, ``"drop"``."""
        return "drop"


class FaultRecord(NamedTuple):
    """A fault started or ended (see :mod:`heron_simpy.faults`).

    Attributes:
        time: When it started or ended, in seconds.
        agent_id: The agent it hits (for a link outage: the sender pattern).
        fault: The fault kind (``"crash"``, ``"sensor_dropout"``, ...).
        phase: ``"start"`` or ``"end"`` (clock drift has only a start).
        detail: The rest of the spec in one line (``"downtime=30.0 ..."``).
    """

    time: float
    agent_id: str
    fault: str
    phase: str
    detail: str

    @property
    def kind(self) -> str:
        """The record kind, ``"fault"``."""
        return "fault"


class LoseRecord(NamedTuple):
    """Something an agent had was lost to a fault.

    Attributes:
        time: When it was lost, in seconds: the tick of a dropped-out sensor,
            the delivery time of an observation reaching a crashed agent, the
            would-be apply time of an action lost in a crash, or the crash time
            for messages flushed from the inbox.
        agent_id: The agent that lost it.
        item: ``"observation"``, ``"action"`` or ``"message"``.
        origin: When the item was made: sample, decision or send time, s.
        cause: The fault kind responsible.
    """

    time: float
    agent_id: str
    item: str
    origin: float
    cause: str

    @property
    def kind(self) -> str:
        """The record kind, ``"lose"``."""
        return "lose"


Record = (
    TickRecord
    | ObserveRecord
    | DiscardRecord
    | DecideRecord
    | ApplyRecord
    | SendRecord
    | DeliverRecord
    | DropRecord
    | FaultRecord
    | LoseRecord
)

KINDS: tuple[str, ...] = (
    "tick",
    "observe",
    "discard",
    "decide",
    "apply",
    "send",
    "deliver",
    "drop",
    "fault",
    "lose",
)
