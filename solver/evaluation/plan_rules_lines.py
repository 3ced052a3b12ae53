"""Plan rules on the lines themselves: dates, who may sell what by which channel, offers'
season, capacity and lots, prices, values and labels.

Each rule is ``check_*(ctx) -> list[Violation]`` over a
:class:`solver.evaluation.plan_context.CheckContext`; the conventions are those of
:mod:`solver.evaluation.plan_check`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from solver.core import Channel, Label, Producer, week_month
from solver.evaluation.plan_context import (
    CHANNEL_MODES,
    DIRECT_LIKE,
    TOL_EUR,
    TOL_KG,
    TOL_PRICE_EUR,
    TOL_REL,
    CheckContext,
    drive_limit_min,
    items,
    plan_violation,
    rows,
    tol,
)
from solver.evaluation.report import Violation


def check_dates(ctx: CheckContext) -> list[Violation]:
    """Lines fall in the plan's weeks, on a Monday-based week, delivered within that week."""
    out: list[Violation] = []
    horizon = set(ctx.horizon)
    df = ctx.lines
    if df.empty:
        return out
    cols = ["week_start", "delivery_date", "kitchen_id", "supplier_id", "product_id"]
    for rec in rows(df[cols]):
        w: dt.date = rec.week_start
        base = {
            "kitchen_id": rec.kitchen_id,
            "supplier_id": rec.supplier_id,
            "product_id": rec.product_id,
            "week_start": w,
        }
        if w.isoweekday() != 1:
            msg = f"week_start {w} is weekday {w.isoweekday()}, not a Monday"
            out.append(
                plan_violation("week_not_monday", msg, value=w.isoweekday(), limit=1, **base)
            )
        if horizon and w not in horizon:
            msg = (
                f"line in week {w}, outside the plan's {len(horizon)} weeks "
                f"({min(horizon)} .. {max(horizon)})"
            )
            nan = float("nan")
            out.append(plan_violation("week_outside_horizon", msg, value=nan, limit=nan, **base))
        dd = rec.delivery_date
        if dd is not None and not pd.isna(dd) and not 0 <= (dd - w).days <= 6:
            msg = f"delivery date {dd} is {(dd - w).days} days from week start {w} (0..6 allowed)"
            out.append(
                plan_violation("delivery_outside_week", msg, value=(dd - w).days, limit=6, **base)
            )
    return out


# --------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Combo:
    """The lines of one kitchen x supplier x product x channel x local flag: first week, count."""

    kitchen_id: str
    supplier_id: str
    product_id: str
    channel: str
    local: bool
    week_start: dt.date
    n: int

    def fault(self, rule: str, message: str, *, value: float, limit: float) -> Violation:
        """A violation located on this combination; ``message`` gets the line count."""
        return plan_violation(
            rule,
            f"{message} ({self.n} lines)",
            value=value,
            limit=limit,
            kitchen_id=self.kitchen_id,
            supplier_id=self.supplier_id,
            product_id=self.product_id,
            week_start=self.week_start,
        )


def check_eligibility(ctx: CheckContext) -> list[Violation]:
    """Known ids; local lines from eligible producers, by a channel they practise."""
    df = ctx.lines
    if df.empty:
        return []
    sc = ctx.scenario
    kitchens = {k.id for k in sc.kitchens()}
    products = {p.id for p in sc.products}
    producers = {p.id: p for p in sc.producers}
    combos = df.groupby(["kitchen_id", "supplier_id", "product_id", "channel", "local"]).agg(
        week_start=("week_start", "min"), n=("week_start", "size")
    )
    out: list[Violation] = []
    for (kid, sid, pid, chan, local), rec in items(combos):
        c = Combo(kid, sid, pid, chan, bool(local), rec["week_start"], int(rec["n"]))
        if kid not in kitchens:
            msg = f"kitchen {kid!r} is not a purchasing kitchen of the scenario"
            out.append(c.fault("unknown_kitchen", msg, value=c.n, limit=0))
        elif pid not in products:
            msg = f"product {pid!r} is not in the scenario"
            out.append(c.fault("unknown_product", msg, value=c.n, limit=0))
        elif chan == Channel.REFERENCE.value:
            out += _reference_faults(ctx, c)
        elif sid not in producers:
            msg = f"producer {sid!r} is not in the scenario"
            out.append(c.fault("unknown_supplier", msg, value=c.n, limit=0))
        else:
            out += _producer_faults(ctx, c, producers[sid])
    return out


def _reference_faults(ctx: CheckContext, c: Combo) -> list[Violation]:
    """A wholesaler line: not local, from a known wholesaler, the kitchen's own when it has
    one that offers the product."""
    refs = ctx.scenario.reference_offers
    out: list[Violation] = []
    if c.local:
        out.append(c.fault("local_flag", "reference-supplier line marked local", value=1, limit=0))
    if c.supplier_id not in {r.supplier_id for r in refs}:
        msg = f"supplier {c.supplier_id!r} is neither a producer nor a reference supplier"
        out.append(c.fault("unknown_supplier", msg, value=c.n, limit=0))
        return out
    own = ctx.canteen(c.kitchen_id)
    own_id = own.reference_supplier_id if own is not None else ""
    if (
        own_id
        and c.supplier_id != own_id
        and (own_id, c.product_id) in {(r.supplier_id, r.product_id) for r in refs}
    ):
        msg = (
            f"bought from wholesaler {c.supplier_id!r}, the kitchen's reference supplier is "
            f"{own_id!r}"
        )
        out.append(c.fault("reference_supplier", msg, value=c.n, limit=0))
    return out


def _producer_faults(ctx: CheckContext, c: Combo, prod: Producer) -> list[Violation]:
    """A producer's line: local, an offer of the product, a channel the producer practises,
    within reach."""
    out: list[Violation] = []
    sid, chan = c.supplier_id, c.channel
    if not c.local:
        msg = f"line from producer {sid!r} by {chan} not marked local"
        out.append(c.fault("local_flag", msg, value=0, limit=1))
    if (sid, c.product_id) not in {o.key for o in ctx.scenario.offers}:
        msg = f"producer {sid!r} has no offer for {c.product_id!r}"
        out.append(c.fault("no_offer", msg, value=c.n, limit=0))
    if not CHANNEL_MODES[chan] & set(prod.delivery_modes):
        modes = sorted(m.value for m in prod.delivery_modes)
        msg = f"channel {chan} but producer {sid!r} delivers by {modes}"
        out.append(c.fault("channel_mode", msg, value=c.n, limit=0))
    if chan in DIRECT_LIKE:
        out += _direct_reach_faults(ctx, c, prod)
    elif chan == Channel.PLATFORM.value:
        out += _platform_reach_faults(ctx, c)
    return out


def _direct_reach_faults(ctx: CheckContext, c: Combo, prod: Producer) -> list[Violation]:
    """A direct drop or farm pickup: the pair has a route within the drive limit."""
    canteen = ctx.canteen(c.kitchen_id)
    radius = (
        canteen.radius_min
        if canteen is not None and canteen.radius_min
        else ctx.scenario.settings.radius_min
    )
    limit_min = drive_limit_min(radius, prod, c.channel)
    drive_s = ctx.eligibility.direct.get((c.supplier_id, c.kitchen_id))
    if drive_s is None:
        msg = (
            f"producer {c.supplier_id!r} is not within reach of kitchen {c.kitchen_id!r} for a "
            f"direct drop (no eligible route; limit {limit_min:.1f} min)"
        )
        return [c.fault("not_eligible", msg, value=float("inf"), limit=limit_min)]
    if drive_s > limit_min * 60.0 + 1e-6:
        msg = (
            f"drive {drive_s / 60:.1f} min > limit {limit_min:.1f} min (radius {radius:.1f}, "
            f"producer max {prod.max_drive_min:.1f})"
        )
        return [c.fault("not_eligible", msg, value=drive_s / 60.0, limit=limit_min)]
    return []


def _platform_reach_faults(ctx: CheckContext, c: Combo) -> list[Violation]:
    """A platform line: the producer and the kitchen are both on the round of the
    kitchen's platform (any platform's, for an eligibility that does not name them)."""
    el = ctx.eligibility
    via = getattr(el, "via_platform", None)
    missing = [
        x
        for x, ok in (
            (f"producer {c.supplier_id!r}", c.supplier_id in set(el.platform_producers)),
            (f"kitchen {c.kitchen_id!r}", c.kitchen_id in set(el.platform_kitchens)),
        )
        if not ok
    ]
    if not missing and via is not None and not via(c.supplier_id, c.kitchen_id):
        missing = [f"producer {c.supplier_id!r} (collected by another platform)"]
    if not missing and ctx.scenario.platforms:
        return []
    why = " and ".join(missing) if missing else "the scenario has no platform"
    msg = f"platform line but {why} not on the platform round"
    return [c.fault("not_eligible", msg, value=c.n, limit=0)]


# --------------------------------------------------------------------------- offers


def check_capacity_and_season(ctx: CheckContext) -> list[Violation]:
    """Per offer and week: in season, total over kitchens within capacity; lines >= min lot."""
    df = ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    offers = {o.key: o for o in ctx.scenario.offers}
    local = df[df["local"] & (df["channel"] != Channel.REFERENCE.value)]
    agg = local.groupby(["supplier_id", "product_id", "week_start"], as_index=False).agg(
        quantity=("quantity", "sum"), kitchens=("kitchen_id", "nunique")
    )
    for r in rows(agg):
        o = offers.get((r.supplier_id, r.product_id))
        if o is None:
            continue  # reported as no_offer by check_eligibility
        month = week_month(r.week_start)
        cap = o.capacity_in_month(month)
        base = {
            "supplier_id": r.supplier_id,
            "product_id": r.product_id,
            "week_start": r.week_start,
        }
        if cap <= 0:
            msg = (
                f"{r.quantity:.3f} units bought in month {month}, offer season is months "
                f"{list(o.months)}"
            )
            out.append(plan_violation("out_of_season", msg, value=r.quantity, limit=0.0, **base))
        elif r.quantity > cap + tol(cap):
            msg = (
                f"{r.quantity:.3f} units over {r.kitchens} kitchen(s) > weekly capacity "
                f"{cap:.3f} (month {month})"
            )
            out.append(plan_violation("capacity", msg, value=r.quantity, limit=cap, **base))
    lots = local.assign(
        min_lot=[
            offers[k].min_lot if k in offers else 0.0
            for k in zip(local["supplier_id"], local["product_id"], strict=True)
        ]
    )
    for r in rows(lots[lots["quantity"] < lots["min_lot"] - TOL_KG]):
        out.append(
            plan_violation(
                "min_lot",
                f"{r.quantity:.3f} units < minimum lot {r.min_lot:.3f}",
                value=r.quantity,
                limit=r.min_lot,
                kitchen_id=r.kitchen_id,
                supplier_id=r.supplier_id,
                product_id=r.product_id,
                week_start=r.week_start,
            )
        )
    return out


# --------------------------------------------------------------------------- prices


def check_prices_and_values(ctx: CheckContext) -> list[Violation]:
    """Prices match the offers (platform: + margin); value = qty x price; kg = qty x kg/unit."""
    sc, df = ctx.scenario, ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    offer_price = {o.key: o.price_eur_per_unit for o in sc.offers}
    ref_price: dict[tuple[str, str], dict[frozenset[str], float]] = {}
    for ref in sc.reference_offers:
        ref_price.setdefault((ref.supplier_id, ref.product_id), {})[
            frozenset(x.value for x in ref.labels)
        ] = ref.price_eur_per_unit
    margins = sorted({pl.margin_pct for pl in sc.platforms}) or [0.0]
    kg_per_unit = {p.id: p.kg_per_unit for p in sc.products}
    for r in rows(df):
        base = {
            "kitchen_id": r.kitchen_id,
            "supplier_id": r.supplier_id,
            "product_id": r.product_id,
            "week_start": r.week_start,
        }
        expected, what = _expected_prices(r, offer_price, ref_price, margins)
        if (
            expected
            and min(abs(r.unit_price_eur - e) for e in expected)
            > TOL_PRICE_EUR + TOL_REL * r.unit_price_eur
        ):
            exp = expected[0]
            msg = f"unit price {r.unit_price_eur:.4f} EUR != {what} {exp:.4f} EUR"
            out.append(plan_violation("price", msg, value=r.unit_price_eur, limit=exp, **base))
        val = r.quantity * r.unit_price_eur
        if abs(r.value_eur - val) > TOL_EUR + TOL_REL * abs(val):
            msg = (
                f"value {r.value_eur:.2f} EUR != {r.quantity:.3f} x {r.unit_price_eur:.4f} = "
                f"{val:.2f} EUR"
            )
            out.append(plan_violation("value", msg, value=r.value_eur, limit=val, **base))
        kpu = kg_per_unit.get(r.product_id)
        if kpu is not None and abs(r.quantity_kg - r.quantity * kpu) > tol(r.quantity * kpu):
            kg = r.quantity * kpu
            msg = (
                f"{r.quantity_kg:.3f} kg != {r.quantity:.3f} units x {kpu:.3f} kg/unit = "
                f"{kg:.3f} kg"
            )
            out.append(plan_violation("value", msg, value=r.quantity_kg, limit=kg, **base))
    return out


def _expected_prices(
    r: Any,
    offer_price: dict[tuple[str, str], float],
    ref_price: dict[tuple[str, str], dict[frozenset[str], float]],
    margins: list[float],
) -> tuple[list[float], str]:
    """The unit prices a line may carry (any platform's margin) and what they are; a
    wholesaler line pays the reference offer of its labels (any of them, when no
    reference offer of the product has the line's labels)."""
    key = (r.supplier_id, r.product_id)
    if r.channel == Channel.REFERENCE.value:
        by_labels = ref_price.get(key, {})
        labels = frozenset(x for x in str(r.labels_str).split(",") if x)
        if labels in by_labels:
            return [by_labels[labels]], "reference price"
        return list(by_labels.values()), "reference price"
    if key not in offer_price:
        return [], ""
    if r.channel == Channel.PLATFORM.value:
        expected = [offer_price[key] * (1.0 + m / 100.0) for m in margins]
        return expected, f"offer price x (1 + margin {margins} %)"
    return [offer_price[key]], "offer price"


def check_labels(ctx: CheckContext) -> list[Violation]:
    """A line carries exactly the labels of its offer (or reference offer)."""
    sc, df = ctx.scenario, ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    offer_labels = {
        o.key: frozenset(sc.offer_labels(o))
        for o in sc.offers
        if o.producer_id in {p.id for p in sc.producers}
    }
    ref_labels: dict[tuple[str, str], list[frozenset[Label]]] = {}
    for ref in sc.reference_offers:
        ref_labels.setdefault((ref.supplier_id, ref.product_id), []).append(frozenset(ref.labels))
    combos = df.groupby(["kitchen_id", "supplier_id", "product_id", "channel", "labels_str"]).agg(
        week_start=("week_start", "min"), n=("week_start", "size")
    )
    for (kid, sid, pid, chan, lab), rec in items(combos):
        got = frozenset(x for x in str(lab).split(",") if x)
        if chan == Channel.REFERENCE.value:
            ranges = [frozenset(x.value for x in e) for e in ref_labels.get((sid, pid), [])]
            if not ranges or got in ranges:
                continue  # a wholesaler's line carries the labels of one of its ranges
            exp = ranges[0]
        else:
            expected = offer_labels.get((sid, pid))
            if expected is None:
                continue
            exp = frozenset(x.value for x in expected)
        if got != exp:
            extra, missing = sorted(got - exp), sorted(exp - got)
            out.append(
                plan_violation(
                    "labels",
                    f"labels {sorted(got)} != offer labels {sorted(exp)} (extra {extra}, missing "
                    f"{missing}) on {int(rec['n'])} lines",
                    value=len(got ^ exp),
                    limit=0,
                    kitchen_id=kid,
                    supplier_id=sid,
                    product_id=pid,
                    week_start=rec["week_start"],
                )
            )
    return out
