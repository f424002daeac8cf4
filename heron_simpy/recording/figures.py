"""Shared plumbing of the PNG plots: lazy matplotlib, one DPI, saving."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from heron_simpy.exceptions import ConfigError
from heron_simpy.recording.files import atomic_write

__all__ = ["DPI", "has_matplotlib", "load_matplotlib", "save_figure"]

#: Resolution of every PNG heron_simpy writes.
DPI = 120


def has_matplotlib() -> bool:
    """Whether the optional plotting dependency can be imported."""
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        return False
    return True


def load_matplotlib(what: str) -> tuple[Any, Any]:
    """Import matplotlib's Figure and Agg canvas, or raise a ConfigError."""
    try:
        import matplotlib  # noqa: F401, PLC0415  (optional extra, imported on use)
        from matplotlib.backends.backend_agg import (  # noqa: PLC0415
            FigureCanvasAgg,
        )
        from matplotlib.figure import Figure  # noqa: PLC0415
    except ImportError:
        raise ConfigError(
            f"{what} needs matplotlib: pip install 'heron-simpy[plot]'"
        ) from None
    return Figure, FigureCanvasAgg


def save_figure(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (atomically) and release it."""
    out = Path(path)
    try:
        with atomic_write(out, binary=True) as fh:
            fig.savefig(fh, format="png", dpi=DPI)
    finally:
        fig.clear()
    return out
