"""Tests of heron_simpy.timing.loss: the loss-model protocol and built-in models."""

from __future__ import annotations

import math
import pickle
import re
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.loss import (
    BernoulliLoss,
    GilbertElliottLoss,
    LossModel,
    NoLoss,
    is_loss_model,
)

N_LONG = 200_000
probabilities = st.floats(min_value=0.0, max_value=1.0)


def outcomes(model, seed=0, n=1000):
    lost = model.sampler(np.random.default_rng(seed))
    return [lost() for _ in range(n)]


def burst_lengths(flags):
    """Lengths of the runs of consecutive lost messages."""
    runs, current = [], 0
    for flag in flags:
        if flag:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    return runs + ([current] if current else [])


def ge_reference(model, seed, n):
    """Gilbert-Elliott with scalar draws: loss in the current state, then move."""
    rng = np.random.default_rng(seed)
    bad, out = False, []
    for _ in range(n):
        if bad:
            out.append(rng.random() < model.loss_bad)
            bad = not rng.random() < model.p_bad_to_good
        else:
            out.append(rng.random() < model.loss_good)
            bad = rng.random() < model.p_good_to_bad
    return out


# -- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "msg"),
    [
        (
            lambda: BernoulliLoss(1.5),
            "BernoulliLoss p must be a probability in [0, 1], got 1.5",
        ),
        (
            lambda: BernoulliLoss(-0.1),
            "BernoulliLoss p must be a probability in [0, 1], got -0.1",
        ),
        (
            lambda: BernoulliLoss(math.nan),
            "BernoulliLoss p must be a probability in [0, 1], got nan",
        ),
        (
            lambda: GilbertElliottLoss(1.2, 0.1),
            "GilbertElliottLoss p_good_to_bad must be a probability in [0, 1], got 1.2",
        ),
        (
            lambda: GilbertElliottLoss(0.1, 0.2, loss_bad=2),
            "GilbertElliottLoss loss_bad must be a probability in [0, 1], got 2",
        ),
        (
            lambda: GilbertElliottLoss(0.0, 0.0),
            "GilbertElliottLoss p_good_to_bad + p_bad_to_good must be > 0, "
            "got p_good_to_bad=0.0, p_bad_to_good=0.0",
        ),
    ],
    ids=[
        "bernoulli-above-one",
        "bernoulli-negative",
        "bernoulli-nan",
        "ge-transition-above-one",
        "ge-loss-above-one",
        "ge-no-transitions",
    ],
)
def test_invalid_values_raise_config_error(build, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)):
        build()


@pytest.mark.parametrize(
    ("build", "msg"),
    [
        (
            lambda: BernoulliLoss("0.1"),
            "BernoulliLoss p must be a real number, got '0.1'",
        ),
        (
            lambda: BernoulliLoss(True),
            "BernoulliLoss p must be a real number, got True",
        ),
        (
            lambda: GilbertElliottLoss(0.1, None),
            "GilbertElliottLoss p_bad_to_good must be a real number, got None",
        ),
    ],
    ids=["bernoulli-str", "bernoulli-bool", "ge-none"],
)
def test_wrong_types_raise_type_error(build, msg):
    with pytest.raises(TypeError, match=re.escape(msg)):
        build()


# -- protocol ------------------------------------------------------------------------

MODELS = [NoLoss(), BernoulliLoss(0.2), GilbertElliottLoss(0.05, 0.2, 0.01, 0.8)]
IDS = ["none", "bernoulli", "gilbert-elliott"]


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_builtin_models_follow_the_protocol(model):
    assert isinstance(model, LossModel)
    assert is_loss_model(model)
    assert model.describe()
    assert all(type(flag) is bool for flag in outcomes(model, n=100))
    assert pickle.loads(pickle.dumps(model)) == model


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_same_seed_same_outcomes(model):
    assert outcomes(model, seed=5) == outcomes(model, seed=5)


@pytest.mark.parametrize("model", MODELS[1:], ids=IDS[1:])
def test_each_sampler_is_new_and_independent(model):
    # Interleaving two links must not change either link's sequence.
    a = model.sampler(np.random.default_rng(1))
    b = model.sampler(np.random.default_rng(2))
    interleaved = [(a(), b()) for _ in range(500)]
    assert [x for x, _ in interleaved] == outcomes(model, seed=1, n=500)
    assert [y for _, y in interleaved] == outcomes(model, seed=2, n=500)


# -- draws ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "flag"),
    [(NoLoss(), False), (BernoulliLoss(0.0), False), (BernoulliLoss(1.0), True)],
    ids=["no-loss", "bernoulli-zero", "bernoulli-one"],
)
def test_certain_outcomes_consume_nothing(model, flag):
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    lost = model.sampler(rng)
    assert [lost() for _ in range(100)] == [flag] * 100
    assert rng.bit_generator.state == state


def test_bernoulli_batched_equals_scalar_reference():
    rng = np.random.default_rng(4)
    expected = [rng.random() < 0.3 for _ in range(1000)]
    assert outcomes(BernoulliLoss(0.3), seed=4) == expected


def test_gilbert_elliott_batched_equals_scalar_reference():
    model = GilbertElliottLoss(0.05, 0.25, 0.02, 0.7)
    assert outcomes(model, seed=6) == ge_reference(model, 6, 1000)


def test_gilbert_elliott_starts_good_and_decides_loss_before_moving():
    # Always moves to BAD after the first message, which is decided in GOOD.
    model = GilbertElliottLoss(1.0, 0.0, loss_good=0.0, loss_bad=1.0)
    assert outcomes(model, n=5) == [False, True, True, True, True]


@pytest.mark.parametrize("seed", range(20))
def test_gilbert_elliott_first_message_is_in_good_state(seed):
    assert outcomes(GilbertElliottLoss(0.5, 0.5, 0.0, 1.0), seed=seed, n=1) == [False]


@pytest.mark.parametrize(
    "model",
    [
        BernoulliLoss(0.05),
        BernoulliLoss(0.5),
        GilbertElliottLoss(0.01, 0.3),
        GilbertElliottLoss(0.05, 0.2, 0.01, 0.8),
    ],
    ids=["bernoulli-5pc", "bernoulli-50pc", "ge-scada", "ge-leaky"],
)
def test_long_run_loss_rate_matches_mean_loss(model):
    rate = statistics.fmean(outcomes(model, seed=7, n=N_LONG))
    assert rate == pytest.approx(model.mean_loss, abs=0.01)


def test_gilbert_elliott_losses_come_in_longer_bursts_than_bernoulli():
    burst = GilbertElliottLoss(0.01, 0.3)
    plain = BernoulliLoss(burst.mean_loss)
    ge_runs = burst_lengths(outcomes(burst, seed=8, n=N_LONG))
    bern_runs = burst_lengths(outcomes(plain, seed=8, n=N_LONG))
    assert statistics.fmean(ge_runs) > 2.5 * statistics.fmean(bern_runs)
    assert statistics.fmean(ge_runs) == pytest.approx(1 / 0.3, rel=0.1)


def test_mean_loss_values():
    assert NoLoss().mean_loss == 0.0
    assert BernoulliLoss(0.2).mean_loss == 0.2
    model = GilbertElliottLoss(0.01, 0.3)
    assert model.bad_fraction == pytest.approx(0.01 / 0.31)
    assert model.mean_loss == pytest.approx(0.01 / 0.31)


@settings(max_examples=200, deadline=None)
@given(gb=probabilities, bg=probabilities, lg=probabilities, lb=probabilities)
def test_mean_loss_is_the_stationary_loss_rate(gb, bg, lg, lb):
    if gb + bg == 0.0:
        return
    model = GilbertElliottLoss(gb, bg, lg, lb)
    bad = gb / (gb + bg)
    assert model.mean_loss == pytest.approx(bad * lb + (1 - bad) * lg)
    assert 0.0 <= model.mean_loss <= 1.0 + 1e-12


@settings(max_examples=200, deadline=None)
@given(p=probabilities, seed=st.integers(0, 2**32))
def test_bernoulli_same_seed_same_outcomes(p, seed):
    model = BernoulliLoss(p)
    assert outcomes(model, seed, n=50) == outcomes(model, seed, n=50)
