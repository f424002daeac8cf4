"""Set-up cost against the number of agents: build, reset, Simulation.reset.

Issue 10, item 8: building and resetting a fleet must be O(N). For each N this
script times

* ``build``: ``heron_simpy.make("battery-v0", n_agents=N)`` (the scenario, every
  agent's observation layout, the spaces);
* ``reset``: ``env.reset(seed=...)`` of that env after one step, so it ends a
  live episode (every process interrupted, every event dropped) and starts the
  next (rebuild, layouts, processes, the first instant);
* ``sim_reset``: ``Simulation.reset()`` of a plain simulation of N trivial
  agents, each with a live process waiting on its next tick;

and prints each time with its growth ``time(N) / time(N0)`` beside ``N / N0``
(N0 the smallest size): linear set-up keeps the two close, a quadratic step
makes the time ratio the square of the size ratio.

Before it reports a time, it checks the layouts it built: at the smallest size
every agent's bound layout equals the plain per-viewer scan
(:func:`heron_simpy.features.layout`), and at every size battery_0 sees exactly
its own features and the same reset observation as at the smallest size, while
the fleet sees one ``soc`` per battery, in order. A fast wrong layout fails.

    python benchmarks/setup_scaling.py            # N = 1k, 2k, 5k, 10k
    python benchmarks/setup_scaling.py --quick    # N = 1k, 2k (no JSON written)
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

import heron_simpy
from heron_simpy import Agent, Simulation
from heron_simpy.agents import PolicyAgent
from heron_simpy.features import layout

SCENARIO = "battery-v0"
SIZES = (1000, 2000, 5000, 10_000)
QUICK = (1000, 2000)
RESULTS = Path(__file__).resolve().parent / "results" / "setup_scaling.json"
BATTERY_0 = ("battery_0.soc.soc", "battery_0.load.load", "battery_0.setpoint")


class Best:
    """The best wall-clock and CPU time of the calls timed through it."""

    def __init__(self) -> None:
        self.wall = self.cpu = float("inf")

    def time(self, action: Callable[[], Any]) -> Any:
        """Call ``action()`` (after a collection), keep the best times."""
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        out = action()
        self.wall = min(self.wall, time.perf_counter() - wall)
        self.cpu = min(self.cpu, time.process_time() - cpu)
        return out


def check_plain_layouts(env: Any) -> None:
    """Every bound layout equals the plain per-viewer scan (smallest size only)."""
    ranked = env.scenario.ranked
    order = [a.agent_id for a in ranked]
    parents = {a.agent_id: a.parent for a in ranked}
    levels = {a.agent_id: a.level for a in ranked}
    features = {a.agent_id: getattr(a, "features", ()) for a in ranked}
    for agent in ranked:
        if isinstance(agent, PolicyAgent) and agent.slots != layout(
            agent.agent_id, order, features, parents, levels
        ):
            raise SystemExit(
                f"layout of {agent.agent_id!r} differs from the plain scan"
            )


def check_fleet(n: int, env: Any, obs: dict[str, np.ndarray]) -> np.ndarray:
    """battery_0 and the fleet see what they must; return battery_0's observation."""
    agents = {a.agent_id: a for a in env.scenario.ranked}
    names = agents["battery_0"].observation_names
    if names != BATTERY_0:
        raise SystemExit(f"N={n}: battery_0 observes {names}, expected {BATTERY_0}")
    fleet = agents["fleet"].observation_names
    socs = tuple(f"battery_{i}.soc.soc" for i in range(n))
    if fleet[:n] != socs or len(fleet) != n + 1:
        raise SystemExit(f"N={n}: fleet observes {len(fleet)} values, not {n} soc + 1")
    if obs["battery_0"].shape != (3,) or obs["fleet"].shape != (n + 1,):
        raise SystemExit(f"N={n}: observation shapes {obs['fleet'].shape}")
    return np.asarray(obs["battery_0"])


def sim_reset(n: int, repeat: int) -> Best:
    """Best times of ``Simulation.reset`` with n live trivial agents."""
    sim = Simulation(seed=0)
    for i in range(n):
        sim.add_agent(Agent(f"a{i}"))
    best = Best()
    for _ in range(repeat):
        sim.run_until(sim.now + 1.5)
        if sim.kernel.live_processes != n:
            raise SystemExit(f"N={n}: {sim.kernel.live_processes} live processes")
        best.time(sim.reset)
        if sim.kernel.live_processes or sim.kernel.pending_events:
            raise SystemExit(f"N={n}: Simulation.reset left work behind")
    return best


def measure(n: int, seed: int, repeat: int, reference: np.ndarray | None) -> dict:
    """Time build, reset and Simulation.reset at n agents; check the layouts."""
    build = Best()
    for _ in range(repeat):
        env = build.time(lambda: heron_simpy.make(SCENARIO, n_agents=n))
    obs, _ = env.reset(seed=seed)
    if reference is None:
        check_plain_layouts(env)
    b0 = check_fleet(n, env, obs)
    if reference is not None and not np.array_equal(b0, reference):
        raise SystemExit(f"N={n}: battery_0 observes {b0}, not {reference} as at N0")
    reset = Best()
    for _ in range(repeat):  # each reset ends a live episode
        env.step({a: np.zeros_like(env.action_space(a).low) for a in env.agents})
        obs, _ = reset.time(lambda: env.reset(seed=seed))
    if not np.array_equal(check_fleet(n, env, obs), b0):
        raise SystemExit(f"N={n}: the same seed gave battery_0 another observation")
    env.close()
    row: dict[str, Any] = {"n_agents": n, "battery_0_obs": b0.tolist()}
    for key, best in (
        ("build", build),
        ("reset", reset),
        ("sim_reset", sim_reset(n, repeat)),
    ):
        row[f"{key}_s"] = best.wall
        row[f"{key}_cpu_s"] = best.cpu
    return row


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    args = p.parse_args()
    sizes = tuple(args.sizes or (QUICK if args.quick else SIZES))
    out = args.json if args.json is not None else (None if args.quick else RESULTS)
    warm = heron_simpy.make(SCENARIO, n_agents=10)  # imports, caches: not timed
    warm.reset(seed=args.seed)
    warm.close()
    rows: list[dict] = []
    reference = None
    for n in sizes:
        row = measure(n, args.seed, args.repeat, reference)
        reference = np.asarray(row["battery_0_obs"])
        rows.append(row)
    base = rows[0]
    print(f"{SCENARIO}, seed {args.seed}, best of {args.repeat}; x = growth vs N0")
    print(
        f"{'N':>7} {'N/N0':>5} | {'build s':>8} {'x':>5} {'x cpu':>5} "
        f"| {'reset s':>8} {'x':>5} {'x cpu':>5} "
        f"| {'sim.reset s':>11} {'x':>5} {'x cpu':>5}"
    )
    for row in rows:
        scale = row["n_agents"] / base["n_agents"]
        row["size_ratio"] = scale
        cells = [f"{row['n_agents']:>7} {scale:>5.1f}"]
        for key, width, digits in (
            ("build", 8, 3),
            ("reset", 8, 3),
            ("sim_reset", 11, 4),
        ):
            row[f"{key}_ratio"] = row[f"{key}_s"] / base[f"{key}_s"]
            row[f"{key}_cpu_ratio"] = row[f"{key}_cpu_s"] / base[f"{key}_cpu_s"]
            cells.append(
                f"{row[f'{key}_s']:>{width}.{digits}f} {row[f'{key}_ratio']:>5.1f} "
                f"{row[f'{key}_cpu_ratio']:>5.1f}"
            )
        print(" | ".join(cells))
    write(
        out,
        {
            "benchmark": "setup_scaling",
            "params": {
                "scenario": SCENARIO,
                "sizes": list(sizes),
                "seed": args.seed,
                "repeat": args.repeat,
            },
            "versions": versions(),
            "timing": "best of `repeat`: wall-clock (perf_counter) and CPU "
            "(process_time) seconds; *_ratio = time(N) / time(N0)",
            "check": "layouts equal the plain scan at N0; battery_0 and fleet "
            "observation names, shapes and battery_0's reset observation agree "
            "at every N",
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
