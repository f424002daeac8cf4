"""Broker through a Simulation: link overrides, keyed loss, msg ids, SimPy inboxes."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from heron_simpy import Agent, ConfigError, Message, Simulation, SimulationError
from heron_simpy.timing import BernoulliLoss, NoLoss
from tests.conftest import det, rows


def to(*recipients: str) -> Any:
    """A controller that sends ``now`` to each recipient at every decision."""

    def controller(agent_id, obs, messages, ctx):
        for r in recipients:
            ctx.send(r, ctx.now)

    return controller


def link_fates(sim: Simulation) -> dict[tuple[str, str], dict[str, int]]:
    """(sender, recipient) -> counts of sent / delivered / dropped."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for r in sim.trace:
        if r.kind in ("send", "drop"):
            link = (r.agent_id, r.recipient)
        elif r.kind == "deliver":
            link = (r.sender, r.agent_id)
        else:
            continue
        counts = out.setdefault(link, {"send": 0, "deliver": 0, "drop": 0})
        counts[r.kind] += 1
    return out


def fan_out(loss: Any = None) -> Simulation:
    """``a`` sends to ``b`` and ``c`` every 0.5 s; both only listen."""
    sim = Simulation(seed=5, loss=loss)
    sim.add_agent(Agent("a", controller=to("b", "c")), tick=det(0.5, msg=0.25))
    sim.add_agent(Agent("b"), tick=det(100.0))
    sim.add_agent(Agent("c"), tick=det(100.0))
    return sim


# ------------------------------------------------------------------ set_link
@pytest.mark.parametrize("delay", [-1.0, -1e-12, -3, math.nan, math.inf], ids=repr)
def test_set_link_rejects_negative_or_non_finite_delay(delay: float) -> None:
    sim = fan_out()
    with pytest.raises(
        ConfigError,
        match=re.escape(
            f"link 'a'->'b' delay must be a finite number >= 0 s, got {delay!r}"
        ),
    ):
        sim.set_link("a", "b", delay=delay)


@pytest.mark.parametrize("delay", [True, False])
def test_set_link_rejects_bool_delay(delay: bool) -> None:
    sim = fan_out()
    with pytest.raises(
        TypeError,
        match=re.escape(
            f"link 'a'->'b' delay must be seconds or a delay model, got {delay!r}"
        ),
    ):
        sim.set_link("a", "b", delay=delay)


def test_set_link_fixed_delay_applies_to_that_link_only() -> None:
    sim = fan_out()
    sim.set_link("a", "b", delay=0)  # an int is accepted: zero delay
    sim.run_until(1.0)
    delays = {
        (r.sender, r.agent_id, r.sent_at): r.time - r.sent_at
        for r in sim.trace
        if r.kind == "deliver"
    }
    assert delays == {
        ("a", "b", 0.0): 0.0,
        ("a", "c", 0.0): 0.25,
        ("a", "b", 0.5): 0.0,
        ("a", "c", 0.5): 0.25,
    }


def test_loss_override_on_one_link_only() -> None:
    sim = fan_out()
    sim.set_link("a", "b", loss=BernoulliLoss(0.5))
    sim.run_until(50.0)
    fates = link_fates(sim)
    ab, ac = fates[("a", "b")], fates[("a", "c")]
    assert ab["send"] == ac["send"] == 100
    assert 25 < ab["drop"] < 75
    assert ab["deliver"] + ab["drop"] == 100
    assert ac == {"send": 100, "deliver": 100, "drop": 0}
    # A loss-only override keeps the sender's msg_delay on that link.
    assert {r.time - r.sent_at for r in sim.trace if r.kind == "deliver"} == {0.25}


def test_lossless_override_under_a_default_loss() -> None:
    sim = fan_out(loss=BernoulliLoss(0.5))
    sim.set_link("a", "c", loss=NoLoss())
    sim.run_until(50.0)
    fates = link_fates(sim)
    assert fates[("a", "c")] == {"send": 100, "deliver": 100, "drop": 0}
    assert 25 < fates[("a", "b")]["drop"] < 75


def test_link_override_survives_reset() -> None:
    sim = fan_out()
    sim.set_link("a", "b", loss=BernoulliLoss(1.0))
    sim.run_until(5.0)
    first = rows(sim.trace)
    sim.reset()
    sim.run_until(5.0)
    assert rows(sim.trace) == first
    assert link_fates(sim)[("a", "b")] == {"send": 10, "deliver": 0, "drop": 10}


def test_set_link_mid_episode_keeps_the_link_fifo() -> None:
    """Regression: set_link during a run used to forget the link's FIFO horizon.

    Timeline (tick 1 s, msg 2 s; the link becomes 0 s at t=1.5)::

        m0 sent 0.0 -> 2.0    m1 sent 1.0 -> 3.0
        m2 sent 2.0 (0 s) would land at 2.0, before m1: held to 3.0, after m1
    """
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=to("b")), tick=det(1.0, msg=2.0))
    sim.add_agent(Agent("b"), tick=det(100.0))
    sim.run_until(1.5)
    sim.set_link("a", "b", delay=0.0)
    sim.run_until(4.0)
    assert [r for r in rows(sim.trace) if r[1] == "deliver"] == [
        (2.0, "deliver", "b", "a", 0, 0.0),
        (3.0, "deliver", "b", "a", 1, 1.0),
        (3.0, "deliver", "b", "a", 2, 2.0),
        (3.0, "deliver", "b", "a", 3, 3.0),
    ]
    assert sim.stats.messages_accounted


# ------------------------------------------------------------------ keyed streams
def lossy_pair(third: str | None, third_talks: bool) -> Simulation:
    """Jittered ``a`` -> ``b`` over a 50 % lossy link, maybe with an extra agent.

    The extra agent is registered *first* (it takes rank 0 and, when it talks,
    opens its link before a->b), so positional streams would shift.
    """
    sim = Simulation(seed=3, profile="wan", loss=BernoulliLoss(0.5))
    if third is not None:
        ctrl = to("b") if third_talks else None
        sim.add_agent(Agent(third, controller=ctrl, tick_interval=0.3))
    sim.add_agent(Agent("a", controller=to("b"), tick_interval=1.0, phase=0.5))
    sim.add_agent(Agent("b", tick_interval=1.0))
    return sim


def dropped_on_ab(sim: Simulation) -> list[tuple[int, float]]:
    """(msg_id, send time) of every message dropped on link a->b."""
    return [
        (r.msg_id, r.time)
        for r in sim.trace
        if r.kind == "drop" and (r.agent_id, r.recipient) == ("a", "b")
    ]


def test_an_unrelated_agent_does_not_change_the_drops_on_a_link() -> None:
    base = lossy_pair(None, False)
    silent = lossy_pair("z", False)
    base.run_until(60.0)
    silent.run_until(60.0)
    drops = dropped_on_ab(base)
    assert 10 < len(drops) < 50
    assert dropped_on_ab(silent) == drops  # same msg_ids, same send times
    assert silent.stats.ticks > base.stats.ticks


def test_a_talking_agent_shifts_msg_ids_but_not_which_messages_drop() -> None:
    base = lossy_pair(None, False)
    talking = lossy_pair("z", True)
    base.run_until(60.0)
    talking.run_until(60.0)
    drops = dropped_on_ab(base)
    moved = dropped_on_ab(talking)
    assert [t for _, t in moved] == [t for _, t in drops]
    assert [i for i, _ in moved] != [i for i, _ in drops]  # ids interleave
    assert talking.stats.messages_sent > base.stats.messages_sent


# ------------------------------------------------------------------ msg ids
def test_msg_ids_count_from_zero_per_episode() -> None:
    sim = fan_out(loss=BernoulliLoss(0.3))
    sim.run_until(10.0)
    ids = [r.msg_id for r in sim.trace if r.kind == "send"]
    assert ids == list(range(40))
    first = rows(sim.trace)
    sim.reset()
    sim.run_until(3.0)
    assert [r.msg_id for r in sim.trace if r.kind == "send"] == list(range(12))
    sim.run_until(10.0)
    assert rows(sim.trace) == first


def test_msg_ids_restart_after_reset_with_another_seed() -> None:
    sim = fan_out(loss=BernoulliLoss(0.3))
    sim.run_until(4.0)
    sim.reset(seed=99)
    sim.run_until(4.0)
    assert [r.msg_id for r in sim.trace if r.kind == "send"] == list(range(16))


def test_send_returns_the_message_as_sent() -> None:
    sent: list[Message] = []

    def keep(agent_id, obs, messages, ctx):
        sent.append(ctx.send("b", {"p": 1}, topic="setpoint"))

    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=keep), tick=det(1.0, msg=0.5))
    sim.add_agent(Agent("b"), tick=det(100.0, phase=50.0))
    sim.run_until(2.0)
    assert sent == [
        Message(0, "a", "b", {"p": 1}, 0.0, "setpoint", 0.0),
        Message(1, "a", "b", {"p": 1}, 1.0, "setpoint", 1.0),
    ]
    assert sim.inbox("b") == tuple(sent)


def test_sending_to_an_unknown_agent_names_it() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=to("ghost")), tick=det(1.0))
    sim.add_agent(Agent("b"), tick=det(1.0))
    with pytest.raises(
        SimulationError,
        match=re.escape(
            "agent 'a' at t=0.000: message recipient 'ghost' is not a "
            "registered agent; known: a, b"
        ),
    ):
        sim.run_until(1.0)


# ------------------------------------------------------------------ SimPy inbox
def test_blocked_user_process_receives_the_message_and_the_agent_does_not() -> None:
    got: list[tuple[float, Message]] = []
    seen: list[tuple[float, tuple]] = []

    def listener(s: Simulation):
        while True:
            msg = yield s.broker.inbox("b").get()
            got.append((s.now, msg))

    def b_controller(agent_id, obs, messages, ctx):
        seen.append((ctx.now, messages))

    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=to("b")), tick=det(10.0, msg=0.5))
    sim.add_agent(Agent("b", controller=b_controller), tick=det(1.0))
    sim.add_process(listener)
    sim.run_until(2.0)
    assert got == [(0.5, Message(0, "a", "b", 0.0, 0.0, None, 0.0))]
    assert seen == [(0.0, ()), (1.0, ())]  # the agent's own decision: empty inbox
    assert sim.inbox("b") == ()
    s = sim.stats
    assert (s.messages_sent, s.messages_delivered, s.messages_in_flight) == (1, 1, 0)
    assert [r for r in rows(sim.trace) if r[1] == "deliver"] == [
        (0.5, "deliver", "b", "a", 0, 0.0)
    ]


def test_without_a_listener_the_agent_reads_its_inbox() -> None:
    seen: list[tuple[float, tuple]] = []

    def b_controller(agent_id, obs, messages, ctx):
        seen.append((ctx.now, tuple(m.payload for m in messages)))

    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=to("b")), tick=det(10.0, msg=0.5))
    sim.add_agent(Agent("b", controller=b_controller), tick=det(1.0))
    sim.run_until(2.0)
    assert seen == [(0.0, ()), (1.0, (0.0,))]
    assert sim.inbox("b") == ()  # drained by the decision
