"""Scenario modules, installed as ``heron_simpy.scenarios`` (one module per system).

Each module exposes a frozen ``Config`` dataclass and ``build(config) -> Scenario``.
``SCENARIOS`` below is what ``heron_simpy.available()`` lists: scenario id ->
(module name, one-line description). Add a line when a scenario is complete
(the registry-wide conformance and equivalence tests then cover it).
"""

SCENARIOS: dict[str, tuple[str, str]] = {
    "battery-v0": (
        "battery",
        "batteries regulating state of charge toward 0.5 under a fleet coordinator",
    ),
}
