"""Named timing profiles: per-level timing and message loss, with their sources."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from heron_simpy.exceptions import ConfigError
from heron_simpy.faults import Fault, check_faults
from heron_simpy.timing.config import TickConfig
from heron_simpy.timing.jitter import JitterType
from heron_simpy.timing.loss import (
    BernoulliLoss,
    GilbertElliottLoss,
    LossModel,
    is_loss_model,
)

__all__ = [
    "DEFAULT_TICKS",
    "LEVELS",
    "TimingProfile",
    "profiles",
    "resolve_profile",
]

LEVELS = ("field", "coordinator", "system")
"""The agent levels a profile configures, lowest first."""

DEFAULT_TICKS: Mapping[str, float] = MappingProxyType(
    {"field": 1.0, "coordinator": 60.0, "system": 300.0}
)
"""Default tick interval of each level in seconds (read-only)."""

_RATES = ("agent", "profile")
_EMPTY: Mapping[str, TickConfig] = MappingProxyType({})


def _check_text(value: object, subject: str) -> str:
    """Return ``value`` if it is a non-empty one-line str."""
    if not isinstance(value, str):
        raise TypeError(f"{subject} must be a str, got {value!r}")
    if not value.strip() or "\n" in value:
        raise ConfigError(f"{subject} must be one non-empty line, got {value!r}")
    return value


@dataclasses.dataclass(frozen=True)
class TimingProfile:
    """A timing regime: one TickConfig per level, message loss, and its source.

    With ``rates="agent"`` an agent keeps its own declared tick interval and
    phase and takes delays, jitter and ``min_delay`` from its level's entry;
    with ``rates="profile"`` the entry's tick interval and phase are used too.
    An entry in ``agents`` always wins whole.

    Attributes:
        name: Short name, for example ``"lan"``.
        source: One line saying where the numbers come from.
        field: Timing of field agents.
        coordinator: Timing of coordinators.
        system: Timing of the system agent.
        loss: Message loss on every link; None means lossless.
        agents: Per-agent overrides (agent id -> full TickConfig), read-only.
        rates: ``"agent"`` or ``"profile"``: whose tick interval and phase win.
        faults: Fault schedule (see :mod:`heron_simpy.faults`) injected into
            every episode run under this profile; empty for none.

    Example:
        >>> lan = profiles["lan"]
        >>> cfg = lan.for_agent("pump_2", "field", tick_interval=0.5)
        >>> cfg.tick_interval, cfg.obs_delay, cfg.jitter_type.value
        (0.5, 0.05, 'uniform')
        >>> lan.with_agent("pump_2", TickConfig(2.0)).for_agent("pump_2", "field")
        TickConfig(tick_interval=2.0, obs_delay=0.0, act_delay=0.0, msg_delay=0.0, \
jitter_type=<JitterType.NONE: 'none'>, jitter_ratio=0.0, min_delay=0.0, phase=0.0, \
seed=None)
    """

    name: str
    source: str
    field: TickConfig
    coordinator: TickConfig
    system: TickConfig
    loss: LossModel | None = None
    agents: Mapping[str, TickConfig] = dataclasses.field(default_factory=lambda: _EMPTY)
    rates: Literal["agent", "profile"] = "agent"
    faults: tuple[Fault, ...] = ()

    def __post_init__(self) -> None:
        _check_text(self.name, "TimingProfile name")
        _check_text(self.source, "TimingProfile source")
        for level in LEVELS:
            config = getattr(self, level)
            if not isinstance(config, TickConfig):
                message = f"TimingProfile {level} must be a TickConfig, got {config!r}"
                raise TypeError(message)
        if self.loss is not None and not is_loss_model(self.loss):
            message = (
                f"TimingProfile loss must be a LossModel or None, got {self.loss!r}"
            )
            raise TypeError(message)
        object.__setattr__(self, "agents", _check_agents(self.agents))
        if self.rates not in _RATES:
            message = (
                f"TimingProfile rates must be 'agent' or 'profile', got {self.rates!r}"
            )
            raise ConfigError(message)
        object.__setattr__(
            self, "faults", check_faults(self.faults, "TimingProfile faults")
        )

    def __getstate__(self) -> dict[str, object]:
        state = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        state["agents"] = dict(self.agents)  # a mappingproxy cannot be pickled
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "agents", _check_agents(self.agents))

    @classmethod
    def uniform(cls, config: TickConfig, name: str = "custom") -> TimingProfile:
        """Build a profile that gives every agent the same ``config``.

        Args:
            config: The timing of every agent, tick interval and phase included.
            name: Name of the profile.

        Returns:
            A lossless profile with ``rates="profile"``.

        Raises:
            TypeError: If ``config`` is not a TickConfig.

        Example:
            >>> profile = TimingProfile.uniform(TickConfig(5.0))
            >>> profile.for_agent("a", "system", tick_interval=1.0).tick_interval
            5.0
        """
        source = "one TickConfig applied to every agent"
        return cls(name, source, config, config, config, rates="profile")

    def level(self, name: str) -> TickConfig:
        """Return the TickConfig of one level.

        Args:
            name: One of ``LEVELS``.

        Returns:
            The level's entry.

        Raises:
            ConfigError: If ``name`` is not a level.
        """
        if name not in LEVELS:
            valid = ", ".join(repr(level) for level in LEVELS)
            message = f"TimingProfile level must be one of {valid}, got {name!r}"
            raise ConfigError(message)
        config: TickConfig = getattr(self, name)
        return config

    def for_agent(
        self,
        agent_id: str,
        level: str,
        tick_interval: float | None = None,
        phase: float | None = None,
    ) -> TickConfig:
        """Return the timing of one agent under this profile.

        Args:
            agent_id: The agent's id; an entry in ``agents`` wins whole.
            level: The agent's level, one of ``LEVELS``.
            tick_interval: The agent's own tick interval in seconds (> 0), kept
                when ``rates="agent"``; None takes the level's.
            phase: The agent's own first-tick offset in seconds (>= 0), kept
                when ``rates="agent"``; None takes the level's.

        Returns:
            The validated TickConfig of the agent.

        Raises:
            ConfigError: If ``level`` is unknown or the agent's rate is invalid.
        """
        entry = self.level(level)
        override = self.agents.get(agent_id)
        if override is not None:
            return override
        if self.rates == "profile":
            return entry
        changes: dict[str, float] = {}
        if tick_interval is not None:
            changes["tick_interval"] = tick_interval
        if phase is not None:
            changes["phase"] = phase
        return entry.replace(**changes) if changes else entry

    def replace(self, **changes: Any) -> TimingProfile:
        """Return a validated copy with some fields changed.

        Args:
            **changes: New values of ``TimingProfile`` fields.

        Returns:
            The new profile.

        Raises:
            TypeError: If a field name is unknown or a value has the wrong type.
            ConfigError: If a value is out of range.
        """
        return dataclasses.replace(self, **changes)

    def with_agents(self, **configs: TickConfig) -> TimingProfile:
        """Return a copy with per-agent overrides added (or replaced).

        Args:
            **configs: Agent id -> its full TickConfig.

        Returns:
            The new profile.

        Raises:
            TypeError: If a value is not a TickConfig.
        """
        return self.replace(agents={**self.agents, **configs})

    def with_agent(self, agent_id: str, config: TickConfig) -> TimingProfile:
        """Return a copy where ``agent_id`` runs with ``config``.

        Args:
            agent_id: The agent's id.
            config: Its full TickConfig (tick interval included).

        Returns:
            The new profile.

        Raises:
            TypeError: If ``agent_id`` is not a str or ``config`` not a TickConfig.
        """
        return self.replace(agents={**self.agents, agent_id: config})

    def with_loss(self, model: LossModel | None) -> TimingProfile:
        """Return a copy with another message-loss model (None = lossless).

        Args:
            model: The loss model of every link.

        Returns:
            The new profile.

        Raises:
            TypeError: If ``model`` is neither None nor a LossModel.
        """
        return self.replace(loss=model)

    def with_faults(self, *faults: Fault, name: str | None = None) -> TimingProfile:
        """Return a copy whose fault schedule has ``faults`` added.

        Args:
            *faults: Fault specs (see :mod:`heron_simpy.faults`).
            name: Name of the new profile (default: unchanged).

        Returns:
            The new profile.

        Raises:
            TypeError: If an item is not a fault spec.

        Example:
            >>> from heron_simpy.faults import Crash
            >>> crash = Crash("coord", start=60, downtime=30)
            >>> p = profiles["lan"].with_faults(crash, name="lan+crash")
            >>> p.name, [f.kind for f in p.faults]
            ('lan+crash', ['crash'])
        """
        added = check_faults(faults, "with_faults faults")
        return self.replace(
            faults=self.faults + added, name=self.name if name is None else name
        )


def _check_agents(agents: object) -> Mapping[str, TickConfig]:
    """Return ``agents`` as a read-only copy after checking its types."""
    if not isinstance(agents, Mapping):
        raise TypeError(f"TimingProfile agents must be a mapping, got {agents!r}")
    for agent_id, config in agents.items():
        if not isinstance(agent_id, str) or not isinstance(config, TickConfig):
            message = (
                "TimingProfile agents must map str agent ids to TickConfigs, "
                f"got {agent_id!r}: {config!r}"
            )
            raise TypeError(message)
    return MappingProxyType(dict(agents))


def _build(
    name: str,
    source: str,
    delays: tuple[float, float, float],
    jitter: tuple[JitterType, float],
    loss: LossModel | None = None,
    *,
    field_tick: float = DEFAULT_TICKS["field"],
) -> TimingProfile:
    """Build a shipped profile: the same delays and jitter on every level."""
    ticks = (field_tick, DEFAULT_TICKS["coordinator"], DEFAULT_TICKS["system"])
    field, coordinator, system = (TickConfig(tick, *delays, *jitter) for tick in ticks)
    return TimingProfile(name, source, field, coordinator, system, loss)


profiles: Mapping[str, TimingProfile] = MappingProxyType(
    {
        "ideal": _build(
            "ideal",
            "lockstep assumption of MARL training: instant sensing, actuation and "
            "messaging",
            (0.0, 0.0, 0.0),
            (JitterType.NONE, 0.0),
        ),
        "lan": _build(
            "lan",
            "IEC 61850-5 station-LAN transfer-time classes of a few ms (10 ms "
            "messages), plus ~50 ms sensor conversion and ~100 ms actuator "
            "response; +-10 % uniform jitter; no loss",
            (0.05, 0.1, 0.01),
            (JitterType.UNIFORM, 0.1),
        ),
        "wan": _build(
            "wan",
            "ITU-T G.114 ~150 ms one-way budget for messages, ~300 ms for remote "
            "sensing and actuation; 25 % Gaussian jitter; utility WAN loss 0.1-1 % "
            "(1 % used)",
            (0.3, 0.3, 0.15),
            (JitterType.GAUSSIAN, 0.25),
            BernoulliLoss(0.01),
        ),
        "scada": _build(
            "scada",
            "SCADA/RTU polling at a ~60 s scan cycle (the coordinator default) "
            "with ~2 s telemetry latency and ~40 % lognormal spread, 0.5 s "
            "actuation; bursty link loss (Gilbert-Elliott, ~3 % mean)",
            (2.0, 0.5, 2.0),
            (JitterType.LOGNORMAL, 0.4),
            GilbertElliottLoss(0.01, 0.3),
        ),
        "traffic": _build(
            "traffic",
            "NTCIP 1202 signal controllers: 0.1 s controller cycle (field tick), "
            "~50 ms detector latency, ~200 ms actuation, 100 ms messages; +-10 % "
            "uniform jitter; no loss",
            (0.05, 0.2, 0.1),
            (JitterType.UNIFORM, 0.1),
            field_tick=0.1,
        ),
    }
)
"""The shipped timing profiles by name (read-only); see each ``source``."""


def resolve_profile(profile: str | TimingProfile | TickConfig) -> TimingProfile:
    """Turn a ``profile=`` argument into a TimingProfile.

    Args:
        profile: A name in ``profiles``, a TimingProfile (returned as is), or
            one TickConfig applied to every agent (``TimingProfile.uniform``).

    Returns:
        The timing profile.

    Raises:
        ConfigError: If the name is not a shipped profile.
        TypeError: If ``profile`` has another type.

    Example:
        >>> resolve_profile("wan").loss
        BernoulliLoss(p=0.01)
    """
    if isinstance(profile, TimingProfile):
        return profile
    if isinstance(profile, TickConfig):
        return TimingProfile.uniform(profile)
    if isinstance(profile, str):
        found = profiles.get(profile)
        if found is None:
            valid = ", ".join(sorted(profiles))
            message = f"unknown timing profile {profile!r}; valid: {valid}"
            raise ConfigError(message)
        return found
    message = (
        f"profile must be a name, a TimingProfile or a TickConfig, got {profile!r}"
    )
    raise TypeError(message)
