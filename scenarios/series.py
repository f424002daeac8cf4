"""Episode series made a chunk of rows at a time: memory does not grow with the horizon.

A plant that needs one row of exogenous input per physics step (a load walk's
increments, reading noise, Poisson arrivals, PV and demand shapes) holds a
:class:`LazySeries` instead of the whole episode's array: rows are made in
chunks as the plant advances, so memory is O(chunk x width) and a reset costs one
chunk, whatever the horizon.

Chunks are made in order, each exactly once per series, so a chunk maker may
draw from a numpy ``Generator``: successive draws continue one stream, and
``rng.normal(0, s, (k1, n))`` then ``(k2, n)`` gives the same numbers as one
``(k1 + k2, n)`` draw -- provided nothing else draws from that generator in
between.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from heron_simpy.exceptions import SimulationError

__all__ = ["CHUNK_ROWS", "CHUNK_VALUES", "LazySeries", "chunk_rows", "episode_rows"]

CHUNK_ROWS = 4096
"""Most rows made at once."""
CHUNK_VALUES = 1 << 20
"""Most values held by one chunk (8 MiB of float64): wide series get fewer rows."""
MAX_ROWS = 1 << 62
"""Row count standing in for "more than any run reaches" (an endless horizon)."""


def episode_rows(horizon: float, dt: float) -> int:
    """Rows of an episode: ``ceil(horizon / dt) + 1`` (one per step and the end).

    A ratio too large to count (``1e300 / 1e-300``) gives :data:`MAX_ROWS`: no
    run gets that far, so the series simply never ends.
    """
    steps = horizon / dt
    if not math.isfinite(steps) or steps >= MAX_ROWS:
        return MAX_ROWS
    return math.ceil(steps) + 1


def chunk_rows(width: int) -> int:
    """Rows per chunk of a series ``width`` values wide (1 to :data:`CHUNK_ROWS`)."""
    return max(1, min(CHUNK_ROWS, CHUNK_VALUES // max(width, 1)))


class LazySeries:
    """Rows ``0 .. length - 1`` of a series, made a chunk at a time, in order.

    ``make(start, stop)`` returns rows ``start .. stop - 1`` as an array whose
    first axis has ``stop - start`` entries. It is called for consecutive
    ranges only, each once, so it may draw from a random generator. A row past
    the end reads as the last row (a plant run past its horizon holds it).
    Reads must not go back to an earlier chunk: a plant moves forward, and a
    reset starts a new series.

    Args:
        length: Number of rows (>= 1).
        width: Values per row (sets the chunk size, see :func:`chunk_rows`).
        make: The chunk maker, ``make(start, stop) -> array``.

    Example:
        >>> series = LazySeries(10, 1, lambda start, stop: np.arange(start, stop))
        >>> [int(series.row(k)) for k in (0, 3, 9, 12)]
        [0, 3, 9, 9]
    """

    def __init__(
        self, length: int, width: int, make: Callable[[int, int], np.ndarray]
    ) -> None:
        self.length = length
        self.chunk = chunk_rows(width)
        self._make = make
        self._start = 0
        self._stop = 0
        self._rows: np.ndarray | None = None

    def row(self, k: int) -> np.ndarray:
        """Row ``k`` (the last row for ``k >= length``); a view, do not modify."""
        k = min(k, self.length - 1)
        if k >= self._stop:
            self._advance_to(k)
        elif k < self._start:
            raise SimulationError(
                f"series row must not go back before the current chunk "
                f"(rows {self._start}..{self._stop - 1}), got {k}"
            )
        assert self._rows is not None  # made by _advance_to
        return self._rows[k - self._start]

    @property
    def nbytes(self) -> int:
        """Bytes of the chunk held now (0 before the first read)."""
        return 0 if self._rows is None else int(self._rows.nbytes)

    def _advance_to(self, k: int) -> None:
        """Make chunks in order until the one holding row ``k``."""
        while self._stop <= k:
            start = self._stop
            stop = min(start + self.chunk, self.length)
            self._rows = self._make(start, stop)
            self._start, self._stop = start, stop
