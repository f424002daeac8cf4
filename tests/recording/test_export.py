"""Trace export: CSV and JSON Lines round trips of a real trace, bit for bit."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from heron_simpy import Agent, Simulation, TickConfig
from heron_simpy.faults import Crash
from heron_simpy.recording import (
    COLUMNS,
    KINDS,
    ApplyRecord,
    DecideRecord,
    DeliverRecord,
    DiscardRecord,
    DropRecord,
    FaultRecord,
    LoseRecord,
    ObserveRecord,
    SendRecord,
    TickRecord,
    read_jsonl,
    record_to_dict,
    to_csv,
    to_jsonl,
)
from heron_simpy.timing import BernoulliLoss
from tests.conftest import Counter, acting, det

CLASSES = {
    "tick": TickRecord,
    "observe": ObserveRecord,
    "discard": DiscardRecord,
    "decide": DecideRecord,
    "apply": ApplyRecord,
    "send": SendRecord,
    "deliver": DeliverRecord,
    "drop": DropRecord,
    "fault": FaultRecord,
    "lose": LoseRecord,
}
FLOATS = ("time", "sampled_at", "decided_at", "sent_at", "origin")


def real_trace() -> list:
    """A jittered run with every record kind and non-round float times.

    ``a`` ticks every ~0.25 s with a heavy-tailed 0.6 s sensing delay (so
    observations arrive out of order and some are discarded) and reports to
    ``b`` over a lossy link. ``b`` crashes at 4.05 s for 1.5 s (fault and
    lose records).
    """

    def report(agent_id, obs, messages, ctx):
        ctx.send("b", ctx.now)
        return 1.0

    jitter = TickConfig.with_jitter(0.25, 0.6, 0.3, 0.4, "lognormal", 0.4)
    sim = Simulation(Counter(["a", "b"]), seed=11, loss=BernoulliLoss(0.3))
    sim.add_agent(Agent("a", controller=report), tick=jitter)
    sim.add_agent(acting("b"), tick=det(1.0, obs=0.1, act=0.2))
    sim.add_fault(Crash("b", start=4.05, downtime=1.5))
    sim.run_until(10.0)
    return sim.trace


@pytest.fixture(scope="module")
def trace() -> list:
    records = real_trace()
    assert {r.kind for r in records} == set(KINDS)  # every kind is exercised
    assert any(r.time != round(r.time, 6) for r in records)  # non-round times
    return records


def test_columns_are_the_union_of_record_fields() -> None:
    assert COLUMNS == (
        "time",
        "kind",
        "agent_id",
        "sampled_at",
        "decided_at",
        "sent_at",
        "sender",
        "recipient",
        "msg_id",
        "fault",
        "phase",
        "detail",
        "item",
        "origin",
        "cause",
    )
    fields = {"kind"} | {f for cls in CLASSES.values() for f in cls._fields}
    assert set(COLUMNS) == fields


def test_record_to_dict_per_kind() -> None:
    assert record_to_dict(TickRecord(0.5, "a")) == {
        "time": 0.5,
        "kind": "tick",
        "agent_id": "a",
    }
    d = record_to_dict(DeliverRecord(2.0, "b", "a", 7, 1.25))
    assert list(d) == ["time", "kind", "agent_id", "sender", "msg_id", "sent_at"]
    assert d == {
        "time": 2.0,
        "kind": "deliver",
        "agent_id": "b",
        "sender": "a",
        "msg_id": 7,
        "sent_at": 1.25,
    }
    assert record_to_dict(DropRecord(1.0, "a", "b", 3))["kind"] == "drop"


def test_csv_round_trip_is_bit_identical(trace: list, tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    assert to_csv(trace, path) == len(trace)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        back = list(reader)
    assert len(back) == len(trace)
    for row, rec in zip(back, trace, strict=True):
        assert row["kind"] == rec.kind
        fields = rec._fields
        for col in COLUMNS[2:]:
            if col not in fields:
                assert row[col] == ""
        for col in FLOATS:
            if col in fields:
                value = getattr(rec, col)
                assert row[col] == repr(value)
                assert float(row[col]).hex() == value.hex()
        assert rebuild(row) == rec


def rebuild(row: dict) -> tuple:
    """A record from a CSV row (floats by float(), msg_id by int())."""
    cls = CLASSES[row["kind"]]
    values = []
    for name in cls._fields:
        cell = row[name]
        if name in FLOATS:
            values.append(float(cell))
        elif name == "msg_id":
            values.append(int(cell))
        else:
            values.append(cell)
    return cls(*values)


def test_jsonl_round_trip_is_bit_identical(trace: list, tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    assert to_jsonl(trace, str(path)) == len(trace)  # str paths work too
    back = read_jsonl(path)
    assert back == [record_to_dict(r) for r in trace]
    for row, rec in zip(back, trace, strict=True):
        assert row["time"].hex() == rec.time.hex()
        cls = CLASSES[row.pop("kind")]
        assert cls(**row) == rec
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(trace)
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_exports_accept_any_iterable_and_overwrite(tmp_path: Path) -> None:
    csv_path, jsonl_path = tmp_path / "t.csv", tmp_path / "t.jsonl"
    records = [TickRecord(0.1 * i, "a") for i in range(5)]
    to_csv(records, csv_path)
    to_jsonl(records, jsonl_path)
    assert to_csv((r for r in records[:2]), csv_path) == 2
    assert to_jsonl((r for r in records[:2]), jsonl_path) == 2
    assert len(csv_path.read_text().splitlines()) == 3  # header + 2
    assert [r["time"] for r in read_jsonl(jsonl_path)] == [0.0, 0.1]


def test_empty_trace(tmp_path: Path) -> None:
    assert to_csv([], tmp_path / "e.csv") == 0
    assert (tmp_path / "e.csv").read_text().splitlines() == [",".join(COLUMNS)]
    assert to_jsonl([], tmp_path / "e.jsonl") == 0
    assert read_jsonl(tmp_path / "e.jsonl") == []


def test_read_jsonl_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"time": 0.5, "kind": "tick", "agent_id": "a"}\n\n  \n')
    assert read_jsonl(path) == [{"time": 0.5, "kind": "tick", "agent_id": "a"}]


def test_to_jsonl_refuses_non_finite_times(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match="Out of range float values are not JSON compliant"
    ):
        to_jsonl([TickRecord(float("nan"), "a")], tmp_path / "t.jsonl")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_read_jsonl_rejects_non_finite_values(tmp_path: Path, token: str) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"time": 0.5, "kind": "tick", "agent_id": "a"}\n'
        f'{{"time": 1.0, "kind": "observe", "agent_id": "a", "sampled_at": {token}}}\n'
    )
    value = float(token.replace("Infinity", "inf"))
    with pytest.raises(
        ValueError,
        match=re.escape(f"trace {path} has a non-finite sampled_at: {value!r}"),
    ):
        read_jsonl(path)


def test_csv_writes_numpy_float_times_as_plain_numbers(tmp_path: Path) -> None:
    """Regression: repr(numpy.float64(x)) is 'np.float64(x)' with numpy >= 2."""
    path = tmp_path / "t.csv"
    rec = ObserveRecord(np.float64(0.1) * 3, "a", np.float64(0.25))
    to_csv([rec], path)
    with path.open(newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert row["time"] == "0.30000000000000004"
    assert float(row["time"]) == rec.time
    assert float(row["sampled_at"]) == 0.25


def test_csv_round_trip_with_a_numpy_start_time(tmp_path: Path) -> None:
    """Regression: a numpy start time used to make every trace time a numpy scalar."""
    sim = Simulation(seed=0, start_time=np.float64(0.5))
    sim.add_agent(acting("a"), tick=det(1.0, obs=0.25))
    sim.run_until(3.0)
    path = tmp_path / "t.csv"
    to_csv(sim.trace, path)
    with path.open(newline="") as fh:
        times = [float(row["time"]) for row in csv.DictReader(fh)]
    assert times == [r.time for r in sim.trace]
    assert all(type(r.time) is float for r in sim.trace)
