"""Generate heating_series.csv: the exogenous inputs of heating-v0.

Run ``python scenarios/data/make_heating_series.py [--seed 0] [--rows 289]
[--dt 300] [--out PATH]``. The output is deterministic for a seed:

* ``outdoor_temp_c``: a daily sinusoid (mean 5 C, amplitude 5 C, coldest at
  04:00) plus seeded Gaussian noise (sd 0.3 C), rounded to 0.01 C.
* ``price_per_kwh``: two-level time of use, 0.35 from 07:00 to 22:00 (peak),
  0.15 otherwise.

Row ``index`` k is the value at ``k * dt`` seconds after the episode start.
"""

from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

ROWS = 24 * 12 + 1  # default horizon (288 steps of 300 s) + 1
DT = 300.0
PEAK = (7.0, 22.0)  # peak-price hours [start, end)
PRICES = (0.15, 0.35)  # off-peak, peak per kWh


def series(seed: int = 0, rows: int = ROWS, dt: float = DT) -> list[tuple]:
    """Rows ``(index, outdoor_temp_c, price_per_kwh)``."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, 0.3, rows)
    out = []
    for k in range(rows):
        hour = (k * dt / 3600.0) % 24.0
        temp = 5.0 - 5.0 * math.cos(2.0 * math.pi * (hour - 4.0) / 24.0) + noise[k]
        price = PRICES[1] if PEAK[0] <= hour < PEAK[1] else PRICES[0]
        out.append((k, round(float(temp), 2), price))
    return out


def write(path: Path, rows: list[tuple]) -> None:
    """Write ``rows`` as CSV with a header."""
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("index", "outdoor_temp_c", "price_per_kwh"))
        w.writerows(rows)


def main() -> None:
    """Command line entry point."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rows", type=int, default=ROWS)
    p.add_argument("--dt", type=float, default=DT)
    p.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "heating_series.csv"
    )
    a = p.parse_args()
    write(a.out, series(a.seed, a.rows, a.dt))


if __name__ == "__main__":
    main()
