"""Messages: per-link FIFO under jitter, per-link overrides, loss accounting.

FIFO case (msg delays 0.75 s then 0.125 s on link a->b; a sends at every tick
of 0.5 s)::

    t    0.0 send m0 ------------------------> 0.75 deliver m0
         0.5 send m1 -> (0.625 would overtake)  0.75 deliver m1 (held, after m0)
"""

from __future__ import annotations

from heron_simpy import Agent, Simulation
from heron_simpy.timing import BernoulliLoss
from tests.conftest import SequenceDelay, det, rows


def sender(agent_id, obs, messages, ctx):
    ctx.send("b", ctx.now)


def test_link_fifo_full_trace() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=sender), tick=det(0.5))
    sim.add_agent(Agent("b"), tick=det(10.0, phase=5.0))
    sim.set_link("a", "b", delay=SequenceDelay(0.75, 0.125))
    sim.run_until(1.0)
    msgs = [r for r in rows(sim.trace) if r[1] in ("send", "deliver")]
    assert msgs == [
        (0.0, "send", "a", "b", 0),
        (0.5, "send", "a", "b", 1),
        (0.75, "deliver", "b", "a", 0, 0.0),
        (0.75, "deliver", "b", "a", 1, 0.5),
    ]
    assert [m.payload for m in sim.inbox("b")] == [0.0, 0.5]


def test_link_override_fixed_delay() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(Agent("a", controller=sender), tick=det(1.0, msg=0.5))
    sim.add_agent(Agent("b"), tick=det(10.0, phase=5.0))
    sim.set_link("a", "b", delay=0.25)
    sim.run_until(1.0)
    assert [r.time for r in sim.trace if r.kind == "deliver"] == [0.25]


def test_loss_accounting_holds_at_every_instant() -> None:
    """sent == delivered + dropped + in flight after every single event."""
    sim = Simulation(seed=3, loss=BernoulliLoss(0.3))
    sim.add_agent(Agent("a", controller=sender), tick=det(0.1, msg=0.35))
    sim.add_agent(Agent("b"), tick=det(100.0))
    s = sim.stats
    for _ in range(3000):
        sim.run_until(1e9, max_events=1)
        assert (
            s.messages_sent
            == s.messages_delivered + s.messages_dropped + s.messages_in_flight
        )
    assert s.messages_dropped > 0
    assert s.messages_in_flight > 0
    assert 0.2 < s.messages_dropped / s.messages_sent < 0.4
    kinds = [r.kind for r in sim.trace]
    assert kinds.count("send") == s.messages_sent
    assert kinds.count("drop") == s.messages_dropped
    assert kinds.count("deliver") == s.messages_delivered


def test_loss_is_seeded() -> None:
    def dropped(seed: int) -> list[int]:
        sim = Simulation(seed=seed, loss=BernoulliLoss(0.5))
        sim.add_agent(Agent("a", controller=sender), tick=det(1.0))
        sim.add_agent(Agent("b"), tick=det(100.0))
        sim.run_until(50.0)
        return [r.msg_id for r in sim.trace if r.kind == "drop"]

    assert dropped(1) == dropped(1)
    assert dropped(1) != dropped(2)
