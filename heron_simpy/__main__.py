"""Allow ``python -m heron_simpy``."""

from __future__ import annotations

import os
import sys

from heron_simpy.cli import main


def _drop_working_directory() -> None:
    """Remove the working directory that ``python -m`` put first on sys.path.

    Otherwise a file in it such as ``tqdm.py`` or ``matplotlib.py`` would be
    imported instead of the installed module when the CLI imports it on use.
    A ``--policy`` module is still found there: it is looked up last.
    """
    safe_path = getattr(sys.flags, "safe_path", False)  # -P, Python >= 3.11
    if not safe_path and sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]


_drop_working_directory()
sys.exit(main())
