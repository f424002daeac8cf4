"""How the lockstep facade advances a scenario: its SimPy processes, or a batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from heron_simpy.agents import PolicyAgent
from heron_simpy.agents.process import Pending
from heron_simpy.exceptions import ActionError
from heron_simpy.facade.decisions import resolve_all
from heron_simpy.plant import PlantDriver
from heron_simpy.recording import Recorder
from heron_simpy.scenario import Scenario
from heron_simpy.simulation import Simulation
from heron_simpy.timing import generator

__all__ = ["BatchStepper", "ProcessStepper"]

Observations = dict[str, np.ndarray]


class ProcessStepper:
    """Drive the scenario's own agent processes, pausing before each decision."""

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.simulation: Simulation | None = scenario.simulation(
            "ideal", seed, Recorder("counts")
        )
        self._feed: list[Pending] = self.simulation.defer_decisions()

    def begin(self) -> Observations:
        """Run the first instant up to the decisions; return who decides."""
        sim = self.simulation
        assert sim is not None
        sim.run_until(sim.kernel.start_time, before="deliver")
        return self._due()

    def advance(
        self, actions: Mapping[str, Any], t_next: float
    ) -> tuple[Observations, Mapping[str, float]]:
        """Resolve the decisions with ``actions``; run to ``t_next``'s decisions."""
        sim = self.simulation
        assert sim is not None
        resolve_all(self._feed, actions)
        sim.run_until(t_next, before="deliver")
        return self._due(), sim.last_reward_row

    def close(self) -> None:
        """Free the simulation."""
        if self.simulation is not None:
            self.simulation.kernel.close()

    def _due(self) -> Observations:
        return {p.process.agent_id: p.observation for p in self._feed}


class BatchStepper:
    """Use the scenario's vectorised :class:`~heron_simpy.scenario.Batch`.

    Same order as the processes under ``ideal`` timing: act at t, advance the
    plant to t + dt, read the rewards there, sense. Every agent is due every
    step. Actions are checked all at once; on any problem the per-agent check
    names the first offending agent exactly as the process path would.
    """

    simulation: Simulation | None = None

    def __init__(self, scenario: Scenario, seed: int) -> None:
        batch = scenario.batch
        assert batch is not None
        self._scenario = scenario
        self._batch = batch
        self._ids = tuple(batch.agent_ids)
        self._agents = [scenario.agent(a) for a in self._ids]
        spaces = [a.action_space for a in self._agents if isinstance(a, PolicyAgent)]
        self._low = np.stack([s.low for s in spaces])  # type: ignore[union-attr]
        self._high = np.stack([s.high for s in spaces])  # type: ignore[union-attr]
        self._plant = scenario.plant
        self._plant.reset(generator(seed, "plant"))
        self._driver = PlantDriver(self._plant, 0.0)
        self._now = 0.0

    def begin(self) -> Observations:
        """Sense at the start."""
        return self._observe()

    def advance(
        self, actions: Mapping[str, Any], t_next: float
    ) -> tuple[Observations, Mapping[str, float]]:
        """Act on everyone's actions, advance one step, read rewards, sense."""
        stacked = self._stack(actions)
        self._batch.apply(self._plant, stacked)
        self._driver.sync(t_next)
        self._now = t_next
        row = self._scenario.reward(self._plant, t_next)
        return self._observe(), row

    def close(self) -> None:
        """Nothing to free."""

    def _observe(self) -> Observations:
        matrix = np.asarray(self._batch.observe(self._plant), dtype=np.float64)
        matrix.flags.writeable = False
        return dict(zip(self._ids, matrix, strict=True))

    def _stack(self, actions: Mapping[str, Any]) -> np.ndarray:
        try:
            stacked = np.array([actions[a] for a in self._ids])
        except (KeyError, ValueError, TypeError):
            stacked = None
        ok = (
            stacked is not None
            and stacked.dtype.kind in "fiu"
            and stacked.shape == self._low.shape
            and bool(np.all(np.isfinite(stacked)))
            and not bool(np.any(stacked < self._low))
            and not bool(np.any(stacked > self._high))
        )
        if ok:
            assert stacked is not None
            return stacked
        self._raise_first_problem(actions)
        raise AssertionError("unreachable")  # pragma: no cover

    def _raise_first_problem(self, actions: Mapping[str, Any]) -> None:
        for agent_id, agent in zip(self._ids, self._agents, strict=True):
            if agent_id not in actions:
                raise ActionError(
                    f"agent {agent_id!r} at t={self._now:.3f}: "
                    "action is due but missing"
                )
            assert isinstance(agent, PolicyAgent)
            problem = agent.action_problem(actions[agent_id])
            if problem is not None:
                raise ActionError(
                    f"agent {agent_id!r} at t={self._now:.3f}: action {problem}, "
                    f"got {actions[agent_id]!r}"
                )
