"""The shared argument checks (``heron_simpy.timing.checks``): one rule for every number."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest

from heron_simpy import ConfigError
from heron_simpy.timing.checks import check_real, check_time, shown, to_float


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3.0),
        (2.5, 2.5),
        (np.int64(4), 4.0),
        (np.float32(0.5), 0.5),
        (Fraction(1, 4), 0.25),
        (10**400, math.inf),
        (-(10**400), -math.inf),
        (float("inf"), math.inf),
    ],
    ids=repr,
)
def test_to_float_takes_every_real_number(value: object, expected: float) -> None:
    result = to_float(value)
    assert result == expected
    assert type(result) is float


@pytest.mark.parametrize(
    "value", [True, np.bool_(False), "1", None, [1.0], 1j, np.array([1.0])], ids=repr
)
def test_to_float_refuses_what_is_not_a_real_number(value: object) -> None:
    assert to_float(value) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.5, "2.5"),
        (10**49, repr(10**49)),
        (10**60, "an int of 61 digits"),
        (-(10**60), "a negative int of 61 digits"),
        (10**400, "an int of 401 digits"),
        (np.int64(7), "np.int64(7)"),
        (10**10_000, "an int of about 10001 digits"),
    ],
    ids=[
        "float",
        "50-digit-int",
        "61-digit-int",
        "negative",
        "401-digit",
        "numpy",
        "huge",
    ],
)
def test_shown_abbreviates_only_huge_ints(value: object, text: str) -> None:
    assert shown(value) == text


@pytest.mark.parametrize(
    ("value", "strict", "error", "message"),
    [
        (
            10**400,
            False,
            ConfigError,
            "X must be a finite number >= 0 s, got an int of 401 digits",
        ),
        (float("nan"), True, ConfigError, "X must be a finite number > 0 s, got nan"),
        (0, True, ConfigError, "X must be > 0 s, got 0"),
        (-1, False, ConfigError, "X must be >= 0 s, got -1"),
        (True, False, TypeError, "X must be a real number, got True"),
        ("1", False, TypeError, "X must be a real number, got '1'"),
    ],
    ids=["huge", "nan", "zero-strict", "negative", "bool", "str"],
)
def test_check_real_messages(
    value: object, strict: bool, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)) as excinfo:
        check_real(value, "X", strict=strict)
    assert excinfo.type is error


def test_check_time_takes_any_finite_sign_and_refuses_the_rest() -> None:
    assert check_time(np.float32(-2.5), "T") == -2.5
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "T must be a finite number of seconds, got an int of 401 digits"
        ),
    ):
        check_time(10**400, "T")
    with pytest.raises(
        TypeError, match=re.escape("T must be a finite number of seconds, got np.True_")
    ):
        check_time(np.bool_(True), "T")
