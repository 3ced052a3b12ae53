"""How long the checker, the explanations and the exports take on a year-long plan.

SYNTHETIC territory (``benchmarks/synthetic_territory.py``, 19 kitchens x ~50 products x 44
calendar weeks at scale 1): the sourcing model plans it once, then each step is timed and
compared, in the same run, with the floor of any consumer of the plan -- reading the
plan's lines into a DataFrame (:func:`solver.evaluation.indicators.plan_frame`) -- and with writing
the plan alone to CSV. Also reports whether the model's plan passes the checker.

Run: ``uv run python benchmarks/plan_outputs_scale.py [--scale 1] [--time-limit 120]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_territory import make_territory  # noqa: E402

from solver.core import SolveParams
from solver.evaluation import check_plan, indicators_table, plan_frame
from solver.prepare import build_eligibility
from solver.reporting import explain, validate_macantine_csv, write_plan_outputs
from solver.sourcing import solve_sourcing


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    """Plan a synthetic territory, then time the checker, explanations and exports."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=int, default=1, help="territory size, x the demo")
    ap.add_argument("--time-limit", type=float, default=120.0, help="solve limit, seconds")
    args = ap.parse_args()

    terr = make_territory(args.scale)
    sc, demand, meals = terr.scenario, terr.demand, terr.meals
    # SYNTHETIC SIRETs so that the ma-cantine file has rows to validate
    sc = sc.model_copy(
        update={
            "canteens": tuple(
                c.model_copy(update={"siret": f"{99000000000000 + i:014d}"})
                for i, c in enumerate(sc.canteens)
            )
        }
    )
    el = build_eligibility(sc, terr.ids, terr.seconds, travel_source="estimate", estimated=True)
    t_solve, res = timed(
        lambda: solve_sourcing(
            sc,
            demand,
            meals,
            el,
            params=SolveParams(time_limit_s=args.time_limit),
            compute_bound=False,
        )
    )
    plan = res.plan
    n_k = demand["kitchen_id"].nunique()
    n_i = demand["product_id"].nunique()
    print(
        f"SYNTHETIC territory x{args.scale}: {n_k} kitchens, {n_i} products, "
        f"{len(plan.weeks)} weeks, {len(plan.lines)} plan lines "
        f"(solve {t_solve:.1f} s, {res.status})"
    )

    t_frame, lines = timed(lambda: plan_frame(sc, plan), repeat=3)
    t_csv, _ = timed(lambda: lines.to_csv(Path(tempfile.mkdtemp()) / "plan.csv", index=False))
    t_check, check = timed(lambda: check_plan(sc, demand, meals, el, plan))
    t_ind, _ = timed(lambda: indicators_table(sc, plan, meals, lines=lines))
    t_expl, expl = timed(lambda: explain(sc, demand, meals, el, plan))
    table = check.indicators_table
    t_csvs, paths = timed(
        lambda: write_plan_outputs(
            tempfile.mkdtemp(), sc, plan, check, table, expl, demand=demand, xlsx=False
        )
    )
    t_all, paths = timed(
        lambda: write_plan_outputs(tempfile.mkdtemp(), sc, plan, check, table, expl, demand=demand)
    )
    rows = [
        ("plan_frame (baseline: read the plan)", t_frame),
        ("plan lines to one CSV", t_csv),
        ("check_plan (every rule + indicators)", t_check),
        ("indicators_table", t_ind),
        ("explain", t_expl),
        ("write_plan_outputs, CSV files only", t_csvs),
        ("write_plan_outputs, with XLSX", t_all),
    ]
    print(f"\n{'step':<42} {'seconds':>8} {'x baseline':>11}")
    for name, t in rows:
        print(f"{name:<42} {t:>8.2f} {t / t_frame:>11.1f}")
    kinds = expl["kind"].value_counts().to_dict()
    print(
        f"\nchecker verdict on the model's plan: ok={check.ok}, "
        f"{len(check.violations)} violation(s) {check.by_rule()}"
    )
    print(f"explanations: {kinds.get('kg', 0)} kg rows, {kinds.get('target', 0)} target rows")
    print("kg not local by reason:")
    by = expl[expl["kind"] == "kg"].groupby("reason")["not_local_kg"].agg(["size", "sum"])
    print(by.sort_values("sum", ascending=False).round(0).to_string())
    print(f"ma-cantine validator: {validate_macantine_csv(paths['macantine_achats.csv'])[:3]}")
    print(f"files written: {len(paths)}")


if __name__ == "__main__":
    main()
