"""microgrid-v0: a system operator, microgrid coordinators and their devices.

Read it like a SimPy script: a plant (numpy state), agents at three levels, a reward.

    operator (system, 300 s) --price, import_limit--> mg_<i> (coordinator, 60 s)
        |   ^------------------- report (import kW) ------'  |   ^
        '--price--> mg_<i>_load                  setpoint    |   | report (kW)
                                                              v   |
          mg_<i>_battery_<j>, mg_<i>_gen, mg_<i>_load (field, 1 s)

Each microgrid has PV and household demand (from the shipped daily profiles,
``data/microgrid_profiles.csv``, indexed by time from ``start_hour``), batteries
with state-of-charge limits, a generator with a ramp limit and a flexible load
that can curtail part of its demand. Whatever the devices leave unbalanced is
imported from (or exported to) the grid, within the operator's import limit; the
rest is an imbalance (unserved demand or spilled PV) and is penalised.
Setpoints, prices and reports are broker messages: they pay ``msg_delay`` and can
be lost.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from gymnasium import spaces
from heron_simpy.scenarios.checks import (
    csv_floats,
    is_multiple,
    is_number,
    number_problems,
)
from heron_simpy.scenarios.series import LazySeries

from heron_simpy.agents import CoordinatorAgent, FieldAgent, SystemAgent
from heron_simpy.exceptions import ConfigError
from heron_simpy.features import FeatureProvider, Visibility
from heron_simpy.protocols import (
    PriceFollower,
    PriceSignal,
    Report,
    ReportCollector,
    SetpointDispatch,
    SetpointFollower,
)
from heron_simpy.registry import pettingzoo_factories
from heron_simpy.scenario import Scenario

__all__ = ["Config", "build", "env", "parallel_env"]

DESCRIPTION = (
    "operator, microgrid coordinators and batteries/generators/flexible loads "
    "balancing PV and demand"
)
PROFILES = Path(__file__).parent / "data" / "microgrid_profiles.csv"
PROFILE_COLUMNS = ("minute", "pv_kw_per_kwp", "load_kw_per_home")
MINUTES_PER_DAY = 1440
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Config:
    """microgrid-v0 settings (every field is a ``make(..., name=value)`` override).

    Attributes:
        n_microgrids: Number of microgrids (>= 1).
        n_batteries: Batteries per microgrid (>= 1).
        horizon: Episode length, s (a multiple of dt; 600 s keeps a whole
            lockstep episode short enough for PettingZoo's API test).
        dt: Lockstep step, reward grid and physics step, s.
        coordinator_tick: Microgrid coordinator tick interval, s (multiple of dt).
        operator_tick: System operator tick interval, s (multiple of dt).
        start_hour: Time of day at t = 0, h in [0, 24) (noon: PV matters).
        pv_kwp: PV peak power per microgrid, kWp.
        homes: Households per microgrid (scales the demand profile).
        flex_share: Share of demand a flexible load may curtail, in [0, 1].
        battery_kw: Maximum charge / discharge power per battery, kW.
        battery_kwh: Capacity per battery, kWh.
        soc_min: Lowest allowed state of charge, in [0, 1).
        soc_max: Highest allowed state of charge, in (soc_min, 1].
        gen_kw: Generator capacity per microgrid, kW.
        gen_ramp: Generator ramp limit, kW per s.
        import_limit: Nominal import / export limit per microgrid, kW (the
            operator scales it by 0.5 to 1.5).
        import_price: Grid energy price, $/kWh.
        export_price: Paid for exported energy, $/kWh.
        gen_cost: Generator fuel cost, $/kWh.
        curtail_cost: Cost of curtailed demand, $/kWh.
        wear_cost: Battery wear per kWh throughput, $/kWh.
        imbalance_penalty: Penalty per kWh of imbalance, $/kWh.
        limit_penalty: Penalty per kWh a battery command was refused by its
            state-of-charge limits, $/kWh.
    """

    n_microgrids: int = 3
    n_batteries: int = 2
    horizon: float = 600.0
    dt: float = 1.0
    coordinator_tick: float = 60.0
    operator_tick: float = 300.0
    start_hour: float = 12.0
    pv_kwp: float = 60.0
    homes: int = 40
    flex_share: float = 0.2
    battery_kw: float = 20.0
    battery_kwh: float = 40.0
    soc_min: float = 0.1
    soc_max: float = 0.9
    gen_kw: float = 30.0
    gen_ramp: float = 0.5
    import_limit: float = 15.0
    import_price: float = 0.25
    export_price: float = 0.05
    gen_cost: float = 0.30
    curtail_cost: float = 0.50
    wear_cost: float = 0.02
    imbalance_penalty: float = 2.0
    limit_penalty: float = 1.0

    def __post_init__(self) -> None:
        problems = _count_problems(self) + number_problems(
            self, _POSITIVE, _NONNEGATIVE
        )
        problems += _range_problems(self) + _grid_problems(self)
        if problems:
            raise ConfigError(
                "invalid microgrid-v0 Config:\n- " + "\n- ".join(problems)
            )

    @property
    def agent_count(self) -> int:
        """Agents ``build`` creates (operator; coordinator and devices per grid)."""
        return 1 + self.n_microgrids * (self.n_batteries + 3)


def _count_problems(c: Config) -> list[str]:
    """Populations must be ints >= 1."""
    problems = []
    for name in ("n_microgrids", "n_batteries", "homes"):
        value = getattr(c, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{name} must be an int >= 1, got {value!r}")
    return problems


def _range_problems(c: Config) -> list[str]:
    """Hours and fractions must lie in their ranges."""
    problems = []
    if not is_number(c.start_hour) or not 0 <= c.start_hour < 24:
        problems.append(f"start_hour must be in [0, 24), got {c.start_hour!r}")
    if not is_number(c.flex_share) or not 0 <= c.flex_share <= 1:
        problems.append(f"flex_share must be in [0, 1], got {c.flex_share!r}")
    if not is_number(c.soc_min) or not 0 <= c.soc_min < 1:
        problems.append(f"soc_min must be in [0, 1), got {c.soc_min!r}")
    elif not is_number(c.soc_max) or not c.soc_min < c.soc_max <= 1:
        problems.append(
            f"soc_max must be in (soc_min, 1] = ({c.soc_min!r}, 1], got {c.soc_max!r}"
        )
    return problems


def _grid_problems(c: Config) -> list[str]:
    """The horizon and the tick intervals must be whole multiples of dt."""
    problems: list[str] = []
    if not (is_number(c.dt) and c.dt > 0):
        return problems
    for name in ("horizon", "coordinator_tick", "operator_tick"):
        value = getattr(c, name)
        if is_number(value) and value > 0 and not is_multiple(value, c.dt):
            problems.append(
                f"{name} must be a whole multiple of dt ({c.dt!r} s), got {value!r}"
            )
    return problems


_POSITIVE = (
    "horizon",
    "dt",
    "coordinator_tick",
    "operator_tick",
    "pv_kwp",
    "battery_kw",
    "battery_kwh",
    "gen_kw",
    "gen_ramp",
    "import_limit",
)
_NONNEGATIVE = (
    "import_price",
    "export_price",
    "gen_cost",
    "curtail_cost",
    "wear_cost",
    "imbalance_penalty",
    "limit_penalty",
)


def load_profiles() -> tuple[np.ndarray, np.ndarray]:
    """The shipped daily profiles: (pv kW per kWp, load kW per home) per minute.

    Raises:
        ConfigError: A row without three cells, a non-numeric, NaN or infinite
            value, minutes not 0, 1, ..., 1439, or not one row per minute of
            a day; the message names the file and the minute (and line).
    """
    file = str(PROFILES)
    with Path(PROFILES).open(newline="") as f:
        reader = csv.reader(f)
        next(reader, None)  # header
        rows = [(reader.line_num, row) for row in reader if row]
    table = np.array(
        [_profile_row(file, m, line, row) for m, (line, row) in enumerate(rows)],
        dtype=np.float64,
    ).reshape(-1, 3)
    if len(table) != MINUTES_PER_DAY:
        raise ConfigError(
            f"profiles {file!r} must have {MINUTES_PER_DAY} rows "
            f"(minutes 0 to {MINUTES_PER_DAY - 1}), got {len(table)}"
        )
    return table[:, 1].copy(), table[:, 2].copy()


def _profile_row(file: str, minute: int, line: int, row: list[str]) -> list[float]:
    """The row of ``minute`` (at ``line`` of ``file``) as three finite floats."""
    where = f"in the row for minute {minute} (line {line})"
    values = csv_floats(f"profiles {file!r}", PROFILE_COLUMNS, row, where)
    for name, value in zip(PROFILE_COLUMNS, values, strict=True):
        if not math.isfinite(value):
            rule = "must not contain NaN" if math.isnan(value) else "must be finite"
            got = "NaN" if math.isnan(value) else repr(value)
            raise ConfigError(
                f"profiles {file!r} values {rule}, got {got} in {name} {where}"
            )
    if values[0] != minute:
        raise ConfigError(
            f"profiles {file!r} minute must count 0, 1, 2, ... with no gaps, "
            f"got {values[0]:g} where minute {minute} belongs (line {line})"
        )
    return values


class MicrogridPlant:
    """Power flows of n microgrids; state in numpy arrays, one row per microgrid.

    Per physics step k (``dt`` s) and microgrid m, with battery powers ``p``
    (kW, + = discharge), generator output ``gen`` and curtailment ``curtail``:

        net = demand - curtail - pv - sum(p) - gen
        grid = clip(net, -limit, limit)      # import (+) / export (-)
        imbalance = net - grid               # unserved (+) / spilled (-)

    so ``grid + pv + sum(p) + gen + imbalance == demand - curtail`` exactly.
    PV and demand are fixed for the episode at reset (the profiles, scaled per
    microgrid by a seeded factor, plus seeded demand noise) but made a chunk of
    steps at a time as the plant advances (:class:`LazySeries`); the noise is
    the reset generator's last use, so its chunks continue one stream.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.physics_step = config.dt
        m, b = config.n_microgrids, config.n_batteries
        self.n, self.b = m, b
        self.where: dict[str, tuple[int, int]] = {}
        for i in range(m):
            self.where[f"mg_{i}"] = (i, -1)
            self.where[f"mg_{i}_gen"] = (i, -1)
            self.where[f"mg_{i}_load"] = (i, -1)
            for j in range(b):
                self.where[f"mg_{i}_battery_{j}"] = (i, j)
        self._pv_day, self._load_day = load_profiles()
        minutes = np.arange(len(self._pv_day) + 1, dtype=np.float64)
        self._minutes = minutes  # the profiles' grid, wrapping past midnight
        self._pv_wrap = np.append(self._pv_day, self._pv_day[0])
        self._load_wrap = np.append(self._load_day, self._load_day[0])
        self._rng = np.random.default_rng(0)
        self._pv_scale = np.zeros(m)
        self._load_scale = np.zeros(m)
        self._series = LazySeries(1, 2 * m, self._make_series)
        self._zero()

    def _zero(self) -> None:
        m, b = self.n, self.b
        self.soc = np.full((m, b), 0.5)
        self.bat_cmd = np.zeros((m, b))
        self.bat_p = np.zeros((m, b))
        self.gen_cmd = np.zeros(m)
        self.gen = np.zeros(m)
        self.curtail_cmd = np.zeros(m)
        self.curtail = np.zeros(m)
        self.pv = np.zeros(m)
        self.demand = np.zeros(m)
        self.grid = np.zeros(m)
        self.imbalance = np.zeros(m)
        self.limit = np.full(m, self.config.import_limit)
        self.price_signal = 0.0
        self.cost = np.zeros(m)
        self._step = 0

    def reset(self, rng: np.random.Generator) -> None:
        """Fresh state; the episode's PV and demand, made lazily from the profiles."""
        c = self.config
        self._zero()
        self.soc = rng.uniform(0.4, 0.6, (self.n, self.b))
        self._pv_scale = rng.uniform(0.85, 1.15, self.n) * c.pv_kwp
        self._load_scale = rng.uniform(0.9, 1.1, self.n) * c.homes
        self._rng = rng  # the demand noise is its last use
        self._series = LazySeries(
            _steps(c.horizon, c.dt) + 1, 2 * self.n, self._make_series
        )
        self._read(0)

    def _make_series(self, start: int, stop: int) -> np.ndarray:
        """PV then demand of steps ``start .. stop - 1``, kW: one row per step."""
        c = self.config
        minutes = c.start_hour * 60.0 + np.arange(start, stop) * c.dt / 60.0
        at = np.mod(minutes, len(self._pv_day))
        pv_unit = np.interp(at, self._minutes, self._pv_wrap)
        load_unit = np.interp(at, self._minutes, self._load_wrap)
        noise = 1.0 + self._rng.normal(0.0, 0.02, (stop - start, self.n))
        pv = pv_unit[:, None] * self._pv_scale[None, :]
        demand = load_unit[:, None] * self._load_scale[None, :] * noise
        return np.hstack((pv, demand))

    def _read(self, k: int) -> None:
        """Set ``pv`` and ``demand`` to step ``k``'s (the last step's past the end)."""
        row = self._series.row(k)
        self.pv = row[: self.n].copy()
        self.demand = row[self.n :].copy()

    def advance(self, dt: float) -> None:
        """One physics step: devices respond, the grid balances, costs accrue."""
        c = self.config
        pv, demand = self.pv, self.demand
        hours = dt / SECONDS_PER_HOUR
        energy = self.soc * c.battery_kwh
        max_dis = (energy - c.soc_min * c.battery_kwh) / hours
        max_ch = (c.soc_max * c.battery_kwh - energy) / hours
        p = np.minimum(np.maximum(self.bat_cmd, -max_ch), max_dis)
        refused = np.abs(self.bat_cmd - p)
        soc = self.soc - p * hours / c.battery_kwh
        self.soc = np.minimum(np.maximum(soc, c.soc_min), c.soc_max)
        self.bat_p = p
        step = c.gen_ramp * dt
        self.gen = self.gen + np.clip(self.gen_cmd - self.gen, -step, step)
        self.curtail = self.curtail_cmd * c.flex_share * demand
        net = demand - self.curtail - pv - p.sum(axis=1) - self.gen
        self.grid = np.clip(net, -self.limit, self.limit)
        self.imbalance = net - self.grid
        cost = (
            c.import_price * np.maximum(self.grid, 0.0)
            - c.export_price * np.maximum(-self.grid, 0.0)
            + c.gen_cost * self.gen
            + c.curtail_cost * self.curtail
            + c.wear_cost * np.abs(p).sum(axis=1)
            + c.imbalance_penalty * np.abs(self.imbalance)
            + c.limit_penalty * refused.sum(axis=1)
        )
        self.cost += cost * hours
        self._step += 1
        self._read(self._step)

    def apply(self, agent_id: str, action: np.ndarray) -> None:
        """Store a device's command (it takes effect from the next physics step)."""
        m, j = self.where[agent_id]
        a = float(np.asarray(action).reshape(-1)[0])
        if j >= 0:
            self.bat_cmd[m, j] = a * self.config.battery_kw
        elif agent_id.endswith("_gen"):
            self.gen_cmd[m] = a * self.config.gen_kw
        else:
            self.curtail_cmd[m] = a

    def set_tariff(self, action: np.ndarray) -> None:
        """Apply the operator's [price, import-limit] signals (each in [-1, 1])."""
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        self.price_signal = float(a[0])
        self.limit[:] = self.config.import_limit * (1.0 + 0.5 * float(a[1]))

    def residual(self, m: int) -> float:
        """Demand - PV - generator of microgrid m now, kW (what batteries see)."""
        return float(self.demand[m] - self.pv[m] - self.gen[m])

    def state(self) -> np.ndarray:
        """Global state: SoC, generator, curtailment, grid, imbalance, limits."""
        return np.concatenate(
            [
                self.soc.ravel(),
                self.gen,
                self.curtail,
                self.grid,
                self.imbalance,
                self.limit,
                [self.price_signal],
            ]
        )


def _steps(value: float, dt: float) -> int:
    """Whole steps of ``dt`` in ``value`` (the Config makes value a multiple)."""
    return round(value / dt)


# ----------------------------------------------------------------- controllers
def battery_controller(config: Config):
    """Built-in battery: self-consumption (absorb surplus, cover deficit) + setpoint.

    Observation: [soc, power kW, residual kW, limit kW, setpoint].
    """
    scale = config.n_batteries * config.battery_kw

    def control(agent_id: str, obs: np.ndarray) -> np.ndarray:
        soc, residual, setpoint = obs[0], obs[2], obs[4]
        a = setpoint + residual / scale
        # Keep a margin from the SoC limits.
        if soc <= config.soc_min + 0.01:
            a = min(a, 0.0)
        if soc >= config.soc_max - 0.01:
            a = max(a, 0.0)
        return np.array([np.clip(a, -1.0, 1.0)], dtype=np.float32)

    return control


def generator_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """Built-in generator: follow the setpoint (the plant enforces the ramp).

    Observation: [output kW, setpoint].
    """
    return np.array([np.clip(obs[-1], 0.0, 1.0)], dtype=np.float32)


def load_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """Built-in flexible load: the setpoint, or more when the price signal is high.

    Observation: [curtailed kW, demand kW, setpoint, price signal].
    """
    setpoint, price = obs[2], obs[3]
    return np.array([np.clip(max(setpoint, price - 0.5), 0.0, 1.0)], np.float32)


def coordinator_controller(config: Config):
    """Built-in coordinator: SoC balancing, generator for what the limit can't take.

    Observation: [pv, demand, grid kW, soc of each battery, price, import limit,
    reported mean]. Action: one setpoint per child (batteries, generator, load).
    """
    b = config.n_batteries

    def control(agent_id: str, obs: np.ndarray) -> np.ndarray:
        pv, demand = obs[0], obs[1]
        soc = obs[3 : 3 + b]
        limit = obs[3 + b + 1]
        bias = np.clip(2.0 * (soc - 0.5), -0.2, 0.2)  # nudge toward half charge
        deficit = demand - pv - b * config.battery_kw - limit
        gen = np.clip(deficit / config.gen_kw, 0.0, 1.0)
        shed = np.clip(
            (deficit - config.gen_kw) / (config.flex_share * max(demand, 1e-9)),
            0.0,
            1.0,
        )
        return np.concatenate([bias, [gen, shed]]).astype(np.float32)

    return control


def operator_controller(config: Config):
    """Built-in operator: raise the price signal as reported imports approach the limit.

    Observation: [grid kW of each microgrid, reported mean import]. Action:
    [price signal, import-limit signal]; the limit stays nominal.
    """

    def control(agent_id: str, obs: np.ndarray) -> np.ndarray:
        mean = obs[-1]
        price = np.clip(2.0 * mean / config.import_limit - 1.0, -1.0, 1.0)
        return np.array([price, 0.0], dtype=np.float32)

    return control


class LimitDispatch(SetpointDispatch):
    """The operator sends each coordinator its import limit in kW."""

    def __init__(self, nominal: float) -> None:
        super().__init__("broadcast", topic="import_limit")
        self.nominal = nominal

    def setpoints(self, action, children):
        """Every coordinator gets nominal x (1 + 0.5 x limit signal)."""
        a = float(np.asarray(action, dtype=np.float64).reshape(-1)[1])
        return dict.fromkeys(children, self.nominal * (1.0 + 0.5 * a))


# ----------------------------------------------------------------- assembly
def build(config: Config) -> Scenario:
    """Assemble microgrid-v0 from ``config``."""
    c = config
    plant = MicrogridPlant(c)
    where = plant.where
    inf = math.inf
    peak_pv = 1.15 * c.pv_kwp
    peak_demand = 2.0 * 1.1 * c.homes * 1.2

    def at(agent_id: str) -> int:
        return where[agent_id][0]

    soc = FeatureProvider(
        "soc",
        ("soc",),
        lambda p, a: (p.soc[where[a]],),
        visibility=Visibility.UPPER_LEVEL,
        low=0.0,
        high=1.0,
    )
    bat_power = FeatureProvider(
        "power",
        ("power_kw",),
        lambda p, a: (p.bat_p[where[a]],),
        low=-c.battery_kw,
        high=c.battery_kw,
    )
    residual = FeatureProvider(
        "residual",
        ("residual_kw",),
        lambda p, a: (p.residual(at(a)),),
        low=-inf,
        high=inf,
    )
    limit = FeatureProvider(
        "limit",
        ("limit_kw",),
        lambda p, a: (p.limit[at(a)],),
        low=0.0,
        high=1.5 * c.import_limit,
    )
    gen = FeatureProvider(
        "output",
        ("output_kw",),
        lambda p, a: (p.gen[at(a)],),
        low=0.0,
        high=c.gen_kw,
    )
    curtail = FeatureProvider(
        "curtailed",
        ("curtailed_kw", "demand_kw"),
        lambda p, a: (p.curtail[at(a)], p.demand[at(a)]),
        low=0.0,
        high=inf,
    )
    mg_state = FeatureProvider(
        "flows",
        ("pv_kw", "demand_kw"),
        lambda p, a: (p.pv[at(a)], p.demand[at(a)]),
        low=0.0,
        high=max(peak_pv, peak_demand, 1.0) * 10,
    )
    mg_grid = FeatureProvider(
        "grid",
        ("grid_kw",),
        lambda p, a: (p.grid[at(a)],),
        visibility=Visibility.SYSTEM,
        low=-1.5 * c.import_limit,
        high=1.5 * c.import_limit,
    )

    mg_ids = [f"mg_{i}" for i in range(c.n_microgrids)]
    load_ids = [f"{mg}_load" for mg in mg_ids]
    agents = [
        SystemAgent(
            "operator",
            tick_interval=c.operator_tick,
            action_space=spaces.Box(-1.0, 1.0, (2,), np.float32),
            controller=operator_controller(c),
            protocols=[
                PriceSignal(recipients=mg_ids + load_ids),
                LimitDispatch(c.import_limit),
                ReportCollector(0.0, -1.5 * c.import_limit, 1.5 * c.import_limit),
            ],
            actuate=lambda p, a, action: p.set_tariff(action),
        )
    ]
    low = np.array([-1.0] * c.n_batteries + [0.0, 0.0], dtype=np.float32)
    high = np.ones(c.n_batteries + 2, dtype=np.float32)
    for mg in mg_ids:
        agents.append(
            CoordinatorAgent(
                mg,
                parent="operator",
                tick_interval=c.coordinator_tick,
                features=(mg_state, mg_grid),
                action_space=spaces.Box(low, high, dtype=np.float32),
                controller=coordinator_controller(c),
                protocols=[
                    PriceFollower(0.0, -1.0, 1.0),
                    SetpointFollower(
                        c.import_limit, 0.0, 1.5 * c.import_limit, "import_limit"
                    ),
                    SetpointDispatch("split"),
                    ReportCollector(0.0, -inf, inf),
                    Report(index=2),
                ],
            )
        )
    for mg in mg_ids:
        for j in range(c.n_batteries):
            agents.append(
                FieldAgent(
                    f"{mg}_battery_{j}",
                    parent=mg,
                    tick_interval=c.dt,
                    features=(soc, bat_power, residual, limit),
                    action_space=spaces.Box(-1.0, 1.0, (1,), np.float32),
                    controller=battery_controller(c),
                    protocols=[SetpointFollower(0.0, -1.0, 1.0), Report(index=1)],
                )
            )
        agents.append(
            FieldAgent(
                f"{mg}_gen",
                parent=mg,
                tick_interval=c.dt,
                features=(gen,),
                action_space=spaces.Box(0.0, 1.0, (1,), np.float32),
                controller=generator_controller,
                protocols=[SetpointFollower(0.0, 0.0, 1.0), Report(index=0)],
            )
        )
        agents.append(
            FieldAgent(
                f"{mg}_load",
                parent=mg,
                tick_interval=c.dt,
                features=(curtail,),
                action_space=spaces.Box(0.0, 1.0, (1,), np.float32),
                controller=load_controller,
                protocols=[
                    SetpointFollower(0.0, 0.0, 1.0),
                    PriceFollower(0.0, -1.0, 1.0),
                    Report(index=0),
                ],
            )
        )

    members = {
        i: [mg_ids[i]] + [a.agent_id for a in agents if a.parent == mg_ids[i]]
        for i in range(c.n_microgrids)
    }

    def reward(p: MicrogridPlant, t: float) -> dict[str, float]:
        """Minus each microgrid's cost since the last grid point (team-shared)."""
        costs = p.cost.tolist()
        p.cost[:] = 0.0
        r = {"operator": -math.fsum(costs)}
        for i, ids in members.items():
            r.update(dict.fromkeys(ids, -costs[i]))
        return r

    return Scenario(
        "microgrid-v0",
        plant,
        agents,
        reward,
        c.dt,
        c.horizon,
        DESCRIPTION,
        state=lambda p: p.state(),
    )


#: PettingZoo-style module factories: ``parallel_env()`` and ``env()``.
parallel_env, env = pettingzoo_factories("microgrid-v0")
