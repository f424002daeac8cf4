"""Engine throughput against a hand-written heapq event loop (the CPython floor).

Run by ``heron-simpy bench`` (installed package) and by
``benchmarks/engine_throughput.py`` (a source checkout, with JSON output).

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

    heron-simpy bench                                      # N = 10, 100, 1000
    heron-simpy bench --quick                              # N = 10, 100, 300 s
    python benchmarks/engine_throughput.py --json out.json # the same, plus JSON
"""

from __future__ import annotations

import gc
import heapq
import math
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

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
from heron_simpy.recording.recorder import Mode as RecorderMode
from heron_simpy.timing import generator

__all__ = ["build", "check", "describe", "measure", "run", "run_engine", "run_floor"]

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
        """Seeded initial charges in [0.2, 0.8)."""
        self.soc = rng.uniform(0.2, 0.8, self.n)

    def advance(self, dt: float) -> None:
        """Self-discharge over ``dt`` s."""
        self.soc *= 1.0 - 1e-5 * dt

    def apply(self, agent_id: str, action: float) -> None:
        """Add ``action`` to the agent's charge."""
        self.soc[self.index[agent_id]] += action


class Field(Agent):
    """A battery controller nudging its charge towards the latest setpoint."""

    def __init__(self, i: int, parent: str) -> None:
        super().__init__(f"f{i}", parent=parent, tick_interval=1.0)
        self.i = i
        self.target = 0.5

    def sense(self, plant: Bank) -> float:
        """Read the own charge."""
        return float(plant.soc[self.i])

    def decide(self, obs: float, messages: tuple[Any, ...], ctx: Any) -> float:
        """Follow the last setpoint received."""
        for m in messages:
            self.target = m.payload
        return GAIN * (self.target - obs)


class Coordinator(Agent):
    """Sends each of its 10 batteries a setpoint every tick."""

    def __init__(self, j: int, children: list[str]) -> None:
        super().__init__(f"c{j}", level="coordinator", tick_interval=60.0)
        self.j = j
        self.children = children

    def sense(self, plant: Bank) -> float:
        """Read the mean charge of the group."""
        return float(plant.soc[10 * self.j : 10 * self.j + 10].mean())

    def decide(self, obs: float, messages: tuple[Any, ...], ctx: Any) -> None:
        """Send every child the group's setpoint."""
        target = 0.5 + 0.1 * (0.5 - obs)
        for child in self.children:
            ctx.send(child, target)


def build(n: int, seed: int, mode: RecorderMode) -> tuple[Simulation, Bank]:
    """The workload on the engine: N batteries, N/10 coordinators."""
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
    n: int, horizon: float, seed: int, mode: RecorderMode = "counts"
) -> tuple[float, int, Any, Bank]:
    """Run the engine; return wall s, logical events, trace, plant."""
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
def run_floor(  # noqa: C901, PLR0912, PLR0915  (one flat loop on purpose: no calls per event)
    n: int, horizon: float, seed: int, keep: bool = False
) -> tuple[float, int, list[Any], Bank]:
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
    trace: list[Any] = []
    rec = trace.append
    step_done = 0
    counts = [0, 0, 0, 0]  # ticks, observations, applies, deliveries
    msg_id = 0
    heap: list[Any] = []
    seq = 0
    TICK_, OBS_, APPLY_, DELIV_ = 0, 1, 2, 3  # noqa: N806  (locals: fast in the loop)
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


def peak_memory(fn: Callable[..., Any], *args: Any) -> int:
    """Peak bytes traced (tracemalloc) while ``fn(*args)`` runs."""
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(n: int, horizon: float, seed: int, repeat: int = 1) -> dict[str, Any]:
    """Time the engine and the heapq floor at ``n`` agents (best of ``repeat``).

    Returns:
        One row: events, events/s of both, their ratio, peak traced memory of a
        120 s run of both, MiB.
    """
    best_e = best_f = math.inf
    ev_e = ev_f = 0
    for _ in range(repeat):
        wall_f, ev_f, _, _ = run_floor(n, horizon, seed)
        wall_e, ev_e, _, _ = run_engine(n, horizon, seed)
        assert ev_e == ev_f, (ev_e, ev_f)  # the trace check makes this hold
        best_e, best_f = min(best_e, wall_e), min(best_f, wall_f)
    mem_e = peak_memory(run_engine, n, min(horizon, 120.0), seed)
    mem_f = peak_memory(run_floor, n, min(horizon, 120.0), seed)
    return {
        "n": n,
        "horizon": horizon,
        "events": ev_e,
        "engine_events_per_s": ev_e / best_e,
        "floor_events_per_s": ev_f / best_f,
        "ratio": (ev_e / best_e) / (ev_f / best_f),
        "engine_peak_mib_120s": mem_e / 2**20,
        "floor_peak_mib_120s": mem_f / 2**20,
    }


def describe(row: dict[str, Any]) -> str:
    """One printed line of a :func:`measure` row."""
    return (
        f"N={row['n']:5d}  events={row['events']:9d}  "
        f"engine {row['engine_events_per_s']:9.0f} ev/s  "
        f"heapq floor {row['floor_events_per_s']:9.0f} ev/s  "
        f"ratio {row['ratio']:.2f}x  "
        f"peak mem (120 s) engine {row['engine_peak_mib_120s']:.1f} MiB / "
        f"floor {row['floor_peak_mib_120s']:.1f} MiB"
    )


def run(
    sizes: Sequence[int],
    horizon: float,
    seed: int = 0,
    repeat: int = 1,
    echo: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Check the traces agree, then measure every size; ``echo`` each line.

    Raises:
        SystemExit: The engine and the floor disagree (nothing is timed).
    """
    check(20, 600.0, seed)
    echo(f"trace check: engine == heapq floor (N=20, 600 s, seed {seed})")
    rows = []
    for n in sizes:
        row = measure(n, horizon, seed, repeat)
        rows.append(row)
        echo(describe(row))
    return rows
