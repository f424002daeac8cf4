"""The event budget: work that cannot finish or fit is refused before it starts.

Every row is a call that, before the budget existed, ran for hours, forever,
or until memory ran out. Each must now raise ``BudgetError`` (a ConfigError)
at once, in one line naming the call, the estimated event count and the
budget, having run nothing. The budget is raised per call (``event_budget=``)
or switched off (None); ``max_events`` bounds a run whatever its ``t_end``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from heron_simpy import (
    Agent,
    BudgetError,
    ConfigError,
    EventScheduler,
    HeronEnv,
    Simulation,
    TickConfig,
    evaluate,
    make,
    profiles,
)
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET, check_event_budget
from heron_simpy.faults import ClockDrift
from heron_simpy.registry import build


def _sim(tick: float = 1.0, n: int = 1, **kwargs: Any) -> Simulation:
    sim = Simulation(seed=0, **kwargs)
    for i in range(n):
        sim.add_agent(Agent(f"a{i}", tick_interval=tick))
    return sim


def _scheduler(tick: float) -> EventScheduler:
    sched = EventScheduler(start_time=0.0, seed=0)
    sched.register_agent("a", tick_interval=tick)
    return sched


def _heron_env() -> HeronEnv:
    env = HeronEnv()
    env.register_agent(Agent("a", tick_interval=1.0))
    env.setup_event_driven(seed=0)
    return env


def _drifting() -> Simulation:
    sim = _sim()
    sim.add_fault(ClockDrift("a0", ppm=1e12))
    return sim


# fmt: off
ROWS = [
    pytest.param(lambda: _sim().run_until(math.inf), ["run_until(inf)", "about inf events"], id="run-until-inf"),
    pytest.param(lambda: _sim().run_until(1e308), ["run_until(1e+308)"], id="run-until-1e308"),
    pytest.param(lambda: _sim(tick=1e-12).run_until(1.0), ["fastest tick 1e-12 s", "3e+12"], id="tick-picosecond"),
    pytest.param(lambda: _drifting().run_until(10.0), ["run_until(10.0)", "3e+07"], id="clock-drift-1e12-ppm"),
    pytest.param(lambda: _sim(n=5, event_budget=100).run_until(10.0), ["5 agents", "budget of 100"], id="small-budget"),
    pytest.param(lambda: evaluate("battery-v0", t_end=1e308), ["run_until(1e+308)", "3 agents"], id="evaluate-t-end-1e308"),
    pytest.param(lambda: evaluate("battery-v0", t_end=300.0, coordinator_tick=1e-12), ["fastest tick 1e-12 s"], id="evaluate-coordinator-tick-picosecond"),
    pytest.param(lambda: evaluate("traffic-v0", t_end=60.0, dt=1e-6, horizon=120.0), ["fastest tick 1e-06 s", "8.4e+08"], id="evaluate-microsecond-step"),
    pytest.param(lambda: evaluate("battery-v0", t_end=60.0, profile=profiles["lan"].with_faults(ClockDrift("battery_*", ppm=1e12))), ["run_until(60.0)"], id="evaluate-clock-drift-fault"),
    pytest.param(lambda: _scheduler(1.0).run_until(math.inf), ["EventScheduler.run_until(inf)", "with 1 agent,"], id="scheduler-run-until-inf"),
    pytest.param(lambda: _scheduler(1e-12).run_until(1.0), ["EventScheduler.run_until(1.0)", "fastest tick 1e-12 s"], id="scheduler-tick-picosecond"),
    pytest.param(lambda: _heron_env().run_event_driven(math.inf), ["EventScheduler.run_until(inf)"], id="heron-env-run-inf"),
    pytest.param(lambda: make("battery-v0", n_agents=10**9), ["battery-v0", "1,000,000,001 agents"], id="make-billion-agents"),
    pytest.param(lambda: evaluate("battery-v0", n_agents=10**9, t_end=1.0), ["battery-v0", "1,000,000,001 agents"], id="evaluate-billion-agents"),
    pytest.param(lambda: build("sensor-network-v0", n_sensors=10**8), ["sensor-network-v0", "100,000,000 agents"], id="build-hundred-million-sensors"),
    pytest.param(lambda: make("battery-v0", n_agents=10**6, api="event"), ["1,000,001 agents"], id="make-event-million-agents"),
]
# fmt: on


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("call", "culprits"), ROWS)
def test_over_budget_is_refused_at_once_naming_the_call(
    call: Callable[[], Any], culprits: list[str]
) -> None:
    with pytest.raises(BudgetError) as excinfo:
        call()
    message = str(excinfo.value)
    assert "\n" not in message
    assert "event budget" in message
    for culprit in culprits:
        assert culprit in message, f"{culprit!r} not in {message!r}"


def test_a_refused_run_runs_nothing_and_loses_nothing() -> None:
    sim = _sim(n=2)
    sim.run_until(5.0)
    before = list(sim.trace)
    with pytest.raises(BudgetError):
        sim.run_until(math.inf)
    assert sim.trace == before
    assert sim.now == 5.0
    sim.run_until(10.0)  # still usable
    assert sim.stats.ticks == 20


def test_max_events_bounds_an_infinite_run() -> None:
    sim = _sim()
    assert sim.run_until(math.inf, max_events=50) == 50
    assert _scheduler(1.0).run_until(math.inf, max_events=7) == 7


def test_the_budget_can_be_raised_or_switched_off() -> None:
    assert _sim(tick=1e-3, event_budget=None).run_until(10.0) > 0
    assert _sim(tick=1e-3, event_budget=1e5).run_until(10.0) > 0
    with pytest.raises(BudgetError, match="budget of 10,000"):
        _sim(tick=1e-3, event_budget=1e4).run_until(10.0)


def test_the_estimate_counts_ticks_grid_and_setup() -> None:
    sim = _sim(tick=0.5, n=4, eval_dt=2.0)
    # 4 agents x 2 ticks/s x 3 events, + 0.5 grid points/s, over 10 s; + set-up.
    assert sim.estimate_events(10.0) == 4 * 50 + (4 * 2 * 3 + 0.5) * 10
    sim.run_until(1.0)
    assert sim.estimate_events(11.0) == (4 * 2 * 3 + 0.5) * 10


def test_the_estimate_is_close_to_what_runs() -> None:
    ep = evaluate("battery-v0", profile="lan", t_end=300.0)
    sim = build("battery-v0").simulation("lan")
    estimate = sim.estimate_events(300.0)
    assert 0.5 * estimate < ep.stats.events_processed < 3 * estimate


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0, BudgetError),
        (-5, BudgetError),
        (math.nan, BudgetError),
        ("big", TypeError),
        (True, TypeError),
    ],
    ids=["zero", "negative", "nan", "str", "bool"],
)
def test_a_bad_budget_is_refused_naming_it(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="Simulation event_budget"):
        Simulation(seed=0, event_budget=value)
    with pytest.raises(error, match="evaluate event_budget"):
        evaluate("battery-v0", t_end=1.0, event_budget=value)


def test_budget_error_is_a_config_error() -> None:
    assert issubclass(BudgetError, ConfigError)
    assert check_event_budget(DEFAULT_EVENT_BUDGET, "x") == DEFAULT_EVENT_BUDGET
    assert check_event_budget(math.inf, "x") == math.inf


def test_a_default_run_of_every_builtin_fits_the_default_budget() -> None:
    for scenario_id in (
        "battery-v0",
        "heating-v0",
        "microgrid-v0",
        "sensor-network-v0",
        "traffic-v0",
    ):
        scenario = build(scenario_id)
        for profile in ("ideal", "scada"):
            assert scenario.estimate_events(profile) < DEFAULT_EVENT_BUDGET / 10


def test_tick_config_alone_is_not_refused() -> None:
    # Construction takes any positive interval; the run is what is bounded.
    TickConfig(tick_interval=1e-12)


def test_a_reset_scheduler_keeps_its_budget() -> None:
    sched = _scheduler(1.0)
    sched.run_until(5.0)
    sched.reset(0.0)
    with pytest.raises(BudgetError, match=r"EventScheduler\.run_until\(inf\)"):
        sched.run_until(math.inf)
    assert sched.run_until(3.0) == 3
