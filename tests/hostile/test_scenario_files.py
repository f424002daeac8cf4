"""Hostile scenario data files: heating-v0's ``series=`` CSV is user input.

Each file is refused with one ConfigError naming the file and what is wrong,
before anything runs; none is read without bound and none hangs (a FIFO or a
device is never opened).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from heron_simpy import ConfigError, make
from tests.hostile.conftest import assert_refused, run_cli

HEADER = "index,outdoor_temp_c,price_per_kwh\n"


def _binary(tmp: Path) -> Path:
    path = tmp / "binary.csv"
    path.write_bytes(HEADER.encode() + b"\xff\xfe\x00\x01" * 64)
    return path


def _long_field(tmp: Path) -> Path:
    path = tmp / "long.csv"
    path.write_text(HEADER + '0,"' + "x" * 300_000 + "\n")
    return path


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.csv"
    os.mkfifo(path)
    return path


def _directory(tmp: Path) -> Path:
    path = tmp / "folder.csv"
    path.mkdir()
    return path


CASES = [
    pytest.param(_binary, ["binary.csv", "must be UTF-8 text", "0xff"], id="binary"),
    pytest.param(_long_field, ["long.csv", "must be CSV text", "field limit"], id="long-field"),
    pytest.param(_fifo, ["pipe.csv", "must be a regular file"], id="fifo"),
    pytest.param(_directory, ["folder.csv", "must be a regular file"], id="directory"),
    pytest.param(lambda tmp: Path("/dev/zero"), ["/dev/zero", "must be a regular file"], id="dev-zero"),
]  # fmt: skip


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("write", "culprits"), CASES)
def test_a_hostile_series_is_refused_naming_the_file(
    write: Callable[[Path], Path], culprits: list[str], tmp_path: Path
) -> None:
    path = write(tmp_path)
    with pytest.raises(ConfigError) as excinfo:
        make("heating-v0", series=str(path))
    message = str(excinfo.value)
    for culprit in culprits:
        assert culprit in message, f"{culprit!r} not in {message!r}"


@pytest.mark.parametrize(("write", "culprits"), CASES[:3])
def test_the_cli_refuses_a_hostile_series_in_one_line(
    write: Callable[[Path], Path], culprits: list[str], tmp_path: Path
) -> None:
    path = write(tmp_path)
    result = run_cli(
        ["run", "heating-v0", "--set", f"series={path}", "--t-end", "600"],
        timeout=60,
        cwd=tmp_path,
    )
    assert_refused(result, culprits[:2])
