"""An RLlib ``MultiAgentEnv`` over the event-driven training env (``ray[rllib]``)."""

from __future__ import annotations

from typing import Any

from heron_simpy.exceptions import ConfigError
from heron_simpy.registry import make

__all__ = ["rllib_env", "rllib_env_class"]


def rllib_env_class() -> type:
    """Return the RLlib ``MultiAgentEnv`` subclass (imports RLlib on first use).

    The class takes RLlib's ``env_config`` dict: ``scenario`` (id, default
    ``battery-v0``), ``profile`` (default ``ideal``) and scenario overrides.
    It delegates to :class:`~heron_simpy.facade.EventEnv`, which already keeps
    RLlib's contract (observations only for agents that decide now, rewards
    since each one's last decision, ``"__all__"`` flags).

    Raises:
        ConfigError: RLlib is not installed.
    """
    try:
        from ray.rllib.env.multi_agent_env import (  # noqa: PLC0415  (optional extra)
            MultiAgentEnv,
        )
    except ImportError:
        raise ConfigError(
            "the RLlib adapter needs Ray RLlib: pip install 'ray[rllib]' "
            "(it pins gymnasium to an older 1.x; use its own environment)"
        ) from None

    base: Any = MultiAgentEnv  # typed loosely: RLlib's stubs vary across versions

    class HeronMultiAgentEnv(base):  # type: ignore[misc]
        """heron_simpy's event-driven env as an RLlib ``MultiAgentEnv``."""

        def __init__(self, env_config: dict[str, Any] | None = None) -> None:
            super().__init__()
            config = dict(env_config or {})
            scenario = config.pop("scenario", "battery-v0")
            profile = config.pop("profile", "ideal")
            self.env = make(scenario, api="event", profile=profile, **config)
            self.possible_agents = list(self.env.possible_agents)
            self.agents = list(self.possible_agents)
            self.observation_spaces = dict(self.env.observation_spaces)
            self.action_spaces = dict(self.env.action_spaces)

        def reset(self, *, seed: int | None = None, options: Any = None) -> Any:
            obs, infos = self.env.reset(seed=seed, options=options)
            self.agents = list(self.env.agents)
            return obs, infos

        def step(self, action_dict: Any) -> Any:
            out = self.env.step(action_dict)
            self.agents = list(self.env.agents)
            return out

    return HeronMultiAgentEnv


def rllib_env(
    scenario_id: str = "battery-v0", profile: str = "ideal", **overrides: Any
) -> Any:
    """Build the RLlib env for ``scenario_id`` under ``profile`` timing."""
    return rllib_env_class()({"scenario": scenario_id, "profile": profile, **overrides})
