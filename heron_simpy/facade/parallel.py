"""The lockstep PettingZoo ``ParallelEnv``: the same SimPy agents, ideal timing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.env import ParallelEnv

from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.facade.decisions import EpisodeSeeds, StepResult, check_mapping
from heron_simpy.facade.stepping import BatchStepper, ProcessStepper
from heron_simpy.scenario import Scenario, ScenarioSource
from heron_simpy.simulation import Simulation

__all__ = ["LockstepEnv"]


class LockstepEnv(ParallelEnv[str, np.ndarray, Any]):  # type: ignore[misc]
    """Step a scenario's agents in lockstep for training (PettingZoo parallel API).

    This is not a second implementation: it runs the scenario's own SimPy agent
    processes under the ``ideal`` profile and pauses each instant after the
    agents have prepared their observations, hands those to the learner, and
    resumes them with the learner's actions. One step is ``dt`` (the scenario's
    fastest tick). Agents whose tick is not due at a step stay in ``agents``;
    their actions are ignored and ``infos[agent]["active"]`` is False (their
    observation is the last one they had). Rewards are the scenario's grid
    rewards at the end of the step. The episode is truncated at the horizon.

    When the scenario provides an exact vectorised form of its agents
    (``Scenario.batch``, e.g. battery-v0 without its coordinator) and every
    agent ticks every step, the env steps that instead: the same numbers bit
    for bit (``tests/conformance/test_batch_equivalence.py``), at a fraction of
    the cost (``benchmarks/facade_overhead.py``).

    Args:
        entry: The registered scenario.
        overrides: Scenario overrides (already validated by ``make``).
        batched: Use the scenario's batch: None (default) when it can, False
            never (always drive the agent processes), True require it.

    Raises:
        ConfigError: A controllable agent's tick interval or phase is not a
            whole number of steps, or ``batched=True`` without a usable batch.

    Example:
        >>> import heron_simpy
        >>> env = heron_simpy.make("battery-v0", n_agents=2)
        >>> obs, infos = env.reset(seed=0)
        >>> sorted(obs)
        ['battery_0', 'battery_1', 'fleet']
        >>> obs, rewards, terms, truncs, infos = env.step(
        ...     {a: env.action_space(a).sample() for a in env.agents})
        >>> infos["fleet"]["active"], infos["battery_0"]["active"]
        (False, True)
    """

    metadata: dict[str, Any] = {"name": "heron_simpy_lockstep", "render_modes": []}  # noqa: RUF012

    def __init__(
        self,
        entry: ScenarioSource,
        overrides: dict[str, Any] | None = None,
        batched: bool | None = None,
    ) -> None:
        self._entry = entry
        self._overrides = dict(overrides or {})
        scenario = entry.build(**self._overrides)
        _check_lockstep(scenario)
        if batched and not scenario.batchable:
            raise ConfigError(
                f"LockstepEnv batched=True needs a scenario batch covering every agent "
                f"at every step; {entry.id} with {self._overrides!r} has none"
            )
        self.batched = scenario.batchable if batched is None else batched
        self.metadata = {
            "name": entry.id,
            "render_modes": [],
            "is_parallelizable": True,
        }
        self.render_mode = None
        self.dt = scenario.dt
        self.steps_per_episode = scenario.steps
        self.possible_agents = [a.agent_id for a in scenario.controllable]
        self._obs_spaces = {
            a.agent_id: a.observation_space for a in scenario.controllable
        }
        self._act_spaces: dict[str, spaces.Space[Any]] = {
            a.agent_id: a.action_space  # type: ignore[misc]
            for a in scenario.controllable
        }
        self.agents: list[str] = []
        self._agent_set = set(self.possible_agents)
        self._seeds = EpisodeSeeds("LockstepEnv.reset")
        self._stepper: ProcessStepper | BatchStepper | None = None
        self._scenario: Scenario | None = None
        self._due: dict[str, np.ndarray] = {}
        self._last_obs: dict[str, np.ndarray] = {}
        self._k = 0

    # ------------------------------------------------------------ spaces
    def observation_space(self, agent: str) -> spaces.Space[Any]:
        """The agent's observation space (the same object every call)."""
        return self._obs_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        """The agent's action space (the same object every call)."""
        return self._act_spaces[agent]

    # ------------------------------------------------------------ episode
    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Start an episode: rebuild the scenario, seed everything, sense at t0.

        A given ``seed`` makes the episode and the seeds of later unseeded
        resets reproducible.

        Args:
            seed: None, or an int >= 0 (numpy integers too; not a bool or float).
            options: Ignored (PettingZoo signature).

        Raises:
            TypeError: ``seed`` is not None nor an integer.
            ConfigError: ``seed`` is negative.
        """
        episode_seed = self._seeds.next(seed)
        if self._stepper is not None:
            self._stepper.close()
        self._scenario = scenario = self._entry.build(**self._overrides)
        stepper_cls = BatchStepper if self.batched else ProcessStepper
        self._stepper = stepper_cls(scenario, episode_seed)
        self._k = 0
        self._last_obs = {
            a.agent_id: _blank(a.observation_space) for a in scenario.controllable
        }
        self._due = self._stepper.begin()
        self.agents = list(self.possible_agents)
        return self._observations(), self._infos()

    def step(self, actions: dict[str, Any]) -> StepResult:
        """Apply the due agents' actions and advance one step of ``dt``.

        A rejected action changes nothing: fix it and call ``step`` again.

        Raises:
            SimulationError: Called before ``reset`` or after the episode ended.
            ActionError: A due agent's action is missing or invalid, or
                ``actions`` is not a dict keyed by this env's agent ids.
        """
        if self._stepper is None or not self.agents:
            raise SimulationError(
                "LockstepEnv.step() needs reset() first (the episode is over)"
            )
        if not (isinstance(actions, Mapping) and self._agent_set.issuperset(actions)):
            check_mapping(actions, self.possible_agents, self.time, self._entry.id)
        self._due, row = self._stepper.advance(actions, (self._k + 1) * self.dt)
        self._k += 1
        if row.keys() == self._agent_set:
            rewards = dict(row)
        else:
            rewards = {a: float(row.get(a, 0.0)) for a in self.agents}
        done = self._k >= self.steps_per_episode
        obs = self._observations()
        infos = self._infos()
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, done)
        if done:
            self.agents = []
        return obs, rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        """The global state (the scenario's ``state(plant)``)."""
        if self._scenario is None or self._scenario.state is None:
            raise SimulationError("LockstepEnv.state() needs reset() first")
        return np.asarray(self._scenario.state(self._scenario.plant))

    def close(self) -> None:
        """End the episode and free the simulation."""
        if self._stepper is not None:
            self._stepper.close()
        self._stepper = None
        self.agents = []

    @property
    def simulation(self) -> Simulation | None:
        """The simulation of the current episode (None on the batched path)."""
        return None if self._stepper is None else self._stepper.simulation

    @property
    def scenario(self) -> Scenario | None:
        """The scenario instance of the current episode."""
        return self._scenario

    @property
    def time(self) -> float:
        """Simulated time of the current step, s."""
        return self._k * self.dt

    # ------------------------------------------------------------ internals
    def _observations(self) -> dict[str, np.ndarray]:
        """New observations of due agents; a fresh copy of the last one otherwise.

        A copy, so that no two returned observations share an array object
        (gymnasium's checker, and learners that keep references, rely on it).
        """
        fresh = self._due
        if len(fresh) == len(self._last_obs):
            self._last_obs = dict(fresh)
            return dict(fresh)
        self._last_obs.update(fresh)
        return {
            a: fresh[a] if a in fresh else _frozen_copy(obs)
            for a, obs in self._last_obs.items()
        }

    def _infos(self) -> dict[str, dict[str, Any]]:
        due = self._due
        now = self.time
        return {a: {"active": a in due, "time": now} for a in self.possible_agents}


def _frozen_copy(obs: np.ndarray) -> np.ndarray:
    """A read-only copy of ``obs``."""
    out: np.ndarray = np.array(obs, copy=True)
    out.flags.writeable = False
    return out


def _blank(space: spaces.Box) -> np.ndarray:
    """A placeholder observation inside ``space`` (zeros clipped to its bounds)."""
    obs = np.clip(np.zeros(space.shape), space.low, space.high)
    obs.flags.writeable = False
    return obs


def _check_lockstep(scenario: Scenario) -> None:
    """Every controllable agent must tick on the step grid."""
    for agent in scenario.controllable:
        for name in ("tick_interval", "phase"):
            ratio = getattr(agent, name) / scenario.dt
            if abs(ratio - round(ratio)) > 1e-9:
                raise ConfigError(
                    f"agent {agent.agent_id!r} {name} must be a whole number of steps "
                    f"(dt = {scenario.dt!r} s) for lockstep, "
                    f"got {getattr(agent, name)!r}"
                )
    if not scenario.controllable:
        raise ConfigError(f"scenario {scenario.name!r} has no controllable agent")
