"""The answer of a pooling check: week verdicts, allocation, shortfalls with their reason codes,
relaxations, transport and money; and its JSON.

Reason codes (``REASONS``): ``CAPACITY`` (the eligible members do not have enough), the
eligibility rules ``FILTERS`` that exclude a member from a (product, week) (``OUT_OF_SEASON``,
``QUALITY``, ``PRICE``, ``DRIVE_TIME``, ``TIME_WINDOW``, ``DELIVERY_DAY``, see
:mod:`solver.pooling.eligibility`), and ``VAN_CAPACITY`` (a delivery day's load exceeds the van
fleet). Units: quantities in purchase units, ``*_kg`` in kg, money in EUR, times in seconds since
midnight.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from solver.core import POOLING_FILTERS, POOLING_REASONS
from solver.rounds import RoundsProblem, RoundsResult, rounds_to_json

REASONS = POOLING_REASONS
"""Every reason code of a shortfall (the order breaks ties in :func:`binding_reason`)."""
FILTERS = POOLING_FILTERS
"""The eligibility rules (reason codes that exclude a member from a (product, week)); the order
breaks ties between rules excluding the same capacity."""


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


def binding_reason(shortfalls: list[Shortfall]) -> str:
    """The reason code with the most kg short ("" when nothing is short)."""
    if not shortfalls:
        return ""
    kg: dict[str, float] = defaultdict(float)
    for s in shortfalls:
        kg[s.reason_code] += s.short_kg
    return max(kg, key=lambda r: (kg[r], -REASONS.index(r)))


def verdict_line(
    feasible: bool, weeks: list[WeekVerdict], shortfalls: list[Shortfall], binding: str
) -> str:
    """The one-line verdict (``FEASIBLE: ...``, ``INFEASIBLE: ...`` or ``NO DELIVERY: ...``)."""
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
