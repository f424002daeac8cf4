"""The events the HERON-style scheduler dispatches, and their same-time phases."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from heron_simpy.engine.ordering import APPLY, DELIVER, OBSERVE, OTHER, TICK

__all__ = ["PHASE_OF", "Event", "EventType"]


class EventType(str, Enum):
    """Kinds of events the scheduler dispatches to handlers."""

    AGENT_TICK = "agent_tick"
    ACTION_EFFECT = "action_effect"
    MESSAGE_DELIVERY = "message_delivery"
    OBSERVATION_READY = "observation_ready"
    CUSTOM = "custom"


PHASE_OF = {
    EventType.AGENT_TICK: TICK,
    EventType.ACTION_EFFECT: APPLY,
    EventType.OBSERVATION_READY: OBSERVE,
    EventType.MESSAGE_DELIVERY: DELIVER,
    EventType.CUSTOM: OTHER,
}


@dataclass(frozen=True)
class Event:
    """One scheduled event.

    Attributes:
        timestamp: When it fires, simulated s.
        event_type: What kind of event it is.
        agent_id: The agent it concerns (the recipient for messages).
        payload: Extra data (``action``, ``message``, ``sender``, ...).
        sequence: Scheduler-wide number in scheduling order (its identity).
    """

    timestamp: float
    event_type: EventType
    agent_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    sequence: int = 0
