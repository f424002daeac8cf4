"""The simulation object: plant, agents, broker and reward grid on one SimPy clock."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

import simpy
from simpy.events import Event

from heron_simpy.agents import Agent, AgentProcess, bind_tree
from heron_simpy.agents.process import Pending
from heron_simpy.broker import Broker, Message
from heron_simpy.engine import EVALUATE, PHASES, Kernel, Timer, priority
from heron_simpy.engine.budget import (
    AGENT_SETUP_EVENTS,
    DEFAULT_EVENT_BUDGET,
    EVENTS_PER_TICK,
    agents_text,
    check_event_budget,
    refuse_over_budget,
)
from heron_simpy.engine.kernel import check_run
from heron_simpy.exceptions import ConfigError, SimulationError
from heron_simpy.faults import ClockDrift, Fault, check_faults
from heron_simpy.injection import check_targets, clocks, install
from heron_simpy.plant import Plant, PlantDriver
from heron_simpy.recording import EpisodeStats, Record, Recorder
from heron_simpy.timing import (
    DelayModel,
    LossModel,
    TickConfig,
    TimingProfile,
    generator,
    is_loss_model,
    resolve_profile,
)
from heron_simpy.timing.checks import check_time, shown, to_float
from heron_simpy.timing.rng import check_seed

__all__ = ["Episode", "Simulation"]

RewardFn = Callable[[Any, float], Mapping[str, float]]
ProcessFactory = Callable[["Simulation"], Generator[Event, Any, Any]]
_GRID_EPS = 1e-9


@dataclass(frozen=True)
class Episode:
    """The result of one event-driven run.

    Attributes:
        returns: Agent id -> sum of its rewards on the evaluation grid.
        rewards: Agent id -> per-grid-point rewards, in time order.
        reward_times: The grid times the rewards were read at, s.
        trace: The kept trace records (all, the last N, or none: see Recorder).
        stats: Counters of everything that happened.
    """

    returns: dict[str, float]
    rewards: dict[str, list[float]]
    reward_times: list[float]
    trace: list[Record] = field(repr=False)
    stats: EpisodeStats


class Simulation:
    """Run agents against a plant in event time on one SimPy environment.

    The simulation coordinates; the agent processes, the broker and the
    recorder do the work. Agents tick at their own rates under the timing of
    ``profile``; rewards are read on a fixed grid every ``eval_dt`` seconds,
    independent of agent timing.

    Args:
        plant: The physical system (see :class:`heron_simpy.plant.Plant`), or
            None for a plant-less run (protocol tests, demos).
        seed: Master seed (int >= 0); every agent, link and the plant get
            their own keyed stream from it. None draws fresh entropy.
        profile: A profile name (``"ideal"``, ``"lan"``, ...), a
            :class:`TimingProfile`, or one :class:`TickConfig` for every agent.
        start_time: Simulated time of the first instant, s.
        eval_dt: Reward grid step, s (> 0); None for no rewards.
        reward: ``reward(plant, t) -> {agent_id: float}``, read at every grid
            point ``start_time + k * eval_dt`` (k >= 1).
        recorder: Trace recorder (default: keep everything).
        loss: Message loss on every link; overrides the profile's loss.
        faults: Fault specs injected into every episode, after the profile's
            own (see :mod:`heron_simpy.faults`).
        keep_rewards: Keep every grid point's rewards (default). False keeps
            only the latest row and running sums (``returns``), so memory stays
            flat over long runs; :attr:`rewards` is then empty.
        event_budget: Largest estimated event count one :meth:`run_until`
            may take (see :mod:`heron_simpy.engine.budget`); None: no limit.

    Raises:
        ConfigError: Bad seed, eval grid, or a reward without a grid.

    Example:
        >>> from heron_simpy import Agent, Simulation
        >>> sim = Simulation(seed=0)
        >>> _ = sim.add_agent(Agent("dev", tick_interval=2.0))
        >>> sim.run_until(10.0) > 0
        True
        >>> sim.stats.ticks
        5
    """

    def __init__(
        self,
        plant: Plant | None = None,
        *,
        seed: int | None = 0,
        profile: str | TimingProfile | TickConfig = "ideal",
        start_time: float = 0.0,
        eval_dt: float | None = None,
        reward: RewardFn | None = None,
        recorder: Recorder | None = None,
        loss: LossModel | None = None,
        faults: Sequence[Fault] = (),
        keep_rewards: bool = True,
        event_budget: float | None = DEFAULT_EVENT_BUDGET,
    ) -> None:
        self.seed = check_seed(seed, "Simulation")
        start_time = check_time(start_time, "Simulation start_time")
        self.event_budget = check_event_budget(event_budget, "Simulation")
        self._rate: float | None = None
        self.profile = resolve_profile(profile)
        step = None if eval_dt is None else to_float(eval_dt)
        if eval_dt is not None and (
            step is None or not math.isfinite(step) or step <= 0
        ):
            raise ConfigError(
                f"Simulation eval_dt must be a number > 0 s or None, "
                f"got {shown(eval_dt)}"
            )
        if reward is not None and eval_dt is None:
            raise ConfigError(
                "Simulation reward needs an eval_dt (the reward grid step), got None"
            )
        if loss is not None and not is_loss_model(loss):
            raise TypeError(
                f"Simulation loss must be a LossModel (e.g. BernoulliLoss(p)) or "
                f"None, got {loss!r}"
            )
        if recorder is not None and not isinstance(recorder, Recorder):
            raise TypeError(
                f"Simulation recorder must be a Recorder (e.g. Recorder('ring', "
                f"10_000)) or None, got {recorder!r}"
            )
        self.plant = plant
        self.eval_dt = step
        self._reward = reward
        self.kernel = Kernel(start_time, recorder)
        self.driver = PlantDriver(plant, start_time)
        self.broker = Broker(
            self.kernel, self.seed, loss if loss is not None else self.profile.loss
        )
        self._agents: dict[str, Agent] = {}
        self._explicit: dict[str, TickConfig] = {}
        self._factories: list[ProcessFactory] = []
        self.processes: dict[str, AgentProcess] = {}
        self._started = False
        self._next_k = 1
        self._reward_rows: list[Mapping[str, float]] = []
        self._reward_times: list[float] = []
        if not isinstance(keep_rewards, bool):
            raise ConfigError(
                f"Simulation keep_rewards must be True or False, got {keep_rewards!r}"
            )
        self.keep_rewards = keep_rewards
        self._faults: list[Fault] = list(check_faults(faults, "Simulation faults"))
        self._sums: dict[str, float] = {}
        self._count = 0

    # ------------------------------------------------------------ building
    def add_agent(self, agent: Agent, tick: TickConfig | None = None) -> Agent:
        """Register ``agent``; ``tick`` (a full TickConfig) overrides the profile.

        Raises:
            ConfigError: The id is already registered.
            SimulationError: The simulation has already started.
        """
        self._check_not_started("add_agent")
        if not isinstance(agent, Agent):
            raise TypeError(
                f"Simulation add_agent agent must be an Agent, got {agent!r}"
            )
        if tick is not None and not isinstance(tick, TickConfig):
            raise TypeError(
                f"Simulation add_agent tick must be a TickConfig or None, got {tick!r}"
            )
        if agent.agent_id in self._agents:
            raise ConfigError(
                f"Simulation agent_id must be unique, got {agent.agent_id!r} twice"
            )
        self._agents[agent.agent_id] = agent
        if tick is not None:
            self._explicit[agent.agent_id] = tick
        self._rate = None
        return agent

    def add_process(self, factory: ProcessFactory) -> None:
        """Run ``factory(sim)`` as an extra SimPy process in every episode.

        Use it for load profiles, weather, faults: anything that is not an
        agent. Its plain ``env.timeout`` events run before engine events that
        share a timestamp (see :mod:`heron_simpy.engine.ordering`).
        """
        self._check_not_started("add_process")
        self._factories.append(factory)

    def add_fault(self, *faults: Fault) -> None:
        """Inject ``faults`` into every episode (see :mod:`heron_simpy.faults`).

        Raises:
            TypeError: An item is not a fault spec.
            SimulationError: The simulation has already started.
        """
        self._check_not_started("add_fault")
        self._faults.extend(check_faults(faults, "add_fault faults"))
        self._rate = None

    @property
    def faults(self) -> tuple[Fault, ...]:
        """Every fault of an episode: the profile's, then the added ones."""
        return tuple(self.profile.faults) + tuple(self._faults)

    def set_link(
        self,
        sender: str,
        recipient: str,
        delay: float | DelayModel | None = None,
        loss: LossModel | None = None,
    ) -> None:
        """Override the delay and/or loss of one directed link (see Broker)."""
        self.broker.set_link(sender, recipient, delay, loss)

    def config_for(self, agent_id: str) -> TickConfig:
        """Return the timing ``agent_id`` runs with (explicit, else profile)."""
        agent = self._agent(agent_id)
        if agent_id in self._explicit:
            return self._explicit[agent_id]
        return self.profile.for_agent(
            agent_id, agent.level, agent.tick_interval, agent.phase
        )

    # ------------------------------------------------------------ running
    @property
    def env(self) -> simpy.Environment:
        """The SimPy environment of the current episode."""
        return self.kernel.env

    @property
    def now(self) -> float:
        """The current simulated time, s."""
        return self.kernel.now

    @property
    def agent_ids(self) -> tuple[str, ...]:
        """Registered agent ids, in same-time order (parents first)."""
        return tuple(self._ranked())

    def start(self) -> None:
        """Reset the plant and start every process (done by the first run)."""
        if self._started:
            return
        ranked = self._ranked()  # validates the hierarchy before anything starts
        faults = self.faults
        plans = check_targets(faults, ranked)
        drifts = clocks(plans)
        self._started = True
        kernel = self.kernel
        if self.plant is not None:
            self.plant.reset(generator(self.seed, "plant"))
        self.driver.restart(kernel.start_time)
        self.processes = {}
        for rank, agent_id in enumerate(ranked):
            self.processes[agent_id] = AgentProcess(
                kernel,
                self.driver,
                self.broker,
                self._agents[agent_id],
                config=self.config_for(agent_id),
                rank=rank,
                seed=self.seed,
                grid=self.eval_dt,
                clock=drifts.get(agent_id),
            )
        install(kernel, self.broker, self.processes, plans)
        for factory in self._factories:
            kernel.process(factory(self))
        if self.eval_dt is not None:
            self._schedule_grid(1)

    def run_until(
        self, t_end: float, max_events: int | None = None, before: str | None = None
    ) -> int:
        """Process every event strictly before ``t_end``; return how many.

        When the run reaches ``t_end`` (no ``max_events`` cap hit) and
        ``t_end`` is a grid point, the reward at ``t_end`` is read on closing,
        so a run over ``[0, K * eval_dt)`` yields exactly K rewards.

        ``before="deliver"`` (any phase name of
        :mod:`heron_simpy.engine.ordering`) also runs the events *at* ``t_end``
        of the earlier phases: the facades pause there, after the decisions of
        an instant and before its message deliveries.

        Raises:
            BudgetError: The run is estimated to take more events than
                ``event_budget`` (``t_end=inf`` without ``max_events``, a tick
                of a picosecond, ...); nothing has run.
            SimulationError: ``t_end`` is in the past, or user code raised
                (the message names the agent and the time; the trace so far
                is kept).
        """
        check_run(t_end, max_events, self.kernel.now)
        estimate = self.estimate_events(t_end)
        if max_events is not None:
            estimate = min(estimate, to_float(max_events) or math.inf)
        if self.event_budget is not None and estimate > self.event_budget:
            # The message costs O(agents): build it only for a refusal.
            refuse_over_budget(estimate, self.event_budget, self._run_text(t_end))
        self.start()
        bound = None if before is None else priority(_phase(before))
        n = self.kernel.run_until(t_end, max_events, bound)
        if before is not None:
            return n
        if (max_events is None or n < max_events) and self.eval_dt is not None:
            t_k = self.kernel.start_time + self._next_k * self.eval_dt
            if abs(t_k - t_end) <= _GRID_EPS * max(1.0, abs(t_end)):
                self._evaluate(self._next_k)
        return n

    def estimate_events(self, t_end: float) -> float:
        """Estimate the events a run from now to ``t_end`` processes.

        Nominal tick rates (a fast clock drift speeds them up) times
        ``EVENTS_PER_TICK``, plus reward grid points and fixed physics steps,
        plus the set-up of every agent when the episode has not started (see
        :mod:`heron_simpy.engine.budget`). Messages come on top.
        """
        span = max(0.0, float(t_end) - self.kernel.now)
        setup = 0 if self._started else AGENT_SETUP_EVENTS * len(self._agents)
        if span == 0.0:
            return float(setup)
        return setup + self.event_rate * span

    @property
    def event_rate(self) -> float:
        """Estimated events per simulated second (see :meth:`estimate_events`)."""
        if self._rate is None:
            drift = {}
            for fault in self.faults:
                if isinstance(fault, ClockDrift):
                    for agent_id in self._agents:
                        if fnmatchcase(agent_id, fault.agent):
                            drift[agent_id] = max(1.0, fault.rate)
            rate = 0.0
            for agent_id in self._agents:
                interval = self.config_for(agent_id).tick_interval
                rate += EVENTS_PER_TICK * drift.get(agent_id, 1.0) / interval
            if self.eval_dt is not None:
                rate += 1.0 / self.eval_dt
            step = getattr(self.plant, "physics_step", None)
            if step:
                rate += 1.0 / step
            self._rate = rate
        return self._rate

    def _run_text(self, t_end: float) -> str:
        """How a run is named in a budget refusal."""
        ticks = [self.config_for(a).tick_interval for a in self._agents]
        fastest = f", fastest tick {min(ticks):g} s" if ticks else ""
        return (
            f"Simulation.run_until({t_end!r}) from t={self.kernel.now!r} with "
            f"{agents_text(len(self._agents))}{fastest}"
        )

    def defer_decisions(self) -> list[Pending]:
        """Park every controllable agent's decisions in one list (for facades).

        Each decision is stopped after its observation is prepared; resolve it
        with ``pending.process.resolve(pending, action)`` at the same instant.
        Call after :meth:`start`; a reset undoes it.
        """
        self.start()
        feed: list[Pending] = []
        for proc in self.processes.values():
            proc.feed = feed
        return feed

    @property
    def last_reward_row(self) -> Mapping[str, float]:
        """Agent id -> reward at the latest grid point read (empty before any)."""
        return self._reward_rows[-1] if self._reward_rows else {}

    @property
    def reward_rows(self) -> list[Mapping[str, float]]:
        """Every grid point's rewards read so far, in time order (do not mutate).

        With ``keep_rewards=False`` only the latest row is kept.
        """
        return self._reward_rows

    @property
    def reward_count(self) -> int:
        """How many grid points have been read."""
        return self._count

    def reset(self, seed: int | None = None, start_time: float | None = None) -> None:
        """End the episode: interrupt processes, drop events, drain stores.

        Args:
            seed: New master seed (None keeps the current one).
            start_time: New start time (None keeps the original).
        """
        if seed is not None:
            self.seed = check_seed(seed, "Simulation.reset")
        if start_time is not None:
            start_time = check_time(start_time, "Simulation.reset start_time")
        self.kernel.reset(start_time)
        self.broker.restart(self.seed)
        self.processes = {}
        self._started = False
        self._next_k = 1
        self._reward_rows.clear()
        self._reward_times.clear()
        self._sums.clear()
        self._count = 0

    # ------------------------------------------------------------ results
    @property
    def stats(self) -> EpisodeStats:
        """Counters of the current episode."""
        return self.kernel.stats

    @property
    def trace(self) -> list[Record]:
        """The kept trace records of the current episode."""
        return self.kernel.recorder.records

    @property
    def rewards(self) -> dict[str, list[float]]:
        """Agent id -> its rewards at each grid point read so far.

        Empty with ``keep_rewards=False`` (use :attr:`returns`).
        """
        if not self.keep_rewards:
            return {}
        ids: dict[str, None] = {}  # insertion-ordered set: O(agents) per row
        for row in self._reward_rows:
            ids.update(dict.fromkeys(row))
        return {a: [float(row.get(a, 0.0)) for row in self._reward_rows] for a in ids}

    @property
    def returns(self) -> dict[str, float]:
        """Agent id -> sum of its rewards so far.

        Exactly rounded (``math.fsum``) when rewards are kept; a running sum
        with ``keep_rewards=False``.
        """
        if not self.keep_rewards:
            return dict(self._sums)
        return {a: math.fsum(r) for a, r in self.rewards.items()}

    def episode(self) -> Episode:
        """Return the results of the current episode so far."""
        return Episode(
            returns=self.returns,
            rewards=self.rewards,
            reward_times=list(self._reward_times),
            trace=self.trace,
            stats=EpisodeStats(**dict(_stat_fields(self.stats))),
        )

    def inbox(self, agent_id: str) -> tuple[Message, ...]:
        """The messages waiting in ``agent_id``'s inbox (read-only view)."""
        self._agent(agent_id)
        return tuple(self.broker.inbox(agent_id).items)

    # ------------------------------------------------------------ internals
    def _schedule_grid(self, k: int) -> None:
        """Queue the reward read of grid point ``k``."""
        at = self.kernel.start_time + k * self.eval_dt  # type: ignore[operator]
        timer = Timer(
            self.kernel.env, max(0.0, at - self.kernel.env.now), priority(EVALUATE), k
        )
        timer.callbacks.append(self._on_grid)  # type: ignore[arg-type]

    def _on_grid(self, timer: Timer) -> None:
        """Read rewards at a grid point (unless read on closing already)."""
        k = timer.item
        if k == self._next_k:
            self._evaluate(k)
        self._schedule_grid(k + 1)

    def _evaluate(self, k: int) -> None:
        """Advance the plant to now and read every agent's reward."""
        now = self.kernel.env.now
        self.driver.sync(now)
        if self._reward is not None:
            row = dict(self._reward(self.plant, now))
            self._count += 1
            if self.keep_rewards:
                self._reward_rows.append(row)
                self._reward_times.append(float(now))
            else:
                self._reward_rows[:] = [row]
                self._reward_times[:] = [float(now)]
                sums = self._sums
                for a, r in row.items():
                    sums[a] = sums.get(a, 0.0) + float(r)
        self.kernel.stats.evaluations += 1
        self._next_k = k + 1

    def _agent(self, agent_id: str) -> Agent:
        try:
            return self._agents[agent_id]
        except KeyError:
            raise SimulationError(
                f"unknown agent {agent_id!r}; known: "
                f"{', '.join(self._agents) or '(none)'}"
            ) from None

    def _check_not_started(self, what: str) -> None:
        if self._started:
            raise SimulationError(
                f"Simulation.{what} must be called before the first run "
                "or after reset()"
            )

    def _ranked(self) -> list[str]:
        """Agent ids ordered parents first; binds policy agents' layouts."""
        return [a.agent_id for a in bind_tree(list(self._agents.values()))]


def _phase(name: str) -> int:
    """The ordering phase called ``name``."""
    try:
        return PHASES[name]
    except KeyError:
        raise ConfigError(
            f"run_until before must be a phase name ({', '.join(PHASES)}), got {name!r}"
        ) from None


def _stat_fields(stats: EpisodeStats) -> Iterable[tuple[str, Any]]:
    """(name, value) pairs of the counters, for copying."""
    return ((k, getattr(stats, k)) for k in stats.__dataclass_fields__)
