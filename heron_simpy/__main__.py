"""Allow ``python -m heron_simpy``."""

from __future__ import annotations

import sys

from heron_simpy.cli import main

sys.exit(main())
