"""Smoke test of benchmarks/soak.py: a tiny soak runs and its memory check decides.

No timing is asserted: the numbers depend on the machine. The check itself
(exit 1 when memory grows by the limit or more) is tested with a stubbed
memory reading, so it does not depend on the allocator either.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "soak.py"
TINY = ["--agents", "5", "--hours", "0.05", "--chunk", "60", "--ring", "100"]


@pytest.fixture(scope="module")
def soak():
    spec = importlib.util.spec_from_file_location("heron_bench_soak", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_tiny_soak_reports_every_chunk_and_decides_flatness(
    soak, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "soak.json"
    code = soak.main([*TINY, "--out", str(out)])
    report = json.loads(out.read_text())
    assert {
        "params",
        "versions",
        "start",
        "rows",
        "events_total",
        "events_per_s",
        "events_per_cpu_s",
        "events_per_sim_s",
        "throughput_last_over_first",
        "cpu_throughput_last_over_first",
        "peak_rss_mib",
        "memory",
    } <= set(report)
    rows = report["rows"]
    assert [r["sim_time_s"] for r in rows] == [60.0, 120.0, 180.0]
    assert {
        "events",
        "wall_s",
        "events_per_s",
        "cpu_s",
        "rss_mib",
        "allocated_blocks",
        "pending_events",
        "trace_records",
    } <= set(rows[0])
    assert report["events_total"] == sum(r["events"] for r in rows) > 0
    assert all(r["trace_records"] == 100 for r in rows)  # the ring is bounded
    assert report["params"]["agents"] == 5
    assert report["params"]["profile"] == "lan"
    memory = report["memory"]
    assert memory["max_growth_pct"] == 5.0
    assert memory["flat"] == (
        memory["rss_growth_pct"] < 5.0 and memory["blocks_growth_pct"] < 5.0
    )
    assert code == (0 if memory["flat"] else 1)
    printed = capsys.readouterr().out
    assert "| sim hour | events |" in printed
    assert "memory growth first->last chunk" in printed


@pytest.mark.parametrize(
    ("rss", "blocks", "code"),
    [
        ([100, 104, 104.9], [1000, 1000, 1049], 0),  # +4.9 %: flat
        ([100, 103, 105], [1000, 1000, 1000], 1),  # RSS +5 %: at the limit
        ([100, 100, 100], [1000, 1100, 1200], 1),  # blocks +20 %
    ],
)
def test_memory_growth_at_the_limit_fails_the_run(
    soak, monkeypatch: pytest.MonkeyPatch, rss, blocks, code
) -> None:
    readings = iter(
        [(100 * soak.MIB, 1000)]
        + [(r * soak.MIB, b) for r, b in zip(rss, blocks, strict=True)]
    )
    monkeypatch.setattr(soak, "memory", lambda: next(readings))
    assert soak.main([*TINY, "--no-out"]) == code


def test_memory_check_needs_two_chunks(soak) -> None:
    one = [{"rss_mib": 100.0, "allocated_blocks": 1000}]
    assert soak.verdict(one, 5.0)["flat"] is None
    two = [*one, {"rss_mib": 106.0, "allocated_blocks": 1000}]
    result = soak.verdict(two, 10.0)
    assert result["flat"] is True
    assert result["rss_growth_pct"] == pytest.approx(6.0)
    assert result["rss_growth_mib"] == pytest.approx(6.0)
