"""One event-driven episode of a policy on a registered scenario."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET, check_event_budget
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording import Recorder
from heron_simpy.registry import build
from heron_simpy.simulation import Episode
from heron_simpy.timing import TickConfig, TimingProfile
from heron_simpy.timing.checks import shown, to_float

__all__ = ["Policy", "evaluate"]

Policy = Callable[[str, Any], Any]


def evaluate(
    scenario_id: str,
    policy: Policy | None = None,
    *,
    profile: str | TimingProfile | TickConfig = "ideal",
    t_end: float | None = None,
    seed: int = 0,
    recorder: Recorder | None = None,
    event_budget: float | None = DEFAULT_EVENT_BUDGET,
    **overrides: Any,
) -> Episode:
    """Run one event-driven episode of ``policy`` and return its :class:`Episode`.

    Args:
        scenario_id: A registered scenario id.
        policy: ``policy(agent_id, observation) -> action`` for every
            controllable agent; None runs the scenario's built-in controllers.
        profile: A profile name, a TimingProfile, or one TickConfig for all.
        t_end: End of the horizon, s (default: the scenario's episode length).
        seed: Master seed (int >= 0).
        recorder: Trace recorder (default: keep every record).
        event_budget: Largest estimated event count of the episode, set-up
            included (see :mod:`heron_simpy.engine.budget`); None: no limit.
        **overrides: Scenario overrides, e.g. ``n_agents=10``.

    Returns:
        Returns and rewards on the evaluation grid, the trace and the stats.

    Raises:
        ConfigError: Unknown scenario, override or profile; bad t_end.
        BudgetError: The episode would take more than ``event_budget`` events.
        SimulationError: The policy raised (names the agent and the time).
        ActionError: The policy returned an action outside its space.

    Example:
        >>> import heron_simpy
        >>> ep = heron_simpy.evaluate("battery-v0", t_end=20.0)
        >>> len(ep.rewards["battery_0"])
        20
    """
    if policy is not None and not callable(policy):
        raise TypeError(f"evaluate policy must be callable or None, got {policy!r}")
    budget = check_event_budget(event_budget, "evaluate")
    scenario = build(scenario_id, budget, **overrides)
    end = to_float(scenario.horizon if t_end is None else t_end)
    if end is None or not end > 0 or math.isinf(end):
        raise ConfigError(
            f"evaluate t_end must be a finite number > 0 s, got {shown(t_end)}"
        )
    if policy is not None:
        for agent in scenario.controllable:
            agent.policy = policy
    sim = scenario.simulation(profile, seed, recorder, event_budget=budget)
    sim.run_until(sim.kernel.start_time + float(end))
    return sim.episode()
