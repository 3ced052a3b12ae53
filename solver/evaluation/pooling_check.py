"""Independent checker of pooling answers: recomputes every rule from the inputs.

Plain Python on purpose: it does not import :mod:`solver.pooling` (the model under check); it
reads the answer by attribute only and recomputes from the scenario, the order and the travel
times: delivery dates, demand, monthly capacities, labels, prices, drive times. Each rule is
one function ``check_*(ctx) -> list[Violation]`` (:data:`POOLING_RULES`); the codes are:

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
  ``ROUTE_LOAD``: the routed order lines carry exactly the allocation of their delivery day;
  every unrouted line makes its day's week infeasible; ``VAN_CAPACITY`` shortfalls have a load
  above the fleet;
* ``TRIP``: each member's own trip recomputed from the matrix (drive, arrival, kg);
* ``VERDICT``: a week is feasible iff it has no shortfall, the order iff every week is, and every
  shortfall carries a known reason code (:data:`solver.core.POOLING_REASONS`); ``REASON``: a
  shortfall blamed on a rule (season, quality, price, drive, window, weekday) has at least one
  member excluded by that rule;
* ``REVENUE``: revenue per member = quantity x price.

Quantities are the order's units, loads kg, times seconds, prices EUR per unit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from solver.core import POOLING_REASONS, week_month
from solver.evaluation.report import Report, Violation, report_of
from solver.evaluation.routing_check import check_rounds

KNOWN_REASONS = frozenset(POOLING_REASONS)
TOL = 1e-6
"""Tolerance on quantities (units) and reported prices."""


def _v(code: str, message: str, numbers: Mapping[str, float] | None = None) -> Violation:
    return Violation(code, message=message, numbers=numbers or {})


def delivery_dates(order: Any, week: dt.date) -> list[dt.date]:
    """The order's delivery dates in ``week`` (its weekdays, minus the skipped dates)."""
    days = sorted({int(d) for d in order.delivery_weekdays})
    out = [week + dt.timedelta(days=d - 1) for d in days]
    return [d for d in out if d not in order.skip_dates]


@dataclass(frozen=True)
class PoolingContext:
    """The inputs' lookups and the answer's sums every rule reads.

    ``alloc`` sums the members' rows per (product, week), ``by_member_week`` per (member,
    product, week), ``revenue`` is quantity x producer price per member, and
    ``expected_day_kg`` the kg each member brings of each product on each delivery date.
    """

    inputs: Any
    answer: Any
    offers: dict[tuple[str, str], Any]
    producers: dict[str, Any]
    kitchen: Any
    platform: Any
    margin: float
    receiving_end_s: float
    travel_index: dict[str, int]
    alloc: dict[tuple[str, dt.date], float]
    by_member_week: dict[tuple[str, str, dt.date], float]
    revenue: dict[str, float]
    expected_day_kg: dict[tuple[dt.date, str, str], float]

    def drive(self, a: str, b: str) -> int:
        """Drive time (s) from place ``a`` to place ``b`` in the travel matrix."""
        return int(self.inputs.travel.seconds[self.travel_index[a]][self.travel_index[b]])

    def fails(self, pid: str, product_id: str, week: dt.date) -> tuple[list[str], float, float]:
        """(failed rules, weekly capacity, kitchen price) of a producer for a product/week."""
        o = self.offers.get((pid, product_id))
        if o is None:
            return (["NO_OFFER"], 0.0, 0.0)
        inputs, order = self.inputs, self.inputs.order
        extra = inputs.extra_capacity.get((pid, product_id, week), 0.0)
        cap = float(o.capacity_in_month(week_month(week))) + extra
        kprice = o.price_eur_per_unit * (1.0 + self.margin)
        p = self.producers[pid]
        bad = []
        if cap <= 1e-9:
            bad.append("OUT_OF_SEASON")
        labels = o.labels if o.labels is not None else p.labels
        if order.required_label is not None and order.required_label not in labels:
            bad.append("QUALITY")
        ceiling = order.price_ceiling_eur_per_unit
        if ceiling is not None and kprice > ceiling + 1e-9:
            bad.append("PRICE")
        bad += self._transport_fails(p)
        return (bad, cap, kprice)

    def _transport_fails(self, p: Any) -> list[str]:
        order = self.inputs.order
        weekdays = {int(x) for x in order.delivery_weekdays}
        bad = []
        if self.inputs.transport.mode == "each_delivers":
            d = self.drive(p.id, self.kitchen.id)
            if d < 0 or d > max(p.max_drive_min, self.inputs.max_drive_min_floor) * 60 + 1e-9:
                bad.append("DRIVE_TIME")
            if p.pickup_start_min * 60 + d > self.receiving_end_s:
                bad.append("TIME_WINDOW")
            if not weekdays <= {int(x) for x in p.delivery_weekdays}:
                bad.append("DELIVERY_DAY")
        elif self.platform is not None:
            if not weekdays <= {int(x) for x in self.platform.round_weekdays}:
                bad.append("DELIVERY_DAY")
            far = self.drive(self.platform.id, p.id)
            if far < 0 or far > self.platform.catchment_min * 60:
                bad.append("DRIVE_TIME")
        return bad

    def weeks_with_delivery(self) -> list[dt.date]:
        """The order's weeks that have at least one delivery date."""
        order = self.inputs.order
        return [w for w in order.weeks if delivery_dates(order, w)]


def build_pooling_context(inputs: Any, answer: Any) -> PoolingContext:
    """Index the scenario and sum the answer's allocation per member, week and delivery day."""
    sc, order, tr = inputs.scenario, inputs.order, inputs.transport
    platform = None
    if tr.mode == "platform":
        platform = next(p for p in sc.platforms if tr.platform_id in ("", p.id))
    kitchen = next(c for c in sc.canteens if c.id == order.kitchen_id)
    recv_end_min = (
        kitchen.receiving_end_min if order.receiving_end_min is None else order.receiving_end_min
    )
    offers = {(o.producer_id, o.product_id): o for o in sc.offers}
    alloc: dict[tuple[str, dt.date], float] = defaultdict(float)
    by_member_week: dict[tuple[str, str, dt.date], float] = defaultdict(float)
    revenue: dict[str, float] = defaultdict(float)
    for r in answer.allocation:
        if r.producer_id not in inputs.member_ids:
            continue
        alloc[(r.product_id, r.week_start)] += r.qty
        by_member_week[(r.producer_id, r.product_id, r.week_start)] += r.qty
        o = offers.get((r.producer_id, r.product_id))
        if o is not None:
            revenue[r.producer_id] += r.qty * o.price_eur_per_unit
    expected_day_kg: dict[tuple[dt.date, str, str], float] = {}
    for (m, pid, w), q in by_member_week.items():
        dates = delivery_dates(order, w)
        kg_unit = next(p.kg_per_unit for p in sc.products if p.id == pid)
        for d in dates:
            expected_day_kg[(d, m, pid)] = q / len(dates) * kg_unit
    return PoolingContext(
        inputs=inputs,
        answer=answer,
        offers=offers,
        producers={p.id: p for p in sc.producers},
        kitchen=kitchen,
        platform=platform,
        margin=platform.margin_pct / 100.0 if platform is not None else 0.0,
        receiving_end_s=recv_end_min * 60,
        travel_index={pid: i for i, pid in enumerate(inputs.travel.ids)},
        alloc=alloc,
        by_member_week=by_member_week,
        revenue=revenue,
        expected_day_kg=expected_day_kg,
    )


# --------------------------------------------------------------------------- rules


def check_allocation_rows(ctx: PoolingContext) -> list[Violation]:
    """Each row: a member, passing every eligibility rule, at the offer's kitchen price, with a
    non-negative quantity of at least the minimum lot per delivery."""
    members = set(ctx.inputs.member_ids)
    out: list[Violation] = []
    for r in ctx.answer.allocation:
        key = f"{r.producer_id}/{r.product_id}/{r.week_start}"
        if r.producer_id not in members:
            out.append(_v("NOT_MEMBER", f"{key}: not a member of the group"))
            continue
        bad, _, kprice = ctx.fails(r.producer_id, r.product_id, r.week_start)
        out += [_v(code, f"{key}: supplies {r.qty:g} but fails {code}") for code in bad]
        o = ctx.offers.get((r.producer_id, r.product_id))
        if o is not None and abs(r.kitchen_price_eur_per_unit - kprice) > TOL:
            out.append(_v("PRICE", f"{key}: kitchen price misreported"))
        if r.qty < -TOL:
            out.append(_v("ALLOCATION_SUM", f"{key}: negative quantity {r.qty}"))
        n_del = len(delivery_dates(ctx.inputs.order, r.week_start))
        if o is not None and n_del and r.qty / n_del < o.min_lot - TOL:
            msg = f"{key}: {r.qty / n_del:g} per delivery < minimum lot {o.min_lot:g}"
            out.append(_v("MIN_LOT", msg))
    return out


def check_capacity(ctx: PoolingContext) -> list[Violation]:
    """A member's quantity of a product in a week is within its weekly capacity."""
    out: list[Violation] = []
    for (m, pid, w), q in ctx.by_member_week.items():
        _, cap, _ = ctx.fails(m, pid, w)
        if q > cap + TOL:
            msg = f"{m}/{pid}/{w}: {q:g} > weekly capacity {cap:g}"
            out.append(_v("OVER_CAPACITY", msg, {"qty": q, "capacity": cap}))
    return out


def check_reasons(ctx: PoolingContext) -> list[Violation]:
    """Every shortfall has a known reason; one blamed on a rule excludes at least one member."""
    out: list[Violation] = []
    members = ctx.inputs.member_ids
    for s in ctx.answer.shortfalls:
        if s.reason_code not in KNOWN_REASONS:
            out.append(_v("VERDICT", f"unknown reason code {s.reason_code!r}"))
        blamed_on_a_rule = s.date is None and s.reason_code != "CAPACITY"
        if blamed_on_a_rule and not any(
            s.reason_code in ctx.fails(m, s.product_id, s.week_start)[0] for m in members
        ):
            msg = f"{s.product_id} week {s.week_start}: {s.reason_code} excludes no member"
            out.append(_v("REASON", msg))
    return out


def check_demand(ctx: PoolingContext) -> list[Violation]:
    """Allocated + capacity shortfall = demand, and the shortfall is the recomputed one."""
    cap_short: dict[tuple[str, dt.date], float] = defaultdict(float)
    for s in ctx.answer.shortfalls:
        if s.date is None:
            cap_short[(s.product_id, s.week_start)] += s.short_qty
    order = ctx.inputs.order
    out: list[Violation] = []
    for line in order.lines:
        for w in ctx.weeks_with_delivery():
            demand = line.qty_per_delivery * len(delivery_dates(order, w))
            got = ctx.alloc.get((line.product_id, w), 0.0)
            short = cap_short.get((line.product_id, w), 0.0)
            tol = TOL * max(1.0, demand)
            if abs(got + short - demand) > tol:
                msg = (
                    f"{line.product_id} week {w}: allocated {got:g} + short {short:g} != "
                    f"demand {demand:g}"
                )
                numbers = {"allocated": got, "short": short, "demand": demand}
                out.append(_v("ALLOCATION_SUM", msg, numbers))
            expect = max(0.0, demand - _eligible_capacity(ctx, line.product_id, w))
            if short < expect - tol or (short > expect + tol and not _lot_out(ctx, line, w)):
                msg = f"{line.product_id} week {w}: short {short:g}, recomputed {expect:g}"
                out.append(_v("SHORTFALL", msg, {"short": short, "expected": expect}))
    return out


def _eligible_capacity(ctx: PoolingContext, product_id: str, week: dt.date) -> float:
    total = 0.0
    for m in ctx.inputs.member_ids:
        bad, cap, _ = ctx.fails(m, product_id, week)
        if not bad:
            total += cap
    return total


def _lot_out(ctx: PoolingContext, line: Any, week: dt.date) -> bool:
    """An eligible member with a minimum lot supplies nothing of the line that week."""
    pid = line.product_id
    return any(
        ctx.offers[(m, pid)].min_lot > 0
        and not ctx.fails(m, pid, week)[0]
        and ctx.by_member_week.get((m, pid, week), 0.0) <= 0
        for m in ctx.inputs.member_ids
        if (m, pid) in ctx.offers
    )


def check_trips(ctx: PoolingContext) -> list[Violation]:
    """Each member delivers: every trip's drive, window, max drive and kg recomputed."""
    if ctx.inputs.transport.mode != "each_delivers":
        return []
    kg_trip: dict[tuple[dt.date, str], float] = defaultdict(float)
    for (d, m, _pid), kg in ctx.expected_day_kg.items():
        kg_trip[(d, m)] += kg
    out: list[Violation] = []
    seen = set()
    floor_min = ctx.inputs.max_drive_min_floor
    for t in ctx.answer.trips:
        seen.add((t.date, t.producer_id))
        p = ctx.producers[t.producer_id]
        dr = ctx.drive(t.producer_id, ctx.kitchen.id)
        where = f"{t.producer_id} {t.date}"
        if t.drive_s != dr or t.arrival_s - t.depart_s != dr:
            out.append(_v("TRIP", f"{where}: drive misreported"))
        if t.depart_s < p.pickup_start_min * 60 or t.arrival_s > ctx.receiving_end_s:
            msg = f"{where}: arrives {t.arrival_s} s, window ends {ctx.receiving_end_s} s"
            out.append(_v("TIME_WINDOW", msg))
        if dr > max(p.max_drive_min, floor_min) * 60 + 1e-9:
            out.append(_v("DRIVE_TIME", f"{where}: {dr} s"))
        if abs(t.kg - kg_trip.get((t.date, t.producer_id), 0.0)) > 1e-3:
            out.append(_v("TRIP", f"{where}: kg misreported"))
    missing = {k for k, kg in kg_trip.items() if kg > 1e-9} - seen
    out += [_v("TRIP", f"{m} {d}: supplies but has no trip") for d, m in sorted(missing)]
    return out


def check_routes(ctx: PoolingContext) -> list[Violation]:
    """Collected or platform rounds: they pass the rounds checker, carry the allocation, and
    every day they cannot deliver has a shortfall (``VAN_CAPACITY`` only above the fleet)."""
    if ctx.inputs.transport.mode == "each_delivers":
        return []
    answer = ctx.answer
    problem, result = answer.rounds_problem, answer.rounds_result
    if problem is None or result is None:
        return [_v("ROUTES", "allocation without rounds")] if ctx.expected_day_kg else []
    out: list[Violation] = []
    report = check_rounds(problem, result)
    if not report.ok:
        out.append(_v("ROUTES", f"route checker: {sorted(report.codes())}"))
    orders = {o.id: o for o in problem.orders}
    unrouted = {u.order_id for u in result.unassigned}
    load: dict[str, float] = defaultdict(float)
    for o in problem.orders:
        load[o.day] += o.kg
    fleet = sum(x.capacity_kg for x in problem.vehicles)
    dated_short: dict[dt.date, list[Any]] = defaultdict(list)
    for s in answer.shortfalls:
        if s.date is not None:
            dated_short[s.date].append(s)
    for (d, m, pid), kg in ctx.expected_day_kg.items():
        label = answer.pattern_of_date.get(d)
        oid = f"{label}|{m}|{pid}"
        if label is None or oid not in orders:
            out.append(_v("ROUTE_LOAD", f"{d} {m} {pid}: not routed"))
            continue
        if abs(orders[oid].kg - kg) > 2e-3:
            msg = f"{d} {m} {pid}: routed {orders[oid].kg} kg, allocated {kg:.3f}"
            out.append(_v("ROUTE_LOAD", msg))
        if (oid in unrouted or load[label] > fleet + TOL) and not dated_short.get(d):
            msg = f"{d}: {oid} not delivered but the day has no shortfall"
            out.append(_v("VERDICT", msg))
    for d, shorts in dated_short.items():
        label = answer.pattern_of_date.get(d, "")
        for s in shorts:
            if s.reason_code == "VAN_CAPACITY" and not load[label] > fleet + TOL:
                msg = f"{d}: VAN_CAPACITY but load {load[label]:g} <= fleet {fleet:g}"
                out.append(_v("VAN_CAPACITY", msg))
    return out


def check_verdict(ctx: PoolingContext) -> list[Violation]:
    """A week is feasible iff it has no shortfall; the order iff every week is; every week of
    the order with a delivery is answered."""
    answer = ctx.answer
    out: list[Violation] = []
    bad_weeks = {s.week_start for s in answer.shortfalls}
    for wv in answer.weeks:
        if wv.feasible == (wv.week_start in bad_weeks):
            msg = f"week {wv.week_start}: feasible={wv.feasible} vs its shortfalls"
            out.append(_v("VERDICT", msg))
    all_ok = bool(answer.weeks) and all(w.feasible for w in answer.weeks)
    if answer.feasible != all_ok:
        out.append(_v("VERDICT", f"feasible={answer.feasible} vs weeks {all_ok}"))
    if {w.week_start for w in answer.weeks} != set(ctx.weeks_with_delivery()):
        out.append(_v("VERDICT", "weeks answered differ from the order's weeks"))
    return out


def check_revenue(ctx: PoolingContext) -> list[Violation]:
    """Revenue per member = sum of quantity x producer price (to the cent)."""
    out: list[Violation] = []
    for m, eur in ctx.answer.revenue_eur_by_member.items():
        got = ctx.revenue.get(m, 0.0)
        if not math.isclose(eur, got, abs_tol=0.01):
            out.append(_v("REVENUE", f"{m}: {eur} EUR vs {got:.2f}"))
    return out


#: Every rule of the pooling checker, in the order they run.
POOLING_RULES: tuple[Callable[[PoolingContext], list[Violation]], ...] = (
    check_allocation_rows,
    check_capacity,
    check_reasons,
    check_demand,
    check_trips,
    check_routes,
    check_verdict,
    check_revenue,
)


def check_pooling(inputs: Any, answer: Any) -> Report:
    """Recompute every rule of a pooling answer (see the module docstring).

    Returns the :class:`Report`; each violation has its ``rule`` code, a ``message`` naming
    the member, product, week or day, and ``numbers`` where the rule compares two figures.
    """
    ctx = build_pooling_context(inputs, answer)
    return report_of([v for rule in POOLING_RULES for v in rule(ctx)])
