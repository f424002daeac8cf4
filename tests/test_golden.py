"""Golden traces: a short scada run of every scenario matches its stored summary.

Each registered scenario has ``tests/golden/<id>.json``: the run parameters,
record counts per kind, the stats counters, the returns, the sha256 of the
canonical trace text and its first lines. Any change of observable behaviour
changes the hash. When a change is intended, regenerate and review::

    python -m tests.golden.regenerate [SCENARIO ...]

See tests/golden/README.md.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest

from heron_simpy import available, evaluate, registry
from heron_simpy.recording import FaultRecord, LoseRecord, TickRecord
from tests.golden.canonical import canonical_line, canonical_text, text_hash
from tests.golden.cases import case_for
from tests.golden.summary import (
    FIRST_LINES,
    GoldenRun,
    differences,
    first_difference,
    load,
    path_for,
    regenerate_command,
    run,
)


def _scenario_params() -> list[Any]:
    """Every registered id; those needing an optional extra are slow."""
    return [
        pytest.param(
            sid,
            id=sid,
            marks=[pytest.mark.slow] if registry.spec(sid).requires else [],
        )
        for sid in available()
    ]


def _skip_without_requirements(scenario_id: str) -> None:
    missing = registry.spec(scenario_id).missing
    if missing:
        pytest.skip(f"{scenario_id} needs {', '.join(missing)} (an optional extra)")


@pytest.fixture(scope="module")
def golden_run() -> Callable[[str], GoldenRun]:
    """Run a scenario's golden case once per module (results are immutable)."""
    runs: dict[str, GoldenRun] = {}

    def get(scenario_id: str) -> GoldenRun:
        if scenario_id not in runs:
            runs[scenario_id] = run(case_for(scenario_id))
        return runs[scenario_id]

    return get


def _failure(scenario_id: str, stored: dict[str, Any], new: GoldenRun) -> str:
    diffs = differences(stored, new.summary)
    first = first_difference(stored.get("first_lines", []), new.summary["first_lines"])
    return (
        f"{scenario_id}: the golden run no longer matches {path_for(scenario_id).name}:\n"
        + "\n".join(f"  {d}" for d in diffs)
        + f"\n{first}\n"
        f"If this behaviour change is intended, regenerate the golden file "
        f"(from the repository root) and review/commit the diff:\n"
        f"  {regenerate_command(scenario_id)}"
    )


@pytest.mark.parametrize("scenario_id", _scenario_params())
def test_golden_trace_matches(
    scenario_id: str, golden_run: Callable[[str], GoldenRun]
) -> None:
    _skip_without_requirements(scenario_id)
    stored = load(scenario_id)
    if stored is None:
        pytest.fail(
            f"{scenario_id} is registered but has no golden file "
            f"tests/golden/{scenario_id}.json; create it (from the repository root) "
            f"with:\n  {regenerate_command(scenario_id)}\n"
            "and add a case for it to tests/golden/cases.py if the default "
            "(scada, seed 0, min(horizon, 300 s)) is too long or too short.",
            pytrace=False,
        )
    new = golden_run(scenario_id)
    if differences(stored, new.summary):
        pytest.fail(_failure(scenario_id, stored, new), pytrace=False)


@pytest.mark.parametrize("scenario_id", _scenario_params())
def test_golden_run_is_deterministic(
    scenario_id: str, golden_run: Callable[[str], GoldenRun]
) -> None:
    _skip_without_requirements(scenario_id)
    first = golden_run(scenario_id)
    again = run(case_for(scenario_id))
    assert again.lines == first.lines, first_difference(
        list(first.lines), list(again.lines)
    )
    assert again.summary == first.summary


def test_golden_runs_exercise_the_timing() -> None:
    # What each case was chosen for: coordinators talk, jitter reorders
    # observations, and the loss drops messages (not reached in feeder33-v0's
    # short run, see tests/golden/cases.py).
    for scenario_id in available():
        stored = load(scenario_id)
        if stored is None:
            continue  # test_golden_trace_matches reports it
        kinds = stored["kinds"]
        assert kinds.get("send", 0) >= 10, scenario_id
        assert kinds.get("deliver", 0) >= 10, scenario_id
        times = [
            float(line.split()[1].removeprefix("time="))
            for line in stored["first_lines"]
        ]
        assert any(t != round(t) for t in times), f"{scenario_id}: no jitter shows"
        if scenario_id != "feeder33-v0":
            assert kinds.get("drop", 0) > 0, scenario_id


# ---------------------------------------------------------------- canonical text


def test_a_microsecond_changes_the_canonical_text_and_hash(
    golden_run: Callable[[str], GoldenRun],
) -> None:
    case = case_for("battery-v0")
    trace = evaluate(
        case.scenario_id,
        profile=case.profile,
        t_end=case.t_end,
        seed=case.seed,
        **case.overrides,
    ).trace
    text = canonical_text(trace)
    assert text_hash(text) == golden_run("battery-v0").summary["sha256"]
    i = len(trace) // 2
    moved = list(trace)
    moved[i] = trace[i]._replace(time=trace[i].time + 1e-6)
    moved_text = canonical_text(moved)
    assert moved_text != text
    assert text_hash(moved_text) != text_hash(text)
    changed = [
        n
        for n, (a, b) in enumerate(
            zip(text.splitlines(), moved_text.splitlines(), strict=True)
        )
        if a != b
    ]
    assert changed == [i]


def test_floats_are_written_exactly() -> None:
    base = TickRecord(12.5, "a")
    assert canonical_line(base) == "tick time=12.5 agent_id=a"
    # One unit in the last place is a different line: goldens compare exactly.
    assert canonical_line(TickRecord(np.nextafter(12.5, 13.0), "a")) == (
        "tick time=12.500000000000002 agent_id=a"
    )
    assert canonical_line(TickRecord(-0.0, "a")) == "tick time=0.0 agent_id=a"
    assert canonical_line(TickRecord(np.float64(0.1), "a")) == (
        "tick time=0.1 agent_id=a"
    )


def test_the_canonical_line_covers_every_field_of_any_record_kind() -> None:
    fault = FaultRecord(60.0, "coord", "crash", "start", "downtime=30.0")
    assert canonical_line(fault) == (
        'fault time=60.0 agent_id=coord fault=crash phase=start detail="downtime=30.0"'
    )
    lose = LoseRecord(61.25, "coord", "message", 59.0, "crash")
    assert canonical_line(lose) == (
        "lose time=61.25 agent_id=coord item=message origin=59.0 cause=crash"
    )

    class Future(NamedTuple):
        time: float
        agent_id: str
        count: int
        flag: bool
        note: str
        pair: tuple[float, str]
        missing: None

        @property
        def kind(self) -> str:
            return "future"

    rec = Future(1 / 3, "x", np.int64(3), True, "two words", (2 / 3, "y"), None)
    assert canonical_line(rec) == (
        "future time=0.3333333333333333 agent_id=x count=3 flag=True "
        'note="two words" pair=(0.6666666666666666,y) missing=None'
    )


def test_an_unformattable_field_is_an_error_not_a_memory_address() -> None:
    class Opaque:
        pass

    class Odd(NamedTuple):
        time: float
        thing: object

        @property
        def kind(self) -> str:
            return "odd"

    with pytest.raises(TypeError, match=re.escape("teach tests/golden/canonical.py")):
        canonical_line(Odd(0.0, Opaque()))


# ---------------------------------------------------------------- comparison


def _summary() -> dict[str, Any]:
    return {
        "scenario_id": "s-v0",
        "profile": "scada",
        "seed": 0,
        "t_end": 10.0,
        "overrides": {},
        "records": 3,
        "kinds": {"send": 2, "tick": 1},
        "stats": {"ticks": 1, "messages_sent": 2, "obs_age_total": 1.23456789},
        "returns": {"a": -1.5},
        "sha256": "abc",
        "first_lines": ["tick time=0.0 agent_id=a"],
    }


def test_a_new_stats_counter_does_not_break_a_golden() -> None:
    stored = _summary()
    new = copy.deepcopy(stored)
    new["stats"]["observations_lost"] = 0
    new["stats"]["faults"] = 0
    assert differences(stored, new) == []


@pytest.mark.parametrize(
    ("counter", "value", "expected"),
    [
        ("messages_sent", 3, "stat messages_sent: 2 -> 3"),
        ("obs_age_total", 1.23456792, "stat obs_age_total: 1.23456789 -> 1.23456792"),
        ("ticks", None, "stat ticks: 1 -> '(absent)'"),
    ],
    ids=["changed-int", "changed-float", "removed"],
)
def test_a_changed_stored_counter_breaks_a_golden(
    counter: str, value: Any, expected: str
) -> None:
    stored = _summary()
    new = copy.deepcopy(stored)
    if value is None:
        del new["stats"][counter]
    else:
        new["stats"][counter] = value
    assert differences(stored, new) == [expected]


def test_floats_must_agree_to_the_last_bit() -> None:
    stored = _summary()
    new = copy.deepcopy(stored)
    new["stats"]["obs_age_total"] = float(np.nextafter(1.23456789, 2.0))
    new["returns"]["a"] = float(np.nextafter(-1.5, 0.0))
    assert differences(stored, new) == [
        "stat obs_age_total: 1.23456789 -> 1.2345678900000001",
        "return a: -1.5 -> -1.4999999999999998",
    ]


def test_hash_kinds_returns_and_run_are_compared() -> None:
    stored = _summary()
    new = copy.deepcopy(stored)
    new.update(sha256="def", records=4, seed=1)
    new["kinds"] = {"send": 2, "tick": 1, "lose": 1}
    new["returns"] = {"a": -1.6}
    assert differences(stored, new) == [
        "run seed: 0 -> 1",
        "sha256: abc -> def",
        "records records: 3 -> 4",
        "kind lose: '(absent)' -> 1",
        "return a: -1.5 -> -1.6",
    ]


def test_first_difference_points_at_the_line() -> None:
    old = ["a", "b", "c"]
    assert first_difference(old, ["a", "x", "c"]) == (
        "first differing line 2:\n  stored: b\n  new:    x"
    )
    assert first_difference(old, ["a", "b"]) == (
        "first differing line 3:\n  stored: c\n  new:    (none)"
    )
    assert "further down" in first_difference(old, list(old))


def test_the_failure_message_names_the_regenerate_command() -> None:
    stored = _summary()
    new = GoldenRun(
        {
            **copy.deepcopy(stored),
            "sha256": "def",
            "first_lines": ["tick time=0.1 agent_id=a"],
        },
        ("tick time=0.1 agent_id=a",),
    )
    message = _failure("s-v0", stored, new)
    assert "python -m tests.golden.regenerate s-v0" in message
    assert "sha256: abc -> def" in message
    assert "stored: tick time=0.0 agent_id=a" in message
    assert "new:    tick time=0.1 agent_id=a" in message


def test_stored_summaries_keep_the_first_lines() -> None:
    for scenario_id in available():
        stored = load(scenario_id)
        if stored is None:
            continue
        assert len(stored["first_lines"]) == min(FIRST_LINES, stored["records"])
        assert all(math.isfinite(v) for v in stored["returns"].values())


def test_stored_kind_counts_agree_with_the_stats() -> None:
    pairs = {
        "tick": "ticks",
        "observe": "observations_delivered",
        "discard": "observations_discarded",
        "decide": "decisions",
        "apply": "actions_applied",
        "send": "messages_sent",
        "deliver": "messages_delivered",
        "drop": "messages_dropped",
    }
    for scenario_id in available():
        stored = load(scenario_id)
        if stored is None:
            continue
        kinds, stats = stored["kinds"], stored["stats"]
        for kind, counter in pairs.items():
            assert kinds.get(kind, 0) == stats[counter], (scenario_id, kind)
        assert stats["messages_sent"] == (
            stats["messages_delivered"]
            + stats["messages_dropped"]
            + stats["messages_in_flight"]
        ), scenario_id
