"""A huge horizon costs no memory until the run gets there (issue 10, item 3).

``evaluate("battery-v0", t_end=5, horizon=1e9)`` used to pre-draw the whole
episode's load walk at reset: a 14.9 GiB allocation for a 5 s run. Every
scenario now makes its per-step series (noise, arrivals, PV and demand) a chunk
of steps at a time as the plant advances, so build, reset and a short run take
the same memory whatever the horizon. Each case runs in a child process under
the 3 GiB address-space limit of ``run_python``:

- the run finishes and prints its trace length;
- tracemalloc's peak over build + reset + 5 s of run (a second reset
  included) stays under :data:`PEAK_LIMIT`.

heating-v0 reads its horizon's rows from a CSV series (the packaged one allows
one day), so its case is a long series file (200k rows, 694 days at dt =
300 s) and only the peak is checked: reading it must not hold the file's text
(it took ~460 bytes a row, 92 MiB here; now 16 bytes a row). Its run fits in 3
GiB either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from heron_simpy import registry
from tests.hostile.conftest import run_python

PEAK_LIMIT = 50 * 2**20  # bytes tracemalloc may see at its peak
HEATING_ROWS = 200_001  # rows of the long heating series (index 0 .. 200000)

#: scenario id -> overrides with the largest horizon worth trying (1e9 s, or
#: the nearest multiple of dt the Config accepts).
HUGE: dict[str, dict[str, Any]] = {
    "battery-v0": {"horizon": 1e9},
    "sensor-network-v0": {"horizon": 1e9},
    "traffic-v0": {"horizon": 1e9},  # 1e10 steps of 0.1 s
    "microgrid-v0": {"horizon": 1e9},
    "feeder33-v0": {"horizon": 999_999_960.0},  # a multiple of dt = 60 s
    "heating-v0": {"horizon": (HEATING_ROWS - 1) * 300.0},  # series added below
}

_RUN = """
import heron_simpy
episode = heron_simpy.evaluate({sid!r}, t_end=5.0, seed=0, **{overrides!r})
print("trace", len(episode.trace))
"""

_PEAK = """
import tracemalloc
from heron_simpy import registry
registry.build({sid!r})  # imports and packaged data, outside the measurement
tracemalloc.start()
scenario = registry.build({sid!r}, **{overrides!r})
sim = scenario.simulation("ideal", 0)
sim.run_until(sim.kernel.start_time + 5.0)
sim.reset(1)
sim.run_until(sim.kernel.start_time + 5.0)
print("peak", tracemalloc.get_traced_memory()[1])
"""


def _params(*leave_out: str) -> list[Any]:
    """Every registered id but ``leave_out``; those needing an extra are slow."""
    assert sorted(HUGE) == sorted(registry.available()), "a scenario has no case"
    return [
        pytest.param(
            sid, id=sid, marks=[pytest.mark.slow] if registry.spec(sid).requires else []
        )
        for sid in HUGE
        if sid not in leave_out
    ]


def _overrides(sid: str, tmp_path: Path) -> dict[str, Any]:
    """The case's overrides; heating-v0 gets a long series file in ``tmp_path``."""
    overrides = dict(HUGE[sid])
    if sid == "heating-v0":
        path = tmp_path / "long_series.csv"
        with path.open("w") as f:
            f.write("index,outdoor_temp_c,price_per_kwh\n")
            for i in range(HEATING_ROWS):
                f.write(f"{i},{5.0 + (i % 288) / 28.8:.3f},{0.1 + (i % 7) / 20:.2f}\n")
        overrides["series"] = str(path)
    return overrides


def _value(stdout: str, key: str) -> int:
    """The integer printed after ``key`` on the child's last line."""
    last = stdout.strip().splitlines()[-1]
    name, value = last.split()
    assert name == key, stdout[-2000:]
    return int(value)


def _skip_without_requirements(sid: str) -> None:
    missing = registry.spec(sid).missing
    if missing:
        pytest.skip(f"{sid} needs {', '.join(missing)} (an optional extra)")


@pytest.mark.parametrize("sid", _params("heating-v0"))
def test_a_short_run_of_a_huge_horizon_finishes(sid: str, tmp_path: Path) -> None:
    _skip_without_requirements(sid)
    overrides = _overrides(sid, tmp_path)
    done = run_python(_RUN.format(sid=sid, overrides=overrides))
    assert done.returncode == 0, done.stderr[-3000:]
    assert _value(done.stdout, "trace") > 0


@pytest.mark.parametrize("sid", _params())
def test_build_reset_and_run_of_a_huge_horizon_stay_small(
    sid: str, tmp_path: Path
) -> None:
    _skip_without_requirements(sid)
    overrides = _overrides(sid, tmp_path)
    done = run_python(_PEAK.format(sid=sid, overrides=overrides))
    assert done.returncode == 0, done.stderr[-3000:]
    peak = _value(done.stdout, "peak")
    assert peak < PEAK_LIMIT, f"{sid}: tracemalloc peak {peak / 2**20:.1f} MiB"
