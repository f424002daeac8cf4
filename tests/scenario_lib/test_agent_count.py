"""Each scenario Config says how many agents ``build`` creates, without building.

The registry refuses a config whose agents would not fit the event budget
before building anything (``make("battery-v0", n_agents=10**9)`` must not try
to create 10**9 agents), so ``Config.agent_count`` must equal what ``build``
makes. Every registered scenario has a case here.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from heron_simpy.scenarios import SCENARIOS

from heron_simpy import registry

#: scenario id -> override sets (each a Config), including the extremes of
#: every field that changes the agent count.
CASES: dict[str, list[dict[str, Any]]] = {
    "battery-v0": [
        {},
        {"n_agents": 1},
        {"n_agents": 7, "coordinator": False},
        {"n_agents": 40, "coordinator": True},
    ],
    "heating-v0": [
        {},
        {"n_rooms": 1, "coordinator": False},
        {"n_rooms": 5},
    ],
    "microgrid-v0": [
        {},
        {"n_microgrids": 1, "n_batteries": 1},
        {"n_microgrids": 4, "n_batteries": 3},
    ],
    "sensor-network-v0": [{}, {"n_sensors": 2}, {"n_sensors": 33}],
    "traffic-v0": [{}, {"n_intersections": 1}, {"n_intersections": 9}],
    "feeder33-v0": [
        {},
        {"pv_buses": (5,), "battery_buses": (6,)},
        {"pv_buses": tuple(range(1, 33)), "battery_buses": (3, 9, 30)},
    ],
}


def _params() -> list[Any]:
    assert sorted(CASES) == sorted(registry.available()), "a scenario has no case"
    return [
        pytest.param(
            sid,
            overrides,
            id=f"{sid}-{i}",
            marks=[pytest.mark.slow] if registry.spec(sid).requires else [],
        )
        for sid, cases in CASES.items()
        for i, overrides in enumerate(cases)
    ]


@pytest.mark.parametrize(("sid", "overrides"), _params())
def test_agent_count_is_the_number_of_agents_build_creates(
    sid: str, overrides: dict[str, Any]
) -> None:
    missing = registry.spec(sid).missing
    if missing:
        pytest.skip(f"{sid} needs {', '.join(missing)} (an optional extra)")
    module = importlib.import_module(f"heron_simpy.scenarios.{SCENARIOS[sid][0]}")
    config = module.Config(**overrides)
    assert config.agent_count == len(module.build(config).agents)


@pytest.mark.parametrize("sid", sorted(CASES))
def test_agent_count_of_a_huge_population_is_answered_without_building(
    sid: str,
) -> None:
    module = importlib.import_module(f"heron_simpy.scenarios.{SCENARIOS[sid][0]}")
    field = {
        "battery-v0": "n_agents",
        "heating-v0": "n_rooms",
        "microgrid-v0": "n_microgrids",
        "sensor-network-v0": "n_sensors",
        "traffic-v0": "n_intersections",
    }.get(sid)
    if field is None:  # feeder33-v0: at most one device per bus
        config = module.Config(pv_buses=tuple(range(1, 33)))
        assert config.agent_count == 1 + 32 + len(config.battery_buses)
        return
    config = module.Config(**{field: 10**9})
    assert config.agent_count >= 10**9
    with pytest.raises(AttributeError):
        config.agent_count = 3  # read-only
