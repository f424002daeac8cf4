"""A small hand-built simulation for the fault invariants: a coordinator and fields.

``coord`` (a coordinator) sends a setpoint to every field agent at each of its
decisions; field agent ``fK`` reports to its parent (or, without a
coordinator, to its right-hand peer) and acts on the plant. Every controller
logs what it saw (its local clock, the observation, the messages), so checks
can compare what agents *used* with what the trace says.

The plant (:class:`Tally`) gives readings that change at every instant: a
sensor reads ``(true time of the reading, accumulated action of the agent)``,
so a stuck sensor is visible in what the controller sees. Field agents act
with floats inside and outside ``[-3, 3]`` (a function of the decision time:
controllers keep no state, so a reset replays them), so actuator saturation
clips some and not others.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from hypothesis import strategies as st

from heron_simpy import Agent, Simulation, TickConfig
from heron_simpy.faults import Fault
from heron_simpy.timing import LossModel
from tests.invariants import strategies as strat
from tests.invariants.checks import (
    INF,
    Facts,
    check_trace,
    drift_of,
    local_clock,
)

#: Actions a field agent cycles through (some beyond any saturation bound).
ACTIONS = (4.0, -0.5, 2.5, -4.0, 0.25, -2.0)


class Seen(NamedTuple):
    """One controller call: what the agent used and what its clock read."""

    agent_id: str
    time: float  # true (simulated) time of the decision
    local: float  # ctx.now: the agent's own clock
    obs: Any
    messages: tuple[
        tuple[int, str, float | None, float], ...
    ]  # id, sender, stamp, sent_at
    action: float | None


class Landed(NamedTuple):
    """One action effect on the plant."""

    time: float
    agent_id: str
    action: Any


class Tally:
    """A plant whose readings change at every instant: (time, sum of actions)."""

    physics_step = None

    def __init__(self, ids: list[str], clock: Callable[[], float]) -> None:
        self.ids = ids
        self.clock = clock
        self.value: dict[str, float] = {}
        self.landed: list[Landed] = []

    def reset(self, rng: np.random.Generator) -> None:
        self.value = dict.fromkeys(self.ids, 0.0)
        self.landed = []

    def advance(self, dt: float) -> None:
        pass

    def apply(self, agent_id: str, action: Any) -> None:
        self.landed.append(Landed(self.clock(), agent_id, action))
        self.value[agent_id] += float(action)

    def read(self, agent_id: str) -> tuple[float, float]:
        return (self.clock(), self.value[agent_id])


@dataclass
class Log:
    """Every controller call of an episode, in order."""

    seen: list[Seen] = field(default_factory=list)


@dataclass(frozen=True)
class World:
    """A random configuration of the hand-built simulation."""

    fields: tuple[TickConfig, ...]
    coordinator: TickConfig | None
    loss: LossModel | None
    seed: int
    start: float
    horizon: float
    faults: tuple[Fault, ...] = ()

    @property
    def t_end(self) -> float:
        return self.start + self.horizon

    @property
    def ids(self) -> list[str]:
        head = [] if self.coordinator is None else ["coord"]
        return head + [f"f{k}" for k in range(len(self.fields))]

    def configs(self) -> dict[str, TickConfig]:
        out = {} if self.coordinator is None else {"coord": self.coordinator}
        out.update({f"f{k}": c for k, c in enumerate(self.fields)})
        return out

    def build(
        self, seed: int | None = None, faults: tuple[Fault, ...] | None = None
    ) -> tuple[Simulation, Tally, Log]:
        """A fresh Simulation of this world (optionally another seed / faults)."""
        holder: list[Simulation] = []
        plant = Tally(self.ids, lambda: holder[0].env.now)
        sim = Simulation(
            plant,
            seed=self.seed if seed is None else seed,
            start_time=self.start,
            loss=self.loss,
            faults=self.faults if faults is None else faults,
        )
        holder.append(sim)
        log = Log()
        for agent_id, cfg in self.configs().items():
            sim.add_agent(self._agent(agent_id, log, sim), tick=cfg)
        return sim, plant, log

    def _agent(self, agent_id: str, log: Log, sim: Simulation) -> Agent:
        has_coord = self.coordinator is not None
        n = len(self.fields)
        if agent_id == "coord":
            targets = [f"f{k}" for k in range(n)]
        elif has_coord:
            targets = ["coord"]
        else:
            k = int(agent_id[1:])
            targets = [f"f{(k + 1) % n}"] if n > 1 else []
        acts = agent_id != "coord"
        return Agent(
            agent_id,
            level="coordinator" if agent_id == "coord" else "field",
            parent="coord" if has_coord and agent_id != "coord" else None,
            sensor=lambda plant, a: plant.read(a),
            controller=_controller(targets, acts, log, sim),
        )


def _controller(targets: list[str], acts: bool, log: Log, sim: Simulation) -> Any:
    """A stateless controller (the action is a function of the decision time)."""

    def decide(agent_id: str, obs: Any, messages: tuple, ctx: Any) -> Any:
        now = sim.env.now
        action = ACTIONS[int(now * 1000) % len(ACTIONS)] if acts else None
        msgs = tuple((m.msg_id, m.sender, m.stamp, m.sent_at) for m in messages)
        log.seen.append(Seen(agent_id, now, ctx.now, obs, msgs, action))
        for target in targets:
            ctx.send(target, (agent_id, ctx.now))
        return action

    return decide


# ---------------------------------------------------------------- strategies
@st.composite
def worlds(
    draw: st.DrawFn,
    with_faults: bool = True,
    horizon: st.SearchStrategy[float] | None = None,
    fast: bool = False,
) -> World:
    """A random world: 1 - 4 fields, maybe a coordinator, random timing and faults.

    ``fast`` fields tick every 0.1 - 0.5 s (jitter then reorders deliveries).
    """
    n = draw(st.integers(1, 4).map(lambda k: 5 - k))  # 4 fields drawn first
    coordinator = draw(
        st.one_of(strat.tick_configs(st.sampled_from([2.0, 1.0, 3.0])), st.none())
    )
    fields = st.floats(0.1, 0.5) if fast else strat.intervals
    span = draw(horizon if horizon is not None else strat.down_from(16.0, 10.0))
    ids = (["coord"] if coordinator is not None else []) + [f"f{k}" for k in range(n)]
    return World(
        fields=tuple(draw(strat.tick_configs(fields)) for _ in range(n)),
        coordinator=coordinator,
        loss=draw(strat.losses),
        seed=draw(strat.seeds),
        start=draw(st.one_of(st.just(0.0), st.floats(0.0, 50.0))),
        horizon=span,
        faults=draw(strat.schedules(ids, span)) if with_faults else (),
    )


# ---------------------------------------------------------------- checks
def check_world(world: World, sim: Simulation, plant: Tally, log: Log) -> Facts:
    """Every trace invariant, plus what the controllers saw and the plant got.

    - controllers ran exactly at the traced decisions, and ``ctx.now`` read the
      agent's (possibly drifting) clock;
    - each decision read exactly the messages delivered to the agent since its
      previous decision (strictly before it), minus those a crash flushed, each
      stamped with its sender's clock at the send time;
    - the observation used is the reading at its sample time, or at the start
      of the stuck-sensor period that sample fell in;
    - each effect on the plant is the decided action clipped by every actuator
      saturation active when it landed; ``actions_saturated`` counts changes;
    - a drifting agent that never crashes ticks on its local clock.
    """
    facts = check_trace(sim, lossless=world.loss is None)
    decides = [r for r in sim.trace if r.kind == "decide"]
    assert [(s.agent_id, s.time) for s in log.seen] == [
        (r.agent_id, r.time) for r in decides
    ]
    t0 = sim.kernel.start_time
    for seen, r in zip(log.seen, decides, strict=True):
        drift = drift_of(sim.faults, seen.agent_id)
        assert seen.local == local_clock(drift, t0, seen.time), seen
        stuck = facts.agents[seen.agent_id].stuck_at[r.sampled_at]
        assert seen.obs[0] == (r.sampled_at if stuck is None else stuck), (seen, r)
    check_inbox_reads(sim, log, facts)
    check_effects(sim, plant, log, facts)
    check_drift_ticks(sim, facts)
    return facts


def check_inbox_reads(sim: Simulation, log: Log, facts: Facts) -> None:
    """Each delivered message is read at its recipient's next decision or flushed."""
    t0 = sim.kernel.start_time
    decisions: dict[str, list[Seen]] = defaultdict(list)
    for seen in log.seen:
        decisions[seen.agent_id].append(seen)
    read: dict[int, float] = {}
    for seen in log.seen:
        for msg_id, sender, stamp, sent_at in seen.messages:
            assert msg_id not in read, f"message {msg_id} read twice"
            read[msg_id] = seen.time
            assert stamp == local_clock(drift_of(sim.faults, sender), t0, sent_at)
    for msg_id, fate in facts.fates.items():
        if fate.kind != "deliver":
            assert msg_id not in read
            continue
        a = fate.agent_id
        later = [s.time for s in decisions[a] if s.time > fate.time]
        crash = facts.agents[a].crash_starts
        flushed = any(fate.time < c <= (later[0] if later else INF) for c in crash)
        if flushed or not later:
            assert msg_id not in read, (fate, later, crash)
        else:
            assert read.get(msg_id) == later[0], (fate, later)


def _clip(value: float, saturations: tuple[Any, ...]) -> float:
    for fault in saturations:
        if fault.low is not None:
            value = max(fault.low, value)
        if fault.high is not None:
            value = min(fault.high, value)
    return value


def check_effects(sim: Simulation, plant: Tally, log: Log, facts: Facts) -> None:
    """Effects are the decided actions, clipped by the active saturations."""
    applies = [r for r in sim.trace if r.kind == "apply"]
    assert [(x.time, x.agent_id) for x in plant.landed] == [
        (r.time, r.agent_id) for r in applies
    ]
    landed: dict[str, list[Any]] = defaultdict(list)
    for x in plant.landed:
        landed[x.agent_id].append(x.action)
    changed = 0
    for a, state in facts.agents.items():
        acting = [s for s in log.seen if s.agent_id == a and s.action is not None]
        expected = []
        for (r, saturations), seen in zip(state.effects, acting, strict=False):
            origin = r.decided_at if r.kind == "apply" else r.origin
            assert origin == seen.time, (r, seen)
            if r.kind == "apply":
                value = _clip(seen.action, saturations)
                changed += value != seen.action
                expected.append(value)
        assert len(state.effects) <= len(acting)
        assert landed[a] == expected, (a, landed[a], expected)
        assert all(type(v) is float for v in landed[a])
    assert sim.stats.actions_saturated == changed


def check_drift_ticks(sim: Simulation, facts: Facts) -> None:
    """A drifting agent that never crashed ticks on its local clock."""
    t0, now = sim.kernel.start_time, sim.now
    for a, state in facts.agents.items():
        drift = drift_of(sim.faults, a)
        if drift is None or state.crash_starts:
            continue
        cfg = state.config
        rate, offset = drift.rate, drift.offset
        if cfg.tick_model.is_deterministic:
            expected = []
            for k in itertools.count():
                tau = t0 + cfg.phase + k * cfg.tick_interval
                t = t0 + (tau - t0 - offset) / rate
                if t >= now:
                    break
                if t >= t0:
                    expected.append(t)
            assert state.ticks == expected, (a, drift, state.ticks[:5], expected[:5])
        else:
            lead = cfg.phase - offset  # past the phase already: next whole interval
            if lead < 0:
                lead += math.ceil(-lead / cfg.tick_interval) * cfg.tick_interval
            first = t0 + lead / rate
            assert state.ticks[:1] == ([first] if first < now else []), (a, drift)
