"""Value checks shared by the scenario modules' ``Config`` validation."""

from __future__ import annotations

import math

__all__ = ["is_multiple", "is_number"]


def is_number(value: object) -> bool:
    """Whether ``value`` is a finite int or float (bools excluded)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def is_multiple(value: float, dt: float) -> bool:
    """Whether ``value`` is a whole number (>= 1) of ``dt`` steps."""
    steps = value / dt
    return steps >= 1 and abs(steps - round(steps)) < 1e-9
