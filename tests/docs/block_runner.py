"""Child process: run one markdown file's python blocks in order, in one namespace.

Usage: ``python -c "$(cat block_runner.py)" SPEC OUT`` where SPEC is a JSON list of
``{"where", "path", "line", "source"}`` (one per block, in file order) and OUT is
where the stdout of each finished block is written (a JSON list, rewritten after
every block). The blocks run in ``__main__``'s namespace, as one script would:
later blocks see earlier names, and the functions they define pickle for worker
processes. ``__doc_check__`` backs the ``expr  # -> value`` lines. Code is compiled
with the markdown file as its file name and its own line numbers, so a traceback
points at the line of the README or docs page.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any


def _doc_check(value: Any, expected: str, where: str) -> None:
    """Fail unless ``repr(value)`` matches ``expected`` (``...`` matches anything)."""
    actual = repr(value)
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    if not re.fullmatch(pattern, actual, flags=re.DOTALL):
        raise AssertionError(
            f"{where}: the page shows {expected}, the code gives {actual}"
        )


class _Tee(io.TextIOBase):
    """Write to a capture buffer and to the real stdout."""

    def __init__(self, *streams: Any) -> None:
        self._streams = streams

    def write(self, text: str) -> int:
        for stream in self._streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


def _run(spec_path: str, out_path: str) -> None:
    blocks = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out = Path(out_path)
    dumps, stdout, stderr = json.dumps, sys.__stdout__, sys.stderr
    namespace = sys.modules["__main__"].__dict__
    namespace["__doc_check__"] = _doc_check
    outputs: list[str] = []
    for block in blocks:
        print(f"--- {block['where']}", file=stderr, flush=True)
        source = "\n" * block["line"] + block["source"]
        # dont_inherit: the blocks compile as written, without this file's
        # ``from __future__`` flags.
        code = compile(source, block["path"], "exec", dont_inherit=True)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(_Tee(buffer, stdout)):
            exec(code, namespace)
        outputs.append(buffer.getvalue())
        out.write_text(dumps(outputs), encoding="utf-8")


_run(sys.argv[1], sys.argv[2])
