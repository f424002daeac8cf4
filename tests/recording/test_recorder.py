"""Recorder: full / ring / counts modes, their bounds, and the errors they raise."""

from __future__ import annotations

import re

import pytest

from heron_simpy import Agent, ConfigError, Recorder, Simulation
from heron_simpy.recording import MODES, TickRecord
from heron_simpy.timing import BernoulliLoss
from tests.conftest import Counter, acting, det, rows


def ticks(n: int) -> list[TickRecord]:
    return [TickRecord(float(i), f"a{i % 3}") for i in range(n)]


def chatty(recorder: Recorder | None = None) -> Simulation:
    """A small run with every common record kind (ticks, decisions, messages)."""

    def talk(agent_id, obs, messages, ctx):
        ctx.send("b" if agent_id == "a" else "a", ctx.now)
        return 1.0

    sim = Simulation(
        Counter(["a", "b"]),
        seed=7,
        profile="wan",
        recorder=recorder,
        loss=BernoulliLoss(0.3),
    )
    sim.add_agent(Agent("a", controller=talk))
    sim.add_agent(Agent("b", controller=talk, tick_interval=0.7))
    return sim


# ------------------------------------------------------------------ modes
def test_modes_are_the_documented_three() -> None:
    assert MODES == ("full", "ring", "counts")
    assert Recorder().mode == "full"


def test_full_keeps_every_record_in_order() -> None:
    rec = Recorder("full")
    items = ticks(1000)
    for r in items:
        rec.append(r)
    assert rec.records == items
    assert list(rec) == items
    assert len(rec) == 1000
    assert rec.keeps_records
    assert rec.maxlen is None


def test_full_ignores_maxlen() -> None:
    rec = Recorder("full", maxlen=3)
    for r in ticks(10):
        rec.append(r)
    assert rec.maxlen is None
    assert len(rec) == 10


@pytest.mark.parametrize("maxlen", [1, 2, 7, 50])
def test_ring_keeps_the_last_maxlen(maxlen: int) -> None:
    rec = Recorder("ring", maxlen=maxlen)
    items = ticks(20)
    for i, r in enumerate(items):
        rec.append(r)
        assert len(rec) == min(i + 1, maxlen)
    assert rec.records == items[-maxlen:]
    assert rec.maxlen == maxlen
    assert rec.keeps_records


def test_counts_keeps_nothing() -> None:
    rec = Recorder("counts")
    for r in ticks(10):
        rec.append(r)
    assert rec.records == []
    assert list(rec) == []
    assert len(rec) == 0
    assert not rec.keeps_records
    assert rec.maxlen is None


def test_records_and_iteration_are_snapshots() -> None:
    rec = Recorder()
    for r in ticks(3):
        rec.append(r)
    snapshot = rec.records
    snapshot.clear()
    assert len(rec) == 3
    seen = []
    for r in rec:  # appending while iterating is safe and not seen
        seen.append(r)
        rec.append(TickRecord(99.0, "late"))
    assert seen == ticks(3)
    assert len(rec) == 6


@pytest.mark.parametrize(
    ("mode", "maxlen"), [("full", None), ("ring", 2), ("counts", None)]
)
def test_clear_keeps_mode_and_bound(mode: str, maxlen: int | None) -> None:
    rec = Recorder(mode, maxlen)  # type: ignore[arg-type]
    for r in ticks(5):
        rec.append(r)
    rec.clear()
    assert len(rec) == 0
    assert (rec.mode, rec.maxlen) == (mode, maxlen)
    for r in ticks(5):
        rec.append(r)
    assert len(rec) == {"full": 5, "ring": 2, "counts": 0}[mode]


def test_repr_names_mode_bound_and_length() -> None:
    rec = Recorder("ring", maxlen=2)
    for r in ticks(5):
        rec.append(r)
    assert repr(rec) == "Recorder(mode='ring', maxlen=2, len=2)"
    assert repr(Recorder()) == "Recorder(mode='full', maxlen=None, len=0)"


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("mode", ["all", "FULL", "", None, 3], ids=repr)
def test_unknown_mode_is_rejected(mode: object) -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape(
            f"Recorder mode must be one of full, ring, counts, got {mode!r}"
        ),
    ):
        Recorder(mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("maxlen", [None, 0, -1, True, 2.5, "3"], ids=repr)
def test_ring_needs_a_positive_int_maxlen(maxlen: object) -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape(
            f"Recorder maxlen must be an int > 0 in 'ring' mode, got {maxlen!r}"
        ),
    ):
        Recorder("ring", maxlen)  # type: ignore[arg-type]


# ------------------------------------------------------------------ in a run
def test_ring_trace_is_the_tail_of_the_full_trace() -> None:
    full = chatty()
    ring = chatty(Recorder("ring", maxlen=25))
    full.run_until(20.0)
    ring.run_until(20.0)
    assert len(full.trace) > 100
    assert rows(ring.trace) == rows(full.trace)[-25:]
    assert ring.stats.as_dict() == full.stats.as_dict()


def test_counts_mode_records_nothing_but_counts_everything() -> None:
    full = chatty()
    counts = chatty(Recorder("counts"))
    full.run_until(20.0)
    counts.run_until(20.0)
    assert counts.trace == []
    assert not counts.kernel.keep
    s = full.stats
    assert min(s.ticks, s.decisions, s.messages_sent, s.messages_dropped) > 0
    assert counts.stats.as_dict() == s.as_dict()
    assert counts.episode().trace == []


def test_reset_clears_the_trace_and_keeps_the_ring_bound() -> None:
    rec = Recorder("ring", maxlen=5)
    sim = chatty(rec)
    sim.run_until(10.0)
    before = rows(sim.trace)
    assert len(before) == 5
    sim.reset()
    assert len(rec) == 0
    assert sim.trace == []
    sim.run_until(10.0)
    assert sim.kernel.recorder is rec
    assert rows(sim.trace) == before


def test_episode_trace_is_a_copy() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(acting("a"), tick=det(1.0))
    sim.run_until(3.0)
    ep = sim.episode()
    n = len(ep.trace)
    sim.run_until(6.0)
    assert len(ep.trace) == n
    assert len(sim.trace) > n
