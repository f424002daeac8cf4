"""Shared fixtures: factories that never share state across tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pytest

from heron_simpy import Agent, Recorder, Simulation, TickConfig


def rows(trace: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Records as plain tuples ``(time, kind, agent_id, *extra)``."""
    return [(r.time, r.kind, *tuple(r)[1:]) for r in trace]


class SequenceDelay:
    """A delay model that replays a fixed list of delays (then repeats the last)."""

    def __init__(self, *values: float) -> None:
        self.values = values

    def sampler(self, rng: np.random.Generator) -> Callable[[], float]:
        it = iter(self.values)
        last = [self.values[-1]]

        def draw() -> float:
            with contextlib.suppress(StopIteration):
                last[0] = next(it)
            return last[0]

        return draw


class Counter:
    """A minimal plant: one float per agent that actions add to."""

    physics_step = None

    def __init__(self, agent_ids: Iterable[str] = ()) -> None:
        self.ids = list(agent_ids)
        self.value: dict[str, float] = {}
        self.applied: list[tuple[str, Any]] = []

    def reset(self, rng: np.random.Generator) -> None:
        self.value = dict.fromkeys(self.ids, 0.0)
        self.applied = []

    def advance(self, dt: float) -> None:
        pass

    def apply(self, agent_id: str, action: Any) -> None:
        self.value[agent_id] = self.value.get(agent_id, 0.0) + float(action)
        self.applied.append((agent_id, action))


@pytest.fixture
def recorder() -> Callable[..., Recorder]:
    return lambda mode="full", maxlen=None: Recorder(mode, maxlen)


@pytest.fixture
def rng() -> Callable[[int], np.random.Generator]:
    return lambda seed=0: np.random.default_rng(seed)


@pytest.fixture
def env() -> Callable[..., Simulation]:
    """A fresh seeded simulation (plant-less unless given one)."""

    def make(plant: Any = None, **kwargs: Any) -> Simulation:
        kwargs.setdefault("seed", 0)
        return Simulation(plant, **kwargs)

    return make


def acting(agent_id: str, value: float = 1.0, **kwargs: Any) -> Agent:
    """An agent that senses nothing and always acts ``value``."""
    return Agent(agent_id, controller=lambda a, o, m, c: value, **kwargs)


def det(
    tick: float = 1.0, obs: Any = 0.0, act: Any = 0.0, msg: Any = 0.0, **kw: Any
) -> TickConfig:
    """Deterministic TickConfig shorthand."""
    return TickConfig(
        tick_interval=tick, obs_delay=obs, act_delay=act, msg_delay=msg, **kw
    )
