"""One (regime, seed) episode as a picklable job, and its summary."""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from heron_simpy.evaluation import evaluate
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording import Recorder
from heron_simpy.timing import TimingProfile

__all__ = [
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

    Raises:
        ConfigError: A malformed or unimportable reference, or not callable.
    """
    if ref is None or callable(ref):
        return ref
    if callable(getattr(ref, "predict", None)):
        return ModelPolicy(ref)
    if not isinstance(ref, str) or ref.count(":") != 1:
        raise ConfigError(
            f"policy must be a callable or 'module:callable', got {ref!r}"
        )
    module_name, attr = ref.split(":")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"policy {ref!r} cannot be imported: {exc}") from exc
    if not callable(target):
        raise ConfigError(f"policy {ref!r} is not callable, got {target!r}")
    return target  # type: ignore[no-any-return]


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
    """

    index: int
    label: str
    scenario_id: str
    policy: PolicyRef
    profile: TimingProfile
    seed: int
    t_end: float | None
    overrides: tuple[tuple[str, Any], ...]


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
    """Run one episode (in this process) and summarise it."""
    ep = evaluate(
        job.scenario_id,
        load_policy(job.policy),
        profile=job.profile,
        t_end=job.t_end,
        seed=job.seed,
        recorder=Recorder("counts"),
        **dict(job.overrides),
    )
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
