"""Independent check of proposed contracts against the plan they come from.

Plain pandas, recomputed from the scenario, the plan and the eligibility, never from the
proposal's own helpers. Rules (``rule`` of each :class:`~solver.evaluation.Violation`):

* ``contract_volume``: per (kitchen, producer, product), the contracts' units equal the
  plan's local units (1 g / 1e-6 relative tolerance), and no contract line exists without
  a plan purchase; the same per month;
* ``backup_same_producer``: a producer backup is another producer;
* ``backup_no_offer``: a producer backup has an offer of the product in season in some
  week of the line's month;
* ``backup_not_eligible``: a producer backup may supply the kitchen (a direct pair of the
  eligibility, or the kitchen's platform round collecting from it);
* ``backup_capacity``: its spare capacity that month (weekly capacity x the month's weeks
  of the plan, minus what the plan buys from it) covers the line's units;
* ``backup_reference``: a wholesaler backup sells the product (the kitchen's own
  wholesaler when it has one that does).

The contracts are a table with the columns of
:data:`solver.reporting.contracts.CONTRACT_COLUMNS` (``kitchen_id``, ``producer_id``,
``product_id``, ``month`` ``YYYY-MM``, ``quantity``, ``backup_kind``,
``backup_supplier_id``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pandas as pd

from solver.core import Channel, PurchasePlan, Scenario, week_month
from solver.evaluation.indicators import plan_frame
from solver.evaluation.plan_context import EligibilityLike, tol
from solver.evaluation.report import Report, Violation, report_of

__all__ = ["CONTRACT_RULES", "check_contracts"]

CONTRACT_RULES = (
    "contract_volume",
    "backup_same_producer",
    "backup_no_offer",
    "backup_not_eligible",
    "backup_capacity",
    "backup_reference",
)


def _month_of(week: dt.date) -> str:
    thursday = week + dt.timedelta(days=3)
    return f"{thursday.year:04d}-{thursday.month:02d}"


def _violation(rule: str, message: str, r: Any, value: float, limit: float) -> Violation:
    return Violation(
        rule=rule,
        kitchen_id=str(r["kitchen_id"]),
        supplier_id=str(r["producer_id"]),
        product_id=str(r["product_id"]),
        message=message,
        value=float(value),
        limit=float(limit),
    )


def check_contracts(
    scenario: Scenario, plan: PurchasePlan, eligibility: EligibilityLike, contracts: pd.DataFrame
) -> Report:
    """The verdict on ``contracts`` proposed from ``plan`` (module docstring)."""
    df = plan_frame(scenario, plan)
    local = df[df["local"] & (df["channel"] != Channel.REFERENCE.value)]
    local = local.assign(month=[_month_of(w) for w in local["week_start"]])
    out = _volumes(local, contracts)
    out += _backups(scenario, plan, eligibility, local, contracts)
    return report_of(out)


def _volumes(local: pd.DataFrame, contracts: pd.DataFrame) -> list[Violation]:
    """Contract units = plan units, per (kitchen, producer, product, month)."""
    keys = ["kitchen_id", "producer_id", "product_id", "month"]
    plan_q = (
        local.rename(columns={"supplier_id": "producer_id"}).groupby(keys)["quantity"].sum()
        if not local.empty
        else pd.Series(dtype=float)
    )
    con_q = (
        contracts.groupby(keys)["quantity"].sum() if not contracts.empty else pd.Series(dtype=float)
    )
    out: list[Violation] = []
    for key in sorted(set(plan_q.index) | set(con_q.index)):
        want, got = float(plan_q.get(key, 0.0)), float(con_q.get(key, 0.0))
        if abs(want - got) > tol(want):
            r = dict(zip(keys, key, strict=True))
            msg = (
                f"contracted {got:.3f} units in {key[3]}, the plan buys {want:.3f} "
                f"from {key[1]} for {key[0]}"
            )
            out.append(_violation("contract_volume", msg, r, got, want))
    return out


def _backups(
    scenario: Scenario,
    plan: PurchasePlan,
    el: EligibilityLike,
    local: pd.DataFrame,
    contracts: pd.DataFrame,
) -> list[Violation]:
    """Each line's backup may stand in for it (module docstring)."""
    offers = {o.key: o for o in scenario.offers}
    refs = defaultdict(set)
    for ref in scenario.reference_offers:
        refs[ref.product_id].add(ref.supplier_id)
    month_weeks: dict[str, list[dt.date]] = defaultdict(list)
    for w in plan.weeks:
        month_weeks[_month_of(w)].append(w)
    bought = local.groupby(["supplier_id", "product_id", "month"])["quantity"].sum()
    via = getattr(el, "via_platform", None)
    out: list[Violation] = []
    for r in contracts.to_dict("records"):
        b, kid, iid = str(r["backup_supplier_id"]), str(r["kitchen_id"]), str(r["product_id"])
        q = float(r["quantity"])
        if r["backup_kind"] == "reference":
            own = scenario.canteen(kid).reference_supplier_id
            allowed = {own} if own in refs[iid] else refs[iid]
            if b not in allowed:
                msg = f"wholesaler backup {b!r} does not sell {iid} (allowed: {sorted(allowed)})"
                out.append(_violation("backup_reference", msg, r, 1.0, 0.0))
            continue
        if b == str(r["producer_id"]):
            msg = f"the backup of {b!r} is {b!r} itself"
            out.append(_violation("backup_same_producer", msg, r, 1.0, 0.0))
            continue
        o = offers.get((b, iid))
        weeks = month_weeks.get(str(r["month"]), [])
        cap = sum(o.capacity_in_month(week_month(w)) for w in weeks) if o is not None else 0.0
        if o is None or cap <= 0:
            msg = f"backup {b!r} has no offer of {iid} in season in {r['month']}"
            out.append(_violation("backup_no_offer", msg, r, 0.0, q))
            continue
        on_round = (
            via(b, kid)
            if via is not None
            else b in el.platform_producers and kid in el.platform_kitchens
        )
        if (b, kid) not in el.direct and not on_round:
            msg = f"backup {b!r} may not supply {kid!r} (no direct pair, not on its round)"
            out.append(_violation("backup_not_eligible", msg, r, 1.0, 0.0))
        spare = cap - float(bought.get((b, iid, str(r["month"])), 0.0))
        if spare < q - tol(q):
            msg = f"backup {b!r} has {spare:.3f} units spare in {r['month']}, the line {q:.3f}"
            out.append(_violation("backup_capacity", msg, r, spare, q))
    return out
