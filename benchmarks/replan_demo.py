"""Benchmark: re-planning the demo school year after its largest market gardener drops out.

Usage::

    uv run python benchmarks/replan_demo.py [--plan-time-limit-s 120] [--replan-time-limit-s 60]
        [--from-week 10] [--rounds] [--out DIR]

1. Plans the demo territory's school year as ``racines plan --year`` does
   (:func:`app.services.plan_territory` over the school-year weeks from the scenario's start
   date; without the platform's rounds unless ``--rounds``) and writes its plan folder.
2. Reads the folder back as ``racines replan`` does (:func:`app.cycle.read_plan_folder`) and
   finds its largest market gardener: the producer named "Maraîchage..." selling the most kg
   of fruit and vegetables in the plan.
3. That gardener drops out (100 % of every product) from week ``--from-week`` of the plan,
   and the weeks left are planned twice with the same time limit
   (:func:`app.cycle.replan`): (a) the fewest changed order lines first, the cost second
   (``lexicographic``); (b) from scratch, the cost alone (``cost``).
4. Prints, for both, the order lines changed (week x kitchen x supplier x product x
   channel whose kg moved by more than 10 g, :func:`solver.evaluation.plan_changes`), the
   food cost of the re-planned weeks, the sourcing objective, the seconds and the
   independent checkers' verdicts (plan and re-plan).

Bar: both plans pass the checkers and (a) changes fewer lines than (b); exit 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app import cycle, services
from app.commands.plan import school_year_n_weeks
from solver.core import Family, Shortfall, SolveParams

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "baronnies"


def _plan_year(out: Path, time_limit_s: float, rounds: bool) -> float:
    """Plan the demo school year into ``out``; returns the seconds it took."""
    sc = services.load_scenario(DEMO)
    weeks = school_year_n_weeks(sc.settings.start_date, {c.school_zone.value for c in sc.canteens})
    t0 = time.perf_counter()
    outcome = services.plan_territory(
        sc,
        params=SolveParams(time_limit_s=time_limit_s, seed=sc.settings.seed),
        weeks=weeks,
        base_dir=DEMO,
        with_rounds=rounds,
    )
    seconds = time.perf_counter() - t0
    outcome.record.update(scenario_path=str(DEMO))
    outcome.write_outputs(out)
    s = outcome.sourcing
    print(
        f"year plan: {len(outcome.territory.weeks)} weeks, {len(s.plan.lines)} lines, "
        f"objective {s.objective_eur:,.2f} EUR (food {s.food_cost_eur:,.2f}), {s.status}, "
        f"checker {'ok' if outcome.ok else 'VIOLATIONS'}, {seconds:.0f} s"
    )
    return seconds


def _largest_gardener(folder: cycle.PlanFolder) -> tuple[str, float]:
    """The market gardener selling the most kg of fruit and vegetables in the plan."""
    sc = folder.scenario
    veg = {p.id for p in sc.products if p.family is Family.FRUITS_ET_LEGUMES}
    gardeners = {p.id for p in sc.producers if p.name.startswith("Maraîchage")}
    kg: dict[str, float] = {}
    for ln in folder.plan.lines:
        if ln.supplier_id in gardeners and ln.product_id in veg:
            kg[ln.supplier_id] = kg.get(ln.supplier_id, 0.0) + ln.quantity_kg
    best = max(kg, key=lambda p: kg[p])
    return best, kg[best]


def main(argv: list[str] | None = None) -> int:
    """Print both re-plans; exit 1 unless both pass the checkers and (a) changes fewer
    lines than (b)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plan-time-limit-s", type=float, default=120.0)
    ap.add_argument("--replan-time-limit-s", type=float, default=60.0)
    ap.add_argument("--from-week", type=int, default=10, help="1-based week of the plan.")
    ap.add_argument("--rounds", action="store_true", help="Plan the platform's rounds too.")
    ap.add_argument("--out", type=Path, default=None, help="Keep the plan folders here.")
    args = ap.parse_args(argv)
    root = args.out or Path(tempfile.mkdtemp(prefix="racines-replan-"))
    _plan_year(root / "year", args.plan_time_limit_s, args.rounds)
    folder = cycle.read_plan_folder(root / "year")
    gardener, kg = _largest_gardener(folder)
    since = folder.plan.weeks[args.from_week - 1]
    name = folder.scenario.producer(gardener).name
    print(
        f"largest market gardener: {gardener} ({name}), {kg:,.1f} kg of fruit and vegetables "
        f"in the year; drops out from week {args.from_week} ({since.isoformat()})"
    )
    gone = [Shortfall(producer_id=gardener, product_id="*", from_week=since, loss_pct=100.0)]
    params = SolveParams(time_limit_s=args.replan_time_limit_s, seed=folder.scenario.settings.seed)
    rows = []
    for label, objective in (("(a) re-plan, fewest changes", "lexicographic"),
                             ("(b) from scratch, cost only", "cost")):  # fmt: skip
        t0 = time.perf_counter()
        out = cycle.replan(
            folder.scenario, folder.plan, gone, params=params, objective=objective,  # type: ignore[arg-type]
            with_rounds=args.rounds, base_dir=DEMO,
        )  # fmt: skip
        seconds = time.perf_counter() - t0
        out.write_outputs(root / objective)
        rows.append((label, out, seconds))
    print(f"\nre-planned weeks: {since.isoformat()} .. {folder.plan.weeks[-1].isoformat()}, "
          f"{rows[0][1].summary()['previous_lines_replanned']} order lines in the year plan; "
          f"time limit {args.replan_time_limit_s:.0f} s each")  # fmt: skip
    head = (
        f"{'':<30} {'lines changed':>13} {'food EUR (weeks left)':>22} {'objective EUR':>14} "
        f"{'seconds':>8}  checkers"
    )
    print(head)
    print("-" * len(head))
    for label, out, seconds in rows:
        s = out.summary()
        verdict = f"plan {'ok' if out.outcome.ok else 'VIOLATIONS'}, re-plan " + (
            "ok" if out.replan_check.ok else "VIOLATIONS"
        )
        print(
            f"{label:<30} {s['changed_lines']:>13} "
            f"{s['food_cost_replanned_weeks_after_eur']:>22,.2f} "
            f"{s['objective_replanned_weeks_eur']:>14,.2f} {seconds:>8.0f}  {verdict}"
        )
    before = rows[0][1].summary()["food_cost_replanned_weeks_before_eur"]
    print(f"{'year plan as it was':<30} {'':>13} {before:>22,.2f}")
    fewer = rows[0][1].summary()["changed_lines"] < rows[1][1].summary()["changed_lines"]
    ok = all(out.ok for _, out, _ in rows)
    print(f"\nbar: (a) changes fewer lines than (b): {fewer}; both pass the checkers: {ok}")
    print(f"plan folders in {root}")
    return 0 if fewer and ok else 1


if __name__ == "__main__":
    sys.exit(main())
