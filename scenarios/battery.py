"""battery-v0: batteries holding their charge near half, under a fleet coordinator.

Read it like a SimPy script: a plant (numpy state), agents at two levels, a reward.

    fleet (coordinator, 10 s) --setpoint (target SoC)--> battery_i (field, 1 s)
          ^------------------------ report (SoC) ----------------'

Each battery draws a seeded, slowly varying load and chooses a charge rate in
[-1, 1] (fraction of its maximum rate). The fleet broadcasts a target state of
charge; batteries report their charge upward. Both travel through the broker, so
they pay message delays and can be lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from gymnasium import spaces
from heron_simpy.scenarios.checks import number_problems
from heron_simpy.scenarios.series import LazySeries, episode_rows

from heron_simpy.agents import CoordinatorAgent, FieldAgent
from heron_simpy.exceptions import ConfigError
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.protocols import (
    Report,
    ReportCollector,
    SetpointDispatch,
    SetpointFollower,
)
from heron_simpy.registry import pettingzoo_factories
from heron_simpy.scenario import Scenario

__all__ = ["Config", "build", "env", "parallel_env"]

DESCRIPTION = (
    "batteries regulating state of charge toward 0.5 under a fleet coordinator"
)


@dataclass(frozen=True)
class Config:
    """battery-v0 settings (every field is a ``make(..., name=value)`` override).

    Attributes:
        n_agents: Number of batteries (>= 1).
        coordinator: Whether a fleet coordinator sends target setpoints.
        coordinator_tick: Coordinator tick interval, s (a multiple of dt).
        horizon: Episode length, s (a multiple of dt).
        dt: Lockstep step, reward grid and physics step, s.
        rate: State-of-charge change per second at full charge rate.
        load_mean: Mean load, state of charge per second.
        load_noise: Standard deviation of the load's random walk per step.
        action_cost: Reward penalty per unit of |charge rate|.
    """

    n_agents: int = 2
    coordinator: bool = True
    coordinator_tick: float = 10.0
    horizon: float = 300.0
    dt: float = 1.0
    rate: float = 0.01
    load_mean: float = 0.002
    load_noise: float = 0.0005
    action_cost: float = 0.01

    def __post_init__(self) -> None:
        problems = []
        if (
            isinstance(self.n_agents, bool)
            or not isinstance(self.n_agents, int)
            or self.n_agents < 1
        ):
            problems.append(f"n_agents must be an int >= 1, got {self.n_agents!r}")
        problems += number_problems(
            self,
            ("coordinator_tick", "horizon", "dt", "rate"),
            ("load_mean", "load_noise", "action_cost"),
        )
        if problems:
            raise ConfigError("invalid battery-v0 Config:\n- " + "\n- ".join(problems))

    @property
    def agent_count(self) -> int:
        """Agents ``build`` creates: the batteries, plus the fleet coordinator."""
        return self.n_agents + (1 if self.coordinator else 0)


class BatteryPlant:
    """State of charge of n batteries; loads drift as a seeded random walk.

    The walk's increments are drawn a chunk of steps at a time as the plant
    advances (:class:`LazySeries`), from the reset's generator: the same numbers
    as one whole-episode draw, in memory that does not grow with the horizon.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.physics_step = config.dt
        self.n = config.n_agents
        self.index = {f"battery_{i}": i for i in range(self.n)}
        self.soc = np.zeros(self.n)
        self.load = np.zeros(self.n)
        self.throughput = np.zeros(self.n)
        self._rng = np.random.default_rng(0)
        self._noise = LazySeries(1, self.n, self._draw_noise)
        self._step = 0

    def reset(self, rng: np.random.Generator) -> None:
        """Random initial charge; the load walk's increments are drawn lazily."""
        c = self.config
        self.soc = rng.uniform(0.2, 0.8, self.n)
        self.load = np.full(self.n, c.load_mean)
        # The walk is the generator's last use: its chunks continue the stream.
        self._rng = rng
        self._noise = LazySeries(
            episode_rows(c.horizon, c.dt), self.n, self._draw_noise
        )
        self.throughput = np.zeros(self.n)
        self._step = 0

    def _draw_noise(self, start: int, stop: int) -> np.ndarray:
        """Load-walk increments of steps ``start .. stop - 1``, one row each."""
        return self._rng.normal(0.0, self.config.load_noise, (stop - start, self.n))

    def advance(self, dt: float) -> None:
        """Drain by the load for one physics step; the load takes a random step."""
        self.soc = np.clip(self.soc - self.load * dt, 0.0, 1.0)
        row = self._noise.row(self._step)
        self.load = np.clip(self.load + row, 0.0, 4 * self.config.load_mean)
        self._step += 1

    def apply(self, agent_id: str, action: np.ndarray) -> None:
        """Charge (+) or discharge (-) for one second at ``action`` x max rate."""
        i = self.index[agent_id]
        a = float(action[0])
        self.soc[i] = min(1.0, max(0.0, self.soc[i] + a * self.config.rate))
        self.throughput[i] += abs(a)

    def apply_all(self, actions: np.ndarray) -> None:
        """Every battery's action at once (row i for battery_i), as ``apply`` would."""
        a = actions[:, 0].astype(np.float64)
        self.soc = np.minimum(1.0, np.maximum(0.0, self.soc + a * self.config.rate))
        self.throughput += np.abs(a)

    def state(self) -> np.ndarray:
        """Global state: charge then load of every battery."""
        return np.concatenate([self.soc, self.load])


def battery_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """Built-in: proportional control toward the target, with load feed-forward.

    Observation: [own soc, own load, target setpoint].
    """
    soc, load, target = obs[0], obs[1], obs[2]
    return np.array(
        [np.clip(20.0 * (target - soc) + load / 0.01, -1.0, 1.0)], dtype=np.float32
    )


def fleet_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """Built-in: nudge the target against the fleet's reported mean charge."""
    mean = obs[-1]
    return np.array([np.clip(0.5 * (0.5 - mean), -0.2, 0.2)], dtype=np.float32)


def build(config: Config) -> Scenario:
    """Assemble battery-v0 from ``config``."""
    plant = BatteryPlant(config)
    # What each battery publishes: its charge (its parent may see it) and its
    # load (private).
    soc = FeatureProvider(
        "soc",
        ("soc",),
        lambda p, a: (p.soc[p.index[a]],),
        visibility=Visibility.UPPER_LEVEL,
        low=0.0,
        high=1.0,
    )
    load = FeatureProvider(
        "load",
        ("load",),
        lambda p, a: (p.load[p.index[a]],),
        visibility=Visibility.OWNER,
        low=0.0,
        high=4 * config.load_mean,
    )
    parent = "fleet" if config.coordinator else None
    agents = []
    for i in range(config.n_agents):
        roles = [SetpointFollower(0.5, 0.0, 1.0)]
        if config.coordinator:
            roles.append(Report(index=0))
        agents.append(
            FieldAgent(
                f"battery_{i}",
                parent=parent,
                tick_interval=config.dt,
                features=(soc, load),
                action_space=spaces.Box(-1.0, 1.0, (1,), np.float32),
                controller=battery_controller,
                protocols=roles,
            )
        )
    if config.coordinator:
        agents.append(
            CoordinatorAgent(
                "fleet",
                tick_interval=config.coordinator_tick,
                action_space=spaces.Box(-0.2, 0.2, (1,), np.float32),
                controller=fleet_controller,
                protocols=[TargetDispatch(), ReportCollector(0.5, 0.0, 1.0)],
            )
        )

    ids = [f"battery_{i}" for i in range(config.n_agents)]

    def reward(p: BatteryPlant, t: float) -> dict[str, float]:
        """-|soc - 0.5| minus the charge-rate cost since the last grid point."""
        dev = np.abs(p.soc - 0.5)
        r = dict(
            zip(ids, (-dev - config.action_cost * p.throughput).tolist(), strict=True)
        )
        p.throughput[:] = 0.0
        if config.coordinator:
            r["fleet"] = float(-dev.mean())
        return r

    batch = None if config.coordinator else FleetBatch(agents)
    return Scenario(
        "battery-v0",
        plant,
        agents,
        reward,
        config.dt,
        config.horizon,
        DESCRIPTION,
        state=lambda p: p.state(),
        batch=batch,
    )


class FleetBatch:
    """battery-v0 without a coordinator, vectorised for the lockstep facade.

    Row i of ``observe`` is battery_i's observation [soc, load, setpoint] (the
    setpoint never changes without a coordinator); ``apply`` is
    ``BatteryPlant.apply`` for every battery at once. The conformance suite
    checks it against the agents bit for bit.
    """

    def __init__(self, agents: list[FieldAgent]) -> None:
        self.agent_ids = tuple(a.agent_id for a in agents)
        self._setpoints = np.array([a.protocols[0].value for a in agents])

    def observe(self, plant: BatteryPlant) -> np.ndarray:
        """[soc, load, setpoint] of every battery, one row each."""
        return np.column_stack((plant.soc, plant.load, self._setpoints))

    def apply(self, plant: BatteryPlant, actions: np.ndarray) -> None:
        """Apply every battery's action."""
        plant.apply_all(actions)


class TargetDispatch(SetpointDispatch):
    """The fleet's action is an offset; children receive 0.5 + offset."""

    def setpoints(self, action, children):
        return dict.fromkeys(children, 0.5 + float(np.asarray(action).reshape(-1)[0]))


#: PettingZoo-style module factories: ``parallel_env()`` and ``env()``.
parallel_env, env = pettingzoo_factories("battery-v0")
