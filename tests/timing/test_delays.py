"""Tests of heron_simpy.timing.delays: the delay-model protocol and built-in models."""

from __future__ import annotations

import dataclasses
import math
import pickle
import re
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.delays import (
    DelayModel,
    FixedDelay,
    GaussianDelay,
    LogNormalDelay,
    UniformDelay,
    is_delay_model,
)
from heron_simpy.timing.empirical import EmpiricalDelay
from heron_simpy.timing.floor import FloorDelay, with_floor
from heron_simpy.timing.rng import BATCH

N_REFERENCE = 1000
times = st.floats(min_value=0.0, max_value=1e3, allow_nan=False)
small = st.floats(min_value=0.0, max_value=5.0, allow_nan=False)
seeds = st.integers(min_value=0, max_value=2**32)


def draws(model, seed=0, n=N_REFERENCE):
    sample = model.sampler(np.random.default_rng(seed))
    return [sample() for _ in range(n)]


class Negative:
    """A user model (not a built-in) that returns negative and NaN delays."""

    def sampler(self, rng):
        values = iter([-1.0, 0.3, math.nan, 2.0] * 10)
        return values.__next__


# -- validation ----------------------------------------------------------------------

CONFIG_ERRORS = [
    (lambda: FixedDelay(-1.0), "FixedDelay value must be >= 0 s, got -1.0"),
    (
        lambda: FixedDelay(math.nan),
        "FixedDelay value must be a finite number >= 0 s, got nan",
    ),
    (
        lambda: FixedDelay(math.inf),
        "FixedDelay value must be a finite number >= 0 s, got inf",
    ),
    (lambda: UniformDelay(-0.1, 0.2), "UniformDelay low must be >= 0 s, got -0.1"),
    (
        lambda: UniformDelay(0.2, 0.1),
        "UniformDelay high must be >= low, got high=0.1, low=0.2",
    ),
    (
        lambda: UniformDelay(0.0, math.inf),
        "UniformDelay high must be a finite number >= 0 s, got inf",
    ),
    (lambda: GaussianDelay(0.1, -0.01), "GaussianDelay std must be >= 0 s, got -0.01"),
    (lambda: GaussianDelay(-0.1, 0.01), "GaussianDelay mean must be >= 0 s, got -0.1"),
    (
        lambda: GaussianDelay(0.1, 0.01, low=0.2),
        "GaussianDelay mean must be >= low, got mean=0.1, low=0.2",
    ),
    (lambda: LogNormalDelay(-1, 0.5), "LogNormalDelay median must be >= 0 s, got -1"),
    (
        lambda: LogNormalDelay(0.1, math.inf),
        "LogNormalDelay sigma must be a finite number >= 0, got inf",
    ),
    (lambda: LogNormalDelay(0.1, -0.5), "LogNormalDelay sigma must be >= 0, got -0.5"),
    (lambda: EmpiricalDelay([]), "EmpiricalDelay samples must not be empty, got ()"),
    (
        lambda: EmpiricalDelay([0.1, -0.2]),
        "EmpiricalDelay samples[1] must be >= 0 s, got -0.2",
    ),
    (
        lambda: EmpiricalDelay([math.nan]),
        "EmpiricalDelay samples[0] must be a finite number >= 0 s, got nan",
    ),
    (
        lambda: FloorDelay(FixedDelay(0.1), -0.5),
        "FloorDelay floor must be >= 0 s, got -0.5",
    ),
    (
        lambda: with_floor(FixedDelay(0.1), math.nan),
        "FloorDelay floor must be a finite number >= 0 s, got nan",
    ),
]


@pytest.mark.parametrize(
    ("build", "msg"),
    CONFIG_ERRORS,
    ids=[
        "fixed-negative",
        "fixed-nan",
        "fixed-inf",
        "uniform-low-negative",
        "uniform-high-below-low",
        "uniform-high-inf",
        "gaussian-std-negative",
        "gaussian-mean-negative",
        "gaussian-mean-below-low",
        "lognormal-median-negative",
        "lognormal-sigma-inf",
        "lognormal-sigma-negative",
        "empirical-empty",
        "empirical-negative",
        "empirical-nan",
        "floor-negative",
        "with-floor-nan",
    ],
)
def test_invalid_values_raise_config_error(build, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)):
        build()


@pytest.mark.parametrize(
    ("build", "msg"),
    [
        (
            lambda: FixedDelay("0.1"),
            "FixedDelay value must be a real number, got '0.1'",
        ),
        (lambda: FixedDelay(True), "FixedDelay value must be a real number, got True"),
        (
            lambda: UniformDelay(0.0, None),
            "UniformDelay high must be a real number, got None",
        ),
        (
            lambda: EmpiricalDelay("0.1"),
            "EmpiricalDelay samples must be a sequence of numbers, got '0.1'",
        ),
        (
            lambda: EmpiricalDelay(0.1),
            "EmpiricalDelay samples must be a sequence of numbers, got 0.1",
        ),
        (
            lambda: EmpiricalDelay([0.1, "x"]),
            "EmpiricalDelay samples[1] must be a real number, got 'x'",
        ),
        (
            lambda: FloorDelay(0.1, 0.0),
            "FloorDelay model must have a sampler(rng) method, got 0.1",
        ),
        (
            lambda: with_floor("fast", 0.0),
            "FloorDelay model must have a sampler(rng) method, got 'fast'",
        ),
    ],
    ids=[
        "fixed-str",
        "fixed-bool",
        "uniform-none",
        "empirical-str",
        "empirical-scalar",
        "empirical-str-item",
        "floor-not-a-model",
        "with-floor-not-a-model",
    ],
)
def test_wrong_types_raise_type_error(build, msg):
    with pytest.raises(TypeError, match=re.escape(msg)):
        build()


def test_values_are_normalised_to_float():
    model = UniformDelay(0, 1)
    assert type(model.low) is float
    assert type(model.high) is float
    assert EmpiricalDelay(np.array([1, 2])).samples == (1.0, 2.0)
    assert type(EmpiricalDelay([np.float64(0.5)]).samples[0]) is float


# -- protocol ------------------------------------------------------------------------

MODELS = [
    FixedDelay(0.2),
    UniformDelay(0.1, 0.3),
    GaussianDelay(0.2, 0.1, low=0.05),
    LogNormalDelay(0.2, 0.5),
    EmpiricalDelay([0.1, 0.2, 0.7]),
    FloorDelay(UniformDelay(0.0, 1.0), 0.4),
]
MODEL_IDS = ["fixed", "uniform", "gaussian", "lognormal", "empirical", "floor"]


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_builtin_models_follow_the_protocol(model):
    assert isinstance(model, DelayModel)
    assert is_delay_model(model)
    assert isinstance(model.describe(), str)
    assert model.describe()
    values = draws(model, n=50)
    assert all(type(value) is float for value in values)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_models_are_frozen_hashable_and_picklable(model):
    assert hash(model) == hash(pickle.loads(pickle.dumps(model)))
    assert pickle.loads(pickle.dumps(model)) == model
    first = dataclasses.fields(model)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(model, first, 1.0)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_same_seed_same_samples(model):
    assert draws(model, seed=3) == draws(model, seed=3)


@pytest.mark.parametrize("model", MODELS[1:], ids=MODEL_IDS[1:])
def test_other_seed_other_samples(model):
    assert draws(model, seed=3) != draws(model, seed=4)


def test_is_delay_model_rejects_plain_values():
    assert not is_delay_model(0.1)
    assert not is_delay_model(None)
    assert not is_delay_model(type("NoCall", (), {"sampler": 3})())


# -- batched == scalar reference ---------------------------------------------------


def scalar_reference(seed, n, formula, normal=False, accept=lambda x: True):
    """Compute n values with one scalar draw per call (rejecting as accept says)."""
    rng = np.random.default_rng(seed)
    draw = rng.standard_normal if normal else rng.random
    out = []
    while len(out) < n:
        value = formula(draw())
        if accept(value):
            out.append(value)
    return out


def test_uniform_batched_equals_scalar_reference():
    low, high = 0.1, 0.35
    expected = scalar_reference(
        5, N_REFERENCE, lambda u: min(low + (high - low) * u, high)
    )
    assert draws(UniformDelay(low, high), seed=5) == expected


def test_gaussian_batched_equals_scalar_rejection_reference():
    # low close to the mean: about 31 % of draws are rejected and re-drawn.
    mean, std, low = 0.1, 0.1, 0.05
    expected = scalar_reference(
        6, N_REFERENCE, lambda z: mean + std * z, normal=True, accept=lambda x: x >= low
    )
    assert draws(GaussianDelay(mean, std, low), seed=6) == expected


def test_lognormal_batched_equals_scalar_reference():
    median, sigma = 0.2, 0.6
    expected = scalar_reference(
        7, N_REFERENCE, lambda z: median * math.exp(sigma * z), normal=True
    )
    assert draws(LogNormalDelay(median, sigma), seed=7) == expected


def test_empirical_equals_batched_integer_reference():
    samples = (0.1, 0.2, 0.3, 0.5, 0.8)
    rng = np.random.default_rng(8)
    expected = []
    while len(expected) < N_REFERENCE:
        expected.extend(np.asarray(samples)[rng.integers(0, 5, BATCH)].tolist())
    assert draws(EmpiricalDelay(samples), seed=8) == expected[:N_REFERENCE]


# -- constants draw nothing ----------------------------------------------------------

CONSTANTS = [
    (FixedDelay(0.3), 0.3),
    (UniformDelay(0.2, 0.2), 0.2),
    (GaussianDelay(0.4, 0.0), 0.4),
    (LogNormalDelay(0.5, 0.0), 0.5),
    (LogNormalDelay(0.0, 0.8), 0.0),
    (EmpiricalDelay([0.6, 0.6]), 0.6),
]


@pytest.mark.parametrize(
    ("model", "value"),
    CONSTANTS,
    ids=["fixed", "uniform", "gaussian", "lognormal", "lognormal-zero", "empirical"],
)
def test_constant_models_do_not_consume_the_rng(model, value):
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    sample = model.sampler(rng)
    assert [sample() for _ in range(10)] == [value] * 10
    assert rng.bit_generator.state == state
    assert model.is_deterministic
    assert model.mean == value


@pytest.mark.parametrize("model", MODELS[1:-1], ids=MODEL_IDS[1:-1])
def test_random_models_are_not_deterministic(model):
    assert not model.is_deterministic


# -- ranges (property tests) -------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(low=times, span=times, seed=seeds)
def test_uniform_stays_within_bounds(low, span, seed):
    high = low + span
    values = draws(UniformDelay(low, high), seed, n=300)
    assert all(low <= value <= high for value in values)


@settings(max_examples=200, deadline=None)
@given(mean=times, std=times, below=st.floats(0.0, 1.0), seed=seeds)
def test_gaussian_never_below_low(mean, std, below, seed):
    low = mean * below
    values = draws(GaussianDelay(mean, std, low), seed, n=300)
    assert all(value >= low for value in values)


@settings(max_examples=200, deadline=None)
@given(median=times, sigma=small, seed=seeds)
def test_lognormal_never_negative(median, sigma, seed):
    values = draws(LogNormalDelay(median, sigma), seed, n=300)
    assert all(value >= 0.0 for value in values)
    assert all(math.isfinite(value) for value in values)


@settings(max_examples=200, deadline=None)
@given(samples=st.lists(times, min_size=1, max_size=20), seed=seeds)
def test_empirical_only_returns_measured_samples(samples, seed):
    values = draws(EmpiricalDelay(samples), seed, n=300)
    assert set(values) <= set(samples)


@settings(max_examples=200, deadline=None)
@given(
    model=st.sampled_from([*MODELS[:-1], Negative()]),
    floor=times,
    seed=seeds,
)
def test_with_floor_never_below_floor(model, floor, seed):
    values = draws(with_floor(model, floor), seed, n=40)
    assert all(value >= floor for value in values)


# -- statistics ----------------------------------------------------------------------


def test_lognormal_median_and_mean_match_theory():
    model = LogNormalDelay(0.2, 0.5)
    values = draws(model, seed=11, n=20_000)
    assert statistics.median(values) == pytest.approx(0.2, rel=0.03)
    assert statistics.fmean(values) == pytest.approx(model.mean, rel=0.03)


def test_gaussian_mean_is_untruncated_mean_when_truncation_is_far():
    values = draws(GaussianDelay(1.0, 0.1), seed=12, n=20_000)
    assert statistics.fmean(values) == pytest.approx(1.0, abs=0.005)


def test_uniform_and_empirical_means():
    assert UniformDelay(0.1, 0.3).mean == pytest.approx(0.2)
    assert EmpiricalDelay([0.1, 0.2, 0.6]).mean == pytest.approx(0.3)
    values = draws(UniformDelay(0.1, 0.3), seed=13, n=20_000)
    assert statistics.fmean(values) == pytest.approx(0.2, abs=0.002)


def test_empirical_picks_every_sample_about_equally_often():
    values = draws(EmpiricalDelay([0.1, 0.2, 0.3, 0.4]), seed=14, n=20_000)
    for sample in (0.1, 0.2, 0.3, 0.4):
        assert values.count(sample) / 20_000 == pytest.approx(0.25, abs=0.015)


# -- FloorDelay / with_floor ---------------------------------------------------------


def test_with_zero_floor_returns_builtin_model_unchanged():
    model = UniformDelay(0.1, 0.2)
    assert with_floor(model, 0.0) is model


def test_with_floor_wraps_user_models_even_at_zero():
    floored = with_floor(Negative(), 0.0)
    assert isinstance(floored, FloorDelay)
    assert draws(floored, n=4) == [0.0, 0.3, 0.0, 2.0]  # NaN maps to the floor


def test_with_floor_raises_samples_to_the_floor():
    floored = with_floor(FixedDelay(0.1), 0.25)
    assert draws(floored, n=3) == [0.25, 0.25, 0.25]
    assert floored.mean == 0.25
    assert floored.is_deterministic
    assert floored.describe() == "fixed 0.1 s, floor 0.25 s"


def test_floor_delay_of_user_model_has_nan_mean_and_is_random():
    floored = FloorDelay(Negative(), 0.1)
    assert math.isnan(floored.mean)
    assert not floored.is_deterministic
    assert floored.describe().endswith(", floor 0.1 s")


# -- CSV -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [
        ("0.1\n0.2\n0.4\n", 0, (0.1, 0.2, 0.4)),
        ("delay_s\n0.1\n\n  \n0.2\n", 0, (0.1, 0.2)),
        ("t,delay\n0,0.15\n1,0.25\n", 1, (0.15, 0.25)),
        ("0.3,x\n", 0, (0.3,)),
    ],
    ids=["plain", "header-and-blank-line", "second-column", "other-columns-ignored"],
)
def test_from_csv_reads_one_number_per_row(tmp_path, text, column, expected):
    path = tmp_path / "delays.csv"
    path.write_text(text)
    assert EmpiricalDelay.from_csv(path, column=column).samples == expected


@pytest.mark.parametrize(
    ("text", "column", "problem"),
    [
        ("0.1\nabc\n", 0, "row 2 must be a finite number >= 0 s, got 'abc'"),
        ("0.1\nnan\n", 0, "row 2 must be a finite number >= 0 s, got 'nan'"),
        ("0.1\n0.2\n-0.3\n", 0, "row 3 must be a finite number >= 0 s, got '-0.3'"),
        ("a,b\n1\n", 1, "row 2 has no column 1, got ['1']"),
        ("header\n", 0, "must contain at least one sample, got none"),
        ("", 0, "must contain at least one sample, got none"),
        ("0.1\n", -1, "column must be an int >= 0, got -1"),
    ],
    ids=[
        "not-a-number",
        "nan",
        "negative",
        "missing-column",
        "header-only",
        "empty",
        "negative-column",
    ],
)
def test_from_csv_errors_name_file_and_row(tmp_path, text, column, problem):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    msg = f"EmpiricalDelay.from_csv {str(path)!r} {problem}"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        EmpiricalDelay.from_csv(path, column=column)


def test_from_csv_column_must_be_int(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("0.1\n")
    msg = f"EmpiricalDelay.from_csv {str(path)!r} column must be an int >= 0, got '0'"
    with pytest.raises(TypeError, match=re.escape(msg)):
        EmpiricalDelay.from_csv(path, column="0")


# -- speed (excluded by default) -----------------------------------------------------
