"""Hostile profile files: each is refused with one ``ProfileFileError`` line, fast.

Every file is written into ``tmp_path`` at run time (the FIFO with ``os.mkfifo``;
``/dev/zero`` is used directly and through a ``.toml`` symlink). In-process rows
run under a 30 s timeout and assert the error type, the file's name, the reason
and a one-line, printable message. The CLI rows run ``heron-simpy compare
--profile-file FILE`` in a child bounded in time and memory. Before this file's
fixes these inputs hung (FIFO, ``/dev/zero``, a 100 000-part dotted TOML key, a
sexagesimal YAML integer), ate gigabytes (billion laughs), raised bare
``RecursionError``/``OverflowError``/``ValueError``/``UnicodeDecodeError``, loaded
silently (duplicate YAML keys, csv paths outside the folder, 2 MiB files, a
24 000-digit seed), or printed multi-line or raw control characters.
"""

from __future__ import annotations

import os
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from heron_simpy.profile_file import (
    MAX_CSV_BYTES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_INT_DIGITS,
    MAX_VALUES,
    ProfileFileError,
    load_profiles,
)
from heron_simpy.timing import EmpiricalDelay
from tests.hostile.conftest import assert_refused, run_cli

pytest.importorskip("yaml")

DEEP = f"nests tables and arrays deeper than {MAX_DEPTH} levels"
LARGE = f"holds more than {MAX_VALUES} keys and values"
LONG_INT = f"at most {MAX_INT_DIGITS} digits"
VALID = '[profiles.p]\nsource = "x"\n'


def _write(tmp: Path, name: str, text: str | bytes) -> Path:
    path = tmp / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def billion_laughs(tmp: Path) -> Path:
    """Nine levels of nine aliases: 9**9 strings once expanded, 400 bytes of text."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    lines.append("profiles: {p: {source: x, field: {obs_delay: *i}}}")
    return _write(tmp, "laughs.yaml", "\n".join(lines) + "\n")


def deep_through_aliases(tmp: Path) -> Path:
    """50 anchors, each 30 lists around the one before: 1500 levels once expanded."""
    lines = ["a0: &a0 " + "[" * 30 + "]" * 30]
    lines += [
        f"a{i}: &a{i} " + "[" * 30 + f"*a{i - 1}" + "]" * 30 for i in range(1, 50)
    ]
    lines.append("profiles: {p: {source: *a49}}")
    return _write(tmp, "alias_deep.yaml", "\n".join(lines) + "\n")


def fifo(tmp: Path) -> Path:
    path = tmp / "pipe.toml"
    os.mkfifo(path)
    return path


def dev_zero_link(tmp: Path) -> Path:
    path = tmp / "zero.toml"
    path.symlink_to("/dev/zero")
    return path


def directory(tmp: Path) -> Path:
    path = tmp / "folder.toml"
    path.mkdir()
    return path


def with_csv(csv: str, setup: Callable[[Path], object]) -> Callable[[Path], Path]:
    """A profile file in ``tmp/site`` whose field.msg_delay reads ``csv``."""

    def make(tmp: Path) -> Path:
        site = tmp / "site"
        site.mkdir()
        (tmp / "secret.csv").write_text("0.5\n")
        setup(site)
        text = VALID + f"field.msg_delay = {{ model = 'empirical', csv = '{csv}' }}\n"
        return _write(site, "site.toml", text)

    return make


def _nothing(site: Path) -> None:
    """No extra file."""


# (make the file, substrings of the one error line)
# fmt: off
ROWS = [
    # -- alias bombs and nesting
    pytest.param(billion_laughs, ["laughs.yaml", "line 5, column 4", LARGE, "aliases count at every use"], id="yaml-billion-laughs"),
    pytest.param(deep_through_aliases, ["alias_deep.yaml", DEEP, "through aliases"], id="yaml-deep-through-aliases"),
    pytest.param(lambda t: _write(t, "recursive.yaml", "profiles: &p {p: {source: x, field: *p}}\n"), ["recursive.yaml", "an alias refers to a collection holding it"], id="yaml-recursive-alias"),
    pytest.param(lambda t: _write(t, "deep_seq.yaml", "[" * 5000 + "]" * 5000 + "\n"), ["deep_seq.yaml", "line 1, column 33", DEEP], id="yaml-5000-deep-sequences"),
    pytest.param(lambda t: _write(t, "deep_map.yaml", "{a: " * 5000 + "1" + "}" * 5000 + "\n"), ["deep_map.yaml", DEEP], id="yaml-5000-deep-mappings"),
    pytest.param(lambda t: _write(t, "deep_arr.toml", "a = " + "[" * 5000 + "]" * 5000 + "\n"), ["deep_arr.toml", DEEP], id="toml-5000-deep-arrays"),
    pytest.param(lambda t: _write(t, "deep_tab.toml", "a = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n"), ["deep_tab.toml", DEEP], id="toml-5000-deep-inline-tables"),
    pytest.param(lambda t: _write(t, "dotted.toml", "[" + ".".join(["a"] * 100_000) + "]\n"), ["dotted.toml", DEEP], id="toml-100000-part-dotted-key"),
    pytest.param(lambda t: _write(t, "many.toml", "a = [" + "0," * 50_000 + "]\n"), ["many.toml", LARGE], id="toml-too-many-values"),
    # -- integers
    pytest.param(lambda t: _write(t, "int400.toml", VALID + "field = { obs_delay = " + "9" * 400 + " }\n"), ["int400.toml", "profiles.p.field.obs_delay: must be an integer of " + LONG_INT + ", got one of 400 digits"], id="toml-400-digit-int"),
    pytest.param(lambda t: _write(t, "int400.yaml", "profiles:\n  p:\n    source: x\n    field: {obs_delay: " + "9" * 400 + "}\n"), ["int400.yaml", "line 4, column 24", f"integer longer than {MAX_INT_DIGITS} digits"], id="yaml-400-digit-int"),
    pytest.param(lambda t: _write(t, "int5000.toml", VALID + "field = { obs_delay = " + "9" * 5000 + " }\n"), ["int5000.toml", f"holds an integer longer than {MAX_INT_DIGITS} digits"], id="toml-5000-digit-int"),
    pytest.param(lambda t: _write(t, "int5000.yaml", "profiles: {p: {source: x, field: {seed: " + "9" * 5000 + "}}}\n"), ["int5000.yaml", f"integer longer than {MAX_INT_DIGITS} digits"], id="yaml-5000-digit-int"),
    pytest.param(lambda t: _write(t, "hexseed.toml", VALID + "field = { seed = 0x" + "f" * 20_000 + " }\n"), ["hexseed.toml", "profiles.p.field.seed", LONG_INT, "about 24082 digits"], id="toml-24000-digit-hex-seed"),
    pytest.param(lambda t: _write(t, "sexagesimal.yaml", "profiles: {p: {source: x, field: {seed: " + "1:" * 300_000 + "1}}}\n"), ["sexagesimal.yaml", f"integer longer than {MAX_INT_DIGITS} digits"], id="yaml-sexagesimal-int"),
    # -- what the file is
    pytest.param(fifo, ["pipe.toml", "is a named pipe (FIFO), not a regular file"], id="fifo"),
    pytest.param(dev_zero_link, ["zero.toml", "is a character device, not a regular file"], id="dev-zero-symlink"),
    pytest.param(lambda t: Path("/dev/zero"), ["/dev/zero", "is a character device, not a regular file"], id="dev-zero"),
    pytest.param(directory, ["folder.toml", "is a directory, not a file"], id="directory"),
    pytest.param(lambda t: t / "absent.toml", ["absent.toml", "does not exist"], id="missing"),
    pytest.param(lambda t: _write(t, "big.toml", "#" * (MAX_FILE_BYTES + 1) + "\n"), ["big.toml", f"must be at most 1 MiB, got {MAX_FILE_BYTES + 2} bytes"], id="larger-than-1-mib"),
    pytest.param(lambda t: _write(t, "binary.toml", bytes(range(256)) * 4), ["binary.toml", "is binary, not text (NUL byte at offset 0)"], id="binary"),
    pytest.param(lambda t: _write(t, "latin.yaml", b"profiles:\n  p:\n    source: caf\xe9\n"), ["latin.yaml", "is not UTF-8 text (bad byte at offset 30)"], id="non-utf8"),
    pytest.param(lambda t: _write(t, "bell.yaml", "profiles:\n  p:\n    source: a\x07b\n"), ["bell.yaml", "YAML error at character 28: unacceptable character #x0007"], id="yaml-control-character"),
    # -- duplicate keys
    pytest.param(lambda t: _write(t, "dup.yaml", "profiles:\n  p:\n    source: x\n    source: y\n"), ["dup.yaml", "profiles.p.source: is given twice (lines 3 and 4)"], id="yaml-duplicate-key"),
    pytest.param(lambda t: _write(t, "dup_int.yaml", "profiles:\n  p:\n    source: x\n    agents:\n      1: {tick_interval: 1}\n      0x1: {tick_interval: 2}\n"), ["dup_int.yaml", "profiles.p.agents.1: is given twice (lines 5 and 6)"], id="yaml-duplicate-key-spelled-twice"),
    pytest.param(lambda t: _write(t, "dup.toml", VALID + 'source = "y"\n'), ["dup.toml", "TOML syntax error: Cannot overwrite a value (at line 3, column 13)"], id="toml-duplicate-key"),
    # -- echoes and escapes
    pytest.param(lambda t: _write(t, "tag.yaml", "profiles: !<tag:" + "S" * 5000 + "> {}\n"), ["tag.yaml", "could not determine a constructor for the tag 'tag:SSS", "SSS...'"], id="yaml-long-tag-not-echoed"),
    pytest.param(lambda t: _write(t, "newline.yaml", 'profiles:\n  "a\\nb": {source: x}\n'), ["newline.yaml", "profiles.\"a\\nb\": must be a non-empty one-line string, got 'a\\nb'"], id="newline-in-profile-name"),
    pytest.param(lambda t: _write(t, "escape.yaml", 'profiles:\n  "a\\e[2J": {source: x}\n'), ["escape.yaml", "must not hold control characters, got 'a\\x1b[2J'"], id="escape-in-profile-name"),
    pytest.param(lambda t: _write(t, "cr.toml", '[profiles."b\\r"]\nsource = "x"\n'), ["cr.toml", "profiles.\"b\\r\": must not hold control characters, got 'b\\r'"], id="carriage-return-in-profile-name"),
    pytest.param(lambda t: t / "bad\nname\x1b.toml", ["bad\\nname\\x1b.toml", "does not exist"], id="newline-in-file-name"),
    # -- empirical csv files
    pytest.param(with_csv("../secret.csv", _nothing), ["site.toml", "field.msg_delay.csv: must stay inside the profile file's folder", "'../secret.csv'"], id="csv-dotdot"),
    pytest.param(with_csv("/etc/passwd", _nothing), ["site.toml", "must be a path relative to the profile file's folder, got '/etc/passwd'"], id="csv-absolute"),
    pytest.param(with_csv("link.csv", lambda s: (s / "link.csv").symlink_to(s.parent / "secret.csv")), ["site.toml", "must stay inside the profile file's folder", "secret.csv"], id="csv-symlink-out"),
    pytest.param(with_csv("zero.csv", lambda s: (s / "zero.csv").symlink_to("/dev/zero")), ["site.toml", "(leads to /dev/zero)"], id="csv-dev-zero"),
    pytest.param(with_csv("pipe.csv", lambda s: os.mkfifo(s / "pipe.csv")), ["site.toml", "pipe.csv is a named pipe (FIFO), not a regular file"], id="csv-fifo"),
    pytest.param(with_csv("dir.csv", lambda s: (s / "dir.csv").mkdir()), ["site.toml", "dir.csv is a directory, not a file"], id="csv-directory"),
    pytest.param(with_csv("big.csv", lambda s: (s / "big.csv").write_text("0.1\n" * (MAX_CSV_BYTES // 4 + 1))), ["site.toml", f"big.csv must be at most 4 MiB, got {MAX_CSV_BYTES + 4} bytes"], id="csv-larger-than-4-mib"),
    pytest.param(with_csv("latin.csv", lambda s: (s / "latin.csv").write_bytes(b"0.1\n\xff\n")), ["site.toml", "latin.csv is not UTF-8 text (bad byte at offset 4)"], id="csv-non-utf8"),
    pytest.param(with_csv("wide.csv", lambda s: (s / "wide.csv").write_text("1" * 200_000 + "\n")), ["site.toml", "wide.csv is not valid CSV: field larger than field limit"], id="csv-200k-character-field"),
]
# fmt: on


def _refusal(path: Path) -> ProfileFileError:
    with pytest.raises(ProfileFileError) as info:
        load_profiles(path)
    return info.value


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("make", "reasons"), ROWS)
def test_hostile_file_is_refused_in_one_printable_line(
    make: Callable[[Path], Path], reasons: list[str], tmp_path: Path
) -> None:
    message = str(_refusal(make(tmp_path)))
    assert "\n" not in message
    assert message.isprintable(), repr(message)
    assert len(message) < 1000, message[:2000]
    for reason in reasons:
        assert reason in message, f"{reason!r} not in {message!r}"


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "make", [billion_laughs, dev_zero_link, lambda t: Path("/dev/zero")]
)
def test_bombs_are_refused_in_little_memory(
    make: Callable[[Path], Path], tmp_path: Path
) -> None:
    path = make(tmp_path)
    tracemalloc.start()
    try:
        _refusal(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024**2, f"peak {peak / 1024**2:.1f} MiB"


@pytest.mark.timeout(30)
def test_permission_denied_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EACCES on open (simulated: the tests may run as root, who reads anything)."""
    path = _write(tmp_path, "locked.toml", VALID)
    real_open = os.open

    def deny(file: object, *args: object, **kwargs: object) -> int:
        if Path(file) == path:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", deny)
    msg = f"profile file {path}: cannot be read: Permission denied"
    with pytest.raises(ProfileFileError, match=f"^{re.escape(msg)}$"):
        load_profiles(path)


# -- what still loads ----------------------------------------------------------------


def test_csv_inside_the_folder_loads_through_dotdot_and_symlinks(
    tmp_path: Path,
) -> None:
    (tmp_path / "traces").mkdir()
    (tmp_path / "traces" / "ping.csv").write_text("0.1\n0.3\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "traces" / "ping.csv")
    text = (
        VALID
        + "field.msg_delay = { model = 'empirical', csv = 'traces/../link.csv' }\n"
    )
    path = _write(tmp_path, "site.toml", text)
    assert load_profiles(path)["p"].field.msg_delay == EmpiricalDelay([0.1, 0.3])


def test_csv_paths_resolve_against_the_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "ping.csv").write_text("0.2\n")
    (tmp_path / "ping.csv").write_text("9.0\n")
    path = _write(
        tmp_path / "site",
        "site.toml",
        VALID + "field.msg_delay = { model = 'empirical', csv = 'ping.csv' }\n",
    )
    monkeypatch.chdir(tmp_path)
    assert load_profiles(path)["p"].field.msg_delay == EmpiricalDelay([0.2])


@pytest.mark.parametrize("csv", ["../secret.csv", "ABSOLUTE"])
def test_allow_outside_csv_reads_any_path(tmp_path: Path, csv: str) -> None:
    (tmp_path / "secret.csv").write_text("0.5\n")
    csv = str(tmp_path / "secret.csv") if csv == "ABSOLUTE" else csv
    (tmp_path / "site").mkdir()
    path = _write(
        tmp_path / "site",
        "site.toml",
        VALID + f"field.msg_delay = {{ model = 'empirical', csv = '{csv}' }}\n",
    )
    found = load_profiles(path, allow_outside_csv=True)
    assert found["p"].field.msg_delay == EmpiricalDelay([0.5])


def test_yaml_anchors_and_merge_keys_still_load(tmp_path: Path) -> None:
    text = (
        "profiles:\n"
        "  p:\n"
        "    source: x\n"
        "    field: &slow {obs_delay: 0.5, jitter_type: none}\n"
        "    coordinator: {<<: *slow, act_delay: 0.1}\n"
        "    system: *slow\n"
    )
    p = load_profiles(_write(tmp_path, "anchors.yaml", text))["p"]
    assert p.field.obs_delay == p.coordinator.obs_delay == p.system.obs_delay == 0.5
    assert p.coordinator.act_delay == 0.1


def test_a_file_name_with_a_newline_still_loads_with_a_base(tmp_path: Path) -> None:
    path = _write(tmp_path, "two\nlines.toml", '[profiles.p]\nbase = "lan"\n')
    assert load_profiles(path)["p"].source == (
        f"lan with changes from {str(path).replace(chr(10), chr(92) + 'n')}"
    )


def test_many_problems_are_listed_up_to_a_limit(tmp_path: Path) -> None:
    body = "".join(
        f'[profiles.p{i}]\nsource = "x"\nrates = "fast"\n' for i in range(60)
    )
    with pytest.raises(ProfileFileError) as info:
        load_profiles(_write(tmp_path, "many.toml", body))
    lines = str(info.value).splitlines()
    assert len(info.value.problems) == 60
    assert lines[0].endswith("(60 problems):")
    assert lines[-1] == "... and 10 more"
    assert len(lines) == 52


# -- the command line ----------------------------------------------------------------

# fmt: off
CLI_ROWS = [
    pytest.param(billion_laughs, [LARGE], id="billion-laughs"),
    pytest.param(dev_zero_link, ["zero.toml", "character device"], id="dev-zero-symlink"),
    pytest.param(lambda t: Path("/dev/zero"), ["/dev/zero", "character device"], id="dev-zero"),
    pytest.param(fifo, ["pipe.toml", "named pipe (FIFO)"], id="fifo"),
    pytest.param(directory, ["folder.toml", "is a directory"], id="directory"),
    pytest.param(lambda t: _write(t, "latin.yaml", b"profiles:\n  p:\n    source: caf\xe9\n"), ["latin.yaml", "is not UTF-8 text"], id="non-utf8"),
    pytest.param(lambda t: _write(t, "newline.yaml", 'profiles:\n  "a\\nb": {source: x}\n'), ["newline.yaml", "profiles.\"a\\nb\"", "'a\\nb'"], id="newline-in-profile-name"),
    pytest.param(lambda t: _write(t, "dotted.toml", "[" + ".".join(["a"] * 100_000) + "]\n"), ["dotted.toml", DEEP], id="dotted-key"),
    pytest.param(with_csv("../secret.csv", _nothing), ["site.toml", "must stay inside the profile file's folder"], id="csv-outside"),
]
# fmt: on


@pytest.mark.parametrize(("make", "culprits"), CLI_ROWS)
def test_cli_refuses_hostile_file_in_one_line(
    make: Callable[[Path], Path], culprits: list[str], tmp_path: Path
) -> None:
    path = make(tmp_path)
    result = run_cli(
        ["compare", "battery-v0", "--profile-file", str(path), "--seeds", "1"],
        timeout=30,
        cwd=tmp_path,
    )
    last = assert_refused(result, culprits)
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
    assert last.isprintable(), repr(last)
