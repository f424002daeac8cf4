"""Summary statistics of repeated episodes: means and Student-t confidence intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["confidence_interval", "mean", "t_quantile"]

# Two-sided 95 % Student-t quantiles t_{0.975, df} for df = 1..30.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_quantile(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom.

    Tabulated for df <= 30; 1.96 (the normal quantile) above, within 1.2 %.
    """
    if df < 1:
        return math.nan
    return _T975[df - 1] if df <= len(_T975) else 1.96


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean with ``math.fsum`` (nan for no values)."""
    return math.fsum(values) / len(values) if values else math.nan


def confidence_interval(values: Sequence[float]) -> float:
    """Half-width of the 95 % confidence interval of the mean (nan for n < 2).

    ``t_{0.975, n-1} * s / sqrt(n)`` with the sample standard deviation ``s``.

    Example:
        >>> round(confidence_interval([1.0, 2.0, 3.0]), 4)
        2.4843
    """
    n = len(values)
    if n < 2:
        return math.nan
    m = mean(values)
    var = math.fsum((v - m) ** 2 for v in values) / (n - 1)
    return t_quantile(n - 1) * math.sqrt(var) / math.sqrt(n)
