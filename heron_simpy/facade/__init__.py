"""Facades over the engine: lockstep PettingZoo, gymnasium, event-driven training."""

from __future__ import annotations

from heron_simpy.facade.asynchronous import EventEnv
from heron_simpy.facade.event_single import EventSingleAgentEnv
from heron_simpy.facade.parallel import LockstepEnv
from heron_simpy.facade.single import SingleAgentEnv

__all__ = ["EventEnv", "EventSingleAgentEnv", "LockstepEnv", "SingleAgentEnv"]
