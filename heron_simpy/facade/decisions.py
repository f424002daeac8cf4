"""Episode plumbing shared by the facades: seeds, action checks, resolution."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import numpy as np

from heron_simpy.agents import Agent, PolicyAgent
from heron_simpy.agents.actions import action_error
from heron_simpy.agents.process import Pending
from heron_simpy.exceptions import ActionError
from heron_simpy.timing.rng import check_seed

__all__ = [
    "EpisodeSeeds",
    "StepResult",
    "check_due",
    "check_mapping",
    "resolve_all",
]

#: What ``step`` returns in PettingZoo / RLlib style: observations, rewards,
#: terminations, truncations and infos, each keyed by agent id.
StepResult = tuple[
    dict[str, np.ndarray],
    dict[str, float],
    dict[str, bool],
    dict[str, bool],
    dict[str, dict[str, Any]],
]


def check_mapping(
    actions: object, known: Collection[str], now: float, scenario_id: str
) -> Mapping[str, Any]:
    """Check that ``actions`` is a mapping keyed by known agent ids; return it.

    Args:
        actions: What ``step`` was given.
        known: The env's agent ids (``possible_agents``).
        now: Simulated time of the step, s (for the message).
        scenario_id: The scenario id (for the message).

    Returns:
        ``actions``, now known to be a ``Mapping``.

    Raises:
        ActionError: ``actions`` is not a mapping (None, a str, an array...) or
            has keys that are not agent ids of this env.
    """
    if not isinstance(actions, Mapping):
        raise ActionError(
            f"actions at t={now:.3f} must be a dict keyed by agent id, got {actions!r}"
        )
    unknown = [a for a in actions if a not in known]
    if unknown:
        raise ActionError(
            f"actions at t={now:.3f} must be keyed by agents of "
            f"{scenario_id} {list(known)!r}, got unknown agent id(s) {unknown!r}"
        )
    return actions


def check_due(
    due: Iterable[tuple[str, Agent, float]], actions: Mapping[str, Any]
) -> None:
    """Check the action of every due agent; raise at the first problem.

    The one action check of the facades: the process path (:func:`resolve_all`)
    and the batched path of the lockstep env both call it, so they refuse
    exactly the same actions with the same message.

    Args:
        due: ``(agent_id, agent, time)`` of each agent that must act, in
            same-time order.
        actions: The actions by agent id.

    Raises:
        ActionError: An action is missing or invalid (the first one in
            same-time order), naming the agent and the time.
    """
    for agent_id, agent, now in due:
        if agent_id not in actions:
            raise ActionError(
                f"agent {agent_id!r} at t={now:.3f}: action is due but missing"
            )
        if isinstance(agent, PolicyAgent):
            action = actions[agent_id]
            problem = agent.action_problem(action)
            if problem is not None:
                raise action_error(agent_id, now, problem, action)


def resolve_all(feed: list[Pending], actions: Mapping[str, Any]) -> None:
    """Check every waiting agent's action, then resolve them all in order.

    Nothing is resolved unless every action is present and valid, so a
    rejected step changes nothing and can be retried with corrected actions.

    Raises:
        ActionError: An action is missing or invalid (the first one in
            same-time order), naming the agent and the time.
    """
    check_due(((p.process.agent_id, p.process.agent, p.time) for p in feed), actions)
    pending = list(feed)
    feed.clear()
    for p in pending:
        p.process.resolve(p, actions[p.process.agent_id])


class EpisodeSeeds:
    """The seed of each episode: the one given, else the next of a seeded stream.

    A seeded ``reset(seed=s)`` runs episode ``s`` and makes the seeds of later
    unseeded resets reproducible; unseeded from the start, they come from
    fresh entropy.

    Args:
        owner: Who takes the seed, for error messages (``"LockstepEnv.reset"``).
    """

    def __init__(self, owner: str = "reset") -> None:
        self._owner = owner
        self._stream: np.random.Generator | None = None

    def next(self, seed: object) -> int:
        """Return the master seed of the episode starting now.

        Raises:
            TypeError: ``seed`` is not None nor an integer (see ``check_seed``).
            ConfigError: ``seed`` is negative.
        """
        given = check_seed(seed, self._owner)
        if given is not None:
            self._stream = np.random.default_rng(given)
            return given
        if self._stream is None:
            self._stream = np.random.default_rng()
        return int(self._stream.integers(2**63))
