"""Action checks for every supported space: never clipped, errors name the rule."""

from __future__ import annotations

import re

import numpy as np
import pytest
from gymnasium import spaces

from heron_simpy import ActionError
from heron_simpy.agents import check_action

BOX = spaces.Box(-1.0, 1.0, (2,), np.float32)
DISCRETE = spaces.Discrete(3, start=1)
MULTI = spaces.MultiDiscrete([2, 4])
DICT = spaces.Dict(
    {"rate": spaces.Box(0.0, 1.0, (1,), np.float64), "mode": spaces.Discrete(2)}
)

VALID = [
    (BOX, np.array([0.5, -1.0], dtype=np.float32)),
    (BOX, [1.0, 0.0]),
    (DISCRETE, 1),
    (DISCRETE, np.int64(3)),
    (DISCRETE, np.array(2)),
    (MULTI, np.array([1, 3])),
    (DICT, {"rate": np.array([0.25]), "mode": 1}),
]

INVALID = [
    (BOX, np.array([1.5, 0.0]), "must be within Box(-1.0, 1.0, (2,), float32)"),
    (BOX, np.array([np.nan, 0.0]), "must be finite"),
    (BOX, np.array([0.1]), "must have shape (2,), not shape (1,)"),
    (BOX, np.array(["a", "b"]), "must hold real numbers"),
    (DISCRETE, 0, "must be in [1, 4)"),
    (DISCRETE, 4, "must be in [1, 4)"),
    (DISCRETE, 1.0, "must be an integer"),
    (DISCRETE, True, "must be an integer"),
    (MULTI, np.array([2, 0]), "must be within MultiDiscrete([2 4])"),
    (MULTI, np.array([1.0, 1.0]), "must hold integers"),
    (MULTI, np.array([1]), "must have shape (2,), not shape (1,)"),
    (DICT, {"rate": np.array([0.5])}, "must be a dict with keys ['mode', 'rate']"),
    (
        DICT,
        {"rate": np.array([2.0]), "mode": 0},
        "['rate'] must be within Box(0.0, 1.0, (1,), float64)",
    ),
    (DICT, {"rate": np.array([0.5]), "mode": 5}, "['mode'] must be in [0, 2)"),
]


@pytest.mark.parametrize(("space", "action"), VALID, ids=lambda v: type(v).__name__)
def test_valid_actions_pass(space, action) -> None:
    check_action("a", space, action, 0.0)


@pytest.mark.parametrize(
    ("space", "action", "rule"), INVALID, ids=[r for _, _, r in INVALID]
)
def test_invalid_actions_are_rejected_with_the_rule(space, action, rule) -> None:
    message = f"agent 'dev' at t=12.500: action {rule}, got {action!r}"
    with pytest.raises(ActionError, match=re.escape(message)):
        check_action("dev", space, action, 12.5)


def test_out_of_range_action_is_not_clipped() -> None:
    action = np.array([1.5, 0.0])
    with pytest.raises(ActionError):
        check_action("dev", BOX, action, 0.0)
    assert action.tolist() == [1.5, 0.0]
