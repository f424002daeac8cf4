"""The heron-simpy command line (the README's main command)."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from heron_simpy import Recorder, available, evaluate, throughput
from heron_simpy.cli import bench, main
from heron_simpy.registry import spec


def test_demo_prints_table_and_timeline(capsys) -> None:
    assert main(["demo", "--t-end", "30", "--profiles", "ideal,scada"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("heron_simpy demo:")
    assert lines[1].split()[:3] == ["profile", "return", "ticks"]
    assert lines[3].split()[0] == "ideal"
    assert lines[4].split()[0] == "scada"
    assert "timeline under 'scada'" in out
    assert "tick     microgrid" in out


def test_demo_is_deterministic(capsys) -> None:
    main(["demo", "--t-end", "20", "--seed", "3"])
    first = capsys.readouterr().out
    main(["demo", "--t-end", "20", "--seed", "3"])
    assert capsys.readouterr().out == first


def test_unknown_profile_is_one_clear_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "heron_simpy", "demo", "--profiles", "ideal,moon"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "heron-simpy: error: unknown timing profile 'moon'; valid: ideal, lan, scada, traffic, wan"
    )
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- helpers

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

POLICY_MODULE = """
import numpy as np

calls = []


def hold(agent_id, observation):
    calls.append(agent_id)
    return np.zeros(1, dtype=np.float32)
"""


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None):
    """Run ``python -m heron_simpy ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "heron_simpy", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
    )


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 2000


def _table_rows(out: str) -> list[str]:
    """The labels of the rows of a Comparison table printed in ``out``."""
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("regime "))
    rows = []
    for line in lines[head + 2 :]:
        if line.startswith("wrote "):
            break
        rows.append(line.split()[0])
    return rows


def _write_policy(folder: Path, name: str) -> None:
    (folder / f"{name}.py").write_text(POLICY_MODULE)


def _no_module(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make ``import name`` (and its submodules) fail as if not installed."""
    for key in [k for k in sys.modules if k == name or k.startswith(f"{name}.")]:
        monkeypatch.delitem(sys.modules, key)
    monkeypatch.setitem(sys.modules, name, None)


# ---------------------------------------------------------------- help, list


def test_help_lists_every_subcommand(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for command in ("list", "run", "compare", "bench", "demo"):
        assert re.search(rf"^\s+{command}\s+\S", out, re.MULTILINE), command


def test_usage_errors_keep_argparse_behaviour(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run"])
    assert exc.value.code == 2
    assert "the following arguments are required: SCENARIO" in capsys.readouterr().err


def test_list_shows_scenarios_with_descriptions(capsys) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(available())
    line = next(line for line in lines if line.startswith("battery-v0 "))
    assert line.split(None, 1)[1] == spec("battery-v0").description
    starts = {len(line) - len(line.split(None, 1)[1]) for line in lines}
    assert len(starts) == 1  # descriptions start in one column


# ----------------------------------------------------------------------- run


def test_run_prints_summary_writes_trace_and_timeline(tmp_path: Path, capsys) -> None:
    trace, png = tmp_path / "out" / "trace.jsonl", tmp_path / "timeline.png"
    args = ["run", "battery-v0", "--profile", "lan", "--seed", "3", "--t-end", "20"]
    assert main([*args, "--trace", str(trace), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    summary = dict(
        re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in out.splitlines()[:-2]
    )
    ep = evaluate(
        "battery-v0", profile="lan", seed=3, t_end=20.0, recorder=Recorder("full")
    )
    s = ep.stats
    assert summary["scenario"] == "battery-v0"
    assert summary["profile"] == "lan"
    assert summary["seed"] == "3"
    assert summary["horizon"] == "20 s"
    assert float(summary["total return"]) == pytest.approx(
        math.fsum(ep.returns.values()), abs=1e-4
    )
    for agent_id, ret in ep.returns.items():
        assert float(summary[agent_id]) == pytest.approx(ret, abs=1e-4)
    assert summary["ticks"] == str(s.ticks)
    assert summary["observations"] == (
        f"{s.observations_delivered} delivered, {s.observations_discarded} discarded"
    )
    assert summary["decisions"] == str(s.decisions)
    assert summary["actions applied"] == str(s.actions_applied)
    assert summary["messages"] == (
        f"{s.messages_sent} sent, {s.messages_delivered} delivered, "
        f"{s.messages_dropped} dropped"
    )
    assert summary["mean obs age"] == f"{s.mean_obs_age:.4f} s"
    assert summary["mean act latency"] == f"{s.mean_act_latency:.4f} s"
    assert summary["events processed"] == str(s.events_processed)

    lines = trace.read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(ep.trace) > 0
    assert {r["kind"] for r in records} >= {"tick", "observe", "decide", "apply"}
    assert f"wrote {trace} ({len(ep.trace)} records)" in out
    _assert_png(png)


def test_run_set_overrides_are_typed(capsys) -> None:
    args = ["run", "battery-v0", "--t-end", "5", "--set", "n_agents=3"]
    assert main([*args, "--set", "coordinator=false", "load_mean=0.001"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+battery_2\s", out, re.MULTILINE)
    assert "fleet" not in out
    assert "0 sent, 0 delivered, 0 dropped" in out


def test_run_with_policy_module_from_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _write_policy(tmp_path, "cli_policy_run")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the CLI adds the cwd
    monkeypatch.delitem(sys.modules, "cli_policy_run", raising=False)
    args = ["run", "battery-v0", "--t-end", "5", "--policy", "cli_policy_run:hold"]
    assert main(args) == 0
    assert "total return" in capsys.readouterr().out
    assert set(sys.modules["cli_policy_run"].calls) == {
        "battery_0",
        "battery_1",
        "fleet",
    }


def test_run_plot_without_matplotlib_is_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _no_module(monkeypatch, "matplotlib")
    png = tmp_path / "timeline.png"
    assert main(["run", "battery-v0", "--t-end", "5", "--plot", str(png)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "heron-simpy: error: run --plot needs matplotlib: "
        "pip install 'heron-simpy[plot]'\n"
    )
    assert not png.exists()


# ------------------------------------------------------------------- compare


def test_compare_end_to_end(tmp_path: Path) -> None:
    proc = _cli(
        "compare",
        "battery-v0",
        "--seeds",
        "2",
        "--t-end",
        "20",
        "--workers",
        "1",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert _table_rows(proc.stdout) == ["ideal", "lan", "wan", "scada"]
    assert "Traceback" not in proc.stderr
    out = tmp_path / "heron-out"
    data = json.loads((out / "compare.json").read_text())
    assert [r["label"] for r in data["rows"]] == ["ideal", "lan", "wan", "scada"]
    assert all(r["episodes"] == 2 for r in data["rows"])
    assert len(data["episodes"]) == 8
    _assert_png(out / "compare.png")


def test_compare_sweep_gives_one_row_per_value(tmp_path: Path, capsys) -> None:
    args = ["compare", "battery-v0", "--sweep", "obs_delay=0:1:3", "--base", "lan"]
    opts = ["--seeds", "2", "--t-end", "10", "--workers", "1", "--out", str(tmp_path)]
    assert main([*args, *opts]) == 0
    labels = ["obs_delay=0", "obs_delay=0.5", "obs_delay=1"]
    assert _table_rows(capsys.readouterr().out) == labels
    data = json.loads((tmp_path / "compare.json").read_text())
    assert data["sweep_param"] == "obs_delay"
    assert [r["label"] for r in data["rows"]] == labels
    _assert_png(tmp_path / "compare.png")


def test_compare_without_optional_extras(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    _no_module(monkeypatch, "matplotlib")
    _no_module(monkeypatch, "tqdm")
    args = ["compare", "battery-v0", "--profiles", "ideal,scada", "--seeds", "2"]
    opts = ["--t-end", "5", "--workers", "1", "--out", str(tmp_path)]
    assert main([*args, *opts]) == 0
    captured = capsys.readouterr()
    assert _table_rows(captured.out) == ["ideal", "scada"]
    assert (tmp_path / "compare.json").is_file()
    assert not (tmp_path / "compare.png").exists()
    progress, skipped = captured.err.split("\n")[:2]
    assert progress.split("\r")[1:] == [f"{i}/4 episodes" for i in range(1, 5)]
    assert skipped == (
        f"heron-simpy: skipped {tmp_path / 'compare.png'}: plotting needs "
        "matplotlib: pip install 'heron-simpy[plot]'"
    )
    assert captured.err.count("\n") == 2


def test_compare_with_policy_module_on_pythonpath(tmp_path: Path) -> None:
    modules = tmp_path / "modules"
    modules.mkdir()
    _write_policy(modules, "cli_policy_cmp")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(modules), *sys.path])}
    proc = _cli(
        "compare",
        "battery-v0",
        "--profiles",
        "ideal,lan",
        "--seeds",
        "2",
        "--t-end",
        "5",
        "--workers",
        "2",
        "--policy",
        "cli_policy_cmp:hold",
        "--out",
        "res",
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert _table_rows(proc.stdout) == ["ideal", "lan"]
    data = json.loads((tmp_path / "res" / "compare.json").read_text())
    assert [r["label"] for r in data["rows"]] == ["ideal", "lan"]


# -------------------------------------------------------------------- errors

BAD_INPUTS = [
    pytest.param(["run", "nope-v0"], "unknown scenario 'nope-v0'", id="scenario"),
    pytest.param(
        ["compare", "nope-v0"], "unknown scenario 'nope-v0'", id="compare-scenario"
    ),
    pytest.param(
        ["run", "battery-v0", "--profile", "moon"],
        "unknown timing profile 'moon'",
        id="run-profile",
    ),
    pytest.param(
        ["compare", "battery-v0", "--profiles", "ideal,moon"],
        "unknown timing profile 'moon'",
        id="compare-profile",
    ),
    pytest.param(
        ["compare", "battery-v0", "--sweep", "obs_delay=0:1"],
        "sweep must look like PARAM=START:STOP:N (e.g. obs_delay=0:2:5), got 'obs_delay=0:1'",
        id="sweep",
    ),
    pytest.param(
        ["compare", "battery-v0", "--sweep", "obs_delay=0:1:3", "--base", "moon"],
        "unknown timing profile 'moon'",
        id="sweep-base",
    ),
    pytest.param(
        ["compare", "battery-v0", "--base", "lan"],
        "compare --base needs --sweep, got --base 'lan'",
        id="base-without-sweep",
    ),
    pytest.param(
        ["run", "battery-v0", "--set", "n_agents=-1"],
        "invalid battery-v0 Config: n_agents must be an int >= 1, got -1",
        id="set-value",
    ),
    pytest.param(
        ["compare", "battery-v0", "--set", "n_agents=1.5"],
        "battery-v0 override n_agents must be int, got 1.5",
        id="set-type",
    ),
    pytest.param(
        ["run", "battery-v0", "--set", "n_agent=2"],
        "battery-v0 has no override 'n_agent'",
        id="set-name",
    ),
    pytest.param(
        ["run", "battery-v0", "--set", "n_agents"],
        "--set must look like NAME=VALUE, got 'n_agents'",
        id="set-format",
    ),
    pytest.param(
        ["run", "battery-v0", "--policy", "nope"],
        "policy must be a callable or 'module:callable', got 'nope'",
        id="policy",
    ),
    pytest.param(
        ["compare", "battery-v0", "--policy", "no_such_module_xyz:f"],
        "policy 'no_such_module_xyz:f' cannot be imported",
        id="policy-import",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUTS)
def test_bad_input_is_one_error_line(argv: list[str], message: str, capsys) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"heron-simpy: error: {message}")
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("argv", "bad"),
    [
        (["compare", "battery-v0", "--sweep", "obs_delay=0:1"], "'obs_delay=0:1'"),
        (["run", "battery-v0", "--policy", "nope"], "'nope'"),
    ],
)
def test_bad_input_end_to_end(argv: list[str], bad: str, tmp_path: Path) -> None:
    proc = _cli(*argv, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("heron-simpy: error: ")
    assert bad in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------- bench


def test_bench_runs_the_throughput_workload_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    calls = []

    def fake(sizes, horizon, seed=0, repeat=1, echo=print):
        calls.append((list(sizes), horizon, seed, repeat))
        echo("trace check: engine == heapq floor (N=20, 600 s, seed 0)")
        for n in sizes:
            echo(f"N={n:5d}  ratio 0.50x")
        return []

    monkeypatch.setattr(bench, "measure_throughput", fake)
    assert main(["bench", "--quick"]) == 0
    assert main(["bench"]) == 0
    assert calls == [([10, 100], 300.0, 0, 1), ([10, 100, 1000], 3600.0, 0, 1)]
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "trace check: engine == heapq floor (N=20, 600 s, seed 0)"
    assert out[1:3] == ["N=   10  ratio 0.50x", "N=  100  ratio 0.50x"]
    assert len(out) == 7  # two trace checks, 2 + 3 size lines


def test_bench_trace_mismatch_is_one_error_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def mismatch(n: int, horizon: float, seed: int) -> None:
        raise SystemExit(f"trace mismatch at N={n}: engine 10 records / floor 9")

    monkeypatch.setattr(throughput, "check", mismatch)
    assert main(["bench", "--quick"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "heron-simpy: error: trace mismatch at N=20: engine 10 records / floor 9\n"
    )


def test_bench_help_no_longer_needs_a_source_checkout(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "source checkout only" not in text
    assert "N = 10 and 100 over 300 simulated seconds" in text


# -------------------------------------------------------------- event budget


@pytest.mark.parametrize("value", ["0", "-5", "nan", "lots"])
def test_event_budget_must_be_a_count_or_none(value: str, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "battery-v0", "--event-budget", value])
    assert exc.value.code == 2
    assert (
        f"argument --event-budget: must be a number of events >= 1 or 'none', "
        f"got {value!r}" in capsys.readouterr().err
    )


def test_event_budget_none_switches_the_limit_off(capsys) -> None:
    args = ["run", "battery-v0", "--t-end", "200", "--event-budget"]
    assert main([*args, "1000"]) == 2
    assert "over the event budget of 1,000" in capsys.readouterr().err
    assert main([*args, "none"]) == 0
    assert "total return" in capsys.readouterr().out
