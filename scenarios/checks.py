"""Value checks shared by the scenario modules' Config validation and CSV readers."""

from __future__ import annotations

import math
from collections.abc import Sequence

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.checks import shown, to_float

__all__ = ["csv_floats", "is_multiple", "is_number", "number_problems"]


def number_problems(
    config: object, positive: Sequence[str], nonnegative: Sequence[str] = ()
) -> list[str]:
    """Problems of ``config``'s fields that must be finite numbers > 0 / >= 0."""
    problems = []
    for name in positive:
        value = getattr(config, name)
        if not (is_number(value) and value > 0):
            problems.append(f"{name} must be a number > 0, got {shown(value)}")
    for name in nonnegative:
        value = getattr(config, name)
        if not (is_number(value) and value >= 0):
            problems.append(f"{name} must be a number >= 0, got {shown(value)}")
    return problems


def csv_floats(
    subject: str, columns: Sequence[str], row: Sequence[str], where: str
) -> list[float]:
    """One CSV data row as floats, or a ConfigError naming the file, cell and row.

    Args:
        subject: How the file is named in messages (``"series 'x.csv'"``).
        columns: The expected column names, in order.
        row: The row's cells.
        where: Where the row is (``"at index 4"``).
    """
    if len(row) != len(columns):
        raise ConfigError(
            f"{subject} rows must have {len(columns)} columns "
            f"({','.join(columns)}), got {','.join(row)!r} {where}"
        )
    values = []
    for name, cell in zip(columns, row, strict=True):
        try:
            values.append(float(cell))
        except ValueError:
            raise ConfigError(
                f"{subject} values must be numeric, got {cell!r} in {name} {where}"
            ) from None
    return values


def is_number(value: object) -> bool:
    """Whether ``value`` is a finite int or float (bools excluded).

    An int too large for a float (``10**400``) is not finite.
    """
    if not isinstance(value, (int, float)):
        return False
    number = to_float(value)
    return number is not None and math.isfinite(number)


def is_multiple(value: float, dt: float) -> bool:
    """Whether ``value`` is a whole number (>= 1) of ``dt`` steps."""
    steps = value / dt
    return math.isfinite(steps) and steps >= 1 and abs(steps - round(steps)) < 1e-9
