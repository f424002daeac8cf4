"""heron_simpy: test multi-agent control policies under field timing, on SimPy."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from heron_simpy.agents import (
    Agent,
    AgentProcess,
    CoordinatorAgent,
    FieldAgent,
    PolicyAgent,
    SystemAgent,
)
from heron_simpy.broker import Broker, Message
from heron_simpy.compare import Comparison, Sweep, compare
from heron_simpy.engine import Kernel
from heron_simpy.engine.scheduler import Event, EventScheduler, EventType
from heron_simpy.evaluation import evaluate
from heron_simpy.exceptions import (
    ActionError,
    BudgetError,
    ConfigError,
    HeronError,
    HeronWarning,
    SimulationError,
)
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.heron_env import HeronEnv
from heron_simpy.plant import Plant, PlantDriver
from heron_simpy.profile_file import load_profiles
from heron_simpy.recording import EpisodeStats, Recorder
from heron_simpy.registry import available, make, register
from heron_simpy.scenario import Scenario
from heron_simpy.simulation import Episode, Simulation
from heron_simpy.timing import (
    JitterType,
    ScheduleConfig,
    TickConfig,
    TimingProfile,
    profiles,
)

try:
    __version__ = version("heron-simpy")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "ActionError",
    "Agent",
    "AgentProcess",
    "Broker",
    "BudgetError",
    "Comparison",
    "ConfigError",
    "CoordinatorAgent",
    "Episode",
    "EpisodeStats",
    "Event",
    "EventScheduler",
    "EventType",
    "FeatureProvider",
    "FieldAgent",
    "HeronEnv",
    "HeronError",
    "HeronWarning",
    "JitterType",
    "Kernel",
    "Message",
    "Plant",
    "PlantDriver",
    "PolicyAgent",
    "Recorder",
    "Scenario",
    "ScheduleConfig",
    "Simulation",
    "SimulationError",
    "Sweep",
    "SystemAgent",
    "TickConfig",
    "TimingProfile",
    "Visibility",
    "__version__",
    "available",
    "compare",
    "evaluate",
    "load_profiles",
    "make",
    "profiles",
    "register",
]
