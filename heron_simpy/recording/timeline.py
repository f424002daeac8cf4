"""An event plot of a trace: every agent's ticks, deliveries, effects and messages."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.figures import DPI, load_matplotlib, save_figure
from heron_simpy.recording.records import (
    ApplyRecord,
    DecideRecord,
    DeliverRecord,
    DiscardRecord,
    DropRecord,
    ObserveRecord,
    Record,
    TickRecord,
)

__all__ = ["plot_timeline"]

_TIMELINE_WIDTH = 12.0  # inches

# Vertical offset of each event lane inside an agent's row (row height 1).
_LANE = {"tick": -0.3, "observe": -0.1, "message": 0.0, "decide": 0.1, "apply": 0.3}


@dataclass(frozen=True)
class _Marker:
    """How one event kind is drawn: marker, face colour, edge, area (pt^2)."""

    marker: str
    face: str
    size: float
    edge: str | None = None
    edge_width: float = 1.0


@dataclass(frozen=True)
class _Stroke:
    """How the lines of one kind are drawn."""

    colour: str
    width: float
    alpha: float


_STYLE = {
    "tick": _Marker("|", "0.35", 60.0),
    "observe": _Marker("o", "tab:blue", 12.0),
    "discard": _Marker("o", "none", 55.0, "tab:red", 1.2),
    "decide": _Marker("^", "tab:green", 22.0),
    "apply": _Marker("s", "tab:purple", 14.0),
    "deliver": _Marker(">", "0.45", 12.0),
    "drop": _Marker("x", "tab:red", 45.0, edge_width=1.5),
}
_LINE = {
    "observe": _Stroke("tab:blue", 0.8, 0.5),
    "apply": _Stroke("tab:purple", 0.8, 0.5),
    "message": _Stroke("0.45", 0.6, 0.45),
}
_LEGEND = (
    ("tick", None, "tick (sensor sample)"),
    ("observe", "observe", "observation delivered (line from sampling)"),
    ("discard", None, "stale observation discarded"),
    ("decide", None, "decision"),
    ("apply", "apply", "action applied (line from decision)"),
    ("deliver", "message", "message delivered (line from sender)"),
    ("drop", None, "message lost (at sender)"),
)


def plot_timeline(
    trace: Iterable[Record],
    path: str | Path,
    t_end: float | None = None,
    agents: Sequence[str] | None = None,
) -> Path:
    """Save a PNG event plot of a trace: one row per agent on one time axis.

    Each row shows the agent's ticks, observation deliveries (a thin line
    back to when the observation was sampled), discarded stale observations,
    decisions, action applications (a line back to the decision) and the
    messages it received (a line from the sender's row at the send time);
    lost messages are crosses on the sender's row at the send time.

    Args:
        trace: Trace records, for example ``Episode.trace``.
        path: Where to write the PNG; missing parent directories are created.
        t_end: Show only simulated times in ``[0, t_end]``, s (> 0); None
            shows the whole trace.
        agents: The rows, top to bottom; events of other agents (and
            messages to or from them) are left out. None shows every agent
            in order of first appearance.

    Returns:
        The path written.

    Raises:
        ConfigError: matplotlib is not installed, ``t_end`` is not > 0, or
            ``agents`` is empty or repeats an agent id.
        TypeError: ``agents`` is a single string instead of a sequence.
    """
    figure_cls, canvas_cls = load_matplotlib("plot_timeline")
    _check_timeline_args(t_end, agents)
    events = _collect(trace, t_end, agents)
    height = max(3.5, 1.8 + 0.8 * len(events.rows))
    fig = figure_cls(figsize=(_TIMELINE_WIDTH, height), dpi=DPI, layout="constrained")
    canvas_cls(fig)
    _draw_timeline(fig, events, t_end)
    return save_figure(fig, path)


def _check_timeline_args(t_end: float | None, agents: Sequence[str] | None) -> None:
    """Reject a bad ``t_end`` or ``agents`` before any work is done."""
    if t_end is not None and (
        isinstance(t_end, bool)
        or not isinstance(t_end, (int, float))
        or not t_end > 0
        or not math.isfinite(t_end)
    ):
        raise ConfigError(f"plot_timeline t_end must be a number > 0 s, got {t_end!r}")
    if agents is None:
        return
    if isinstance(agents, str):
        raise TypeError(
            f"plot_timeline agents must be a sequence of agent ids, got {agents!r}"
        )
    if not agents or len(set(agents)) != len(agents):
        raise ConfigError(
            "plot_timeline agents must be a non-empty list of distinct agent ids, "
            f"got {list(agents)!r}"
        )


@dataclass
class _Events:
    """Marker positions and line segments of a trace, ready to draw."""

    rows: dict[str, int]
    points: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    lines: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = field(
        default_factory=dict
    )
    t_max: float = 0.0
    count: int = 0

    def point(self, kind: str, t: float, y: float) -> None:
        """Add one marker."""
        xs, ys = self.points.setdefault(kind, ([], []))
        xs.append(t)
        ys.append(y)

    def line(self, kind: str, t0: float, y0: float, t1: float, y1: float) -> None:
        """Add one segment from ``(t0, y0)`` to ``(t1, y1)``."""
        self.lines.setdefault(kind, []).append(((t0, y0), (t1, y1)))


def _row(events: _Events, agent_id: str, fixed: bool) -> int | None:
    """Row index of ``agent_id``, adding a new row unless the rows are fixed."""
    row = events.rows.get(agent_id)
    if row is None and not fixed:
        row = events.rows[agent_id] = len(events.rows)
    return row


def _collect(
    trace: Iterable[Record], t_end: float | None, agents: Sequence[str] | None
) -> _Events:
    """Turn records into markers and segments (one pass, no artists)."""
    fixed = agents is not None
    events = _Events({a: i for i, a in enumerate(agents or ())})
    for rec in trace:
        start = _start(rec)
        if t_end is not None and min(start, rec.time) > t_end:
            continue
        row = _row(events, rec.agent_id, fixed)
        if isinstance(rec, DeliverRecord):
            sender_row = _row(events, rec.sender, fixed)
            if row is None or sender_row is None:
                continue
            _add_delivery(events, rec, row, sender_row)
        elif row is not None:
            _add_own(events, rec, row)
        else:
            continue
        events.t_max = max(events.t_max, rec.time)
        events.count += 1
    return events


def _start(rec: Record) -> float:
    """When the interval a record closes began (its own time if none)."""
    if isinstance(rec, (ObserveRecord, DiscardRecord, DecideRecord)):
        return rec.sampled_at
    if isinstance(rec, ApplyRecord):
        return rec.decided_at
    if isinstance(rec, DeliverRecord):
        return rec.sent_at
    return rec.time


def _add_own(events: _Events, rec: Record, row: int) -> None:
    """Add an event that happens on the agent's own row."""
    if isinstance(rec, TickRecord):
        events.point("tick", rec.time, row + _LANE["tick"])
    elif isinstance(rec, ObserveRecord):
        y = row + _LANE["observe"]
        events.point("observe", rec.time, y)
        events.line("observe", rec.sampled_at, row + _LANE["tick"], rec.time, y)
    elif isinstance(rec, DiscardRecord):
        events.point("discard", rec.time, row + _LANE["observe"])
    elif isinstance(rec, DecideRecord):
        events.point("decide", rec.time, row + _LANE["decide"])
    elif isinstance(rec, ApplyRecord):
        y = row + _LANE["apply"]
        events.point("apply", rec.time, y)
        events.line("apply", rec.decided_at, row + _LANE["decide"], rec.time, y)
    elif isinstance(rec, DropRecord):
        events.point("drop", rec.time, row + _LANE["message"])
    # Send records are drawn by their delivery or drop.


def _add_delivery(
    events: _Events, rec: DeliverRecord, row: int, sender_row: int
) -> None:
    """Add a delivered message: a line from the sender's row to the recipient's."""
    lane = _LANE["message"]
    events.point("deliver", rec.time, row + lane)
    events.line("message", rec.sent_at, sender_row + lane, rec.time, row + lane)


def _draw_timeline(fig: Any, events: _Events, t_end: float | None) -> None:
    """Draw the collected events on one axes, with a legend under it."""
    from matplotlib.collections import LineCollection  # noqa: PLC0415
    from matplotlib.lines import Line2D  # noqa: PLC0415

    ax = fig.add_subplot()
    for kind, segments in events.lines.items():
        stroke = _LINE[kind]
        ax.add_collection(
            LineCollection(
                segments,
                colors=stroke.colour,
                linewidths=stroke.width,
                alpha=stroke.alpha,
                zorder=1,
            )
        )
    for kind, (xs, ys) in events.points.items():
        style = _STYLE[kind]
        ax.scatter(
            xs,
            ys,
            s=style.size,
            marker=style.marker,
            color=style.face,
            edgecolors=style.edge,  # None: edges take ``color`` (unfilled markers)
            linewidths=style.edge_width,
            zorder=2,
        )
    n = len(events.rows)
    for i in range(n + 1):
        ax.axhline(i - 0.5, color="0.85", linewidth=0.8, zorder=0)
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(events.rows))
    ax.set_ylim(n - 0.5 if n else 0.5, -0.5)
    right = t_end if t_end is not None else max(events.t_max, 1e-9) * 1.01
    ax.set_xlim(-0.005 * right, right)  # a sliver left of 0 keeps t=0 markers whole
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("agent")
    ax.grid(axis="x", alpha=0.3)
    agents_text = "1 agent" if n == 1 else f"{n} agents"
    ax.set_title(f"event timeline ({agents_text}, {events.count} records)")
    if not n:
        ax.text(0.5, 0.5, "no records", transform=ax.transAxes, ha="center")
    handles = []
    for kind, line_kind, label in _LEGEND:
        if kind not in events.points:
            continue
        style = _STYLE[kind]
        trail = _LINE[line_kind] if line_kind else None
        handles.append(
            Line2D(
                [],
                [],
                color=trail.colour if trail else "none",
                linewidth=trail.width if trail else 0.0,
                marker=style.marker,
                markersize=math.sqrt(style.size),
                markerfacecolor=style.face,
                markeredgecolor=style.edge or style.face,
                markeredgewidth=style.edge_width,
                label=label,
            )
        )
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=min(4, len(handles)),
            fontsize=8.5,
            frameon=False,
        )
