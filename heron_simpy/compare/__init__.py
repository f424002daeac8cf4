"""Timing-regime comparisons: run one policy under several regimes, summarise."""

from __future__ import annotations

from heron_simpy.compare.backends import BACKENDS, run_jobs
from heron_simpy.compare.episodes import (
    EpisodeSummary,
    Job,
    ModelPolicy,
    load_policy,
    run_job,
)
from heron_simpy.compare.harness import DEFAULT_PROFILES, Comparison, Row, compare
from heron_simpy.compare.stats import confidence_interval, mean, t_quantile
from heron_simpy.compare.sweep import PROFILE_PARAMS, Regime, Sweep, parse_sweep

__all__ = [
    "BACKENDS",
    "DEFAULT_PROFILES",
    "PROFILE_PARAMS",
    "Comparison",
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
    "run_job",
    "run_jobs",
    "t_quantile",
]
