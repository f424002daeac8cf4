"""The scenario registry: ``register``, ``make``, ``available``, ``spec``, ``build``.

Error messages are pinned whole (``re.escape``) against ``registry.py`` and the
battery-v0 ``Config``. Tests that register a scenario do it under a ``zz-test-v*``
id through a fixture that removes it again, so no other test sees it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import gymnasium as gym
import pytest
from pettingzoo.utils.env import ParallelEnv

import heron_simpy
from heron_simpy import ConfigError, registry
from heron_simpy.facade import EventEnv, LockstepEnv, SingleAgentEnv

BATTERY = "heron_simpy.scenarios.battery"
VALID_BATTERY = (
    "n_agents, coordinator, coordinator_tick, horizon, dt, rate, load_mean, "
    "load_noise, action_cost"
)
MALFORMED = "scenario id must look like 'name-vN' (lowercase, e.g. 'battery-v0'), got "


@pytest.fixture
def scratch() -> Iterator[list[str]]:
    """Ids registered by a test; removed from the registry afterwards."""
    before = dict(registry._REGISTRY)
    ids: list[str] = []
    yield ids
    for scenario_id in ids:
        registry._REGISTRY.pop(scenario_id, None)
    assert before == registry._REGISTRY


# --------------------------------------------------------------- lookups
def test_available_is_sorted_and_includes_battery() -> None:
    ids = heron_simpy.available()
    assert isinstance(ids, tuple)
    assert list(ids) == sorted(ids)
    assert "battery-v0" in ids


def test_spec_of_battery() -> None:
    entry = registry.spec("battery-v0")
    assert entry.id == "battery-v0"
    assert entry.entry_point == BATTERY
    assert entry.description


@pytest.mark.parametrize("bad", ["nope-v0", "battery-v1", "Battery-v0", None])
def test_unknown_scenario_lists_the_available_ids(bad: Any) -> None:
    msg = f"unknown scenario {bad!r}; available: {', '.join(heron_simpy.available())}"
    assert "battery-v0" in msg
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make(bad)
    with pytest.raises(ConfigError, match=re.escape(msg)):
        registry.build(bad)
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.evaluate(bad)


def test_unknown_scenario_message_lists_a_newly_registered_id(
    scratch: list[str],
) -> None:
    heron_simpy.register("zz-test-v0", BATTERY)
    scratch.append("zz-test-v0")
    listed = ", ".join(sorted(heron_simpy.available()))
    assert "zz-test-v0" in listed
    msg = f"unknown scenario 'nope-v0'; available: {listed}"
    with pytest.raises(ConfigError, match=re.escape(msg) + "$"):
        heron_simpy.make("nope-v0")


# --------------------------------------------------------------- make
def test_make_returns_each_api() -> None:
    assert isinstance(heron_simpy.make("battery-v0"), LockstepEnv)
    assert isinstance(heron_simpy.make("battery-v0"), ParallelEnv)
    gym_env = heron_simpy.make("battery-v0", api="gymnasium")
    assert isinstance(gym_env, SingleAgentEnv)
    assert isinstance(gym_env, gym.Env)
    event = heron_simpy.make("battery-v0", api="event", profile="lan")
    assert isinstance(event, EventEnv)
    assert event.profile == "lan"
    assert heron_simpy.make("battery-v0", api="event").profile == "ideal"


def test_make_unknown_api() -> None:
    msg = "make api must be one of pettingzoo, gymnasium, event, got 'nope'"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", api="nope")


@pytest.mark.parametrize("api", ["pettingzoo", "gymnasium"])
def test_make_profile_is_only_for_event_mode(api: str) -> None:
    msg = "make profile is only for mode='event' (lockstep is ideal timing), got profile='lan'"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", api=api, profile="lan")


def test_make_mode_is_validated() -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("make mode must be 'lockstep' or 'event', got 'fast'"),
    ):
        heron_simpy.make("battery-v0", mode="fast")


def test_make_applies_overrides() -> None:
    env = heron_simpy.make("battery-v0", n_agents=4, coordinator=False, horizon=50)
    assert env.possible_agents == [f"battery_{i}" for i in range(4)]
    assert env.steps_per_episode == 50


# --------------------------------------------------------------- overrides
@pytest.mark.parametrize("api", ["pettingzoo", "gymnasium", "event"])
def test_unknown_override_lists_the_valid_names(api: str) -> None:
    msg = f"battery-v0 has no override 'n_agent'; valid: {VALID_BATTERY}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", api=api, n_agent=3)


def test_unknown_overrides_report_the_first_in_sorted_order() -> None:
    msg = f"battery-v0 has no override 'aaa'; valid: {VALID_BATTERY}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", zzz=1, aaa=2)
    with pytest.raises(ConfigError, match=re.escape(msg)):
        registry.build("battery-v0", zzz=1, aaa=2)
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.evaluate("battery-v0", zzz=1, aaa=2)


@pytest.mark.parametrize(
    ("overrides", "msg"),
    [
        ({"n_agents": 2.0}, "battery-v0 override n_agents must be int, got 2.0"),
        ({"n_agents": "2"}, "battery-v0 override n_agents must be int, got '2'"),
        ({"n_agents": True}, "battery-v0 override n_agents must be int, got True"),
        ({"coordinator": 1}, "battery-v0 override coordinator must be bool, got 1"),
        ({"horizon": "300"}, "battery-v0 override horizon must be float, got '300'"),
        ({"dt": None}, "battery-v0 override dt must be float, got None"),
        ({"rate": True}, "battery-v0 override rate must be float, got True"),
    ],
)
def test_wrong_override_type_raises_type_error(
    overrides: dict[str, Any], msg: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", **overrides)
    with pytest.raises(TypeError, match=re.escape(msg)):
        registry.spec("battery-v0").config(**overrides)


def test_an_int_may_stand_for_a_float_override() -> None:
    config = registry.spec("battery-v0").config(horizon=60, dt=1)
    assert (config.horizon, config.dt) == (60, 1)
    assert heron_simpy.make("battery-v0", horizon=60).steps_per_episode == 60


@pytest.mark.parametrize("n", [0, -1, -3])
@pytest.mark.parametrize("api", ["pettingzoo", "gymnasium", "event"])
def test_non_positive_agent_count_is_a_config_error(n: int, api: str) -> None:
    msg = f"invalid battery-v0 Config:\n- n_agents must be an int >= 1, got {n}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", api=api, n_agents=n)


def test_every_config_problem_is_listed() -> None:
    msg = (
        "invalid battery-v0 Config:\n"
        "- n_agents must be an int >= 1, got 0\n"
        "- horizon must be a number > 0, got -5.0\n"
        "- load_noise must be a number >= 0, got -0.1"
    )
    with pytest.raises(ConfigError, match=re.escape(msg) + "$"):
        heron_simpy.make("battery-v0", n_agents=0, horizon=-5.0, load_noise=-0.1)


def test_horizon_must_be_a_multiple_of_dt() -> None:
    msg = (
        "Scenario 'battery-v0' horizon must be a positive multiple of dt (1.0 s), "
        "got 300.5"
    )
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", horizon=300.5)


def test_lockstep_needs_tick_intervals_on_the_step_grid() -> None:
    msg = (
        "agent 'fleet' tick_interval must be a whole number of steps "
        "(dt = 1.0 s) for lockstep, got 2.5"
    )
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("battery-v0", coordinator_tick=2.5)
    # Event time has no step grid: the same scenario runs there.
    env = heron_simpy.make("battery-v0", api="event", coordinator_tick=2.5)
    env.reset(seed=0)


# --------------------------------------------------------------- register
@pytest.mark.parametrize(
    "bad",
    [
        "Battery",
        "battery",
        "battery-v01",
        "battery-vx",
        "Battery-v0",
        "battery-V0",
        "battery-v",
        "battery-v0 ",
        " battery-v0",
        "battery--v0",
        "-v0",
        "1battery-v0",
        "",
        3,
        None,
    ],
)
def test_register_rejects_malformed_ids(bad: Any) -> None:
    before = heron_simpy.available()
    with pytest.raises(ConfigError, match=re.escape(MALFORMED + repr(bad))):
        heron_simpy.register(bad, BATTERY)
    assert heron_simpy.available() == before


def test_register_rejects_an_id_with_a_trailing_newline(scratch: list[str]) -> None:
    """Regression: the id pattern ended in '$', which matches before a final newline."""
    scratch.append("zz-test-v0\n")  # removed again if it were accepted
    with pytest.raises(ConfigError, match=re.escape(MALFORMED + repr("zz-test-v0\n"))):
        heron_simpy.register("zz-test-v0\n", BATTERY)


def test_register_rejects_a_duplicate_id(scratch: list[str]) -> None:
    with pytest.raises(
        ConfigError, match=re.escape("scenario id 'battery-v0' is already registered")
    ):
        heron_simpy.register("battery-v0", "somewhere.else")
    assert registry.spec("battery-v0").entry_point == BATTERY
    heron_simpy.register("zz-test-v0", BATTERY)
    scratch.append("zz-test-v0")
    with pytest.raises(
        ConfigError, match=re.escape("scenario id 'zz-test-v0' is already registered")
    ):
        heron_simpy.register("zz-test-v0", BATTERY)


@pytest.mark.parametrize("good", ["zz-test-v0", "zz-test-v12", "zz_test-a1-v3"])
def test_register_accepts_well_formed_ids(good: str, scratch: list[str]) -> None:
    entry = heron_simpy.register(good, BATTERY, "a test scenario")
    scratch.append(good)
    assert entry == registry.ScenarioSpec(good, BATTERY, "a test scenario")
    assert registry.spec(good) is entry
    assert good in heron_simpy.available()


def test_a_registered_scenario_can_be_made_and_evaluated(scratch: list[str]) -> None:
    heron_simpy.register("zz-test-v0", BATTERY)
    scratch.append("zz-test-v0")
    env = heron_simpy.make("zz-test-v0", n_agents=1)
    obs, _ = env.reset(seed=0)
    assert sorted(obs) == ["battery_0", "fleet"]
    episode = heron_simpy.evaluate("zz-test-v0", t_end=5.0, n_agents=1)
    assert len(episode.rewards["battery_0"]) == 5
    # Overrides are checked against the entry point's Config, named by the new id.
    msg = f"zz-test-v0 has no override 'nope'; valid: {VALID_BATTERY}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("zz-test-v0", nope=1)


def test_a_bad_entry_point_fails_on_first_use_not_at_registration(
    scratch: list[str],
) -> None:
    heron_simpy.register("zz-missing-v0", "heron_simpy.scenarios.no_such_module")
    scratch.append("zz-missing-v0")
    with pytest.raises(ModuleNotFoundError):
        heron_simpy.make("zz-missing-v0")


def test_the_scratch_fixture_leaves_the_registry_as_it_was() -> None:
    assert not [i for i in heron_simpy.available() if i.startswith("zz-")]


def test_a_scenario_with_a_missing_extra_names_what_to_install(
    scratch: list[str],
) -> None:
    heron_simpy.register(
        "zz-extra-v0", BATTERY, "needs a module", ("no_such_module_xyz",)
    )
    scratch.append("zz-extra-v0")
    entry = heron_simpy.registry.spec("zz-extra-v0")
    assert entry.missing == ("no_such_module_xyz",)
    msg = "zz-extra-v0 needs no_such_module_xyz: pip install 'heron-simpy[all]'"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("zz-extra-v0")
