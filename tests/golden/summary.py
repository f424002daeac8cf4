"""Golden summaries: run a case, summarise it, store it, and compare two summaries.

Used by both ``tests/test_golden.py`` and ``python -m tests.golden.regenerate``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import heron_simpy
from tests.golden.canonical import canonical_lines, text_hash
from tests.golden.cases import Case

DIRECTORY = Path(__file__).resolve().parent
FIRST_LINES = 20
"""Canonical lines kept in the golden file (for a readable first difference)."""
REGENERATE = "python -m tests.golden.regenerate"


def regenerate_command(*scenario_ids: str) -> str:
    """The shell command (run from the repository root) that rewrites goldens."""
    return " ".join((REGENERATE, *scenario_ids))


def path_for(scenario_id: str) -> Path:
    """The golden file of a scenario."""
    return DIRECTORY / f"{scenario_id}.json"


@dataclass(frozen=True)
class GoldenRun:
    """One golden run: its summary and its full canonical lines.

    Attributes:
        summary: What the golden file stores (see :func:`summarise`).
        lines: Every canonical line of the trace.
    """

    summary: dict[str, Any]
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The canonical text (one newline-ended line per record)."""
        return "".join(line + "\n" for line in self.lines)


def exact(value: float) -> float | str:
    """A float as stored: exact (JSON keeps every bit); non-finite as a string."""
    value = float(value)
    if not math.isfinite(value):
        return repr(value)
    return value + 0.0


def _stat(value: Any) -> Any:
    """A stats value as stored: ints and floats exact."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    return exact(value)


def run(case: Case) -> GoldenRun:
    """Run ``case`` (one event-driven episode) and summarise it."""
    episode = heron_simpy.evaluate(
        case.scenario_id,
        profile=case.profile,
        t_end=case.t_end,
        seed=case.seed,
        **case.overrides,
    )
    lines = tuple(canonical_lines(episode.trace))
    kinds = Counter(r.kind for r in episode.trace)
    summary = {
        **case.params(),
        "records": len(lines),
        "kinds": dict(sorted(kinds.items())),
        "stats": {k: _stat(v) for k, v in sorted(episode.stats.as_dict().items())},
        "returns": {a: exact(r) for a, r in sorted(episode.returns.items())},
        "sha256": text_hash("".join(line + "\n" for line in lines)),
        "first_lines": list(lines[:FIRST_LINES]),
    }
    return GoldenRun(summary, lines)


def load(scenario_id: str) -> dict[str, Any] | None:
    """Read a stored golden summary (None if there is no file)."""
    path = path_for(scenario_id)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def store(summary: dict[str, Any]) -> Path:
    """Write a golden summary to its file and return the path."""
    path = path_for(summary["scenario_id"])
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return path


def _same_number(stored: Any, new: Any) -> bool:
    """Ints, floats and strings exactly (same type, same value)."""
    return bool(stored == new) and type(stored) is type(new)


def _mapping_differences(
    label: str, stored: dict[str, Any], new: dict[str, Any], *, keys: list[str]
) -> list[str]:
    """Lines ``label key: stored -> new`` for every key whose values differ."""
    out = []
    for key in keys:
        old, cur = stored.get(key, "(absent)"), new.get(key, "(absent)")
        if not _same_number(old, cur):
            out.append(f"{label} {key}: {old!r} -> {cur!r}")
    return out


def differences(stored: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every way ``new`` disagrees with the ``stored`` golden summary.

    The run parameters, the hash, the record count, the per-kind counts and the
    returns are compared in full. Stats are compared only on the counters the
    stored file has: a counter added to the engine later (zero in these
    fault-free runs) does not break a golden, a changed or removed one does.

    Returns:
        One line per difference; empty when they agree.
    """
    out = _mapping_differences(
        "run", stored, new, keys=["scenario_id", "profile", "seed", "t_end"]
    )
    if stored.get("overrides") != new.get("overrides"):
        out.append(f"run overrides: {stored.get('overrides')} -> {new['overrides']}")
    if stored.get("sha256") != new["sha256"]:
        out.append(f"sha256: {stored.get('sha256')} -> {new['sha256']}")
    out += _mapping_differences("records", stored, new, keys=["records"])
    kinds = sorted(set(stored.get("kinds", {})) | set(new["kinds"]))
    out += _mapping_differences(
        "kind", stored.get("kinds", {}), new["kinds"], keys=kinds
    )
    out += _mapping_differences(
        "stat",
        stored.get("stats", {}),
        new["stats"],
        keys=list(stored.get("stats", {})),
    )
    agents = sorted(set(stored.get("returns", {})) | set(new["returns"]))
    out += _mapping_differences(
        "return", stored.get("returns", {}), new["returns"], keys=agents
    )
    return out


def first_difference(stored: list[str], new: list[str]) -> str:
    """Describe the first line where two lists of canonical lines differ."""
    for i in range(max(len(stored), len(new))):
        old = stored[i] if i < len(stored) else "(none)"
        cur = new[i] if i < len(new) else "(none)"
        if old != cur:
            return f"first differing line {i + 1}:\n  stored: {old}\n  new:    {cur}"
    return f"the first {len(stored)} lines agree; the first difference is further down"
