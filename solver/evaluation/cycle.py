"""The weekly cycle and re-planning, checked and measured in plain Python.

Indicators of regularity (what producers ask for: steady orders), per producer and for the
territory (:func:`regularity_table`):

* the plan's weeks are those in which it buys anything (school weeks); a producer's
  ``orders`` are the distinct (kitchen, week) it sells to (any local channel), and
  ``orders_per_month`` divides them by the months those weeks fall in
  (:func:`solver.core.week_month`);
* ``weekly_kg_cv`` is the coefficient of variation (population standard deviation /
  mean) of the producer's kg over the plan's weeks, weeks without a sale counting 0: 0 for
  the same volume every week, 1 for a volume every other week;
* the territory row averages ``orders_per_month`` over producers and weighs
  ``weekly_kg_cv`` by their kg.

Rules of a week's orders (:func:`check_week`): every order already sent is in the plan
with its kg (``fixed_order_changed``); no producer sells more kg of a product than its
availability list says that week, nor a product it does not list when it lists any
(``availability_exceeded``), and the unit price paid is the list's (times the platform's
margin on the platform, ``availability_price``).

Rules of a re-plan (:func:`check_replan`): the weeks before the re-planned ones are the
previous plan's, line for line (``kept_week_changed``); from a shortfall's week on, the
producer sells at most what is left of the product's capacity (``shortfall_exceeded``).
:func:`plan_changes` lists the order lines that differ between two plans.

Tolerances: those of the plan checker (1 g + 1e-6 relative, half a cent on unit prices);
two lines are the same when their quantities differ by at most :data:`CHANGE_TOL_KG`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from solver.core import (
    Availability,
    Channel,
    FixedOrder,
    PurchaseLine,
    PurchasePlan,
    Scenario,
    Shortfall,
    week_month,
)
from solver.evaluation.plan_context import TOL_KG, TOL_PRICE_EUR, TOL_REL
from solver.evaluation.report import Report, Violation, report_of

__all__ = [
    "CHANGE_TOL_KG",
    "CHANGES_COLUMNS",
    "REGULARITY_COLUMNS",
    "check_replan",
    "check_week",
    "plan_changes",
    "regularity_summary",
    "regularity_table",
]

#: Two order lines are the same when their kg differ by at most this (plans are written
#: rounded to 0.1 g).
CHANGE_TOL_KG = 0.01

#: Columns of :func:`regularity_table`.
REGULARITY_COLUMNS = [
    "producer_id",
    "producer_name",
    "kg",
    "weeks_supplied",
    "orders",
    "orders_per_month",
    "weekly_kg_mean",
    "weekly_kg_cv",
]

#: Columns of :func:`plan_changes`.
CHANGES_COLUMNS = [
    "week_start",
    "kitchen_id",
    "supplier_id",
    "product_id",
    "channel",
    "kg_before",
    "kg_after",
]

_TERRITORY = "TERRITORY"


# --------------------------------------------------------------------------- regularity


def regularity_table(scenario: Scenario, plan: PurchasePlan) -> pd.DataFrame:
    """One row per producer selling anything in ``plan`` (:data:`REGULARITY_COLUMNS`), and
    a last ``TERRITORY`` row (see the module docstring)."""
    weeks = sorted({ln.week_start for ln in plan.lines})
    if not weeks:
        return pd.DataFrame(columns=REGULARITY_COLUMNS)
    months = len({(w.year, week_month(w)) for w in weeks})
    pos = {w: j for j, w in enumerate(weeks)}
    kg: dict[str, np.ndarray] = {}
    orders: dict[str, set[tuple[str, dt.date]]] = defaultdict(set)
    names: dict[str, str] = {}
    for ln in plan.lines:
        if ln.channel is Channel.REFERENCE or ln.quantity_kg <= 0:
            continue
        kg.setdefault(ln.supplier_id, np.zeros(len(weeks)))[pos[ln.week_start]] += ln.quantity_kg
        orders[ln.supplier_id].add((ln.kitchen_id, ln.week_start))
        names[ln.supplier_id] = ln.supplier_name
    known = {p.id: p.name for p in scenario.producers}
    rows = []
    for pid in sorted(kg):
        v = kg[pid]
        mean = float(v.mean())
        rows.append(
            {
                "producer_id": pid,
                "producer_name": known.get(pid, names[pid]),
                "kg": float(v.sum()),
                "weeks_supplied": int((v > 0).sum()),
                "orders": len(orders[pid]),
                "orders_per_month": len(orders[pid]) / months,
                "weekly_kg_mean": mean,
                "weekly_kg_cv": float(v.std() / mean) if mean > 0 else float("nan"),
            }
        )
    table = pd.DataFrame(rows, columns=REGULARITY_COLUMNS)
    total = regularity_summary(table)
    territory = {
        "producer_id": _TERRITORY,
        "producer_name": "",
        "kg": float(table["kg"].sum()),
        "weeks_supplied": len(weeks),
        "orders": int(table["orders"].sum()),
        "orders_per_month": total["orders_per_producer_per_month"],
        "weekly_kg_mean": float(table["weekly_kg_mean"].sum()),
        "weekly_kg_cv": total["weekly_kg_cv"],
    }
    return pd.concat([table, pd.DataFrame([territory])], ignore_index=True)


def regularity_summary(table: pd.DataFrame) -> dict[str, float]:
    """Producers selling, their mean orders per month and their kg-weighted weekly CV."""
    rows = table[table["producer_id"] != _TERRITORY]
    if rows.empty:
        return {"producers": 0, "orders_per_producer_per_month": 0.0, "weekly_kg_cv": 0.0}
    cv = rows["weekly_kg_cv"].fillna(0.0).to_numpy(float)
    w = rows["kg"].to_numpy(float)
    return {
        "producers": len(rows),
        "orders_per_producer_per_month": float(rows["orders_per_month"].mean()),
        "weekly_kg_cv": float((cv * w).sum() / w.sum()) if w.sum() > 0 else 0.0,
    }


# --------------------------------------------------------------------------- week


def _kg_by(
    lines: Sequence[PurchaseLine], week: dt.date | None = None
) -> dict[tuple[str, str, str, Channel], float]:
    out: dict[tuple[str, str, str, Channel], float] = defaultdict(float)
    for ln in lines:
        if week is None or ln.week_start == week:
            out[(ln.kitchen_id, ln.supplier_id, ln.product_id, ln.channel)] += ln.quantity_kg
    return out


def _fixed_kept(plan: PurchasePlan, fixed: Sequence[FixedOrder], week: dt.date) -> list[Violation]:
    bought = _kg_by(plan.lines, week)
    out = []
    for f in fixed:
        channels = [f.channel] if f.channel is not None else list(Channel)
        got = sum(bought.get((f.kitchen_id, f.producer_id, f.product_id, c), 0.0) for c in channels)
        if abs(got - f.kg) > TOL_KG + TOL_REL * f.kg:
            out.append(
                Violation(
                    "fixed_order_changed",
                    kitchen_id=f.kitchen_id,
                    supplier_id=f.producer_id,
                    product_id=f.product_id,
                    week_start=week,
                    message=f"{f.kg:g} kg were ordered already, the plan buys {got:g} kg",
                    value=got,
                    limit=f.kg,
                )
            )
    return out


def _availability_kept(
    scenario: Scenario, plan: PurchasePlan, rows: Sequence[Availability], week: dt.date
) -> list[Violation]:
    listed = {(a.producer_id, a.product_id): a for a in rows if a.week == week}
    listing = {p for p, _ in listed}
    offers = {o.key: o for o in scenario.offers}
    margin = scenario.platforms[0].margin_pct / 100.0 if scenario.platforms else 0.0
    sold: dict[tuple[str, str], float] = defaultdict(float)
    out = []
    for ln in plan.lines:
        if ln.week_start != week or ln.supplier_id not in listing:
            continue
        sold[(ln.supplier_id, ln.product_id)] += ln.quantity_kg
        a = listed.get((ln.supplier_id, ln.product_id))
        base = offers.get((ln.supplier_id, ln.product_id))
        price = a.price_eur_per_unit if a and a.price_eur_per_unit else None
        price = price if price is not None else (base.price_eur_per_unit if base else None)
        if a is None or price is None:
            continue
        paid = price * (1.0 + margin) if ln.channel is Channel.PLATFORM else price
        if abs(ln.unit_price_eur - paid) > TOL_PRICE_EUR + TOL_REL * paid:
            out.append(
                Violation(
                    "availability_price",
                    kitchen_id=ln.kitchen_id,
                    supplier_id=ln.supplier_id,
                    product_id=ln.product_id,
                    week_start=week,
                    message=f"paid {ln.unit_price_eur:g} EUR a unit, the list says {paid:g}",
                    value=ln.unit_price_eur,
                    limit=paid,
                )
            )
    for (pid, prod), kg in sorted(sold.items()):
        a = listed.get((pid, prod))
        limit = a.kg_available if a is not None else 0.0
        if kg > limit + TOL_KG + TOL_REL * limit:
            why = "available" if a is not None else "listed (the producer lists others)"
            out.append(
                Violation(
                    "availability_exceeded",
                    supplier_id=pid,
                    product_id=prod,
                    week_start=week,
                    message=f"{kg:g} kg bought, {limit:g} kg {why} that week",
                    value=kg,
                    limit=limit,
                )
            )
    return out


def check_week(
    scenario: Scenario,
    plan: PurchasePlan,
    week: dt.date,
    *,
    fixed: Sequence[FixedOrder] = (),
    availability: Sequence[Availability] = (),
) -> Report:
    """A week's orders against the orders already sent and the availability lists.

    ``scenario`` is the scenario as it was before the availability lists (for offers'
    prices of rows without one).
    """
    return report_of(
        [
            *_fixed_kept(plan, fixed, week),
            *_availability_kept(scenario, plan, availability, week),
        ]
    )


# --------------------------------------------------------------------------- re-plan


def plan_changes(before: PurchasePlan, after: PurchasePlan, *, since: dt.date) -> pd.DataFrame:
    """Order lines (week, kitchen, supplier, product, channel) from ``since`` on whose kg
    differ by more than :data:`CHANGE_TOL_KG` between two plans (:data:`CHANGES_COLUMNS`,
    a line absent from a plan has 0 kg there), sorted."""
    a = _keyed(before, since)
    b = _keyed(after, since)
    rows = [
        (*key[:4], key[4].value, a.get(key, 0.0), b.get(key, 0.0))
        for key in sorted(a.keys() | b.keys(), key=lambda k: (k[0], k[1], k[2], k[3], k[4].value))
        if abs(a.get(key, 0.0) - b.get(key, 0.0)) > CHANGE_TOL_KG
    ]
    return pd.DataFrame(rows, columns=CHANGES_COLUMNS)


def _keyed(
    plan: PurchasePlan, since: dt.date
) -> dict[tuple[dt.date, str, str, str, Channel], float]:
    out: dict[tuple[dt.date, str, str, str, Channel], float] = defaultdict(float)
    for ln in plan.lines:
        if ln.week_start >= since:
            out[(ln.week_start, ln.kitchen_id, ln.supplier_id, ln.product_id, ln.channel)] += (
                ln.quantity_kg
            )
    return out


def _kept_weeks(before: PurchasePlan, after: PurchasePlan, since: dt.date) -> list[Violation]:
    first = min([*before.weeks, *after.weeks], default=since)
    a = {k: v for k, v in _keyed(before, first).items() if k[0] < since}
    b = {k: v for k, v in _keyed(after, first).items() if k[0] < since}
    out = []
    for key in sorted(a.keys() | b.keys(), key=lambda k: (k[0], k[1], k[2], k[3], k[4].value)):
        kg_a, kg_b = a.get(key, 0.0), b.get(key, 0.0)
        if abs(kg_a - kg_b) > TOL_KG + TOL_REL * kg_a:
            out.append(
                Violation(
                    "kept_week_changed",
                    kitchen_id=key[1],
                    supplier_id=key[2],
                    product_id=key[3],
                    week_start=key[0],
                    message=f"before the re-planned weeks: {kg_a:g} kg in the plan, now {kg_b:g}",
                    value=kg_b,
                    limit=kg_a,
                )
            )
    return out


def _shortfalls_kept(
    scenario: Scenario, plan: PurchasePlan, shortfalls: Sequence[Shortfall]
) -> list[Violation]:
    sold: dict[tuple[str, str, dt.date], float] = defaultdict(float)
    for ln in plan.lines:
        if ln.channel is not Channel.REFERENCE:
            sold[(ln.supplier_id, ln.product_id, ln.week_start)] += ln.quantity
    out = []
    for o in scenario.offers:
        hits = [s for s in shortfalls if s.hits(o.producer_id, o.product_id)]
        if not hits:
            continue
        for (pid, prod, week), units in sorted(sold.items()):
            if (pid, prod) != o.key:
                continue
            left = o.capacity_in_month(week_month(week))
            for s in hits:
                if week >= s.from_week:
                    left *= 1.0 - s.loss_pct / 100.0
            if units > left + TOL_KG + TOL_REL * left:
                out.append(
                    Violation(
                        "shortfall_exceeded",
                        supplier_id=pid,
                        product_id=prod,
                        week_start=week,
                        message=f"{units:g} units bought, {left:g} left after the shortfall",
                        value=units,
                        limit=left,
                    )
                )
    return out


def check_replan(
    scenario: Scenario,
    before: PurchasePlan,
    after: PurchasePlan,
    since: dt.date,
    shortfalls: Sequence[Shortfall],
) -> Report:
    """A re-plan against the plan it revises (weeks before ``since`` kept) and the
    shortfalls it answers (capacities cut)."""
    return report_of(
        [*_kept_weeks(before, after, since), *_shortfalls_kept(scenario, after, shortfalls)]
    )
