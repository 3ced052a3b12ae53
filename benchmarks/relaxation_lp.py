"""The year relaxation by dual simplex against interior point (without crossover), on the
demo's school year and on one group of kitchens of synthetic territories.

Usage::

    uv run python benchmarks/relaxation_lp.py              # demo year, 1x, 16x group
    uv run python benchmarks/relaxation_lp.py --sizes 1,4  # other synthetic sizes

The relaxation is the LP that :func:`solver.sourcing.solve_relaxation` solves first in
every multi-window run (the windows wait for its signals, the bound starts from it). Each
problem is solved by both algorithms in the same process, one after the other, with the
same time limit; the table gives the seconds, the objectives (equal within the engines'
tolerances) and the ratio interior point / dual simplex. A synthetic territory cut in
groups contributes its first group (the size every group is cut to). Synthetic
territories are SYNTHETIC (``benchmarks/synthetic_territory.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.matching_scale import DEMO, SCHOOL_YEAR_START, SCHOOL_YEAR_WEEKS  # noqa: E402


def _demo() -> tuple[str, Any, Any]:
    from app.services import prepare
    from solver.scenario import load_scenario
    from solver.sourcing import build_match_data

    scenario = load_scenario(DEMO)
    ter = prepare(scenario, weeks=SCHOOL_YEAR_WEEKS, start=SCHOOL_YEAR_START, base_dir=DEMO)
    data = build_match_data(scenario, ter.demand, ter.meals, ter.eligibility)
    return "demo school year", scenario, data


def _synthetic(scale: int) -> tuple[str, Any, Any]:
    from benchmarks.synthetic_territory import make_territory
    from solver.prepare import build_eligibility
    from solver.sourcing import Decomposition, build_match_data
    from solver.sourcing.groups import kitchen_groups
    from solver.sourcing.restrict import restrict_kitchens

    terr = make_territory(scale)
    elig = build_eligibility(
        terr.scenario, terr.ids, terr.seconds, travel_source="estimate", estimated=True
    )
    data = build_match_data(terr.scenario, terr.demand, terr.meals, elig)
    groups = kitchen_groups(terr.scenario, data, 0, Decomposition().group_pair_weeks)
    name = f"synthetic {scale}x" + (f", group 1 of {len(groups)}" if len(groups) > 1 else "")
    return name, terr.scenario, restrict_kitchens(data, groups[0])


def main() -> None:
    """Solve each problem's relaxation both ways and print the table."""
    from solver.core import SolveParams
    from solver.sourcing import ObjectiveSpec, TargetPenalties, Tiebreak, solve_relaxation

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,16", help="synthetic scales")
    ap.add_argument("--time-limit", type=float, default=300.0)
    args = ap.parse_args()
    problems = [_demo()] if DEMO.exists() else []
    problems += [_synthetic(int(s)) for s in args.sizes.split(",") if s]
    print(
        f"{'problem':34} {'pair-wk':>8} {'simplex s':>10} {'IPM s':>8} {'IPM/simplex':>11} "
        f"{'simplex EUR':>14} {'IPM EUR':>14}"
    )
    for name, scenario, data in problems:
        st = scenario.settings
        spec = ObjectiveSpec(st.objective, st.target_mode, TargetPenalties(), Tiebreak())
        got = []
        for barrier in (False, True):
            rel = solve_relaxation(data, spec, SolveParams(), args.time_limit, barrier=barrier)
            got.append(
                (float("nan"), float("nan")) if rel is None else (rel.runtime_s, rel.objective_eur)
            )
        (s_s, s_eur), (b_s, b_eur) = got
        print(
            f"{name[:34]:34} {data.pair_weeks:8d} {s_s:10.1f} {b_s:8.1f} {b_s / s_s:11.2f} "
            f"{s_eur:14,.2f} {b_eur:14,.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
