"""One validation per value, whichever path it takes (issue 10, item 7).

``ROWS`` is a table of ``pytest.param(call, expected_type, culprits, id=...)``
like ``tests/test_bad_inputs.py``: ``call()`` must raise exactly
``expected_type`` (not a subclass) and its message must contain every culprit.
Every row failed on the code before this work (a bare ``OverflowError`` or
``ValueError``, numpy's or gymnasium's own seed error, a bool action the batched
lockstep path accepted, an error that did not name the culprit).

* Seeds: the same inputs through every env's ``reset(seed=)`` (lockstep on its
  batched and on its process path, gymnasium central and single-agent, the
  event-driven env and its single-agent gymnasium form) and ``Simulation``;
  every one answers with ``check_seed``'s message naming the owner and value.
* Actions: the lockstep env's batched path (battery-v0 without coordinator,
  ``Scenario.batchable``) and the same scenario forced onto the process path
  (``batched=False``) accept exactly the same inputs and give identical results
  (``test_batched_and_process_paths_accept_the_same_actions``).
* Numbers: ``10**400`` (beyond the float range) in every numeric field is a
  ``ConfigError`` naming the field; bools are refused and numpy numbers accepted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from heron_simpy.scenarios.battery import Config as BatteryConfig

import heron_simpy
from heron_simpy import (
    ActionError,
    ConfigError,
    EventScheduler,
    EventType,
    Recorder,
    Simulation,
    TickConfig,
    evaluate,
    make,
)
from heron_simpy.facade import LockstepEnv
from heron_simpy.faults import (
    ActuatorSaturation,
    ClockDrift,
    Crash,
    FaultError,
    SensorDropout,
)
from heron_simpy.registry import spec
from heron_simpy.timing import (
    BernoulliLoss,
    EmpiricalDelay,
    FixedDelay,
    GaussianDelay,
    GilbertElliottLoss,
    LogNormalDelay,
    UniformDelay,
)

HUGE = 10**400  # beyond the float range (about 1.8e308)
HUGE_SHOWN = "an int of 401 digits"
NAN = float("nan")


# ------------------------------------------------------------------ the envs

#: Env kind -> (factory, owner named in seed errors). Battery-v0 everywhere.
ENV_KINDS: dict[str, tuple[Callable[[], Any], str]] = {
    "lockstep-batched": (
        lambda: heron_simpy.make("battery-v0", n_agents=2, coordinator=False),
        "LockstepEnv.reset",
    ),
    "lockstep-process": (
        lambda: heron_simpy.make("battery-v0", n_agents=2),
        "LockstepEnv.reset",
    ),
    "gymnasium-central": (
        lambda: heron_simpy.make("battery-v0", api="gymnasium", n_agents=2),
        "SingleAgentEnv.reset",
    ),
    "gymnasium-single": (
        lambda: heron_simpy.make(
            "battery-v0", api="gymnasium", n_agents=1, coordinator=False
        ),
        "SingleAgentEnv.reset",
    ),
    "event": (
        lambda: heron_simpy.make("battery-v0", api="event", profile="lan", n_agents=2),
        "EventEnv.reset",
    ),
    "event-single": (
        lambda: heron_simpy.make(
            "battery-v0",
            api="gymnasium",
            mode="event",
            profile="lan",
            n_agents=1,
            coordinator=False,
        ),
        "EventSingleAgentEnv.reset",
    ),
}

#: Seed -> (expected type, how the value reads in the message).
BAD_SEEDS: list[tuple[str, Any, type[Exception], str]] = [
    ("negative", -1, ConfigError, "got -1"),
    ("float", 1.5, TypeError, "got 1.5"),
    ("integral-float", 2.0, TypeError, "got 2.0"),
    ("str", "0", TypeError, "got '0'"),
    ("np-float64", np.float64(3.0), TypeError, "got np.float64(3.0)"),
    ("np-float32", np.float32(1.0), TypeError, "got np.float32(1.0)"),
    ("bool", True, TypeError, "got True"),
    ("np-bool", np.bool_(True), TypeError, "got np.True_"),
    ("np-negative", np.int64(-2), ConfigError, "got np.int64(-2)"),
    ("list", [1], TypeError, "got [1]"),
    ("huge-negative", -(10**5000), ConfigError, "a negative int of about 5001 digits"),
]


def _reset_with(kind: str, seed: Any) -> Any:
    factory, _ = ENV_KINDS[kind]
    return factory().reset(seed=seed)


def _seed_rows() -> list[Any]:
    rows = []
    for kind, (_, owner) in ENV_KINDS.items():
        for name, seed, expected, shown in BAD_SEEDS:
            rows.append(
                pytest.param(
                    lambda kind=kind, seed=seed: _reset_with(kind, seed),
                    expected,
                    [f"{owner} seed must be an int >= 0 or None", shown],
                    id=f"seed-{kind}-{name}",
                )
            )
    # Simulation already used check_seed; only a seed too long to repr broke it.
    huge = -(10**5000)
    shown = "got a negative int of about 5001 digits"
    rows += [
        pytest.param(
            lambda: Simulation(seed=huge),
            ConfigError,
            ["Simulation seed", shown],
            id="seed-simulation-huge-negative",
        ),
        pytest.param(
            lambda: Simulation().reset(seed=huge),
            ConfigError,
            ["Simulation.reset seed", shown],
            id="seed-simulation-reset-huge-negative",
        ),
        pytest.param(
            lambda: TickConfig(seed=huge),
            ConfigError,
            ["TickConfig seed", shown],
            id="seed-tickconfig-huge-negative",
        ),
    ]
    return rows


# ------------------------------------------------------------------ actions


def _lockstep(batched: bool) -> LockstepEnv:
    """battery-v0, three batteries, no coordinator: batchable, or forced not."""
    env = LockstepEnv(
        spec("battery-v0"), {"coordinator": False, "n_agents": 3}, batched=batched
    )
    assert env.batched is batched
    env.reset(seed=0)
    return env


def _valid(env: LockstepEnv) -> dict[str, Any]:
    return {a: np.zeros(1, dtype=np.float32) for a in env.agents}


def _lockstep_step(batched: bool, action: Any) -> None:
    env = _lockstep(batched)
    env.step(_valid(env) | {"battery_1": action})


def _event_step(actions: Any) -> None:
    env = heron_simpy.make("battery-v0", api="event", profile="lan", n_agents=2)
    env.reset(seed=0)  # battery_1's observation arrives first, at t=0.045
    env.step(actions)


def _event_single_step(action: Any) -> None:
    env = ENV_KINDS["event-single"][0]()
    env.reset(seed=0)  # battery_0 decides first at t=0.049
    env.step(action)


PATHS = {"batched": True, "process": False}


def _action_rows() -> list[Any]:
    """Actions refused on both lockstep paths, same type and same message."""
    masked = np.ma.masked_array([0.5], mask=[True])
    cases: list[tuple[str, Callable[[], Any], list[str], tuple[str, ...]]] = [
        # (id, action, culprits, paths where the code before this work failed)
        (
            "bool-array",
            lambda: np.array([True]),
            ["must hold real numbers", "array([ True])"],
            ("batched",),  # accepted there: stacked with floats it became 1.0
        ),
        (
            "bool-list",
            lambda: [True],
            ["must hold real numbers", "[True]"],
            ("batched",),
        ),
        (
            "masked",
            lambda: masked,
            ["must not hold masked values", "masked_array"],
            ("batched", "process"),  # accepted / bare TypeError
        ),
        (
            "ragged-list",
            lambda: [[0.5], [0.5, 1.0]],
            ["must be an array of real numbers", "[[0.5], [0.5, 1.0]]"],
            ("batched", "process"),  # bare ValueError from numpy
        ),
        (
            "array-in-list",
            lambda: [np.zeros(1), 1],
            ["must be an array of real numbers", "[array([0.]), 1]"],
            ("batched", "process"),
        ),
        (
            "str",
            lambda: "x",
            ["must be an array of real numbers", "got 'x'"],
            ("batched", "process"),  # "must have shape (1,), not shape ()"
        ),
    ]
    rows = []
    for name, action, culprits, paths in cases:
        for path in paths:
            rows.append(
                pytest.param(
                    lambda path=path, action=action: _lockstep_step(
                        PATHS[path], action()
                    ),
                    ActionError,
                    ["agent 'battery_1' at t=0.000: action", *culprits],
                    id=f"action-{path}-{name}",
                )
            )
    return rows


# ------------------------------------------------------------------ numbers


def _schedule(delay: Any) -> None:
    sched = EventScheduler()
    sched.register_agent("a")
    sched.schedule(EventType.CUSTOM, "a", delay)


TICK_FIELDS = (
    "tick_interval",
    "obs_delay",
    "act_delay",
    "msg_delay",
    "jitter_ratio",
    "min_delay",
    "phase",
)


def _tick_rows() -> list[Any]:
    rows = []
    for name in TICK_FIELDS:
        rows.append(
            pytest.param(
                lambda name=name: TickConfig(**{name: HUGE}),
                ConfigError,
                [f"TickConfig {name} must be a finite number", HUGE_SHOWN],
                id=f"tickconfig-{name}-huge",
            )
        )
        rows.append(
            pytest.param(
                lambda name=name: TickConfig(**{name: -HUGE}),
                ConfigError,
                [f"TickConfig {name}", "a negative int of 401 digits"],
                id=f"tickconfig-{name}-huge-negative",
            )
        )
    return rows


# fmt: off
ROWS = [
    *_seed_rows(),
    *_action_rows(),

    # EventEnv.step: not a dict, or a str where an array belongs
    pytest.param(lambda: _event_step(None), ActionError, ["actions at t=0.045", "must be a dict keyed by agent id", "got None"], id="event-step-none"),
    pytest.param(lambda: _event_step("abc"), ActionError, ["must be a dict keyed by agent id", "got 'abc'"], id="event-step-str"),
    pytest.param(lambda: _event_step(42), ActionError, ["must be a dict keyed by agent id", "got 42"], id="event-step-int"),
    pytest.param(lambda: _event_step(np.zeros(3)), ActionError, ["must be a dict keyed by agent id", "array([0., 0., 0.])"], id="event-step-array"),
    pytest.param(lambda: _event_step({"battery_1": "x"}), ActionError, ["agent 'battery_1' at t=0.045", "must be an array of real numbers", "got 'x'"], id="event-step-str-action"),
    pytest.param(lambda: _event_single_step("x"), ActionError, ["agent 'battery_0' at t=0.049", "must be an array of real numbers", "got 'x'"], id="event-single-step-str-action"),

    # 10**400 and friends: a ConfigError naming the field, never OverflowError
    *_tick_rows(),
    pytest.param(lambda: TickConfig(phase=10**5000), ConfigError, ["TickConfig phase", "an int of about 5001 digits"], id="tickconfig-phase-too-long-to-repr"),
    pytest.param(lambda: TickConfig.from_hz(HUGE), ConfigError, ["from_hz hz", HUGE_SHOWN], id="tickconfig-from-hz-huge"),
    pytest.param(lambda: TickConfig.from_hz(1e-320), ConfigError, ["from_hz hz", "finite tick interval", "1e-320"], id="tickconfig-from-hz-subnormal"),
    pytest.param(lambda: TickConfig.with_jitter(1.0, jitter_ratio=HUGE), ConfigError, ["TickConfig jitter_ratio", HUGE_SHOWN], id="tickconfig-with-jitter-ratio-huge"),
    pytest.param(lambda: FixedDelay(HUGE), ConfigError, ["FixedDelay value", HUGE_SHOWN], id="fixed-delay-huge"),
    pytest.param(lambda: UniformDelay(0.0, HUGE), ConfigError, ["UniformDelay high", HUGE_SHOWN], id="uniform-delay-high-huge"),
    pytest.param(lambda: GaussianDelay(1.0, HUGE), ConfigError, ["GaussianDelay std", HUGE_SHOWN], id="gaussian-delay-std-huge"),
    pytest.param(lambda: LogNormalDelay(HUGE, 0.1), ConfigError, ["LogNormalDelay median", HUGE_SHOWN], id="lognormal-delay-median-huge"),
    pytest.param(lambda: EmpiricalDelay([0.1, HUGE]), ConfigError, ["EmpiricalDelay samples[1]", HUGE_SHOWN], id="empirical-delay-sample-huge"),
    pytest.param(lambda: BernoulliLoss(HUGE), ConfigError, ["BernoulliLoss p", "probability", HUGE_SHOWN], id="bernoulli-loss-huge"),
    pytest.param(lambda: GilbertElliottLoss(0.1, 0.1, loss_bad=-HUGE), ConfigError, ["GilbertElliottLoss loss_bad", "a negative int of 401 digits"], id="gilbert-elliott-loss-bad-huge"),
    pytest.param(lambda: Simulation(start_time=HUGE), ConfigError, ["Simulation start_time", "finite", HUGE_SHOWN], id="sim-start-time-huge"),
    pytest.param(lambda: Simulation(start_time=True), TypeError, ["Simulation start_time", "got True"], id="sim-start-time-bool"),
    pytest.param(lambda: Simulation().reset(start_time=HUGE), ConfigError, ["Simulation.reset start_time", HUGE_SHOWN], id="sim-reset-start-time-huge"),
    pytest.param(lambda: Simulation().run_until(HUGE), ConfigError, ["run_until t_end", HUGE_SHOWN], id="sim-run-until-huge"),
    pytest.param(lambda: Simulation(eval_dt=HUGE), ConfigError, ["Simulation eval_dt", HUGE_SHOWN], id="sim-eval-dt-huge"),
    pytest.param(lambda: Simulation().set_link("a", "b", delay=HUGE), ConfigError, ["link 'a'->'b' delay", HUGE_SHOWN], id="sim-set-link-delay-huge"),
    pytest.param(lambda: evaluate("battery-v0", t_end=HUGE), ConfigError, ["evaluate t_end", HUGE_SHOWN], id="evaluate-t-end-huge"),
    pytest.param(lambda: make("battery-v0", n_agents=np.float64(3.0)), TypeError, ["n_agents must be int", "3.0"], id="make-n-agents-numpy-float"),
    pytest.param(lambda: EventScheduler().run_until(HUGE), ConfigError, ["run_until t_end", HUGE_SHOWN], id="scheduler-run-until-huge"),
    pytest.param(lambda: EventScheduler(start_time=HUGE), ConfigError, ["EventScheduler start_time", HUGE_SHOWN], id="scheduler-start-time-huge"),
    pytest.param(lambda: EventScheduler().reset(-HUGE), ConfigError, ["EventScheduler.reset start_time", "a negative int of 401 digits"], id="scheduler-reset-huge"),
    pytest.param(lambda: EventScheduler().register_agent("a", tick_interval=HUGE), ConfigError, ["TickConfig tick_interval", HUGE_SHOWN], id="scheduler-register-tick-huge"),
    pytest.param(lambda: _schedule(HUGE), ConfigError, ["schedule delay", HUGE_SHOWN], id="scheduler-schedule-delay-huge"),
    pytest.param(lambda: _schedule("1"), TypeError, ["schedule delay", "got '1'"], id="scheduler-schedule-delay-str"),
    pytest.param(lambda: Recorder("ring", maxlen=HUGE), ConfigError, ["Recorder maxlen", "sys.maxsize", HUGE_SHOWN], id="recorder-maxlen-huge"),
    pytest.param(lambda: Recorder("ring", maxlen=2**63), ConfigError, ["Recorder maxlen", "sys.maxsize", "9223372036854775808"], id="recorder-maxlen-over-ssize"),

    # faults: the same rule (a FaultError is a ConfigError naming every field)
    pytest.param(lambda: SensorDropout("a", HUGE, 1.0), FaultError, ["SensorDropout start", HUGE_SHOWN], id="fault-start-huge"),
    pytest.param(lambda: Crash("a", 0.0, -HUGE), FaultError, ["Crash downtime", "a negative int of 401 digits"], id="fault-downtime-huge-negative"),
    pytest.param(lambda: ClockDrift("a", ppm=HUGE), FaultError, ["ClockDrift ppm", "finite", HUGE_SHOWN], id="fault-drift-ppm-huge"),
    pytest.param(lambda: ClockDrift("a", offset=-HUGE), FaultError, ["ClockDrift offset", "a negative int of 401 digits"], id="fault-drift-offset-huge"),
    pytest.param(lambda: ActuatorSaturation("a", 0.0, 1.0, low=[HUGE], high=[NAN]), FaultError, ["ActuatorSaturation high", "without NaN"], id="fault-saturation-huge-low-nan-high"),
    pytest.param(lambda: ActuatorSaturation("a", 0.0, 1.0, low=[True]), FaultError, ["ActuatorSaturation low", "[True]"], id="fault-saturation-low-bool-in-list"),
    pytest.param(lambda: ActuatorSaturation("a", 0.0, 1.0, low=[np.bool_(False)]), FaultError, ["ActuatorSaturation low", "np.False_"], id="fault-saturation-low-np-bool-in-list"),
    pytest.param(lambda: ActuatorSaturation("a", 0.0, 1.0, high=iter([1.0])), FaultError, ["ActuatorSaturation high", "list_iterator"], id="fault-saturation-high-iterator"),
    pytest.param(lambda: ActuatorSaturation("a", 0.0, 1.0, high={1.0: 2.0}), FaultError, ["ActuatorSaturation high", "{1.0: 2.0}"], id="fault-saturation-high-dict"),

    # scenario Configs (scenarios/checks.py)
    pytest.param(lambda: heron_simpy.make("battery-v0", horizon=HUGE), ConfigError, ["horizon must be a number > 0", HUGE_SHOWN], id="battery-horizon-huge"),
    pytest.param(lambda: BatteryConfig(rate=-HUGE), ConfigError, ["rate must be a number > 0", "a negative int of 401 digits"], id="battery-config-rate-huge-negative"),
    pytest.param(lambda: heron_simpy.make("traffic-v0", min_green=1e308), ConfigError, ["min_green", "multiple of dt", "1e+308"], id="traffic-min-green-1e308"),
    pytest.param(lambda: heron_simpy.make("microgrid-v0", dt=5e-324), ConfigError, ["horizon must be a whole multiple of dt", "5e-324"], id="microgrid-dt-subnormal"),
]
# fmt: on


@pytest.mark.parametrize(("call", "expected", "culprits"), ROWS)
def test_bad_input_raises_exact_type_naming_the_culprit(
    call: Callable[[], Any], expected: type[Exception], culprits: list[str]
) -> None:
    with pytest.raises(Exception) as excinfo:  # noqa: PT011  (the exact type is checked below)
        call()
    message = str(excinfo.value)
    assert excinfo.type is expected, f"{excinfo.type.__name__}: {message}"
    for culprit in culprits:
        assert culprit in message, f"{culprit!r} not in {message!r}"


def test_the_table_is_distinct() -> None:
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ seeds read alike

SEED_OWNERS = {
    **{kind: owner for kind, (_, owner) in ENV_KINDS.items()},
    "simulation": "Simulation",
    "simulation-reset": "Simulation.reset",
}


def _seed_call(kind: str, seed: Any) -> Any:
    if kind == "simulation":
        return Simulation(seed=seed)
    if kind == "simulation-reset":
        return Simulation().reset(seed=seed)
    return _reset_with(kind, seed)


@pytest.mark.parametrize(
    ("seed", "expected", "shown"),
    [pytest.param(s, e, v, id=n) for n, s, e, v in BAD_SEEDS],
)
def test_a_bad_seed_reads_the_same_on_every_path(
    seed: Any, expected: type[Exception], shown: str
) -> None:
    messages = {}
    for kind, owner in SEED_OWNERS.items():
        with pytest.raises(Exception) as excinfo:  # noqa: PT011  (type checked below)
            _seed_call(kind, seed)
        assert excinfo.type is expected, f"{kind}: {excinfo.type.__name__}"
        message = str(excinfo.value)
        assert message.startswith(f"{owner} seed must be an int >= 0 or None, ")
        messages[kind] = message.removeprefix(owner)
    assert len(set(messages.values())) == 1, messages
    assert next(iter(messages.values())).endswith(shown)


def _first_observation(kind: str, seed: Any) -> Any:
    obs, _ = _reset_with(kind, seed)
    return obs


@pytest.mark.parametrize("kind", list(ENV_KINDS))
def test_numpy_integer_seeds_are_the_same_episode_as_ints(kind: str) -> None:
    expected = _first_observation(kind, 5)
    for seed in (np.int64(5), np.uint8(5), np.int32(5)):
        got = _first_observation(kind, seed)
        if isinstance(expected, dict):
            assert got.keys() == expected.keys()
            for agent in expected:
                assert np.array_equal(got[agent], expected[agent])
        else:
            assert np.array_equal(got, expected)


@pytest.mark.parametrize("kind", list(ENV_KINDS))
def test_seeds_beyond_2_to_the_128_are_valid_and_reproducible(kind: str) -> None:
    a = _first_observation(kind, 2**200 + 1)
    b = _first_observation(kind, 2**200 + 1)
    c = _first_observation(kind, 2**200 + 2)
    flat = (
        (lambda o: np.concatenate([o[k] for k in sorted(o)]))
        if isinstance(a, dict)
        else np.asarray
    )
    assert np.array_equal(flat(a), flat(b))
    assert not np.array_equal(flat(a), flat(c))


# ------------------------------------------------------------------ batched == process

#: Edge inputs for battery_1 (the others act with valid float32 zeros).
EDGE_ACTIONS: dict[str, Callable[[], Any]] = {
    "float32": lambda: np.array([0.25], dtype=np.float32),
    "float64": lambda: np.array([-0.75]),
    "float16": lambda: np.array([0.5], dtype=np.float16),
    "longdouble": lambda: np.array([0.5], dtype=np.longdouble),
    "int64": lambda: np.array([1]),
    "uint8": lambda: np.array([1], dtype=np.uint8),
    "int-too-big": lambda: np.array([2]),
    "list": lambda: [0.25],
    "tuple": lambda: (-0.25,),
    "int-list": lambda: [-1],
    "read-only": lambda: np.frombuffer(np.array([0.5]).tobytes()),
    "strided": lambda: np.arange(4.0)[::4] * 0.1,
    "masked-unmasked": lambda: np.ma.masked_array([0.5], mask=[False]),
    "masked": lambda: np.ma.masked_array([0.5], mask=[True]),
    "upper-bound": lambda: np.array([1.0]),
    "above-bound": lambda: np.array([np.nextafter(1.0, 2.0)]),
    "below-bound": lambda: [-1.0000001],
    "negative-zero": lambda: np.array([-0.0]),
    "nan": lambda: np.array([np.nan]),
    "inf": lambda: np.array([np.inf]),
    "-inf-list": lambda: [-np.inf],
    "bool": lambda: True,
    "np-bool": lambda: np.bool_(False),
    "bool-array": lambda: np.array([True]),
    "bool-list": lambda: [False],
    "python-float": lambda: 0.25,
    "python-int": lambda: 0,
    "np-float64-scalar": lambda: np.float64(0.25),
    "np-float32-scalar": lambda: np.float32(0.25),
    "0-d-array": lambda: np.array(0.25),
    "shape-2": lambda: np.zeros(2),
    "shape-1x1": lambda: np.zeros((1, 1)),
    "empty": lambda: np.zeros(0),
    "nested-list": lambda: [[0.25]],
    "ragged-list": lambda: [[0.25], [0.25, 1.0]],
    "array-in-list": lambda: [np.zeros(1), 1],
    "matrix": lambda: np.matrix([[0.25]]),
    "str": lambda: "x",
    "bytes": lambda: b"x",
    "str-list": lambda: ["0.25"],
    "str-array": lambda: np.array(["0.25"]),
    "None": lambda: None,
    "None-list": lambda: [None],
    "complex": lambda: np.array([0.25 + 0j]),
    "object-array": lambda: np.array([0.25], dtype=object),
    "huge-int-list": lambda: [HUGE],
    "dict": lambda: {"x": 0.25},
}


def _outcome(batched: bool, action: Any, everyone: bool) -> list[Any]:
    """What two steps of the lockstep env return: step 1 with ``action``."""
    env = _lockstep(batched)
    env.step(_valid(env))  # one ordinary step first (t = 0 -> 1)
    actions = dict.fromkeys(env.agents, action) if everyone else _valid(env)
    actions["battery_1"] = action
    out: list[Any] = []
    try:
        obs, rewards, *_ = env.step(actions)
        out.append(("accepted", {a: o.tolist() for a, o in obs.items()}, rewards))
    except Exception as exc:  # the outcome, whatever it is, is what is compared
        out.append(("refused", type(exc), str(exc)))
        obs, rewards, *_ = env.step(_valid(env))  # nothing happened: retry works
        out.append(({a: o.tolist() for a, o in obs.items()}, rewards))
    out.append((env.time, env.state().tolist()))
    return out


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("everyone", [False, True], ids=["battery_1", "every-agent"])
def test_batched_and_process_paths_accept_the_same_actions(everyone: bool) -> None:
    accepted = {}
    for name, action in EDGE_ACTIONS.items():
        batched = _outcome(True, action(), everyone)
        process = _outcome(False, action(), everyone)
        assert batched == process, name
        accepted[name] = batched[0][0] == "accepted"
    # The accepted set itself (a regression in both paths at once shows here).
    assert {n for n, ok in accepted.items() if ok} == {
        "float32",
        "float64",
        "float16",
        "longdouble",
        "int64",
        "uint8",
        "list",
        "tuple",
        "int-list",
        "read-only",
        "strided",
        "masked-unmasked",
        "upper-bound",
        "negative-zero",
    }


def test_refusals_carry_the_same_message_on_both_paths() -> None:
    for name in ("bool-array", "masked", "ragged-list", "str"):
        messages = set()
        for batched in (True, False):
            with pytest.raises(ActionError) as excinfo:
                _lockstep_step(batched, EDGE_ACTIONS[name]())
            messages.add(str(excinfo.value))
        assert len(messages) == 1, (name, messages)


# ------------------------------------------------------------------ accepted now


def test_numpy_numbers_are_accepted_as_scenario_overrides() -> None:
    env = make("battery-v0", n_agents=np.int64(3), horizon=np.float64(20.0))
    assert len(env.possible_agents) == 4
    assert make("battery-v0", coordinator=np.False_).possible_agents == [
        "battery_0",
        "battery_1",
    ]
    assert Simulation(eval_dt=np.float32(0.5)).eval_dt == 0.5


def test_numpy_numbers_are_accepted_where_ints_and_floats_are() -> None:
    assert Recorder("ring", maxlen=np.int64(5)).maxlen == 5
    assert type(Recorder("ring", maxlen=np.uint16(5)).maxlen) is int
    sched = EventScheduler()
    sched.register_agent("a")
    event = sched.schedule(EventType.CUSTOM, "a", np.float32(0.5))
    assert event.timestamp == 0.5
    cfg = TickConfig(tick_interval=np.float32(0.5), phase=np.int64(2))
    assert (cfg.tick_interval, cfg.phase) == (0.5, 2.0)
    assert type(cfg.phase) is float


def test_a_fault_lasting_beyond_the_float_range_never_ends() -> None:
    fault = SensorDropout("a", 0, HUGE)
    assert fault.duration == math.inf
    assert fault.end == math.inf
    assert Crash("a", 1.0, HUGE).end == math.inf
    low = ActuatorSaturation("a", 0.0, 1.0, low=-HUGE, high=[HUGE])
    assert (low.low, low.high) == (-math.inf, (math.inf,))


def test_message_of_a_huge_value_is_short() -> None:
    with pytest.raises(ConfigError) as excinfo:
        TickConfig(obs_delay=10**100_000)
    assert len(str(excinfo.value)) < 120
    assert re.search(r"an int of about \d+ digits", str(excinfo.value))
