"""The package's dependency direction and its public surface."""

from __future__ import annotations

import ast
import configparser
import importlib
import pkgutil
from importlib.metadata import version
from pathlib import Path

import pytest

import heron_simpy

ROOT = Path(heron_simpy.__file__).parent

# Lower number = lower layer. A module may import only from its own layer or lower.
LAYERS = {
    "exceptions": 0,
    "faults": 0,
    "timing": 0,
    "profile_file": 0,
    "recording": 0,
    "plant": 0,
    # heron_simpy.scenarios: the registry reads only its data table at import;
    # scenario modules are loaded lazily by id.
    "scenarios": 0,
    "engine": 1,
    "broker": 2,
    "features": 2,
    "agents": 3,
    "protocols": 4,
    "injection": 5,
    "simulation": 5,
    "scenario": 6,
    "facade": 7,
    "registry": 8,
    "heron_env": 8,
    "evaluation": 9,
    "compare": 10,
    "adapters": 10,
    "demo": 11,
    "throughput": 11,
    # heron_simpy.cli: one module per command plus parsing and program; the
    # package is one unit (its modules may import one another).
    "cli": 12,
    "__main__": 13,
    "__init__": 14,
}
SIMPY_FREE = {"timing", "recording", "plant", "exceptions", "faults", "profile_file"}


def _unit(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


MODULES = sorted(p for p in ROOT.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_down_the_layers(path: Path) -> None:
    unit = _unit(path)
    assert unit in LAYERS, f"{unit} has no layer: add it to LAYERS and docs/design.md"
    for module in _imports(path):
        if module.startswith("simpy"):
            assert unit not in SIMPY_FREE, f"{path.name} ({unit}) must not import simpy"
        if not module.startswith("heron_simpy."):
            continue
        target = module.split(".")[1]
        assert LAYERS[target] <= LAYERS[unit], (
            f"{path.relative_to(ROOT)} ({unit}, layer {LAYERS[unit]}) imports "
            f"{module} ({target}, layer {LAYERS[target]})"
        )


@pytest.mark.parametrize(
    "name",
    [
        m.name
        for m in pkgutil.walk_packages(heron_simpy.__path__, "heron_simpy.")
        if m.name != "heron_simpy.__main__"
    ],
)
def test_all_matches_module(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(exported) == len(set(exported)), f"{name}.__all__ has duplicates"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names {item!r}, which it lacks"


def test_documented_public_names() -> None:
    """The names DESIGN.md section 10 promises (this issue's part of them)."""
    for name in (
        "TickConfig",
        "ScheduleConfig",
        "JitterType",
        "EventScheduler",
        "Event",
        "EventType",
        "profiles",
    ):
        assert name in heron_simpy.__all__
    assert heron_simpy.ScheduleConfig is heron_simpy.TickConfig
    assert {"ideal", "lan", "wan", "scada", "traffic"} <= set(heron_simpy.profiles)


def test_version_comes_from_metadata() -> None:
    assert heron_simpy.__version__ == version("heron-simpy")


def test_setup_cfg_lists_every_package() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT.parent / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    on_disk = {
        "heron_simpy"
        + ("." + ".".join(p.parent.relative_to(ROOT).parts) if p.parent != ROOT else "")
        for p in ROOT.rglob("__init__.py")
    }
    assert on_disk | {"heron_simpy.scenarios"} == listed
