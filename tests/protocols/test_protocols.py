"""Protocols as broker messages in real simulations: setpoints, reports, sharing.

Vertical (coordinator ``boss``, tick 5 s, msg_delay 0.5 s; children tick 1 s)::

    t    0.0                 0.5                1.0
         boss decides        deliver x3         children decide: the setpoint
         send setpoint x3    (topic setpoint)   is part of their observation
         children decide
         (default setpoint)

Horizontal (peers ``a``, ``b``, ``c`` tick 1 s, zero delay)::

    t    0.0                              1.0
         each decides on its own value,   each decides on the mean of all
         then shares it (deliver at 0.0,  three values
         after every decision)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from gymnasium import spaces

from heron_simpy import (
    ActionError,
    ConfigError,
    CoordinatorAgent,
    FeatureProvider,
    FieldAgent,
    Message,
    Simulation,
)
from heron_simpy.agents import Context, PolicyAgent
from heron_simpy.protocols import (
    DECOMPOSITIONS,
    Consensus,
    PriceFollower,
    PriceSignal,
    Report,
    ReportCollector,
    SetpointDispatch,
    SetpointFollower,
)
from heron_simpy.timing import BernoulliLoss
from tests.conftest import det, rows

LEVELS = {"a": 1.0, "b": 2.0, "c": 6.0}  # mean 3.0 (exact in floating point)


class Levels:
    """A tiny plant: one constant level per agent; actions are only logged."""

    physics_step = None

    def __init__(self, levels: dict[str, float] | None = None) -> None:
        self.initial = dict(LEVELS if levels is None else levels)
        self.level: dict[str, float] = {}
        self.applied: list[tuple[str, Any]] = []

    def reset(self, rng: np.random.Generator) -> None:
        self.level = dict(self.initial)
        self.applied = []

    def advance(self, dt: float) -> None:
        pass

    def apply(self, agent_id: str, action: Any) -> None:
        self.applied.append((agent_id, action))


LEVEL = FeatureProvider("level", ("level",), lambda p, a: (p.level[a],))


class Probe(FieldAgent):
    """A field agent that logs every policy observation and every message it got."""

    def __init__(self, agent_id: str, **kwargs: Any) -> None:
        kwargs.setdefault("features", (LEVEL,))
        kwargs.setdefault("controller", lambda agent_id, obs: None)
        super().__init__(agent_id, **kwargs)
        self.seen: list[tuple[float, list[float]]] = []
        self.got: list[Message] = []

    def prepare(self, observation: Any, messages: tuple[Message, ...]) -> np.ndarray:
        self.got.extend(messages)
        return super().prepare(observation, messages)

    def respond(self, policy_obs: Any, ctx: Context, action: Any = None) -> Any:
        self.seen.append((ctx.now, np.asarray(policy_obs).tolist()))
        return super().respond(policy_obs, ctx, action)


class Boss(CoordinatorAgent):
    """A coordinator that plays a fixed list of actions, one per decision."""

    def __init__(self, agent_id: str, actions: Sequence[Any], **kwargs: Any) -> None:
        it = iter(actions)
        super().__init__(agent_id, controller=lambda agent_id, obs: next(it), **kwargs)
        self.seen: list[tuple[float, list[float]]] = []

    def respond(self, policy_obs: Any, ctx: Context, action: Any = None) -> Any:
        self.seen.append((ctx.now, np.asarray(policy_obs).tolist()))
        return super().respond(policy_obs, ctx, action)


def msg_rows(sim: Simulation) -> list[tuple[Any, ...]]:
    return [r for r in rows(sim.trace) if r[1] in ("send", "deliver", "drop")]


def vertical(
    dispatch: SetpointDispatch,
    actions: Sequence[Any],
    action_space: spaces.Space[Any] | None = None,
    children: Sequence[str] = ("a", "b", "c"),
    **sim_kwargs: Any,
) -> tuple[Simulation, dict[str, Probe]]:
    """boss (5 s, msg 0.5 s) over field probes (1 s) following its setpoints."""
    sim = Simulation(Levels(), seed=0, **sim_kwargs)
    probes = {}
    # Children registered before their parent on purpose: order is the tree's.
    for child in children:
        probes[child] = sim.add_agent(
            Probe(child, parent="boss", protocols=[SetpointFollower(default=-1.0)]),
            tick=det(1.0),
        )
    sim.add_agent(
        Boss("boss", actions, action_space=action_space, protocols=[dispatch]),
        tick=det(5.0, msg=0.5),
    )
    return sim, probes


def setpoints_seen(probe: Probe) -> list[tuple[float, float]]:
    """(decision time, setpoint in the observation) of each decision."""
    return [(t, obs[-1]) for t, obs in probe.seen]


# ------------------------------------------------------------------ vertical
def test_split_one_setpoint_per_child_in_children_order() -> None:
    sim, probes = vertical(
        SetpointDispatch("split"),
        [np.array([1.0, 2.0, 3.0], dtype=np.float32)],
        spaces.Box(-10.0, 10.0, (3,), np.float32),
        children=("c", "a", "b"),
    )
    sim.run_until(3.0)
    assert sim.agent_ids == ("boss", "c", "a", "b")
    assert msg_rows(sim) == [
        (0.0, "send", "boss", "c", 0),
        (0.0, "send", "boss", "a", 1),
        (0.0, "send", "boss", "b", 2),
        (0.5, "deliver", "c", "boss", 0, 0.0),
        (0.5, "deliver", "a", "boss", 1, 0.0),
        (0.5, "deliver", "b", "boss", 2, 0.0),
    ]
    assert {c: [(m.topic, m.payload) for m in p.got] for c, p in probes.items()} == {
        "c": [("setpoint", 1.0)],
        "a": [("setpoint", 2.0)],
        "b": [("setpoint", 3.0)],
    }
    # Sent at 0.0, delivered at 0.5: observed at each child's next decision (1.0).
    assert setpoints_seen(probes["c"]) == [(0.0, -1.0), (1.0, 1.0), (2.0, 1.0)]
    assert setpoints_seen(probes["a"]) == [(0.0, -1.0), (1.0, 2.0), (2.0, 2.0)]
    assert setpoints_seen(probes["b"]) == [(0.0, -1.0), (1.0, 3.0), (2.0, 3.0)]
    assert probes["a"].observation_names == ("a.level.level", "a.setpoint")


def test_broadcast_every_child_gets_the_whole_action() -> None:
    sim, probes = vertical(SetpointDispatch("broadcast"), [2.5, 4.0])
    sim.run_until(7.0)
    assert [r for r in msg_rows(sim) if r[1] == "deliver"] == [
        (0.5, "deliver", "a", "boss", 0, 0.0),
        (0.5, "deliver", "b", "boss", 1, 0.0),
        (0.5, "deliver", "c", "boss", 2, 0.0),
        (5.5, "deliver", "a", "boss", 3, 5.0),
        (5.5, "deliver", "b", "boss", 4, 5.0),
        (5.5, "deliver", "c", "boss", 5, 5.0),
    ]
    expected = [(0.0, -1.0)] + [(t, 2.5) for t in (1.0, 2.0, 3.0, 4.0, 5.0)]
    expected += [(6.0, 4.0)]
    for probe in probes.values():
        assert setpoints_seen(probe) == expected
        assert [m.topic for m in probe.got] == ["setpoint", "setpoint"]


def test_broadcast_of_a_box_action_reaches_the_followers() -> None:
    sim, probes = vertical(
        SetpointDispatch("broadcast"),
        [np.array([0.5], dtype=np.float32)],
        spaces.Box(-1.0, 1.0, (1,), np.float32),
    )
    sim.run_until(2.0)
    assert setpoints_seen(probes["a"]) == [(0.0, -1.0), (1.0, 0.5)]


def test_proportional_shares_follow_the_weights() -> None:
    sim, probes = vertical(
        SetpointDispatch("proportional", {"a": 1.0, "b": 3.0}),  # c: default 1.0
        [np.array([10.0])],
        spaces.Box(0.0, 100.0, (1,), np.float64),
    )
    sim.run_until(2.0)
    assert {c: [m.payload for m in p.got] for c, p in probes.items()} == {
        "a": [2.0],
        "b": [6.0],
        "c": [2.0],
    }
    assert [r[0] for r in msg_rows(sim) if r[1] == "deliver"] == [0.5, 0.5, 0.5]
    assert setpoints_seen(probes["b"]) == [(0.0, -1.0), (1.0, 6.0)]


@pytest.mark.parametrize(
    ("mode", "weights", "action", "expected"),
    [
        ("split", None, [1.0, 2.0, 3.0], {"x": 1.0, "y": 2.0, "z": 3.0}),
        ("broadcast", None, 7.0, {"x": 7.0, "y": 7.0, "z": 7.0}),
        ("proportional", None, 9.0, {"x": 3.0, "y": 3.0, "z": 3.0}),
        (
            "proportional",
            {"x": 2.0, "z": 1.0},
            [4.0, 4.0],
            {"x": 4.0, "y": 2.0, "z": 2.0},
        ),
    ],
    ids=["split", "broadcast", "proportional-equal", "proportional-weighted-sum"],
)
def test_setpoints_table(
    mode: str, weights: dict[str, float] | None, action: Any, expected: dict
) -> None:
    assert (
        SetpointDispatch(mode, weights).setpoints(action, ("x", "y", "z")) == expected
    )
    assert mode in DECOMPOSITIONS


def test_zero_delay_setpoint_is_read_at_the_next_decision() -> None:
    sim = Simulation(Levels(), seed=0)
    a = sim.add_agent(
        Probe("a", parent="boss", protocols=[SetpointFollower()]), tick=det(1.0)
    )
    sim.add_agent(Boss("boss", [5.0], protocols=[SetpointDispatch()]), tick=det(10.0))
    sim.run_until(2.0)
    assert msg_rows(sim) == [
        (0.0, "send", "boss", "a", 0),
        (0.0, "deliver", "a", "boss", 0, 0.0),
    ]
    assert setpoints_seen(a) == [(0.0, 0.0), (1.0, 5.0)]


def test_follower_clips_setpoints_to_its_bounds() -> None:
    sim, probes = vertical(SetpointDispatch("split"), [[-5.0, 0.5, 5.0]])
    for probe in probes.values():
        probe.protocols = (SetpointFollower(default=0.0, low=0.0, high=1.0),)
    sim.run_until(2.0)
    assert [setpoints_seen(p)[-1] for p in probes.values()] == [
        (1.0, 0.0),
        (1.0, 0.5),
        (1.0, 1.0),
    ]


def test_setpoints_under_loss_keep_the_previous_value() -> None:
    """boss broadcasts k at t=k; half the setpoints are lost; ``a`` keeps the last."""
    sim = Simulation(Levels(), seed=4, loss=BernoulliLoss(0.5))
    a = sim.add_agent(
        Probe("a", parent="boss", protocols=[SetpointFollower(default=-1.0)]),
        tick=det(1.0, phase=0.5),
    )
    sim.add_agent(
        Boss("boss", [float(k) for k in range(20)], protocols=[SetpointDispatch()]),
        tick=det(1.0, msg=0.25),
    )
    sim.run_until(20.0)
    s = sim.stats
    assert s.messages_sent == 20
    assert 0 < s.messages_dropped < 20
    assert s.messages_delivered + s.messages_dropped == 20
    delivered = {r.sent_at for r in sim.trace if r.kind == "deliver"}
    dropped = {r.time for r in sim.trace if r.kind == "drop"}
    assert delivered.isdisjoint(dropped)
    assert delivered | dropped == {float(k) for k in range(20)}
    assert all(r.time == r.sent_at + 0.25 for r in sim.trace if r.kind == "deliver")
    # At decision t = k + 0.5 the follower holds the newest delivered setpoint,
    # whose value is its send time; a lost one leaves the previous value in place.
    expected = []
    for t, _ in a.seen:
        heard = [sent for sent in delivered if sent + 0.25 < t]
        expected.append((t, max(heard) if heard else -1.0))
    assert setpoints_seen(a) == expected
    kept = [
        t
        for (t, now), (_, before) in zip(expected[1:], expected, strict=False)
        if now == before
    ]
    assert kept  # at least one decision kept a setpoint because of a drop
    assert [m.payload for m in a.got] == sorted(delivered)


def test_reports_reach_the_parent_as_a_mean() -> None:
    """a, b report every 1 s (msg 0.25 s); c first reports at 6.0; boss ticks 5 s."""
    sim = Simulation(Levels(), seed=0)
    for child, tick in (("a", det(1.0, msg=0.25)), ("b", det(1.0, msg=0.25))):
        sim.add_agent(Probe(child, parent="boss", protocols=[Report(0)]), tick=tick)
    sim.add_agent(
        Probe("c", parent="boss", protocols=[Report(0)]), tick=det(10.0, phase=6.0)
    )
    boss = sim.add_agent(
        Boss("boss", [None] * 3, protocols=[ReportCollector(default=0.0)]),
        tick=det(5.0),
    )
    sim.run_until(11.0)
    # Silent children count as the default: (1 + 2 + 0) / 3, then (1 + 2 + 6) / 3.
    assert boss.seen == [(0.0, [0.0]), (5.0, [1.0]), (10.0, [3.0])]
    assert boss.observation_names == ("boss.reported_mean",)
    sends_to_boss = [r for r in msg_rows(sim) if r[1] == "send"]
    assert len(sends_to_boss) == 11 + 11 + 1
    assert {r[3] for r in sends_to_boss} == {"boss"}
    delivered = [r for r in msg_rows(sim) if r[1] == "deliver"]
    assert [r[0] for r in delivered if r[3] == "c"] == [6.0]
    assert all(r[0] == r[5] + 0.25 for r in delivered if r[3] in ("a", "b"))


# ------------------------------------------------------------------ horizontal
def peers(
    loss: BernoulliLoss | None = None, seed: int = 0, msg: float = 0.0
) -> tuple[Simulation, dict[str, Probe]]:
    sim = Simulation(Levels(), seed=seed, loss=loss)
    probes = {
        p: sim.add_agent(
            Probe(p, protocols=[Consensus(("a", "b", "c"))]), tick=det(1.0, msg=msg)
        )
        for p in ("a", "b", "c")
    }
    return sim, probes


def test_consensus_zero_delay_equals_the_average_after_one_exchange() -> None:
    sim, probes = peers()
    sim.run_until(4.0)
    assert {p: probe.seen for p, probe in probes.items()} == {
        "a": [(0.0, [1.0, 1.0])] + [(t, [1.0, 3.0]) for t in (1.0, 2.0, 3.0)],
        "b": [(0.0, [2.0, 2.0])] + [(t, [2.0, 3.0]) for t in (1.0, 2.0, 3.0)],
        "c": [(0.0, [6.0, 6.0])] + [(t, [6.0, 3.0]) for t in (1.0, 2.0, 3.0)],
    }
    assert sim.stats.messages_sent == 4 * 3 * 2  # each decision: one per peer
    assert sim.stats.messages_dropped == 0
    assert probes["a"].observation_names == ("a.level.level", "a.consensus")
    assert [m.topic for m in probes["a"].got] == ["share"] * 6


def heard_estimates(sim: Simulation, probe: Probe) -> list[tuple[float, float]]:
    """Expected estimates: own level and the peers delivered before each decision."""
    out = []
    for t, _ in probe.seen:
        heard = {
            r.sender
            for r in sim.trace
            if r.kind == "deliver" and r.agent_id == probe.agent_id and r.time < t
        }
        values = [LEVELS[probe.agent_id]] + [LEVELS[s] for s in sorted(heard)]
        out.append((t, math.fsum(values) / len(values)))
    return out


def test_consensus_under_loss_uses_only_what_arrived() -> None:
    sim, probes = peers(loss=BernoulliLoss(0.5), seed=1)
    sim.run_until(4.0)
    s = sim.stats
    assert s.messages_dropped > 0
    assert s.messages_dropped == sum(r.kind == "drop" for r in sim.trace)
    assert s.messages_sent == s.messages_delivered + s.messages_dropped
    estimates = {}
    for p, probe in probes.items():
        got = [(t, obs[1]) for t, obs in probe.seen]
        assert got == heard_estimates(sim, probe)
        estimates[p] = dict(got)
    # After the first exchange the lossless estimates all equal 3.0; here not.
    at_1 = [estimates[p][1.0] for p in ("a", "b", "c")]
    assert at_1 != [3.0, 3.0, 3.0]
    lossless, _ = peers(seed=1)
    lossless.run_until(4.0)
    assert lossless.stats.messages_dropped == 0


def test_consensus_with_delay_is_one_exchange_late() -> None:
    """msg 1.5 s: values sent at 0 arrive at 1.5, so the estimate is exact from 2.0."""
    sim, probes = peers(msg=1.5)
    sim.run_until(3.0)
    assert probes["a"].seen == [(0.0, [1.0, 1.0]), (1.0, [1.0, 1.0]), (2.0, [1.0, 3.0])]


def test_price_signal_reaches_followers_after_the_delay() -> None:
    sim = Simulation(Levels(), seed=0)
    a = sim.add_agent(
        Probe("a", parent="market", protocols=[PriceFollower(default=-1.0)]),
        tick=det(1.0),
    )
    b = sim.add_agent(
        Probe("b", parent="market", protocols=[PriceFollower(default=-1.0)]),
        tick=det(1.0),
    )
    sim.add_agent(
        Boss(
            "market",
            [np.array([10.0]), np.array([20.0])],
            action_space=spaces.Box(0.0, 100.0, (1,), np.float64),
            protocols=[PriceSignal()],
        ),
        tick=det(2.0, msg=0.25),
    )
    sim.run_until(4.0)
    assert [r for r in msg_rows(sim) if r[1] == "deliver"] == [
        (0.25, "deliver", "a", "market", 0, 0.0),
        (0.25, "deliver", "b", "market", 1, 0.0),
        (2.25, "deliver", "a", "market", 2, 2.0),
        (2.25, "deliver", "b", "market", 3, 2.0),
    ]
    expected = [(0.0, -1.0), (1.0, 10.0), (2.0, 10.0), (3.0, 20.0)]
    assert [(t, obs[-1]) for t, obs in a.seen] == expected
    assert [(t, obs[-1]) for t, obs in b.seen] == expected
    assert [(m.topic, m.payload) for m in a.got] == [("price", 10.0), ("price", 20.0)]
    assert a.observation_names == ("a.level.level", "a.price")


def test_price_signal_to_chosen_recipients_only() -> None:
    sim = Simulation(Levels(), seed=0)
    a = sim.add_agent(
        Probe("a", protocols=[PriceFollower(default=-1.0)]), tick=det(1.0)
    )
    b = sim.add_agent(
        Probe("b", protocols=[PriceFollower(default=-1.0)]), tick=det(1.0)
    )
    sim.add_agent(
        Boss("market", [7.0], protocols=[PriceSignal(recipients=("b",))]),
        tick=det(10.0),
    )
    sim.run_until(2.0)
    assert [(t, obs[-1]) for t, obs in a.seen] == [(0.0, -1.0), (1.0, -1.0)]
    assert [(t, obs[-1]) for t, obs in b.seen] == [(0.0, -1.0), (1.0, 7.0)]


# ------------------------------------------------------------------ errors
def test_dispatch_rejects_an_unknown_mode() -> None:
    msg = (
        "SetpointDispatch mode must be one of split, broadcast, proportional, "
        "got 'average'"
    )
    with pytest.raises(ConfigError, match=re.escape(msg)):
        SetpointDispatch("average")


@pytest.mark.parametrize(
    ("weight", "shown"),
    [(0.0, "0.0"), (-1.0, "-1.0"), (math.inf, "inf"), (math.nan, "nan"), ("2", "'2'")],
    ids=["zero", "negative", "inf", "nan", "str"],
)
def test_dispatch_rejects_a_bad_weight(weight: Any, shown: str) -> None:
    msg = f"SetpointDispatch weight of 'b' must be a number > 0, got {shown}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        SetpointDispatch("proportional", {"a": 1.0, "b": weight})


def test_split_with_the_wrong_length() -> None:
    msg = "split setpoint action must have one value per child (3), got 2"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        SetpointDispatch("split").setpoints([1.0, 2.0], ("a", "b", "c"))


def test_split_with_the_wrong_length_at_run_time() -> None:
    sim, _ = vertical(SetpointDispatch("split"), [[1.0, 2.0]])
    msg = "agent 'boss' at t=0.000: split setpoint action must have one value per child (3), got 2"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        sim.run_until(1.0)
    assert sim.stats.messages_sent == 0


def test_split_with_a_space_of_the_wrong_length_is_caught_by_the_action_check() -> None:
    sim, _ = vertical(
        SetpointDispatch("split"),
        [np.array([1.0, 2.0])],
        spaces.Box(-1.0, 1.0, (3,), np.float64),
    )
    msg = (
        "agent 'boss' at t=0.000: action must have shape (3,), not shape (2,), "
        "got array([1., 2.])"
    )
    with pytest.raises(ActionError, match=re.escape(msg)):
        sim.run_until(1.0)
    assert sim.stats.messages_sent == 0


def test_roles_have_the_protocol_shape() -> None:
    """Every role offers fields/low/high matching in length (ProtocolRole)."""
    roles = [
        SetpointDispatch(),
        SetpointFollower(),
        Report(),
        ReportCollector(),
        Consensus(("a",)),
        PriceSignal(),
        PriceFollower(),
    ]
    for role in roles:
        assert len(role.fields) == role.low.shape[0] == role.high.shape[0]
    assert isinstance(Probe("p"), PolicyAgent)
