"""Tests of heron_simpy.timing.rng: seeds, keyed streams and batched sampling."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron_simpy.exceptions import ConfigError
from heron_simpy.timing.rng import (
    BATCH,
    batched,
    check_seed,
    constant,
    derive,
    generator,
    key_int,
)

keys = st.lists(
    st.one_of(st.text(max_size=8), st.integers(min_value=0, max_value=2**63)),
    max_size=4,
)


# -- check_seed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (None, None),
        (0, 0),
        (12345, 12345),
        (np.int64(7), 7),
        (np.uint8(3), 3),
        (2**80, 2**80),
        (10**400, 10**400),
    ],
    ids=["none", "zero", "int", "numpy-int", "numpy-uint8", "big-int", "huge-int"],
)
def test_check_seed_accepts(seed, expected):
    result = check_seed(seed, "Thing")
    assert result == expected
    assert result is None or type(result) is int


def test_check_seed_negative_is_config_error():
    msg = "Thing seed must be an int >= 0 or None, got -1"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        check_seed(-1, "Thing")


def test_check_seed_shows_a_huge_negative_seed_by_its_size():
    # repr() of an int over 4300 digits raises ValueError: the message must not.
    msg = "Thing seed must be an int >= 0 or None, got a negative int of about 5001 digits"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        check_seed(-(10**5000), "Thing")


@pytest.mark.parametrize(
    ("seed", "msg"),
    [
        (True, "Thing seed must be an int >= 0 or None, got True"),
        (1.5, "Thing seed must be an int >= 0 or None, got 1.5"),
        ("3", "Thing seed must be an int >= 0 or None, got '3'"),
        (np.bool_(True), "Thing seed must be an int >= 0 or None, got np.True_"),
        (2.0, "Thing seed must be an int >= 0 or None, got 2.0"),
        (
            np.float64(3.0),
            "Thing seed must be an int >= 0 or None, got np.float64(3.0)",
        ),
    ],
    ids=["bool", "float", "str", "numpy-bool", "integral-float", "numpy-float"],
)
def test_check_seed_wrong_type_is_type_error(seed, msg):
    with pytest.raises(TypeError, match=re.escape(msg)):
        check_seed(seed, "Thing")


# -- key_int -------------------------------------------------------------------


def test_key_int_passes_ints_through():
    assert key_int(0) == 0
    assert key_int(42) == 42
    assert key_int(np.int32(5)) == 5


def test_key_int_hashes_strings_with_blake2b():
    digest = hashlib.blake2b(b"pump_2", digest_size=8).digest()
    assert key_int("pump_2") == int.from_bytes(digest, "little")


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ("agent", 4578077696431281764),
        ("pump_2", 18126737944148494962),
        ("", 13020603013274838756),
    ],
    ids=["agent", "pump_2", "empty"],
)
def test_key_int_is_stable_across_processes(part, expected):
    # Pinned constants: Python's salted hash() would change every process.
    assert key_int(part) == expected


def test_key_int_negative_is_config_error():
    msg = "rng key part must be a str or an int >= 0, got -3"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        key_int(-3)


@pytest.mark.parametrize(
    ("part", "msg"),
    [
        (True, "rng key part must be a str or an int >= 0, got True"),
        (1.5, "rng key part must be a str or an int >= 0, got 1.5"),
        (None, "rng key part must be a str or an int >= 0, got None"),
    ],
    ids=["bool", "float", "none"],
)
def test_key_int_wrong_type_is_type_error(part, msg):
    with pytest.raises(TypeError, match=re.escape(msg)):
        key_int(part)


# -- derive / generator ----------------------------------------------------------


def test_derive_builds_keyed_seed_sequence():
    seq = derive(11, "agent", 3)
    assert seq.entropy == 11
    assert seq.spawn_key == (key_int("agent"), 3)


def test_derive_int_key_equals_spawned_child():
    # A keyed stream is exactly what SeedSequence.spawn would hand out.
    child = np.random.SeedSequence(5).spawn(3)[2]
    assert (derive(5, 2).generate_state(4) == child.generate_state(4)).all()


def test_derive_validates_seed():
    with pytest.raises(ConfigError, match=re.escape("derive seed must be an int")):
        derive(-1, "x")


def test_generator_is_pcg64():
    assert isinstance(generator(0, "a").bit_generator, np.random.PCG64)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64), key=keys)
def test_same_seed_and_key_give_same_stream(seed, key):
    a = generator(seed, *key).random(8)
    b = generator(seed, *key).random(8)
    assert (a == b).all()


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32), key=keys, extra=st.text(max_size=4)
)
def test_different_keys_give_different_streams(seed, key, extra):
    a = generator(seed, *key).random(4)
    b = generator(seed, *key, "channel", extra).random(4)
    assert not (a == b).all()


def test_different_seeds_give_different_streams():
    assert generator(1, "a").random() != generator(2, "a").random()


def test_keyed_streams_do_not_depend_on_other_streams():
    # Streams are keyed, not positional: creating other agents first changes nothing.
    alone = generator(9, "agent", "b").random(5)
    for other in ("a", "c", "z"):
        generator(9, "agent", other).random(100)
    again = generator(9, "agent", "b").random(5)
    assert (alone == again).all()


def test_key_order_matters():
    assert generator(3, "a", "b").random() != generator(3, "b", "a").random()


def test_none_seed_is_fresh_entropy():
    assert generator(None, "a").random() != generator(None, "a").random()


# -- batched / constant --------------------------------------------------------------


def test_batched_concatenates_batches_and_skips_empty_ones():
    batches = iter([[1.0, 2.0], [], [3.0], [], [], [4.0, 5.0]])
    draw = batched(lambda: next(batches))
    assert [draw() for _ in range(5)] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_batched_draws_lazily():
    rng = np.random.default_rng(4)
    state = rng.bit_generator.state
    draw = batched(lambda: rng.random(BATCH).tolist())
    assert rng.bit_generator.state == state  # nothing drawn yet
    first = draw()
    assert first == np.random.default_rng(4).random()


def test_batched_equals_scalar_draws_across_refills():
    rng = np.random.default_rng(8)
    draw = batched(lambda: rng.random(BATCH).tolist())
    reference = np.random.default_rng(8)
    for _ in range(3 * BATCH + 7):
        assert draw() == reference.random()


def test_constant_returns_value_forever():
    draw = constant(0.25)
    assert [draw() for _ in range(3)] == [0.25, 0.25, 0.25]
    assert constant(False)() is False
