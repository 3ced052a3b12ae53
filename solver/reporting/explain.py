"""Why a kg was not bought locally, and why a target was missed: reason codes with numbers.

For every kitchen x week x product whose demand is not fully eaten from local purchases
(the stock of :func:`solver.evaluation.plan_stock.stock_table`, local stock eaten first), one row
with the kg not local and the most specific reason first. The reasons are tested as a
funnel over the offers of that product, in this order; the first stage that removes every
remaining offer is the reason:

1. ``NO_PRODUCER_IN_RADIUS`` -- no offer of the product by a producer eligible for the
   kitchen (direct pair within radius / max drive, or both on the platform round -- not
   for chilled or frozen goods when its vans are unrefrigerated --, by a delivery mode
   the producer practises);
2. ``OUT_OF_SEASON`` -- eligible offers exist, none in season that week (the month of a
   week is the month of its Thursday); ``STORAGE`` replaces it for a storable product
   that was in season within its shelf life before, when the kitchen's storage of that
   cold class had no room left then;
3. ``CAPACITY`` -- in-season capacity of the eligible offers, minus what all kitchens took
   that week, is below the kg not local (by how much); when some capacity is left, the
   funnel goes on for that part and its reason is appended;
4. ``MIN_ORDER_NOT_REACHED`` -- for every remaining producer, no drop (or platform pickup)
   exists that week and the kitchen's whole not-local need of that producer's products
   (pooled over the round's kitchens for the platform) is below the producer's minimum;
5. ``FREQUENCY`` -- every remaining producer cannot deliver that week: no weekday shared
   with the kitchen (or the round), already delivering within its ``every n weeks``
   window, or its ``deliveries_per_week`` drops (direct drops + pickup days) already used;
6. ``DELIVERY_LIMIT`` -- every remaining producer would need a new delivery and the
   kitchen already receives its maximum that week;
7. ``BUDGET`` -- local is dearer than the wholesaler and the kitchen's cost per meal is at
   its budget (within 0.5 %); ``PRICE`` -- local is dearer and the budget did not bind:
   the objective chose the wholesaler; ``LOGISTICS`` -- local is not dearer at the farm
   gate, so the drop's logistics cost or the tie-breaks (fewer deliveries, same supplier)
   outweighed it.

Target rows (``kind == "target"``) give target, required, achieved, shortfall (and the EUR
it represents for a share), with the kg reasons that weigh most for that kitchen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from solver.core import (
    Canteen,
    Channel,
    ColdChain,
    DeliveryMode,
    Offer,
    Platform,
    Product,
    PurchasePlan,
    Scenario,
    week_month,
)
from solver.evaluation import (
    CHANNEL_MODES,
    TERRITORY,
    TOL_KG,
    EligibilityLike,
    build_context,
    deliveries_by_week,
    drive_limit_min,
    indicators_table,
    storage_class,
    target_shortfalls,
)

logger = logging.getLogger(__name__)


class Reason(StrEnum):
    """Why a kg was not sourced locally (or a target missed)."""

    NO_PRODUCER_IN_RADIUS = "NO_PRODUCER_IN_RADIUS"
    OUT_OF_SEASON = "OUT_OF_SEASON"
    STORAGE = "STORAGE"
    CAPACITY = "CAPACITY"
    MIN_ORDER_NOT_REACHED = "MIN_ORDER_NOT_REACHED"
    FREQUENCY = "FREQUENCY"
    DELIVERY_LIMIT = "DELIVERY_LIMIT"
    BUDGET = "BUDGET"
    PRICE = "PRICE"
    LOGISTICS = "LOGISTICS"
    TARGET_MISSED = "TARGET_MISSED"


#: Columns of :func:`explain`'s table.
COLUMNS = [
    "kind",
    "kitchen_id",
    "week_start",
    "product_id",
    "demand_kg",
    "local_kg",
    "not_local_kg",
    "reason",
    "reasons",
    "message",
    "eligible_offers",
    "in_season_offers",
    "capacity_kg",
    "taken_kg",
    "remaining_kg",
    "local_price_eur_per_kg",
    "reference_price_eur_per_kg",
    "target",
    "required",
    "achieved",
    "shortfall",
    "shortfall_eur",
    "unit",
]

_BUDGET_BINDS = 0.995


@dataclass
class _Why:
    """A row's funnel columns and the reasons found so far, most specific first."""

    rec: dict[str, Any]
    reasons: list[str] = field(default_factory=list)
    msgs: list[str] = field(default_factory=list)

    def add(self, reason: Reason, message: str) -> _Why:
        """Record a reason and its message."""
        self.reasons.append(reason)
        self.msgs.append(message)
        return self

    def finish(self) -> dict[str, Any]:
        """The row's columns with ``reason`` (the first), ``reasons`` and ``message``."""
        self.rec["reason"] = str(self.reasons[0])
        self.rec["reasons"] = ";".join(str(r) for r in self.reasons)
        self.rec["message"] = " | ".join(m for m in self.msgs if m)
        return self.rec


@dataclass
class _LocalUse:
    """What the plan's local lines use: kg taken per offer and week (all kitchens), the
    direct drops, platform pickups and platform deliveries made, the weeks each producer
    delivers and its drops (direct drops + pickup days) per week."""

    taken: dict[tuple[str, str, dt.date], float] = field(default_factory=dict)
    direct_drop: set[tuple[str, str, dt.date]] = field(default_factory=set)
    pickup: set[tuple[str, dt.date]] = field(default_factory=set)
    platform_kitchen_week: set[tuple[str, dt.date]] = field(default_factory=set)
    producer_weeks: dict[str, set[dt.date]] = field(default_factory=lambda: defaultdict(set))
    producer_drops: dict[tuple[str, dt.date], int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def of(cls, lines: pd.DataFrame, products: Mapping[str, Product]) -> _LocalUse:
        """Read the local lines of a plan frame (kg as quantity x the product's kg/unit)."""
        use = cls()
        local = lines[lines["local"]] if not lines.empty else lines
        if local.empty:
            return use
        kpu = local["product_id"].map({p: x.kg_per_unit for p, x in products.items()})
        tk = (
            local.assign(kg_true=local["quantity"] * kpu.fillna(1.0))
            .groupby(["supplier_id", "product_id", "week_start"])["kg_true"]
            .sum()
            .reset_index()
        )
        use.taken = {
            (str(a), str(b), wk): float(v)
            for a, b, wk, v in zip(
                tk["supplier_id"], tk["product_id"], tk["week_start"], tk["kg_true"], strict=True
            )
        }
        drop_keys: set[tuple[str, dt.date, str, dt.date]] = set()
        for s, k, w, ch, day in zip(
            local["supplier_id"],
            local["kitchen_id"],
            local["week_start"],
            local["channel"],
            local["day"],
            strict=True,
        ):
            use.producer_weeks[s].add(w)
            if ch in (Channel.DIRECT.value, Channel.FARM_PICKUP.value):
                use.direct_drop.add((s, k, w))
                drop_keys.add((s, w, k, day))
            elif ch == Channel.PLATFORM.value:
                use.pickup.add((s, w))
                use.platform_kitchen_week.add((k, w))
                drop_keys.add((s, w, "", day))
        for s, w, _, _ in drop_keys:
            use.producer_drops[(s, w)] += 1
        return use


def _deliveries(lines: pd.DataFrame) -> dict[tuple[str, dt.date], int]:
    """Deliveries each kitchen receives each week."""
    deliv = deliveries_by_week(lines)
    return {
        (r[0], r[1]): int(r[2])
        for r in zip(deliv["kitchen_id"], deliv["week_start"], deliv["deliveries"], strict=True)
    }


def _cost_ratio(table: pd.DataFrame) -> dict[str, float]:
    """Cost per meal / budget per meal of each row of an indicators table (NaN: no budget)."""
    out: dict[str, float] = {}
    for rec in table.to_dict("records"):
        cost, budget = float(rec["cost_per_meal_eur"]), float(rec["budget_eur_per_meal"])
        out[rec["kitchen_id"]] = cost / budget if budget > 0 and not np.isnan(cost) else np.nan
    return out


def _dry(pf: Platform) -> bool:
    """A platform whose vans are all unrefrigerated carries no chilled or frozen goods."""
    return bool(pf.vans) and not any(v.refrigerated for v in pf.vans)


def _reference_prices(sc: Scenario) -> dict[tuple[str, str], float]:
    """EUR/kg of the wholesaler each canteen buys a product from: the cheapest offer of its
    own reference supplier, else the cheapest of any."""
    products = {p.id: p for p in sc.products}
    out: dict[tuple[str, str], float] = {}
    for c in sc.canteens:
        for pid, prod in products.items():
            cands = [r for r in sc.reference_offers if r.product_id == pid]
            if not cands:
                continue
            own = [r for r in cands if r.supplier_id == c.reference_supplier_id]
            r = min(own or cands, key=lambda x: x.price_eur_per_unit)
            out[(c.id, pid)] = r.price_eur_per_unit / prod.kg_per_unit
    return out


def _free_storage(
    stock: pd.DataFrame, canteens: Mapping[str, Canteen]
) -> dict[tuple[str, str, dt.date], float]:
    """Free storage (kg) per kitchen, storage class and week, at the end of the week."""
    out: dict[tuple[str, str, dt.date], float] = {}
    if stock.empty:
        return out
    by = stock.groupby(["kitchen_id", "cold", "week_start"])["stock_kg"].sum().reset_index()
    for kid, cold, wk, stock_kg in zip(
        by["kitchen_id"], by["cold"], by["week_start"], by["stock_kg"], strict=True
    ):
        can = canteens.get(kid)
        if can is None:
            continue
        ambient = cold == ColdChain.AMBIENT.value
        cap = can.storage_ambient_kg if ambient else can.storage_chilled_kg
        out[(kid, cold, wk)] = cap - float(stock_kg)
    return out


class _Funnel:
    """Precomputed lookups shared by every row."""

    def __init__(
        self,
        scenario: Scenario,
        eligibility: EligibilityLike,
        lines: pd.DataFrame,
        stock: pd.DataFrame,
        need: Mapping[tuple[str, dt.date, str], float],
        table: pd.DataFrame,
    ) -> None:
        sc = scenario
        self.sc = sc
        self.products = {p.id: p for p in sc.products}
        self.producers = {p.id: p for p in sc.producers}
        self.canteens = {c.id: c for c in sc.canteens}
        self.offers_of: dict[str, list[Offer]] = defaultdict(list)
        for o in sc.offers:
            if o.producer_id in self.producers and o.product_id in self.products:
                self.offers_of[o.product_id].append(o)
        self.products_of: dict[str, list[Offer]] = defaultdict(list)
        for o in sc.offers:
            self.products_of[o.producer_id].append(o)
        self.el = eligibility
        self.plat_p, self.plat_k = (
            set(eligibility.platform_producers),
            set(eligibility.platform_kitchens),
        )
        self.platforms = {pf.id: pf for pf in sc.platforms}
        self._platform_of = getattr(eligibility, "platform_of", None)
        self._via_platform = getattr(eligibility, "via_platform", None)
        self.cold = {p.id: p.cold_chain is not ColdChain.AMBIENT for p in sc.products}
        self.need = need
        self.need_by_kw: dict[tuple[str, dt.date], dict[str, float]] = defaultdict(dict)
        for (k, w, p), kg in need.items():
            self.need_by_kw[(k, w)][p] = kg
        self.use = _LocalUse.of(lines, self.products)
        self.deliveries = _deliveries(lines)
        self.cost_ratio = _cost_ratio(table)
        self.ref_price = _reference_prices(sc)
        self.free_storage = _free_storage(stock, self.canteens)
        self._pool_cache: dict[tuple[str, dt.date, str], tuple[float, float]] = {}

    # ---------------------------------------------------------------- eligibility
    def channels(self, o: Offer, kid: str) -> list[str]:
        """Channels by which producer ``o.producer_id`` may supply kitchen ``kid``."""
        prod = self.producers[o.producer_id]
        out = []
        c = self.canteens.get(kid)
        radius = c.radius_min if c is not None and c.radius_min else self.sc.settings.radius_min
        drive = self.el.direct.get((o.producer_id, kid))
        if drive is not None:
            for ch in (Channel.DIRECT.value, Channel.FARM_PICKUP.value):
                if (
                    CHANNEL_MODES[ch] & set(prod.delivery_modes)
                    and drive <= drive_limit_min(radius, prod, ch) * 60 + 1e-6
                ):
                    out.append(ch)
                    break
        pf = self.platform(kid)
        if (
            o.producer_id in self.plat_p
            and kid in self.plat_k
            and DeliveryMode.PLATFORM in prod.delivery_modes
            and pf is not None
            and (self._via_platform is None or self._via_platform(o.producer_id, kid))
            and not (_dry(pf) and self.cold[o.product_id])
        ):
            out.append(Channel.PLATFORM.value)
        return out

    def platform(self, kid: str) -> Platform | None:
        """The platform whose round delivers kitchen ``kid`` (its eligibility's, else the
        scenario's first), None off every round."""
        if kid not in self.plat_k or not self.platforms:
            return None
        pid = self._platform_of(kid) if self._platform_of is not None else None
        return self.platforms.get(pid or "", self.sc.platforms[0])

    def round_days(self, kid: str) -> set[int]:
        """Weekdays of the round of kitchen ``kid``'s platform."""
        pf = self.platform(kid)
        return {int(d) for d in pf.round_weekdays} if pf is not None else set()

    def cap_kg(self, o: Offer, w: dt.date) -> float:
        return o.capacity_in_month(week_month(w)) * self.products[o.product_id].kg_per_unit

    def left_kg(self, o: Offer, w: dt.date) -> float:
        return max(
            0.0, self.cap_kg(o, w) - self.use.taken.get((o.producer_id, o.product_id, w), 0.0)
        )

    # ---------------------------------------------------------------- min order
    def _potential(self, pid: str, kids: list[str], w: dt.date) -> tuple[float, float]:
        kg = eur = 0.0
        for o in self.products_of[pid]:
            if o.product_id not in self.products or o.capacity_in_month(week_month(w)) <= 0:
                continue
            kpu = self.products[o.product_id].kg_per_unit
            for k in kids:
                n = self.need_by_kw.get((k, w), {}).get(o.product_id, 0.0)
                kg += n
                eur += n / kpu * o.price_eur_per_unit
        return kg, eur

    def min_order_ok(self, o: Offer, ch: str, kid: str, w: dt.date) -> tuple[bool, str]:
        prod = self.producers[o.producer_id]
        if prod.min_order_kg <= 0 and prod.min_order_eur <= 0:
            return True, ""
        if ch == Channel.PLATFORM.value:
            if (o.producer_id, w) in self.use.pickup:
                return True, ""
            pf = self.platform(kid)
            key = (o.producer_id, w, pf.id if pf is not None else "")
            if key not in self._pool_cache:
                pooled = sorted(k for k in self.plat_k if self.platform(k) is pf)
                self._pool_cache[key] = self._potential(o.producer_id, pooled, w)
            kg, eur = self._pool_cache[key]
            what = "pooled over the round"
        else:
            if (o.producer_id, kid, w) in self.use.direct_drop:
                return True, ""
            kg, eur = self._potential(o.producer_id, [kid], w)
            what = "for this kitchen"
        ok = (prod.min_order_kg <= 0 or kg >= prod.min_order_kg - TOL_KG) and (
            prod.min_order_eur <= 0 or eur >= prod.min_order_eur - 0.01
        )
        mins = " and ".join(
            x
            for x in (
                f"{prod.min_order_kg:.0f} kg" if prod.min_order_kg > 0 else "",
                f"{prod.min_order_eur:.0f} EUR" if prod.min_order_eur > 0 else "",
            )
            if x
        )
        return ok, f"{o.producer_id}: {kg:.1f} kg / {eur:.2f} EUR {what} < minimum {mins}"

    # ---------------------------------------------------------------- frequency
    def frequency_ok(self, o: Offer, ch: str, kid: str, w: dt.date) -> tuple[bool, str]:
        prod = self.producers[o.producer_id]
        c = self.canteens.get(kid)
        kdays = {int(d) for d in c.delivery_weekdays} if c is not None else set(range(1, 8))
        pdays = {int(d) for d in prod.delivery_weekdays}
        if ch == Channel.DIRECT.value and not pdays & kdays:
            return (
                False,
                f"{o.producer_id} delivers on weekdays {sorted(pdays)}, kitchen receives on "
                f"{sorted(kdays)}",
            )
        rdays = self.round_days(kid)
        if ch == Channel.PLATFORM.value and not (rdays & pdays and rdays & kdays):
            return False, (
                f"round on weekdays {sorted(rdays)}; {o.producer_id} on {sorted(pdays)}, "
                f"kitchen on {sorted(kdays)}"
            )
        n = prod.delivery_every_n_weeks
        weeks = self.use.producer_weeks.get(o.producer_id, set())
        if n > 1 and w not in weeks:
            near = sorted(x for x in weeks if abs((x - w).days) // 7 < n)
            if near:
                return (
                    False,
                    f"{o.producer_id} delivers every {n} weeks and already delivers in week "
                    f"{near[0]}",
                )
        new_drop = (
            (o.producer_id, w) not in self.use.pickup
            if ch == Channel.PLATFORM.value
            else (o.producer_id, kid, w) not in self.use.direct_drop
        )
        used = self.use.producer_drops.get((o.producer_id, w), 0)
        if new_drop and used >= prod.deliveries_per_week:
            return False, (
                f"{o.producer_id} already makes {used} drop(s) that week "
                f"(max {prod.deliveries_per_week} per week)"
            )
        return True, ""

    def delivery_ok(self, o: Offer, ch: str, kid: str, w: dt.date) -> tuple[bool, str]:
        c = self.canteens.get(kid)
        if c is None:
            return True, ""
        if ch == Channel.PLATFORM.value and (kid, w) in self.use.platform_kitchen_week:
            return True, ""
        if ch != Channel.PLATFORM.value and (o.producer_id, kid, w) in self.use.direct_drop:
            return True, ""
        have = self.deliveries.get((kid, w), 0)
        if have >= c.max_deliveries_per_week:
            return (
                False,
                f"kitchen already receives {have} deliveries that week (max "
                f"{c.max_deliveries_per_week})",
            )
        return True, ""

    def local_price_kg(self, o: Offer, ch: str, kid: str) -> float:
        p = o.price_eur_per_unit / self.products[o.product_id].kg_per_unit
        pf = self.platform(kid)
        if ch != Channel.PLATFORM.value or pf is None:
            return p
        return p * (1.0 + pf.margin_pct / 100.0)

    # ---------------------------------------------------------------- the funnel
    def row(self, kid: str, w: dt.date, pid: str, need_kg: float) -> dict[str, Any]:
        """The funnel's columns for ``need_kg`` of ``pid`` not local at ``kid`` in week ``w``."""
        why = _Why({"eligible_offers": 0, "in_season_offers": 0})
        offers = self.offers_of.get(pid, [])
        cands = [(o, ch) for o in offers for ch in self.channels(o, kid)]
        why.rec["eligible_offers"] = len({o.key for o, _ in cands})
        ref = self.ref_price.get((kid, pid), np.nan)
        why.rec["reference_price_eur_per_kg"] = ref
        if not cands:
            if offers:
                msg = (
                    f"{len(offers)} producer(s) offer {pid}, none within reach of {kid} (direct "
                    "radius or platform round)"
                )
            else:
                msg = f"no producer of the territory offers {pid}"
            return why.add(Reason.NO_PRODUCER_IN_RADIUS, msg).finish()
        season = [(o, ch) for o, ch in cands if o.capacity_in_month(week_month(w)) > 0]
        why.rec["in_season_offers"] = len({o.key for o, _ in season})
        if not season:
            return self._out_of_season(why, kid, w, pid, cands, need_kg).finish()
        left = self._capacity_left(why, kid, w, pid, cands, season, need_kg)
        if left is None:
            return why.finish()
        for test, reason in (
            (self.min_order_ok, Reason.MIN_ORDER_NOT_REACHED),
            (self.frequency_ok, Reason.FREQUENCY),
            (self.delivery_ok, Reason.DELIVERY_LIMIT),
        ):
            left = self._filter(why, reason, test, kid, w, left)
            if not left:
                return why.finish()
        return self._price(why, kid, left, ref).finish()

    def _out_of_season(
        self,
        why: _Why,
        kid: str,
        w: dt.date,
        pid: str,
        cands: list[tuple[Offer, str]],
        need_kg: float,
    ) -> _Why:
        """No eligible offer in season: OUT_OF_SEASON, after STORAGE if buying ahead was
        blocked by a full storage."""
        storage_msg = self._storage_blocked(kid, w, pid, cands, need_kg)
        if storage_msg:
            why.add(Reason.STORAGE, storage_msg)
        months = sorted({m for o, _ in cands for m in o.months})
        n_eligible = len({o.key for o, _ in cands})
        return why.add(
            Reason.OUT_OF_SEASON,
            f"{n_eligible} eligible offer(s), none in season in month {week_month(w)} "
            f"(season months {months})",
        )

    def _capacity_left(
        self,
        why: _Why,
        kid: str,
        w: dt.date,
        pid: str,
        cands: list[tuple[Offer, str]],
        season: list[tuple[Offer, str]],
        need_kg: float,
    ) -> list[tuple[Offer, str]] | None:
        """CAPACITY (after STORAGE) when what is left of the in-season offers is short; None
        when nothing is left, else the offers with capacity left, for the next stages."""
        uniq = {o.key: o for o, _ in season}
        cap = sum(self.cap_kg(o, w) for o in uniq.values())
        taken = sum(
            self.use.taken.get((o.producer_id, o.product_id, w), 0.0) for o in uniq.values()
        )
        left = sum(self.left_kg(o, w) for o in uniq.values())
        why.rec.update(capacity_kg=cap, taken_kg=taken, remaining_kg=left)
        if left < need_kg - TOL_KG:
            storage_msg = self._storage_blocked(kid, w, pid, cands, need_kg - left)
            if storage_msg:
                why.add(Reason.STORAGE, storage_msg)
            why.add(
                Reason.CAPACITY,
                f"{need_kg:.1f} kg needed; in-season capacity {cap:.1f} kg, {taken:.1f} kg taken "
                f"by the plan, {left:.1f} kg left: short by {need_kg - left:.1f} kg",
            )
            if left <= TOL_KG:
                return None
        return [(o, ch) for o, ch in season if self.left_kg(o, w) > TOL_KG]

    def _filter(
        self,
        why: _Why,
        reason: Reason,
        test: Callable[[Offer, str, str, dt.date], tuple[bool, str]],
        kid: str,
        w: dt.date,
        season: list[tuple[Offer, str]],
    ) -> list[tuple[Offer, str]]:
        """The offers passing ``test``; none pass: ``reason`` with each distinct failure."""
        kept: list[tuple[Offer, str]] = []
        failures: dict[str, list[str]] = {}
        for o, ch in season:
            ok, msg = test(o, ch, kid, w)
            if ok:
                kept.append((o, ch))
            else:
                failures.setdefault(msg, [])
                if ch not in failures[msg]:
                    failures[msg].append(ch)
        if not kept:
            why.add(reason, "; ".join(f"{m} ({', '.join(chs)})" for m, chs in failures.items()))
        return kept

    def _price(self, why: _Why, kid: str, season: list[tuple[Offer, str]], ref: float) -> _Why:
        """Every rule allowed a local purchase: BUDGET, PRICE or LOGISTICS explains the choice."""
        best = min(self.local_price_kg(o, ch, kid) for o, ch in season)
        why.rec["local_price_eur_per_kg"] = best
        if np.isnan(ref) or best <= ref + 1e-9:
            return why.add(
                Reason.LOGISTICS,
                f"local {best:.2f} EUR/kg <= wholesaler {ref:.2f} EUR/kg at farm price; the drop's "
                f"logistics cost or the delivery tie-breaks outweighed it",
            )
        ratio = self.cost_ratio.get(kid, np.nan)
        if not np.isnan(ratio) and ratio >= _BUDGET_BINDS:
            return why.add(
                Reason.BUDGET,
                f"local {best:.2f} EUR/kg > wholesaler {ref:.2f} EUR/kg and the kitchen spends "
                f"{100 * ratio:.1f} % of its budget per meal",
            )
        return why.add(
            Reason.PRICE,
            f"local {best:.2f} EUR/kg > wholesaler {ref:.2f} EUR/kg (+{best - ref:.2f}); "
            f"the objective chose the wholesaler",
        )

    def _storage_blocked(
        self, kid: str, w: dt.date, pid: str, cands: list[tuple[Offer, str]], kg: float
    ) -> str:
        prod = self.products[pid]
        weeks_ahead = prod.shelf_life_days // 7 if prod.storable else 0
        if weeks_ahead <= 0:
            return ""
        cold = storage_class(prod)
        for back in range(1, weeks_ahead + 1):
            w0 = w - dt.timedelta(weeks=back)
            left = sum(self.left_kg(o, w0) for o in {o.key: o for o, _ in cands}.values())
            if left <= TOL_KG:
                continue
            free = min(
                self.free_storage.get((kid, cold, w0 + dt.timedelta(weeks=j)), np.inf)
                for j in range(back)
            )
            if free < kg - TOL_KG:
                return (
                    f"could be bought ahead in week {w0} ({left:.1f} kg in season then) but the "
                    f"kitchen's {'ambient' if cold == 'ambient' else 'chilled'} storage had only "
                    f"{max(free, 0.0):.1f} kg free for {kg:.1f} kg"
                )
        return ""


def explain(
    scenario: Scenario,
    demand: pd.DataFrame | None,
    meals: pd.DataFrame | None,
    eligibility: EligibilityLike,
    plan: PurchasePlan,
    *,
    kitchens: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per kitchen x week x product not fully local, and one per target missed.

    Parameters
    ----------
    scenario, demand, meals, eligibility, plan, kitchens
        As for :func:`solver.evaluation.plan_check.check_plan`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`. ``kind`` is ``"kg"`` (``reason`` the most specific code,
        ``reasons`` every code found, ``message`` the numbers) or ``"target"``
        (``target, required, achieved, shortfall, shortfall_eur, unit``). Sorted by kind,
        kitchen, week and product.
    """
    ctx = build_context(scenario, demand, meals, eligibility, plan, kitchens=kitchens)
    table = indicators_table(scenario, plan, ctx.meals, lines=ctx.lines, kitchens=kitchens)
    rows = _kg_rows(scenario, eligibility, ctx.lines, ctx.stock, table)
    kg_rows = pd.DataFrame(rows)
    rows += [_target_row(s, table, kg_rows) for s in target_shortfalls(table)]
    out = pd.DataFrame(rows, columns=COLUMNS)
    logger.info(
        "explanations: %d kg rows, %d target rows",
        int((out["kind"] == "kg").sum()),
        int((out["kind"] == "target").sum()),
    )
    return out.reset_index(drop=True)


def _kg_rows(
    scenario: Scenario,
    eligibility: EligibilityLike,
    lines: pd.DataFrame,
    stock: pd.DataFrame,
    table: pd.DataFrame,
) -> list[dict[str, Any]]:
    """One row per kitchen x week x product of the horizon whose demand is not all local."""
    if stock.empty:
        return []
    st = stock[stock["in_horizon"] & (stock["demand_kg"] > TOL_KG)].copy()
    st["not_local_kg"] = st["demand_kg"] - st["local_used_kg"]
    todo = st[st["not_local_kg"] > TOL_KG + 1e-6 * st["demand_kg"]]
    need = {
        (k, w, p): float(n)
        for k, w, p, n in zip(
            todo["kitchen_id"],
            todo["week_start"],
            todo["product_id"],
            todo["not_local_kg"],
            strict=True,
        )
    }
    funnel = _Funnel(scenario, eligibility, lines, stock, need, table)
    rows: list[dict[str, Any]] = []
    for k, w, p, d, used, n in zip(
        todo["kitchen_id"],
        todo["week_start"],
        todo["product_id"],
        todo["demand_kg"],
        todo["local_used_kg"],
        todo["not_local_kg"],
        strict=True,
    ):
        rec = {
            "kind": "kg",
            "kitchen_id": k,
            "week_start": w,
            "product_id": p,
            "demand_kg": float(d),
            "local_kg": float(used),
            "not_local_kg": float(n),
        }
        if p in funnel.products:
            rec.update(funnel.row(k, w, p, float(n)))
        else:
            rec.update(
                reason=Reason.NO_PRODUCER_IN_RADIUS.value,
                reasons=Reason.NO_PRODUCER_IN_RADIUS.value,
                message=f"unknown product {p}",
            )
        rows.append(rec)
    return rows


def _target_row(s: dict[str, Any], table: pd.DataFrame, kg_rows: pd.DataFrame) -> dict[str, Any]:
    """A missed target with the EUR it represents and the kg reasons that weigh most."""
    kid = s["kitchen_id"]
    base_col = "meat_fish_value_eur" if s["target"] == "meat_fish_egalim_pct" else "total_value_eur"
    total = float(table.loc[table["kitchen_id"] == kid, base_col].iloc[0])
    short_eur = s["shortfall"] / 100.0 * total if s["unit"] == "%" else np.nan
    if s["target"] == "budget":
        meals_k = float(table.loc[table["kitchen_id"] == kid, "meals"].iloc[0])
        short_eur = s["shortfall"] * meals_k
    top = ""
    if not kg_rows.empty:
        sub = kg_rows if kid == TERRITORY else kg_rows[kg_rows["kitchen_id"] == kid]
        if not sub.empty:
            by = sub.groupby("reason")["not_local_kg"].sum().sort_values(ascending=False).head(3)
            top = "; kg not local by reason: " + ", ".join(f"{r} {v:.0f} kg" for r, v in by.items())
    return {
        "kind": "target",
        "kitchen_id": kid,
        "reason": Reason.TARGET_MISSED.value,
        "reasons": Reason.TARGET_MISSED.value,
        "target": s["target"],
        "required": s["required"],
        "achieved": s["achieved"],
        "shortfall": s["shortfall"],
        "shortfall_eur": short_eur,
        "unit": s["unit"],
        "message": (
            f"{s['target']}: {s['achieved']:.2f} {s['unit']} achieved, {s['required']:.2f} "
            f"required, short by {s['shortfall']:.2f} {s['unit']} ({short_eur:.2f} EUR){top}"
        ),
    }
