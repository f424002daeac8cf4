"""``compare``: one policy under several timing regimes, with degradation rows."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from heron_simpy.compare.backends import Batch, run_batch
from heron_simpy.compare.episodes import (
    EpisodeError,
    EpisodeSummary,
    Job,
    PolicyRef,
    load_policy,
)
from heron_simpy.compare.plan import (
    DEFAULT_PROFILES,
    check_t_end,
    checked_seeds,
    plan_regimes,
)
from heron_simpy.compare.stats import confidence_interval, mean
from heron_simpy.compare.sweep import Regime, Sweep
from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET, check_event_budget
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.figures import has_matplotlib
from heron_simpy.recording.files import atomic_write
from heron_simpy.registry import spec
from heron_simpy.timing import TickConfig, TimingProfile

__all__ = [
    "DEFAULT_PROFILES",
    "OUTPUT_FILES",
    "Comparison",
    "ComparisonInterrupted",
    "Row",
    "compare",
]


#: The files :meth:`Comparison.save` writes into its folder.
OUTPUT_FILES = ("compare.json", "compare.png")


@dataclass(frozen=True)
class Row:
    """One timing regime's result over all seeds.

    Attributes:
        label: Profile name, or ``param=value`` for a sweep point.
        value: The swept value (None for a named profile).
        episodes: Number of episodes (seeds).
        mean_return: Mean over seeds of the total return (all agents).
        ci95: Half-width of the 95 % confidence interval of ``mean_return``.
        degradation: ``baseline mean - this mean`` (positive = worse).
        degradation_pct: ``degradation`` as % of ``|baseline mean|``.
        mean_obs_age: Mean age of the observation used at a decision, s.
        mean_act_latency: Mean delay from decision to effect, s.
        messages_dropped: Mean messages lost per episode.
        drop_rate: Messages lost / messages sent.
    """

    label: str
    value: float | None
    episodes: int
    mean_return: float
    ci95: float
    degradation: float
    degradation_pct: float
    mean_obs_age: float
    mean_act_latency: float
    messages_dropped: float
    drop_rate: float


@dataclass(frozen=True)
class Comparison:
    """The result of :func:`compare`: one row per timing regime.

    Attributes:
        scenario_id: The scenario compared.
        baseline: Label of the row degradation is measured against.
        rows: One per regime, in the order given.
        episodes: Every finished episode's summary, in job order.
        sweep_param: The swept parameter, or None for named profiles.
        error: Why the comparison stopped early (a failed episode or Ctrl-C);
            then ``rows`` holds only the regimes whose episodes all finished.
            None when every episode finished.
    """

    scenario_id: str
    baseline: str
    rows: list[Row]
    episodes: list[EpisodeSummary] = field(repr=False)
    sweep_param: str | None = None
    error: str | None = None

    def table(self) -> str:
        """An aligned text table of the rows."""
        head = (
            "regime",
            "return",
            "±95%",
            "degr.",
            "degr.%",
            "obs age",
            "act lat",
            "dropped",
        )
        lines = [
            [
                r.label,
                f"{r.mean_return:.3f}",
                _fmt(r.ci95),
                _fmt(r.degradation),
                "-" if math.isnan(r.degradation_pct) else f"{r.degradation_pct:.1f}",
                _fmt(r.mean_obs_age),
                _fmt(r.mean_act_latency),
                f"{r.messages_dropped:.1f}",
            ]
            for r in self.rows
        ]
        widths = [
            max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)
        ]
        fmt = "  ".join(
            f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths)
        )
        out = [fmt.format(*head), "  ".join("-" * w for w in widths)]
        out += [fmt.format(*line) for line in lines]
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: scenario, baseline, rows, episodes and the error if any."""
        return {
            "scenario": self.scenario_id,
            "baseline": self.baseline,
            "sweep_param": self.sweep_param,
            "error": self.error,
            "rows": [asdict(r) for r in self.rows],
            "episodes": [asdict(e) for e in self.episodes],
        }

    def to_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON (NaN written as null); return the path.

        The file is replaced atomically: on any error the old file is left as
        it was. Missing parent directories are created.

        Raises:
            ConfigError: ``path`` is a symbolic link or a directory.
            OSError: The file cannot be written.
        """
        out = Path(path)
        text = json.dumps(_nan_to_none(self.to_dict()), indent=2) + "\n"
        with atomic_write(out) as fh:
            fh.write(text)
        return out

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (needs the ``analysis`` extra).

        Raises:
            ConfigError: pandas is not installed.
        """
        try:
            import pandas as pd  # noqa: PLC0415  (optional extra, imported on use)
        except ImportError:
            raise ConfigError(
                "Comparison.to_dataframe needs pandas: "
                "pip install 'heron-simpy[analysis]'"
            ) from None
        return pd.DataFrame([asdict(r) for r in self.rows])

    def save(self, folder: str | Path, *, plot: bool | None = None) -> list[Path]:
        """Write ``compare.json`` and ``compare.png`` into ``folder``.

        Files are replaced atomically; missing folders are created.

        Args:
            folder: The output folder.
            plot: Write the PNG too (needs matplotlib); None: when matplotlib
                is installed. Never without rows.

        Returns:
            The paths written.

        Raises:
            ConfigError: A path is a symbolic link or a directory, or ``plot``
                is True without matplotlib.
            OSError: A file cannot be written.
        """
        out = Path(folder)
        json_name, png_name = OUTPUT_FILES
        written = [self.to_json(out / json_name)]
        if plot is None:
            plot = has_matplotlib()
        if plot and self.rows:
            written.append(self.plot(out / png_name))
        return written

    def plot(self, path: str | Path) -> Path:
        """Save a PNG: return bars with CIs, or the sweep curve (``plot`` extra)."""
        from heron_simpy.compare.plots import plot_comparison  # noqa: PLC0415

        return plot_comparison(self, path)


def compare(  # noqa: PLR0917  (DESIGN.md section 10 fixes this positional order)
    scenario_id: str,
    policy: PolicyRef = None,
    profiles: Iterable[str | TimingProfile | TickConfig] | None = None,
    seeds: int | Sequence[int] = 5,
    workers: int | None = None,
    backend: str = "local",
    t_end: float | None = None,
    *,
    sweep: Sweep | None = None,
    progress: Callable[[int, int], None] | None = None,
    ray_address: str | None = None,
    event_budget: float | None = DEFAULT_EVENT_BUDGET,
    **overrides: Any,
) -> Comparison:
    """Run ``policy`` under every timing regime and seed; summarise per regime.

    Args:
        scenario_id: A registered scenario id.
        policy: ``policy(agent_id, observation) -> action``, an importable
            ``"module:callable"``, or None for the built-in controllers.
        profiles: Timing regimes (names, profile objects or TickConfigs);
            default ``ideal, lan, wan, scada``. Ignored when ``sweep`` is given.
        seeds: How many seeds (0..n-1), or the seeds themselves.
        workers: Local worker processes (default: CPU count; 1 = serial).
        backend: ``"local"`` or ``"ray"``.
        t_end: Horizon of each episode, s (default: the scenario's).
        sweep: Vary one parameter instead of comparing named profiles.
        progress: ``progress(done, total)`` after each finished episode.
        ray_address: Ray cluster address for ``backend="ray"``.
        event_budget: Largest estimated event count of the whole comparison
            (regimes x seeds x one episode's estimate, set-up included; see
            :mod:`heron_simpy.engine.budget`), checked before any episode
            runs; None: no limit.
        **overrides: Scenario overrides (``n_agents=...``).

    Returns:
        One row per regime. Degradation is measured against ``ideal`` when it
        is among the regimes, else against the first regime.

    Raises:
        ConfigError: Unknown scenario, profile, override, backend or policy;
            a ``t_end`` that is not a finite number > 0; seeds or sweep
            values given twice.
        BudgetError: The comparison would take more than ``event_budget``
            events (counted before any seed list or regime is built).
        EpisodeError: An episode raised; the message names the regime, the
            seed and the cause, and ``partial`` holds the rows of every regime
            whose episodes all finished. No new episode starts after a
            failure; running ones finish.
        ComparisonInterrupted: Ctrl-C (a KeyboardInterrupt); ``partial`` as
            above. A first Ctrl-C lets running episodes finish, a second one
            kills the worker processes at once.

    Example:
        >>> import heron_simpy
        >>> result = heron_simpy.compare("battery-v0", profiles=["ideal", "scada"],
        ...                              seeds=2, workers=1, t_end=30.0)
        >>> [r.label for r in result.rows], result.rows[0].degradation
        (['ideal', 'scada'], 0.0)
    """
    spec(scenario_id).config(**overrides)  # fail fast on bad overrides
    budget = check_event_budget(event_budget, "compare")
    load_policy(policy)  # fail fast on a bad reference
    check_t_end(t_end)
    seed_list = checked_seeds(seeds)
    regimes = plan_regimes(
        scenario_id, profiles, sweep, len(seed_list), t_end, overrides, budget
    )
    jobs = [
        Job(
            i * len(seed_list) + j,
            reg.label,
            scenario_id,
            policy,
            reg.profile,
            s,
            t_end,
            tuple(overrides.items()) + reg.overrides,
            budget,
        )
        for i, reg in enumerate(regimes)
        for j, s in enumerate(seed_list)
    ]
    total = len(jobs)
    tick = None if progress is None else (lambda done: progress(done, total))
    batch = run_batch(jobs, workers, backend, tick, ray_address)
    result = _comparison(
        scenario_id, regimes, batch, len(seed_list), sweep, _stop_text(batch)
    )
    if batch.stop is None:
        return result
    if isinstance(batch.stop, EpisodeError):
        batch.stop.partial = result
        raise batch.stop
    if isinstance(batch.stop, KeyboardInterrupt):
        interrupted = ComparisonInterrupted(result.error)
        interrupted.partial = result
        raise interrupted from batch.stop
    raise batch.stop


class ComparisonInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped :func:`compare`; the finished regimes are kept.

    Attributes:
        partial: The comparison of the regimes whose episodes all finished
            (its ``error`` says it was interrupted).
    """

    partial: Comparison | None = None


def _stop_text(batch: Batch) -> str | None:
    """The ``error`` of a comparison that stopped early (None if it did not)."""
    if batch.stop is None:
        return None
    done = sum(s is not None for s in batch.summaries)
    where = f"after {done} of {len(batch.summaries)} episodes"
    if isinstance(batch.stop, KeyboardInterrupt):
        return f"compare interrupted (Ctrl-C) {where}"
    return f"{batch.stop} ({where})"


def _comparison(  # noqa: PLR0917  (internal; one call site)
    scenario_id: str,
    regimes: list[Regime],
    batch: Batch,
    per_regime: int,
    sweep: Sweep | None,
    error: str | None,
) -> Comparison:
    """Rows of the regimes whose episodes all finished, with degradations."""
    labels = [r.label for r in regimes]
    baseline = "ideal" if "ideal" in labels else labels[0]
    rows = []
    for i, reg in enumerate(regimes):
        eps = batch.summaries[i * per_regime : (i + 1) * per_regime]
        if all(e is not None for e in eps):
            rows.append(_row(reg, [e for e in eps if e is not None]))
    base = [r.mean_return for r in rows if r.label == baseline]
    rows = [_with_degradation(r, base[0] if base else math.nan) for r in rows]
    return Comparison(
        scenario_id,
        baseline,
        rows,
        [e for e in batch.summaries if e is not None],
        None if sweep is None else sweep.param,
        error,
    )


def _row(reg: Regime, eps: list[EpisodeSummary]) -> Row:
    """One regime's row from its episodes (degradation filled in later)."""
    returns = [e.total_return for e in eps]
    sent = sum(e.messages_sent for e in eps)
    dropped = sum(e.messages_dropped for e in eps)
    return Row(
        label=reg.label,
        value=reg.value,
        episodes=len(eps),
        mean_return=mean(returns),
        ci95=confidence_interval(returns),
        degradation=0.0,
        degradation_pct=0.0,
        mean_obs_age=_weighted(
            [e.mean_obs_age for e in eps], [e.decisions for e in eps]
        ),
        mean_act_latency=mean(
            [e.mean_act_latency for e in eps if not math.isnan(e.mean_act_latency)]
        ),
        messages_dropped=dropped / len(eps),
        drop_rate=dropped / sent if sent else 0.0,
    )


def _weighted(values: list[float], weights: list[int]) -> float:
    pairs = [
        (v, w) for v, w in zip(values, weights, strict=True) if w and not math.isnan(v)
    ]
    total = sum(w for _, w in pairs)
    return math.fsum(v * w for v, w in pairs) / total if total else math.nan


def _with_degradation(row: Row, base: float) -> Row:
    d = base - row.mean_return
    pct = 100.0 * d / abs(base) if base else math.nan
    return Row(**{**asdict(row), "degradation": d, "degradation_pct": pct})


def _fmt(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:.3f}"


def _nan_to_none(x: Any) -> Any:
    if isinstance(x, float) and math.isnan(x):
        return None
    if isinstance(x, dict):
        return {k: _nan_to_none(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return x
