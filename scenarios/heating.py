"""heating-v0: heaters keeping rooms in a comfort band at a time-of-use price.

Read it like a SimPy script: a plant (numpy state), agents at two levels, a reward.

    building (coordinator, 900 s) --setpoint (per room)--> room_i (field, 300 s)
         sees: price, every room temperature

Each room is a thermal zone (RC model): it loses heat to the outside, exchanges
heat with its neighbours (rooms form a chain) and gains the heater's power.
Every heater chooses its power as a fraction in [0, 1]. The optional building
coordinator sends price-aware setpoints through the broker (they pay message
delays and can be lost).

Outdoor temperature and electricity price come from a CSV series indexed the
EtaCtrl way: the observation at reset carries row 0, the one after step k
(k = 0, 1, ...) carries row k + 1, so an episode of N steps needs N + 1 rows.
The default series is ``data/heating_series.csv`` next to this module (made by
``data/make_heating_series.py``).
"""

from __future__ import annotations

import csv
import math
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gymnasium import spaces
from heron_simpy.scenarios.checks import csv_floats, is_multiple, is_number

from heron_simpy.agents import CoordinatorAgent, FieldAgent
from heron_simpy.exceptions import ConfigError
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.protocols import SetpointDispatch, SetpointFollower
from heron_simpy.registry import pettingzoo_factories
from heron_simpy.scenario import Scenario

__all__ = ["DEFAULT_SERIES", "Config", "build", "env", "load_series", "parallel_env"]

DESCRIPTION = "heaters keeping rooms in a comfort band at a time-of-use price"
DEFAULT_SERIES = Path(__file__).parent / "data" / "heating_series.csv"
COLUMNS = ("index", "outdoor_temp_c", "price_per_kwh")
TEMP_BOUND = 100.0  # observation bound of room temperatures, |C|
OFFSET = 2.0  # coordinator setpoint offsets lie in [-OFFSET, OFFSET] K


@dataclass(frozen=True)
class Config:
    """heating-v0 settings (every field is a ``make(..., name=value)`` override).

    Attributes:
        n_rooms: Number of rooms, each with one heater (int >= 1).
        coordinator: Whether a building coordinator sends per-room setpoints.
        coordinator_tick: Coordinator tick interval, s (a multiple of dt).
        dt: Sampling period: heater tick, lockstep step, reward grid and one
            series row, s (> 0).
        horizon: Episode length, s (a multiple of dt; 86400 s = 288 steps).
        substeps: Explicit Euler substeps per dt (int >= 1).
        capacity: Heat capacity of each room, J/K (> 0).
        ua_out: Conductance from each room to the outside, W/K (>= 0).
        ua_couple: Conductance between neighbouring rooms, W/K (>= 0).
        heater_power: Heater power at action 1, W (> 0).
        comfort_low: Lower edge of the comfort band, C.
        comfort_high: Upper edge of the comfort band, C (> comfort_low).
        initial_low: Lowest seeded initial room temperature, C.
        initial_high: Highest seeded initial room temperature, C (>= initial_low).
        cost_weight: Reward penalty per currency unit spent on energy (>= 0).
        series: Path of the exogenous CSV (columns index, outdoor_temp_c,
            price_per_kwh; at least horizon / dt + 1 rows); "" for the
            packaged ``heating_series.csv``.
    """

    n_rooms: int = 2
    coordinator: bool = True
    coordinator_tick: float = 900.0
    dt: float = 300.0
    horizon: float = 86400.0
    substeps: int = 10
    capacity: float = 5.0e6
    ua_out: float = 150.0
    ua_couple: float = 50.0
    heater_power: float = 3000.0
    comfort_low: float = 20.0
    comfort_high: float = 23.0
    initial_low: float = 18.0
    initial_high: float = 22.0
    cost_weight: float = 10.0
    series: str = ""

    def __post_init__(self) -> None:
        problems = _field_problems(self)
        if not problems:
            problems = _relation_problems(self)
        if not problems:
            try:
                load_series(self.series, self.steps + 1)
            except ConfigError as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("invalid heating-v0 Config:\n- " + "\n- ".join(problems))

    @property
    def steps(self) -> int:
        """Steps per episode (horizon / dt)."""
        return round(self.horizon / self.dt)

    @property
    def agent_count(self) -> int:
        """Agents ``build`` creates: one per room, plus the building coordinator."""
        return self.n_rooms + (1 if self.coordinator else 0)


def _field_problems(c: Config) -> list[str]:
    """Each field on its own: types and ranges."""
    problems = []
    for name in ("n_rooms", "substeps"):
        value = getattr(c, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{name} must be an int >= 1, got {value!r}")
    if not isinstance(c.coordinator, bool):
        problems.append(f"coordinator must be a bool, got {c.coordinator!r}")
    rules = (
        (("coordinator_tick", "dt", "horizon", "capacity", "heater_power"), "> 0"),
        (("ua_out", "ua_couple", "cost_weight"), ">= 0"),
        (("comfort_low", "comfort_high", "initial_low", "initial_high"), "finite"),
    )
    for names, rule in rules:
        for name in names:
            value = getattr(c, name)
            ok = is_number(value) and (
                rule == "finite" or (value > 0 if rule == "> 0" else value >= 0)
            )
            if not ok:
                what = "a finite number" if rule == "finite" else f"a number {rule}"
                problems.append(f"{name} must be {what}, got {value!r}")
    if not isinstance(c.series, str):
        problems.append(f"series must be a path (str), got {c.series!r}")
    return problems


def _relation_problems(c: Config) -> list[str]:
    """Fields against each other (checked once every field is valid)."""
    problems = []
    if c.comfort_high <= c.comfort_low:
        problems.append(
            f"comfort_high must be > comfort_low ({c.comfort_low!r}), "
            f"got {c.comfort_high!r}"
        )
    if c.initial_high < c.initial_low:
        problems.append(
            f"initial_high must be >= initial_low ({c.initial_low!r}), "
            f"got {c.initial_high!r}"
        )
    for name in ("horizon", "coordinator_tick"):
        if not is_multiple(getattr(c, name), c.dt):
            problems.append(
                f"{name} must be a whole multiple of dt ({c.dt!r} s), "
                f"got {getattr(c, name)!r}"
            )
    return problems


def load_series(
    path: str | Path = "", rows_needed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Read the exogenous series: (outdoor temperature C, price per kWh) by index.

    The file is read row by row into two float arrays (16 bytes a row), never
    held whole as text.

    Args:
        path: CSV path (columns index, outdoor_temp_c, price_per_kwh); "" for
            the packaged series.
        rows_needed: Minimum number of data rows (n_episode_steps + 1).

    Returns:
        Two float64 arrays, row k at index k.

    Raises:
        ConfigError: Missing file, wrong header, a row without three cells,
            non-numeric, NaN or infinite values, indices not 0, 1, 2, ..., or
            fewer rows than needed (the first of these, in this order).
    """
    file = Path(path) if path else DEFAULT_SERIES
    if not file.exists():
        raise ConfigError(f"series file {str(file)!r} must exist, got no such file")
    if not file.is_file():  # a directory, FIFO or device is never opened
        raise ConfigError(
            f"series file {str(file)!r} must be a regular file, got something else"
        )
    reading = _SeriesReader(file)
    line = 0
    try:
        with file.open(newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            reading.header(tuple(next(reader, ())))
            line = reader.line_num
            for row in reader:
                line = reader.line_num
                if row:
                    reading.add(row)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"series file {str(file)!r} must be UTF-8 text, got byte "
            f"{exc.object[exc.start]:#04x} at offset {exc.start}"
        ) from None
    except csv.Error as exc:
        raise ConfigError(
            f"series file {str(file)!r} must be CSV text, got {exc} after line {line}"
        ) from None
    reading.check(rows_needed)
    return np.array(reading.outdoor), np.array(reading.price)


class _SeriesReader:
    """Parses the series' rows one at a time and keeps each kind's first problem.

    A wrong header or a malformed row is reported before a NaN or infinite
    value, which comes before an index out of sequence, as when the whole file
    was checked at once.
    """

    def __init__(self, file: Path) -> None:
        self.subject = f"series {str(file)!r}"
        self.outdoor = array("d")
        self.price = array("d")
        self.count = 0
        self.malformed: str | None = None  # header or a row's cells
        self.nonfinite: str | None = None
        self.gap: str | None = None

    def header(self, header: tuple[str, ...]) -> None:
        """Check the header row."""
        if header != COLUMNS:
            self.malformed = (
                f"{self.subject} header must be {','.join(COLUMNS)}, "
                f"got {','.join(header)!r}"
            )

    def add(self, row: list[str]) -> None:
        """Parse and keep data row ``count`` (once a row is malformed, only count)."""
        i = self.count
        self.count += 1
        if self.malformed is not None:
            return
        try:
            index, outdoor, price = map(float, row)
        except ValueError:  # the shared check words the message
            try:
                csv_floats(self.subject, COLUMNS, row, f"at index {i}")
            except ConfigError as exc:
                self.malformed = str(exc)
                return
            raise  # pragma: no cover - csv_floats accepts what float() refuses
        if self.nonfinite is None:
            self.nonfinite = _nonfinite(self.subject, (index, outdoor, price), i)
        if self.gap is None and index != i:
            self.gap = (
                f"{self.subject} index must count 0, 1, 2, ... with no gaps, "
                f"got {index:g} where index {i} belongs"
            )
        self.outdoor.append(outdoor)
        self.price.append(price)

    def check(self, rows_needed: int) -> None:
        """Raise the first problem found, or a shortfall of rows."""
        for problem in (self.malformed, self.nonfinite, self.gap):
            if problem is not None:
                raise ConfigError(problem)
        if self.count < rows_needed:
            raise ConfigError(
                f"{self.subject} needs {rows_needed} rows "
                f"(n_episode_steps + 1), got {self.count} (short by "
                f"{rows_needed - self.count})"
            )


def _nonfinite(subject: str, values: tuple[float, ...], i: int) -> str | None:
    """The problem of the first NaN or infinite value of row ``i``, if any."""
    for value in values:
        if math.isnan(value):
            return f"{subject} must not contain NaN, got NaN at index {i}"
        if math.isinf(value):
            return f"{subject} values must be finite, got {value!r} at index {i}"
    return None


class HeatingPlant:
    """Room temperatures of an RC building; exogenous inputs read by index.

    ``index`` counts the sampling periods elapsed: it is 0 at reset and k + 1
    after k + 1 steps; observations read series row ``index``.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.physics_step = config.dt
        self.n = config.n_rooms
        self.ids = {f"room_{i}": i for i in range(self.n)}
        self.outdoor_series, self.price_series = load_series(
            config.series, config.steps + 1
        )
        self.temp = np.zeros(self.n)
        self.power = np.zeros(self.n)  # heater fraction in [0, 1], held
        self.energy = np.zeros(self.n)  # kWh since the last reward read
        self.cost = np.zeros(self.n)  # currency since the last reward read
        self.index = 0

    @property
    def outdoor(self) -> float:
        """Outdoor temperature of the current index, C."""
        return float(self.outdoor_series[min(self.index, len(self.outdoor_series) - 1)])

    @property
    def price(self) -> float:
        """Electricity price of the current index, per kWh."""
        return float(self.price_series[min(self.index, len(self.price_series) - 1)])

    def _coupled(self, temp: np.ndarray) -> np.ndarray:
        """Heat flow into each room from its chain neighbours, W.

        ``ua_couple * (T[i-1] - T[i]) + ua_couple * (T[i+1] - T[i])``, element
        by element. (A coupling matrix product ``K @ T`` would go through BLAS,
        whose kernels differ between CPUs in summation order and FMA use: the
        same seed would give other temperatures on another machine.)
        """
        ua = self.config.ua_couple
        flow = np.zeros_like(temp)
        flow[1:] += ua * (temp[:-1] - temp[1:])
        flow[:-1] += ua * (temp[1:] - temp[:-1])
        return flow

    def reset(self, rng: np.random.Generator) -> None:
        """Seeded initial temperatures; heaters off; back to index 0."""
        c = self.config
        self.temp = rng.uniform(c.initial_low, c.initial_high, self.n)
        self.power = np.zeros(self.n)
        self.energy = np.zeros(self.n)
        self.cost = np.zeros(self.n)
        self.index = 0

    def advance(self, dt: float) -> None:
        """One sampling period: Euler substeps with the inputs of this index held."""
        c = self.config
        t_out, price = self.outdoor, self.price
        heat = self.power * c.heater_power
        h = dt / c.substeps
        temp = self.temp
        for _ in range(c.substeps):
            flow = c.ua_out * (t_out - temp) + self._coupled(temp) + heat
            temp = temp + h * flow / c.capacity
        self.temp = temp
        kwh = heat * dt / 3.6e6
        self.energy += kwh
        self.cost += kwh * price
        self.index += 1

    def apply(self, agent_id: str, action: np.ndarray) -> None:
        """Set room ``agent_id``'s heater to ``action[0]`` x full power (held)."""
        self.power[self.ids[agent_id]] = float(action[0])

    def state(self) -> np.ndarray:
        """Global state: temperatures, heater fractions, outdoor, price, index."""
        return np.concatenate(
            [self.temp, self.power, [self.outdoor, self.price, float(self.index)]]
        )


def build(config: Config) -> Scenario:
    """Assemble heating-v0 from ``config``."""
    plant = HeatingPlant(config)
    c = config
    mid = 0.5 * (c.comfort_low + c.comfort_high)
    p_lo, p_hi = float(plant.price_series.min()), float(plant.price_series.max())
    peak = 0.5 * (p_lo + p_hi)  # prices above this count as expensive
    temp = FeatureProvider(
        "temp",
        ("temp",),
        lambda p, a: (p.temp[p.ids[a]],),
        visibility=Visibility.UPPER_LEVEL,
        low=-TEMP_BOUND,
        high=TEMP_BOUND,
    )
    weather = FeatureProvider(
        "weather",
        ("outdoor_temp_c", "price_per_kwh"),
        lambda p, a: (p.outdoor, p.price),
        visibility=Visibility.OWNER,
        low=(float(plant.outdoor_series.min()), p_lo),
        high=(float(plant.outdoor_series.max()), p_hi),
    )

    def room_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
        """Built-in: feed-forward of the loss plus proportional, price-aware.

        Observation: [own temp, outdoor temp, price, setpoint]. At an expensive
        price the target drops by 0.25 K.
        """
        t, t_out, price, sp = obs[0], obs[1], obs[2], obs[3]
        target = sp - (0.25 if price > peak else 0.0)
        u = (c.ua_out * (target - t_out) + 2000.0 * (target - t)) / c.heater_power
        return np.array([np.clip(u, 0.0, 1.0)], dtype=np.float32)

    def building_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
        """Built-in: preheat at cheap prices, coast toward the band edge at peak.

        Observation: [price, room temps...]. Offsets are relative to the band's
        middle: +0.75 K when cheap, -0.75 K when expensive.
        """
        offset = -0.75 if obs[0] > peak else 0.75
        return np.full(c.n_rooms, offset, dtype=np.float32)

    parent = "building" if c.coordinator else None
    agents = []
    for i in range(c.n_rooms):
        agents.append(
            FieldAgent(
                f"room_{i}",
                parent=parent,
                tick_interval=c.dt,
                features=(temp, weather),
                action_space=spaces.Box(0.0, 1.0, (1,), np.float32),
                controller=room_controller,
                protocols=[SetpointFollower(mid, mid - OFFSET, mid + OFFSET)],
            )
        )
    if c.coordinator:
        tariff = FeatureProvider(
            "tariff",
            ("price_per_kwh",),
            lambda p, a: (p.price,),
            visibility=Visibility.OWNER,
            low=p_lo,
            high=p_hi,
        )
        agents.append(
            CoordinatorAgent(
                "building",
                tick_interval=c.coordinator_tick,
                features=(tariff,),
                action_space=spaces.Box(-OFFSET, OFFSET, (c.n_rooms,), np.float32),
                controller=building_controller,
                protocols=[OffsetDispatch(mid)],
            )
        )

    ids = list(plant.ids)

    def reward(p: HeatingPlant, t: float) -> dict[str, float]:
        """-(K outside the band) - cost_weight x energy cost since the last read."""
        below = np.maximum(c.comfort_low - p.temp, 0.0)
        above = np.maximum(p.temp - c.comfort_high, 0.0)
        room = -(below + above) - c.cost_weight * p.cost
        p.cost[:] = 0.0
        p.energy[:] = 0.0
        r = dict(zip(ids, room.tolist(), strict=True))
        if c.coordinator:
            r["building"] = float(room.mean())
        return r

    return Scenario(
        "heating-v0",
        plant,
        agents,
        reward,
        c.dt,
        c.horizon,
        DESCRIPTION,
        state=lambda p: p.state(),
    )


class OffsetDispatch(SetpointDispatch):
    """The building's action is one offset per room; room i gets middle + offset i."""

    def __init__(self, middle: float) -> None:
        super().__init__("split")
        self.middle = middle

    def setpoints(self, action, children):
        offsets = super().setpoints(action, children)
        return {child: self.middle + v for child, v in offsets.items()}


#: PettingZoo-style module factories: ``parallel_env()`` and ``env()``.
parallel_env, env = pettingzoo_factories("heating-v0")
