"""Indicators per kitchen and for the territory, checked against hand-computed values."""

from __future__ import annotations

import math

import pandas as pd
import plan_fixtures as fx
import pytest

from solver.core import Channel, Label
from solver.evaluation import (
    TERRITORY,
    deliveries_by_week,
    indicators_table,
    plan_frame,
    producers_table,
    target_shortfalls,
)

W1, W2 = fx.W1, fx.W2


def row(table: pd.DataFrame, kitchen: str) -> pd.Series:
    """The indicators row of one kitchen."""
    return table[table["kitchen_id"] == kitchen].iloc[0]


def labelled_plan() -> list:
    """k1 buys carrots BIO+IGP 100 EUR, lamb HVE+IGP 60 EUR, lamb unlabelled 40 EUR, lentils
    HVE 18 EUR (platform, 5 kg at 3.60), yoghurts 80 EUR."""
    return [
        fx.line(
            W1, "k1", "farm_a", "carrot", 50, 2.0, Channel.DIRECT, labels=(Label.BIO, Label.IGP)
        ),
        fx.line(W1, "k1", "farm_b", "lamb", 4, 15.0, Channel.DIRECT, labels=(Label.HVE, Label.IGP)),
        fx.line(W2, "k1", "ws", "lamb", 4, 10.0, Channel.REFERENCE, day=0),
        fx.line(W2, "k1", "farm_c", "lentils", 5, 3.6, Channel.PLATFORM, labels=(Label.HVE,)),
        fx.line(W2, "k1", "ws", "yogurt", 320, 0.25, Channel.REFERENCE, kg_per_unit=0.125, day=0),
    ]


def test_each_euro_counted_once_in_macantine_order() -> None:
    """BIO+IGP counts as bio only, HVE+IGP as SIQO, HVE alone as autres EGALIM."""
    table = indicators_table(fx.scenario(), fx.plan(labelled_plan()), fx.meals())
    k1 = row(table, "k1")
    total = 100 + 60 + 40 + 18 + 80
    assert k1["total_value_eur"] == pytest.approx(total)
    assert k1["bio_value_eur"] == pytest.approx(100)
    assert k1["siqo_value_eur"] == pytest.approx(60)
    assert k1["egalim_autres_value_eur"] == pytest.approx(18)
    assert k1["egalim_pct"] == pytest.approx(100 * 178 / total)
    assert k1["bio_pct"] == pytest.approx(100 * 100 / total)
    assert k1["siqo_pct"] == pytest.approx(100 * 60 / total)
    # meat and fish: 60 EUR SIQO lamb of 100 EUR of lamb
    assert k1["meat_fish_egalim_pct"] == pytest.approx(60.0)
    # local = the three producers' lines
    assert k1["local_value_eur"] == pytest.approx(178)
    assert k1["local_pct"] == pytest.approx(100 * 178 / total)
    assert k1["local_kg"] == pytest.approx(50 + 4 + 5)
    assert k1["n_lines"] == 5


def test_cost_per_meal_deliveries_and_producers() -> None:
    """Cost per meal over the plan's weeks, deliveries per week, producer revenue sans margin."""
    table = indicators_table(fx.scenario(), fx.plan(labelled_plan()), fx.meals())
    k1 = row(table, "k1")
    assert k1["meals"] == pytest.approx(300)  # 100 meals in each of the 3 weeks
    assert k1["cost_per_meal_eur"] == pytest.approx(298 / 300)
    # W1: farm_a + farm_b drops (2); W2: wholesaler + platform (2)
    assert k1["deliveries_per_week"] == pytest.approx(2.0)
    assert k1["max_deliveries_in_a_week"] == 2
    assert k1["producers_engaged"] == 3
    # platform lentils: the producer is paid 5 x 3.00, not 5 x 3.60
    assert k1["producers_revenue_eur"] == pytest.approx(100 + 60 + 15)
    prod = producers_table(fx.scenario(), fx.plan(labelled_plan())).set_index("producer_id")
    assert prod.loc["farm_c", "revenue_eur"] == pytest.approx(15.0)
    assert prod.loc["farm_a", "kg"] == pytest.approx(50.0)


def test_targets_gaps_and_territory_row() -> None:
    """Shortfalls are target minus achieved; the territory sums the kitchens."""
    sc = fx.scenario()
    table = indicators_table(sc, fx.plan(), fx.meals())
    terr = row(table, TERRITORY)
    k1, k2 = row(table, "k1"), row(table, "k2")
    assert terr["total_value_eur"] == pytest.approx(k1["total_value_eur"] + k2["total_value_eur"])
    assert terr["meals"] == pytest.approx(540)
    assert terr["cost_per_meal_eur"] == pytest.approx(1096 / 540)
    # k2: carrots BIO 108 EUR + lentils HVE 108 EUR of 436 EUR
    assert k2["egalim_pct"] == pytest.approx(100 * 216 / 436)
    assert k2["egalim_shortfall_pct"] == pytest.approx(50 - 100 * 216 / 436)
    assert k2["meat_fish_shortfall_pct"] == pytest.approx(60.0)
    assert k1["egalim_shortfall_pct"] == 0.0
    missed = {(s["kitchen_id"], s["target"]): s for s in target_shortfalls(table)}
    assert set(missed) == {("k1", "bio_pct"), ("k2", "egalim_pct"), ("k2", "meat_fish_egalim_pct")}
    assert missed[("k1", "bio_pct")]["achieved"] == pytest.approx(100 * 120 / 660)


def test_no_meat_means_no_meat_share() -> None:
    """A kitchen that buys no meat or fish has no meat-and-fish share (NaN), not 0 %."""
    lines = [ln for ln in fx.plan_lines() if ln.product_id != "lamb"]
    table = indicators_table(fx.scenario(), fx.plan(lines), fx.meals())
    assert math.isnan(row(table, "k1")["meat_fish_egalim_pct"])
    assert not any(s["target"] == "meat_fish_egalim_pct" for s in target_shortfalls(table))


def test_deliveries_count_drops_platform_and_wholesaler() -> None:
    """Two producers' drops on two days, one platform and one wholesaler delivery make 4."""
    lines = fx.plan_lines()
    df = deliveries_by_week(plan_frame(fx.scenario(), fx.plan(lines))).set_index(
        ["kitchen_id", "week_start"]
    )
    assert df.loc[("k1", W1)].to_dict() == {
        "direct_drops": 2,
        "platform": 1,
        "wholesaler": 1,
        "deliveries": 4,
    }
    assert df.loc[("k2", W2), "deliveries"] == 1
