"""Exports: plan CSV/XLSX, order sheets, calendars, check.json and the ma-cantine CSV."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import plan_fixtures as fx
import pytest

from solver.evaluation import check_plan
from solver.reporting import (
    MACANTINE_HEADER,
    explain,
    macantine_table,
    validate_macantine_csv,
    write_macantine_csv,
    write_plan_outputs,
)

GOOD_ROW = (
    "21050118000011,Carotte,Ferme A,2025-09-02,40.00,FRUITS_ET_LEGUMES,BIO,FRANCE,oui,oui,PAT,"
)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every output of the fixture plan, written once."""
    sc, d, m, el, plan = fx.scenario(), fx.demand(), fx.meals(), fx.eligibility(), fx.plan()
    check = check_plan(sc, d, m, el, plan)
    assert check.indicators_table is not None
    expl = explain(sc, d, m, el, plan)
    return write_plan_outputs(
        tmp_path_factory.mktemp("out"), sc, plan, check, check.indicators_table, expl, demand=d
    )


def test_all_files_written(outputs: dict[str, Path]) -> None:
    """The six main files, one order sheet per producer and one calendar per kitchen exist."""
    for name in (
        "purchase_plan.csv",
        "purchase_plan.xlsx",
        "indicators.csv",
        "explanations.csv",
        "macantine_achats.csv",
        "check.json",
    ):
        assert outputs[name].is_file(), name
    assert {k for k in outputs if k.startswith("order_sheets/")} == {
        f"order_sheets/{p}" for p in ("farm_a", "farm_b", "farm_c")
    }
    assert {k for k in outputs if k.startswith("delivery_calendar/")} == {
        "delivery_calendar/k1",
        "delivery_calendar/k2",
    }


def test_plan_csv_content(outputs: dict[str, Path]) -> None:
    """The plan CSV has one row per line with value = quantity x price and the travel source."""
    df = pd.read_csv(outputs["purchase_plan.csv"])
    assert len(df) == len(fx.plan_lines())
    assert set(df["travel_source"]) == {"estimate"}
    assert (df["value_eur"] - df["quantity"] * df["unit_price_eur"]).abs().max() < 0.01
    assert df["value_eur"].sum() == pytest.approx(1096.0)
    lentils = df[(df["kitchen_id"] == "k1") & (df["product_id"] == "lentils")].iloc[0]
    assert (
        lentils["channel"] == "platform" and lentils["labels"] == "HVE" and bool(lentils["local"])
    )


def test_check_json(outputs: dict[str, Path]) -> None:
    """check.json is the verdict with ok, violations and the travel source."""
    d = json.loads(outputs["check.json"].read_text(encoding="utf-8"))
    assert d["ok"] is True and d["violations"] == []
    assert d["travel_source"] == "estimate" and d["travel_estimated"] is True


def test_xlsx_sheets(outputs: dict[str, Path]) -> None:
    """The workbook has the plan, indicators, explanations, order sheets, calendar and meta."""
    book = pd.read_excel(outputs["purchase_plan.xlsx"], sheet_name=None)
    assert {
        "meta",
        "plan",
        "indicators",
        "producers",
        "explanations",
        "order_sheets",
        "delivery_calendar",
    } <= set(book)
    meta = dict(zip(book["meta"]["key"], book["meta"]["value"], strict=True))
    assert meta["travel_source"] == "estimate"
    assert len(book["plan"]) == len(fx.plan_lines())
    cal = book["delivery_calendar"]
    k1w1 = cal[(cal["kitchen_id"] == "k1") & (cal["delivery_date"] <= pd.Timestamp("2025-09-07"))]
    assert sorted(k1w1["supplier_id"]) == ["farm_a", "farm_b", "farm_c", "ws"]
    expl = book["explanations"]
    yog = expl[(expl["kitchen_id"] == "k1") & (expl["product_id"] == "yogurt")].iloc[0]
    assert (yog["reason"], yog["weeks"], yog["not_local_kg"]) == ("NO_PRODUCER_IN_RADIUS", 3, 30.0)


def test_order_sheet_and_calendar(outputs: dict[str, Path]) -> None:
    """farm_c prepares 30 kg of lentils for each kitchen on the round day at its own price."""
    sheet = pd.read_csv(outputs["order_sheets/farm_c"])
    assert list(sheet["kitchen_id"]) == ["k1", "k2"]
    assert set(sheet["delivery_date"]) == {"2025-09-02"} and set(sheet["weekday"]) == {"Tuesday"}
    assert sheet["unit_price_eur"].tolist() == [3.0, 3.0] and sheet[
        "value_eur"
    ].sum() == pytest.approx(180.0)
    assert sheet["hand_over"].str.contains("round").all()
    cal = pd.read_csv(outputs["delivery_calendar/k1"])
    week1 = cal[cal["week_start"] == "2025-09-01"]
    assert set(zip(week1["delivery_date"], week1["supplier_id"], strict=True)) == {
        ("2025-09-01", "ws"),
        ("2025-09-02", "farm_a"),
        ("2025-09-02", "farm_b"),
        ("2025-09-02", "farm_c"),
    }


def test_macantine_file_exact_format(outputs: dict[str, Path]) -> None:
    """Exact header, one row per kitchen x supplier x product x date, quoted label lists."""
    text = outputs["macantine_achats.csv"].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(MACANTINE_HEADER)
    rows = list(csv.DictReader(lines))
    # 3 carrot + 3 carrot + 3 yoghurt + 2 lamb + 2 lamb + 2 lentils
    assert len(rows) == 15
    lamb = next(r for r in rows if r["fournisseur"] == "Bergerie B" and r["date"] == "2025-09-02")
    assert lamb == {
        "siret": "21050118000011",
        "description": "Agneau",
        "fournisseur": "Bergerie B",
        "date": "2025-09-02",
        "prix_ht": "180.00",
        "famille_produits": "VIANDES_VOLAILLES",
        "categories_egalim": "IGP,LABEL_ROUGE",
        "origine": "FRANCE",
        "est_circuit_court": "oui",
        "est_local": "oui",
        "definition_local": "PAT",
        "definition_local_km": "",
    }
    assert '"IGP,LABEL_ROUGE"' in text
    ws = next(r for r in rows if r["fournisseur"] == "Grossiste" and r["description"] == "Yaourt")
    assert (ws["origine"], ws["est_local"], ws["definition_local"], ws["prix_ht"]) == (
        "",
        "non",
        "",
        "24.00",
    )


def test_macantine_export_passes_the_validator(outputs: dict[str, Path]) -> None:
    """The export passes every schema rule, and the date rule once delivered."""
    assert validate_macantine_csv(outputs["macantine_achats.csv"]) == []
    assert validate_macantine_csv(outputs["macantine_achats.csv"], today=dt.date(2025, 9, 30)) == []
    problems = validate_macantine_csv(outputs["macantine_achats.csv"], today=dt.date(2025, 9, 10))
    assert problems and all("future" in p for p in problems)


def test_as_of_keeps_delivered_rows(tmp_path: Path) -> None:
    """as_of exports only what has been delivered, which ma-cantine accepts that day."""
    path = write_macantine_csv(
        tmp_path / "m.csv", fx.scenario(), fx.plan(), as_of=dt.date(2025, 9, 9)
    )
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    assert {r["date"] for r in rows} == {"2025-09-01", "2025-09-02", "2025-09-08", "2025-09-09"}
    assert validate_macantine_csv(path, today=dt.date(2025, 9, 9)) == []


def test_kitchen_without_siret_left_out() -> None:
    """A kitchen without SIRET cannot be imported: its rows are left out and named."""
    sc = fx.scenario()
    sc = sc.model_copy(
        update={
            "canteens": tuple(
                c.model_copy(update={"siret": ""}) if c.id == "k2" else c for c in sc.canteens
            )
        }
    )
    table, skipped = macantine_table(sc, fx.plan())
    assert skipped == ["k2"] and set(table["siret"]) == {"21050118000011"}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD_ROW.replace("21050118000011", "2105011800001"), "column siret: must be 14 digits"),
        (GOOD_ROW.replace("Carotte", ""), "column description: is required"),
        (GOOD_ROW.replace("2025-09-02", "02/09/2025"), "column date: must be YYYY-MM-DD"),
        (GOOD_ROW.replace("2025-09-02", "2025-02-30"), "column date: is not a real date"),
        (GOOD_ROW.replace("40.00", '"40,00"'), "column prix_ht: must be a number with a dot"),
        (
            GOOD_ROW.replace("FRUITS_ET_LEGUMES", "LEGUMES"),
            "column famille_produits: must be one of",
        ),
        (
            GOOD_ROW.replace(",BIO,", ',"BIO,LOCAL",'),
            "column categories_egalim: unknown characteristic(s) ['LOCAL']",
        ),
        (
            GOOD_ROW.replace("FRANCE", '"EUROPE,FRANCE"'),
            "column origine: EUROPE and FRANCE cannot both be set",
        ),
        (GOOD_ROW.replace("FRANCE", "ITALIE"), "column origine: must be EUROPE or FRANCE"),
        (
            GOOD_ROW.replace("oui,oui,PAT", "oui,yes,"),
            "column est_local: must be OUI, oui, x, non, NON or empty",
        ),
        (
            GOOD_ROW.replace("oui,oui,PAT", "oui,non,PAT"),
            "column definition_local: allowed only when est_local is true",
        ),
        (GOOD_ROW.replace("PAT,", "VILLE,"), "column definition_local: must be one of"),
        (
            GOOD_ROW[:-1] + ",30",
            "column definition_local_km: allowed only when definition_local is KM",
        ),
        (GOOD_ROW.replace("PAT,", "KM,abc"), "column definition_local_km: must be a number"),
        (GOOD_ROW + ",extra", "row 2: 13 cells, expected 12"),
    ],
)
def test_validator_rejects_bad_rows(tmp_path: Path, row: str, expected: str) -> None:
    """Each hand-made bad row is reported, located by row and column."""
    path = tmp_path / "bad.csv"
    path.write_text(",".join(MACANTINE_HEADER) + "\n" + row + "\n", encoding="utf-8")
    problems = validate_macantine_csv(path)
    assert len(problems) == 1 and expected in problems[0], problems
    assert problems[0].startswith("row 2")


def test_validator_accepts_good_rows_and_semicolons(tmp_path: Path) -> None:
    """The good row passes, also with a semicolon delimiter and KM with a distance."""
    path = tmp_path / "good.csv"
    km = GOOD_ROW.replace("PAT,", "KM,50")
    path.write_text(
        ",".join(MACANTINE_HEADER) + "\n" + GOOD_ROW + "\n" + km + "\n", encoding="utf-8"
    )
    assert validate_macantine_csv(path) == []
    semi = tmp_path / "semi.csv"
    semi.write_text(
        ";".join(MACANTINE_HEADER) + "\n" + GOOD_ROW.replace(",", ";") + "\n", encoding="utf-8"
    )
    assert validate_macantine_csv(semi) == []


def test_validator_rejects_wrong_header(tmp_path: Path) -> None:
    """A header that is not exactly the 12 columns is refused."""
    path = tmp_path / "old.csv"
    path.write_text(
        "siret,description,fournisseur,date,prix_ht,famille_produits,caracteristiques,definition_local\n",
        encoding="utf-8",
    )
    (p,) = validate_macantine_csv(path)
    assert p.startswith("row 1: header must be exactly")
