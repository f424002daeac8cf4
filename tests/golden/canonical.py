"""Canonical trace text: one stable line per record, and its sha256.

A line is the record kind followed by every field of the record as
``name=value``, in the record's own field order (``NamedTuple._fields``), so new
record kinds and new fields are covered without changes here. Floats are
written exactly (``repr``, the shortest text that reads back as the same bits):
the library keeps SIMD-dispatched maths off everything that reaches a trace
(see ``heron_simpy.timing.libm``), so the same seed gives the same bits on every
x86-64 CPU and nothing needs rounding away.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

_TOKEN = re.compile(r"[^\s=\"'(),]+")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def canonical_value(value: Any) -> str:
    """Format one field value stably (floats exactly, ``-0.0`` as ``0.0``)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value) + 0.0)  # + 0.0 turns -0.0 into 0.0
    if isinstance(value, str):
        return value if _TOKEN.fullmatch(value) else json.dumps(value)
    if value is None:
        return "None"
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return _canonical_compound(value)


def _canonical_compound(value: Any) -> str:
    """Format a named tuple, a dataclass or a sequence field by its parts."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        parts = [f"{n}={canonical_value(getattr(value, n))}" for n in value._fields]
        return f"{type(value).__name__}({','.join(parts)})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = [
            f"{f.name}={canonical_value(getattr(value, f.name))}"
            for f in dataclasses.fields(value)
        ]
        return f"{type(value).__name__}({','.join(parts)})"
    if isinstance(value, (tuple, list)):
        return f"({','.join(canonical_value(v) for v in value)})"
    text = repr(value)
    if _ADDRESS.search(text):
        raise TypeError(
            f"canonical trace text cannot format a {type(value).__name__} "
            f"(its repr holds a memory address), got {text}; teach "
            "tests/golden/canonical.py:canonical_value this type"
        )
    return text


def canonical_line(record: Any) -> str:
    """Return the canonical line of one trace record: kind, then its fields."""
    fields = " ".join(
        f"{name}={canonical_value(getattr(record, name))}" for name in record._fields
    )
    return f"{record.kind} {fields}"


def canonical_lines(trace: Iterable[Any]) -> list[str]:
    """Return the canonical line of every record, in trace order."""
    return [canonical_line(r) for r in trace]


def canonical_text(trace: Iterable[Any]) -> str:
    """Return the canonical text of a trace (one line per record, newline-ended)."""
    return "".join(line + "\n" for line in canonical_lines(trace))


def text_hash(text: str) -> str:
    """Return the sha256 hex digest of a canonical text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
