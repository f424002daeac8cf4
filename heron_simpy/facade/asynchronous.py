"""Event-driven training env: agents act when their observations arrive."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces

from heron_simpy.agents.process import Pending
from heron_simpy.exceptions import SimulationError
from heron_simpy.facade.decisions import (
    EpisodeSeeds,
    StepResult,
    check_mapping,
    resolve_all,
)
from heron_simpy.recording import Recorder
from heron_simpy.scenario import Scenario, ScenarioSource
from heron_simpy.simulation import Simulation
from heron_simpy.timing import TickConfig, TimingProfile

__all__ = ["EventEnv"]

ALL = "__all__"


class EventEnv:
    """Retrain a policy under realistic timing (RLlib ``MultiAgentEnv`` contract).

    ``step`` runs simulated time forward to the next instant at which one or
    more agents decide, and returns observations only for those agents (the
    ones whose observation has just arrived), with each one's reward summed
    over the grid points since its previous decision. ``terminateds`` and
    ``truncateds`` carry ``"__all__"``. At the horizon every agent gets its
    last observation and remaining reward, truncated. Deterministic given the
    seed.

    Args:
        entry: The registered scenario.
        overrides: Scenario overrides.
        profile: Timing profile name, object, or one TickConfig for all.

    Example:
        >>> import heron_simpy
        >>> env = heron_simpy.make("battery-v0", api="event", profile="ideal")
        >>> obs, infos = env.reset(seed=0)
        >>> sorted(obs), env.time
        (['battery_0', 'battery_1', 'fleet'], 0.0)
        >>> env = heron_simpy.make("battery-v0", api="event", profile="lan")
        >>> obs, infos = env.reset(seed=0)
        >>> sorted(obs), round(env.time, 3)  # observations arrive one agent at a time
        (['battery_1'], 0.045)
    """

    def __init__(
        self,
        entry: ScenarioSource,
        overrides: dict[str, Any] | None = None,
        profile: str | TimingProfile | TickConfig = "ideal",
    ) -> None:
        self._entry = entry
        self._overrides = dict(overrides or {})
        self.profile = profile
        scenario = entry.build(**self._overrides)
        self.possible_agents = [a.agent_id for a in scenario.controllable]
        self._agent_set = set(self.possible_agents)
        self.agents: list[str] = []
        self.observation_spaces: dict[str, spaces.Space[Any]] = {
            a.agent_id: a.observation_space for a in scenario.controllable
        }
        self.action_spaces: dict[str, spaces.Space[Any]] = {
            a.agent_id: a.action_space  # type: ignore[misc]
            for a in scenario.controllable
        }
        self.horizon = scenario.horizon
        self._seeds = EpisodeSeeds("EventEnv.reset")
        self._sim: Simulation | None = None
        self._scenario: Scenario | None = None
        self._feed: list[Pending] = []
        self._acc: dict[str, float] = {}
        self._rows = 0
        self._last_obs: dict[str, np.ndarray] = {}
        self._done = False

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        """The agent's observation space."""
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        """The agent's action space."""
        return self.action_spaces[agent]

    @property
    def time(self) -> float:
        """Simulated time of the current decision instant, s."""
        return 0.0 if self._sim is None else self._sim.now

    @property
    def simulation(self) -> Simulation | None:
        """The simulation of the current episode (read it, do not step it)."""
        return self._sim

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Start an episode and run to the first decision instant.

        Raises:
            TypeError: ``seed`` is not None nor an int (numpy ints are fine).
            ConfigError: ``seed`` is negative.
        """
        episode_seed = self._seeds.next(seed)
        self._scenario = scenario = self._entry.build(**self._overrides)
        self._sim = scenario.simulation(self.profile, episode_seed, Recorder("counts"))
        self._feed = self._sim.defer_decisions()
        self._acc = dict.fromkeys(self.possible_agents, 0.0)
        self._rows = 0
        self._last_obs = {}
        self._done = False
        self.agents = list(self.possible_agents)
        obs, _, _, _, infos = self._advance(report=False)
        return obs, infos

    def step(self, action_dict: dict[str, Any]) -> StepResult:
        """Resolve the waiting decisions with ``action_dict``; run to the next ones.

        Actions of agents that are not waiting are ignored.

        Raises:
            SimulationError: Called before ``reset`` or after the episode ended.
            ActionError: ``action_dict`` is not a dict keyed by this env's agent
                ids, or a waiting agent's action is missing or invalid.
        """
        if self._sim is None or self._done:
            raise SimulationError(
                "EventEnv.step() needs reset() first (the episode is over)"
            )
        if not (
            isinstance(action_dict, Mapping) and self._agent_set.issuperset(action_dict)
        ):
            check_mapping(action_dict, self.possible_agents, self.time, self._entry.id)
        resolve_all(self._feed, action_dict)
        return self._advance()

    # ------------------------------------------------------------ internals
    def _advance(self, report: bool = True) -> StepResult:
        """Run to the next decision instant (or the horizon) and report.

        With ``report=False`` (from ``reset``, which returns no rewards) the
        rewards so far stay accumulated and are returned at the next step.
        """
        sim = self._sim
        assert sim is not None
        end = sim.kernel.start_time + self.horizon
        while not self._feed:
            if sim.run_until(end, max_events=1) == 0:
                self._done = True
                break
        if self._feed:
            sim.run_until(
                sim.now, before="deliver"
            )  # everyone deciding at this instant
        self._collect_rewards(sim)
        if self._done:
            ids = list(self.possible_agents)
            self.agents = []
        else:
            ids = [p.process.agent_id for p in self._feed]
            for p in self._feed:
                self._last_obs[p.process.agent_id] = p.observation
        obs = {a: self._last_obs[a] for a in ids if a in self._last_obs}
        rewards = {a: self._acc[a] for a in ids}
        if report:
            for a in ids:
                self._acc[a] = 0.0
        terminateds = dict.fromkeys(ids, False) | {ALL: False}
        truncateds = dict.fromkeys(ids, self._done) | {ALL: self._done}
        infos = {a: {"time": sim.now} for a in obs}
        return obs, rewards, terminateds, truncateds, infos

    def _collect_rewards(self, sim: Simulation) -> None:
        rows = sim.reward_rows
        for row in rows[self._rows :]:
            for agent_id in self._acc:
                self._acc[agent_id] += float(row.get(agent_id, 0.0))
        self._rows = len(rows)
