"""compare(): rows from hand-computed statistics, backends agree, sweeps, errors."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import statistics

import numpy as np
import pytest

import heron_simpy
from heron_simpy import ConfigError
from heron_simpy.compare import (
    Comparison,
    EpisodeError,
    Job,
    Sweep,
    compare,
    confidence_interval,
    parse_sweep,
    run_jobs,
    t_quantile,
)
from heron_simpy.compare.sweep import exact
from heron_simpy.exceptions import BudgetError
from heron_simpy.registry import build
from heron_simpy.timing import BernoulliLoss, JitterType, profiles

T_END = 15.0


def zero_policy(agent_id, obs):
    return np.zeros(1, dtype=np.float32)


def test_rows_equal_hand_computed_statistics() -> None:
    result = compare(
        "battery-v0", profiles=["ideal", "wan"], seeds=[0, 1, 2], workers=1, t_end=T_END
    )
    for row in result.rows:
        totals, drops, sent = [], [], []
        for seed in (0, 1, 2):
            ep = heron_simpy.evaluate(
                "battery-v0", profile=row.label, seed=seed, t_end=T_END
            )
            totals.append(math.fsum(ep.returns.values()))
            drops.append(ep.stats.messages_dropped)
            sent.append(ep.stats.messages_sent)
        assert row.episodes == 3
        assert math.isclose(row.mean_return, statistics.fmean(totals), rel_tol=1e-12)
        assert math.isclose(
            row.ci95, 4.303 * statistics.stdev(totals) / math.sqrt(3), rel_tol=1e-12
        )
        assert row.messages_dropped == sum(drops) / 3
        assert row.drop_rate == (sum(drops) / sum(sent) if sum(sent) else 0.0)
    ideal, wan = result.rows
    assert result.baseline == "ideal"
    assert (ideal.degradation, ideal.degradation_pct) == (0.0, 0.0)
    assert wan.degradation == ideal.mean_return - wan.mean_return
    assert wan.degradation_pct == 100 * wan.degradation / abs(ideal.mean_return)
    assert ideal.mean_obs_age == 0.0
    assert wan.mean_obs_age > 0.2


def test_pool_and_serial_give_identical_rows() -> None:
    kwargs = {"profiles": ["ideal", "lan", "scada"], "seeds": 3, "t_end": T_END}
    serial = compare("battery-v0", workers=1, **kwargs)
    pooled = compare("battery-v0", workers=2, **kwargs)
    assert serial.rows == pooled.rows
    assert serial.episodes == pooled.episodes


def test_policy_by_reference_runs_in_workers() -> None:
    ref = f"{__name__}:zero_policy"
    by_ref = compare(
        "battery-v0", ref, profiles=["ideal"], seeds=2, workers=2, t_end=T_END
    )
    by_obj = compare(
        "battery-v0", zero_policy, profiles=["ideal"], seeds=2, workers=1, t_end=T_END
    )
    assert by_ref.rows == by_obj.rows


def test_baseline_is_first_regime_without_ideal() -> None:
    result = compare(
        "battery-v0", profiles=["lan", "scada"], seeds=2, workers=1, t_end=T_END
    )
    assert result.baseline == "lan"
    assert result.rows[0].degradation == 0.0


def test_sweep_gives_one_row_per_value_and_realised_delays() -> None:
    result = compare(
        "battery-v0",
        seeds=2,
        workers=1,
        t_end=T_END,
        sweep=parse_sweep("obs_delay=0:1:3"),
    )
    assert [r.label for r in result.rows] == [
        "obs_delay=0",
        "obs_delay=0.5",
        "obs_delay=1",
    ]
    assert [r.value for r in result.rows] == [0.0, 0.5, 1.0]
    assert [r.mean_obs_age for r in result.rows] == [0.0, 0.5, 1.0]
    assert result.sweep_param == "obs_delay"


def test_sweep_over_a_scenario_override() -> None:
    result = compare(
        "battery-v0",
        seeds=1,
        workers=1,
        t_end=60.0,
        sweep=Sweep("coordinator_tick", (10.0, 30.0)),
    )
    decisions = [e.decisions for e in result.episodes]
    assert decisions[0] > decisions[1]  # the coordinator decides less often


def test_sweep_regimes_change_what_they_say() -> None:
    jit = Sweep("jitter_ratio", (0.2,)).regimes()[0].profile
    assert jit.field.jitter_type is JitterType.GAUSSIAN
    assert jit.coordinator.jitter_ratio == 0.2
    loss = Sweep("loss", (0.0, 0.3), base="lan").regimes()
    assert loss[0].profile.loss is None
    assert loss[1].profile.loss == BernoulliLoss(0.3)
    assert loss[1].profile.field.obs_delay == profiles["lan"].field.obs_delay
    act = Sweep("act_delay", (0.7,)).regimes()[0].profile
    assert {act.field.act_delay, act.coordinator.act_delay, act.system.act_delay} == {
        0.7
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "obs_delay=0:1",
            "sweep must look like PARAM=START:STOP:N (e.g. obs_delay=0:2:5), got 'obs_delay=0:1'",
        ),
        (
            "obs_delay",
            "sweep must look like PARAM=START:STOP:N (e.g. obs_delay=0:2:5), got 'obs_delay'",
        ),
        (
            "obs_delay=a:1:3",
            "sweep START and STOP must be numbers and N an integer, got 'obs_delay=a:1:3'",
        ),
        (
            "obs_delay=0:1:2.5",
            "sweep START and STOP must be numbers and N an integer, got 'obs_delay=0:1:2.5'",
        ),
        (
            "obs_delay=2:1:3",
            "sweep needs N >= 1 and START <= STOP, got 'obs_delay=2:1:3'",
        ),
        (
            "obs_delay=0:1:0",
            "sweep needs N >= 1 and START <= STOP, got 'obs_delay=0:1:0'",
        ),
        ("loss=0:2:3", "Sweep loss values must be probabilities in [0, 1], got 2.0"),
        (
            "obs_delay=-1:1:3",
            "Sweep obs_delay values must be finite and >= 0, got -1.0",
        ),
    ],
    ids=[
        "no-n",
        "no-range",
        "not-number",
        "n-float",
        "reversed",
        "n-zero",
        "loss>1",
        "negative",
    ],
)
def test_bad_sweeps(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_sweep(text)


def test_parse_sweep_values() -> None:
    assert parse_sweep("jitter_ratio=0:0.4:5").values == (
        0.0,
        0.1,
        0.2,
        0.30000000000000004,
        0.4,
    )
    assert parse_sweep(" loss=0.1:0.1:1 ").values == (0.1,)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        (
            {"seeds": 0},
            ConfigError,
            "compare seeds must be a count >= 1 or a list of seeds, got 0",
        ),
        (
            {"seeds": [0, -1]},
            ConfigError,
            "compare seeds must be a count >= 1 or a list of seeds, got [0, -1]",
        ),
        (
            {"profiles": []},
            ConfigError,
            "compare profiles must name at least one timing regime, got none",
        ),
        (
            {"profiles": ["lan", "lan"]},
            ConfigError,
            "compare profiles must be distinct, got ['lan', 'lan']",
        ),
        ({"profiles": ["mars"]}, ConfigError, "unknown timing profile 'mars'"),
        (
            {"backend": "spark"},
            ConfigError,
            "compare backend must be one of local, ray, got 'spark'",
        ),
        (
            {"workers": 0},
            ConfigError,
            "compare workers must be an int >= 1 or None, got 0",
        ),
        (
            {"policy": "no_colon"},
            ConfigError,
            "policy must be a callable or 'module:callable', got 'no_colon'",
        ),
        (
            {"policy": "math:nothing_here"},
            ConfigError,
            "policy 'math:nothing_here' cannot be imported",
        ),
        ({"n_agent": 3}, ConfigError, "battery-v0 has no override 'n_agent'"),
    ],
    ids=[
        "seeds-0",
        "seeds-negative",
        "no-profiles",
        "duplicate",
        "unknown-profile",
        "backend",
        "workers",
        "policy-form",
        "policy-import",
        "override",
    ],
)
def test_bad_inputs(kwargs: dict, exc: type, message: str) -> None:
    kwargs = {"seeds": 1, "workers": 1, "t_end": 5.0} | kwargs
    with pytest.raises(exc, match=re.escape(message)):
        compare("battery-v0", **kwargs)


def test_unpicklable_policy_in_a_pool_is_refused_clearly() -> None:
    with pytest.raises(
        ConfigError, match=re.escape("cannot be sent to worker processes")
    ):
        compare(
            "battery-v0",
            lambda a, o: np.zeros(1, np.float32),
            profiles=["ideal", "lan"],
            seeds=2,
            workers=2,
            t_end=5.0,
        )


def test_json_round_trip(tmp_path) -> None:
    result = compare(
        "battery-v0", profiles=["ideal", "lan"], seeds=1, workers=1, t_end=T_END
    )
    path = result.to_json(tmp_path / "out" / "rows.json")
    data = json.loads(path.read_text())
    assert [r["label"] for r in data["rows"]] == ["ideal", "lan"]
    assert (
        data["rows"][0]["ci95"] is None
    )  # one seed: no interval (NaN written as null)
    assert len(data["episodes"]) == 2


def test_dataframe() -> None:
    pytest.importorskip("pandas")
    df = compare(
        "battery-v0", profiles=["ideal"], seeds=2, workers=1, t_end=5.0
    ).to_dataframe()
    assert list(df["label"]) == ["ideal"]
    assert "degradation_pct" in df.columns


def test_table_is_aligned() -> None:
    table = compare(
        "battery-v0", profiles=["ideal", "scada"], seeds=2, workers=1, t_end=T_END
    ).table()
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["regime", "return"]
    assert len({len(line) for line in lines}) == 1


def test_t_quantile_and_interval() -> None:
    assert t_quantile(1) == 12.706
    assert t_quantile(30) == 2.042
    assert t_quantile(200) == 1.96
    assert math.isnan(confidence_interval([1.0]))


def test_ray_backend_without_ray_is_a_clear_error() -> None:
    if importlib.util.find_spec("ray") is None:
        with pytest.raises(
            ConfigError,
            match=re.escape(
                "compare backend 'ray' needs Ray: pip install 'heron-simpy[ray]'"
            ),
        ):
            compare("battery-v0", profiles=["ideal"], seeds=1, backend="ray", t_end=5.0)
    else:
        pytest.skip("ray is installed; the slow backend test covers it")


def raising_policy(agent_id, obs):
    raise ValueError("boom")


@pytest.mark.parametrize("workers", [1, 2])
def test_failed_episode_keeps_the_finished_regimes(workers: int) -> None:
    # scada never calls the policy within 1 s; ideal calls it at t=0.
    with pytest.raises(EpisodeError) as excinfo:
        compare(
            "battery-v0",
            raising_policy,
            ["scada", "ideal", "lan"],
            seeds=2,
            workers=workers,
            t_end=1.0,
        )
    err = excinfo.value
    assert str(err).startswith("compare episode failed: regime 'ideal', seed 0: ")
    assert "agent 'fleet' at t=0.000" in str(err)
    partial = err.partial
    assert partial is not None
    assert [(r.label, r.episodes) for r in partial.rows] == [("scada", 2)]
    assert partial.baseline == "ideal"
    assert math.isnan(partial.rows[0].degradation)  # the baseline never finished
    assert [(e.label, e.seed) for e in partial.episodes] == [("scada", 0), ("scada", 1)]
    assert partial.error is not None
    assert partial.error.startswith(str(err))
    assert partial.to_dict()["error"] == partial.error


def test_complete_comparison_has_no_error() -> None:
    result = compare("battery-v0", profiles=["ideal"], seeds=1, workers=1, t_end=1.0)
    assert result.error is None
    assert result.to_dict()["error"] is None


def test_run_jobs_raises_the_first_failure() -> None:
    result = compare("battery-v0", profiles=["ideal"], seeds=1, workers=1, t_end=1.0)
    assert result.rows[0].episodes == 1
    job = Job(0, "ideal", "battery-v0", raising_policy, profiles["ideal"], 0, 1.0, ())
    with pytest.raises(EpisodeError, match=re.escape("regime 'ideal', seed 0")):
        run_jobs([job], workers=1)


def test_sweep_labels_are_exact_and_distinct() -> None:
    regimes = parse_sweep("act_delay=0.1:0.1000001:3").regimes()
    labels = [r.label for r in regimes]
    assert labels == [
        "act_delay=0.1",
        "act_delay=0.10000005000000001",
        "act_delay=0.1000001",
    ]
    assert [float(label.partition("=")[2]) for label in labels] == [
        r.value for r in regimes
    ]
    assert exact(0.1 + 0.2) == "0.30000000000000004"
    assert exact(2.0) == "2"


def test_save_writes_json_and_png_only_with_rows(tmp_path) -> None:
    pytest.importorskip("matplotlib")
    result = compare("battery-v0", profiles=["ideal"], seeds=1, workers=1, t_end=1.0)
    assert [p.name for p in result.save(tmp_path / "a")] == [
        "compare.json",
        "compare.png",
    ]
    assert [p.name for p in result.save(tmp_path / "b", plot=False)] == ["compare.json"]
    empty = Comparison("battery-v0", "ideal", [], [], None, "x")
    assert [p.name for p in empty.save(tmp_path / "c")] == ["compare.json"]


def test_budget_counts_regimes_seeds_and_episode_estimates() -> None:
    per_episode = build("battery-v0").estimate_events("ideal", 1.0)
    budget = 2 * 3 * per_episode
    kwargs = {"profiles": ["ideal", "lan"], "workers": 1, "t_end": 1.0}
    assert compare("battery-v0", seeds=3, event_budget=budget, **kwargs).rows
    with pytest.raises(BudgetError, match=re.escape("2 regimes x 4 seeds")):
        compare("battery-v0", seeds=4, event_budget=budget, **kwargs)
