"""HERON-style scheduler: two agents at their own rates, with an action delay.

A battery ticks every 1 s with 10 % uniform jitter and a microgrid coordinator every
5 s with 5 % gaussian jitter. On each microgrid tick a setpoint message goes to the
battery (0.25 s delay); the battery answers every tick with an action that lands
0.5 s later. Run it: ``python docs/examples/heron_scheduler.py``.
"""

from heron_simpy import EventScheduler, EventType, JitterType, TickConfig

sched = EventScheduler(start_time=0.0)
sched.register_agent(
    "battery_1",
    tick_config=TickConfig.with_jitter(
        tick_interval=1.0,
        act_delay=0.5,
        jitter_type=JitterType.UNIFORM,
        jitter_ratio=0.1,
        seed=10,
    ),
)
sched.register_agent(
    "microgrid_1",
    tick_config=TickConfig.with_jitter(
        tick_interval=5.0,
        jitter_type=JitterType.GAUSSIAN,
        jitter_ratio=0.05,
        seed=10,
    ),
)
setpoint = {"value": 0.5}


def on_tick(event, scheduler):
    """Coordinator ticks send a setpoint; battery ticks act on the latest one."""
    print(f"{scheduler.current_time:7.3f}  tick     {event.agent_id}")
    if event.agent_id == "microgrid_1":
        scheduler.schedule_message_delivery("microgrid_1", "battery_1", 0.6, delay=0.25)
    else:
        scheduler.schedule_action_effect("battery_1", action=setpoint["value"])


def on_effect(event, scheduler):
    """Print an action effect."""
    print(
        f"{scheduler.current_time:7.3f}  effect   {event.agent_id} "
        f"action={event.payload['action']}"
    )


def on_message(event, scheduler):
    """Store the delivered setpoint."""
    setpoint["value"] = event.payload["message"]
    print(
        f"{scheduler.current_time:7.3f}  message  {event.payload['sender']} -> "
        f"{event.agent_id}: {event.payload['message']}"
    )


sched.set_handler(EventType.AGENT_TICK, on_tick)
sched.set_handler(EventType.ACTION_EFFECT, on_effect)
sched.set_handler(EventType.MESSAGE_DELIVERY, on_message)
n = sched.run_until(t_end=10.0)
print(
    f"{n} events in [0, 10); ticks per agent:",
    {
        a: sum(1 for r in sched.trace if r.kind == "tick" and r.agent_id == a)
        for a in sched.registered_agents
    },
)
