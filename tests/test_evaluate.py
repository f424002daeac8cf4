"""``heron_simpy.evaluate``: one event-driven episode of a policy on a scenario."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from heron_simpy.scenarios.battery import battery_controller, fleet_controller

import heron_simpy
from heron_simpy import ActionError, ConfigError, Recorder, SimulationError, TickConfig
from heron_simpy.recording import read_jsonl, to_csv, to_jsonl
from tests.conftest import rows

AGENTS = ("battery_0", "battery_1", "fleet")


def zero_policy(agent_id: str, obs: np.ndarray) -> np.ndarray:
    return np.zeros(1, np.float32)


def builtin_policy(agent_id: str, obs: np.ndarray) -> np.ndarray:
    if agent_id == "fleet":
        return fleet_controller(agent_id, obs)
    return battery_controller(agent_id, obs)


# --------------------------------------------------------------- the Episode
def test_one_reward_per_grid_point_over_the_whole_episode() -> None:
    ep = heron_simpy.evaluate("battery-v0")
    assert isinstance(ep, heron_simpy.Episode)
    assert set(ep.rewards) == set(ep.returns) == set(AGENTS)
    assert all(len(r) == 300 for r in ep.rewards.values())  # t_end / dt
    assert ep.reward_times == [float(k) for k in range(1, 301)]
    for a in AGENTS:
        assert ep.returns[a] == math.fsum(ep.rewards[a])
    assert ep.stats.evaluations == 300
    assert ep.trace  # the default recorder keeps every record
    assert {r.kind for r in ep.trace} >= {"tick", "observe", "decide", "apply"}


@pytest.mark.parametrize(("t_end", "n"), [(1.0, 1), (20.0, 20), (20.5, 20), (45, 45)])
def test_t_end_sets_the_number_of_grid_points(t_end: float, n: int) -> None:
    ep = heron_simpy.evaluate("battery-v0", t_end=t_end)
    assert all(len(r) == n for r in ep.rewards.values())
    assert ep.reward_times == [float(k) for k in range(1, n + 1)]


def test_overrides_reach_the_scenario() -> None:
    ep = heron_simpy.evaluate("battery-v0", t_end=10.0, n_agents=5, dt=0.5)
    assert set(ep.rewards) == {f"battery_{i}" for i in range(5)} | {"fleet"}
    assert all(len(r) == 20 for r in ep.rewards.values())  # 10 s / 0.5 s


@pytest.mark.parametrize("t_end", [0, -1.0, float("nan"), True, "10", float("inf")])
def test_bad_t_end(t_end: Any) -> None:
    msg = f"evaluate t_end must be a finite number > 0 s, got {t_end!r}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.evaluate("battery-v0", t_end=t_end)


def test_policy_must_be_callable() -> None:
    msg = "evaluate policy must be callable or None, got 3"
    with pytest.raises(TypeError, match=re.escape(msg)):
        heron_simpy.evaluate("battery-v0", 3)  # type: ignore[arg-type]


# --------------------------------------------------------------- determinism
@pytest.mark.parametrize("profile", ["ideal", "lan", "wan", "scada"])
def test_same_seed_same_trace_and_returns(profile: str) -> None:
    a = heron_simpy.evaluate("battery-v0", profile=profile, seed=4, t_end=120.0)
    b = heron_simpy.evaluate("battery-v0", profile=profile, seed=4, t_end=120.0)
    assert rows(a.trace) == rows(b.trace)
    assert len(a.trace) > 500
    assert a.returns == b.returns
    assert a.rewards == b.rewards
    assert a.stats == b.stats


@pytest.mark.parametrize("profile", ["scada", "wan"])
def test_different_seed_different_trace(profile: str) -> None:
    a = heron_simpy.evaluate("battery-v0", profile=profile, seed=0, t_end=120.0)
    b = heron_simpy.evaluate("battery-v0", profile=profile, seed=1, t_end=120.0)
    assert rows(a.trace) != rows(b.trace)
    assert a.returns != b.returns


# --------------------------------------------------------------- profiles
def test_profile_given_as_a_tickconfig_applies_to_every_agent() -> None:
    config = TickConfig.deterministic(tick_interval=2.0, obs_delay=0.25, act_delay=0.5)
    ep = heron_simpy.evaluate("battery-v0", profile=config, t_end=20.0)
    ticks: dict[str, list[float]] = {}
    for r in ep.trace:
        if r.kind == "tick":
            ticks.setdefault(r.agent_id, []).append(r.time)
    # One TickConfig replaces every agent's own rate (the fleet's 10 s included).
    assert ticks == {a: [2.0 * k for k in range(10)] for a in AGENTS}
    observes = [r for r in ep.trace if r.kind == "observe"]
    assert observes
    assert all(r.time == r.sampled_at + 0.25 for r in observes)
    applies = [r for r in ep.trace if r.kind == "apply"]
    assert applies
    assert all(r.time == r.decided_at + 0.5 for r in applies)
    assert all(len(r) == 20 for r in ep.rewards.values())  # the grid stays at dt


def test_profile_given_as_a_jittered_tickconfig_is_seeded() -> None:
    config = TickConfig.with_jitter(1.0, 0.1, 0.1, 0.1, "uniform", 0.2)
    a = heron_simpy.evaluate("battery-v0", profile=config, t_end=30.0, seed=2)
    b = heron_simpy.evaluate("battery-v0", profile=config, t_end=30.0, seed=2)
    c = heron_simpy.evaluate("battery-v0", profile=config, t_end=30.0, seed=3)
    assert rows(a.trace) == rows(b.trace) != rows(c.trace)


def test_profile_given_as_a_timing_profile_object() -> None:
    by_name = heron_simpy.evaluate("battery-v0", profile="lan", t_end=30.0, seed=1)
    by_object = heron_simpy.evaluate(
        "battery-v0", profile=heron_simpy.profiles["lan"], t_end=30.0, seed=1
    )
    assert rows(by_name.trace) == rows(by_object.trace)


# --------------------------------------------------------------- policy errors
class Raising:
    """A policy that raises on battery_0's n-th decision (counting from 1)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0

    def __call__(self, agent_id: str, obs: np.ndarray) -> np.ndarray:
        if agent_id == "battery_0":
            self.calls += 1
            if self.calls == self.n:
                raise RuntimeError("kaboom")
        return builtin_policy(agent_id, obs)


def test_a_raising_policy_stops_the_run_naming_agent_and_time() -> None:
    msg = "agent 'battery_0' at t=5.000: controller raised RuntimeError: kaboom"
    with pytest.raises(SimulationError, match=re.escape(msg)) as info:
        heron_simpy.evaluate("battery-v0", Raising(6))
    assert isinstance(info.value.__cause__, RuntimeError)


def test_the_trace_up_to_a_policy_error_is_kept_and_exportable(tmp_path: Path) -> None:
    recorder = Recorder("full")
    with pytest.raises(SimulationError, match=re.escape("agent 'battery_0' at t=")):
        heron_simpy.evaluate("battery-v0", Raising(8), profile="lan", recorder=recorder)
    records = recorder.records
    assert records
    last = records[-1]
    # The failing decision was recorded; nothing after it happened.
    assert (last.kind, last.agent_id) == ("decide", "battery_0")
    assert all(r.time <= last.time for r in records)
    assert 7.0 < last.time < 8.0
    decided = [r for r in records if r.kind == "decide" and r.agent_id == "battery_0"]
    assert len(decided) == 8
    applied = [r for r in records if r.kind == "apply" and r.agent_id == "battery_0"]
    assert len(applied) == 7  # each earlier decision landed (act delay ~0.1 s)
    ticks = sorted(r.time for r in records if r.kind == "tick")
    assert ticks[0] == 0.0
    for kind in ("send", "deliver"):
        assert any(r.kind == kind for r in records)

    assert to_jsonl(records, tmp_path / "trace.jsonl") == len(records)
    back = read_jsonl(tmp_path / "trace.jsonl")
    assert [(d["time"], d["kind"], d["agent_id"]) for d in back] == [
        (r.time, r.kind, r.agent_id) for r in records
    ]
    assert to_csv(records, tmp_path / "trace.csv") == len(records)
    lines = (tmp_path / "trace.csv").read_text().splitlines()
    assert len(lines) == len(records) + 1  # header


def test_an_out_of_space_action_raises_action_error() -> None:
    def policy(agent_id: str, obs: np.ndarray) -> np.ndarray:
        if agent_id == "battery_1":
            return np.array([1.5], np.float32)
        return builtin_policy(agent_id, obs)

    msg = (
        "agent 'battery_1' at t=0.000: action must be within "
        "Box(-1.0, 1.0, (1,), float32), got array([1.5], dtype=float32)"
    )
    with pytest.raises(ActionError, match=re.escape(msg)):
        heron_simpy.evaluate("battery-v0", policy)


def test_a_policy_returning_none_raises_action_error() -> None:
    msg = (
        "agent 'fleet' at t=0.000: action must have shape (1,), not shape (), got None"
    )
    with pytest.raises(ActionError, match=re.escape(msg)):
        heron_simpy.evaluate("battery-v0", lambda agent_id, obs: None)


def test_an_action_error_under_realistic_timing_names_the_decision_time() -> None:
    def policy(agent_id: str, obs: np.ndarray) -> Any:
        return (
            np.array([np.nan]) if agent_id == "fleet" else builtin_policy(agent_id, obs)
        )

    with pytest.raises(ActionError) as info:
        heron_simpy.evaluate("battery-v0", policy, profile="scada")
    match = re.fullmatch(
        r"agent 'fleet' at t=(\d+\.\d{3}): action must be finite, got array\(\[nan\]\)",
        str(info.value),
    )
    assert match is not None, str(info.value)
    assert float(match.group(1)) > 0.0  # scada: the observation arrives late


# --------------------------------------------------------------- built-in policy
def test_policy_none_uses_the_builtin_controllers() -> None:
    default = heron_simpy.evaluate("battery-v0", None, t_end=60.0, seed=6)
    explicit = heron_simpy.evaluate("battery-v0", builtin_policy, t_end=60.0, seed=6)
    assert default.rewards == explicit.rewards
    assert rows(default.trace) == rows(explicit.trace)


def test_builtin_controllers_beat_doing_nothing_under_ideal() -> None:
    builtin = heron_simpy.evaluate("battery-v0", None, profile="ideal")
    idle = heron_simpy.evaluate("battery-v0", zero_policy, profile="ideal")
    for a in AGENTS:
        assert builtin.returns[a] > idle.returns[a], a
    # Rewards are penalties (<= 0): the controllers lose far less than doing nothing.
    assert abs(sum(builtin.returns.values())) < 0.25 * abs(sum(idle.returns.values()))
