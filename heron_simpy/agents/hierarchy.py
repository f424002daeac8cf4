"""Policy-driven agents at three levels, and the tree they form."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import numpy as np
from gymnasium import spaces

from heron_simpy.agents.actions import BoxCheck, problem_of
from heron_simpy.agents.base import Agent, Context
from heron_simpy.broker import Message
from heron_simpy.exceptions import ActionError, ConfigError
from heron_simpy.features import FeatureProvider, LayoutIndex, Slot, read_layout

__all__ = [
    "CoordinatorAgent",
    "FieldAgent",
    "Policy",
    "PolicyAgent",
    "ProtocolRole",
    "SystemAgent",
    "bind_tree",
    "rank",
]

Policy = Callable[[str, Any], Any]
Actuator = Callable[[Any, str, Any], None]


class ProtocolRole(Protocol):
    """One agent's part in a message pattern (see :mod:`heron_simpy.protocols`).

    ``fields``/``low``/``high`` describe the local state the role adds to the
    agent's observation (possibly none); ``receive`` absorbs delivered messages;
    ``emit`` sends messages after the agent chose ``action``.
    """

    fields: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray

    def receive(self, agent: PolicyAgent, messages: Sequence[Message]) -> None:
        """Update local state from delivered messages."""

    def state(self, agent: PolicyAgent) -> np.ndarray:
        """Return the local state (``len(fields)`` values)."""

    def emit(self, agent: PolicyAgent, action: Any, ctx: Context) -> None:
        """Send this role's messages for ``action``."""


class PolicyAgent(Agent):
    """An agent whose actions come from a policy ``policy(agent_id, obs)``.

    The observation is the vector of every feature the agent may see (its own
    first, then others' in tree order), sampled at the tick, followed by the
    local state of its protocol roles (setpoints received, reports, shared
    values), taken when it decides. The same object runs in event time and in
    the lockstep facade.

    Args:
        agent_id: Unique id.
        level: ``"field"``, ``"coordinator"`` or ``"system"``.
        parent: Direct parent id, or None.
        tick_interval: Nominal seconds between ticks (default by level).
        phase: First tick offset, s.
        features: What the agent publishes (read from the plant when sensed).
        action_space: A gymnasium space (Box, Discrete, MultiDiscrete or a
            Dict of those); None for an agent that never acts.
        controller: The built-in policy ``controller(agent_id, obs) -> action``
            used when no other policy is set.
        protocols: Its roles in message patterns.
        actuate: ``actuate(plant, agent_id, action)`` applying an action; None
            means ``plant.apply`` for field agents and nothing otherwise.
    """

    def __init__(
        self,
        agent_id: str,
        *,
        level: str,
        parent: str | None = None,
        tick_interval: float | None = None,
        phase: float = 0.0,
        features: Iterable[FeatureProvider] = (),
        action_space: spaces.Space[Any] | None = None,
        controller: Policy | None = None,
        protocols: Iterable[ProtocolRole] = (),
        actuate: Actuator | None = None,
    ) -> None:
        super().__init__(
            agent_id,
            level=level,
            parent=parent,
            tick_interval=tick_interval,
            phase=phase,
        )
        self.features = tuple(features)
        names = [f.name for f in self.features]
        if len(set(names)) != len(names):
            raise ConfigError(
                f"agent {agent_id!r} feature names must be unique, got {names!r}"
            )
        if action_space is not None and not isinstance(action_space, spaces.Space):
            raise TypeError(
                f"agent {agent_id!r} action_space must be a gymnasium space, "
                f"got {action_space!r}"
            )
        self.action_space = action_space
        self._check = _checker(action_space)
        self.controller = controller
        self.policy: Policy | None = None
        self.protocols = tuple(protocols)
        self._actuate = actuate
        self.slots: tuple[Slot, ...] = ()
        self._bound: tuple[Any, ...] | None = None  # what bind() last built from
        self.observation_space: spaces.Box = spaces.Box(0.0, 0.0, (0,), np.float64)
        self.children: tuple[str, ...] = ()
        #: The sensed part of the latest observation prepared (for protocols).
        self.last_sensed: Any = None

    @property
    def controllable(self) -> bool:  # type: ignore[override]
        """Whether the agent has actions a learner can choose."""
        return self.action_space is not None

    # ------------------------------------------------------------ wiring
    def bind(self, slots: tuple[Slot, ...], children: tuple[str, ...]) -> None:
        """Fix the observation layout and the children (done by :func:`bind_tree`).

        Binding again to the same layout, children and role bounds keeps the
        observation space object (a scenario's agents are bound when it is
        built and again when its simulation starts).
        """
        # Plain version: always build a new Box (gymnasium's checks cost about
        # 50 us per agent; benchmarks/setup_scaling.py).
        bounds = [b for r in self.protocols for b in (r.low, r.high)]
        last = self._bound
        if (
            last is not None
            and last[0] == slots
            and last[1] == children
            and all(a is b for a, b in zip(last[2], bounds, strict=True))
        ):
            return
        self._bound = (slots, children, bounds)
        self.slots = slots
        self.children = children
        low = [s.feature.low for s in slots] + [
            np.asarray(r.low, float) for r in self.protocols
        ]
        high = [s.feature.high for s in slots] + [
            np.asarray(r.high, float) for r in self.protocols
        ]
        lo = np.concatenate(low) if low else np.zeros(0)
        hi = np.concatenate(high) if high else np.zeros(0)
        self.observation_space = spaces.Box(lo, hi, dtype=np.float64)

    @property
    def observation_names(self) -> tuple[str, ...]:
        """Names of the observation's values, in order."""
        names = [n for s in self.slots for n in s.names]
        names += [f"{self.agent_id}.{f}" for r in self.protocols for f in r.fields]
        return tuple(names)

    # ------------------------------------------------------------ cascade
    def sense(self, plant: Any) -> np.ndarray:
        """Read every visible feature now (a new, read-only array)."""
        obs = read_layout(self.slots, plant)
        obs.flags.writeable = False
        return obs

    def action_problem(self, action: Any) -> str | None:
        """Describe what is wrong with ``action`` for this agent, or None."""
        if self.action_space is None:
            return "is not accepted: the agent has no action space"
        return self._check(action)

    def prepare(self, observation: Any, messages: tuple[Message, ...]) -> np.ndarray:
        """Absorb messages; return the sensed features plus the roles' local state."""
        self.last_sensed = observation
        for role in self.protocols:
            role.receive(self, messages)
        if not self.protocols:
            return np.asarray(observation)
        parts = [np.asarray(observation)] + [r.state(self) for r in self.protocols]
        out = np.concatenate(parts)
        out.flags.writeable = False
        return out

    def respond(self, policy_obs: Any, ctx: Context, action: Any = None) -> Any:
        """Choose an action unless given; emit messages; return the plant action.

        Roles emit with ``action=None`` for an agent without any policy; the
        ones that need an action (setpoints, prices) then send nothing.
        """
        if action is None:  # not given: ask the policy (facades reject a None action)
            policy = self.policy or self.controller
            if policy is None:  # a passive agent: its roles still report and share
                for role in self.protocols:
                    role.emit(self, None, ctx)
                return None
            action = policy(self.agent_id, policy_obs)
        if self.action_space is not None:
            problem = self.action_problem(action)
            if problem is not None:
                raise ActionError(
                    f"agent {self.agent_id!r} at t={ctx.now:.3f}: action {problem}, "
                    f"got {action!r}"
                )
        for role in self.protocols:
            role.emit(self, action, ctx)
        return action if self.acts_on_plant else None

    def decide(
        self, observation: Any, messages: tuple[Message, ...], ctx: Context
    ) -> Any:
        """Prepare, then respond with the policy's action."""
        return self.respond(self.prepare(observation, messages), ctx)

    @property
    def acts_on_plant(self) -> bool:
        """Whether chosen actions are applied to the plant."""
        return self._actuate is not None or self.level == "field"

    def act(self, plant: Any, action: Any) -> None:
        """Apply an action through ``actuate`` or ``plant.apply``."""
        if self._actuate is not None:
            self._actuate(plant, self.agent_id, action)
        elif plant is not None:
            plant.apply(self.agent_id, action)


class FieldAgent(PolicyAgent):
    """A device: ticks every 1 s by default and acts on the plant."""

    def __init__(self, agent_id: str, **kwargs: Any) -> None:
        super().__init__(agent_id, level="field", **kwargs)


class CoordinatorAgent(PolicyAgent):
    """A coordinator: ticks every 60 s by default; acts through its children."""

    def __init__(self, agent_id: str, **kwargs: Any) -> None:
        super().__init__(agent_id, level="coordinator", **kwargs)


class SystemAgent(PolicyAgent):
    """The system operator: ticks every 300 s by default; the root of the tree."""

    def __init__(self, agent_id: str, **kwargs: Any) -> None:
        super().__init__(agent_id, level="system", **kwargs)


def _checker(space: spaces.Space[Any] | None) -> Callable[[Any], str | None]:
    """The action check of ``space`` (a precomputed BoxCheck for boxes)."""
    if isinstance(space, spaces.Box):
        return BoxCheck(space)
    return lambda action: None if space is None else problem_of(space, action)


def rank(agents: Sequence[Agent]) -> list[Agent]:
    """Order agents parents first (by depth), then by position in ``agents``.

    Raises:
        ConfigError: A parent is missing or the parents form a cycle.
    """
    by_id = {a.agent_id: a for a in agents}
    depth: dict[str, int] = {}
    for agent in agents:
        chain: list[str] = []
        on_chain: set[str] = set()  # plain version: `current in chain`, O(depth)
        current: str | None = agent.agent_id
        while current is not None and current not in depth:
            if current in on_chain:
                raise ConfigError(f"agent hierarchy has a cycle through {current!r}")
            if current not in by_id:
                raise ConfigError(
                    f"agent {chain[-1]!r} parent must be a registered agent, "
                    f"got {current!r}"
                )
            chain.append(current)
            on_chain.add(current)
            current = by_id[current].parent
        base = -1 if current is None else depth[current]
        for i, node in enumerate(reversed(chain)):
            depth[node] = base + 1 + i
    order = {a.agent_id: i for i, a in enumerate(agents)}
    return sorted(agents, key=lambda a: (depth[a.agent_id], order[a.agent_id]))


def bind_tree(agents: Sequence[Agent]) -> list[Agent]:
    """Rank the agents and give each policy agent its observation layout.

    Returns:
        The agents in same-time order (parents first).
    """
    ranked = rank(agents)
    ids = [a.agent_id for a in ranked]
    parents = {a.agent_id: a.parent for a in ranked}
    levels = {a.agent_id: a.level for a in ranked}
    features = {a.agent_id: getattr(a, "features", ()) for a in ranked}
    # Plain version: children = [a for a in ids if parents[a] == agent_id] and
    # layout(agent_id, ids, ...) per agent, O(N) each: O(N^2) for the tree.
    index = LayoutIndex(ids, features, parents, levels)
    children: dict[str | None, list[str]] = {}
    for agent_id in ids:
        children.setdefault(parents[agent_id], []).append(agent_id)
    for agent in ranked:
        if isinstance(agent, PolicyAgent):
            agent.bind(
                index.layout(agent.agent_id),
                tuple(children.get(agent.agent_id, ())),
            )
    return ranked
