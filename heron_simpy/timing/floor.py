"""A floor under any delay model (``min_delay`` for user-supplied models)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from heron_simpy.timing.delays import (
    DelayModel,
    FixedDelay,
    GaussianDelay,
    LogNormalDelay,
    Sampler,
    SimTime,
    UniformDelay,
    _check_real,
    is_delay_model,
)
from heron_simpy.timing.empirical import EmpiricalDelay

__all__ = ["FloorDelay", "with_floor"]


_BUILTIN = (FixedDelay, UniformDelay, GaussianDelay, LogNormalDelay, EmpiricalDelay)


@dataclass(frozen=True, slots=True)
class FloorDelay:
    """Any delay model with its samples raised to a floor: ``max(inner(), floor)``.

    Attributes:
        model: The wrapped delay model (anything with ``sampler(rng)``).
        floor: Smallest delay returned, in seconds, finite and >= 0.

    Example:
        >>> model = FloorDelay(UniformDelay(0.0, 1.0), 0.5)
        >>> draw = model.sampler(np.random.default_rng(0))
        >>> min(draw() for _ in range(1000))
        0.5
    """

    model: DelayModel
    floor: SimTime

    def __post_init__(self) -> None:
        if not is_delay_model(self.model):
            raise TypeError(
                f"FloorDelay model must have a sampler(rng) method, got {self.model!r}"
            )
        object.__setattr__(self, "floor", _check_real(self.floor, "FloorDelay floor"))

    @property
    def mean(self) -> SimTime:
        """``max(model.mean, floor)`` (a lower bound), NaN if the model has no mean."""
        inner = float(getattr(self.model, "mean", math.nan))
        return inner if math.isnan(inner) else max(inner, self.floor)

    @property
    def is_deterministic(self) -> bool:
        """True when the wrapped model declares itself deterministic."""
        return bool(getattr(self.model, "is_deterministic", False))

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a sampler of ``max(inner(), floor)`` (NaN maps to the floor)."""
        inner, floor = self.model.sampler(rng), self.floor

        def sample() -> float:
            value = inner()
            return value if value >= floor else floor

        return sample

    def describe(self) -> str:
        """Return a short human-readable description."""
        describe = getattr(self.model, "describe", None)
        inner = describe() if callable(describe) else repr(self.model)
        return f"{inner}, floor {self.floor:g} s"


def with_floor(model: DelayModel, floor: SimTime) -> DelayModel:
    """Return ``model`` with its samples never below ``floor``.

    A built-in model (which never samples below 0) with ``floor == 0`` is
    returned unchanged; anything else is wrapped in a ``FloorDelay``, so even a
    user model that returns negative values is clamped.

    Args:
        model: Any delay model.
        floor: Smallest delay in seconds, finite and >= 0.

    Returns:
        A delay model whose samples are ``max(model sample, floor)``.

    Raises:
        TypeError: If ``model`` has no callable ``sampler`` or ``floor`` is not
            a number.
        ConfigError: If ``floor`` is negative or not finite.
    """
    floored = FloorDelay(model, floor)
    if floored.floor == 0.0 and isinstance(model, _BUILTIN):
        return model
    return floored
