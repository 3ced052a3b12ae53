"""Indicators of a purchase plan, per kitchen and for the territory (plain pandas).

Definitions (all values EUR excl. VAT, over the plan's horizon):

* ``total_value_eur`` = sum of line values (local + reference wholesaler);
* each euro is counted ONCE in one EGALIM group, in ma-cantine's order
  (``solver.core.domain.egalim_group``): bio > SIQO > externalités/performance > autres
  EGALIM > non EGALIM. So a BIO+IGP line counts as bio only, an HVE+IGP line as SIQO;
* ``egalim_pct`` = (bio + SIQO + ext./perf. + autres) / total; ``bio_pct`` = bio / total;
  ``siqo_pct`` = SIQO / total (euros already counted as bio excluded);
* ``meat_fish_egalim_pct`` = EGALIM value / value of the meat-and-fish families
  (``MEAT_AND_FISH_FAMILIES``), NaN when nothing of those families is bought;
* ``local_pct`` = value bought from producers of the territory / total (local is NOT an
  EGALIM criterion, it is its own share); ``local_kg`` the matching mass;
* ``cost_per_meal_eur`` = food value / meals served in the plan's weeks (logistics
  excluded), compared with ``budget_eur_per_meal``;
* deliveries of a kitchen in a week = distinct direct drops (producer x delivery day, farm
  pickups included) + 1 if the platform delivers it + 1 if the wholesaler delivers it;
  ``deliveries_per_week`` is the mean over the weeks it receives anything,
  ``max_deliveries_in_a_week`` the maximum;
* producers engaged = distinct local suppliers; their revenue is what they are paid: the
  offer price for platform lines (the platform's margin is not the producer's);
* shortfalls against targets are ``max(0, target - achieved)`` (percentage points) and
  the budget overrun ``max(0, cost_per_meal - budget)``.

The territory row (``kitchen_id == TERRITORY``) sums over kitchens; its targets are the
kitchens' targets weighted by their value (budget: by their meals).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from solver.core import (
    Canteen,
    Channel,
    EgalimGroup,
    Label,
    PurchasePlan,
    Scenario,
    egalim_group,
)

logger = logging.getLogger(__name__)

#: ``kitchen_id`` of the territory-wide row of :func:`indicators_table`.
TERRITORY = "TERRITORY"

#: Columns of :func:`plan_frame`.
PLAN_COLUMNS = [
    "week_start",
    "delivery_date",
    "day",
    "kitchen_id",
    "supplier_id",
    "supplier_name",
    "product_id",
    "product_name",
    "family",
    "unit",
    "quantity",
    "quantity_kg",
    "unit_price_eur",
    "value_eur",
    "labels",
    "labels_str",
    "egalim_group",
    "channel",
    "local",
    "meat_fish",
    "platform_id",
]

#: (indicator column, target column, shortfall column, human name) of percentage targets.
PCT_TARGETS = (
    ("egalim_pct", "target_egalim_pct", "egalim_shortfall_pct", "EGALIM"),
    ("bio_pct", "target_bio_pct", "bio_shortfall_pct", "organic"),
    (
        "meat_fish_egalim_pct",
        "target_meat_fish_egalim_pct",
        "meat_fish_shortfall_pct",
        "meat and fish EGALIM",
    ),
    ("local_pct", "target_local_pct", "local_shortfall_pct", "local"),
)


def to_date(value: object) -> dt.date:
    """A ``datetime.date`` from a date, datetime, pandas Timestamp or ISO string."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    msg = f"cannot read a date from {value!r}"
    raise ValueError(msg)


@lru_cache(maxsize=4096)
def _sorted_labels(labels: tuple[Label, ...]) -> tuple[Label, ...]:
    return tuple(sorted(labels, key=lambda lab: lab.value))


@lru_cache(maxsize=4096)
def _labels_str(labels: tuple[Label, ...]) -> str:
    return ",".join(lab.value for lab in labels)


@lru_cache(maxsize=4096)
def _group_of(labels: tuple[Label, ...]) -> str:
    return egalim_group(labels).value


def plan_frame(scenario: Scenario, plan: PurchasePlan) -> pd.DataFrame:
    """The plan's lines as a DataFrame (one row per line, quantity > 0 only).

    Adds ``day`` (delivery date, else the week's Monday), product name, family and unit,
    ``labels_str`` (``BIO,IGP``), ``egalim_group`` (the one group each euro counts in),
    ``meat_fish`` and ``channel`` as a plain string. Unknown products get family ``AUTRES``
    and the plan's own figures (the checker reports them).
    """
    products = {p.id: p for p in scenario.products}
    lines = [ln for ln in plan.lines if ln.quantity > 0 or ln.quantity_kg > 0]
    pids = [ln.product_id for ln in lines]
    prod_info = {
        pid: (
            (p.name, p.family.value, p.unit.value, bool(p.is_meat_or_fish))
            if (p := products.get(pid)) is not None
            else (pid, "AUTRES", "kg", False)
        )
        for pid in set(pids)
    }
    labels = [_sorted_labels(ln.labels) for ln in lines]
    info = [prod_info[pid] for pid in pids]
    cols: dict[str, list[Any]] = {
        "week_start": [ln.week_start for ln in lines],
        "delivery_date": [ln.delivery_date for ln in lines],
        "day": [ln.delivery_date or ln.week_start for ln in lines],
        "kitchen_id": [ln.kitchen_id for ln in lines],
        "supplier_id": [ln.supplier_id for ln in lines],
        "supplier_name": [ln.supplier_name for ln in lines],
        "product_id": pids,
        "product_name": [x[0] for x in info],
        "family": [x[1] for x in info],
        "unit": [x[2] for x in info],
        "quantity": [float(ln.quantity) for ln in lines],
        "quantity_kg": [float(ln.quantity_kg) for ln in lines],
        "unit_price_eur": [float(ln.unit_price_eur) for ln in lines],
        "value_eur": [float(ln.value_eur) for ln in lines],
        "labels": labels,
        "labels_str": [_labels_str(lab) for lab in labels],
        "egalim_group": [_group_of(lab) for lab in labels],
        "channel": [Channel(ln.channel).value for ln in lines],
        "local": [bool(ln.local) for ln in lines],
        "meat_fish": [x[3] for x in info],
        "platform_id": [ln.platform_id for ln in lines],
    }
    df = pd.DataFrame(cols, columns=PLAN_COLUMNS)
    if df.empty:
        df = df.astype(
            {
                "quantity": float,
                "quantity_kg": float,
                "unit_price_eur": float,
                "value_eur": float,
                "local": bool,
                "meat_fish": bool,
            }
        )
    return df


def deliveries_by_week(lines: pd.DataFrame) -> pd.DataFrame:
    """Distinct deliveries per kitchen and week from a :func:`plan_frame`.

    Returns columns ``kitchen_id, week_start, direct_drops, platform, wholesaler,
    deliveries`` where ``deliveries = direct_drops + platform + wholesaler``.
    """
    cols = ["kitchen_id", "week_start", "direct_drops", "platform", "wholesaler", "deliveries"]
    if lines.empty:
        return pd.DataFrame(columns=cols)
    keys = ["kitchen_id", "week_start"]
    direct_mask = lines["channel"].isin([Channel.DIRECT.value, Channel.FARM_PICKUP.value])
    drops = (
        lines.loc[direct_mask, [*keys, "supplier_id", "day"]]
        .drop_duplicates()
        .groupby(keys)
        .size()
        .rename("direct_drops")
    )
    plat = (
        lines.loc[lines["channel"] == Channel.PLATFORM.value, keys]
        .drop_duplicates()
        .assign(platform=1)
        .set_index(keys)["platform"]
    )
    ref = (
        lines.loc[lines["channel"] == Channel.REFERENCE.value, keys]
        .drop_duplicates()
        .assign(wholesaler=1)
        .set_index(keys)["wholesaler"]
    )
    out = lines[keys].drop_duplicates().set_index(keys)
    out = out.join(drops).join(plat).join(ref).fillna(0).astype(int).reset_index()
    out["deliveries"] = out["direct_drops"] + out["platform"] + out["wholesaler"]
    return out[cols]


def producer_revenue_eur(scenario: Scenario, lines: pd.DataFrame) -> pd.Series:
    """What each local line pays its producer (platform lines: without the margin).

    The platform's margin is taken from the line's price against the offer price, so the
    figure holds even when several platforms exist; lines without an offer keep their value.
    """
    offer_price = {o.key: o.price_eur_per_unit for o in scenario.offers}
    if lines.empty:
        return pd.Series(dtype=float)
    keys = list(zip(lines["supplier_id"], lines["product_id"], strict=True))
    price = np.array([offer_price.get(k, np.nan) for k in keys], dtype=float)
    at_offer = lines["quantity"].to_numpy() * price
    is_platform = (lines["channel"] == Channel.PLATFORM.value).to_numpy()
    revenue = np.where(is_platform & ~np.isnan(at_offer), at_offer, lines["value_eur"].to_numpy())
    return pd.Series(np.where(lines["local"].to_numpy(), revenue, 0.0), index=lines.index)


def _meals_by_kitchen(meals: pd.DataFrame | None, weeks: Iterable[dt.date]) -> pd.Series:
    if meals is None or meals.empty:
        return pd.Series(dtype=float)
    m = meals.copy()
    m["week_start"] = m["week_start"].map(to_date)
    week_set = set(weeks)
    if week_set:
        m = m[m["week_start"].isin(week_set)]
    return m.groupby("kitchen_id")["meals"].sum().astype(float)


def _shares(df: pd.DataFrame) -> dict[str, float]:
    total = float(df["value_eur"].sum())
    by_group = df.groupby("egalim_group")["value_eur"].sum()

    def g(group: EgalimGroup) -> float:
        return float(by_group.get(group.value, 0.0))

    bio, siqo = g(EgalimGroup.BIO), g(EgalimGroup.SIQO)
    ext, autres = g(EgalimGroup.EXTERNALITES_PERFORMANCE), g(EgalimGroup.EGALIM_AUTRES)
    egalim = bio + siqo + ext + autres
    mf = df[df["meat_fish"]]
    mf_total = float(mf["value_eur"].sum())
    mf_egalim = float(mf.loc[mf["egalim_group"] != EgalimGroup.NON_EGALIM.value, "value_eur"].sum())
    local = df[df["local"]]
    local_value = float(local["value_eur"].sum())

    def pct(num: float, den: float) -> float:
        return 100.0 * num / den if den > 0 else float("nan")

    return {
        "total_value_eur": total,
        "egalim_value_eur": egalim,
        "bio_value_eur": bio,
        "siqo_value_eur": siqo,
        "ext_perf_value_eur": ext,
        "egalim_autres_value_eur": autres,
        "egalim_pct": pct(egalim, total),
        "bio_pct": pct(bio, total),
        "siqo_pct": pct(siqo, total),
        "meat_fish_value_eur": mf_total,
        "meat_fish_egalim_value_eur": mf_egalim,
        "meat_fish_egalim_pct": pct(mf_egalim, mf_total),
        "local_value_eur": local_value,
        "local_pct": pct(local_value, total),
        "local_kg": float(local["quantity_kg"].sum()),
        "total_kg": float(df["quantity_kg"].sum()),
        "n_lines": int(len(df)),
    }


def indicators_table(
    scenario: Scenario,
    plan: PurchasePlan,
    meals: pd.DataFrame | None = None,
    *,
    lines: pd.DataFrame | None = None,
    kitchens: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Indicators per kitchen and one ``TERRITORY`` row, against the kitchens' targets.

    Parameters
    ----------
    scenario
        The scenario (kitchens, targets, budgets, products, offers).
    plan
        The purchase plan.
    meals
        ``DataFrame[kitchen_id, week_start, meals, service_days]``; only the plan's weeks
        count. Without it, cost per meal is NaN.
    lines
        A precomputed :func:`plan_frame` (saves rebuilding it).
    kitchens
        Only these purchasing kitchens (a cook's proposal); the ``TERRITORY`` row then sums
        over them. Default: every kitchen of the scenario and of the plan.

    Returns
    -------
    pandas.DataFrame
        One row per purchasing kitchen (those of the scenario plus any the plan names) and
        a last ``TERRITORY`` row; the columns are described in the module docstring.
    """
    df = plan_frame(scenario, plan) if lines is None else lines
    df = df.assign(producer_revenue_eur=producer_revenue_eur(scenario, df))
    meals_k = _meals_by_kitchen(meals, plan.weeks)
    deliv = deliveries_by_week(df)
    canteens = {c.id: c for c in scenario.canteens}
    if kitchens is not None:
        kitchen_ids = list(dict.fromkeys(kitchens))
        df = df[df["kitchen_id"].isin(kitchen_ids)]
        deliv = deliv[deliv["kitchen_id"].isin(kitchen_ids)]
        meals_k = meals_k[meals_k.index.isin(kitchen_ids)]
    else:
        kitchen_ids = [k.id for k in scenario.kitchens()]
        kitchen_ids += sorted(set(df["kitchen_id"]) - set(kitchen_ids))

    rows = [
        _kitchen_row(
            kid,
            canteens.get(kid),
            df[df["kitchen_id"] == kid],
            deliv[deliv["kitchen_id"] == kid],
            meals_k.get(kid, np.nan),
        )
        for kid in kitchen_ids
    ]
    table = pd.DataFrame(rows)
    terr = _territory_row(df, deliv, meals_k, table)
    table = pd.concat([table, pd.DataFrame([terr])], ignore_index=True)

    for icol, tcol, scol, _ in PCT_TARGETS:
        table[scol] = (table[tcol].astype(float) - table[icol].astype(float)).clip(lower=0.0)
    table["budget_overrun_eur_per_meal"] = (
        table["cost_per_meal_eur"].astype(float) - table["budget_eur_per_meal"].astype(float)
    ).clip(lower=0.0)
    return table


def _kitchen_row(
    kid: str, c: Canteen | None, sub: pd.DataFrame, deliv: pd.DataFrame, meals: float
) -> dict[str, object]:
    """One kitchen's indicators and targets (NaN targets for a kitchen not in the scenario)."""
    row: dict[str, object] = {"kitchen_id": kid, "kitchen_name": c.name if c else kid}
    row.update(_shares(sub))
    row.update(_common(sub, deliv, meals))
    row["budget_eur_per_meal"] = c.budget_eur_per_meal if c else np.nan
    row["target_egalim_pct"] = c.target_egalim_pct if c else np.nan
    row["target_bio_pct"] = c.target_bio_pct if c else np.nan
    row["target_meat_fish_egalim_pct"] = c.target_meat_fish_egalim_pct if c else np.nan
    row["target_local_pct"] = c.target_local_pct if c else np.nan
    row["max_deliveries_per_week"] = c.max_deliveries_per_week if c else np.nan
    return row


def _territory_row(
    df: pd.DataFrame, deliv: pd.DataFrame, meals_k: pd.Series, table: pd.DataFrame
) -> dict[str, object]:
    """The territory's indicators; its targets are the kitchens' weighted by value (budget:
    by meals)."""
    terr: dict[str, object] = {"kitchen_id": TERRITORY, "kitchen_name": "territory", **_shares(df)}
    terr.update(_common(df, deliv, float(meals_k.sum()) if len(meals_k) else np.nan))
    if not table.empty:
        w_val = table["total_value_eur"].astype(float).to_numpy()
        for _, tcol, _, _ in PCT_TARGETS:
            terr[tcol] = _weighted(table[tcol].astype(float).to_numpy(), w_val)
        w_meals = table["meals"].astype(float).fillna(0.0).to_numpy()
        terr["budget_eur_per_meal"] = _weighted(
            table["budget_eur_per_meal"].astype(float).to_numpy(), w_meals
        )
        terr["max_deliveries_per_week"] = np.nan
    return terr


def _weighted(values: np.ndarray, weights: np.ndarray) -> float:
    ok = ~np.isnan(values) & ~np.isnan(weights)
    if not ok.any():
        return float("nan")
    if weights[ok].sum() <= 0:
        return float(np.mean(values[ok]))
    return float(np.average(values[ok], weights=weights[ok]))


def _common(sub: pd.DataFrame, deliv: pd.DataFrame, meals: float) -> dict[str, object]:
    local = sub[sub["local"]]
    total = float(sub["value_eur"].sum())
    return {
        "weeks_with_purchases": int(sub["week_start"].nunique()),
        "meals": meals,
        "cost_per_meal_eur": total / meals if meals and meals > 0 else float("nan"),
        "deliveries_per_week": float(deliv["deliveries"].mean()) if len(deliv) else 0.0,
        "max_deliveries_in_a_week": int(deliv["deliveries"].max()) if len(deliv) else 0,
        "producers_engaged": int(local["supplier_id"].nunique()),
        "producers_revenue_eur": float(local["producer_revenue_eur"].sum()),
    }


def producers_table(
    scenario: Scenario, plan: PurchasePlan, *, lines: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per producer engaged: revenue (EUR, at offer price), kg, kitchens, weeks."""
    df = plan_frame(scenario, plan) if lines is None else lines
    cols = ["producer_id", "producer_name", "revenue_eur", "kg", "kitchens", "weeks", "lines"]
    local = df[df["local"]]
    if local.empty:
        return pd.DataFrame(columns=cols)
    local = local.assign(revenue_eur=producer_revenue_eur(scenario, local))
    names = {p.id: p.name for p in scenario.producers}
    out = (
        local.groupby("supplier_id")
        .agg(
            revenue_eur=("revenue_eur", "sum"),
            kg=("quantity_kg", "sum"),
            kitchens=("kitchen_id", "nunique"),
            weeks=("week_start", "nunique"),
            lines=("product_id", "size"),
        )
        .reset_index()
        .rename(columns={"supplier_id": "producer_id"})
    )
    out.insert(1, "producer_name", out["producer_id"].map(lambda p: names.get(p, p)))
    return out[cols].sort_values("revenue_eur", ascending=False, ignore_index=True)


#: Columns of :func:`platforms_table`.
PLATFORM_COLUMNS = [
    "platform_id",
    "platform_name",
    "kitchens",
    "producers",
    "lines",
    "kg",
    "value_eur",
    "producer_revenue_eur",
    "margin_eur",
]


def platforms_table(
    scenario: Scenario, plan: PurchasePlan, *, lines: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per platform of the scenario: what its round carries in the plan (kitchens
    delivered, producers collected, kg, value paid, what the producers get, the margin).

    A platform line without a ``platform_id`` counts for the scenario's first platform.
    """
    df = plan_frame(scenario, plan) if lines is None else lines
    plat = df[df["channel"] == Channel.PLATFORM.value]
    records = []
    first = scenario.platforms[0].id if scenario.platforms else ""
    of_line = plat["platform_id"].where(plat["platform_id"] != "", first)
    revenue = producer_revenue_eur(scenario, plat) if not plat.empty else pd.Series(dtype=float)
    for pf in scenario.platforms:
        mine = of_line == pf.id
        sub = plat[mine]
        value = float(sub["value_eur"].sum())
        paid = float(revenue[mine].sum()) if not sub.empty else 0.0
        records.append(
            {
                "platform_id": pf.id,
                "platform_name": pf.name,
                "kitchens": int(sub["kitchen_id"].nunique()),
                "producers": int(sub["supplier_id"].nunique()),
                "lines": len(sub),
                "kg": float(sub["quantity_kg"].sum()),
                "value_eur": value,
                "producer_revenue_eur": paid,
                "margin_eur": value - paid,
            }
        )
    return pd.DataFrame.from_records(records, columns=PLATFORM_COLUMNS)


def target_shortfalls(table: pd.DataFrame, *, tol_pct: float = 1e-6) -> list[dict[str, Any]]:
    """Targets missed in an :func:`indicators_table`: one dict per kitchen x target.

    Each dict has ``kitchen_id, target, required, achieved, shortfall, unit``; ``target``
    is one of ``egalim_pct, bio_pct, meat_fish_egalim_pct, local_pct, budget``. The
    territory row is included (its targets are the weighted ones).
    """
    out: list[dict[str, Any]] = []
    for rec in table.to_dict("records"):
        for icol, tcol, _, _ in PCT_TARGETS:
            req, got = float(rec[tcol]), float(rec[icol])
            if np.isnan(req) or np.isnan(got):
                continue
            if got < req - tol_pct:
                out.append(
                    {
                        "kitchen_id": rec["kitchen_id"],
                        "target": icol,
                        "required": req,
                        "achieved": got,
                        "shortfall": req - got,
                        "unit": "%",
                    }
                )
        budget, cost = float(rec["budget_eur_per_meal"]), float(rec["cost_per_meal_eur"])
        if not (np.isnan(budget) or np.isnan(cost)) and cost > budget + 1e-9:
            out.append(
                {
                    "kitchen_id": rec["kitchen_id"],
                    "target": "budget",
                    "required": budget,
                    "achieved": cost,
                    "shortfall": cost - budget,
                    "unit": "EUR/meal",
                }
            )
    return out
