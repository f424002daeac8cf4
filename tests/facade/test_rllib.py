"""RLlib MultiAgentEnv adapter: builds and runs a few steps (needs ray[rllib])."""

from __future__ import annotations

import importlib
import importlib.util
import re

import numpy as np
import pytest

from heron_simpy import ConfigError
from heron_simpy.adapters import rllib_env


def _has_rllib() -> bool:
    if importlib.util.find_spec("ray") is None:
        return False
    try:
        importlib.import_module("ray.rllib.env.multi_agent_env")
    except ImportError:
        return False
    return True


HAS_RLLIB = _has_rllib()


@pytest.mark.slow
@pytest.mark.skipif(not HAS_RLLIB, reason="ray[rllib] is not installed")
def test_rllib_adapter_smoke() -> None:
    multi_agent_env = importlib.import_module("ray.rllib.env.multi_agent_env")
    env = rllib_env("battery-v0", profile="lan", n_agents=2)
    assert isinstance(env, multi_agent_env.MultiAgentEnv)
    assert set(env.observation_spaces) == {"fleet", "battery_0", "battery_1"}
    obs, _ = env.reset(seed=0)
    seen = set()
    for _ in range(20):
        actions = {a: np.zeros(env.action_spaces[a].shape, np.float32) for a in obs}
        obs, rewards, terms, truncs, _ = env.step(actions)
        seen |= set(obs)
        assert "__all__" in terms
        assert "__all__" in truncs
        assert set(rewards) == set(obs)
        for a, o in obs.items():
            assert env.observation_spaces[a].contains(o)
    assert {"battery_0", "battery_1"} <= seen


@pytest.mark.skipif(HAS_RLLIB, reason="ray[rllib] is installed")
def test_without_rllib_the_error_says_what_to_install() -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("the RLlib adapter needs Ray RLlib: pip install 'ray[rllib]'"),
    ):
        rllib_env()
