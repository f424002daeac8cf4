"""Export trace records to CSV and JSON Lines, and read JSON Lines back."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from heron_simpy.recording.files import atomic_write
from heron_simpy.recording.records import Record

__all__ = ["COLUMNS", "read_jsonl", "record_to_dict", "to_csv", "to_jsonl"]

#: CSV columns: the union of every record kind's fields, in a fixed order.
COLUMNS: tuple[str, ...] = (
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


def record_to_dict(record: Record) -> dict[str, Any]:
    """Return one record as a flat dict with its ``kind`` included."""
    out: dict[str, Any] = {"time": record.time, "kind": record.kind}
    out.update(record._asdict())
    return out


def to_jsonl(records: Iterable[Record], path: str | Path) -> int:
    """Write records as JSON Lines (one object per record).

    The file is written atomically (:func:`atomic_write`): on an error the old
    file, if any, is left unchanged.

    Args:
        records: Records in trace order.
        path: Output file (replaced; missing parent directories are created).

    Returns:
        The number of records written.

    Raises:
        ConfigError: ``path`` is a symbolic link or a directory.
        OSError: The file cannot be written.
    """
    n = 0
    with atomic_write(path) as fh:
        for rec in records:
            fh.write(json.dumps(record_to_dict(rec), allow_nan=False) + "\n")
            n += 1
    return n


def to_csv(records: Iterable[Record], path: str | Path) -> int:
    """Write records as CSV with the columns in :data:`COLUMNS`.

    Fields a record kind does not have are left empty. Times are written with
    ``repr`` so that they read back bit for bit. The file is written
    atomically (:func:`atomic_write`).

    Args:
        records: Records in trace order.
        path: Output file (replaced; missing parent directories are created).

    Returns:
        The number of records written.

    Raises:
        ConfigError: ``path`` is a symbolic link or a directory.
        OSError: The file cannot be written.
    """
    n = 0
    with atomic_write(path) as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        for rec in records:
            row = {
                k: (repr(float(v)) if isinstance(v, (float, np.floating)) else v)
                for k, v in record_to_dict(rec).items()
            }
            writer.writerow(row)
            n += 1
    return n


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSON Lines trace back as a list of dicts (for analysis and tests)."""
    with Path(path).open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for row in rows:
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError(f"trace {path} has a non-finite {key}: {value!r}")
    return rows
