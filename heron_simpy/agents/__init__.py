"""Agents: the building block and the SimPy process that runs it in event time."""

from __future__ import annotations

from heron_simpy.agents.base import DEFAULT_TICKS, LEVELS, Agent, Context
from heron_simpy.agents.process import AgentProcess

__all__ = ["DEFAULT_TICKS", "LEVELS", "Agent", "AgentProcess", "Context"]
