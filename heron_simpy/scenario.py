"""What a scenario module builds: a plant, agents, a reward and an episode clock."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from heron_simpy.agents import Agent, PolicyAgent, bind_tree
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording import Recorder
from heron_simpy.simulation import ProcessFactory, RewardFn, Simulation
from heron_simpy.timing import TickConfig, TimingProfile

__all__ = ["Batch", "Scenario", "ScenarioSource"]


class Batch(Protocol):
    """A vectorised form of some agents' sense/prepare and act (optional).

    The lockstep facade may use it instead of driving the agents' SimPy
    processes, when every agent of the scenario is covered, ticks every
    ``dt`` from the start and no extra process runs. It must be exact: row i
    of :meth:`observe` is what agent i's ``prepare(sense(plant), ())`` gives,
    and :meth:`apply` has the effect of each agent's ``act`` in order. The
    conformance suite checks both paths bit for bit.
    """

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """The agents covered, in same-time order."""

    def observe(self, plant: Any) -> Any:
        """Observations of all covered agents as an (n, d) float64 array."""

    def apply(self, plant: Any, actions: Any) -> None:
        """Apply an (n, ...) array of actions, row i for agent i."""


class ScenarioSource(Protocol):
    """Anything that builds fresh scenarios by id (a registry entry, a test stub)."""

    @property
    def id(self) -> str:
        """The scenario id (``name-vN``)."""

    def build(self, **overrides: Any) -> Scenario:
        """Build a new scenario instance with ``overrides`` applied."""


@dataclass
class Scenario:
    """One built system, ready to run in either mode.

    Attributes:
        name: Scenario id (``name-vN``).
        plant: The physical system.
        agents: Every agent (any order; ranked parents first when run).
        reward: ``reward(plant, t) -> {agent_id: float}`` on the grid.
        dt: Lockstep step and reward grid step, s.
        horizon: Episode length, s (a multiple of ``dt``).
        description: One line for ``heron-simpy list``.
        processes: Extra SimPy processes (exogenous inputs, faults).
        state: ``state(plant) -> array`` for the facade's ``state()``.
        batch: Optional vectorised sense/act used by the lockstep facade.
    """

    name: str
    plant: Any
    agents: Sequence[Agent]
    reward: RewardFn
    dt: float
    horizon: float
    description: str = ""
    processes: Sequence[ProcessFactory] = ()
    state: Callable[[Any], Any] | None = None
    batch: Batch | None = None
    _ranked: list[Agent] = field(default_factory=list, repr=False)
    _by_id: dict[str, Agent] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.dt) and self.dt > 0):
            raise ConfigError(
                f"Scenario {self.name!r} dt must be > 0 s, got {self.dt!r}"
            )
        steps = self.horizon / self.dt
        if not (
            math.isfinite(steps) and steps >= 1 and abs(steps - round(steps)) < 1e-9
        ):
            raise ConfigError(
                f"Scenario {self.name!r} horizon must be a positive multiple of dt "
                f"({self.dt!r} s), got {self.horizon!r}"
            )
        self._ranked = bind_tree(list(self.agents))
        self._by_id = {a.agent_id: a for a in self._ranked}

    @property
    def steps(self) -> int:
        """Lockstep steps per episode."""
        return round(self.horizon / self.dt)

    @property
    def ranked(self) -> list[Agent]:
        """Agents in same-time order (parents first)."""
        return self._ranked

    @property
    def controllable(self) -> list[PolicyAgent]:
        """Agents a learner can act for, in same-time order."""
        return [
            a for a in self._ranked if isinstance(a, PolicyAgent) and a.controllable
        ]

    @property
    def batchable(self) -> bool:
        """Whether the lockstep facade may use :attr:`batch` for this instance."""
        if self.batch is None or self.processes:
            return False
        every = {a.agent_id for a in self._ranked}
        return set(self.batch.agent_ids) == every and all(
            a.tick_interval == self.dt and a.phase == 0.0 for a in self._ranked
        )

    def agent(self, agent_id: str) -> Agent:
        """The agent called ``agent_id`` (KeyError if there is none)."""
        return self._by_id[agent_id]

    def simulation(
        self,
        profile: str | TimingProfile | TickConfig = "ideal",
        seed: int | None = 0,
        recorder: Recorder | None = None,
        keep_rewards: bool = True,
        event_budget: float | None = DEFAULT_EVENT_BUDGET,
    ) -> Simulation:
        """Put the scenario on a new :class:`Simulation` (one per episode)."""
        sim = Simulation(
            self.plant,
            seed=seed,
            profile=profile,
            eval_dt=self.dt,
            reward=self.reward,
            recorder=recorder,
            keep_rewards=keep_rewards,
            event_budget=event_budget,
        )
        for agent in self._ranked:
            sim.add_agent(agent)
        for factory in self.processes:
            sim.add_process(factory)
        return sim

    def estimate_events(
        self,
        profile: str | TimingProfile | TickConfig = "ideal",
        t_end: float | None = None,
    ) -> float:
        """Estimate the events of one episode to ``t_end`` (default: horizon).

        See :meth:`Simulation.estimate_events` and :mod:`heron_simpy.engine.budget`.
        """
        sim = self.simulation(profile, seed=0, event_budget=None)
        end = self.horizon if t_end is None else t_end
        return sim.estimate_events(sim.kernel.start_time + float(end))
