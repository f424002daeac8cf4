"""Write microgrid_profiles.csv: one day of PV and household load at 1-minute steps.

Deterministic from ``--seed`` (default 2024): running it again reproduces the
committed file byte for byte. Shapes:

* ``pv_kw_per_kwp``: a clear-sky bell (sunrise 06:00, sunset 20:00, peak 0.85
  kW per kWp at 13:00) times a cloud factor: an AR(1) process of passing cloud
  banks (a 10-minute correlation time) clipped to [0.25, 1].
* ``load_kw_per_home``: a residential double peak (morning around 07:30,
  evening around 19:00) over a night-time base, with 3 % multiplicative noise.

Usage: ``python scenarios/data/make_microgrid_profiles.py [--seed N] [--out PATH]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

MINUTES = 1440
OUT = Path(__file__).parent / "microgrid_profiles.csv"


def profiles(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (pv_kw_per_kwp, load_kw_per_home), one value per minute of a day."""
    rng = np.random.default_rng(seed)
    hours = np.arange(MINUTES) / 60.0
    # Clear sky: a sine bell between sunrise and sunset, sharpened a little.
    day = np.clip((hours - 6.0) / 14.0, 0.0, 1.0)
    clear = 0.85 * np.sin(np.pi * day) ** 1.3
    # Clouds: AR(1) with a 10-minute correlation time.
    phi = np.exp(-1.0 / 10.0)
    shocks = rng.normal(0.0, 0.12, MINUTES)
    cloud = np.empty(MINUTES)
    x = 0.0
    for k in range(MINUTES):
        x = phi * x + shocks[k]
        cloud[k] = x
    cover = np.clip(1.0 - np.abs(cloud) * 1.2, 0.25, 1.0)
    pv = clear * cover
    # Residential load: base + morning + evening peaks, kW per home.
    base = 0.35 + 0.1 * np.cos(2 * np.pi * (hours - 15.0) / 24.0)
    morning = 0.55 * np.exp(-0.5 * ((hours - 7.5) / 1.0) ** 2)
    evening = 1.10 * np.exp(-0.5 * ((hours - 19.0) / 1.6) ** 2)
    midday = 0.15 * np.exp(-0.5 * ((hours - 12.5) / 1.5) ** 2)
    load = (base + morning + evening + midday) * (1.0 + rng.normal(0.0, 0.03, MINUTES))
    return np.round(pv, 4), np.round(np.maximum(load, 0.05), 4)


def main() -> None:
    """Parse the arguments and write the CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    pv, load = profiles(args.seed)
    lines = ["minute,pv_kw_per_kwp,load_kw_per_home"]
    lines += [
        f"{m},{p:.4f},{q:.4f}" for m, (p, q) in enumerate(zip(pv, load, strict=True))
    ]
    args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
