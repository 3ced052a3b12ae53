"""Sourcing model at scale: the demo's full school year, a 1x/4x/16x/64x synthetic curve,
the greedy, and the speed-up of a Dask cluster.

Usage::

    uv run python benchmarks/matching_scale.py                  # demo + sizes 1,4
    uv run python benchmarks/matching_scale.py --sizes 1,4,16   # 16x takes up to 20 min
    uv run python benchmarks/matching_scale.py --sizes 64       # 64x: up to 60 min
    uv run python benchmarks/matching_scale.py --no-demo --sizes "" --workers 1,2
                                                # 16x on LocalClusters of 1 and 2 workers
    uv run python benchmarks/matching_scale.py --no-demo --engines   # HiGHS vs SCIP vs CP-SAT
    ... --readme benchmarks/README.md          # also append the tables there, dated

The bound is the one ``SourcingResult.bound_kind`` names: of the whole problem (one
group of kitchens) or of the territory with the shared capacity priced (groups). With
``--workers`` the same territory is solved on a LocalCluster of each size; the speed-up
compares the independent solves each finishes (relaxations, pricing passes, bound
windows: task-seconds of engine time) per wall-clock second, since a time-limited run
always ends at its limit.

Every size runs in a fresh process (``spawn``) so that its peak RSS (``ru_maxrss``,
engine memory included) is its own; "tree MB" is the peak of that process and all its
descendants together (a LocalCluster's workers included), sampled twice a second, and
"all s" the wall time of preparation, solve, greedy and checker together. For each
territory the table gives the optimiser's solve time, status, cost, lower bound and gap,
its peak memory, and the greedy baseline (nearest-then-cheapest producer first,
:mod:`solver.sourcing.greedy`) on the same territory: total cost (food + logistics
estimate + target penalties, the optimiser's objective), organic %, local %, deliveries
per kitchen-week, with ratios optimiser / greedy. Every plan is verified by the
independent checker (:func:`solver.evaluation.check_plan`; its verdict, violations and
seconds are printed with the bound method). Synthetic territories
are SYNTHETIC (``benchmarks/synthetic_territory.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "baronnies"
SCHOOL_YEAR_START = dt.date(2025, 9, 1)
SCHOOL_YEAR_WEEKS = 44  # calendar weeks from 2025-09-01 to 2026-07-03 (36 with service)


def _metrics(plan: Any, meals: Any, objective_eur: float) -> dict[str, float]:
    lines = plan.lines
    total = sum(x.value_eur for x in lines) or 1.0
    bio = sum(x.value_eur for x in lines if "BIO" in {str(lab) for lab in x.labels})
    local = sum(x.value_eur for x in lines if x.local)
    deliveries = {(x.week_start, x.kitchen_id, x.supplier_id, x.channel) for x in lines}
    platform = {(w, k) for (w, k, _, c) in deliveries if str(c) == "platform"}
    other = {d for d in deliveries if str(d[3]) != "platform"}
    served = meals[meals["meals"] > 0][["kitchen_id", "week_start"]].drop_duplicates()
    return {
        "total_eur": objective_eur,
        "food_eur": total,
        "bio_pct": 100 * bio / total,
        "local_pct": 100 * local / total,
        "deliveries_per_week": (len(other) + len(platform)) / max(len(served), 1),
    }


def _penalised(scenario: Any, data_args: tuple[Any, ...], plan: Any) -> float:
    """Greedy plan's cost with the optimiser's objective (food + logistics + penalties)."""
    from solver.sourcing import TargetPenalties, build_match_data

    demand, meals, elig = data_args
    data = build_match_data(scenario, demand, meals, elig)
    pen = TargetPenalties()
    k_of = {k: j for j, k in enumerate(data.kitchens)}
    n = len(data.kitchens)
    v, e, b, mv, me, lo = (np.zeros(n) for _ in range(6))
    mf_products = {p.id for p in scenario.products if p.is_meat_or_fish}
    from solver.core import EgalimGroup, egalim_group

    for x in plan.lines:
        k = k_of[x.kitchen_id]
        grp = egalim_group(x.labels)
        eg = grp is not EgalimGroup.NON_EGALIM
        v[k] += x.value_eur
        e[k] += x.value_eur * eg
        b[k] += x.value_eur * (grp is EgalimGroup.BIO)
        lo[k] += x.value_eur * x.local
        if x.product_id in mf_products:
            mv[k] += x.value_eur
            me[k] += x.value_eur * eg
    meals_k = data.meals.sum(axis=1)
    short = (
        pen.egalim * np.maximum(0, data.t_egalim * v - e)
        + pen.bio * np.maximum(0, data.t_bio * v - b)
        + pen.meat_fish_egalim * np.maximum(0, data.t_meat_fish * mv - me)
        + pen.local * np.maximum(0, data.t_local * v - lo)
        + pen.budget * np.maximum(0, v - data.budget_eur_per_meal * meals_k)
    )
    return float(v.sum() + plan.logistics_cost_eur + short.sum())


class TreeMemory:
    """Peak resident memory of this process and all its descendants (a LocalCluster's
    nanny and worker processes included), sampled every ``every_s`` seconds."""

    def __init__(self, every_s: float = 0.5) -> None:
        import threading

        self.peak_mb = 0.0
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> float:
        import contextlib

        import psutil

        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            # a process may end between the listing and the read
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            self._stop.wait(self._every_s)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._sample())


def run_one(
    kind: str, scale: int, time_limit_s: float, window_weeks: int | None, workers: int = 0
) -> dict[str, Any]:
    """Solve one territory (in its own process, on a LocalCluster of ``workers`` worker
    processes when not 0) and return the table row."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    with TreeMemory() as tree:
        row = _run_one(kind, scale, time_limit_s, window_weeks, workers)
    row["tree_rss_mb"] = tree.peak_mb
    return row


def _run_one(
    kind: str, scale: int, time_limit_s: float, window_weeks: int | None, workers: int
) -> dict[str, Any]:
    from solver.core import SolveParams
    from solver.prepare import build_eligibility
    from solver.sourcing import greedy_plan, solve_sourcing

    t0 = time.perf_counter()
    if kind == "demo":
        from app.services import prepare
        from solver.scenario import load_scenario

        scenario = load_scenario(DEMO)
        ter = prepare(scenario, weeks=SCHOOL_YEAR_WEEKS, start=SCHOOL_YEAR_START, base_dir=DEMO)
        demand, meals, elig = ter.demand, ter.meals, ter.eligibility
        name = "demo Baronnies (real communes, synthetic supply)"
    else:
        from benchmarks.synthetic_territory import make_territory

        terr = make_territory(scale)
        scenario, demand, meals = terr.scenario, terr.demand, terr.meals
        elig = build_eligibility(
            scenario, terr.ids, terr.seconds, travel_source="estimate", estimated=True
        )
        name = f"synthetic {scale}x"
    prep_s = time.perf_counter() - t0
    params = SolveParams(time_limit_s=time_limit_s, window_weeks=window_weeks)
    if workers:
        from app.cluster import open_cluster

        with open_cluster(f"local:{workers}") as runner:
            res = solve_sourcing(scenario, demand, meals, elig, params=params, runner=runner)
        name += f", {workers} Dask worker(s)"
    else:
        res = solve_sourcing(scenario, demand, meals, elig, params=params)
    t1 = time.perf_counter()
    greedy = greedy_plan(scenario, demand, meals, elig)
    greedy_s = time.perf_counter() - t1
    greedy_total = _penalised(scenario, (demand, meals, elig), greedy)
    from solver.evaluation import check_plan

    t2 = time.perf_counter()
    chk = check_plan(scenario, demand, meals, elig, res.plan)
    check_ok = f"{chk.ok} ({len(chk.violations)} violations, {time.perf_counter() - t2:.0f} s)"
    opt = _metrics(res.plan, meals, res.objective_eur)
    gre = _metrics(greedy, meals, greedy_total)
    return {
        "name": name,
        "kitchens": int(demand["kitchen_id"].nunique()),
        "producers": len(scenario.producers),
        "weeks": len(res.plan.weeks),
        "prep_s": prep_s,
        "solve_s": res.runtime_s,
        "status": res.status,
        "objective": res.objective_eur,
        "bound": res.lower_bound_eur,
        "bound_method": res.bound_method,
        "bound_kind": res.bound_kind,
        "gap": res.gap,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "windows": len(res.windows),
        "max_window_vars": max(w.n_vars for w in res.windows),
        "max_window_binaries": max(w.n_binaries for w in res.windows),
        "opt": opt,
        "greedy": gre,
        "greedy_s": greedy_s,
        "check": check_ok,
        "bound_s": res.bound_runtime_s,
        "groups": res.groups,
        "shortfalls": len(res.target_shortfalls),
        "wall_s": time.perf_counter() - t0,
    }


def _child(queue: Any, *args: Any) -> None:
    """Run :func:`run_one` in a child process and send its row back."""
    queue.put(run_one(*args))


def engines(time_limit_s: float) -> None:
    """Same 4-week window of the 1x synthetic territory with HiGHS, SCIP and CP-SAT."""
    from benchmarks.synthetic_territory import make_territory
    from solver.core import ObjectiveMode, SolveParams, TargetMode
    from solver.prepare import build_eligibility
    from solver.sourcing import (
        ObjectiveSpec,
        TargetPenalties,
        Tiebreak,
        build_match_data,
        build_window,
        initial_state,
        solve_window,
    )

    terr = make_territory(1)
    elig = build_eligibility(
        terr.scenario, terr.ids, terr.seconds, travel_source="e", estimated=True
    )
    data = build_match_data(terr.scenario, terr.demand, terr.meals, elig)
    m = build_window(
        data,
        4,
        8,
        initial_state(data),
        ObjectiveSpec(ObjectiveMode.MIN_COST, TargetMode.SOFT, TargetPenalties(), Tiebreak()),
    )
    print(
        f"\nEngines on one 4-week window (1x synthetic): {m.vars.n} vars, {m.rows.n} rows, "
        f"{m.n_binaries} binaries, limit {time_limit_s:.0f} s, 1-2 threads"
    )
    print(f"{'engine':8} {'status':26} {'objective':>12} {'bound':>12} {'gap':>8} {'time s':>7}")
    for engine in ("highs", "scip", "cpsat"):
        try:
            sol = solve_window(m, SolveParams(), time_limit_s, engine=engine)
            gap = (
                (sol.objective - sol.bound) / abs(sol.objective)
                if sol.has_solution
                else float("nan")
            )
            print(
                f"{engine:8} {sol.status:26} {sol.objective:12.2f} {sol.bound:12.2f} "
                f"{gap:8.3%} {sol.runtime_s:7.1f}"
            )
        except Exception as exc:  # an engine refusing the model is a result here
            print(f"{engine:8} refused: {str(exc)[:90]}")


def _print(rows: list[dict[str, Any]]) -> None:
    print("\nSourcing model (HiGHS via MathOpt, windows + bound) vs greedy baseline")
    head = (
        f"{'territory':42} {'K':>4} {'P':>5} {'wk':>3} {'solve s':>8} {'status':>9} "
        f"{'cost EUR':>12} {'bound EUR':>12} {'gap':>7} {'RSS MB':>7} {'tree MB':>7} "
        f"{'all s':>6}  bound of"
    )
    print(head)
    for r in rows:
        print(
            f"{r['name'][:42]:42} {r['kitchens']:4d} {r['producers']:5d} {r['weeks']:3d} "
            f"{r['solve_s']:8.1f} {r['status']:>9} {r['objective']:12,.0f} {r['bound']:12,.0f} "
            f"{r['gap']:7.2%} {r['peak_rss_mb']:7.0f} {r['tree_rss_mb']:7.0f} {r['wall_s']:6.0f}  "
            f"{r['bound_kind']}"
        )
    print("\nbound method, windows, biggest window, checker:")
    for r in rows:
        print(
            f"  {r['name'][:42]:42} {r['bound_method']} ({r['bound_s']:.0f} s of bound work); "
            f"{r['groups']} group(s) of kitchens, {r['windows']} windows, "
            f"<= {r['max_window_vars']} vars / {r['max_window_binaries']} binaries; "
            f"check {r['check']}; {r['shortfalls']} target misses"
        )
    print("\nValue added against the greedy (nearest, then cheapest producer first)")
    print(f"{'territory':42} {'':9} {'total EUR':>12} {'bio %':>6} {'local %':>7} {'deliv/wk':>8}")
    for r in rows:
        for who in ("opt", "greedy"):
            m = r[who]
            print(
                f"{r['name'][:42] if who == 'opt' else '':42} {who:9} {m['total_eur']:12,.0f} "
                f"{m['bio_pct']:6.1f} {m['local_pct']:7.1f} {m['deliveries_per_week']:8.2f}"
            )
        o, g = r["opt"], r["greedy"]
        print(
            f"{'':42} {'ratio':9} {o['total_eur'] / g['total_eur']:12.3f} "
            f"{o['bio_pct'] / max(g['bio_pct'], 1e-9):6.2f} "
            f"{o['local_pct'] / max(g['local_pct'], 1e-9):7.2f} "
            f"{o['deliveries_per_week'] / max(g['deliveries_per_week'], 1e-9):8.2f}"
        )


def _speedup(rows: list[dict[str, Any]]) -> None:
    """Task-seconds of the runner's solves per wall second, and the ratio to 1 worker."""
    print("\nDask workers: independent solves (task-seconds) per wall second")
    base = None
    for r in rows:
        rate = r["bound_s"] / max(r["solve_s"], 1e-9)
        base = rate if base is None else base
        print(
            f"  {r['name'][:60]:60} {r['solve_s']:7.1f} s wall, {r['bound_s']:7.1f} task-s, "
            f"{rate:5.2f} task-s/s, speed-up {rate / base:4.2f}x, gap {r['gap']:.2%}"
        )


def _readme(path: Path, command: str, text: str) -> None:
    """Append a dated section with the machine, the command and the output to ``path``."""
    import os
    import platform

    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    head = (
        f"\n## matching_scale.py, {dt.date.today().isoformat()}\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} cores{mem}, "
        f"Python {platform.python_version()}.\n\n```\n{command}\n```\n\n```\n"
    )
    with path.open("a", encoding="utf-8") as f:
        f.write(head + text.rstrip() + "\n```\n")


def main() -> None:
    """Parse the options, run every territory in its own process, print the tables."""
    import contextlib
    import io

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,4", help="synthetic scales, e.g. 1,4,16,64")
    ap.add_argument("--workers", default="", help="Dask worker counts, e.g. 1,2 (with 16x)")
    ap.add_argument("--workers-size", type=int, default=16, help="scale of the --workers run")
    ap.add_argument("--readme", type=Path, default=None, help="append the tables to this file")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo territory")
    ap.add_argument("--time-limit", type=float, default=120.0, help="seconds for the 1x/demo")
    ap.add_argument("--window-weeks", type=int, default=None, help="default: automatic")
    ap.add_argument("--engines", action="store_true", help="also compare HiGHS, SCIP, CP-SAT")
    args = ap.parse_args()
    jobs: list[tuple[str, int, float, int]] = []
    if not args.no_demo and DEMO.exists():
        jobs.append(("demo", 1, args.time_limit, 0))
    for s in [int(x) for x in args.sizes.split(",") if x]:
        jobs.append(("synthetic", s, _limit(args.time_limit, s), 0))
    n_plain = len(jobs)
    for w in [int(x) for x in args.workers.split(",") if x]:
        jobs.append(("synthetic", args.workers_size, _limit(args.time_limit, args.workers_size), w))
    ctx = mp.get_context("spawn")
    rows = []
    for kind, scale, limit, workers in jobs:
        queue = ctx.Queue()
        # a plain (non-daemonic) process: a LocalCluster starts worker processes of its own
        proc = ctx.Process(
            target=_child, args=(queue, kind, scale, limit, args.window_weeks, workers)
        )
        proc.start()
        row = queue.get()
        proc.join()
        rows.append(row)
        print(f"done: {row['name']} in {row['solve_s']:.1f} s, gap {row['gap']:.2%}", flush=True)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print(rows)
        if len(rows) > n_plain:
            _speedup(rows[n_plain:])
        if args.engines:
            engines(30.0)
    print(out.getvalue())
    if args.readme is not None:
        _readme(
            args.readme,
            "uv run python benchmarks/matching_scale.py " + " ".join(sys.argv[1:]),
            out.getvalue(),
        )


def _limit(base_s: float, scale: int) -> float:
    """The time limit of a territory: ``base_s`` at 1x, ``base_s`` x scale up to 20 min,
    and 45 min at 64x (whose preparation, greedy and checker fill most of the hour's
    remaining quarter)."""
    if scale >= 64:
        return 2700.0
    return base_s if scale == 1 else min(1200.0, base_s * scale)


if __name__ == "__main__":
    main()
