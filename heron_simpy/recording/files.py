"""Write output files atomically, never through a link, and check paths up front."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from heron_simpy.exceptions import ConfigError

__all__ = ["atomic_write", "check_output_dir", "check_output_file"]

_TEMP_TRIES = 32
_NAME_KEEP = 200  # characters of the target's name kept in the temp file's name


@contextlib.contextmanager
def atomic_write(path: str | Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` that replaces ``path`` on success.

    The data goes to a new file in the same directory, is flushed to disk
    (``fsync``) and renamed over ``path`` in one step (``os.replace``), so a
    reader sees the old file or the new one, never a part. When anything fails
    (a full disk, an exception inside the ``with`` block, Ctrl-C) the
    temporary file is removed and the old file is left as it was. A symbolic
    link at ``path`` is refused, never written through. Missing parent
    directories are created. Every file heron_simpy writes goes through here.

    Args:
        path: The file to write.
        binary: Yield a binary file instead of a UTF-8 text file (newlines
            written as given).

    Yields:
        The open temporary file.

    Raises:
        ConfigError: ``path`` is a symbolic link or a directory.
        OSError: The directory cannot be created or the data cannot be
            written (for example ``ENOSPC``); ``path`` is then unchanged.

    Example:
        >>> import tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
        >>> with atomic_write(out) as fh:
        ...     _ = fh.write("done")
        >>> out.read_text()
        'done'
    """
    out = Path(path)
    _refuse_link_or_dir(out, "output file")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp(out)
    try:
        with _open_fd(fd, binary) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_dir(out.parent)


def _open_fd(fd: int, binary: bool) -> IO[Any]:
    """Wrap ``fd`` in a file object, closing ``fd`` if that fails."""
    try:
        if binary:
            return os.fdopen(fd, "wb")
        return os.fdopen(fd, "w", encoding="utf-8", newline="")
    except BaseException:
        os.close(fd)
        raise


def _create_temp(out: Path) -> tuple[int, Path]:
    """Create a new, empty file beside ``out`` with its mode; return fd and path."""
    try:
        mode = stat.S_IMODE(out.stat().st_mode)
    except OSError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMP_TRIES):
        tmp = out.with_name(f".{out.name[:_NAME_KEEP]}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        if mode is not None and hasattr(os, "fchmod"):
            with contextlib.suppress(OSError):
                os.fchmod(fd, mode)
        return fd, tmp
    raise FileExistsError(f"no free temporary name beside {str(out)!r}")


def _sync_dir(folder: Path) -> None:
    """Flush a directory entry to disk where the platform allows (POSIX)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _refuse_link_or_dir(path: Path, subject: str) -> None:
    """Refuse a file path that is a symbolic link or a directory."""
    if path.is_symlink():
        raise ConfigError(
            f"{subject} must not be a symbolic link (heron-simpy never writes "
            f"through links; remove it or pick another path), got {str(path)!r}"
        )
    if path.is_dir():
        raise ConfigError(f"{subject} must not be a directory, got {str(path)!r}")


def check_output_file(path: str | Path, subject: str) -> Path:
    """Check before any work that ``path`` can be written (nothing is created).

    Args:
        path: The file to be written later (with :func:`atomic_write`).
        subject: Names the file in an error, e.g. ``"run --trace"``.

    Returns:
        ``path`` as a Path.

    Raises:
        ConfigError: ``path`` is a symbolic link or a directory, or its folder
            cannot be created or written.
    """
    out = Path(path)
    _refuse_link_or_dir(out, subject)
    _writable_dir(out.parent, f"{subject} folder")
    return out


def check_output_dir(path: str | Path, subject: str, names: tuple[str, ...]) -> Path:
    """Check before any work that files ``names`` can be written into ``path``.

    Nothing is created: a missing ``path`` is checked by its nearest existing
    parent, and :func:`atomic_write` creates the folders when it writes.

    Args:
        path: The output directory.
        subject: Names the directory in an error, e.g. ``"compare --out"``.
        names: The files that will be written into it.

    Returns:
        ``path`` as a Path.

    Raises:
        ConfigError: ``path`` is a symbolic link or an existing file, cannot
            be created or written, or one of ``names`` in it is a link or a
            directory.
    """
    out = Path(path)
    if out.is_symlink():
        raise ConfigError(
            f"{subject} must not be a symbolic link (heron-simpy never writes "
            f"through links; remove it or pick another path), got {str(out)!r}"
        )
    _writable_dir(out, subject)
    for name in names:
        _refuse_link_or_dir(out / name, f"{subject} output")
    return out


def _writable_dir(folder: Path, subject: str) -> None:
    """Check that ``folder`` is, or can be made, a folder files can be made in."""
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            f"{subject} must be a directory, not a file, got {str(folder)!r}"
        )
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise ConfigError(
            f"{subject} cannot be created (Not a directory: {str(existing)!r}), "
            f"got {str(folder)!r}"
        )
    try:  # the real test (os.access says yes to root on a read-only folder)
        fd, probe = _create_temp(existing / ".heron-probe")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        verb = (
            "must be a writable directory"
            if existing == folder
            else ("cannot be created")
        )
        raise ConfigError(f"{subject} {verb} ({reason}), got {str(folder)!r}") from exc
    os.close(fd)
    probe.unlink()
