"""Jitter around a base value: the ratio form every TickConfig channel uses."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.delays import Sampler, SimTime, _set_checked
from heron_simpy.timing.rng import BATCH, batched, constant

__all__ = ["JitterType", "RatioDelay"]


class JitterType(str, Enum):
    """Shape of the jitter applied around a base value by ``RatioDelay``.

    Example:
        >>> JitterType("uniform") is JitterType.UNIFORM
        True
    """

    NONE = "none"
    UNIFORM = "uniform"
    GAUSSIAN = "gaussian"
    LOGNORMAL = "lognormal"


_JITTER_NAMES = ", ".join(repr(kind.value) for kind in JitterType)


def _coerce_jitter(value: object, subject: str) -> JitterType:
    """Return ``value`` as a JitterType, accepting its names case-insensitively."""
    if isinstance(value, JitterType):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{subject} must be a JitterType or a str, got {value!r}")
    try:
        return JitterType(value.lower())
    except ValueError as exc:
        message = f"{subject} must be one of {_JITTER_NAMES}, got {value!r}"
        raise ConfigError(message) from exc


@dataclass(frozen=True, slots=True)
class RatioDelay:
    """A base value with relative jitter, never below a floor (TickConfig's form).

    With ``u ~ U[-1, 1)`` and ``z ~ N(0, 1)`` a sample is ``max(x, floor)`` where
    ``x`` is ``base`` (NONE), ``base * (1 + ratio * u)`` (UNIFORM),
    ``base * (1 + ratio * z)`` (GAUSSIAN) or ``base * exp(s * z)`` with
    ``s = sqrt(log(1 + ratio**2))`` (LOGNORMAL: median ``base``, coefficient of
    variation ``ratio``). With NONE, ``ratio == 0`` or ``base == 0`` the model is
    the constant ``max(base, floor)`` and draws nothing. Values are computed
    in batches of ``BATCH``; ``exp`` is ``math.exp`` (the same bits on every
    CPU, unlike numpy's SIMD ``np.exp``: see :mod:`heron_simpy.timing.libm`).

    Attributes:
        base: Nominal value in seconds, finite and >= 0.
        jitter_type: A ``JitterType`` or its name.
        ratio: Relative jitter (dimensionless), finite and >= 0.
        floor: Smallest value returned, in seconds, finite and >= 0.

    Example:
        >>> model = RatioDelay(0.1, JitterType.UNIFORM, 0.2)
        >>> draw = model.sampler(np.random.default_rng(0))
        >>> all(0.08 <= draw() <= 0.12 for _ in range(1000))
        True
    """

    base: SimTime
    jitter_type: JitterType
    ratio: float
    floor: SimTime = 0.0

    def __post_init__(self) -> None:
        _set_checked(self, "base", "floor")
        _set_checked(self, "ratio", unit="")
        jitter = _coerce_jitter(self.jitter_type, "RatioDelay jitter_type")
        object.__setattr__(self, "jitter_type", jitter)

    @property
    def mean(self) -> SimTime:
        """Expected value in seconds, ignoring the floor unless deterministic."""
        if self.is_deterministic:
            return max(self.base, self.floor)
        if self.jitter_type is JitterType.LOGNORMAL:
            return self.base * math.sqrt(1.0 + self.ratio * self.ratio)
        return self.base

    @property
    def is_deterministic(self) -> bool:
        """True when no randomness is drawn (NONE, ``ratio == 0`` or ``base == 0``)."""
        return (
            self.jitter_type is JitterType.NONE or self.ratio == 0.0 or self.base == 0.0
        )

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a batched sampler of this model (see the class docstring)."""
        if self.is_deterministic:
            return constant(max(self.base, self.floor))
        return batched(_ratio_draw(self, rng))

    def describe(self) -> str:
        """Return a short human-readable description."""
        text = f"{self.base:g} s"
        if not self.is_deterministic:
            text += f" {self.jitter_type.value} jitter {self.ratio:g}"
        return text + (f", floor {self.floor:g} s" if self.floor > 0.0 else "")


def _ratio_draw(
    model: RatioDelay, rng: np.random.Generator
) -> Callable[[], list[float]]:
    """Return the batch drawer of a jittered RatioDelay (formulas in its docstring)."""
    base, ratio, floor = model.base, model.ratio, model.floor
    kind = model.jitter_type
    shape = math.sqrt(math.log1p(ratio * ratio))

    def draw() -> list[float]:
        if kind is JitterType.UNIFORM:
            values = base * (1.0 + ratio * (2.0 * rng.random(BATCH) - 1.0))
        elif kind is JitterType.GAUSSIAN:
            values = base * (1.0 + ratio * rng.standard_normal(BATCH))
        else:
            # math.exp, not np.exp: numpy's SIMD exp differs in the last bit
            # between AVX2 and AVX-512 CPUs (see heron_simpy.timing.libm).
            normals = rng.standard_normal(BATCH).tolist()
            return [max(base * math.exp(shape * z), floor) for z in normals]
        batch: list[float] = np.maximum(values, floor).tolist()
        return batch

    return draw
