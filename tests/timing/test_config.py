"""Tests of heron_simpy.timing.config: JitterType, RatioDelay and TickConfig."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import pickle
import re
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.config import (
    TICK_FLOOR_RATIO,
    ScheduleConfig,
    TickConfig,
    TickSamplers,
)
from heron_simpy.timing.delays import FixedDelay, UniformDelay
from heron_simpy.timing.floor import FloorDelay
from heron_simpy.timing.jitter import JitterType, RatioDelay
from heron_simpy.timing.rng import generator

JITTERS = list(JitterType)
JITTER_IDS = [kind.value for kind in JitterType]
bases = st.floats(min_value=0.0, max_value=1e3, allow_nan=False)
ratios = st.floats(min_value=0.0, max_value=3.0, allow_nan=False)
seeds = st.integers(min_value=0, max_value=2**32)


def take(sample, n=1000):
    return [sample() for _ in range(n)]


class Negative:
    """A user delay model returning negative values."""

    def sampler(self, rng):
        return lambda: -1.0


# -- JitterType ----------------------------------------------------------------------


def test_jitter_type_values():
    assert [kind.value for kind in JitterType] == [
        "none",
        "uniform",
        "gaussian",
        "lognormal",
    ]
    assert JitterType.UNIFORM == "uniform"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("none", JitterType.NONE),
        ("uniform", JitterType.UNIFORM),
        ("GAUSSIAN", JitterType.GAUSSIAN),
        ("LogNormal", JitterType.LOGNORMAL),
        (JitterType.UNIFORM, JitterType.UNIFORM),
    ],
    ids=["none", "uniform", "upper-case", "mixed-case", "enum"],
)
def test_tick_config_accepts_jitter_names(name, kind):
    assert TickConfig(jitter_type=name).jitter_type is kind


# -- RatioDelay ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "msg"),
    [
        (
            lambda: RatioDelay(-1.0, JitterType.NONE, 0.0),
            "RatioDelay base must be >= 0 s, got -1.0",
        ),
        (
            lambda: RatioDelay(1.0, "pink", 0.1),
            "RatioDelay jitter_type must be one of 'none', 'uniform', 'gaussian', "
            "'lognormal', got 'pink'",
        ),
        (
            lambda: RatioDelay(1.0, JitterType.UNIFORM, -0.1),
            "RatioDelay ratio must be >= 0, got -0.1",
        ),
        (
            lambda: RatioDelay(1.0, JitterType.UNIFORM, 0.1, math.inf),
            "RatioDelay floor must be a finite number >= 0 s, got inf",
        ),
    ],
    ids=["base-negative", "jitter-unknown", "ratio-negative", "floor-inf"],
)
def test_ratio_delay_invalid_values(build, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)):
        build()


def test_ratio_delay_jitter_type_must_be_str():
    msg = "RatioDelay jitter_type must be a JitterType or a str, got 1"
    with pytest.raises(TypeError, match=re.escape(msg)):
        RatioDelay(1.0, 1, 0.1)


def reference(kind, base, ratio, floor, seed, n=1000):
    """The ratio formulas with one scalar draw per value."""
    rng = np.random.default_rng(seed)
    shape = math.sqrt(math.log1p(ratio * ratio))
    formulas = {
        JitterType.UNIFORM: lambda: base * (1.0 + ratio * (2.0 * rng.random() - 1.0)),
        JitterType.GAUSSIAN: lambda: base * (1.0 + ratio * rng.standard_normal()),
        JitterType.LOGNORMAL: lambda: (
            base * math.exp(shape * rng.standard_normal())
        ),
    }
    return [max(formulas[kind](), floor) for _ in range(n)]


@pytest.mark.parametrize("kind", JITTERS[1:], ids=JITTER_IDS[1:])
def test_ratio_delay_batched_equals_scalar_reference(kind):
    # ratio 0.8 and floor 0.5: the floor binds for a good share of draws.
    model = RatioDelay(1.0, kind, 0.8, floor=0.5)
    sample = model.sampler(np.random.default_rng(21))
    assert take(sample) == reference(kind, 1.0, 0.8, 0.5, seed=21)


@pytest.mark.parametrize(
    "model",
    [
        RatioDelay(0.3, JitterType.NONE, 0.5),
        RatioDelay(0.3, JitterType.UNIFORM, 0.0),
        RatioDelay(0.0, JitterType.LOGNORMAL, 0.5, floor=0.1),
    ],
    ids=["none", "zero-ratio", "zero-base"],
)
def test_ratio_delay_constants_consume_nothing(model):
    rng = np.random.default_rng(2)
    state = rng.bit_generator.state
    assert take(model.sampler(rng), 10) == [max(model.base, model.floor)] * 10
    assert rng.bit_generator.state == state
    assert model.is_deterministic
    assert model.mean == max(model.base, model.floor)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(JITTERS),
    base=bases,
    ratio=ratios,
    floor=bases,
    seed=seeds,
)
def test_ratio_samples_never_below_floor(kind, base, ratio, floor, seed):
    sample = RatioDelay(base, kind, ratio, floor).sampler(np.random.default_rng(seed))
    assert all(value >= floor for value in take(sample, 300))


@settings(max_examples=200, deadline=None)
@given(base=bases, ratio=ratios, floor=bases, seed=seeds)
def test_uniform_jitter_stays_within_ratio_bounds(base, ratio, floor, seed):
    model = RatioDelay(base, JitterType.UNIFORM, ratio, floor)
    low = max(base * (1.0 - ratio), floor)
    high = max(base * (1.0 + ratio), floor)
    eps = 1e-12 * max(base, floor, 1.0)
    for value in take(model.sampler(np.random.default_rng(seed)), 300):
        assert low - eps <= value <= high + eps


def test_gaussian_jitter_mean_and_spread_match_theory():
    sample = RatioDelay(2.0, JitterType.GAUSSIAN, 0.2).sampler(np.random.default_rng(1))
    values = take(sample, 20_000)
    assert statistics.fmean(values) == pytest.approx(2.0, abs=0.01)
    assert statistics.stdev(values) == pytest.approx(0.4, rel=0.03)


def test_lognormal_jitter_median_mean_and_cv_match_theory():
    model = RatioDelay(2.0, JitterType.LOGNORMAL, 0.4)
    values = take(model.sampler(np.random.default_rng(2)), 20_000)
    assert statistics.median(values) == pytest.approx(2.0, rel=0.02)
    assert model.mean == pytest.approx(2.0 * math.sqrt(1.16))
    assert statistics.fmean(values) == pytest.approx(model.mean, rel=0.02)
    assert statistics.stdev(values) / statistics.fmean(values) == pytest.approx(
        0.4, rel=0.05
    )


def test_ratio_delay_describe():
    assert RatioDelay(0.1, "uniform", 0.2).describe() == "0.1 s uniform jitter 0.2"
    assert RatioDelay(0.1, "none", 0.2, 0.05).describe() == "0.1 s, floor 0.05 s"


# -- TickConfig validation -----------------------------------------------------------


def test_defaults():
    cfg = TickConfig()
    assert (cfg.tick_interval, cfg.obs_delay, cfg.act_delay, cfg.msg_delay) == (
        1.0,
        0.0,
        0.0,
        0.0,
    )
    assert cfg.jitter_type is JitterType.NONE
    assert (cfg.jitter_ratio, cfg.min_delay, cfg.phase, cfg.seed) == (
        0.0,
        0.0,
        0.0,
        None,
    )


def test_schedule_config_is_tick_config():
    assert ScheduleConfig is TickConfig


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"tick_interval": -0.5}, "TickConfig tick_interval must be > 0 s, got -0.5"),
        ({"tick_interval": 0}, "TickConfig tick_interval must be > 0 s, got 0"),
        (
            {"tick_interval": math.inf},
            "TickConfig tick_interval must be a finite number > 0 s, got inf",
        ),
        (
            {"obs_delay": math.nan},
            "TickConfig obs_delay must be a finite number >= 0 s, got nan",
        ),
        ({"act_delay": -0.1}, "TickConfig act_delay must be >= 0 s, got -0.1"),
        (
            {"msg_delay": -math.inf},
            "TickConfig msg_delay must be a finite number >= 0 s, got -inf",
        ),
        (
            {"jitter_type": "pink"},
            "TickConfig jitter_type must be one of 'none', 'uniform', 'gaussian', "
            "'lognormal', got 'pink'",
        ),
        ({"jitter_ratio": -0.2}, "TickConfig jitter_ratio must be >= 0, got -0.2"),
        ({"min_delay": -1}, "TickConfig min_delay must be >= 0 s, got -1"),
        (
            {"phase": math.nan},
            "TickConfig phase must be a finite number >= 0 s, got nan",
        ),
        ({"seed": -1}, "TickConfig seed must be an int >= 0 or None, got -1"),
    ],
    ids=[
        "tick-negative",
        "tick-zero",
        "tick-inf",
        "obs-nan",
        "act-negative",
        "msg-minus-inf",
        "jitter-unknown",
        "ratio-negative",
        "min-delay-negative",
        "phase-nan",
        "seed-negative",
    ],
)
def test_single_problem_is_one_line(kwargs, msg):
    with pytest.raises(ConfigError) as info:
        TickConfig(**kwargs)
    assert str(info.value) == msg
    with pytest.raises(ConfigError, match=re.escape(msg)):
        TickConfig(**kwargs)


def test_several_problems_are_reported_together():
    msg = (
        "invalid TickConfig:\n"
        "- TickConfig tick_interval must be > 0 s, got -0.5\n"
        "- TickConfig obs_delay must be a finite number >= 0 s, got nan\n"
        "- TickConfig jitter_ratio must be >= 0, got -1\n"
        "- TickConfig seed must be an int >= 0 or None, got -1"
    )
    with pytest.raises(ConfigError, match=re.escape(msg)) as info:
        TickConfig(tick_interval=-0.5, obs_delay=math.nan, jitter_ratio=-1, seed=-1)
    assert str(info.value) == msg


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        (
            {"tick_interval": True},
            "TickConfig tick_interval must be a real number, got True",
        ),
        (
            {"obs_delay": "0.1"},
            "TickConfig obs_delay must be a number of seconds or a DelayModel, "
            "got '0.1'",
        ),
        (
            {"act_delay": None},
            "TickConfig act_delay must be a number of seconds or a DelayModel, "
            "got None",
        ),
        (
            {"msg_delay": False},
            "TickConfig msg_delay must be a number of seconds or a DelayModel, "
            "got False",
        ),
        (
            {"jitter_type": 2},
            "TickConfig jitter_type must be a JitterType or a str, got 2",
        ),
        ({"phase": "0"}, "TickConfig phase must be a real number, got '0'"),
        ({"seed": 1.5}, "TickConfig seed must be an int >= 0 or None, got 1.5"),
        ({"seed": True}, "TickConfig seed must be an int >= 0 or None, got True"),
    ],
    ids=[
        "tick-bool",
        "obs-str",
        "act-none",
        "msg-bool",
        "jitter-int",
        "phase-str",
        "seed-float",
        "seed-bool",
    ],
)
def test_wrong_types_raise_type_error(kwargs, msg):
    with pytest.raises(TypeError, match=re.escape(msg)):
        TickConfig(**kwargs)


def test_numbers_are_normalised_to_float():
    cfg = TickConfig(
        tick_interval=2, obs_delay=np.float64(0.5), phase=1, seed=np.int64(3)
    )
    assert type(cfg.tick_interval) is float
    assert type(cfg.obs_delay) is float
    assert type(cfg.phase) is float
    assert type(cfg.seed) is int


def test_is_frozen_and_comparable():
    cfg = TickConfig(obs_delay=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.obs_delay = 0.2
    assert cfg == TickConfig(obs_delay=0.1)
    assert hash(cfg) == hash(TickConfig(obs_delay=0.1))
    cfg.get_obs_delay()  # the sampler cache is not part of equality or repr
    assert cfg == TickConfig(obs_delay=0.1)
    assert "_own" not in repr(cfg)


# -- models --------------------------------------------------------------------------


def test_float_delays_become_ratio_delays_with_min_delay_floor():
    cfg = TickConfig(2.0, 0.1, 0.2, 0.3, "gaussian", 0.1, min_delay=0.05)
    assert cfg.tick_model == RatioDelay(2.0, JitterType.GAUSSIAN, 0.1, 0.2)
    assert cfg.obs_model == RatioDelay(0.1, JitterType.GAUSSIAN, 0.1, 0.05)
    assert cfg.act_model == RatioDelay(0.2, JitterType.GAUSSIAN, 0.1, 0.05)
    assert cfg.msg_model == RatioDelay(0.3, JitterType.GAUSSIAN, 0.1, 0.05)
    assert cfg.tick_model.floor == TICK_FLOOR_RATIO * 2.0


def test_delay_models_are_used_as_given_and_floored():
    model = UniformDelay(0.0, 0.2)
    assert TickConfig(obs_delay=model).obs_model is model
    floored = TickConfig(
        obs_delay=model, min_delay=0.1, jitter_type="uniform"
    ).obs_model
    assert floored == FloorDelay(model, 0.1)
    assert min(take(floored.sampler(np.random.default_rng(0)))) == 0.1


def test_user_model_never_goes_below_min_delay():
    cfg = TickConfig(msg_delay=Negative())
    assert take(cfg.samplers(0).msg, 5) == [0.0] * 5
    assert take(cfg.replace(min_delay=0.2).samplers(0).msg, 5) == [0.2] * 5


@pytest.mark.parametrize(
    ("cfg", "deterministic", "has_delays"),
    [
        (TickConfig(), True, False),
        (TickConfig(obs_delay=0.1), True, True),
        (TickConfig(jitter_type="uniform", jitter_ratio=0.1), False, False),
        (
            TickConfig(jitter_type="uniform", jitter_ratio=0.0, act_delay=0.1),
            True,
            True,
        ),
        (TickConfig(min_delay=0.05), True, True),
        (TickConfig(obs_delay=UniformDelay(0.0, 0.1)), False, True),
        (TickConfig(obs_delay=FixedDelay(0.0)), True, False),
        (TickConfig(msg_delay=Negative()), False, True),
    ],
    ids=[
        "default",
        "fixed-delay",
        "jitter-only-on-tick",
        "zero-ratio",
        "min-delay",
        "uniform-model",
        "fixed-zero-model",
        "user-model",
    ],
)
def test_is_deterministic_and_has_delays(cfg, deterministic, has_delays):
    assert cfg.is_deterministic is deterministic
    assert cfg.has_delays is has_delays


# -- sampling ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    tick=st.floats(min_value=1e-3, max_value=1e3),
    kind=st.sampled_from(JITTERS),
    ratio=ratios,
    seed=seeds,
)
def test_tick_samples_are_positive_so_tick_times_increase(tick, kind, ratio, seed):
    cfg = TickConfig(tick, jitter_type=kind, jitter_ratio=ratio)
    intervals = take(cfg.samplers(seed, "agent", "a").tick, 300)
    assert min(intervals) >= TICK_FLOOR_RATIO * tick > 0.0
    times = list(itertools.accumulate(intervals))
    assert all(later > earlier for earlier, later in itertools.pairwise(times))


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(JITTERS),
    delay=bases,
    min_delay=bases,
    ratio=ratios,
    seed=seeds,
)
def test_delays_never_below_min_delay(kind, delay, min_delay, ratio, seed):
    cfg = TickConfig(1.0, delay, delay, delay, kind, ratio, min_delay=min_delay)
    samplers = cfg.samplers(seed)
    for sample in (samplers.obs, samplers.act, samplers.msg):
        assert min(take(sample, 100)) >= min_delay


JITTERY = TickConfig(1.0, 0.1, 0.2, 0.3, JitterType.GAUSSIAN, 0.3)


@settings(max_examples=50, deadline=None)
@given(seed=seeds, agent=st.text(max_size=10))
def test_same_seed_and_key_give_identical_samples(seed, agent):
    a = JITTERY.samplers(seed, "agent", agent)
    b = JITTERY.samplers(seed, "agent", agent)
    for sample_a, sample_b in zip(a, b, strict=True):
        assert take(sample_a, 50) == take(sample_b, 50)


def test_samplers_are_keyed_per_channel():
    seed, key = 11, ("agent", "pump_2")
    samplers = JITTERY.samplers(seed, *key)
    models = (
        JITTERY.tick_model,
        JITTERY.obs_model,
        JITTERY.act_model,
        JITTERY.msg_model,
    )
    for channel, sample, model in zip(
        TickSamplers._fields, samplers, models, strict=True
    ):
        expected = model.sampler(generator(seed, *key, channel))
        assert take(sample, 300) == take(expected, 300)


@pytest.mark.parametrize("channel", TickSamplers._fields)
def test_different_agents_get_uncorrelated_streams(channel):
    a = getattr(JITTERY.samplers(5, "agent", "a"), channel)
    b = getattr(JITTERY.samplers(5, "agent", "b"), channel)
    xs, ys = take(a, 2000), take(b, 2000)
    assert xs != ys
    assert abs(np.corrcoef(xs, ys)[0, 1]) < 0.1


def test_channels_of_one_agent_are_uncorrelated():
    cfg = TickConfig(1.0, 0.1, 0.1, 0.1, JitterType.UNIFORM, 0.2)
    samplers = cfg.samplers(5, "agent", "a")
    obs, act = take(samplers.obs, 2000), take(samplers.act, 2000)
    assert obs != act
    assert abs(np.corrcoef(obs, act)[0, 1]) < 0.1


def test_different_master_seeds_give_different_samples():
    assert take(JITTERY.samplers(1, "a").obs, 20) != take(
        JITTERY.samplers(2, "a").obs, 20
    )


def test_samplers_default_to_the_config_seed():
    cfg = JITTERY.replace(seed=42)
    assert take(cfg.samplers().obs, 20) == take(cfg.samplers(42).obs, 20)
    assert take(cfg.samplers(7).obs, 20) != take(cfg.samplers(42).obs, 20)


def test_samplers_reject_bad_seed():
    msg = "TickConfig.samplers seed must be an int >= 0 or None, got -3"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        JITTERY.samplers(-3)


def test_no_seed_anywhere_is_not_reproducible():
    assert take(JITTERY.samplers().obs, 20) != take(JITTERY.samplers().obs, 20)


def test_deterministic_samplers_return_the_values():
    samplers = TickConfig(5.0, 0.1, 0.2, 0.3).samplers(0, "x")
    assert (samplers.tick(), samplers.obs(), samplers.act(), samplers.msg()) == (
        5.0,
        0.1,
        0.2,
        0.3,
    )


# -- HERON getters -------------------------------------------------------------------


def test_getters_follow_the_config_seed_stream():
    cfg = JITTERY.replace(seed=3)
    reference = JITTERY.samplers(3)
    for getter, sample in zip(
        (
            cfg.get_tick_interval,
            cfg.get_obs_delay,
            cfg.get_act_delay,
            cfg.get_msg_delay,
        ),
        reference,
        strict=True,
    ):
        assert [getter() for _ in range(300)] == take(sample, 300)


def test_reset_rng_restarts_the_getters():
    cfg = JITTERY.replace(seed=3)
    first = [cfg.get_obs_delay() for _ in range(10)]
    cfg.reset_rng()
    assert [cfg.get_obs_delay() for _ in range(10)] == first


def test_getters_without_seed_still_sample():
    cfg = TickConfig.with_jitter(2.0, 0.5, jitter_type="uniform", jitter_ratio=0.1)
    assert 1.8 <= cfg.get_tick_interval() <= 2.2
    assert 0.45 <= cfg.get_obs_delay() <= 0.55


@pytest.mark.parametrize(
    "clone",
    [lambda c: pickle.loads(pickle.dumps(c)), copy.copy, copy.deepcopy],
    ids=["pickle", "copy", "deepcopy"],
)
def test_copies_are_equal_and_restart_their_samplers(clone):
    cfg = JITTERY.replace(seed=9, obs_delay=UniformDelay(0.1, 0.2))
    first = [cfg.get_obs_delay() for _ in range(5)]
    twin = clone(cfg)
    assert twin == cfg
    assert [twin.get_obs_delay() for _ in range(5)] == first


# -- constructors --------------------------------------------------------------------


def test_deterministic_constructor():
    cfg = TickConfig.deterministic(5.0, 0.1, 0.2, 0.3, phase=1.0, min_delay=0.05)
    assert cfg == TickConfig(5.0, 0.1, 0.2, 0.3, min_delay=0.05, phase=1.0)
    assert cfg.is_deterministic


def test_with_jitter_constructor_defaults_to_gaussian_ten_percent():
    cfg = TickConfig.with_jitter(5.0, 0.1, seed=4)
    assert cfg.jitter_type is JitterType.GAUSSIAN
    assert cfg.jitter_ratio == 0.1
    assert cfg.seed == 4
    assert not cfg.is_deterministic


def test_with_jitter_accepts_names_and_reports_errors():
    assert (
        TickConfig.with_jitter(jitter_type="lognormal").jitter_type
        is JitterType.LOGNORMAL
    )
    with pytest.raises(ConfigError, match=re.escape("invalid TickConfig:\n- ")):
        TickConfig.with_jitter(-1.0, jitter_ratio=-1.0)


def test_from_hz():
    cfg = TickConfig.from_hz(10, obs_delay=0.01)
    assert cfg.tick_interval == 0.1
    assert cfg.obs_delay == 0.01


@pytest.mark.parametrize(
    ("hz", "msg"),
    [
        (0, "TickConfig.from_hz hz must be > 0 Hz, got 0"),
        (-5.0, "TickConfig.from_hz hz must be > 0 Hz, got -5.0"),
        (math.inf, "TickConfig.from_hz hz must be a finite number > 0 Hz, got inf"),
    ],
    ids=["zero", "negative", "inf"],
)
def test_from_hz_rejects_bad_rates(hz, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)):
        TickConfig.from_hz(hz)


def test_replace_validates():
    cfg = TickConfig(obs_delay=0.1)
    assert cfg.replace(obs_delay=0.2).obs_delay == 0.2
    assert cfg.obs_delay == 0.1
    with pytest.raises(
        ConfigError, match=re.escape("TickConfig obs_delay must be >= 0 s")
    ):
        cfg.replace(obs_delay=-0.2)
    with pytest.raises(TypeError):
        cfg.replace(speed=2.0)
