"""Trace records, the bounded recorder, episode statistics and trace export."""

from __future__ import annotations

from heron_simpy.recording.export import (
    COLUMNS,
    read_jsonl,
    record_to_dict,
    to_csv,
    to_jsonl,
)
from heron_simpy.recording.recorder import MODES, Recorder
from heron_simpy.recording.records import (
    KINDS,
    ApplyRecord,
    DecideRecord,
    DeliverRecord,
    DiscardRecord,
    DropRecord,
    FaultRecord,
    LoseRecord,
    ObserveRecord,
    Record,
    SendRecord,
    TickRecord,
)
from heron_simpy.recording.stats import EpisodeStats
from heron_simpy.recording.timeline import plot_timeline

__all__ = [
    "COLUMNS",
    "KINDS",
    "MODES",
    "ApplyRecord",
    "DecideRecord",
    "DeliverRecord",
    "DiscardRecord",
    "DropRecord",
    "EpisodeStats",
    "FaultRecord",
    "LoseRecord",
    "ObserveRecord",
    "Record",
    "Recorder",
    "SendRecord",
    "TickRecord",
    "plot_timeline",
    "read_jsonl",
    "record_to_dict",
    "to_csv",
    "to_jsonl",
]
