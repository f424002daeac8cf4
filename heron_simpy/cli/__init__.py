"""The ``heron-simpy`` command line: list, run, compare, bench and demo.

One module per command (``listing``, ``run``, ``compare``, ``bench``,
``demo``), the arguments they share in ``parsing`` and the program itself
(parser, :func:`main`, error handling) in ``program``.

Every subcommand returns an exit code: 0 on success, 2 on bad input or a
failed episode (one line ``heron-simpy: error: <message>`` on stderr, no
traceback; argparse usage errors keep argparse's own output; an invalid
``--profile-file`` lists one problem per line), 130 on Ctrl-C. Output paths are
checked before anything runs, and every file is written atomically. When
``compare`` stops early (a failed episode, Ctrl-C) it still writes the rows of
every regime that finished. matplotlib and tqdm are optional: without them
``compare`` skips its PNG and shows a plain progress line.
"""

from __future__ import annotations

from heron_simpy.cli.program import main

__all__ = ["main"]
