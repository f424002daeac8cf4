"""EpisodeStats: counters, derived means (nan when empty), as_dict and clear."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest

from heron_simpy import EpisodeStats, Simulation
from tests.conftest import Counter, acting, det

INT_FIELDS = (
    "ticks",
    "observations_delivered",
    "observations_discarded",
    "decisions",
    "actions_applied",
    "actions_in_flight",
    "messages_sent",
    "messages_delivered",
    "messages_dropped",
    "messages_in_flight",
    "events_processed",
    "evaluations",
    "faults",
    "observations_lost",
    "actions_lost",
    "actions_saturated",
    "messages_flushed",
)
FLOAT_FIELDS = ("obs_age_total", "act_latency_total")


def filled() -> EpisodeStats:
    s = EpisodeStats()
    for i, name in enumerate(INT_FIELDS, start=1):
        setattr(s, name, i)
    s.obs_age_total = 1.5
    s.act_latency_total = 2.25
    return s


def test_fields_and_defaults() -> None:
    s = EpisodeStats()
    assert tuple(f.name for f in fields(s)) == INT_FIELDS + FLOAT_FIELDS
    for name in INT_FIELDS:
        value = getattr(s, name)
        assert value == 0
        assert type(value) is int
    for name in FLOAT_FIELDS:
        value = getattr(s, name)
        assert value == 0.0
        assert type(value) is float


def test_means_are_nan_when_empty() -> None:
    s = EpisodeStats()
    assert math.isnan(s.mean_obs_age)
    assert math.isnan(s.mean_act_latency)
    s.obs_age_total = 3.0  # a total without a count is still "no mean"
    s.act_latency_total = 3.0
    assert math.isnan(s.mean_obs_age)
    assert math.isnan(s.mean_act_latency)


def test_means_divide_totals_by_their_own_counts() -> None:
    s = EpisodeStats(decisions=4, obs_age_total=1.0, actions_applied=3)
    s.act_latency_total = 1.5
    assert s.mean_obs_age == 0.25
    assert s.mean_act_latency == 0.5
    s.decisions = 0  # each mean depends on its own count only
    assert math.isnan(s.mean_obs_age)
    assert s.mean_act_latency == 0.5


def test_as_dict_has_every_counter_and_both_means() -> None:
    s = filled()
    d = s.as_dict()
    assert list(d) == [*INT_FIELDS, *FLOAT_FIELDS, "mean_obs_age", "mean_act_latency"]
    for i, name in enumerate(INT_FIELDS, start=1):
        assert d[name] == i
    assert d["obs_age_total"] == 1.5
    assert d["mean_obs_age"] == 1.5 / s.decisions
    assert d["mean_act_latency"] == 2.25 / s.actions_applied
    d["ticks"] = 999  # a plain copy
    assert s.ticks == 1


def test_as_dict_of_empty_stats_has_nan_means() -> None:
    d = EpisodeStats().as_dict()
    assert math.isnan(d["mean_obs_age"])
    assert math.isnan(d["mean_act_latency"])
    assert all(d[name] == 0 for name in INT_FIELDS + FLOAT_FIELDS)


def test_clear_resets_every_counter_in_place() -> None:
    s = filled()
    same = s
    s.clear()
    assert s is same
    assert s == EpisodeStats()
    assert all(type(getattr(s, n)) is float for n in FLOAT_FIELDS)
    assert math.isnan(s.mean_obs_age)


@pytest.mark.parametrize(
    ("sent", "delivered", "dropped", "in_flight", "ok"),
    [(0, 0, 0, 0, True), (5, 2, 1, 2, True), (5, 2, 1, 1, False), (1, 2, 0, 0, False)],
)
def test_messages_accounted(
    sent: int, delivered: int, dropped: int, in_flight: int, ok: bool
) -> None:
    s = EpisodeStats(
        messages_sent=sent,
        messages_delivered=delivered,
        messages_dropped=dropped,
        messages_in_flight=in_flight,
    )
    assert s.messages_accounted is ok


def test_slots_reject_misspelt_counters() -> None:
    s = EpisodeStats()
    with pytest.raises(AttributeError):
        s.tick = 1  # type: ignore[attr-defined]


def test_stats_of_a_real_run() -> None:
    """Tick 1 s, obs 0.25 s, act 0.5 s over [0, 3): three full cascades."""
    sim = Simulation(Counter(["dev"]), seed=0, eval_dt=1.0, reward=lambda p, t: {})
    sim.add_agent(acting("dev"), tick=det(1.0, obs=0.25, act=0.5))
    sim.run_until(3.0)
    d = sim.stats.as_dict()
    assert {k: d[k] for k in INT_FIELDS if k != "events_processed"} == {
        "ticks": 3,
        "observations_delivered": 3,
        "observations_discarded": 0,
        "decisions": 3,
        "actions_applied": 3,
        "actions_in_flight": 0,
        "messages_sent": 0,
        "messages_delivered": 0,
        "messages_dropped": 0,
        "messages_in_flight": 0,
        "evaluations": 3,
        "faults": 0,
        "observations_lost": 0,
        "actions_lost": 0,
        "actions_saturated": 0,
        "messages_flushed": 0,
    }
    assert d["events_processed"] > 9
    assert (d["obs_age_total"], d["act_latency_total"]) == (0.75, 1.5)
    assert (d["mean_obs_age"], d["mean_act_latency"]) == (0.25, 0.5)


def test_reset_clears_the_same_stats_object() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("dev"), tick=det(1.0, obs=0.25))
    stats = sim.stats
    sim.run_until(5.0)
    assert stats.ticks == 5
    sim.reset()
    assert sim.stats is stats
    assert stats == EpisodeStats()


def test_episode_stats_is_a_snapshot() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("dev"), tick=det(1.0))
    sim.run_until(2.0)
    snap = sim.episode().stats
    assert snap is not sim.stats
    assert snap == sim.stats
    sim.run_until(4.0)
    assert (snap.ticks, sim.stats.ticks) == (2, 4)
