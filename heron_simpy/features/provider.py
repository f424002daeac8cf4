"""Features: named values an agent publishes, each with a visibility rule."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import numpy as np

from heron_simpy.exceptions import ConfigError

__all__ = ["FeatureProvider", "Visibility"]

Reader = Callable[[Any, str], Any]


class Visibility(str, Enum):
    """Who may observe a feature (DESIGN.md section 7).

    * ``OWNER``: only the agent that owns it.
    * ``UPPER_LEVEL``: the owner and its **direct** parent (not grandparents).
    * ``SYSTEM``: the owner and every system-level agent.
    * ``PUBLIC``: every agent.
    """

    OWNER = "owner"
    UPPER_LEVEL = "upper_level"
    SYSTEM = "system"
    PUBLIC = "public"


class FeatureProvider:
    """A group of named values an agent owns, read from the plant when sensed.

    Args:
        name: Feature name, unique per owner (non-empty).
        fields: Names of the values, in order (at least one).
        read: ``read(plant, owner_id) -> values`` (a sequence of
            ``len(fields)`` finite numbers, read as of the sensing instant).
        visibility: Who may observe it (a :class:`Visibility` or its name).
        low: Lower bound of every value (scalar or one per field).
        high: Upper bound of every value (scalar or one per field).

    Raises:
        ConfigError: Empty name or fields, unknown visibility, bad bounds.

    Example:
        >>> from heron_simpy.features import FeatureProvider
        >>> soc = FeatureProvider("soc", ("soc",), lambda plant, aid: (plant[aid],),
        ...                       visibility="upper_level", low=0.0, high=1.0)
        >>> soc.vector({"b1": 0.25}, "b1")
        array([0.25])
    """

    def __init__(
        self,
        name: str,
        fields: Sequence[str],
        read: Reader,
        *,
        visibility: Visibility | str = Visibility.OWNER,
        low: float | Sequence[float] = -math.inf,
        high: float | Sequence[float] = math.inf,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ConfigError(
                f"FeatureProvider name must be a non-empty str, got {name!r}"
            )
        self.fields = tuple(fields)
        if not self.fields or not all(isinstance(f, str) and f for f in self.fields):
            raise ConfigError(
                f"FeatureProvider {name!r} fields must be non-empty names, "
                f"got {fields!r}"
            )
        try:
            self.visibility = Visibility(visibility)
        except ValueError:
            valid = ", ".join(v.value for v in Visibility)
            raise ConfigError(
                f"FeatureProvider {name!r} visibility must be one of {valid}, "
                f"got {visibility!r}"
            ) from None
        n = len(self.fields)
        try:
            self.low = np.broadcast_to(np.asarray(low, dtype=np.float64), (n,)).copy()
            self.high = np.broadcast_to(np.asarray(high, dtype=np.float64), (n,)).copy()
        except ValueError:
            raise ConfigError(
                f"FeatureProvider {name!r} bounds must be one number or one per field "
                f"({n}), got low={low!r}, high={high!r}"
            ) from None
        if (
            np.any(np.isnan(self.low))
            or np.any(np.isnan(self.high))
            or np.any(self.low > self.high)
        ):
            raise ConfigError(
                f"FeatureProvider {name!r} bounds must satisfy low <= high, "
                f"got low={low!r}, high={high!r}"
            )
        self.name = name
        self._read = read

    @property
    def size(self) -> int:
        """How many values the feature has."""
        return len(self.fields)

    def values(self, plant: Any, owner_id: str) -> list[float]:
        """Read the feature's values for ``owner_id`` as a list of floats."""
        values = [float(v) for v in self._read(plant, owner_id)]
        if len(values) != self.size:
            raise ConfigError(
                f"feature {self.name!r} of {owner_id!r} must read {self.size} values, "
                f"got {len(values)}"
            )
        return values

    def vector(self, plant: Any, owner_id: str) -> np.ndarray:
        """Read the feature's values for ``owner_id`` as a new float64 array."""
        return np.array(self.values(plant, owner_id), dtype=np.float64)

    def __repr__(self) -> str:
        return (
            f"FeatureProvider({self.name!r}, fields={self.fields!r}, "
            f"visibility={self.visibility.value!r})"
        )
