"""Hostile input to the comparison harness and its files (issue 10, items 5 and 6).

The harness never lies (labels that print alike, repeated seeds), never loses work
(a failed episode or Ctrl-C still writes every finished regime; files are replaced
atomically, never through a link, never left truncated), checks its outputs before
running, leaves no worker behind, and imports ``--policy`` modules without letting
the working directory shadow installed modules.
"""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from heron_simpy import ConfigError
from heron_simpy.compare import Comparison, Sweep, compare, load_policy
from heron_simpy.compare.plots import plot_comparison, plot_timeline
from heron_simpy.recording import Recorder, to_csv, to_jsonl
from tests.hostile.conftest import assert_refused, run_cli, run_python

FAST = ("--t-end 1", "--workers 1")

#: A policy that raises at its first call (t=0 under ideal; never called under
#: scada within 1 s, so a scada regime finishes).
FAILING_POLICY = """
def act(agent_id, observation):
    raise ValueError("boom")
"""

#: A policy that announces its first call in a file, then sleeps on every call.
SLOW_POLICY = """
import pathlib
import time

import numpy as np


def act(agent_id, observation):
    pathlib.Path("started").touch()
    time.sleep({sleep})
    return np.zeros(1, dtype=np.float32)
"""

#: A policy that marks that an episode ran.
MARKING_POLICY = """
import pathlib

import numpy as np


def act(agent_id, observation):
    pathlib.Path("episode-ran").touch()
    return np.zeros(1, dtype=np.float32)
"""


def _args(*parts: str) -> list[str]:
    """Command-line words from space-separated parts."""
    return [word for part in parts for word in part.split()]


def _module(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.py").write_text(textwrap.dedent(text))


def _rows(out: Path) -> list[tuple[str, int]]:
    data = json.loads((out / "compare.json").read_text())
    return [(r["label"], r["episodes"]) for r in data["rows"]]


# ------------------------------------------------------------- lying labels


def test_sweep_values_that_print_alike_get_their_own_rows(tmp_path: Path) -> None:
    """obs_delay=1:1.000001:3 printed three 'obs_delay=1' rows of 6 episodes."""
    result = run_cli(
        _args(
            "compare battery-v0 --sweep obs_delay=1:1.000001:3 --seeds 2",
            *FAST,
            "--out out",
        ),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert _rows(tmp_path / "out") == [
        ("obs_delay=1", 2),
        ("obs_delay=1.0000005", 2),
        ("obs_delay=1.000001", 2),
    ]


def test_sweep_of_equal_values_is_refused(tmp_path: Path) -> None:
    result = run_cli(
        _args("compare battery-v0 --sweep obs_delay=1:1:3", *FAST),
        cwd=tmp_path,
    )
    assert_refused(result, ["obs_delay", "distinct", "1.0"])
    assert not (tmp_path / "heron-out").exists()


@pytest.mark.parametrize(
    ("call", "culprits"),
    [
        pytest.param(
            lambda: compare("battery-v0", seeds=[3, 1, 3], workers=1, t_end=1.0),
            ["seeds", "distinct", "3 more than once"],
            id="repeated-seed",
        ),
        pytest.param(
            lambda: Sweep("loss", (0.1, 0.2, 0.1)),
            ["loss", "distinct", "0.1 more than once"],
            id="repeated-sweep-value",
        ),
        pytest.param(
            lambda: Sweep("obs_delay", (0.0, -0.0)),
            ["obs_delay", "distinct", "0.0 more than once"],
            id="zero-and-minus-zero",
        ),
    ],
)
def test_repeats_are_refused(call: Any, culprits: list[str]) -> None:
    with pytest.raises(ConfigError) as excinfo:
        call()
    for culprit in culprits:
        assert culprit in str(excinfo.value)


# ------------------------------------------------------ a failing episode


@pytest.mark.parametrize("workers", ["1", "2"])
def test_failed_episode_names_it_and_keeps_finished_regimes(
    tmp_path: Path, workers: str
) -> None:
    _module(tmp_path, "failing_policy", FAILING_POLICY)
    result = run_cli(
        _args(
            "compare battery-v0 --profiles scada,ideal,lan --seeds 2 --t-end 1",
            f"--workers {workers} --policy failing_policy:act --out out",
        ),
        cwd=tmp_path,
    )
    assert_refused(
        result,
        ["regime 'ideal'", "seed 0", "agent '", "at t=0.000", "ValueError: boom"],
    )
    assert _rows(tmp_path / "out") == [("scada", 2)]
    data = json.loads((tmp_path / "out" / "compare.json").read_text())
    assert "regime 'ideal', seed 0" in data["error"]
    assert data["rows"][0]["degradation"] is None  # its baseline never finished
    assert "wrote out/compare.json" in result.stdout


# ------------------------------------------ outputs checked before running


def _refused_before_running(tmp_path: Path, out: str, culprits: list[str]) -> None:
    _module(tmp_path, "marking_policy", MARKING_POLICY)
    result = run_cli(
        _args(
            "compare battery-v0 --profiles ideal --seeds 1 --policy marking_policy:act",
            *FAST,
            f"--out {out}",
        ),
        cwd=tmp_path,
    )
    assert_refused(result, culprits)
    assert not (tmp_path / "episode-ran").exists()


def test_out_that_is_a_file_is_refused_before_running(tmp_path: Path) -> None:
    (tmp_path / "results").write_text("keep")
    _refused_before_running(tmp_path, "results", ["--out", "not a file", "'results'"])
    assert (tmp_path / "results").read_text() == "keep"


def test_out_below_a_file_is_refused_before_running(tmp_path: Path) -> None:
    (tmp_path / "results").write_text("keep")
    _refused_before_running(tmp_path, "results/run1", ["--out", "'results/run1'"])


def test_out_that_is_a_link_is_refused_before_running(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "results").symlink_to("elsewhere")
    _refused_before_running(tmp_path, "results", ["--out", "symbolic link"])
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_out_whose_json_is_a_link_is_refused_before_running(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not overwrite")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "compare.json").symlink_to(secret)
    _refused_before_running(
        tmp_path, "results", ["symbolic link", "'results/compare.json'"]
    )
    assert secret.read_text() == "do not overwrite"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_out_where_no_folder_can_be_made_is_refused_before_running(
    tmp_path: Path,
) -> None:
    # Not even root can create a folder in /proc.
    _refused_before_running(
        tmp_path, "/proc/heron-out", ["--out", "cannot be created", "/proc/heron-out"]
    )


def test_run_trace_through_a_link_is_refused_and_target_kept(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not overwrite")
    (tmp_path / "trace.jsonl").symlink_to(secret)
    result = run_cli(
        ["run", "battery-v0", "--t-end", "1", "--trace", "trace.jsonl"], cwd=tmp_path
    )
    assert_refused(result, ["--trace", "symbolic link", "'trace.jsonl'"])
    assert secret.read_text() == "do not overwrite"
    assert "total return" not in result.stdout  # refused before the episode


def test_to_json_through_a_link_is_refused_and_target_kept(
    tmp_path: Path, comparison: Comparison
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not overwrite")
    (tmp_path / "rows.json").symlink_to(secret)
    with pytest.raises(ConfigError, match="symbolic link"):
        comparison.to_json(tmp_path / "rows.json")
    assert secret.read_text() == "do not overwrite"


# ----------------------------------------------------------- full disk


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return compare(
        "battery-v0", profiles=["ideal", "lan"], seeds=2, workers=1, t_end=5.0
    )


@pytest.fixture(scope="module")
def trace() -> list[Any]:
    from heron_simpy import evaluate  # noqa: PLC0415

    return list(evaluate("battery-v0", t_end=20.0, recorder=Recorder("full")).trace)


class _FullDisk:
    """A file whose writes fail with ENOSPC once ``room`` bytes are written."""

    def __init__(self, fh: Any, room: int) -> None:
        self._fh = fh
        self._room = room

    def write(self, data: Any) -> int:
        if len(data) > self._room:
            self._fh.write(data[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._fh.write(data)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fh)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


def _fill_disk(monkeypatch: pytest.MonkeyPatch, room: int = 200) -> None:
    """Every file opened for writing from now on runs out of space."""
    real_open = io.open

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(file, mode, *args, **kwargs)
        return _FullDisk(fh, room) if any(c in mode for c in "wax+") else fh

    monkeypatch.setattr(io, "open", full_open)
    monkeypatch.setattr(builtins, "open", full_open)


def _write_json(path: Path, comparison: Comparison, trace: list[Any]) -> None:
    comparison.to_json(path)


def _write_jsonl(path: Path, comparison: Comparison, trace: list[Any]) -> None:
    to_jsonl(trace, path)


def _write_csv(path: Path, comparison: Comparison, trace: list[Any]) -> None:
    to_csv(trace, path)


def _write_bars(path: Path, comparison: Comparison, trace: list[Any]) -> None:
    plot_comparison(comparison, path)


def _write_timeline(path: Path, comparison: Comparison, trace: list[Any]) -> None:
    plot_timeline(trace, path)


@pytest.mark.parametrize(
    "write",
    [_write_json, _write_jsonl, _write_csv, _write_bars, _write_timeline],
    ids=["to_json", "to_jsonl", "to_csv", "plot_comparison", "plot_timeline"],
)
def test_full_disk_mid_write_keeps_the_old_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    comparison: Comparison,
    trace: list[Any],
    write: Any,
) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib.figure  # noqa: F401, PLC0415  (loaded before the disk fills)

    path = tmp_path / "result.out"
    path.write_bytes(b"the previous result\n")
    with monkeypatch.context() as patch:
        _fill_disk(patch)
        with pytest.raises(OSError, match="No space left") as excinfo:
            write(path, comparison, trace)
    assert excinfo.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"the previous result\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.out"]  # no temp left


def test_trace_over_the_file_size_limit_keeps_the_old_trace(tmp_path: Path) -> None:
    """A real kernel limit (RLIMIT_FSIZE) stops the write half way."""
    old = tmp_path / "trace.jsonl"
    old.write_text('{"old": true}\n')
    code = f"""
import resource, signal, sys
from heron_simpy.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, resource.RLIM_INFINITY))
sys.exit(main(["run", "battery-v0", "--t-end", "200", "--trace", {str(old)!r}]))
"""
    result = run_python(code, cwd=tmp_path)
    assert_refused(result, ["File too large"])
    assert old.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["trace.jsonl"]


# --------------------------------------------------------------- Ctrl-C


def _children(pid: int) -> list[int]:
    """Pids of the live processes whose parent is ``pid`` (read from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _start_slow_compare(tmp_path: Path, workers: str, sleep: float) -> Any:
    _module(tmp_path, "slow_policy", SLOW_POLICY.format(sleep=sleep))
    proc = subprocess.Popen(
        _args(
            f"{sys.executable} -m heron_simpy compare battery-v0",
            "--profiles scada,ideal,lan,wan --seeds 1 --t-end 1",
            f"--workers {workers} --policy slow_policy:act --out out",
        ),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "started").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"no episode started: rc={proc.returncode}\n{err[-2000:]}")
        time.sleep(0.05)
    return proc


def _finish(proc: Any, timeout: float) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)  # type: ignore[no-any-return]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running {timeout} s after the last Ctrl-C")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.timeout(90)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_second_ctrl_c_stops_at_once_without_orphans(
    tmp_path: Path, workers: str
) -> None:
    proc = _start_slow_compare(tmp_path, workers, sleep=60.0)
    time.sleep(0.5)  # let the pool take up its next episode
    workers_seen = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, err = _finish(proc, timeout=20)
    assert time.monotonic() - start < 5
    assert proc.returncode == 130, err[-2000:]
    assert err.splitlines()[-1] == "heron-simpy: interrupted"
    assert "Traceback" not in err
    time.sleep(0.2)
    assert [pid for pid in workers_seen if _alive(pid)] == []
    assert _rows(tmp_path / "out") == [("scada", 1)]  # finished before Ctrl-C


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.timeout(90)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_first_ctrl_c_finishes_running_episodes_and_writes_them(
    tmp_path: Path, workers: str
) -> None:
    proc = _start_slow_compare(tmp_path, workers, sleep=1.0)
    time.sleep(0.5)  # let the pool take up its next episode
    workers_seen = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    _, err = _finish(proc, timeout=30)
    assert proc.returncode == 130, err[-2000:]
    assert err.splitlines()[-1] == "heron-simpy: interrupted"
    time.sleep(0.2)
    assert [pid for pid in workers_seen if _alive(pid)] == []
    rows = _rows(tmp_path / "out")
    # scada never calls the policy; ideal (and lan, with two workers) were
    # running at Ctrl-C and finish; wan never starts.
    expected = ["scada", "ideal"] if workers == "1" else ["scada", "ideal", "lan"]
    assert [label for label, _ in rows] == expected
    data = json.loads((tmp_path / "out" / "compare.json").read_text())
    assert data["error"].startswith("compare interrupted (Ctrl-C)")


# ------------------------------------------------------- policy imports


def _marker_modules(folder: Path) -> None:
    """tqdm.py and matplotlib.py that leave a file behind when executed."""
    for name in ("tqdm", "matplotlib"):
        (folder / f"{name}.py").write_text(
            f"import pathlib\npathlib.Path({f'executed-{name}'!r}).touch()\n"
        )


def _console_script() -> str | None:
    return shutil.which("heron-simpy", path=str(Path(sys.executable).parent))


@pytest.mark.parametrize("entry", ["python -m", "heron-simpy"])
def test_policy_import_does_not_run_shadowing_modules(
    tmp_path: Path, entry: str
) -> None:
    pytest.importorskip("tqdm")
    pytest.importorskip("matplotlib")
    _marker_modules(tmp_path)
    _module(tmp_path, "local_policy", MARKING_POLICY)
    args = _args("compare battery-v0 --profiles ideal,lan --seeds 1", *FAST)
    args += ["--policy", "local_policy:act", "--out", "out"]
    if entry == "python -m":
        result = run_cli(args, cwd=tmp_path)
    else:
        script = _console_script()
        if script is None:
            pytest.skip("heron-simpy console script not installed")
        result = subprocess.run(
            [script, *args], capture_output=True, text=True, cwd=tmp_path, check=False
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "episode-ran").exists()  # the local policy was used
    assert (tmp_path / "out" / "compare.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.glob("executed-*")) == []


def test_policy_named_like_an_installed_module_is_not_taken_from_cwd(
    tmp_path: Path,
) -> None:
    pytest.importorskip("tqdm")
    _marker_modules(tmp_path)
    result = run_cli(
        ["run", "battery-v0", "--t-end", "1", "--policy", "tqdm:act"], cwd=tmp_path
    )
    assert_refused(result, ["'tqdm:act'", "installed", "current directory"])
    assert list(tmp_path.glob("executed-*")) == []


@pytest.mark.parametrize(
    ("ref", "culprits"),
    [
        (".local_policy:act", ["absolute module name", "'.local_policy:act'"]),
        ("..x:act", ["absolute module name", "'..x:act'"]),
        (":act", ["absolute module name", "':act'"]),
        (":", ["absolute module name", "':'"]),
        ("a..b:act", ["absolute module name", "'a..b:act'"]),
        ("local_policy:", ["callable must be a name", "'local_policy:'"]),
        ("math:", ["callable must be a name", "'math:'"]),
    ],
)
def test_relative_or_empty_policy_names_are_one_line_errors(
    tmp_path: Path, ref: str, culprits: list[str]
) -> None:
    _module(tmp_path, "local_policy", MARKING_POLICY)
    result = run_cli(
        ["run", "battery-v0", "--t-end", "1", "--policy", ref], cwd=tmp_path
    )
    assert_refused(result, culprits)
    assert not (tmp_path / "episode-ran").exists()


@pytest.mark.parametrize(
    ("ref", "rule"),
    [
        (".x:f", "policy module must be an absolute module name"),
        (":f", "policy module must be an absolute module name"),
        ("x:", "policy callable must be a name"),
        (":", "policy module must be an absolute module name"),
    ],
)
def test_load_policy_refuses_relative_or_empty_names(ref: str, rule: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(rule)) as excinfo:
        load_policy(ref)
    assert str(excinfo.value).endswith(f"got {ref!r}")


@pytest.mark.parametrize("command", ["run", "compare"])
def test_help_says_the_policy_is_imported_and_called(command: str) -> None:
    result = run_cli([command, "--help"])
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "import MODULE and call CALLABLE(agent_id, observation)" in text
    assert "runs MODULE's code" in text


# ----------------------------------------------------------- event budget

BUDGET_CLI = [
    pytest.param(
        "compare battery-v0 --seeds 100000000 --t-end 1 --workers 1",
        ["100,000,000 seeds", "event budget", "--event-budget"],
        id="seeds-1e8",
    ),
    pytest.param(
        "compare battery-v0 --sweep obs_delay=0:1:100000000 --t-end 1 --workers 1",
        ["'obs_delay=0:1:100000000'", "100,000,000 values", "event budget"],
        id="sweep-1e8",
    ),
    pytest.param(
        "compare battery-v0 --sweep obs_delay=0:1:300000 --seeds 1 --t-end 1",
        ["300,000 regimes x 1 seeds", "event budget"],
        id="sweep-3e5-counted-before-built",
    ),
    pytest.param(
        "compare battery-v0 --profiles ideal --seeds 1 --t-end 1e308 --workers 1",
        ["t_end=1e+308", "event budget"],
        id="compare-t-end-1e308",
    ),
    pytest.param(
        "compare battery-v0 --profiles ideal --seeds 1 --workers 1 "
        "--set n_agents=1000000000",
        ["1,000,000,001 agents", "event budget"],
        id="compare-billion-agents",
    ),
    pytest.param(
        "compare battery-v0 --profiles ideal,lan --seeds 2 --t-end 1 --workers 1 "
        "--event-budget 500",
        ["2 regimes x 2 seeds", "event budget of 500"],
        id="compare-own-budget",
    ),
    pytest.param(
        "run battery-v0 --t-end 1e308", ["1e+308", "event budget"], id="run-1e308"
    ),
    pytest.param(
        "run battery-v0 --t-end 100 --event-budget 100",
        ["event budget of 100"],
        id="run-own-budget",
    ),
    pytest.param("demo --t-end 1e308", ["1e+308", "event budget"], id="demo-1e308"),
]


@pytest.mark.parametrize(("command", "culprits"), BUDGET_CLI)
def test_work_over_the_event_budget_is_refused_at_once(
    tmp_path: Path, command: str, culprits: list[str]
) -> None:
    _module(tmp_path, "marking_policy", MARKING_POLICY)
    policy = [] if command.startswith("demo") else ["--policy", "marking_policy:act"]
    start = time.monotonic()
    result = run_cli([*command.split(), *policy], cwd=tmp_path, timeout=60)
    assert_refused(result, culprits)
    assert time.monotonic() - start < 30
    assert not (tmp_path / "episode-ran").exists()
    assert not (tmp_path / "heron-out").exists()


def test_a_raised_event_budget_lets_the_work_run(tmp_path: Path) -> None:
    args = "compare battery-v0 --profiles ideal,lan --seeds 2 --t-end 1 --workers 1"
    refused = run_cli([*args.split(), "--event-budget", "500"], cwd=tmp_path)
    assert_refused(refused, ["2 regimes x 2 seeds", "event budget of 500"])
    for budget in ("1e9", "none"):
        result = run_cli([*args.split(), "--event-budget", budget], cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert _rows(tmp_path / "heron-out") == [("ideal", 2), ("lan", 2)]


@pytest.mark.parametrize(
    ("code", "culprits"),
    [
        pytest.param(
            "compare('battery-v0', seeds=10**8, t_end=1.0, workers=1)",
            ["100,000,000 seeds"],
            id="api-seeds-1e8",
        ),
        pytest.param(
            "parse_sweep('obs_delay=0:1:100000000')",
            ["100,000,000 values"],
            id="api-parse-sweep-1e8",
        ),
        pytest.param(
            "compare('battery-v0', sweep=Sweep('coordinator_tick', (1.0, 1e-12)), "
            "seeds=1, t_end=10.0, workers=1)",
            ["2 regimes x 1 seeds", "t_end=10 s"],
            id="api-sweep-picosecond-tick",
        ),
        pytest.param(
            "compare('battery-v0', profiles=['ideal'], seeds=1, t_end=1e308, workers=1)",
            ["t_end=1e+308"],
            id="api-t-end-1e308",
        ),
    ],
)
def test_api_over_the_event_budget_is_refused_at_once(
    code: str, culprits: list[str]
) -> None:
    script = f"""
from heron_simpy.compare import Sweep, compare, parse_sweep
try:
    {code}
except Exception as exc:
    print(f"{{type(exc).__name__}}: {{exc}}")
"""
    result = run_python(script, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("BudgetError: "), result.stdout[-2000:]
    for culprit in culprits:
        assert culprit in result.stdout
