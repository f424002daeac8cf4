"""The package works where users stand: inside the checkout, and installed elsewhere.

After the README's non-editable install (``pip install ".[plot]"``), Python run
inside the checkout imports the checkout's ``heron_simpy/`` (the working
directory comes first on ``sys.path``), which has no ``scenarios`` folder of
its own: the registry maps the sibling ``scenarios/`` then. The children below
drop the editable-install finder of the test environment, so they see exactly
what a non-editable install gives. The slow test makes a real non-editable
install into a temporary folder and runs ``heron-simpy bench`` from there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Run code as a non-editable install sees it: no setuptools editable finder.
_PLAIN = (
    "import sys\n"
    "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
)


def _child(
    code: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PLAIN + code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )


@pytest.mark.timeout(120)
def test_import_and_list_work_inside_the_checkout_without_an_editable_install() -> None:
    done = _child(
        "import heron_simpy, heron_simpy.scenarios.battery as b\n"
        "print(heron_simpy.__file__)\n"
        "print(b.__file__)\n"
        "print(','.join(heron_simpy.available()))\n"
        "import runpy; sys.argv = ['heron-simpy', 'list']\n"
        "runpy.run_module('heron_simpy', run_name='__main__')\n",
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == str(ROOT / "heron_simpy" / "__init__.py")
    assert lines[1] == str(ROOT / "scenarios" / "battery.py")
    assert "battery-v0" in lines[2].split(",")
    assert any(line.startswith("battery-v0") for line in lines[3:]), done.stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_real_non_editable_install_works_in_and_out_of_the_checkout(
    tmp_path: Path,
) -> None:
    target = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--target", str(target), str(ROOT)],
        capture_output=True, text=True, timeout=400, check=False,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-3000:]
    assert (target / "heron_simpy" / "scenarios" / "battery.py").is_file()
    env = {**os.environ, "PYTHONPATH": str(target)}
    inside = _child(
        "import heron_simpy; print(heron_simpy.__file__, len(heron_simpy.available()))",
        cwd=ROOT,
        env=env,
    )
    assert inside.returncode == 0, inside.stderr[-3000:]
    assert inside.stdout.split()[0] == str(ROOT / "heron_simpy" / "__init__.py")
    outside = _child(
        "import heron_simpy; print(heron_simpy.__file__)\n"
        "from heron_simpy import cli\n"
        "raise SystemExit(cli.main(['bench', '--quick']))\n",
        cwd=tmp_path,
        env=env,
        timeout=400,
    )
    assert outside.returncode == 0, outside.stderr[-3000:]
    lines = outside.stdout.splitlines()
    assert lines[0] == str(target / "heron_simpy" / "__init__.py")
    assert any("trace check: engine == heapq floor" in line for line in lines)
    assert sum(line.startswith("N=") for line in lines) == 2, outside.stdout
