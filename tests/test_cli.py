"""The heron-simpy command line (the README's main command)."""

from __future__ import annotations

import subprocess
import sys

from heron_simpy.cli import main


def test_demo_prints_table_and_timeline(capsys) -> None:
    assert main(["demo", "--t-end", "30", "--profiles", "ideal,scada"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("heron_simpy demo:")
    assert lines[1].split()[:3] == ["profile", "return", "ticks"]
    assert lines[3].split()[0] == "ideal"
    assert lines[4].split()[0] == "scada"
    assert "timeline under 'scada'" in out
    assert "tick     microgrid" in out


def test_demo_is_deterministic(capsys) -> None:
    main(["demo", "--t-end", "20", "--seed", "3"])
    first = capsys.readouterr().out
    main(["demo", "--t-end", "20", "--seed", "3"])
    assert capsys.readouterr().out == first


def test_unknown_profile_is_one_clear_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "heron_simpy", "demo", "--profiles", "ideal,moon"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "heron-simpy: error: unknown timing profile 'moon'; valid: ideal, lan, scada, traffic, wan"
    )
    assert "Traceback" not in proc.stderr
