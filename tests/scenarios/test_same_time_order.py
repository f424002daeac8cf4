"""Zero delays: everything of one instant happens at t, in the documented order.

Tree: coordinator ``c`` (tick 2 s) over field agents ``f1``, ``f2`` (tick 1 s);
``c`` sends each child a setpoint when it decides. All delays 0, horizon [0, 2)::

    t=0:  tick c, tick f1, tick f2          (sensing: parents first)
          observe+decide c -> send c->f1, send c->f2
          observe+decide f1 -> apply f1     (zero-delay effect lands at once)
          observe+decide f2 -> apply f2
          deliver f1, deliver f2            (read at the children's next decision)
    t=1:  tick f1, tick f2, decisions see the setpoints, applies
"""

from __future__ import annotations

from heron_simpy import Agent, Simulation
from tests.conftest import Counter, det, rows


def build() -> tuple[Simulation, list]:
    seen: list = []

    def coord(agent_id, obs, messages, ctx):
        for child in ("f1", "f2"):
            ctx.send(child, 10.0)

    def field(agent_id, obs, messages, ctx):
        seen.append((ctx.now, agent_id, [m.payload for m in messages]))
        return 1.0

    plant = Counter(["f1", "f2"])
    sim = Simulation(plant, seed=0)
    # Registered children first on purpose: the order must not depend on it.
    sim.add_agent(Agent("f1", parent="c", controller=field), tick=det(1.0))
    sim.add_agent(Agent("f2", parent="c", controller=field), tick=det(1.0))
    sim.add_agent(Agent("c", level="coordinator", controller=coord), tick=det(2.0))
    return sim, seen


def test_zero_delay_order_full_trace() -> None:
    sim, seen = build()
    sim.run_until(2.0)
    assert sim.agent_ids == ("c", "f1", "f2")
    assert rows(sim.trace) == [
        (0.0, "tick", "c"),
        (0.0, "tick", "f1"),
        (0.0, "tick", "f2"),
        (0.0, "observe", "c", 0.0),
        (0.0, "decide", "c", 0.0),
        (0.0, "send", "c", "f1", 0),
        (0.0, "send", "c", "f2", 1),
        (0.0, "observe", "f1", 0.0),
        (0.0, "decide", "f1", 0.0),
        (0.0, "apply", "f1", 0.0),
        (0.0, "observe", "f2", 0.0),
        (0.0, "decide", "f2", 0.0),
        (0.0, "apply", "f2", 0.0),
        (0.0, "deliver", "f1", "c", 0, 0.0),
        (0.0, "deliver", "f2", "c", 1, 0.0),
        (1.0, "tick", "f1"),
        (1.0, "tick", "f2"),
        (1.0, "observe", "f1", 1.0),
        (1.0, "decide", "f1", 1.0),
        (1.0, "apply", "f1", 1.0),
        (1.0, "observe", "f2", 1.0),
        (1.0, "decide", "f2", 1.0),
        (1.0, "apply", "f2", 1.0),
    ]
    assert seen == [
        (0.0, "f1", []),
        (0.0, "f2", []),
        (1.0, "f1", [10.0]),
        (1.0, "f2", [10.0]),
    ]


def test_same_seed_same_trace_twice() -> None:
    a, _ = build()
    b, _ = build()
    a.run_until(6.0)
    b.run_until(6.0)
    assert rows(a.trace) == rows(b.trace)
