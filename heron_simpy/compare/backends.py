"""Where comparison episodes run: in this process, a process pool, or Ray."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from heron_simpy.compare.episodes import EpisodeSummary, Job, run_job
from heron_simpy.exceptions import ConfigError

__all__ = ["BACKENDS", "run_jobs"]

BACKENDS = ("local", "ray")
Progress = Callable[[int], None]


def run_jobs(
    jobs: Sequence[Job],
    workers: int | None = None,
    backend: str = "local",
    progress: Progress | None = None,
    ray_address: str | None = None,
) -> list[EpisodeSummary]:
    """Run every job and return their summaries in job order.

    Seeds decide everything, so the result does not depend on the backend, the
    number of workers or the order episodes finish in.

    Args:
        jobs: The episodes.
        workers: Parallel processes for ``"local"`` (default: CPU count);
            1 runs in this process.
        backend: ``"local"`` (process pool) or ``"ray"`` (Ray tasks; a local
            Ray unless ``ray_address`` names a cluster).
        progress: Called with the number of episodes finished so far.
        ray_address: ``ray.init(address=...)`` for a cluster.

    Raises:
        ConfigError: Unknown backend, bad worker count, Ray not installed, or a
            policy that cannot be sent to worker processes.
    """
    if backend not in BACKENDS:
        raise ConfigError(
            f"compare backend must be one of {', '.join(BACKENDS)}, got {backend!r}"
        )
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ConfigError(
            f"compare workers must be an int >= 1 or None, got {workers!r}"
        )
    if backend == "ray":
        return _run_ray(jobs, progress, ray_address)
    n = workers or os.cpu_count() or 1
    if n == 1 or len(jobs) <= 1:
        return _run_serial(jobs, progress)
    _check_picklable(jobs)
    out: list[EpisodeSummary] = []
    with ProcessPoolExecutor(max_workers=min(n, len(jobs))) as pool:
        for summary in pool.map(run_job, jobs):
            out.append(summary)
            if progress is not None:
                progress(len(out))
    return out


def _run_serial(jobs: Sequence[Job], progress: Progress | None) -> list[EpisodeSummary]:
    out = []
    for job in jobs:
        out.append(run_job(job))
        if progress is not None:
            progress(len(out))
    return out


def _check_picklable(jobs: Sequence[Job]) -> None:
    try:
        pickle.dumps(jobs[0].policy)
    except Exception as exc:
        raise ConfigError(
            f"compare policy {jobs[0].policy!r} cannot be sent to worker processes "
            f"({type(exc).__name__}); pass a module-level function or "
            "'module:callable', "
            "or use workers=1"
        ) from exc


def _run_ray(
    jobs: Sequence[Job], progress: Progress | None, address: str | None
) -> list[EpisodeSummary]:
    try:
        import ray  # noqa: PLC0415  (optional extra, imported on use)
    except ImportError:
        raise ConfigError(
            "compare backend 'ray' needs Ray: pip install 'heron-simpy[ray]'"
        ) from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    remote: Any = ray.remote(run_job)
    refs = [remote.remote(job) for job in jobs]
    out: list[EpisodeSummary] = ray.get(refs)
    if progress is not None:
        progress(len(out))
    return out
