"""Registry-wide tests: skip a scenario without its extra; mark extra ones slow.

A scenario that needs an optional extra (feeder33-v0: pandapower) runs real
external solvers, so its registry-wide cases are marked ``slow``: the default
run stays fast, and CI installs the extras and runs them.
"""

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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the cases of scenarios with optional extras as slow (before -m)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        scenario_id = callspec.params.get("scenario_id") if callspec else None
        if scenario_id is not None and registry.spec(scenario_id).requires:
            item.add_marker(pytest.mark.slow)
