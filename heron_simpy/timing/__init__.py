"""Timing value objects: tick rates, delays, jitter, loss, seeds and profiles."""

from __future__ import annotations

from heron_simpy.timing.config import (
    TICK_FLOOR_RATIO,
    ScheduleConfig,
    TickConfig,
    TickSamplers,
)
from heron_simpy.timing.delays import (
    DelayModel,
    FixedDelay,
    GaussianDelay,
    LogNormalDelay,
    Sampler,
    SimTime,
    UniformDelay,
    is_delay_model,
)
from heron_simpy.timing.empirical import EmpiricalDelay
from heron_simpy.timing.floor import FloorDelay, with_floor
from heron_simpy.timing.jitter import JitterType, RatioDelay
from heron_simpy.timing.loss import (
    BernoulliLoss,
    GilbertElliottLoss,
    LossModel,
    LossSampler,
    NoLoss,
    is_loss_model,
)
from heron_simpy.timing.profiles import (
    DEFAULT_TICKS,
    LEVELS,
    TimingProfile,
    profiles,
    resolve_profile,
)
from heron_simpy.timing.rng import (
    BATCH,
    SeedLike,
    batched,
    check_seed,
    constant,
    derive,
    generator,
    key_int,
)

__all__ = [
    "BATCH",
    "DEFAULT_TICKS",
    "LEVELS",
    "TICK_FLOOR_RATIO",
    "BernoulliLoss",
    "DelayModel",
    "EmpiricalDelay",
    "FixedDelay",
    "FloorDelay",
    "GaussianDelay",
    "GilbertElliottLoss",
    "JitterType",
    "LogNormalDelay",
    "LossModel",
    "LossSampler",
    "NoLoss",
    "RatioDelay",
    "Sampler",
    "ScheduleConfig",
    "SeedLike",
    "SimTime",
    "TickConfig",
    "TickSamplers",
    "TimingProfile",
    "UniformDelay",
    "batched",
    "check_seed",
    "constant",
    "derive",
    "generator",
    "is_delay_model",
    "is_loss_model",
    "key_int",
    "profiles",
    "resolve_profile",
    "with_floor",
]
