"""The golden run of each scenario: a short ``scada`` episode with a fixed seed.

Each horizon is chosen so that the run takes well under a second (feeder33-v0:
about two, it is a slow test), coordinators tick several times, messages flow,
and scada's lognormal jitter (reordered observations, ``discard`` records) and
Gilbert-Elliott loss (``drop`` records) show up. Changing a case changes its
golden file: run ``python -m tests.golden.regenerate SCENARIO`` afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from heron_simpy import registry

PROFILE = "scada"
SEED = 0
DEFAULT_T_END = 300.0
"""Horizon of a scenario missing from CASES (capped at its own horizon), s."""


@dataclass(frozen=True)
class Case:
    """One golden run.

    Attributes:
        scenario_id: The registered scenario id.
        t_end: End of the run, simulated s.
        overrides: Scenario overrides passed to ``evaluate``.
        profile: Timing profile name.
        seed: Master seed.
    """

    scenario_id: str
    t_end: float
    overrides: dict[str, Any] = field(default_factory=dict)
    profile: str = PROFILE
    seed: int = SEED

    def params(self) -> dict[str, Any]:
        """The run parameters as stored at the top of the golden file."""
        return {
            "scenario_id": self.scenario_id,
            "profile": self.profile,
            "seed": self.seed,
            "t_end": float(self.t_end),
            "overrides": dict(self.overrides),
        }


CASES: dict[str, Case] = {
    # 2 batteries at 1 s, fleet coordinator at 10 s: 30 coordinator ticks,
    # ~480 messages, ~100 discards, 18 drops.
    "battery-v0": Case("battery-v0", 300.0),
    # Rooms every 300 s, building every 900 s: 12 h gives ~85 messages and the
    # first drops (a shorter run loses none).
    "heating-v0": Case("heating-v0", 43200.0),
    # Microgrid coordinators every 60 s, the operator every 300 s: 360 s gives
    # two operator ticks.
    "microgrid-v0": Case("microgrid-v0", 360.0),
    # Detection event starts in [30, 120] s; 150 s covers the onset.
    "sensor-network-v0": Case("sensor-network-v0", 150.0),
    # The corridor coordinator ticks every 1 s instead of 5 s so that enough
    # messages flow for the bursty loss to drop some (4) within 120 s.
    "traffic-v0": Case("traffic-v0", 120.0, {"coordinator_tick": 1.0}),
    # Every step runs an AC power flow (~2 s for 900 s). Three coordinator
    # ticks; no message is lost this early with seed 0 (the first drop comes
    # after ~2700 s), the jitter shows in every delivery time.
    "feeder33-v0": Case("feeder33-v0", 900.0),
}


def case_for(scenario_id: str) -> Case:
    """Return the golden case of ``scenario_id`` (a default one if not listed)."""
    if scenario_id in CASES:
        return CASES[scenario_id]
    horizon = registry.build(scenario_id).horizon
    return Case(scenario_id, min(float(horizon), DEFAULT_T_END))
