"""Messages and the broker that delivers them through delayed, lossy links."""

from __future__ import annotations

from heron_simpy.broker.broker import Broker, LinkSpec
from heron_simpy.broker.message import Message

__all__ = ["Broker", "LinkSpec", "Message"]
