"""The README's fault example: battery-v0 under scada, and scada plus a storm of faults."""

from heron_simpy import compare, profiles
from heron_simpy.faults import Crash, LinkOutage, SensorDropout

storm = profiles["scada"].with_faults(
    SensorDropout("battery_*", start=60, duration=120),  # no observation delivered
    LinkOutage("fleet", "*", start=100, duration=60, mode="queue"),  # or "drop"
    Crash("fleet", start=200, downtime=30, in_flight="lost"),  # or "kept"
    name="scada+storm",
)
print(compare("battery-v0", profiles=["ideal", "scada", storm], seeds=4).table())
