"""Fault specifications (data only; ``heron_simpy.injection`` runs them).

Sensor dropout, stuck sensors, link outages, crashes, actuator saturation and
clock drift.
"""

from __future__ import annotations

from heron_simpy.faults.spec import (
    FAULT_KINDS,
    ActuatorSaturation,
    ClockDrift,
    Crash,
    Fault,
    FaultError,
    LinkOutage,
    SensorDropout,
    StuckSensor,
    check_faults,
    fault_from_mapping,
)

__all__ = [
    "FAULT_KINDS",
    "ActuatorSaturation",
    "ClockDrift",
    "Crash",
    "Fault",
    "FaultError",
    "LinkOutage",
    "SensorDropout",
    "StuckSensor",
    "check_faults",
    "fault_from_mapping",
]
