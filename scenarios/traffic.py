"""traffic-v0: a corridor of signalised intersections under a green-wave coordinator.

Read it like a SimPy script: a plant (numpy state), agents at two levels, a reward.

    corridor (coordinator, 5 s) --offset setpoints (split)--> signal_i (field, 0.1 s)

    entry -> [signal_0] --travel--> [signal_1] --travel--> ... [signal_n-1] -> exit
                ^ side                 ^ side                     ^ side

Each intersection has two approaches (main-street through, side street) with a
vehicle queue each. Vehicles arrive as seeded Poisson streams (corridor entry
and every side street), drawn a chunk of steps at a time as the plant advances.
The approach holding green
discharges at saturation flow; main-street vehicles leaving intersection i
reach intersection i+1 after ``travel_time`` (a ring buffer in the plant).

The plant runs each signal's phase cycle GREEN_MAIN -> YELLOW -> ALL_RED ->
GREEN_SIDE -> YELLOW -> ALL_RED -> GREEN_MAIN and enforces the minimum green
and the yellow / all-red clearance: a "switch" request during minimum green or
during clearance is ignored (it is not queued). The action is a Box(0, 1, (1,))
and means "switch" when >= 0.5 -- a Box rather than Discrete(2) so generic
policies (the conformance suite's recording policy reads ``space.low``) work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces
from heron_simpy.scenarios.checks import is_multiple, is_number, number_problems
from heron_simpy.scenarios.series import LazySeries, episode_rows

from heron_simpy.agents import CoordinatorAgent, FieldAgent
from heron_simpy.exceptions import ConfigError
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.protocols import SetpointDispatch, SetpointFollower
from heron_simpy.registry import pettingzoo_factories
from heron_simpy.scenario import Scenario

__all__ = ["Config", "TrafficPlant", "build", "env", "parallel_env"]

DESCRIPTION = "signalised corridor: queues, platoons and a green-wave coordinator"
SWITCH_ON = 0.5  # an action >= this requests a phase switch

# Phase codes of the per-intersection state machine (in cycle order).
GREEN_MAIN, YELLOW_MAIN, ALL_RED_MAIN, GREEN_SIDE, YELLOW_SIDE, ALL_RED_SIDE = range(6)
PHASE_NAMES = (
    "green_main",
    "yellow_main",
    "all_red_main",
    "green_side",
    "yellow_side",
    "all_red_side",
)
MAIN, SIDE = 0, 1  # approach index in the queue array


@dataclass(frozen=True)
class Config:
    """traffic-v0 settings (every field is a ``make(..., name=value)`` override).

    Attributes:
        n_intersections: Number of intersections along the corridor (>= 1).
        main_rate: Poisson arrival rate at the corridor entry, veh/s (>= 0).
        side_rate: Poisson arrival rate on every side street, veh/s (>= 0).
        saturation_flow: Discharge rate of a green approach, veh/s (> 0).
        min_green: Minimum green, s (a multiple of dt, > 0).
        yellow: Yellow clearance, s (a multiple of dt, > 0).
        all_red: All-red clearance, s (a multiple of dt, > 0).
        travel_time: Main-street travel time between intersections, s (a
            multiple of dt, > 0).
        cycle: Green-wave cycle length, s (> 0); offsets lie in [0, cycle].
        green_band: Length of the main-street green-wave window in every
            cycle, s (> 0).
        margin: Built-in controller's queue margin before switching, veh (>= 0).
        coordinator_tick: Corridor coordinator tick, s (a multiple of dt).
        horizon: Episode length, s (a multiple of dt).
        dt: Lockstep step, reward grid, signal tick and physics step, s (> 0).
    """

    n_intersections: int = 4
    main_rate: float = 0.15
    side_rate: float = 0.08
    saturation_flow: float = 0.5
    min_green: float = 5.0
    yellow: float = 3.0
    all_red: float = 1.0
    travel_time: float = 10.0
    cycle: float = 40.0
    green_band: float = 15.0
    margin: float = 2.0
    coordinator_tick: float = 5.0
    horizon: float = 120.0
    dt: float = 0.1

    def __post_init__(self) -> None:
        problems = []
        n = self.n_intersections
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            problems.append(f"n_intersections must be an int >= 1, got {n!r}")
        positive = (
            "saturation_flow",
            "min_green",
            "yellow",
            "all_red",
            "travel_time",
            "cycle",
            "green_band",
            "coordinator_tick",
            "horizon",
            "dt",
        )
        problems += number_problems(
            self, positive, ("main_rate", "side_rate", "margin")
        )
        dt = self.dt
        if is_number(dt) and dt > 0:
            for name in (
                "min_green",
                "yellow",
                "all_red",
                "travel_time",
                "coordinator_tick",
                "horizon",
            ):
                value = getattr(self, name)
                if is_number(value) and value > 0 and not is_multiple(value, dt):
                    problems.append(
                        f"{name} must be a multiple of dt ({dt!r}), got {value!r}"
                    )
        if problems:
            raise ConfigError("invalid traffic-v0 Config:\n- " + "\n- ".join(problems))

    @property
    def agent_count(self) -> int:
        """Agents ``build`` creates: one signal per intersection and the corridor."""
        return self.n_intersections + 1


def _steps(value: float, dt: float) -> int:
    return round(value / dt)


class TrafficPlant:
    """Queues, signal phases and platoons in transit along the corridor.

    All vehicle counts are whole numbers (stored as float64). Arrivals come
    from the reset's generator, a chunk of steps at a time (:class:`LazySeries`):
    each chunk draws the corridor entry's counts, then every side street's. An
    episode that fits in one chunk (``chunk_rows(n + 1)`` steps, 4096 for a
    short corridor) draws exactly what one whole-episode draw of the entry,
    then of the side streets, gives; a longer one interleaves them per chunk
    (same distribution, other numbers).

    Conservation: ``arrived == queue.sum() + exited + in_transit.sum()``.
    """

    def __init__(self, config: Config) -> None:
        c = config
        self.config = config
        self.physics_step = c.dt
        self.n = c.n_intersections
        self.ids = tuple(f"signal_{i}" for i in range(self.n))
        self.index = {a: i for i, a in enumerate(self.ids)}
        self.min_green_steps = _steps(c.min_green, c.dt)
        self.yellow_steps = _steps(c.yellow, c.dt)
        self.all_red_steps = _steps(c.all_red, c.dt)
        self.travel_steps = _steps(c.travel_time, c.dt)
        self.queue = np.zeros((self.n, 2))
        self.phase = np.zeros(self.n, dtype=np.int64)
        self.phase_steps = np.zeros(self.n, dtype=np.int64)
        self.credit = np.zeros(self.n)
        # ring buffer: slot k holds the vehicles arriving at i+1 in k steps' time
        self.transit = np.zeros((self.travel_steps, max(self.n - 1, 0)))
        self._slot = 0
        self._rng = np.random.default_rng(0)
        self._arrivals = LazySeries(1, self.n + 1, self._draw_arrivals)
        self._step = 0
        self.arrived = 0.0
        self.exited = 0.0
        self.switches = np.zeros(self.n, dtype=np.int64)

    def reset(self, rng: np.random.Generator) -> None:
        """Empty corridor, all signals green on the main street; draw arrivals."""
        c = self.config
        self._rng = rng
        self._arrivals = LazySeries(
            episode_rows(c.horizon, c.dt), self.n + 1, self._draw_arrivals
        )
        self.queue = np.zeros((self.n, 2))
        self.phase = np.full(self.n, GREEN_MAIN, dtype=np.int64)
        self.phase_steps = np.zeros(self.n, dtype=np.int64)
        self.credit = np.zeros(self.n)
        self.transit = np.zeros((self.travel_steps, max(self.n - 1, 0)))
        self._slot = 0
        self._step = 0
        self.arrived = 0.0
        self.exited = 0.0
        self.switches = np.zeros(self.n, dtype=np.int64)

    def _draw_arrivals(self, start: int, stop: int) -> np.ndarray:
        """Arrivals of steps ``start .. stop - 1``: [entry, side street 0, ...]."""
        c, k = self.config, stop - start
        entry = self._rng.poisson(c.main_rate * c.dt, k).astype(np.float64)
        side = self._rng.poisson(c.side_rate * c.dt, (k, self.n)).astype(np.float64)
        return np.column_stack((entry, side))

    def arrivals(self, k: int) -> tuple[float, np.ndarray]:
        """Arrivals of step ``k``: (corridor entry, one count per side street).

        Steps are read in order (a step before the current chunk is gone).
        """
        row = self._arrivals.row(k)
        return float(row[0]), row[1:]

    @property
    def time(self) -> float:
        """Plant time, s (whole physics steps)."""
        return self._step * self.config.dt

    @property
    def in_transit(self) -> float:
        """Vehicles between intersections."""
        return float(self.transit.sum())

    def advance(self, dt: float) -> None:
        """One physics step: arrivals, discharge at saturation, platoons, phases."""
        c = self.config
        # exogenous arrivals (the corridor entry and every side street)
        entry, side = self.arrivals(self._step)
        self.queue[0, MAIN] += entry
        self.queue[:, SIDE] += side
        self.arrived += float(entry + side.sum())
        # platoons reaching the next intersection
        if self.n > 1:
            landing = self.transit[self._slot].copy()
            self.transit[self._slot] = 0.0
            self.queue[1:, MAIN] += landing
        # discharge at saturation flow from the approach holding green
        green_main = self.phase == GREEN_MAIN
        green_side = self.phase == GREEN_SIDE
        green = green_main | green_side
        approach = np.where(green_side, SIDE, MAIN)
        waiting = self.queue[np.arange(self.n), approach]
        self.credit = np.where(
            green & (waiting > 0), self.credit + c.saturation_flow * dt, 0.0
        )
        out = np.where(green, np.minimum(np.floor(self.credit), waiting), 0.0)
        self.credit -= out
        self.queue[np.arange(self.n), approach] -= out
        main_out = np.where(green_main, out, 0.0)
        side_out = np.where(green_side, out, 0.0)
        self.exited += float(side_out.sum() + main_out[-1])
        if self.n > 1:
            # leaving now, landing travel_steps steps later (same slot, next lap)
            self.transit[self._slot] += main_out[:-1]
            self._slot = (self._slot + 1) % self.travel_steps
        # the phase state machine: clearance intervals end on their own
        self.phase_steps += 1
        yellow = (self.phase == YELLOW_MAIN) | (self.phase == YELLOW_SIDE)
        red = (self.phase == ALL_RED_MAIN) | (self.phase == ALL_RED_SIDE)
        done = (yellow & (self.phase_steps >= self.yellow_steps)) | (
            red & (self.phase_steps >= self.all_red_steps)
        )
        self.phase = np.where(done, (self.phase + 1) % 6, self.phase)
        self.phase_steps = np.where(done, 0, self.phase_steps)
        self._step += 1

    def apply(self, agent_id: str, action: np.ndarray) -> None:
        """Request a switch (action >= 0.5); ignored unless green past min green."""
        if float(np.asarray(action).reshape(-1)[0]) < SWITCH_ON:
            return
        i = self.index[agent_id]
        phase = self.phase[i]
        if phase in (GREEN_MAIN, GREEN_SIDE) and (
            self.phase_steps[i] >= self.min_green_steps
        ):
            self.phase[i] = phase + 1
            self.phase_steps[i] = 0
            self.credit[i] = 0.0
            self.switches[i] += 1

    def time_in_phase(self, i: int) -> float:
        """Seconds since intersection i entered its current phase."""
        return float(self.phase_steps[i]) * self.config.dt

    def state(self) -> np.ndarray:
        """Global state: queues, phases, time in phase, vehicles per link.

        Queues are (main, side) per intersection; links join i and i+1.
        """
        return np.concatenate(
            [
                self.queue.reshape(-1),
                self.phase.astype(np.float64),
                self.phase_steps.astype(np.float64) * self.config.dt,
                self.transit.sum(axis=0),
            ]
        )


def green_wave_offsets(config: Config) -> np.ndarray:
    """Offset of every intersection: travel time from the entry, modulo the cycle."""
    return (np.arange(config.n_intersections) * config.travel_time) % config.cycle


def actuated_controller(config: Config):
    """Built-in: actuated signal logic respecting the green-wave offset.

    Observation: [main queue, side queue, phase, time in phase, cycle
    position, offset setpoint]. Switches only after minimum green: to the side
    street when its queue exceeds the main one by ``margin`` outside the
    green-wave window (or the main approach is empty); back to the main
    street when its queue exceeds the side one by ``margin``, the side street
    is empty, or the green-wave window is on and main vehicles wait.
    """

    def controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
        q_main, q_side, phase, tip, pos, offset = (float(x) for x in obs[:6])
        window = ((pos - offset) % config.cycle) < config.green_band
        switch = False
        if tip >= config.min_green - 1e-9:
            if phase == GREEN_MAIN:
                if q_side > 0 and (
                    q_main == 0 or (q_side > q_main + config.margin and not window)
                ):
                    switch = True
            elif (
                phase == GREEN_SIDE
                and q_main > 0
                and (q_side == 0 or window or q_main > q_side + config.margin)
            ):
                switch = True
        return np.array([1.0 if switch else 0.0], dtype=np.float32)

    return controller


def corridor_controller(config: Config):
    """Built-in: green-wave offsets computed from the travel time (constant)."""
    offsets = green_wave_offsets(config).astype(np.float32)

    def controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
        return offsets.copy()

    return controller


def build(config: Config) -> Scenario:
    """Assemble traffic-v0 from ``config``."""
    c = config
    plant = TrafficPlant(config)
    queues = FeatureProvider(
        "queue",
        ("main", "side"),
        lambda p, a: tuple(p.queue[p.index[a]]),
        visibility=Visibility.UPPER_LEVEL,
        low=0.0,
        high=math.inf,
    )
    signal = FeatureProvider(
        "signal",
        ("phase", "time_in_phase"),
        lambda p, a: (float(p.phase[p.index[a]]), p.time_in_phase(p.index[a])),
        visibility=Visibility.OWNER,
        low=0.0,
        high=(5.0, math.inf),
    )
    clock = FeatureProvider(
        "clock",
        ("cycle_position",),
        lambda p, a: (p.time % c.cycle,),
        visibility=Visibility.OWNER,
        low=0.0,
        high=c.cycle,
    )
    controller = actuated_controller(c)
    agents: list[Any] = [
        FieldAgent(
            agent_id,
            parent="corridor",
            tick_interval=c.dt,
            features=(queues, signal, clock),
            action_space=spaces.Box(0.0, 1.0, (1,), np.float32),
            controller=controller,
            protocols=[SetpointFollower(0.0, 0.0, c.cycle, topic="offset")],
        )
        for agent_id in plant.ids
    ]
    agents.append(
        CoordinatorAgent(
            "corridor",
            tick_interval=c.coordinator_tick,
            action_space=spaces.Box(0.0, c.cycle, (c.n_intersections,), np.float32),
            controller=corridor_controller(c),
            protocols=[SetpointDispatch("split", topic="offset")],
        )
    )
    ids = plant.ids

    def reward(p: TrafficPlant, t: float) -> dict[str, float]:
        """-(queued vehicles) x dt per intersection: minus the delay, veh s."""
        per = -p.queue.sum(axis=1) * c.dt
        r = dict(zip(ids, per.tolist(), strict=True))
        r["corridor"] = float(per.sum() / p.n)
        return r

    return Scenario(
        "traffic-v0",
        plant,
        agents,
        reward,
        c.dt,
        c.horizon,
        DESCRIPTION,
        state=lambda p: p.state(),
    )


#: PettingZoo-style module factories: ``parallel_env()`` and ``env()``.
parallel_env, env = pettingzoo_factories("traffic-v0")
