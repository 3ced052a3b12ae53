"""Transport of the allocated goods: the members' own trips, or collection rounds.

* ``each_delivers``: every member drives its share to the kitchen: leaves its farm at
  ``max(pickup_start, recv_start - drive)``, arrives ``drive`` later; drive and km are the
  matrix's; cost ``2 x (km x EUR/km + h x EUR/h)`` per trip (round trip, placeholder rates).
* ``member_collects`` / ``platform``: one :class:`~solver.rounds.RoundsProblem` whose "days"
  are the distinct delivery patterns (which member brings how much of what): the collector's
  farm (or the platform's depot) is the depot, the members' farms are pickups (their pickup
  window), the kitchen the delivery (receiving window); solved by
  :func:`~solver.rounds.solve_rounds` (PyVRP, heuristic within its time limit) and checked by
  :func:`solver.evaluation.check_rounds`. An order line the rounds cannot serve makes its
  delivery days infeasible: ``VAN_CAPACITY`` when the day's load exceeds the van (fleet)
  capacity (short by the excess kg), ``TIME_WINDOW`` / ``DRIVE_TIME`` / ``DELIVERY_DAY``
  otherwise (``ROUTING_REASON`` maps the rounds' reason codes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.core import Van
from solver.evaluation import order_handling_s
from solver.pooling.allocation import Allocation
from solver.pooling.answer import Shortfall, Trip
from solver.pooling.eligibility import Context
from solver.pooling.inputs import DEFAULT_COLLECTOR_VAN_KG, PoolingInputs
from solver.rounds import Order, RoundsProblem, RoundsResult, Site, Vehicle, vehicle_from_van

ROUTING_REASON = {
    "DEMAND_EXCEEDS_VEHICLE_CAPACITY": "VAN_CAPACITY",
    "NO_REFRIGERATED_VAN": "VAN_CAPACITY",
    "NO_VEHICLE": "VAN_CAPACITY",
    "TIME_WINDOW": "TIME_WINDOW",
    "SHIFT_DURATION": "DRIVE_TIME",
    "OUT_OF_CATCHMENT": "DRIVE_TIME",
    "UNREACHABLE": "DRIVE_TIME",
    "MAX_DRIVE": "DRIVE_TIME",
    "NO_ROUND_ON_DAY": "DELIVERY_DAY",
    "FLEET_FULL": "TIME_WINDOW",
}
"""Rounds reason code of an unrouted order line -> pooling reason code (others: TIME_WINDOW)."""


def delivery_patterns(
    inputs: PoolingInputs, stage: Allocation
) -> tuple[dict[dt.date, str], dict[str, list[tuple[str, str, float]]]]:
    """Delivery date -> pattern label; label -> [(member, product, units per delivery)]."""
    order = inputs.order
    by_date: dict[dt.date, tuple[tuple[str, str, float], ...]] = {}
    for w in order.weeks:
        dates = order.delivery_dates(w)
        if not dates:
            continue
        lines: list[tuple[str, str, float]] = []
        for line in order.lines:
            for m, q in sorted(stage.alloc.get((line.product_id, w), {}).items()):
                lines.append((m, line.product_id, round(q / len(dates), 6)))
        for d in dates:
            by_date[d] = tuple(lines)
    label_of_key: dict[tuple[tuple[str, str, float], ...], str] = {}
    of_date: dict[dt.date, str] = {}
    content: dict[str, list[tuple[str, str, float]]] = {}
    for d in sorted(by_date):
        key = by_date[d]
        if not key:
            continue
        if key not in label_of_key:
            label = d.isoformat()
            label_of_key[key] = label
            content[label] = list(key)
        of_date[d] = label_of_key[key]
    return of_date, content


@dataclass(frozen=True)
class _Collector:
    """Who collects: the depot site, the vans, service times at farms and kitchen, catchment."""

    depot: Site
    vehicles: tuple[Vehicle, ...]
    service_s: int
    service_s_per_kg: float
    catchment_s: int | None


def _collector(inputs: PoolingInputs, ctx: Context) -> _Collector:
    tr = inputs.transport
    if tr.mode == "member_collects":
        col = inputs.scenario.producer(tr.collector_id)
        van = tr.van or Van(id=f"{col.id}_van", capacity_kg=DEFAULT_COLLECTOR_VAN_KG)
        depot = Site(
            col.id, col.lat, col.lon, "depot", col.pickup_start_min * 60, col.pickup_end_min * 60, 0
        )
        vehicles: tuple[Vehicle, ...] = (vehicle_from_van(van, col.id),)
        return _Collector(depot, vehicles, tr.service_time_s, tr.service_s_per_kg, None)
    pf = ctx.platform
    assert pf is not None
    fleet = pf.vans if tr.platform_vans is None else tr.platform_vans
    return _Collector(
        Site(pf.id, pf.lat, pf.lon, "depot"),
        tuple(vehicle_from_van(v, pf.id) for v in fleet),
        int(pf.service_time_s),
        pf.service_time_s_per_kg,
        int(pf.catchment_min * 60),
    )


def rounds_problem(
    inputs: PoolingInputs,
    ctx: Context,
    content: dict[str, list[tuple[str, str, float]]],
    recv_end_s: int | None = None,
) -> RoundsProblem:
    """The collection rounds of the delivery patterns ``content``: one rounds "day" per pattern,
    one order per (member, product) line; ``recv_end_s`` overrides the receiving window's end."""
    sc = inputs.scenario
    kitchen = ctx.kitchen
    col = _collector(inputs, ctx)
    service_s, per_kg = col.service_s, col.service_s_per_kg
    sites: dict[str, Site] = {col.depot.id: col.depot}
    orders = []
    for label, lines in content.items():
        for m, pid, q in lines:
            p = sc.producer(m)
            if m not in sites:
                sites[m] = Site(
                    m,
                    p.lat,
                    p.lon,
                    "farm",
                    p.pickup_start_min * 60,
                    p.pickup_end_min * 60,
                    service_s,
                )
            prod = sc.product(pid)
            orders.append(
                Order(
                    id=f"{label}|{m}|{pid}",
                    pickup_site_id=m,
                    delivery_site_id=kitchen.id,
                    kg=round(q * prod.kg_per_unit, 3),
                    cold_chain=prod.cold_chain.value,
                    day=label,
                    service_s_per_kg=per_kg,
                )
            )
    end = ctx.recv_end_s if recv_end_s is None else recv_end_s
    sites[kitchen.id] = Site(
        kitchen.id, kitchen.lat, kitchen.lon, "kitchen", ctx.recv_start_s, end, service_s
    )
    ids = list(sites)
    idx = [ctx.index[i] for i in ids]
    sec = np.asarray(inputs.travel.seconds)[np.ix_(idx, idx)]
    met = np.asarray(inputs.travel.metres)[np.ix_(idx, idx)]
    return RoundsProblem(
        sites=tuple(sites.values()),
        orders=tuple(orders),
        vehicles=col.vehicles,
        matrix_seconds=sec,
        matrix_metres=met,
        travel_source=inputs.travel.source,
        catchment_s=col.catchment_s,
    )


def route_cost_by_pattern(problem: RoundsProblem, result: RoundsResult) -> dict[str, float]:
    """Pattern label -> cost (EUR) of its routes."""
    veh = {v.id: v for v in problem.vehicles}
    out: dict[str, float] = defaultdict(float)
    for r in result.routes:
        v = veh[r.vehicle_id]
        out[r.day] += (
            v.cost_eur_per_km * r.distance_m / 1000 + v.cost_eur_per_hour * r.duration_s / 3600
        )
    return out


def kitchen_start_times(problem: RoundsProblem, result: RoundsResult) -> dict[str, int]:
    """Order id -> when its unloading starts at the kitchen (seconds since midnight)."""
    orders = {o.id: o for o in problem.orders}
    out: dict[str, int] = {}
    for r in result.routes:
        for st in r.steps:
            if st.type != "delivery":
                continue
            t = st.arrival_s + st.waiting_s
            for oid in st.order_ids:
                out[oid] = t
                t += order_handling_s(orders[oid])
    return out


def _fleet_kg(problem: RoundsProblem) -> float:
    return sum(v.capacity_kg for v in problem.vehicles)


def routing_shortfalls(
    inputs: PoolingInputs,
    problem: RoundsProblem,
    result: RoundsResult,
    of_date: dict[dt.date, str],
) -> list[Shortfall]:
    """Delivery days the rounds cannot serve: ``VAN_CAPACITY`` for the whole day when its load
    exceeds the fleet, else one shortfall per unrouted order line (``ROUTING_REASON``)."""
    sc = inputs.scenario
    kg_by_label: dict[str, float] = defaultdict(float)
    for o in problem.orders:
        kg_by_label[o.day] += o.kg
    cap = _fleet_kg(problem)
    bad: dict[str, list[Any]] = defaultdict(list)
    for u in result.unassigned:
        bad[u.order_id.split("|", 1)[0]].append(u)
    out: list[Shortfall] = []
    for d, label in sorted(of_date.items()):
        w = d - dt.timedelta(days=d.weekday())
        total = kg_by_label[label]
        if total > cap + 1e-6:
            out.append(
                Shortfall(
                    w,
                    "",
                    0.0,
                    round(total - cap, 6),
                    "VAN_CAPACITY",
                    f"{d.isoformat()}: {total:g} kg to carry, van capacity {cap:g} kg -> "
                    f"{total - cap:g} kg too many",
                    {"load_kg": total, "capacity_kg": cap, "excess_kg": total - cap},
                    date=d,
                )
            )
            continue
        for u in bad.get(label, []):
            _, _m, pid = u.order_id.split("|")
            kg = next(o.kg for o in problem.orders if o.id == u.order_id)
            reason = ROUTING_REASON.get(str(u.reason_code), "TIME_WINDOW")
            out.append(
                Shortfall(
                    w,
                    pid,
                    kg / sc.product(pid).kg_per_unit,
                    kg,
                    reason,
                    f"{d.isoformat()}: {u.order_id.split('|')[1]}'s {kg:g} kg of {pid} not "
                    f"routed ({u.reason_code}: {u.detail})",
                    dict(u.numbers),
                    date=d,
                )
            )
    return out


def own_trips(
    inputs: PoolingInputs,
    ctx: Context,
    of_date: dict[dt.date, str],
    content: dict[str, list[tuple[str, str, float]]],
) -> list[Trip]:
    """``each_delivers``: each member's trip to the kitchen on each delivery day (module
    docstring), with its drive, distance and cost."""
    sc = inputs.scenario
    tr = inputs.transport
    out = []
    for d, label in sorted(of_date.items()):
        kg: dict[str, float] = defaultdict(float)
        for m, pid, q in content[label]:
            kg[m] += q * sc.product(pid).kg_per_unit
        for m, k in sorted(kg.items()):
            p = sc.producer(m)
            drive = ctx.drive_s(m, ctx.kitchen.id)
            metres = ctx.metres(m, ctx.kitchen.id) + ctx.metres(ctx.kitchen.id, m)
            back = ctx.drive_s(ctx.kitchen.id, m)
            depart = max(p.pickup_start_min * 60, ctx.recv_start_s - drive)
            cost = metres / 1000 * tr.own_cost_eur_per_km + (drive + back) / 3600 * (
                tr.own_cost_eur_per_hour
            )
            out.append(
                Trip(
                    date=d,
                    producer_id=m,
                    kg=round(k, 6),
                    depart_s=depart,
                    arrival_s=depart + drive,
                    drive_s=drive,
                    distance_m=metres,
                    max_drive_s=int(max(p.max_drive_min, inputs.max_drive_min_floor) * 60),
                    cost_eur=round(cost, 4),
                )
            )
    return out
