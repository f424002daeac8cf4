"""Derive independent, reproducible random streams from one seed, drawn in batches."""

from __future__ import annotations

import hashlib
import itertools
import numbers
from collections.abc import Callable
from typing import TypeAlias, TypeVar

import numpy as np

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.checks import shown

__all__ = [
    "BATCH",
    "SeedLike",
    "batched",
    "check_seed",
    "constant",
    "derive",
    "generator",
    "key_int",
]

SeedLike: TypeAlias = int | None
"""A master seed: an int >= 0, or None for fresh (non-reproducible) OS entropy."""

BATCH = 256
"""Number of values a sampler pre-draws from its generator per refill."""

_T = TypeVar("_T")


def check_seed(seed: object, owner: str) -> int | None:
    """Validate a seed and return it as a plain ``int`` (or None).

    The one seed check of the library: ``Simulation``, ``TickConfig``,
    ``EventScheduler`` and every facade's ``reset(seed=)`` call it, so a bad
    seed reads the same everywhere. Integers of any size are valid seeds
    (numpy's ``SeedSequence`` takes them all).

    Args:
        seed: None, or an integer >= 0 (numpy integers are accepted; bool,
            ``np.bool_``, floats, integral floats and strings are not).
        owner: Subject named in the error message, for example ``"TickConfig"``
            or ``"LockstepEnv.reset"``.

    Returns:
        The seed as a Python ``int``, or None.

    Raises:
        TypeError: If ``seed`` is not None and not an integer (bool included).
        ConfigError: If ``seed`` is a negative integer.

    Example:
        >>> import numpy as np
        >>> check_seed(np.uint8(3), "Simulation")
        3
    """
    if seed is None:
        return None
    rule = f"{owner} seed must be an int >= 0 or None"
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{rule}, got {shown(seed)}")
    if seed < 0:
        raise ConfigError(f"{rule}, got {shown(seed)}")
    return int(seed)


def key_int(part: str | int) -> int:
    """Map one key part to a stable, process-independent integer.

    Integers >= 0 pass through unchanged. Strings are hashed with BLAKE2b
    (8-byte digest, little-endian), never with Python's salted ``hash()``, so
    the same agent id gives the same stream in every process.

    Args:
        part: An agent id, channel name or other label (str), or an int >= 0.

    Returns:
        An integer >= 0 usable in a ``SeedSequence`` spawn key.

    Raises:
        TypeError: If ``part`` is neither a str nor an int (bool is rejected).
        ConfigError: If ``part`` is a negative int.
    """
    if isinstance(part, str):
        digest = hashlib.blake2b(part.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little")
    if isinstance(part, bool) or not isinstance(part, numbers.Integral):
        raise TypeError(f"rng key part must be a str or an int >= 0, got {shown(part)}")
    if part < 0:
        raise ConfigError(
            f"rng key part must be a str or an int >= 0, got {shown(part)}"
        )
    return int(part)


def derive(seed: SeedLike, *key: str | int) -> np.random.SeedSequence:
    """Derive the seed sequence of one named stream from a master seed.

    Streams are keyed, not positional: the stream for ``("agent", "pump_2",
    "obs")`` does not change when other agents are added or reordered. The key
    becomes the ``spawn_key`` of a ``SeedSequence``, which is what
    ``SeedSequence.spawn`` uses for its children, so keyed streams are
    statistically independent of each other and of the root.

    Args:
        seed: Master seed (int >= 0). None draws fresh OS entropy, so the
            stream is not reproducible.
        *key: Key parts naming the stream (str or int >= 0).

    Returns:
        The ``numpy.random.SeedSequence`` of that stream.

    Raises:
        TypeError: If the seed or a key part has the wrong type.
        ConfigError: If the seed or an int key part is negative.
    """
    entropy = check_seed(seed, "derive")
    return np.random.SeedSequence(
        entropy=entropy, spawn_key=tuple(key_int(part) for part in key)
    )


def generator(seed: SeedLike, *key: str | int) -> np.random.Generator:
    """Build the PCG64 generator of one named stream.

    Args:
        seed: Master seed (int >= 0), or None for fresh OS entropy.
        *key: Key parts naming the stream (str or int >= 0).

    Returns:
        A ``numpy.random.Generator`` seeded from ``derive(seed, *key)``.

    Raises:
        TypeError: If the seed or a key part has the wrong type.
        ConfigError: If the seed or an int key part is negative.

    Example:
        >>> a = generator(7, "agent", "pump_2", "obs").random()
        >>> b = generator(7, "agent", "pump_2", "obs").random()
        >>> c = generator(7, "agent", "pump_3", "obs").random()
        >>> a == b, a == c
        (True, False)
    """
    return np.random.default_rng(derive(seed, *key))


def batched(draw: Callable[[], list[_T]]) -> Callable[[], _T]:
    """Turn a batch-drawing function into a fast zero-argument sampler.

    The sampler returns the items of ``draw()``, then of the next ``draw()``,
    and so on; ``draw`` is first called on the first sample, not before. A
    batch may be empty (for example when every value of it was rejected). One
    call costs well under 0.1 us: the iteration runs in C, with no per-call
    numpy. numpy's ``Generator.random(n)`` and ``standard_normal(n)`` return
    the same values as ``n`` scalar calls, so a batched stream equals the
    scalar stream whatever the batch size.

    Args:
        draw: Returns the next batch, typically ``rng.random(BATCH).tolist()``
            after an element-wise transform.

    Returns:
        A callable returning the next value of the concatenated batches.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> draw = batched(lambda: rng.random(BATCH).tolist())
        >>> draw() == np.random.default_rng(0).random()
        True
    """
    # Plain version: keep a list and an index; call draw() when it runs out.
    return itertools.chain.from_iterable(iter(draw, None)).__next__


def constant(value: _T) -> Callable[[], _T]:
    """Return the cheapest sampler that always returns ``value`` and draws nothing.

    Args:
        value: The value to return on every call.

    Returns:
        A zero-argument callable returning ``value``.

    Example:
        >>> constant(0.5)()
        0.5
    """
    return itertools.repeat(value).__next__
