"""Independent checker of delivery rounds: recomputes every route from the matrices.

Plain Python on purpose: it does not import the rounds solver (:mod:`solver.rounds`) nor any
engine, and it reads the problem and the result by attribute only (duck typing), so a bug in
the model translation cannot hide itself. It is run on every result that
:func:`solver.rounds.solve_rounds` returns, and in the tests. Each rule is one function
``check_*(ctx) -> list[Violation]`` (:data:`ROUND_RULES`) reading the routes as the checker
replays them (:class:`RoundsContext`).

Timing semantics (the contract the solver must honour)
------------------------------------------------------
A route is a list of steps ``start, (pickup|delivery)*, end``. A *visit* is a maximal run of
consecutive steps at the same site. For a step ``k`` at site ``s``:

* ``start_k = arrival_k + waiting_k`` is when handling begins; the step's orders are handled
  one after the other in the listed order, order ``i`` starting at ``start_k`` plus the
  handling of the orders before it, and each order's start must lie in
  ``[tw_start(s), tw_end(s)]`` (early arrival waits; being late is a violation);
* ``handling_k = sum(ceil(kg * service_s_per_kg))`` over the step's orders (0 for start/end);
* ``departure_k = start_k + handling_k + (service_s(s) if step k+1 is at another site else 0)``,
  i.e. the fixed service time of a site is paid once per visit, when the van leaves;
* ``arrival_{k+1} >= departure_k + T[s_k, s_{k+1}]`` (``T`` = ``matrix_seconds``; same site: 0).

Route: starts and ends at the vehicle's depot, ``start.arrival >= shift_start_s``,
``end.arrival <= shift_end_s`` and ``end.arrival - start.arrival <= max_shift_s``. In cross-dock
mode a vehicle may have a ``collection`` and a ``delivery`` route on one day: they must not
overlap and the shift bounds apply from the first start to the last end.

Loads: pickups add the orders' kg, deliveries remove them; ``0 <= load <= capacity_kg`` after
every step and the reported ``load_kg`` must match. Chilled/frozen orders only on refrigerated
vehicles. Each order is served exactly once (direct: one pickup at its farm and one delivery at
its kitchen on the same route, pickup first; cross-dock: farm -> depot on a collection route, then
depot -> kitchen on a delivery route whose handling of the order at the depot starts no earlier
than the departure of the step that dropped it) or listed as unassigned with a reason code —
never both. Reported cumulative distances must match ``matrix_metres``. With
``result.max_drive_s`` set (producers' own trips), the drive time from the last departure from
the farm to each delivery must not exceed it.

Multi-trip (:func:`check_trips`): a van's direct routes on one day are its trips; there are at most
``vehicle.max_trips`` of them and each leaves the depot at least ``problem.reload_s`` after the
previous one came back. Loads hold per trip (each trip is a route starting empty).

Overnight cross-dock (:func:`check_cold_room`, with ``problem.cold_room`` set, outside cross-dock
mode): an order of day ``d`` may be collected the day before: pickup at its farm and drop at a
depot on one route of day ``d - 1``, then loading at that depot and delivery at its kitchen on
one route of day ``d``, the loading starting after the drop. Per night and cold-chain class the
orders stored weigh at most ``cold_room.capacity_kg[class]`` (0 when absent), and each order's
storage, from the departure of its drop step to the start of its loading, lasts at most
``cold_room.max_storage_h[class]`` hours (no limit when absent). The day before is the previous
date of an ISO date, or the previous weekday of a weekday name (``TUE`` -> ``MON``).

Times are integer seconds since midnight of the route's day, distances integer metres, loads kg.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from solver.core import COLD
from solver.evaluation.report import Report, Violation, report_of

KG_EPS = 1e-6
"""Load tolerance (kg) of the capacity and negative-load rules."""
LOAD_REPORT_TOL_KG = 1e-3
"""Tolerance (kg) between a step's reported load and the recomputed one."""
DAY_S = 86_400
WEEKDAY_NAMES = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

CheckReport = Report
"""The rounds checker's verdict (the checkers' common :class:`Report`)."""


def order_handling_s(order: Any) -> int:
    """Handling time of one order at one end (pickup or delivery), integer seconds (ceil)."""
    return int(math.ceil(float(order.kg) * float(order.service_s_per_kg) - 1e-9))


@dataclass(frozen=True)
class Visit:
    """One order handled at one step of a route."""

    route: str
    phase: str
    position: int
    type: str
    site_id: str
    start_s: int
    departure_s: int
    day: str = ""


@dataclass(frozen=True)
class StepTrace:
    """A step as the checker replays it from the matrices.

    ``travel_s`` is the drive from the previous step's site (0 at the first step or at the
    same site), ``distance_m`` the cumulative distance from the route's start,
    ``order_starts_s`` the start of each known order's handling, ``load_kg`` the load after
    the step, ``drive_from_farm_s`` the drive since the van last left its depot (None
    before it first left).
    """

    position: int
    step: Any
    site: Any
    orders: tuple[Any, ...]
    unknown_orders: tuple[str, ...]
    travel_s: int
    distance_m: int
    start_s: int
    order_starts_s: tuple[int, ...]
    required_departure_s: int
    load_kg: float
    drive_from_farm_s: int | None


@dataclass(frozen=True)
class RouteTrace:
    """A well-formed route (known vehicle and sites, start ... end) and its replayed steps."""

    route: Any
    label: str
    vehicle: Any
    steps: tuple[StepTrace, ...]


@dataclass(frozen=True)
class RoundsContext:
    """What the rules read: the problem's lookups, the replayed routes, each order's visits."""

    problem: Any
    result: Any
    sites: dict[str, Any]
    orders: dict[str, Any]
    vehicles: dict[str, Any]
    mode: str
    max_drive_s: int | None
    routes: tuple[RouteTrace, ...]
    visits: dict[str, list[Visit]]


def _route_label(route: Any) -> str:
    phase = getattr(route, "phase", "direct")
    trip = int(getattr(route, "trip", 1))
    label = f"{route.vehicle_id}@{route.day}" + ("" if trip == 1 else f"#{trip}")
    return label + ("" if phase == "direct" else f"[{phase}]")


def _well_formed(route: Any, vehicles: dict[str, Any], sites: dict[str, Any]) -> bool:
    steps = list(route.steps)
    return (
        route.vehicle_id in vehicles
        and len(steps) >= 2
        and steps[0].type == "start"
        and steps[-1].type == "end"
        and all(s.site_id in sites for s in steps)
    )


def _replay(
    route: Any, vehicle: Any, problem: Any, sites: dict[str, Any], orders: dict[str, Any]
) -> tuple[StepTrace, ...]:
    """Recompute travel, distance, handling starts, load and drive of each step of a route."""
    idx = {s.id: i for i, s in enumerate(problem.sites)}
    sec, met = problem.matrix_seconds, problem.matrix_metres
    steps = list(route.steps)
    out: list[StepTrace] = []
    load, dist, drive = 0.0, 0, 0
    left_depot = False
    for k, step in enumerate(steps):
        site = sites[step.site_id]
        known = tuple(orders[oid] for oid in step.order_ids if oid in orders)
        travel = 0
        if k > 0:
            a, b = idx[steps[k - 1].site_id], idx[step.site_id]
            travel = int(sec[a][b]) if a != b else 0
            dist += int(met[a][b]) if a != b else 0
            drive += travel
        start = step.arrival_s + step.waiting_s
        starts: list[int] = []
        t = start
        for o in known:
            starts.append(t)
            t += order_handling_s(o)
        leaving = k + 1 < len(steps) and steps[k + 1].site_id != step.site_id
        for o in known:
            if step.type == "pickup":
                load += float(o.kg)
            elif step.type == "delivery":
                load -= float(o.kg)
        out.append(
            StepTrace(
                position=k,
                step=step,
                site=site,
                orders=known,
                unknown_orders=tuple(oid for oid in step.order_ids if oid not in orders),
                travel_s=travel,
                distance_m=dist,
                start_s=start,
                order_starts_s=tuple(starts),
                required_departure_s=t + (int(site.service_s) if leaving else 0),
                load_kg=load,
                drive_from_farm_s=drive if left_depot else None,
            )
        )
        if step.type != "end" and step.site_id == vehicle.depot_site_id and leaving:
            # the drive clock of own trips restarts each time the van leaves the farm
            left_depot, drive = True, 0
    return tuple(out)


def build_rounds_context(problem: Any, result: Any) -> RoundsContext:
    """Replay every well-formed route of ``result`` and index each order's visits."""
    sites = {s.id: s for s in problem.sites}
    orders = {o.id: o for o in problem.orders}
    vehicles = {v.id: v for v in problem.vehicles}
    routes: list[RouteTrace] = []
    visits: dict[str, list[Visit]] = defaultdict(list)
    for route in result.routes:
        if not _well_formed(route, vehicles, sites):
            continue
        veh = vehicles[route.vehicle_id]
        trace = RouteTrace(
            route, _route_label(route), veh, _replay(route, veh, problem, sites, orders)
        )
        routes.append(trace)
        phase = getattr(route, "phase", "direct")
        for st in trace.steps:
            for o, t_o in zip(st.orders, st.order_starts_s, strict=True):
                visits[o.id].append(
                    Visit(
                        trace.label,
                        phase,
                        st.position,
                        st.step.type,
                        st.step.site_id,
                        t_o,
                        st.step.departure_s,
                        str(route.day),
                    )
                )
    return RoundsContext(
        problem=problem,
        result=result,
        sites=sites,
        orders=orders,
        vehicles=vehicles,
        mode=getattr(result, "mode", "direct"),
        max_drive_s=getattr(result, "max_drive_s", None),
        routes=tuple(routes),
        visits=visits,
    )


# --------------------------------------------------------------------------- rules


def check_route_shape(ctx: RoundsContext) -> list[Violation]:
    """Known vehicle, ``start ... end`` at the vehicle's depot, known sites."""
    out: list[Violation] = []
    for route in ctx.result.routes:
        label = _route_label(route)
        veh = ctx.vehicles.get(route.vehicle_id)
        steps = list(route.steps)
        if veh is None:
            out.append(Violation("UNKNOWN_VEHICLE", route=label, message=str(route.vehicle_id)))
            continue
        if len(steps) < 2 or steps[0].type != "start" or steps[-1].type != "end":
            msg = "must begin with start, end with end"
            out.append(Violation("ROUTE_SHAPE", route=label, message=msg))
            continue
        for end in (steps[0], steps[-1]):
            if end.site_id != veh.depot_site_id:
                msg = f"{end.type} at {end.site_id}, vehicle depot {veh.depot_site_id}"
                out.append(Violation("DEPOT", route=label, message=msg))
        bad = [s.site_id for s in steps if s.site_id not in ctx.sites]
        if bad:
            out.append(Violation("UNKNOWN_SITE", route=label, message=f"sites {bad}"))
    return out


def check_orders_known(ctx: RoundsContext) -> list[Violation]:
    """Every order a step lists is an order of the problem."""
    return [
        Violation("UNKNOWN_ORDER", route=rt.label, order=oid)
        for rt in ctx.routes
        for st in rt.steps
        for oid in st.unknown_orders
    ]


def check_travel_time(ctx: RoundsContext) -> list[Violation]:
    """``arrival_{k+1} >= departure_k + T[s_k, s_{k+1}]``."""
    out: list[Violation] = []
    for rt in ctx.routes:
        for prev, st in zip(rt.steps, rt.steps[1:], strict=False):
            earliest = prev.step.departure_s + st.travel_s
            if st.step.arrival_s < earliest:
                msg = (
                    f"step {st.position} at {st.step.site_id} arrives {st.step.arrival_s} < "
                    f"departure {prev.step.departure_s} + travel {st.travel_s}"
                )
                numbers = {"arrival_s": st.step.arrival_s, "earliest_s": earliest}
                out.append(Violation("TRAVEL_TIME", route=rt.label, message=msg, numbers=numbers))
    return out


def check_distances(ctx: RoundsContext) -> list[Violation]:
    """Each step's reported cumulative distance is the matrix's."""
    out: list[Violation] = []
    for rt in ctx.routes:
        for st in rt.steps:
            if st.step.distance_m != st.distance_m:
                reported = st.step.distance_m
                msg = f"step {st.position}: reported {reported} m, recomputed {st.distance_m} m"
                numbers = {"reported_m": reported, "recomputed_m": st.distance_m}
                out.append(
                    Violation("DISTANCE_MISMATCH", route=rt.label, message=msg, numbers=numbers)
                )
    return out


def check_time_windows(ctx: RoundsContext) -> list[Violation]:
    """No negative waiting; each order's handling starts within its site's window."""
    out: list[Violation] = []
    for rt in ctx.routes:
        for st in rt.steps:
            if st.step.waiting_s < 0:
                msg = f"step {st.position}: negative waiting"
                out.append(Violation("WAITING", route=rt.label, message=msg))
            if st.step.type not in ("pickup", "delivery"):
                continue
            site = st.site
            starts = st.order_starts_s or (st.start_s,)
            for o, t_o in zip(st.orders or (None,), starts, strict=True):
                if site.tw_start_s <= t_o <= site.tw_end_s:
                    continue
                msg = (
                    f"{st.step.type} at {site.id} starts {t_o}, window "
                    f"[{site.tw_start_s}, {site.tw_end_s}]"
                )
                numbers = {"start_s": t_o, "tw_start_s": site.tw_start_s, "tw_end_s": site.tw_end_s}
                order = o.id if o is not None else ""
                out.append(
                    Violation(
                        "TIME_WINDOW", route=rt.label, order=order, message=msg, numbers=numbers
                    )
                )
    return out


def check_service_time(ctx: RoundsContext) -> list[Violation]:
    """A van leaves a step no earlier than start + handling (+ the site's service on leaving)."""
    out: list[Violation] = []
    for rt in ctx.routes:
        for st in rt.steps:
            if st.step.type != "end" and st.step.departure_s < st.required_departure_s:
                msg = (
                    f"step {st.position} at {st.site.id} leaves {st.step.departure_s} < "
                    f"{st.required_departure_s}"
                )
                numbers = {
                    "departure_s": st.step.departure_s,
                    "required_s": st.required_departure_s,
                }
                out.append(Violation("SERVICE_TIME", route=rt.label, message=msg, numbers=numbers))
    return out


def check_loads(ctx: RoundsContext) -> list[Violation]:
    """``0 <= load <= capacity_kg`` after every step, and the reported load is the recomputed."""
    out: list[Violation] = []
    for rt in ctx.routes:
        cap = rt.vehicle.capacity_kg
        for st in rt.steps:
            load, k = st.load_kg, st.position
            if load > cap + KG_EPS:
                msg = f"load {load:.3f} kg > capacity {cap} kg after step {k}"
                numbers = {"load_kg": load, "capacity_kg": float(cap)}
                out.append(Violation("CAPACITY", route=rt.label, message=msg, numbers=numbers))
            if load < -KG_EPS:
                msg = f"load {load:.3f} step {k}"
                out.append(Violation("NEGATIVE_LOAD", route=rt.label, message=msg))
            reported = float(st.step.load_kg)
            if abs(reported - load) > LOAD_REPORT_TOL_KG:
                msg = f"step {k}: reported {st.step.load_kg} kg, recomputed {load:.3f}"
                numbers = {"reported_kg": reported, "recomputed_kg": load}
                out.append(Violation("LOAD_MISMATCH", route=rt.label, message=msg, numbers=numbers))
    return out


def check_cold_chain(ctx: RoundsContext) -> list[Violation]:
    """Chilled and frozen orders travel only on refrigerated vehicles."""
    return [
        Violation(
            "COLD_CHAIN",
            route=rt.label,
            order=o.id,
            message=f"{o.cold_chain} order on non-refrigerated {rt.vehicle.id}",
        )
        for rt in ctx.routes
        if not rt.vehicle.refrigerated
        for st in rt.steps
        for o in st.orders
        if o.cold_chain in COLD
    ]


def check_days(ctx: RoundsContext) -> list[Violation]:
    """An order with a day is served on a route of that day (or collected the day before into
    the cold room, see :func:`check_cold_room`)."""
    return [
        Violation("DAY", route=rt.label, order=o.id, message=f"order day {o.day}, route {day}")
        for rt in ctx.routes
        if (day := str(rt.route.day))
        for st in rt.steps
        for o in st.orders
        if str(o.day) and str(o.day) != day and not _overnight_day(ctx, o, day)
    ]


def check_max_drive(ctx: RoundsContext) -> list[Violation]:
    """Own trips: the drive since the van last left the farm to each delivery <= max_drive_s."""
    limit = ctx.max_drive_s
    if limit is None:
        return []
    out: list[Violation] = []
    for rt in ctx.routes:
        for st in rt.steps:
            drive = st.drive_from_farm_s
            if st.step.type != "delivery" or drive is None or drive <= limit:
                continue
            for o in st.orders:
                msg = f"{drive} s driving from the farm > {limit} s"
                numbers = {"drive_s": drive, "max_drive_s": limit}
                out.append(
                    Violation("MAX_DRIVE", route=rt.label, order=o.id, message=msg, numbers=numbers)
                )
    return out


def check_shifts(ctx: RoundsContext) -> list[Violation]:
    """Per vehicle and day: routes do not overlap; first start to last end within the shift."""
    spans_of: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    for rt in ctx.routes:
        spans_of[(rt.route.vehicle_id, str(rt.route.day))].append(
            (rt.steps[0].step.arrival_s, rt.steps[-1].step.arrival_s, rt.label)
        )
    out: list[Violation] = []
    for (vid, _day), spans in spans_of.items():
        veh = ctx.vehicles[vid]
        spans.sort()
        first, last = spans[0][0], max(e for _, e, _ in spans)
        label = spans[0][2]
        for (_, e1, l1), (s2, _, l2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                out.append(
                    Violation("OVERLAP", route=l2, message=f"starts {s2} before {l1} ends {e1}")
                )
        if first < veh.shift_start_s or last > veh.shift_end_s:
            msg = f"works [{first}, {last}], shift [{veh.shift_start_s}, {veh.shift_end_s}]"
            numbers = {"start_s": first, "end_s": last}
            out.append(Violation("SHIFT_WINDOW", route=label, message=msg, numbers=numbers))
        if last - first > veh.max_shift_s:
            msg = f"{last - first} s > max shift {veh.max_shift_s} s"
            numbers = {"duration_s": last - first, "max_shift_s": veh.max_shift_s}
            out.append(Violation("SHIFT_DURATION", route=label, message=msg, numbers=numbers))
    return out


def check_coverage(ctx: RoundsContext) -> list[Violation]:
    """Each order is routed or listed unassigned once, with a reason, never both."""
    out: list[Violation] = []
    unassigned: dict[str, int] = defaultdict(int)
    for u in ctx.result.unassigned:
        unassigned[u.order_id] += 1
        if not u.reason_code:
            msg = "unassigned without reason"
            out.append(Violation("NO_REASON", order=u.order_id, message=msg))
    for oid, n in unassigned.items():
        if n > 1:
            msg = f"listed unassigned {n} times"
            out.append(Violation("DUPLICATE", order=oid, message=msg))
        if oid in ctx.visits:
            out.append(Violation("DUPLICATE", order=oid, message="both routed and unassigned"))
    for oid in ctx.orders:
        if not ctx.visits.get(oid) and oid not in unassigned:
            msg = "neither served nor listed"
            out.append(Violation("MISSING_ORDER", order=oid, message=msg))
    return out


def check_legs(ctx: RoundsContext) -> list[Violation]:
    """Each routed order: one pickup and one delivery per leg, same van, pickup first, right
    sites; cross-dock: collected to the depot, delivered from it after the drop."""
    depots = {v.depot_site_id for v in ctx.problem.vehicles}
    out: list[Violation] = []
    overnight = _overnight_orders(ctx)
    for oid, o in ctx.orders.items():
        visits = ctx.visits.get(oid, [])
        if oid in overnight:
            out.extend(_leg_violations("cross_dock", depots, oid, o, _as_cross_dock(o, visits)))
        elif visits:
            out.extend(_leg_violations(ctx.mode, depots, oid, o, visits))
    return out


def _leg_violations(
    mode: str, depots: set[str], oid: str, o: Any, visits: list[Visit]
) -> list[Violation]:
    if mode == "cross_dock":
        legs = [("collection", o.pickup_site_id, None), ("delivery", None, o.delivery_site_id)]
    else:
        legs = [("direct", o.pickup_site_id, o.delivery_site_id)]
    out: list[Violation] = []
    drop_departure: int | None = None
    for phase, p_site, d_site in legs:
        ups = [v for v in visits if v.phase == phase and v.type == "pickup"]
        downs = [v for v in visits if v.phase == phase and v.type == "delivery"]
        if len(ups) != 1 or len(downs) != 1:
            msg = f"{phase}: {len(ups)} pickups, {len(downs)} deliveries"
            out.append(Violation("NOT_ONCE", order=oid, message=msg))
            continue
        up, down = ups[0], downs[0]
        if up.route != down.route:
            out.append(_at(up, oid, "SAME_VAN", f"picked on {up.route}, left on {down.route}"))
        elif up.position > down.position:
            out.append(_at(up, oid, "PRECEDENCE", "delivery before pickup"))
        if p_site is not None and up.site_id != p_site:
            out.append(_at(up, oid, "WRONG_SITE", f"pickup at {up.site_id}"))
        if d_site is not None and down.site_id != d_site:
            out.append(_at(up, oid, "WRONG_SITE", f"delivery at {down.site_id}"))
        if phase == "collection":
            if down.site_id not in depots:
                out.append(_at(up, oid, "WRONG_SITE", "collection not to depot"))
            drop_departure = down.departure_s
        if phase == "delivery":
            if up.site_id not in depots:
                out.append(_at(up, oid, "WRONG_SITE", "delivery not from depot"))
            if drop_departure is not None and up.start_s < drop_departure:
                msg = f"leaves depot at {up.start_s} before drop {drop_departure}"
                numbers = {"pickup_s": up.start_s, "drop_s": drop_departure}
                out.append(_at(up, oid, "CROSS_DOCK", msg, numbers))
    phases = {leg[0] for leg in legs}
    extra = [_visit_tuple(v) for v in visits if v.phase not in phases]
    if extra:
        out.append(Violation("NOT_ONCE", order=oid, message=f"steps in phases {extra}"))
    return out


def _at(
    up: Visit, oid: str, rule: str, message: str, numbers: Mapping[str, float] | None = None
) -> Violation:
    """A violation of order ``oid`` located on the route of its pickup ``up``."""
    return Violation(rule, route=up.route, order=oid, message=message, numbers=numbers or {})


def _visit_tuple(v: Visit) -> tuple[str, str, int, str, str, int, int]:
    return (v.route, v.phase, v.position, v.type, v.site_id, v.start_s, v.departure_s)


def check_trips(ctx: RoundsContext) -> list[Violation]:
    """Multi-trip: a van's direct routes of a day are at most ``max_trips`` trips, each leaving
    the depot at least ``problem.reload_s`` after the previous one came back."""
    reload_s = int(getattr(ctx.problem, "reload_s", 0))
    trips_of: dict[tuple[str, str], list[RouteTrace]] = defaultdict(list)
    for rt in ctx.routes:
        if getattr(rt.route, "phase", "direct") == "direct":
            trips_of[(rt.route.vehicle_id, str(rt.route.day))].append(rt)
    out: list[Violation] = []
    for trips in trips_of.values():
        trips.sort(key=lambda rt: rt.steps[0].step.arrival_s)
        allowed = int(getattr(trips[0].vehicle, "max_trips", 1))
        if len(trips) > allowed:
            msg = f"{len(trips)} trips > max_trips {allowed}"
            numbers = {"trips": len(trips), "max_trips": allowed}
            out.append(Violation("TRIPS", route=trips[-1].label, message=msg, numbers=numbers))
        for prev, nxt in zip(trips, trips[1:], strict=False):
            back, leave = prev.steps[-1].step.arrival_s, nxt.steps[0].step.arrival_s
            if leave < back + reload_s:
                msg = f"leaves {leave} < return {back} + reload {reload_s} s"
                numbers = {"start_s": leave, "return_s": back, "reload_s": reload_s}
                out.append(Violation("RELOAD", route=nxt.label, message=msg, numbers=numbers))
    return out


def _day_offset(first: str, second: str) -> int | None:
    """Days from ``first`` to ``second`` (ISO dates, or weekday names within a week)."""
    try:
        return (dt.date.fromisoformat(second) - dt.date.fromisoformat(first)).days
    except ValueError:
        pass
    a, b = first.upper(), second.upper()
    if a in WEEKDAY_NAMES and b in WEEKDAY_NAMES:
        return (WEEKDAY_NAMES.index(b) - WEEKDAY_NAMES.index(a)) % 7
    return None


def _overnight_day(ctx: RoundsContext, order: Any, day: str) -> bool:
    """True when a route of ``day`` may carry ``order`` into the cold room (the day before)."""
    if getattr(ctx.problem, "cold_room", None) is None or ctx.mode == "cross_dock":
        return False
    return _day_offset(day, str(order.day)) == 1


def _overnight_orders(ctx: RoundsContext) -> set[str]:
    """Orders with a visit on a route of the day before their own, with a cold room."""
    return {
        oid
        for oid, visits in ctx.visits.items()
        if oid in ctx.orders and any(_overnight_day(ctx, ctx.orders[oid], v.day) for v in visits)
    }


def _as_cross_dock(order: Any, visits: list[Visit]) -> list[Visit]:
    """An overnight order's visits as cross-dock legs, times counted from the day before."""
    out = []
    for v in visits:
        if v.day == str(order.day):
            start, leave = v.start_s + DAY_S, v.departure_s + DAY_S
            out.append(replace(v, phase="delivery", start_s=start, departure_s=leave))
        else:
            out.append(replace(v, phase="collection"))
    return out


def check_cold_room(ctx: RoundsContext) -> list[Violation]:
    """Overnight cross-dock: kg stored per night and cold-chain class within the cold room's
    capacity, and each order's storage within its class's maximum storage time."""
    room = getattr(ctx.problem, "cold_room", None)
    overnight = _overnight_orders(ctx)
    if room is None or not overnight:
        return []
    out: list[Violation] = []
    stored: dict[tuple[str, str], float] = defaultdict(float)
    for oid in sorted(overnight):
        o = ctx.orders[oid]
        stored[(str(o.day), str(o.cold_chain))] += float(o.kg)
        visits = _as_cross_dock(o, ctx.visits[oid])
        drops = [v for v in visits if v.phase == "collection" and v.type == "delivery"]
        loads = [v for v in visits if v.phase == "delivery" and v.type == "pickup"]
        if len(drops) != 1 or len(loads) != 1:
            continue  # reported by check_legs
        hours = room.max_storage_h.get(str(o.cold_chain))
        load = loads[0]
        storage_s = load.start_s - drops[0].departure_s
        if hours is not None and storage_s > hours * 3600 + 1e-9:
            msg = f"stored {storage_s} s > {hours} h for {o.cold_chain}"
            numbers = {"storage_s": storage_s, "max_storage_s": hours * 3600}
            out.append(_at(load, oid, "SHELF_LIFE", msg, numbers))
    for (day, cold), kg in sorted(stored.items()):
        cap = float(room.capacity_kg.get(cold, 0.0))
        if kg > cap + KG_EPS:
            msg = f"{kg:.3f} kg of {cold} stored the night before {day} > cold room {cap} kg"
            numbers = {"stored_kg": kg, "capacity_kg": cap}
            out.append(Violation("COLD_ROOM_CAPACITY", message=msg, numbers=numbers))
    return out


#: Every rule of the rounds checker, in the order they run.
ROUND_RULES: tuple[Callable[[RoundsContext], list[Violation]], ...] = (
    check_route_shape,
    check_orders_known,
    check_travel_time,
    check_distances,
    check_time_windows,
    check_service_time,
    check_loads,
    check_cold_chain,
    check_days,
    check_max_drive,
    check_shifts,
    check_coverage,
    check_legs,
    check_trips,
    check_cold_room,
)


def check_rounds(problem: Any, result: Any) -> Report:
    """Check ``result`` (a ``RoundsResult``) against ``problem`` (a ``RoundsProblem``).

    Parameters
    ----------
    problem
        Object with ``sites``, ``orders``, ``vehicles``, ``matrix_seconds``, ``matrix_metres``.
    result
        Object with ``routes`` (each with ``vehicle_id``, ``day``, ``phase``, ``steps``),
        ``unassigned`` (each with ``order_id``, ``reason_code``), ``mode`` and ``max_drive_s``.

    Returns
    -------
    Report
        ``ok`` and the violations (rule code, route, order, message, ``numbers``), rule by
        rule in the order of :data:`ROUND_RULES`.
    """
    ctx = build_rounds_context(problem, result)
    return report_of([v for rule in ROUND_RULES for v in rule(ctx)])
