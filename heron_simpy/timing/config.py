"""Per-agent timing configuration: tick rate, delays, jitter and seed (HERON names)."""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.checks import check_real, shown
from heron_simpy.timing.delays import (
    DelayModel,
    Sampler,
    SimTime,
    is_delay_model,
)
from heron_simpy.timing.floor import with_floor
from heron_simpy.timing.jitter import JitterType, RatioDelay, _coerce_jitter
from heron_simpy.timing.rng import SeedLike, check_seed
from heron_simpy.timing.rng import generator as make_generator

__all__ = [
    "TICK_FLOOR_RATIO",
    "ScheduleConfig",
    "TickConfig",
    "TickSamplers",
]

TICK_FLOOR_RATIO = 0.1
"""A sampled tick interval is never below this fraction of ``tick_interval``."""


class TickSamplers(NamedTuple):
    """The four samplers of one agent: tick interval and obs/act/msg delays (s).

    Example:
        >>> s = TickConfig(tick_interval=2.0, obs_delay=0.1).samplers(0)
        >>> s.tick(), s.obs(), s.act()
        (2.0, 0.1, 0.0)
    """

    tick: Sampler
    obs: Sampler
    act: Sampler
    msg: Sampler


def _check_field(name: str, value: object) -> object:
    """Return the checked, normalised value of one TickConfig field."""
    subject = f"TickConfig {name}"
    if name in ("obs_delay", "act_delay", "msg_delay"):
        if is_delay_model(value):
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            rule = "must be a number of seconds or a DelayModel"
            raise TypeError(f"{subject} {rule}, got {shown(value)}")
    if name == "jitter_type":
        return _coerce_jitter(value, subject)
    if name == "seed":
        return check_seed(value, "TickConfig")
    unit = "" if name == "jitter_ratio" else " s"
    return check_real(value, subject, strict=name == "tick_interval", unit=unit)


@dataclass(frozen=True, slots=True)
class TickConfig:
    """Timing of one agent: tick interval, sensing/actuation/message delays, jitter.

    Jitter (``jitter_type``, ``jitter_ratio``) applies to all four quantities,
    each through a ``RatioDelay``: a sampled tick interval is never below
    ``TICK_FLOOR_RATIO * tick_interval`` and a sampled delay never below
    ``min_delay``, for every jitter type. A delay may also be any
    ``DelayModel``; it is then used as given, floored at ``min_delay``. Numbers
    may be ints, floats or numpy scalars, never bools; an int too large for a
    float (``10**400``) is out of range. Invalid values are all reported in one
    ``ConfigError``; wrong types raise ``TypeError`` at once.

    Attributes:
        tick_interval: Mean time between two ticks in seconds, finite and > 0.
        obs_delay: Sensing delay in seconds (finite, >= 0) or a DelayModel.
        act_delay: Actuation delay in seconds (finite, >= 0) or a DelayModel.
        msg_delay: Message delay in seconds (finite, >= 0) or a DelayModel.
        jitter_type: A ``JitterType`` or its name (``"uniform"``, ...).
        jitter_ratio: Relative jitter (dimensionless), finite and >= 0.
        min_delay: Smallest sampled delay in seconds, finite and >= 0.
        phase: Offset of the first tick from the start in seconds, >= 0.
        seed: Seed of ``get_*`` and of ``samplers()`` without a seed; None
            means fresh OS entropy (not reproducible).

    Example:
        >>> cfg = TickConfig.with_jitter(1.0, obs_delay=0.1, jitter_type="uniform")
        >>> s = cfg.samplers(42, "agent", "pump_2")
        >>> 0.9 <= s.tick() <= 1.1, 0.09 <= s.obs() <= 0.11
        (True, True)
    """

    tick_interval: SimTime = 1.0
    obs_delay: SimTime | DelayModel = 0.0
    act_delay: SimTime | DelayModel = 0.0
    msg_delay: SimTime | DelayModel = 0.0
    jitter_type: JitterType = JitterType.NONE
    jitter_ratio: float = 0.0
    min_delay: SimTime = 0.0
    phase: SimTime = 0.0
    seed: SeedLike = None
    _own: TickSamplers | None = field(
        init=False, repr=False, compare=False, default=None
    )

    def __post_init__(self) -> None:
        problems: list[str] = []
        for name in _INIT_FIELDS:
            try:
                object.__setattr__(self, name, _check_field(name, getattr(self, name)))
            except ConfigError as exc:
                problems.append(str(exc))
        if len(problems) == 1:
            raise ConfigError(problems[0])
        if problems:
            raise ConfigError("invalid TickConfig:\n- " + "\n- ".join(problems))

    def __getstate__(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _INIT_FIELDS)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for name, value in zip(_INIT_FIELDS, state, strict=True):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_own", None)

    @classmethod
    def deterministic(
        cls,
        tick_interval: SimTime = 1.0,
        obs_delay: SimTime | DelayModel = 0.0,
        act_delay: SimTime | DelayModel = 0.0,
        msg_delay: SimTime | DelayModel = 0.0,
        *,
        phase: SimTime = 0.0,
        min_delay: SimTime = 0.0,
    ) -> TickConfig:
        """Build a config without jitter (arguments as the class attributes).

        Returns:
            The validated config.

        Raises:
            TypeError: If a value has the wrong type.
            ConfigError: If values are out of range (all listed at once).

        Example:
            >>> TickConfig.deterministic(5.0, obs_delay=0.5).get_obs_delay()
            0.5
        """
        return cls(
            tick_interval,
            obs_delay,
            act_delay,
            msg_delay,
            min_delay=min_delay,
            phase=phase,
        )

    @classmethod
    def with_jitter(  # noqa: PLR0917  (HERON's positional signature)
        cls,
        tick_interval: SimTime = 1.0,
        obs_delay: SimTime | DelayModel = 0.0,
        act_delay: SimTime | DelayModel = 0.0,
        msg_delay: SimTime | DelayModel = 0.0,
        jitter_type: JitterType | str = JitterType.GAUSSIAN,
        jitter_ratio: float = 0.1,
        *,
        min_delay: SimTime = 0.0,
        phase: SimTime = 0.0,
        seed: SeedLike = None,
    ) -> TickConfig:
        """Build a jittered config (arguments as the class attributes).

        Returns:
            The validated config.

        Raises:
            TypeError: If a value has the wrong type.
            ConfigError: If values are out of range (all listed at once).
        """
        return cls(
            tick_interval,
            obs_delay,
            act_delay,
            msg_delay,
            cast(JitterType, jitter_type),  # a name is converted in __post_init__
            jitter_ratio,
            min_delay,
            phase,
            seed,
        )

    @classmethod
    def from_hz(cls, hz: float, **kwargs: Any) -> TickConfig:
        """Build a config ticking ``hz`` times per second.

        Args:
            hz: Tick rate in Hz, finite and > 0.
            **kwargs: Any other ``TickConfig`` field except ``tick_interval``.

        Returns:
            The validated config with ``tick_interval = 1 / hz``.

        Raises:
            TypeError: If a value has the wrong type.
            ConfigError: If ``hz`` or another value is out of range.

        Example:
            >>> TickConfig.from_hz(10).tick_interval
            0.1
        """
        rate = check_real(hz, "TickConfig.from_hz hz", strict=True, unit=" Hz")
        if not math.isfinite(1.0 / rate):
            raise ConfigError(
                f"TickConfig.from_hz hz must give a finite tick interval, got {hz!r}"
            )
        return cls(1.0 / rate, **kwargs)

    def replace(self, **changes: Any) -> TickConfig:
        """Return a validated copy with some fields changed.

        Args:
            **changes: New values of ``TickConfig`` fields.

        Returns:
            The new config (its own samplers start fresh).

        Raises:
            TypeError: If a field name is unknown or a value has the wrong type.
            ConfigError: If a value is out of range.
        """
        return dataclasses.replace(self, **changes)

    @property
    def tick_model(self) -> RatioDelay:
        """Model of the tick interval (floored at ``TICK_FLOOR_RATIO`` of it)."""
        base = self.tick_interval
        return RatioDelay(
            base, self.jitter_type, self.jitter_ratio, TICK_FLOOR_RATIO * base
        )

    @property
    def obs_model(self) -> DelayModel:
        """Model of the observation delay (floored at ``min_delay``)."""
        return self._delay_model(self.obs_delay)

    @property
    def act_model(self) -> DelayModel:
        """Model of the action delay (floored at ``min_delay``)."""
        return self._delay_model(self.act_delay)

    @property
    def msg_model(self) -> DelayModel:
        """Model of the message delay (floored at ``min_delay``)."""
        return self._delay_model(self.msg_delay)

    def _delay_model(self, value: SimTime | DelayModel) -> DelayModel:
        if isinstance(value, float):
            return RatioDelay(
                value, self.jitter_type, self.jitter_ratio, self.min_delay
            )
        return with_floor(value, self.min_delay)

    @property
    def is_deterministic(self) -> bool:
        """True when no channel draws randomness (every sample is a constant)."""
        models = (self.tick_model, self.obs_model, self.act_model, self.msg_model)
        return all(getattr(m, "is_deterministic", False) for m in models)

    @property
    def has_delays(self) -> bool:
        """True when an observation, action or message delay could be > 0."""
        return not all(
            getattr(m, "is_deterministic", False) and getattr(m, "mean", None) == 0.0
            for m in (self.obs_model, self.act_model, self.msg_model)
        )

    def samplers(self, seed: SeedLike = None, *key: str | int) -> TickSamplers:
        """Build the four samplers of one stream family.

        Each channel has its own generator, ``generator(seed, *key, channel)``
        for channel ``"tick"``, ``"obs"``, ``"act"``, ``"msg"``: the same seed
        and key give identical sequences; another key gives independent ones.
        The engine calls ``cfg.samplers(master_seed, "agent", agent_id)``.

        Args:
            seed: Master seed (int >= 0); None uses this config's ``seed``.
            *key: Key parts (str or int >= 0) naming the stream family.

        Returns:
            The samplers, returning seconds as Python floats.

        Raises:
            TypeError: If the seed or a key part has the wrong type.
            ConfigError: If the seed or an int key part is negative.
        """
        root = self.seed if seed is None else check_seed(seed, "TickConfig.samplers")
        return TickSamplers(
            self.tick_model.sampler(make_generator(root, *key, "tick")),
            self.obs_model.sampler(make_generator(root, *key, "obs")),
            self.act_model.sampler(make_generator(root, *key, "act")),
            self.msg_model.sampler(make_generator(root, *key, "msg")),
        )

    def _samplers(self) -> TickSamplers:
        own = self._own
        if own is None:
            own = self.samplers(self.seed)
            object.__setattr__(self, "_own", own)
        return own

    def reset_rng(self) -> None:
        """Restart the ``get_*`` samplers from ``seed`` (fresh entropy if None)."""
        object.__setattr__(self, "_own", self.samplers(self.seed))

    def get_tick_interval(self) -> SimTime:
        """Return the next sampled tick interval in seconds (HERON API)."""
        return self._samplers().tick()

    def get_obs_delay(self) -> SimTime:
        """Return the next sampled observation delay in seconds (HERON API)."""
        return self._samplers().obs()

    def get_act_delay(self) -> SimTime:
        """Return the next sampled action delay in seconds (HERON API)."""
        return self._samplers().act()

    def get_msg_delay(self) -> SimTime:
        """Return the next sampled message delay in seconds (HERON API)."""
        return self._samplers().msg()


_INIT_FIELDS = tuple(f.name for f in dataclasses.fields(TickConfig) if f.init)

ScheduleConfig = TickConfig
"""HERON's other name of ``TickConfig`` (the same class)."""
