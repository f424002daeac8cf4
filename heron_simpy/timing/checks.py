"""Argument checks every constructor shares: real numbers, times, and how to show them.

One rule for every numeric field of the library: a real number is any
``numbers.Real`` except ``bool`` (so numpy integers and floats are accepted,
``True`` and ``np.True_`` are not); it is used as a Python ``float``, and an
integer too large for a float (``10**400``) counts as infinite, so it fails a
finiteness check with the field's own ``ConfigError`` instead of escaping as a
bare ``OverflowError``. Seeds have their own check
(:func:`heron_simpy.timing.rng.check_seed`). Error messages show values with
:func:`shown`, which abbreviates huge integers (Python refuses ``repr`` beyond
4300 digits).
"""

from __future__ import annotations

import math
import numbers
from typing import cast

from heron_simpy.exceptions import ConfigError

__all__ = ["check_real", "check_time", "shown", "to_float"]

_LOG10_2 = math.log10(2.0)
_SHOWN_BITS = 166
"""Integers of more bits than this (about 50 digits) are shown by their size."""
_EXACT_BITS = 13_000
"""Below this many bits ``str`` is safe (Python's limit is 4300 digits)."""


def shown(value: object) -> str:
    """Return ``repr(value)`` for an error message; a huge int by its size.

    Args:
        value: Any value.

    Returns:
        ``repr(value)``, except for integers of more than about 50 digits,
        which read ``an int of 401 digits`` (``a negative int of ...``).

    Example:
        >>> shown(2.5), shown(10**400), shown(-(10**60))
        ('2.5', 'an int of 401 digits', 'a negative int of 61 digits')
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
        bits = number.bit_length()
        if bits > _SHOWN_BITS:
            if bits < _EXACT_BITS:
                size = f"{len(str(abs(number)))} digits"
            else:
                size = f"about {int(bits * _LOG10_2) + 1} digits"
            sign = "a negative" if number < 0 else "an"
            return f"{sign} int of {size}"
    return repr(value)


def to_float(value: object) -> float | None:
    """Return a real number as a float, or None if ``value`` is not one.

    Args:
        value: Any value.

    Returns:
        ``float(value)`` for a ``numbers.Real`` other than a bool; an integer
        beyond the float range gives ``inf`` or ``-inf``. None for bools
        (``np.True_`` included), strings and every other type.

    Example:
        >>> to_float(3), to_float(10**400), to_float(True), to_float("1")
        (3.0, inf, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if cast(float, value) > 0 else -math.inf


def check_real(
    value: object, subject: str, *, strict: bool = False, unit: str = " s"
) -> float:
    """Return ``value`` as a float if it is a finite number >= 0 (> 0 if strict).

    Args:
        value: The value to check.
        subject: What it is, for the message (``"TickConfig phase"``).
        strict: Require > 0 instead of >= 0.
        unit: Unit after the bound in the message (``" s"``, ``""``).

    Returns:
        The value as a Python float.

    Raises:
        TypeError: ``value`` is not a real number (bools are not).
        ConfigError: ``value`` is NaN, infinite, too large for a float, or
            below the bound.

    Example:
        >>> check_real(2, "TickConfig phase")
        2.0
    """
    number = to_float(value)
    if number is None:
        raise TypeError(f"{subject} must be a real number, got {shown(value)}")
    rule = f"{'>' if strict else '>='} 0{unit}"
    if not math.isfinite(number):
        raise ConfigError(
            f"{subject} must be a finite number {rule}, got {shown(value)}"
        )
    if number < 0.0 or (strict and number == 0.0):
        raise ConfigError(f"{subject} must be {rule}, got {shown(value)}")
    return number


def check_time(value: object, subject: str) -> float:
    """Return ``value`` as a float if it is a finite number of seconds (any sign).

    Args:
        value: The value to check (a time such as a ``start_time``).
        subject: What it is, for the message (``"Simulation start_time"``).

    Returns:
        The value as a Python float.

    Raises:
        TypeError: ``value`` is not a real number (bools are not).
        ConfigError: ``value`` is NaN, infinite or too large for a float.

    Example:
        >>> check_time(-5, "Simulation start_time")
        -5.0
    """
    number = to_float(value)
    rule = f"{subject} must be a finite number of seconds"
    if number is None:
        raise TypeError(f"{rule}, got {shown(value)}")
    if not math.isfinite(number):
        raise ConfigError(f"{rule}, got {shown(value)}")
    return number
