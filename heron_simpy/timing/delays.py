"""Delay models: pluggable delay distributions, sampled in fast batches."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.checks import check_real
from heron_simpy.timing.rng import BATCH, batched, constant

__all__ = [
    "DelayModel",
    "FixedDelay",
    "GaussianDelay",
    "LogNormalDelay",
    "Sampler",
    "SimTime",
    "UniformDelay",
    "is_delay_model",
]

SimTime: TypeAlias = float
"""A point or span of simulated time, in seconds."""

Sampler: TypeAlias = Callable[[], float]
"""A zero-argument callable returning the next sampled value as a Python float."""


def _check_real(
    value: object, subject: str, *, strict: bool = False, unit: str = " s"
) -> float:
    """Return ``value`` as a float if it is finite and >= 0 (> 0 when strict).

    The shared rule of :func:`heron_simpy.timing.checks.check_real` (an int beyond the
    float range is a ConfigError, not an OverflowError).
    """
    return check_real(value, subject, strict=strict, unit=unit)


def _set_checked(obj: object, *names: str, unit: str = " s") -> None:
    """Replace each named field of a frozen model by its checked float value."""
    for name in names:
        subject = f"{type(obj).__name__} {name}"
        object.__setattr__(
            obj, name, _check_real(getattr(obj, name), subject, unit=unit)
        )


def is_delay_model(obj: object) -> bool:
    """Tell whether ``obj`` can be used as a DelayModel.

    Args:
        obj: Any object.

    Returns:
        True if ``obj`` has a callable ``sampler`` attribute.
    """
    return callable(getattr(obj, "sampler", None))


@runtime_checkable
class DelayModel(Protocol):
    """Protocol of a delay distribution: anything with a ``sampler(rng)`` method.

    ``sampler`` is called once per stream (per agent and channel) and returns a
    zero-argument callable that the engine calls once per event. Built-in models
    pre-draw ``BATCH`` values at a time, never consume the generator when they
    are constant, and also offer ``mean``, ``is_deterministic`` and
    ``describe()``; user models only need ``sampler``.

    Example:
        >>> class Half:
        ...     def sampler(self, rng):
        ...         return lambda: 0.5
        >>> is_delay_model(Half()), isinstance(Half(), DelayModel)
        (True, True)
    """

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a fast zero-argument sampler drawing from ``rng``.

        Args:
            rng: The generator of this stream; the sampler owns it from now on.

        Returns:
            A callable returning the next delay in simulated seconds.
        """
        ...


@dataclass(frozen=True, slots=True)
class FixedDelay:
    """A constant delay.

    Attributes:
        value: The delay in simulated seconds, finite and >= 0.

    Example:
        >>> FixedDelay(0.25).sampler(np.random.default_rng(0))()
        0.25
    """

    value: SimTime

    def __post_init__(self) -> None:
        _set_checked(self, "value")

    @property
    def mean(self) -> SimTime:
        """Expected delay in seconds."""
        return self.value

    @property
    def is_deterministic(self) -> bool:
        """True: a fixed delay draws no randomness."""
        return True

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a sampler of the constant; ``rng`` is not consumed."""
        return constant(self.value)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return f"fixed {self.value:g} s"


@dataclass(frozen=True, slots=True)
class UniformDelay:
    """A delay drawn uniformly from ``[low, high]``.

    Attributes:
        low: Smallest delay in seconds, finite and >= 0.
        high: Largest delay in seconds, finite and >= ``low``.

    Example:
        >>> draw = UniformDelay(0.1, 0.2).sampler(np.random.default_rng(0))
        >>> all(0.1 <= draw() <= 0.2 for _ in range(1000))
        True
    """

    low: SimTime
    high: SimTime

    def __post_init__(self) -> None:
        _set_checked(self, "low", "high")
        if self.high < self.low:
            raise ConfigError(
                f"UniformDelay high must be >= low, "
                f"got high={self.high!r}, low={self.low!r}"
            )

    @property
    def mean(self) -> SimTime:
        """Expected delay in seconds."""
        return 0.5 * (self.low + self.high)

    @property
    def is_deterministic(self) -> bool:
        """True when ``low == high``."""
        return self.low == self.high

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a sampler of ``min(low + (high - low) * u, high)``, u ~ U[0, 1)."""
        low, high = self.low, self.high
        if low == high:
            return constant(low)
        span = high - low

        def draw() -> list[float]:
            batch: list[float] = np.minimum(
                low + span * rng.random(BATCH), high
            ).tolist()
            return batch

        return batched(draw)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return f"uniform [{self.low:g}, {self.high:g}] s"


@dataclass(frozen=True, slots=True)
class GaussianDelay:
    """A normal delay truncated below at ``low`` (values below are re-drawn).

    ``mean`` is the mean of the untruncated normal; the truncated mean is a
    little higher (negligibly so when ``mean - low`` is a few ``std``).

    Attributes:
        mean: Mean of the untruncated normal in seconds, finite and >= ``low``.
        std: Standard deviation in seconds, finite and >= 0.
        low: Truncation point in seconds, finite and >= 0.

    Example:
        >>> draw = GaussianDelay(0.1, 0.05).sampler(np.random.default_rng(0))
        >>> min(draw() for _ in range(1000)) >= 0.0
        True
    """

    mean: SimTime
    std: SimTime
    low: SimTime = 0.0

    def __post_init__(self) -> None:
        _set_checked(self, "mean", "std", "low")
        if self.mean < self.low:
            raise ConfigError(
                f"GaussianDelay mean must be >= low, "
                f"got mean={self.mean!r}, low={self.low!r}"
            )

    @property
    def is_deterministic(self) -> bool:
        """True when ``std == 0``."""
        return self.std == 0.0

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a sampler of ``mean + std * z``, re-drawing z while below ``low``."""
        mean, std, low = self.mean, self.std, self.low
        if std == 0.0:
            return constant(mean)

        def draw() -> list[float]:
            values = mean + std * rng.standard_normal(BATCH)
            # Dropping rejected values keeps the accepted ones in stream order,
            # which is exactly rejection sampling from one scalar stream.
            batch: list[float] = values[values >= low].tolist()
            return batch

        return batched(draw)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return f"gaussian mean {self.mean:g} s, std {self.std:g} s, >= {self.low:g} s"


@dataclass(frozen=True, slots=True)
class LogNormalDelay:
    """A log-normal delay ``median * exp(sigma * z)``: the heavy tail of SCADA links.

    Attributes:
        median: Median delay in seconds, finite and >= 0 (0 means always 0).
        sigma: Shape (standard deviation of the log), finite and >= 0.

    Example:
        >>> draw = LogNormalDelay(0.1, 0.5).sampler(np.random.default_rng(0))
        >>> min(draw() for _ in range(1000)) > 0.0
        True
    """

    median: SimTime
    sigma: float

    def __post_init__(self) -> None:
        _set_checked(self, "median")
        _set_checked(self, "sigma", unit="")

    @property
    def mean(self) -> SimTime:
        """Expected delay in seconds, ``median * exp(sigma**2 / 2)``."""
        return self.median * math.exp(0.5 * self.sigma * self.sigma)

    @property
    def is_deterministic(self) -> bool:
        """True when ``median == 0`` or ``sigma == 0``."""
        return self.median == 0.0 or self.sigma == 0.0

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a sampler of ``median * exp(sigma * z)``, z ~ N(0, 1)."""
        median, sigma = self.median, self.sigma
        if self.is_deterministic:
            return constant(median)

        def draw() -> list[float]:
            # math.exp, not np.exp: the same bits on every CPU (timing.libm).
            normals = rng.standard_normal(BATCH).tolist()
            return [median * math.exp(sigma * z) for z in normals]

        return batched(draw)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return f"lognormal median {self.median:g} s, sigma {self.sigma:g}"
