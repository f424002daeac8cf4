"""PNG plots of timing-regime comparisons (needs the optional matplotlib)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.figures import DPI, load_matplotlib, save_figure
from heron_simpy.recording.timeline import plot_timeline

if TYPE_CHECKING:
    from heron_simpy.compare.harness import Comparison, Row

__all__ = ["plot_comparison", "plot_timeline"]

_COMPARISON_SIZE = (8.0, 5.0)  # inches
_BASE_COLOUR = "tab:orange"
_ROW_COLOUR = "tab:blue"


def plot_comparison(comparison: Comparison, path: str | Path) -> Path:
    """Save a PNG of a comparison's mean returns with 95 % confidence intervals.

    Named profiles become a bar chart (the baseline bar highlighted, the
    degradation against it written on every other bar); a sweep becomes a
    line of mean return over the swept value with a shaded CI band, above a
    second panel with the degradation in percent.

    Args:
        comparison: The result of :func:`heron_simpy.compare.compare`.
        path: Where to write the PNG; missing parent directories are created.

    Returns:
        The path written.

    Raises:
        ConfigError: matplotlib is not installed, or the comparison has no rows.
    """
    figure_cls, canvas_cls = load_matplotlib("plot_comparison")
    if not comparison.rows:
        raise ConfigError(
            f"plot_comparison needs at least one row, got {comparison.rows!r}"
        )
    fig = figure_cls(figsize=_COMPARISON_SIZE, dpi=DPI, layout="constrained")
    canvas_cls(fig)
    if comparison.sweep_param is None:
        _draw_bars(fig, comparison)
    else:
        _draw_sweep(fig, comparison, comparison.sweep_param)
    return save_figure(fig, path)


def _seeds_text(rows: Sequence[Row]) -> str:
    """``"n seeds"``, or a range when rows ran different numbers of seeds."""
    counts = sorted({r.episodes for r in rows})
    n = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{n} seed" if n == "1" else f"{n} seeds"


def _pct(x: float) -> str:
    """A signed percentage, or ``n/a`` for NaN."""
    return "n/a" if math.isnan(x) else f"{x:+.1f} %"


def _draw_bars(fig: Any, comparison: Comparison) -> None:
    """Bar chart of named profiles: mean return, CI error bars, degradation %."""
    rows = comparison.rows
    ax = fig.add_subplot()
    xs = list(range(len(rows)))
    means = [r.mean_return for r in rows]
    errs = [0.0 if math.isnan(r.ci95) else r.ci95 for r in rows]
    is_base = [r.label == comparison.baseline for r in rows]
    colours = [_BASE_COLOUR if b else _ROW_COLOUR for b in is_base]
    ax.bar(xs, means, color=colours, edgecolor="black", linewidth=0.6, zorder=2)
    with_ci = [i for i, r in enumerate(rows) if not math.isnan(r.ci95)]
    if with_ci:
        ax.errorbar(
            [xs[i] for i in with_ci],
            [means[i] for i in with_ci],
            yerr=[errs[i] for i in with_ci],
            fmt="none",
            ecolor="black",
            capsize=5,
            zorder=3,
        )
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=1)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    ax.set_xticks(xs)
    ax.set_xticklabels(
        [
            f"{r.label}\n(baseline)" if b else r.label
            for r, b in zip(rows, is_base, strict=True)
        ],
        rotation=30 if len(rows) > 6 else 0,
        ha="right" if len(rows) > 6 else "center",
    )
    ax.set_xlabel(
        "timing regime  (error bars: 95 % CI over seeds; "
        "labels: degradation vs baseline, > 0 = worse)"
    )
    ax.set_ylabel("mean return (all agents)")
    ax.set_title(
        f"{comparison.scenario_id}: return under timing regimes ({_seeds_text(rows)})"
    )
    for x, r, err, base in zip(xs, rows, errs, is_base, strict=True):
        if base:
            continue
        up = r.mean_return >= 0
        ax.annotate(
            _pct(r.degradation_pct),
            xy=(x, r.mean_return + (err if up else -err)),
            xytext=(0, 4 if up else -4),
            textcoords="offset points",
            ha="center",
            va="bottom" if up else "top",
            fontsize=9 if len(rows) <= 8 else 7,
        )
    ax.margins(y=0.12)


def _draw_sweep(fig: Any, comparison: Comparison, param: str) -> None:
    """Line of mean return over the swept value, with degradation % below."""
    rows = sorted(
        comparison.rows, key=lambda r: math.nan if r.value is None else r.value
    )
    xs = [math.nan if r.value is None else r.value for r in rows]
    means = [r.mean_return for r in rows]
    lo = [r.mean_return - r.ci95 for r in rows]
    hi = [r.mean_return + r.ci95 for r in rows]
    top, bottom = fig.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [2.2, 1.0]}
    )
    top.fill_between(xs, lo, hi, color=_ROW_COLOUR, alpha=0.2, label="95 % CI")
    top.plot(xs, means, marker="o", color=_ROW_COLOUR, label="mean return")
    base = [r for r in rows if r.label == comparison.baseline]
    if base and base[0].value is not None:
        top.plot(
            [base[0].value],
            [base[0].mean_return],
            marker="o",
            markersize=9,
            linestyle="none",
            color=_BASE_COLOUR,
            label=f"baseline ({base[0].label})",
            zorder=3,
        )
    top.set_ylabel("mean return (all agents)")
    top.grid(alpha=0.3)
    fig.suptitle(f"{comparison.scenario_id}: return vs {param} ({_seeds_text(rows)})")
    fig.legend(loc="outside lower center", ncol=3, fontsize=9, frameon=False)
    bottom.plot(xs, [r.degradation_pct for r in rows], marker="o", color="tab:red")
    bottom.axhline(0.0, color="black", linewidth=0.8)
    bottom.set_ylabel("degradation %")
    bottom.set_xlabel(param)
    bottom.grid(alpha=0.3)
