"""Each example script under docs/examples prints exactly its committed .out file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_output_matches(script: Path) -> None:
    expected = script.with_suffix(".out").read_text()
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True
    )
    assert proc.stdout == expected


def test_there_are_examples() -> None:
    assert EXAMPLES
