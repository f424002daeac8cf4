"""The command line with profile files from elsewhere, and ``bench`` outside a checkout.

Every row runs the CLI in a child bounded in time and memory. Before the CLI
became a package these failed: a csv outside the profile file's folder loaded
silently and ``--allow-outside-csv`` did not exist; a profile file whose name
holds a newline and ESC was printed raw (the ``run`` summary broke over two
lines with a live terminal escape); ``heron-simpy bench`` needed the
``benchmarks/`` folder of a source checkout, so an installed copy refused it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hostile.conftest import ROOT, assert_refused, run_cli, run_python

SMALL_COMPARE = ["--seeds", "1", "--workers", "1", "--t-end", "2", "--out", "out"]
ESC_NAME = "site\nnext\x1b[31m.toml"
ESC_SHOWN = "site\\nnext\\x1b[31m.toml"


def _site_with_outside_csv(tmp_path: Path, levels: tuple[str, ...]) -> Path:
    """A profile file whose obs delays at ``levels`` come from ../obs.csv (0.5 s)."""
    (tmp_path / "obs.csv").write_text("0.5\n0.5\n")
    (tmp_path / "site").mkdir()
    path = tmp_path / "site" / "site.toml"
    model = "{ model = 'empirical', csv = '../obs.csv' }"
    body = "".join(f"{level}.obs_delay = {model}\n" for level in levels)
    path.write_text(f'[profiles.p]\nsource = "x"\n{body}')
    return path


def _assert_no_control_characters(result) -> None:
    for stream in (result.stdout, result.stderr):
        bad = [c for c in stream if not c.isprintable() and c != "\n"]
        assert not bad, repr(stream[-2000:])


# ------------------------------------------------------- csv outside the folder


@pytest.mark.parametrize("command", ["run", "compare"])
def test_csv_outside_the_profile_folder_is_refused_without_the_flag(
    command: str, tmp_path: Path
) -> None:
    path = _site_with_outside_csv(tmp_path, ("field",))
    extra = SMALL_COMPARE if command == "compare" else ["--t-end", "2"]
    result = run_cli(
        [command, "battery-v0", "--profile-file", str(path), *extra], cwd=tmp_path
    )
    assert_refused(
        result,
        [
            "site.toml",
            "profiles.p.field.obs_delay.csv",
            "must stay inside the profile file's folder",
            "'../obs.csv'",
            "--allow-outside-csv",
        ],
    )
    assert not (tmp_path / "out").exists()


def test_run_allow_outside_csv_reads_the_csv(tmp_path: Path) -> None:
    path = _site_with_outside_csv(tmp_path, ("field", "coordinator"))
    result = run_cli(
        ["run", "battery-v0", "--t-end", "20", "--profile-file", str(path),
         "--allow-outside-csv"],
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert f"p (from {path})" in next(ln for ln in lines if ln.startswith("profile"))
    age = next(ln for ln in lines if ln.startswith("mean obs age"))
    assert age.split()[-2:] == ["0.5000", "s"]  # every delay read from ../obs.csv


def test_compare_allow_outside_csv_reads_the_csv(tmp_path: Path) -> None:
    path = _site_with_outside_csv(tmp_path, ("field", "coordinator"))
    result = run_cli(
        ["compare", "battery-v0", "--profile-file", str(path), "--allow-outside-csv",
         *SMALL_COMPARE],
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "out" / "compare.json").is_file()
    rows = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert "ideal" in rows
    assert "p" in rows


@pytest.mark.parametrize("command", ["run", "compare"])
def test_allow_outside_csv_is_in_the_help(command: str, tmp_path: Path) -> None:
    result = run_cli([command, "--help"], cwd=tmp_path)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert (
        "--allow-outside-csv let --profile-file's empirical csv paths leave the "
        "file's folder (absolute paths, .., symlinks leading out)"
    ) in text


# ------------------------------------------- a file name with a newline and ESC


def test_run_prints_a_control_character_file_name_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / ESC_NAME
    path.write_text('[profiles.p]\nsource = "x"\n')
    result = run_cli(
        ["run", "battery-v0", "--t-end", "2", "--profile-file", str(path)],
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    _assert_no_control_characters(result)
    profile = [ln for ln in result.stdout.splitlines() if ln.startswith("profile")]
    assert profile == [f"profile           p (from {tmp_path}/{ESC_SHOWN})"]


@pytest.mark.parametrize(
    ("args", "culprits"),
    [
        pytest.param(
            ["run", "battery-v0", "--t-end", "2"],
            ["defines 2 profiles", "--profile NAME (p, q)"],
            id="run-two-profiles-without-profile",
        ),
        pytest.param(
            ["compare", "battery-v0", "--profiles", "moon", *SMALL_COMPARE],
            ["unknown timing profile 'moon'", ": p, q"],
            id="compare-unknown-profile",
        ),
    ],
)
def test_refusals_print_a_control_character_file_name_on_one_line(
    args: list[str], culprits: list[str], tmp_path: Path
) -> None:
    path = tmp_path / ESC_NAME
    path.write_text('[profiles.p]\nsource = "x"\n\n[profiles.q]\nsource = "y"\n')
    result = run_cli([*args, "--profile-file", str(path)], cwd=tmp_path)
    assert_refused(result, [f"{tmp_path}/{ESC_SHOWN}", *culprits])
    _assert_no_control_characters(result)
    assert len(result.stderr.splitlines()) == 1


# ------------------------------------------------------- bench when installed


@pytest.mark.timeout(300)
def test_bench_quick_runs_from_an_installed_copy(tmp_path: Path) -> None:
    """The package as a non-editable install lays it out: no benchmarks/ beside it."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "heron_simpy", site / "heron_simpy", ignore=ignore)
    shutil.copytree(
        ROOT / "scenarios", site / "heron_simpy" / "scenarios", ignore=ignore
    )
    code = (
        "import runpy, sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "import heron_simpy\n"
        "print(heron_simpy.__file__, flush=True)\n"
        "sys.argv = ['heron-simpy', 'bench', '--quick']\n"
        "runpy.run_module('heron_simpy', run_name='__main__')\n"
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    result = run_python(code, cwd=work, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0] == str(site / "heron_simpy" / "__init__.py")
    assert lines[1] == "trace check: engine == heapq floor (N=20, 600 s, seed 0)"
    assert [line[:7] for line in lines[2:]] == ["N=   10", "N=  100"]
    assert all("ratio" in line and "ev/s" in line for line in lines[2:])
