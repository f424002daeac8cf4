"""The embedded default run: a battery hierarchy under ideal and field timing."""

from __future__ import annotations

from collections import Counter as Tally
from typing import Any

import numpy as np

from heron_simpy.agents import Agent
from heron_simpy.broker import Message
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET
from heron_simpy.recording import Record
from heron_simpy.simulation import Simulation

__all__ = ["build_demo", "run_demo"]


class BatteryBank:
    """Batteries whose state of charge drifts with a load and moves with actions."""

    physics_step = 1.0

    def __init__(self, n: int) -> None:
        self.n = n
        self.soc = np.zeros(n)
        self.load = np.zeros(n)

    def reset(self, rng: np.random.Generator) -> None:
        """Start each battery at a random charge with a random constant load."""
        self.soc = rng.uniform(0.2, 0.8, self.n)
        self.load = rng.uniform(0.002, 0.006, self.n)

    def advance(self, dt: float) -> None:
        """Drain the batteries by their load for ``dt`` seconds."""
        self.soc = np.clip(self.soc - self.load * dt, 0.0, 1.0)

    def apply(self, agent_id: str, action: float) -> None:
        """Charge (+) or discharge (-) one battery."""
        i = int(agent_id.rsplit("_", 1)[1])
        self.soc[i] = min(1.0, max(0.0, self.soc[i] + action))


class Battery(Agent):
    """Field agent: steers its charge toward the coordinator's target."""

    def __init__(self, i: int) -> None:
        super().__init__(f"battery_{i}", parent="microgrid")
        self.i = i
        self.target = 0.5

    def sense(self, plant: BatteryBank) -> float:
        """Read this battery's state of charge."""
        return float(plant.soc[self.i])

    def decide(
        self, observation: float, messages: tuple[Message, ...], ctx: Any
    ) -> float:
        """Follow the latest setpoint; report the charge to the coordinator."""
        for msg in messages:
            self.target = float(msg.payload)
        ctx.send("microgrid", observation, "report")
        return 0.2 * (self.target - observation)


class Microgrid(Agent):
    """Coordinator: sets one charge target for all batteries from their reports."""

    def __init__(self, n: int) -> None:
        super().__init__("microgrid", level="coordinator", tick_interval=10.0)
        self.children = [f"battery_{i}" for i in range(n)]

    def decide(self, observation: Any, messages: tuple[Message, ...], ctx: Any) -> None:
        """Raise the target when reported charge is low, lower it when high."""
        reports = [float(m.payload) for m in messages]
        mean = sum(reports) / len(reports) if reports else 0.5
        for child in self.children:
            ctx.send(child, 0.5 + 0.5 * (0.5 - mean), "setpoint")


def reward(plant: BatteryBank, t: float) -> dict[str, float]:
    """Each battery is penalised by its distance from half charge."""
    return {f"battery_{i}": -abs(float(s) - 0.5) for i, s in enumerate(plant.soc)}


def build_demo(
    profile: str = "ideal",
    seed: int = 0,
    n: int = 3,
    event_budget: float | None = DEFAULT_EVENT_BUDGET,
) -> Simulation:
    """Build the demo: one microgrid coordinator over ``n`` batteries."""
    sim = Simulation(
        BatteryBank(n),
        seed=seed,
        profile=profile,
        eval_dt=1.0,
        reward=reward,
        event_budget=event_budget,
    )
    sim.add_agent(Microgrid(n))
    for i in range(n):
        sim.add_agent(Battery(i))
    return sim


def _timeline(trace: list[Record], limit: int) -> list[str]:
    lines = []
    for rec in trace[:limit]:
        extra = ", ".join(
            f"{k}={v!r}"
            for k, v in rec._asdict().items()
            if k not in ("time", "agent_id")
        )
        lines.append(f"  t={rec.time:8.3f}  {rec.kind:<8} {rec.agent_id:<11} {extra}")
    return lines


def run_demo(
    profiles: tuple[str, ...] = ("ideal", "lan", "scada"),
    t_end: float = 120.0,
    seed: int = 0,
    event_budget: float | None = DEFAULT_EVENT_BUDGET,
) -> str:
    """Run the demo under each profile and return the printed summary.

    Each run is checked against ``event_budget`` before it starts (see
    :mod:`heron_simpy.engine.budget`; None: no limit).
    """
    out = [
        f"heron_simpy demo: 1 coordinator (10 s) over 3 batteries (1 s), "
        f"{t_end:g} s, seed {seed}"
    ]
    header = (
        f"{'profile':<8} {'return':>9} {'ticks':>6} {'obs':>5} {'discard':>7} "
        f"{'applied':>7} {'sent':>5} {'deliv':>5} {'drop':>4} "
        f"{'obs age':>8} {'act lat':>8}"
    )
    table = [header, "-" * len(header)]
    first_trace: list[str] = []
    for name in profiles:
        sim = build_demo(name, seed, event_budget=event_budget)
        sim.run_until(t_end)
        s = sim.stats
        total = sum(sim.returns.values())
        table.append(
            f"{name:<8} {total:9.3f} {s.ticks:6d} {s.observations_delivered:5d} "
            f"{s.observations_discarded:7d} {s.actions_applied:7d} "
            f"{s.messages_sent:5d} "
            f"{s.messages_delivered:5d} {s.messages_dropped:4d} {s.mean_obs_age:8.3f} "
            f"{s.mean_act_latency:8.3f}"
        )
        if name == profiles[-1]:
            kinds = Tally(r.kind for r in sim.trace)
            first_trace = [
                f"timeline under '{name}' (first 14 of {len(sim.trace)} records; "
                + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
                + "):"
            ]
            first_trace += _timeline(sim.trace, 14)
    return "\n".join(out + table + [""] + first_trace)
