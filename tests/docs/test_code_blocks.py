"""Docs run: every fenced code block in README.md and docs/**/*.md is executed or checked.

How each fence language is handled (``codeblocks.LANGUAGES``; a fence in any other
language, or a bare fence, fails ``test_fence_languages_are_known``):

- ``python``: all python blocks of one file run in order in one fresh child process
  (later blocks use earlier names), in an empty temporary folder, under a time
  limit and a 3 GiB address-space limit. A line ``expr  # -> value`` checks that
  ``repr(expr)`` matches ``value`` (``...`` matches anything); a ``text`` block
  right after a python block is that block's expected stdout.
- ``bash`` / ``sh``: each command line runs in its own ``bash -c`` in an empty
  temporary folder holding a copy of every docs/ path the line names (e.g.
  docs/profiles/example_site.toml), with this Python's bin folder first on PATH, so
  ``heron-simpy`` is the installed script (``python -m heron_simpy`` when there is
  none). It must exit 0, and every ``--out`` / ``--trace`` / ``--plot`` path it
  names must exist afterwards.
- ``console``: each ``$ command`` runs the same way and its stdout must equal the
  lines shown below it (the comparison tables of docs/scenarios/*.md are checked
  against a fresh run).
- ``toml`` / ``yaml``: parsed; a profile file loads with ``heron_simpy.load_profiles``.
  ``text``: diagrams and formulas; a command line or a ``compare`` table inside one
  fails (it belongs in a console block, where it is run).

The command lines in the header comment of docs/profiles/*.toml run like bash lines.

Not run here, and listed exactly in ``NOT_RUN`` (a test asserts that these are the
only such lines, so a new install line or an unrun command fails): the README's two
fresh-machine lines. ``pip install`` changes the environment the suite runs in, and
``python3 -m pytest -q`` is this suite. ``.ci/run`` runs the second line itself in
a fresh virtual environment; of the first, the command after the install runs here
(``heron-simpy compare battery-v0``, slow), and the non-editable install is
exercised by the slow test in tests/test_install.py (``--target`` install).

Cost: the default run executes the python blocks of README.md and the quick
commands. Whole ``compare`` runs, plotting, the full ``bench`` and ``--backend ray``
are marked slow (``.ci/run`` runs them with ray and pandapower installed); a block
that needs an optional module that is missing (ray, pandapower, matplotlib) is
skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import pytest

from heron_simpy import load_profiles
from tests.docs.codeblocks import (
    LANGUAGES,
    ROOT,
    SHELL,
    Block,
    Command,
    plan,
    profile_files,
    with_checks,
)

PLAN = plan()
RUNNER = Path(__file__).with_name("block_runner.py")
MEMORY_LIMIT = 3 * 1024**3  # bytes of address space a child may map
QUICK_TIMEOUT = 120.0  # seconds for one default-run command or python file
SLOW_TIMEOUT = 600.0  # seconds for one slow command (the full bench takes ~3 min)

# Exact command lines that are not run as written: line -> (what runs instead, why).
NOT_RUN: dict[str, tuple[str | None, str]] = {
    'python3 -m pip install ".[plot]" && heron-simpy compare battery-v0': (
        "heron-simpy compare battery-v0",
        "the install is a fresh machine's step; the command after it runs",
    ),
    'python3 -m pip install -e ".[dev]" && python3 -m pytest -q': (
        None,
        "the README's test command is this suite; .ci/run runs it",
    ),
}

# Text that makes a block need an optional module (skipped when it is missing).
REQUIRES = {
    "feeder33-v0": "pandapower",
    "--backend ray": "ray",
    ".png": "matplotlib",
}

# Command paths whose existence is checked after the command ran.
OUTPUT_FLAGS = ("--out", "--trace", "--plot")


# ----------------------------------------------------------------- helpers
def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _missing(text: str) -> list[str]:
    """Optional modules ``text`` needs that are not importable here."""
    return sorted(
        module
        for needle, module in REQUIRES.items()
        if needle in text and importlib.util.find_spec(module) is None
    )


def _slow_reason(command: str) -> str | None:
    """Why a command belongs to the slow run, or None for the default run."""
    words = command.split()
    if "compare" in words:
        return "a whole compare run (and its plot)"
    if "--plot" in words:
        return "plotting"
    if "bench" in words and "--quick" not in words:
        return "the full throughput benchmark"
    return None


def _env() -> dict[str, str]:
    """This Python's bin folder first on PATH; a headless matplotlib."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    env["MPLBACKEND"] = "Agg"
    return env


def _shell_prelude() -> str:
    """Define ``heron-simpy`` as ``python -m heron_simpy`` when no script exists."""
    if (Path(sys.executable).parent / "heron-simpy").exists():
        return ""
    return f'heron-simpy() {{ {shlex.quote(sys.executable)} -m heron_simpy "$@"; }}\n'


def _words(command: str) -> list[str]:
    """The command's words, with ``NAME=value`` assignments split into both parts."""
    words = shlex.split(command, comments=True)
    return [part for word in words for part in word.split("=", 1)]


def _copy_named_docs(command: str, into: Path) -> None:
    """Copy each docs/ file or folder the command names to the same place in ``into``."""
    for word in _words(command):
        source = ROOT / word
        if not word.startswith("docs/") or not source.exists():
            continue
        target = into / word
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)


def _outputs(command: str) -> list[str]:
    """Paths given to ``--out``, ``--trace`` and ``--plot`` (``compare``: its JSON)."""
    words = shlex.split(command, comments=True)
    paths = [b for a, b in itertools.pairwise(words) if a in OUTPUT_FLAGS]
    if "compare" in words:
        out = next((b for a, b in itertools.pairwise(words) if a == "--out"), None)
        paths.append(f"{(out or 'heron-out').rstrip('/')}/compare.json")
    return paths


def _run(
    argv: list[str], cwd: Path, timeout: float, limit_memory: bool
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv,
            cwd=cwd,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_limit_memory if limit_memory else None,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{argv[-1][:200]!r} still running after {timeout} s")


def _param(item: Any, where: str, slow: str | None) -> Any:
    marks = [pytest.mark.slow] if slow else []
    return pytest.param(item, id=where, marks=marks)


# ----------------------------------------------------------------- the plan
def _command_params() -> list[Any]:
    params = []
    for command in PLAN.commands:
        run = NOT_RUN.get(command.text, (command.text, ""))[0]
        if run is None:
            continue
        slow = _slow_reason(run)
        params.append(_param(command, command.where, slow))
    return params


def _python_params() -> list[Any]:
    params = []
    for path, blocks in PLAN.python.items():
        where = f"{path}:{'+'.join(str(b.line) for b in blocks)}"
        text = "\n".join(b.text for b in blocks)
        slow = "needs an optional extra" if _missing_any(text) else None
        params.append(_param(blocks, where, slow))
    return params


def _missing_any(text: str) -> bool:
    """Whether ``text`` names anything that needs an optional module."""
    return any(needle in text for needle in REQUIRES if needle != ".png")


COMMANDS = _command_params()
PYTHON = _python_params()
DATA = [pytest.param(b, id=b.where) for b in PLAN.data]


# ----------------------------------------------------------------- coverage
def test_fence_languages_are_known() -> None:
    unknown = [
        f"{b.where} {b.lang or '(bare fence)'}"
        for b in PLAN.blocks
        if b.lang not in LANGUAGES
    ]
    assert not unknown, (
        "fences in a language this test does not handle (add it to "
        f"codeblocks.LANGUAGES with how it is run; tag diagrams `text`): {unknown}"
    )


def test_every_block_is_run_or_checked() -> None:
    assert len(PLAN.blocks) >= 20, [b.where for b in PLAN.blocks]
    covered: set[Block] = {b for blocks in PLAN.python.values() for b in blocks}
    covered |= set(PLAN.data)
    command_lines = {(c.path, c.line) for c in PLAN.commands}
    for block in PLAN.blocks:
        if block.lang in (*SHELL, "console") and any(
            path == block.path and block.line < line < block.end
            for path, line in command_lines
        ):
            covered.add(block)
    assert [b.where for b in PLAN.blocks if b not in covered] == []
    # Each python file and each command that is not allowlisted is a test row.
    assert len(PYTHON) == len(PLAN.python)
    run = [c for c in PLAN.commands if NOT_RUN.get(c.text, ("",))[0] is not None]
    assert len(COMMANDS) == len(run)


def test_not_run_lines_are_exactly_the_allowlist() -> None:
    texts = [c.text for c in PLAN.commands]
    for line in NOT_RUN:
        assert texts.count(line) == 1, f"allowlisted line not in the docs: {line!r}"
    installs = [
        c.where for c in PLAN.commands if re.search(r"pip install|pytest", c.text)
    ]
    allowed = [c.where for c in PLAN.commands if c.text in NOT_RUN]
    assert installs == allowed, "an install or test-suite line that is not allowlisted"


def test_profile_files_load() -> None:
    files = profile_files()
    assert files
    for path in files:
        assert load_profiles(path), path


# ----------------------------------------------------------------- running
def _run_python(
    blocks: list[Block], expected: dict[Block, Block], tmp_path: Path
) -> None:
    """Run ``blocks`` in one child; fail on an error, a ``# ->`` or stdout mismatch."""
    spec = [
        {
            "where": b.where,
            "path": str(ROOT / b.path),
            "line": b.line,
            "source": with_checks(b),
        }
        for b in blocks
    ]
    spec_file, out_file = tmp_path / "blocks.json", tmp_path / "stdout.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    work = tmp_path / "cwd"
    work.mkdir()
    argv = [sys.executable, "-c", RUNNER.read_text(encoding="utf-8")]
    done = _run([*argv, str(spec_file), str(out_file)], work, QUICK_TIMEOUT, True)
    assert done.returncode == 0, done.stderr[-4000:]
    outputs = json.loads(out_file.read_text(encoding="utf-8"))
    for block, printed in zip(blocks, outputs, strict=True):
        shown = expected.get(block)
        if shown is not None:
            assert printed.rstrip("\n").splitlines() == shown.text.splitlines(), (
                f"{block.where} prints other than the text block at {shown.where}"
            )


@pytest.mark.parametrize("blocks", PYTHON)
def test_python_blocks(blocks: list[Block], tmp_path: Path) -> None:
    missing = _missing("\n".join(b.text for b in blocks))
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (an optional extra)")
    _run_python(blocks, PLAN.python_expected, tmp_path)


def _run_command(command: Command, run: str, tmp_path: Path) -> None:
    """Run one command line; fail on an error, other output, or a missing file."""
    _copy_named_docs(run, tmp_path)
    timeout = SLOW_TIMEOUT if _slow_reason(run) else QUICK_TIMEOUT
    # Ray maps its object store into the address space: no limit for it.
    limit = "--backend ray" not in run
    done = _run(["bash", "-c", _shell_prelude() + run], tmp_path, timeout, limit)
    assert done.returncode == 0, f"{command.where}: {run}\n{done.stderr[-4000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-4000:]
    if command.expected is not None:
        assert done.stdout.rstrip("\n").splitlines() == list(command.expected), (
            f"{command.where}: the page shows other output than {run!r} prints now"
        )
    for path in _outputs(run):
        assert (tmp_path / path).exists(), f"{command.where}: {path} was not written"


@pytest.mark.parametrize("command", COMMANDS)
def test_command(command: Command, tmp_path: Path) -> None:
    run = NOT_RUN.get(command.text, (command.text, ""))[0]
    assert run is not None
    missing = _missing(run + "\n" + "\n".join(command.expected or ()))
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (an optional extra)")
    _run_command(command, run, tmp_path)


@pytest.mark.parametrize("block", DATA)
def test_data_block(block: Block, tmp_path: Path) -> None:
    if block.lang == "text":
        for line in block.text.splitlines():
            assert not re.match(r"\S+: \d+ regimes x \d+ seeds", line), (
                f"{block.where}: command output belongs in a console block "
                "under its `$ command`, where it is checked"
            )
            assert not line.startswith(("$ ", "heron-simpy ", "python")), (
                f"{block.where}: a command in a text block is never run: {line!r}"
            )
        return
    if block.lang == "toml":
        data = tomllib.loads(block.text)
    else:
        yaml = pytest.importorskip("yaml", reason="pyyaml not installed (yaml extra)")
        data = yaml.safe_load(block.text)
    assert isinstance(data, dict), f"{block.where}: not a table"
    if {"profiles", "schedules"} & set(data):
        path = tmp_path / f"block.{block.lang}"
        path.write_text(block.text, encoding="utf-8")
        assert load_profiles(path), block.where


# ----------------------------------------------------------------- the checker
PAGE = """\
# A page

```python
import math
math.sqrt(16)  # -> 4.0  (a remark)
print("a", 1)
```

```text
a 1
```

```python
print(math.pi)  # an earlier block's name
(1, 2, 3)  # -> (1, ...)
```

```console
$ echo one \\
    two
one two
$ printf 'x\\n'
x
```
"""


def _page(tmp_path: Path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def test_checker_reads_a_page(tmp_path: Path) -> None:
    found = plan([_page(tmp_path, PAGE)])
    assert [b.lang for b in found.blocks] == ["python", "text", "python", "console"]
    first, second = next(iter(found.python.values()))
    assert found.python_expected == {first: found.blocks[1]}
    assert [(c.line, c.text, c.expected) for c in found.commands] == [
        (19, "echo one two", ("one two",)),
        (22, "printf 'x\\n'", ("x",)),
    ]
    _run_python([first, second], found.python_expected, tmp_path)
    for command in found.commands:
        _run_command(command, command.text, tmp_path)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (PAGE.replace("-> 4.0", "-> 5.0"), "the page shows 5.0, the code gives 4.0"),
        (PAGE.replace("\na 1\n", "\na 2\n"), "prints other than the text block"),
        (PAGE.replace("-> (1, ...)", "-> (2, ...)"), "the code gives (1, 2, 3)"),
        (PAGE.replace("\none two\n", "\none\n"), "the page shows other output"),
        (PAGE.replace("$ printf", "$ exit 3; printf"), "page.md:22: exit 3; printf"),
    ],
    ids=["wrong value", "wrong stdout", "wrong ellipsis", "wrong output", "exit 1"],
)
def test_checker_fails_on_a_page_that_lies(
    tmp_path: Path, page: str, message: str
) -> None:
    found = plan([_page(tmp_path, page)])

    def run_page() -> None:
        _run_python(next(iter(found.python.values())), found.python_expected, tmp_path)
        for command in found.commands:
            _run_command(command, command.text, tmp_path)

    with pytest.raises(AssertionError, match=re.escape(message)):
        run_page()


def test_checker_refuses_what_it_cannot_run(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is never closed"):
        plan([_page(tmp_path, "```python\nx = 1\n")])
    found = plan([_page(tmp_path, "```python\nx = 1  # -> 1\n```\n")])
    with pytest.raises(ValueError, match="follows a one-line expression"):
        with_checks(found.blocks[0])
    with pytest.raises(ValueError, match="starts with a '\\$ ' line"):
        plan([_page(tmp_path, "```console\noutput first\n```\n")])
