"""Find the fenced code blocks of the README and docs/, and plan how each one is run.

A block is the text between an opening fence (three or more backticks or tildes,
then an optional language) and its closing fence. ``plan()`` turns every block
into work for tests/docs/test_code_blocks.py:

- ``python``: all python blocks of one file, run in order in one child process;
- ``bash`` / ``sh``: each command line (``\\`` continues a line);
- ``console``: each ``$ command`` line, with the output lines below it as the
  expected standard output;
- ``toml`` / ``yaml`` / ``text``: data, checked without running anything.

The command lines written in the header comment of docs/profiles/*.toml
(``#   heron-simpy ...``) are planned as shell commands too.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LANGUAGES = {
    "python": "run: one child process per file, blocks in order",
    "bash": "run: each command line in a child shell",
    "sh": "run: each command line in a child shell",
    "console": "run: each `$ ` line; the lines below it are its expected stdout",
    "toml": "data: parsed; profile files load with heron_simpy.load_profiles",
    "yaml": "data: parsed; profile files load with heron_simpy.load_profiles",
    "text": "data: diagrams and formulas (command output belongs in console)",
}
SHELL = ("bash", "sh")

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_EXPECT = "# -> "


@dataclass(frozen=True)
class Block:
    """One fenced block.

    Attributes:
        path: The markdown file, relative to the repository root.
        line: 1-based line of the opening fence.
        end: 1-based line of the closing fence.
        lang: The first word of the info string ("" for a bare fence).
        text: The lines between the fences, joined with newlines.
    """

    path: str
    line: int
    end: int
    lang: str
    text: str

    @property
    def where(self) -> str:
        """``file:line`` of the opening fence."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Command:
    """One shell command line of a block, or of a profile file's header comment.

    Attributes:
        path: File it was written in, relative to the repository root.
        line: 1-based line where the command starts.
        text: The command as written (continuations joined).
        expected: For a console block, the stdout lines shown below it.
    """

    path: str
    line: int
    text: str
    expected: tuple[str, ...] | None = None

    @property
    def where(self) -> str:
        """``file:line`` of the command."""
        return f"{self.path}:{self.line}"


@dataclass
class Plan:
    """Everything found, sorted into what runs.

    Attributes:
        blocks: Every fenced block, in file order.
        python: File -> its python blocks, in order.
        python_expected: Python block -> the ``text`` block right after it.
        commands: Every shell and console command line.
        data: The toml, yaml and text blocks.
    """

    blocks: list[Block] = field(default_factory=list)
    python: dict[str, list[Block]] = field(default_factory=dict)
    python_expected: dict[Block, Block] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    data: list[Block] = field(default_factory=list)


def doc_files() -> list[Path]:
    """README.md and every markdown file under docs/, in a fixed order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def profile_files() -> list[Path]:
    """The example profile files under docs/profiles/."""
    return sorted((ROOT / "docs" / "profiles").glob("*.toml"))


def find_blocks(path: Path) -> list[Block]:
    """Return the fenced blocks of one markdown file; an unclosed fence fails."""
    rel = _relative(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence, indent = match["fence"], len(match["indent"])
        close = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        start = i
        body = []
        i += 1
        while i < len(lines) and not close.match(lines[i]):
            body.append(_dedent(lines[i], indent))
            i += 1
        if i == len(lines):
            raise ValueError(f"{rel}:{start + 1}: fence {fence!r} is never closed")
        info = match["info"].split()
        lang = info[0] if info else ""
        blocks.append(Block(rel, start + 1, i + 1, lang, "\n".join(body)))
        i += 1
    return blocks


def _relative(path: Path) -> str:
    """``path`` relative to the repository root (its full path if outside it)."""
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def _dedent(line: str, indent: int) -> str:
    """Remove up to ``indent`` leading spaces (CommonMark's rule for fences)."""
    strip = len(line) - len(line.lstrip(" "))
    return line[min(strip, indent) :]


def shell_commands(block: Block) -> list[Command]:
    """The command lines of a bash/sh block (comments and blank lines dropped)."""
    return [
        Command(block.path, block.line + 1 + offset, text)
        for offset, text in _joined(block.text.splitlines())
        if text and not text.startswith("#")
    ]


def console_commands(block: Block) -> list[Command]:
    """The ``$ `` lines of a console block, each with the output shown below it."""
    lines = block.text.splitlines()
    starts = [n for n, line in enumerate(lines) if line.startswith("$ ")]
    if not starts or starts[0] != 0:
        raise ValueError(f"{block.where}: a console block starts with a '$ ' line")
    commands = []
    for k, n in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        chunk = [lines[n][2:], *lines[n + 1 : end]]
        joined = _joined(chunk)
        offset, text = joined[0]
        used = len(chunk) - len(joined) + 1  # the command and its continuations
        expected = tuple(line.rstrip() for line in chunk[used:])
        commands.append(
            Command(block.path, block.line + 1 + n + offset, text, expected)
        )
    return commands


def header_commands(path: Path) -> list[Command]:
    """Command lines in a profile file's header comment (``#   heron-simpy ...``)."""
    rel = _relative(path)
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip() if line.startswith("#   ") else "#")
    return [
        Command(rel, offset + 1, text)
        for offset, text in _joined(lines)
        if text.startswith("heron-simpy ")
    ]


def _joined(lines: list[str]) -> list[tuple[int, str]]:
    """Join backslash continuations: (index of the first line, stripped text)."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for n, raw in enumerate(lines):
        start, text = n, raw.strip()
        if pending is not None:
            start, head = pending
            text = f"{head} {text}"
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        pending = None
        out.append((start, text))
    if pending is not None:
        out.append(pending)
    return out


def plan(files: list[Path] | None = None) -> Plan:
    """Find every block of ``files`` and sort it into work.

    Args:
        files: Markdown files; None means README.md and docs/**/*.md, plus the
            header commands of docs/profiles/*.toml.
    """
    result = Plan()
    for path in doc_files() if files is None else files:
        blocks = find_blocks(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        result.blocks.extend(blocks)
        for n, block in enumerate(blocks):
            if block.lang == "python":
                result.python.setdefault(block.path, []).append(block)
                after = blocks[n + 1] if n + 1 < len(blocks) else None
                if (
                    after is not None
                    and after.lang == "text"
                    and _adjacent(lines, block, after)
                ):
                    result.python_expected[block] = after
            elif block.lang in SHELL:
                result.commands.extend(shell_commands(block))
            elif block.lang == "console":
                result.commands.extend(console_commands(block))
            else:
                result.data.append(block)
    for path in profile_files() if files is None else []:
        result.commands.extend(header_commands(path))
    return result


def _adjacent(lines: list[str], block: Block, after: Block) -> bool:
    """True when only blank lines stand between ``block``'s closing fence and ``after``."""
    return all(not line.strip() for line in lines[block.end : after.line - 1])


def with_checks(block: Block) -> str:
    """Return the block's source with each ``expr  # -> value`` line made a check.

    ``value`` is the expected ``repr`` of ``expr`` (``...`` matches anything);
    two spaces end it, so a remark may follow: ``x  # -> False  (why)``. The
    line becomes ``__doc_check__(expr, 'value', 'file:line')``. Only a whole
    one-line, top-level expression can carry ``# ->``.
    """
    lines = block.text.splitlines()
    tokens = tokenize.generate_tokens(io.StringIO(block.text + "\n").readline)
    for tok in tokens:
        if tok.type != tokenize.COMMENT or not tok.string.startswith(_EXPECT):
            continue
        row, col = tok.start
        code = lines[row - 1][:col].rstrip()
        where = f"{block.path}:{block.line + row}"
        try:
            ast.parse(code, mode="eval")
        except SyntaxError as exc:
            raise ValueError(
                f"{where}: '# -> ' follows a one-line expression, got {code!r}"
            ) from exc
        if code != code.lstrip():
            raise ValueError(f"{where}: '# -> ' needs a top-level line, got {code!r}")
        expected = tok.string[len(_EXPECT) :].split("  ")[0].strip()
        lines[row - 1] = f"__doc_check__(({code}), {expected!r}, {where!r})"
    return "\n".join(lines)
