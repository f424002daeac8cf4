"""Check actions against their gymnasium space: wrong shape, NaN, out of range."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from gymnasium import spaces

from heron_simpy.exceptions import ActionError

__all__ = ["BoxCheck", "check_action", "problem_of"]


def check_action(
    agent_id: str, space: spaces.Space[Any], action: Any, now: float
) -> None:
    """Raise :class:`ActionError` unless ``action`` belongs to ``space``.

    Nothing is clipped or converted: an action that is not valid as given is
    rejected with the agent, the time, the rule and the value.

    Args:
        agent_id: Whose action it is (for the message).
        space: The agent's action space.
        action: The action as given.
        now: Simulated time, s (for the message).

    Raises:
        ActionError: The action has the wrong type or shape, is not finite, or
            lies outside the space.
    """
    problem = problem_of(space, action)
    if problem is not None:
        raise ActionError(
            f"agent {agent_id!r} at t={now:.3f}: action {problem}, got {action!r}"
        )


def problem_of(space: spaces.Space[Any], action: Any) -> str | None:
    """Describe what is wrong with ``action`` for ``space``, or None."""
    for kind, check in _CHECKS:
        if isinstance(space, kind):
            problem: str | None = check(space, action)
            return problem
    return None if space.contains(action) else f"must be within {space}"


def _discrete_problem(space: spaces.Discrete, action: Any) -> str | None:
    """Discrete: one integer in [start, start + n)."""
    scalar_int = (
        isinstance(action, np.ndarray)
        and action.shape == ()
        and (np.issubdtype(action.dtype, np.integer))
    )
    plain_int = isinstance(action, (int, np.integer)) and not isinstance(
        action, (bool, np.bool_)
    )
    if not (plain_int or scalar_int):
        return "must be an integer"
    if not space.start <= int(action) < space.start + space.n:
        return f"must be in [{space.start}, {space.start + space.n})"
    return None


def _multidiscrete_problem(space: spaces.MultiDiscrete, action: Any) -> str | None:
    """MultiDiscrete: integers of the right shape within ``nvec``."""
    a = np.asarray(action)
    if a.shape != space.shape:
        return f"must have shape {space.shape}, got shape {a.shape}"
    if not np.issubdtype(a.dtype, np.integer):
        return "must hold integers"
    if np.any(a < space.start) or np.any(a >= space.start + space.nvec):
        return f"must be within {space}"
    return None


def _dict_problem(space: spaces.Dict, action: Any) -> str | None:
    """Dict: the same keys, each valid for its sub-space."""
    if not isinstance(action, dict) or set(action) != set(space.spaces):
        return f"must be a dict with keys {sorted(space.spaces)}"
    for key, sub in space.spaces.items():
        inner = problem_of(sub, action[key])
        if inner is not None:
            return f"[{key!r}] {inner}"
    return None


class BoxCheck:
    """A Box check with the bounds read once (the per-decision hot path).

    Args:
        space: The Box to check against.

    Example:
        >>> import numpy as np
        >>> from gymnasium import spaces
        >>> check = BoxCheck(spaces.Box(-1.0, 1.0, (1,), np.float32))
        >>> check(np.array([0.5])) is None, check(np.array([2.0]))
        (True, 'must be within Box(-1.0, 1.0, (1,), float32)')
    """

    __slots__ = ("high", "low", "shape", "space")

    def __init__(self, space: spaces.Box) -> None:
        self.space = space
        self.shape = space.shape
        self.low = space.low.ravel().tolist()
        self.high = space.high.ravel().tolist()

    def __call__(self, action: Any) -> str | None:
        """Describe what is wrong with ``action``, or return None."""
        a = action if isinstance(action, np.ndarray) else np.asarray(action)
        if a.shape != self.shape:
            return f"must have shape {self.shape}, got shape {a.shape}"
        if a.dtype.kind not in "fiu":  # real floats or integers only
            return "must hold real numbers"
        for v, lo, hi in zip(a.ravel().tolist(), self.low, self.high, strict=True):
            if not math.isfinite(v):
                return "must be finite"
            if v < lo or v > hi:
                return f"must be within {self.space}"
        return None


def _box_problem(space: spaces.Box, action: Any) -> str | None:
    """Box check (reads the bounds each call; agents keep a BoxCheck instead)."""
    return BoxCheck(space)(action)


_CHECKS: tuple[tuple[type, Any], ...] = (
    (spaces.Box, _box_problem),
    (spaces.Discrete, _discrete_problem),
    (spaces.MultiDiscrete, _multidiscrete_problem),
    (spaces.Dict, _dict_problem),
)
