"""Scenario modules, installed as ``heron_simpy.scenarios`` (one module per system).

Each module exposes a frozen ``Config`` dataclass and ``build(config) -> Scenario``.
"""
