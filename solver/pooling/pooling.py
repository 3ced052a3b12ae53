"""Pooling feasibility: can a producer group honour a kitchen's order together, and if not, what
would it take?

Sets and data
-------------
Members ``M`` (the group), order lines ``P`` (products), weeks ``W`` (Mondays). Week ``w`` has
``n_w`` delivery days (the order's weekdays, minus days without school). Demand
``D[p,w] = q_p * n_w`` units (``q_p`` = quantity per delivery). Member ``m`` offers ``p`` with
weekly capacity ``c[m,p,w] = Offer.capacity_in_month(month of w's Thursday)`` (0 out of season)
plus any ``extra_capacity`` given as a relaxation; producer price ``pi[m,p]``; kitchen price
``k[m,p] = pi[m,p]`` (``x (1 + margin)`` through the platform).

Eligibility (a member either supplies a product in a week or it does not, with a reason):
``OUT_OF_SEASON`` (``c = 0``), ``QUALITY`` (the required label is not on the offer), ``PRICE``
(``k > ceiling``); with ``each_delivers`` also ``DRIVE_TIME`` (farm -> kitchen drive beyond the
member's ``max_drive_min``), ``TIME_WINDOW`` (leaving the farm when it opens,
``pickup_start + drive`` is after the receiving window's end) and ``DELIVERY_DAY`` (an order
weekday is not one of the member's delivery weekdays); with ``platform`` ``DELIVERY_DAY`` (an
order weekday is not a round day) and ``DRIVE_TIME`` (farm beyond the platform's catchment).

Allocation (exact, closed form)
-------------------------------
Variables ``x[m,p,w] >= 0``; constraints ``x[m,p,w] <= c[m,p,w]`` for eligible members (0 for
the others) and ``sum_m x[m,p,w] = D[p,w]``. No constraint links two (product, week) pairs, so
the LP splits into independent one-demand problems: feasible iff ``D <= S = sum_m c`` (a
single-sink max flow), and otherwise the group supplies ``A = min(D, S)`` and is short by
``D - S``. Each sharing rule has an exact closed form for ``A`` — an LP solver would add
nothing but time and rounding:

* ``proportional``: ``x_m = A * c_m / S`` (the unique split proportional to declared capacity;
  it respects ``c_m`` because ``A <= S``);
* ``balanced``: water-filling ``x_m = min(c_m, lambda)`` with ``sum_m min(c_m, lambda) = A``:
  the unique max-min fair (lexicographically optimal) split — found by sorting capacities;
* ``fewest_members``: the ``k`` members with the largest capacities (ties: lower price, then id)
  for the smallest ``k`` with ``sum of the k largest >= A``, balanced among them. Exact: any
  ``k``-subset has a capacity sum at most that of the ``k`` largest, so no smaller subset
  covers ``A``.

Each member brings ``x[m,p,w] / n_w`` at every delivery of week ``w``. An offer's minimum lot
(``Offer.min_lot``, units per order line) makes a member's share semi-continuous; it is handled
by a rule members can follow, not by a MIP: a member whose share per delivery falls below its
minimum lot steps out (the furthest below first) and the rule is re-applied to the others; what
is then missing is a ``CAPACITY`` shortfall that names them. Producers' minimum order per drop
(``min_order_kg/eur``) is a condition for outside buyers and is not applied inside the group.

Transport
---------
* ``each_delivers``: every member drives its share to the kitchen: leaves its farm at
  ``max(pickup_start, recv_start - drive)``, arrives ``drive`` later; drive and km are the
  matrix's; cost ``2 x (km x EUR/km + h x EUR/h)`` per trip (round trip, placeholder rates).
* ``member_collects`` / ``platform``: one :class:`~solver.rounds.routing.RoundsProblem` whose "days"
  are the distinct delivery patterns (which member brings how much of what): the collector's
  farm (or the platform's depot) is the depot, the members' farms are pickups (their pickup
  window), the kitchen the delivery (receiving window); solved by
  :func:`~solver.rounds.routing.solve_rounds` (PyVRP, heuristic within its time limit) and checked
  by
  :mod:`solver.evaluation.routing_check`. An order line the rounds cannot serve makes its delivery
  days
  infeasible: ``VAN_CAPACITY`` when the day's load exceeds the van (fleet) capacity (short by the
  excess kg), ``TIME_WINDOW`` / ``DRIVE_TIME`` / ``DELIVERY_DAY`` otherwise.

Verdict and reasons
-------------------
A week is feasible when every product's demand is allocated and every delivery of the week is
routed. For a short (product, week) the binding reason is the eligibility rule whose lifting
alone adds the most capacity; when no rule alone adds any, the rule excluding the most capacity
together with others; ``CAPACITY`` when no rule excluded anything (or members stepped out for
their minimum lot). The answer's binding reason is the one with the most kg short.

Relaxations (each alone, each with its number). The allocation-stage ones are found by
re-running the cheap, exact allocation stage; a threshold is the smallest value that fixes every
short week the relaxation can fix at all (``closes_gap`` says whether that is every short week,
rounds included):

* extra weekly capacity per short week, exactly the gap (1 unit less leaves the week short);
* another set of delivery weekdays (same number of days first, else fewer: a lower frequency);
* a producer outside the group within the kitchen's radius, in season, with the quality and the
  price (the units it supplies);
* a lower quality requirement: a label the offers excluded only for quality carry (highest
  EGALIM group first), else no requirement;
* the lowest price ceiling (to the cent), the latest receiving-window end and the shortest common
  max drive (to the minute; ``each_delivers``);
* rounds: the smallest van (to the kg: the heaviest delivery's load), and the latest
  receiving-window end (to the minute: a solve with an open window, then a bisection between a
  per-order lower bound and that end, each step a fifth of the time limit).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from solver.core import (
    Canteen,
    EgalimGroup,
    Label,
    Offer,
    Platform,
    Problem,
    Producer,
    ScenarioError,
    Van,
    egalim_group,
)
from solver.evaluation import order_handling_s
from solver.pooling.pooling_model import PoolingInputs, PoolingOrder, SharingRule, Transport
from solver.rounds import (
    Order,
    RoundsProblem,
    RoundsResult,
    Site,
    Vehicle,
    rounds_to_json,
    solve_rounds,
    vehicle_from_van,
)

logger = logging.getLogger(__name__)

REASONS: tuple[str, ...] = (
    "CAPACITY",
    "OUT_OF_SEASON",
    "QUALITY",
    "TIME_WINDOW",
    "VAN_CAPACITY",
    "DRIVE_TIME",
    "PRICE",
    "DELIVERY_DAY",
)
"""Reason codes; ``DELIVERY_DAY`` (weekday not served) completes the issue's seven."""
FILTERS: tuple[str, ...] = (
    "OUT_OF_SEASON",
    "QUALITY",
    "PRICE",
    "DRIVE_TIME",
    "TIME_WINDOW",
    "DELIVERY_DAY",
)
EPS = 1e-9
METHOD = (
    "allocation: exact closed form per (product, week) "
    "(the LP decomposes; see solver.pooling.pooling); "
    "routes: PyVRP via solver.rounds.routing.solve_rounds (heuristic, time-limited)"
)
METHOD_OWN_TRIPS = (
    "allocation: exact closed form per (product, week) "
    "(the LP decomposes; see solver.pooling.pooling); "
    "trips: each member's drive, window and weekdays checked directly from the matrix (exact)"
)
ALLOCATION_KINDS = frozenset(
    {
        "EXTRA_CAPACITY",
        "DELIVERY_WEEKDAYS",
        "NEARBY_PRODUCER",
        "QUALITY",
        "PRICE_CEILING",
        "MAX_DRIVE",
    }
)
"""Relaxations of the allocation stage (the others fix the rounds)."""
BISECTION_BUDGET_SHARE = 5.0
"""Each bisection step on the receiving-window end gets ``time_limit_s / 5`` (min 0.2 s)."""
_ROUTING_REASON = {
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


def week_month(monday: dt.date) -> int:
    """Month of a week: the month of its Thursday (as the sourcing model)."""
    return (monday + dt.timedelta(days=3)).month


# ----------------------------------------------------------------------------- answer types
@dataclass(frozen=True)
class AllocationRow:
    """What one member supplies of one product in one week (units; kg = units x kg/unit)."""

    week_start: dt.date
    product_id: str
    producer_id: str
    qty: float
    qty_per_delivery: float
    deliveries: int
    capacity: float
    kg: float
    producer_price_eur_per_unit: float
    kitchen_price_eur_per_unit: float
    revenue_eur: float


@dataclass(frozen=True)
class Shortfall:
    """A (product, week) or a delivery day the group cannot honour, with its reason and numbers.

    ``product_id`` is empty for a whole delivery (e.g. the van is too small that day).
    """

    week_start: dt.date
    product_id: str
    short_qty: float
    short_kg: float
    reason_code: str
    detail: str
    numbers: dict[str, float] = field(default_factory=dict)
    date: dt.date | None = None


@dataclass(frozen=True)
class Relaxation:
    """The smallest change of one kind that makes the order feasible (``closes_gap``)."""

    kind: str
    reason_code: str
    value: float
    unit: str
    description: str
    closes_gap: bool
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Trip:
    """A member's own delivery trip (``each_delivers``): farm -> kitchen -> farm."""

    date: dt.date
    producer_id: str
    kg: float
    depart_s: int
    arrival_s: int
    drive_s: int
    distance_m: int
    max_drive_s: int
    cost_eur: float


@dataclass(frozen=True)
class WeekVerdict:
    """One week: demand, allocated, deliveries, and whether the group honours it."""

    week_start: dt.date
    deliveries: int
    demand_qty: float
    allocated_qty: float
    feasible: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PoolingAnswer:
    """The verdict, week by week, with allocation, transport, money and relaxations."""

    feasible: bool
    verdict: str
    rule: str
    mode: str
    method: str
    weeks: tuple[WeekVerdict, ...]
    allocation: tuple[AllocationRow, ...]
    shortfalls: tuple[Shortfall, ...]
    binding_reason: str
    relaxations: tuple[Relaxation, ...]
    trips: tuple[Trip, ...]
    rounds_problem: RoundsProblem | None
    rounds_result: RoundsResult | None
    pattern_of_date: dict[dt.date, str]
    logistics_cost_eur: float
    logistics_eur_per_kg: float
    kg_delivered: float
    revenue_eur_by_member: dict[str, float]
    kitchen_eur_per_kg_by_product: dict[str, float]
    travel_source: str
    estimated: bool
    runtime_s: float
    check: Any = None


# ------------------------------------------------------------------------------ eligibility
@dataclass(frozen=True)
class _Cand:
    producer_id: str
    capacity: float
    producer_price: float
    kitchen_price: float
    fails: frozenset[str]
    season_capacity: float
    drive_s: int
    min_lot: float = 0.0


@dataclass
class _Ctx:
    inputs: PoolingInputs
    kitchen: Canteen
    recv_start_s: int
    recv_end_s: int
    offers: dict[tuple[str, str], Offer]
    platform: Platform | None
    index: dict[str, int]

    def drive_s(self, a: str, b: str) -> int:
        t = self.inputs.travel
        return int(t.seconds[self.index[a], self.index[b]])

    def metres(self, a: str, b: str) -> int:
        t = self.inputs.travel
        return int(t.metres[self.index[a], self.index[b]])


def _ctx(inputs: PoolingInputs) -> _Ctx:
    sc = inputs.scenario
    order = inputs.order
    kitchen = sc.canteen(order.kitchen_id)
    rs = order.receiving_start_min
    re_ = order.receiving_end_min
    platform = None
    if inputs.transport.mode == "platform":
        platform = next(
            (p for p in sc.platforms if inputs.transport.platform_id in ("", p.id)), None
        )
        if platform is None:
            raise ScenarioError(
                [
                    Problem(
                        "order",
                        0,
                        "transport.platform",
                        inputs.transport.platform_id,
                        "no such platform in the scenario",
                    )
                ]
            )
    return _Ctx(
        inputs=inputs,
        kitchen=kitchen,
        recv_start_s=(kitchen.receiving_start_min if rs is None else rs) * 60,
        recv_end_s=(kitchen.receiving_end_min if re_ is None else re_) * 60,
        offers={o.key: o for o in sc.offers},
        platform=platform,
        index={pid: i for i, pid in enumerate(inputs.travel.ids)},
    )


def _candidate(ctx: _Ctx, producer: Producer, product_id: str, week: dt.date) -> _Cand | None:
    inputs = ctx.inputs
    order = inputs.order
    offer = ctx.offers.get((producer.id, product_id))
    if offer is None:
        return None
    season = offer.capacity_in_month(week_month(week))
    cap = season + inputs.extra_capacity.get((producer.id, product_id, week), 0.0)
    margin = ctx.platform.margin_pct / 100.0 if ctx.platform is not None else 0.0
    kprice = offer.price_eur_per_unit * (1.0 + margin)
    drive = ctx.drive_s(producer.id, ctx.kitchen.id)
    fails: set[str] = set()
    if cap <= EPS:
        fails.add("OUT_OF_SEASON")
    if order.required_label is not None and order.required_label not in (
        inputs.scenario.offer_labels(offer)
    ):
        fails.add("QUALITY")
    ceiling = order.price_ceiling_eur_per_unit
    if ceiling is not None and kprice > ceiling + EPS:
        fails.add("PRICE")
    mode = inputs.transport.mode
    if mode == "each_delivers":
        max_drive_s = max(producer.max_drive_min, inputs.max_drive_min_floor) * 60
        if drive < 0 or drive > max_drive_s + EPS:
            fails.add("DRIVE_TIME")
        if producer.pickup_start_min * 60 + drive > ctx.recv_end_s:
            fails.add("TIME_WINDOW")
        if not set(order.delivery_weekdays) <= {int(d) for d in producer.delivery_weekdays}:
            fails.add("DELIVERY_DAY")
    elif mode == "platform" and ctx.platform is not None:
        if not set(order.delivery_weekdays) <= {int(d) for d in ctx.platform.round_weekdays}:
            fails.add("DELIVERY_DAY")
        far = ctx.drive_s(ctx.platform.id, producer.id)
        if far < 0 or far > ctx.platform.catchment_min * 60:
            fails.add("DRIVE_TIME")
    return _Cand(
        producer_id=producer.id,
        capacity=cap,
        producer_price=offer.price_eur_per_unit,
        kitchen_price=kprice,
        fails=frozenset(fails),
        season_capacity=offer.weekly_capacity,
        drive_s=drive,
        min_lot=offer.min_lot,
    )


def share(
    rule: SharingRule, amount: float, caps: dict[str, float], prices: dict[str, float]
) -> dict[str, float]:
    """Split ``amount`` (``<= sum(caps)``) among members by ``rule`` (closed forms above)."""
    total = sum(caps.values())
    if amount <= EPS or total <= EPS:
        return {}
    amount = min(amount, total)
    if rule == "proportional":
        return {m: amount * c / total for m, c in caps.items() if c > EPS}
    if rule == "fewest_members":
        ranked = sorted(caps, key=lambda m: (-caps[m], prices.get(m, 0.0), m))
        acc = 0.0
        chosen: dict[str, float] = {}
        for m in ranked:
            chosen[m] = caps[m]
            acc += caps[m]
            if acc >= amount - EPS:
                break
        caps = chosen
    if rule not in ("proportional", "balanced", "fewest_members"):
        msg = f"rule must be proportional, balanced or fewest_members, got {rule!r}"
        raise ValueError(msg)
    # water-filling: raise a common level until the amount is placed
    left = amount
    out: dict[str, float] = {}
    todo = sorted(caps.items(), key=lambda kv: (kv[1], kv[0]))
    for k, (m, c) in enumerate(todo):
        level = left / (len(todo) - k)
        give = min(c, level)
        out[m] = give
        left -= give
    return {m: x for m, x in out.items() if x > EPS}


@dataclass
class _Stage:
    """Allocation stage result."""

    rows: list[AllocationRow]
    shortfalls: list[Shortfall]
    cands: dict[tuple[str, dt.date], list[_Cand]]
    demand: dict[tuple[str, dt.date], float]
    alloc: dict[tuple[str, dt.date], dict[str, float]]


def _allocate(inputs: PoolingInputs, ctx: _Ctx | None = None) -> _Stage:
    ctx = ctx or _ctx(inputs)
    sc = inputs.scenario
    order = inputs.order
    members = [sc.producer(m) for m in inputs.member_ids]
    stage = _Stage([], [], {}, {}, {})
    for line in order.lines:
        kg_unit = sc.product(line.product_id).kg_per_unit
        for w in order.weeks:
            n = len(order.delivery_dates(w))
            if n == 0:
                continue
            demand = line.qty_per_delivery * n
            cands = [
                c for m in members if (c := _candidate(ctx, m, line.product_id, w)) is not None
            ]
            ok = {c.producer_id: c.capacity for c in cands if not c.fails}
            prices = {c.producer_id: c.producer_price for c in cands}
            lots = {c.producer_id: c.min_lot for c in cands}
            x, dropped = _share_with_lots(inputs.rule, demand, ok, prices, lots, n)
            key = (line.product_id, w)
            stage.cands[key] = cands
            stage.demand[key] = demand
            stage.alloc[key] = x
            by_id = {c.producer_id: c for c in cands}
            for m, q in x.items():
                c = by_id[m]
                stage.rows.append(
                    AllocationRow(
                        week_start=w,
                        product_id=line.product_id,
                        producer_id=m,
                        qty=q,
                        qty_per_delivery=q / n,
                        deliveries=n,
                        capacity=c.capacity,
                        kg=q * kg_unit,
                        producer_price_eur_per_unit=c.producer_price,
                        kitchen_price_eur_per_unit=c.kitchen_price,
                        revenue_eur=q * c.producer_price,
                    )
                )
            supplied = sum(x.values())
            short = demand - supplied
            if short > 1e-6:
                stage.shortfalls.append(
                    _capacity_shortfall(w, line.product_id, demand, short, cands, kg_unit, dropped)
                )
    return stage


def _share_with_lots(
    rule: SharingRule,
    demand: float,
    caps: dict[str, float],
    prices: dict[str, float],
    lots: dict[str, float],
    deliveries: int,
) -> tuple[dict[str, float], list[str]]:
    """The rule's split, then members whose share per delivery is below their offer's minimum
    lot step out one at a time (the furthest below first) and the rule is re-applied."""
    caps = dict(caps)
    dropped: list[str] = []
    while True:
        x = share(rule, demand, caps, prices)
        below = [
            m for m, q in x.items() if lots.get(m, 0.0) > 0 and q / deliveries < lots[m] - 1e-9
        ]
        if not below:
            return x, dropped
        worst = min(below, key=lambda m: (x[m] / deliveries / lots[m], m))
        dropped.append(worst)
        del caps[worst]


def _capacity_shortfall(
    w: dt.date,
    pid: str,
    demand: float,
    short: float,
    cands: list[_Cand],
    kg_unit: float,
    dropped: list[str] | None = None,
) -> Shortfall:
    gains: dict[str, float] = {}
    for f in FILTERS:
        gain = sum(
            (c.season_capacity if f == "OUT_OF_SEASON" else c.capacity)
            for c in cands
            if c.fails == frozenset({f})
        )
        if gain > EPS:
            gains[f] = gain
    shared: dict[str, float] = {}
    for f in FILTERS:
        gain = sum(
            (c.season_capacity if f == "OUT_OF_SEASON" else c.capacity)
            for c in cands
            if f in c.fails
        )
        if gain > EPS:
            shared[f] = gain
    pool = gains or shared
    reason = max(pool, key=lambda f: (pool[f], -FILTERS.index(f))) if pool else "CAPACITY"
    eligible = sum(c.capacity for c in cands if not c.fails)
    excluded = ", ".join(f"{c.producer_id}: {'+'.join(sorted(c.fails))}" for c in cands if c.fails)
    detail = (
        f"{pid} week of {w.isoformat()}: demand {demand:g}, eligible capacity {eligible:g} "
        f"-> short {short:g}"
        + (f"; excluded {excluded}" if excluded else "")
        + (f"; lifting {reason} alone would add {gains[reason]:g}" if reason in gains else "")
        + (
            f"; {reason} excludes {shared[reason]:g} (with other rules)"
            if reason not in gains and reason in shared
            else ""
        )
    )
    if dropped:
        detail += f"; below their minimum lot per delivery: {', '.join(dropped)}"
    numbers = {"demand": demand, "eligible_capacity": eligible, "short": short}
    if dropped:
        numbers["min_lot_members_out"] = float(len(dropped))
    numbers.update({f"gain_{k}": v for k, v in gains.items()})
    return Shortfall(w, pid, short, short * kg_unit, reason, detail, numbers)


def _capacity_feasible(inputs: PoolingInputs) -> bool:
    return not _allocate(inputs).shortfalls


# ---------------------------------------------------------------------------------- routes
def _patterns(
    inputs: PoolingInputs, stage: _Stage
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


def _rounds_problem(
    inputs: PoolingInputs,
    ctx: _Ctx,
    content: dict[str, list[tuple[str, str, float]]],
    recv_end_s: int | None = None,
) -> RoundsProblem:
    sc = inputs.scenario
    tr = inputs.transport
    kitchen = ctx.kitchen
    sites: dict[str, Site] = {}
    if tr.mode == "member_collects":
        col = sc.producer(tr.collector_id)
        van = tr.van or Van(id=f"{col.id}_van", capacity_kg=500.0)
        sites[col.id] = Site(
            col.id, col.lat, col.lon, "depot", col.pickup_start_min * 60, col.pickup_end_min * 60, 0
        )
        vehicles: tuple[Vehicle, ...] = (vehicle_from_van(van, col.id),)
        service_s, per_kg = tr.service_time_s, tr.service_s_per_kg
        catchment = None
    else:
        pf = ctx.platform
        assert pf is not None
        sites[pf.id] = Site(pf.id, pf.lat, pf.lon, "depot")
        fleet = pf.vans if tr.platform_vans is None else tr.platform_vans
        vehicles = tuple(vehicle_from_van(v, pf.id) for v in fleet)
        service_s, per_kg = int(pf.service_time_s), pf.service_time_s_per_kg
        catchment = int(pf.catchment_min * 60)
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
        vehicles=vehicles,
        matrix_seconds=sec,
        matrix_metres=met,
        travel_source=inputs.travel.source,
        catchment_s=catchment,
    )


def _route_cost(problem: RoundsProblem, result: RoundsResult) -> dict[str, float]:
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


def _routing_shortfalls(
    inputs: PoolingInputs,
    problem: RoundsProblem,
    result: RoundsResult,
    of_date: dict[dt.date, str],
) -> list[Shortfall]:
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
            reason = _ROUTING_REASON.get(str(u.reason_code), "TIME_WINDOW")
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


# ------------------------------------------------------------------------------------- check
def check_pooling_order(
    inputs: PoolingInputs,
    *,
    time_limit_s: float = 2.0,
    seed: int = 0,
    relax: bool = True,
) -> PoolingAnswer:
    """Can the group honour the order? Allocation, transport, money, reasons, relaxations.

    Parameters
    ----------
    inputs
        Scenario, group members, order, transport, travel times, sharing rule.
    time_limit_s
        Engine budget for the rounds (member_collects / platform), shared by the delivery
        patterns; each relaxation that re-solves rounds gets the same budget.
    seed
        Engine seed.
    relax
        Compute relaxations when the order is infeasible.

    Returns
    -------
    PoolingAnswer
        With the independent checker's verdict in ``check``.
    """
    from solver.evaluation import check_pooling

    t0 = time.perf_counter()
    _validate(inputs)
    ctx = _ctx(inputs)
    stage = _allocate(inputs, ctx)
    shortfalls = list(stage.shortfalls)
    mode = inputs.transport.mode
    trips: list[Trip] = []
    problem: RoundsProblem | None = None
    result: RoundsResult | None = None
    of_date, content = _patterns(inputs, stage)
    logistics = 0.0
    if mode == "each_delivers":
        trips = _trips(inputs, ctx, of_date, content)
        logistics = sum(t.cost_eur for t in trips)
    elif content:
        problem = _rounds_problem(inputs, ctx, content)
        result = solve_rounds(problem, time_limit_s=time_limit_s, seed=seed)
        shortfalls += _routing_shortfalls(inputs, problem, result, of_date)
        cost = _route_cost(problem, result)
        logistics = sum(cost.get(label, 0.0) for label in of_date.values())
    kg = sum(r.kg for r in stage.rows)
    weeks = _weeks(inputs, stage, shortfalls)
    feasible = all(w.feasible for w in weeks) and bool(weeks)
    binding = _binding(shortfalls)
    relaxations: list[Relaxation] = []
    if not feasible and relax:
        relaxations = _relaxations(
            inputs, ctx, stage, shortfalls, problem, content, of_date, time_limit_s, seed
        )
        # a relaxation of one stage cannot close the other stage's shortfalls
        routed_short = any(s.date is not None for s in shortfalls)
        alloc_short = any(s.date is None for s in shortfalls)
        first_stage = ALLOCATION_KINDS | (
            {"RECEIVING_WINDOW"} if mode == "each_delivers" else set()
        )
        relaxations = [
            r
            if not r.closes_gap or not (routed_short if r.kind in first_stage else alloc_short)
            else replace(r, closes_gap=False)
            for r in relaxations
        ]
    revenue: dict[str, float] = defaultdict(float)
    value: dict[str, float] = defaultdict(float)
    kg_p: dict[str, float] = defaultdict(float)
    for r in stage.rows:
        revenue[r.producer_id] += r.revenue_eur
        value[r.product_id] += r.qty * r.kitchen_price_eur_per_unit
        kg_p[r.product_id] += r.kg
    answer = PoolingAnswer(
        feasible=feasible,
        verdict=_verdict(feasible, weeks, shortfalls, binding),
        rule=inputs.rule,
        mode=mode,
        method=METHOD_OWN_TRIPS if mode == "each_delivers" else METHOD,
        weeks=tuple(weeks),
        allocation=tuple(stage.rows),
        shortfalls=tuple(shortfalls),
        binding_reason=binding,
        relaxations=tuple(relaxations),
        trips=tuple(trips),
        rounds_problem=problem,
        rounds_result=result,
        pattern_of_date=of_date,
        logistics_cost_eur=round(logistics, 2),
        logistics_eur_per_kg=round(logistics / kg, 4) if kg > 0 else 0.0,
        kg_delivered=round(kg, 3),
        revenue_eur_by_member={m: round(v, 2) for m, v in sorted(revenue.items())},
        kitchen_eur_per_kg_by_product={
            p: round(value[p] / kg_p[p], 4) for p in value if kg_p[p] > 0
        },
        travel_source=inputs.travel.source,
        estimated=bool(inputs.travel.estimated),
        runtime_s=round(time.perf_counter() - t0, 3),
    )
    report = check_pooling(inputs, answer)
    if not report.ok:
        logger.error("pooling checker found violations: %s", report.violations)
    return replace(answer, check=report)


def _validate(inputs: PoolingInputs) -> None:
    """Bad inputs raise :class:`~solver.core.errors.ScenarioError` naming the field and value."""
    sc = inputs.scenario
    known = {p.id for p in sc.producers}
    problems = [
        Problem("group", 0, "producer_id", m, "unknown producer")
        for m in inputs.member_ids
        if m not in known
    ]
    if not inputs.member_ids:
        problems.append(Problem("group", 0, "producer_id", "", "the group has no member"))
    if inputs.order.kitchen_id not in {c.id for c in sc.canteens}:
        problems.append(Problem("order", 0, "kitchen", inputs.order.kitchen_id, "unknown canteen"))
    tr = inputs.transport
    if tr.mode == "member_collects" and tr.collector_id not in inputs.member_ids:
        problems.append(
            Problem("order", 0, "transport.collector", tr.collector_id, "not a member of the group")
        )
    if not problems:
        have = set(inputs.travel.ids)
        problems += [
            Problem("travel", 0, "ids", i, "no travel time to or from this place")
            for i in (*inputs.member_ids, inputs.order.kitchen_id)
            if i not in have
        ]
    if problems:
        raise ScenarioError(problems)


def _trips(
    inputs: PoolingInputs,
    ctx: _Ctx,
    of_date: dict[dt.date, str],
    content: dict[str, list[tuple[str, str, float]]],
) -> list[Trip]:
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


def _weeks(inputs: PoolingInputs, stage: _Stage, shortfalls: list[Shortfall]) -> list[WeekVerdict]:
    by_week: dict[dt.date, list[Shortfall]] = defaultdict(list)
    for s in shortfalls:
        by_week[s.week_start].append(s)
    out = []
    for w in inputs.order.weeks:
        n = len(inputs.order.delivery_dates(w))
        if n == 0:
            continue
        demand = sum(stage.demand.get((ln.product_id, w), 0.0) for ln in inputs.order.lines)
        alloc = sum(
            sum(stage.alloc.get((ln.product_id, w), {}).values()) for ln in inputs.order.lines
        )
        reasons = tuple(dict.fromkeys(s.reason_code for s in by_week[w]))
        out.append(WeekVerdict(w, n, demand, alloc, not by_week[w], reasons))
    return out


def _binding(shortfalls: list[Shortfall]) -> str:
    if not shortfalls:
        return ""
    kg: dict[str, float] = defaultdict(float)
    for s in shortfalls:
        kg[s.reason_code] += s.short_kg
    return max(kg, key=lambda r: (kg[r], -REASONS.index(r)))


def _verdict(
    feasible: bool, weeks: list[WeekVerdict], shortfalls: list[Shortfall], binding: str
) -> str:
    if not weeks:
        return "NO DELIVERY: the order has no delivery day in its weeks"
    if feasible:
        return f"FEASIBLE: the group honours all {len(weeks)} week(s)"
    bad = [w for w in weeks if not w.feasible]
    kg = sum(s.short_kg for s in shortfalls)
    return (
        f"INFEASIBLE: {len(bad)} of {len(weeks)} week(s) short, {kg:,.1f} kg missing in all; "
        f"binding constraint {binding}"
    )


# ------------------------------------------------------------------------------ relaxations
def _relaxations(
    inputs: PoolingInputs,
    ctx: _Ctx,
    stage: _Stage,
    shortfalls: list[Shortfall],
    problem: RoundsProblem | None,
    content: dict[str, list[tuple[str, str, float]]],
    of_date: dict[dt.date, str],
    time_limit_s: float,
    seed: int,
) -> list[Relaxation]:
    out: list[Relaxation] = []
    cap_short = [s for s in shortfalls if s.date is None]
    reasons = {s.reason_code for s in shortfalls}
    if cap_short:
        out += _relax_capacity(inputs, stage, cap_short)
        out += _relax_weekdays(inputs)
        out += _relax_neighbour(inputs, ctx, cap_short)
        if inputs.order.required_label is not None:
            out += _relax_quality(inputs, stage)
        out += _relax_threshold(inputs, stage, "PRICE")
        if inputs.transport.mode == "each_delivers":
            out += _relax_threshold(inputs, stage, "TIME_WINDOW")
            out += _relax_threshold(inputs, stage, "DRIVE_TIME")
    if problem is not None and "VAN_CAPACITY" in reasons:
        load: dict[str, float] = defaultdict(float)
        for o in problem.orders:
            load[o.day] += o.kg
        need = math.ceil(max(load.values()) - 1e-9)
        others = 0.0
        if inputs.transport.mode == "platform":
            caps = sorted(v.capacity_kg for v in problem.vehicles)
            others = sum(caps[:-1])
        new_cap = max(1, math.ceil(need - others - 1e-9))
        out.append(
            Relaxation(
                "LARGER_VAN",
                "VAN_CAPACITY",
                float(new_cap),
                "kg",
                f"a van of {new_cap} kg (largest load of a delivery {need} kg)",
                True,
                {"van_capacity_kg": new_cap},
            )
        )
    late = {
        of_date[sh.date]
        for sh in shortfalls
        if sh.date is not None and sh.reason_code == "TIME_WINDOW" and sh.date in of_date
    }
    if problem is not None and late:
        r = _relax_window(inputs, ctx, {k: content[k] for k in sorted(late)}, time_limit_s, seed)
        if r is not None:
            out.append(r)
    return out


def _relax_window(
    inputs: PoolingInputs,
    ctx: _Ctx,
    content: dict[str, list[tuple[str, str, float]]],
    time_limit_s: float,
    seed: int,
) -> Relaxation | None:
    """Latest receiving end needed, to the minute: bisection between a per-order lower bound
    (each collection alone, straight to the kitchen) and the end found with an open window."""

    def routed(end_min: int, budget_s: float) -> tuple[bool, RoundsProblem, RoundsResult]:
        pb = _rounds_problem(inputs, ctx, content, recv_end_s=end_min * 60)
        res = solve_rounds(pb, time_limit_s=budget_s, seed=seed)
        return (not res.unassigned, pb, res)

    step_s = max(0.2, time_limit_s / BISECTION_BUDGET_SHARE)
    ok, pb, res = routed(24 * 60, max(step_s, time_limit_s / 2))
    if not ok:
        return None
    starts = kitchen_start_times(pb, res)
    hi = max(math.ceil(max(starts.values()) / 60), ctx.recv_start_s // 60 + 1)
    k = pb.index(ctx.kitchen.id)
    lows = []
    for o in pb.orders:
        s = pb.site(o.pickup_site_id)
        leave = s.tw_start_s + order_handling_s(o) + (s.service_s if s.kind != "depot" else 0)
        lows.append(max(leave + int(pb.matrix_seconds[pb.index(s.id), k]), ctx.recv_start_s))
    lo = max(math.ceil(max(lows) / 60), ctx.recv_end_s // 60 + 1)
    lo = min(lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if routed(mid, step_s)[0]:
            hi = mid
        else:
            lo = mid + 1
    old = ctx.recv_end_s // 60
    return Relaxation(
        "RECEIVING_WINDOW",
        "TIME_WINDOW",
        float(hi),
        "min",
        f"receive until {hi // 60:02d}:{hi % 60:02d} instead of {old // 60:02d}:{old % 60:02d}",
        True,
        {"receiving_end_min": hi},
    )


def _relax_quality(inputs: PoolingInputs, stage: _Stage) -> list[Relaxation]:
    """The highest quality requirement that fixes what dropping it would fix.

    Candidates: each label carried by an offer excluded only for quality (ranked by EGALIM group,
    then name), then no requirement at all.
    """
    sc = inputs.scenario
    offers = {o.key: o for o in sc.offers}
    labels: set[Label] = set()
    for (pid, _w), cands in stage.cands.items():
        for c in cands:
            if c.fails == frozenset({"QUALITY"}):
                labels |= set(sc.offer_labels(offers[(c.producer_id, pid)]))
    ranked: list[Label] = sorted(
        labels, key=lambda lab: (list(EgalimGroup).index(egalim_group((lab,))), lab.value)
    )
    ladder: list[Label | None] = [*ranked, None]
    base = _short_weeks(inputs)
    fixable = base - _short_weeks(inputs.with_order(required_label=None))
    if not fixable:
        return []
    old = inputs.order.required_label
    for lab in ladder:
        left = _short_weeks(inputs.with_order(required_label=lab))
        if left & fixable:
            continue
        what = f"accept {lab.value} instead of {old}" if lab is not None else f"drop {old}"
        return [
            Relaxation(
                "QUALITY",
                "QUALITY",
                float(len(base) - len(left)),
                "weeks fixed",
                f"{what}: fixes {len(base) - len(left)} of {len(base)} short week(s)",
                not left,
                {"required_label": lab},
            )
        ]
    return []


def apply_relaxation(inputs: PoolingInputs, relaxation: Relaxation) -> PoolingInputs:
    """``inputs`` with ``relaxation`` applied (what the tests and the CLI's 'what if' use)."""
    p = relaxation.params
    k = relaxation.kind
    if k == "EXTRA_CAPACITY":
        extra = dict(inputs.extra_capacity)
        for (m, pid, w), q in p["extra"].items():
            extra[(m, pid, w)] = extra.get((m, pid, w), 0.0) + q
        return replace(inputs, extra_capacity=extra)
    if k == "DELIVERY_WEEKDAYS":
        return inputs.with_order(delivery_weekdays=tuple(p["delivery_weekdays"]))
    if k == "NEARBY_PRODUCER":
        return replace(inputs, member_ids=(*inputs.member_ids, p["producer_id"]))
    if k == "QUALITY":
        return inputs.with_order(required_label=p.get("required_label"))
    if k == "PRICE_CEILING":
        return inputs.with_order(price_ceiling_eur_per_unit=p["price_ceiling_eur_per_unit"])
    if k == "RECEIVING_WINDOW":
        return inputs.with_order(receiving_end_min=p["receiving_end_min"])
    if k == "MAX_DRIVE":
        return replace(inputs, max_drive_min_floor=p["max_drive_min"])
    if k == "LARGER_VAN":
        tr = inputs.transport
        cap = float(p["van_capacity_kg"])
        if tr.mode == "member_collects":
            van = tr.van or Van(id=f"{tr.collector_id}_van", capacity_kg=cap)
            return replace(
                inputs, transport=replace(tr, van=van.model_copy(update={"capacity_kg": cap}))
            )
        pf = next(x for x in inputs.scenario.platforms if tr.platform_id in ("", x.id))
        fleet = list(pf.vans if tr.platform_vans is None else tr.platform_vans)
        big = max(range(len(fleet)), key=lambda i: fleet[i].capacity_kg)
        fleet[big] = fleet[big].model_copy(update={"capacity_kg": cap})
        return replace(inputs, transport=replace(tr, platform_vans=tuple(fleet)))
    msg = f"unknown relaxation kind {k!r}"
    raise ValueError(msg)


def _relax_capacity(
    inputs: PoolingInputs, stage: _Stage, short: list[Shortfall]
) -> list[Relaxation]:
    extra: dict[tuple[str, str, dt.date], float] = {}
    for s in short:
        cands = stage.cands[(s.product_id, s.week_start)]
        ok = [c for c in cands if c.fails <= {"OUT_OF_SEASON"}]
        if not ok:
            continue
        best = max(ok, key=lambda c: (c.capacity, c.season_capacity, c.producer_id))
        extra[(best.producer_id, s.product_id, s.week_start)] = s.short_qty
    if not extra:
        return []
    total = sum(extra.values())
    weeks = sorted({w for _, _, w in extra})
    who = sorted({m for m, _, _ in extra})
    per_week = sorted(set(extra.values()))
    amount = f"+{per_week[0]:g}" if len(per_week) == 1 else f"+{per_week[0]:g} to {per_week[-1]:g}"
    desc = (
        f"{amount} units a week in {len(weeks)} week(s) ({weeks[0].isoformat()} .. "
        f"{weeks[-1].isoformat()}), {total:g} in all, e.g. from {', '.join(who)}"
    )
    return [
        Relaxation(
            "EXTRA_CAPACITY",
            "CAPACITY",
            total,
            "units",
            f"extra weekly capacity: {desc}",
            len(extra) == len(short),
            {"extra": extra},
        )
    ]


def _short_weeks(inputs: PoolingInputs) -> set[dt.date]:
    """Weeks the allocation stage leaves short (cheap: no routing)."""
    return {s.week_start for s in _allocate(inputs).shortfalls}


def _relax_weekdays(inputs: PoolingInputs) -> list[Relaxation]:
    """Delivery weekdays leaving the fewest short weeks: same number of days first (another
    weekday), then fewer (a lower frequency); ties: fewest days changed."""
    current = tuple(sorted(set(inputs.order.delivery_weekdays)))
    n = len(current)
    base = _short_weeks(inputs)
    best: tuple[int, int, int, tuple[int, ...]] | None = None
    for size in range(n, 0, -1):
        for c in itertools.combinations(range(1, 6), size):
            if c == current:
                continue
            trial = inputs.with_order(delivery_weekdays=c)
            served = {w for w in trial.order.weeks if trial.order.delivery_dates(w)}
            left = len(_short_weeks(trial) | (base - served))
            rank = (left, n - size, len(set(c) ^ set(current)), c)
            if left < len(base) and (best is None or rank < best):
                best = rank
    if best is None:
        return []
    left, _, _, c = best
    size = len(c)
    names = ",".join(("mon", "tue", "wed", "thu", "fri")[d - 1] for d in c)
    kind = "another weekday" if size == n else f"{size} delivery(ies) a week instead of {n}"
    return [
        Relaxation(
            "DELIVERY_WEEKDAYS",
            "DELIVERY_DAY" if size == n else "CAPACITY",
            float(size),
            "deliveries/week",
            f"{kind}: deliver on {names} (fixes {len(base) - left} of {len(base)} short week(s))",
            left == 0,
            {"delivery_weekdays": list(c)},
        )
    ]


def _relax_neighbour(inputs: PoolingInputs, ctx: _Ctx, short: list[Shortfall]) -> list[Relaxation]:
    sc = inputs.scenario
    radius_s = (ctx.kitchen.radius_min or sc.settings.radius_min) * 60
    members = set(inputs.member_ids)
    products = {s.product_id for s in short}
    gap = sum(s.short_qty for s in short)
    best: tuple[float, int, str] | None = None
    for p in sc.producers:
        if p.id in members or p.id not in ctx.index:
            continue
        if not any((p.id, pid) in ctx.offers for pid in products):
            continue
        drive = ctx.drive_s(p.id, ctx.kitchen.id)
        if drive < 0 or drive > radius_s:
            continue
        covered = 0.0
        for s in short:
            c = _candidate(ctx, p, s.product_id, s.week_start)
            if c is not None and not c.fails:
                covered += min(c.capacity, s.short_qty)
        if covered <= EPS:
            continue
        rank = (-covered, drive, p.id)
        if best is None or rank < best:
            best = rank
    if best is None:
        return []
    covered, drive_s, pid = -best[0], best[1], best[2]
    closes = _capacity_feasible(replace(inputs, member_ids=(*inputs.member_ids, pid)))
    return [
        Relaxation(
            "NEARBY_PRODUCER",
            "CAPACITY",
            round(covered, 6),
            "units",
            f"add {pid} ({sc.producer(pid).name}, {drive_s / 60:.0f} min from the kitchen): "
            f"supplies {covered:g} of the {gap:g} units missing",
            closes,
            {"producer_id": pid, "drive_min": round(drive_s / 60, 1)},
        )
    ]


def _relax_threshold(inputs: PoolingInputs, stage: _Stage, f: str) -> list[Relaxation]:
    """Smallest threshold (price, window end, drive) that fixes every short week it can fix.

    The weeks it can fix are those the largest useful threshold fixes; admitting members never
    creates a shortfall, so the smallest threshold fixing them all is found by a scan of the
    members' own values (each member's price, needed window end or drive, rounded up to the
    cent or the minute).
    """
    values: set[float] = set()
    sc = inputs.scenario
    for cands in stage.cands.values():
        for c in cands:
            if f not in c.fails:
                continue
            if f == "PRICE":
                values.add(math.ceil(c.kitchen_price * 100 - 1e-6) / 100)
            elif f == "TIME_WINDOW":
                p = sc.producer(c.producer_id)
                values.add(float(math.ceil((p.pickup_start_min * 60 + c.drive_s) / 60)))
            elif f == "DRIVE_TIME":
                values.add(float(math.ceil(c.drive_s / 60)))
    if f == "TIME_WINDOW":
        values = {v for v in values if v <= 24 * 60}
    if not values:
        return []

    def trial(v: float) -> PoolingInputs:
        if f == "PRICE":
            return inputs.with_order(price_ceiling_eur_per_unit=v)
        if f == "TIME_WINDOW":
            return inputs.with_order(receiving_end_min=int(v))
        return replace(inputs, max_drive_min_floor=v)

    base = _short_weeks(inputs)
    ordered = sorted(values)
    fixable = base - _short_weeks(trial(ordered[-1]))
    if not fixable:
        return []
    v = next(x for x in ordered if not (_short_weeks(trial(x)) & fixable))
    closes = not _short_weeks(trial(v))
    fixes = f" (fixes {len(fixable)} of {len(base)} short week(s))"
    if f == "PRICE":
        old = inputs.order.price_ceiling_eur_per_unit or 0.0
        return [
            Relaxation(
                "PRICE_CEILING",
                "PRICE",
                v,
                "EUR/unit",
                f"raise the price ceiling from {old:.2f} to {v:.2f} EUR/unit" + fixes,
                closes,
                {"price_ceiling_eur_per_unit": v},
            )
        ]
    if f == "TIME_WINDOW":
        m = int(v)
        return [
            Relaxation(
                "RECEIVING_WINDOW",
                "TIME_WINDOW",
                v,
                "min",
                f"receive until {m // 60:02d}:{m % 60:02d}" + fixes,
                closes,
                {"receiving_end_min": m},
            )
        ]
    return [
        Relaxation(
            "MAX_DRIVE",
            "DRIVE_TIME",
            v,
            "min",
            f"members accept up to {v:g} min of drive to the kitchen" + fixes,
            closes,
            {"max_drive_min": v},
        )
    ]


# ----------------------------------------------------------------------------------- export
def answer_to_json(answer: PoolingAnswer) -> dict[str, Any]:
    """A JSON-ready dict of the answer (routes as :func:`solver.rounds.rounds_to_json`)."""

    def d(x: dt.date | None) -> str | None:
        return None if x is None else x.isoformat()

    return {
        "feasible": answer.feasible,
        "verdict": answer.verdict,
        "binding_reason": answer.binding_reason,
        "rule": answer.rule,
        "mode": answer.mode,
        "method": answer.method,
        "travel_source": answer.travel_source,
        "estimated": answer.estimated,
        "runtime_s": answer.runtime_s,
        "kg_delivered": answer.kg_delivered,
        "logistics_cost_eur": answer.logistics_cost_eur,
        "logistics_eur_per_kg": answer.logistics_eur_per_kg,
        "revenue_eur_by_member": answer.revenue_eur_by_member,
        "kitchen_eur_per_kg_by_product": answer.kitchen_eur_per_kg_by_product,
        "weeks": [
            {
                "week_start": d(w.week_start),
                "deliveries": w.deliveries,
                "demand_qty": w.demand_qty,
                "allocated_qty": round(w.allocated_qty, 6),
                "feasible": w.feasible,
                "reasons": list(w.reasons),
            }
            for w in answer.weeks
        ],
        "shortfalls": [
            {
                "week_start": d(s.week_start),
                "date": d(s.date),
                "product_id": s.product_id,
                "short_qty": round(s.short_qty, 6),
                "short_kg": round(s.short_kg, 6),
                "reason_code": s.reason_code,
                "detail": s.detail,
                "numbers": s.numbers,
            }
            for s in answer.shortfalls
        ],
        "relaxations": [
            {
                "kind": r.kind,
                "reason_code": r.reason_code,
                "value": r.value,
                "unit": r.unit,
                "description": r.description,
                "closes_gap": r.closes_gap,
            }
            for r in answer.relaxations
        ],
        "trips": [
            {
                "date": d(t.date),
                "producer_id": t.producer_id,
                "kg": t.kg,
                "depart_s": t.depart_s,
                "arrival_s": t.arrival_s,
                "drive_s": t.drive_s,
                "distance_m": t.distance_m,
                "max_drive_s": t.max_drive_s,
                "cost_eur": t.cost_eur,
            }
            for t in answer.trips
        ],
        "pattern_of_date": {d(k): v for k, v in sorted(answer.pattern_of_date.items())},
        "rounds": None if answer.rounds_result is None else rounds_to_json(answer.rounds_result),
        "check": None
        if answer.check is None
        else {"ok": answer.check.ok, "violations": [v.__dict__ for v in answer.check.violations]},
    }


__all__ = [
    "REASONS",
    "AllocationRow",
    "PoolingAnswer",
    "PoolingOrder",
    "Relaxation",
    "Shortfall",
    "Transport",
    "Trip",
    "WeekVerdict",
    "answer_to_json",
    "apply_relaxation",
    "check_pooling_order",
    "share",
]
