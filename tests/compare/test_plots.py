"""PNG plots of comparisons (bars, sweep curves) and of event traces."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import heron_simpy
from heron_simpy.compare import Comparison, Row, compare, parse_sweep
from heron_simpy.compare.plots import plot_comparison, plot_timeline
from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.records import (
    DecideRecord,
    DeliverRecord,
    DropRecord,
    ObserveRecord,
    Record,
    SendRecord,
    TickRecord,
)
from heron_simpy.timing import BernoulliLoss, resolve_profile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DPI = 120
COMPARISON_PIXELS = (600, 960)  # 8 x 5 in at 120 dpi, as (height, width)
TIMELINE_WIDTH = 1440  # 12 in at 120 dpi


def _pixels(path: Path) -> tuple[int, int]:
    """(height, width) of a PNG, read with matplotlib's image reader."""
    image = pytest.importorskip("matplotlib.image")
    array = image.imread(path)
    return array.shape[0], array.shape[1]


def _assert_png(path: Path, min_bytes: int = 5_000) -> None:
    assert path.is_file()
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > min_bytes


@pytest.fixture(scope="module")
def profiles_comparison() -> Comparison:
    # Module scope: a frozen, read-only result, shared to avoid re-running episodes.
    return compare(
        "battery-v0", profiles=["ideal", "scada"], seeds=2, workers=1, t_end=20.0
    )


@pytest.fixture(scope="module")
def sweep_comparison() -> Comparison:
    return compare(
        "battery-v0",
        sweep=parse_sweep("obs_delay=0:1:3"),
        seeds=2,
        workers=1,
        t_end=20.0,
    )


@pytest.fixture
def needs_matplotlib() -> None:
    pytest.importorskip("matplotlib")


def _row(
    label: str, mean_return: float, ci95: float, pct: float, value: Any = None
) -> Row:
    return Row(label, value, 3, mean_return, ci95, 0.0, pct, 0.1, 0.1, 0.0, 0.0)


# --- plot_comparison -------------------------------------------------------


@pytest.mark.usefixtures("needs_matplotlib")
def test_profiles_bar_chart_is_a_png_of_the_expected_size(
    profiles_comparison: Comparison, tmp_path: Path
) -> None:
    out = plot_comparison(profiles_comparison, tmp_path / "bars.png")
    assert out == tmp_path / "bars.png"
    assert isinstance(out, Path)
    _assert_png(out)
    assert _pixels(out) == COMPARISON_PIXELS


@pytest.mark.usefixtures("needs_matplotlib")
def test_sweep_curve_is_a_png_of_the_expected_size(
    sweep_comparison: Comparison, tmp_path: Path
) -> None:
    assert sweep_comparison.sweep_param == "obs_delay"
    out = plot_comparison(sweep_comparison, tmp_path / "sweep.png")
    _assert_png(out)
    assert _pixels(out) == COMPARISON_PIXELS


@pytest.mark.usefixtures("needs_matplotlib")
def test_comparison_plot_method_delegates_and_creates_parents(
    profiles_comparison: Comparison, tmp_path: Path
) -> None:
    target = tmp_path / "a" / "b" / "cmp.png"
    out = profiles_comparison.plot(str(target))
    assert out == target
    _assert_png(target)


@pytest.mark.usefixtures("needs_matplotlib")
def test_bar_chart_copes_with_nan_ci_nan_pct_mixed_signs_and_many_rows(
    tmp_path: Path,
) -> None:
    rows = [
        _row("ideal", 10.0, 2.0, 0.0),
        _row("lan", 9.0, math.nan, 10.0),  # one seed: no CI
        _row("wan", -3.0, 4.0, 130.0),
        _row("traffic", 0.0, 1.0, math.nan),  # zero baseline elsewhere: no %
        *(_row(f"p{i}", 5.0, 1.0, 50.0) for i in range(8)),
    ]
    out = plot_comparison(Comparison("toy-v0", "ideal", rows, []), tmp_path / "t.png")
    _assert_png(out)
    assert _pixels(out) == COMPARISON_PIXELS


@pytest.mark.usefixtures("needs_matplotlib")
def test_single_point_sweep_without_ci_plots(tmp_path: Path) -> None:
    rows = [_row("loss=0", 5.0, math.nan, 0.0, 0.0)]
    comparison = Comparison("toy-v0", "loss=0", rows, [], sweep_param="loss")
    _assert_png(plot_comparison(comparison, tmp_path / "one.png"))


@pytest.mark.usefixtures("needs_matplotlib")
def test_comparison_without_rows_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("plot_comparison needs at least one row, got []"),
    ):
        plot_comparison(Comparison("toy-v0", "ideal", [], []), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


# --- plot_timeline ---------------------------------------------------------


@pytest.mark.usefixtures("needs_matplotlib")
def test_timeline_of_a_scada_episode(tmp_path: Path) -> None:
    episode = heron_simpy.evaluate("battery-v0", profile="scada", t_end=30.0)
    kinds = {r.kind for r in episode.trace}
    assert {"tick", "observe", "decide", "apply", "send", "deliver"} <= kinds
    out = plot_timeline(episode.trace, tmp_path / "deep" / "timeline.png")
    assert out == tmp_path / "deep" / "timeline.png"
    _assert_png(out)
    assert _pixels(out)[1] == TIMELINE_WIDTH


@pytest.mark.usefixtures("needs_matplotlib")
def test_timeline_with_dropped_messages(tmp_path: Path) -> None:
    lossy = resolve_profile("lan").with_loss(BernoulliLoss(0.3))
    episode = heron_simpy.evaluate("battery-v0", profile=lossy, t_end=30.0)
    assert any(r.kind == "drop" for r in episode.trace)
    _assert_png(plot_timeline(episode.trace, tmp_path / "lossy.png"))


@pytest.mark.usefixtures("needs_matplotlib")
def test_timeline_window_and_agent_subset(tmp_path: Path) -> None:
    episode = heron_simpy.evaluate("battery-v0", profile="wan", t_end=30.0)
    out = plot_timeline(
        iter(episode.trace),  # any iterable, consumed once
        tmp_path / "sub.png",
        t_end=10.0,
        agents=["battery_1", "fleet"],
    )
    _assert_png(out)
    assert _pixels(out)[1] == TIMELINE_WIDTH


@pytest.mark.usefixtures("needs_matplotlib")
def test_timeline_of_ten_thousand_records(tmp_path: Path) -> None:
    trace: list[Record] = []
    t = 0.0
    while len(trace) < 10_000:
        for i in range(5):
            agent = f"agent_{i}"
            trace += [
                TickRecord(t, agent),
                ObserveRecord(t + 0.1 * i, agent, t),
                DecideRecord(t + 0.1 * i, agent, t),
                SendRecord(t + 0.1 * i, agent, "hub", len(trace)),
                DeliverRecord(t + 0.3, "hub", agent, len(trace), t + 0.1 * i),
                DropRecord(t + 0.1 * i, agent, "agent_0", len(trace)),
            ]
        t += 1.0
    _assert_png(plot_timeline(trace, tmp_path / "big.png"))


@pytest.mark.usefixtures("needs_matplotlib")
def test_empty_trace_still_plots(tmp_path: Path) -> None:
    _assert_png(plot_timeline([], tmp_path / "empty.png"), min_bytes=1_000)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"t_end": 0.0},
            ConfigError,
            "plot_timeline t_end must be a number > 0 s, got 0.0",
        ),
        (
            {"t_end": True},
            ConfigError,
            "plot_timeline t_end must be a number > 0 s, got True",
        ),
        (
            {"agents": []},
            ConfigError,
            "plot_timeline agents must be a non-empty list of distinct agent ids, got []",
        ),
        (
            {"agents": ["a", "a"]},
            ConfigError,
            "plot_timeline agents must be a non-empty list of distinct agent ids, got ['a', 'a']",
        ),
        (
            {"agents": "fleet"},
            TypeError,
            "plot_timeline agents must be a sequence of agent ids, got 'fleet'",
        ),
    ],
    ids=["t_end-zero", "t_end-bool", "agents-empty", "agents-repeated", "agents-str"],
)
@pytest.mark.usefixtures("needs_matplotlib")
def test_timeline_rejects_bad_arguments(
    kwargs: dict[str, Any], error: type[Exception], message: str, tmp_path: Path
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        plot_timeline([TickRecord(0.0, "a")], tmp_path / "bad.png", **kwargs)
    assert not (tmp_path / "bad.png").exists()


# --- matplotlib is optional ------------------------------------------------


def test_plot_comparison_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    comparison = Comparison("toy-v0", "ideal", [_row("ideal", 1.0, 0.1, 0.0)], [])
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "plot_comparison needs matplotlib: pip install 'heron-simpy[plot]'"
        ),
    ):
        comparison.plot(tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_plot_timeline_without_matplotlib(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "plot_timeline needs matplotlib: pip install 'heron-simpy[plot]'"
        ),
    ):
        plot_timeline([TickRecord(0.0, "a")], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
