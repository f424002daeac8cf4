"""Episode statistics: counts of everything that happened, plus realised timing."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["EpisodeStats"]


@dataclass(slots=True)
class EpisodeStats:
    """Counters of one episode, kept by the engine on the hot path.

    Message accounting holds at every instant:
    ``messages_sent == messages_delivered + messages_dropped + messages_in_flight``.

    Attributes:
        ticks: Agent ticks (sensor samples taken).
        observations_delivered: Observations that reached their agent.
        observations_discarded: Delivered observations older than one already
            used (reordered by jitter), thrown away.
        decisions: Controller decisions taken.
        actions_applied: Action effects that landed on the plant.
        actions_in_flight: Decided actions not applied yet.
        messages_sent: Messages handed to the broker.
        messages_delivered: Messages put into a recipient's inbox.
        messages_dropped: Messages lost by a loss model.
        messages_in_flight: Messages sent, not yet delivered nor dropped.
        events_processed: SimPy events stepped by the run loop.
        evaluations: Reward evaluation grid points passed.
        faults: Fault windows started (clock drift counts once per agent).
        observations_lost: Observations lost to a sensor dropout or a crash.
        actions_lost: Decided actions lost in a crash before they landed.
        actions_saturated: Applied actions an actuator saturation changed.
        messages_flushed: Delivered messages wiped from an inbox by a crash.
        obs_age_total: Sum over decisions of (decision time - sample time), s.
        act_latency_total: Sum over applied actions of (apply - decide time), s.
    """

    ticks: int = 0
    observations_delivered: int = 0
    observations_discarded: int = 0
    decisions: int = 0
    actions_applied: int = 0
    actions_in_flight: int = 0
    messages_sent: int = 0
    messages_delivered: int = 0
    messages_dropped: int = 0
    messages_in_flight: int = 0
    events_processed: int = 0
    evaluations: int = 0
    faults: int = 0
    observations_lost: int = 0
    actions_lost: int = 0
    actions_saturated: int = 0
    messages_flushed: int = 0
    obs_age_total: float = 0.0
    act_latency_total: float = 0.0

    @property
    def mean_obs_age(self) -> float:
        """Mean age of the observation used at each decision, s (nan if none)."""
        return self.obs_age_total / self.decisions if self.decisions else float("nan")

    @property
    def mean_act_latency(self) -> float:
        """Mean delay from decision to effect of applied actions, s (nan if none)."""
        if not self.actions_applied:
            return float("nan")
        return self.act_latency_total / self.actions_applied

    @property
    def messages_accounted(self) -> bool:
        """Whether sent == delivered + dropped + in flight (always true)."""
        return self.messages_sent == (
            self.messages_delivered + self.messages_dropped + self.messages_in_flight
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the counters (and derived means) as a plain dict."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["mean_obs_age"] = self.mean_obs_age
        out["mean_act_latency"] = self.mean_act_latency
        return out

    def clear(self) -> None:
        """Reset every counter to zero."""
        for f in fields(self):
            setattr(self, f.name, f.default)
