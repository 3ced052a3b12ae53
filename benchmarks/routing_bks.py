"""Benchmark the product's rounds (``solve_rounds``) against best-known solutions, with OR-Tools.

Usage::

    uv run python benchmarks/routing_bks.py DIR --time-limit-s 10 [--routes-out OUT] [--instances N]

``DIR`` holds Li & Lim (PDPTW) and/or Solomon (VRPTW) instance files (format detected per file)
and a ``bks.csv`` as in ``/work/shared/benchmarks/``. Each instance is converted into the product's
own :class:`~solver.rounds.RoundsProblem` (:func:`to_rounds_problem`) and solved by the same
:func:`~solver.rounds.solve_rounds` the CLI (``racines rounds``) and the API (``POST /v1/rounds``)
call, with ``objective="fewest_vans"`` (the benchmarks' objective is hierarchical: fewest vans,
then distance). For each instance it prints the vans used, the distance, the gap to the
best-known distance and the time, for the product and for the baseline (OR-Tools routing with its
DEFAULT search parameters plus the same time limit, built on registered transit matrices). Then
per family (C1, C2, R1, R2, RC1, RC2 / lc1, lc2, lr1, lr2, lrc1, lrc2) the mean gap and the
instances reaching the best-known van count, and, as the last line, exactly
``mean gap to BKS: X.XX% (baseline Y.YY%)``. The gap is the distance gap; the objective being
hierarchical, a solution with MORE vans than the BKS is not better even when shorter, so its
negative gap counts as 0 (the raw mean is printed on the line before).

Conversion (:func:`to_rounds_problem`): every task is a site (the depot a ``depot``, Li & Lim
pickups ``farm``, deliveries and Solomon customers ``kitchen``) with its window ``[ready, due]``
and its service time as the site's fixed service (paid once per visit, as the literature's service
time); a Li & Lim pair is an order from its pickup site to its delivery site; a Solomon customer is
an order picked up at the depot (a delivery from the depot: the engine loads it at the start of
the trip, see :mod:`solver.rounds.engine`); the vans are the instance's fleet (capacity in kg,
1 EUR per distance unit / 1000, no hourly cost), shift = the depot's window. Distances and times
are Euclidean, scaled by ``SCALE`` (= 100) to integers: distances rounded to the nearest integer
for the objective, travel *times* rounded UP so a schedule accepted on the integers stays
feasible in exact arithmetic. Horizons are not capped at 24 h (a ``RoundsProblem`` allows times
past midnight), so the scaled windows are used as they are.

Every returned plan is verified twice: by the product's own checker
(:func:`solver.evaluation.check_rounds`, attached to the result) and by :func:`check_solution`,
an independent checker in double precision on the original (unscaled) data: each task once,
capacity along the route, time windows (service starts inside the window, early arrival waits),
depot horizon, pickup before its delivery on the same route, and the number of vans. The reported
distance is that checker's recomputed double-precision distance. A plan that fails either check
is counted as failed (no gap), and the failure is printed.

Runs on one thread (PyVRP is single-threaded; OR-Tools routing is single-threaded). The product's
budget is measured on the process CPU clock by default (``--clock cpu``, ``solve_rounds``'s
``clock="cpu"``): on a shared, loaded machine a wall-clock "10 s" can mean 3 s of computation.
``--clock wall`` uses the wall clock. OR-Tools gets the same number as a (wall-clock) time limit;
with its default search it stops at its first local optimum, usually well before. The ``time_s``
column is wall time.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from bks_io import Bks, Instance, read_bks, read_instance
from ortools.constraint_solver import pywrapcp

from solver.rounds import Order, RoundsProblem, RoundsResult, Site, Vehicle, solve_rounds

SCALE = 100
"""Integer scaling of coordinates-derived distances/times and of time windows."""

FIXED_COST_PER_VAN = 1_000 * SCALE
"""OR-Tools baseline: fixed cost per van used, in scaled distance units (1,000 unscaled)."""

EPS = 1e-9
"""Tolerance for float noise in the double-precision checker (times and distances)."""

DEPOT = "0"
"""Site id of the depot (task 0); other sites are their task id."""


@dataclass
class RunResult:
    """Outcome of one solver on one instance."""

    routes: list[list[int]]
    runtime_s: float
    vans: int = 0
    distance: float = math.nan
    ok: bool = False
    problems: tuple[str, ...] = ()


def _matrices(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    """Scaled integer (distance rounded, duration rounded up) matrices."""
    xy = np.array([(t.x, t.y) for t in inst.tasks], dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    exact = np.hypot(diff[..., 0], diff[..., 1]) * SCALE
    dist = np.rint(exact).astype(np.int64)
    # Round travel times UP; the 1e-9 only absorbs float noise on integral values (500.0000001).
    dur = np.ceil(exact - 1e-9).astype(np.int64)
    return dist, dur


# --------------------------------------------------------------------------------- product
def to_rounds_problem(inst: Instance) -> RoundsProblem:
    """The instance as the product's rounds problem (see the module docstring)."""
    dist, dur = _matrices(inst)
    depot = inst.tasks[0]
    pickups = {p for p, _ in inst.pairs}
    sites = []
    for t in inst.tasks:
        kind = "depot" if t.id == 0 else "farm" if t.id in pickups else "kitchen"
        sites.append(
            Site(
                id=str(t.id),
                lat=t.y,
                lon=t.x,
                kind=kind,  # type: ignore[arg-type]
                tw_start_s=t.ready * SCALE,
                tw_end_s=t.due * SCALE,
                service_s=t.service * SCALE,
            )
        )
    if inst.kind == "lilim":
        orders = [
            Order(f"o{p}", str(p), str(d), float(inst.tasks[p].demand)) for p, d in inst.pairs
        ]
    else:
        orders = [Order(f"o{t.id}", DEPOT, str(t.id), float(t.demand)) for t in inst.tasks[1:]]
    vans = [
        Vehicle(
            id=f"v{k + 1:02d}",
            capacity_kg=float(inst.capacity),
            depot_site_id=DEPOT,
            refrigerated=False,
            cost_eur_per_km=1.0,
            cost_eur_per_hour=0.0,
            shift_start_s=depot.ready * SCALE,
            shift_end_s=depot.due * SCALE,
            max_shift_s=(depot.due - depot.ready) * SCALE,
        )
        for k in range(inst.num_vehicles)
    ]
    return RoundsProblem(
        sites=tuple(sites),
        orders=tuple(orders),
        vehicles=tuple(vans),
        matrix_seconds=dur,
        matrix_metres=dist,
        travel_source="euclidean (benchmark instance)",
    )


def task_routes(result: RoundsResult) -> list[list[int]]:
    """Task ids visited by each route of a rounds result (the depot left out)."""
    routes = []
    for route in result.routes:
        visits = [int(s.site_id) for s in route.steps if s.site_id != DEPOT]
        routes.append([t for k, t in enumerate(visits) if k == 0 or t != visits[k - 1]])
    return routes


def solve_product(
    inst: Instance, time_limit_s: float, seed: int = 0, clock: str = "cpu"
) -> tuple[RunResult, list[str]]:
    """``solve_rounds`` on the converted instance (fewest vans, then distance); the run and the
    product checker's violations (empty when it passes)."""
    t0 = time.perf_counter()
    result = solve_rounds(
        to_rounds_problem(inst),
        time_limit_s=time_limit_s,
        seed=seed,
        objective="fewest_vans",
        clock="cpu" if clock == "cpu" else "wall",
    )
    problems = [] if result.check is None else [str(v) for v in result.check.violations]
    if result.unassigned:
        problems.append(f"{len(result.unassigned)} orders unassigned")
    run = RunResult(routes=task_routes(result), runtime_s=time.perf_counter() - t0)
    return run, problems


# -------------------------------------------------------------------------------- OR-Tools
def solve_ortools(inst: Instance, time_limit_s: float) -> RunResult:
    """OR-Tools routing, default search parameters + time limit, transit matrices."""
    t0 = time.perf_counter()
    dist, dur = _matrices(inst)
    n = len(inst.tasks)
    service = np.array([t.service * SCALE for t in inst.tasks], dtype=np.int64)
    transit_time = dur + service[:, None]  # service at the origin node, then travel
    np.fill_diagonal(transit_time, 0)
    manager = pywrapcp.RoutingIndexManager(n, inst.num_vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist_cb = routing.RegisterTransitMatrix(dist.tolist())
    time_cb = routing.RegisterTransitMatrix(transit_time.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    routing.SetFixedCostOfAllVehicles(FIXED_COST_PER_VAN)
    horizon = int(inst.tasks[0].due * SCALE)
    routing.AddDimension(time_cb, horizon, horizon, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    demands = [t.demand for t in inst.tasks]
    if inst.kind == "solomon":
        demands[0] = 0
    load_cb = routing.RegisterUnaryTransitVector(demands)
    routing.AddDimensionWithVehicleCapacity(
        load_cb, 0, [inst.capacity] * inst.num_vehicles, True, "Load"
    )
    for t in inst.tasks[1:]:
        time_dim.CumulVar(manager.NodeToIndex(t.id)).SetRange(t.ready * SCALE, t.due * SCALE)
    depot = inst.tasks[0]
    for v in range(inst.num_vehicles):
        time_dim.CumulVar(routing.Start(v)).SetRange(depot.ready * SCALE, depot.due * SCALE)
        time_dim.CumulVar(routing.End(v)).SetRange(depot.ready * SCALE, depot.due * SCALE)
    solver = routing.solver()
    for p_id, d_id in inst.pairs:
        pi, di = manager.NodeToIndex(p_id), manager.NodeToIndex(d_id)
        routing.AddPickupAndDelivery(pi, di)
        solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
        solver.Add(time_dim.CumulVar(pi) <= time_dim.CumulVar(di))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    sol = routing.SolveWithParameters(params)
    routes: list[list[int]] = []
    if sol is not None:
        for v in range(inst.num_vehicles):
            idx = sol.Value(routing.NextVar(routing.Start(v)))
            visits = []
            while not routing.IsEnd(idx):
                visits.append(manager.IndexToNode(idx))
                idx = sol.Value(routing.NextVar(idx))
            if visits:
                routes.append(visits)
    return RunResult(routes=routes, runtime_s=time.perf_counter() - t0)


# --------------------------------------------------------------------------------- checker
def check_solution(inst: Instance, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Verify ``routes`` on the original data in double precision.

    Returns the total distance and the list of problems (empty when feasible).
    """
    problems: list[str] = []
    tasks = inst.tasks
    depot = tasks[0]
    seen: dict[int, int] = {}
    total = 0.0
    if not routes:
        problems.append("no solution")
    if len(routes) > inst.num_vehicles:
        problems.append(f"{len(routes)} routes > {inst.num_vehicles} vehicles")
    for r, route in enumerate(routes):
        t = float(depot.ready)
        load = 0
        prev = 0
        pos: dict[int, int] = {}
        for k, tid in enumerate(route):
            if not 1 <= tid < len(tasks):
                problems.append(f"route {r}: unknown task {tid}")
                continue
            if tid in seen:
                problems.append(f"task {tid} on routes {seen[tid]} and {r}")
            seen[tid] = r
            pos[tid] = k
            task = tasks[tid]
            leg = inst.distance(prev, tid)
            total += leg
            t = max(t + leg, float(task.ready))
            if t > task.due + EPS:
                problems.append(f"route {r}: task {tid} starts {t:.4f} > due {task.due}")
            t += task.service
            load += task.demand
            if load > inst.capacity:
                problems.append(f"route {r}: load {load} > capacity {inst.capacity} at {tid}")
            if load < 0:
                problems.append(f"route {r}: negative load {load} at {tid}")
            prev = tid
        leg = inst.distance(prev, 0)
        total += leg
        t += leg
        if t > depot.due + EPS:
            problems.append(f"route {r}: back at depot {t:.4f} > {depot.due}")
        for p_id, d_id in inst.pairs:
            in_p, in_d = p_id in pos, d_id in pos
            if in_p != in_d:
                problems.append(f"pair {p_id}->{d_id} split across routes")
            elif in_p and pos[p_id] > pos[d_id]:
                problems.append(f"route {r}: delivery {d_id} before pickup {p_id}")
    missing = [t.id for t in tasks[1:] if t.id not in seen]
    if missing:
        problems.append(f"{len(missing)} tasks not served (first {missing[:5]})")
    return total, problems


def _evaluate(inst: Instance, res: RunResult) -> RunResult:
    res.vans = len(res.routes)
    dist, problems = check_solution(inst, res.routes)
    res.ok = not problems
    res.problems = tuple(problems)
    res.distance = dist if res.ok else math.nan
    return res


def _family(name: str) -> str:
    """C1, R2, RC1, ... (Solomon) or lc1, lr2, lrc1, ... (Li & Lim): letters and first digit."""
    m = re.match(r"([a-zA-Z]+)(\d)", name)
    return m.group(1) + m.group(2) if m else name


def _gap(res: RunResult, bks: Bks | None, *, raw: bool = False) -> float:
    """Distance gap to the BKS, %.

    Under the hierarchical objective a solution with MORE vans than the BKS is not better even
    when it is shorter, so its negative distance gap is counted as 0 (``raw=True`` keeps it).
    """
    if not res.ok or bks is None:
        return math.nan
    gap = 100.0 * (res.distance - bks.distance) / bks.distance
    if not raw and res.vans > bks.vehicles:
        gap = max(gap, 0.0)
    return 0.0 if abs(gap) < 0.005 else gap  # BKS tables have 2 decimals: no "-0.00"


def _mean(values: list[float]) -> float:
    vals = [v for v in values if not math.isnan(v)]
    return sum(vals) / len(vals) if vals else math.nan


@dataclass
class Row:
    """One instance: its best-known solution, the product's run and the baseline's."""

    name: str
    bks: Bks | None
    ours: RunResult
    base: RunResult | None


def _hits(rows: list[Row], who: str) -> int:
    """Instances where ``who`` (``ours`` or ``base``) passes the checks with <= BKS vans."""
    runs = [(r.bks, getattr(r, who)) for r in rows]
    return sum(1 for b, x in runs if b and x is not None and x.ok and x.vans <= b.vehicles)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("dir", type=Path, help="Folder with instance files and bks.csv.")
    ap.add_argument("--time-limit-s", type=float, default=10.0, help="Seconds per instance.")
    ap.add_argument("--routes-out", type=Path, default=None, help="Write OUT/<inst>.json.")
    ap.add_argument("--instances", type=int, default=None, help="Only the first N instances.")
    ap.add_argument("--seed", type=int, default=0, help="Engine seed.")
    ap.add_argument("--no-baseline", action="store_true", help="Skip the OR-Tools baseline.")
    ap.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="Product budget on process CPU time (default; fair on a shared machine) or wall time.",
    )
    return ap.parse_args(argv)


def _run(inst: Instance, bks: Bks | None, args: argparse.Namespace) -> Row:
    """Solve one instance with the product (and the baseline), both checked; print its line."""
    run, product_problems = solve_product(inst, args.time_limit_s, seed=args.seed, clock=args.clock)
    ours = _evaluate(inst, run)
    if product_problems:
        ours.ok = False
        ours.problems = ours.problems + tuple(f"product: {p}" for p in product_problems)
    base = None if args.no_baseline else _evaluate(inst, solve_ortools(inst, args.time_limit_s))
    if args.routes_out is not None:
        out = args.routes_out / f"{inst.name}.json"
        out.write_text(json.dumps({"routes": ours.routes}), encoding="utf-8")
    b_v = f"{bks.vehicles:>5} {bks.distance:>9.2f}" if bks else f"{'?':>5} {'?':>9}"
    line = (
        f"{inst.name:<10} {b_v} | {ours.vans:>4} {ours.distance:>9.2f} "
        f"{_gap(ours, bks):>6.2f} {ours.runtime_s:>6.1f}"
    )
    if base is not None:
        line += (
            f" | {base.vans:>6} {base.distance:>9.2f} {_gap(base, bks):>9.2f} "
            f"{base.runtime_s:>6.1f}"
        )
    print(line, flush=True)
    for who, res in (("product", ours), ("baseline", base)):
        if res is not None and not res.ok:
            print(f"  {who} FAILED check on {inst.name}: {'; '.join(res.problems[:3])}")
    return Row(inst.name, bks, ours, base)


def _print_families(rows: list[Row], baseline: bool) -> None:
    """Per family: instances, mean gap and best-known van hits (and the baseline's)."""
    head = f"{'family':<8} {'n':>3} {'gap%':>7} {'bks_vans':>9}"
    print(head + (f" {'base_gap%':>9} {'base_bks_vans':>13}" if baseline else ""))
    for fam in sorted({_family(r.name) for r in rows}):
        sub = [r for r in rows if _family(r.name) == fam]
        gap = _mean([_gap(r.ours, r.bks) for r in sub])
        line = f"{fam:<8} {len(sub):>3} {gap:>7.2f} {_hits(sub, 'ours'):>5}/{len(sub):<3}"
        if baseline:
            bgap = _mean([_gap(r.base, r.bks) for r in sub if r.base is not None])
            line += f" {bgap:>9.2f} {_hits(sub, 'base'):>9}/{len(sub)}"
        print(line)


def _print_totals(rows: list[Row], baseline: bool) -> None:
    """Checks passed, van hits, raw and counted mean gaps; the last line is the summary."""
    n = len(rows)
    ok = sum(1 for r in rows if r.ours.ok)
    hits = _hits(rows, "ours")
    print(
        f"product (solve_rounds, fewest vans): {ok}/{n} plans pass both checkers, best-known "
        f"vans on {hits}/{n} ({100.0 * hits / max(n, 1):.1f}%)"
    )
    bases = [(r.base, r.bks) for r in rows if r.base is not None]
    if baseline:
        base_ok = sum(1 for x, _ in bases if x.ok)
        print(
            f"baseline (OR-Tools default search): {base_ok}/{n} pass the checker "
            f"(failed/no solution excluded from its mean), best-known vans on "
            f"{_hits(rows, 'base')}/{n}"
        )
    mean_ours = _mean([_gap(r.ours, r.bks) for r in rows])
    mean_base = _mean([_gap(x, b) for x, b in bases])
    raw_ours = _mean([_gap(r.ours, r.bks, raw=True) for r in rows])
    raw_base = _mean([_gap(x, b, raw=True) for x, b in bases])
    print(
        f"raw distance gap (negative gaps of solutions with more vans than the BKS kept): "
        f"{raw_ours:.2f}% (baseline {raw_base:.2f}%); the line below counts those as 0"
    )
    print(f"mean gap to BKS: {mean_ours:.2f}% (baseline {mean_base:.2f}%)")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    args = _arguments(argv)
    bks_path = args.dir / "bks.csv"
    bks_table = read_bks(bks_path) if bks_path.exists() else {}
    files = sorted(p for p in args.dir.iterdir() if p.suffix.lower() == ".txt")
    if args.instances is not None:
        files = files[: args.instances]
    if args.routes_out is not None:
        args.routes_out.mkdir(parents=True, exist_ok=True)
    header = (
        f"{'instance':<10} {'bks_v':>5} {'bks_dist':>9} | {'vans':>4} {'distance':>9} "
        f"{'gap%':>6} {'time_s':>6}"
    )
    if not args.no_baseline:
        header += f" | {'base_v':>6} {'base_dist':>9} {'base_gap%':>9} {'base_s':>6}"
    print(header)
    print("-" * len(header))
    rows = []
    for path in files:
        inst = read_instance(path)
        rows.append(_run(inst, bks_table.get(inst.name), args))
    print()
    _print_families(rows, not args.no_baseline)
    print()
    _print_totals(rows, not args.no_baseline)
    return 0 if all(r.ours.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
