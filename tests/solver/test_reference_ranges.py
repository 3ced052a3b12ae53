"""A wholesaler's labelled range: its organic products count in the EGALIM and organic
shares, never in the local one, and the checker accepts them."""

from __future__ import annotations

from matching_fixtures import canteen, instance, offer, producer, product

from solver.core import Channel, Label, ReferenceOffer, SolveParams
from solver.evaluation import check_plan, indicators_table
from solver.sourcing import solve_sourcing


def test_organic_range_counts_for_egalim_and_organic_not_local() -> None:
    """A kitchen with a 30 % organic target and no farm within reach buys part of its
    carrots from the wholesaler's organic range (1.5 EUR instead of 1.0): EGALIM = organic
    > 0, local = 0, the lines carry the BIO label, and the checker finds no violation."""
    inst = instance(
        products=[product("carotte")],
        producers=[producer("far")],
        offers=[offer("far", "carotte", 0.5)],
        canteens=[canteen("k", target_bio_pct=30.0, target_egalim_pct=30.0)],
        demand={("k", 0, "carotte"): 100.0, ("k", 1, "carotte"): 100.0},
        ref_prices={"carotte": 1.0},
        drive_min={("far", "k"): 120.0},
    )
    organic = ReferenceOffer(
        supplier_id="ref", product_id="carotte", price_eur_per_unit=1.5, labels=(Label.BIO,)
    )
    sc = inst.scenario.replace(reference_offers=(*inst.scenario.reference_offers, organic))
    result = solve_sourcing(
        sc, inst.demand, inst.meals, inst.eligibility, params=SolveParams(time_limit_s=10)
    )
    lines = result.plan.lines
    assert {ln.channel for ln in lines} == {Channel.REFERENCE}
    bio_kg = sum(ln.quantity_kg for ln in lines if Label.BIO in ln.labels)
    assert bio_kg > 0
    assert all(ln.unit_price_eur == (1.5 if Label.BIO in ln.labels else 1.0) for ln in lines)
    table = indicators_table(sc, result.plan, inst.meals).set_index("kitchen_id")
    assert table.loc["k", "bio_pct"] >= 30.0 - 1e-6
    assert table.loc["k", "egalim_pct"] == table.loc["k", "bio_pct"]
    assert table.loc["k", "local_pct"] == 0.0
    check = check_plan(sc, inst.demand, inst.meals, inst.eligibility, result.plan)
    assert check.ok, check.violations


def test_without_a_range_nothing_changes() -> None:
    """Without a labelled range the kitchen buys conventional carrots only (0 % organic)."""
    inst = instance(
        products=[product("carotte")],
        producers=[producer("far")],
        offers=[offer("far", "carotte", 0.5)],
        canteens=[canteen("k", target_bio_pct=30.0)],
        demand={("k", 0, "carotte"): 100.0},
        ref_prices={"carotte": 1.0},
        drive_min={("far", "k"): 120.0},
    )
    result = solve_sourcing(
        inst.scenario,
        inst.demand,
        inst.meals,
        inst.eligibility,
        params=SolveParams(time_limit_s=10),
    )
    assert all(not ln.labels for ln in result.plan.lines)
