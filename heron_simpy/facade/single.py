"""A gymnasium ``Env`` over the lockstep facade: one agent, or central control."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from heron_simpy.exceptions import ActionError
from heron_simpy.facade.parallel import LockstepEnv
from heron_simpy.scenario import ScenarioSource
from heron_simpy.timing.rng import check_seed

__all__ = ["SingleAgentEnv"]


class SingleAgentEnv(gym.Env[Any, Any]):
    """Drive a scenario as one gymnasium environment.

    With one controllable agent, its spaces are used as they are. With several,
    the environment is a central controller: observations and actions are
    ``Dict`` spaces keyed by agent id, and the reward is the sum of all agents'
    rewards. Actions of agents that are not due at a step are ignored
    (``info["active"]`` lists who is due).

    Args:
        entry: The registered scenario.
        overrides: Scenario overrides.

    Example:
        >>> import heron_simpy
        >>> env = heron_simpy.make("battery-v0", api="gymnasium", n_agents=1,
        ...                        coordinator=False)
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape
        (3,)
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012

    def __init__(
        self, entry: ScenarioSource, overrides: dict[str, Any] | None = None
    ) -> None:
        self._env = LockstepEnv(entry, overrides)
        ids = self._env.possible_agents
        self._single = ids[0] if len(ids) == 1 else None
        if self._single is not None:
            self.observation_space = self._env.observation_space(self._single)
            self.action_space = self._env.action_space(self._single)
        else:
            self.observation_space = spaces.Dict(
                {a: self._env.observation_space(a) for a in ids}
            )
            self.action_space = spaces.Dict({a: self._env.action_space(a) for a in ids})
        self.render_mode = None
        self.spec_id = entry.id

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Start an episode (see :meth:`LockstepEnv.reset`).

        Raises:
            TypeError: ``seed`` is not None nor an int (numpy ints are fine).
            ConfigError: ``seed`` is negative.
        """
        seed = check_seed(seed, "SingleAgentEnv.reset")
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(2**63))
        obs, infos = self._env.reset(seed=seed)
        return self._pack(obs), self._info(infos)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Advance one step with ``action`` (a dict per agent under central control)."""
        if self._single is not None:
            actions = {self._single: action}
        elif isinstance(action, Mapping):
            actions = dict(action)
        else:
            raise ActionError(
                f"action at t={self._env.time:.3f} must be a dict keyed by agent id "
                f"{self._env.possible_agents!r} (central control), "
                f"got {action!r}"
            )
        obs, rewards, _, truncs, infos = self._env.step(actions)
        reward = (
            rewards[self._single]
            if self._single is not None
            else math.fsum(rewards.values())
        )
        return (
            self._pack(obs),
            float(reward),
            False,
            bool(all(truncs.values())),
            self._info(infos),
        )

    def close(self) -> None:
        """Free the simulation."""
        self._env.close()

    @property
    def lockstep(self) -> LockstepEnv:
        """The multi-agent environment underneath."""
        return self._env

    def _pack(self, obs: dict[str, np.ndarray]) -> Any:
        return obs[self._single] if self._single is not None else obs

    def _info(self, infos: dict[str, dict[str, Any]]) -> dict[str, Any]:
        active = [a for a, i in infos.items() if i["active"]]
        return {"active": active, "time": self._env.time}
