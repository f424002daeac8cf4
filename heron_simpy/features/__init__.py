"""Feature providers, visibility rules and observation layouts."""

from __future__ import annotations

from heron_simpy.features.provider import FeatureProvider, Visibility
from heron_simpy.features.visibility import (
    LayoutIndex,
    Slot,
    can_see,
    layout,
    read_layout,
)

__all__ = [
    "FeatureProvider",
    "LayoutIndex",
    "Slot",
    "Visibility",
    "can_see",
    "layout",
    "read_layout",
]
