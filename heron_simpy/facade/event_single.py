"""A single-agent gymnasium ``Env`` in event time: retrain under field timing."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.facade.asynchronous import ALL, EventEnv
from heron_simpy.scenario import ScenarioSource
from heron_simpy.timing import TickConfig, TimingProfile
from heron_simpy.timing.rng import check_seed

__all__ = ["EventSingleAgentEnv"]


class EventSingleAgentEnv(gym.Env[np.ndarray, Any]):
    """One controllable agent, stepped from one of its decisions to the next.

    Each ``step`` applies the action to the waiting decision, then runs the
    event-driven simulation (with its delays, jitter and losses) until the
    agent's next observation arrives; the reward is the agent's grid rewards
    in between. This is what single-agent learners (e.g. stable-baselines3)
    need to be fine-tuned under realistic timing.

    Args:
        entry: The registered scenario (exactly one controllable agent).
        overrides: Scenario overrides.
        profile: Timing profile name, object, or one TickConfig for all.

    Raises:
        ConfigError: The scenario has more than one controllable agent.

    Example:
        >>> import heron_simpy
        >>> env = heron_simpy.make("battery-v0", api="gymnasium", mode="event",
        ...                        profile="scada", n_agents=1, coordinator=False)
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, info["time"] > 0
        ((3,), True)
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012

    def __init__(
        self,
        entry: ScenarioSource,
        overrides: dict[str, Any] | None = None,
        profile: str | TimingProfile | TickConfig = "ideal",
    ) -> None:
        self._env = EventEnv(entry, overrides, profile)
        if len(self._env.possible_agents) != 1:
            raise ConfigError(
                "api='gymnasium' with mode='event' needs exactly one controllable "
                f"agent, {entry.id} has {self._env.possible_agents!r}; "
                "use api='event' for several"
            )
        self.agent_id = self._env.possible_agents[0]
        self.observation_space = self._env.observation_space(self.agent_id)
        self.action_space = self._env.action_space(self.agent_id)
        self.render_mode = None
        self._last: np.ndarray | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode; return the agent's first observation.

        Raises:
            TypeError: ``seed`` is not None nor an int (numpy ints are fine).
            ConfigError: ``seed`` is negative.
        """
        seed = check_seed(seed, "EventSingleAgentEnv.reset")
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(2**63))
        obs, _ = self._env.reset(seed=seed)
        self._last = obs[self.agent_id]
        return self._last, {"time": self._env.time}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Act, then run to the agent's next decision (or the horizon)."""
        obs, rewards, _, truncs, _ = self._env.step({self.agent_id: action})
        if self.agent_id in obs:
            self._last = obs[self.agent_id]
        assert self._last is not None
        reward = float(rewards.get(self.agent_id, 0.0))
        return self._last, reward, False, bool(truncs[ALL]), {"time": self._env.time}

    @property
    def event_env(self) -> EventEnv:
        """The multi-agent event env underneath."""
        return self._env
