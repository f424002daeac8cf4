"""Jittered sensing reorders deliveries: the older observation is discarded.

Tick 0.5 s; obs delays 0.75 s then 0.125 s then 0.125 s (replayed); act 0;
horizon [0, 1)::

    t    0.0    0.5    0.625          0.75
         tick   tick   obs(0.5)       obs(0.0)  -> sampled before 0.5, which
          \\      \\---> decide+apply            was already used: discard
           \\-------------------------->
"""

from __future__ import annotations

from heron_simpy import Simulation
from tests.conftest import Counter, SequenceDelay, acting, det, rows


def test_discard_full_trace() -> None:
    plant = Counter(["dev"])
    sim = Simulation(plant, seed=0)
    sim.add_agent(acting("dev"), tick=det(0.5, obs=SequenceDelay(0.75, 0.125)))
    sim.run_until(1.0)
    assert rows(sim.trace) == [
        (0.0, "tick", "dev"),
        (0.5, "tick", "dev"),
        (0.625, "observe", "dev", 0.5),
        (0.625, "decide", "dev", 0.5),
        (0.625, "apply", "dev", 0.625),
        (0.75, "observe", "dev", 0.0),
        (0.75, "discard", "dev", 0.0),
    ]
    s = sim.stats
    assert (s.observations_delivered, s.observations_discarded, s.decisions) == (
        2,
        1,
        1,
    )
    assert plant.value["dev"] == 1.0
