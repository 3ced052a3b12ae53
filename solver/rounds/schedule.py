"""Timing a route: from a sequence of pickups and deliveries to timed steps.

The semantics are those of the independent checker (:mod:`solver.evaluation.routing_check`):
each activity starts at ``max(ready, site window start, release)`` and lasts its handling time
``ceil(kg * service_s_per_kg)``; a site's fixed service ``service_s`` is paid once per visit,
when the van leaves it; the van drives ``matrix_seconds[a, b]`` between two sites. Consecutive
activities of the same type at the same site that follow each other without waiting are merged
into one step (a shared stop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from solver.evaluation import order_handling_s
from solver.rounds.problem import Order, RoundsProblem, Vehicle
from solver.rounds.result import Route, Step, StepType


@dataclass(frozen=True)
class Activity:
    """Engine-independent activity: pickup/delivery of one order at one site."""

    type: StepType
    site_id: str
    order_id: str


@dataclass(frozen=True)
class _Timed:
    """One activity timed: ``ready_s`` before waiting, handling from ``start_s`` to ``end_s``."""

    type: StepType
    site_id: str
    order_id: str
    ready_s: int
    start_s: int
    end_s: int
    distance_m: int


def _time_activities(
    problem: RoundsProblem,
    vehicle: Vehicle,
    acts: Sequence[Activity],
    depart_s: int,
    depot_windows: dict[str, int] | None,
) -> list[_Timed]:
    """Forward pass over start, the activities and end, one activity at a time."""
    orders = {o.id: o for o in problem.orders}
    sec, met = problem.matrix_seconds, problem.matrix_metres
    seq: list[tuple[StepType, str, str]] = [("start", vehicle.depot_site_id, "")]
    seq += [(a.type, a.site_id, a.order_id) for a in acts]
    seq.append(("end", vehicle.depot_site_id, ""))
    timed: list[_Timed] = []
    t = depart_s
    dist = 0
    for k, (typ, sid, oid) in enumerate(seq):
        site = problem.site(sid)
        if k > 0:
            prev_sid = seq[k - 1][1]
            if prev_sid != sid:
                a, b = problem.index(prev_sid), problem.index(sid)
                t += problem.site(prev_sid).service_s + int(sec[a, b])
                dist += int(met[a, b])
        ready = t
        start = ready
        if typ in ("pickup", "delivery"):
            start = max(ready, site.tw_start_s)
            if depot_windows and typ == "pickup" and oid in depot_windows:
                start = max(start, depot_windows[oid])
        handling = order_handling_s(orders[oid]) if oid else 0
        timed.append(_Timed(typ, sid, oid, ready, start, start + handling, dist))
        t = start + handling
    return timed


def _shared_stops(timed: list[_Timed]) -> list[list[_Timed]]:
    """Group consecutive same-type activities at one site that follow without waiting."""
    groups: list[list[_Timed]] = []
    for rec in timed:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and rec.type in ("pickup", "delivery")
            and last.type == rec.type
            and last.site_id == rec.site_id
            and rec.start_s == last.end_s
        ):
            groups[-1].append(rec)
        else:
            groups.append([rec])
    return groups


def _steps(
    problem: RoundsProblem, orders: dict[str, Order], groups: list[list[_Timed]], depart_s: int
) -> list[Step]:
    steps: list[Step] = []
    load = 0.0
    for k, grp in enumerate(groups):
        typ, sid = grp[0].type, grp[0].site_id
        oids = [r.order_id for r in grp if r.order_id]
        arrival, start, end = grp[0].ready_s, grp[0].start_s, grp[-1].end_s
        leaving = k + 1 < len(groups) and groups[k + 1][0].site_id != sid
        fixed = problem.site(sid).service_s if leaving and typ != "end" else 0
        for o in oids:
            load += orders[o].kg if typ == "pickup" else -orders[o].kg
        departure = end + fixed if typ != "end" else arrival
        steps.append(
            Step(
                type=typ,
                site_id=sid,
                order_ids=tuple(oids),
                arrival_s=arrival,
                waiting_s=start - arrival,
                service_s=departure - start if typ != "end" else 0,
                departure_s=departure,
                load_kg=round(load, 6) if abs(load) > 1e-9 else 0.0,
                distance_m=grp[0].distance_m,
                duration_s=arrival - depart_s,
            )
        )
    return steps


def timed_route(
    problem: RoundsProblem,
    vehicle: Vehicle,
    day: str,
    acts: Sequence[Activity],
    depart_s: int,
    phase: str = "direct",
    depot_windows: dict[str, int] | None = None,
) -> Route:
    """The route of ``vehicle`` doing ``acts`` in this order, leaving its depot at ``depart_s``.

    ``depot_windows`` maps order id -> earliest pickup at the depot (cross-dock phase 2).
    ``kg_delivered`` counts the kg unloaded at sites that are not depots.
    """
    orders = {o.id: o for o in problem.orders}
    timed = _time_activities(problem, vehicle, acts, depart_s, depot_windows)
    steps = _steps(problem, orders, _shared_stops(timed), depart_s)
    kitchens = sum(
        orders[o].kg
        for s in steps
        if s.type == "delivery" and problem.site(s.site_id).kind != "depot"
        for o in s.order_ids
    )
    return Route(
        vehicle_id=vehicle.id,
        day=day,
        steps=tuple(steps),
        phase=phase,
        kg_delivered=round(kitchens, 6),
    )


def _useful_delay(problem: RoundsProblem, steps: Sequence[Step]) -> int:
    """How much later the first departure can be without moving any return (see below)."""
    cum_wait = 0
    delay: int | None = None
    for s in steps:
        cum_wait += s.waiting_s
        if s.type in ("pickup", "delivery"):
            slack = cum_wait + problem.site(s.site_id).tw_end_s - (s.arrival_s + s.waiting_s)
            delay = slack if delay is None else min(delay, slack)
    return cum_wait if delay is None else min(delay, cum_wait)


def latest_departure(
    problem: RoundsProblem,
    vehicle: Vehicle,
    day: str,
    acts: Sequence[Activity],
    earliest_s: int,
    depot_windows: dict[str, int] | None = None,
) -> Route:
    """Route leaving at the departure time that minimises its duration (no needless waits).

    Delaying the departure by ``d`` delays the start of step ``j`` by ``max(0, d - W_j)``, with
    ``W_j`` the waiting up to and including ``j``; so the largest useful delay is
    ``min(W_total, min_j (W_j + tw_end_j - start_j))``, which keeps every window and the
    return time, and shortens the route by exactly that delay.
    """
    base = timed_route(problem, vehicle, day, acts, earliest_s, depot_windows=depot_windows)
    delay = _useful_delay(problem, base.steps)
    if delay <= 0:
        return base
    return timed_route(problem, vehicle, day, acts, earliest_s + delay, depot_windows=depot_windows)


def timed_trips(
    problem: RoundsProblem,
    vehicle: Vehicle,
    day: str,
    trips: Sequence[Sequence[Activity]],
    earliest_s: int,
) -> list[Route]:
    """A multi-trip day: one route per trip (``trip`` = 1, 2, ...), each trip leaving the depot
    ``problem.reload_s`` after the previous one came back.

    The first departure is delayed as in :func:`latest_departure`, over the steps of all the
    trips: a later trip starts ``reload_s`` after a return that is itself delayed by
    ``max(0, d - W)``, so the same bound keeps every window and the last return.
    """

    def run(depart_s: int) -> list[Route]:
        routes = []
        t = depart_s
        for k, acts in enumerate(trips):
            route = replace(timed_route(problem, vehicle, day, acts, t), trip=k + 1)
            routes.append(route)
            t = route.steps[-1].arrival_s + problem.reload_s
        return routes

    base = run(earliest_s)
    delay = _useful_delay(problem, [s for r in base for s in r.steps])
    return base if delay <= 0 else run(earliest_s + delay)


def fits_windows(problem: RoundsProblem, route: Route) -> bool:
    """True when every pickup and delivery of ``route`` starts by its site's window end."""
    for s in route.steps:
        if s.type in ("pickup", "delivery"):
            site = problem.site(s.site_id)
            if s.arrival_s + s.waiting_s > site.tw_end_s:
                return False
    return True
