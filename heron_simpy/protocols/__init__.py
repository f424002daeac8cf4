"""Message patterns over the broker: vertical (setpoints, reports), horizontal."""

from __future__ import annotations

from heron_simpy.protocols.horizontal import Consensus, PriceFollower, PriceSignal
from heron_simpy.protocols.vertical import (
    DECOMPOSITIONS,
    Report,
    ReportCollector,
    SetpointDispatch,
    SetpointFollower,
)

__all__ = [
    "DECOMPOSITIONS",
    "Consensus",
    "PriceFollower",
    "PriceSignal",
    "Report",
    "ReportCollector",
    "SetpointDispatch",
    "SetpointFollower",
]
