"""The physical-system protocol and the driver that advances it to event times."""

from __future__ import annotations

import math
from typing import Any, Protocol, runtime_checkable

import numpy as np

from heron_simpy.exceptions import ConfigError

__all__ = ["Plant", "PlantDriver"]

_EPS = 1e-9


@runtime_checkable
class Plant(Protocol):
    """A physical system whose state lives in numpy arrays.

    ``physics_step`` (an optional class attribute) picks how time moves:
    ``None`` for a continuous-time plant advanced lazily to each event that
    touches it, or a step in seconds for a discrete-time plant advanced in fixed
    steps. Sensors and rewards read the plant's public attributes directly.
    """

    def reset(self, rng: np.random.Generator) -> None:
        """Return to the initial state, drawing any randomness from ``rng``."""

    def advance(self, dt: float) -> None:
        """Move the physics forward by ``dt`` s (> 0)."""

    def apply(self, agent_id: str, action: Any) -> None:
        """Make ``agent_id``'s action take effect, in place (atomic)."""


class PlantDriver:
    """Advance a plant to the time of each event that touches it.

    Continuous-time plants (``physics_step`` is None) advance by exactly the
    gap since the last touch. Discrete-time plants advance in whole
    ``physics_step`` s steps counted from ``start_time`` (an integer step
    counter, so no rounding drift): the state an event sees is the one after
    the last completed step.

    Args:
        plant: The plant to drive (may be None for plant-less simulations).
        start_time: The plant's time at reset, s.

    Raises:
        ConfigError: ``physics_step`` is present but not a finite number > 0.
    """

    __slots__ = ("_done", "due", "plant", "start_time", "step", "time")

    def __init__(self, plant: Plant | None, start_time: float = 0.0) -> None:
        step = getattr(plant, "physics_step", None)
        if step is not None and (
            isinstance(step, bool)
            or not isinstance(step, (int, float))
            or not math.isfinite(step)
            or step <= 0
        ):
            name = type(plant).__name__
            raise ConfigError(
                f"{name} physics_step must be a number > 0 s or None, got {step!r}"
            )
        self.plant = plant
        self.step: float | None = None if step is None else float(step)
        self.restart(start_time)

    def restart(self, start_time: float) -> None:
        """Put the clock back to ``start_time`` (after the plant was reset)."""
        self.start_time = float(start_time)
        self.time = float(start_time)
        self._done = 0
        self._set_due()

    def sync(self, t: float) -> None:
        """Advance the plant so that its state is the one at time ``t``."""
        if t < self.due:  # nothing to do (the common case: one compare)
            return
        plant = self.plant
        assert plant is not None  # due is +inf without a plant
        step = self.step
        if step is None:
            plant.advance(t - self.time)
            self.time = t
        else:
            target = math.floor((t - self.start_time) / step + _EPS)
            while self._done < target:
                plant.advance(step)
                self._done += 1
            self.time = self.start_time + self._done * step
        self._set_due()

    def _set_due(self) -> None:
        """Earliest time at which :meth:`sync` has work to do."""
        if self.plant is None:
            self.due = math.inf
        elif self.step is None:
            self.due = math.nextafter(self.time, math.inf)
        else:
            nxt = self.start_time + (self._done + 1) * self.step
            self.due = nxt - _EPS * max(1.0, abs(nxt))
