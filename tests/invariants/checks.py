"""Reusable invariant checks: after every event (:class:`Monitor`) and over a trace.

:func:`check_trace` reads a finished run (``sim.trace``, ``sim.stats``, the
agents' timing and ``sim.faults``) in one pass, in trace order, and asserts:

- record times never decrease and lie in ``[start, now]``;
- per-kind record counts equal the counters of ``sim.stats``;
- fault ``start`` / ``end`` records are exactly those the specs imply (each
  target at ``start + fault.start`` and ``start + fault.end``, before ``now``);
- an agent never ticks, observes, decides, discards or sends while crashed;
  it ticks again at the instant it restarts;
- every ``apply`` matches an earlier ``decide`` of the same agent at
  ``decided_at``, lands in decision order, no earlier than ``decided_at`` plus
  the agent's smallest possible act delay (exactly that for a deterministic
  delay), and is never an action lost to an ``in_flight="lost"`` crash
  (one starting while the agent was up, in ``(decided_at, apply]``); with
  ``in_flight="kept"`` it may land while the agent is down;
- every ``observe`` was sampled at one of the agent's ticks, not in a sensor
  dropout, no later than its delivery (exactly ``obs_delay`` later when
  deterministic) and with no crash of the agent in between; every
  ``decide``/``discard`` directly follows its own ``observe``; decisions never
  use an observation older than one already used;
- every ``deliver``/``drop`` matches an earlier ``send`` (same ``msg_id``,
  link and send time), each message meets at most one fate, deliveries are
  FIFO per link and not earlier than the sender's smallest message delay; a
  message sent while a ``drop`` outage covers its link is dropped, one sent
  while only ``queue`` outages cover it arrives no earlier than their end; a
  lossless run drops nothing else; ``sent - fated`` equals
  ``stats.messages_in_flight``;
- ``lose`` records have a matching fault cause: a dropout tick (right after
  the tick), an observation or action caught by a crash in
  ``(origin, time]``, or an inbox message flushed at the crash instant.

- by time, from the fault records' ``[start, end)`` windows: no tick,
  observation, decision or send inside a crash window; no observation sampled
  inside a sensor dropout is delivered, and every dropout loss lies in one;
- same-time order within each instant: fault transitions, then effects, then
  ticks (parents first), then observations / decisions / sends (by rank),
  then deliveries (a zero-delay effect lands right after its decision).

The per-record checks read fault state from the ``fault`` records in trace
order, which is the order the engine applied them (several transitions at one
instant run in the order the faults were installed); the window checks read
it by time, so a transition applied in the wrong order within an instant is
caught too.

Bugs these checks found are pinned as regression tests in ``test_regressions.py``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from hypothesis import event

from heron_simpy import JitterType, Simulation, TickConfig
from heron_simpy.faults import ClockDrift, Fault, LinkOutage
from heron_simpy.timing import resolve_profile
from heron_simpy.timing.jitter import RatioDelay

INF = math.inf
#: Record kinds a crashed agent must not produce.
FORBIDDEN_WHILE_DOWN = frozenset({"tick", "observe", "discard", "decide", "send"})

# ---------------------------------------------------------------- helpers


def detail(fault: Fault) -> str:
    """The ``detail`` text a fault record carries for ``fault``."""
    return " ".join(
        f"{k}={v}" for k, v in fault.as_dict().items() if k not in ("kind", "agent")
    )


def delay_floor(model: Any, min_delay: float) -> tuple[float, bool]:
    """``(smallest possible sample, exact)`` of a delay model.

    Exact means the model is a constant: every sample equals the floor.
    """
    if getattr(model, "is_deterministic", False):
        return float(model.mean), True
    if isinstance(model, RatioDelay) and model.jitter_type is JitterType.UNIFORM:
        low = model.base * (1.0 - model.ratio) * (1.0 - 1e-12)
        return max(model.floor, low), False
    return float(min_delay), False


def local_clock(drift: ClockDrift | None, start: float, t: float) -> float:
    """What a drifting clock reads at true time ``t`` (the documented formula)."""
    if drift is None:
        return t
    return start + (t - start) * drift.rate + drift.offset


def drift_of(faults: Iterable[Fault], agent_id: str) -> ClockDrift | None:
    """The clock drift of ``agent_id`` (the last one naming it wins)."""
    out = None
    for f in faults:
        if isinstance(f, ClockDrift) and fnmatchcase(agent_id, f.agent):
            out = f
    return out


def targets(fault: Fault, agent_ids: Iterable[str]) -> list[str]:
    """The ``agent_id`` values of the fault records ``fault`` produces."""
    if isinstance(fault, LinkOutage):
        return [fault.sender]
    return [a for a in agent_ids if fnmatchcase(a, fault.agent)]  # type: ignore[attr-defined]


def expected_fault_records(sim: Simulation) -> list[tuple[float, str, str, str]]:
    """``(time, agent_id, kind, phase)`` of every transition before ``sim.now``."""
    t0, now = sim.kernel.start_time, sim.now
    out = []
    for f in sim.faults:
        for a in targets(f, sim.agent_ids):
            if isinstance(f, ClockDrift):
                out.append((t0, a, f.kind, "start"))
                continue
            for at, phase in ((t0 + f.start, "start"), (t0 + f.end, "end")):  # type: ignore[attr-defined]
                if at < now:
                    out.append((at, a, f.kind, phase))
    return sorted(out)


def same_trace(a: Iterable[Any], b: Iterable[Any]) -> bool:
    """Records equal field for field *and* kind (tuples alone ignore the kind)."""
    return [(r.kind, *r) for r in a] == [(r.kind, *r) for r in b]


def stats_dict(sim: Simulation) -> dict[str, Any]:
    """The counters, NaN replaced by None (so that dicts compare with ==)."""
    return {
        k: None if isinstance(v, float) and math.isnan(v) else v
        for k, v in sim.stats.as_dict().items()
    }


# ---------------------------------------------------------------- per event
STAT_OF: Mapping[str, str] = {
    "tick": "ticks",
    "observe": "observations_delivered",
    "discard": "observations_discarded",
    "decide": "decisions",
    "apply": "actions_applied",
    "send": "messages_sent",
    "deliver": "messages_delivered",
    "drop": "messages_dropped",
    "fault:start": "faults",
    "lose:observation": "observations_lost",
    "lose:action": "actions_lost",
    "lose:message": "messages_flushed",
}


def count_key(r: Any) -> str:
    """The counter a record is counted in (``lose`` by item, ``fault`` by phase)."""
    if r.kind == "lose":
        return f"lose:{r.item}"
    if r.kind == "fault":
        return f"fault:{r.phase}"
    return str(r.kind)


class Monitor:
    """Step a run one SimPy event at a time and check it after *every* event.

    After each event: ``sent == delivered + dropped + in flight``; nothing in
    flight is negative; the clock never goes back; the new records are stamped
    with the current time; no new record is a tick, observation, decision or
    send of an agent that is crashed right now (``process.down``); and the
    records kept so far, counted by kind, equal the stats counters (so the
    trace is accounted at every point, not just at the end).
    """

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.seen = 0
        self.counts: Counter[str] = Counter()
        self.last = -INF
        self.events = 0

    def run(self, t_end: float, batch: int = 1) -> int:
        """Run to ``t_end`` in steps of ``batch`` events; return the events run."""
        while self.sim.run_until(t_end, max_events=batch):
            self.events += 1
            self.check(exact=batch == 1)
        self.check(exact=False)
        assert self.sim.now == t_end
        return self.events

    def check(self, exact: bool = True) -> None:
        sim, s = self.sim, self.sim.stats
        assert s.messages_sent == (
            s.messages_delivered + s.messages_dropped + s.messages_in_flight
        ), s
        assert s.messages_accounted
        assert s.messages_in_flight >= 0, s
        assert s.actions_in_flight >= 0, s
        now = sim.now
        assert now >= self.last
        self.last = now
        items = sim.kernel.recorder._items  # the live list (``records`` copies)
        new = items[self.seen :]
        self.seen = len(items)
        procs = sim.processes
        for r in new:
            assert r.time == now if exact else r.time <= now, (r, now)
            self.counts[count_key(r)] += 1
            if exact and r.kind in FORBIDDEN_WHILE_DOWN:
                assert not procs[r.agent_id].down, f"{r} while crashed"
        for key, name in STAT_OF.items():
            assert self.counts[key] == getattr(s, name), (key, self.counts, s)
        in_flight = self.counts["send"] - self.counts["deliver"] - self.counts["drop"]
        assert in_flight == s.messages_in_flight


# ---------------------------------------------------------------- trace
@dataclass
class AgentState:
    """What the checker knows about one agent at a point of the trace."""

    config: TickConfig
    ticks: list[float] = field(default_factory=list)
    tick_set: set[float] = field(default_factory=set)
    dropped: set[float] = field(default_factory=set)  # ticks in a dropout
    crash: int = 0
    crash_starts: list[float] = field(default_factory=list)  # went down
    lost_starts: list[float] = field(default_factory=list)  # ...with in_flight=lost
    restarts: list[float] = field(default_factory=list)  # came back up
    dropout: int = 0
    stuck: int = 0
    stuck_since: float = -INF
    #: tick time -> start of the stuck period it fell in (None: healthy sensor)
    stuck_at: dict[float, float | None] = field(default_factory=dict)
    saturations: list[Any] = field(default_factory=list)  # active specs
    last_used: float = -INF
    decided: Counter[float] = field(default_factory=Counter)
    last_effect: tuple[float, float] = (-INF, -INF)  # (time, decided_at)
    #: apply / lose-action records in order, with the saturations active then
    effects: list[tuple[Any, tuple[Any, ...]]] = field(default_factory=list)

    @property
    def down(self) -> bool:
        return self.crash > 0


@dataclass
class Facts:
    """What a trace check learned (for scenario-specific checks)."""

    agents: dict[str, AgentState]
    sends: list[Any]
    fates: dict[int, Any]
    at_send: dict[int, tuple[bool, float]]  # msg_id -> (drop outage?, queue end)


def _between(low: float, times: Iterable[float], high: float) -> bool:
    """Whether some time lies in ``(low, high]``."""
    return any(low < c <= high for c in times)


class TraceChecker:
    """One pass over ``sim.trace`` asserting the invariants of the module docstring.

    Args:
        sim: A simulation whose run has finished (``run_until`` returned with
            no event cap hit, so every event before ``sim.now`` ran).
        lossless: The links have no loss model: only drop outages drop.
    """

    def __init__(self, sim: Simulation, lossless: bool = False) -> None:
        self.sim = sim
        self.t0 = sim.kernel.start_time
        self.lossless = lossless
        self.agents = {a: AgentState(p.config) for a, p in sim.processes.items()}
        self.specs = {(f.kind, detail(f)): f for f in sim.faults}
        self.outages: list[tuple[LinkOutage, float]] = []  # (spec, absolute end)
        self.sends: list[Any] = []
        self.at_send: dict[int, tuple[bool, float]] = {}  # drop outage?, queue end
        self.fates: dict[int, Any] = {}
        self.fifo: dict[tuple[str, str], int] = {}
        self.prev: Any = None
        self.expect: Callable[[Any], bool] | None = None
        self.handlers: dict[str, Callable[[Any], None]] = {
            "tick": self.on_tick,
            "observe": self.on_observe,
            "decide": self.on_decide,
            "discard": self.on_discard,
            "apply": self.on_apply,
            "send": self.on_send,
            "deliver": self.on_deliver,
            "drop": self.on_drop,
            "fault": self.on_fault,
            "lose": self.on_lose,
        }

    # ------------------------------------------------------------ driver
    def run(self) -> Facts:
        trace = self.sim.trace
        last = self.t0
        for r in trace:
            assert last <= r.time <= self.sim.now, (r, last)
            last = r.time
            if self.expect is not None:
                assert self.expect(r), f"{r} after {self.prev}"
                self.expect = None
            self.handlers[r.kind](r)
            self.prev = r
        assert self.expect is None, f"trace ends right after {self.prev}"
        self.finish(trace)
        return Facts(self.agents, self.sends, self.fates, self.at_send)

    def finish(self, trace: list[Any]) -> None:
        sim, s = self.sim, self.sim.stats
        counts = Counter(count_key(r) for r in trace)
        for key, name in STAT_OF.items():
            assert counts[key] == getattr(s, name), (key, counts[key], s)
        assert s.observations_delivered == s.decisions + s.observations_discarded
        assert len(self.sends) - len(self.fates) == s.messages_in_flight
        assert s.messages_accounted
        assert s.actions_in_flight >= 0
        got = sorted(
            (r.time, r.agent_id, r.fault, r.phase) for r in trace if r.kind == "fault"
        )
        assert got == expected_fault_records(sim)
        check_crash_windows(trace)
        check_dropout_windows(trace)
        ranks = {a: k for k, a in enumerate(sim.agent_ids)}
        check_same_time_order(trace, ranks)
        for a, st in self.agents.items():
            for t in st.restarts:  # a restarted agent ticks at once
                if t < sim.now and t not in st.crash_starts:
                    assert t in st.tick_set, f"{a} restarted at {t} without a tick"

    # ------------------------------------------------------------ agents
    def on_tick(self, r: Any) -> None:
        st = self.agents[r.agent_id]
        assert not st.down, f"{r} while crashed"
        assert not st.ticks or r.time > st.ticks[-1], r
        st.ticks.append(r.time)
        st.tick_set.add(r.time)
        st.stuck_at[r.time] = st.stuck_since if st.stuck else None
        if st.dropout:
            st.dropped.add(r.time)
            self.expect = lambda x: (
                x.kind == "lose"
                and (
                    x.agent_id,
                    x.time,
                    x.origin,
                    x.item,
                    x.cause,
                )
                == (r.agent_id, r.time, r.time, "observation", "sensor_dropout")
            )

    def on_observe(self, r: Any) -> None:
        st = self.agents[r.agent_id]
        assert not st.down, f"{r} while crashed"
        s = r.sampled_at
        assert s in st.tick_set, r
        assert s not in st.dropped, f"{r}: sampled during a sensor dropout"
        assert s <= r.time, r
        assert not _between(s, st.crash_starts, r.time), f"{r} across a crash"
        floor, exact = delay_floor(st.config.obs_model, st.config.min_delay)
        if exact:
            assert r.time == s + floor, (r, floor)
        else:
            assert r.time >= s + floor, (r, floor)

    def _after_observe(self, r: Any) -> AgentState:
        p = self.prev
        assert p is not None, r
        assert (p.kind, p.agent_id, p.sampled_at, p.time) == (
            "observe",
            r.agent_id,
            r.sampled_at,
            r.time,
        ), f"{r} not right after its observe ({p})"
        st = self.agents[r.agent_id]
        assert not st.down, f"{r} while crashed"
        return st

    def on_decide(self, r: Any) -> None:
        st = self._after_observe(r)
        assert r.sampled_at <= r.time  # never an observation from the future
        assert r.sampled_at >= st.last_used, f"{r} uses an older observation"
        st.last_used = r.sampled_at
        st.decided[r.time] += 1

    def on_discard(self, r: Any) -> None:
        st = self._after_observe(r)
        assert r.sampled_at < st.last_used, r

    def _effect(self, r: Any, decided_at: float) -> AgentState:
        st = self.agents[r.agent_id]
        assert st.decided[decided_at] > 0, f"{r}: no decision at {decided_at}"
        st.decided[decided_at] -= 1
        assert (r.time, decided_at) >= st.last_effect, f"{r} out of decision order"
        assert decided_at >= st.last_effect[1], f"{r} out of decision order"
        st.last_effect = (r.time, decided_at)
        st.effects.append((r, tuple(st.saturations)))
        return st

    def on_apply(self, r: Any) -> None:
        st = self._effect(r, r.decided_at)
        d = r.decided_at
        assert not _between(d, st.lost_starts, r.time), f"{r} survived a lost crash"
        floor, exact = delay_floor(st.config.act_model, st.config.min_delay)
        if exact:
            assert r.time == d + floor, (r, floor)
        else:
            assert r.time >= d + floor, (r, floor)

    # ------------------------------------------------------------ messages
    def on_send(self, r: Any) -> None:
        assert not self.agents[r.agent_id].down, f"{r} while crashed"
        assert r.msg_id == len(self.sends), r
        self.sends.append(r)
        hits = [
            (spec, end)
            for spec, end in self.outages
            if fnmatchcase(r.agent_id, spec.sender)
            and fnmatchcase(r.recipient, spec.recipient)
        ]
        drop = any(spec.mode == "drop" for spec, _ in hits)
        queue_end = max((end for _, end in hits), default=-INF)
        self.at_send[r.msg_id] = (drop, queue_end)
        if drop:  # the drop record comes with the send
            self.expect = lambda x: x.kind == "drop" and x.msg_id == r.msg_id

    def _fate(self, r: Any) -> Any:
        assert r.msg_id < len(self.sends), f"{r} without a send"
        assert r.msg_id not in self.fates, f"{r}: second fate"
        self.fates[r.msg_id] = r
        return self.sends[r.msg_id]

    def on_deliver(self, r: Any) -> None:
        send = self._fate(r)
        assert (r.sender, r.agent_id, r.sent_at) == (
            send.agent_id,
            send.recipient,
            send.time,
        ), (r, send)
        drop, queue_end = self.at_send[r.msg_id]
        assert not drop, f"{r} sent into a drop outage"
        if queue_end > -INF:
            assert r.time >= queue_end - 1e-9 * max(1.0, abs(queue_end)), r
        cfg = self.agents[r.sender].config
        floor, _ = delay_floor(cfg.msg_model, cfg.min_delay)
        assert r.time >= r.sent_at + floor, (r, floor)
        link = (r.sender, r.agent_id)
        assert r.msg_id > self.fifo.get(link, -1), f"{r} overtook on its link"
        self.fifo[link] = r.msg_id

    def on_drop(self, r: Any) -> None:
        send = self._fate(r)
        assert (r.time, r.agent_id, r.recipient) == (
            send.time,
            send.agent_id,
            send.recipient,
        ), (r, send)
        p = self.prev
        assert (p.kind, p.msg_id) == ("send", r.msg_id), f"{r} not at its send"
        drop, _ = self.at_send[r.msg_id]
        assert drop or not self.lossless, f"{r} on a lossless link, no outage"

    # ------------------------------------------------------------ faults
    def on_fault(self, r: Any) -> None:
        spec = self.specs.get((r.fault, r.detail))
        assert spec is not None, f"{r} matches no fault spec"
        assert r.phase in ("start", "end")
        if r.fault == "link_outage":
            entry = (spec, self.t0 + spec.end)
            if r.phase == "start":
                self.outages.append(entry)
            else:
                self.outages.remove(entry)
            return
        if r.fault == "clock_drift":
            assert (r.phase, r.time) == ("start", self.t0), r
            return
        st = self.agents[r.agent_id]
        step = 1 if r.phase == "start" else -1
        if r.fault == "crash":
            self._crash(st, r, step, spec.in_flight)
        elif r.fault == "sensor_dropout":
            st.dropout += step
        elif r.fault == "stuck_sensor":
            if step == 1 and st.stuck == 0:
                st.stuck_since = r.time
            st.stuck += step
        elif step == 1:  # actuator_saturation
            st.saturations.append(spec)
        else:
            st.saturations.remove(spec)
        assert min(st.crash, st.dropout, st.stuck) >= 0, r

    def _crash(self, st: AgentState, r: Any, step: int, in_flight: str) -> None:
        st.crash += step
        if step == 1 and st.crash == 1:  # went down now (not already down)
            st.crash_starts.append(r.time)
            if in_flight == "lost":
                st.lost_starts.append(r.time)
        elif step == -1 and st.crash == 0:
            st.restarts.append(r.time)

    def on_lose(self, r: Any) -> None:
        st = self.agents[r.agent_id]
        assert r.cause in ("crash", "sensor_dropout"), r
        assert r.origin <= r.time, r
        if r.cause == "sensor_dropout":  # checked by the expectation of its tick
            assert self.prev.kind == "tick", r
            assert r.origin in st.dropped, r
            return
        if r.item == "observation":
            assert r.origin in st.tick_set, r
            assert _between(r.origin, st.crash_starts, r.time), f"{r}: no crash"
        elif r.item == "action":
            self._effect(r, r.origin)
            assert _between(r.origin, st.lost_starts, r.time), f"{r}: no lost crash"
        else:
            assert r.item == "message", r
            assert st.crash_starts, r
            assert st.crash_starts[-1] == r.time, r
            assert any(
                d.kind == "deliver"
                and d.agent_id == r.agent_id
                and d.sent_at == r.origin
                for d in self.fates.values()
            ), f"{r}: flushed a message never delivered"


def windows(trace: Iterable[Any], kind: str) -> dict[str, list[tuple[float, float]]]:
    """Agent id -> ``[start, end)`` windows of its faults of ``kind`` (by record)."""
    opened: dict[tuple[str, str], list[float]] = defaultdict(list)
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in trace:
        if r.kind != "fault" or r.fault != kind:
            continue
        key = (r.agent_id, r.detail)
        if r.phase == "start":
            opened[key].append(r.time)
        else:
            out[r.agent_id].append((opened[key].pop(0), r.time))
    for (agent_id, _), starts in opened.items():
        out[agent_id].extend((t, INF) for t in starts)
    return out


def check_crash_windows(trace: list[Any]) -> None:
    """No tick, observation, decision or send of an agent in a crash window.

    The windows are ``[start, end)`` by time, as the fault records give them:
    a crash that starts at t holds for everything at t, whatever order the
    transitions of that instant ran in.
    """
    down = windows(trace, "crash")
    for r in trace:
        if r.kind in FORBIDDEN_WHILE_DOWN:
            hit = [w for w in down.get(r.agent_id, ()) if w[0] <= r.time < w[1]]
            assert not hit, f"{r} inside crash window(s) {hit}"


def check_dropout_windows(trace: list[Any]) -> None:
    """Sensor dropouts by time: no observation sampled in a window is delivered,
    and every observation lost to a dropout was sampled in one (``[start, end)``).
    """
    out = windows(trace, "sensor_dropout")
    for r in trace:
        if r.kind == "observe" or (r.kind == "lose" and r.cause == "sensor_dropout"):
            t = r.sampled_at if r.kind == "observe" else r.origin
            hit = any(w[0] <= t < w[1] for w in out.get(r.agent_id, ()))
            assert hit == (r.kind == "lose"), (
                f"{r} vs dropout windows {out.get(r.agent_id)}"
            )


#: Same-time phase of each record (engine/ordering.py; faults run at NORMAL).
_PHASE = {
    "fault": 0,
    "apply": 2,
    "tick": 3,
    "observe": 4,
    "decide": 4,
    "discard": 4,
    "send": 4,
    "drop": 4,
    "deliver": 5,
}
_LOSE_PHASE = {"message": 0, "action": 2}


def _phase(r: Any) -> int:
    if r.kind == "lose":
        if r.cause == "sensor_dropout":
            return 3
        return _LOSE_PHASE.get(r.item, 4)
    return _PHASE[r.kind]


def check_same_time_order(trace: list[Any], ranks: Mapping[str, int]) -> None:
    """Within one instant: fault transitions, then effects, then ticks, then
    observations / decisions / sends, then deliveries; ticks, observations and
    deliveries in rank order (parents first) within their phase.

    A zero-delay effect lands right after its own decision (skipped here).
    """
    last: tuple[float, int, int] = (-INF, -1, -1)
    for r in trace:
        if r.kind == "apply" and r.decided_at == r.time:
            continue
        phase = _phase(r)
        rank = ranks.get(r.agent_id, -1) if phase in (3, 4, 5) else -1
        key = (r.time, phase, rank)
        if r.time == last[0]:
            assert key >= last, f"{r} out of same-time order after {last}"
        last = key


def check_trace(sim: Simulation, lossless: bool = False) -> Facts:
    """Assert every trace invariant of a finished run (see the module docstring)."""
    return TraceChecker(sim, lossless).run()


def lossless_profile(profile: Any) -> bool:
    """Whether a ``profile=`` argument has no message loss."""
    return resolve_profile(profile).loss is None


def note_coverage(sim: Simulation, facts: Facts) -> None:
    """Label the example with what it exercised (``--hypothesis-show-statistics``)."""
    kinds = {count_key(r) for r in sim.trace}
    kinds |= {f"fault:{r.fault}" for r in sim.trace if r.kind == "fault"}
    for label in sorted(kinds - {"tick", "fault:start", "fault:end"}):
        event(label)
    for a, st in facts.agents.items():
        down_applies = [
            r
            for r, _ in st.effects
            if r.kind == "apply" and _between(r.decided_at, st.crash_starts, r.time)
        ]
        if down_applies:
            event("apply of a decision made before a kept crash")
        if any(v is not None for v in st.stuck_at.values()):
            event("tick with a stuck sensor")
        if st.restarts and a in sim.processes:
            event("restart")
    if any(q > -INF for _, q in facts.at_send.values()):
        event("message held by a queue outage")
