"""One pinned timeline per fault kind: deterministic timing, full trace asserted.

Windows are half-open, ``[start, start + duration)``, relative to the episode
start; a transition at t runs before every engine event at t (SimPy NORMAL
priority), so a fault starting at t already holds for the tick, decision and
effect at t, and one ending at t no longer does. Every trace below also goes
through :func:`~tests.invariants.checks.check_trace`.
"""

from __future__ import annotations

from typing import Any

import pytest

from heron_simpy import Agent, Simulation
from heron_simpy.faults import (
    ActuatorSaturation,
    ClockDrift,
    Crash,
    LinkOutage,
    SensorDropout,
    StuckSensor,
)
from tests.conftest import Counter, det, rows
from tests.invariants.checks import check_trace


def sender(recipient: str) -> Any:
    """A controller that sends its clock reading to ``recipient`` and never acts."""

    def decide(agent_id: str, obs: Any, messages: tuple, ctx: Any) -> None:
        ctx.send(recipient, ctx.now)

    return decide


def cycle(t: float, obs: float, act: float | None = None) -> list[tuple]:
    """tick at t, observe + decide at t + obs, (apply at t + obs + act)."""
    out: list[tuple] = [
        (t, "tick", "a"),
        (t + obs, "observe", "a", t),
        (t + obs, "decide", "a", t),
    ]
    if act is not None:
        out.append((t + obs + act, "apply", "a", t + obs))
    return out


def b_sends(t: float) -> list[tuple]:
    """b (obs 0, msg 0.1) ticks at t and sends message k to a, delivered at t + 0.1."""
    k = int(t)
    return [
        (t, "tick", "b"),
        (t, "observe", "b", t),
        (t, "decide", "b", t),
        (t, "send", "b", "a", k),
        (t + 0.1, "deliver", "a", "b", k, t),
    ]


@pytest.mark.parametrize("in_flight", ["lost", "kept"])
def test_crash_timeline(in_flight: str) -> None:
    """a: tick 1 s, obs 0.2, act 1.0; crash at 2.1 for 2 s. b (phase 0.5) messages a.

    ::

        t    0.0   0.2     1.0  1.2             2.0 2.1 2.2               4.1  4.3
        a    tick  decide  tick apply(0.2)      tick |  x obs(2.0) lost   tick decide
                                decide ------------- | ->2.2 apply(1.2): lost / kept
                                                     crash: inbox (msg 1 @1.6) flushed
                                                     |<----- down ------->| restart
        b    0.5 send 0 -> 0.6   1.5 send 1 -> 1.6   2.5 -> 2.6   3.5 -> 3.6   4.5 -> 4.6

    Observations in flight die with the controller; the action decided at 1.2
    (due 2.2) is lost with ``in_flight="lost"`` and lands at 2.2 while a is
    down with ``"kept"``. Messages arriving while down wait in the inbox. On
    restart a ticks at once (4.1), then every second from there.
    """
    plant = Counter(["a"])
    sim = Simulation(plant, seed=0, faults=[Crash("a", 2.1, 2.0, in_flight)])
    sim.add_agent(
        Agent("a", controller=lambda *_: 1.0), tick=det(1.0, obs=0.2, act=1.0)
    )
    sim.add_agent(Agent("b", controller=sender("a")), tick=det(1.0, msg=0.1, phase=0.5))
    sim.run_until(5.0)
    detail = f"start=2.1 downtime=2.0 in_flight={in_flight}"
    landed = (
        [(2.2, "lose", "a", "action", 1.2, "crash")]
        if in_flight == "lost"
        else [(2.2, "apply", "a", 1.2)]
    )
    expected = [
        *cycle(0.0, 0.2),
        *b_sends(0.5),
        (1.0, "tick", "a"),
        (1.2, "apply", "a", 0.2),
        (1.2, "observe", "a", 1.0),
        (1.2, "decide", "a", 1.0),
        *b_sends(1.5),
        (2.0, "tick", "a"),
        (2.1, "fault", "a", "crash", "start", detail),
        (2.1, "lose", "a", "message", 1.5, "crash"),
        *landed,
        (2.2, "lose", "a", "observation", 2.0, "crash"),
        *b_sends(2.5),
        *b_sends(3.5),
        (4.1, "fault", "a", "crash", "end", detail),
        *cycle(4.1, 0.2),
        *b_sends(4.5),
    ]
    assert rows(sim.trace) == expected
    s = sim.stats
    assert (s.ticks, s.decisions, s.observations_lost, s.messages_flushed) == (
        9,
        8,
        1,
        1,
    )
    kept = in_flight == "kept"
    assert (s.actions_applied, s.actions_lost, s.actions_in_flight) == (
        1 + kept,
        1 - kept,
        1,  # decided at 4.3, due at 5.3
    )
    assert plant.applied == [("a", 1.0)] * (1 + kept)
    check_trace(sim, lossless=True)


def test_sensor_dropout_timeline() -> None:
    """tick 1 s from 0.7, obs 0.5, act 0.3; dropout [5, 6).

    ::

        t    4.7         5.0       5.2           5.5      5.7        6.0     6.7  7.2
             tick        |dropout  obs(4.7)      apply    tick       |end    tick obs
                         |         used: sampled 4.7      lost       |       decide
                         |         (before the window)    (lose)     |

    The tick at 5.7 still happens (the agent is alive) but its observation is
    lost; the one sampled at 4.7 and delivered inside the window is used.
    """
    sim = Simulation(seed=0, faults=[SensorDropout("a", 5.0, 1.0)])
    sim.add_agent(
        Agent("a", controller=lambda *_: 1.0),
        tick=det(1.0, obs=0.5, act=0.3, phase=0.7),
    )
    sim.run_until(7.5)
    detail = "start=5.0 duration=1.0"
    expected = [r for t in (0.7, 1.7, 2.7, 3.7) for r in cycle(t, 0.5, 0.3)]
    expected += [
        (4.7, "tick", "a"),
        (5.0, "fault", "a", "sensor_dropout", "start", detail),
        (5.2, "observe", "a", 4.7),
        (5.2, "decide", "a", 4.7),
        (5.5, "apply", "a", 5.2),
        (5.7, "tick", "a"),
        (5.7, "lose", "a", "observation", 5.7, "sensor_dropout"),
        (6.0, "fault", "a", "sensor_dropout", "end", detail),
        *cycle(6.7, 0.5),
    ]
    assert rows(sim.trace) == expected
    assert (sim.stats.ticks, sim.stats.observations_lost, sim.stats.decisions) == (
        7,
        1,
        6,
    )
    check_trace(sim, lossless=True)


def test_stuck_sensor_timeline() -> None:
    """The sensor reads the time; stuck [2.5, 4.5): ticks 3 and 4 read 2.5.

    ::

        t     2.0    2.5            3.0    3.2      4.0    4.2      4.5     5.0   5.2
              tick   |stuck: reads  tick   decide   tick   decide   |end    tick  decide
                     |2.5 now              sees 2.5        sees 2.5 |             sees 5.0

    The trace is that of a healthy sensor (stuck readings are delivered after
    the usual delay); only the value the controller sees is frozen.
    """
    seen: list[tuple[float, float]] = []
    holder: list[Simulation] = []
    sim = Simulation(seed=0, faults=[StuckSensor("a", 2.5, 2.0)])
    holder.append(sim)
    sim.add_agent(
        Agent(
            "a",
            sensor=lambda plant, a: holder[0].env.now,
            controller=lambda a, obs, m, ctx: seen.append((ctx.now, obs)),
        ),
        tick=det(1.0, obs=0.2, act=0.3),
    )
    sim.run_until(6.0)
    detail = "start=2.5 duration=2.0"
    expected = [r for t in (0.0, 1.0, 2.0) for r in cycle(t, 0.2)]
    expected += [(2.5, "fault", "a", "stuck_sensor", "start", detail)]
    expected += [*cycle(3.0, 0.2), *cycle(4.0, 0.2)]
    expected += [(4.5, "fault", "a", "stuck_sensor", "end", detail), *cycle(5.0, 0.2)]
    assert rows(sim.trace) == expected
    assert seen == [
        (0.2, 0.0),
        (1.2, 1.0),
        (2.2, 2.0),
        (3.2, 2.5),
        (4.2, 2.5),
        (5.2, 5.0),
    ]
    check_trace(sim, lossless=True)


@pytest.mark.parametrize("mode", ["queue", "drop"])
def test_link_outage_timeline(mode: str) -> None:
    """a sends to b at every decision (tick 1 s, obs 0.2, msg 0.5); a->b down [1.5, 3.5).

    ::

        t    1.2 send 1 --------> 1.7 deliver   (in flight when the outage starts)
             1.5 |outage
             2.2 send 2    queue: held ....................> 4.0 deliver 2
             3.2 send 3    queue: held ....................> 4.0 deliver 3 (FIFO)
                           drop:  dropped at 2.2 and 3.2
             3.5 |end
             4.2 send 4 --------> 4.7 deliver

    A queued message leaves when the link comes back, at end + delay (3.5 +
    0.5), in send order.
    """
    sim = Simulation(seed=0, faults=[LinkOutage("a", "b", 1.5, 2.0, mode)])
    sim.add_agent(Agent("a", controller=sender("b")), tick=det(1.0, obs=0.2, msg=0.5))
    sim.add_agent(Agent("b"), tick=det(100.0, phase=50.0))
    sim.run_until(5.0)
    detail = f"sender=a recipient=b start=1.5 duration=2.0 mode={mode}"

    def sent(t: float, k: int) -> list[tuple]:
        return [*cycle(t, 0.2), (t + 0.2, "send", "a", "b", k)]

    start, end = (
        (1.5, "fault", "a", "link_outage", "start", detail),
        (3.5, "fault", "a", "link_outage", "end", detail),
    )
    if mode == "queue":
        expected = [
            *sent(0.0, 0),
            (0.7, "deliver", "b", "a", 0, 0.2),
            *sent(1.0, 1),
            start,
            (1.7, "deliver", "b", "a", 1, 1.2),
            *sent(2.0, 2),
            *sent(3.0, 3),
            end,
            (4.0, "tick", "a"),
            (4.0, "deliver", "b", "a", 2, 2.2),
            (4.0, "deliver", "b", "a", 3, 3.2),
            *sent(4.0, 4)[1:],
            (4.7, "deliver", "b", "a", 4, 4.2),
        ]
    else:
        expected = [
            *sent(0.0, 0),
            (0.7, "deliver", "b", "a", 0, 0.2),
            *sent(1.0, 1),
            start,
            (1.7, "deliver", "b", "a", 1, 1.2),
            *sent(2.0, 2),
            (2.2, "drop", "a", "b", 2),
            *sent(3.0, 3),
            (3.2, "drop", "a", "b", 3),
            end,
            *sent(4.0, 4),
            (4.7, "deliver", "b", "a", 4, 4.2),
        ]
    assert rows(sim.trace) == expected
    delivered = [0, 1, 2, 3, 4] if mode == "queue" else [0, 1, 4]
    assert [m.msg_id for m in sim.inbox("b")] == delivered
    assert sim.stats.messages_dropped == (2 if mode == "drop" else 0)
    check_trace(sim, lossless=True)


def test_actuator_saturation_timeline() -> None:
    """a acts 5.0 every tick (1 s, obs 0.2, act 0.3); clipped to [0, 2] in [1.5, 3.5).

    ::

        t    0.5        1.5                 2.5        3.5               4.5
             apply 5.0  |sat  apply 2.0     apply 2.0  |end  apply 5.0   apply 5.0

    The effects landing at 1.5 (the start) and 2.5 are clipped; the one at 3.5
    (the end) is not. ``actions_saturated`` counts the two changed effects.
    """
    plant = Counter(["a"])
    sim = Simulation(
        plant, seed=0, faults=[ActuatorSaturation("a", 1.5, 2.0, low=0.0, high=2.0)]
    )
    sim.add_agent(
        Agent("a", controller=lambda *_: 5.0), tick=det(1.0, obs=0.2, act=0.3)
    )
    sim.run_until(5.0)
    detail = "start=1.5 duration=2.0 low=0.0 high=2.0"
    expected = [
        *cycle(0.0, 0.2, 0.3),
        *cycle(1.0, 0.2),
        (1.5, "fault", "a", "actuator_saturation", "start", detail),
        (1.5, "apply", "a", 1.2),
        *cycle(2.0, 0.2, 0.3),
        *cycle(3.0, 0.2),
        (3.5, "fault", "a", "actuator_saturation", "end", detail),
        (3.5, "apply", "a", 3.2),
        *cycle(4.0, 0.2, 0.3),
    ]
    assert rows(sim.trace) == expected
    assert plant.applied == [("a", v) for v in (5.0, 2.0, 2.0, 5.0, 5.0)]
    assert all(type(v) is float for _, v in plant.applied)
    assert sim.stats.actions_saturated == 2
    check_trace(sim, lossless=True)


def test_clock_drift_timeline() -> None:
    """fast: ppm=1e5 (10 % fast); ahead: offset 0.25 s, phase 0.5; horizon [0, 3).

    ::

        true t  0     0.25    0.909   1.25    1.818   2.25    2.727
        fast    tick          tick            tick            tick     (every 1/1.1 s)
          reads 0             1.0             2.0             3.0
        ahead         tick            tick            tick             (local 0.5,
          reads       0.5             1.5             2.5               1.5, 2.5)

    A drifting agent schedules its ticks on its own clock: 1 local second lasts
    1/1.1 true seconds, and a clock 0.25 s ahead reaches its first tick (local
    0.5) at true 0.25. ``ctx.now`` and ``Message.stamp`` read the local clock;
    delays are physical (obs 0.2, msg 0.1 true seconds); trace times are true.
    """
    seen: list[tuple] = []

    def fast(agent_id: str, obs: Any, messages: tuple, ctx: Any) -> None:
        seen.append((agent_id, ctx.now))
        ctx.send("ahead", None)

    def ahead(agent_id: str, obs: Any, messages: tuple, ctx: Any) -> None:
        seen.append(
            (agent_id, ctx.now, [(m.msg_id, m.sent_at, m.stamp) for m in messages])
        )

    sim = Simulation(
        seed=0,
        faults=[ClockDrift("fast", ppm=1e5), ClockDrift("ahead", offset=0.25)],
    )
    sim.add_agent(Agent("fast", controller=fast), tick=det(1.0, obs=0.2, msg=0.1))
    sim.add_agent(Agent("ahead", controller=ahead), tick=det(1.0, phase=0.5))
    sim.run_until(3.0)
    ticks = [k / 1.1 for k in range(4)]  # 0, 0.909.., 1.818.., 2.727..
    decided = [t + 0.2 for t in ticks]

    def fast_cycle(k: int) -> list[tuple]:
        t, d = ticks[k], decided[k]
        return [
            (t, "tick", "fast"),
            (d, "observe", "fast", t),
            (d, "decide", "fast", t),
            (d, "send", "fast", "ahead", k),
        ]

    def ahead_cycle(t: float) -> list[tuple]:
        return [
            (t, "tick", "ahead"),
            (t, "observe", "ahead", t),
            (t, "decide", "ahead", t),
        ]

    def delivered(k: int) -> tuple:
        return (decided[k] + 0.1, "deliver", "ahead", "fast", k, decided[k])

    expected = [
        (
            0.0,
            "fault",
            "fast",
            "clock_drift",
            "start",
            "ppm=100000.0 offset=0.0",
        ),
        (
            0.0,
            "fault",
            "ahead",
            "clock_drift",
            "start",
            "ppm=0.0 offset=0.25",
        ),
        *fast_cycle(0),
        *ahead_cycle(0.25),
        delivered(0),
        *fast_cycle(1),
        delivered(1),
        *ahead_cycle(1.25),
        *fast_cycle(2),
        delivered(2),
        *ahead_cycle(2.25),
        *fast_cycle(3),
    ]
    assert rows(sim.trace) == expected
    local = [d * 1.1 for d in decided]  # the fast clock at each decision
    assert [s for s in seen if s[0] == "fast"] == [("fast", x) for x in local]
    assert [s for s in seen if s[0] == "ahead"] == [
        ("ahead", 0.5, []),
        ("ahead", 1.5, [(0, decided[0], local[0]), (1, decided[1], local[1])]),
        ("ahead", 2.5, [(2, decided[2], local[2])]),
    ]
    assert local[:3] == pytest.approx([0.22, 1.22, 2.22])
    check_trace(sim, lossless=True)
