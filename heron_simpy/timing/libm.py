"""Element-wise transcendental maths that gives the same bits on every x86-64 CPU.

numpy dispatches ``np.exp``, ``np.sin``, ``np.power`` (and ``**`` with a
non-integer exponent) on float64 arrays to SIMD kernels picked at run time: an
AVX-512 machine and an AVX2 machine can round the last bit differently, so a
seed would give two traces. These functions call the C library (``math``) one
element at a time instead: one code path on every CPU, whatever
``NPY_DISABLE_CPU_FEATURES`` says. Use them for anything that reaches a trace,
a plant state or a reward; ``+ - * /``, ``sqrt``, comparisons, ``np.sum`` and
``np.clip`` are exact IEEE operations and need nothing special.

Example:
    >>> import numpy as np
    >>> from heron_simpy.timing import libm
    >>> libm.exp(np.array([0.0, 1.0])).tolist() == [1.0, 2.718281828459045]
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["exp", "power", "sin"]


def _each(fn: Callable[[float], float], values: ArrayLike) -> np.ndarray:
    """Apply the scalar ``fn`` to every element of ``values`` (float64 out)."""
    array = np.asarray(values, dtype=np.float64)
    flat = [fn(x) for x in array.ravel().tolist()]
    return np.array(flat, dtype=np.float64).reshape(array.shape)


def exp(values: ArrayLike) -> np.ndarray:
    """Return ``e ** values`` element-wise (float64, same shape).

    Raises:
        OverflowError: An element is above about 709.78.
    """
    return _each(math.exp, values)


def sin(values: ArrayLike) -> np.ndarray:
    """Return ``sin(values)`` element-wise, radians (float64, same shape)."""
    return _each(math.sin, values)


def power(values: ArrayLike, exponent: float) -> np.ndarray:
    """Return ``values ** exponent`` element-wise (float64, same shape).

    Raises:
        ValueError: A negative element with a non-integer exponent.
    """
    return _each(lambda x: math.pow(x, exponent), values)
