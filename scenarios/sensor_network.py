"""sensor-network-v0: sensors on a random geometric graph detecting a spreading event.

Read it like a SimPy script: a plant (numpy state), peers sharing readings, a reward.

    sensor_0 ---- sensor_3          every sensor is a field agent (1 s); an
       |    /        |              edge joins two sensors closer than
    sensor_5  sensor_1 --- ...      ``radius`` (graph drawn from the seed);
                                    readings travel along edges as messages

At a seeded time a plume appears at a seeded place and its front spreads at a
fixed speed. Each sensor reads a noisy local intensity (1 inside the front,
decaying with the distance outside it) and chooses an alarm level in [0, 1]
(alarm on at >= 0.5). Every decision it sends its reading to its graph
neighbours through the broker (:class:`NeighbourShare`), so readings pay message
delays and can be lost. A sensor is rewarded for alarming while the event
covers it or one of its neighbours, penalised for alarming otherwise, and pays
a latency penalty for every step the event is near and it is silent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces
from heron_simpy.scenarios.checks import is_number, number_problems
from heron_simpy.scenarios.series import LazySeries, episode_rows

from heron_simpy.agents import Context, FieldAgent, PolicyAgent
from heron_simpy.broker import Message
from heron_simpy.exceptions import ConfigError
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.registry import pettingzoo_factories
from heron_simpy.scenario import Scenario
from heron_simpy.timing import libm

__all__ = ["Config", "NeighbourShare", "build", "env", "parallel_env"]

DESCRIPTION = (
    "sensors on a seeded random geometric graph sharing readings to detect a "
    "spreading event"
)
READING_MAX = 2.0  # readings are clipped to [0, READING_MAX]
ALARM_ON = 0.5  # an alarm level >= this counts as an alarm


@dataclass(frozen=True)
class Config:
    """sensor-network-v0 settings (every field is a ``make(..., name=value)`` override).

    Attributes:
        n_sensors: Number of sensors (>= 2), placed uniformly in the unit square.
        radius: Communication radius: sensors closer than this are neighbours
            (unit-square lengths, > 0).
        speed: Speed of the event front, unit-square lengths per second (>= 0).
        initial_radius: Radius of the event when it appears (>= 0).
        onset_min: Earliest event start, s (>= 0).
        onset_max: Latest event start, s (>= onset_min); drawn uniformly.
        decay: Length over which the intensity outside the front falls by 1/e
            (> 0).
        noise: Standard deviation of the Gaussian reading noise (>= 0).
        threshold: Built-in controller's alarm threshold on a reading (> 0).
        horizon: Episode length, s (a multiple of dt).
        dt: Lockstep step, reward grid, sensor tick and physics step, s (> 0).
        tp_reward: Reward per step of alarm while the event is near (>= 0).
        fp_penalty: Penalty per step of alarm while it is not (>= 0).
        latency_penalty: Penalty per step the event is near and the sensor is
            silent (>= 0).
    """

    n_sensors: int = 10
    radius: float = 0.4
    speed: float = 0.003
    initial_radius: float = 0.05
    onset_min: float = 30.0
    onset_max: float = 120.0
    decay: float = 0.05
    noise: float = 0.15
    threshold: float = 0.5
    horizon: float = 300.0
    dt: float = 1.0
    tp_reward: float = 1.0
    fp_penalty: float = 1.0
    latency_penalty: float = 1.0

    def __post_init__(self) -> None:
        problems = []
        n = self.n_sensors
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            problems.append(f"n_sensors must be an int >= 2, got {n!r}")
        problems += number_problems(
            self,
            ("radius", "decay", "threshold", "horizon", "dt"),
            (
                "speed",
                "initial_radius",
                "onset_min",
                "onset_max",
                "noise",
                "tp_reward",
                "fp_penalty",
                "latency_penalty",
            ),
        )
        if (
            is_number(self.onset_min)
            and is_number(self.onset_max)
            and self.onset_max < self.onset_min
        ):
            problems.append(
                f"onset_max must be >= onset_min ({self.onset_min!r}), "
                f"got {self.onset_max!r}"
            )
        if problems:
            raise ConfigError(
                "invalid sensor-network-v0 Config:\n- " + "\n- ".join(problems)
            )

    @property
    def agent_count(self) -> int:
        """Agents ``build`` creates: one per sensor."""
        return self.n_sensors


class SensorPlant:
    """Sensor positions, the spreading event and the sensors' readings and alarms.

    Everything random (positions, event onset and place, reading noise) comes
    from the reset's generator, so an episode is fixed by its seed. The reading
    noise is its last use: it is drawn a chunk of steps at a time as the plant
    advances (:class:`LazySeries`), the same numbers as one whole-episode draw.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.physics_step = config.dt
        self.n = config.n_sensors
        self.ids = tuple(f"sensor_{i}" for i in range(self.n))
        self.index = {a: i for i, a in enumerate(self.ids)}
        self.positions = np.zeros((self.n, 2))
        self.adjacency = np.zeros((self.n, self.n), dtype=bool)
        self.neighbours: dict[str, tuple[str, ...]] = {}
        self.onset = 0.0
        self.origin = np.zeros(2)
        self.time = 0.0
        self.front = 0.0  # event radius (0 while the event has not started)
        self.active = False
        self.reading = np.zeros(self.n)
        self.covered = np.zeros(self.n, dtype=bool)
        self.alarm = np.zeros(self.n, dtype=bool)
        self._distance = np.zeros(self.n)
        self._rng = np.random.default_rng(0)
        self._noise = LazySeries(1, self.n, self._draw_noise)
        self._step = 0

    def reset(self, rng: np.random.Generator) -> None:
        """Draw the graph and the event; the reading noise is drawn lazily."""
        c = self.config
        self.positions = rng.uniform(0.0, 1.0, (self.n, 2))
        gap = self.positions[:, None, :] - self.positions[None, :, :]
        dist = np.sqrt((gap**2).sum(axis=-1))
        self.adjacency = (dist <= c.radius) & ~np.eye(self.n, dtype=bool)
        self.neighbours = {
            a: tuple(self.ids[j] for j in np.flatnonzero(self.adjacency[i]))
            for i, a in enumerate(self.ids)
        }
        self.onset = float(rng.uniform(c.onset_min, c.onset_max))
        self.origin = rng.uniform(0.0, 1.0, 2)
        self._distance = np.sqrt(((self.positions - self.origin) ** 2).sum(axis=1))
        self._rng = rng
        self._noise = LazySeries(
            episode_rows(c.horizon, c.dt), self.n, self._draw_noise
        )
        self.alarm = np.zeros(self.n, dtype=bool)
        self._step = 0
        self._update()

    def _draw_noise(self, start: int, stop: int) -> np.ndarray:
        """Reading noise of steps ``start .. stop - 1``, one row each."""
        return self._rng.normal(0.0, self.config.noise, (stop - start, self.n))

    def _update(self) -> None:
        """Recompute the front, coverage and readings at the current step."""
        c = self.config
        self.time = self._step * c.dt
        self.active = self.time >= self.onset
        if self.active:
            self.front = c.initial_radius + c.speed * (self.time - self.onset)
            outside = np.maximum(self._distance - self.front, 0.0)
            intensity = libm.exp(-outside / c.decay)
        else:
            self.front = 0.0
            intensity = np.zeros(self.n)
        self.covered = self.active & (self._distance <= self.front)
        row = self._noise.row(self._step)
        self.reading = np.clip(intensity + row, 0.0, READING_MAX)

    def advance(self, dt: float) -> None:
        """Move one physics step: the front spreads, sensors read anew."""
        self._step += 1
        self._update()

    def apply(self, agent_id: str, action: np.ndarray) -> None:
        """Set the sensor's alarm (on when the level is >= ALARM_ON)."""
        self.alarm[self.index[agent_id]] = float(action[0]) >= ALARM_ON

    @property
    def near(self) -> np.ndarray:
        """Per sensor: the event covers it or one of its graph neighbours."""
        return self.covered | (self.adjacency & self.covered[None, :]).any(axis=1)

    @property
    def covered_area(self) -> float:
        """Area of the event disc (0 before onset), unit-square units."""
        return math.pi * self.front**2

    def state(self) -> np.ndarray:
        """Global state: readings, alarms, coverage, then the front radius."""
        return np.concatenate(
            [self.reading, self.alarm, self.covered, [self.front]]
        ).astype(np.float64)


class NeighbourShare:
    """Share the own reading with graph neighbours; observe this round's evidence.

    At every decision the agent sends its reading (``last_sensed[index]``) to
    each neighbour of the plant's graph (drawn at reset, so it is looked up when
    sending). The local state is the maximum reading and the fraction of
    neighbours heard among the messages delivered since the previous decision:
    stale readings are not reused, so a lost or late message is missing
    evidence for one round -- which is why loss matters in this scenario.

    Args:
        plant: The plant holding the graph (``plant.neighbours``).
        index: Which sensed value to share.
        topic: Message topic.

    Example:
        >>> role = NeighbourShare(None)
        >>> role.fields
        ('neighbour_max', 'heard')
    """

    fields = ("neighbour_max", "heard")

    def __init__(self, plant: Any, index: int = 0, topic: str = "reading") -> None:
        self.plant = plant
        self.index = index
        self.topic = topic
        self.low = np.array([0.0, 0.0])
        self.high = np.array([READING_MAX, 1.0])
        self.latest: dict[str, float] = {}

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Keep the readings delivered since the last decision (newest per peer)."""
        self.latest = {}
        for msg in messages:
            if msg.topic == self.topic:
                self.latest[msg.sender] = float(msg.payload)

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """[max neighbour reading heard (0 if none), fraction of neighbours heard]."""
        peers = self.plant.neighbours.get(agent.agent_id, ())
        heard = [self.latest[p] for p in peers if p in self.latest]
        if not heard:
            return np.zeros(2)
        return np.array([max(heard), len(heard) / len(peers)])

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Send the own reading to every graph neighbour."""
        if agent.last_sensed is None:
            return
        value = float(agent.last_sensed[self.index])
        for peer in self.plant.neighbours.get(agent.agent_id, ()):
            ctx.send(peer, value, self.topic)


def threshold_controller(threshold: float):
    """Built-in: alarm when the own or a neighbour's reading reaches ``threshold``.

    Observation: [own reading, max neighbour reading this round, fraction heard].
    """

    def controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
        alarm = obs[0] >= threshold or obs[1] >= threshold
        return np.array([1.0 if alarm else 0.0], dtype=np.float32)

    return controller


def build(config: Config) -> Scenario:
    """Assemble sensor-network-v0 from ``config``."""
    plant = SensorPlant(config)
    reading = FeatureProvider(
        "reading",
        ("reading",),
        lambda p, a: (p.reading[p.index[a]],),
        visibility=Visibility.OWNER,
        low=0.0,
        high=READING_MAX,
    )
    controller = threshold_controller(config.threshold)
    agents = [
        FieldAgent(
            agent_id,
            tick_interval=config.dt,
            features=(reading,),
            action_space=spaces.Box(0.0, 1.0, (1,), np.float32),
            controller=controller,
            protocols=[NeighbourShare(plant)],
        )
        for agent_id in plant.ids
    ]

    def reward(p: SensorPlant, t: float) -> dict[str, float]:
        """+tp / -latency while the event is near, -fp for an alarm otherwise."""
        near = p.near
        r = np.where(
            near,
            np.where(p.alarm, config.tp_reward, -config.latency_penalty),
            np.where(p.alarm, -config.fp_penalty, 0.0),
        )
        return dict(zip(p.ids, r.tolist(), strict=True))

    return Scenario(
        "sensor-network-v0",
        plant,
        agents,
        reward,
        config.dt,
        config.horizon,
        DESCRIPTION,
        state=lambda p: p.state(),
    )


#: PettingZoo-style module factories: ``parallel_env()`` and ``env()``.
parallel_env, env = pettingzoo_factories("sensor-network-v0")
