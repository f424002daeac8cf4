"""Check actions against their gymnasium space: wrong shape, NaN, out of range."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from heron_simpy.exceptions import ActionError

__all__ = ["BoxCheck", "action_error", "check_action", "problem_of", "stack_valid"]


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
        raise action_error(agent_id, now, problem, action)


def action_error(agent_id: str, now: float, problem: str, action: Any) -> ActionError:
    """The error for an invalid action: agent, time, rule and value.

    Args:
        agent_id: Whose action it is.
        now: Simulated time of the decision, s.
        problem: The rule broken (what :func:`problem_of` returns).
        action: The action as given.

    Returns:
        The ``ActionError`` to raise.
    """
    return ActionError(
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


def _as_array(action: Any) -> np.ndarray | str:
    """``action`` as a plain ndarray, or what keeps it from being one."""
    if isinstance(action, (str, bytes)):
        return "must be an array of real numbers"
    if isinstance(action, np.ma.MaskedArray):
        if np.ma.is_masked(action):
            return "must not hold masked values"
        action = action.data
    if type(action) is np.ndarray:
        return action
    try:
        return np.asarray(action)
    except (ValueError, TypeError, OverflowError):  # ragged lists, odd objects
        return "must be an array of real numbers"


def _multidiscrete_problem(space: spaces.MultiDiscrete, action: Any) -> str | None:
    """MultiDiscrete: integers of the right shape within ``nvec``."""
    a = _as_array(action)
    if isinstance(a, str):
        return a
    if a.shape != space.shape:
        return f"must have shape {space.shape}, not shape {a.shape}"
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

    The one rule for Box actions on every path (event-driven runs, the
    lockstep facade's processes and its batch, see :func:`stack_valid`): an
    array-like of real numbers (ints or floats, not bools, strings, complex
    numbers or objects; no masked values) of exactly the space's shape, every
    value finite and within the bounds. Nothing is clipped or converted.

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
        a = action if type(action) is np.ndarray else _as_array(action)
        if isinstance(a, str):
            return a
        if a.shape != self.shape:
            return f"must have shape {self.shape}, not shape {a.shape}"
        if a.dtype.kind not in "fiu":  # real floats or integers only
            return "must hold real numbers"
        for v, lo, hi in zip(a.ravel().tolist(), self.low, self.high, strict=True):
            if not math.isfinite(v):
                return "must be finite"
            if v < lo or v > hi:
                return f"must be within {self.space}"
        return None


def stack_valid(
    actions: Sequence[Any], low: np.ndarray, high: np.ndarray
) -> np.ndarray | None:
    """Stack many agents' Box actions at once if they are surely all valid.

    The batched fast path of :class:`BoxCheck`: the stacked array is returned
    only when every action is a plain float ndarray (no bools, which stacking
    would turn into numbers) and the stack has the shape of ``low``, is finite
    and lies within ``[low, high]``; float comparisons are exact, so each
    action then passes its own ``BoxCheck``. None means "not shown valid":
    check the actions one by one with their ``BoxCheck`` (some, such as lists
    or int arrays, are valid all the same).

    Args:
        actions: One action per agent, in row order.
        low: Lower bounds stacked per agent, shape ``(n, *space.shape)``.
        high: Upper bounds, same shape.

    Returns:
        The ``(n, *space.shape)`` array of the actions, or None.

    Example:
        >>> import numpy as np
        >>> low, high = np.full((2, 1), -1.0), np.full((2, 1), 1.0)
        >>> stack_valid([np.array([0.5]), np.array([-1.0])], low, high).tolist()
        [[0.5], [-1.0]]
        >>> stack_valid([np.array([0.5]), np.array([True])], low, high) is None
        True
    """
    if set(map(type, actions)) != {np.ndarray}:
        return None
    if any(dtype.kind != "f" for dtype in set(map(_DTYPE, actions))):
        return None
    try:
        stacked = np.array(actions)
    except ValueError:  # ragged
        return None
    if (
        stacked.shape != low.shape
        or not np.isfinite(stacked).all()
        or (stacked < low).any()
        or (stacked > high).any()
    ):
        return None
    return stacked


_DTYPE = operator.attrgetter("dtype")


def _box_problem(space: spaces.Box, action: Any) -> str | None:
    """Box check (reads the bounds each call; agents keep a BoxCheck instead)."""
    return BoxCheck(space)(action)


_CHECKS: tuple[tuple[type, Any], ...] = (
    (spaces.Box, _box_problem),
    (spaces.Discrete, _discrete_problem),
    (spaces.MultiDiscrete, _multidiscrete_problem),
    (spaces.Dict, _dict_problem),
)
