"""Benchmark the rounds engine (PyVRP) against best-known solutions, with OR-Tools as baseline.

Usage::

    uv run python benchmarks/routing_bks.py DIR --time-limit-s 10 [--routes-out OUT] [--instances N]

``DIR`` holds Li & Lim (PDPTW) and/or Solomon (VRPTW) instance files (format detected per file)
and a ``bks.csv`` as in ``/work/shared/benchmarks/``. For each instance it prints the vans used,
the distance, the gap to the best-known distance and the time, for the engine and for the
baseline (OR-Tools routing with its DEFAULT search parameters plus the same time limit, built on
registered transit matrices). Then the mean gap per family (lc1, lc2, lr1, ... / c1, r1, ...) and,
as the last line, exactly ``mean gap to BKS: X.XX% (baseline Y.YY%)``. The gap is the distance gap;
the objective being hierarchical, a solution with MORE vans than the BKS is not better even when
shorter, so its negative gap counts as 0 (the raw mean is printed on the line before).

Modelling conventions (both solvers): Euclidean distance in double precision, travel time =
distance; everything is scaled by ``SCALE`` (= 100) to integers; distances are rounded to the
nearest integer for the objective, travel *times* are rounded UP so a schedule accepted on the
integers stays feasible in exact arithmetic. The objective is hierarchical (fewest vans, then
distance) through a fixed cost per van of ``FIXED_COST_PER_VAN`` scaled distance units.
The engine's budget is split in two phases (see :func:`solve_pyvrp`): the full fleet for
``FLEET_PHASE1_SHARE`` of it, then one van fewer than phase 1 used, kept only when feasible.

Every returned solution is verified by :func:`check_solution`, an independent checker in double
precision on the original (unscaled) data: each task once, capacity along the route, time windows
(service starts inside the window, early arrival waits), depot horizon, pickup before its delivery
on the same route, and the number of vans. The reported distance is the checker's recomputed
double-precision distance, not the solver's integer objective. A solution that fails the check
is counted as failed (no gap), and the failure is printed.

Runs on one thread (PyVRP is single-threaded; OR-Tools routing is single-threaded). The engine's
budget is measured on the process CPU clock by default (``--clock cpu``): on a shared, loaded
machine a wall-clock "10 s" can mean 3 s of computation, which made results vary from run to run.
``--clock wall`` restores the wall clock. OR-Tools gets the same number as a (wall-clock) time
limit; with its default search it stops at its first local optimum, usually well before.
The ``time_s`` column is wall time.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from bks_io import Bks, Instance, read_bks, read_instance
from ortools.constraint_solver import pywrapcp
from pyvrp import (
    Activity,
    Client,
    Depot,
    Location,
    ProblemData,
    Route,
    Shipment,
    Solution,
    VehicleType,
    solve,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

SCALE = 100
"""Integer scaling of coordinates-derived distances/times and of time windows."""

FIXED_COST_PER_VAN = 1_000 * SCALE
"""Fixed cost per van used, in scaled distance units (1,000 unscaled distance units)."""

FLEET_PHASE1_SHARE = 0.4
"""Share of the engine's budget for phase 1 (full fleet); the rest tries one van fewer."""

EPS = 1e-9
"""Tolerance for float noise in the double-precision checker (times and distances)."""


class CpuTimeLimit:
    """PyVRP stopping criterion on the process CPU time (one thread = one core's seconds).

    On a shared machine the wall clock under-counts the work a solver gets in "10 s"; the CPU
    clock gives every instance the same amount of computation whatever the load.
    """

    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self.start_s = time.process_time()

    def __call__(self, best_cost: float) -> bool:
        return time.process_time() - self.start_s >= self.limit_s


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


# ----------------------------------------------------------------------------------- PyVRP
def build_pyvrp(inst: Instance) -> ProblemData:
    """Translate an instance into PyVRP ``ProblemData`` (shipments for Li & Lim)."""
    dist, dur = _matrices(inst)
    depot = inst.tasks[0]
    locations = [Location(x=t.x, y=t.y) for t in inst.tasks]
    clients: list[Client] = []
    shipments: list[Shipment] = []
    if inst.kind == "lilim":
        for p_id, d_id in inst.pairs:
            p, d = inst.tasks[p_id], inst.tasks[d_id]
            shipments.append(
                Shipment(
                    pickup_location=p_id,
                    delivery_location=d_id,
                    pickup_tw_early=p.ready * SCALE,
                    pickup_tw_late=p.due * SCALE,
                    pickup_service_duration=p.service * SCALE,
                    delivery_tw_early=d.ready * SCALE,
                    delivery_tw_late=d.due * SCALE,
                    delivery_service_duration=d.service * SCALE,
                    amount=[p.demand],
                    name=str(p_id),
                )
            )
    else:
        for t in inst.tasks[1:]:
            clients.append(
                Client(
                    location=t.id,
                    delivery=[t.demand],
                    service_duration=t.service * SCALE,
                    tw_early=t.ready * SCALE,
                    tw_late=t.due * SCALE,
                    name=str(t.id),
                )
            )
    vt = VehicleType(
        num_available=inst.num_vehicles,
        capacity=[inst.capacity],
        fixed_cost=FIXED_COST_PER_VAN,
        tw_early=depot.ready * SCALE,
        tw_late=depot.due * SCALE,
    )
    return ProblemData(
        locations=locations,
        clients=clients,
        depots=[Depot(location=0, tw_early=depot.ready * SCALE, tw_late=depot.due * SCALE)],
        vehicle_types=[vt],
        distance_matrices=[dist],  # type: ignore[list-item]  # PyVRP stub: ndarray[int, ...]
        duration_matrices=[dur],  # type: ignore[list-item]
        shipments=shipments,
    )


def _routes_of(data: ProblemData, sol: Solution) -> list[list[int]]:
    """Task ids visited by each route of a PyVRP solution (depots left out)."""
    routes: list[list[int]] = []
    for route in sol.routes():
        visits: list[int] = []
        for act in route.schedule():
            if act.is_depot():
                continue
            if act.is_shipment():
                sh = data.shipment(act.idx)
                visits.append(sh.pickup.location if act.is_pickup() else sh.delivery.location)
            else:
                visits.append(data.client(act.idx).location)
        routes.append(visits)
    return routes


def _drop_shortest_route(data: ProblemData, sol: Solution) -> Solution:
    """``sol`` rebuilt on ``data`` without its route with the fewest stops (those go unplanned)."""
    kept = sorted(sol.routes(), key=len)[1:]
    routes = [
        Route(
            data,
            [Activity(act.type, act.idx) for act in r.schedule() if not act.is_depot()],
            r.vehicle_type(),
        )
        for r in kept
    ]
    return Solution(data, routes)


def _stop(clock: str, limit_s: float) -> CpuTimeLimit | MaxRuntime:
    return CpuTimeLimit(limit_s) if clock == "cpu" else MaxRuntime(limit_s)


def solve_pyvrp(
    inst: Instance, time_limit_s: float, seed: int = 0, clock: str = "cpu"
) -> RunResult:
    """Solve with PyVRP's iterated local search for ``time_limit_s`` seconds (CPU or wall).

    Two phases in the same budget. Phase 1 (``FLEET_PHASE1_SHARE`` of it) searches with the
    full fleet. If it finds a feasible solution with ``k`` vans, phase 2 searches the rest of the
    budget with the fleet capped at ``k - 1`` vans, starting from phase 1's best solution minus
    its shortest route (those stops are reinserted by the search); phase 2's result is kept only
    when it is feasible (PyVRP's own check; the exact checker runs afterwards as for any run).
    """
    t0 = time.perf_counter()
    data = build_pyvrp(inst)
    res = solve(
        data, stop=_stop(clock, FLEET_PHASE1_SHARE * time_limit_s), seed=seed, collect_stats=False
    )
    best = res.best
    if best.is_feasible() and best.num_routes() > 1:
        fewer = data.replace(
            vehicle_types=[data.vehicle_type(0).replace(num_available=best.num_routes() - 1)]
        )
        with warnings.catch_warnings():  # a capped fleet may be infeasible: not an error
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            res2 = solve(
                fewer,
                stop=_stop(clock, (1.0 - FLEET_PHASE1_SHARE) * time_limit_s),
                seed=seed + 1,
                collect_stats=False,
                initial_solution=_drop_shortest_route(fewer, best),
            )
        if res2.best.is_feasible():
            return RunResult(
                routes=_routes_of(fewer, res2.best), runtime_s=time.perf_counter() - t0
            )
    routes = _routes_of(data, best) if best.is_feasible() else []
    return RunResult(routes=routes, runtime_s=time.perf_counter() - t0)


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
    m = re.match(r"([a-zA-Z]+)(\d)", name)
    return (m.group(1) + m.group(2)).lower() if m else name.lower()


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, help="Folder with instance files and bks.csv.")
    ap.add_argument("--time-limit-s", type=float, default=10.0, help="Seconds per instance.")
    ap.add_argument("--routes-out", type=Path, default=None, help="Write OUT/<inst>.json.")
    ap.add_argument("--instances", type=int, default=None, help="Only the first N instances.")
    ap.add_argument("--seed", type=int, default=0, help="PyVRP seed.")
    ap.add_argument("--no-baseline", action="store_true", help="Skip the OR-Tools baseline.")
    ap.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="Engine budget on process CPU time (default; fair on a shared machine) or wall time.",
    )
    args = ap.parse_args(argv)

    bks_path = args.dir / "bks.csv"
    bks_table = read_bks(bks_path) if bks_path.exists() else {}
    files = sorted(p for p in args.dir.iterdir() if p.suffix.lower() == ".txt")
    if args.instances is not None:
        files = files[: args.instances]
    if args.routes_out is not None:
        args.routes_out.mkdir(parents=True, exist_ok=True)

    header = (
        f"{'instance':<10} {'bks_v':>5} {'bks_dist':>9} | {'vans':>4} {'distance':>9} "
        f"{'gap%':>6} {'time_s':>6} | {'base_v':>6} {'base_dist':>9} {'base_gap%':>9} "
        f"{'base_s':>6}"
    )
    print(header)
    print("-" * len(header))
    rows: list[tuple[str, Bks | None, RunResult, RunResult | None]] = []
    for path in files:
        inst = read_instance(path)
        bks = bks_table.get(inst.name)
        ours = _evaluate(
            inst, solve_pyvrp(inst, args.time_limit_s, seed=args.seed, clock=args.clock)
        )
        base = None
        if not args.no_baseline:
            base = _evaluate(inst, solve_ortools(inst, args.time_limit_s))
        rows.append((inst.name, bks, ours, base))
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
        for who, res in (("engine", ours), ("baseline", base)):
            if res is not None and not res.ok:
                print(f"  {who} FAILED check on {inst.name}: {'; '.join(res.problems[:3])}")

    print()
    print(
        f"{'family':<8} {'n':>3} {'gap%':>7} {'bks_vans':>9} {'base_gap%':>9} {'base_bks_vans':>13}"
    )
    families = sorted({_family(name) for name, *_ in rows})
    for fam in families:
        sub = [r for r in rows if _family(r[0]) == fam]
        gap = _mean([_gap(o, b) for _, b, o, _ in sub])
        vans = sum(1 for _, b, o, _ in sub if b and o.ok and o.vans <= b.vehicles)
        bgap = _mean([_gap(x, b) for _, b, _, x in sub if x is not None])
        bvans = sum(
            1 for _, b, _, x in sub if b and x is not None and x.ok and x.vans <= b.vehicles
        )
        print(
            f"{fam:<8} {len(sub):>3} {gap:>7.2f} {vans:>5}/{len(sub):<3} {bgap:>9.2f} "
            f"{bvans:>9}/{len(sub)}"
        )

    n = len(rows)
    ok = sum(1 for r in rows if r[2].ok)
    bks_vans = sum(1 for _, b, o, _ in rows if b and o.ok and o.vans <= b.vehicles)
    base_ok = sum(1 for r in rows if r[3] is not None and r[3].ok)
    print()
    print(
        f"engine (PyVRP): {ok}/{n} solutions pass the exact checker, best-known vans on "
        f"{bks_vans}/{n} ({100.0 * bks_vans / max(n, 1):.1f}%)"
    )
    if not args.no_baseline:
        b_vans = sum(
            1 for _, b, _, x in rows if b and x is not None and x.ok and x.vans <= b.vehicles
        )
        print(
            f"baseline (OR-Tools default search): {base_ok}/{n} pass the checker "
            f"(failed/no solution excluded from its mean), best-known vans on {b_vans}/{n}"
        )
    mean_ours = _mean([_gap(o, b) for _, b, o, _ in rows])
    mean_base = _mean([_gap(x, b) for _, b, _, x in rows if x is not None])
    raw_ours = _mean([_gap(o, b, raw=True) for _, b, o, _ in rows])
    raw_base = _mean([_gap(x, b, raw=True) for _, b, _, x in rows if x is not None])
    print(
        f"raw distance gap (negative gaps of solutions with more vans than the BKS kept): "
        f"{raw_ours:.2f}% (baseline {raw_base:.2f}%); the line below counts those as 0"
    )
    print(f"mean gap to BKS: {mean_ours:.2f}% (baseline {mean_base:.2f}%)")
    return 0 if ok == n else 1


if __name__ == "__main__":
    sys.exit(main())
