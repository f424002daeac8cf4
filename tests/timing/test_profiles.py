"""Tests of heron_simpy.timing.profiles: named timing profiles and their resolution."""

from __future__ import annotations

import importlib
import pickle
import re

import pytest

import heron_simpy.timing as timing
from heron_simpy.exceptions import ConfigError
from heron_simpy.timing import config, delays, loss, rng
from heron_simpy.timing.config import TickConfig
from heron_simpy.timing.jitter import JitterType
from heron_simpy.timing.loss import BernoulliLoss, GilbertElliottLoss, NoLoss
from heron_simpy.timing.profiles import (
    DEFAULT_TICKS,
    LEVELS,
    TimingProfile,
    profiles,
    resolve_profile,
)

NAMES = ["ideal", "lan", "wan", "scada", "traffic"]


def make(**changes):
    base = {
        "name": "test",
        "source": "made up for a test",
        "field": TickConfig(1.0, obs_delay=0.1),
        "coordinator": TickConfig(60.0, obs_delay=0.2),
        "system": TickConfig(300.0, obs_delay=0.3, phase=5.0),
    }
    return TimingProfile(**{**base, **changes})


# -- the shipped profiles ------------------------------------------------------------


def test_levels_and_default_ticks():
    assert LEVELS == ("field", "coordinator", "system")
    assert dict(DEFAULT_TICKS) == {"field": 1.0, "coordinator": 60.0, "system": 300.0}


def test_all_named_profiles_are_present():
    assert set(NAMES) <= set(profiles)


def test_profiles_mapping_is_read_only():
    with pytest.raises(TypeError):
        profiles["mine"] = profiles["ideal"]


@pytest.mark.parametrize("name", NAMES)
def test_profile_has_name_source_and_agent_rates(name):
    profile = profiles[name]
    assert profile.name == name
    assert profile.source.strip()
    assert "\n" not in profile.source
    assert profile.rates == "agent"
    assert not profile.agents


@pytest.mark.parametrize("name", NAMES)
def test_profile_level_ticks(name):
    expected = dict(DEFAULT_TICKS)
    if name == "traffic":
        expected["field"] = 0.1
    assert {
        level: profiles[name].level(level).tick_interval for level in LEVELS
    } == expected


def test_ideal_is_deterministic_with_zero_delays_and_no_loss():
    ideal = profiles["ideal"]
    assert ideal.loss is None
    for level in LEVELS:
        cfg = ideal.level(level)
        assert cfg.is_deterministic
        assert not cfg.has_delays
        assert (cfg.obs_delay, cfg.act_delay, cfg.msg_delay) == (0.0, 0.0, 0.0)
        assert cfg.jitter_type is JitterType.NONE


@pytest.mark.parametrize(
    ("name", "delays", "jitter", "loss"),
    [
        ("lan", (0.05, 0.1, 0.01), (JitterType.UNIFORM, 0.1), None),
        ("wan", (0.3, 0.3, 0.15), (JitterType.GAUSSIAN, 0.25), BernoulliLoss(0.01)),
        (
            "scada",
            (2.0, 0.5, 2.0),
            (JitterType.LOGNORMAL, 0.4),
            GilbertElliottLoss(0.01, 0.3),
        ),
        ("traffic", (0.05, 0.2, 0.1), (JitterType.UNIFORM, 0.1), None),
    ],
    ids=["lan", "wan", "scada", "traffic"],
)
def test_profile_numbers(name, delays, jitter, loss):
    profile = profiles[name]
    assert profile.loss == loss
    for level in LEVELS:
        cfg = profile.level(level)
        assert (cfg.obs_delay, cfg.act_delay, cfg.msg_delay) == delays
        assert (cfg.jitter_type, cfg.jitter_ratio) == jitter
        assert cfg.has_delays
        assert not cfg.is_deterministic


# -- for_agent -----------------------------------------------------------------------


def test_for_agent_keeps_agent_rate_and_phase_in_agent_mode():
    cfg = profiles["lan"].for_agent(
        "pump_2", "coordinator", tick_interval=5.0, phase=0.5
    )
    entry = profiles["lan"].level("coordinator")
    assert (cfg.tick_interval, cfg.phase) == (5.0, 0.5)
    assert cfg == entry.replace(tick_interval=5.0, phase=0.5)


def test_for_agent_without_declared_rate_takes_the_level_entry():
    assert profiles["wan"].for_agent("a", "system") == profiles["wan"].level("system")
    cfg = make().for_agent("a", "system", tick_interval=10.0)
    assert (cfg.tick_interval, cfg.phase, cfg.obs_delay) == (10.0, 5.0, 0.3)


def test_for_agent_uses_level_rates_in_profile_mode():
    profile = make(rates="profile")
    cfg = profile.for_agent("a", "system", tick_interval=10.0, phase=1.0)
    assert cfg == profile.system


def test_per_agent_override_wins_whole():
    override = TickConfig(0.5, obs_delay=0.9, jitter_type="uniform", jitter_ratio=0.2)
    for rates in ("agent", "profile"):
        profile = make(rates=rates).with_agent("pump_2", override)
        assert (
            profile.for_agent("pump_2", "field", tick_interval=3.0, phase=1.0)
            is override
        )
        assert profile.for_agent("pump_3", "field") == profile.field


def test_for_agent_unknown_level():
    msg = (
        "TimingProfile level must be one of 'field', 'coordinator', 'system', "
        "got 'cloud'"
    )
    with pytest.raises(ConfigError, match=re.escape(msg)):
        profiles["lan"].for_agent("a", "cloud")
    with pytest.raises(ConfigError, match=re.escape(msg)):
        profiles["lan"].level("cloud")


def test_for_agent_validates_the_agent_rate():
    msg = "TickConfig tick_interval must be > 0 s, got -1.0"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        profiles["lan"].for_agent("a", "field", tick_interval=-1.0)


# -- building profiles ---------------------------------------------------------------


def test_uniform_profile_applies_one_config_everywhere():
    cfg = TickConfig(2.0, obs_delay=0.1, phase=0.3)
    profile = TimingProfile.uniform(cfg)
    assert profile.name == "custom"
    assert profile.rates == "profile"
    assert profile.loss is None
    for level in LEVELS:
        assert profile.for_agent("x", level, tick_interval=7.0, phase=0.0) == cfg
    assert TimingProfile.uniform(cfg, name="mine").name == "mine"


def test_with_agents_merges_and_copies():
    a, b = TickConfig(1.0), TickConfig(2.0)
    one = make().with_agents(a1=a)
    two = one.with_agents(b1=b, a1=b)
    assert dict(one.agents) == {"a1": a}
    assert dict(two.agents) == {"a1": b, "b1": b}
    assert make().with_agent("pump-2", a).agents["pump-2"] is a


def test_agents_are_a_read_only_copy():
    source = {"a": TickConfig(1.0)}
    profile = make(agents=source)
    source["b"] = TickConfig(2.0)
    assert set(profile.agents) == {"a"}
    with pytest.raises(TypeError):
        profile.agents["c"] = TickConfig(3.0)


def test_with_loss_and_replace():
    profile = make().with_loss(BernoulliLoss(0.1))
    assert profile.loss == BernoulliLoss(0.1)
    assert profile.with_loss(None).loss is None
    assert profile.replace(name="other").name == "other"
    assert make().loss is None


def test_profiles_are_frozen_and_picklable():
    profile = make().with_agent("a", TickConfig(2.0)).with_loss(NoLoss())
    clone = pickle.loads(pickle.dumps(profile))
    assert clone == profile
    assert dict(clone.agents) == {"a": TickConfig(2.0)}
    with pytest.raises(TypeError):
        clone.agents["b"] = TickConfig(1.0)
    with pytest.raises(AttributeError):
        profile.name = "x"
    for name in NAMES:
        assert pickle.loads(pickle.dumps(profiles[name])) == profiles[name]


@pytest.mark.parametrize(
    ("changes", "msg"),
    [
        (
            {"rates": "fast"},
            "TimingProfile rates must be 'agent' or 'profile', got 'fast'",
        ),
        ({"name": ""}, "TimingProfile name must be one non-empty line, got ''"),
        (
            {"source": "a\nb"},
            "TimingProfile source must be one non-empty line, got 'a\\nb'",
        ),
    ],
    ids=["rates", "empty-name", "multi-line-source"],
)
def test_invalid_profile_values(changes, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)):
        make(**changes)


@pytest.mark.parametrize(
    ("changes", "msg"),
    [
        ({"field": 1.0}, "TimingProfile field must be a TickConfig, got 1.0"),
        ({"loss": 0.1}, "TimingProfile loss must be a LossModel or None, got 0.1"),
        ({"agents": [1]}, "TimingProfile agents must be a mapping, got [1]"),
        (
            {"agents": {"a": 1.0}},
            "TimingProfile agents must map str agent ids to TickConfigs, got 'a': 1.0",
        ),
        ({"name": 3}, "TimingProfile name must be a str, got 3"),
    ],
    ids=[
        "level-not-config",
        "loss-not-model",
        "agents-not-mapping",
        "agent-value",
        "name",
    ],
)
def test_wrong_profile_types(changes, msg):
    with pytest.raises(TypeError, match=re.escape(msg)):
        make(**changes)


# -- resolve_profile -----------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_resolve_profile_by_name(name):
    assert resolve_profile(name) is profiles[name]


def test_resolve_profile_passes_profiles_through():
    profile = make()
    assert resolve_profile(profile) is profile


def test_resolve_profile_wraps_a_tick_config():
    cfg = TickConfig(3.0, obs_delay=0.2)
    assert resolve_profile(cfg) == TimingProfile.uniform(cfg)


def test_resolve_profile_unknown_name():
    msg = "unknown timing profile 'foo'; valid: ideal, lan, scada, traffic, wan"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        resolve_profile("foo")


def test_resolve_profile_wrong_type():
    msg = "profile must be a name, a TimingProfile or a TickConfig, got 3"
    with pytest.raises(TypeError, match=re.escape(msg)):
        resolve_profile(3)


def test_timing_package_reexports_the_mapping():
    # The package attribute is the mapping (as heron_simpy.profiles is), not
    # the submodule of the same name.
    assert timing.profiles is profiles
    assert timing.resolve_profile is resolve_profile


def test_timing_all_is_the_union_of_the_module_alls():
    profiles_module = importlib.import_module("heron_simpy.timing.profiles")
    empirical = importlib.import_module("heron_simpy.timing.empirical")
    floor = importlib.import_module("heron_simpy.timing.floor")
    jitter = importlib.import_module("heron_simpy.timing.jitter")
    modules = (config, delays, empirical, floor, jitter, loss, rng, profiles_module)
    assert set(timing.__all__) == set().union(*(m.__all__ for m in modules))
    assert all(hasattr(timing, name) for name in timing.__all__)
