"""The event budget: the one rule that refuses work too large to finish or fit.

Every entry point (``Simulation.run_until``, ``make``, ``evaluate``,
``compare``, the HERON-style scheduler, the CLI) estimates how many events the
call will process and refuses, before doing any of it, when the estimate is
over its ``event_budget``. Setting up an agent counts as
``AGENT_SETUP_EVENTS`` events, so populations are bounded by the same number.
The estimate counts ``EVENTS_PER_TICK`` events per agent tick at each agent's
nominal tick rate (sped up by a fast clock drift), one per reward grid point
and one per fixed physics step; messages come on top, so real runs process
somewhat more than the estimate, never orders of magnitude more.

``DEFAULT_EVENT_BUDGET`` (2e7 events) is a few minutes of simulation on one
core and a few GiB of trace at most with a full recorder. Raise it per call
(``event_budget=10**9``) or switch it off (``event_budget=None``) for long
soaks; the CLI's flag is ``--event-budget``.

Example:
    >>> import math
    >>> from heron_simpy.engine.budget import BudgetError, refuse_over_budget
    >>> refuse_over_budget(1e6, 2e7, "a run")
    >>> try:
    ...     refuse_over_budget(math.inf, 2e7, "run_until(inf)")
    ... except BudgetError as exc:
    ...     print(str(exc)[:60])
    run_until(inf) would process about inf events, over the even
"""

from __future__ import annotations

import math

from heron_simpy.exceptions import BudgetError
from heron_simpy.timing.checks import to_float

__all__ = [
    "AGENT_SETUP_EVENTS",
    "DEFAULT_EVENT_BUDGET",
    "EVENTS_PER_TICK",
    "BudgetError",
    "agents_text",
    "check_event_budget",
    "refuse_over_budget",
]

DEFAULT_EVENT_BUDGET = 20_000_000
"""Events one call may be estimated to process unless the caller says otherwise."""
EVENTS_PER_TICK = 3
"""Events counted per agent tick: the tick, the observation, the effect."""
AGENT_SETUP_EVENTS = 50
"""Events one agent's set-up (build, streams, process start) is counted as."""


def check_event_budget(value: object, owner: str) -> float | None:
    """Validate an ``event_budget`` argument: a number >= 1, or None (no limit).

    Args:
        value: The argument as given.
        owner: Who takes it, for the message (``"Simulation"``, ``"compare"``).

    Returns:
        The budget as a float (``inf`` allowed), or None.

    Raises:
        TypeError: Not a number (bools are not numbers here).
        BudgetError: NaN or below 1.
    """
    if value is None:
        return None
    number = to_float(value)
    if number is None:
        raise TypeError(
            f"{owner} event_budget must be a number of events or None, got {value!r}"
        )
    if math.isnan(number) or number < 1:
        raise BudgetError(f"{owner} event_budget must be >= 1 or None, got {value!r}")
    return number


def agents_text(count: int) -> str:
    """``"1 agent"``, ``"1,000 agents"``: how a refusal names a population."""
    return f"{count:,} agent" + ("" if count == 1 else "s")


def refuse_over_budget(estimate: float, budget: float | None, what: str) -> None:
    """Raise when ``estimate`` events are over ``budget`` (None: no limit).

    Args:
        estimate: Estimated events of the call (may be ``inf``).
        budget: The call's event budget, already checked.
        what: The call and its culprit, e.g. ``"run_until(1e+308) over 4 agents"``.

    Raises:
        BudgetError: One line naming ``what``, the estimate and the budget.
    """
    if budget is None or estimate <= budget:
        return
    raise BudgetError(
        f"{what} would process about {estimate:.3g} events, over the event "
        f"budget of {budget:,.0f} (raise event_budget=, or --event-budget; "
        "None switches it off)"
    )
