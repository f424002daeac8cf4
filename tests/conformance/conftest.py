"""Registry-wide tests skip a scenario whose optional extra is not installed."""

from __future__ import annotations

import pytest

from heron_simpy import registry


@pytest.fixture(autouse=True)
def _skip_scenarios_without_their_extra(request: pytest.FixtureRequest) -> None:
    callspec = getattr(request.node, "callspec", None)
    scenario_id = callspec.params.get("scenario_id") if callspec else None
    if scenario_id is None:
        return
    missing = registry.spec(scenario_id).missing
    if missing:
        pytest.skip(f"{scenario_id} needs {', '.join(missing)} (an optional extra)")
