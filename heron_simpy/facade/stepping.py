"""How the lockstep facade advances a scenario: its SimPy processes, or a batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from heron_simpy.agents import PolicyAgent
from heron_simpy.agents.actions import stack_valid
from heron_simpy.agents.process import Pending
from heron_simpy.facade.decisions import check_due, resolve_all
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
    step. It accepts and refuses exactly the actions the process path does
    (both end in :func:`~heron_simpy.facade.decisions.check_due`); plain
    float arrays are checked all at once, anything else agent by agent.
    """

    simulation: Simulation | None = None

    def __init__(self, scenario: Scenario, seed: int) -> None:
        batch = scenario.batch
        assert batch is not None
        self._scenario = scenario
        self._batch = batch
        self._ids = tuple(batch.agent_ids)
        agents = [scenario.agent(a) for a in self._ids]
        self._due = list(zip(self._ids, agents, strict=True))
        spaces = [a.action_space for a in agents if isinstance(a, PolicyAgent)]
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
        """Everyone's actions as one array, accepted exactly as the processes would.

        The vectorised :func:`stack_valid` takes the common case (plain float
        arrays, all valid) at once; anything else goes through
        :func:`check_due`, the per-agent check of the process path, which
        raises on the first problem or lets valid non-float inputs (lists,
        int arrays) through to be stacked.
        """
        try:
            values = [actions[a] for a in self._ids]
        except KeyError:
            values = None
        if values is not None:
            stacked = stack_valid(values, self._low, self._high)
            if stacked is not None:
                return stacked
        now = self._now
        check_due(((a, agent, now) for a, agent in self._due), actions)
        if values is None:  # a mapping whose ``in`` and ``[]`` disagree
            values = [actions[a] for a in self._ids]
        return np.array([_plain(v) for v in values])


def _plain(action: Any) -> np.ndarray:
    """A valid action as a plain ndarray (masked arrays without masks included)."""
    if isinstance(action, np.ma.MaskedArray):
        return np.asarray(action.data)
    return np.asarray(action)
