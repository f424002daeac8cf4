"""Visibility rules and observation layouts over a three-level tree.

Tree (every agent owns one feature of each visibility: owner, upper_level,
system, public)::

                  sys            (system)
                /     \\
             c1         c2       (coordinators)
            /  \\       /  \\
         f11   f12   f21   f22   (field agents)

``EXPECTED`` below is the whole visibility matrix, read from each viewer's
observation layout: one string per owner, one letter per visibility the viewer
sees of that owner (``O`` owner, ``U`` upper_level, ``S`` system, ``P``
public; ``.`` hidden).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from heron_simpy import (
    ConfigError,
    CoordinatorAgent,
    FeatureProvider,
    FieldAgent,
    Simulation,
    SystemAgent,
    Visibility,
)
from heron_simpy.agents import PolicyAgent, bind_tree
from heron_simpy.features import can_see, layout

AGENTS = ("sys", "c1", "c2", "f11", "f12", "f21", "f22")
PARENTS = {
    "sys": None,
    "c1": "sys",
    "c2": "sys",
    "f11": "c1",
    "f12": "c1",
    "f21": "c2",
    "f22": "c2",
}
LEVELS = {
    "sys": "system",
    "c1": "coordinator",
    "c2": "coordinator",
    "f11": "field",
    "f12": "field",
    "f21": "field",
    "f22": "field",
}
LETTERS = {
    Visibility.OWNER: "O",
    Visibility.UPPER_LEVEL: "U",
    Visibility.SYSTEM: "S",
    Visibility.PUBLIC: "P",
}

# fmt: off
#  viewer     owner: sys     c1      c2      f11     f12     f21     f22
EXPECTED = {
    "sys": ("OUSP", ".USP", ".USP", "..SP", "..SP", "..SP", "..SP"),
    "c1":  ("...P", "OUSP", "...P", ".U.P", ".U.P", "...P", "...P"),
    "c2":  ("...P", "...P", "OUSP", "...P", "...P", ".U.P", ".U.P"),
    "f11": ("...P", "...P", "...P", "OUSP", "...P", "...P", "...P"),
    "f12": ("...P", "...P", "...P", "...P", "OUSP", "...P", "...P"),
    "f21": ("...P", "...P", "...P", "...P", "...P", "OUSP", "...P"),
    "f22": ("...P", "...P", "...P", "...P", "...P", "...P", "OUSP"),
}
# fmt: on

# Value of feature (owner, visibility) in the plant: base of the owner + offset.
BASE = {a: 100.0 * (i + 1) for i, a in enumerate(AGENTS)}
OFFSET = {"owner": 1.0, "upper_level": 2.0, "system": 3.0, "public": 4.0}


class Board:
    """A tiny plant: one number per (agent, feature); the public feature has two."""

    physics_step = None

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], float] = {}

    def reset(self, rng: np.random.Generator) -> None:
        self.values = {(a, v): BASE[a] + OFFSET[v] for a in AGENTS for v in OFFSET}

    def advance(self, dt: float) -> None:
        pass

    def apply(self, agent_id: str, action: Any) -> None:
        pass


def reader(visibility: str):
    def read(plant: Board, owner: str) -> tuple[float, ...]:
        value = plant.values[(owner, visibility)]
        return (value, -value) if visibility == "public" else (value,)

    return read


def features() -> tuple[FeatureProvider, ...]:
    """One feature per visibility; bounds differ per feature (and per field)."""
    return (
        FeatureProvider(
            "owner",
            ("v",),
            reader("owner"),
            visibility=Visibility.OWNER,
            low=-1.0,
            high=1.0,
        ),
        FeatureProvider(
            "upper_level",
            ("v",),
            reader("upper_level"),
            visibility="upper_level",
            low=-2.0,
            high=2.0,
        ),
        FeatureProvider(
            "system",
            ("v",),
            reader("system"),
            visibility="system",
            low=-3.0,
            high=3.0,
        ),
        FeatureProvider(
            "public",
            ("v", "neg"),
            reader("public"),
            visibility="public",
            low=(0.0, -9.0),
            high=(4.0, 0.0),
        ),
    )


def make(agent_id: str, **kwargs: Any) -> PolicyAgent:
    cls = {"system": SystemAgent, "coordinator": CoordinatorAgent, "field": FieldAgent}
    return cls[LEVELS[agent_id]](
        agent_id, parent=PARENTS[agent_id], features=features(), **kwargs
    )


def tree(order: tuple[str, ...] = AGENTS) -> dict[str, PolicyAgent]:
    agents = [make(a) for a in order]
    bind_tree(agents)
    return {a.agent_id: a for a in agents}


def seen(agent: PolicyAgent) -> tuple[str, ...]:
    """The viewer's row of the matrix, read from its bound layout."""
    visible = {(s.owner, s.feature.visibility) for s in agent.slots}
    return tuple(
        "".join(LETTERS[v] if (owner, v) in visible else "." for v in Visibility)
        for owner in AGENTS
    )


# ---------------------------------------------------------------- the matrix
def test_visibility_matrix_from_layouts() -> None:
    agents = tree()
    assert {viewer: seen(agents[viewer]) for viewer in AGENTS} == EXPECTED


@pytest.mark.parametrize("viewer", AGENTS)
@pytest.mark.parametrize("owner", AGENTS)
@pytest.mark.parametrize("visibility", list(Visibility), ids=lambda v: v.value)
def test_can_see_agrees_with_matrix(
    viewer: str, owner: str, visibility: Visibility
) -> None:
    expected = EXPECTED[viewer][AGENTS.index(owner)][list(Visibility).index(visibility)]
    assert can_see(viewer, owner, visibility, PARENTS, LEVELS) is (expected != ".")


def test_observation_names_follow_the_matrix() -> None:
    agents = tree()
    for viewer, row in EXPECTED.items():
        expected = []
        for owner in (viewer, *(a for a in AGENTS if a != viewer)):
            letters = row[AGENTS.index(owner)]
            for vis, letter in zip(Visibility, letters, strict=True):
                if letter == ".":
                    continue
                fields = ("v", "neg") if vis is Visibility.PUBLIC else ("v",)
                expected += [f"{owner}.{vis.value}.{f}" for f in fields]
        assert agents[viewer].observation_names == tuple(expected), viewer


def test_coordinator_never_sees_other_coordinators_children_private_features() -> None:
    agents = tree()
    private = (Visibility.OWNER, Visibility.UPPER_LEVEL, Visibility.SYSTEM)
    for viewer, others in (("c1", ("f21", "f22")), ("c2", ("f11", "f12"))):
        visible = {(s.owner, s.feature.visibility) for s in agents[viewer].slots}
        for owner in others:
            assert not any((owner, v) in visible for v in private)
            assert (owner, Visibility.PUBLIC) in visible
    assert not any(
        name.startswith(("c2.owner", "c2.upper_level", "c2.system"))
        for name in agents["c1"].observation_names
    )


def test_upper_level_is_the_direct_parent_only() -> None:
    agents = tree()
    assert "f11.upper_level.v" in agents["c1"].observation_names
    assert "f11.upper_level.v" not in agents["sys"].observation_names
    assert "f11.upper_level.v" not in agents["c2"].observation_names
    assert "f11.upper_level.v" not in agents["f12"].observation_names
    # sys is c1's direct parent, so it does see c1's upper_level feature.
    assert "c1.upper_level.v" in agents["sys"].observation_names
    # ... and every system feature, at any depth, but no one's owner feature.
    assert "f22.system.v" in agents["sys"].observation_names
    assert "f22.owner.v" not in agents["sys"].observation_names


# ---------------------------------------------------------------- order, values, bounds
def test_own_features_come_first_then_tree_order() -> None:
    # Registered leaves-first on purpose: the layout follows the tree, not this.
    agents = tree(("f22", "f11", "c2", "sys", "f21", "c1", "f12"))
    slots = agents["c1"].slots
    assert [(s.owner, s.feature.name) for s in slots] == [
        ("c1", "owner"),
        ("c1", "upper_level"),
        ("c1", "system"),
        ("c1", "public"),
        ("sys", "public"),
        ("c2", "public"),
        ("f22", "public"),
        ("f11", "upper_level"),
        ("f11", "public"),
        ("f21", "public"),
        ("f12", "upper_level"),
        ("f12", "public"),
    ]
    assert [s.start for s in slots] == [0, 1, 2, 3, 5, 7, 9, 11, 12, 14, 16, 17]
    for viewer, agent in agents.items():
        assert all(s.owner == viewer for s in agent.slots[:4])
        assert all(s.owner != viewer for s in agent.slots[4:])


def test_observation_values_are_what_the_features_read() -> None:
    agents = tree()
    plant = Board()
    plant.reset(np.random.default_rng(0))
    f11 = agents["f11"].sense(plant)
    assert f11.tolist() == [
        *(401.0, 402.0, 403.0, 404.0, -404.0),  # own: owner, upper, system, public
        *(104.0, -104.0),  # sys public
        *(204.0, -204.0),  # c1 public
        *(304.0, -304.0),  # c2 public
        *(504.0, -504.0),  # f12 public
        *(604.0, -604.0),  # f21 public
        *(704.0, -704.0),  # f22 public
    ]
    assert not f11.flags.writeable
    assert agents["sys"].sense(plant).tolist() == [
        *(101.0, 102.0, 103.0, 104.0, -104.0),
        *(202.0, 203.0, 204.0, -204.0),  # c1: upper_level (sys is its parent)
        *(302.0, 303.0, 304.0, -304.0),
        *(403.0, 404.0, -404.0),  # f11: system + public only
        *(503.0, 504.0, -504.0),
        *(603.0, 604.0, -604.0),
        *(703.0, 704.0, -704.0),
    ]
    for agent in agents.values():
        obs = agent.sense(plant)
        expected = [
            plant.values[(name.split(".")[0], name.split(".")[1])]
            * (-1.0 if name.endswith(".neg") else 1.0)
            for name in agent.observation_names
        ]
        assert obs.tolist() == expected


def test_observation_values_through_a_simulation() -> None:
    """The same vectors reach the policy in an event-driven run (read at the tick)."""
    got: dict[str, list[list[float]]] = {a: [] for a in AGENTS}

    def policy(agent_id: str, obs: np.ndarray) -> None:
        got[agent_id].append(obs.tolist())

    plant = Board()
    sim = Simulation(plant, seed=0)
    for agent_id in AGENTS:
        sim.add_agent(make(agent_id, tick_interval=1.0, controller=policy))
    sim.run_until(1.0)
    reference = Board()
    reference.reset(np.random.default_rng(0))
    for agent_id, agent in tree().items():
        assert got[agent_id] == [agent.sense(reference).tolist()]


def test_observation_space_bounds_come_from_the_features() -> None:
    agents = tree()
    f11 = agents["f11"].observation_space
    per_public = ([0.0, -9.0], [4.0, 0.0])
    assert f11.low.tolist() == [-1.0, -2.0, -3.0, *per_public[0]] + per_public[0] * 6
    assert f11.high.tolist() == [1.0, 2.0, 3.0, *per_public[1]] + per_public[1] * 6
    assert f11.dtype == np.float64
    for agent in agents.values():
        space = agent.observation_space
        assert space.shape == (len(agent.observation_names),)
        lows = np.concatenate([s.feature.low for s in agent.slots])
        highs = np.concatenate([s.feature.high for s in agent.slots])
        assert space.low.tolist() == lows.tolist()
        assert space.high.tolist() == highs.tolist()


def test_default_bounds_are_unbounded() -> None:
    feature = FeatureProvider("x", ("a", "b"), lambda p, a: (0.0, 0.0))
    assert feature.low.tolist() == [-math.inf, -math.inf]
    assert feature.high.tolist() == [math.inf, math.inf]
    assert feature.visibility is Visibility.OWNER


def test_layout_of_an_agent_without_features_lists_only_others() -> None:
    feats = {a: features() for a in AGENTS if a != "f11"}
    slots = layout("f11", AGENTS, feats, PARENTS, LEVELS)
    assert [s.owner for s in slots] == ["sys", "c1", "c2", "f12", "f21", "f22"]
    assert {s.feature.name for s in slots} == {"public"}


# ---------------------------------------------------------------- validation
def read_one(plant: Any, owner: str) -> tuple[float]:
    return (1.0,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"name": "", "fields": ("a",)},
            "FeatureProvider name must be a non-empty str, got ''",
        ),
        (
            {"name": 3, "fields": ("a",)},
            "FeatureProvider name must be a non-empty str, got 3",
        ),
        (
            {"name": "x", "fields": ()},
            "FeatureProvider 'x' fields must be non-empty names, got ()",
        ),
        (
            {"name": "x", "fields": ("a", "")},
            "FeatureProvider 'x' fields must be non-empty names, got ('a', '')",
        ),
        (
            {"name": "x", "fields": ("a",), "visibility": "parent"},
            "FeatureProvider 'x' visibility must be one of owner, upper_level, system, public, got 'parent'",
        ),
        (
            {"name": "x", "fields": ("a",), "low": 1.0, "high": 0.0},
            "FeatureProvider 'x' bounds must satisfy low <= high, got low=1.0, high=0.0",
        ),
        (
            {"name": "x", "fields": ("a", "b"), "low": (0.0, 5.0), "high": 1.0},
            "FeatureProvider 'x' bounds must satisfy low <= high, got low=(0.0, 5.0), high=1.0",
        ),
        (
            {"name": "x", "fields": ("a",), "low": math.nan},
            "FeatureProvider 'x' bounds must satisfy low <= high, got low=nan, high=inf",
        ),
    ],
    ids=[
        "empty-name",
        "non-str-name",
        "no-fields",
        "empty-field",
        "unknown-visibility",
        "low-above-high",
        "low-above-high-per-field",
        "nan-bound",
    ],
)
def test_feature_provider_rejects(kwargs: dict[str, Any], message: str) -> None:
    kwargs.setdefault("read", read_one)
    with pytest.raises(ConfigError, match=re.escape(message)):
        FeatureProvider(**kwargs)


def test_feature_provider_rejects_bounds_of_the_wrong_length() -> None:
    msg = (
        "FeatureProvider 'x' bounds must be one number or one per field (2), "
        "got low=(0.0, 0.0, 0.0), high=inf"
    )
    with pytest.raises(ConfigError, match=re.escape(msg)):
        FeatureProvider("x", ("a", "b"), read_one, low=(0.0, 0.0, 0.0))


def test_wrong_number_of_values_read() -> None:
    feature = FeatureProvider("pair", ("a", "b"), read_one)
    with pytest.raises(
        ConfigError,
        match=re.escape("feature 'pair' of 'f11' must read 2 values, got 1"),
    ):
        feature.vector(None, "f11")


def test_wrong_number_of_values_read_at_run_time_names_agent_and_time() -> None:
    sim = Simulation(seed=0)
    sim.add_agent(
        FieldAgent("f11", features=[FeatureProvider("pair", ("a", "b"), read_one)])
    )
    msg = "agent 'f11' at t=0.000: feature 'pair' of 'f11' must read 2 values, got 1"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        sim.run_until(1.0)


def test_duplicate_feature_names_on_one_agent() -> None:
    one = FeatureProvider("x", ("a",), read_one)
    with pytest.raises(
        ConfigError,
        match=re.escape("agent 'f11' feature names must be unique, got ['x', 'x']"),
    ):
        FieldAgent("f11", features=[one, one])
