"""Tests of heron_simpy.profile_file: timing profiles and fault schedules from files."""

from __future__ import annotations

import pickle
import re
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from heron_simpy.exceptions import ConfigError
from heron_simpy.faults import ClockDrift, Crash, LinkOutage, SensorDropout
from heron_simpy.profile_file import (
    ProfileFileError,
    dump_profile,
    load_profiles,
    parse_profiles,
)
from heron_simpy.timing import (
    DEFAULT_TICKS,
    BernoulliLoss,
    EmpiricalDelay,
    FixedDelay,
    FloorDelay,
    GaussianDelay,
    GilbertElliottLoss,
    JitterType,
    LogNormalDelay,
    NoLoss,
    TickConfig,
    TimingProfile,
    UniformDelay,
    profiles,
)

NAMES = ["ideal", "lan", "wan", "scada", "traffic"]
EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs" / "profiles" / "example_site.toml"
)
PROFILE_KEYS = "source, base, rates, loss, faults, field, coordinator, system, agents"
TICK_KEYS = (
    "tick_interval, obs_delay, act_delay, msg_delay, jitter_type, jitter_ratio, "
    "min_delay, phase, seed"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_toml(tmp_path: Path, text: str) -> dict[str, TimingProfile]:
    return load_profiles(write(tmp_path, "site.toml", text))


def one(table: dict, **top) -> dict:
    """Data with one profile 'p' (a source added unless a base or source is given)."""
    if "base" not in table and "source" not in table:
        table = {"source": "test", **table}
    return {"profiles": {"p": table}, **top}


def problems(data, source: str = "<data>") -> list[tuple[str, str]]:
    with pytest.raises(ProfileFileError) as info:
        parse_profiles(data, source)
    return info.value.problems


# -- round trips --------------------------------------------------------------------

SITE_TOML = """\
[profiles.site]
source = "bench measurements"
base = "scada"
loss = { model = "bernoulli", p = 0.02 }
faults = ["storm", { kind = "crash", agent = "fleet", start = 30, downtime = 5 }]

[profiles.site.field]
obs_delay = 0.2
act_delay = { model = "uniform", low = 0.1, high = 0.3 }
jitter_type = "gaussian"
jitter_ratio = 0.1

[profiles.site.agents.fleet]
tick_interval = 10.0
msg_delay = { model = "lognormal", median = 1.0, sigma = 0.5 }
seed = 7

[profiles.lab]
source = "lab network"
rates = "profile"
loss = "none"
system = { tick_interval = 120.0, msg_delay = { model = "empirical", samples = [0.1, 0.2] } }

[[schedules.storm]]
kind = "link_outage"
sender = "fleet"
recipient = "*"
start = 600
duration = 120
mode = "queue"
"""

SITE_YAML = """\
profiles:
  site:
    source: bench measurements
    base: scada
    loss: {model: bernoulli, p: 0.02}
    faults:
      - storm
      - {kind: crash, agent: fleet, start: 30, downtime: 5}
    field:
      obs_delay: 0.2
      act_delay: {model: uniform, low: 0.1, high: 0.3}
      jitter_type: gaussian
      jitter_ratio: 0.1
    agents:
      fleet:
        tick_interval: 10.0
        msg_delay: {model: lognormal, median: 1.0, sigma: 0.5}
        seed: 7
  lab:
    source: lab network
    rates: profile
    loss: none
    system:
      tick_interval: 120.0
      msg_delay: {model: empirical, samples: [0.1, 0.2]}
schedules:
  storm:
    - {kind: link_outage, sender: fleet, recipient: "*", start: 600, duration: 120,
       mode: queue}
"""


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_toml_and_yaml_give_equal_profiles(tmp_path: Path, suffix: str) -> None:
    from_toml = load_profiles(write(tmp_path, "site.toml", SITE_TOML))
    from_yaml = load_profiles(write(tmp_path, f"site{suffix}", SITE_YAML))
    assert from_toml == from_yaml
    assert list(from_toml) == ["site", "lab"]
    site = from_toml["site"]
    assert site.loss == BernoulliLoss(0.02)
    assert site.faults == (
        LinkOutage("fleet", "*", 600, 120, "queue"),
        Crash("fleet", 30, 5),
    )
    assert site.field == profiles["scada"].field.replace(
        obs_delay=0.2,
        act_delay=UniformDelay(0.1, 0.3),
        jitter_type="gaussian",
        jitter_ratio=0.1,
    )
    assert site.agents["fleet"] == TickConfig(
        10.0, msg_delay=LogNormalDelay(1.0, 0.5), seed=7
    )
    lab = from_toml["lab"]
    assert lab.rates == "profile"
    assert lab.loss is None
    assert lab.system == TickConfig(120.0, msg_delay=EmpiricalDelay([0.1, 0.2]))


@pytest.mark.parametrize("name", NAMES)
def test_dump_then_parse_gives_every_builtin_back(name: str) -> None:
    data = dump_profile(profiles[name])
    assert list(data["profiles"]) == [name]
    assert parse_profiles(data)[name] == profiles[name]


def rich_profile() -> TimingProfile:
    field = TickConfig(
        0.5,
        obs_delay=FixedDelay(0.1),
        act_delay=GaussianDelay(0.2, 0.05, low=0.1),
        msg_delay=EmpiricalDelay([0.01, 0.02]),
        jitter_type="lognormal",
        jitter_ratio=0.3,
        min_delay=0.005,
        phase=0.25,
        seed=3,
    )
    return TimingProfile(
        "rich",
        "every form at once",
        field,
        TickConfig(60.0, obs_delay=UniformDelay(0.0, 1.0), msg_delay=2.0),
        TickConfig(300.0, obs_delay=LogNormalDelay(0.5, 0.2)),
        GilbertElliottLoss(0.01, 0.3, loss_good=0.001, loss_bad=0.9),
        agents={"fleet": TickConfig(10.0, obs_delay=0.3)},
        rates="profile",
        faults=(
            SensorDropout("battery_*", 10.0, 5.0),
            ClockDrift("fleet", ppm=50.0, offset=0.1),
        ),
    )


def test_dump_round_trips_every_form_through_a_yaml_file(tmp_path: Path) -> None:
    profile = rich_profile()
    path = tmp_path / "rich.yaml"
    path.write_text(yaml.safe_dump(dump_profile(profile)), encoding="utf-8")
    assert load_profiles(path) == {"rich": profile}


def test_dump_is_plain_data() -> None:
    table = dump_profile(rich_profile())["profiles"]["rich"]
    assert table["loss"] == {
        "model": "gilbert_elliott",
        "p_good_to_bad": 0.01,
        "p_bad_to_good": 0.3,
        "loss_good": 0.001,
        "loss_bad": 0.9,
    }
    assert table["field"]["msg_delay"] == {
        "model": "empirical",
        "samples": [0.01, 0.02],
    }
    assert table["field"]["jitter_type"] == "lognormal"
    assert table["field"]["seed"] == 3
    assert "seed" not in table["coordinator"]  # None: TOML has no null
    assert table["faults"][1] == {
        "kind": "clock_drift",
        "agent": "fleet",
        "ppm": 50.0,
        "offset": 0.1,
    }


def test_dump_writes_noloss_as_none() -> None:
    profile = profiles["lan"].with_loss(NoLoss())
    assert dump_profile(profile)["profiles"]["lan"]["loss"] == "none"


def test_dump_refuses_a_model_without_a_file_form() -> None:
    floored = profiles["lan"].replace(
        field=TickConfig(obs_delay=FloorDelay(FixedDelay(0.1), 0.2))
    )
    msg = (
        "dump_profile profile 'lan' field.obs_delay must be a fixed, uniform, "
        "gaussian, lognormal, empirical model, got FloorDelay("
    )
    with pytest.raises(TypeError, match=re.escape(msg)):
        dump_profile(floored)


times = st.floats(min_value=0.0, max_value=1e4, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=1e4)
delays = st.one_of(
    times,
    times.map(FixedDelay),
    st.tuples(times, times).map(lambda t: UniformDelay(min(t), max(t))),
    st.tuples(times, times).map(lambda t: LogNormalDelay(t[0], t[1] / 1e3)),
    st.lists(times, min_size=1, max_size=5).map(EmpiricalDelay),
)
ticks = st.builds(
    TickConfig,
    tick_interval=positive,
    obs_delay=delays,
    act_delay=delays,
    msg_delay=delays,
    jitter_type=st.sampled_from(list(JitterType)),
    jitter_ratio=times,
    min_delay=times,
    phase=times,
    seed=st.none() | st.integers(0, 2**32),
)


@settings(max_examples=100, deadline=None)
@given(
    field=ticks,
    coordinator=ticks,
    system=ticks,
    agent=st.none() | ticks,
    loss=st.none() | st.floats(0.0, 1.0).map(BernoulliLoss),
    rates=st.sampled_from(["agent", "profile"]),
)
def test_dump_then_parse_is_the_identity(
    field, coordinator, system, agent, loss, rates
) -> None:
    agents = {} if agent is None else {"a-1": agent}
    profile = TimingProfile(
        "p", "generated", field, coordinator, system, loss, agents, rates
    )
    assert parse_profiles(dump_profile(profile)) == {"p": profile}


# -- forms --------------------------------------------------------------------------

DELAY_FORMS = [
    pytest.param(0.25, 0.25, id="number"),
    pytest.param(3, 3.0, id="int"),
    pytest.param({"model": "fixed", "value": 0.1}, FixedDelay(0.1), id="fixed"),
    pytest.param(
        {"model": "uniform", "low": 0.1, "high": 0.3},
        UniformDelay(0.1, 0.3),
        id="uniform",
    ),
    pytest.param(
        {"model": "gaussian", "mean": 0.2, "std": 0.05},
        GaussianDelay(0.2, 0.05),
        id="gaussian",
    ),
    pytest.param(
        {"model": "gaussian", "mean": 0.2, "std": 0.05, "low": 0.1},
        GaussianDelay(0.2, 0.05, 0.1),
        id="gaussian-low",
    ),
    pytest.param(
        {"model": "lognormal", "median": 0.1, "sigma": 0.5},
        LogNormalDelay(0.1, 0.5),
        id="lognormal",
    ),
    pytest.param(
        {"model": "empirical", "samples": [0.1, 0.2, 0.4]},
        EmpiricalDelay([0.1, 0.2, 0.4]),
        id="empirical",
    ),
]


@pytest.mark.parametrize(("value", "expected"), DELAY_FORMS)
@pytest.mark.parametrize("key", ["obs_delay", "act_delay", "msg_delay"])
def test_every_delay_form(key: str, value, expected) -> None:
    found = parse_profiles(one({"field": {key: value}}))
    assert getattr(found["p"].field, key) == expected


def test_empirical_delay_from_a_csv_next_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "ping.csv").write_text("host,latency\na,0.1\nb,0.3\n")
    path = write(
        tmp_path,
        "site.toml",
        """\
        [profiles.p]
        source = "ping trace"
        field.msg_delay = { model = "empirical", csv = "traces/ping.csv", column = 1 }
        """,
    )
    assert load_profiles(path)["p"].field.msg_delay == EmpiricalDelay([0.1, 0.3])


def test_empirical_csv_problems_name_the_csv(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("0.1\n-2\n")
    data = one(
        {
            "field": {
                "obs_delay": {"model": "empirical", "csv": "bad.csv"},
                "act_delay": {"model": "empirical", "csv": "missing.csv"},
            }
        }
    )
    with pytest.raises(ProfileFileError) as info:
        parse_profiles(data, base_dir=tmp_path)
    (path1, msg1), (path2, msg2) = info.value.problems
    assert path1 == "profiles.p.field.obs_delay.csv"
    assert msg1.startswith("EmpiricalDelay.from_csv")
    assert msg1.endswith("row 2 must be a finite number >= 0 s, got '-2'")
    assert path2 == "profiles.p.field.act_delay.csv"
    assert msg2 == f"csv file {tmp_path / 'missing.csv'} does not exist"


LOSS_FORMS = [
    pytest.param("none", None, id="none"),
    pytest.param("None", None, id="none-any-case"),
    pytest.param(None, None, id="null"),
    pytest.param({"model": "none"}, None, id="none-table"),
    pytest.param(
        {"model": "bernoulli", "p": 0.01}, BernoulliLoss(0.01), id="bernoulli"
    ),
    pytest.param(
        {"model": "gilbert_elliott", "p_good_to_bad": 0.01, "p_bad_to_good": 0.3},
        GilbertElliottLoss(0.01, 0.3),
        id="gilbert-elliott",
    ),
    pytest.param(
        {
            "model": "gilbert_elliott",
            "p_good_to_bad": 0.01,
            "p_bad_to_good": 0.3,
            "loss_good": 0.001,
            "loss_bad": 0.5,
        },
        GilbertElliottLoss(0.01, 0.3, 0.001, 0.5),
        id="gilbert-elliott-full",
    ),
]


@pytest.mark.parametrize(("value", "expected"), LOSS_FORMS)
def test_every_loss_form(value, expected) -> None:
    assert parse_profiles(one({"loss": value}))["p"].loss == expected


def test_loss_none_replaces_the_base_loss() -> None:
    found = parse_profiles(one({"base": "wan", "loss": "none"}))
    assert profiles["wan"].loss is not None
    assert found["p"].loss is None


def test_jitter_type_ignores_case_and_seed_may_be_null() -> None:
    data = one(
        {"field": {"jitter_type": "LogNormal", "jitter_ratio": 0.2, "seed": None}}
    )
    field = parse_profiles(data)["p"].field
    assert field.jitter_type is JitterType.LOGNORMAL
    assert field.seed is None


# -- defaults and inheritance ---------------------------------------------------------


def test_levels_without_base_start_from_tickconfig_defaults() -> None:
    found = parse_profiles(one({"coordinator": {"obs_delay": 0.5}}))["p"]
    assert found.field == TickConfig(DEFAULT_TICKS["field"])
    assert found.coordinator == TickConfig(DEFAULT_TICKS["coordinator"], obs_delay=0.5)
    assert found.system == TickConfig(DEFAULT_TICKS["system"])
    assert (found.rates, found.loss, found.faults, dict(found.agents)) == (
        "agent",
        None,
        (),
        {},
    )


def test_base_fills_every_unspecified_field() -> None:
    scada = profiles["scada"]
    found = parse_profiles(
        one({"base": "scada", "field": {"obs_delay": 0.5}}), "site.toml"
    )["p"]
    assert found.field == scada.field.replace(obs_delay=0.5)
    assert found.coordinator == scada.coordinator
    assert found.system == scada.system
    assert found.loss == scada.loss
    assert found.rates == scada.rates
    assert found.source == "scada with changes from site.toml"


def test_base_may_be_a_later_profile_of_the_file() -> None:
    data = {
        "profiles": {
            "child": {"base": "parent", "field": {"act_delay": 0.4}},
            "parent": {
                "source": "parent",
                "rates": "profile",
                "field": {"obs_delay": 0.3},
                "agents": {"fleet": {"tick_interval": 5.0}},
                "faults": [
                    {"kind": "crash", "agent": "fleet", "start": 1, "downtime": 2}
                ],
            },
        }
    }
    found = parse_profiles(data)
    assert list(found) == ["child", "parent"]
    child = found["child"]
    assert child.field == TickConfig(1.0, obs_delay=0.3, act_delay=0.4)
    assert child.rates == "profile"
    assert child.agents == {"fleet": TickConfig(5.0)}
    assert child.faults == (Crash("fleet", 1, 2),)


def test_agent_tables_replace_the_base_entry_whole_and_keep_the_others() -> None:
    data = {
        "profiles": {
            "a": {
                "source": "a",
                "agents": {
                    "x": {"tick_interval": 2.0, "obs_delay": 0.5},
                    "y": {"tick_interval": 3.0},
                },
            },
            "b": {"base": "a", "agents": {"x": {"tick_interval": 4.0}}},
        }
    }
    b = parse_profiles(data)["b"]
    assert b.agents == {"x": TickConfig(4.0), "y": TickConfig(3.0)}


def test_file_profile_shadows_the_builtin_of_its_name() -> None:
    data = {
        "profiles": {
            "scada": {"base": "scada", "field": {"obs_delay": 9.0}},
            "mine": {"base": "scada"},
        }
    }
    found = parse_profiles(data)
    assert found["scada"].field.obs_delay == 9.0
    assert found["scada"].coordinator == profiles["scada"].coordinator
    assert found["mine"].field.obs_delay == 9.0  # the file's scada, not the built-in
    assert profiles["scada"].field.obs_delay == 2.0  # the built-in is untouched


# -- faults -------------------------------------------------------------------------

CRASH = {"kind": "crash", "agent": "fleet", "start": 60, "downtime": 30}
DRIFT = {"kind": "clock_drift", "agent": "battery_*", "ppm": 100}


def test_faults_by_schedule_name_inline_and_mixed() -> None:
    data = {
        "profiles": {
            "named": {"source": "s", "faults": "storm"},
            "inline": {"source": "s", "faults": [CRASH]},
            "mixed": {"source": "s", "faults": [DRIFT, "storm", CRASH]},
        },
        "schedules": {"storm": [CRASH, DRIFT], "calm": []},
    }
    found = parse_profiles(data)
    crash, drift = Crash("fleet", 60, 30), ClockDrift("battery_*", ppm=100)
    assert found["named"].faults == (crash, drift)
    assert found["inline"].faults == (crash,)
    assert found["mixed"].faults == (drift, crash, drift, crash)


def test_a_schedule_may_name_an_earlier_schedule() -> None:
    data = one({"faults": "both"}, schedules={"one": [CRASH], "both": ["one", DRIFT]})
    faults = parse_profiles(data)["p"].faults
    assert faults == (Crash("fleet", 60, 30), ClockDrift("battery_*", ppm=100))


def test_faults_given_replace_the_base_faults() -> None:
    data = {
        "profiles": {
            "a": {"source": "a", "faults": [CRASH]},
            "b": {"base": "a", "faults": []},
            "c": {"base": "a"},
        }
    }
    found = parse_profiles(data)
    assert found["b"].faults == ()
    assert found["c"].faults == (Crash("fleet", 60, 30),)


# -- errors: every problem at once, with its path -------------------------------------

ERROR_FILE = """\
[profiles.scada]
base = "scada"

[profiles.scada.field]
obs_delay = -1
jitter_type = "sometimes"

[profiles.x]
source = "bench notes"
rates = "fast"
loss = { model = "bernoulli", p = 1.5 }
faults = [
  { kind = "crash", agent = "fleet", start = 10, downtime = 5 },
  { kind = "crash", agent = "fleet", start = 20, downtime = 5 },
  { kind = "crash", agent = "fleet", start = -3, downtime = 5 },
]

[profiles.x.coordinator]
tick_interval = "fast"
msg_delay = { model = "uniform", low = 0.1 }

[profiles.y]
base = "x"
colour = "blue"

[[schedules.storm]]
kind = "hail"
start = 1
"""


def test_an_error_file_lists_every_problem_with_its_path(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", ERROR_FILE)
    with pytest.raises(ProfileFileError) as info:
        load_profiles(path)
    error = info.value
    assert [p for p, _ in error.problems] == [
        "schedules.storm[0].kind",
        "profiles.scada.field.obs_delay",
        "profiles.scada.field.jitter_type",
        "profiles.x.rates",
        "profiles.x.loss.p",
        "profiles.x.faults[2].start",
        "profiles.x.coordinator.tick_interval",
        "profiles.x.coordinator.msg_delay.high",
        "profiles.y.colour",
    ]
    ours = [
        "profiles.scada.field.obs_delay: must be >= 0, got -1",
        "profiles.scada.field.jitter_type: must be one of 'none', 'uniform', "
        "'gaussian', 'lognormal', got 'sometimes'",
        "profiles.x.rates: must be one of 'agent', 'profile', got 'fast'",
        "profiles.x.loss.p: must be a probability in [0, 1], got 1.5",
        "profiles.x.coordinator.tick_interval: must be a number > 0, got 'fast'",
        "profiles.x.coordinator.msg_delay.high: is required",
        f"profiles.y.colour: unknown key; allowed: {PROFILE_KEYS}",
    ]
    lines = str(error).splitlines()
    assert lines[0] == f"invalid profile file {path} (9 problems):"
    assert lines[1].startswith("schedules.storm[0].kind: must be one of ")
    assert lines[1].endswith(", got 'hail'")
    assert [line for line in lines if not line.startswith(("sched", "profiles.x.f"))][
        1:
    ] == ours
    assert lines[6].startswith("profiles.x.faults[2].start: must be ")
    assert lines[6].endswith("got -3")
    assert error.source == str(path)
    assert isinstance(error, ConfigError)
    assert isinstance(error, ValueError)


def test_the_issue_example_message(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site.toml",
        """\
        [profiles.scada]
        base = "scada"
        field = { obs_delay = -1 }
        """,
    )
    msg = (
        f"invalid profile file {path}: "
        "profiles.scada.field.obs_delay: must be >= 0, got -1"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


UNKNOWN_KEYS = [
    pytest.param(
        {"profiles": {"p": {"source": "s"}}, "profile": {}},
        "profile",
        "unknown key (did you mean 'profiles'?); allowed: profiles, schedules",
        id="top",
    ),
    pytest.param(
        one({"sorce": "s"}),
        "profiles.p.sorce",
        f"unknown key (did you mean 'source'?); allowed: {PROFILE_KEYS}",
        id="profile",
    ),
    pytest.param(
        one({"field": {"obs_dealy": 1}}),
        "profiles.p.field.obs_dealy",
        f"unknown key (did you mean 'obs_delay'?); allowed: {TICK_KEYS}",
        id="level",
    ),
    pytest.param(
        one({"agents": {"a": {"tick_interval": 1, "hz": 2}}}),
        "profiles.p.agents.a.hz",
        f"unknown key; allowed: {TICK_KEYS}",
        id="agent",
    ),
    pytest.param(
        one({"field": {"obs_delay": {"model": "fixed", "value": 1, "unit": "ms"}}}),
        "profiles.p.field.obs_delay.unit",
        "unknown key; allowed: model, value",
        id="delay-model",
    ),
    pytest.param(
        one(
            {"field": {"obs_delay": {"model": "empirical", "csv": "a", "sample": [1]}}}
        ),
        "profiles.p.field.obs_delay.sample",
        "unknown key (did you mean 'samples'?); allowed: model, samples, csv, column",
        id="empirical",
    ),
    pytest.param(
        one({"loss": {"model": "bernoulli", "p": 0.1, "q": 0.2}}),
        "profiles.p.loss.q",
        "unknown key; allowed: model, p",
        id="loss-model",
    ),
    pytest.param(
        one({"faults": [{**CRASH, "downtme": 3}]}),
        "profiles.p.faults[0].downtme",
        "unknown key (did you mean 'downtime'?); allowed: kind, agent, start, "
        "downtime, in_flight",
        id="fault",
    ),
]


@pytest.mark.parametrize(("data", "path", "message"), UNKNOWN_KEYS)
def test_unknown_keys_name_the_key_and_the_allowed_keys(data, path, message) -> None:
    assert problems(data) == [(path, message)]


def test_an_unknown_fault_key_does_not_hide_the_bad_values() -> None:
    data = one({"faults": [{**CRASH, "start": -1, "wind": 3}]})
    found = problems(data)
    assert [p for p, _ in found] == [
        "profiles.p.faults[0].wind",
        "profiles.p.faults[0].start",
    ]


BAD_TYPES = [
    pytest.param(
        one({"field": {"obs_delay": "0.2"}}),
        "profiles.p.field.obs_delay",
        "must be a number >= 0 or a delay-model table (fixed, uniform, gaussian, "
        "lognormal, empirical), got '0.2'",
        id="quoted-delay",
    ),
    pytest.param(
        one({"field": {"phase": True}}),
        "profiles.p.field.phase",
        "must be a number >= 0, got True",
        id="bool-number",
    ),
    pytest.param(
        one({"field": {"tick_interval": 0}}),
        "profiles.p.field.tick_interval",
        "must be > 0, got 0",
        id="zero-tick",
    ),
    pytest.param(
        one({"field": {"jitter_ratio": float("inf")}}),
        "profiles.p.field.jitter_ratio",
        "must be a finite number >= 0, got inf",
        id="inf",
    ),
    pytest.param(
        one({"field": {"seed": 1.5}}),
        "profiles.p.field.seed",
        "must be an integer >= 0, got 1.5",
        id="seed",
    ),
    pytest.param(
        one({"field": [1, 2]}),
        "profiles.p.field",
        "must be a table, got [1, 2]",
        id="level-list",
    ),
    pytest.param(
        one({"source": 3}),
        "profiles.p.source",
        "must be a non-empty one-line string, got 3",
        id="source",
    ),
    pytest.param(
        one({"source": "two\nlines"}),
        "profiles.p.source",
        "must be a non-empty one-line string, got 'two\\nlines'",
        id="source-lines",
    ),
    pytest.param(
        one({"loss": 0.1}),
        "profiles.p.loss",
        "must be 'none' or a table with model = 'none' | 'bernoulli' | "
        "'gilbert_elliott', got 0.1",
        id="loss-number",
    ),
    pytest.param(
        one({"loss": {"p": 0.1}}),
        "profiles.p.loss.model",
        "is required (one of 'none', 'bernoulli', 'gilbert_elliott')",
        id="loss-no-model",
    ),
    pytest.param(
        one({"field": {"act_delay": {"model": "normal", "mean": 1}}}),
        "profiles.p.field.act_delay.model",
        "must be one of 'fixed', 'uniform', 'gaussian', 'lognormal', 'empirical', "
        "got 'normal'",
        id="delay-model-name",
    ),
    pytest.param(
        one({"field": {"act_delay": {"model": "uniform", "low": 0.5, "high": 0.1}}}),
        "profiles.p.field.act_delay",
        "UniformDelay high must be >= low, got high=0.1, low=0.5",
        id="uniform-order",
    ),
    pytest.param(
        one({"field": {"act_delay": {"model": "empirical", "samples": []}}}),
        "profiles.p.field.act_delay.samples",
        "must be a non-empty array of numbers >= 0, got []",
        id="empirical-empty",
    ),
    pytest.param(
        one({"field": {"act_delay": {"model": "empirical"}}}),
        "profiles.p.field.act_delay",
        "needs either samples = [...] or csv = 'file.csv'",
        id="empirical-neither",
    ),
    pytest.param(
        one({"faults": 3}),
        "profiles.p.faults",
        "must be a schedule name or an array of fault tables and names, got 3",
        id="faults-number",
    ),
    pytest.param(
        one({"faults": [CRASH, 3]}),
        "profiles.p.faults[1]",
        "must be a fault table, got 3",
        id="fault-number",
    ),
    pytest.param(
        one({"faults": "stom"}, schedules={"storm": []}),
        "profiles.p.faults",
        "must name a schedule defined before ('storm'), got 'stom'",
        id="unknown-schedule",
    ),
    pytest.param(
        one({"agents": {"fleet": {"obs_delay": 1}}}),
        "profiles.p.agents.fleet.tick_interval",
        "is required (an agent table replaces its level's timing whole)",
        id="agent-tick",
    ),
    pytest.param(
        one({"agents": [1]}),
        "profiles.p.agents",
        "must be a table of agents, got [1]",
        id="agents-list",
    ),
    pytest.param(
        {"profiles": {"p": "lan"}},
        "profiles.p",
        "must be a table, got 'lan'",
        id="profile-string",
    ),
    pytest.param(
        {"profiles": {}},
        "profiles",
        "must define at least one profile, got {}",
        id="no-profiles",
    ),
    pytest.param({}, "profiles", "is required", id="missing-profiles"),
    pytest.param(
        {"profiles": {"": {"source": "s"}}},
        'profiles.""',
        "must be a non-empty one-line string, got ''",
        id="empty-name",
    ),
    pytest.param(
        {"profiles": {1: {"source": "s"}}},
        "profiles.1",
        "must be a non-empty one-line string, got 1",
        id="int-name",
    ),
    pytest.param(
        {"profiles": {"a.b": {"source": 1}}},
        'profiles."a.b".source',
        "must be a non-empty one-line string, got 1",
        id="quoted-name",
    ),
]


@pytest.mark.parametrize(("data", "path", "message"), BAD_TYPES)
def test_bad_values_and_types_are_problems_not_tracebacks(data, path, message) -> None:
    assert problems(data) == [(path, message)]


def test_base_problems() -> None:
    data = {
        "profiles": {
            "a": {"base": "b"},
            "b": {"base": "a"},
            "c": {"base": "moon"},
            "d": {"base": "d"},
            "e": {"base": ""},
        }
    }
    assert problems(data) == [
        ("profiles.b.base", "forms a cycle: a -> b -> a"),
        (
            "profiles.c.base",
            "must name another profile of this file or a built-in (ideal, lan, "
            "scada, traffic, wan), got 'moon'",
        ),
        (
            "profiles.d.base",
            "must name another profile of this file or a built-in (ideal, lan, "
            "scada, traffic, wan), got 'd'",
        ),
        ("profiles.e.base", "must be a non-empty one-line string, got ''"),
    ]


def test_profiles_built_on_a_bad_base_add_no_second_problem() -> None:
    data = {
        "profiles": {
            "a": {"source": "s", "field": {"obs_delay": -1}},
            "b": {"base": "a"},
        }
    }
    assert problems(data) == [("profiles.a.field.obs_delay", "must be >= 0, got -1")]


def test_a_bad_schedule_is_reported_once() -> None:
    data = {
        "profiles": {"a": {"source": "s", "faults": "s"}, "b": {"base": "a"}},
        "schedules": {"s": [{**CRASH, "downtime": 0}]},
    }
    found = problems(data)
    assert [p for p, _ in found] == ["schedules.s[0].downtime"]


def test_top_level_must_be_a_table() -> None:
    msg = "profile file <data>: must hold a table of profiles at the top level, got [1]"
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        parse_profiles([1])  # type: ignore[arg-type]


def test_error_pickles_with_its_problems() -> None:
    with pytest.raises(ProfileFileError) as info:
        parse_profiles(one({"rates": "x", "loss": 2}), "f.toml")
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.problems == info.value.problems
    assert str(copy) == str(info.value)


# -- files --------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    msg = f"profile file {path}: does not exist"
    with pytest.raises(ConfigError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


def test_a_directory_is_not_a_profile_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.toml"
    path.mkdir()
    with pytest.raises(ProfileFileError, match=re.escape(f"profile file {path}: ")):
        load_profiles(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(b'[profiles.p]\nsource = "caf\xe9"\n')
    msg = f"profile file {path}: is not UTF-8 text (bad byte at offset 26)"
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


def test_unknown_suffix(tmp_path: Path) -> None:
    path = write(tmp_path, "site.json", "{}")
    msg = f"profile file {path}: must end in .toml, .yaml, .yml, got '.json'"
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "bad.toml", '[profiles.p]\nsource = "x"\nfield = { obs_delay = }\n'
    )
    msg = (
        f"profile file {path}: TOML syntax error: Invalid value (at line 3, column 23)"
    )
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$") as info:
        load_profiles(path)
    assert info.value.problems == [("", msg.split(": ", 1)[1])]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "profiles:\n  a: [1, 2\n  b: 3\n")
    msg = (
        f"profile file {path}: YAML error at line 3, column 4: expected ',' or ']', "
        "but got ':' (while parsing a flow sequence)"
    )
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.getcwd []",
        "!!python/object:collections.OrderedDict {}",
        "!!python/name:os.getcwd ''",
    ],
)
def test_yaml_python_tags_are_refused(tmp_path: Path, tag: str) -> None:
    path = write(tmp_path, "evil.yaml", f"profiles:\n  p:\n    source: {tag}\n")
    with pytest.raises(ProfileFileError) as info:
        load_profiles(path)
    message = str(info.value)
    assert message.startswith(f"profile file {path}: YAML error at line 3, column 13: ")
    assert (
        "could not determine a constructor for the tag 'tag:yaml.org,2002:python/"
        in message
    )
    assert message.endswith(
        "; a profile file holds plain data only (tables, arrays, strings, numbers, "
        "booleans): tags that build Python objects are refused"
    )


def test_empty_yaml_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.yml", "")
    msg = (
        f"profile file {path}: must hold a table of profiles at the top level, got None"
    )
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


def test_yaml_dates_are_type_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "site.yaml", "profiles:\n  p:\n    source: 2026-10-01\n")
    with pytest.raises(ProfileFileError) as info:
        load_profiles(path)
    assert info.value.problems == [
        (
            "profiles.p.source",
            "must be a non-empty one-line string, got datetime.date(2026, 10, 1)",
        )
    ]


def test_yaml_without_pyyaml_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    path = write(tmp_path, "site.yaml", SITE_YAML)
    msg = f"profile file {path}: reading YAML needs PyYAML: pip install 'heron-simpy[yaml]'"
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)
    assert load_profiles(write(tmp_path, "site.toml", SITE_TOML))  # TOML still works


def test_the_example_site_file_loads() -> None:
    found = load_profiles(EXAMPLE)
    assert list(found) == ["substation_x", "substation_x_calm", "plant_lan"]
    site, calm, lan = found.values()
    assert site.loss == GilbertElliottLoss(0.02, 0.25)
    assert site.field.act_delay == UniformDelay(0.3, 0.8)
    assert site.system == profiles["scada"].system
    assert site.agents["fleet"].tick_interval == 10.0
    assert [f.kind for f in site.faults] == ["link_outage", "sensor_dropout"]
    assert calm.faults == ()
    assert calm.field == site.field
    assert calm.loss == BernoulliLoss(0.005)
    assert lan.loss is None
    assert lan.field.msg_delay == EmpiricalDelay(
        [0.004, 0.005, 0.005, 0.006, 0.012, 0.031]
    )


# -- bugs found outside profile_file.py (fixed in faults/spec.py) --------------------


def test_a_string_saturation_bound_is_a_problem() -> None:
    fault = {"kind": "actuator_saturation", "agent": "a", "start": 0, "duration": 1}
    found = problems(one({"faults": [{**fault, "low": "15"}]}))
    assert [p for p, _ in found] == ["profiles.p.faults[0].low"]


def test_fault_error_pickles() -> None:
    with pytest.raises(ConfigError) as info:
        Crash("fleet", -1, 1)
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.problems == info.value.problems
