"""Fault specifications: frozen value objects a profile or a scenario schedules.

A fault names who it hits (an agent id, or a shell-style pattern such as
``"battery_*"`` or ``"*"``), when it starts (seconds after the episode start)
and how long it lasts. The engine turns each one into a SimPy process (see
:mod:`heron_simpy.injection`); this module only holds and checks the data.

Every spec checks all its fields at once and raises one :class:`FaultError`
(a ``ConfigError``) listing every problem; ``error.problems`` keeps them as
``(field, message)`` pairs so a file loader can prefix each with its path.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.checks import shown, to_float

__all__ = [
    "FAULT_KINDS",
    "ActuatorSaturation",
    "ClockDrift",
    "Crash",
    "Fault",
    "FaultError",
    "LinkOutage",
    "SensorDropout",
    "StuckSensor",
    "check_faults",
    "fault_from_mapping",
]


class FaultError(ConfigError):
    """One or more fields of a fault spec are invalid.

    Attributes:
        problems: ``(field, message)`` pairs; ``message`` reads like
            ``"must be >= 0 s, got -1"``.
    """

    def __init__(self, subject: str, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = [f"{subject} {name} {message}" for name, message in problems]
        text = (
            lines[0]
            if len(lines) == 1
            else "\n- ".join([f"invalid {subject}:", *lines])
        )
        super().__init__(text)
        self.subject = subject

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild from (subject, problems): a worker process can send it back.
        return (type(self), (self.subject, self.problems))


def _start(value: object) -> str | None:
    number = to_float(value)
    if number is None or not math.isfinite(number) or number < 0:
        return (
            "must be a finite number >= 0 s (after the episode start), "
            f"got {shown(value)}"
        )
    return None


def _length(value: object) -> str | None:
    number = to_float(value)
    if number is None or math.isnan(number) or number <= 0:
        return f"must be a number > 0 s (inf: never ends), got {shown(value)}"
    return None


def _target(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        return f"must be an agent id or pattern (a non-empty str), got {value!r}"
    return None


def _choice(options: tuple[str, ...]) -> Any:
    def check(value: object) -> str | None:
        if value not in options:
            return f"must be one of {', '.join(map(repr, options))}, got {value!r}"
        return None

    return check


def _finite(value: object) -> str | None:
    number = to_float(value)
    if number is None or not math.isfinite(number):
        return f"must be a finite number, got {shown(value)}"
    return None


def _bound_values(value: object) -> float | tuple[float, ...] | None:
    """A clip bound as a float or a tuple of floats; None if it is neither.

    A bound is a real number (not a bool) or a list, tuple or 1-d array of
    them; an int beyond the float range counts as infinite.
    """
    number = to_float(value)
    if number is not None:
        return number
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return None
    items = tuple(to_float(v) for v in value)
    if any(v is None for v in items):
        return None
    return items  # type: ignore[return-value]


def _bound(value: object) -> str | None:
    if value is None:
        return None
    bound = _bound_values(value)
    if bound is None:
        return f"must be a number, a list of numbers or None, got {value!r}"
    if isinstance(bound, float):
        return None if not math.isnan(bound) else f"must not be NaN, got {value!r}"
    if not bound or any(math.isnan(v) for v in bound):
        return f"must be a non-empty list of numbers without NaN, got {value!r}"
    return None


_SENSOR_CHECKS: Mapping[str, Any] = {
    "agent": _target,
    "start": _start,
    "duration": _length,
}


class Fault:
    """Base of every fault spec (frozen dataclasses below).

    Attributes:
        kind: The fault kind as it appears in the trace (``"crash"``, ...).
    """

    kind: ClassVar[str] = ""
    _checks: ClassVar[Mapping[str, Any]] = {}
    #: Seconds after the episode start when it begins (set by every subclass).
    start: float

    def __post_init__(self) -> None:
        problems = [
            (name, msg)
            for name, check in self._checks.items()
            if (msg := check(getattr(self, name))) is not None
        ]
        problems.extend(self._extra_problems() if not problems else [])
        if problems:
            raise FaultError(type(self).__name__, problems)
        for name in self._checks:
            value = getattr(self, name)
            number = to_float(value)
            if number is not None:
                object.__setattr__(self, name, number)
            elif name in ("low", "high") and value is not None:
                object.__setattr__(self, name, _bound_values(value))

    def _extra_problems(self) -> list[tuple[str, str]]:
        return []

    @property
    def end(self) -> float:
        """When the fault clears, s after the episode start (inf: never)."""
        start = float(getattr(self, "start", 0.0))
        return start + float(getattr(self, "duration", math.inf))

    @property
    def targets(self) -> tuple[str, ...]:
        """The agent patterns this fault names (for matching at run time)."""
        return (str(getattr(self, "agent", "")),)

    def as_dict(self) -> dict[str, Any]:
        """The spec as a plain mapping with its ``kind`` (what a file holds)."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


@dataclasses.dataclass(frozen=True)
class SensorDropout(Fault):
    """The agent's sensor delivers nothing during ``[start, start + duration)``.

    A tick inside the window still happens (the agent is alive) but its
    observation is lost (counted in ``observations_lost``, traced as
    ``lose``), so the agent makes no decision on it.
    """

    kind: ClassVar[str] = "sensor_dropout"
    agent: str
    start: float
    duration: float
    _checks: ClassVar[Mapping[str, Any]] = _SENSOR_CHECKS


@dataclasses.dataclass(frozen=True)
class StuckSensor(Fault):
    """The agent's sensor repeats the reading taken when the fault starts.

    During ``[start, start + duration)`` every tick delivers (after the usual
    observation delay) a copy of the observation sampled at ``start``.
    """

    kind: ClassVar[str] = "stuck_sensor"
    agent: str
    start: float
    duration: float
    _checks: ClassVar[Mapping[str, Any]] = _SENSOR_CHECKS


@dataclasses.dataclass(frozen=True)
class LinkOutage(Fault):
    """The directed links ``sender -> recipient`` are down for a while.

    Messages sent on a matching link during ``[start, start + duration)`` are
    dropped (``mode="drop"``: a ``drop`` record) or held and sent when the
    link comes back (``mode="queue"``: delivered at ``end + delay``, FIFO).
    Messages already in flight when the outage starts still arrive.
    ``sender`` and ``recipient`` may be patterns (``"*"`` for any).
    """

    kind: ClassVar[str] = "link_outage"
    sender: str
    recipient: str
    start: float
    duration: float
    mode: str = "drop"
    _checks: ClassVar[Mapping[str, Any]] = {
        "sender": _target,
        "recipient": _target,
        "start": _start,
        "duration": _length,
        "mode": _choice(("drop", "queue")),
    }

    @property
    def targets(self) -> tuple[str, ...]:
        """The sender and recipient patterns."""
        return (self.sender, self.recipient)


@dataclasses.dataclass(frozen=True)
class Crash(Fault):
    """The agent's controller crashes at ``start`` and restarts after ``downtime``.

    Its process is interrupted: no tick, no decision while down, its inbox is
    emptied and observations still in flight to it are lost. Actions it
    decided before the crash that have not landed are lost
    (``in_flight="lost"``, the default: the command died with the
    controller) or still applied (``"kept"``: already on the wire to the
    actuator). On restart it ticks at once, then at its usual interval.
    """

    kind: ClassVar[str] = "crash"
    agent: str
    start: float
    downtime: float
    in_flight: str = "lost"
    _checks: ClassVar[Mapping[str, Any]] = {
        "agent": _target,
        "start": _start,
        "downtime": _length,
        "in_flight": _choice(("lost", "kept")),
    }

    @property
    def end(self) -> float:
        """The restart time, s after the episode start."""
        return self.start + self.downtime


@dataclasses.dataclass(frozen=True)
class ActuatorSaturation(Fault):
    """The agent's actuator clips what it applies to ``[low, high]`` for a while.

    Applies to numeric actions (numbers or arrays) landing during the window;
    ``low`` / ``high`` are numbers or per-element lists (None: no bound). An
    action that is not numeric stops the run with an error naming the fault.
    """

    kind: ClassVar[str] = "actuator_saturation"
    agent: str
    start: float
    duration: float
    low: Any = None
    high: Any = None
    _checks: ClassVar[Mapping[str, Any]] = {
        "agent": _target,
        "start": _start,
        "duration": _length,
        "low": _bound,
        "high": _bound,
    }

    def _extra_problems(self) -> list[tuple[str, str]]:
        if self.low is None and self.high is None:
            return [("low", "and high must not both be None (nothing to clip)")]
        if self.low is None or self.high is None:
            return []
        try:
            low, high = np.broadcast_arrays(
                np.asarray(_bound_values(self.low), dtype=float),
                np.asarray(_bound_values(self.high), dtype=float),
            )
        except ValueError:
            return [("low", f"must broadcast against high, got {self.low!r}")]
        if np.any(low > high):
            return [("low", f"must be <= high ({self.high!r}), got {self.low!r}")]
        return []


@dataclasses.dataclass(frozen=True)
class ClockDrift(Fault):
    """The agent's local clock runs at ``1 + ppm * 1e-6`` and is ``offset`` s ahead.

    Not a window: a device's clock error is a standing property, so it holds
    for the whole episode (``offset`` is the error at the episode start). The
    agent schedules its ticks on its local clock: an interval of L local seconds lasts
    ``L / (1 + ppm * 1e-6)`` true seconds, and a clock ``offset`` s ahead
    reaches each scheduled tick ``offset`` s early (in true time). The
    timestamps it produces (``ctx.now``, ``Message.stamp``) read its local
    clock; delays are physical and do not drift. Trace times stay true.
    """

    kind: ClassVar[str] = "clock_drift"
    agent: str
    ppm: float = 0.0
    offset: float = 0.0
    _checks: ClassVar[Mapping[str, Any]] = {
        "agent": _target,
        "ppm": _finite,
        "offset": _finite,
    }

    def _extra_problems(self) -> list[tuple[str, str]]:
        if self.ppm <= -1e6:
            return [("ppm", f"must be > -1e6 (a clock that runs), got {self.ppm!r}")]
        return []

    @property
    def rate(self) -> float:
        """Local seconds per true second."""
        return 1.0 + self.ppm * 1e-6


FAULT_KINDS: Mapping[str, type[Fault]] = {
    cls.kind: cls
    for cls in (
        SensorDropout,
        StuckSensor,
        LinkOutage,
        Crash,
        ActuatorSaturation,
        ClockDrift,
    )
}
"""Fault kind -> spec class, as named in files and traces."""


def fault_from_mapping(values: Mapping[str, Any]) -> Fault:
    """Build a fault from a mapping with a ``kind`` key (as read from a file).

    Raises:
        FaultError: Unknown kind, unknown or missing keys, or bad values; every
            problem at once, each as ``(field, message)``.

    Example:
        >>> fault_from_mapping({"kind": "crash", "agent": "coord", "start": 60,
        ...                     "downtime": 30})
        Crash(agent='coord', start=60.0, downtime=30.0, in_flight='lost')
    """
    if not isinstance(values, Mapping):
        raise FaultError("fault", [("", f"must be a table/mapping, got {values!r}")])
    kind = values.get("kind")
    cls = FAULT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        rule = f"must be one of {', '.join(map(repr, FAULT_KINDS))}, got {kind!r}"
        raise FaultError("fault", [("kind", rule)])
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    problems: list[tuple[str, str]] = []
    for key in values:
        if key != "kind" and key not in fields:
            problems.append(
                (str(key), f"is not a field of {kind!r} (fields: {', '.join(fields)})")
            )
    for name, f in fields.items():
        if name not in values and f.default is dataclasses.MISSING:
            problems.append((name, "is required"))
    if problems:
        raise FaultError(cls.__name__, problems)
    return cls(**{k: v for k, v in values.items() if k != "kind"})


def check_faults(faults: object, subject: str = "faults") -> tuple[Fault, ...]:
    """Return ``faults`` as a tuple of Fault specs, or raise naming the culprit."""
    if faults is None:
        return ()
    if isinstance(faults, Fault):
        return (faults,)
    if not isinstance(faults, Iterable) or isinstance(faults, (str, bytes, Mapping)):
        raise TypeError(f"{subject} must be a list of faults, got {faults!r}")
    items: list[Fault] = []
    for i, item in enumerate(faults):
        if not isinstance(item, Fault):
            raise TypeError(f"{subject}[{i}] must be a fault spec, got {item!r}")
        items.append(item)
    return tuple(items)
