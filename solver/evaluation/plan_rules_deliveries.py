"""Plan rules on what reaches the kitchens: demand covered, minimum orders, delivery days and
frequencies, stock and storage, the platform's vans, targets.

Each rule is ``check_*(ctx) -> list[Violation]`` over a
:class:`solver.evaluation.plan_context.CheckContext`; the conventions are those of
:mod:`solver.evaluation.plan_check`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from solver.core import Channel, ColdChain, Platform, Producer, TargetMode
from solver.evaluation.indicators import (
    TERRITORY,
    deliveries_by_week,
    indicators_table,
    target_shortfalls,
)
from solver.evaluation.plan_context import (
    DIRECT_LIKE,
    TOL_EUR,
    TOL_KG,
    TOL_REL,
    CheckContext,
    items,
    plan_violation,
    rows,
    tol,
)
from solver.evaluation.plan_stock import STORAGE_AMBIENT
from solver.evaluation.report import Violation

NAN = float("nan")

#: Violation rule of each target of :func:`solver.evaluation.indicators.target_shortfalls`.
TARGET_RULES = {
    "egalim_pct": "target_egalim",
    "bio_pct": "target_bio",
    "meat_fish_egalim_pct": "target_meat_fish",
    "local_pct": "target_local",
    "budget": "budget",
}


def check_demand_met(ctx: CheckContext) -> list[Violation]:
    """Every kg of demand of the plan's weeks is covered (from purchases or stock)."""
    st = ctx.stock
    if st.empty:
        return []
    bad = st[st["in_horizon"] & (st["unmet_kg"] > TOL_KG + TOL_REL * st["demand_kg"])]
    return [
        plan_violation(
            "demand_not_met",
            f"{r.unmet_kg:.3f} kg of {r.demand_kg:.3f} kg demand not covered "
            f"(bought {r.bought_kg:.3f} kg this week)",
            value=r.demand_kg - r.unmet_kg,
            limit=r.demand_kg,
            kitchen_id=r.kitchen_id,
            product_id=r.product_id,
            week_start=r.week_start,
        )
        for r in rows(bad)
    ]


# --------------------------------------------------------------------------- minimum orders


def _offer_value(ctx: CheckContext, df: pd.DataFrame) -> np.ndarray:
    """Each line's quantity at its offer's price (its own value when it has no offer)."""
    price = {o.key: o.price_eur_per_unit for o in ctx.scenario.offers}
    p = np.array(
        [price.get(k, np.nan) for k in zip(df["supplier_id"], df["product_id"], strict=True)],
        dtype=float,
    )
    v = df["quantity"].to_numpy(dtype=float) * p
    return np.where(np.isnan(v), df["value_eur"].to_numpy(dtype=float), v)


def _below_minimum(
    rule: str, what: str, prod: Producer, kg: float, eur: float, eur_what: str, **where: Any
) -> list[Violation]:
    """The producer's minimum order in kg and in EUR (each when > 0) against one drop."""
    out: list[Violation] = []
    if prod.min_order_kg > 0 and kg < prod.min_order_kg - tol(prod.min_order_kg):
        msg = f"{what}: {kg:.3f} kg < minimum order {prod.min_order_kg:.3f} kg"
        out.append(plan_violation(rule, msg, value=kg, limit=prod.min_order_kg, **where))
    if prod.min_order_eur > 0 and eur < prod.min_order_eur - TOL_EUR:
        msg = f"{what}: {eur:.2f} EUR{eur_what} < minimum order {prod.min_order_eur:.2f} EUR"
        out.append(plan_violation(rule, msg, value=eur, limit=prod.min_order_eur, **where))
    return out


def check_min_order(ctx: CheckContext) -> list[Violation]:
    """Each direct drop and each pooled platform pickup reaches the producer's minimum."""
    df = ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    producers = {p.id: p for p in ctx.scenario.producers}
    direct = df[df["channel"].isin(DIRECT_LIKE)]
    drops = direct.groupby(["supplier_id", "kitchen_id", "week_start", "day"], as_index=False).agg(
        kg=("quantity_kg", "sum"), eur=("value_eur", "sum")
    )
    for r in rows(drops):
        prod = producers.get(r.supplier_id)
        if prod is not None:
            out += _below_minimum(
                "min_order_direct",
                f"drop of {r.day}",
                prod,
                r.kg,
                r.eur,
                "",
                kitchen_id=r.kitchen_id,
                supplier_id=r.supplier_id,
                week_start=r.week_start,
            )
    plat = df[df["channel"] == Channel.PLATFORM.value]
    plat = plat.assign(producer_eur=_offer_value(ctx, plat))
    pick = plat.groupby(["supplier_id", "week_start"], as_index=False).agg(
        kg=("quantity_kg", "sum"), eur=("producer_eur", "sum"), kitchens=("kitchen_id", "nunique")
    )
    for r in rows(pick):
        prod = producers.get(r.supplier_id)
        if prod is not None:
            out += _below_minimum(
                "min_order_platform",
                f"pooled platform pickup for {r.kitchens} kitchen(s)",
                prod,
                r.kg,
                r.eur,
                " at producer price",
                supplier_id=r.supplier_id,
                week_start=r.week_start,
            )
    return out


# --------------------------------------------------------------------------- delivery days


def check_delivery_days_and_frequency(ctx: CheckContext) -> list[Violation]:
    """Producer/kitchen/round weekdays, producer trips and every-n-weeks, kitchen max deliveries."""
    if ctx.lines.empty:
        return []
    return [
        *_weekday_faults(ctx),
        *_producer_trip_faults(ctx),
        *_producer_frequency_faults(ctx),
        *_kitchen_delivery_faults(ctx),
    ]


def _weekday_faults(ctx: CheckContext) -> list[Violation]:
    """Dated lines: on a producer's weekday (direct, platform), a round day (platform), a
    kitchen's receiving day (once per kitchen x supplier x channel x date)."""
    sc, df = ctx.scenario, ctx.lines
    producers = {p.id: p for p in sc.producers}
    days_of = {pl.id: {int(d) for d in pl.round_weekdays} for pl in sc.platforms}
    dated = df[df["delivery_date"].notna()]
    if sc.platforms:
        plat = dated["channel"] == Channel.PLATFORM.value
        dated = dated.assign(platform_id="")
        dated.loc[plat, "platform_id"] = platform_of_lines(ctx, dated[plat])
    seen: set[tuple[str, str, str, dt.date]] = set()
    cols = ["kitchen_id", "supplier_id", "channel", "delivery_date", "week_start", "platform_id"]
    out: list[Violation] = []
    for r in rows(dated.reindex(columns=cols, fill_value="").drop_duplicates()):
        round_days = days_of.get(str(r.platform_id), set())
        wd = r.delivery_date.isoweekday()
        base = {
            "kitchen_id": r.kitchen_id,
            "supplier_id": r.supplier_id,
            "week_start": r.week_start,
        }
        prod = producers.get(r.supplier_id)
        if r.channel in (Channel.DIRECT.value, Channel.PLATFORM.value) and prod is not None:
            days = sorted(int(d) for d in prod.delivery_weekdays)
            if wd not in days:
                msg = (
                    f"{r.channel} on {r.delivery_date} (weekday {wd}); producer delivers on "
                    f"weekdays {days}"
                )
                out.append(plan_violation("producer_weekday", msg, value=wd, limit=NAN, **base))
        if r.channel == Channel.PLATFORM.value and round_days and wd not in round_days:
            msg = (
                f"platform delivery on {r.delivery_date} (weekday {wd}); the rounds of "
                f"{r.platform_id} run on weekdays {sorted(round_days)}"
            )
            out.append(plan_violation("platform_weekday", msg, value=wd, limit=NAN, **base))
        c = ctx.canteen(r.kitchen_id)
        key = (r.kitchen_id, r.supplier_id, r.channel, r.delivery_date)
        if c is not None and key not in seen:
            seen.add(key)
            kdays = sorted(int(d) for d in c.delivery_weekdays)
            if wd not in kdays:
                msg = (
                    f"delivery on {r.delivery_date} (weekday {wd}); kitchen receives on "
                    f"weekdays {kdays}"
                )
                out.append(plan_violation("kitchen_weekday", msg, value=wd, limit=NAN, **base))
    return out


def _producer_trip_faults(ctx: CheckContext) -> list[Violation]:
    """A producer's distinct direct drops (kitchen x day) plus platform pickup days in a week
    are at most its ``deliveries_per_week``."""
    df = ctx.lines
    producers = {p.id: p for p in ctx.scenario.producers}
    drops = (
        df.loc[df["channel"].isin(DIRECT_LIKE), ["supplier_id", "week_start", "kitchen_id", "day"]]
        .drop_duplicates()
        .groupby(["supplier_id", "week_start"])
        .size()
        .rename("drops")
    )
    pickups = (
        df.loc[df["channel"] == Channel.PLATFORM.value, ["supplier_id", "week_start", "day"]]
        .drop_duplicates()
        .groupby(["supplier_id", "week_start"])
        .size()
        .rename("pickups")
    )
    trips = pd.concat([drops, pickups], axis=1).fillna(0).astype(int).reset_index()
    out: list[Violation] = []
    for sid, w, n_drops, n_pickups in rows(trips):
        prod = producers.get(sid)
        n = n_drops + n_pickups
        if prod is not None and n > prod.deliveries_per_week:
            msg = (
                f"{n_drops} direct drop(s) + {n_pickups} platform pickup(s) in the week = "
                f"{n} > {prod.deliveries_per_week} drops per week"
            )
            out.append(
                plan_violation(
                    "producer_deliveries_per_week",
                    msg,
                    value=n,
                    limit=prod.deliveries_per_week,
                    supplier_id=sid,
                    week_start=w,
                )
            )
    return out


def _producer_frequency_faults(ctx: CheckContext) -> list[Violation]:
    """``delivery_every_n_weeks = n``: two weeks with the producer's lines are >= n apart."""
    df = ctx.lines
    producers = {p.id: p for p in ctx.scenario.producers}
    local = df[df["channel"] != Channel.REFERENCE.value]
    out: list[Violation] = []
    for sid, weeks in local.groupby("supplier_id")["week_start"]:
        prod = producers.get(str(sid))
        if prod is None or prod.delivery_every_n_weeks <= 1:
            continue
        n_weeks = prod.delivery_every_n_weeks
        ws = sorted(set(weeks))
        for a, b in zip(ws, ws[1:], strict=False):
            gap = (b - a).days // 7
            if gap < n_weeks:
                msg = (
                    f"delivers in weeks {a} and {b}, {gap} week(s) apart; at most one week in "
                    f"any {n_weeks} consecutive weeks"
                )
                out.append(
                    plan_violation(
                        "producer_frequency",
                        msg,
                        value=gap,
                        limit=n_weeks,
                        supplier_id=str(sid),
                        week_start=b,
                    )
                )
    return out


def _kitchen_delivery_faults(ctx: CheckContext) -> list[Violation]:
    """A kitchen's deliveries in a week are at most its ``max_deliveries_per_week``."""
    out: list[Violation] = []
    for r in rows(deliveries_by_week(ctx.lines)):
        c = ctx.canteen(r.kitchen_id)
        if c is not None and r.deliveries > c.max_deliveries_per_week:
            msg = (
                f"{r.deliveries} deliveries in the week ({r.direct_drops} direct drops + "
                f"{r.platform} platform + {r.wholesaler} wholesaler) > max "
                f"{c.max_deliveries_per_week}"
            )
            out.append(
                plan_violation(
                    "kitchen_max_deliveries",
                    msg,
                    value=r.deliveries,
                    limit=c.max_deliveries_per_week,
                    kitchen_id=r.kitchen_id,
                    week_start=r.week_start,
                )
            )
    return out


# --------------------------------------------------------------------------- stock


def check_storage(ctx: CheckContext) -> list[Violation]:
    """Fresh products carry no stock; storables within shelf life; stock within storage."""
    st = ctx.stock
    out: list[Violation] = []
    if st.empty:
        return out
    st = st[st["in_horizon"]]
    fresh = st[st["excess_fresh_kg"] > TOL_KG + TOL_REL * st["bought_kg"]]
    for r in rows(fresh):
        msg = (
            f"fresh product: bought {r.bought_kg:.3f} kg for a week's demand of "
            f"{r.demand_kg:.3f} kg, {r.excess_fresh_kg:.3f} kg would be carried"
        )
        where = {"kitchen_id": r.kitchen_id, "product_id": r.product_id, "week_start": r.week_start}
        out.append(
            plan_violation("fresh_stock", msg, value=r.bought_kg, limit=r.demand_kg, **where)
        )
    shelf = st[
        st["storable"]
        & (st["stock_kg"] > st["future_demand_kg"] + TOL_KG + TOL_REL * st["stock_kg"])
    ]
    for r in rows(shelf):
        msg = (
            f"{r.stock_kg:.3f} kg in stock at the end of the week > {r.future_demand_kg:.3f} "
            f"kg of demand in the next {r.shelf_weeks} week(s) of shelf life"
        )
        where = {"kitchen_id": r.kitchen_id, "product_id": r.product_id, "week_start": r.week_start}
        out.append(
            plan_violation("shelf_life", msg, value=r.stock_kg, limit=r.future_demand_kg, **where)
        )
    return out + _storage_capacity_faults(ctx, st)


def _storage_capacity_faults(ctx: CheckContext, st: pd.DataFrame) -> list[Violation]:
    """End-of-week stock per storage class within the kitchen's storage (ambient; chilled and
    frozen together)."""
    by_class = (
        st[st["stock_kg"] > 0]
        .groupby(["kitchen_id", "cold", "week_start"])["stock_kg"]
        .sum()
        .reset_index()
    )
    out: list[Violation] = []
    for r in rows(by_class):
        c = ctx.canteen(r.kitchen_id)
        if c is None:
            continue
        ambient = r.cold == STORAGE_AMBIENT
        cap = c.storage_ambient_kg if ambient else c.storage_chilled_kg
        name = "ambient" if ambient else "chilled/frozen"
        if r.stock_kg > cap + tol(cap):
            msg = (
                f"{r.stock_kg:.3f} kg of {name} stock at the end of the week > storage {cap:.3f} kg"
            )
            out.append(
                plan_violation(
                    "storage_capacity",
                    msg,
                    value=r.stock_kg,
                    limit=cap,
                    kitchen_id=r.kitchen_id,
                    week_start=r.week_start,
                )
            )
    return out


# --------------------------------------------------------------------------- platform, targets


def check_platform(ctx: CheckContext) -> list[Violation]:
    """Platform lines, each platform's: chilled/frozen goods only with a refrigerated van;
    weekly payload."""
    sc, df = ctx.scenario, ctx.lines
    out: list[Violation] = []
    if df.empty or not sc.platforms:
        return out
    plat = df[df["channel"] == Channel.PLATFORM.value]
    if plat.empty:
        return out
    of_line = platform_of_lines(ctx, plat)
    for pf in sc.platforms:
        mine = plat[of_line == pf.id]
        if not mine.empty:
            out += _platform_faults(ctx, pf, mine)
    return out


def platform_of_lines(ctx: CheckContext, plat: pd.DataFrame) -> pd.Series:
    """Platform id of each platform line: its own, else its kitchen's round's, else the
    scenario's first platform."""
    first = ctx.scenario.platforms[0].id
    platform_of = getattr(ctx.eligibility, "platform_of", None)
    own = plat["platform_id"] if "platform_id" in plat else pd.Series("", index=plat.index)

    def pick(line_pf: str, kitchen_id: str) -> str:
        if line_pf:
            return line_pf
        kpf = platform_of(kitchen_id) if platform_of is not None else None
        return kpf or first

    return pd.Series(
        [pick(a, b) for a, b in zip(own, plat["kitchen_id"], strict=True)],
        index=plat.index,
        dtype=object,
    )


def _platform_faults(ctx: CheckContext, pf: Platform, plat: pd.DataFrame) -> list[Violation]:
    """Cold chain and weekly payload of the lines ``plat`` of platform ``pf``."""
    out: list[Violation] = []
    products = {p.id: p for p in ctx.scenario.products}
    if pf.vans and not any(v.refrigerated for v in pf.vans):
        cold = plat[
            plat["product_id"].map(
                lambda p: p in products and products[p].cold_chain is not ColdChain.AMBIENT
            )
        ]
        combos = cold.groupby(["kitchen_id", "supplier_id", "product_id"]).agg(
            week_start=("week_start", "min"), kg=("quantity_kg", "sum")
        )
        for (kid, sid, pid), rec in items(combos):
            msg = (
                f"{rec['kg']:.3f} kg of {products[pid].cold_chain.value} {pid} on platform "
                f"{pf.id!r}, which has no refrigerated van"
            )
            where = {
                "kitchen_id": kid,
                "supplier_id": sid,
                "product_id": pid,
                "week_start": rec["week_start"],
            }
            out.append(
                plan_violation("platform_cold_chain", msg, value=rec["kg"], limit=0.0, **where)
            )
    if pf.vans:
        payload = sum(v.capacity_kg for v in pf.vans) * len(pf.round_weekdays)
        weekly = plat.groupby("week_start")["quantity_kg"].sum().reset_index()
        for w, kg in rows(weekly):
            if kg > payload + tol(payload):
                msg = (
                    f"{kg:.1f} kg on platform {pf.id!r} in the week > {payload:.1f} kg "
                    f"({len(pf.vans)} van(s) x {len(pf.round_weekdays)} round day(s))"
                )
                out.append(
                    plan_violation("platform_capacity", msg, value=kg, limit=payload, week_start=w)
                )
    return out


def check_targets(
    ctx: CheckContext, shortfalls: list[dict[str, Any]] | None = None
) -> list[Violation]:
    """Hard mode only: each kitchen meets its EGALIM, organic, meat-fish, local targets, budget."""
    if ctx.scenario.settings.target_mode is not TargetMode.HARD:
        return []
    if shortfalls is None:
        table = indicators_table(
            ctx.scenario, ctx.plan, ctx.meals, lines=ctx.lines, kitchens=ctx.kitchens
        )
        shortfalls = target_shortfalls(table)
    out = []
    for s in shortfalls:
        if s["kitchen_id"] == TERRITORY:
            continue
        unit = s["unit"]
        out.append(
            plan_violation(
                TARGET_RULES[str(s["target"])],
                f"{s['target']}: achieved {s['achieved']:.2f} {unit}, required "
                f"{s['required']:.2f} {unit}, short by {s['shortfall']:.2f} {unit} (hard target)",
                value=float(s["achieved"]),
                limit=float(s["required"]),
                kitchen_id=str(s["kitchen_id"]),
            )
        )
    return out
