"""LazySeries: chunked rows equal the whole-episode array, in bounded memory."""

from __future__ import annotations

import re

import numpy as np
import pytest
from heron_simpy.scenarios.series import (
    CHUNK_ROWS,
    CHUNK_VALUES,
    MAX_ROWS,
    LazySeries,
    chunk_rows,
    episode_rows,
)

from heron_simpy import SimulationError


def normal_rows(seed: int, length: int, width: int) -> LazySeries:
    rng = np.random.default_rng(seed)
    return LazySeries(
        length, width, lambda start, stop: rng.normal(0.0, 1.0, (stop - start, width))
    )


@pytest.mark.parametrize("width", [1, 3, 700])
def test_chunked_draws_continue_one_stream(width: int) -> None:
    length = 3 * chunk_rows(width) + 5  # four chunks, the last one short
    whole = np.random.default_rng(4).normal(0.0, 1.0, (length, width))
    series = normal_rows(4, length, width)
    rows = np.array([series.row(k) for k in range(length)])
    assert np.array_equal(rows, whole)


def test_rows_past_the_end_hold_the_last_row() -> None:
    series = LazySeries(5, 1, lambda start, stop: np.arange(start, stop) * 10.0)
    assert [float(series.row(k)) for k in (0, 4, 5, 10**12)] == [0.0, 40.0, 40.0, 40.0]


def test_chunks_are_made_once_in_order_and_only_when_read() -> None:
    made: list[tuple[int, int]] = []

    def make(start: int, stop: int) -> np.ndarray:
        made.append((start, stop))
        return np.zeros((stop - start, 1))

    series = LazySeries(10_000, 1, make)
    assert made == []
    assert series.nbytes == 0
    for k in range(10_000):
        series.row(k)
        series.row(k)
    assert made == [(0, 4096), (4096, 8192), (8192, 10_000)]
    assert series.nbytes == (10_000 - 8192) * 8


def test_reading_back_before_the_chunk_is_refused() -> None:
    series = LazySeries(10_000, 1, lambda start, stop: np.zeros(stop - start))
    series.row(5000)
    msg = (
        "series row must not go back before the current chunk (rows 4096..8191), got 7"
    )
    with pytest.raises(SimulationError, match=re.escape(msg)):
        series.row(7)


def test_memory_per_chunk_is_bounded_whatever_the_width() -> None:
    assert chunk_rows(1) == CHUNK_ROWS
    assert chunk_rows(10_000) * 10_000 <= CHUNK_VALUES
    assert chunk_rows(10**9) == 1


def test_episode_rows_count_steps_and_never_overflow() -> None:
    assert episode_rows(300.0, 1.0) == 301
    assert episode_rows(120.0, 0.1) == 1201  # ceil, as the plants always drew
    assert episode_rows(1e300, 1e-300) == MAX_ROWS
    assert episode_rows(1e9, 0.1) == 10**10 + 1
