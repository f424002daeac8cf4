"""Message-loss models: pluggable rules deciding which messages a link drops."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias, runtime_checkable

import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.checks import shown, to_float
from heron_simpy.timing.delays import is_delay_model
from heron_simpy.timing.rng import BATCH, batched, constant

__all__ = [
    "BernoulliLoss",
    "GilbertElliottLoss",
    "LossModel",
    "LossSampler",
    "NoLoss",
    "is_loss_model",
]

LossSampler: TypeAlias = Callable[[], bool]
"""A zero-argument callable returning True when the next message is lost."""


def _check_probability(value: object, subject: str) -> float:
    """Return ``value`` as a float if it is a probability in [0, 1]."""
    number = to_float(value)
    if number is None:
        raise TypeError(f"{subject} must be a real number, got {shown(value)}")
    if not (math.isfinite(number) and 0.0 <= number <= 1.0):
        raise ConfigError(
            f"{subject} must be a probability in [0, 1], got {shown(value)}"
        )
    return number


#: Whether an object can be used as a LossModel (it has a callable ``sampler``).
is_loss_model = is_delay_model


@runtime_checkable
class LossModel(Protocol):
    """Protocol of a loss model: anything with a ``sampler(rng)`` method.

    Each call of ``sampler`` returns a new, independent sampler with its own
    state (one per link); the engine calls it once per message. Built-in models
    draw uniforms in batches of ``BATCH``, draw nothing when the outcome is
    certain, and also offer ``mean_loss`` and ``describe()``.

    Example:
        >>> class EveryOther:
        ...     def sampler(self, rng):
        ...         flips = iter([False, True] * 1000)
        ...         return flips.__next__
        >>> is_loss_model(EveryOther()), isinstance(EveryOther(), LossModel)
        (True, True)
    """

    def sampler(self, rng: np.random.Generator) -> LossSampler:
        """Return a fresh loss sampler of one link drawing from ``rng``.

        Args:
            rng: The generator of this link; the sampler owns it from now on.

        Returns:
            A callable returning True when the next message is lost.
        """
        ...


@dataclass(frozen=True, slots=True)
class NoLoss:
    """A lossless link: no message is ever lost.

    Example:
        >>> NoLoss().sampler(np.random.default_rng(0))()
        False
    """

    @property
    def mean_loss(self) -> float:
        """Long-run fraction of lost messages (0)."""
        return 0.0

    def sampler(self, rng: np.random.Generator) -> LossSampler:
        """Return a sampler that always returns False; ``rng`` is not consumed."""
        return constant(False)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return "no loss"


@dataclass(frozen=True, slots=True)
class BernoulliLoss:
    """Independent loss: each message is lost with probability ``p`` (``u < p``).

    Attributes:
        p: Loss probability in [0, 1]; 0 and 1 draw no randomness.

    Example:
        >>> lost = BernoulliLoss(0.1).sampler(np.random.default_rng(0))
        >>> sum(lost() for _ in range(10_000))
        1033
    """

    p: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "p", _check_probability(self.p, "BernoulliLoss p"))

    @property
    def mean_loss(self) -> float:
        """Long-run fraction of lost messages (``p``)."""
        return self.p

    def sampler(self, rng: np.random.Generator) -> LossSampler:
        """Return a batched sampler of ``u < p`` with u ~ U[0, 1)."""
        p = self.p
        if p in (0.0, 1.0):
            return constant(p == 1.0)

        def draw() -> list[bool]:
            batch: list[bool] = (rng.random(BATCH) < p).tolist()
            return batch

        return batched(draw)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return f"bernoulli loss p={self.p:g}"


@dataclass(frozen=True, slots=True)
class GilbertElliottLoss:
    """Two-state Markov (Gilbert-Elliott) burst loss.

    A link starts in the GOOD state. For each message the sampler draws two
    uniforms ``u1, u2``: first the message is lost if ``u1 < loss_good`` (GOOD)
    or ``u1 < loss_bad`` (BAD) in the current state, then the state switches
    GOOD -> BAD if ``u2 < p_good_to_bad`` or BAD -> GOOD if ``u2 <
    p_bad_to_good``. The mean length of a BAD period is ``1 / p_bad_to_good``
    messages, so losses come in bursts.

    Attributes:
        p_good_to_bad: Per-message probability of GOOD -> BAD, in [0, 1].
        p_bad_to_good: Per-message probability of BAD -> GOOD, in [0, 1].
        loss_good: Loss probability in the GOOD state, in [0, 1].
        loss_bad: Loss probability in the BAD state, in [0, 1].

    Example:
        >>> model = GilbertElliottLoss(0.01, 0.3)
        >>> round(model.mean_loss, 4)
        0.0323
        >>> lost = model.sampler(np.random.default_rng(0))
        >>> 0.02 < sum(lost() for _ in range(100_000)) / 100_000 < 0.045
        True
    """

    p_good_to_bad: float
    p_bad_to_good: float
    loss_good: float = 0.0
    loss_bad: float = 1.0

    def __post_init__(self) -> None:
        for name in ("p_good_to_bad", "p_bad_to_good", "loss_good", "loss_bad"):
            value = _check_probability(
                getattr(self, name), f"GilbertElliottLoss {name}"
            )
            object.__setattr__(self, name, value)
        if self.p_good_to_bad + self.p_bad_to_good == 0.0:
            raise ConfigError(
                "GilbertElliottLoss p_good_to_bad + p_bad_to_good must be > 0, "
                f"got p_good_to_bad={self.p_good_to_bad!r}, "
                f"p_bad_to_good={self.p_bad_to_good!r}"
            )

    @property
    def bad_fraction(self) -> float:
        """Stationary probability of the BAD state, ``p_gb / (p_gb + p_bg)``."""
        return self.p_good_to_bad / (self.p_good_to_bad + self.p_bad_to_good)

    @property
    def mean_loss(self) -> float:
        """Stationary loss rate ``pi_bad * loss_bad + pi_good * loss_good``."""
        bad = self.bad_fraction
        return bad * self.loss_bad + (1.0 - bad) * self.loss_good

    def sampler(self, rng: np.random.Generator) -> LossSampler:
        """Return a new sampler of one link, starting in the GOOD state."""
        loss_good, loss_bad = self.loss_good, self.loss_bad
        to_bad, to_good = self.p_good_to_bad, self.p_bad_to_good
        bad = False

        def draw() -> list[bool]:
            # Runs the chain BATCH messages ahead; the outcomes are the same as
            # with two scalar draws per message.
            nonlocal bad
            uniforms: list[float] = rng.random(2 * BATCH).tolist()
            pairs = iter(uniforms)
            batch: list[bool] = []
            for decide, move in zip(pairs, pairs, strict=True):
                if bad:
                    batch.append(decide < loss_bad)
                    bad = move >= to_good
                else:
                    batch.append(decide < loss_good)
                    bad = move < to_bad
            return batch

        return batched(draw)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return (
            f"gilbert-elliott loss p_gb={self.p_good_to_bad:g}, "
            f"p_bg={self.p_bad_to_good:g}, mean {self.mean_loss:.3g}"
        )
