"""Overnight cross-dock: collect an order the day before into the depot's cold room, when it pays.

An order of day ``d`` is either served directly on ``d`` (pickup at its farm, delivery at its
kitchen) or *stored overnight*: collected on ``p = previous_day(d)`` (farm -> depot, on any route
of ``p``) and delivered on ``d`` (loaded at the depot, then to its kitchen). The cold room holds,
per night and cold-chain class, at most ``cold_room.capacity_kg[class]``; an order stays in it at
most ``cold_room.max_storage_h[class]`` hours, from its drop to the start of its loading.

Heuristic (two passes; every plan is checked by the independent checker at the end):

1. every day is planned directly (as direct mode), with ``FIRST_PASS_SHARE`` of the budget;
2. for each day ``d`` whose day before ``p`` may have rounds (``problem.days`` empty or naming
   it), in the order of the days, two candidate pairs of plans of ``(p, d)`` are built and each
   replaces the current pair when it is better (step e):

   a. *per-order candidate*. The *saving* of storing an order of ``d`` is the cost of its van's
      day minus the cost of the same trips with the order loaded at the depot at the start of
      its trip instead of collected at its farm (timed exactly; an order whose modified trips
      break a window or the shift is not a candidate). Candidates with a positive saving are
      kept by saving per kg within the room's capacity per class (so whatever subset is
      collected fits the room). Day ``p`` is re-planned with its own legs plus, per candidate,
      an *optional* collection leg farm -> depot whose prize is its saving: the engine collects
      it only when the detour costs less than the saving;
   b. *whole-day candidate*. Every *storable* order of ``d`` is proposed: the room takes its
      class, its collection alone on ``p`` (farm window -> depot, a van's shift) and its
      delivery alone from the depot on ``d`` are feasible (the screening's tests), and the
      shortest storage those days allow (latest drop on ``p``: the depot's window end or the
      latest shift end; earliest loading on ``d``: the depot's window start or the earliest
      shift start) is within the class's limit. When the room cannot take them all, per class:
      the orders the current plan of ``d`` leaves out first, then by saving per kg (step a's),
      then the lightest first (most orders in the room). Day ``p`` is re-planned with its own
      legs plus these collections as legs to serve whenever possible (the engine drops a leg
      only when the day cannot hold it); the orders it does not collect stay direct on ``d``;
   c. in both candidates, day ``d`` is then re-planned with the collected orders loaded at the
      depot (their loading must start by drop + max storage - 24 h) and its other orders
      direct;
   d. a candidate is *consistent* when ``d`` delivers every order ``p`` collected and ``p``
      still serves the orders stored the night before it (collected on the day before ``p``);
   e. a consistent candidate is *better* than the current pair when, lexicographically: it
      serves more orders of ``p`` and ``d`` in total; then (``objective="fewest_vans"``) fewer
      van-days; then it costs less (km, hours and fixed costs of both days). It may leave out
      an order the current pair serves only when it serves strictly more in total; at an equal
      count it must serve every order the current pair serves.

The second pass shares the rest of the budget equally among the pairs of days, and each pair's
share equally among its candidates' two solves.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from solver.rounds.engine import Leg, Search, Trips, solve_legs
from solver.rounds.problem import DAY_S, WEEKDAYS, ColdRoom, Order, RoundsProblem, previous_day
from solver.rounds.result import Route, Unassigned, summarise
from solver.rounds.schedule import Activity, fits_windows, timed_trips
from solver.rounds.screening import alone_reason, fleet_full, screen

logger = logging.getLogger(__name__)

FIRST_PASS_SHARE = 0.5
"""Share of the budget for planning every day directly, before trying the cold room."""


@dataclass
class DayPlan:
    """One day's routes and what they do with the cold room.

    ``incoming``: order id -> drop time (s since midnight of the day before) of the orders of
    this day stored overnight; ``outgoing``: the same for the orders of the next day this day's
    routes collect; ``served``: this day's own orders served; ``cost_eur``: km, hours, fixed.
    """

    day: str
    routes: list[Route] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    incoming: dict[str, int] = field(default_factory=dict)
    outgoing: dict[str, int] = field(default_factory=dict)
    served: set[str] = field(default_factory=set)
    cost_eur: float = 0.0
    van_days: int = 0


def _depot(problem: RoundsProblem) -> str:
    """The platform depot: the first van's depot."""
    return problem.vehicles[0].depot_site_id


def _deadline(room: ColdRoom, order: Order, drop_s: int) -> int | None:
    """Latest start of an overnight order's loading on its day (None: no limit)."""
    limit = room.max_storage_s(order.cold_chain)
    return None if math.isinf(limit) else int(math.floor(drop_s + limit - DAY_S))


def plan_day(
    problem: RoundsProblem,
    day: str,
    own: Sequence[Order],
    incoming: dict[str, int],
    collect: dict[str, float | None],
    budget_s: float,
    search: Search,
) -> DayPlan:
    """Plan ``day``: its ``own`` servable orders (those in ``incoming`` loaded at the depot) and
    collections of next-day orders (order id -> the leg's prize: the saving in EUR, or None for
    a collection to make whenever the day can hold it)."""
    room = problem.cold_room or ColdRoom()
    depot = _depot(problem)
    orders = {o.id: o for o in problem.orders}
    legs = []
    for o in own:
        if o.id in incoming:
            end = _deadline(room, o, incoming[o.id])
            legs.append(Leg(o, depot, o.delivery_site_id, pickup_tw_end_s=end))
        else:
            legs.append(Leg(o, o.pickup_site_id, o.delivery_site_id))
    for oid, saving in collect.items():
        legs.append(Leg(orders[oid], orders[oid].pickup_site_id, depot, prize_eur=saving))
    windows = {v.id: (v.shift_start_s, v.shift_end_s) for v in problem.vehicles}
    plan = solve_legs(problem, legs, problem.vehicles, windows, budget_s, search)
    return _day_plan(problem, day, own, incoming, plan)


def _day_plan(
    problem: RoundsProblem,
    day: str,
    own: Sequence[Order],
    incoming: dict[str, int],
    plan: dict[str, Trips],
) -> DayPlan:
    vehicles = {v.id: v for v in problem.vehicles}
    routes = [
        r
        for vid, trips in plan.items()
        for r in timed_trips(problem, vehicles[vid], day, trips, vehicles[vid].shift_start_s)
    ]
    own_ids = {o.id for o in own}
    summary = summarise(problem, routes, [])
    served = {a.order_id for t in plan.values() for trip in t for a in trip}
    outgoing = {
        oid: s.departure_s
        for r in routes
        for s in r.steps
        if s.type == "delivery" and problem.site(s.site_id).kind == "depot"
        for oid in s.order_ids
        if oid not in own_ids
    }
    unassigned = [fleet_full(o, day) for o in own if o.id not in served]
    return DayPlan(
        day=day,
        routes=routes,
        unassigned=unassigned,
        incoming={k: v for k, v in incoming.items() if k in served},
        outgoing=outgoing,
        served=served & own_ids,
        cost_eur=summary.cost_eur,
        van_days=summary.van_days,
    )


def _van_day_cost(problem: RoundsProblem, routes: Sequence[Route]) -> float:
    return summarise(problem, routes, []).cost_eur


def _feasible(problem: RoundsProblem, routes: Sequence[Route]) -> bool:
    """Windows and shift of a van's day (its trips)."""
    v = next(x for x in problem.vehicles if x.id == routes[0].vehicle_id)
    first, last = routes[0].steps[0].arrival_s, routes[-1].steps[-1].arrival_s
    return (
        all(fits_windows(problem, r) for r in routes)
        and first >= v.shift_start_s
        and last <= v.shift_end_s
        and last - first <= v.max_shift_s
    )


def savings(problem: RoundsProblem, plan: DayPlan) -> dict[str, float]:
    """Order id -> EUR saved on its van's day if it were loaded at the depot instead of collected
    at its farm (orders already loaded at the depot, or whose change is infeasible, left out)."""
    depot = _depot(problem)
    vehicles = {v.id: v for v in problem.vehicles}
    by_van: dict[str, list[Route]] = defaultdict(list)
    for r in plan.routes:
        by_van[r.vehicle_id].append(r)
    out: dict[str, float] = {}
    for vid, routes in by_van.items():
        routes.sort(key=lambda r: r.trip)
        trips = [_activities(r) for r in routes]
        base = _van_day_cost(problem, routes)
        for k, trip in enumerate(trips):
            for a in trip:
                if a.type != "pickup" or a.site_id == depot or a.order_id not in plan.served:
                    continue
                moved = [Activity("pickup", depot, a.order_id)] + [x for x in trip if x != a]
                new_trips = trips[:k] + [moved] + trips[k + 1 :]
                v = vehicles[vid]
                new = timed_trips(problem, v, plan.day, new_trips, v.shift_start_s)
                if _feasible(problem, new):
                    gain = base - _van_day_cost(problem, new)
                    if gain > 1e-6:
                        out[a.order_id] = gain
    return out


def _activities(route: Route) -> list[Activity]:
    return [
        Activity(s.type, s.site_id, oid)
        for s in route.steps
        if s.type in ("pickup", "delivery")
        for oid in s.order_ids
    ]


def _fill_room(problem: RoundsProblem, ranked: Sequence[Order]) -> list[Order]:
    """The orders of ``ranked``, in that order, that still fit the cold room's capacity of
    their class when their turn comes."""
    left = dict((problem.cold_room or ColdRoom()).capacity_kg)
    kept: list[Order] = []
    for o in ranked:
        if left.get(o.cold_chain, 0.0) + 1e-9 >= o.kg:
            left[o.cold_chain] -= o.kg
            kept.append(o)
    return kept


def choose(problem: RoundsProblem, saving: dict[str, float]) -> dict[str, float]:
    """The candidates kept by saving per kg within the cold room's capacity per class."""
    orders = {o.id: o for o in problem.orders}
    ranked = [orders[oid] for oid in sorted(saving, key=lambda o: -saving[o] / orders[o].kg)]
    return {o.id: saving[o.id] for o in _fill_room(problem, ranked)}


def _consistent(old_p: DayPlan, new: tuple[DayPlan, DayPlan]) -> bool:
    """Day ``d`` delivers every order ``p`` collects, and ``p`` still serves the orders stored
    the night before it."""
    p1, d1 = new
    return (
        set(p1.outgoing) <= d1.served
        and set(d1.incoming) == set(p1.outgoing)
        and set(old_p.incoming) <= p1.served
    )


def _better(old: tuple[DayPlan, DayPlan], new: tuple[DayPlan, DayPlan], fewest_vans: bool) -> bool:
    """The new pair is consistent and, lexicographically, serves more orders in total, or as
    many (all the old pair serves) with fewer van-days (``fewest_vans`` only) or at lower cost."""
    (p0, d0), (p1, d1) = old, new
    if not _consistent(p0, new):
        return False
    n0, n1 = len(p0.served) + len(d0.served), len(p1.served) + len(d1.served)
    if n1 != n0:
        return n1 > n0
    if not (p1.served >= p0.served and d1.served >= d0.served):
        return False
    vans0, vans1 = p0.van_days + d0.van_days, p1.van_days + d1.van_days
    if fewest_vans and vans1 != vans0:
        return vans1 < vans0
    return p1.cost_eur + d1.cost_eur < p0.cost_eur + d0.cost_eur - 1e-6


def storable(problem: RoundsProblem, order: Order, before: str) -> bool:
    """The whole-day candidate's test (module docstring, step b): ``order`` may be collected on
    ``before`` into the cold room and delivered from the depot on its own day."""
    room = problem.cold_room or ColdRoom()
    depot = _depot(problem)
    if order.pickup_site_id == depot or room.capacity_kg.get(order.cold_chain, 0.0) < order.kg:
        return False
    collect = replace(order, delivery_site_id=depot, day=before)
    deliver = replace(order, pickup_site_id=depot)
    vans = problem.vehicles
    if alone_reason(problem, collect, vans, before) or alone_reason(
        problem, deliver, vans, order.day
    ):
        return False
    site = problem.site(depot)
    latest_drop_s = min(site.tw_end_s, max(v.shift_end_s for v in vans))
    earliest_load_s = max(site.tw_start_s, min(v.shift_start_s for v in vans))
    return DAY_S + earliest_load_s - latest_drop_s <= room.max_storage_s(order.cold_chain)


def choose_day(
    problem: RoundsProblem, orders: Sequence[Order], plan: DayPlan, saving: dict[str, float]
) -> dict[str, float | None]:
    """The whole-day candidate's orders within the room's capacity per class (module docstring,
    step b), each a collection to make whenever possible."""
    ranked = sorted(
        orders, key=lambda o: (o.id in plan.served, -saving.get(o.id, 0.0) / o.kg, o.kg, o.id)
    )
    return dict.fromkeys((o.id for o in _fill_room(problem, ranked)), None)


def _chronological(day: str) -> tuple[int, str]:
    """Sort key: ISO dates by date, weekday names by weekday, other labels last."""
    try:
        return (dt.date.fromisoformat(day).toordinal(), day)
    except ValueError:
        up = day.upper()
        return (WEEKDAYS.index(up) if up in WEEKDAYS else 10**9, day)


def solve_overnight(
    problem: RoundsProblem,
    by_day: dict[str, list[Order]],
    days: Sequence[str],
    budget_s: float,
    search: Search,
) -> tuple[list[Route], list[Unassigned], list[str]]:
    """Routes, unassigned orders and the ids of the orders stored overnight (module docstring)."""
    total = max(1, sum(len(by_day[d]) for d in days))
    own: dict[str, list[Order]] = {}
    plans: dict[str, DayPlan] = {}
    refused: list[Unassigned] = []
    for day in days:
        ok, bad = screen(problem, by_day[day], day)
        own[day], refused = ok, refused + bad
        share = FIRST_PASS_SHARE * budget_s * len(by_day[day]) / total
        plans[day] = plan_day(problem, day, ok, {}, {}, share, search)
    pairs = [
        (p, d)
        for d in sorted(days, key=_chronological)
        if (p := previous_day(d)) is not None and (not problem.days or p in problem.days)
    ]
    each = (1.0 - FIRST_PASS_SHARE) * budget_s / (4 * max(1, len(pairs)))
    fewest = search.objective == "fewest_vans"
    for p, d in pairs:
        saving = savings(problem, plans[d])
        whole = [o for o in own[d] if storable(problem, o, p)]
        candidates: list[tuple[str, dict[str, float | None]]] = [
            ("per-order", dict(choose(problem, saving))),
            ("whole-day", choose_day(problem, whole, plans[d], saving)),
        ]
        for kind, collect in candidates:
            if not collect:
                continue
            old_p = plans.get(p, DayPlan(p))
            new_p = plan_day(problem, p, own.get(p, []), old_p.incoming, collect, each, search)
            if not new_p.outgoing:
                continue
            new_d = plan_day(problem, d, own[d], new_p.outgoing, {}, each, search)
            if _better((old_p, plans[d]), (new_p, new_d), fewest):
                logger.info(
                    "overnight (%s): %d order(s) of %s stored", kind, len(new_p.outgoing), d
                )
                plans[p], plans[d] = new_p, new_d
    routes = [r for plan in plans.values() for r in plan.routes]
    unassigned = refused + [u for plan in plans.values() for u in plan.unassigned]
    stored = sorted(oid for plan in plans.values() for oid in plan.incoming)
    return routes, unassigned, stored
