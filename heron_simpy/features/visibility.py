"""Which agent may observe which feature, and the observation layout that follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from heron_simpy.features.provider import FeatureProvider, Visibility

__all__ = ["Slot", "can_see", "layout", "read_layout"]


def can_see(
    viewer: str,
    owner: str,
    visibility: Visibility,
    parents: Mapping[str, str | None],
    levels: Mapping[str, str],
) -> bool:
    """Return whether ``viewer`` may observe ``owner``'s feature of ``visibility``.

    Args:
        viewer: The observing agent.
        owner: The agent that owns the feature.
        visibility: The feature's rule.
        parents: Agent id -> direct parent id (None for roots).
        levels: Agent id -> ``"field"``, ``"coordinator"`` or ``"system"``.
    """
    if visibility is Visibility.PUBLIC or viewer == owner:
        return True
    if visibility is Visibility.UPPER_LEVEL:
        return parents.get(owner) == viewer
    if visibility is Visibility.SYSTEM:
        return levels.get(viewer) == "system"
    return False


@dataclass(frozen=True)
class Slot:
    """One feature in an agent's observation vector.

    Attributes:
        owner: The agent whose feature it is.
        feature: The feature.
        start: Index of its first value in the observation vector.
    """

    owner: str
    feature: FeatureProvider
    start: int

    @property
    def stop(self) -> int:
        """One past the index of its last value."""
        return self.start + self.feature.size

    @property
    def names(self) -> tuple[str, ...]:
        """``owner.feature.field`` for each value."""
        return tuple(
            f"{self.owner}.{self.feature.name}.{f}" for f in self.feature.fields
        )


def layout(
    viewer: str,
    order: Sequence[str],
    features: Mapping[str, Sequence[FeatureProvider]],
    parents: Mapping[str, str | None],
    levels: Mapping[str, str],
) -> tuple[Slot, ...]:
    """Return the features ``viewer`` observes, in a fixed order.

    The viewer's own features come first, then everyone else's visible
    features in ``order`` (the same-time order: parents first).
    """
    slots: list[Slot] = []
    start = 0
    owners = [viewer] + [a for a in order if a != viewer]
    for owner in owners:
        for feature in features.get(owner, ()):
            if can_see(viewer, owner, feature.visibility, parents, levels):
                slots.append(Slot(owner, feature, start))
                start += feature.size
    return tuple(slots)


def read_layout(slots: Sequence[Slot], plant: Any) -> np.ndarray:
    """Read every slot from ``plant`` into one new float64 vector."""
    values: list[float] = []
    for s in slots:
        values.extend(s.feature.values(plant, s.owner))
    return np.array(values, dtype=np.float64)
