"""Rewrite the golden trace summaries and print what changed.

Run from the repository root::

    python -m tests.golden.regenerate                # every registered scenario
    python -m tests.golden.regenerate battery-v0     # only these

Scenarios whose optional requirements are not installed are skipped (say so).
Review the printed changes before committing the files: a golden changes only
when observable behaviour changed on purpose.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from heron_simpy import available, registry
from tests.golden.cases import case_for
from tests.golden.summary import (
    DIRECTORY,
    differences,
    first_difference,
    load,
    run,
    store,
)


def _count_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Per-kind count differences, ``kind: old -> new (+d)``."""
    out = []
    for kind in sorted(set(old) | set(new)):
        a, b = old.get(kind, 0), new.get(kind, 0)
        if a != b:
            out.append(f"{kind}: {a} -> {b} ({b - a:+d})")
    return out


def report(scenario_id: str, old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """Describe the change from the ``old`` golden summary to ``new``."""
    head = f"{scenario_id}: "
    if old is None:
        return head + f"created (sha256 {new['sha256'][:16]}, {new['records']} records)"
    diffs = differences(old, new)
    if not diffs:
        return head + f"unchanged (sha256 {new['sha256'][:16]})"
    lines = [head + "CHANGED"]
    lines.append(f"  sha256: {old.get('sha256', '')[:16]} -> {new['sha256'][:16]}")
    if old.get("records") != new["records"]:
        lines.append(f"  records: {old.get('records')} -> {new['records']}")
    counts = _count_changes(old.get("kinds", {}), new["kinds"])
    lines.append("  kinds: " + ("; ".join(counts) if counts else "same counts"))
    lines += [f"  {d}" for d in diffs if d.startswith(("run", "stat", "return"))]
    first = first_difference(old.get("first_lines", []), new["first_lines"])
    lines += ["  " + line for line in first.splitlines()]
    return "\n".join(lines)


def _selected(names: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """The scenario ids to regenerate (all registered ones by default)."""
    known = available()
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}; registered: {', '.join(known)}")
    return list(names) or list(known)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the selected golden files; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.golden.regenerate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "scenarios", nargs="*", metavar="SCENARIO", help="scenario ids (default: all)"
    )
    args = parser.parse_args(argv)
    for scenario_id in _selected(args.scenarios, parser):
        missing = registry.spec(scenario_id).missing
        if missing:
            print(f"{scenario_id}: skipped (needs {', '.join(missing)})")
            continue
        old = load(scenario_id)
        new = run(case_for(scenario_id)).summary
        store(new)
        print(report(scenario_id, old, new), flush=True)
    registered = set(available())
    for path in sorted(DIRECTORY.glob("*.json")):
        if path.stem not in registered:
            print(f"note: {path.name} belongs to no registered scenario; delete it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
