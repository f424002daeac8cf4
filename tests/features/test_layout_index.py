"""LayoutIndex gives exactly the layouts of the plain per-viewer scan.

The reference below is the original :func:`layout` (every owner in ``order``,
every feature, one :func:`can_see` each): the index must return the same slots,
in the same order, for any tree, any visibilities and any ``order`` -- including
orders with repeated ids and viewers that are not in ``order``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from heron_simpy.agents import FieldAgent, PolicyAgent, bind_tree
from heron_simpy.features import (
    FeatureProvider,
    LayoutIndex,
    Slot,
    Visibility,
    can_see,
    layout,
)

LEVELS = ("field", "coordinator", "system")
FEATURES = {
    v: FeatureProvider(
        f"x_{v.value}", ("a", "b")[: 1 + (i % 2)], lambda p, a: (), visibility=v
    )
    for i, v in enumerate(Visibility)
}


def plain_layout(
    viewer: str,
    order: Sequence[str],
    features: Mapping[str, Sequence[FeatureProvider]],
    parents: Mapping[str, str | None],
    levels: Mapping[str, str],
) -> tuple[Slot, ...]:
    """The O(len(order)) scan the index replaces."""
    slots: list[Slot] = []
    start = 0
    for owner in [viewer] + [a for a in order if a != viewer]:
        for feature in features.get(owner, ()):
            if can_see(viewer, owner, feature.visibility, parents, levels):
                slots.append(Slot(owner, feature, start))
                start += feature.size
    return tuple(slots)


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[str], dict, dict, dict]:
    """Agent ids, parents (earlier agents or None), levels, features."""
    n = draw(st.integers(1, 12))
    ids = [f"a{i}" for i in range(n)]
    parents = {a: draw(st.sampled_from([None, *ids[:i]])) for i, a in enumerate(ids)}
    levels = {a: draw(st.sampled_from(LEVELS)) for a in ids}
    features = {
        a: [FEATURES[v] for v in draw(st.sets(st.sampled_from(list(Visibility))))]
        for a in ids
    }
    return ids, parents, levels, features


@settings(max_examples=300, deadline=None)
@given(tree=trees(), data=st.data())
def test_index_equals_plain_scan_for_any_order(tree, data) -> None:
    ids, parents, levels, features = tree
    order = data.draw(st.lists(st.sampled_from([*ids, "ghost"]), max_size=16))
    index = LayoutIndex(order, features, parents, levels)
    for viewer in [*ids, "ghost"]:
        expected = plain_layout(viewer, order, features, parents, levels)
        assert index.layout(viewer) == expected
        assert layout(viewer, order, features, parents, levels) == expected


@settings(max_examples=200, deadline=None)
@given(tree=trees())
def test_bind_tree_binds_the_plain_layouts(tree) -> None:
    ids, parents, levels, features = tree
    agents = [
        PolicyAgent(a, level=levels[a], parent=parents[a], features=features[a])
        for a in reversed(ids)
    ]
    ranked = bind_tree(agents)
    order = [a.agent_id for a in ranked]
    for agent in ranked:
        assert isinstance(agent, PolicyAgent)
        assert agent.slots == plain_layout(
            agent.agent_id, order, features, parents, levels
        )
        assert agent.children == tuple(a for a in order if parents[a] == agent.agent_id)


def test_a_fleet_member_sees_the_same_whatever_the_fleet_size() -> None:
    """battery_0 observes its own two features among 10 or 1000 siblings."""
    soc = FeatureProvider(
        "soc", ("soc",), lambda p, a: (0.5,), visibility=Visibility.UPPER_LEVEL
    )
    load = FeatureProvider("load", ("load",), lambda p, a: (0.0,))
    for n in (10, 1000):
        agents = [
            FieldAgent(f"b{i}", parent="c", features=(soc, load)) for i in range(n)
        ]
        coordinator = PolicyAgent("c", level="coordinator")
        bind_tree([*agents, coordinator])
        assert agents[0].observation_names == ("b0.soc.soc", "b0.load.load")
        assert coordinator.observation_names == tuple(f"b{i}.soc.soc" for i in range(n))
        assert coordinator.children == tuple(f"b{i}" for i in range(n))


def test_rebinding_the_same_tree_keeps_the_observation_space() -> None:
    """A scenario's agents are bound on build and again when a run starts."""
    soc = FeatureProvider(
        "soc", ("soc",), lambda p, a: (0.5,), visibility=Visibility.UPPER_LEVEL
    )
    coordinator = PolicyAgent("c", level="coordinator")
    agents = [FieldAgent("b0", parent="c", features=(soc,)), coordinator]
    bind_tree(agents)
    space = coordinator.observation_space
    bind_tree(agents)
    assert coordinator.observation_space is space
    bind_tree([*agents, FieldAgent("b1", parent="c", features=(soc,))])
    assert coordinator.observation_space is not space
    assert coordinator.observation_space.shape == (2,)
    assert coordinator.observation_names == ("b0.soc.soc", "b1.soc.soc")
