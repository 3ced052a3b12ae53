"""Independent checker of a purchase plan: every rule, recomputed in plain Python/pandas.

It never imports a solver: it takes a scenario, the weekly demand, the meals, the
eligibility (travel times) and ANY plan, and reports each violated rule with the numbers
behind it. Each rule is one named function ``check_*(ctx) -> list[Violation]``
(:data:`RULES`); :func:`check_plan` runs them all and recomputes the indicators.

Conventions shared with the sourcing model (``solver/sourcing/matching.py``):

* a week is its Monday; the month of a week (season, ``capacity_by_month``) is the month
  of its Thursday (where most of its days fall);
* a line without ``delivery_date`` is delivered on its week's Monday for counting drops,
  and its weekday is not checked;
* a direct drop is one producer delivering one kitchen on one day (channels ``direct``
  and ``farm_pickup``); its minimum order is the producer's ``min_order_kg`` AND
  ``min_order_eur`` (each when > 0) on the sum of the drop's lines; a platform pickup is
  a producer's platform lines of one week summed over all kitchens, valued at offer price;
* producer weekdays apply to direct drops and to platform pickups (the round collects on
  the delivery day); a farm pickup follows the kitchen's days; ``deliveries_per_week``
  ("max drops per week") bounds a producer's drops in a week: its distinct direct drops
  and farm pickups (kitchen x day) plus its distinct platform pickup days;
  ``delivery_every_n_weeks = n`` allows at most one week with any of the producer's lines
  (any local channel) in any n consecutive weeks;
* kitchen deliveries in a week = distinct direct drops + 1 if the platform delivers it +
  1 if the wholesaler does (``solver.evaluation.indicators.deliveries_by_week``);
* stock is the end-of-week inventory of a kitchen x product, consumed FIFO, starting at
  zero: ``stock_w = max(0, stock_{w-1} + bought_w - demand_w)``; the unmet part
  ``max(0, demand_w - stock_{w-1} - bought_w)`` is a ``demand_not_met`` violation. Fresh
  (non-storable) products carry no stock: buying more than the week's demand is
  ``fresh_stock``. A storable's stock must fit within the demand of the next
  ``floor(shelf_life_days / 7)`` calendar weeks (``shelf_life``), and the stock per cold
  class within the kitchen's storage (chilled + frozen against ``storage_chilled_kg``,
  ambient against ``storage_ambient_kg``);
* prices: direct/farm pickup = offer price, platform = offer price x (1 + margin), reference
  = the reference offer's price; ``value = quantity x price`` and
  ``kg = quantity x kg_per_unit``; labels = the offer's labels;
* the platform (the first one, as the sourcing model) carries chilled and frozen goods
  only with a refrigerated van, and at most its vans' payload x round days a week (a
  platform listed without vans is not checked for either);
* targets (EGALIM, organic, meat and fish, local) and budget per kitchen over the plan's
  weeks: violations when ``settings.target_mode == "hard"``, otherwise reported in
  ``PlanCheck.target_shortfalls`` only.

Tolerances: 1 g + 1e-6 relative on masses and quantities, 1 cent on values, half a cent
on unit prices (solvers return floats).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from solver.core import (
    Channel,
    ColdChain,
    DeliveryMode,
    Producer,
    PurchasePlan,
    Scenario,
    TargetMode,
)
from solver.evaluation.indicators import (
    TERRITORY,
    deliveries_by_week,
    indicators_table,
    plan_frame,
    target_shortfalls,
    to_date,
)

logger = logging.getLogger(__name__)

TOL_KG = 1e-3
TOL_EUR = 0.01
TOL_PRICE_EUR = 0.005
TOL_REL = 1e-6

#: Delivery modes that allow each local channel.
CHANNEL_MODES: dict[str, frozenset[DeliveryMode]] = {
    Channel.DIRECT.value: frozenset({DeliveryMode.SELF_DELIVERY, DeliveryMode.CARRIER}),
    Channel.PLATFORM.value: frozenset({DeliveryMode.PLATFORM}),
    Channel.FARM_PICKUP.value: frozenset({DeliveryMode.FARM_PICKUP}),
}

_DIRECT_LIKE = (Channel.DIRECT.value, Channel.FARM_PICKUP.value)


class EligibilityLike(Protocol):
    """What the checker needs of ``solver.prepare.eligibility.Eligibility``."""

    @property
    def direct(self) -> Mapping[tuple[str, str], float]:
        """Drive time (s) of each (producer_id, kitchen_id) pair with a known route."""
        ...

    @property
    def platform_producers(self) -> Collection[str]:
        """Producers the platform's round collects from."""
        ...

    @property
    def platform_kitchens(self) -> Collection[str]:
        """Kitchens the platform's round delivers."""
        ...

    @property
    def travel_source(self) -> str:
        """Name of the travel-time source (estimate, road, ...)."""
        ...

    @property
    def estimated(self) -> bool:
        """True when travel times are straight-line estimates."""
        ...


@dataclass(frozen=True)
class Violation:
    """One broken rule, located, with the value found and the limit it breaks."""

    rule: str
    kitchen_id: str
    supplier_id: str
    product_id: str
    week_start: dt.date | None
    message: str
    value: float
    limit: float

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON (date as ISO string, NaN as None)."""
        return {
            "rule": self.rule,
            "kitchen_id": self.kitchen_id,
            "supplier_id": self.supplier_id,
            "product_id": self.product_id,
            "week_start": self.week_start.isoformat() if self.week_start else None,
            "message": self.message,
            "value": _json_num(self.value),
            "limit": _json_num(self.limit),
        }


@dataclass
class PlanCheck:
    """The checker's verdict on a plan."""

    ok: bool
    violations: list[Violation]
    indicators: dict[str, Any] = field(default_factory=dict)
    target_shortfalls: list[dict[str, Any]] = field(default_factory=list)
    target_mode: str = TargetMode.SOFT.value
    travel_source: str = ""
    travel_estimated: bool = True
    synthetic: bool = False
    n_lines: int = 0
    weeks: int = 0
    indicators_table: pd.DataFrame | None = None

    def by_rule(self) -> dict[str, int]:
        """Number of violations per rule."""
        out: dict[str, int] = {}
        for v in self.violations:
            out[v.rule] = out.get(v.rule, 0) + 1
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": bool, "violations": [...], ...}``, ready for ``check.json``."""
        return {
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
            "n_violations": len(self.violations),
            "violations_by_rule": self.by_rule(),
            "target_mode": self.target_mode,
            "target_shortfalls": [
                {k: _json_num(v) for k, v in s.items()} for s in self.target_shortfalls
            ],
            "indicators": {k: _json_num(v) for k, v in self.indicators.items()},
            "travel_source": self.travel_source,
            "travel_estimated": self.travel_estimated,
            "synthetic": self.synthetic,
            "n_lines": self.n_lines,
            "weeks": self.weeks,
        }


def _json_num(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def week_month(monday: dt.date) -> int:
    """Month of a week: the month of its Thursday (where most of its days fall, ISO 8601)."""
    return (monday + dt.timedelta(days=3)).month


def _rows(df: pd.DataFrame) -> Iterator[Any]:
    """Rows as named tuples (attributes typed Any for the checker's arithmetic)."""
    return df.itertuples(index=False)


def _items(df: pd.DataFrame) -> Iterator[tuple[Any, Any]]:
    """(index, row) pairs with the index typed Any (a tuple for a MultiIndex)."""
    return df.iterrows()


def _tol(x: float, base: float = TOL_KG) -> float:
    return base + TOL_REL * abs(x)


@dataclass
class CheckContext:
    """Everything the rules read, computed once."""

    scenario: Scenario
    plan: PurchasePlan
    eligibility: EligibilityLike
    lines: pd.DataFrame
    demand: pd.DataFrame
    meals: pd.DataFrame | None
    horizon: tuple[dt.date, ...]
    stock: pd.DataFrame  # kitchen_id, product_id, week_start, demand_kg, bought_kg, ...
    kitchens: tuple[str, ...] | None = None  # restriction (a cook's proposal), None = all

    def canteen(self, kid: str) -> Any:
        """The canteen with id ``kid`` or None."""
        return self._canteens.get(kid)

    def __post_init__(self) -> None:
        self._canteens = {c.id: c for c in self.scenario.canteens}


def _v(
    rule: str,
    message: str,
    *,
    value: float,
    limit: float,
    kitchen_id: str = "",
    supplier_id: str = "",
    product_id: str = "",
    week_start: dt.date | None = None,
) -> Violation:
    return Violation(
        rule=rule,
        kitchen_id=str(kitchen_id),
        supplier_id=str(supplier_id),
        product_id=str(product_id),
        week_start=week_start,
        message=message,
        value=float(value),
        limit=float(limit),
    )


# --------------------------------------------------------------------------- stock


def _normalise_demand(demand: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["kitchen_id", "week_start", "product_id", "demand_kg"]
    if demand is None or demand.empty:
        return pd.DataFrame(columns=cols)
    missing = [c for c in cols if c not in demand.columns]
    if missing:
        msg = f"demand table lacks column(s) {missing}; it has {list(demand.columns)}"
        raise ValueError(msg)
    d = demand[cols].copy()
    d["week_start"] = d["week_start"].map(to_date)
    d["demand_kg"] = d["demand_kg"].astype(float)
    return d.groupby(["kitchen_id", "product_id", "week_start"])["demand_kg"].sum().reset_index()


def stock_table(
    scenario: Scenario, lines: pd.DataFrame, demand: pd.DataFrame, horizon: tuple[dt.date, ...]
) -> pd.DataFrame:
    """Week-by-week stock of every kitchen x product (FIFO, starting empty).

    Returns one row per kitchen x product x calendar week (from the first to the last week
    seen), with ``demand_kg, bought_kg, local_bought_kg, unmet_kg, stock_kg,
    local_stock_kg, local_used_kg, excess_fresh_kg, future_demand_kg`` (demand of the next
    ``floor(shelf_life/7)`` weeks), ``storable``, ``cold`` (storage class) and
    ``in_horizon``. Local stock is consumed first: ``local_used_kg`` is the part of the
    week's demand eaten from local purchases.
    """
    keys = ["kitchen_id", "product_id", "week_start"]
    bought = (
        lines.groupby(keys)["quantity_kg"].sum().rename("bought_kg")
        if not lines.empty
        else pd.Series(dtype=float, name="bought_kg")
    )
    local_lines = lines[lines["local"]] if not lines.empty else lines
    local_b = (
        local_lines.groupby(keys)["quantity_kg"].sum().rename("local_bought_kg")
        if not local_lines.empty
        else pd.Series(dtype=float, name="local_bought_kg")
    )
    weeks_seen = set(horizon) | set(demand["week_start"])
    if not lines.empty:
        weeks_seen |= set(lines["week_start"])
    if not weeks_seen:
        return pd.DataFrame(columns=[*keys, "demand_kg", "bought_kg", "stock_kg"])
    first, last = min(weeks_seen), max(weeks_seen)
    n_w = (last - first).days // 7 + 1
    calendar = [first + dt.timedelta(days=7 * i) for i in range(n_w)]

    pairs = set(zip(demand["kitchen_id"], demand["product_id"], strict=True))
    if not lines.empty:
        pairs |= set(zip(lines["kitchen_id"], lines["product_id"], strict=True))
    pair_list = sorted(pairs)
    n_k = len(pair_list)
    pos = {p: i for i, p in enumerate(pair_list)}

    def dense(series: pd.Series) -> np.ndarray:
        arr = np.zeros((n_k, n_w))
        if series.empty:
            return arr
        idx = series.index
        r = np.array(
            [
                pos[(k, p)]
                for k, p in zip(idx.get_level_values(0), idx.get_level_values(1), strict=True)
            ]
        )
        c = np.array([(w - first).days // 7 for w in idx.get_level_values(2)])
        np.add.at(arr, (r, c), series.to_numpy(dtype=float))
        return arr

    d_arr = dense(demand.set_index(keys)["demand_kg"]) if not demand.empty else np.zeros((n_k, n_w))
    b_arr = dense(bought)
    lb_arr = dense(local_b)

    products = {p.id: p for p in scenario.products}
    storable = np.array(
        [bool(products[p].storable) if p in products else False for _, p in pair_list]
    )
    shelf_weeks = np.array(
        [products[p].shelf_life_days // 7 if p in products else 0 for _, p in pair_list], dtype=int
    )
    cold = [
        (
            ColdChain.AMBIENT.value
            if p in products and products[p].cold_chain is ColdChain.AMBIENT
            else "cold"
        )
        for _, p in pair_list
    ]

    stock = np.zeros((n_k, n_w))
    lstock = np.zeros((n_k, n_w))
    unmet = np.zeros((n_k, n_w))
    excess = np.zeros((n_k, n_w))
    lused = np.zeros((n_k, n_w))
    s_prev = np.zeros(n_k)
    l_prev = np.zeros(n_k)
    for w in range(n_w):
        avail = s_prev + b_arr[:, w]
        local_avail = l_prev + lb_arr[:, w]
        need = d_arr[:, w]
        unmet[:, w] = np.maximum(0.0, need - avail)
        used_local = np.minimum(local_avail, need)
        lused[:, w] = used_local
        rest = np.maximum(0.0, avail - need)
        rest_local = np.maximum(0.0, local_avail - used_local)
        excess[:, w] = np.where(storable, 0.0, rest)
        stock[:, w] = np.where(storable, rest, 0.0)
        lstock[:, w] = np.where(storable, np.minimum(rest_local, rest), 0.0)
        s_prev, l_prev = stock[:, w], lstock[:, w]

    cum = np.concatenate([np.zeros((n_k, 1)), np.cumsum(d_arr, axis=1)], axis=1)
    wi = np.arange(n_w)[None, :]
    hi = np.minimum(wi + 1 + shelf_weeks[:, None], n_w)
    future = np.take_along_axis(cum, hi, axis=1) - cum[:, 1:]

    horizon_set = set(horizon) if horizon else set(calendar)
    out = pd.DataFrame(
        {
            "kitchen_id": np.repeat([k for k, _ in pair_list], n_w),
            "product_id": np.repeat([p for _, p in pair_list], n_w),
            "week_start": calendar * n_k,
            "demand_kg": d_arr.ravel(),
            "bought_kg": b_arr.ravel(),
            "local_bought_kg": lb_arr.ravel(),
            "unmet_kg": unmet.ravel(),
            "stock_kg": stock.ravel(),
            "local_stock_kg": lstock.ravel(),
            "local_used_kg": lused.ravel(),
            "excess_fresh_kg": excess.ravel(),
            "future_demand_kg": future.ravel(),
            "shelf_weeks": np.repeat(shelf_weeks, n_w),
            "storable": np.repeat(storable, n_w),
            "cold": np.repeat(cold, n_w),
        }
    )
    out["in_horizon"] = out["week_start"].isin(horizon_set)
    return out


# --------------------------------------------------------------------------- rules


def check_dates(ctx: CheckContext) -> list[Violation]:
    """Lines fall in the plan's weeks, on a Monday-based week, delivered within that week."""
    out: list[Violation] = []
    horizon = set(ctx.horizon)
    df = ctx.lines
    if df.empty:
        return out
    cols = ["week_start", "delivery_date", "kitchen_id", "supplier_id", "product_id"]
    for rec in _rows(df[cols]):
        w: dt.date = rec.week_start
        if w.isoweekday() != 1:
            out.append(
                _v(
                    "week_not_monday",
                    f"week_start {w} is weekday {w.isoweekday()}, not a Monday",
                    value=w.isoweekday(),
                    limit=1,
                    kitchen_id=rec.kitchen_id,
                    supplier_id=rec.supplier_id,
                    product_id=rec.product_id,
                    week_start=w,
                )
            )
        if horizon and w not in horizon:
            out.append(
                _v(
                    "week_outside_horizon",
                    f"line in week {w}, outside the plan's {len(horizon)} weeks "
                    f"({min(horizon)} .. {max(horizon)})",
                    value=float("nan"),
                    limit=float("nan"),
                    kitchen_id=rec.kitchen_id,
                    supplier_id=rec.supplier_id,
                    product_id=rec.product_id,
                    week_start=w,
                )
            )
        dd = rec.delivery_date
        if dd is not None and not pd.isna(dd) and not 0 <= (dd - w).days <= 6:
            out.append(
                _v(
                    "delivery_outside_week",
                    f"delivery date {dd} is {(dd - w).days} days from week start {w} (0..6 "
                    "allowed)",
                    value=(dd - w).days,
                    limit=6,
                    kitchen_id=rec.kitchen_id,
                    supplier_id=rec.supplier_id,
                    product_id=rec.product_id,
                    week_start=w,
                )
            )
    return out


def check_demand_met(ctx: CheckContext) -> list[Violation]:
    """Every kg of demand of the plan's weeks is covered (from purchases or stock)."""
    st = ctx.stock
    if st.empty:
        return []
    bad = st[st["in_horizon"] & (st["unmet_kg"] > TOL_KG + TOL_REL * st["demand_kg"])]
    out = []
    for r in _rows(bad):
        out.append(
            _v(
                "demand_not_met",
                f"{r.unmet_kg:.3f} kg of {r.demand_kg:.3f} kg demand not covered "
                f"(bought {r.bought_kg:.3f} kg this week)",
                value=r.demand_kg - r.unmet_kg,
                limit=r.demand_kg,
                kitchen_id=r.kitchen_id,
                product_id=r.product_id,
                week_start=r.week_start,
            )
        )
    return out


def drive_limit_min(radius_min: float, producer: Producer, channel: str) -> float:
    """Longest allowed drive of a direct channel: the radius, and the producer's own max
    drive when it drives itself (no carrier; not for a farm pickup, where the kitchen drives)."""
    if channel == Channel.DIRECT.value and DeliveryMode.CARRIER not in producer.delivery_modes:
        return min(radius_min, producer.max_drive_min)
    return radius_min


def check_eligibility(ctx: CheckContext) -> list[Violation]:
    """Known ids; local lines from eligible producers, by a channel they practise."""
    sc, el, df = ctx.scenario, ctx.eligibility, ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    producers = {p.id: p for p in sc.producers}
    kitchens = {k.id for k in sc.kitchens()}
    products = {p.id for p in sc.products}
    offers = {o.key for o in sc.offers}
    ref_suppliers = {r.supplier_id for r in sc.reference_offers}
    ref_pairs = {(r.supplier_id, r.product_id) for r in sc.reference_offers}
    plat_p, plat_k = set(el.platform_producers), set(el.platform_kitchens)
    combos = df.groupby(["kitchen_id", "supplier_id", "product_id", "channel", "local"]).agg(
        week_start=("week_start", "min"), n=("week_start", "size")
    )
    for (kid, sid, pid, chan, local), rec in _items(combos):
        w = rec["week_start"]
        base = {"kitchen_id": kid, "supplier_id": sid, "product_id": pid, "week_start": w}
        n = int(rec["n"])
        if kid not in kitchens:
            out.append(
                _v(
                    "unknown_kitchen",
                    f"kitchen {kid!r} is not a purchasing kitchen of the scenario ({n} lines)",
                    value=n,
                    limit=0,
                    **base,
                )
            )
            continue
        if pid not in products:
            out.append(
                _v(
                    "unknown_product",
                    f"product {pid!r} is not in the scenario ({n} lines)",
                    value=n,
                    limit=0,
                    **base,
                )
            )
            continue
        if chan == Channel.REFERENCE.value:
            if local:
                out.append(
                    _v(
                        "local_flag",
                        f"reference-supplier line marked local ({n} lines)",
                        value=1,
                        limit=0,
                        **base,
                    )
                )
            if sid not in ref_suppliers:
                out.append(
                    _v(
                        "unknown_supplier",
                        f"supplier {sid!r} is neither a producer nor a reference supplier ({n} "
                        "lines)",
                        value=n,
                        limit=0,
                        **base,
                    )
                )
                continue
            c = ctx.canteen(kid)
            if (
                c is not None
                and c.reference_supplier_id
                and sid != c.reference_supplier_id
                and (c.reference_supplier_id, pid) in ref_pairs
            ):
                out.append(
                    _v(
                        "reference_supplier",
                        f"bought from wholesaler {sid!r}, the kitchen's reference supplier is "
                        f"{c.reference_supplier_id!r} ({n} lines)",
                        value=n,
                        limit=0,
                        **base,
                    )
                )
            continue
        prod = producers.get(sid)
        if prod is None:
            out.append(
                _v(
                    "unknown_supplier",
                    f"producer {sid!r} is not in the scenario ({n} lines)",
                    value=n,
                    limit=0,
                    **base,
                )
            )
            continue
        if not local:
            out.append(
                _v(
                    "local_flag",
                    f"line from producer {sid!r} by {chan} not marked local ({n} lines)",
                    value=0,
                    limit=1,
                    **base,
                )
            )
        if (sid, pid) not in offers:
            out.append(
                _v(
                    "no_offer",
                    f"producer {sid!r} has no offer for {pid!r} ({n} lines)",
                    value=n,
                    limit=0,
                    **base,
                )
            )
        modes = {m.value for m in prod.delivery_modes}
        if not CHANNEL_MODES[chan] & set(prod.delivery_modes):
            out.append(
                _v(
                    "channel_mode",
                    f"channel {chan} but producer {sid!r} delivers by {sorted(modes)} ({n} lines)",
                    value=n,
                    limit=0,
                    **base,
                )
            )
        if chan in _DIRECT_LIKE:
            c = ctx.canteen(kid)
            radius = c.radius_min if c is not None and c.radius_min else sc.settings.radius_min
            limit_min = drive_limit_min(radius, prod, chan)
            drive_s = el.direct.get((sid, kid))
            if drive_s is None:
                out.append(
                    _v(
                        "not_eligible",
                        f"producer {sid!r} is not within reach of kitchen {kid!r} for a direct "
                        f"drop (no eligible route; limit {limit_min:.1f} min) ({n} lines)",
                        value=float("inf"),
                        limit=limit_min,
                        **base,
                    )
                )
            elif drive_s > limit_min * 60.0 + 1e-6:
                out.append(
                    _v(
                        "not_eligible",
                        f"drive {drive_s / 60:.1f} min > limit {limit_min:.1f} min (radius "
                        f"{radius:.1f}, producer max {prod.max_drive_min:.1f}) ({n} lines)",
                        value=drive_s / 60.0,
                        limit=limit_min,
                        **base,
                    )
                )
        elif chan == Channel.PLATFORM.value:
            missing = [
                x
                for x, ok in (
                    (f"producer {sid!r}", sid in plat_p),
                    (f"kitchen {kid!r}", kid in plat_k),
                )
                if not ok
            ]
            if missing or not sc.platforms:
                why = " and ".join(missing) if missing else "the scenario has no platform"
                out.append(
                    _v(
                        "not_eligible",
                        f"platform line but {why} not on the platform round ({n} lines)",
                        value=n,
                        limit=0,
                        **base,
                    )
                )
    return out


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
    for r in _rows(agg):
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
            out.append(
                _v(
                    "out_of_season",
                    f"{r.quantity:.3f} units bought in month {month}, offer season is months "
                    f"{list(o.months)}",
                    value=r.quantity,
                    limit=0.0,
                    **base,
                )
            )
        elif r.quantity > cap + _tol(cap):
            out.append(
                _v(
                    "capacity",
                    f"{r.quantity:.3f} units over {r.kitchens} kitchen(s) > weekly capacity "
                    f"{cap:.3f} (month {month})",
                    value=r.quantity,
                    limit=cap,
                    **base,
                )
            )
    lots = local.assign(
        min_lot=[
            offers[k].min_lot if k in offers else 0.0
            for k in zip(local["supplier_id"], local["product_id"], strict=True)
        ]
    )
    for r in _rows(lots[lots["quantity"] < lots["min_lot"] - TOL_KG]):
        out.append(
            _v(
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


def _offer_value(ctx: CheckContext, df: pd.DataFrame) -> np.ndarray:
    price = {o.key: o.price_eur_per_unit for o in ctx.scenario.offers}
    p = np.array(
        [price.get(k, np.nan) for k in zip(df["supplier_id"], df["product_id"], strict=True)],
        dtype=float,
    )
    v = df["quantity"].to_numpy(dtype=float) * p
    return np.where(np.isnan(v), df["value_eur"].to_numpy(dtype=float), v)


def check_min_order(ctx: CheckContext) -> list[Violation]:
    """Each direct drop and each pooled platform pickup reaches the producer's minimum."""
    df = ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    producers = {p.id: p for p in ctx.scenario.producers}
    direct = df[df["channel"].isin(_DIRECT_LIKE)]
    drops = direct.groupby(["supplier_id", "kitchen_id", "week_start", "day"], as_index=False).agg(
        kg=("quantity_kg", "sum"), eur=("value_eur", "sum")
    )
    for r in _rows(drops):
        prod = producers.get(r.supplier_id)
        if prod is None:
            continue
        base = {
            "kitchen_id": r.kitchen_id,
            "supplier_id": r.supplier_id,
            "week_start": r.week_start,
        }
        if prod.min_order_kg > 0 and r.kg < prod.min_order_kg - _tol(prod.min_order_kg):
            out.append(
                _v(
                    "min_order_direct",
                    f"drop of {r.day}: {r.kg:.3f} kg < minimum order {prod.min_order_kg:.3f} kg",
                    value=r.kg,
                    limit=prod.min_order_kg,
                    **base,
                )
            )
        if prod.min_order_eur > 0 and r.eur < prod.min_order_eur - TOL_EUR:
            out.append(
                _v(
                    "min_order_direct",
                    f"drop of {r.day}: {r.eur:.2f} EUR < minimum order {prod.min_order_eur:.2f} "
                    "EUR",
                    value=r.eur,
                    limit=prod.min_order_eur,
                    **base,
                )
            )
    plat = df[df["channel"] == Channel.PLATFORM.value]
    plat = plat.assign(producer_eur=_offer_value(ctx, plat))
    pick = plat.groupby(["supplier_id", "week_start"], as_index=False).agg(
        kg=("quantity_kg", "sum"), eur=("producer_eur", "sum"), kitchens=("kitchen_id", "nunique")
    )
    for r in _rows(pick):
        prod = producers.get(r.supplier_id)
        if prod is None:
            continue
        base = {"supplier_id": r.supplier_id, "week_start": r.week_start}
        if prod.min_order_kg > 0 and r.kg < prod.min_order_kg - _tol(prod.min_order_kg):
            out.append(
                _v(
                    "min_order_platform",
                    f"pooled platform pickup for {r.kitchens} kitchen(s): {r.kg:.3f} kg < minimum "
                    f"order {prod.min_order_kg:.3f} kg",
                    value=r.kg,
                    limit=prod.min_order_kg,
                    **base,
                )
            )
        if prod.min_order_eur > 0 and r.eur < prod.min_order_eur - TOL_EUR:
            out.append(
                _v(
                    "min_order_platform",
                    f"pooled platform pickup for {r.kitchens} kitchen(s): {r.eur:.2f} EUR at "
                    f"producer price < minimum order {prod.min_order_eur:.2f} EUR",
                    value=r.eur,
                    limit=prod.min_order_eur,
                    **base,
                )
            )
    return out


def check_delivery_days_and_frequency(ctx: CheckContext) -> list[Violation]:
    """Producer/kitchen/round weekdays, producer trips and every-n-weeks, kitchen max deliveries."""
    sc, df = ctx.scenario, ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    producers = {p.id: p for p in sc.producers}
    round_days = {int(d) for pl in sc.platforms for d in pl.round_weekdays}
    dated = df[df["delivery_date"].notna()]
    seen: set[tuple[str, str, str, dt.date]] = set()
    cols = ["kitchen_id", "supplier_id", "channel", "delivery_date", "week_start"]
    for r in _rows(dated[cols].drop_duplicates()):
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
                out.append(
                    _v(
                        "producer_weekday",
                        f"{r.channel} on {r.delivery_date} (weekday {wd}); producer delivers on "
                        f"weekdays {days}",
                        value=wd,
                        limit=float("nan"),
                        **base,
                    )
                )
        if r.channel == Channel.PLATFORM.value and round_days and wd not in round_days:
            out.append(
                _v(
                    "platform_weekday",
                    f"platform delivery on {r.delivery_date} (weekday {wd}); rounds run on "
                    f"weekdays {sorted(round_days)}",
                    value=wd,
                    limit=float("nan"),
                    **base,
                )
            )
        c = ctx.canteen(r.kitchen_id)
        key = (r.kitchen_id, r.supplier_id, r.channel, r.delivery_date)
        if c is not None and key not in seen:
            seen.add(key)
            kdays = sorted(int(d) for d in c.delivery_weekdays)
            if wd not in kdays:
                out.append(
                    _v(
                        "kitchen_weekday",
                        f"delivery on {r.delivery_date} (weekday {wd}); kitchen receives on "
                        f"weekdays {kdays}",
                        value=wd,
                        limit=float("nan"),
                        **base,
                    )
                )

    drops = (
        df.loc[df["channel"].isin(_DIRECT_LIKE), ["supplier_id", "week_start", "kitchen_id", "day"]]
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
    for sid, w, n_drops, n_pickups in _rows(trips):
        prod = producers.get(sid)
        n = n_drops + n_pickups
        if prod is not None and n > prod.deliveries_per_week:
            out.append(
                _v(
                    "producer_deliveries_per_week",
                    f"{n_drops} direct drop(s) + {n_pickups} platform pickup(s) in the week = "
                    f"{n} > {prod.deliveries_per_week} drops per week",
                    value=n,
                    limit=prod.deliveries_per_week,
                    supplier_id=sid,
                    week_start=w,
                )
            )

    local = df[df["channel"] != Channel.REFERENCE.value]
    for sid, weeks in local.groupby("supplier_id")["week_start"]:
        prod = producers.get(str(sid))
        if prod is None or prod.delivery_every_n_weeks <= 1:
            continue
        n_weeks = prod.delivery_every_n_weeks
        ws = sorted(set(weeks))
        for a, b in zip(ws, ws[1:], strict=False):
            gap = (b - a).days // 7
            if gap < n_weeks:
                out.append(
                    _v(
                        "producer_frequency",
                        f"delivers in weeks {a} and {b}, {gap} week(s) apart; at most one week in "
                        f"any {n_weeks} consecutive weeks",
                        value=gap,
                        limit=n_weeks,
                        supplier_id=str(sid),
                        week_start=b,
                    )
                )

    deliv = deliveries_by_week(df)
    for r in _rows(deliv):
        c = ctx.canteen(r.kitchen_id)
        if c is not None and r.deliveries > c.max_deliveries_per_week:
            out.append(
                _v(
                    "kitchen_max_deliveries",
                    f"{r.deliveries} deliveries in the week ({r.direct_drops} direct drops + "
                    f"{r.platform} platform + {r.wholesaler} wholesaler) > max "
                    f"{c.max_deliveries_per_week}",
                    value=r.deliveries,
                    limit=c.max_deliveries_per_week,
                    kitchen_id=r.kitchen_id,
                    week_start=r.week_start,
                )
            )
    return out


def check_storage(ctx: CheckContext) -> list[Violation]:
    """Fresh products carry no stock; storables within shelf life; stock within storage."""
    st = ctx.stock
    out: list[Violation] = []
    if st.empty:
        return out
    st = st[st["in_horizon"]]
    fresh = st[st["excess_fresh_kg"] > TOL_KG + TOL_REL * st["bought_kg"]]
    for r in _rows(fresh):
        out.append(
            _v(
                "fresh_stock",
                f"fresh product: bought {r.bought_kg:.3f} kg for a week's demand of "
                f"{r.demand_kg:.3f} kg, {r.excess_fresh_kg:.3f} kg would be carried",
                value=r.bought_kg,
                limit=r.demand_kg,
                kitchen_id=r.kitchen_id,
                product_id=r.product_id,
                week_start=r.week_start,
            )
        )
    shelf = st[
        st["storable"]
        & (st["stock_kg"] > st["future_demand_kg"] + TOL_KG + TOL_REL * st["stock_kg"])
    ]
    for r in _rows(shelf):
        out.append(
            _v(
                "shelf_life",
                f"{r.stock_kg:.3f} kg in stock at the end of the week > {r.future_demand_kg:.3f} "
                f"kg of demand in the next {r.shelf_weeks} week(s) of shelf life",
                value=r.stock_kg,
                limit=r.future_demand_kg,
                kitchen_id=r.kitchen_id,
                product_id=r.product_id,
                week_start=r.week_start,
            )
        )
    by_class = (
        st[st["stock_kg"] > 0]
        .groupby(["kitchen_id", "cold", "week_start"])["stock_kg"]
        .sum()
        .reset_index()
    )
    for r in _rows(by_class):
        c = ctx.canteen(r.kitchen_id)
        if c is None:
            continue
        cap = c.storage_ambient_kg if r.cold == ColdChain.AMBIENT.value else c.storage_chilled_kg
        name = "ambient" if r.cold == ColdChain.AMBIENT.value else "chilled/frozen"
        if r.stock_kg > cap + _tol(cap):
            out.append(
                _v(
                    "storage_capacity",
                    f"{r.stock_kg:.3f} kg of {name} stock at the end of the week > storage "
                    f"{cap:.3f} kg",
                    value=r.stock_kg,
                    limit=cap,
                    kitchen_id=r.kitchen_id,
                    week_start=r.week_start,
                )
            )
    return out


def check_prices_and_values(ctx: CheckContext) -> list[Violation]:
    """Prices match the offers (platform: + margin); value = qty x price; kg = qty x kg/unit."""
    sc, df = ctx.scenario, ctx.lines
    out: list[Violation] = []
    if df.empty:
        return out
    offer_price = {o.key: o.price_eur_per_unit for o in sc.offers}
    ref_price = {(r.supplier_id, r.product_id): r.price_eur_per_unit for r in sc.reference_offers}
    margins = sorted({pl.margin_pct for pl in sc.platforms}) or [0.0]
    kg_per_unit = {p.id: p.kg_per_unit for p in sc.products}
    for r in _rows(df):
        key = (r.supplier_id, r.product_id)
        base = {
            "kitchen_id": r.kitchen_id,
            "supplier_id": r.supplier_id,
            "product_id": r.product_id,
            "week_start": r.week_start,
        }
        expected: list[float] = []
        if r.channel == Channel.REFERENCE.value:
            if key in ref_price:
                expected = [ref_price[key]]
            what = "reference price"
        elif key in offer_price:
            if r.channel == Channel.PLATFORM.value:
                expected = [offer_price[key] * (1.0 + m / 100.0) for m in margins]
                what = f"offer price x (1 + margin {margins} %)"
            else:
                expected = [offer_price[key]]
                what = "offer price"
        if (
            expected
            and min(abs(r.unit_price_eur - e) for e in expected)
            > TOL_PRICE_EUR + TOL_REL * r.unit_price_eur
        ):
            exp = expected[0]
            out.append(
                _v(
                    "price",
                    f"unit price {r.unit_price_eur:.4f} EUR != {what} {exp:.4f} EUR",
                    value=r.unit_price_eur,
                    limit=exp,
                    **base,
                )
            )
        val = r.quantity * r.unit_price_eur
        if abs(r.value_eur - val) > TOL_EUR + TOL_REL * abs(val):
            out.append(
                _v(
                    "value",
                    f"value {r.value_eur:.2f} EUR != {r.quantity:.3f} x {r.unit_price_eur:.4f} = "
                    f"{val:.2f} EUR",
                    value=r.value_eur,
                    limit=val,
                    **base,
                )
            )
        kpu = kg_per_unit.get(r.product_id)
        if kpu is not None:
            kg = r.quantity * kpu
            if abs(r.quantity_kg - kg) > _tol(kg):
                out.append(
                    _v(
                        "value",
                        f"{r.quantity_kg:.3f} kg != {r.quantity:.3f} units x {kpu:.3f} kg/unit = "
                        f"{kg:.3f} kg",
                        value=r.quantity_kg,
                        limit=kg,
                        **base,
                    )
                )
    return out


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
    ref_labels = {(r.supplier_id, r.product_id): frozenset(r.labels) for r in sc.reference_offers}
    combos = df.groupby(["kitchen_id", "supplier_id", "product_id", "channel", "labels_str"]).agg(
        week_start=("week_start", "min"), n=("week_start", "size")
    )
    for (kid, sid, pid, chan, lab), rec in _items(combos):
        table = ref_labels if chan == Channel.REFERENCE.value else offer_labels
        expected = table.get((sid, pid))
        if expected is None:
            continue
        got = frozenset(x for x in str(lab).split(",") if x)
        exp = frozenset(x.value for x in expected)
        if got != exp:
            extra, missing = sorted(got - exp), sorted(exp - got)
            out.append(
                _v(
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
    names = {
        "egalim_pct": "target_egalim",
        "bio_pct": "target_bio",
        "meat_fish_egalim_pct": "target_meat_fish",
        "local_pct": "target_local",
        "budget": "budget",
    }
    out = []
    for s in shortfalls:
        if s["kitchen_id"] == TERRITORY:
            continue
        unit = s["unit"]
        out.append(
            _v(
                names[str(s["target"])],
                f"{s['target']}: achieved {s['achieved']:.2f} {unit}, required "
                f"{s['required']:.2f} {unit}, short by {s['shortfall']:.2f} {unit} (hard target)",
                value=float(s["achieved"]),
                limit=float(s["required"]),
                kitchen_id=str(s["kitchen_id"]),
            )
        )
    return out


def check_platform(ctx: CheckContext) -> list[Violation]:
    """Platform lines: chilled/frozen goods only with a refrigerated van; weekly payload."""
    sc, df = ctx.scenario, ctx.lines
    out: list[Violation] = []
    if df.empty or not sc.platforms:
        return out
    plat = df[df["channel"] == Channel.PLATFORM.value]
    if plat.empty:
        return out
    pf = sc.platforms[0]
    products = {p.id: p for p in sc.products}
    if pf.vans and not any(v.refrigerated for v in pf.vans):
        cold = plat[
            plat["product_id"].map(
                lambda p: p in products and products[p].cold_chain is not ColdChain.AMBIENT
            )
        ]
        combos = cold.groupby(["kitchen_id", "supplier_id", "product_id"]).agg(
            week_start=("week_start", "min"), kg=("quantity_kg", "sum")
        )
        for (kid, sid, pid), rec in _items(combos):
            out.append(
                _v(
                    "platform_cold_chain",
                    f"{rec['kg']:.3f} kg of {products[pid].cold_chain.value} {pid} on platform "
                    f"{pf.id!r}, which has no refrigerated van",
                    value=float(rec["kg"]),
                    limit=0.0,
                    kitchen_id=kid,
                    supplier_id=sid,
                    product_id=pid,
                    week_start=rec["week_start"],
                )
            )
    if pf.vans:
        payload = sum(v.capacity_kg for v in pf.vans) * len(pf.round_weekdays)
        weekly = plat.groupby("week_start")["quantity_kg"].sum().reset_index()
        for w, kg in _rows(weekly):
            if kg > payload + _tol(payload):
                out.append(
                    _v(
                        "platform_capacity",
                        f"{kg:.1f} kg on the platform in the week > {payload:.1f} kg "
                        f"({len(pf.vans)} van(s) x {len(pf.round_weekdays)} round day(s))",
                        value=kg,
                        limit=payload,
                        week_start=w,
                    )
                )
    return out


#: Every rule, in the order they run.
RULES: tuple[Callable[[CheckContext], list[Violation]], ...] = (
    check_dates,
    check_demand_met,
    check_eligibility,
    check_capacity_and_season,
    check_min_order,
    check_delivery_days_and_frequency,
    check_storage,
    check_prices_and_values,
    check_labels,
    check_platform,
    check_targets,
)


def build_context(
    scenario: Scenario,
    demand: pd.DataFrame | None,
    meals: pd.DataFrame | None,
    eligibility: EligibilityLike,
    plan: PurchasePlan,
    *,
    kitchens: Sequence[str] | None = None,
) -> CheckContext:
    """Precompute the plan frame, the demand and the stock table the rules read.

    ``kitchens`` restricts the demand and the meals to those purchasing kitchens.
    """
    lines = plan_frame(scenario, plan)
    d = _normalise_demand(demand)
    if kitchens is not None:
        keep = set(kitchens)
        d = d[d["kitchen_id"].isin(keep)]
        if meals is not None:
            meals = meals[meals["kitchen_id"].isin(keep)]
    horizon = tuple(plan.weeks)
    # stock is counted on quantity x kg_per_unit (the scenario's truth), so a wrong
    # ``quantity_kg`` on a line is reported once, by check_prices_and_values
    kpu = {p.id: p.kg_per_unit for p in scenario.products}
    true_kg = lines["quantity"] * lines["product_id"].map(kpu).astype(float)
    stock_lines = lines.assign(quantity_kg=true_kg.fillna(lines["quantity_kg"]))
    known = {k.id for k in scenario.kitchens()}
    stock_lines = stock_lines[stock_lines["kitchen_id"].isin(known)]
    stock = stock_table(scenario, stock_lines, d, horizon)
    return CheckContext(
        scenario=scenario,
        plan=plan,
        eligibility=eligibility,
        lines=lines,
        demand=d,
        meals=meals,
        kitchens=None if kitchens is None else tuple(kitchens),
        horizon=horizon,
        stock=stock,
    )


def check_plan(
    scenario: Scenario,
    demand: pd.DataFrame | None,
    meals: pd.DataFrame | None,
    eligibility: EligibilityLike,
    plan: PurchasePlan,
    *,
    kitchens: Sequence[str] | None = None,
) -> PlanCheck:
    """Check ``plan`` against every rule and recompute its indicators.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    demand
        ``DataFrame[kitchen_id, week_start, product_id, quantity, demand_kg, source]``
        (``solver.prepare.demand.weekly_demand``); only ``kitchen_id, week_start, product_id,
        demand_kg`` are read.
    meals
        ``DataFrame[kitchen_id, week_start, meals, service_days]`` for cost per meal.
    eligibility
        Drive times and platform membership (``solver.prepare.eligibility.Eligibility``).
    plan
        Any purchase plan.
    kitchens
        Check only these purchasing kitchens' demand and targets (a cook's proposal for
        one kitchen against the territory's demand). Default: every kitchen.

    Returns
    -------
    PlanCheck
        ``ok`` is True when no rule is violated; soft-mode target misses are in
        ``target_shortfalls`` and do not make ``ok`` False.
    """
    ctx = build_context(scenario, demand, meals, eligibility, plan, kitchens=kitchens)
    table = indicators_table(scenario, plan, ctx.meals, lines=ctx.lines, kitchens=kitchens)
    shortfalls = target_shortfalls(table)
    violations: list[Violation] = []
    for rule in RULES:
        found = check_targets(ctx, shortfalls) if rule is check_targets else rule(ctx)
        if found:
            logger.info("%s: %d violation(s)", rule.__name__, len(found))
        violations.extend(found)
    terr = table[table["kitchen_id"] == TERRITORY].iloc[0].to_dict() if not table.empty else {}
    return PlanCheck(
        ok=not violations,
        violations=violations,
        indicators={str(k): v for k, v in terr.items() if k != "kitchen_name"},
        target_shortfalls=shortfalls,
        target_mode=scenario.settings.target_mode.value,
        travel_source=str(eligibility.travel_source),
        travel_estimated=bool(eligibility.estimated),
        synthetic=scenario.settings.synthetic,
        n_lines=len(ctx.lines),
        weeks=len(plan.weeks),
        indicators_table=table,
    )
