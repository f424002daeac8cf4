"""The SimPy layer: kernel (environment, timers, run loop), ordering, scheduler."""

from __future__ import annotations

from heron_simpy.engine.kernel import Call, Kernel, Timer, deliver
from heron_simpy.engine.ordering import (
    APPLY,
    DELIVER,
    EVALUATE,
    OBSERVE,
    OTHER,
    PHASES,
    RANK_SPAN,
    TICK,
    priority,
)

__all__ = [
    "APPLY",
    "DELIVER",
    "EVALUATE",
    "OBSERVE",
    "OTHER",
    "PHASES",
    "RANK_SPAN",
    "TICK",
    "Call",
    "Kernel",
    "Timer",
    "deliver",
    "priority",
]
