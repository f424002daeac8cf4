"""Named priorities that fix the order of events sharing one timestamp.

SimPy pops events by ``(time, priority, insertion order)``. Every event the
engine schedules carries ``phase * RANK_SPAN + rank``: the phase says what kind
of work it is, the rank which agent (parents before children, then
registration order). So at one instant the order is always:

1. ``EVALUATE`` -- the plant is advanced to ``t`` and rewards are read;
2. ``APPLY``    -- action effects land (per agent in decision order);
3. ``TICK``     -- agents tick and their sensors sample the state as of ``t``;
4. ``OBSERVE``  -- observations arrive and controllers decide;
5. ``DELIVER``  -- messages reach inboxes (read at the recipient's next decision);
6. ``OTHER``    -- anything else the engine or the HERON-style scheduler queues.

SimPy's own ``URGENT`` (0) and ``NORMAL`` (1) priorities are below all of
these, so plain ``env.timeout`` events of user processes (load profiles,
weather, faults) run first at a shared instant: the world changes, then it is
measured.
"""

from __future__ import annotations

__all__ = [
    "APPLY",
    "DELIVER",
    "EVALUATE",
    "OBSERVE",
    "OTHER",
    "PHASES",
    "RANK_SPAN",
    "TICK",
    "priority",
]

RANK_SPAN = 1_000_000
EVALUATE = 1
APPLY = 2
TICK = 3
OBSERVE = 4
DELIVER = 5
OTHER = 6

PHASES: dict[str, int] = {
    "evaluate": EVALUATE,
    "apply": APPLY,
    "tick": TICK,
    "observe": OBSERVE,
    "deliver": DELIVER,
    "other": OTHER,
}


def priority(phase: int, rank: int = 0) -> int:
    """Return the SimPy priority of ``phase`` work for the agent of ``rank``.

    Args:
        phase: One of the phase constants of this module.
        rank: The agent's position in the same-time order, 0 <= rank < RANK_SPAN.

    Returns:
        An int that sorts by phase first, then rank.
    """
    return phase * RANK_SPAN + rank
