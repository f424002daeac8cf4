"""Empirical delays: bootstrap resampling of a measured latency trace."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.delays import Sampler, SimTime, _check_real
from heron_simpy.timing.rng import BATCH, batched, constant

__all__ = ["EmpiricalDelay"]


def _parse_cell(cell: str) -> float | None:
    """Return the number in a CSV cell, or None when it is not a number."""
    try:
        return float(cell)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class EmpiricalDelay:
    """A bootstrap of measured delays: each draw picks one sample uniformly.

    Any sequence of numbers is accepted and stored as a tuple. Indices are drawn
    with ``rng.integers`` in batches of ``BATCH``.

    Attributes:
        samples: Measured delays in seconds; non-empty, each finite and >= 0.

    Example:
        >>> model = EmpiricalDelay([0.1, 0.2, 0.4])
        >>> draw = model.sampler(np.random.default_rng(0))
        >>> {draw() for _ in range(100)} <= {0.1, 0.2, 0.4}, round(model.mean, 3)
        (True, 0.233)
    """

    samples: tuple[float, ...]

    def __post_init__(self) -> None:
        samples: object = self.samples
        if isinstance(samples, (str, bytes)) or not isinstance(samples, Iterable):
            message = (
                f"EmpiricalDelay samples must be a sequence of numbers, got {samples!r}"
            )
            raise TypeError(message)
        values = tuple(
            _check_real(value, f"EmpiricalDelay samples[{index}]")
            for index, value in enumerate(samples)
        )
        if not values:
            raise ConfigError(
                f"EmpiricalDelay samples must not be empty, got {values!r}"
            )
        object.__setattr__(self, "samples", values)

    @classmethod
    def from_csv(cls, path: str | os.PathLike[str], column: int = 0) -> EmpiricalDelay:
        """Read measured delays, one number per row, from a CSV file.

        Blank rows are skipped, and so is the first row when it is not numeric
        (a header).

        Args:
            path: The CSV file.
            column: Zero-based index of the column holding the delays (s), >= 0.

        Returns:
            The bootstrap model of the values read.

        Raises:
            TypeError: If ``column`` is not an int.
            ConfigError: If ``column`` is negative, a row lacks the column, an
                entry is not a finite number >= 0, or the file has no samples.
            OSError: If the file cannot be read.
        """
        where = f"EmpiricalDelay.from_csv {os.fspath(path)!r}"
        if isinstance(column, bool) or not isinstance(column, int):
            raise TypeError(f"{where} column must be an int >= 0, got {column!r}")
        if column < 0:
            raise ConfigError(f"{where} column must be an int >= 0, got {column!r}")
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [
                (number, row)
                for number, row in enumerate(csv.reader(handle), 1)
                if any(cell.strip() for cell in row)
            ]
        values: list[float] = []
        for position, (number, row) in enumerate(rows):
            if column >= len(row):
                raise ConfigError(
                    f"{where} row {number} has no column {column}, got {row!r}"
                )
            value = _parse_cell(row[column])
            if value is None and position == 0:
                continue  # a header row
            if value is None or not (math.isfinite(value) and value >= 0.0):
                raise ConfigError(
                    f"{where} row {number} must be a finite number >= 0 s, "
                    f"got {row[column]!r}"
                )
            values.append(value)
        if not values:
            raise ConfigError(f"{where} must contain at least one sample, got none")
        return cls(tuple(values))

    @property
    def mean(self) -> SimTime:
        """Average of the samples in seconds."""
        return math.fsum(self.samples) / len(self.samples)

    @property
    def is_deterministic(self) -> bool:
        """True when every sample has the same value."""
        return min(self.samples) == max(self.samples)

    def sampler(self, rng: np.random.Generator) -> Sampler:
        """Return a sampler picking ``samples[rng.integers(len(samples))]``."""
        if self.is_deterministic:
            return constant(self.samples[0])
        table = np.asarray(self.samples, dtype=float)
        size = len(table)

        def draw() -> list[float]:
            batch: list[float] = table[rng.integers(0, size, BATCH)].tolist()
            return batch

        return batched(draw)

    def describe(self) -> str:
        """Return a short human-readable description."""
        return f"empirical {len(self.samples)} samples, mean {self.mean:g} s"
