"""Shared plumbing of the benchmark scripts: arguments, versions, JSON output."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


def parser(description: str) -> argparse.ArgumentParser:
    """Return the argument parser every benchmark shares."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--sizes", type=int, nargs="+", default=None, help="population sizes"
    )
    p.add_argument("--horizon", type=float, default=None, help="simulated seconds")
    p.add_argument("--repeat", type=int, default=1, help="timed repeats (best is kept)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--quick", action="store_true", help="small sizes, for CI smoke runs"
    )
    p.add_argument("--json", type=Path, default=None, help="write results here")
    return p


def versions() -> dict[str, str]:
    """Versions of Python and the packages a benchmark depends on."""
    out = {"python": platform.python_version(), "machine": platform.machine()}
    for pkg in ("heron-simpy", "simpy", "numpy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def write(path: Path | None, payload: dict[str, Any]) -> None:
    """Write ``payload`` as JSON to ``path`` (if given)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path}", file=sys.stderr)
