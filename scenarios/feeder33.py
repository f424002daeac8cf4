"""feeder33-v0: the 33-bus Baran-Wu distribution feeder with PV inverters and batteries.

Read it like a SimPy script: a plant (a pandapower net plus numpy state), agents at
two levels, a reward.

    feeder (coordinator, 300 s) --Q bias setpoint (broadcast)--> every field agent
        ^---------------- report (bus voltage, p.u.) ---------------'
    pv_<bus> (field, 60 s): reactive power in [-1, 1] x q_max (volt-var)
    battery_<bus> (field, 60 s): active power in [-1, 1] x battery_kw (+ = discharge)

The network is ``pandapower.networks.case33bw()`` (12.66 kV, 3.7 MW / 2.3 Mvar peak
load, bus 0 is the substation). Bus numbers are pandapower's (0-based). Every
physics step (``dt`` = 60 s) sets the loads, PV and battery injections for the step
index and runs one AC power flow (``pandapower.runpp``, flat start, no connectivity
check: the feeder is radial and every bus is supplied). If the power
flow does not converge, the previous results are kept, ``plant.failures`` counts it
and ``nonconvergence_penalty`` is added to the step's cost.

pandapower is an optional extra (``pip install 'heron-simpy[grid]'``); it is
imported when the scenario is built, never at module import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces
from heron_simpy.scenarios.checks import is_multiple, is_number, number_problems
from heron_simpy.scenarios.series import LazySeries

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
from heron_simpy.timing import libm

__all__ = ["Config", "build", "env", "parallel_env", "voltage_violation"]

DESCRIPTION = (
    "33-bus Baran-Wu feeder (pandapower AC power flow): PV volt-var and batteries "
    "under a feeder coordinator"
)
MISSING = "feeder33-v0 needs pandapower: pip install 'heron-simpy[grid]'"
SECONDS_PER_HOUR = 3600.0
N_BUS = 33


@dataclass(frozen=True)
class Config:
    """feeder33-v0 settings (every field is a ``make(..., name=value)`` override).

    Attributes:
        horizon: Episode length, s (a multiple of dt; 1 h = 60 power flows).
        dt: Lockstep step, reward grid, physics step and field tick, s.
        coordinator_tick: Feeder coordinator tick interval, s (multiple of dt).
        start_hour: Time of day at t = 0, h in [0, 24).
        pv_buses: Buses hosting a PV inverter (distinct, in 1..32).
        battery_buses: Buses hosting a battery (distinct, in 1..32).
        pv_kwp: PV peak power per inverter, kW.
        q_max_kvar: Reactive power limit per PV inverter, kvar.
        battery_kw: Charge / discharge power limit per battery, kW.
        battery_kwh: Capacity per battery, kWh.
        soc_min: Lowest allowed state of charge, in [0, 1).
        soc_max: Highest allowed state of charge, in (soc_min, 1].
        load_scale: Multiplier of the case33bw peak loads.
        line_margin: Line rating = line_margin x the line's current in the base
            case (case33bw ships no ratings), floored at ``line_floor_a``.
        line_floor_a: Lowest line rating, A.
        v_min: Lower edge of the voltage band, p.u.
        v_max: Upper edge of the voltage band, p.u.
        energy_price: Price of energy imported at the substation (and of energy
            drawn from the batteries), $/kWh.
        voltage_penalty: $ per p.u. of band violation summed over buses, per hour.
        overload_penalty: $ per unit of line loading above 100 % summed over
            lines, per hour.
        nonconvergence_penalty: $ per physics step whose power flow failed.
    """

    horizon: float = 3600.0
    dt: float = 60.0
    coordinator_tick: float = 300.0
    start_hour: float = 18.0
    pv_buses: tuple = (17, 21, 24, 32)
    battery_buses: tuple = (17, 32)
    pv_kwp: float = 400.0
    q_max_kvar: float = 400.0
    battery_kw: float = 300.0
    battery_kwh: float = 600.0
    soc_min: float = 0.1
    soc_max: float = 0.9
    load_scale: float = 1.0
    line_margin: float = 1.1
    line_floor_a: float = 50.0
    v_min: float = 0.95
    v_max: float = 1.05
    energy_price: float = 0.1
    voltage_penalty: float = 2000.0
    overload_penalty: float = 200.0
    nonconvergence_penalty: float = 100.0

    def __post_init__(self) -> None:
        problems = number_problems(self, _POSITIVE, _NONNEGATIVE) + _bus_problems(self)
        problems += _range_problems(self) + _grid_problems(self)
        if problems:
            raise ConfigError("invalid feeder33-v0 Config:\n- " + "\n- ".join(problems))

    @property
    def agent_count(self) -> int:
        """Agents ``build`` creates: the feeder, one per PV and one per battery."""
        return 1 + len(self.pv_buses) + len(self.battery_buses)


_POSITIVE = (
    "horizon",
    "dt",
    "coordinator_tick",
    "pv_kwp",
    "q_max_kvar",
    "battery_kw",
    "battery_kwh",
    "load_scale",
    "line_margin",
    "line_floor_a",
)
_NONNEGATIVE = (
    "energy_price",
    "voltage_penalty",
    "overload_penalty",
    "nonconvergence_penalty",
)


def _bus_problems(c: Config) -> list[str]:
    problems = []
    for name in ("pv_buses", "battery_buses"):
        value = getattr(c, name)
        ok = (
            isinstance(value, tuple)
            and len(value) >= 1
            and all(
                isinstance(b, int) and not isinstance(b, bool) and 1 <= b < N_BUS
                for b in value
            )
        )
        if not ok:
            problems.append(
                f"{name} must be a non-empty tuple of ints in 1..{N_BUS - 1}, "
                f"got {value!r}"
            )
        elif len(set(value)) != len(value):
            problems.append(f"{name} must not repeat a bus, got {value!r}")
    return problems


def _range_problems(c: Config) -> list[str]:
    problems = []
    if not is_number(c.start_hour) or not 0 <= c.start_hour < 24:
        problems.append(f"start_hour must be in [0, 24), got {c.start_hour!r}")
    if not is_number(c.soc_min) or not 0 <= c.soc_min < 1:
        problems.append(f"soc_min must be in [0, 1), got {c.soc_min!r}")
    elif not is_number(c.soc_max) or not c.soc_min < c.soc_max <= 1:
        problems.append(
            f"soc_max must be in (soc_min, 1] = ({c.soc_min!r}, 1], got {c.soc_max!r}"
        )
    if not is_number(c.v_min) or not 0.5 <= c.v_min < 1:
        problems.append(f"v_min must be in [0.5, 1), got {c.v_min!r}")
    if not is_number(c.v_max) or not 1 < c.v_max <= 1.5:
        problems.append(f"v_max must be in (1, 1.5], got {c.v_max!r}")
    return problems


def _grid_problems(c: Config) -> list[str]:
    problems: list[str] = []
    if not (is_number(c.dt) and c.dt > 0):
        return problems
    for name in ("horizon", "coordinator_tick"):
        value = getattr(c, name)
        if is_number(value) and value > 0 and not is_multiple(value, c.dt):
            problems.append(
                f"{name} must be a whole multiple of dt ({c.dt!r} s), got {value!r}"
            )
    return problems


def _pandapower() -> tuple[Any, Any]:
    """Import pandapower lazily (the optional ``grid`` extra)."""
    try:
        import pandapower  # noqa: PLC0415
        import pandapower.networks as networks  # noqa: PLC0415
    except ImportError:
        raise ConfigError(MISSING) from None
    return pandapower, networks


def voltage_violation(vm: np.ndarray, v_min: float, v_max: float) -> float:
    """Sum over buses of the distance outside ``[v_min, v_max]``, p.u."""
    vm = np.asarray(vm, dtype=np.float64)
    return float(np.maximum(v_min - vm, 0.0).sum() + np.maximum(vm - v_max, 0.0).sum())


def overloading(loading_percent: np.ndarray) -> float:
    """Sum over lines of the loading above 100 %, in units of the rating."""
    return float(np.maximum(np.asarray(loading_percent) - 100.0, 0.0).sum() / 100.0)


def load_shape(hours: np.ndarray) -> np.ndarray:
    """Residential daily load shape (peak 1.0 at 19 h, about 0.55 at night)."""
    evening = libm.exp(-0.5 * ((hours - 19.0) / 2.5) ** 2)
    midday = 0.25 * libm.exp(-0.5 * ((hours - 12.0) / 3.0) ** 2)
    return 0.55 + 0.45 * evening + midday - 0.25 * evening * midday


def pv_shape(hours: np.ndarray) -> np.ndarray:
    """Clear-sky PV shape per kWp (sunrise 6 h, sunset 20 h, peak 1.0 at 13 h)."""
    x = np.clip((hours - 6.0) / 14.0, 0.0, 1.0)
    return libm.power(libm.sin(np.pi * x), 1.5)


VM_DECIMALS = 10
"""Bus voltages are kept to 1e-10 p.u. (the power flow converges to 1e-8)."""
LOADING_DECIMALS = 8
"""Line loadings are kept to 1e-8 %."""
POWER_DECIMALS = 7
"""The grid import is kept to 1e-7 kW."""

class FeederPlant:
    """The 33-bus feeder: a pandapower net plus numpy state.

    Per physics step k (``dt`` s): loads = case33bw peak x ``load_scale`` x
    the load shape at step k x seeded noise; PV i injects the clear-sky shape x
    its seeded cloud factor at step k, kW, and its commanded reactive power
    (kvar, + = injection); battery j injects
    its commanded power clipped by the SoC limits (kW, + = discharge). Then one
    AC power flow; bus voltages ``vm`` (p.u.) and line loadings (%) are stored
    and the step's cost accrues (see :meth:`step_cost`).

    The per-step inputs are made a chunk of steps at a time as the plant
    advances (:class:`LazySeries`), from the reset's generator. Reset draws the
    first chunk's load noise, then the batteries' initial charge; later chunks
    continue the stream. An episode that fits in one chunk (4096 steps, 68 h at
    dt = 60 s) therefore draws exactly what one whole-episode draw gives; a
    longer one draws its later noise after the initial charge (same
    distribution, other numbers).
    """

    def __init__(self, config: Config) -> None:
        pp, networks = _pandapower()
        self._pp = pp
        self.config = c = config
        self.physics_step = c.dt
        self.net = networks.case33bw()
        net = self.net
        self.load_bus = net.load.bus.to_numpy()
        self.p_peak = net.load.p_mw.to_numpy() * c.load_scale
        self.q_peak = net.load.q_mvar.to_numpy() * c.load_scale
        self.pv_bus = np.array(c.pv_buses, dtype=np.int64)
        self.bat_bus = np.array(c.battery_buses, dtype=np.int64)
        self.pv_idx = np.array(
            [
                pp.create_sgen(net, int(b), p_mw=0.0, q_mvar=0.0, name=f"pv_{b}")
                for b in c.pv_buses
            ]
        )
        self.bat_idx = np.array(
            [
                pp.create_sgen(net, int(b), p_mw=0.0, q_mvar=0.0, name=f"battery_{b}")
                for b in c.battery_buses
            ]
        )
        # case33bw ships no line ratings: rate each line at line_margin x its
        # base-case current (peak load, no PV, no batteries), at least line_floor_a.
        pp.runpp(net, numba=False, init="flat")
        base = net.res_line.i_ka.to_numpy()
        net.line["max_i_ka"] = np.maximum(base * c.line_margin, c.line_floor_a / 1e3)
        self.where: dict[str, tuple[str, int]] = {"feeder": ("feeder", 0)}
        for i, b in enumerate(c.pv_buses):
            self.where[f"pv_{b}"] = ("pv", i)
        for j, b in enumerate(c.battery_buses):
            self.where[f"battery_{b}"] = ("battery", j)
        self.bus_of = {f"pv_{b}": b for b in c.pv_buses}
        self.bus_of.update({f"battery_{b}": b for b in c.battery_buses})
        self.runs = 0
        self.failures = 0
        self._rng = np.random.default_rng(0)
        self._phase = np.zeros(len(c.pv_buses))
        self._depth = np.zeros(len(c.pv_buses))
        self._inputs = LazySeries(1, self._width, self._make_inputs)
        self._zero()

    @property
    def _width(self) -> int:
        """Values per step of the inputs: PV kW, load shape, load noise."""
        return len(self.config.pv_buses) + 1 + len(self.load_bus)

    def _zero(self) -> None:
        c = self.config
        n_pv, n_bat = len(c.pv_buses), len(c.battery_buses)
        self.soc = np.full(n_bat, 0.5)
        self.bat_cmd = np.zeros(n_bat)
        self.bat_p = np.zeros(n_bat)
        self.q_cmd = np.zeros(n_pv)
        self.pv_q = np.zeros(n_pv)
        self.pv = np.zeros(n_pv)
        self.vm = np.ones(N_BUS)
        self.loading = np.zeros(len(self.net.line))
        self.p_import = 0.0
        self.cost = 0.0
        self.converged = True
        self._step = 0

    def reset(self, rng: np.random.Generator) -> None:
        """Fresh state; the episode's PV and load series; one initial power flow."""
        c = self.config
        self._zero()
        self.runs = 0
        self.failures = 0
        # Each PV: the clear-sky shape x a seeded, slowly varying cloud factor.
        n_pv = len(c.pv_buses)
        self._phase = rng.uniform(0.0, 2.0 * np.pi, n_pv)
        self._depth = rng.uniform(0.0, 0.3, n_pv)
        self._rng = rng
        steps = round(c.horizon / c.dt) + 1
        self._inputs = LazySeries(steps, self._width, self._make_inputs)
        self._inputs.row(0)  # the first chunk's noise comes before the charge
        self.soc = rng.uniform(0.4, 0.6, len(c.battery_buses))
        self.pv = self._inputs.row(0)[:n_pv].copy()
        self._power_flow(0)

    def _make_inputs(self, start: int, stop: int) -> np.ndarray:
        """Steps ``start .. stop - 1``: [PV kW..., load shape, load noise...] each."""
        c = self.config
        hours = np.mod(
            c.start_hour + np.arange(start, stop) * c.dt / SECONDS_PER_HOUR, 24
        )
        wave = libm.sin(2.0 * np.pi * hours[:, None] / 1.5 + self._phase[None, :])
        cloud = 1.0 - self._depth[None, :] * (0.5 + 0.5 * wave)
        pv = pv_shape(hours)[:, None] * cloud * c.pv_kwp
        noise = 1.0 + self._rng.normal(0.0, 0.02, (stop - start, len(self.load_bus)))
        return np.column_stack((pv, load_shape(hours), noise))

    def _power_flow(self, k: int) -> bool:
        """Set the injections of step k and run the AC power flow."""
        net = self.net
        n_pv = len(self.pv_idx)
        row = self._inputs.row(k)
        factor = row[n_pv] * row[n_pv + 1 :]
        net.load["p_mw"] = self.p_peak * factor
        net.load["q_mvar"] = self.q_peak * factor
        net.sgen.loc[self.pv_idx, "p_mw"] = row[:n_pv] / 1000.0
        net.sgen.loc[self.pv_idx, "q_mvar"] = self.pv_q / 1000.0
        net.sgen.loc[self.bat_idx, "p_mw"] = self.bat_p / 1000.0
        self.runs += 1
        try:
            self._pp.runpp(net, numba=False, init="flat", check_connectivity=False)
        except self._pp.LoadflowNotConverged:
            self.failures += 1
            self.converged = False
            return False  # keep the previous results
        self.converged = True
        # The solver's linear algebra (scipy, BLAS) may round the last bits
        # differently on another CPU; results are kept to a fixed quantum far
        # below the solver's own tolerance (1e-8), so a seed gives the same
        # trace everywhere (docs/design.md, "Same bits on every CPU").
        self.vm = np.round(net.res_bus.vm_pu.to_numpy(), VM_DECIMALS)
        self.loading = np.round(
            net.res_line.loading_percent.to_numpy(), LOADING_DECIMALS
        )
        self.p_import = round(
            float(net.res_ext_grid.p_mw.iloc[0]) * 1000.0, POWER_DECIMALS
        )
        return True

    def advance(self, dt: float) -> None:
        """One physics step: devices respond, one power flow, the cost accrues."""
        c = self.config
        hours = dt / SECONDS_PER_HOUR
        energy = self.soc * c.battery_kwh
        max_dis = (energy - c.soc_min * c.battery_kwh) / hours
        max_ch = (c.soc_max * c.battery_kwh - energy) / hours
        p = np.minimum(np.maximum(self.bat_cmd, -max_ch), max_dis)
        self.bat_p = p
        soc = self.soc - p * hours / c.battery_kwh
        self.soc = np.minimum(np.maximum(soc, c.soc_min), c.soc_max)
        self.pv_q = self.q_cmd.copy()
        ok = self._power_flow(self._step)
        self.cost += self.step_cost(ok) * hours
        self._step += 1
        self.pv = self._inputs.row(self._step)[: len(self.pv_idx)].copy()

    def step_cost(self, converged: bool = True) -> float:
        """Cost rate of the last power flow, $/h.

        ``voltage_penalty x voltage_violation(vm) + overload_penalty x
        overloading(loading) + energy_price x (import kW + battery discharge kW)``,
        plus ``nonconvergence_penalty / hours-per-step`` when it failed.
        """
        c = self.config
        rate = (
            c.voltage_penalty * voltage_violation(self.vm, c.v_min, c.v_max)
            + c.overload_penalty * overloading(self.loading)
            + c.energy_price * (self.p_import + float(self.bat_p.sum()))
        )
        if not converged:
            rate += c.nonconvergence_penalty * SECONDS_PER_HOUR / c.dt
        return rate

    def apply(self, agent_id: str, action: np.ndarray) -> None:
        """Store a device's command (it takes effect from the next physics step)."""
        kind, i = self.where[agent_id]
        a = float(np.asarray(action).reshape(-1)[0])
        if kind == "pv":
            self.q_cmd[i] = a * self.config.q_max_kvar
        elif kind == "battery":
            self.bat_cmd[i] = a * self.config.battery_kw

    def state(self) -> np.ndarray:
        """Global state: bus voltages, line loadings, SoC, battery kW, PV kW, kvar."""
        return np.concatenate(
            [
                self.vm,
                self.loading,
                self.soc,
                self.bat_p,
                self.pv,
                self.pv_q,
                [self.p_import, float(self.failures)],
            ]
        )


# ----------------------------------------------------------------- controllers
def pv_controller(agent_id: str, obs: np.ndarray) -> np.ndarray:
    """Built-in PV: volt-var droop toward 1.0 p.u. (full Q at ±0.04 p.u.) + bias.

    Observation: [voltage p.u., pv kW, q kvar, setpoint].
    """
    v, bias = obs[0], obs[-1]
    return np.array([np.clip((1.0 - v) / 0.04 + bias, -1.0, 1.0)], np.float32)


def battery_controller(config: Config):
    """Built-in battery: SoC-aware peak shaving on the local voltage + bias.

    Observation: [voltage p.u., soc, power kW, setpoint]. Discharges in
    proportion to how far the voltage sits below 0.98 p.u. (charges above
    1.02), and never pushes into the last 2 % of the SoC range.
    """

    def control(agent_id: str, obs: np.ndarray) -> np.ndarray:
        v, soc, bias = obs[0], obs[1], obs[-1]
        a = (0.98 - v) / 0.03 if v < 0.98 else (1.02 - v) / 0.03 if v > 1.02 else 0.0
        a += 0.5 * bias
        if soc <= config.soc_min + 0.02:
            a = min(a, 0.0)
        if soc >= config.soc_max - 0.02:
            a = max(a, 0.0)
        return np.array([np.clip(a, -1.0, 1.0)], np.float32)

    return control


def coordinator_controller(config: Config):
    """Built-in coordinator: a Q bias from the lowest reported voltage.

    Observation: [min voltage, import kW, child voltages and SoCs, lowest
    reported voltage]. Bias = (0.97 - lowest reported) / 0.03 for low voltages,
    (1.03 - lowest) / 0.03 above 1.03, else 0.
    """

    def control(agent_id: str, obs: np.ndarray) -> np.ndarray:
        low = obs[-1]
        bias = 0.0
        if low < 0.97:
            bias = (0.97 - low) / 0.03
        elif low > 1.03:
            bias = (1.03 - low) / 0.03
        return np.array([np.clip(bias, -1.0, 1.0)], np.float32)

    return control


class LowestReport(ReportCollector):
    """The feeder's role: keep each child's latest voltage; observe the lowest."""

    fields = ("reported_min",)

    def state(self, agent: Any) -> np.ndarray:
        """Lowest latest report (the default for children that have not reported)."""
        if not agent.children:
            return np.array([self.default])
        return np.array([min(self.latest.get(c, self.default) for c in agent.children)])


# ----------------------------------------------------------------- assembly
def build(config: Config) -> Scenario:
    """Assemble feeder33-v0 from ``config`` (needs pandapower)."""
    c = config
    plant = FeederPlant(c)
    where, bus_of = plant.where, plant.bus_of

    voltage = FeatureProvider(
        "voltage",
        ("vm_pu",),
        lambda p, a: (p.vm[bus_of[a]],),
        visibility=Visibility.UPPER_LEVEL,
        low=0.0,
        high=2.0,
    )
    pv_out = FeatureProvider(
        "pv",
        ("pv_kw", "q_kvar"),
        lambda p, a: (p.pv[where[a][1]], p.pv_q[where[a][1]]),
        low=(0.0, -c.q_max_kvar),
        high=(c.pv_kwp, c.q_max_kvar),
    )
    soc = FeatureProvider(
        "soc",
        ("soc",),
        lambda p, a: (p.soc[where[a][1]],),
        visibility=Visibility.UPPER_LEVEL,
        low=0.0,
        high=1.0,
    )
    bat_power = FeatureProvider(
        "power",
        ("power_kw",),
        lambda p, a: (p.bat_p[where[a][1]],),
        low=-c.battery_kw,
        high=c.battery_kw,
    )
    feeder_state = FeatureProvider(
        "feeder",
        ("min_vm_pu", "import_kw"),
        lambda p, a: (float(p.vm.min()), p.p_import),
        low=(0.0, -math.inf),
        high=(2.0, math.inf),
    )

    box = spaces.Box(-1.0, 1.0, (1,), np.float32)
    agents: list[Any] = [
        CoordinatorAgent(
            "feeder",
            tick_interval=c.coordinator_tick,
            features=(feeder_state,),
            action_space=box,
            controller=coordinator_controller(c),
            protocols=[
                SetpointDispatch("broadcast", topic="q_bias"),
                LowestReport(1.0, 0.0, 2.0, topic="voltage"),
            ],
        )
    ]
    for b in c.pv_buses:
        agents.append(
            FieldAgent(
                f"pv_{b}",
                parent="feeder",
                tick_interval=c.dt,
                features=(voltage, pv_out),
                action_space=box,
                controller=pv_controller,
                protocols=[
                    SetpointFollower(0.0, -1.0, 1.0, topic="q_bias"),
                    Report(index=0, topic="voltage"),
                ],
            )
        )
    for b in c.battery_buses:
        agents.append(
            FieldAgent(
                f"battery_{b}",
                parent="feeder",
                tick_interval=c.dt,
                features=(voltage, soc, bat_power),
                action_space=box,
                controller=battery_controller(c),
                protocols=[
                    SetpointFollower(0.0, -1.0, 1.0, topic="q_bias"),
                    Report(index=0, topic="voltage"),
                ],
            )
        )
    ids = [a.agent_id for a in agents]

    def reward(p: FeederPlant, t: float) -> dict[str, float]:
        """Minus the feeder cost since the last grid point, shared by every agent."""
        cost = p.cost
        p.cost = 0.0
        return dict.fromkeys(ids, -cost)

    return Scenario(
        "feeder33-v0",
        plant,
        agents,
        reward,
        c.dt,
        c.horizon,
        DESCRIPTION,
        state=lambda p: p.state(),
    )


#: PettingZoo-style module factories: ``parallel_env()`` and ``env()``.
parallel_env, env = pettingzoo_factories("feeder33-v0")
