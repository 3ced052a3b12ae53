"""Tables of the weekly cycle and of re-planning: a week's orders per kitchen (with the day
and time each order is due), what each producer prepares, and who must be told of a
re-plan's changes.

Order deadlines follow :func:`solver.core.order_deadline`: the cut-off of the last
ordering day strictly before the delivery day; a platform line is due by the platform's
ordering day (``Platform.order_weekday``) when it has one, every other line by the
kitchen's (``Canteen.order_weekday``); no ordering day leaves the deadline empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from solver.core import Channel, FixedOrder, PurchasePlan, Scenario, order_deadline
from solver.evaluation import plan_frame

__all__ = [
    "KITCHEN_ORDER_COLUMNS",
    "NOTIFY_KITCHEN_COLUMNS",
    "NOTIFY_PRODUCER_COLUMNS",
    "PREPARATION_COLUMNS",
    "kitchen_orders",
    "notify_tables",
    "producer_preparation",
]

KITCHEN_ORDER_COLUMNS = [
    "kitchen_id",
    "kitchen_name",
    "supplier_id",
    "supplier_name",
    "channel",
    "order_by_date",
    "order_by_time",
    "delivery_date",
    "product_id",
    "product_name",
    "quantity",
    "unit",
    "quantity_kg",
    "unit_price_eur",
    "value_eur",
    "already_ordered",
]
PREPARATION_COLUMNS = [
    "producer_id",
    "producer_name",
    "delivery_date",
    "hand_over",
    "kitchen_id",
    "kitchen_name",
    "product_id",
    "product_name",
    "quantity",
    "unit",
    "quantity_kg",
    "unit_price_eur",
    "value_eur",
]
NOTIFY_PRODUCER_COLUMNS = [
    "producer_id",
    "producer_name",
    "lines_changed",
    "kg_before",
    "kg_after",
    "first_week",
    "kitchens",
]
NOTIFY_KITCHEN_COLUMNS = [
    "kitchen_id",
    "kitchen_name",
    "lines_changed",
    "kg_before",
    "kg_after",
    "first_week",
    "suppliers",
]


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def kitchen_orders(
    scenario: Scenario, plan: PurchasePlan, week: dt.date, fixed: Sequence[FixedOrder] = ()
) -> pd.DataFrame:
    """What each kitchen orders from whom in ``week``, by when (:data:`KITCHEN_ORDER_COLUMNS`);
    ``already_ordered`` marks the lines of orders already sent."""
    df = plan_frame(scenario, plan)
    df = df[df["week_start"] == week]
    if df.empty:
        return pd.DataFrame(columns=KITCHEN_ORDER_COLUMNS)
    canteens = {c.id: c for c in scenario.canteens}
    platform = scenario.platforms[0] if scenario.platforms else None
    sent = {(f.kitchen_id, f.producer_id, f.product_id) for f in fixed}
    due: list[tuple[str, str]] = []
    for k, channel, day in zip(df["kitchen_id"], df["channel"], df["day"], strict=True):
        kitchen = canteens.get(k)
        by = (
            platform
            if platform is not None and channel == Channel.PLATFORM.value and platform.order_weekday
            else kitchen
        )
        when = order_deadline(day, by.order_weekday, by.order_cutoff_min) if by else None
        due.append((when[0].isoformat(), _time(when[1])) if when else ("", ""))
    out = pd.DataFrame(
        {
            "kitchen_id": df["kitchen_id"],
            "kitchen_name": [canteens[k].name if k in canteens else k for k in df["kitchen_id"]],
            "supplier_id": df["supplier_id"],
            "supplier_name": df["supplier_name"],
            "channel": df["channel"],
            "order_by_date": [d for d, _ in due],
            "order_by_time": [t for _, t in due],
            "delivery_date": df["day"],
            "product_id": df["product_id"],
            "product_name": df["product_name"],
            "quantity": df["quantity"].round(4),
            "unit": df["unit"],
            "quantity_kg": df["quantity_kg"].round(4),
            "unit_price_eur": df["unit_price_eur"].round(4),
            "value_eur": df["value_eur"].round(2),
            "already_ordered": [
                (k, s, p) in sent
                for k, s, p in zip(
                    df["kitchen_id"], df["supplier_id"], df["product_id"], strict=True
                )
            ],
        }
    )
    return out.sort_values(
        ["kitchen_id", "order_by_date", "supplier_id", "product_id"], ignore_index=True
    )


def producer_preparation(scenario: Scenario, plan: PurchasePlan, week: dt.date) -> pd.DataFrame:
    """What each producer prepares in ``week``, for whom and how it leaves the farm
    (:data:`PREPARATION_COLUMNS`, producer prices: the platform's margin is not theirs)."""
    df = plan_frame(scenario, plan)
    df = df[(df["week_start"] == week) & df["local"]]
    if df.empty:
        return pd.DataFrame(columns=PREPARATION_COLUMNS)
    canteens = {c.id: c.name for c in scenario.canteens}
    producers = {p.id: p.name for p in scenario.producers}
    price = {o.key: o.price_eur_per_unit for o in scenario.offers}
    platform = scenario.platforms[0].name if scenario.platforms else "the platform"
    hand_over = {
        Channel.DIRECT.value: "deliver to the kitchen",
        Channel.PLATFORM.value: f"hand to the round of {platform}",
        Channel.FARM_PICKUP.value: "collected at the farm by the kitchen",
    }
    unit_price = [
        price.get((s, p), u)
        for s, p, u in zip(df["supplier_id"], df["product_id"], df["unit_price_eur"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "producer_id": df["supplier_id"],
            "producer_name": [producers.get(s, s) for s in df["supplier_id"]],
            "delivery_date": df["day"],
            "hand_over": df["channel"].map(hand_over),
            "kitchen_id": df["kitchen_id"],
            "kitchen_name": [canteens.get(k, k) for k in df["kitchen_id"]],
            "product_id": df["product_id"],
            "product_name": df["product_name"],
            "quantity": df["quantity"].round(4),
            "unit": df["unit"],
            "quantity_kg": df["quantity_kg"].round(4),
            "unit_price_eur": unit_price,
            "value_eur": (df["quantity"] * pd.Series(unit_price, index=df.index)).round(2),
        }
    )
    return out.sort_values(
        ["producer_id", "delivery_date", "kitchen_id", "product_id"], ignore_index=True
    )


def notify_tables(scenario: Scenario, changes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who must be told of a re-plan's changes (:func:`solver.evaluation.plan_changes`
    rows): each producer whose lines change (:data:`NOTIFY_PRODUCER_COLUMNS`, the
    wholesaler included) and each kitchen (:data:`NOTIFY_KITCHEN_COLUMNS`)."""
    if changes.empty:
        return (
            pd.DataFrame(columns=NOTIFY_PRODUCER_COLUMNS),
            pd.DataFrame(columns=NOTIFY_KITCHEN_COLUMNS),
        )
    names = {r.supplier_id: r.supplier_name or r.supplier_id for r in scenario.reference_offers}
    names |= {p.id: p.name for p in scenario.producers}
    kitchens = {c.id: c.name for c in scenario.canteens}

    def per(key: str, other: str, label: dict[str, str], cols: list[str]) -> pd.DataFrame:
        rows = []
        for who, sub in changes.groupby(key, sort=True):
            rows.append(
                [
                    who,
                    label.get(str(who), str(who)),
                    len(sub),
                    round(float(sub["kg_before"].sum()), 3),
                    round(float(sub["kg_after"].sum()), 3),
                    min(sub["week_start"]),
                    ";".join(sorted(set(sub[other]))),
                ]
            )
        return pd.DataFrame(rows, columns=cols)

    return (
        per("supplier_id", "kitchen_id", names, NOTIFY_PRODUCER_COLUMNS),
        per("kitchen_id", "supplier_id", kitchens, NOTIFY_KITCHEN_COLUMNS),
    )
