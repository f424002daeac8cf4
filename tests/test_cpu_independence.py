"""Same seed, same bits on every x86-64 CPU: the golden runs under narrower SIMD.

numpy picks SIMD kernels at run time (AVX-512 here, AVX2 there); OpenBLAS picks
its kernels by CPU core type. Anything such a kernel computes differently in
the last bit would make a seed give another trace on another machine. Each
test reruns every golden case in a child process with part of the CPU hidden
from numpy (``NPY_DISABLE_CPU_FEATURES``) or with OpenBLAS forced onto another
core type (``OPENBLAS_CORETYPE``), and requires the exact stored sha256 of the
canonical trace text, the same returns and the same stats. On a machine that
lacks the hidden features the child runs the same code as the parent; CI also
reruns the golden tests as a whole under the AVX2-only setting (``.ci/run``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from numpy._core._multiarray_umath import __cpu_dispatch__

from heron_simpy import available, registry
from tests.golden.summary import load

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json
from heron_simpy import available, registry
from tests.golden.cases import case_for
from tests.golden.summary import run
out = {}
for sid in available():
    if registry.spec(sid).missing:
        continue
    s = run(case_for(sid)).summary
    out[sid] = {"sha256": s["sha256"], "returns": s["returns"], "stats": s["stats"]}
print(json.dumps(out))
"""

_WIDE = " ".join(f for f in __cpu_dispatch__ if f.startswith(("X86_V4", "AVX512")))
_ALL = " ".join(__cpu_dispatch__)

SETTINGS = [
    pytest.param({"NPY_DISABLE_CPU_FEATURES": _WIDE}, id="numpy-without-avx512"),
    pytest.param({"NPY_DISABLE_CPU_FEATURES": _ALL}, id="numpy-baseline-only"),
    pytest.param({"OPENBLAS_CORETYPE": "Haswell"}, id="openblas-haswell"),
    pytest.param({"OPENBLAS_CORETYPE": "Sandybridge"}, id="openblas-sandybridge"),
]


def _golden_ids() -> list[str]:
    """Scenarios with a golden file whose requirements are installed."""
    return [
        sid
        for sid in available()
        if not registry.spec(sid).missing and load(sid) is not None
    ]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("setting", SETTINGS)
def test_golden_runs_are_bit_identical_under_other_cpu_kernels(
    setting: dict[str, str],
) -> None:
    env = {**os.environ, **setting}
    env.pop("PYTHONHASHSEED", None)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    ids = _golden_ids()
    assert sorted(got) == sorted(ids)
    for sid in ids:
        stored = load(sid)
        assert stored is not None
        assert got[sid]["sha256"] == stored["sha256"], f"{sid} under {setting}"
        assert got[sid]["returns"] == stored["returns"], f"{sid} under {setting}"
        stats = {k: got[sid]["stats"][k] for k in stored["stats"]}
        assert stats == stored["stats"], f"{sid} under {setting}"


def test_the_settings_hide_something_numpy_dispatches() -> None:
    # The AVX2-only setting must name real dispatch targets of this numpy, or
    # the test above would compare a run with itself on AVX-512 machines.
    assert _WIDE, __cpu_dispatch__
    assert set(_WIDE.split()) <= set(__cpu_dispatch__)
