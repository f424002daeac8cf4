"""Timing-regime comparisons: run one policy under several regimes, summarise."""

from __future__ import annotations

from heron_simpy.compare.backends import BACKENDS, Batch, run_batch, run_jobs
from heron_simpy.compare.episodes import (
    EpisodeError,
    EpisodeSummary,
    Job,
    ModelPolicy,
    load_policy,
    run_job,
)
from heron_simpy.compare.harness import (
    DEFAULT_PROFILES,
    OUTPUT_FILES,
    Comparison,
    ComparisonInterrupted,
    Row,
    compare,
)
from heron_simpy.compare.stats import confidence_interval, mean, t_quantile
from heron_simpy.compare.sweep import PROFILE_PARAMS, Regime, Sweep, parse_sweep

__all__ = [
    "BACKENDS",
    "DEFAULT_PROFILES",
    "OUTPUT_FILES",
    "PROFILE_PARAMS",
    "Batch",
    "Comparison",
    "ComparisonInterrupted",
    "EpisodeError",
    "EpisodeSummary",
    "Job",
    "ModelPolicy",
    "Regime",
    "Row",
    "Sweep",
    "compare",
    "confidence_interval",
    "load_policy",
    "mean",
    "parse_sweep",
    "run_batch",
    "run_job",
    "run_jobs",
    "t_quantile",
]
