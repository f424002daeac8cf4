"""The plant protocol (the physical system) and its time driver."""

from __future__ import annotations

from heron_simpy.plant.base import Plant, PlantDriver

__all__ = ["Plant", "PlantDriver"]
