"""Bad-input catalogue: every bad input raises its exact error type, naming the culprit.

One table (``ROWS``) of ``pytest.param(call, expected_type, culprits, id=...)`` runs
through one test: ``call`` (called with ``tmp_path`` when it takes an argument)
must raise exactly ``expected_type`` (not a subclass) and the message must
contain every culprit substring (the field and the offending value, or the
agent id and the simulated time). ``{tmp}`` in a culprit stands for
``tmp_path``. The command line has its own small table (``CLI_ROWS``): exit
code 2 and one error line naming the culprit. Scenario CSVs and profile files
(``heron_simpy.profile_file``) are written broken into ``tmp_path`` at run time.
Separate tests check that a policy raising mid-run stops an event-driven run
with the agent and the simulated time, keeping an exportable trace.

Rows marked ``xfail(strict=True)`` are known bugs: the library accepts the
input, raises a bare error from deep inside, or does not name the culprit.
The reason says what happens today; fix the library and drop the marker.
"""

from __future__ import annotations

import csv
import importlib.util
import inspect
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from heron_simpy.scenarios import heating as _heating
from heron_simpy.scenarios import microgrid as _microgrid

from heron_simpy import (
    ActionError,
    Agent,
    ConfigError,
    EventScheduler,
    EventType,
    FieldAgent,
    Recorder,
    ScheduleConfig,
    Simulation,
    SimulationError,
    TickConfig,
    TimingProfile,
    cli,
    compare,
    evaluate,
    make,
    registry,
)
from heron_simpy.compare import Sweep, parse_sweep
from heron_simpy.faults import (
    ActuatorSaturation,
    ClockDrift,
    Crash,
    FaultError,
    LinkOutage,
    SensorDropout,
    StuckSensor,
    fault_from_mapping,
)
from heron_simpy.profile_file import ProfileFileError, load_profiles
from heron_simpy.recording import read_jsonl, to_csv, to_jsonl
from heron_simpy.timing import (
    BernoulliLoss,
    EmpiricalDelay,
    FixedDelay,
    GaussianDelay,
    GilbertElliottLoss,
    LogNormalDelay,
    UniformDelay,
    profiles,
    resolve_profile,
)

NAN = float("nan")
INF = float("inf")
_MISSING = object()


def _bug(reason: str) -> pytest.MarkDecorator:
    """Mark a row as a known library bug (the row must keep failing until fixed)."""
    return pytest.mark.xfail(strict=True, reason=reason)


def _profile(**changes: Any) -> TimingProfile:
    """A valid custom profile with some fields changed."""
    fields: dict[str, Any] = {
        "name": "custom",
        "source": "a test profile",
        "field": TickConfig(),
        "coordinator": TickConfig(60.0),
        "system": TickConfig(300.0),
    }
    fields.update(changes)
    return TimingProfile(**fields)


# ------------------------------------------------------------ simulation helpers


def _sim_with(*agents: Agent, **kwargs: Any) -> Simulation:
    sim = Simulation(**kwargs)
    for agent in agents:
        sim.add_agent(agent)
    return sim


def _run(sim: Simulation, t_end: float = 3.0) -> None:
    sim.run_until(t_end)


def _send_to_ghost(agent_id: str, obs: Any, messages: Any, ctx: Any) -> None:
    ctx.send("ghost", 1.0)


def _add_with_tick(tick: Any) -> Simulation:
    sim = Simulation()
    sim.add_agent(Agent("pump_1"), tick=tick)
    return sim


class _InfiniteRunError(Exception):
    """Raised instead of running an episode that would never end."""


def _evaluate_guarded(**kwargs: Any) -> None:
    """``evaluate`` with ``Simulation.run_until`` refusing an infinite horizon.

    ``evaluate(t_end=inf)`` is accepted today and then runs forever; the guard
    turns that hang into an error so the row can fail fast.
    """
    original = Simulation.run_until

    def guarded(self: Simulation, t_end: float, *args: Any, **kw: Any) -> int:
        if not math.isfinite(t_end):
            raise _InfiniteRunError(f"run_until({t_end!r}) would never return")
        return original(self, t_end, *args, **kw)

    with mock.patch.object(Simulation, "run_until", guarded):
        evaluate("battery-v0", **kwargs)


# -------------------------------------------------------------- lockstep helpers


def _battery_env(**overrides: Any) -> Any:
    env = make("battery-v0", **{"n_agents": 2, **overrides})
    env.reset(seed=0)
    return env


def _zeros(agents: list[str]) -> dict[str, Any]:
    return {a: np.zeros(1, dtype=np.float32) for a in agents}


def _lockstep_step(
    changes: dict[str, Any], steps_before: int = 0, **overrides: Any
) -> None:
    """Step battery-v0's lockstep env with some actions replaced (or removed)."""
    env = _battery_env(**overrides)
    for _ in range(steps_before):
        env.step(_zeros(env.agents))
    actions = _zeros(env.agents)
    for agent_id, action in changes.items():
        if action is _MISSING:
            del actions[agent_id]
        else:
            actions[agent_id] = action
    env.step(actions)


def _central_step(action: Any) -> None:
    env = make("battery-v0", api="gymnasium", n_agents=2)
    env.reset(seed=0)
    env.step(action)


def _event_env_step(changes: dict[str, Any]) -> None:
    """First step of battery-v0's event-driven training env under ``lan``."""
    env = make("battery-v0", api="event", profile="lan", n_agents=2)
    obs, _ = env.reset(seed=0)
    actions = _zeros(sorted(obs))
    for agent_id, action in changes.items():
        if action is _MISSING:
            del actions[agent_id]
        else:
            actions[agent_id] = action
    env.step(actions)


# ------------------------------------------------------------------- policies


class _BadShapeAfter:
    """Returns a valid action, except a (2,)-shaped one for ``agent`` after n calls."""

    def __init__(self, agent: str = "battery_0", good_calls: int = 3) -> None:
        self.agent = agent
        self.good_calls = good_calls
        self.calls = 0

    def __call__(self, agent_id: str, observation: Any) -> np.ndarray:
        if agent_id == self.agent:
            self.calls += 1
            if self.calls > self.good_calls:
                return np.zeros(2)
        return np.zeros(1)


class _RaisesAfter:
    """Returns zeros, but raises ``error`` on ``agent``'s call number ``on_call``."""

    def __init__(self, agent: str, on_call: int, error: Exception) -> None:
        self.agent = agent
        self.on_call = on_call
        self.error = error
        self.calls = 0

    def __call__(self, agent_id: str, observation: Any) -> np.ndarray:
        if agent_id == self.agent:
            self.calls += 1
            if self.calls == self.on_call:
                raise self.error
        return np.zeros(1)


def _raising(error: Exception) -> Callable[[str, Any], Any]:
    def policy(agent_id: str, observation: Any) -> Any:
        raise error

    return policy


def _lockstep_rollout(policy: Callable[[str, Any], Any], steps: int) -> None:
    """Drive battery-v0's lockstep env with ``policy`` (a learner's rollout loop)."""
    env = make("battery-v0", n_agents=2)
    obs, _ = env.reset(seed=0)
    for _ in range(steps):
        obs, *_ = env.step({a: policy(a, obs[a]) for a in env.agents})


def _evaluate_policy(policy: Callable[[str, Any], Any], **kwargs: Any) -> None:
    evaluate("battery-v0", policy, **{"t_end": 5.0, **kwargs})


# --------------------------------------------------------------- scenario CSVs


def _edit_rows(lines: list[str], kind: str, row: int) -> list[str]:
    """Break a CSV (header + rows numbered from 0) in one of a few ways."""
    head, body = lines[0], lines[1:]
    cells = body[row].split(",")
    edits = {
        "nan": ",".join([cells[0], "nan", *cells[2:]]),
        "inf": ",".join([cells[0], "inf", *cells[2:]]),
        "empty": ",".join([cells[0], "", *cells[2:]]),
        "text": ",".join([cells[0], "warm", *cells[2:]]),
        "ragged": ",".join(cells[:2]),
    }
    if kind in edits:
        body = [*body[:row], edits[kind], *body[row + 1 :]]
    elif kind == "gap":
        body = (
            body[:row] + body[row + 100 :]
            if len(body) > 1000
            else body[:row] + body[row + 1 :]
        )
    elif kind == "short":
        body = body[:49]
    elif kind == "header":
        head = "idx,temp,price"
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(kind)
    return [head, *body]


def _heating_csv(tmp: Path, kind: str) -> str:
    """A copy of heating-v0's packaged series, broken at index 4 (gap: index 10)."""
    lines = _heating.DEFAULT_SERIES.read_text().splitlines()
    path = tmp / f"heat_{kind}.csv"
    path.write_text(
        "\n".join(_edit_rows(lines, kind, 10 if kind == "gap" else 4)) + "\n"
    )
    return str(path)


def _microgrid_csv(tmp: Path, kind: str) -> Path:
    """A copy of microgrid-v0's daily profiles, broken at minute 4 (gap: 100-199)."""
    lines = _microgrid.PROFILES.read_text().splitlines()
    path = tmp / f"mg_{kind}.csv"
    path.write_text(
        "\n".join(_edit_rows(lines, kind, 100 if kind == "gap" else 4)) + "\n"
    )
    return path


def _microgrid_with(tmp: Path, kind: str) -> None:
    """Run microgrid-v0 on a broken profile file (it has no path override)."""
    with mock.patch.object(_microgrid, "PROFILES", _microgrid_csv(tmp, kind)):
        evaluate("microgrid-v0", t_end=5.0)


def _heating_make(tmp: Path, kind: str) -> None:
    make("heating-v0", series=_heating_csv(tmp, kind))


def _empirical_csv(tmp: Path, text: str, column: int = 0) -> None:
    path = tmp / "delays.csv"
    path.write_text(text)
    EmpiricalDelay.from_csv(path, column=column)


# -------------------------------------------------------------- profile files

_NO_YAML = pytest.mark.skipif(
    importlib.util.find_spec("yaml") is None, reason="needs PyYAML (yaml extra)"
)


def _profile_file(tmp: Path, name: str, text: str) -> None:
    """Write a profile file (``{tmp}`` in ``text`` is ``tmp``) and load it."""
    path = tmp / name
    path.write_text(text.replace("{tmp}", str(tmp)))
    load_profiles(path)


def _profile_file_no_side_effect(tmp: Path) -> None:
    """A YAML tag that would create a directory if Python objects were built."""
    target = tmp / "pwned"
    try:
        _profile_file(
            tmp,
            "apply.yaml",
            "profiles:\n  x:\n    source: !!python/object/apply:os.mkdir ['{tmp}/pwned']\n",
        )
    finally:
        assert not target.exists(), "the YAML tag was executed"


def _scheduler_handler_raises() -> None:
    sched = EventScheduler()
    sched.register_agent("pump_1")

    def on_tick(event: Any, scheduler: Any) -> None:
        if event.timestamp >= 2.0:
            raise ValueError("handler exploded")

    sched.set_handler(EventType.AGENT_TICK, on_tick)
    sched.run_until(5.0)


# ====================================================================== the table

# fmt: off
ROWS = [
    # ---------------------------------------------------------------- TickConfig
    pytest.param(lambda: TickConfig(tick_interval=0), ConfigError, ["tick_interval", "got 0"], id="tick-interval-zero"),
    pytest.param(lambda: TickConfig(tick_interval=-1.0), ConfigError, ["tick_interval", "got -1.0"], id="tick-interval-negative"),
    pytest.param(lambda: TickConfig(tick_interval=NAN), ConfigError, ["tick_interval", "nan"], id="tick-interval-nan"),
    pytest.param(lambda: TickConfig(tick_interval="1"), TypeError, ["tick_interval", "'1'"], id="tick-interval-str"),
    pytest.param(lambda: TickConfig(obs_delay=-0.1), ConfigError, ["obs_delay", "-0.1"], id="obs-delay-negative"),
    pytest.param(lambda: TickConfig(obs_delay=NAN), ConfigError, ["obs_delay", "nan"], id="obs-delay-nan"),
    pytest.param(lambda: TickConfig(obs_delay="fast"), TypeError, ["obs_delay", "'fast'"], id="obs-delay-str"),
    pytest.param(lambda: TickConfig(act_delay=INF), ConfigError, ["act_delay", "inf"], id="act-delay-inf"),
    pytest.param(lambda: TickConfig(msg_delay=-2), ConfigError, ["msg_delay", "-2"], id="msg-delay-negative"),
    pytest.param(lambda: TickConfig(jitter_type="poisson"), ConfigError, ["jitter_type", "'poisson'"], id="jitter-type-unknown"),
    pytest.param(lambda: TickConfig(jitter_type=3), TypeError, ["jitter_type", "got 3"], id="jitter-type-int"),
    pytest.param(lambda: TickConfig(jitter_ratio=-0.1), ConfigError, ["jitter_ratio", "-0.1"], id="jitter-ratio-negative"),
    pytest.param(lambda: TickConfig(jitter_ratio=NAN), ConfigError, ["jitter_ratio", "nan"], id="jitter-ratio-nan"),
    pytest.param(lambda: ScheduleConfig(min_delay=-1), ConfigError, ["min_delay", "-1"], id="min-delay-negative"),
    pytest.param(lambda: TickConfig(phase=-5.0), ConfigError, ["phase", "-5.0"], id="phase-negative"),
    pytest.param(lambda: TickConfig(seed=-1), ConfigError, ["seed", "-1"], id="tick-seed-negative"),
    pytest.param(lambda: TickConfig(seed=1.5), TypeError, ["seed", "1.5"], id="tick-seed-float"),
    pytest.param(lambda: TickConfig(tick_interval=0, obs_delay=-1), ConfigError, ["tick_interval", "got 0", "obs_delay", "got -1"], id="tick-two-bad-fields-listed"),
    pytest.param(lambda: TickConfig.with_jitter(1.0, jitter_type="cauchy"), ConfigError, ["jitter_type", "'cauchy'"], id="with-jitter-unknown-type"),
    pytest.param(lambda: TickConfig.from_hz(0), ConfigError, ["hz", "got 0"], id="from-hz-zero"),
    pytest.param(lambda: TickConfig().replace(tick=2.0), TypeError, ["'tick'"], id="tick-replace-unknown-field"),
    # ------------------------------------------------------------- TimingProfile
    pytest.param(lambda: _profile(name=""), ConfigError, ["name", "''"], id="profile-name-empty"),
    pytest.param(lambda: _profile(name=3), TypeError, ["name", "got 3"], id="profile-name-int"),
    pytest.param(lambda: _profile(source="two\nlines"), ConfigError, ["source", "'two\\nlines'"], id="profile-source-multiline"),
    pytest.param(lambda: _profile(field={"tick_interval": 1.0}), TypeError, ["field", "{'tick_interval': 1.0}"], id="profile-level-dict"),
    pytest.param(lambda: _profile(coordinator=None), TypeError, ["coordinator", "None"], id="profile-level-none"),
    pytest.param(lambda: _profile(rates="fast"), ConfigError, ["rates", "'fast'"], id="profile-rates-unknown"),
    pytest.param(lambda: _profile(loss=0.1), TypeError, ["loss", "0.1"], id="profile-loss-float"),
    pytest.param(lambda: _profile(agents={"pump_1": 1.0}), TypeError, ["agents", "'pump_1'", "1.0"], id="profile-agent-entry-float"),
    pytest.param(lambda: _profile(faults=["crash"]), TypeError, ["faults[0]", "'crash'"], id="profile-fault-str"),
    pytest.param(lambda: profiles["lan"].level("edge"), ConfigError, ["level", "'edge'"], id="profile-level-unknown"),
    pytest.param(lambda: profiles["lan"].for_agent("pump_1", "field", tick_interval=-1), ConfigError, ["tick_interval", "-1"], id="profile-for-agent-bad-rate"),
    pytest.param(lambda: profiles["lan"].with_faults("crash"), TypeError, ["faults[0]", "'crash'"], id="profile-with-faults-str"),
    pytest.param(lambda: resolve_profile("satellite"), ConfigError, ["'satellite'", "ideal", "scada"], id="resolve-profile-unknown"),
    pytest.param(lambda: resolve_profile(42), TypeError, ["profile", "42"], id="resolve-profile-int"),
    # ------------------------------------------------------ delay and loss models
    pytest.param(lambda: FixedDelay(-1), ConfigError, ["FixedDelay value", "-1"], id="fixed-delay-negative"),
    pytest.param(lambda: FixedDelay(NAN), ConfigError, ["FixedDelay value", "nan"], id="fixed-delay-nan"),
    pytest.param(lambda: UniformDelay(0.5, 0.1), ConfigError, ["high", "low", "0.5", "0.1"], id="uniform-delay-high-below-low"),
    pytest.param(lambda: UniformDelay(NAN, 0.1), ConfigError, ["UniformDelay low", "nan"], id="uniform-delay-nan"),
    pytest.param(lambda: GaussianDelay(0.1, -0.05), ConfigError, ["GaussianDelay std", "-0.05"], id="gaussian-delay-negative-std"),
    pytest.param(lambda: LogNormalDelay(0.1, NAN), ConfigError, ["LogNormalDelay sigma", "nan"], id="lognormal-delay-nan-sigma"),
    pytest.param(lambda: LogNormalDelay(-0.1, 0.5), ConfigError, ["LogNormalDelay median", "-0.1"], id="lognormal-delay-negative-median"),
    pytest.param(lambda: EmpiricalDelay([0.1, NAN]), ConfigError, ["samples[1]", "nan"], id="empirical-delay-nan-sample"),
    pytest.param(lambda: EmpiricalDelay([]), ConfigError, ["samples", "empty"], id="empirical-delay-empty"),
    pytest.param(lambda tmp: _empirical_csv(tmp, "delay_s\n0.1\nnan\n0.3\n"), ConfigError, ["delays.csv", "row 3", "'nan'"], id="empirical-csv-nan-row"),
    pytest.param(lambda tmp: _empirical_csv(tmp, "a,b\n0.1,0.2\n0.3\n", column=1), ConfigError, ["delays.csv", "row 3", "column 1"], id="empirical-csv-missing-cell"),
    pytest.param(lambda: BernoulliLoss(1.5), ConfigError, ["BernoulliLoss p", "1.5"], id="bernoulli-loss-above-one"),
    pytest.param(lambda: BernoulliLoss(NAN), ConfigError, ["BernoulliLoss p", "nan"], id="bernoulli-loss-nan"),
    pytest.param(lambda: GilbertElliottLoss(NAN, 0.3), ConfigError, ["p_good_to_bad", "nan"], id="gilbert-elliott-nan"),
    pytest.param(lambda: GilbertElliottLoss(0.0, 0.0), ConfigError, ["p_good_to_bad", "p_bad_to_good", "0.0"], id="gilbert-elliott-never-switches"),
    pytest.param(lambda: GilbertElliottLoss(0.1, 0.3, loss_bad=2.0), ConfigError, ["loss_bad", "2.0"], id="gilbert-elliott-loss-bad-above-one"),
    # -------------------------------------------------------------------- faults
    pytest.param(lambda: SensorDropout("battery_0", -1, 5), FaultError, ["SensorDropout start", "-1"], id="sensor-dropout-negative-start"),
    pytest.param(lambda: SensorDropout("battery_0", 1, NAN), FaultError, ["SensorDropout duration", "nan"], id="sensor-dropout-nan-duration"),
    pytest.param(lambda: SensorDropout("", 1, 5), FaultError, ["SensorDropout agent", "''"], id="sensor-dropout-empty-agent"),
    pytest.param(lambda: StuckSensor("battery_0", INF, 5), FaultError, ["StuckSensor start", "inf"], id="stuck-sensor-inf-start"),
    pytest.param(lambda: LinkOutage("fleet", "battery_0", 0, 5, mode="retry"), FaultError, ["LinkOutage mode", "'retry'"], id="link-outage-unknown-mode"),
    pytest.param(lambda: LinkOutage(None, "battery_0", 0, 5), FaultError, ["LinkOutage sender", "None"], id="link-outage-no-sender"),
    pytest.param(lambda: Crash("fleet", 10, -3), FaultError, ["Crash downtime", "-3"], id="crash-negative-downtime"),
    pytest.param(lambda: Crash("fleet", 10, 3, in_flight="maybe"), FaultError, ["Crash in_flight", "'maybe'"], id="crash-unknown-in-flight"),
    pytest.param(lambda: ActuatorSaturation("battery_0", 0, 5), FaultError, ["ActuatorSaturation low", "high", "None"], id="saturation-no-bounds"),
    pytest.param(lambda: ActuatorSaturation("battery_0", 0, 5, low=1.0, high=-1.0), FaultError, ["ActuatorSaturation low", "1.0", "-1.0"], id="saturation-low-above-high"),
    pytest.param(lambda: ActuatorSaturation("battery_0", 0, 5, low=[0.0, NAN]), FaultError, ["ActuatorSaturation low", "nan"], id="saturation-nan-bound"),
    pytest.param(lambda: ClockDrift("battery_0", ppm=-2e6), FaultError, ["ClockDrift ppm", "-2000000.0"], id="clock-drift-stopped-clock"),
    pytest.param(lambda: ClockDrift("battery_0", offset=INF), FaultError, ["ClockDrift offset", "inf"], id="clock-drift-inf-offset"),
    pytest.param(lambda: fault_from_mapping({"kind": "meteor", "agent": "battery_0"}), FaultError, ["kind", "'meteor'", "'crash'"], id="fault-mapping-unknown-kind"),
    pytest.param(lambda: fault_from_mapping({"kind": "crash", "agent": "fleet", "start": 1, "downtime": 2, "reboot": 3}), FaultError, ["reboot", "'crash'"], id="fault-mapping-unknown-key"),
    pytest.param(lambda: fault_from_mapping({"kind": "crash", "agent": "fleet", "start": 1}), FaultError, ["Crash downtime", "required"], id="fault-mapping-missing-key"),
    pytest.param(lambda: fault_from_mapping({"kind": "sensor_dropout", "agent": "battery_0", "start": 1, "duration": -4}), FaultError, ["SensorDropout duration", "-4"], id="fault-mapping-bad-value"),
    pytest.param(lambda: fault_from_mapping(["crash"]), FaultError, ["mapping", "['crash']"], id="fault-mapping-not-a-mapping"),
    # ---------------------------------------------------------------- Simulation
    pytest.param(lambda: Simulation(seed=-1), ConfigError, ["seed", "-1"], id="sim-seed-negative"),
    pytest.param(lambda: Simulation(seed=1.5), TypeError, ["seed", "1.5"], id="sim-seed-float"),
    pytest.param(lambda: Simulation(seed="0"), TypeError, ["seed", "'0'"], id="sim-seed-str"),
    pytest.param(lambda: Simulation(eval_dt=0), ConfigError, ["eval_dt", "got 0"], id="sim-eval-dt-zero"),
    pytest.param(lambda: Simulation(eval_dt=NAN), ConfigError, ["eval_dt", "nan"], id="sim-eval-dt-nan"),
    pytest.param(lambda: Simulation(reward=lambda plant, t: {}), ConfigError, ["reward", "eval_dt"], id="sim-reward-without-grid"),
    pytest.param(lambda: Simulation(keep_rewards="yes"), ConfigError, ["keep_rewards", "'yes'"], id="sim-keep-rewards-str"),
    pytest.param(lambda: Simulation(profile="moon"), ConfigError, ["'moon'", "ideal"], id="sim-profile-unknown"),
    pytest.param(lambda: Simulation(start_time=NAN), ConfigError, ["start_time", "nan"], id="sim-start-time-nan"),
    pytest.param(lambda: Simulation(loss=0.5), TypeError, ["loss", "0.5"], id="sim-loss-float"),
    pytest.param(lambda: Simulation(recorder="full"), TypeError, ["recorder", "'full'"], id="sim-recorder-str"),
    pytest.param(lambda: Simulation().add_agent("pump_1"), TypeError, ["agent", "'pump_1'"], id="sim-add-agent-str"),
    pytest.param(lambda: _run(_add_with_tick(1.0)), TypeError, ["tick", "1.0"], id="sim-add-agent-tick-float"),
    pytest.param(lambda: _sim_with(Agent("pump_1"), Agent("pump_1")), ConfigError, ["agent_id", "'pump_1'"], id="sim-duplicate-agent"),
    pytest.param(lambda: _run(_sim_with(Agent("pump_1", parent="ghost"))), ConfigError, ["'pump_1'", "parent", "'ghost'"], id="sim-unknown-parent"),
    pytest.param(lambda: _run(_sim_with(Agent("a", parent="b"), Agent("b", parent="a"))), ConfigError, ["cycle", "'a'"], id="sim-parent-cycle"),
    pytest.param(lambda: Simulation().run_until(NAN), SimulationError, ["t_end", "nan"], id="sim-run-until-nan"),
    pytest.param(lambda: Simulation().run_until(-1.0), SimulationError, ["t_end", "-1.0"], id="sim-run-until-past"),
    pytest.param(lambda: Simulation().run_until("10"), TypeError, ["t_end", "'10'"], id="sim-run-until-str"),
    pytest.param(lambda: Simulation().run_until(1.0, max_events=0), ConfigError, ["max_events", "got 0"], id="sim-run-until-max-events-zero"),
    pytest.param(lambda: Simulation().run_until(1.0, before="later"), ConfigError, ["before", "'later'"], id="sim-run-until-unknown-phase"),
    pytest.param(lambda: Simulation().set_link("a", "b", delay=-1.0), ConfigError, ["'a'->'b'", "delay", "-1.0"], id="sim-link-negative-delay"),
    pytest.param(lambda: Simulation().set_link("a", "b", loss=2.0), TypeError, ["loss", "2.0"], id="sim-link-loss-float"),
    pytest.param(lambda: Simulation().config_for("ghost"), SimulationError, ["'ghost'"], id="sim-config-for-unknown-agent"),
    pytest.param(lambda: _run(_sim_with(Agent("pump_1", sensor=5))), SimulationError, ["'pump_1'", "t=0.000", "sensor", "not callable"], id="sim-sensor-not-callable"),
    pytest.param(lambda: _run(_sim_with(Agent("pump_1", controller=_send_to_ghost))), SimulationError, ["'pump_1'", "t=0.000", "'ghost'"], id="sim-message-to-unknown-agent"),
    # -------------------------------------------------------------------- Agent
    pytest.param(lambda: Agent(""), ConfigError, ["agent_id", "''"], id="agent-id-empty"),
    pytest.param(lambda: Agent(7), ConfigError, ["agent_id", "got 7"], id="agent-id-int"),
    pytest.param(lambda: Agent("pump_1", level="edge"), ConfigError, ["'pump_1'", "level", "'edge'"], id="agent-level-unknown"),
    pytest.param(lambda: Agent("pump_1", tick_interval=0), ConfigError, ["'pump_1'", "tick_interval", "got 0"], id="agent-tick-zero"),
    pytest.param(lambda: Agent("pump_1", tick_interval=NAN), ConfigError, ["'pump_1'", "tick_interval", "nan"], id="agent-tick-nan"),
    pytest.param(lambda: Agent("pump_1", phase=-1), ConfigError, ["'pump_1'", "phase", "-1"], id="agent-phase-negative"),
    pytest.param(lambda: FieldAgent("pump_1", action_space=[0, 1]), TypeError, ["'pump_1'", "action_space", "[0, 1]"], id="agent-action-space-list"),
    # ------------------------------------------------------- EventScheduler, Recorder
    pytest.param(lambda: EventScheduler(start_time=NAN), ConfigError, ["start_time", "nan"], id="scheduler-start-nan"),
    pytest.param(lambda: EventScheduler().register_agent("pump_1", tick_config=1.0), TypeError, ["tick_config", "1.0"], id="scheduler-tick-config-float"),
    pytest.param(lambda: EventScheduler().register_agent(""), ConfigError, ["agent_id", "''"], id="scheduler-agent-id-empty"),
    pytest.param(lambda: EventScheduler().set_handler("tick", print), ValueError, ["'tick'", "EventType"], id="scheduler-handler-unknown-event-type"),
    pytest.param(lambda: EventScheduler().schedule_action_effect("ghost", 1.0), SimulationError, ["'ghost'"], id="scheduler-effect-unknown-agent"),
    pytest.param(_scheduler_handler_raises, SimulationError, ["'pump_1'", "t=2.000", "ValueError", "handler exploded"], id="scheduler-handler-raises"),
    pytest.param(lambda: Recorder("everything"), ConfigError, ["mode", "'everything'"], id="recorder-mode-unknown"),
    pytest.param(lambda: Recorder("ring", 0), ConfigError, ["maxlen", "got 0"], id="recorder-ring-zero"),
    # --------------------------------------------------------------------- make
    pytest.param(lambda: make("battery-v9"), ConfigError, ["'battery-v9'", "battery-v0"], id="make-unknown-id"),
    pytest.param(lambda: make("battery-v0", n_batteries=3), ConfigError, ["'n_batteries'", "n_agents"], id="make-unknown-override"),
    pytest.param(lambda: make("battery-v0", n_agents="4"), TypeError, ["n_agents", "'4'"], id="make-override-wrong-type"),
    pytest.param(lambda: make("battery-v0", coordinator="yes"), TypeError, ["coordinator", "'yes'"], id="make-override-str-for-bool"),
    pytest.param(lambda: make("battery-v0", n_agents=0), ConfigError, ["n_agents", "got 0"], id="make-override-bad-value"),
    pytest.param(lambda: make("microgrid-v0", soc_min=0.9, soc_max=0.5), ConfigError, ["soc_max", "0.5", "0.9"], id="make-override-relation"),
    pytest.param(lambda: make("heating-v0", horizon=1000.0), ConfigError, ["horizon", "1000.0", "dt"], id="make-override-not-multiple-of-dt"),
    pytest.param(lambda: make("battery-v0", api="rllib"), ConfigError, ["api", "'rllib'"], id="make-api-unknown"),
    pytest.param(lambda: make("battery-v0", mode="async"), ConfigError, ["mode", "'async'"], id="make-mode-unknown"),
    pytest.param(lambda: make("battery-v0", profile="lan"), ConfigError, ["profile", "'lan'", "lockstep"], id="make-profile-in-lockstep"),
    pytest.param(lambda: make("battery-v0", api="event", profile="moon"), ConfigError, ["'moon'"], id="make-event-profile-unknown"),
    # ----------------------------------------------------------------- evaluate
    pytest.param(lambda: evaluate("battery-v0", t_end=0), ConfigError, ["t_end", "got 0"], id="evaluate-t-end-zero"),
    pytest.param(lambda: evaluate("battery-v0", t_end=NAN), ConfigError, ["t_end", "nan"], id="evaluate-t-end-nan"),
    pytest.param(lambda: evaluate("battery-v0", t_end="10"), ConfigError, ["t_end", "'10'"], id="evaluate-t-end-str"),
    pytest.param(lambda: _evaluate_guarded(t_end=INF), ConfigError, ["t_end", "inf"], id="evaluate-t-end-inf"),
    pytest.param(lambda: evaluate("battery-v0", t_end=2.0, seed=-1), ConfigError, ["seed", "-1"], id="evaluate-seed-negative"),
    pytest.param(lambda: evaluate("battery-v0", t_end=2.0, seed=0.5), TypeError, ["seed", "0.5"], id="evaluate-seed-float"),
    pytest.param(lambda: evaluate("battery-v0", t_end=2.0, profile="moon"), ConfigError, ["'moon'", "ideal"], id="evaluate-profile-unknown"),
    pytest.param(lambda: evaluate("nope-v0", t_end=2.0), ConfigError, ["'nope-v0'"], id="evaluate-scenario-unknown"),
    pytest.param(lambda: evaluate("battery-v0", "mod:fn", t_end=2.0), TypeError, ["policy", "'mod:fn'"], id="evaluate-policy-not-callable"),
    pytest.param(lambda: evaluate("battery-v0", t_end=2.0, n_agentz=2), ConfigError, ["'n_agentz'"], id="evaluate-override-unknown"),
    # ------------------------------------------------------------------ compare
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 0, 1, t_end=2.0), ConfigError, ["seeds", "got 0"], id="compare-seeds-zero"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], [0, -1], 1, t_end=2.0), ConfigError, ["seeds", "[0, -1]"], id="compare-seeds-negative"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], [], 1, t_end=2.0), ConfigError, ["seeds", "[]"], id="compare-seeds-empty"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], True, 1, t_end=2.0), ConfigError, ["seeds", "True"], id="compare-seeds-bool"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 2.5, 1, t_end=2.0), ConfigError, ["seeds", "2.5"], id="compare-seeds-float"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 1, 0, t_end=2.0), ConfigError, ["workers", "got 0"], id="compare-workers-zero"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 1, 1.5, t_end=2.0), ConfigError, ["workers", "1.5"], id="compare-workers-float"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 1, 1, "dask", t_end=2.0), ConfigError, ["backend", "'dask'"], id="compare-backend-unknown"),
    pytest.param(lambda: compare("battery-v0", None, ["lan", "lan"], 1, 1, t_end=2.0), ConfigError, ["distinct", "['lan', 'lan']"], id="compare-duplicate-profiles"),
    pytest.param(lambda: compare("battery-v0", None, [], 1, 1, t_end=2.0), ConfigError, ["profiles", "none"], id="compare-no-profiles"),
    pytest.param(lambda: compare("battery-v0", None, ["lan", "moon"], 1, 1, t_end=2.0), ConfigError, ["'moon'"], id="compare-profile-unknown"),
    pytest.param(lambda: compare("battery-v0", None, "lan", 1, 1, t_end=2.0), ConfigError, ["profiles", "'lan'"], id="compare-profiles-bare-str"),
    pytest.param(lambda: compare("battery-v0", lambda a, o: np.zeros(1), ["ideal", "lan"], 1, 2, t_end=2.0), ConfigError, ["<lambda>", "worker processes", "workers=1"], id="compare-lambda-with-process-pool"),
    pytest.param(lambda: compare("battery-v0", "nomodule_xyz:fn", ["ideal"], 1, 1, t_end=2.0), ConfigError, ["'nomodule_xyz:fn'", "nomodule_xyz"], id="compare-policy-unimportable"),
    pytest.param(lambda: compare("battery-v0", "math:pi", ["ideal"], 1, 1, t_end=2.0), ConfigError, ["'math:pi'", "not callable"], id="compare-policy-not-callable"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 1, 1, t_end=-1.0), ConfigError, ["t_end", "-1.0"], id="compare-t-end-negative"),
    pytest.param(lambda: compare("battery-v0", None, ["ideal"], 1, 1, t_end=2.0, n_agentz=3), ConfigError, ["'n_agentz'"], id="compare-override-unknown"),
    # ------------------------------------------------------------------- sweeps
    pytest.param(lambda: parse_sweep("obs_delay=0:2"), ConfigError, ["PARAM=START:STOP:N", "'obs_delay=0:2'"], id="sweep-missing-n"),
    pytest.param(lambda: parse_sweep("obs_delay=a:2:5"), ConfigError, ["numbers", "'obs_delay=a:2:5'"], id="sweep-start-not-number"),
    pytest.param(lambda: parse_sweep("obs_delay=0:2:2.5"), ConfigError, ["integer", "'obs_delay=0:2:2.5'"], id="sweep-n-not-int"),
    pytest.param(lambda: parse_sweep("obs_delay=3:2:4"), ConfigError, ["START <= STOP", "'obs_delay=3:2:4'"], id="sweep-start-above-stop"),
    pytest.param(lambda: parse_sweep("obs_delay=-1:2:4"), ConfigError, ["obs_delay", "-1.0"], id="sweep-negative-value"),
    pytest.param(lambda: parse_sweep("loss=0:2:3"), ConfigError, ["loss", "2.0"], id="sweep-loss-above-one"),
    pytest.param(lambda: parse_sweep("obs_delay=0:inf:3"), ConfigError, ["obs_delay", "inf"], id="sweep-inf-stop"),
    pytest.param(lambda: Sweep("obs_delay", ()), ConfigError, ["'obs_delay'", "at least one value"], id="sweep-no-values"),
    pytest.param(lambda: Sweep("obs_delay", ("a",)), ConfigError, ["obs_delay", "'a'"], id="sweep-value-str"),
    pytest.param(lambda: Sweep("obs_delay", 0.5), TypeError, ["obs_delay", "0.5"], id="sweep-values-bare-float"),
    pytest.param(lambda: compare("battery-v0", None, None, 1, 1, t_end=2.0, sweep=Sweep("obs_dly", (0.1,))), ConfigError, ["'obs_dly'"], id="sweep-param-unknown"),
    pytest.param(lambda: compare("battery-v0", None, None, 1, 1, t_end=2.0, sweep=Sweep("coordinator_tick", (0.0,))), ConfigError, ["coordinator_tick", "0.0"], id="sweep-override-rejected"),
    # ---------------------------------------------------- lockstep env actions
    pytest.param(lambda: _lockstep_step({"battery_0": np.zeros(2, dtype=np.float32)}), ActionError, ["'battery_0'", "t=0.000", "shape (2,)"], id="lockstep-action-wrong-shape"),
    pytest.param(lambda: _lockstep_step({"battery_0": np.array([NAN], dtype=np.float32)}), ActionError, ["'battery_0'", "t=0.000", "finite", "nan"], id="lockstep-action-nan"),
    pytest.param(lambda: _lockstep_step({"battery_1": np.array([5.0], dtype=np.float32)}), ActionError, ["'battery_1'", "t=0.000", "within", "5."], id="lockstep-action-out-of-range"),
    pytest.param(lambda: _lockstep_step({"battery_0": _MISSING}), ActionError, ["'battery_0'", "t=0.000", "missing"], id="lockstep-action-missing"),
    pytest.param(lambda: _lockstep_step({"battery_1": "up"}), ActionError, ["'battery_1'", "t=0.000", "'up'"], id="lockstep-action-str"),
    pytest.param(lambda: _lockstep_step({"fleet": np.zeros(3)}, steps_before=10), ActionError, ["'fleet'", "t=10.000", "shape (3,)"], id="lockstep-coordinator-wrong-shape-later"),
    pytest.param(lambda: _lockstep_step({"battery_1": np.array([NAN])}, coordinator=False), ActionError, ["'battery_1'", "t=0.000", "finite"], id="lockstep-batched-action-nan"),
    pytest.param(lambda: _lockstep_step({"battery_1": _MISSING}, steps_before=2, coordinator=False), ActionError, ["'battery_1'", "t=2.000", "missing"], id="lockstep-batched-action-missing"),
    pytest.param(lambda: _lockstep_step({"ghost": np.zeros(1)}), ActionError, ["'ghost'"], id="lockstep-action-unknown-agent"),
    pytest.param(lambda: _event_step({"ghost": np.zeros(1)}), ActionError, ["'ghost'", "battery-v0"], id="event-action-unknown-agent"),
    pytest.param(lambda: _central_step({**_zeros(["battery_0", "battery_1"]), "fleet": np.zeros(2)}), ActionError, ["'fleet'", "t=0.000", "shape (2,)"], id="central-dict-action-wrong-shape"),
    pytest.param(lambda: _central_step(_zeros(["battery_0", "fleet"])), ActionError, ["'battery_1'", "missing"], id="central-dict-action-missing-key"),
    pytest.param(lambda: _central_step({**_zeros(["battery_0", "battery_1", "fleet"]), "ghost": np.zeros(1)}), ActionError, ["'ghost'"], id="central-dict-action-extra-key"),
    pytest.param(lambda: _central_step(np.zeros(1)), ActionError, ["dict", "array([0.])"], id="central-action-not-a-dict"),
    pytest.param(lambda: make("battery-v0").step({}), SimulationError, ["reset()"], id="lockstep-step-before-reset"),
    pytest.param(lambda: _event_env_step({"battery_1": np.array([NAN])}), ActionError, ["'battery_1'", "t=0.045", "finite"], id="event-env-action-nan"),
    pytest.param(lambda: _event_env_step({"battery_1": _MISSING}), ActionError, ["'battery_1'", "t=0.045", "missing"], id="event-env-action-missing"),
    # ------------------------------------------- policies (event-driven, lockstep)
    pytest.param(lambda: _evaluate_policy(lambda a, o: np.zeros(3)), ActionError, ["'fleet'", "t=0.000", "shape (3,)"], id="policy-wrong-shape-event"),
    pytest.param(lambda: _evaluate_policy(_BadShapeAfter()), ActionError, ["'battery_0'", "t=3.000", "shape (2,)"], id="policy-wrong-shape-later-event"),
    pytest.param(lambda: _lockstep_rollout(_BadShapeAfter(), steps=5), ActionError, ["'battery_0'", "t=3.000", "shape (2,)"], id="policy-wrong-shape-later-lockstep"),
    pytest.param(lambda: _evaluate_policy(_BadShapeAfter(), profile="lan"), ActionError, ["'battery_0'", "t=2.943", "shape (2,)"], id="policy-wrong-shape-later-lan"),
    pytest.param(lambda: _evaluate_policy(lambda a, o: np.full(1, NAN)), ActionError, ["'fleet'", "t=0.000", "finite"], id="policy-nan-event"),
    pytest.param(lambda: _evaluate_policy(lambda a, o: None), ActionError, ["'fleet'", "t=0.000", "None"], id="policy-returns-none-event"),
    pytest.param(lambda: _evaluate_policy(lambda a, o: np.full(1, 9.0)), ActionError, ["'fleet'", "t=0.000", "within", "9."], id="policy-out-of-range-event"),
    pytest.param(lambda: _evaluate_policy(_raising(ValueError("policy exploded"))), SimulationError, ["'fleet'", "t=0.000", "ValueError", "policy exploded"], id="policy-raises-event"),
    pytest.param(lambda: _evaluate_policy(_RaisesAfter("battery_1", 3, KeyError("soc"))), SimulationError, ["'battery_1'", "t=2.000", "KeyError", "'soc'"], id="policy-raises-later-event"),
    pytest.param(lambda: _evaluate_policy(lambda o: np.zeros(1)), SimulationError, ["'fleet'", "t=0.000", "TypeError", "positional argument"], id="policy-wrong-arity-event"),
    pytest.param(lambda: _evaluate_policy(_raising(ConfigError("gain must be > 0"))), ConfigError, ["'fleet'", "t=0.000", "gain must be > 0"], id="policy-raises-config-error-event"),
    pytest.param(lambda: _evaluate_policy(_raising(SimulationError("model server unreachable"))), SimulationError, ["'fleet'", "t=0.000", "model server unreachable"], id="policy-raises-simulation-error-event"),
    pytest.param(lambda: _evaluate_policy(_raising(ActionError("no safe action"))), ActionError, ["'fleet'", "t=0.000", "no safe action"], id="policy-raises-action-error-event"),
    # ------------------------------------------------------------ scenario CSVs
    pytest.param(lambda tmp: _heating_make(tmp, "nan"), ConfigError, ["{tmp}", "heat_nan.csv", "NaN at index 4"], id="heating-csv-nan"),
    pytest.param(lambda tmp: evaluate("heating-v0", t_end=600.0, series=_heating_csv(tmp, "nan")), ConfigError, ["heat_nan.csv", "NaN at index 4"], id="heating-csv-nan-evaluate"),
    pytest.param(lambda tmp: _heating_make(tmp, "short"), ConfigError, ["heat_short.csv", "needs 289 rows", "got 49"], id="heating-csv-missing-rows-at-end"),
    pytest.param(lambda tmp: _heating_make(tmp, "gap"), ConfigError, ["heat_gap.csv", "index 10"], id="heating-csv-missing-row-inside"),
    pytest.param(lambda tmp: _heating_make(tmp, "empty"), ConfigError, ["heat_empty.csv", "numeric", "''"], id="heating-csv-empty-cell"),
    pytest.param(lambda tmp: _heating_make(tmp, "text"), ConfigError, ["heat_text.csv", "numeric", "'warm'"], id="heating-csv-text-cell"),
    pytest.param(lambda tmp: _heating_make(tmp, "header"), ConfigError, ["heat_header.csv", "header", "'idx,temp,price'"], id="heating-csv-wrong-header"),
    pytest.param(lambda tmp: _heating_make(tmp, "ragged"), ConfigError, ["heat_ragged.csv", "index 4"], id="heating-csv-row-missing-column"),
    pytest.param(lambda tmp: _heating_make(tmp, "inf"), ConfigError, ["heat_inf.csv", "inf", "index 4"], id="heating-csv-inf"),
    pytest.param(lambda tmp: make("heating-v0", series=str(tmp / "absent.csv")), ConfigError, ["absent.csv", "must exist"], id="heating-csv-absent"),
    pytest.param(lambda tmp: _microgrid_with(tmp, "nan"), ConfigError, ["mg_nan.csv", "NaN"], id="microgrid-csv-nan"),
    pytest.param(lambda tmp: _microgrid_with(tmp, "gap"), ConfigError, ["mg_gap.csv", "100"], id="microgrid-csv-missing-rows-inside"),
    pytest.param(lambda tmp: _microgrid_with(tmp, "short"), ConfigError, ["mg_short.csv", "1440"], id="microgrid-csv-short"),
    pytest.param(lambda tmp: _microgrid_with(tmp, "ragged"), ConfigError, ["mg_ragged.csv", "row"], id="microgrid-csv-row-missing-column"),
    pytest.param(lambda tmp: _microgrid_with(tmp, "empty"), ConfigError, ["mg_empty.csv", "row"], id="microgrid-csv-empty-cell"),
    # ------------------------------------------------------------ profile files
    pytest.param(lambda tmp: _profile_file(tmp, "syntax.toml", '[profiles.x]\nsource = "a"\nfield = { obs_delay = 0.1\n'), ProfileFileError, ["{tmp}/syntax.toml", "TOML syntax error", "line 3"], id="profile-file-toml-syntax"),
    pytest.param(lambda tmp: _profile_file(tmp, "unknown.toml", '[profiles.x]\nsource = "a"\n[profiles.x.field]\nobs_dealy = 0.1\n'), ProfileFileError, ["unknown.toml", "profiles.x.field.obs_dealy", "unknown key", "'obs_delay'"], id="profile-file-unknown-key"),
    pytest.param(lambda tmp: _profile_file(tmp, "neg.toml", '[profiles.x]\nsource = "a"\n[profiles.x.field]\nobs_delay = -1\n'), ProfileFileError, ["neg.toml", "profiles.x.field.obs_delay", "got -1"], id="profile-file-negative-delay"),
    pytest.param(lambda tmp: _profile_file(tmp, "two.toml", '[profiles.x]\nsource = "a"\n[profiles.x.field]\nobs_delay = -1\nmsg_delay = inf\n'), ProfileFileError, ["2 problems", "profiles.x.field.obs_delay", "got -1", "profiles.x.field.msg_delay", "got inf"], id="profile-file-every-problem-listed"),
    pytest.param(lambda tmp: _profile_file(tmp, "quoted.toml", '[profiles.x]\nsource = "a"\n[profiles.x.field]\nobs_delay = "0.1"\n'), ProfileFileError, ["profiles.x.field.obs_delay", "'0.1'"], id="profile-file-quoted-number"),
    pytest.param(lambda tmp: _profile_file(tmp, "nan.toml", '[profiles.x]\nsource = "a"\n[profiles.x.coordinator]\ntick_interval = nan\n'), ProfileFileError, ["profiles.x.coordinator.tick_interval", "nan"], id="profile-file-nan-tick"),
    pytest.param(lambda tmp: _profile_file(tmp, "base.toml", '[profiles.x]\nbase = "moon"\n'), ProfileFileError, ["profiles.x.base", "'moon'"], id="profile-file-unknown-base"),
    pytest.param(lambda tmp: _profile_file(tmp, "cycle.toml", '[profiles.a]\nbase = "b"\n[profiles.b]\nbase = "a"\n'), ProfileFileError, ["profiles.b.base", "cycle", "a -> b -> a"], id="profile-file-base-cycle"),
    pytest.param(lambda tmp: _profile_file(tmp, "loss.toml", '[profiles.x]\nbase = "lan"\nloss = { model = "bernoulli", p = 1.5 }\n'), ProfileFileError, ["profiles.x.loss.p", "1.5"], id="profile-file-loss-above-one"),
    pytest.param(lambda tmp: _profile_file(tmp, "agent.toml", '[profiles.x]\nbase = "lan"\n[profiles.x.agents.fleet]\nobs_delay = 0.1\n'), ProfileFileError, ["profiles.x.agents.fleet.tick_interval", "required"], id="profile-file-agent-without-tick"),
    pytest.param(lambda tmp: _profile_file(tmp, "fault.toml", '[profiles.x]\nbase = "lan"\nfaults = "storm"\n[[schedules.storm]]\nkind = "crash"\nagent = "fleet"\nstart = 10\ndowntime = -5\n'), ProfileFileError, ["schedules.storm[0].downtime", "got -5"], id="profile-file-bad-fault"),
    pytest.param(lambda tmp: _profile_file(tmp, "site.json", "{}"), ProfileFileError, ["site.json", "'.json'"], id="profile-file-wrong-suffix"),
    pytest.param(lambda tmp: load_profiles(tmp / "absent.toml"), ProfileFileError, ["{tmp}/absent.toml", "does not exist"], id="profile-file-absent"),
    pytest.param(lambda tmp: _profile_file(tmp, "tag.yaml", "profiles:\n  x: !!python/object:os.system {}\n"), ProfileFileError, ["tag.yaml", "line 2", "python/object:os.system"], id="profile-file-yaml-python-object-tag", marks=_NO_YAML),
    pytest.param(_profile_file_no_side_effect, ProfileFileError, ["apply.yaml", "line 3", "python/object/apply:os.mkdir"], id="profile-file-yaml-python-apply-tag-not-run", marks=_NO_YAML),
    pytest.param(lambda tmp: _profile_file(tmp, "jitter.yaml", "profiles:\n  x:\n    source: a\n    field:\n      jitter_type: cauchy\n"), ProfileFileError, ["profiles.x.field.jitter_type", "'cauchy'"], id="profile-file-yaml-unknown-jitter", marks=_NO_YAML),
]
# fmt: on


def test_profile_file_bad_schedule_is_reported_once_without_internals(
    tmp_path: Path,
) -> None:
    path = tmp_path / "storm.toml"
    path.write_text(
        '[profiles.x]\nbase = "lan"\nfaults = "storm"\n'
        '[[schedules.storm]]\nkind = "crash"\nagent = "fleet"\nstart = 10\n'
        "downtime = -5\n"
    )
    with pytest.raises(ProfileFileError) as excinfo:
        load_profiles(path)
    assert [p for p, _ in excinfo.value.problems] == ["schedules.storm[0].downtime"]


def _event_step(actions: dict[str, Any]) -> None:
    """Step battery-v0's event-driven training env once with ``actions``."""
    env = make("battery-v0", api="event", profile="lan")
    env.reset(seed=0)
    env.step(actions)


def _call(call: Callable[..., Any], tmp_path: Path) -> Any:
    """Call a row's callable, with ``tmp_path`` when it takes an argument."""
    return call(tmp_path) if inspect.signature(call).parameters else call()


@pytest.mark.parametrize(("call", "expected", "culprits"), ROWS)
def test_bad_input_raises_exact_type_naming_the_culprit(
    call: Callable[..., Any],
    expected: type[Exception],
    culprits: list[str],
    tmp_path: Path,
) -> None:
    with pytest.raises(Exception) as excinfo:  # noqa: PT011  (the exact type is checked below)
        _call(call, tmp_path)
    message = str(excinfo.value)
    assert excinfo.type is expected, f"{excinfo.type.__name__}: {message}"
    for culprit in culprits:
        assert culprit.replace("{tmp}", str(tmp_path)) in message, (
            f"{culprit!r} not in {message!r}"
        )


def test_the_catalogue_is_large_and_distinct() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 50
    assert len({row.values[1] for row in ROWS}) >= 5  # several exact error types


# ===================================================================== the CLI

# fmt: off
CLI_ROWS = [
    pytest.param(["run", "nope-v0"], ["'nope-v0'", "battery-v0"], id="cli-run-unknown-scenario"),
    pytest.param(["run", "battery-v0", "--profile", "moon", "--t-end", "2"], ["'moon'", "ideal"], id="cli-run-unknown-profile"),
    pytest.param(["run", "battery-v0", "--t-end", "-1"], ["--t-end", "'-1'"], id="cli-run-t-end-negative"),
    pytest.param(["run", "battery-v0", "--t-end", "nan"], ["--t-end", "'nan'"], id="cli-run-t-end-nan"),
    pytest.param(["run", "battery-v0", "--t-end", "inf"], ["--t-end", "'inf'"], id="cli-run-t-end-inf"),
    pytest.param(["run", "battery-v0", "--seed", "-3", "--t-end", "2"], ["--seed", "'-3'"], id="cli-run-seed-negative"),
    pytest.param(["run", "battery-v0", "--set", "n_agents=0", "--t-end", "2"], ["n_agents", "got 0"], id="cli-run-override-bad-value"),
    pytest.param(["run", "battery-v0", "--set", "n_agentz=3", "--t-end", "2"], ["'n_agentz'"], id="cli-run-override-unknown"),
    pytest.param(["run", "battery-v0", "--set", "n_agents", "--t-end", "2"], ["--set", "'n_agents'"], id="cli-run-override-without-value"),
    pytest.param(["run", "battery-v0", "--set", "coordinator=maybe", "--t-end", "2"], ["coordinator", "'maybe'"], id="cli-run-override-wrong-type"),
    pytest.param(["run", "battery-v0", "--policy", "nomodule_xyz:fn", "--t-end", "2"], ["'nomodule_xyz:fn'"], id="cli-run-policy-unimportable"),
    pytest.param(["run", "battery-v0", "--policy", "justname", "--t-end", "2"], ["'justname'", "module:callable"], id="cli-run-policy-malformed"),
    pytest.param(["run", "battery-v0", "--policy", "operator:getitem", "--t-end", "3"], ["'fleet'", "t=0.000", "TypeError"], id="cli-run-policy-raises"),
    pytest.param(lambda tmp: ["run", "heating-v0", "--set", f"series={_heating_csv(tmp, 'nan')}", "--t-end", "600"], ["heat_nan.csv", "NaN at index 4"], id="cli-run-scenario-csv-nan"),
    pytest.param(["compare", "battery-v0", "--profiles", "ideal,moon", "--seeds", "1", "--workers", "1", "--t-end", "2"], ["'moon'"], id="cli-compare-unknown-profile"),
    pytest.param(["compare", "battery-v0", "--profiles", "lan,lan", "--seeds", "1", "--workers", "1", "--t-end", "2"], ["distinct", "['lan', 'lan']"], id="cli-compare-duplicate-profiles"),
    pytest.param(["compare", "battery-v0", "--seeds", "0", "--t-end", "2"], ["--seeds", "'0'"], id="cli-compare-seeds-zero"),
    pytest.param(["compare", "battery-v0", "--workers", "0", "--t-end", "2"], ["--workers", "'0'"], id="cli-compare-workers-zero"),
    pytest.param(["compare", "battery-v0", "--backend", "dask", "--t-end", "2"], ["--backend", "'dask'"], id="cli-compare-backend-unknown"),
    pytest.param(["compare", "battery-v0", "--sweep", "obs_delay=0:2", "--seeds", "1", "--workers", "1", "--t-end", "2"], ["'obs_delay=0:2'"], id="cli-compare-sweep-malformed"),
    pytest.param(["compare", "battery-v0", "--sweep", "coordinator_tick=0:10:2", "--seeds", "1", "--workers", "1", "--t-end", "2"], ["coordinator_tick", "0.0"], id="cli-compare-sweep-rejected-value"),
    pytest.param(["compare", "battery-v0", "--sweep", "obs_delay=0:1:2", "--base", "moon", "--seeds", "1", "--workers", "1"], ["'moon'"], id="cli-compare-sweep-unknown-base"),
    pytest.param(["compare", "battery-v0", "--base", "lan", "--seeds", "1", "--workers", "1"], ["--base", "'lan'", "--sweep"], id="cli-compare-base-without-sweep"),
    pytest.param(lambda tmp: ["compare", "battery-v0", "--profiles", "ideal", "--seeds", "1", "--workers", "1", "--t-end", "2", "--out", str(_a_file(tmp))], ["{tmp}", "not_a_dir"], id="cli-compare-out-is-a-file"),
    pytest.param(["demo", "--t-end", "-5"], ["t_end", "-5.0"], id="cli-demo-t-end-negative"),
    pytest.param(["frobnicate"], ["'frobnicate'"], id="cli-unknown-command"),
]
# fmt: on


def _a_file(tmp: Path) -> Path:
    path = tmp / "not_a_dir"
    path.write_text("a file where a directory is expected\n")
    return path


@pytest.mark.parametrize(("argv", "culprits"), CLI_ROWS)
def test_cli_bad_input_exits_2_with_one_line_naming_the_culprit(
    argv: Any,
    culprits: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # --policy adds the cwd
    monkeypatch.chdir(tmp_path)  # anything written lands in tmp_path
    args = argv(tmp_path) if callable(argv) else argv
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    last = lines[-1]
    assert last.startswith("heron-simpy"), err
    assert ": error: " in last, err
    for culprit in culprits:
        assert culprit.replace("{tmp}", str(tmp_path)) in last, (
            f"{culprit!r} not in {last!r}"
        )


# ====================================== a policy raising inside an event-driven run


def test_policy_raising_mid_run_names_agent_and_time_and_keeps_the_trace(
    tmp_path: Path,
) -> None:
    scenario = registry.build("battery-v0", n_agents=2)
    policy = _RaisesAfter("battery_1", 5, ValueError("state estimator diverged"))
    for agent in scenario.controllable:
        agent.policy = policy
    sim = scenario.simulation("lan", seed=3)

    with pytest.raises(SimulationError) as excinfo:
        sim.run_until(30.0)

    assert excinfo.type is SimulationError
    trace = list(sim.trace)
    decisions = [r for r in trace if r.kind == "decide" and r.agent_id == "battery_1"]
    assert len(decisions) == 5  # the fifth decision is the one that raised
    t_fail = decisions[-1].time
    # lan: five ticks 1 s +-10 % apart (the fifth near t=4), plus ~50 ms sensing delay
    assert 3.6 < t_fail < 4.5
    message = str(excinfo.value)
    assert "'battery_1'" in message
    assert f"t={t_fail:.3f}" in message
    assert "ValueError" in message
    assert "state estimator diverged" in message
    assert isinstance(excinfo.value.__cause__, ValueError)

    # The trace so far is kept: non-empty, nothing after the failure, every kind
    # of the cascade present (ticks, deliveries, decisions, effects, messages).
    assert trace
    assert all(r.time <= t_fail for r in trace)
    assert any(r.time < t_fail for r in trace)
    assert {"tick", "observe", "decide", "apply", "send", "deliver"} <= {
        r.kind for r in trace
    }
    assert sim.stats.decisions == sum(r.kind == "decide" for r in trace)

    # ... and exportable.
    jsonl, table = tmp_path / "trace.jsonl", tmp_path / "trace.csv"
    assert to_jsonl(trace, jsonl) == len(trace)
    assert to_csv(trace, table) == len(trace)
    back = read_jsonl(jsonl)
    assert [(r["time"], r["kind"], r["agent_id"]) for r in back] == [
        (r.time, r.kind, r.agent_id) for r in trace
    ]
    with table.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(float(r["time"]), r["kind"], r["agent_id"]) for r in rows] == [
        (r.time, r.kind, r.agent_id) for r in trace
    ]

    # The partial episode can still be read.
    episode = sim.episode()
    assert episode.trace == trace
    grid_points = math.floor(t_fail)  # rewards read at t = 1, 2, ... before the failure
    assert episode.rewards
    assert all(len(r) == grid_points for r in episode.rewards.values())


def test_policy_raising_inside_evaluate_keeps_the_trace_in_its_recorder(
    tmp_path: Path,
) -> None:
    recorder = Recorder("full")
    policy = _RaisesAfter("battery_0", 3, RuntimeError("lost the model"))
    with pytest.raises(SimulationError) as excinfo:
        evaluate("battery-v0", policy, t_end=20.0, recorder=recorder, n_agents=2)

    assert excinfo.type is SimulationError
    message = str(excinfo.value)
    for culprit in ("'battery_0'", "t=2.000", "RuntimeError", "lost the model"):
        assert culprit in message
    trace = recorder.records
    assert trace
    assert all(r.time <= 2.0 for r in trace)
    decided = [
        r.time for r in trace if r.kind == "decide" and r.agent_id == "battery_0"
    ]
    assert decided == [0.0, 1.0, 2.0]
    assert to_jsonl(trace, tmp_path / "t.jsonl") == len(trace)
    assert to_csv(trace, tmp_path / "t.csv") == len(trace)
