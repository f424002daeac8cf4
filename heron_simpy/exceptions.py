"""Exception and warning classes raised by heron_simpy."""

from __future__ import annotations

__all__ = [
    "ActionError",
    "BudgetError",
    "ConfigError",
    "HeronError",
    "HeronWarning",
    "SimulationError",
]


class HeronError(Exception):
    """Base class of every error heron_simpy raises on purpose."""


class ConfigError(HeronError, ValueError):
    """A configuration value is out of its valid range.

    Raised at construction time, before anything runs. The message names the
    field and the offending value, in the form
    ``<subject> <rule>, got <repr(value)>``.
    """


class BudgetError(ConfigError):
    """A call would take more work than its event budget allows.

    Raised before any of the work starts; the message names the call, the
    estimated event count and the budget (see :mod:`heron_simpy.engine.budget`).
    """


class SimulationError(HeronError, RuntimeError):
    """The simulation was misused at run time (wrong call order, unknown agent)."""


class ActionError(HeronError, ValueError):
    """An action does not belong to its agent's action space (never clipped).

    The message names the agent, the simulated time, the rule and the value.
    """


class HeronWarning(UserWarning):
    """A soft problem worth knowing about that does not stop the run."""
