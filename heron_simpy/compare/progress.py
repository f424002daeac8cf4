"""Episode progress of a comparison: a tqdm bar when installed, else a text line."""

from __future__ import annotations

from typing import Any, TextIO

__all__ = ["ProgressLine"]


class ProgressLine:
    """Episode progress on a stream: a tqdm bar if tqdm is installed, else a line.

    Pass it as ``compare(..., progress=ProgressLine(sys.stderr))`` and call
    :meth:`close` when the comparison returns.

    Args:
        stream: Where to write (for example ``sys.stderr``).
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._bar: Any = None
        self._shown = False
        try:
            from tqdm import tqdm  # noqa: PLC0415  (optional extra)
        except ImportError:
            self._tqdm: Any = None
        else:
            self._tqdm = tqdm

    def __call__(self, done: int, total: int) -> None:
        """Show ``done`` of ``total`` episodes finished."""
        if self._tqdm is not None:
            if self._bar is None:
                self._bar = self._tqdm(
                    total=total, desc="episodes", unit="ep", file=self._stream
                )
            self._bar.update(done - self._bar.n)
            return
        self._stream.write(f"\r{done}/{total} episodes")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """Finish the bar or the line."""
        if self._bar is not None:
            self._bar.close()
        elif self._shown:
            self._stream.write("\n")
            self._stream.flush()
