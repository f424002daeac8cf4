"""Lockstep facade overhead against a hand-written PettingZoo env (same dynamics).

Workload: battery-v0 with ``coordinator=False`` (N batteries, 1 s step, 300-step
episodes), stepped through ``heron_simpy.make(...)`` -- the ``LockstepEnv``
facade over the SimPy agents -- and through ``PlainBatteryEnv``, a plain
``ParallelEnv`` written here the way a user would write it by hand: vectorised
numpy for the physics, dicts built straight from arrays. Both draw the initial
charge and the load random walk from the same keyed stream
(``generator(seed, "plant")``) in the same order, and apply actions, advance the
physics and read rewards in the same order, so they must agree bit for bit: the
script checks that (rewards at every step, observations, spaces, truncation) for
N = 3 and 10 under a closed-loop policy before it times anything, and refuses to
report a number otherwise.

Timed: ``step()`` only (resets excluded), the same pre-drawn actions for both,
about 60k agent-steps per measurement (20k with --quick), best of --repeat.
Reported per size: steps/s of both, their ratio heron/plain (the overhead
factor; target <= 2x at 100 agents), the cost per agent per step, and the growth
of heron's per-step cost from 100 to 1000 agents (~10 is linear, ~100 quadratic).

    python benchmarks/facade_overhead.py                 # N = 10, 100, 1000
    python benchmarks/facade_overhead.py --quick         # N = 10, 100
"""

from __future__ import annotations

import gc
import math
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.env import ParallelEnv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

from heron_simpy.facade import LockstepEnv
from heron_simpy.registry import spec
from heron_simpy.timing import generator

SCENARIO = "battery-v0"
HORIZON = 300.0
CHECK_SIZES = (3, 10)


class PlainBatteryEnv(ParallelEnv[str, np.ndarray, Any]):
    """battery-v0 without a coordinator, written directly against PettingZoo.

    Per step: every battery charges at its action x ``rate`` (clipped to
    [0, 1]), then the physics step drains the load and moves the load's random
    walk, then the reward is ``-|soc - 0.5| - action_cost * |action|``.
    Observation per battery: ``[soc, load, setpoint]`` (the setpoint stays 0.5
    without a coordinator). Actions are taken as given (no range check).
    """

    metadata: dict[str, Any] = {  # noqa: RUF012
        "name": "plain_battery",
        "render_modes": [],
        "is_parallelizable": True,
    }

    def __init__(
        self,
        n_agents: int = 2,
        horizon: float = HORIZON,
        dt: float = 1.0,
        rate: float = 0.01,
        load_mean: float = 0.002,
        load_noise: float = 0.0005,
        action_cost: float = 0.01,
    ) -> None:
        self.n = n_agents
        self.horizon = horizon
        self.dt = dt
        self.rate = rate
        self.load_mean = load_mean
        self.load_noise = load_noise
        self.action_cost = action_cost
        self.steps_per_episode = round(horizon / dt)
        self.render_mode = None
        self.possible_agents = [f"battery_{i}" for i in range(n_agents)]
        self.agents: list[str] = []
        obs_space = spaces.Box(
            np.array([0.0, 0.0, 0.0]),
            np.array([1.0, 4 * load_mean, 1.0]),
            dtype=np.float64,
        )
        act_space = spaces.Box(-1.0, 1.0, (1,), np.float32)
        self._obs_spaces = dict.fromkeys(self.possible_agents, obs_space)
        self._act_spaces = dict.fromkeys(self.possible_agents, act_space)
        self._seeds: np.random.Generator | None = None
        self.soc = np.zeros(n_agents)
        self.load = np.zeros(n_agents)
        self._noise = np.zeros((0, n_agents))
        self._k = 0

    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self._obs_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self._act_spaces[agent]

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._seeds = np.random.default_rng(seed)
            episode_seed = seed
        else:
            if self._seeds is None:
                self._seeds = np.random.default_rng()
            episode_seed = int(self._seeds.integers(2**63))
        rng = generator(episode_seed, "plant")
        self.soc = rng.uniform(0.2, 0.8, self.n)
        self.load = np.full(self.n, self.load_mean)
        rows = math.ceil(self.horizon / self.dt) + 1
        self._noise = rng.normal(0.0, self.load_noise, (rows, self.n))
        self._k = 0
        self.agents = list(self.possible_agents)
        return self._observations(), {a: {} for a in self.agents}

    def step(
        self, actions: dict[str, np.ndarray]
    ) -> tuple[
        dict[str, np.ndarray],
        dict[str, float],
        dict[str, bool],
        dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        agents = self.agents
        a = np.concatenate([actions[x] for x in agents]).astype(np.float64)
        # Charge for one step (each battery touches only its own entry).
        self.soc = np.clip(self.soc + a * self.rate, 0.0, 1.0)
        throughput = np.abs(a)
        # Physics step: drain by the load, then the load's random-walk step.
        self.soc = np.clip(self.soc - self.load * self.dt, 0.0, 1.0)
        row = self._noise[min(self._k, len(self._noise) - 1)]
        self.load = np.clip(self.load + row, 0.0, 4 * self.load_mean)
        self._k += 1
        reward = -np.abs(self.soc - 0.5) - self.action_cost * throughput
        rewards = dict(zip(agents, reward.tolist(), strict=True))
        done = self._k >= self.steps_per_episode
        terminations = dict.fromkeys(agents, False)
        truncations = dict.fromkeys(agents, done)
        infos: dict[str, dict[str, Any]] = {x: {} for x in agents}
        if done:
            self.agents = []
        return self._observations(), rewards, terminations, truncations, infos

    def state(self) -> np.ndarray:
        return np.concatenate([self.soc, self.load])

    def _observations(self) -> dict[str, np.ndarray]:
        obs = np.empty((self.n, 3))
        obs[:, 0] = self.soc
        obs[:, 1] = self.load
        obs[:, 2] = 0.5
        obs.flags.writeable = False
        return dict(zip(self.possible_agents, obs, strict=True))


def make_pair(
    n: int, horizon: float = HORIZON, batched: bool | None = None
) -> tuple[Any, PlainBatteryEnv]:
    """heron's lockstep env (the default path, or forced) and the plain env."""
    overrides = {"n_agents": n, "coordinator": False, "horizon": horizon}
    heron = LockstepEnv(spec(SCENARIO), overrides, batched=batched)
    return heron, PlainBatteryEnv(n, horizon=horizon)


def policy(obs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Proportional charge toward 0.5 with load feed-forward (state-dependent)."""
    return {
        a: np.array([np.clip(20.0 * (0.5 - o[0]) + o[1] / 0.01, -1.0, 1.0)], np.float32)
        for a, o in obs.items()
    }


def same_obs(x: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> bool:
    return x.keys() == y.keys() and all(
        x[a].dtype == y[a].dtype and np.array_equal(x[a], y[a]) for a in x
    )


def check(n: int, seed: int, batched: bool | None = None) -> None:
    """Refuse to time anything unless both envs produce identical episodes."""
    heron, plain = make_pair(n, batched=batched)

    def fail(what: str) -> SystemExit:
        return SystemExit(f"PlainBatteryEnv != {SCENARIO} facade at N={n}: {what}")

    if heron.possible_agents != plain.possible_agents:
        raise fail(f"agents {heron.possible_agents} vs {plain.possible_agents}")
    for a in heron.possible_agents:
        if heron.observation_space(a) != plain.observation_space(a):
            raise fail(f"observation space of {a}")
        if heron.action_space(a) != plain.action_space(a):
            raise fail(f"action space of {a}")
    obs_h, _ = heron.reset(seed=seed)
    obs_p, _ = plain.reset(seed=seed)
    if not same_obs(obs_h, obs_p):
        raise fail("observations after reset")
    k = 0
    while heron.agents:
        k += 1
        obs_h, rew_h, term_h, trunc_h, _ = heron.step(policy(obs_h))
        obs_p, rew_p, term_p, trunc_p, _ = plain.step(policy(obs_p))
        if rew_h != rew_p:
            diff = {
                a: (rew_h.get(a), rew_p.get(a))
                for a in rew_h
                if rew_h[a] != rew_p.get(a)
            }
            raise fail(f"rewards at step {k}: {diff}")
        if not same_obs(obs_h, obs_p):
            raise fail(f"observations at step {k}")
        if term_h != term_p or trunc_h != trunc_p or heron.agents != plain.agents:
            raise fail(f"terminations/truncations/agents at step {k}")
    if k != heron.steps_per_episode or plain.agents:
        raise fail(f"episode length {k} (plain agents left: {plain.agents})")


def time_steps(env: Any, actions: list[dict], steps: int, seed: int) -> float:
    """Wall time of ``steps`` calls to ``env.step`` (resets excluded)."""
    wall = 0.0
    done = 0
    episode = 0
    while done < steps:
        env.reset(seed=seed + episode)
        episode += 1
        chunk = actions[: min(steps - done, len(actions))]
        gc.collect()
        step = env.step
        t0 = time.perf_counter()
        for act in chunk:
            step(act)
        wall += time.perf_counter() - t0
        done += len(chunk)
    return wall


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    horizon = args.horizon or HORIZON
    budget = 20_000 if args.quick else 60_000  # agent-steps per measurement
    for n in CHECK_SIZES:
        check(n, args.seed)
        check(n, args.seed, batched=False)
    print(
        f"check: heron facade (batched and process paths) == PlainBatteryEnv (N = "
        f"{', '.join(map(str, CHECK_SIZES))}; full {HORIZON:.0f}-step episodes, "
        f"seed {args.seed})",
        flush=True,
    )
    rows = []
    for n in sizes:
        heron, plain = make_pair(n, horizon)
        per_episode = heron.steps_per_episode
        steps = max(30, round(budget / n))
        rng = np.random.default_rng(args.seed)
        actions = [
            dict(
                zip(
                    heron.possible_agents,
                    rng.uniform(-1, 1, (n, 1)).astype(np.float32),
                    strict=True,
                )
            )
            for _ in range(min(steps, per_episode))
        ]
        processes, _ = make_pair(n, horizon, batched=False)
        best_h = best_p = best_q = math.inf
        for _ in range(args.repeat):
            best_p = min(best_p, time_steps(plain, actions, steps, args.seed))
            best_h = min(best_h, time_steps(heron, actions, steps, args.seed))
            best_q = min(best_q, time_steps(processes, actions, steps, args.seed))
        heron.close()
        processes.close()
        row = {
            "n": n,
            "steps": steps,
            "heron_steps_per_s": steps / best_h,
            "plain_steps_per_s": steps / best_p,
            "ratio": best_h / best_p,
            "heron_us_per_agent_step": best_h / steps / n * 1e6,
            "heron_batched": heron.batched,
            "process_path_steps_per_s": steps / best_q,
            "process_path_ratio": best_q / best_p,
            "plain_us_per_agent_step": best_p / steps / n * 1e6,
        }
        rows.append(row)
        print(
            f"N={n:5d}  steps={steps:5d}  "
            f"heron {row['heron_steps_per_s']:9.1f} steps/s  "
            f"plain {row['plain_steps_per_s']:9.1f} steps/s  "
            f"ratio {row['ratio']:6.1f}x  "
            f"per agent-step heron {row['heron_us_per_agent_step']:7.2f} us / "
            f"plain {row['plain_us_per_agent_step']:5.2f} us  "
            f"| process path {row['process_path_ratio']:5.1f}x",
            flush=True,
        )
    by_n = {r["n"]: r for r in rows}
    growth = None
    if 100 in by_n and 1000 in by_n:
        growth = {
            "heron": by_n[100]["heron_steps_per_s"] / by_n[1000]["heron_steps_per_s"],
            "plain": by_n[100]["plain_steps_per_s"] / by_n[1000]["plain_steps_per_s"],
        }
        print(
            f"per-step cost growth N=100 -> 1000: heron {growth['heron']:.1f}x, "
            f"plain {growth['plain']:.1f}x (10 = linear, 100 = quadratic)"
        )
    write(
        args.json,
        {
            "benchmark": "facade_overhead",
            "params": vars(args)
            | {
                "sizes": sizes,
                "horizon": horizon,
                "agent_steps_per_measurement": budget,
                "json": str(args.json),
            },
            "versions": versions()
            | {pkg: version(pkg) for pkg in ("pettingzoo", "gymnasium")},
            "rows": rows,
            "step_cost_growth_100_to_1000": growth,
        },
    )


if __name__ == "__main__":
    main()
