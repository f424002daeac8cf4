"""One (regime, seed) episode as a picklable job, and its summary."""

from __future__ import annotations

import importlib
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from heron_simpy.engine.budget import DEFAULT_EVENT_BUDGET
from heron_simpy.evaluation import evaluate
from heron_simpy.exceptions import ConfigError, HeronError, SimulationError
from heron_simpy.recording import Recorder
from heron_simpy.timing import TimingProfile

if TYPE_CHECKING:
    from heron_simpy.compare.harness import Comparison

__all__ = [
    "EpisodeError",
    "EpisodeSummary",
    "Job",
    "ModelPolicy",
    "PolicyRef",
    "load_policy",
    "run_job",
]

#: A policy: a callable, a trained model with ``predict`` (stable-baselines3
#: style), an importable ``"module:callable"`` string, or None (the scenario's
#: built-in controllers).
PolicyRef = Callable[[str, Any], Any] | str | Any | None
_MISSING = object()


class ModelPolicy:
    """Use a trained model as a policy: ``model.predict(obs, deterministic=True)[0]``.

    Works with stable-baselines3 models (and anything with the same
    ``predict``); the same model then acts for every controllable agent.

    Args:
        model: The trained model.
        deterministic: Passed to ``predict`` (default True: no exploration).

    Example:
        >>> import numpy as np
        >>> class Const:
        ...     def predict(self, obs, deterministic=True):
        ...         return np.zeros(1, np.float32), None
        >>> ModelPolicy(Const())("battery_0", np.zeros(3))
        array([0.], dtype=float32)
    """

    def __init__(self, model: Any, deterministic: bool = True) -> None:
        self.model = model
        self.deterministic = deterministic

    def __call__(self, agent_id: str, observation: Any) -> Any:
        """The model's action for ``observation``."""
        action, _ = self.model.predict(observation, deterministic=self.deterministic)
        return action


def load_policy(ref: PolicyRef) -> Callable[[str, Any], Any] | None:
    """Resolve a policy reference (imports ``"module:callable"``, wraps models).

    A ``"module:callable"`` string is imported, which runs the module's code,
    and the callable it names is then called for every decision. The module
    is looked up on ``sys.path`` first and in the current directory last, so
    a file in the current directory never hides an installed module (a local
    ``tqdm.py`` is not executed); ``sys.path`` is restored afterwards.

    Raises:
        ConfigError: A malformed reference (relative or empty module name,
            empty callable name), a module that cannot be imported or raises
            on import, a missing attribute, or one that is not callable.
    """
    if ref is None or callable(ref):
        return ref
    if callable(getattr(ref, "predict", None)):
        return ModelPolicy(ref)
    module_name, attr = _split_ref(ref)
    try:
        module = _import_last_cwd(module_name)
    except Exception as exc:
        raise ConfigError(
            f"policy {ref!r} cannot be imported: {type(exc).__name__}: {exc}"
        ) from exc
    target = getattr(module, attr, _MISSING)
    if target is _MISSING:
        raise ConfigError(
            f"policy {ref!r} cannot be imported: module {module_name!r} has no "
            f"attribute {attr!r}{_shadow_hint(module)}"
        )
    if not callable(target):
        raise ConfigError(f"policy {ref!r} is not callable, got {target!r}")
    return target


def _split_ref(ref: Any) -> tuple[str, str]:
    """``"module:callable"`` split and checked (absolute module, plain name)."""
    if not isinstance(ref, str) or ref.count(":") != 1:
        raise ConfigError(
            f"policy must be a callable or 'module:callable', got {ref!r}"
        )
    module_name, attr = ref.split(":")
    if not all(part.isidentifier() for part in module_name.split(".")):
        raise ConfigError(
            "policy module must be an absolute module name such as 'my_policy' "
            f"or 'pkg.policies' (not relative, not empty), got {ref!r}"
        )
    if not attr.isidentifier():
        raise ConfigError(
            f"policy callable must be a name such as 'act' after the ':', got {ref!r}"
        )
    return module_name, attr


def _import_last_cwd(module_name: str) -> ModuleType:
    """Import ``module_name`` with the current directory at the end of sys.path."""
    cwd = os.getcwd()
    if cwd in sys.path or "" in sys.path:
        return importlib.import_module(module_name)
    sys.path.append(cwd)
    try:
        return importlib.import_module(module_name)
    finally:
        for i in range(len(sys.path) - 1, -1, -1):
            if sys.path[i] == cwd:
                del sys.path[i]
                break


def _shadow_hint(module: ModuleType) -> str:
    """A hint when a same-named file in the cwd lost to an installed module."""
    top = module.__name__.partition(".")[0]
    local = [Path(top + ".py"), Path(top)]
    origin = getattr(module, "__file__", None) or ""
    if any(p.exists() for p in local) and not Path(origin).is_relative_to(Path.cwd()):
        return (
            f" (the installed {top!r} was imported, not the one in the current "
            "directory: installed modules come first; rename the local file)"
        )
    return ""


class EpisodeError(SimulationError):
    """An episode of a comparison raised.

    The message names the regime and the seed, then the cause; when user code
    (a policy, a controller) raised, the simulation adds the agent and the
    simulated time.

    Attributes:
        partial: Set by :func:`heron_simpy.compare.compare`: the comparison of
            the regimes whose episodes all finished, None when none did.
    """

    partial: Comparison | None = None


@dataclass(frozen=True)
class Job:
    """Everything one episode needs (picklable when the policy is).

    Attributes:
        index: Position in the comparison (results are ordered by it).
        label: The regime's row label.
        scenario_id: Registered scenario id.
        policy: Policy reference.
        profile: Timing profile.
        seed: Master seed.
        t_end: Horizon, s (None: the scenario's episode length).
        overrides: Scenario overrides.
        event_budget: The episode's event budget (None: no limit).
    """

    index: int
    label: str
    scenario_id: str
    policy: PolicyRef
    profile: TimingProfile
    seed: int
    t_end: float | None
    overrides: tuple[tuple[str, Any], ...]
    event_budget: float | None = DEFAULT_EVENT_BUDGET


@dataclass(frozen=True)
class EpisodeSummary:
    """What one episode contributes to a comparison row.

    Attributes:
        label: The regime's row label.
        seed: Master seed.
        total_return: Sum of every agent's return.
        returns: Agent id -> return.
        mean_obs_age: Mean age of the observation used at a decision, s.
        mean_act_latency: Mean delay from decision to effect, s.
        messages_sent: Messages sent.
        messages_dropped: Messages lost.
        decisions: Decisions taken.
        events: SimPy events processed.
    """

    label: str
    seed: int
    total_return: float
    returns: dict[str, float]
    mean_obs_age: float
    mean_act_latency: float
    messages_sent: int
    messages_dropped: int
    decisions: int
    events: int


def run_job(job: Job) -> EpisodeSummary:
    """Run one episode (in this process) and summarise it.

    Raises:
        EpisodeError: The episode raised; the message names the regime, the
            seed and the cause.
    """
    try:
        ep = evaluate(
            job.scenario_id,
            load_policy(job.policy),
            profile=job.profile,
            t_end=job.t_end,
            seed=job.seed,
            recorder=Recorder("counts"),
            event_budget=job.event_budget,
            **dict(job.overrides),
        )
    except Exception as exc:
        cause = (
            str(exc)
            if isinstance(exc, HeronError) and str(exc)
            else (f"{type(exc).__name__}: {exc}")
        )
        raise EpisodeError(
            f"compare episode failed: regime {job.label!r}, seed {job.seed}: {cause}"
        ) from exc
    s = ep.stats
    return EpisodeSummary(
        label=job.label,
        seed=job.seed,
        total_return=math.fsum(ep.returns.values()),
        returns=dict(ep.returns),
        mean_obs_age=s.mean_obs_age,
        mean_act_latency=s.mean_act_latency,
        messages_sent=s.messages_sent,
        messages_dropped=s.messages_dropped,
        decisions=s.decisions,
        events=s.events_processed,
    )
