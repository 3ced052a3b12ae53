"""Delivery rounds of a farmers' platform: paired pickup-and-delivery van routes, day by day.

Days: orders carry their day; each day is solved separately with the whole fleet; the time
budget is shared across days in proportion to their orders. Each order is first screened alone
(:mod:`solver.rounds.screening`); the orders that pass are given to the engine
(:mod:`solver.rounds.engine`, PyVRP); the engine's visit orders are re-timed with the checker's
semantics (:mod:`solver.rounds.schedule`), each route leaving its depot as late as is useful.

Direct mode: each van collects orders at farms and delivers them to kitchens itself; a van
with ``max_trips > 1`` may come back to its depot and leave again (trips, re-timed together by
:func:`~solver.rounds.schedule.timed_trips`); an order picked up at the depot is loaded there.
With ``problem.cold_room`` set, an order may instead be collected the day before and stored
overnight in the cold room when that saves cost (:mod:`solver.rounds.overnight`).

Cross-dock mode (the platform's cold room): phase 1 *collection* routes bring each order from its
farm to the depot (shipments farm -> depot); phase 2 *delivery* routes take it from the depot to
its kitchen (shipments depot -> kitchen whose pickup window opens when the order was dropped in
the cold room). In phase 2 a van starts no earlier than it finished phase 1 and must be back by
``min(shift_end_s, phase-1 start + max_shift_s)``. An order collected but not delivered in phase 2
is removed from its collection route (re-timed) and reported ``FLEET_FULL``. Only the vans based
at the platform depot take part.

Known limits: cross-dock mode is same-day and its vans make one trip per phase; the overnight
choice is a two-pass heuristic (see its module), not a joint optimisation of the week.

The independent checker's verdict (:func:`solver.evaluation.check_rounds`) is attached to every
result.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from solver.evaluation import check_rounds
from solver.rounds.engine import Leg, Search, Trips, solve_legs
from solver.rounds.overnight import solve_overnight
from solver.rounds.problem import Clock, Mode, Objective, Order, RoundsProblem
from solver.rounds.result import RoundsResult, Route, Unassigned, summarise
from solver.rounds.schedule import Activity, latest_departure, timed_route, timed_trips
from solver.rounds.screening import fleet_full, screen

logger = logging.getLogger(__name__)


def finish(
    problem: RoundsProblem,
    routes: list[Route],
    unassigned: list[Unassigned],
    t0: float,
    mode: str,
    max_drive_s: int | None = None,
    overnight: Sequence[str] = (),
) -> RoundsResult:
    """The result: sorted routes and unassigned orders, summary, status, checker's verdict.

    ``t0`` is the ``time.perf_counter()`` at the start of the solve (for ``runtime_s``).
    """
    order_pos = {o.id: k for k, o in enumerate(problem.orders)}
    unassigned.sort(key=lambda u: order_pos.get(u.order_id, 0))
    routes.sort(key=lambda r: (r.day, r.vehicle_id, r.phase != "collection", r.trip))
    summary = summarise(problem, routes, unassigned)
    if not problem.orders:
        status = "NO_ORDERS"
    elif unassigned:
        status = "PARTIAL"
    else:
        status = "ALL_SERVED"
    result = RoundsResult(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        summary=summary,
        status=status,
        runtime_s=round(time.perf_counter() - t0, 3),
        travel_source=problem.travel_source,
        estimated=problem.estimated,
        mode=mode,
        max_drive_s=max_drive_s,
        overnight=tuple(overnight),
    )
    report = check_rounds(problem, result)
    if not report.ok:
        logger.error("rounds checker found %d violation(s): %s", len(report.violations), report)
    return replace(result, check=report)


def _cold_room_on(problem: RoundsProblem) -> bool:
    room = problem.cold_room
    return bool(problem.vehicles) and room is not None and any(room.capacity_kg.values())


def _days(problem: RoundsProblem) -> list[str]:
    seen: list[str] = []
    for o in problem.orders:
        if o.day not in seen:
            seen.append(o.day)
    return seen


def solve_rounds(
    problem: RoundsProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    mode: Mode = "direct",
    objective: Objective = "cost",
    clock: Clock = "wall",
) -> RoundsResult:
    """Plan the rounds of every day in ``problem``; the checker's verdict is attached.

    Parameters
    ----------
    problem
        Sites, orders (each with its day), vehicles and integer matrices.
    time_limit_s
        Total budget for the engine, shared across days (and phases), on ``clock``.
    seed
        Engine seed (the engine runs on one thread; the same seed and budget reproduce a result
        up to the time limit's effect on the number of iterations).
    mode
        ``"direct"``: each van collects and delivers orders itself; ``"cross_dock"``: farms ->
        depot collection, then depot -> kitchens delivery (see the module docstring).
    objective
        ``"cost"``: least cost (km and hours at the vans' rates, fixed cost per van and day);
        ``"fewest_vans"``: fewest vans each day first, then least cost (route elimination, see
        :mod:`solver.rounds.engine`), for a platform that wants to free vans.
    clock
        ``"wall"``: the budget is wall time; ``"cpu"``: CPU time of this process, so a loaded
        machine gets the same amount of search (benchmarks).

    Returns
    -------
    RoundsResult
        Routes, unassigned orders with reason codes and numbers, indicators and ``check``.
    """
    if mode not in ("direct", "cross_dock"):
        msg = f"mode must be 'direct' or 'cross_dock', got {mode!r}"
        raise ValueError(msg)
    if objective not in ("cost", "fewest_vans"):
        msg = f"objective must be 'cost' or 'fewest_vans', got {objective!r}"
        raise ValueError(msg)
    if clock not in ("wall", "cpu"):
        msg = f"clock must be 'wall' or 'cpu', got {clock!r}"
        raise ValueError(msg)
    how = Search(seed, objective, clock)
    t0 = time.perf_counter()
    routes: list[Route] = []
    unassigned: list[Unassigned] = []
    by_day: dict[str, list[Order]] = defaultdict(list)
    for o in problem.orders:
        by_day[o.day].append(o)
    if mode == "direct" and _cold_room_on(problem):
        r, u, stored = solve_overnight(problem, by_day, _days(problem), time_limit_s, how)
        return finish(problem, r, u, t0, mode, overnight=stored)
    total = max(1, sum(len(v) for v in by_day.values()))
    for day in _days(problem):
        budget = time_limit_s * len(by_day[day]) / total
        if mode == "direct":
            r, u = _solve_direct_day(problem, day, by_day[day], budget, how)
        else:
            r, u = _solve_cross_dock_day(problem, day, by_day[day], budget, how)
        routes += r
        unassigned += u
    return finish(problem, routes, unassigned, t0, mode)


def _one_trip(plan: dict[str, Trips]) -> dict[str, list[Activity]]:
    """Vehicle id -> its activities, for single-trip vans."""
    return {vid: [a for trip in trips for a in trip] for vid, trips in plan.items()}


def _solve_direct_day(
    problem: RoundsProblem, day: str, orders: list[Order], budget_s: float, how: Search
) -> tuple[list[Route], list[Unassigned]]:
    ok, bad = screen(problem, orders, day)
    legs = [Leg(o, o.pickup_site_id, o.delivery_site_id) for o in ok]
    windows = {v.id: (v.shift_start_s, v.shift_end_s) for v in problem.vehicles}
    plan = solve_legs(problem, legs, problem.vehicles, windows, budget_s, how)
    vehicles = {v.id: v for v in problem.vehicles}
    routes = [
        r
        for vid, trips in plan.items()
        for r in timed_trips(problem, vehicles[vid], day, trips, vehicles[vid].shift_start_s)
    ]
    served = {a.order_id for trips in plan.values() for trip in trips for a in trip}
    bad += [fleet_full(o, day) for o in ok if o.id not in served]
    return routes, bad


# ------------------------------------------------------------------------------- cross-dock
def _platform_depot(problem: RoundsProblem) -> str:
    depots = [s.id for s in problem.sites if s.kind == "depot"]
    if problem.vehicles:
        return problem.vehicles[0].depot_site_id
    if depots:
        return depots[0]
    msg = "cross_dock mode needs a depot site (kind='depot') or a vehicle"
    raise ValueError(msg)


def _collect(
    sub: RoundsProblem,
    day: str,
    ok: list[Order],
    depot: str,
    budget_s: float,
    how: Search,
) -> tuple[dict[str, list[Activity]], dict[str, Route], dict[str, int]]:
    """Phase 1, farms -> depot: the plan, its routes by van, and order id -> time at the depot.

    Orders picked up at the depot itself are at the depot from time 0.
    """
    vans = sub.vehicles
    vehicles = {v.id: v for v in vans}
    legs = [Leg(o, o.pickup_site_id, depot) for o in ok if o.pickup_site_id != depot]
    at_depot = {o.id: 0 for o in ok if o.pickup_site_id == depot}
    windows = {v.id: (v.shift_start_s, v.shift_end_s) for v in vans}
    plan = _one_trip(solve_legs(sub, legs, vans, windows, budget_s, how))
    routes = {
        vid: latest_departure(sub, vehicles[vid], day, acts, vehicles[vid].shift_start_s)
        for vid, acts in plan.items()
    }
    for vid, route in routes.items():
        for s in route.steps:
            if s.type == "delivery":
                for oid in s.order_ids:
                    at_depot[oid] = s.departure_s
        routes[vid] = replace(route, phase="collection")
    return plan, routes, at_depot


def _deliver(
    sub: RoundsProblem,
    day: str,
    ok: list[Order],
    depot: str,
    collected: dict[str, Route],
    at_depot: dict[str, int],
    budget_s: float,
    how: Search,
) -> tuple[dict[str, list[Activity]], list[Route]]:
    """Phase 2, depot -> kitchens, each van after its collection round: plan and routes."""
    vans = sub.vehicles
    legs = [
        Leg(o, depot, o.delivery_site_id, pickup_tw_start_s=at_depot[o.id])
        for o in ok
        if o.id in at_depot and o.delivery_site_id != depot
    ]
    windows = {}
    for v in vans:
        r1 = collected.get(v.id)
        if r1 is None:
            windows[v.id] = (v.shift_start_s, v.shift_end_s)
        else:
            start1, end1 = r1.steps[0].arrival_s, r1.steps[-1].arrival_s
            windows[v.id] = (end1, min(v.shift_end_s, start1 + v.max_shift_s))
    plan = _one_trip(solve_legs(sub, legs, vans, windows, budget_s, how))
    vehicles = {v.id: v for v in vans}
    routes = []
    for vid, acts in plan.items():
        route = latest_departure(
            sub, vehicles[vid], day, acts, windows[vid][0], depot_windows=at_depot
        )
        routes.append(replace(route, phase="delivery"))
    return plan, routes


def _drop_undelivered(
    sub: RoundsProblem,
    day: str,
    plan1: dict[str, list[Activity]],
    routes1: dict[str, Route],
    lost_ids: set[str],
) -> None:
    """Remove orders not delivered in phase 2 from their collection route (re-timed)."""
    vehicles = {v.id: v for v in sub.vehicles}
    for vid, acts in plan1.items():
        kept = [a for a in acts if a.order_id not in lost_ids]
        if len(kept) != len(acts):
            start = routes1[vid].steps[0].arrival_s
            if kept:
                r = timed_route(sub, vehicles[vid], day, kept, start)
                routes1[vid] = replace(r, phase="collection")
            else:
                del routes1[vid]


def _solve_cross_dock_day(
    problem: RoundsProblem, day: str, orders: list[Order], budget_s: float, how: Search
) -> tuple[list[Route], list[Unassigned]]:
    depot = _platform_depot(problem)
    vans = [replace(v, max_trips=1) for v in problem.vehicles if v.depot_site_id == depot]
    if len(vans) < len(problem.vehicles):
        logger.info("cross_dock: only the %d van(s) based at %s are used", len(vans), depot)
    sub = replace(problem, vehicles=tuple(vans)) if vans else problem
    ok, bad = screen(sub, orders, day)
    plan1, routes1, at_depot = _collect(sub, day, ok, depot, budget_s / 2, how)
    plan2, routes2 = _deliver(sub, day, ok, depot, routes1, at_depot, budget_s / 2, how)
    delivered = {a.order_id for acts in plan2.values() for a in acts}
    delivered |= {o.id for o in ok if o.delivery_site_id == depot and o.id in at_depot}
    lost = [o for o in ok if o.id not in delivered]
    if lost:
        _drop_undelivered(sub, day, plan1, routes1, {o.id for o in lost})
        bad += [fleet_full(o, day, "collected or delivered leg did not fit") for o in lost]
    return list(routes1.values()) + routes2, bad
