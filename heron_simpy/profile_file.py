"""Timing profiles and fault schedules read from TOML or YAML files.

A profile file has a ``profiles`` table (name -> profile; required) and a
``schedules`` table (name -> array of fault tables; optional). The suffix picks
the parser: ``.toml`` (``tomllib``; ``tomli`` on Python 3.10) or ``.yaml`` /
``.yml`` (``yaml.safe_load`` only: no Python objects are ever built; needs
``pip install 'heron-simpy[yaml]'``). YAML holds the same tables as mappings.
A commented example ships as ``docs/profiles/example_site.toml``::

    [profiles.my_site]
    source = "measured at substation X, 2026-10"  # one line; required without base
    base = "scada"     # optional: start from another profile of the file or a built-in
    rates = "agent"    # "agent" (default) or "profile"
    loss = { model = "gilbert_elliott", p_good_to_bad = 0.01, p_bad_to_good = 0.3 }
    # loss = { model = "bernoulli", p = 0.01 }   or   loss = "none"
    faults = "storm"   # a schedule name, or an array of fault tables and names

    [profiles.my_site.field]           # also .coordinator and .system
    obs_delay = 0.2                    # seconds, jittered as the level says
    jitter_type = "lognormal"          # "none", "uniform", "gaussian", "lognormal"
    jitter_ratio = 0.3
    act_delay = { model = "uniform", low = 0.1, high = 0.3 }
    msg_delay = { model = "empirical", samples = [0.01, 0.02, 0.08] }

    [profiles.my_site.agents.fleet]    # one agent's full TickConfig
    tick_interval = 10.0               # required in an agent table

    [[schedules.storm]]
    kind = "link_outage"
    sender = "fleet"
    recipient = "*"
    start = 600
    duration = 120
    mode = "drop"

Level and agent tables take TickConfig's fields. Without ``base`` a level
starts from TickConfig's defaults with the level's ``DEFAULT_TICKS`` interval;
with ``base``, anything not given (fields, levels, ``source``, ``rates``,
``loss``, ``faults``, agent entries) comes from the base, a given ``faults``
replaces the base's, and an agent table replaces that agent's entry whole.
``base`` names another profile of the file, else a built-in, so a file profile
may shadow a built-in (``[profiles.scada]`` with ``base = "scada"`` tunes it).
Delay models: ``fixed`` (value), ``uniform`` (low, high), ``gaussian`` (mean,
std, low), ``lognormal`` (median, sigma), ``empirical`` (samples, or ``csv``
relative to the file and ``column``). Loss models: ``bernoulli`` (p),
``gilbert_elliott`` (p_good_to_bad, p_bad_to_good, loss_good, loss_bad),
``none``. Fault tables: a ``kind`` of ``FAULT_KINDS`` and that spec's fields.
Every problem (bad values or types, unknown keys, a cycle of bases) is reported
at once in one :class:`ProfileFileError`, one line each, such as
``profiles.scada.field.obs_delay: must be >= 0, got -1``; a single problem
makes a one-line message.

A profile file is untrusted input. Only a regular file is read (never a
directory, FIFO or device; a FIFO is not even opened), at most
``MAX_FILE_BYTES`` of it, and it must be UTF-8 text without NUL bytes. Its data
may nest tables and arrays ``MAX_DEPTH`` deep and hold ``MAX_VALUES`` keys and
values (a YAML alias counts the whole of its anchor at every use, so a
"billion laughs" file is refused before it is built); integers have at most
``MAX_INT_DIGITS`` digits; a YAML mapping may not give a key twice. An
empirical ``csv`` path is relative to the profile file's folder and must stay
inside it (no absolute path, no ``..`` or symlink leading out) unless the
caller passes ``allow_outside_csv=True``; the csv must be a regular file of at
most ``MAX_CSV_BYTES``. Messages never quote the file beyond key paths and
short reprs of bad values, and escape non-printable characters, so each
problem stays on its line.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import numbers
import os
import re
import stat
import sys
from collections.abc import Callable, Mapping, Sequence
from csv import Error as CsvError
from pathlib import Path
from typing import Any, NamedTuple

from heron_simpy.exceptions import ConfigError
from heron_simpy.faults import FAULT_KINDS, FaultError, fault_from_mapping
from heron_simpy.timing.config import TickConfig
from heron_simpy.timing.delays import (
    FixedDelay,
    GaussianDelay,
    LogNormalDelay,
    UniformDelay,
)
from heron_simpy.timing.empirical import EmpiricalDelay
from heron_simpy.timing.jitter import JitterType
from heron_simpy.timing.loss import BernoulliLoss, GilbertElliottLoss, NoLoss
from heron_simpy.timing.profiles import DEFAULT_TICKS, LEVELS, TimingProfile
from heron_simpy.timing.profiles import profiles as builtin_profiles

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover  (Python 3.10)
    import tomli as tomllib

__all__ = [
    "MAX_CSV_BYTES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INT_DIGITS",
    "MAX_LINE_CHARS",
    "MAX_PROBLEMS_SHOWN",
    "MAX_VALUES",
    "ProfileFileError",
    "dump_profile",
    "load_profiles",
    "parse_profiles",
    "printable",
]

MAX_FILE_BYTES = 1024 * 1024
"""Largest profile file read, in bytes (1 MiB); a larger one is refused unread."""
MAX_CSV_BYTES = 4 * 1024 * 1024
"""Largest empirical-delay csv file read, in bytes (4 MiB)."""
MAX_DEPTH = 32
"""Most tables and arrays nested in one another, the top table included."""
MAX_VALUES = 20_000
"""Most keys and values in a file's data (YAML aliases count at every use)."""
MAX_INT_DIGITS = 40
"""Most decimal digits of an integer in a file (a 128-bit seed has 39)."""
MAX_PROBLEMS_SHOWN = 50
"""Most problems an error message lists (``ProfileFileError.problems`` has all)."""
MAX_LINE_CHARS = 500
"""Longest problem line of an error message; longer ones are cut with ``...``."""

Problem = tuple[str, str]
Table = Mapping[Any, Any]
Keys = Sequence[str]
Rule = Callable[[object], "str | None"]

_SUFFIXES = (".toml", ".yaml", ".yml")
_PROFILE_KEYS = ("source", "base", "rates", "loss", "faults", *LEVELS, "agents")
_TICK_KEYS = tuple(f.name for f in dataclasses.fields(TickConfig) if f.init)
_DELAY_KEYS = ("obs_delay", "act_delay", "msg_delay")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BAD: Any = object()
"""Stands for a value that failed its checks (its problem is already listed)."""
_INT_LIMIT = 10**MAX_INT_DIGITS
_KEY_CHARS = 40
"""Longest key shown whole in a path; longer ones are cut with ``...``."""
_QUOTE_CHARS = 80
"""Longest quoted part (a tag, an anchor) of a parser's message shown whole."""
_QUOTED = re.compile(rf"'[^'\n]{{{_QUOTE_CHARS},}}'|" + rf'"[^"\n]{{{_QUOTE_CHARS},}}"')
_ALLOW_HINT = "allow_outside_csv=True (--allow-outside-csv) allows it"
_KINDS = (
    (stat.S_ISDIR, "is a directory, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in after the stat never blocks
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class ProfileFileError(ConfigError):
    """A profile file cannot be read, or its data is invalid.

    The message lists every problem, one per line, as ``<path>: <rule>`` (one
    line in all for a single problem). Non-printable characters of the source
    and the problems are escaped as in ``repr``, a line is cut at
    ``MAX_LINE_CHARS`` and at most ``MAX_PROBLEMS_SHOWN`` problems are listed.

    Attributes:
        source: The file (or the ``source_name`` given to :func:`parse_profiles`).
        problems: ``(path, message)`` pairs, for example
            ``("profiles.scada.field.obs_delay", "must be >= 0, got -1")``; the
            path is ``""`` for a problem with the whole file (not found, syntax).
    """

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source, self.problems = source, list(problems)
        name = printable(str(source))
        lines = [
            _clip(printable(f"{path}: {text}" if path else text), MAX_LINE_CHARS)
            for path, text in self.problems[:MAX_PROBLEMS_SHOWN]
        ]
        if len(lines) == 1:
            head = "invalid profile file" if self.problems[0][0] else "profile file"
            super().__init__(f"{head} {name}: {lines[0]}")
            return
        more = len(self.problems) - len(lines)
        if more:
            lines.append(f"... and {more} more")
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__("\n".join([f"invalid profile file {name} ({count}):", *lines]))

    def __reduce__(self) -> tuple[type[ProfileFileError], tuple[str, list[Problem]]]:
        return type(self), (self.source, self.problems)


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in ``...`` when cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def printable(text: str) -> str:
    """``text`` with each non-printable character escaped as ``repr`` does."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _clip_quoted(text: str) -> str:
    """A parser's message with each long quoted part (a tag, a key) cut short."""
    return _QUOTED.sub(lambda m: m[0][: _QUOTE_CHARS - 4] + "..." + m[0][0], text)


def _show(value: object) -> str:
    """``repr(value)``, cut to a readable length."""
    return _clip(repr(value), 60)


def _join(path: str, *keys: object) -> str:
    """Append keys to a dotted path, quoting those that are not bare keys."""
    for key in keys:
        if isinstance(key, str):
            part = key if _BARE_KEY.fullmatch(key) else json.dumps(key)
        else:
            part = repr(key)
        if len(part) > _KEY_CHARS:
            part = part[: _KEY_CHARS - 4] + "..." + part[-1]
        path = f"{path}.{part}" if path else str(part)
    return path


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _seconds(value: object, *, strict: bool = False) -> str | None:
    """Rule: a finite number >= 0 (> 0 when strict)."""
    rule = f"{'>' if strict else '>='} 0"
    if not _is_real(value):
        return f"must be a number {rule}, got {_show(value)}"
    if not math.isfinite(value):  # type: ignore[arg-type]
        return f"must be a finite number {rule}, got {_show(value)}"
    if value < 0 or (strict and value == 0):  # type: ignore[operator]
        return f"must be {rule}, got {_show(value)}"
    return None


def _probability(value: object) -> str | None:
    """Rule: a probability in [0, 1]."""
    if _is_real(value) and 0.0 <= value <= 1.0:  # type: ignore[operator]
        return None
    return f"must be a probability in [0, 1], got {_show(value)}"


def _samples(value: object) -> str | None:
    """Rule: a non-empty array of numbers >= 0."""
    if isinstance(value, (list, tuple)) and value and not any(map(_seconds, value)):
        return None
    return f"must be a non-empty array of numbers >= 0, got {_show(value)}"


def _count(value: object) -> str | None:
    """Rule: an integer >= 0."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return None
    return f"must be an integer >= 0, got {_show(value)}"


def _line(value: object) -> str | None:
    """Rule: a non-empty one-line string of printable characters."""
    if not (isinstance(value, str) and value.strip() and "\n" not in value):
        return f"must be a non-empty one-line string, got {_show(value)}"
    if not value.isprintable():
        return f"must not hold control characters, got {_show(value)}"
    return None


def _one_of(options: Sequence[str], *, fold: bool = False) -> Rule:
    """Rule factory: one of ``options`` (ignoring case when ``fold``)."""

    def rule(value: object) -> str | None:
        if isinstance(value, str) and (value.lower() if fold else value) in options:
            return None
        return f"must be one of {', '.join(map(repr, options))}, got {_show(value)}"

    return rule


def _unknown(key: object, allowed: Sequence[str]) -> str:
    """The problem of an unknown key: a close match, and the allowed keys."""
    close = (
        difflib.get_close_matches(key, allowed, 1, 0.8)
        if isinstance(key, str) and len(key) <= _KEY_CHARS
        else []
    )
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; allowed: {', '.join(allowed)}"


class _Form(NamedTuple):
    """How a ``{model = ...}`` table maps to a model object."""

    build: Callable[..., Any]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    rule: Rule = _seconds


_DELAY_FORMS: Mapping[str, _Form] = {
    "fixed": _Form(FixedDelay, ("value",)),
    "uniform": _Form(UniformDelay, ("low", "high")),
    "gaussian": _Form(GaussianDelay, ("mean", "std"), ("low",)),
    "lognormal": _Form(LogNormalDelay, ("median", "sigma")),
    "empirical": _Form(EmpiricalDelay, (), ("samples", "csv", "column")),
}
_LOSS_FORMS: Mapping[str, _Form] = {
    "none": _Form(lambda: None, ()),
    "bernoulli": _Form(BernoulliLoss, ("p",), rule=_probability),
    "gilbert_elliott": _Form(
        GilbertElliottLoss,
        ("p_good_to_bad", "p_bad_to_good"),
        ("loss_good", "loss_bad"),
        _probability,
    ),
}
_FIELD_RULES: Mapping[str, Rule] = {
    "tick_interval": lambda value: _seconds(value, strict=True),
    "jitter_type": _one_of(tuple(kind.value for kind in JitterType), fold=True),
    "jitter_ratio": _seconds,
    "min_delay": _seconds,
    "phase": _seconds,
    "seed": lambda value: None if value is None else _count(value),
}


class _Reader:
    """Checks parsed data and builds its profiles, collecting every problem."""

    def __init__(self, source: str, base_dir: Path, allow_outside_csv: bool) -> None:
        self.source = source
        self.base_dir = base_dir
        self.allow_outside_csv = allow_outside_csv
        self.problems: list[Problem] = []
        self.schedules: dict[str, Any] = {}
        self.tables: dict[str, tuple[object, str]] = {}
        self.built: dict[str, Any] = {}

    def problem(self, path: str, message: str) -> Any:
        """Record a problem; return the invalid marker."""
        self.problems.append((path, message))
        return _BAD

    def check(self, value: object, path: str, rule: Rule) -> Any:
        """Return ``value``, or the invalid marker if ``rule`` rejects it."""
        message = rule(value)
        return value if message is None else self.problem(path, message)

    def build(self, path: str, make: Callable[..., Any], **kwargs: Any) -> Any:
        """Call a constructor; a rejection becomes a problem at ``path``."""
        try:
            return make(**kwargs)
        except (ConfigError, TypeError, ValueError) as exc:
            return self.problem(path, str(exc).replace("\n", " "))

    def table(
        self, value: object, path: str, allowed: Keys, needs: Keys = ()
    ) -> Table | None:
        """Return ``value`` if it is a table; list its unknown and missing keys."""
        if not isinstance(value, Mapping):
            self.problem(path, f"must be a table, got {_show(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.problem(_join(path, key), _unknown(key, allowed))
        for key in needs:
            if key not in value:
                self.problem(_join(path, key), "is required")
        return value

    def named(self, value: object, path: str, what: str) -> list[tuple[str, Any, str]]:
        """The ``(name, item, path)`` entries of a table keyed by names."""
        if not isinstance(value, Mapping):
            self.problem(path, f"must be a table of {what}, got {_show(value)}")
            return []
        entries = [(name, item, _join(path, name)) for name, item in value.items()]
        return [e for e in entries if self.check(e[0], e[2], _line) is not _BAD]

    def tick(self, value: object, path: str, *, agent: bool = False) -> Any:
        """The TickConfig fields given in a level or agent table."""
        before = len(self.problems)
        table = self.table(value, path, _TICK_KEYS)
        if table is None:
            return _BAD
        if agent and "tick_interval" not in table:
            rule = "is required (an agent table replaces its level's timing whole)"
            self.problem(_join(path, "tick_interval"), rule)
        out = {
            key: self.delay(table[key], _join(path, key))
            if key in _DELAY_KEYS
            else self.check(table[key], _join(path, key), _FIELD_RULES[key])
            for key in _TICK_KEYS
            if key in table
        }
        if len(self.problems) > before:
            return _BAD
        if "jitter_type" in out:
            out["jitter_type"] = JitterType(out["jitter_type"].lower())
        return out

    def delay(self, value: object, path: str) -> Any:
        """A delay: seconds, or a delay-model table."""
        if isinstance(value, Mapping):
            if value.get("model") == "empirical":
                return self.empirical(value, path)
            return self.model(value, path, _DELAY_FORMS)
        if _is_real(value):
            return self.check(value, path, _seconds)
        models = ", ".join(_DELAY_FORMS)
        rule = f"must be a number >= 0 or a delay-model table ({models})"
        return self.problem(path, f"{rule}, got {_show(value)}")

    def model(self, table: Table, path: str, forms: Mapping[str, _Form]) -> Any:
        """Build the model a ``{model = ..., ...}`` table describes."""
        name, where = table.get("model"), _join(path, "model")
        if not isinstance(name, str) or name not in forms:
            rule = f"one of {', '.join(map(repr, forms))}"
            if "model" not in table:
                return self.problem(where, f"is required ({rule})")
            return self.problem(where, f"must be {rule}, got {_show(name)}")
        form = forms[name]
        before = len(self.problems)
        keys = (*form.required, *form.optional)
        self.table(table, path, ("model", *keys), form.required)
        given = [k for k in keys if k in table]
        kwargs = {k: self.check(table[k], _join(path, k), form.rule) for k in given}
        if len(self.problems) > before:
            return _BAD
        return self.build(path, form.build, **kwargs)

    def empirical(self, table: Table, path: str) -> Any:
        """Build an EmpiricalDelay from ``samples`` or a ``csv`` file."""
        before = len(self.problems)
        self.table(table, path, ("model", *_DELAY_FORMS["empirical"].optional))
        samples, csv = table.get("samples"), _join(path, "csv")
        if ("samples" in table) == ("csv" in table):
            self.problem(path, "needs either samples = [...] or csv = 'file.csv'")
        elif "csv" in table:
            self.check(table["csv"], csv, _line)
            self.check(table.get("column", 0), _join(path, "column"), _count)
        else:
            self.check(samples, _join(path, "samples"), _samples)
            if "column" in table:
                self.problem(_join(path, "column"), "applies only with csv")
        if len(self.problems) > before:
            return _BAD
        if samples is not None:
            return self.build(path, EmpiricalDelay, samples=tuple(samples))
        return self.csv(table["csv"], table.get("column", 0), csv)

    def csv(self, name: str, column: int, path: str) -> Any:
        """Build an EmpiricalDelay from csv file ``name`` (the path rule applies)."""
        file = self.base_dir / name
        message = self.csv_problem(name, file)
        if message is not None:
            return self.problem(path, message)
        try:
            return EmpiricalDelay.from_csv(file, column)
        except ConfigError as exc:
            return self.problem(path, str(exc))
        except UnicodeDecodeError as exc:
            text = f"is not UTF-8 text (bad byte at offset {exc.start})"
            return self.problem(path, f"csv file {file} {text}")
        except CsvError as exc:
            return self.problem(path, f"csv file {file} is not valid CSV: {exc}")
        except OSError as exc:
            return self.problem(path, f"cannot read {file}: {exc.strerror or exc}")

    def csv_problem(self, name: str, file: Path) -> str | None:
        """Why csv ``name`` (at ``file``) may not be read, or None if it may."""
        if not self.allow_outside_csv:
            if Path(name).anchor:
                rule = "must be a path relative to the profile file's folder"
                return f"{rule}, got {_show(name)}; {_ALLOW_HINT}"
            root, real = os.path.realpath(self.base_dir), os.path.realpath(file)
            try:
                inside = os.path.commonpath([root, real]) == root
            except ValueError:  # another drive
                inside = False
            if not inside:
                rule = f"must stay inside the profile file's folder {root}"
                return f"{rule}, got {_show(name)} (leads to {real}); {_ALLOW_HINT}"
        message = _stat_problem(file, MAX_CSV_BYTES)
        return None if message is None else f"csv file {file} {message}"

    def loss(self, value: object, path: str) -> Any:
        """A loss model: ``"none"`` (or null), or a loss-model table."""
        if value is None or (isinstance(value, str) and value.lower() == "none"):
            return None
        if isinstance(value, Mapping):
            return self.model(value, path, _LOSS_FORMS)
        models = " | ".join(map(repr, _LOSS_FORMS))
        rule = f"must be 'none' or a table with model = {models}"
        return self.problem(path, f"{rule}, got {_show(value)}")

    def fault(self, value: object, path: str) -> Any:
        """A fault spec from a table with a ``kind``."""
        if not isinstance(value, Mapping):
            return self.problem(path, f"must be a fault table, got {_show(value)}")
        kind = value.get("kind")
        spec = FAULT_KINDS.get(kind) if isinstance(kind, str) else None
        before = len(self.problems)
        if spec is not None:  # unknown keys here; fault_from_mapping checks the rest
            keys = ("kind", *(f.name for f in dataclasses.fields(spec)))  # type: ignore[arg-type]
            self.table(value, path, keys)
            value = {k: v for k, v in value.items() if k in keys}
        try:
            fault = fault_from_mapping(value)
        except FaultError as exc:
            for name, message in exc.problems:
                self.problem(_join(path, name) if name else path, message)
            return _BAD
        except (TypeError, ValueError) as exc:
            return self.problem(path, str(exc))
        return fault if len(self.problems) == before else _BAD

    def faults(self, value: object, path: str) -> Any:
        """A fault tuple: a schedule name, or an array of fault tables and names."""
        if isinstance(value, str):
            if value in self.schedules:
                return self.schedules[value]
            names = ", ".join(map(repr, self.schedules)) or "none so far"
            rule = f"must name a schedule defined before ({names})"
            return self.problem(path, f"{rule}, got {value!r}")
        if not isinstance(value, (list, tuple)):
            rule = "must be a schedule name or an array of fault tables and names"
            return self.problem(path, f"{rule}, got {_show(value)}")
        parts = [
            self.faults(item, f"{path}[{i}]")
            if isinstance(item, str)
            else (self.fault(item, f"{path}[{i}]"),)
            for i, item in enumerate(value)
        ]
        if any(part is _BAD or _BAD in part for part in parts):
            return _BAD
        return tuple(fault for part in parts for fault in part)

    def read(self, data: Table) -> dict[str, TimingProfile]:
        """Read a whole file's data; return its valid profiles in file order."""
        self.table(data, "", ("profiles", "schedules"), ("profiles",))
        schedules = self.named(data.get("schedules", {}), "schedules", "schedules")
        for name, value, where in schedules:  # may name earlier schedules
            self.schedules[name] = self.faults(value, where)
        if "profiles" in data:
            value = data["profiles"]
            entries = self.named(value, "profiles", "profiles")
            self.tables = {name: (item, where) for name, item, where in entries}
            if isinstance(value, Mapping) and not value:
                self.problem("profiles", "must define at least one profile, got {}")
        for name in self.tables:
            self.profile(name, ())
        found = {name: self.built[name] for name in self.tables}
        return {k: v for k, v in found.items() if v is not _BAD}

    def profile(self, name: str, chain: tuple[str, ...]) -> Any:
        """Build file profile ``name`` after its base (the invalid marker if bad)."""
        if name not in self.built:
            value, path = self.tables[name]
            table = self.table(value, path, _PROFILE_KEYS)
            if table is None:
                self.built[name] = _BAD
                return _BAD
            base = self.base(name, table, path, (*chain, name))
            before = len(self.problems)
            given = self.fields(table, path)
            ok = len(self.problems) == before and _BAD not in (base, *given.values())
            self.built[name] = self.make(name, path, base, given) if ok else _BAD
        return self.built[name]

    def base(self, name: str, table: Table, path: str, chain: tuple[str, ...]) -> Any:
        """The base of a profile table: None, a profile, or the invalid marker."""
        where = _join(path, "base")
        ref = self.check(table["base"], where, _line) if "base" in table else None
        if ref is None or ref is _BAD:
            return ref
        if ref in self.tables and ref != name:
            if ref in chain:
                cycle = " -> ".join((*chain[chain.index(ref) :], ref))
                return self.problem(where, f"forms a cycle: {cycle}")
            return self.profile(ref, chain)
        if ref in builtin_profiles:
            return builtin_profiles[ref]
        names = ", ".join(sorted(builtin_profiles))
        rule = f"must name another profile of this file or a built-in ({names})"
        return self.problem(where, f"{rule}, got {ref!r}")

    def fields(self, table: Table, path: str) -> dict[str, Any]:
        """The checked values of a profile table (levels and agents as changes)."""
        readers: dict[str, Callable[[Any, str], Any]] = {
            "source": lambda v, p: self.check(v, p, _line),
            "rates": lambda v, p: self.check(v, p, _one_of(("agent", "profile"))),
            "loss": self.loss,
            "faults": self.faults,
        }
        given = {
            k: f(table[k], _join(path, k)) for k, f in readers.items() if k in table
        }
        if "base" not in table and "source" not in table:
            message = "is required (one line saying where the numbers come from)"
            self.problem(_join(path, "source"), message)
        given["levels"] = {
            level: self.tick(table[level], _join(path, level))
            for level in LEVELS
            if level in table
        }
        agents = self.named(table.get("agents", {}), _join(path, "agents"), "agents")
        given["agents"] = {a: self.tick(v, p, agent=True) for a, v, p in agents}
        return given

    def make(
        self, name: str, path: str, base: TimingProfile | None, given: dict[str, Any]
    ) -> Any:
        """Build the TimingProfile of checked values on top of their base."""
        levels, agents = given.pop("levels"), given.pop("agents")
        fields: dict[str, Any] = {"rates": "agent", "loss": None, "faults": ()}
        if base is not None:
            fields = {k: getattr(base, k) for k in ("rates", "loss", "faults")}
            fields["source"] = (
                f"{base.name} with changes from {printable(self.source)}"
            )
        fields.update(given, agents=dict(base.agents) if base else {})
        for agent_id, changes in agents.items():
            where = _join(path, "agents", agent_id)
            fields["agents"][agent_id] = self.build(where, TickConfig, **changes)
        for level in LEVELS:
            start = base.level(level) if base else TickConfig(DEFAULT_TICKS[level])
            changes = levels.get(level, {})
            fields[level] = self.build(_join(path, level), start.replace, **changes)
        if _BAD in (*fields["agents"].values(), *map(fields.get, LEVELS)):
            return _BAD
        return self.build(path, TimingProfile, name=name, **fields)


def parse_profiles(
    data: Mapping[str, Any],
    source_name: str = "<data>",
    *,
    base_dir: str | os.PathLike[str] | None = None,
    allow_outside_csv: bool = False,
) -> dict[str, TimingProfile]:
    """Build the timing profiles of already-parsed profile-file data.

    Args:
        data: The parsed file: ``{"profiles": {...}, "schedules": {...}}``
            (format in the module docstring), nested at most ``MAX_DEPTH``
            deep, with at most ``MAX_VALUES`` keys and values.
        source_name: Names the data in error messages (usually the file).
        base_dir: Directory that relative ``csv`` paths are read from
            (default: the current directory).
        allow_outside_csv: Let ``csv`` paths leave ``base_dir`` (absolute
            paths, ``..``, symlinks leading out); refused when False.

    Returns:
        Profile name -> TimingProfile, in the order of the data.

    Raises:
        ProfileFileError: Listing every problem in the data, each with its
            path (``profiles.x.field.obs_delay: must be >= 0, got -1``); or
            the data nests too deep, is too large, or holds an integer of
            more than ``MAX_INT_DIGITS`` digits.

    Example:
        >>> from heron_simpy.timing import profiles
        >>> data = {"profiles": {"slow": {"base": "lan", "field": {"obs_delay": 0.5}}}}
        >>> slow = parse_profiles(data)["slow"]
        >>> slow.field.obs_delay, slow.field.jitter_type.value, slow.loss
        (0.5, 'uniform', None)
        >>> slow.coordinator == profiles["lan"].coordinator
        True
    """
    if not isinstance(data, Mapping):
        message = f"must hold a table of profiles at the top level, got {_show(data)}"
        raise ProfileFileError(source_name, [("", message)])
    shape = _shape_problems(data)
    if shape:
        raise ProfileFileError(source_name, shape)
    folder = Path.cwd() if base_dir is None else Path(base_dir)
    reader = _Reader(source_name, folder, allow_outside_csv)
    found = reader.read(data)
    if reader.problems:
        raise ProfileFileError(source_name, reader.problems)
    return found


def load_profiles(
    path: str | os.PathLike[str], *, allow_outside_csv: bool = False
) -> dict[str, TimingProfile]:
    """Read timing profiles and fault schedules from a TOML or YAML file.

    The file is untrusted input: see the module docstring for its limits and
    for the rule on ``csv`` paths.

    Args:
        path: A regular ``.toml``, ``.yaml`` or ``.yml`` file of at most
            ``MAX_FILE_BYTES`` (format in the module docstring; example:
            ``docs/profiles/example_site.toml``).
        allow_outside_csv: Let empirical ``csv`` paths leave the file's folder
            (absolute paths, ``..``, symlinks leading out); refused when False.

    Returns:
        Profile name -> TimingProfile, in file order.

    Raises:
        ProfileFileError: The file is missing, unreadable, not a regular file,
            larger than ``MAX_FILE_BYTES``, binary or not UTF-8; is not valid
            TOML or YAML (the message names the line); nests deeper than
            ``MAX_DEPTH``, holds more than ``MAX_VALUES`` values or an integer
            longer than ``MAX_INT_DIGITS`` digits; repeats a YAML key; is YAML
            while PyYAML is not installed; or its data has problems (all
            listed, with their paths).
    """
    file = Path(path)
    source, suffix = str(file), file.suffix.lower()
    message = _stat_problem(file, MAX_FILE_BYTES)
    if message is None and suffix not in _SUFFIXES:
        message = f"must end in {', '.join(_SUFFIXES)}, got {_show(file.suffix)}"
    if message is not None:
        raise ProfileFileError(source, [("", message)])
    text = _read(file)
    data = _toml(text, source) if suffix == ".toml" else _yaml(text, source)
    return parse_profiles(
        data, source, base_dir=file.parent, allow_outside_csv=allow_outside_csv
    )


def _stat_problem(file: Path, limit: int) -> str | None:
    """Why ``file`` is not a regular file of at most ``limit`` bytes, or None."""
    try:
        info = os.stat(file)
    except FileNotFoundError:
        return "does not exist"
    except ValueError:
        return "is not a valid path (it holds a NUL character)"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return _kind_problem(info, limit)


def _kind_problem(info: os.stat_result, limit: int) -> str | None:
    """Why a file of this status is not a regular file of <= ``limit`` bytes."""
    if stat.S_ISREG(info.st_mode):
        if info.st_size <= limit:
            return None
        return f"must be at most {_size(limit)}, got {info.st_size} bytes"
    for test, message in _KINDS:
        if test(info.st_mode):
            return message
    return "is not a regular file"


def _size(limit: int) -> str:
    """A byte count in MiB when it is whole MiB."""
    mib = 1024 * 1024
    return f"{limit // mib} MiB" if limit % mib == 0 else f"{limit} bytes"


def _read(file: Path) -> str:
    """The text of a profile file (read as ``_stat_problem`` allows), or an error.

    The file is opened non-blocking and checked again once open, so a FIFO or
    device swapped in after the first check is refused too, never read.
    """
    data = b""
    try:
        with open(os.open(file, _OPEN_FLAGS), "rb") as handle:
            message = _kind_problem(os.fstat(handle.fileno()), MAX_FILE_BYTES)
            data = handle.read(MAX_FILE_BYTES + 1) if message is None else b""
    except FileNotFoundError:
        message = "does not exist"
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
    if message is None and len(data) > MAX_FILE_BYTES:
        message = f"must be at most {_size(MAX_FILE_BYTES)}, got more (it grew)"
    nul = data.find(b"\0")
    if message is None and nul >= 0:
        message = f"is binary, not text (NUL byte at offset {nul})"
    if message is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"is not UTF-8 text (bad byte at offset {exc.start})"
    raise ProfileFileError(str(file), [("", message)])


def _toml(text: str, source: str) -> Any:
    """Parse TOML text; syntax errors, deep nesting, huge integers are refused."""
    if _DOTTED.search(text):  # before tomllib spends minutes on its key
        raise ProfileFileError(source, [("", _DEEP)])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"TOML syntax error: {_clip_quoted(str(exc))}"
        raise ProfileFileError(source, [("", message)]) from exc
    except RecursionError as exc:
        message = f"nests tables and arrays deeper than {MAX_DEPTH} levels"
        raise ProfileFileError(source, [("", message)]) from exc
    except ValueError as exc:  # int(): more digits than Python converts
        message = f"holds an integer longer than {MAX_INT_DIGITS} digits"
        raise ProfileFileError(source, [("", message)]) from exc


class _Index(int):
    """An array position in a key trail (shown as ``[i]``)."""


Trail = tuple[object, ...]
_DEEP = f"nests tables and arrays deeper than {MAX_DEPTH} levels"
_LARGE = f"holds more than {MAX_VALUES} keys and values"
_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\\\n]*"|'[^'\n]*')"""
_DOTTED = re.compile(rf"(?<![\w\"'-]){_PART}(?:[ \t]*\.[ \t]*{_PART}){{{MAX_DEPTH}}}")
"""A TOML dotted key of more than ``MAX_DEPTH`` parts (tomllib is quadratic in them)."""


def _path(trail: Trail) -> str:
    """The dotted path of a key trail: ``profiles.p.faults[0].start``."""
    path = ""
    for key in trail:
        path = f"{path}[{int(key)}]" if isinstance(key, _Index) else _join(path, key)
    return path


def _long_int(value: object) -> str | None:
    """The problem of an integer longer than ``MAX_INT_DIGITS`` digits, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if -_INT_LIMIT < value < _INT_LIMIT:
        return None
    bits = abs(value).bit_length()
    digits = len(str(abs(value))) if bits < 10_000 else f"about {int(bits * 0.30103)}"
    rule = f"must be an integer of at most {MAX_INT_DIGITS} digits"
    return f"{rule}, got one of {digits} digits"


class _ShapeError(Exception):
    """Data too deep or too large to check further (the message says which)."""


class _Shape:
    """Checks plain data for depth, size and integer length before it is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def tally(self) -> None:
        """Count one key or value; refuse past ``MAX_VALUES``."""
        self.count += 1
        if self.count > MAX_VALUES:
            raise _ShapeError(_LARGE)

    def visit(self, value: object, trail: Trail, depth: int) -> None:
        """Check ``value`` (at ``depth`` tables and arrays deep) and its items."""
        self.tally()
        if isinstance(value, Mapping):
            items: Any = value.items()
        elif isinstance(value, (list, tuple)):
            items = ((_Index(i), item) for i, item in enumerate(value))
        else:
            message = _long_int(value)
            if message is not None:
                self.problems.append((_path(trail), message))
            return
        if depth > MAX_DEPTH:
            raise _ShapeError(_DEEP)
        for key, item in items:
            if not isinstance(key, _Index):
                self.tally()
                message = _long_int(key)
                if message is not None:
                    self.problems.append((_path(trail), f"keys {message}"))
                    continue
            self.visit(item, (*trail, key), depth + 1)


def _shape_problems(data: object) -> list[Problem]:
    """Problems of data nested too deep, too large, or with too-long integers."""
    shape = _Shape()
    try:
        shape.visit(data, (), 1)
    except _ShapeError as exc:
        return [("", str(exc))]
    return shape.problems


class _RepeatedKeysError(Exception):
    """YAML mappings that give a key twice: one problem each, with its path."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class _Measure:
    """Measures a composed YAML node graph as if every alias were expanded.

    Each node is measured once (its size and levels are remembered), so an
    alias bomb costs as little as its text. Refuses (a ``ComposerError`` at
    the node) a graph deeper than ``MAX_DEPTH``, larger than ``MAX_VALUES`` or
    recursive; lists every mapping key given twice, with its path.
    """

    def __init__(self, loader: Any, yaml: Any) -> None:
        self.loader, self.yaml = loader, yaml
        self.sizes: dict[int, tuple[int, int]] = {}
        self.open: set[int] = set()
        self.problems: list[Problem] = []

    def refuse(self, message: str, node: Any) -> None:
        """Raise PyYAML's error for ``message`` at ``node``."""
        raise self.yaml.composer.ComposerError(None, None, message, node.start_mark)

    def measure(self, node: Any, trail: Trail, depth: int) -> tuple[int, int]:
        """``(values, levels)`` of ``node``, reached ``depth`` levels deep."""
        if isinstance(node, self.yaml.ScalarNode):
            return 1, 0
        key = id(node)
        if key in self.open:
            self.refuse("an alias refers to a collection holding it", node)
        size, levels = self.sizes.get(key, (0, 1))  # unmeasured: this level
        if depth + levels - 1 > MAX_DEPTH:
            self.refuse(f"{_DEEP} (through aliases)", node)
        if size:
            return size, levels
        self.open.add(key)
        size, levels = 1, 1
        for child, where in self.children(node, trail):
            child_size, child_levels = self.measure(child, where, depth + 1)
            size, levels = size + child_size, max(levels, child_levels + 1)
            if size > MAX_VALUES:
                self.refuse(f"{_LARGE} (aliases count at every use)", node)
        self.open.discard(key)
        self.sizes[key] = size, levels
        return size, levels

    def children(self, node: Any, trail: Trail) -> list[tuple[Any, Trail]]:
        """The child nodes of a collection with their trails (keys are checked)."""
        if not isinstance(node, self.yaml.MappingNode):
            return [(c, (*trail, _Index(i))) for i, c in enumerate(node.value)]
        seen: dict[Any, Any] = {}
        found = []
        for key_node, value_node in node.value:
            name = self.key(key_node, seen, trail)
            found += [(key_node, trail), (value_node, (*trail, name))]
        return found

    def key(self, node: Any, seen: dict[Any, Any], trail: Trail) -> Any:
        """The value of a scalar key (listing a repeat); ``"?"`` for others."""
        if not isinstance(node, self.yaml.ScalarNode):
            return "?"
        if node.tag == "tag:yaml.org,2002:merge":
            return node.value
        value = self.loader.construct_object(node)
        try:
            first = seen.setdefault(value, node)
        except TypeError:  # unhashable: the constructor refuses it
            return value
        if first is not node:
            line, again = first.start_mark.line + 1, node.start_mark.line + 1
            message = f"is given twice (lines {line} and {again})"
            self.problems.append((_path((*trail, value)), message))
        return value


def _yaml_int_problem(text: str) -> str | None:
    """Why a YAML integer's text is too long to convert, or None."""
    digits = sum(c.isalnum() for c in text)
    if digits <= 4 * MAX_INT_DIGITS:  # room for 0b, _ and sexagesimal forms
        return None
    return f"found an integer longer than {MAX_INT_DIGITS} digits ({digits} characters)"


_LOADERS: dict[str, Any] = {}


def _yaml_loader(yaml: Any) -> Any:
    """The bounded SafeLoader class (made once: PyYAML is imported on use)."""
    if "loader" in _LOADERS:
        return _LOADERS["loader"]
    nesting = (yaml.SequenceStartEvent, yaml.MappingStartEvent)

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        """SafeLoader bounding depth, size (aliases expanded) and integers.

        Composes at most ``MAX_VALUES`` nodes ``MAX_DEPTH`` deep; then
        :class:`_Measure` checks the graph before any Python object is built.
        """

        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.depth = self.nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            nested = bool(self.check_event(*nesting))
            self.nodes += 1  # an alias too: its expansion is measured later
            self.depth += nested
            if self.nodes > MAX_VALUES or self.depth > MAX_DEPTH:
                message = _LARGE if self.nodes > MAX_VALUES else _DEEP
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, message, mark)
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= nested

        def construct_yaml_int(self, node: Any) -> int:
            message = _yaml_int_problem(node.value)
            if message is not None:
                error = yaml.constructor.ConstructorError
                raise error(None, None, message, node.start_mark)
            value: int = super().construct_yaml_int(node)
            return value

        def get_single_data(self) -> Any:
            node = self.get_single_node()
            if node is None:
                return None
            measure = _Measure(self, yaml)
            measure.measure(node, (), 1)
            if measure.problems:
                raise _RepeatedKeysError(measure.problems)
            return self.construct_document(node)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    _LOADERS["loader"] = Loader
    return Loader


def _yaml(text: str, source: str) -> Any:
    """Parse YAML text with a bounded ``SafeLoader`` (tags that build objects fail)."""
    try:
        import yaml  # noqa: PLC0415  (optional extra, imported on use)
    except ImportError:
        message = "reading YAML needs PyYAML: pip install 'heron-simpy[yaml]'"
        raise ProfileFileError(source, [("", message)]) from None
    try:
        return yaml.load(text, Loader=_yaml_loader(yaml))  # a SafeLoader subclass
    except _RepeatedKeysError as exc:
        raise ProfileFileError(source, exc.problems) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        text = _clip_quoted(f"YAML error{where}: {exc.problem or exc.context}{context}")
        if "constructor for the tag" in str(exc.problem):
            text += (
                "; a profile file holds plain data only (tables, arrays, strings, "
                "numbers, booleans): tags that build Python objects are refused"
            )
        raise ProfileFileError(source, [("", text)]) from exc
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        position = getattr(exc, "position", None)
        where = "" if position is None else f" at character {position}"
        message = f"YAML error{where}: {_clip_quoted(first)}"
        raise ProfileFileError(source, [("", message)]) from exc


_DELAY_NAMES = {form.build: name for name, form in _DELAY_FORMS.items()}
_LOSS_NAMES = {form.build: name for name, form in _LOSS_FORMS.items()}


def _dump_model(model: Any, names: Mapping[Any, str], where: str) -> dict[str, Any]:
    """A delay or loss model as a ``{model = ..., ...}`` table."""
    name = names.get(type(model))
    if name is None:
        known = ", ".join(names.values())
        message = f"dump_profile {where} must be a {known} model, got {model!r}"
        raise TypeError(message)
    out: dict[str, Any] = {"model": name}
    for f in dataclasses.fields(model):
        value = getattr(model, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def _dump_tick(config: TickConfig, where: str) -> dict[str, Any]:
    """A TickConfig as a level or agent table (every field; seed when set)."""
    out = {k: getattr(config, k) for k in _TICK_KEYS if k != "seed"}
    out["jitter_type"] = config.jitter_type.value
    for key in _DELAY_KEYS:
        if not isinstance(out[key], float):
            out[key] = _dump_model(out[key], _DELAY_NAMES, f"{where}.{key}")
    return out if config.seed is None else {**out, "seed": config.seed}


def dump_profile(profile: TimingProfile) -> dict[str, Any]:
    """Turn a TimingProfile into plain data that :func:`parse_profiles` accepts.

    Every field is written out (no ``base``) and faults go inline. The result
    holds only str, float, int, list and dict, so ``yaml.safe_dump`` (or a
    TOML writer) can store it as a profile file.

    Args:
        profile: The profile to write.

    Returns:
        ``{"profiles": {profile.name: {...}}}``.

    Raises:
        TypeError: If a delay or loss model has no file form (a user model,
            a ``FloorDelay``, ...).

    Example:
        >>> from heron_simpy.timing import profiles
        >>> data = dump_profile(profiles["wan"])
        >>> data["profiles"]["wan"]["loss"]
        {'model': 'bernoulli', 'p': 0.01}
        >>> parse_profiles(data)["wan"] == profiles["wan"]
        True
    """
    where = f"profile {profile.name!r}"
    model = profile.loss
    table: dict[str, Any] = {"source": profile.source, "rates": profile.rates}
    table["loss"] = (
        "none"
        if model is None or isinstance(model, NoLoss)
        else _dump_model(model, _LOSS_NAMES, f"{where} loss")
    )
    for level in LEVELS:
        table[level] = _dump_tick(profile.level(level), f"{where} {level}")
    if profile.agents:
        table["agents"] = {
            agent_id: _dump_tick(config, f"{where} agents.{agent_id}")
            for agent_id, config in profile.agents.items()
        }
    if profile.faults:
        table["faults"] = [
            {k: v for k, v in fault.as_dict().items() if v is not None}  # TOML: no null
            for fault in profile.faults
        ]
    return {"profiles": {profile.name: table}}
