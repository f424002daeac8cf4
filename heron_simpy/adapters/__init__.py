"""Adapters to other frameworks (RLlib); each imports its framework on use."""

from __future__ import annotations

from heron_simpy.adapters.rllib import rllib_env, rllib_env_class

__all__ = ["rllib_env", "rllib_env_class"]
