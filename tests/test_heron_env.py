"""HeronEnv: HERON's env API (register, set up, default handlers, run) on the engine.

Two agents (battery: tick 1 s, obs 0.125, act 0.25, msg 0.5; coord: tick 5 s,
obs 0.5, msg 0.25). The battery reports its charge up; the coordinator
broadcasts a target charge down. Horizon [0, 6)::

    t   0.0     0.125        0.375  0.5          0.625          0.75
        tick c  observe b    apply  observe c    deliver c      deliver b
        tick b  send b->c    b      send c->b    (report)       (setpoint)
    t   1.0 .. 4.0: battery only (tick, observe+send, apply, deliver c)
    t   5.0     5.125        5.375  5.5          5.625          5.75
        same as at 0.0 (the coordinator's report read at 5.5 is the one sent
        at 4.125: the one sent at 5.125 arrives at 5.625)
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from heron_simpy import (
    Agent,
    ConfigError,
    CoordinatorAgent,
    FeatureProvider,
    FieldAgent,
    JitterType,
    Message,
    SimulationError,
    TickConfig,
)
from heron_simpy.agents import Context
from heron_simpy.heron_env import HeronEnv
from heron_simpy.protocols import (
    Report,
    ReportCollector,
    SetpointDispatch,
    SetpointFollower,
)
from tests.conftest import rows


class Cell:
    """A one-battery plant: the charge moves by the applied action."""

    physics_step = None

    def __init__(self) -> None:
        self.soc = 0.0
        self.resets = 0

    def reset(self, rng: np.random.Generator) -> None:
        self.soc = 0.5
        self.resets += 1

    def advance(self, dt: float) -> None:
        pass

    def apply(self, agent_id: str, action: Any) -> None:
        self.soc += float(action)


SOC = FeatureProvider("soc", ("soc",), lambda p, a: (p.soc,), low=0.0, high=1.0)


class Logged:
    """Mixin: log every policy observation and message with the decision time."""

    def prepare(self, observation: Any, messages: tuple[Message, ...]) -> Any:
        self.got.extend(messages)
        return super().prepare(observation, messages)

    def respond(self, policy_obs: Any, ctx: Context, action: Any = None) -> Any:
        self.seen.append((ctx.now, np.asarray(policy_obs).tolist()))
        return super().respond(policy_obs, ctx, action)


class Battery(Logged, FieldAgent):
    def __init__(self) -> None:
        super().__init__(
            "battery",
            parent="coord",
            features=[SOC],
            controller=lambda agent_id, obs: (obs[1] - obs[0]) / 2,  # half-way
            protocols=[SetpointFollower(default=0.5), Report(0)],
        )
        self.seen: list[tuple[float, list[float]]] = []
        self.got: list[Message] = []


class Coord(Logged, CoordinatorAgent):
    def __init__(self) -> None:
        super().__init__(
            "coord",
            tick_interval=5.0,
            controller=lambda agent_id, obs: 0.75,
            protocols=[SetpointDispatch("broadcast"), ReportCollector(default=0.0)],
        )
        self.seen: list[tuple[float, list[float]]] = []
        self.got: list[Message] = []


def two_agents(seed: int | None = 0) -> tuple[HeronEnv, Cell, Battery, Coord]:
    plant = Cell()
    env = HeronEnv(plant=plant)
    battery = env.register_agent(
        Battery(), tick_config=TickConfig.deterministic(1.0, 0.125, 0.25, 0.5)
    )
    coord = env.register_agent(
        Coord(),
        tick_config=TickConfig.deterministic(5.0, obs_delay=0.5, msg_delay=0.25),
    )
    env.setup_event_driven(seed=seed)
    env.setup_default_handlers()
    return env, plant, battery, coord


def timeline(env: HeronEnv) -> list[tuple[Any, ...]]:
    """Trace rows without message numbers (checked separately)."""
    out = []
    for r in env.scheduler.trace:
        if r.kind == "send":
            out.append((r.time, "send", r.agent_id, r.recipient))
        elif r.kind == "deliver":
            out.append((r.time, "deliver", r.agent_id, r.sender, r.sent_at))
        else:
            out.append(tuple(rows([r])[0]))
    return out


def battery_second(k: float) -> list[tuple[Any, ...]]:
    return [
        (k, "tick", "battery"),
        (k + 0.125, "observe", "battery", k),
        (k + 0.125, "send", "battery", "coord"),
        (k + 0.375, "apply", "battery", k + 0.125),
        (k + 0.625, "deliver", "coord", "battery", k + 0.125),
    ]


def test_two_agent_timeline() -> None:
    env, *_ = two_agents()
    n = env.run_event_driven(6.0)
    assert n == sum(r.kind != "send" for r in env.scheduler.trace)  # dispatched
    expected = [
        (0.0, "tick", "coord"),
        (0.0, "tick", "battery"),
        (0.125, "observe", "battery", 0.0),
        (0.125, "send", "battery", "coord"),
        (0.375, "apply", "battery", 0.125),
        (0.5, "observe", "coord", 0.0),
        (0.5, "send", "coord", "battery"),
        (0.625, "deliver", "coord", "battery", 0.125),
        (0.75, "deliver", "battery", "coord", 0.5),
    ]
    for k in (1.0, 2.0, 3.0, 4.0):
        expected += battery_second(k)
    expected += [
        (5.0, "tick", "coord"),
        (5.0, "tick", "battery"),
        (5.125, "observe", "battery", 5.0),
        (5.125, "send", "battery", "coord"),
        (5.375, "apply", "battery", 5.125),
        (5.5, "observe", "coord", 5.0),
        (5.5, "send", "coord", "battery"),
        (5.625, "deliver", "coord", "battery", 5.125),
        (5.75, "deliver", "battery", "coord", 5.5),
    ]
    assert timeline(env) == expected
    assert env.scheduler.current_time == 6.0
    sends = [r.msg_id for r in env.scheduler.trace if r.kind == "send"]
    delivers = [r.msg_id for r in env.scheduler.trace if r.kind == "deliver"]
    assert sorted(sends) == sorted(delivers)
    assert len(set(sends)) == 8  # 6 reports, 2 setpoints


def test_two_agent_observations_messages_and_plant() -> None:
    env, plant, battery, coord = two_agents()
    env.run_event_driven(6.0)
    # [soc, setpoint]: the 0.75 setpoint (delivered at 0.75) is read at 1.125;
    # each effect halves the gap, landing before the next tick samples.
    assert battery.seen == [
        (0.125, [0.5, 0.5]),
        (1.125, [0.5, 0.75]),
        (2.125, [0.625, 0.75]),
        (3.125, [0.6875, 0.75]),
        (4.125, [0.71875, 0.75]),
        (5.125, [0.734375, 0.75]),
    ]
    assert plant.soc == 0.7421875
    # [reported_mean]: nothing yet at 0.5 (the report arrives at 0.625); at 5.5
    # the newest delivered report was sampled at 4.0.
    assert coord.seen == [(0.5, [0.0]), (5.5, [0.71875])]
    assert [(m.sender, m.topic, m.payload, m.sent_at) for m in battery.got] == [
        ("coord", "setpoint", 0.75, 0.5)
    ]
    assert [(m.topic, m.payload, m.sent_at) for m in coord.got] == [
        ("report", 0.5, 0.125),
        ("report", 0.5, 1.125),
        ("report", 0.625, 2.125),
        ("report", 0.6875, 3.125),
        ("report", 0.71875, 4.125),
    ]
    assert [m.msg_id for m in coord.got] == [0, 2, 3, 4, 5]  # 1: the setpoint
    s = env.scheduler.kernel.stats
    assert (s.ticks, s.observations_delivered, s.actions_applied) == (8, 8, 6)
    assert s.messages_delivered == 8  # 6 reports + 2 setpoints, all before 6.0


def test_registration_order_and_tree_order() -> None:
    env, _, battery, coord = two_agents()
    assert env.registered_agents == ("battery", "coord")
    assert env.scheduler.registered_agents == ("coord", "battery")  # parents first
    assert env.scheduler.agent_intervals == {"coord": 5.0, "battery": 1.0}
    assert env.get_heron_agent("battery") is battery
    assert env.get_heron_agent("coord") is coord
    assert battery.observation_names == ("battery.soc.soc", "battery.setpoint")


def test_default_tick_config_is_the_agents_own_rate_and_phase() -> None:
    env = HeronEnv()
    env.register_agent(Agent("slow", tick_interval=2.5, phase=1.0))
    env.register_agent(Agent("fast", tick_interval=0.5))
    env.setup_event_driven()
    seen: list[tuple[float, str]] = []
    env.scheduler.set_handler(
        "agent_tick", lambda e, s: seen.append((e.timestamp, e.agent_id))
    )
    assert env.run_event_driven(4.0) == 10
    assert [t for t, a in seen if a == "slow"] == [1.0, 3.5]
    assert [t for t, a in seen if a == "fast"] == [0.5 * k for k in range(8)]


def test_global_state_and_custom_effect_with_plain_agents() -> None:
    """Plain Agents: controller(agent_id, obs, messages, ctx); effects to a callback."""
    env = HeronEnv()
    log: list[tuple[float, str, Any]] = []

    def ping(agent_id: str, obs: Any, messages: tuple[Message, ...], ctx: Any) -> Any:
        ctx.send("b", ("ping", obs))
        return ("a-act", obs)

    def pong(agent_id: str, obs: Any, messages: tuple[Message, ...], ctx: Any) -> Any:
        return [m.payload for m in messages] or None

    env.register_agent(
        Agent("a", controller=ping),
        tick_config=TickConfig.deterministic(2.0, obs_delay=0.25, msg_delay=0.5),
    )
    env.register_agent(
        Agent("b", controller=pong),
        tick_config=TickConfig.deterministic(1.0, act_delay=0.125),
    )
    env.setup_event_driven()
    clock = env.scheduler
    env.setup_default_handlers(
        global_state_fn=lambda: clock.current_time,
        on_action_effect=lambda aid, act: log.append((clock.current_time, aid, act)),
    )
    env.run_event_driven(4.0)
    assert log == [
        (0.25, "a", ("a-act", 0.0)),  # sampled at the tick (0.0), decided at 0.25
        (1.125, "b", [("ping", 0.0)]),  # delivered at 0.75, read at b's tick 1.0
        (2.25, "a", ("a-act", 2.0)),
        (3.125, "b", [("ping", 2.0)]),
    ]


def test_messages_reach_only_the_next_decision() -> None:
    """A message delivered at t is read by a decision after t, exactly once."""
    env = HeronEnv()
    got: list[tuple[float, list[Any]]] = []

    def talk(agent_id: str, obs: Any, messages: tuple[Message, ...], ctx: Any) -> None:
        ctx.send("listener", ctx.now, topic="t")

    def listen(
        agent_id: str, obs: Any, messages: tuple[Message, ...], ctx: Any
    ) -> None:
        got.append((ctx.now, [(m.payload, m.topic, m.recipient) for m in messages]))

    env.register_agent(
        Agent("talker", controller=talk), tick_config=TickConfig.deterministic(1.0)
    )
    env.register_agent(
        Agent("listener", controller=listen),
        tick_config=TickConfig.deterministic(2.0, phase=0.5),
    )
    env.setup_event_driven()
    env.setup_default_handlers()
    env.run_event_driven(5.0)
    assert got == [
        (0.5, [(0.0, "t", "listener")]),
        (2.5, [(1.0, "t", "listener"), (2.0, "t", "listener")]),
        (4.5, [(3.0, "t", "listener"), (4.0, "t", "listener")]),
    ]


def test_max_events_stops_early_and_the_run_resumes() -> None:
    env, *_ = two_agents()
    assert env.run_event_driven(6.0, max_events=3) == 3
    assert env.scheduler.current_time == 0.125
    rest = env.run_event_driven(6.0)
    full, *_ = two_agents()
    assert 3 + rest == full.run_event_driven(6.0)
    assert timeline(env) == timeline(full)


def jittered(seed: int) -> list[tuple[Any, ...]]:
    env = HeronEnv(plant=Cell())
    cfg = TickConfig.with_jitter(
        1.0, 0.125, 0.25, 0.5, jitter_type=JitterType.UNIFORM, jitter_ratio=0.2
    )
    env.register_agent(Battery(), tick_config=cfg)
    env.register_agent(Coord(), tick_config=cfg.replace(tick_interval=5.0))
    env.setup_event_driven(seed=seed)
    env.setup_default_handlers()
    env.run_event_driven(20.0)
    return rows(env.scheduler.trace)


def test_same_seed_same_trace_other_seed_other_trace() -> None:
    assert jittered(3) == jittered(3)
    assert jittered(3) != jittered(4)
    assert len(jittered(3)) > 50


def test_setup_again_restarts_the_episode() -> None:
    env, plant, *_ = two_agents()
    env.run_event_driven(6.0)
    first = timeline(env)
    old = env.scheduler
    assert env.setup_event_driven(seed=0) is env.scheduler is not old
    assert plant.resets == 2
    assert plant.soc == 0.5
    assert env.scheduler.current_time == 0.0
    env.run_event_driven(6.0)  # default handlers are kept
    assert timeline(env) == first


def test_start_time_offsets_everything() -> None:
    env = HeronEnv()
    env.register_agent(Agent("a", tick_interval=1.0))
    env.setup_event_driven(start_time=10.0)
    assert env.run_event_driven(12.0) == 2
    assert [r.time for r in env.scheduler.trace] == [10.0, 11.0]


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("call", "what"),
    [
        (lambda env: env.run_event_driven(1.0), "run_event_driven"),
        (lambda env: env.scheduler, "scheduler"),
        (lambda env: env.setup_default_handlers(), "setup_default_handlers"),
    ],
    ids=["run_event_driven", "scheduler", "setup_default_handlers"],
)
def test_calls_before_setup(call: Any, what: str) -> None:
    env = HeronEnv()
    env.register_agent(Agent("a"))
    msg = f"HeronEnv has no scheduler yet ({what}): call setup_event_driven() first"
    with pytest.raises(SimulationError, match=re.escape(msg)):
        call(env)


def test_unknown_agent_lists_the_registered_ones() -> None:
    env, *_ = two_agents()
    msg = "unknown agent 'ghost'; registered: battery, coord"
    with pytest.raises(SimulationError, match=re.escape(msg)):
        env.get_heron_agent("ghost")
    with pytest.raises(
        SimulationError, match=re.escape("unknown agent 'x'; registered: (none)")
    ):
        HeronEnv().get_heron_agent("x")


def test_register_errors() -> None:
    env = HeronEnv()
    env.register_agent(Agent("a"))
    with pytest.raises(
        ConfigError, match=re.escape("HeronEnv agent_id must be unique, got 'a' twice")
    ):
        env.register_agent(Agent("a"))
    with pytest.raises(
        TypeError, match=re.escape("HeronEnv register_agent needs an Agent, got 'b'")
    ):
        env.register_agent("b")  # type: ignore[arg-type]
    with pytest.raises(
        TypeError,
        match=re.escape(
            "HeronEnv register_agent tick_config must be a TickConfig, got 1.0"
        ),
    ):
        env.register_agent(Agent("c"), tick_config=1.0)  # type: ignore[arg-type]
    env.setup_event_driven()
    msg = "HeronEnv.register_agent must come before setup_event_driven(), got 'late' after it"
    with pytest.raises(SimulationError, match=re.escape(msg)):
        env.register_agent(Agent("late"))
    assert env.registered_agents == ("a",)


def test_missing_parent_is_reported_at_setup() -> None:
    env = HeronEnv()
    env.register_agent(Agent("a", parent="nobody"))
    msg = "agent 'a' parent must be a registered agent, got 'nobody'"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        env.setup_event_driven()
    with pytest.raises(SimulationError):
        env.scheduler  # noqa: B018  (no half-built episode is kept)


def test_message_to_an_unknown_agent() -> None:
    env = HeronEnv()
    env.register_agent(
        Agent("a", controller=lambda a, o, m, ctx: ctx.send("ghost", 1.0))
    )
    env.setup_event_driven()
    env.setup_default_handlers()
    with pytest.raises(
        SimulationError, match=re.escape("unknown agent 'ghost'; registered: a")
    ):
        env.run_event_driven(1.0)


def test_controller_error_names_agent_time_and_event() -> None:
    env = HeronEnv()
    env.register_agent(
        Agent("a", controller=lambda a, o, m, ctx: 1 / 0),
        tick_config=TickConfig.deterministic(1.0, obs_delay=0.25),
    )
    env.setup_event_driven()
    env.setup_default_handlers()
    msg = (
        "agent 'a' at t=0.250: observation_ready handler raised "
        "ZeroDivisionError: division by zero"
    )
    with pytest.raises(SimulationError, match=re.escape(msg)):
        env.run_event_driven(1.0)
