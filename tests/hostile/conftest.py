"""Runners that turn a hang or a memory blow-up into a test failure.

``run_cli`` runs ``python -m heron_simpy ARGS`` in a child process under a wall
time limit and an address-space limit, so an input that would hang or exhaust the
machine fails its test instead of stalling CI. ``run_python`` does the same for
a snippet of Python. ``assert_refused`` checks the CLI's refusal shape: exit
code 2 and one ``heron-simpy ...: error: ...`` line naming every culprit.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space a child may map


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(
    argv: Sequence[str], timeout: float, cwd: Path | None, stdin: str | None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            input=stdin,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"hung: {' '.join(argv)!r} still running after {timeout} s")


def run_cli(
    args: Sequence[str],
    *,
    timeout: float = 60.0,
    cwd: Path | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m heron_simpy *args`` in a child, bounded in time and memory."""
    return _run([sys.executable, "-m", "heron_simpy", *args], timeout, cwd, stdin)


def run_python(
    code: str, *, timeout: float = 60.0, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -c code`` in a child, bounded in time and memory."""
    return _run([sys.executable, "-c", code], timeout, cwd, None)


def assert_refused(
    result: subprocess.CompletedProcess[str], culprits: Sequence[str]
) -> str:
    """Assert exit code 2 and one error line naming every culprit; return it."""
    err = result.stderr
    assert result.returncode == 2, f"rc={result.returncode}\n{err[-2000:]}"
    assert "Traceback" not in err, err[-2000:]
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) >= 1, err
    last = lines[-1]
    assert last.startswith("heron-simpy"), err[-2000:]
    assert ": error: " in last, err[-2000:]
    for culprit in culprits:
        assert culprit in last, f"{culprit!r} not in {last!r}"
    return last
