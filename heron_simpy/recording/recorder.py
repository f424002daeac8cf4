"""A trace recorder whose memory can be bounded: full, ring buffer or counts only."""

from __future__ import annotations

import numbers
import sys
from collections import deque
from collections.abc import Iterator
from typing import Literal

from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.records import Record
from heron_simpy.timing.checks import shown

__all__ = ["MODES", "Recorder"]

Mode = Literal["full", "ring", "counts"]
MODES: tuple[str, ...] = ("full", "ring", "counts")


def _ignore(record: Record) -> None:
    """Drop a record (``"counts"`` mode)."""


def _check_maxlen(maxlen: object) -> int:
    """The ring size as an int in [1, ``sys.maxsize``] (numpy integers too).

    Wrong types are a ConfigError here too (this check predates the TypeError
    rule, and its message is pinned by the recording tests).
    """
    rule = "Recorder maxlen must be an int > 0 in 'ring' mode"
    if isinstance(maxlen, bool) or not isinstance(maxlen, numbers.Integral):
        raise ConfigError(f"{rule}, got {maxlen!r}")
    number = int(maxlen)
    if number <= 0:
        raise ConfigError(f"{rule}, got {shown(maxlen)}")
    if number > sys.maxsize:
        raise ConfigError(
            f"Recorder maxlen must be <= sys.maxsize ({sys.maxsize}), "
            f"got {shown(maxlen)}"
        )
    return number


class Recorder:
    """Keep the records of one episode, within a memory bound.

    Modes:
        * ``"full"``: every record, in the order it happened.
        * ``"ring"``: the last ``maxlen`` records (older ones fall off).
        * ``"counts"``: no records at all; the episode stats still count
          every kind. Use it for long or large runs.

    Args:
        mode: One of ``"full"``, ``"ring"``, ``"counts"``.
        maxlen: Ring size (records, an int in [1, ``sys.maxsize``], numpy
            integers accepted); required for ``"ring"``, ignored otherwise.

    Raises:
        ConfigError: Unknown mode, or in ``"ring"`` mode a ``maxlen`` that is
            missing, not an integer (bools are not) or out of range.

    Example:
        >>> from heron_simpy.recording import Recorder, TickRecord
        >>> rec = Recorder("ring", maxlen=2)
        >>> for t in (0.0, 1.0, 2.0):
        ...     rec.append(TickRecord(t, "a"))
        >>> [r.time for r in rec]
        [1.0, 2.0]
    """

    __slots__ = ("_items", "append", "maxlen", "mode")

    def __init__(self, mode: Mode = "full", maxlen: int | None = None) -> None:
        if not isinstance(mode, str) or mode not in MODES:
            raise ConfigError(
                f"Recorder mode must be one of {', '.join(MODES)}, got {mode!r}"
            )
        if mode == "ring":
            maxlen = _check_maxlen(maxlen)
        self.mode: Mode = mode
        self.maxlen = maxlen if mode == "ring" else None
        self._items: list[Record] | deque[Record] = (
            deque(maxlen=maxlen) if mode == "ring" else []
        )
        #: Bound ``append`` of the underlying container (hot path); a no-op
        #: in ``"counts"`` mode.
        self.append = self._items.append if mode != "counts" else _ignore

    @property
    def keeps_records(self) -> bool:
        """Whether records are stored at all (False in ``"counts"`` mode)."""
        return self.mode != "counts"

    @property
    def records(self) -> list[Record]:
        """The kept records, oldest first (a copy)."""
        return list(self._items)

    def clear(self) -> None:
        """Forget every record (the mode and bound stay)."""
        self._items.clear()

    def __iter__(self) -> Iterator[Record]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Recorder(mode={self.mode!r}, maxlen={self.maxlen!r}, len={len(self)})"
