"""Registered scenarios: ``register``, ``make``, ``available`` and their specs."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import numbers
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pettingzoo.utils.conversions import parallel_to_aec

from heron_simpy.engine.budget import (
    AGENT_SETUP_EVENTS,
    DEFAULT_EVENT_BUDGET,
    check_event_budget,
    refuse_over_budget,
)
from heron_simpy.exceptions import ConfigError
from heron_simpy.facade import (
    EventEnv,
    EventSingleAgentEnv,
    LockstepEnv,
    SingleAgentEnv,
)
from heron_simpy.scenario import Scenario
from heron_simpy.timing import resolve_profile

__all__ = [
    "ScenarioSpec",
    "available",
    "build",
    "make",
    "pettingzoo_factories",
    "register",
    "spec",
]

_ID = re.compile(r"^[a-z][a-z0-9_]*(-[a-z0-9_]+)*-v(0|[1-9][0-9]*)$")
_REGISTRY: dict[str, ScenarioSpec] = {}
APIS = ("pettingzoo", "gymnasium", "event")


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """How to build one registered scenario.

    Attributes:
        id: ``name-vN`` (bump N whenever observable behaviour changes).
        entry_point: ``"package.module"``: a module exposing ``Config`` and
            ``build(config) -> Scenario``; loaded on first use.
        description: One line for ``heron-simpy list``.
        requires: Importable modules the scenario needs (an optional extra);
            building it without them raises a ConfigError naming them.

    Example:
        >>> from heron_simpy.registry import spec
        >>> spec("battery-v0").entry_point
        'heron_simpy.scenarios.battery'
    """

    id: str
    entry_point: str
    description: str = ""
    requires: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        """The required modules that cannot be imported here."""
        return tuple(m for m in self.requires if importlib.util.find_spec(m) is None)

    def module(self) -> Any:
        """Import and return the scenario module.

        Raises:
            ConfigError: A required optional module is not installed.
        """
        if self.missing:
            raise ConfigError(
                f"{self.id} needs {', '.join(self.missing)}: "
                f"pip install 'heron-simpy[{_extra(self.missing)}]'"
            )
        return importlib.import_module(self.entry_point)

    def config(self, **overrides: Any) -> Any:
        """Return the module's ``Config`` with ``overrides`` checked and applied.

        Raises:
            ConfigError: An unknown override name (the valid ones are listed) or
                a value the Config rejects.
            TypeError: A value of the wrong type.
        """
        cls = self.module().Config
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            raise ConfigError(
                f"{self.id} has no override {unknown[0]!r}; valid: {', '.join(fields)}"
            )
        plain = {}
        for name, value in overrides.items():
            default = fields[name].default
            if not _same_kind(default, value):
                raise TypeError(
                    f"{self.id} override {name} must be {type(default).__name__}, "
                    f"got {value!r}"
                )
            plain[name] = _plain(default, value)
        return cls(**plain)

    def build(
        self, event_budget: float | None = DEFAULT_EVENT_BUDGET, **overrides: Any
    ) -> Scenario:
        """Build a fresh scenario (new plant and agents) with ``overrides``.

        Raises:
            BudgetError: The config's ``agent_count`` is too large to set up
                within ``event_budget`` (checked before anything is built).
        """
        config = self.config(**overrides)
        check_population(self.id, config, event_budget)
        return self.module().build(config)  # type: ignore[no-any-return]


def check_population(scenario_id: str, config: Any, event_budget: float | None) -> None:
    """Refuse a config whose agents cannot be set up within ``event_budget``.

    A scenario ``Config`` that knows its ``agent_count`` (an int property) is
    checked before its agents are built: each counts ``AGENT_SETUP_EVENTS``.

    Raises:
        BudgetError: Too many agents for the budget.
    """
    budget = check_event_budget(event_budget, scenario_id)
    count = getattr(config, "agent_count", None)
    if isinstance(count, int) and not isinstance(count, bool):
        refuse_over_budget(
            float(count) * AGENT_SETUP_EVENTS,
            budget,
            f"{scenario_id} set-up of {count:,} agents",
        )


def _extra(modules: tuple[str, ...]) -> str:
    """The extra that installs ``modules`` (``grid`` for pandapower)."""
    return "grid" if "pandapower" in modules else "all"


def _same_kind(default: Any, value: Any) -> bool:
    """Whether ``value`` may replace ``default`` (an int may stand for a float).

    numpy numbers count as the Python number they stand for; bools (numpy's
    too) only replace bools.
    """
    if isinstance(default, bool) or isinstance(value, (bool, np.bool_)):
        return isinstance(default, bool) and isinstance(value, (bool, np.bool_))
    if isinstance(default, float):
        return isinstance(value, numbers.Real)
    if isinstance(default, int):
        return isinstance(value, numbers.Integral)
    return isinstance(value, type(default))


def _plain(default: Any, value: Any) -> Any:
    """``value`` as the Python type of ``default`` (numpy numbers unwrapped)."""
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int) and isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(default, float) and isinstance(value, numbers.Real):
        return value if isinstance(value, int) else float(value)
    return value


def register(
    scenario_id: str,
    entry_point: str,
    description: str = "",
    requires: tuple[str, ...] = (),
) -> ScenarioSpec:
    """Register a scenario module under ``scenario_id``.

    Raises:
        ConfigError: A malformed id (it must look like ``name-vN``) or one
            already registered.
    """
    if not isinstance(scenario_id, str) or not _ID.fullmatch(scenario_id):
        raise ConfigError(
            f"scenario id must look like 'name-vN' (lowercase, e.g. 'battery-v0'), "
            f"got {scenario_id!r}"
        )
    if scenario_id in _REGISTRY:
        raise ConfigError(f"scenario id {scenario_id!r} is already registered")
    entry = ScenarioSpec(scenario_id, entry_point, description, tuple(requires))
    _REGISTRY[scenario_id] = entry
    return entry


def available() -> tuple[str, ...]:
    """The registered scenario ids, sorted."""
    return tuple(sorted(_REGISTRY))


def spec(scenario_id: str) -> ScenarioSpec:
    """Return the spec of ``scenario_id``.

    Raises:
        ConfigError: The id is not registered (the registered ones are listed).
    """
    try:
        return _REGISTRY[scenario_id]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown scenario {scenario_id!r}; available: {', '.join(available())}"
        ) from None


def build(
    scenario_id: str,
    event_budget: float | None = DEFAULT_EVENT_BUDGET,
    **overrides: Any,
) -> Scenario:
    """Build a fresh :class:`Scenario` of ``scenario_id``.

    Raises:
        ConfigError: Unknown id or override, or a value the Config rejects.
        BudgetError: Too many agents for ``event_budget``.
    """
    return spec(scenario_id).build(event_budget, **overrides)


def make(scenario_id: str, api: str = "pettingzoo", **kwargs: Any) -> Any:
    """Return an environment of a registered scenario.

    Args:
        scenario_id: A registered id, e.g. ``"battery-v0"``.
        api: ``"pettingzoo"`` (a ``ParallelEnv``), ``"gymnasium"`` (a
            ``gymnasium.Env``: one controllable agent, or central control of
            all in lockstep), or ``"event"`` (the event-driven multi-agent
            training env, RLlib ``MultiAgentEnv`` contract).
        **kwargs: Scenario overrides (``n_agents=...``), plus ``mode``
            (``"lockstep"``, the default, or ``"event"``) and ``profile`` (for
            event mode). ``api="gymnasium", mode="event"`` is a single-agent
            env stepped from one decision of the agent to its next under the
            profile's timing (for retraining with single-agent learners).

    Raises:
        ConfigError: Unknown id, api, mode or override; a profile in lockstep.
        BudgetError: More agents than the default event budget sets up.
    """
    mode = kwargs.pop("mode", "event" if api == "event" else "lockstep")
    profile = kwargs.pop("profile", None)
    if api not in APIS:
        raise ConfigError(f"make api must be one of {', '.join(APIS)}, got {api!r}")
    if mode not in ("lockstep", "event"):
        raise ConfigError(f"make mode must be 'lockstep' or 'event', got {mode!r}")
    if mode == "lockstep" and profile is not None:
        raise ConfigError(
            f"make profile is only for mode='event' (lockstep is ideal timing), "
            f"got profile={profile!r}"
        )
    entry = spec(scenario_id)
    # Validate now, at construction, and refuse a population that cannot be
    # set up before the facade starts building it.
    check_population(scenario_id, entry.config(**kwargs), DEFAULT_EVENT_BUDGET)
    timing = "ideal" if profile is None else profile
    resolve_profile(timing)  # an unknown name fails here, not at reset()
    if mode == "event":
        if api == "gymnasium":
            return EventSingleAgentEnv(entry, kwargs, profile=timing)
        return EventEnv(entry, kwargs, profile=timing)
    if api == "gymnasium":
        return SingleAgentEnv(entry, kwargs)
    return LockstepEnv(entry, kwargs)


def pettingzoo_factories(scenario_id: str) -> tuple[Any, Any]:
    """The module-level ``parallel_env()`` / ``env()`` pair PettingZoo users expect.

    Returns:
        ``parallel_env(**overrides)`` (the lockstep ``ParallelEnv``) and
        ``env(**overrides)`` (the same through PettingZoo's AEC API).
    """

    def parallel_env(**overrides: Any) -> Any:
        return make(scenario_id, **overrides)

    def env(**overrides: Any) -> Any:
        return parallel_to_aec(parallel_env(**overrides))

    parallel_env.__doc__ = f"The lockstep PettingZoo ParallelEnv of {scenario_id}."
    env.__doc__ = f"{scenario_id} through PettingZoo's AEC API."
    return parallel_env, env


def _map_checkout_scenarios() -> None:
    """Load a source checkout's ``scenarios/`` as ``heron_simpy.scenarios``.

    setup.cfg ships the top-level ``scenarios/`` folder as
    ``heron_simpy.scenarios``. Python run inside a checkout imports the
    checkout's ``heron_simpy/`` ahead of any installed copy (the working
    directory comes first on ``sys.path``), and that folder has no
    ``scenarios`` inside: without an editable install, map the sibling folder
    under the package name, as an install would.
    """
    name = f"{__package__}.scenarios"
    if name in sys.modules or importlib.util.find_spec(name) is not None:
        return
    folder = Path(__file__).resolve().parent.parent / "scenarios"
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None or not (folder / "__init__.py").is_file():
        return  # not a checkout either: the import below names what is missing
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def _register_builtin() -> None:
    """Register the scenarios shipped in ``heron_simpy.scenarios`` (its table)."""
    _map_checkout_scenarios()
    from heron_simpy.scenarios import SCENARIOS  # noqa: PLC0415  (a plain data table)

    for scenario_id, (module, description, *requires) in SCENARIOS.items():
        register(
            scenario_id, f"heron_simpy.scenarios.{module}", description, tuple(requires)
        )


_register_builtin()
