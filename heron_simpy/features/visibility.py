"""Which agent may observe which feature, and the observation layout that follows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from heron_simpy.features.provider import FeatureProvider, Visibility

__all__ = ["LayoutIndex", "Slot", "can_see", "layout", "read_layout"]


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
    features in ``order`` (the same-time order: parents first). To lay out
    many viewers over the same tree, build one :class:`LayoutIndex` instead
    (this builds one per call: O(len(order))).
    """
    return LayoutIndex(order, features, parents, levels).layout(viewer)


class LayoutIndex:
    """Who could see whom, indexed once, so each layout costs O(its candidates).

    Plain version: :func:`layout` per viewer, testing :func:`can_see` for every
    feature of every agent, which is O(N) per viewer and O(N^2) for a tree
    (``benchmarks/setup_scaling.py``). An owner other than the viewer can only
    contribute a feature that is PUBLIC, UPPER_LEVEL with the viewer as its
    direct parent, or SYSTEM with a system-level viewer; the index keeps the
    positions in ``order`` of the owners with such features, so a layout only
    visits those candidates, in ``order``, and still asks :func:`can_see` for
    each of their features: the same slots in the same order.

    Args:
        order: Agent ids in the same-time order (parents first).
        features: Agent id -> its features, in order.
        parents: Agent id -> direct parent id (None for roots).
        levels: Agent id -> ``"field"``, ``"coordinator"`` or ``"system"``.
    """

    def __init__(
        self,
        order: Sequence[str],
        features: Mapping[str, Sequence[FeatureProvider]],
        parents: Mapping[str, str | None],
        levels: Mapping[str, str],
    ) -> None:
        self._order = tuple(order)
        self._features = features
        self._parents = parents
        self._levels = levels
        #: Positions in ``order`` of owners with a PUBLIC / SYSTEM feature.
        self._public: list[int] = []
        self._system: list[int] = []
        #: Parent id -> positions of its children that have an UPPER_LEVEL feature.
        self._children: dict[str | None, list[int]] = {}
        for pos, owner in enumerate(self._order):
            kinds = {f.visibility for f in features.get(owner, ())}
            if Visibility.PUBLIC in kinds:
                self._public.append(pos)
            if Visibility.SYSTEM in kinds:
                self._system.append(pos)
            if Visibility.UPPER_LEVEL in kinds:
                self._children.setdefault(parents.get(owner), []).append(pos)

    def layout(self, viewer: str) -> tuple[Slot, ...]:
        """Return the features ``viewer`` observes (what :func:`layout` returns)."""
        groups = [self._public, self._children.get(viewer, [])]
        if self._levels.get(viewer) == "system":
            groups.append(self._system)
        groups = [g for g in groups if g]
        positions = groups[0] if len(groups) == 1 else sorted(set().union(*groups))
        order, parents, levels = self._order, self._parents, self._levels
        owners = [viewer] + [order[p] for p in positions if order[p] != viewer]
        slots: list[Slot] = []
        start = 0
        for owner in owners:
            for feature in self._features.get(owner, ()):
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
