"""A slow actuation followed by a fast one: effects still land in decision order.

Tick 0.25 s, obs 0, act delays 0.5 s then 0.125 s; horizon [0, 0.5)::

    t    0.0            0.25            0.375   0.5
         decide a1 ---------------------------> a1 lands (0.5)
                        decide a2 ---> (0.375 would overtake a1) held to 0.5,
                                                lands right after a1
"""

from __future__ import annotations

from heron_simpy import Agent, Simulation
from tests.conftest import Counter, SequenceDelay, det, rows


def test_fifo_actions() -> None:
    plant = Counter(["dev"])
    count = iter(range(1, 100))
    sim = Simulation(plant, seed=0)
    sim.add_agent(
        Agent("dev", controller=lambda *a: next(count)),
        tick=det(0.25, act=SequenceDelay(0.5, 0.125)),
    )
    sim.run_until(0.5)
    assert sim.stats.actions_in_flight == 2
    sim.run_until(0.51)
    assert [r for r in rows(sim.trace) if r[1] == "apply"] == [
        (0.5, "apply", "dev", 0.0),
        (0.5, "apply", "dev", 0.25),
    ]
    assert plant.applied == [("dev", 1), ("dev", 2)]
