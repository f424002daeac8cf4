"""heating-v0: RC physics, EtaCtrl series indexing, errors, controllers, determinism."""

from __future__ import annotations

import re
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from gymnasium.utils.env_checker import check_env
from heron_simpy.scenarios.heating import (
    DEFAULT_SERIES,
    Config,
    HeatingPlant,
    load_series,
)

import heron_simpy
from heron_simpy import ConfigError, HeronWarning
from tests.conftest import rows

SINGLE = {"n_rooms": 1, "coordinator": False}


def write_series(path: Path, n: int, outdoor: float = 0.0, price: float = 0.2) -> str:
    lines = ["index,outdoor_temp_c,price_per_kwh"]
    lines += [f"{k},{outdoor},{price}" for k in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def plant(tmp_path: Path, temps: list[float], **overrides: Any) -> HeatingPlant:
    """A reset plant under a constant series (0 C outdoor, 0.2 per kWh)."""
    series = write_series(tmp_path / "flat.csv", 289)
    p = HeatingPlant(Config(series=series, n_rooms=len(temps), **overrides))
    p.reset(np.random.default_rng(0))
    p.temp = np.array(temps, dtype=np.float64)
    return p


# ------------------------------------------------------------------ physics
def test_heaters_off_rooms_cool_monotonically_toward_outdoor(tmp_path: Path) -> None:
    p = plant(tmp_path, [18.0, 22.0])
    history = [p.temp.copy()]
    for _ in range(288):
        p.advance(p.physics_step)
        history.append(p.temp.copy())
    h = np.array(history)
    assert np.all(np.diff(h, axis=0) < 0)  # strictly falling, every room
    assert np.all(h > 0.0)  # never below the (constant) outdoor temperature
    assert h[-1].max() < 10.0  # and well on the way there after 24 h


def test_heater_on_warms(tmp_path: Path) -> None:
    on, off = plant(tmp_path, [10.0]), plant(tmp_path, [10.0])
    on.apply("room_0", np.array([1.0], np.float32))
    on.advance(on.physics_step)
    off.advance(off.physics_step)
    assert on.temp[0] > 10.0 > off.temp[0]


def test_coupling_moves_heat_from_the_warmer_room(tmp_path: Path) -> None:
    p = plant(tmp_path, [10.0, 20.0], ua_out=0.0)
    p.advance(p.physics_step)
    assert 10.0 < p.temp[0] < p.temp[1] < 20.0
    assert p.temp.sum() == pytest.approx(30.0, abs=1e-12)  # no loss outside


def test_energy_cost_is_power_times_price_times_time(tmp_path: Path) -> None:
    p = plant(tmp_path, [20.0, 20.0])
    p.apply("room_0", np.array([1.0], np.float32))
    p.apply("room_1", np.array([0.5], np.float32))
    p.advance(p.physics_step)
    kwh = np.array([3000.0, 1500.0]) * 300.0 / 3.6e6
    assert np.allclose(p.energy, kwh)
    assert np.allclose(p.cost, kwh * 0.2)


def test_substeps_converge_to_the_exact_decay(tmp_path: Path) -> None:
    p = plant(tmp_path, [20.0], substeps=1000)
    p.advance(300.0)
    assert p.temp[0] == pytest.approx(20.0 * np.exp(-150.0 * 300.0 / 5.0e6), 1e-6)


# ------------------------------------------------------- EtaCtrl indexing
def test_reset_observes_index_0_and_step_k_observes_index_k_plus_1() -> None:
    outdoor, price = load_series(DEFAULT_SERIES)
    env = heron_simpy.make("heating-v0", **SINGLE)
    obs, _ = env.reset(seed=3)
    # room_0 observation: [temp, outdoor, price, setpoint]
    assert (obs["room_0"][1], obs["room_0"][2]) == (outdoor[0], price[0])
    assert env.state()[-1] == 0.0
    for k in range(288):
        obs, *_ = env.step({"room_0": np.array([0.3], np.float32)})
        assert (obs["room_0"][1], obs["room_0"][2]) == (outdoor[k + 1], price[k + 1])
        assert env.state()[-3:].tolist() == [outdoor[k + 1], price[k + 1], k + 1]
    assert env.agents == []


def test_gymnasium_env_observes_the_same_rows() -> None:
    outdoor, price = load_series(DEFAULT_SERIES)
    env = heron_simpy.make("heating-v0", api="gymnasium", **SINGLE)
    obs, _ = env.reset(seed=0)
    assert obs[1:3].tolist() == [outdoor[0], price[0]]
    for k in range(5):
        obs, *_ = env.step(np.array([1.0], np.float32))
        assert obs[1:3].tolist() == [outdoor[k + 1], price[k + 1]]


def test_default_series_holds_the_default_horizon_plus_one() -> None:
    outdoor, price = load_series(DEFAULT_SERIES, 289)
    assert len(outdoor) == len(price) == 289
    assert set(price.tolist()) == {0.15, 0.35}


# ------------------------------------------------------------ series errors
def test_series_shortfall_names_file_rows_needed_and_present(tmp_path: Path) -> None:
    path = write_series(tmp_path / "short.csv", 100)
    msg = (
        "invalid heating-v0 Config:\n"
        f"- series {path!r} needs 289 rows (n_episode_steps + 1), "
        "got 100 (short by 189)"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(msg)}$"):
        heron_simpy.make("heating-v0", series=path)
    # A shorter horizon needs fewer rows: 100 rows hold 99 steps.
    env = heron_simpy.make("heating-v0", series=path, horizon=99 * 300.0)
    assert env.steps_per_episode == 99


def test_series_with_nan_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "nan.csv"
    write_series(path, 289)
    text = path.read_text().replace("\n3,0.0,0.2\n", "\n3,nan,0.2\n")
    path.write_text(text)
    msg = f"series {str(path)!r} must not contain NaN, got NaN at index 3"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("heating-v0", series=str(path))


def test_series_non_numeric_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    write_series(path, 289)
    path.write_text(path.read_text().replace("\n5,0.0,0.2\n", "\n5,cold,0.2\n"))
    msg = f"series {str(path)!r} values must be numeric"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("heating-v0", series=str(path))
    missing = str(tmp_path / "nope.csv")
    msg = f"series file {missing!r} must exist, got no such file"
    with pytest.raises(ConfigError, match=re.escape(msg)):
        heron_simpy.make("heating-v0", series=missing)


@pytest.mark.parametrize(
    ("edits", "problem"),
    [
        # a malformed row anywhere outranks a NaN earlier in the file
        ({3: "3,nan,0.2", 7: "7,cold,0.2"}, "values must be numeric, got 'cold'"),
        ({3: "3,nan,0.2", 7: "7,1.0"}, "rows must have 3 columns"),
        # a NaN or infinity outranks an index gap before it
        ({2: "9,0.0,0.2", 5: "5,0.0,inf"}, "values must be finite, got inf at index 5"),
        ({2: "9,0.0,0.2"}, "got 9 where index 2 belongs"),
    ],
    ids=["malformed-over-nan", "short-row-over-nan", "inf-over-gap", "gap"],
)
def test_series_reports_its_first_problem_by_kind(
    tmp_path: Path, edits: dict[int, str], problem: str
) -> None:
    path = tmp_path / "bad.csv"
    write_series(path, 289)
    lines = path.read_text().splitlines()
    for index, line in edits.items():
        lines[index + 1] = line
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_series(path, 289)


def test_a_long_series_is_read_without_holding_its_text(tmp_path: Path) -> None:
    path = write_series(tmp_path / "long.csv", 50_001)
    tracemalloc.start()
    try:
        outdoor, price = load_series(path, 50_001)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(outdoor) == len(price) == 50_001
    assert peak < 50_001 * 64  # two float arrays of 8 bytes a row, with slack


# ---------------------------------------------------------------- overrides
def test_bad_overrides_are_all_named() -> None:
    msg = (
        "invalid heating-v0 Config:\n"
        "- n_rooms must be an int >= 1, got 0\n"
        "- dt must be a number > 0, got -1.0\n"
        "- ua_out must be a number >= 0, got -5.0"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(msg)}$"):
        heron_simpy.make("heating-v0", n_rooms=0, dt=-1.0, ua_out=-5.0)


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        ({"comfort_high": 19.0}, "comfort_high must be > comfort_low (20.0), got 19.0"),
        (
            {"coordinator_tick": 400.0},
            "coordinator_tick must be a whole multiple of dt (300.0 s), got 400.0",
        ),
        (
            {"horizon": 1000.0},
            "horizon must be a whole multiple of dt (300.0 s), got 1000.0",
        ),
        ({"substeps": 0}, "substeps must be an int >= 1, got 0"),
        ({"capacity": float("nan")}, "capacity must be a number > 0, got nan"),
    ],
    ids=["band", "coordinator_tick", "horizon", "substeps", "capacity"],
)
def test_bad_override(overrides: dict[str, Any], line: str) -> None:
    with pytest.raises(ConfigError, match=re.escape("- " + line)):
        heron_simpy.make("heating-v0", **overrides)


def test_wrong_type_and_unknown_override() -> None:
    with pytest.raises(TypeError, match=re.escape("n_rooms must be int, got 1.5")):
        heron_simpy.make("heating-v0", n_rooms=1.5)
    with pytest.raises(ConfigError, match=re.escape("has no override 'rooms'")):
        heron_simpy.make("heating-v0", rooms=3)


# -------------------------------------------------------------- controllers
@pytest.mark.parametrize("overrides", [{}, SINGLE, {"n_rooms": 4}], ids=str)
def test_builtin_controllers_beat_doing_nothing(overrides: dict[str, Any]) -> None:
    def zero(agent_id: str, obs: np.ndarray) -> np.ndarray:
        n = 1 if agent_id.startswith("room") else overrides.get("n_rooms", 2)
        return np.zeros(n, np.float32)

    builtin = heron_simpy.evaluate("heating-v0", None, seed=1, **overrides)
    nothing = heron_simpy.evaluate("heating-v0", zero, seed=1, **overrides)
    assert set(builtin.returns) == set(nothing.returns)
    for a in builtin.returns:
        assert builtin.returns[a] > nothing.returns[a] + 100.0, a


def test_builtin_keeps_rooms_near_the_band() -> None:
    ep = heron_simpy.evaluate("heating-v0", seed=2)
    # Mean penalty per step under 1 (band violation in K plus weighted cost).
    assert all(r / 288 > -1.0 for r in ep.returns.values())


# ------------------------------------------------------------ gymnasium API
def test_single_room_is_the_gymnasium_example() -> None:
    env = heron_simpy.make("heating-v0", api="gymnasium", **SINGLE)
    assert isinstance(env, gym.Env)
    assert env.observation_space.shape == (4,)  # temp, outdoor, price, setpoint
    assert env.action_space == spaces.Box(0.0, 1.0, (1,), np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env, skip_render_check=True)
    assert not [w for w in caught if issubclass(w.category, HeronWarning)]
    assert all("WARN:" in str(w.message) for w in caught)


# -------------------------------------------------------------- determinism
def test_same_seed_same_trace() -> None:
    a = heron_simpy.evaluate("heating-v0", seed=5)
    b = heron_simpy.evaluate("heating-v0", seed=5)
    assert a.returns == b.returns
    assert a.rewards == b.rewards
    assert rows(a.trace) == rows(b.trace)
    c = heron_simpy.evaluate("heating-v0", seed=6)
    assert c.returns != a.returns


def test_same_seed_same_trace_under_lan_timing() -> None:
    a = heron_simpy.evaluate("heating-v0", profile="lan", seed=5, t_end=3600.0)
    b = heron_simpy.evaluate("heating-v0", profile="lan", seed=5, t_end=3600.0)
    assert rows(a.trace) == rows(b.trace)
