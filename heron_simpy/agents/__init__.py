"""Agents: the building block and the SimPy process that runs it in event time."""

from __future__ import annotations

from heron_simpy.agents.actions import check_action
from heron_simpy.agents.base import Agent, Context
from heron_simpy.agents.hierarchy import (
    CoordinatorAgent,
    FieldAgent,
    Policy,
    PolicyAgent,
    ProtocolRole,
    SystemAgent,
    bind_tree,
    rank,
)
from heron_simpy.agents.process import AgentProcess

__all__ = [
    "Agent",
    "AgentProcess",
    "Context",
    "CoordinatorAgent",
    "FieldAgent",
    "Policy",
    "PolicyAgent",
    "ProtocolRole",
    "SystemAgent",
    "bind_tree",
    "check_action",
    "rank",
]
