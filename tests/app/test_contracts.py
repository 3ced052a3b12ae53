"""Yearly contracts from a plan: volumes equal the plan's, every backup may stand in."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app import whatifs
from solver.core import Scenario, SolveParams
from solver.evaluation import check_contracts
from solver.reporting import market_gardeners
from solver.scenario import load_scenario_variant

TINY = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "tiny"

#: A market gardener near Sisteron with carrots and leeks, beside the tiny scenario's farm.
GARDENER = """
synthetic = true
[[add.products]]
id = "poireau"
name = "Poireau"
family = "FRUITS_ET_LEGUMES"
raw_to_cooked_ratio = 0.856

[[add.producers]]
id = "maraicher-mison"
name = "Maraîcher de Mison"
lat = 44.263
lon = 5.862
labels = "BIO"
delivery_weekdays = "mon;tue;thu;fri"
deliveries_per_week = 3

[[add.offers]]
producer_id = "maraicher-mison"
product_id = "carotte"
price_eur_per_unit = 2.0
weekly_capacity = 300

[[add.offers]]
producer_id = "maraicher-mison"
product_id = "poireau"
price_eur_per_unit = 2.5
weekly_capacity = 50
"""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """Tiny with a second carrot farm (a market gardener) within reach of the kitchen."""
    return load_scenario_variant(TINY, texts=[("gardener.toml", GARDENER)])


@pytest.fixture(scope="module")
def outcome(scenario: Scenario) -> whatifs.ContractsOutcome:
    """Six weeks planned from September, turned into contracts."""
    return whatifs.plan_contracts(
        scenario,
        params=SolveParams(time_limit_s=10.0),
        weeks=6,
        base_dir=TINY,
        rounds_time_limit_s=1.0,
    )


def test_market_gardener_rule(scenario: Scenario) -> None:
    """Two vegetables (cooked F&L) make a market gardener; a one-carrot farm is not one."""
    assert market_gardeners(scenario) == {"maraicher-mison"}


def test_contract_volumes_equal_the_plan(outcome: whatifs.ContractsOutcome) -> None:
    """Per kitchen, producer and product the contracts hold exactly the plan's local units,
    month by month, at the producer's offer price; the checker agrees."""
    lines = outcome.contracts.lines
    plan = [ln for ln in outcome.plan.plan.lines if ln.local]
    assert not lines.empty
    for key, sub in lines.groupby(["kitchen_id", "producer_id", "product_id"]):
        want = sum(
            ln.quantity for ln in plan if (ln.kitchen_id, ln.supplier_id, ln.product_id) == key
        )
        assert sub["quantity"].sum() == pytest.approx(want, rel=1e-6, abs=1e-3)
    assert set(lines["month"]) <= {"2025-09", "2025-10"}
    assert outcome.check.ok, outcome.check.violations
    assert outcome.ok


def test_every_line_has_a_valid_backup(outcome: whatifs.ContractsOutcome) -> None:
    """Each line has a backup: another farm with spare capacity, else the wholesaler; the
    carrot lines of one farm are backed by the other."""
    lines = outcome.contracts.lines
    assert lines["backup_supplier_id"].astype(bool).all()
    carrots = lines[lines["product_id"] == "carotte"]
    farms = {"ferme-buech", "maraicher-mison"}
    for r in carrots.to_dict("records"):
        if r["backup_kind"] == "producer":
            assert {r["producer_id"], r["backup_supplier_id"]} <= farms
            assert r["backup_supplier_id"] != r["producer_id"]
            assert r["backup_spare_quantity"] >= r["quantity"] - 1e-6
    assert (carrots["backup_kind"] == "producer").any()
    summary = outcome.contracts.summary()
    bought_from_gardener = "maraicher-mison" in set(lines["producer_id"])
    assert summary["kitchens_with_market_gardener"] == int(bought_from_gardener)


def test_checker_catches_tampered_contracts(
    scenario: Scenario, outcome: whatifs.ContractsOutcome
) -> None:
    """More units than planned, a backup that is the producer itself, a backup without the
    product, a backup too small and a wholesaler that does not sell it are all caught."""
    t = outcome.plan.territory
    lines = outcome.contracts.lines.copy()
    bad = pd.concat([lines.iloc[[0]]] * 4, ignore_index=True)
    bad.loc[0, "quantity"] = bad.loc[0, "quantity"] + 10.0
    bad.loc[1, ["backup_kind", "backup_supplier_id"]] = ["producer", bad.loc[1, "producer_id"]]
    bad.loc[2, ["backup_kind", "backup_supplier_id"]] = ["producer", "laiterie-mison"]
    bad.loc[3, ["backup_kind", "backup_supplier_id"]] = ["reference", "nobody"]
    check = check_contracts(scenario, outcome.plan.plan, t.eligibility, bad)
    assert {"contract_volume", "backup_same_producer", "backup_no_offer"} <= check.codes()
    assert "backup_reference" in check.codes()
    huge = lines[lines["product_id"] == "carotte"].iloc[[0]].copy()
    huge["quantity"] = 1e6
    huge[["backup_kind", "backup_supplier_id"]] = ["producer", "maraicher-mison"]
    if huge.iloc[0]["producer_id"] == "maraicher-mison":
        huge["backup_supplier_id"] = "ferme-buech"
    check = check_contracts(scenario, outcome.plan.plan, t.eligibility, huge)
    assert "backup_capacity" in check.codes()


def test_outputs(outcome: whatifs.ContractsOutcome, tmp_path: Path) -> None:
    """CSV, workbook, summary and one Markdown page per producer, marked synthetic."""
    written = outcome.write(tmp_path)
    assert {"contracts.csv", "contracts.xlsx", "contracts_summary.json"} <= set(written)
    header = (tmp_path / "contracts.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",")[-1] == "provenance"
    pages = sorted((tmp_path / "producers").glob("*.md"))
    assert [p.stem for p in pages] == sorted(set(outcome.contracts.lines["producer_id"]))
    text = pages[0].read_text(encoding="utf-8")
    assert "Synthetic scenario" in text and "backup" in text
