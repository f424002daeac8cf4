"""Where comparison episodes run: in this process, a process pool, or Ray."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from types import FrameType
from typing import Any

from heron_simpy.compare.episodes import EpisodeError, EpisodeSummary, Job, run_job
from heron_simpy.exceptions import ConfigError

__all__ = ["BACKENDS", "Batch", "run_batch", "run_jobs"]

BACKENDS = ("local", "ray")
Progress = Callable[[int], None]
_POLL = 0.2  # s between looks at an interrupt while episodes run
# One episode in flight per worker: the pool never holds queued work, so
# stopping needs no cancelling (a cancelled future that is still queued makes
# Python 3.11's pool raise InvalidStateError in its thread when workers die).


@dataclass
class Batch:
    """What a run of jobs produced, possibly stopped early.

    Attributes:
        summaries: One per job, in job order; None for a job that did not
            finish.
        stop: Why the run stopped early: the :class:`EpisodeError` of the
            earliest job (in job order) that failed, or a KeyboardInterrupt;
            None when every job finished.
    """

    summaries: list[EpisodeSummary | None]
    stop: BaseException | None = None


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
        EpisodeError: An episode raised (names the regime and the seed).
        KeyboardInterrupt: Ctrl-C (see :func:`run_batch`).
    """
    batch = run_batch(jobs, workers, backend, progress, ray_address)
    if batch.stop is not None:
        raise batch.stop
    return [s for s in batch.summaries if s is not None]


def run_batch(
    jobs: Sequence[Job],
    workers: int | None = None,
    backend: str = "local",
    progress: Progress | None = None,
    ray_address: str | None = None,
) -> Batch:
    """Run jobs until all finish, one fails, or Ctrl-C; keep what finished.

    On the first failure no new episode starts, and the ones already running
    finish. The first Ctrl-C does the same; a second Ctrl-C kills the local
    worker processes at once. Worker processes ignore Ctrl-C themselves, so
    none is left behind.

    Args:
        jobs: The episodes.
        workers: As for :func:`run_jobs`.
        backend: As for :func:`run_jobs`.
        progress: As for :func:`run_jobs`.
        ray_address: As for :func:`run_jobs`.

    Returns:
        Every finished summary and why the run stopped early, if it did.

    Raises:
        ConfigError: As for :func:`run_jobs`.
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
    tick = progress or (lambda done: None)
    if backend == "ray":
        ray = _import_ray()
        with _Interrupts() as interrupts:
            return _run_ray(ray, jobs, tick, ray_address, interrupts)
    n = workers or os.cpu_count() or 1
    with _Interrupts() as interrupts:
        if n == 1 or len(jobs) <= 1:
            return _run_serial(jobs, tick, interrupts)
        _check_picklable(jobs)
        return _run_pool(jobs, min(n, len(jobs)), tick, interrupts)


class _Interrupts:
    """Ctrl-C while jobs run: the first asks to stop, the second kills workers.

    Installed only in the main thread and only over Python's default handler;
    elsewhere Ctrl-C raises KeyboardInterrupt as usual.
    """

    def __init__(self) -> None:
        self.count = 0
        self._previous: Any = None
        self._before: set[Any] = set()

    def __enter__(self) -> _Interrupts:
        self._before = set(multiprocessing.active_children())
        if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    @property
    def stopping(self) -> bool:
        """Whether Ctrl-C was pressed."""
        return self.count > 0

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count >= 2:
            self.kill_workers()
            raise KeyboardInterrupt

    def kill_workers(self) -> None:
        """Kill and reap every worker process started since entering."""
        started = set(multiprocessing.active_children()) - self._before
        for proc in started:
            proc.kill()
        for proc in started:
            proc.join(timeout=5)


def _ignore_sigint() -> None:
    """Worker initializer: Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_serial(jobs: Sequence[Job], tick: Progress, interrupts: _Interrupts) -> Batch:
    out: list[EpisodeSummary | None] = [None] * len(jobs)
    for i, job in enumerate(jobs):
        if interrupts.stopping:
            return Batch(out, KeyboardInterrupt())
        try:
            out[i] = run_job(job)
        except (EpisodeError, KeyboardInterrupt) as exc:
            return Batch(out, exc)
        tick(i + 1)
    return Batch(out)


def _run_pool(
    jobs: Sequence[Job], n: int, tick: Progress, interrupts: _Interrupts
) -> Batch:
    run = _PoolRun(jobs, tick)
    pool = ProcessPoolExecutor(max_workers=n, initializer=_ignore_sigint)
    try:
        while True:
            if run.stop is None and not interrupts.stopping:
                run.top_up(pool, n)
            if not run.running:
                break
            done, _ = wait(run.running, timeout=_POLL, return_when=FIRST_COMPLETED)
            run.collect(done)
    except KeyboardInterrupt as exc:
        interrupts.kill_workers()
        pool.shutdown(wait=False)
        return Batch(run.out, exc)
    pool.shutdown(wait=True)
    if run.stop is None and interrupts.stopping and None in run.out:
        run.stop = KeyboardInterrupt()
    return Batch(run.out, run.stop)


class _PoolRun:
    """Book-keeping of a pool run: running futures, results, the first failure."""

    def __init__(self, jobs: Sequence[Job], tick: Progress) -> None:
        self.jobs = jobs
        self.tick = tick
        self.out: list[EpisodeSummary | None] = [None] * len(jobs)
        self.running: dict[Future[EpisodeSummary], int] = {}
        self.stop: BaseException | None = None
        self._todo = iter(range(len(jobs)))
        self._finished = 0
        self._failed: int | None = None

    def top_up(self, pool: ProcessPoolExecutor, limit: int) -> None:
        """Submit jobs until ``limit`` are running."""
        while len(self.running) < limit:
            i = next(self._todo, None)
            if i is None:
                return
            self.running[pool.submit(run_job, self.jobs[i])] = i

    def collect(self, done: set[Future[EpisodeSummary]]) -> None:
        """Record finished futures: a summary, or the earliest failure."""
        for fut in done:
            i = self.running.pop(fut)
            exc = fut.exception()
            if exc is None:
                self.out[i] = fut.result()
                self._finished += 1
                self.tick(self._finished)
            elif self._failed is None or i < self._failed:
                # The earliest job that failed, as the serial backend reports.
                self._failed = i
                self.stop = _as_episode_error(self.jobs[i], exc)


def _as_episode_error(job: Job, exc: BaseException) -> BaseException:
    """``exc`` as an EpisodeError naming the job (a worker that died, say)."""
    if isinstance(exc, (EpisodeError, KeyboardInterrupt)):
        return exc
    return EpisodeError(
        f"compare episode failed: regime {job.label!r}, seed {job.seed}: "
        f"{type(exc).__name__}: {exc}"
    )


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


def _import_ray() -> Any:
    try:
        import ray  # noqa: PLC0415  (optional extra, imported on use)
    except ImportError:
        raise ConfigError(
            "compare backend 'ray' needs Ray: pip install 'heron-simpy[ray]'"
        ) from None
    return ray


def _run_ray(
    ray: Any,
    jobs: Sequence[Job],
    tick: Progress,
    address: str | None,
    interrupts: _Interrupts,
) -> Batch:
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    remote: Any = ray.remote(run_job)
    refs = [remote.remote(job) for job in jobs]
    index = {ref: i for i, ref in enumerate(refs)}
    out: list[EpisodeSummary | None] = [None] * len(jobs)
    stop: BaseException | None = None
    left, finished = refs, 0
    try:
        while left and stop is None and not interrupts.stopping:
            ready, left = ray.wait(left, num_returns=1, timeout=_POLL)
            for ref in ready:
                i = index[ref]
                try:
                    out[i] = ray.get(ref)
                except Exception as exc:  # a RayTaskError wraps the cause
                    stop = stop or _as_episode_error(
                        jobs[i], getattr(exc, "cause", None) or exc
                    )
                    continue
                finished += 1
                tick(finished)
    except KeyboardInterrupt as exc:
        stop = exc
    for ref in left:
        ray.cancel(ref)
    if stop is None and left:
        stop = KeyboardInterrupt()
    return Batch(out, stop)
