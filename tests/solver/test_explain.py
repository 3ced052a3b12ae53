"""Explanations: each kg not sourced locally gets the most specific reason, with numbers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plan_fixtures as fx
import pytest
from plan_fixtures import is_, replace_line, with_canteen, with_offer, with_producer, with_product

from solver.core import Channel, ColdChain, PurchaseLine, Scenario, Van
from solver.reporting import COLUMNS, Reason, explain

W1, W2, W3 = fx.W1, fx.W2, fx.W3


def explained(
    scenario: Scenario | None = None,
    lines: list[PurchaseLine] | None = None,
    demand: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Explanations of the fixture plan (or variants)."""
    sc = fx.scenario() if scenario is None else scenario
    d = fx.demand() if demand is None else demand
    return explain(sc, d, fx.meals(), fx.eligibility(), fx.plan(lines))


def kg_row(table: pd.DataFrame, kitchen: str, week: dt.date, product: str) -> pd.Series:
    """The kg row of one kitchen, week and product."""
    sel = table[
        (table["kind"] == "kg")
        & (table["kitchen_id"] == kitchen)
        & (table["week_start"] == week)
        & (table["product_id"] == product)
    ]
    assert len(sel) == 1, table[["kitchen_id", "week_start", "product_id", "reason"]]
    return sel.iloc[0]


def to_wholesaler(
    lines: list[PurchaseLine], kitchen: str, product: str, week: dt.date, price: float
) -> list[PurchaseLine]:
    """Move a kitchen's purchase of a product in a week to the wholesaler."""
    return replace_line(
        lines,
        is_(kitchen, product, week),
        supplier_id="ws",
        channel=Channel.REFERENCE,
        local=False,
        labels=(),
        unit_price_eur=price,
        delivery_date=week,
    )


def test_valid_plan_rows_and_columns() -> None:
    """Only what is not local gets a row: k1's yoghurts (no offer) and k2's lamb (out of reach)."""
    table = explained()
    assert list(table.columns) == COLUMNS
    kg = table[table["kind"] == "kg"]
    assert set(zip(kg["kitchen_id"], kg["product_id"], strict=True)) == {
        ("k1", "yogurt"),
        ("k2", "lamb"),
    }
    assert set(kg["reason"]) == {Reason.NO_PRODUCER_IN_RADIUS}
    lamb = kg_row(table, "k2", W1, "lamb")
    assert lamb["not_local_kg"] == pytest.approx(10.0) and lamb["local_kg"] == 0.0
    assert "1 producer(s) offer lamb" in lamb["message"]
    assert (
        "no producer of the territory offers yogurt" in kg_row(table, "k1", W2, "yogurt")["message"]
    )


def test_storable_bought_ahead_locally_is_local() -> None:
    """Lentils eaten in weeks 2-3 from week 1's local purchase are local: no row."""
    table = explained()
    assert not (table["product_id"] == "lentils").any()


def test_out_of_season() -> None:
    """Eligible carrots exist but not in September."""
    sc = with_offer(fx.scenario(), "farm_a", "carrot", months=(1, 2, 3))
    row = kg_row(
        explained(sc, to_wholesaler(fx.plan_lines(), "k1", "carrot", W1, 1.2)), "k1", W1, "carrot"
    )
    assert row["reason"] == Reason.OUT_OF_SEASON
    assert row["eligible_offers"] == 1 and row["in_season_offers"] == 0
    assert "month 9" in row["message"] and "[1, 2, 3]" in row["message"]


def test_capacity_with_numbers() -> None:
    """farm_a's 20 kg all go to k1: k2's 15 kg are short by 15 kg of capacity."""
    sc = with_offer(fx.scenario(), "farm_a", "carrot", weekly_capacity=20.0)
    row = kg_row(
        explained(sc, to_wholesaler(fx.plan_lines(), "k2", "carrot", W2, 1.2)), "k2", W2, "carrot"
    )
    assert row["reason"] == Reason.CAPACITY and row["reasons"] == "CAPACITY"
    assert row["capacity_kg"] == pytest.approx(20.0) and row["taken_kg"] == pytest.approx(20.0)
    assert row["remaining_kg"] == pytest.approx(0.0)
    assert "short by 15.0 kg" in row["message"]


def test_storage_before_capacity() -> None:
    """Lentils could have been bought ahead in week 2, but k1's ambient storage was full."""
    sc = with_offer(fx.scenario(), "farm_c", "lentils", weekly_capacity=30.0)
    sc = with_canteen(sc, "k1", storage_ambient_kg=5.0)
    lines = [ln for ln in fx.plan_lines() if ln.product_id != "lentils"]
    lines += [
        fx.line(W1, "k2", "farm_c", "lentils", 30, 3.6, Channel.PLATFORM),
        fx.line(W1, "k1", "ws", "lentils", 10, 2.0, Channel.REFERENCE, day=0),
        fx.line(W2, "k1", "farm_c", "lentils", 10, 3.6, Channel.PLATFORM),
        fx.line(W3, "k2", "farm_c", "lentils", 30, 3.6, Channel.PLATFORM),
        fx.line(W3, "k1", "ws", "lentils", 10, 2.0, Channel.REFERENCE, day=0),
    ]
    row = kg_row(explained(sc, lines), "k1", W3, "lentils")
    assert row["reasons"] == "STORAGE;CAPACITY"
    assert "week 2025-09-08" in row["message"] and "5.0 kg free" in row["message"]


def test_min_order_not_reached() -> None:
    """k1's 12 kg of lamb (180 EUR) cannot reach farm_b's 200 EUR minimum."""
    sc = with_producer(fx.scenario(), "farm_b", min_order_eur=200.0)
    lines = to_wholesaler(fx.plan_lines(), "k1", "lamb", W1, 11.0)
    row = kg_row(explained(sc, lines), "k1", W1, "lamb")
    assert row["reason"] == Reason.MIN_ORDER_NOT_REACHED
    assert "12.0 kg / 180.00 EUR for this kitchen < minimum 200 EUR" in row["message"]


def test_frequency() -> None:
    """farm_b delivers every 2 weeks: week 2's lamb cannot come from it after week 1."""
    d = pd.concat(
        [
            fx.demand(),
            pd.DataFrame([("k1", W2, "lamb", 12.0, 12.0, "direct")], columns=fx.demand().columns),
        ]
    )
    lines = [*fx.plan_lines(), fx.line(W2, "k1", "ws", "lamb", 12, 11.0, Channel.REFERENCE, day=0)]
    row = kg_row(explained(lines=lines, demand=d), "k1", W2, "lamb")
    assert row["reason"] == Reason.FREQUENCY
    assert "every 2 weeks" in row["message"]


def test_delivery_limit() -> None:
    """k1 receives 2 deliveries at most: lamb from farm_b would be a third."""
    sc = with_canteen(fx.scenario(), "k1", max_deliveries_per_week=2)
    lines = [
        ln for ln in fx.plan_lines() if not (ln.kitchen_id == "k1" and ln.product_id == "lentils")
    ]
    lines = to_wholesaler(lines, "k1", "lamb", W1, 11.0)
    lines.append(fx.line(W1, "k1", "ws", "lentils", 30, 2.0, Channel.REFERENCE, day=0))
    row = kg_row(explained(sc, lines), "k1", W1, "lamb")
    assert row["reason"] == Reason.DELIVERY_LIMIT
    assert "2 deliveries" in row["message"]


def test_price_and_budget() -> None:
    """Platform carrots (2.40) dearer than the wholesaler (1.20): PRICE, or BUDGET if it binds."""
    lines = to_wholesaler(fx.plan_lines(), "k2", "carrot", W1, 1.2)
    row = kg_row(explained(lines=lines), "k2", W1, "carrot")
    assert row["reason"] == Reason.PRICE
    assert row["local_price_eur_per_kg"] == pytest.approx(2.4)
    assert row["reference_price_eur_per_kg"] == pytest.approx(1.2)
    cost_per_meal = (436.0 - 15 * 2.4 + 15 * 1.2) / 240
    sc = with_canteen(fx.scenario(), "k2", budget_eur_per_meal=cost_per_meal)
    assert kg_row(explained(sc, lines), "k2", W1, "carrot")["reason"] == Reason.BUDGET


def test_logistics_when_local_is_cheaper() -> None:
    """Lentils cheaper on the platform than at the wholesaler yet not bought: LOGISTICS."""
    sc = fx.scenario()
    refs = tuple(
        r.model_copy(update={"price_eur_per_unit": 4.0}) if r.product_id == "lentils" else r
        for r in sc.reference_offers
    )
    sc = sc.model_copy(update={"reference_offers": refs})
    lines = to_wholesaler(fx.plan_lines(), "k2", "lentils", W1, 4.0)
    row = kg_row(explained(sc, lines), "k2", W1, "lentils")
    assert row["reason"] == Reason.LOGISTICS
    assert row["not_local_kg"] == pytest.approx(10.0)


def test_target_rows() -> None:
    """A missed target gives required, achieved, shortfall and the EUR it stands for."""
    table = explained()
    t = table[(table["kind"] == "target") & (table["target"] == "meat_fish_egalim_pct")].iloc[0]
    assert t["kitchen_id"] == "k2" and t["required"] == 60.0 and t["achieved"] == 0.0
    assert t["shortfall"] == pytest.approx(60.0)
    assert t["shortfall_eur"] == pytest.approx(0.6 * 220.0)
    assert "NO_PRODUCER_IN_RADIUS 20 kg" in t["message"]


def test_dry_platform_carries_no_chilled_goods() -> None:
    """With unrefrigerated vans only, k2 (out of direct reach) gets no local chilled carrots."""
    sc = fx.scenario()
    dry = sc.platforms[0].model_copy(
        update={"vans": (Van(id="v", capacity_kg=500, refrigerated=False),)}
    )
    sc = with_product(
        sc.model_copy(update={"platforms": (dry,)}), "carrot", cold_chain=ColdChain.CHILLED
    )
    lines = to_wholesaler(fx.plan_lines(), "k2", "carrot", W1, 1.2)
    assert (
        kg_row(explained(sc, lines), "k2", W1, "carrot")["reason"] == Reason.NO_PRODUCER_IN_RADIUS
    )
    # with the fixture's refrigerated van, the platform is a way: the reason is the price
    assert kg_row(explained(lines=lines), "k2", W1, "carrot")["reason"] == Reason.PRICE


def test_kitchens_restricts_rows() -> None:
    """Explaining k1's proposal gives no row for k2."""
    table = explain(
        fx.scenario(), fx.demand(), fx.meals(), fx.eligibility(), fx.plan(), kitchens=["k1"]
    )
    assert set(table["kitchen_id"]) <= {"k1", "TERRITORY"}
    assert not table.empty
