"""Engine throughput against a hand-written heapq event loop (the CPython floor).

Workload (issue 2): N field agents ticking at 1 s and N/10 coordinators at
60 s, 10 % gaussian jitter on everything, obs 0.1 s / act 0.2 s / msg 0.05 s;
each coordinator sends a setpoint to each of its 10 field agents every tick;
3600 s simulated. The heapq loop does the same logical work with the same
keyed random streams and the same same-time ordering, so the two traces must be
identical: the script checks that (full trace and final plant state) before it
times anything, and refuses to report a number otherwise.

Reported: logical events per second (ticks + observation deliveries + action
effects + message deliveries, identical for both), their ratio, and the peak
traced memory of a short run.

    python benchmarks/engine_throughput.py                 # N = 10, 100, 1000
    python benchmarks/engine_throughput.py --quick         # N = 10, 100, 300 s
"""

from __future__ import annotations

import gc
import heapq
import math
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

from heron_simpy import Agent, Recorder, Simulation, TickConfig
from heron_simpy.engine import APPLY, DELIVER, OBSERVE, TICK, priority
from heron_simpy.recording import (
    ApplyRecord,
    DecideRecord,
    DeliverRecord,
    DiscardRecord,
    ObserveRecord,
    SendRecord,
    TickRecord,
)
from heron_simpy.timing import generator

FIELD = TickConfig.with_jitter(1.0, 0.1, 0.2, 0.05, "gaussian", 0.1)
COORD = TickConfig.with_jitter(60.0, 0.1, 0.2, 0.05, "gaussian", 0.1)
GAIN = 0.1


class Bank:
    """N batteries with self-discharge, on a 1 s physics step."""

    physics_step = 1.0

    def __init__(self, n: int) -> None:
        self.n = n
        self.index = {f"f{i}": i for i in range(n)}
        self.soc = np.zeros(n)

    def reset(self, rng: np.random.Generator) -> None:
        self.soc = rng.uniform(0.2, 0.8, self.n)

    def advance(self, dt: float) -> None:
        self.soc *= 1.0 - 1e-5 * dt

    def apply(self, agent_id: str, action: float) -> None:
        self.soc[self.index[agent_id]] += action


class Field(Agent):
    def __init__(self, i: int, parent: str) -> None:
        super().__init__(f"f{i}", parent=parent, tick_interval=1.0)
        self.i = i
        self.target = 0.5

    def sense(self, plant: Bank) -> float:
        return float(plant.soc[self.i])

    def decide(self, obs: float, messages: tuple, ctx: Any) -> float:
        for m in messages:
            self.target = m.payload
        return GAIN * (self.target - obs)


class Coordinator(Agent):
    def __init__(self, j: int, children: list[str]) -> None:
        super().__init__(f"c{j}", level="coordinator", tick_interval=60.0)
        self.j = j
        self.children = children

    def sense(self, plant: Bank) -> float:
        return float(plant.soc[10 * self.j : 10 * self.j + 10].mean())

    def decide(self, obs: float, messages: tuple, ctx: Any) -> None:
        target = 0.5 + 0.1 * (0.5 - obs)
        for child in self.children:
            ctx.send(child, target)


def build(n: int, seed: int, mode: str) -> tuple[Simulation, Bank]:
    plant = Bank(n)
    sim = Simulation(plant, seed=seed, recorder=Recorder(mode))
    m = max(1, n // 10)
    for j in range(m):
        children = [f"f{i}" for i in range(10 * j, min(n, 10 * j + 10))]
        sim.add_agent(Coordinator(j, children), tick=COORD)
    for i in range(n):
        sim.add_agent(Field(i, f"c{min(i // 10, m - 1)}"), tick=FIELD)
    return sim, plant


def run_engine(
    n: int, horizon: float, seed: int, mode: str = "counts"
) -> tuple[float, int, Any, Bank]:
    sim, plant = build(n, seed, mode)
    gc.collect()
    t0 = time.perf_counter()
    sim.run_until(horizon)
    wall = time.perf_counter() - t0
    s = sim.stats
    logical = (
        s.ticks + s.observations_delivered + s.actions_applied + s.messages_delivered
    )
    return wall, logical, sim.trace, plant


# --------------------------------------------------------------------- floor
def run_floor(
    n: int, horizon: float, seed: int, keep: bool = False
) -> tuple[float, int, list, Bank]:
    """The same logical work on a bare heapq loop (no SimPy, no objects per agent)."""
    m = max(1, n // 10)
    ids = [f"c{j}" for j in range(m)] + [f"f{i}" for i in range(n)]
    is_coord = [True] * m + [False] * n
    cfgs = [COORD] * m + [FIELD] * n
    samplers = [c.samplers(seed, "agent", a) for c, a in zip(cfgs, ids, strict=True)]
    tick_s = [s.tick for s in samplers]
    obs_s = [s.obs for s in samplers]
    act_s = [s.act for s in samplers]
    msg_s = [s.msg for s in samplers]
    rank = {a: r for r, a in enumerate(ids)}
    children = [[m + i for i in range(10 * j, min(n, 10 * j + 10))] for j in range(m)]
    plant = Bank(n)
    plant.reset(generator(seed, "plant"))
    soc = plant.soc
    target = [0.5] * (m + n)
    last_used = [-math.inf] * (m + n)
    last_apply = [-math.inf] * (m + n)
    inbox: list[list[float]] = [[] for _ in range(m + n)]
    link_last: dict[tuple[int, int], float] = {}
    trace: list = []
    rec = trace.append
    step_done = 0
    counts = [0, 0, 0, 0]  # ticks, observations, applies, deliveries
    msg_id = 0
    heap: list = []
    seq = 0
    TICK_, OBS_, APPLY_, DELIV_ = 0, 1, 2, 3
    for r in range(m + n):
        heap.append((0.0, priority(TICK, r), seq, TICK_, r, None))
        seq += 1
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    gc.collect()
    t0 = time.perf_counter()
    while heap and heap[0][0] < horizon:
        now, _, _, kind, r, item = pop(heap)
        target_step = math.floor(now + 1e-9)
        while step_done < target_step:
            soc *= 1.0 - 1e-5
            step_done += 1
        if kind == TICK_:
            counts[0] += 1
            if keep:
                rec(TickRecord(now, ids[r]))
            obs = (
                float(soc[10 * r : 10 * r + 10].mean())
                if is_coord[r]
                else float(soc[r - m])
            )
            push(
                heap, (now + obs_s[r](), priority(OBSERVE, r), seq, OBS_, r, (now, obs))
            )
            push(heap, (now + tick_s[r](), priority(TICK, r), seq + 1, TICK_, r, None))
            seq += 2
        elif kind == OBS_:
            counts[1] += 1
            sampled_at, obs = item
            if keep:
                rec(ObserveRecord(now, ids[r], sampled_at))
            if sampled_at < last_used[r]:
                if keep:
                    rec(DiscardRecord(now, ids[r], sampled_at))
                continue
            last_used[r] = sampled_at
            msgs = inbox[r]
            inbox[r] = []
            if keep:
                rec(DecideRecord(now, ids[r], sampled_at))
            if is_coord[r]:
                tgt = 0.5 + 0.1 * (0.5 - obs)
                for c in children[r]:
                    if keep:
                        rec(SendRecord(now, ids[r], ids[c], msg_id))
                    d = msg_s[r]()
                    at = now + d
                    last = link_last.get((r, c), -math.inf)
                    if at < last:
                        d = last - now
                        while now + d < last:
                            d = math.nextafter(d, math.inf)
                        at = now + d
                    link_last[(r, c)] = at
                    push(
                        heap,
                        (
                            now + d,
                            priority(DELIVER, c),
                            seq,
                            DELIV_,
                            c,
                            (msg_id, r, now, tgt),
                        ),
                    )
                    seq += 1
                    msg_id += 1
            else:
                for payload in msgs:
                    target[r] = payload
                action = GAIN * (target[r] - obs)
                d = act_s[r]()
                if now + d < last_apply[r]:
                    d = last_apply[r] - now
                    while now + d < last_apply[r]:
                        d = math.nextafter(d, math.inf)
                last_apply[r] = now + d
                push(heap, (now + d, priority(APPLY, r), seq, APPLY_, r, (now, action)))
                seq += 1
        elif kind == APPLY_:
            counts[2] += 1
            decided_at, action = item
            soc[r - m] += action
            if keep:
                rec(ApplyRecord(now, ids[r], decided_at))
        else:
            counts[3] += 1
            mid, sender, sent_at, payload = item
            if keep:
                rec(DeliverRecord(now, ids[r], ids[sender], mid, sent_at))
            inbox[r].append(payload)
    wall = time.perf_counter() - t0
    del rank
    return wall, sum(counts), trace, plant


def check(n: int, horizon: float, seed: int) -> None:
    """Refuse to time anything unless engine and floor do identical work."""
    _, ev_e, trace_e, plant_e = run_engine(n, horizon, seed, "full")
    _, ev_f, trace_f, plant_f = run_floor(n, horizon, seed, keep=True)
    if (
        ev_e != ev_f
        or list(trace_e) != trace_f
        or not np.array_equal(plant_e.soc, plant_f.soc)
    ):
        first = next(
            (
                i
                for i, (a, b) in enumerate(zip(trace_e, trace_f, strict=False))
                if a != b
            ),
            None,
        )
        raise SystemExit(
            f"trace mismatch at N={n}: engine {len(trace_e)} records / "
            f"floor {len(trace_f)}; "
            f"first difference at index {first}"
        )


def peak_memory(fn: Any, *args: Any) -> int:
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    sizes = args.sizes or ([10, 100] if args.quick else [10, 100, 1000])
    horizon = args.horizon or (300.0 if args.quick else 3600.0)
    check(20, 600.0, args.seed)
    print(f"trace check: engine == heapq floor (N=20, 600 s, seed {args.seed})")
    rows = []
    for n in sizes:
        best_e = best_f = math.inf
        for _ in range(args.repeat):
            wall_f, ev_f, _, _ = run_floor(n, horizon, args.seed)
            wall_e, ev_e, _, _ = run_engine(n, horizon, args.seed)
            assert ev_e == ev_f, (ev_e, ev_f)
            best_e, best_f = min(best_e, wall_e), min(best_f, wall_f)
        mem_e = peak_memory(run_engine, n, min(horizon, 120.0), args.seed)
        mem_f = peak_memory(run_floor, n, min(horizon, 120.0), args.seed)
        row = {
            "n": n,
            "horizon": horizon,
            "events": ev_e,
            "engine_events_per_s": ev_e / best_e,
            "floor_events_per_s": ev_f / best_f,
            "ratio": (ev_e / best_e) / (ev_f / best_f),
            "engine_peak_mib_120s": mem_e / 2**20,
            "floor_peak_mib_120s": mem_f / 2**20,
        }
        rows.append(row)
        print(
            f"N={n:5d}  events={ev_e:9d}  "
            f"engine {row['engine_events_per_s']:9.0f} ev/s  "
            f"heapq floor {row['floor_events_per_s']:9.0f} ev/s  "
            f"ratio {row['ratio']:.2f}x  "
            f"peak mem (120 s) engine {row['engine_peak_mib_120s']:.1f} MiB / "
            f"floor {row['floor_peak_mib_120s']:.1f} MiB",
            flush=True,
        )
    write(
        args.json,
        {
            "benchmark": "engine_throughput",
            "params": vars(args)
            | {"sizes": sizes, "horizon": horizon, "json": str(args.json)},
            "versions": versions(),
            "rows": rows,
        },
    )


if __name__ == "__main__":
    main()
