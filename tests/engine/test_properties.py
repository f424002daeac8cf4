"""Property tests of the event-driven engine over random timing configurations.

Each example builds a random forest of 1-6 agents (random parents), each with a
random tick interval (0.1-5 s; 0.1-1 s in the "fast" half of properties 4 and 5,
where jitter reorders deliveries more), phase, obs/act/msg delays (0-2 s, floats,
sometimes exactly 0), jitter type (every ``JitterType``) and ratio (0-0.5); some
agents act, some send a message to their parent and/or children at every
decision. Links are optionally lossy (``BernoulliLoss`` or
``GilbertElliottLoss``); the start time is 0 or a random offset; the horizon is
up to 30 s after the start (10 s for "fast" runs).

Examples per property (``max_examples``; generation is derandomized, so every
run checks the same examples; the whole file takes about 15-20 s on one core):

====  =============================================================  ========
 no.  property                                                        examples
====  =============================================================  ========
 1    trace times never decrease                                         150
 2    per agent, ticks strictly increase; first tick at start + phase    150
 3a   accounting after every single event; trace counts == stats          60
 3b   accounting at many intermediate horizons; split run == one run      60
 4    apply / deliver times, decision order, at-most-once, link FIFO     200
 5    decisions never use a future or an older observation; discards     200
 6    same seed => identical trace; another seed => another trace         60
 7    reset(): identical re-run, old environment left empty               80
 8    half-open horizon: ceil((t_end - p) / d) ticks in [s, s + t_end)   300
====  =============================================================  ========
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from heron_simpy import Agent, JitterType, Simulation, TickConfig
from heron_simpy.timing import BernoulliLoss, GilbertElliottLoss, LossModel
from tests.conftest import Counter, acting, det, rows

INF = math.inf
EPS = 1e-9  # float tolerance for sums of a few dozen intervals of <= 5 s

PROPS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def props(max_examples: int) -> settings:
    """The shared settings with ``max_examples`` examples."""
    return settings(PROPS, max_examples=max_examples)


# ---------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Spec:
    """Timing and behaviour of one random agent."""

    agent_id: str
    parent: str | None
    tick: float
    phase: float
    obs: float
    act: float
    msg: float
    jitter: JitterType
    ratio: float
    acts: bool
    to_parent: bool
    to_children: bool

    def config(self) -> TickConfig:
        return TickConfig(
            tick_interval=self.tick,
            obs_delay=self.obs,
            act_delay=self.act,
            msg_delay=self.msg,
            jitter_type=self.jitter,
            jitter_ratio=self.ratio,
            phase=self.phase,
        )

    @property
    def jittered(self) -> bool:
        return self.jitter is not JitterType.NONE and self.ratio > 0.0


@dataclass(frozen=True)
class Scenario:
    """A random configuration of a whole run."""

    specs: tuple[Spec, ...]
    loss: LossModel | None
    seed: int
    start: float
    horizon: float

    @property
    def t_end(self) -> float:
        return self.start + self.horizon


# Hypothesis tries the simplest values (the first branch of ``one_of``, the low
# end of a range) first and often; the strategies below put the *interesting*
# value first (non-zero delays, jitter, long horizons, many agents, parents) so
# that a derandomized run of few examples still covers rich configurations.


def down_from(top: float, width: float) -> st.SearchStrategy[float]:
    """Floats in ``[top - width, top]``, simplest (most often drawn) at ``top``."""
    return st.floats(0.0, width).map(lambda x: top - x)


delays = st.one_of(down_from(2.0, 1.99), st.just(0.0))  # 0 - 2 s
ratios = st.one_of(down_from(0.5, 0.49), st.just(0.0))  # 0 - 0.5
jitters = st.sampled_from(
    [JitterType.LOGNORMAL, JitterType.GAUSSIAN, JitterType.UNIFORM, JitterType.NONE]
)
likely = st.booleans().map(lambda b: not b)  # True is drawn more often
seeds = st.integers(0, 2**32 - 1)
probabilities = st.floats(0.0, 1.0)
losses = st.one_of(
    st.builds(
        GilbertElliottLoss,
        probabilities,
        st.floats(0.01, 1.0),
        probabilities,
        probabilities,
    ),
    st.builds(BernoulliLoss, probabilities),
    st.none(),
)


@st.composite
def specs(
    draw: st.DrawFn, index: int, ticks: st.SearchStrategy[float] | None = None
) -> Spec:
    parent = None
    if index > 0:  # the latest agent first: deep trees are drawn often
        parent = draw(
            st.sampled_from([*(f"a{j}" for j in reversed(range(index))), None])
        )
    return Spec(
        agent_id=f"a{index}",
        parent=parent,
        tick=draw(down_from(5.0, 4.9) if ticks is None else ticks),  # 0.1 - 5 s
        phase=draw(st.one_of(st.floats(0.0, 3.0), st.just(0.0))),
        obs=draw(delays),
        act=draw(delays),
        msg=draw(delays),
        jitter=draw(jitters),
        ratio=draw(ratios),
        acts=draw(likely),
        to_parent=draw(likely),
        to_children=draw(likely),
    )


@st.composite
def scenarios(draw: st.DrawFn, fast: bool = False) -> Scenario:
    """A random run; ``fast`` ticks every 0.1 - 1 s (jitter reorders more)."""
    n = draw(st.integers(0, 5).map(lambda k: 6 - k))  # 1 - 6 agents
    ticks = st.floats(0.1, 1.0) if fast else None
    return Scenario(
        specs=tuple(draw(specs(i, ticks)) for i in range(n)),
        loss=draw(losses),
        seed=draw(seeds),
        start=draw(st.one_of(st.just(0.0), st.floats(0.0, 100.0))),
        horizon=draw(down_from(10.0 if fast else 30.0, 9.5 if fast else 29.5)),
    )


class Log:
    """What the controllers saw: (time, agent, msg_ids of the inbox) per decision."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, tuple[int, ...]]] = []


def build(scn: Scenario, seed: int | None = None) -> tuple[Simulation, Counter, Log]:
    """A Simulation of ``scn`` (with ``seed`` instead of ``scn.seed`` if given)."""
    plant = Counter([s.agent_id for s in scn.specs])
    sim = Simulation(
        plant,
        seed=scn.seed if seed is None else seed,
        start_time=scn.start,
        loss=scn.loss,
    )
    log = Log()
    for spec in scn.specs:
        children = [s.agent_id for s in scn.specs if s.parent == spec.agent_id]
        targets = [spec.parent] if spec.to_parent and spec.parent else []
        targets += children if spec.to_children else []
        sim.add_agent(
            Agent(
                spec.agent_id,
                parent=spec.parent,
                sensor=lambda plant, agent_id: plant.value[agent_id],
                controller=controller(targets, spec.acts, log),
            ),
            tick=spec.config(),
        )
    return sim, plant, log


def controller(targets: list[str], acts: bool, log: Log) -> Any:
    def decide(agent_id: str, obs: Any, messages: tuple, ctx: Any) -> Any:
        log.seen.append((ctx.now, agent_id, tuple(m.msg_id for m in messages)))
        for target in targets:
            ctx.send(target, (agent_id, ctx.now, obs))
        return 1.0 if acts else None

    return decide


def run(scn: Scenario, seed: int | None = None) -> tuple[Simulation, Counter, Log]:
    sim, plant, log = build(scn, seed)
    sim.run_until(scn.t_end)
    return sim, plant, log


def of_kind(trace: Iterable[Any], kind: str) -> list[Any]:
    return [r for r in trace if r.kind == kind]


# ---------------------------------------------------------------- checks
def check_accounting(sim: Simulation) -> None:
    s = sim.stats
    assert s.messages_sent == (
        s.messages_delivered + s.messages_dropped + s.messages_in_flight
    )
    assert s.messages_accounted
    assert min(s.messages_in_flight, s.actions_in_flight) >= 0


def check_record_total(sim: Simulation) -> None:
    """One record per counted happening (O(1): safe to call after every event)."""
    s = sim.stats
    assert len(sim.kernel.recorder) == (
        s.ticks
        + s.observations_delivered
        + s.observations_discarded
        + s.decisions
        + s.actions_applied
        + s.messages_sent
        + s.messages_delivered
        + s.messages_dropped
    )


def check_trace_counts(sim: Simulation) -> None:
    trace, s = sim.trace, sim.stats
    kinds = [r.kind for r in trace]
    assert kinds.count("send") == s.messages_sent
    assert kinds.count("deliver") == s.messages_delivered
    assert kinds.count("drop") == s.messages_dropped
    assert kinds.count("tick") == s.ticks
    assert kinds.count("decide") == s.decisions
    assert kinds.count("apply") == s.actions_applied
    assert kinds.count("observe") == s.observations_delivered
    assert kinds.count("discard") == s.observations_discarded
    assert s.observations_delivered == s.decisions + s.observations_discarded


def check_ticks(scn: Scenario, trace: list[Any]) -> None:
    times: dict[str, list[float]] = defaultdict(list)
    for r in of_kind(trace, "tick"):
        times[r.agent_id].append(r.time)
    for spec in scn.specs:
        ts = times[spec.agent_id]
        first = scn.start + spec.phase
        if first >= scn.t_end:
            assert ts == []
            continue
        assert ts[0] == first
        assert all(t < scn.t_end for t in ts)
        gaps = [b - a for a, b in pairwise(ts)]
        assert all(g > 0 for g in gaps)
        check_gaps(spec, gaps)
        # The next tick would fall at or after the horizon (no tick is missing):
        # the largest possible interval is bounded for NONE / UNIFORM jitter.
        if not spec.jittered or spec.jitter is JitterType.UNIFORM:
            assert ts[-1] + spec.tick * (1 + spec.ratio) + EPS >= scn.t_end


def check_gaps(spec: Spec, gaps: list[float]) -> None:
    """Intervals respect the floor, and the jitter bounds where they exist."""
    b, r = spec.tick, spec.ratio
    for g in gaps:
        assert g >= 0.1 * b - EPS
        if not spec.jittered:
            assert abs(g - b) <= EPS
        elif spec.jitter is JitterType.UNIFORM:
            assert b * (1 - r) - EPS <= g <= b * (1 + r) + EPS


def check_applies(scn: Scenario, trace: list[Any]) -> None:
    decided: dict[str, list[float]] = defaultdict(list)
    applied: dict[str, list[float]] = defaultdict(list)
    last: dict[str, float] = {}
    for r in trace:
        if r.kind == "decide":
            decided[r.agent_id].append(r.time)
        elif r.kind == "apply":
            assert r.time >= r.decided_at + 0.0
            assert r.time >= last.get(r.agent_id, -INF)
            last[r.agent_id] = r.time
            applied[r.agent_id].append(r.decided_at)
    for spec in scn.specs:
        ds, aps = decided[spec.agent_id], applied[spec.agent_id]
        if spec.acts:  # effects land in decision order, none skipped
            assert aps == ds[: len(aps)]
        else:
            assert aps == []


def check_messages(trace: list[Any]) -> None:
    sends: dict[int, Any] = {}
    done: set[int] = set()
    last_on_link: dict[tuple[str, str], int] = {}
    for r in trace:
        if r.kind == "send":
            assert r.msg_id == len(sends)  # 0, 1, 2, ... in send order
            sends[r.msg_id] = r
        elif r.kind in ("deliver", "drop"):
            assert r.msg_id not in done  # delivered or dropped at most once
            done.add(r.msg_id)
            check_fate(r, sends[r.msg_id], last_on_link)


def check_fate(r: Any, send: Any, last_on_link: dict[tuple[str, str], int]) -> None:
    """A deliver / drop record matches its send; deliveries are FIFO per link."""
    if r.kind == "drop":
        assert (r.time, r.agent_id, r.recipient) == (
            send.time,
            send.agent_id,
            send.recipient,
        )
        return
    assert (r.sender, r.agent_id, r.sent_at) == (
        send.agent_id,
        send.recipient,
        send.time,
    )
    assert r.time >= r.sent_at
    link = (r.sender, r.agent_id)
    assert r.msg_id > last_on_link.get(link, -1)
    last_on_link[link] = r.msg_id


def check_inbox_reads(trace: list[Any], log: Log) -> None:
    """Each decision reads exactly the messages delivered since the previous one."""
    delivered: dict[int, Any] = {r.msg_id: r for r in of_kind(trace, "deliver")}
    read: set[int] = set()
    for now, agent_id, ids in log.seen:
        for msg_id in ids:
            assert msg_id not in read
            read.add(msg_id)
            d = delivered[msg_id]
            assert d.agent_id == agent_id
            assert d.time <= now
        assert list(ids) == sorted(ids, key=lambda i: delivered[i].time)


def check_observations(trace: list[Any]) -> None:
    ticks: dict[str, set[float]] = defaultdict(set)
    last_used: dict[str, float] = {}
    prev: Any = None
    for r in trace:
        a = r.agent_id
        if r.kind == "tick":
            ticks[a].add(r.time)
        elif r.kind == "observe":
            assert r.sampled_at in ticks[a]
            assert r.sampled_at <= r.time
        elif r.kind == "decide":
            assert r.sampled_at <= r.time  # never an observation from the future
            assert r.sampled_at >= last_used.get(a, -INF)  # never an older one
            last_used[a] = r.sampled_at
        elif r.kind == "discard":
            assert r.sampled_at < last_used[a]
        if r.kind in ("decide", "discard"):  # right after its own delivery
            assert (prev.kind, prev.agent_id, prev.sampled_at, prev.time) == (
                "observe",
                a,
                r.sampled_at,
                r.time,
            )
        prev = r


# ---------------------------------------------------------------- properties
@props(150)
@given(scn=scenarios())
def test_trace_times_never_decrease(scn: Scenario) -> None:
    sim, _, _ = run(scn)
    times = [r.time for r in sim.trace]
    assert all(a <= b for a, b in pairwise(times))
    assert all(scn.start <= t < scn.t_end for t in times)
    assert sim.now == scn.t_end


@props(150)
@given(scn=scenarios())
def test_ticks_strictly_increase_from_start_plus_phase(scn: Scenario) -> None:
    sim, _, _ = run(scn)
    check_ticks(scn, sim.trace)


@props(60)
@given(scn=scenarios())
def test_message_accounting_after_every_event(scn: Scenario) -> None:
    sim, _, _ = build(scn)
    steps = 0
    while sim.run_until(scn.t_end, max_events=1):
        steps += 1
        check_accounting(sim)
        check_record_total(sim)
        if steps % 32 == 0:
            check_trace_counts(sim)
    assert sim.now == scn.t_end
    check_trace_counts(sim)
    assert sim.stats.events_processed == steps
    ref, _, _ = run(scn)  # stepping one event at a time changes nothing
    assert rows(sim.trace) == rows(ref.trace)
    in_flight = {r.msg_id for r in of_kind(ref.trace, "send")}
    in_flight -= {r.msg_id for r in ref.trace if r.kind in ("deliver", "drop")}
    assert len(in_flight) == ref.stats.messages_in_flight


@props(60)
@given(
    scn=scenarios(),
    cuts=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=12),
)
def test_message_accounting_at_intermediate_horizons(
    scn: Scenario, cuts: list[float]
) -> None:
    sim, _, _ = build(scn)
    for cut in sorted(cuts):
        sim.run_until(scn.start + cut * scn.horizon)
        check_accounting(sim)
        check_trace_counts(sim)
    sim.run_until(scn.t_end)
    check_trace_counts(sim)
    ref, _, _ = run(scn)
    assert rows(sim.trace) == rows(ref.trace)


@props(200)
@given(scn=st.one_of(scenarios(fast=True), scenarios()))
def test_effects_and_messages_are_causal_ordered_and_fifo(scn: Scenario) -> None:
    sim, plant, log = run(scn)
    trace = sim.trace
    check_applies(scn, trace)
    check_messages(trace)
    check_inbox_reads(trace, log)
    applies = of_kind(trace, "apply")
    assert plant.applied == [(r.agent_id, 1.0) for r in applies]
    acting_decisions = sum(
        1
        for r in of_kind(trace, "decide")
        for s in scn.specs
        if s.agent_id == r.agent_id and s.acts
    )
    assert sim.stats.actions_in_flight == acting_decisions - len(applies)


@props(200)
@given(scn=st.one_of(scenarios(fast=True), scenarios()))
def test_decisions_never_use_future_or_older_observations(scn: Scenario) -> None:
    sim, _, log = run(scn)
    check_observations(sim.trace)
    decisions = [(r.time, r.agent_id) for r in of_kind(sim.trace, "decide")]
    assert decisions == [(t, a) for t, a, _ in log.seen]


@props(60)
@given(scn=scenarios(), other=seeds)
def test_seed_determines_the_trace(scn: Scenario, other: int) -> None:
    first, plant1, log1 = run(scn)
    again, plant2, log2 = run(scn)
    assert rows(first.trace) == rows(again.trace)
    assert same_stats(first.stats.as_dict(), again.stats.as_dict())
    assert plant1.applied == plant2.applied
    assert log1.seen == log2.seen
    # Another seed moves the second tick of a jittered agent (continuous draw).
    assume(other != scn.seed)
    ticks: dict[str, int] = defaultdict(int)
    for r in of_kind(first.trace, "tick"):
        ticks[r.agent_id] += 1
    assume(any(s.jittered and ticks[s.agent_id] >= 3 for s in scn.specs))
    different, _, _ = run(scn, seed=other)
    assert rows(different.trace) != rows(first.trace)


def with_reader(scn: Scenario, got: list[Any]) -> Simulation:
    """``build(scn)`` plus a user process blocked on the last agent's inbox."""
    sim, _, _ = build(scn)
    reader = scn.specs[-1].agent_id

    def read_inbox(s: Simulation) -> Any:
        while True:
            got.append((yield s.broker.inbox(reader).get()))

    sim.add_process(read_inbox)
    return sim


@props(80)
@given(
    scn=scenarios(),
    cut=st.floats(0.0, 1.0).map(lambda x: 1.0 - x),
    extra=st.integers(0, 7),
    blocked_reader=st.booleans(),
)
def test_reset_replays_and_leaves_old_environment_empty(
    scn: Scenario, cut: float, extra: int, blocked_reader: bool
) -> None:
    got: list[Any] = []
    sim = with_reader(scn, got) if blocked_reader else build(scn)[0]
    t_cut = scn.start + cut * scn.horizon

    def run_to_cut() -> None:
        sim.run_until(t_cut)
        if extra:  # stop in the middle of an instant
            sim.run_until(scn.t_end, max_events=extra)

    run_to_cut()
    old_env = sim.env
    old_procs = list(sim.kernel._processes)
    old_stores = list(sim.kernel._stores)
    first, first_stats, first_got = rows(sim.trace), sim.stats.as_dict(), list(got)
    sim.reset()
    assert old_env.peek() == INF
    assert not any(p.is_alive for p in old_procs)
    assert sim.kernel.live_processes == 0
    assert all(not (s.items or s.get_queue or s.put_queue) for s in old_stores)
    assert (sim.now, sim.trace, sim.stats.messages_sent) == (scn.start, [], 0)
    got.clear()
    run_to_cut()
    assert rows(sim.trace) == first
    assert same_stats(sim.stats.as_dict(), first_stats)
    assert got == first_got
    assert old_env.peek() == INF  # the new episode did not touch the old one
    sim.run_until(scn.t_end)
    ref = with_reader(scn, []) if blocked_reader else build(scn)[0]
    ref.run_until(scn.t_end)
    assert rows(sim.trace) == rows(ref.trace)


def same_stats(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal counters (nan means equal nan)."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


def eighths(lo: int, hi: int) -> st.SearchStrategy[float]:
    """Multiples of 0.125 s (exact in binary, so sums of them are exact too)."""
    return st.integers(lo, hi).map(lambda k: k * 0.125)


@props(300)
@given(
    d=eighths(1, 40),
    p=eighths(0, 80),
    t_end=eighths(1, 240),
    start=st.one_of(st.just(0.0), eighths(1, 800)),
    split=st.one_of(st.none(), eighths(0, 240)),
)
def test_half_open_horizon_tick_count(
    d: float, p: float, t_end: float, start: float, split: float | None
) -> None:
    """``ceil((t_end - p) / d)`` ticks in ``[start, start + t_end)``."""
    sim = Simulation(Counter(["dev", "other"]), seed=0, start_time=start)
    sim.add_agent(acting("dev"), tick=det(d, phase=p))
    sim.add_agent(  # a jittered neighbour must not disturb the count
        acting("other"),
        tick=TickConfig.with_jitter(0.3, 0.1, 0.2, 0.0, "lognormal", 0.5),
    )
    if split is not None and split <= t_end:
        sim.run_until(start + split)
    sim.run_until(start + t_end)
    ticks = [r.time for r in sim.trace if r.kind == "tick" and r.agent_id == "dev"]
    expected = math.ceil((t_end - p) / d) if p < t_end else 0
    assert len(ticks) == expected
    assert ticks == [start + p + k * d for k in range(expected)]
    assert sim.now == start + t_end
