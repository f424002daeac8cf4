"""A policy module for ``--policy``: a hand-written controller for battery-v0.

The README's command line imports it by name (``MODULE:CALLABLE``)::

    PYTHONPATH=docs/examples heron-simpy compare battery-v0 --policy battery_policy:act

Run as a script, it prints the policy's total return under ``ideal`` and
``scada`` timing next to the scenario's built-in controllers.
"""

from __future__ import annotations

import numpy as np

import heron_simpy


def act(agent_id: str, observation: np.ndarray) -> np.ndarray:
    """Charge toward the fleet's target (batteries); keep the target at 0.5 (fleet)."""
    if agent_id == "fleet":
        return np.zeros(1, dtype=np.float32)
    soc, _load, target = observation
    return np.array([np.clip(20.0 * (target - soc), -1.0, 1.0)], dtype=np.float32)


if __name__ == "__main__":
    for profile in ("ideal", "scada"):
        mine = heron_simpy.evaluate("battery-v0", act, profile=profile, seed=0)
        builtin = heron_simpy.evaluate("battery-v0", None, profile=profile, seed=0)
        print(
            f"{profile:5s}  act {sum(mine.returns.values()):8.3f}"
            f"  built-in {sum(builtin.returns.values()):8.3f}"
        )
