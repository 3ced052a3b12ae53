"""Independent checker of pooling answers: recomputes every rule from the inputs.

Plain Python on purpose: it does not import :mod:`solver.pooling.pooling` (the model under check);
it
reads the answer by attribute only and recomputes from the scenario, the order and the travel
times: delivery dates, demand, monthly capacities, labels, prices, drive times. Rules:

* ``ALLOCATION_SUM``: per (product, week) the members' quantities plus the reported capacity
  shortfall equal the demand ``qty_per_delivery x deliveries``; ``SHORTFALL``: the reported
  shortfall is exactly ``max(0, demand - eligible capacity)``;
* ``NOT_MEMBER``, ``NO_OFFER``, ``OVER_CAPACITY``, ``OUT_OF_SEASON``, ``QUALITY``, ``PRICE``,
  ``MIN_LOT``: each allocation row belongs to a member with an offer, in season, within its
  weekly capacity, with the required label, at a kitchen price within the ceiling, and at least
  the offer's minimum lot per delivery (a shortfall above ``demand - eligible capacity`` must
  come with an eligible member left out for its minimum lot);
* ``DRIVE_TIME``, ``TIME_WINDOW``, ``DELIVERY_DAY`` (each member delivers): drive within the
  member's max drive, arrival within the receiving window, order weekdays among the member's;
  (platform): weekdays among the round days, farms within the catchment;
* ``ROUTES``: the rounds pass :func:`solver.evaluation.routing_check.check_rounds`;
``ROUTE_LOAD``: the
  routed order lines carry exactly the allocation of their delivery day; every unrouted line
  makes its day's week infeasible; ``VAN_CAPACITY`` shortfalls have a load above the fleet;
* ``TRIP``: each member's own trip recomputed from the matrix (drive, arrival, kg);
* ``VERDICT``: a week is feasible iff it has no shortfall, the order iff every week is, and every
  shortfall carries a known reason code; ``REASON``: a shortfall blamed on a rule (season,
  quality, price, drive, window, weekday) has at least one member excluded by that rule;
  ``REVENUE``: revenue per member = quantity x price.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from solver.evaluation.routing_check import check_rounds

KNOWN_REASONS = frozenset(
    {
        "CAPACITY",
        "OUT_OF_SEASON",
        "QUALITY",
        "TIME_WINDOW",
        "VAN_CAPACITY",
        "DRIVE_TIME",
        "PRICE",
        "DELIVERY_DAY",
    }
)
TOL = 1e-6


@dataclass(frozen=True)
class PoolingViolation:
    """One broken rule with where and the numbers behind it."""

    code: str
    detail: str
    numbers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PoolingReport:
    """Verdict of :func:`check_pooling`; ``ok`` when there is no violation."""

    ok: bool
    violations: tuple[PoolingViolation, ...] = ()

    def codes(self) -> set[str]:
        """Set of violation codes."""
        return {v.code for v in self.violations}


def _dates(order: Any, week: dt.date) -> list[dt.date]:
    days = sorted({int(d) for d in order.delivery_weekdays})
    out = [week + dt.timedelta(days=d - 1) for d in days]
    return [d for d in out if d not in order.skip_dates]


def _month(week: dt.date) -> int:
    return (week + dt.timedelta(days=3)).month


def _cap(offer: Any, month: int) -> float:
    if month not in offer.months:
        return 0.0
    for m, c in offer.capacity_by_month:
        if m == month:
            return float(c)
    return float(offer.weekly_capacity)


def check_pooling(inputs: Any, answer: Any) -> PoolingReport:
    """Recompute every rule of a pooling answer (see the module docstring)."""
    v: list[PoolingViolation] = []
    sc = inputs.scenario
    order = inputs.order
    tr = inputs.transport
    mode = tr.mode
    members = set(inputs.member_ids)
    offers = {(o.producer_id, o.product_id): o for o in sc.offers}
    producers = {p.id: p for p in sc.producers}
    kitchen = next(c for c in sc.canteens if c.id == order.kitchen_id)
    idx = {pid: i for i, pid in enumerate(inputs.travel.ids)}
    sec = inputs.travel.seconds
    platform = None
    if mode == "platform":
        platform = next(p for p in sc.platforms if tr.platform_id in ("", p.id))
    margin = platform.margin_pct / 100.0 if platform is not None else 0.0
    recv_end = (
        kitchen.receiving_end_min if order.receiving_end_min is None else order.receiving_end_min
    ) * 60

    def drive(a: str, b: str) -> int:
        return int(sec[idx[a]][idx[b]])

    def fails(pid: str, product_id: str, week: dt.date) -> tuple[list[str], float, float]:
        """(failed rules, weekly capacity, kitchen price) of a producer for a product/week."""
        o = offers.get((pid, product_id))
        if o is None:
            return (["NO_OFFER"], 0.0, 0.0)
        p = producers[pid]
        cap = _cap(o, _month(week)) + inputs.extra_capacity.get((pid, product_id, week), 0.0)
        kprice = o.price_eur_per_unit * (1.0 + margin)
        bad = []
        if cap <= 1e-9:
            bad.append("OUT_OF_SEASON")
        labels = o.labels if o.labels is not None else p.labels
        if order.required_label is not None and order.required_label not in labels:
            bad.append("QUALITY")
        ceiling = order.price_ceiling_eur_per_unit
        if ceiling is not None and kprice > ceiling + 1e-9:
            bad.append("PRICE")
        d = drive(pid, kitchen.id)
        if mode == "each_delivers":
            if d < 0 or d > max(p.max_drive_min, inputs.max_drive_min_floor) * 60 + 1e-9:
                bad.append("DRIVE_TIME")
            if p.pickup_start_min * 60 + d > recv_end:
                bad.append("TIME_WINDOW")
            if not {int(x) for x in order.delivery_weekdays} <= {
                int(x) for x in p.delivery_weekdays
            }:
                bad.append("DELIVERY_DAY")
        elif platform is not None:
            if not {int(x) for x in order.delivery_weekdays} <= {
                int(x) for x in platform.round_weekdays
            }:
                bad.append("DELIVERY_DAY")
            far = drive(platform.id, pid)
            if far < 0 or far > platform.catchment_min * 60:
                bad.append("DRIVE_TIME")
        return (bad, cap, kprice)

    # ---- allocation rows
    alloc: dict[tuple[str, dt.date], float] = defaultdict(float)
    by_member_week: dict[tuple[str, str, dt.date], float] = defaultdict(float)
    revenue: dict[str, float] = defaultdict(float)
    for r in answer.allocation:
        key = f"{r.producer_id}/{r.product_id}/{r.week_start}"
        if r.producer_id not in members:
            v.append(PoolingViolation("NOT_MEMBER", f"{key}: not a member of the group"))
            continue
        bad, cap, kprice = fails(r.producer_id, r.product_id, r.week_start)
        for code in bad:
            v.append(PoolingViolation(code, f"{key}: supplies {r.qty:g} but fails {code}"))
        alloc[(r.product_id, r.week_start)] += r.qty
        by_member_week[(r.producer_id, r.product_id, r.week_start)] += r.qty
        o = offers.get((r.producer_id, r.product_id))
        if o is not None:
            revenue[r.producer_id] += r.qty * o.price_eur_per_unit
            if abs(r.kitchen_price_eur_per_unit - kprice) > 1e-6:
                v.append(PoolingViolation("PRICE", f"{key}: kitchen price misreported"))
        if r.qty < -TOL:
            v.append(PoolingViolation("ALLOCATION_SUM", f"{key}: negative quantity {r.qty}"))
        n_del = len(_dates(order, r.week_start))
        if o is not None and n_del and r.qty / n_del < o.min_lot - 1e-6:
            v.append(
                PoolingViolation(
                    "MIN_LOT",
                    f"{key}: {r.qty / n_del:g} per delivery < minimum lot {o.min_lot:g}",
                )
            )
    for (m, pid, w), q in by_member_week.items():
        _, cap, _ = fails(m, pid, w)
        if q > cap + 1e-6:
            v.append(
                PoolingViolation(
                    "OVER_CAPACITY",
                    f"{m}/{pid}/{w}: {q:g} > weekly capacity {cap:g}",
                    {"qty": q, "capacity": cap},
                )
            )
    # ---- demand, sums and capacity shortfalls
    cap_short: dict[tuple[str, dt.date], float] = defaultdict(float)
    for s in answer.shortfalls:
        if s.reason_code not in KNOWN_REASONS:
            v.append(PoolingViolation("VERDICT", f"unknown reason code {s.reason_code!r}"))
        if s.date is None:
            cap_short[(s.product_id, s.week_start)] += s.short_qty
            if s.reason_code != "CAPACITY" and not any(
                s.reason_code in fails(m, s.product_id, s.week_start)[0] for m in inputs.member_ids
            ):
                v.append(
                    PoolingViolation(
                        "REASON",
                        f"{s.product_id} week {s.week_start}: {s.reason_code} excludes no member",
                    )
                )
    weeks_with_delivery = [w for w in order.weeks if _dates(order, w)]
    for line in order.lines:
        for w in weeks_with_delivery:
            demand = line.qty_per_delivery * len(_dates(order, w))
            got = alloc.get((line.product_id, w), 0.0)
            short = cap_short.get((line.product_id, w), 0.0)
            if abs(got + short - demand) > 1e-6 * max(1.0, demand):
                v.append(
                    PoolingViolation(
                        "ALLOCATION_SUM",
                        f"{line.product_id} week {w}: allocated {got:g} + short {short:g} != "
                        f"demand {demand:g}",
                        {"allocated": got, "short": short, "demand": demand},
                    )
                )
            eligible = 0.0
            for m in inputs.member_ids:
                bad, cap, _ = fails(m, line.product_id, w)
                if not bad:
                    eligible += cap
            expect = max(0.0, demand - eligible)
            lot_out = any(
                offers[(m, line.product_id)].min_lot > 0
                and not fails(m, line.product_id, w)[0]
                and by_member_week.get((m, line.product_id, w), 0.0) <= 0
                for m in inputs.member_ids
                if (m, line.product_id) in offers
            )
            tol = 1e-6 * max(1.0, demand)
            if short < expect - tol or (short > expect + tol and not lot_out):
                v.append(
                    PoolingViolation(
                        "SHORTFALL",
                        f"{line.product_id} week {w}: short {short:g}, recomputed {expect:g}",
                        {"short": short, "expected": expect},
                    )
                )
    # ---- transport
    dated_short: dict[dt.date, list[Any]] = defaultdict(list)
    for s in answer.shortfalls:
        if s.date is not None:
            dated_short[s.date].append(s)
    expected_day: dict[tuple[dt.date, str, str], float] = {}
    for (m, pid, w), q in by_member_week.items():
        n = len(_dates(order, w))
        kg_unit = next(p.kg_per_unit for p in sc.products if p.id == pid)
        for d in _dates(order, w):
            expected_day[(d, m, pid)] = q / n * kg_unit
    if mode == "each_delivers":
        kg_trip: dict[tuple[dt.date, str], float] = defaultdict(float)
        for (d, m, _pid), kg in expected_day.items():
            kg_trip[(d, m)] += kg
        seen = set()
        for t in answer.trips:
            seen.add((t.date, t.producer_id))
            p = producers[t.producer_id]
            dr = drive(t.producer_id, kitchen.id)
            if t.drive_s != dr or t.arrival_s - t.depart_s != dr:
                v.append(PoolingViolation("TRIP", f"{t.producer_id} {t.date}: drive misreported"))
            if t.depart_s < p.pickup_start_min * 60 or t.arrival_s > recv_end:
                v.append(
                    PoolingViolation(
                        "TIME_WINDOW",
                        f"{t.producer_id} {t.date}: arrives {t.arrival_s} s, "
                        f"window ends {recv_end} s",
                    )
                )
            if dr > max(p.max_drive_min, inputs.max_drive_min_floor) * 60 + 1e-9:
                v.append(PoolingViolation("DRIVE_TIME", f"{t.producer_id} {t.date}: {dr} s"))
            if abs(t.kg - kg_trip.get((t.date, t.producer_id), 0.0)) > 1e-3:
                v.append(PoolingViolation("TRIP", f"{t.producer_id} {t.date}: kg misreported"))
        missing = {k for k, kg in kg_trip.items() if kg > 1e-9} - seen
        for d, m in sorted(missing):
            v.append(PoolingViolation("TRIP", f"{m} {d}: supplies but has no trip"))
    else:
        problem, result = answer.rounds_problem, answer.rounds_result
        if expected_day and (problem is None or result is None):
            v.append(PoolingViolation("ROUTES", "allocation without rounds"))
        elif problem is not None and result is not None:
            report = check_rounds(problem, result)
            if not report.ok:
                v.append(PoolingViolation("ROUTES", f"route checker: {sorted(report.codes())}"))
            orders = {o.id: o for o in problem.orders}
            unrouted = {u.order_id for u in result.unassigned}
            load: dict[str, float] = defaultdict(float)
            for o in problem.orders:
                load[o.day] += o.kg
            fleet = sum(x.capacity_kg for x in problem.vehicles)
            for (d, m, pid), kg in expected_day.items():
                label = answer.pattern_of_date.get(d)
                oid = f"{label}|{m}|{pid}"
                if label is None or oid not in orders:
                    v.append(PoolingViolation("ROUTE_LOAD", f"{d} {m} {pid}: not routed"))
                    continue
                if abs(orders[oid].kg - kg) > 2e-3:
                    v.append(
                        PoolingViolation(
                            "ROUTE_LOAD",
                            f"{d} {m} {pid}: routed {orders[oid].kg} kg, allocated {kg:.3f}",
                        )
                    )
                if (oid in unrouted or load[label] > fleet + 1e-6) and not dated_short.get(d):
                    v.append(
                        PoolingViolation(
                            "VERDICT", f"{d}: {oid} not delivered but the day has no shortfall"
                        )
                    )
            for d, shorts in dated_short.items():
                label = answer.pattern_of_date.get(d, "")
                for s in shorts:
                    if s.reason_code == "VAN_CAPACITY" and not load[label] > fleet + 1e-6:
                        v.append(
                            PoolingViolation(
                                "VAN_CAPACITY",
                                f"{d}: VAN_CAPACITY but load {load[label]:g} <= fleet {fleet:g}",
                            )
                        )
    # ---- verdict
    bad_weeks = {s.week_start for s in answer.shortfalls}
    for wv in answer.weeks:
        if wv.feasible == (wv.week_start in bad_weeks):
            v.append(
                PoolingViolation(
                    "VERDICT", f"week {wv.week_start}: feasible={wv.feasible} vs its shortfalls"
                )
            )
    all_ok = bool(answer.weeks) and all(w.feasible for w in answer.weeks)
    if answer.feasible != all_ok:
        v.append(PoolingViolation("VERDICT", f"feasible={answer.feasible} vs weeks {all_ok}"))
    if {w.week_start for w in answer.weeks} != set(weeks_with_delivery):
        v.append(PoolingViolation("VERDICT", "weeks answered differ from the order's weeks"))
    for m, eur in answer.revenue_eur_by_member.items():
        if not math.isclose(eur, revenue.get(m, 0.0), abs_tol=0.01):
            v.append(PoolingViolation("REVENUE", f"{m}: {eur} EUR vs {revenue.get(m, 0.0):.2f}"))
    return PoolingReport(ok=not v, violations=tuple(v))
