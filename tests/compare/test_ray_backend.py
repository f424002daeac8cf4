"""backend="ray" on a local Ray gives the same rows as the local process pool."""

from __future__ import annotations

import pytest

from heron_simpy.compare import compare, parse_sweep

pytestmark = pytest.mark.slow


def test_local_ray_rows_equal_local_backend() -> None:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    kwargs = {"profiles": ["ideal", "wan", "scada"], "seeds": 3, "t_end": 30.0}
    try:
        on_ray = compare("battery-v0", backend="ray", **kwargs)
        swept = compare(
            "battery-v0",
            backend="ray",
            seeds=2,
            t_end=20.0,
            sweep=parse_sweep("loss=0:0.3:3", base="lan"),
        )
    finally:
        ray.shutdown()
    local = compare("battery-v0", workers=2, **kwargs)
    assert on_ray.rows == local.rows
    assert on_ray.episodes == local.episodes
    assert (
        swept.rows
        == compare(
            "battery-v0",
            workers=1,
            seeds=2,
            t_end=20.0,
            sweep=parse_sweep("loss=0:0.3:3", base="lan"),
        ).rows
    )
