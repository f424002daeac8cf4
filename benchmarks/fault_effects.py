"""Effect of each fault type on battery-v0's return, against the same run without it.

Every regime is ``lan`` timing plus one fault schedule; the baseline is plain
``lan`` run in the same process with the same seeds, and the built-in
controllers drive every agent. Faults hit the middle of the 300 s episode,
``[60, 180)`` s: batteries are ``battery_*``, the coordinator is ``fleet``
(it broadcasts target state of charge every 10 s). The table gives the mean
total return over the seeds, its change against ``lan`` (positive = worse),
and the fault counters that show the fault acted.

    python benchmarks/fault_effects.py [--quick] [--json out.json]

Latest run (5 seeds, 4 batteries): see benchmarks/results/fault_effects.json. In
battery-v0 the fleet's target only nudges 0.5 by half the fleet's mean error
(batteries hold their charge near 0.5 on their own), so a stale or missing
target costs little: coordinator faults (its crash, outages of its links)
barely move the return; sensor and actuator faults dominate.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

from heron_simpy import evaluate, profiles
from heron_simpy.faults import (
    ActuatorSaturation,
    ClockDrift,
    Crash,
    Fault,
    LinkOutage,
    SensorDropout,
    StuckSensor,
)

START, LENGTH = 60.0, 120.0
REGIMES: dict[str, tuple[Fault, ...]] = {
    "lan (no fault)": (),
    "sensor_dropout battery_*": (SensorDropout("battery_*", START, LENGTH),),
    "stuck_sensor battery_*": (StuckSensor("battery_*", START, LENGTH),),
    "link_outage fleet->* drop": (LinkOutage("fleet", "*", START, LENGTH, "drop"),),
    "link_outage fleet->* queue": (LinkOutage("fleet", "*", START, LENGTH, "queue"),),
    "link_outage *->fleet drop": (LinkOutage("*", "fleet", START, LENGTH, "drop"),),
    "crash battery_0 (lost)": (Crash("battery_0", START, LENGTH, "lost"),),
    "crash fleet (lost)": (Crash("fleet", START, LENGTH, "lost"),),
    "actuator_saturation +-0.1": (
        ActuatorSaturation("battery_*", START, LENGTH, low=-0.1, high=0.1),
    ),
    "clock_drift 100 ppm": (ClockDrift("battery_*", ppm=100.0),),
    "clock_drift 10 % fast, 0.5 s ahead": (
        ClockDrift("battery_*", ppm=1e5, offset=0.5),
    ),
}
COUNTERS = (
    "faults",
    "observations_lost",
    "actions_lost",
    "actions_saturated",
    "messages_flushed",
    "messages_dropped",
    "ticks",
)


def run(label: str, faults: tuple[Fault, ...], seeds: int, n: int) -> dict[str, Any]:
    """Mean total return and mean counters of one regime over ``seeds``."""
    profile = profiles["lan"].with_faults(*faults, name="lan+fault")
    totals: list[float] = []
    counts: dict[str, list[int]] = {c: [] for c in COUNTERS}
    for seed in range(seeds):
        ep = evaluate("battery-v0", profile=profile, seed=seed, n_agents=n)
        totals.append(sum(ep.returns.values()))
        stats = ep.stats.as_dict()
        for c in COUNTERS:
            counts[c].append(stats[c])
    return {
        "regime": label,
        "mean_return": statistics.fmean(totals),
        "returns": totals,
        **{c: statistics.fmean(v) for c, v in counts.items()},
    }


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    seeds = 2 if args.quick else 5
    n = (args.sizes or [4])[0]
    rows = [run(label, faults, seeds, n) for label, faults in REGIMES.items()]
    base = rows[0]["mean_return"]
    print(f"battery-v0, {n} batteries, lan, {seeds} seeds, faults in [60, 180) s")
    print()
    print(
        "| regime | mean return | change vs lan | obs lost | actions lost | "
        "saturated | msgs dropped | ticks |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        r["change"] = base - r["mean_return"]
        print(
            f"| {r['regime']} | {r['mean_return']:.2f} | {r['change']:+.2f} | "
            f"{r['observations_lost']:.0f} | {r['actions_lost']:.0f} | "
            f"{r['actions_saturated']:.0f} | {r['messages_dropped']:.0f} | "
            f"{r['ticks']:.0f} |"
        )
    write(
        args.json,
        {
            "benchmark": "fault_effects",
            "scenario": "battery-v0",
            "n_agents": n,
            "seeds": seeds,
            "window": [START, START + LENGTH],
            "rows": rows,
            "versions": versions(),
        },
    )


if __name__ == "__main__":
    main()
