"""Scenario modules, installed as ``heron_simpy.scenarios`` (one module per system).

Each module exposes a frozen ``Config`` dataclass and ``build(config) -> Scenario``.
``SCENARIOS`` below is what ``heron_simpy.available()`` lists: scenario id ->
(module name, one-line description, *modules it needs from an optional extra).
Add a line when a scenario is complete (the registry-wide conformance and
equivalence tests then cover it; they skip a scenario whose extra is missing).
"""

SCENARIOS: dict[str, tuple[str, ...]] = {
    "battery-v0": (
        "battery",
        "batteries regulating state of charge toward 0.5 under a fleet coordinator",
    ),
    "sensor-network-v0": (
        "sensor_network",
        "sensors on a seeded random geometric graph sharing readings to detect a "
        "spreading event",
    ),
    "heating-v0": (
        "heating",
        "heaters keeping rooms in a comfort band at a time-of-use price",
    ),
    "microgrid-v0": (
        "microgrid",
        "operator, microgrid coordinators and batteries/generators/flexible loads "
        "balancing PV and demand",
    ),
    "feeder33-v0": (
        "feeder33",
        "33-bus Baran-Wu feeder (pandapower AC power flow): PV volt-var and "
        "batteries under a feeder coordinator",
        "pandapower",
    ),
    "traffic-v0": (
        "traffic",
        "signalised corridor: queues, platoons and a green-wave coordinator",
    ),
}
