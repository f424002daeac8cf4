"""Episode plumbing shared by the facades: seeds, and all-or-nothing resolution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from heron_simpy.agents import PolicyAgent
from heron_simpy.agents.process import Pending
from heron_simpy.exceptions import ActionError

__all__ = ["EpisodeSeeds", "StepResult", "resolve_all"]

#: What ``step`` returns in PettingZoo / RLlib style: observations, rewards,
#: terminations, truncations and infos, each keyed by agent id.
StepResult = tuple[
    dict[str, np.ndarray],
    dict[str, float],
    dict[str, bool],
    dict[str, bool],
    dict[str, dict[str, Any]],
]


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


class EpisodeSeeds:
    """The seed of each episode: the one given, else the next of a seeded stream.

    A seeded ``reset(seed=s)`` runs episode ``s`` and makes the seeds of later
    unseeded resets reproducible; unseeded from the start, they come from
    fresh entropy.
    """

    def __init__(self) -> None:
        self._stream: np.random.Generator | None = None

    def next(self, seed: int | None) -> int:
        """Return the master seed of the episode starting now."""
        if seed is not None:
            self._stream = np.random.default_rng(seed)
            return seed
        if self._stream is None:
            self._stream = np.random.default_rng()
        return int(self._stream.integers(2**63))
