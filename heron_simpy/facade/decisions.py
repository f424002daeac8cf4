"""Resolve parked decisions with a learner's actions, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from heron_simpy.agents import PolicyAgent
from heron_simpy.agents.process import Pending
from heron_simpy.exceptions import ActionError

__all__ = ["resolve_all"]


def resolve_all(feed: list[Pending], actions: Mapping[str, Any]) -> None:
    """Check every waiting agent's action, then resolve them all in order.

    Nothing is resolved unless every action is present and valid, so a
    rejected step changes nothing and can be retried with corrected actions.

    Raises:
        ActionError: An action is missing or invalid (the first one in
            same-time order), naming the agent and the time.
    """
    for p in feed:
        agent_id = p.process.agent_id
        if agent_id not in actions:
            raise ActionError(
                f"agent {agent_id!r} at t={p.time:.3f}: action is due but missing"
            )
        agent = p.process.agent
        problem = (
            agent.action_problem(actions[agent_id])
            if isinstance(agent, PolicyAgent)
            else None
        )
        if problem is not None:
            raise ActionError(
                f"agent {agent_id!r} at t={p.time:.3f}: action {problem}, "
                f"got {actions[agent_id]!r}"
            )
    pending = list(feed)
    feed.clear()
    for p in pending:
        p.process.resolve(p, actions[p.process.agent_id])
