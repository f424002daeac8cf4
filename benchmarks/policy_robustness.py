"""Retraining with timing awareness: train in lockstep, test in event time, fine-tune.

1. Train PPO (stable-baselines3) in lockstep on single-battery battery-v0.
2. Evaluate it with ``compare`` under ideal, lan, wan and scada timing.
3. Fine-tune the same model in the event-driven env under ``scada`` timing
   (``make(..., api="gymnasium", mode="event", profile="scada")``), at a small
   constant learning rate (``--tune-lr``, default 5e-5; at the training rate
   3e-4 fine-tuning lowered the scada return in our runs).
4. Evaluate again. The built-in proportional controller is the reference.

Prints the before/after table: mean return per regime and the ideal->scada
degradation of each policy. Needs the ``rl`` extra (stable-baselines3, and
torch: install ``torch==2.13.0`` first on CPU machines). Deterministic given
the seed (torch runs single-threaded); before reporting, the script re-runs one
comparison and requires identical rows.

    python benchmarks/policy_robustness.py [--quick] [--seed S] [--json out.json]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, versions, write

import heron_simpy
from heron_simpy.compare import compare

PROFILES = ("ideal", "lan", "wan", "scada")
SCENARIO = {"n_agents": 1, "coordinator": False}


def evaluate_all(policy: Any, seeds: int) -> dict[str, float]:
    result = compare(
        "battery-v0", policy, profiles=PROFILES, seeds=seeds, workers=1, **SCENARIO
    )
    return {r.label: r.mean_return for r in result.rows}


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument(
        "--tune-lr", type=float, default=5e-5, help="fine-tuning learning rate"
    )
    args = p.parse_args()
    try:
        import torch  # noqa: PLC0415  (optional rl extra)
        from stable_baselines3 import PPO  # noqa: PLC0415
    except ImportError:
        raise SystemExit(
            "needs the rl extra: pip install torch==2.13.0 'heron-simpy[rl]'"
        ) from None
    torch.set_num_threads(1)
    train_steps, tune_steps, seeds = (
        (8_000, 4_000, 3) if args.quick else (100_000, 50_000, 5)
    )

    t0 = time.perf_counter()
    env = heron_simpy.make("battery-v0", api="gymnasium", **SCENARIO)
    model = PPO(
        "MlpPolicy",
        env,
        seed=args.seed,
        n_steps=1024,
        batch_size=128,
        verbose=0,
        device="cpu",
    )
    model.learn(train_steps)
    t_train = time.perf_counter() - t0

    before = evaluate_all(model, seeds)
    if evaluate_all(model, seeds) != before:
        raise SystemExit("evaluation is not deterministic: refusing to report")
    builtin = evaluate_all(None, seeds)

    t0 = time.perf_counter()
    tune_env = heron_simpy.make(
        "battery-v0", api="gymnasium", mode="event", profile="scada", **SCENARIO
    )
    model.set_env(tune_env)
    model.get_env().seed(args.seed)  # SB3 does not seed an env given by set_env
    model.lr_schedule = lambda _progress: args.tune_lr  # constant fine-tuning rate
    model.learn(tune_steps, reset_num_timesteps=True)  # resets the env: seeded
    t_tune = time.perf_counter() - t0
    after = evaluate_all(model, seeds)

    print(
        f"PPO: {train_steps} lockstep steps ({t_train:.0f} s), "
        f"then {tune_steps} event-time "
        f"steps under scada ({t_tune:.0f} s); mean total return over {seeds} seeds"
    )
    print(f"{'regime':<8} {'built-in':>10} {'PPO lockstep':>13} {'PPO fine-tuned':>15}")
    for p in PROFILES:
        print(f"{p:<8} {builtin[p]:10.3f} {before[p]:13.3f} {after[p]:15.3f}")
    degr = {
        name: d["ideal"] - d["scada"]
        for name, d in (
            ("built-in", builtin),
            ("PPO lockstep", before),
            ("PPO fine-tuned", after),
        )
    }
    print(
        "ideal->scada degradation: "
        + ", ".join(f"{k} {v:.3f}" for k, v in degr.items())
    )
    write(
        args.json,
        {
            "benchmark": "policy_robustness",
            "params": {
                "seed": args.seed,
                "train_steps": train_steps,
                "tune_steps": tune_steps,
                "seeds": seeds,
                "tune_lr": args.tune_lr,
            },
            "versions": versions() | {"torch": torch.__version__},
            "returns": {
                "built-in": builtin,
                "ppo_lockstep": before,
                "ppo_fine_tuned": after,
            },
            "degradation": degr,
            "train_s": t_train,
            "tune_s": t_tune,
        },
    )


if __name__ == "__main__":
    main()
