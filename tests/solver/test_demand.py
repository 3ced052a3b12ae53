"""Weekly demand from menus, headcounts and the school calendar (hand-computed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.paths import DEMO_SCENARIO
from solver.core import (
    Canteen,
    DirectDemand,
    Family,
    Management,
    MenuItem,
    Product,
    ReferenceOffer,
    Scenario,
    ScenarioError,
    SchoolZone,
    Settings,
    Unit,
    Weekday,
)
from solver.prepare import (
    canteen_meals_per_week,
    canteen_weekly_demand,
    cycle_weeks,
    demand_summary,
    meals_per_week,
    portion_check,
    weekly_demand,
)
from solver.scenario import load_scenario, write_scenario_folder

D = dt.date
ARMISTICE_WEEK = D(2025, 11, 10)  # Tuesday 11 Nov 2025 is a public holiday
PLAIN_WEEK = D(2025, 11, 17)

CARROT = Product(
    id="carrot",
    name="Carotte",
    family=Family.FRUITS_ET_LEGUMES,
    raw_to_cooked_ratio=0.8,
    inedible_share=0.2,
)  # raw g = served g / 0.8 / 0.8 = served / 0.64
PASTA = Product(
    id="pasta",
    name="Pâtes (sac 500 g)",
    family=Family.AUTRES,
    unit=Unit.PIECE,
    kg_per_unit=0.5,
    raw_to_cooked_ratio=2.5,
)  # raw g = served g / 2.5; one purchase unit = 0.5 kg

FOUR_DAYS = (Weekday.MON, Weekday.TUE, Weekday.THU, Weekday.FRI)
FOUR_AND_HALF = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


def item(week: int, day: Weekday, product: str, m: float, e: float, a: float) -> MenuItem:
    return MenuItem(
        week=week,
        weekday=day,
        dish=f"{product} w{week}",
        product_id=product,
        served_g_maternelle=m,
        served_g_elementaire=e,
        served_g_adulte=a,
    )


#: A 1-week cycle: carrots Mon/Wed/Fri, pasta Tue/Thu (served grams per age).
ONE_WEEK_MENU = (
    item(1, Weekday.MON, "carrot", 80, 100, 120),
    item(1, Weekday.TUE, "pasta", 100, 150, 200),
    item(1, Weekday.WED, "carrot", 50, 50, 50),
    item(1, Weekday.THU, "pasta", 100, 150, 200),
    item(1, Weekday.FRI, "carrot", 80, 100, 120),
)


def make_scenario(**update: object) -> Scenario:
    """Kitchen K (zone B, 4-day week, 10 maternelle + 20 élémentaire) and its satellite S
    (4.5-day week, 10 élémentaire + 2 adults)."""
    kitchen = Canteen(
        id="K",
        name="Cuisine centrale",
        lat=44.195,
        lon=5.943,
        management=Management.CUISINE_CENTRALE,
        meals_maternelle=10,
        meals_elementaire=20,
        service_weekdays=FOUR_DAYS,
        school_zone=SchoolZone.B,
    )
    satellite = Canteen(
        id="S",
        name="Satellite",
        lat=44.2,
        lon=5.95,
        management=Management.SATELLITE,
        kitchen_id="K",
        meals_elementaire=10,
        meals_adulte=2,
        service_weekdays=FOUR_AND_HALF,
        school_zone=SchoolZone.B,
    )
    base = Scenario(
        settings=Settings(name="tiny", start_date=ARMISTICE_WEEK, horizon_weeks=2),
        products=(CARROT, PASTA),
        canteens=(kitchen, satellite),
        menu=ONE_WEEK_MENU,
        reference_offers=(
            ReferenceOffer(supplier_id="grossiste", product_id="carrot", price_eur_per_unit=1.2),
            ReferenceOffer(supplier_id="grossiste", product_id="pasta", price_eur_per_unit=0.9),
        ),
    )
    return base.model_copy(update=update) if update else base


def row(df: pd.DataFrame, week: dt.date, product: str) -> pd.Series:
    sel = df[(df["week_start"] == week) & (df["product_id"] == product)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_hand_computed_week_with_public_holiday() -> None:
    """Armistice week: kitchen K's demand equals the hand computation."""
    # K serves Mon 10, Thu 13, Fri 14 (Tue 11 Nov off, no Wednesday in a 4-day week):
    #   Mon carrot 10*80 + 20*100 = 2800 g served -> 2800 / 0.64 = 4375 g raw
    #   Thu pasta  10*100 + 20*150 = 4000 g       -> 4000 / 2.5  = 1600 g raw
    #   Fri carrot 2800 g                          -> 4375 g raw
    # S serves Mon 10, Wed 12, Thu 13, Fri 14 (4.5 days, Tue off):
    #   Mon carrot 10*100 + 2*120 = 1240 g -> 1937.5 g ; Wed carrot 10*50 + 2*50 = 600 g -> 937.5 g
    #   Thu pasta  10*150 + 2*200 = 1900 g -> 760 g   ; Fri carrot 1240 g -> 1937.5 g
    # Kitchen K: carrot 4375 + 4375 + 1937.5 + 937.5 + 1937.5 = 13562.5 g = 13.5625 kg (units)
    #            pasta 1600 + 760 = 2360 g = 2.36 kg = 4.72 bags of 0.5 kg
    sc = make_scenario()
    df = weekly_demand(sc, weeks=[ARMISTICE_WEEK])
    assert list(df.columns) == [
        "kitchen_id",
        "week_start",
        "product_id",
        "quantity",
        "demand_kg",
        "source",
    ]
    assert set(df["kitchen_id"]) == {"K"}
    carrot = row(df, ARMISTICE_WEEK, "carrot")
    pasta = row(df, ARMISTICE_WEEK, "pasta")
    assert carrot["demand_kg"] == pytest.approx(13.5625)
    assert carrot["quantity"] == pytest.approx(13.5625)
    assert pasta["demand_kg"] == pytest.approx(2.36)
    assert pasta["quantity"] == pytest.approx(4.72)
    assert set(df["source"]) == {"menu"}
    assert isinstance(df["week_start"].iloc[0], dt.date)


def test_meals_per_week_counts_satellites_at_their_kitchen() -> None:
    """Meals: K 30 x 3 days + S 12 x 4 days = 138, on 4 distinct service days."""
    meals = meals_per_week(make_scenario(), weeks=[ARMISTICE_WEEK])
    assert len(meals) == 1
    r = meals.iloc[0]
    assert (r["kitchen_id"], r["meals"], r["service_days"]) == ("K", 138, 4)
    assert (r["meals_maternelle"], r["meals_elementaire"], r["meals_adulte"]) == (30, 100, 8)


def test_default_weeks_come_from_settings() -> None:
    """Without weeks, the horizon is settings.start_date for settings.horizon_weeks."""
    df = weekly_demand(make_scenario())
    assert sorted(set(df["week_start"])) == [ARMISTICE_WEEK, PLAIN_WEEK]
    meals = meals_per_week(make_scenario())
    assert list(meals["week_start"]) == [ARMISTICE_WEEK, PLAIN_WEEK]


def test_four_and_a_half_days_adds_wednesday() -> None:
    """In a plain week the 4.5-day satellite eats Wednesday's carrots; the 4-day one does not."""
    sc = make_scenario()
    per = canteen_weekly_demand(sc, weeks=[PLAIN_WEEK])
    sat_carrot = per[(per["canteen_id"] == "S") & (per["product_id"] == "carrot")]
    # S: Mon 1240 + Wed 600 + Fri 1240 = 3080 g served -> 4812.5 g raw
    assert float(sat_carrot["demand_kg"].iloc[0]) == pytest.approx(4.8125)
    four_day_sat = sc.canteen("S").model_copy(update={"service_weekdays": FOUR_DAYS})
    sc4 = sc.model_copy(update={"canteens": (sc.canteen("K"), four_day_sat)})
    per4 = canteen_weekly_demand(sc4, weeks=[PLAIN_WEEK])
    sat4 = per4[(per4["canteen_id"] == "S") & (per4["product_id"] == "carrot")]
    assert float(sat4["demand_kg"].iloc[0]) == pytest.approx(2 * 1240 / 0.64 / 1000)
    meals4 = meals_per_week(sc4, weeks=[PLAIN_WEEK]).iloc[0]
    meals45 = meals_per_week(sc, weeks=[PLAIN_WEEK]).iloc[0]
    assert meals45["meals"] - meals4["meals"] == 12
    assert (meals45["service_days"], meals4["service_days"]) == (5, 4)


def test_direct_demand_replaces_menu_entirely() -> None:
    """A canteen with direct rows loses its menu demand in every week, listed or not."""
    sc = make_scenario(
        direct_demand=(
            DirectDemand(
                canteen_id="S", week_start=ARMISTICE_WEEK, product_id="carrot", quantity=5
            ),
        )
    )
    df = weekly_demand(sc, weeks=[ARMISTICE_WEEK, PLAIN_WEEK])
    carrot = row(df, ARMISTICE_WEEK, "carrot")
    # K's own carrots 4.375 + 4.375 = 8.75 kg + S's direct 5 kg; S's menu (4.8125 kg) is gone.
    assert carrot["demand_kg"] == pytest.approx(8.75 + 5.0)
    assert carrot["source"] == "menu+direct"
    # pasta: only K's 1.6 kg, S's 0.76 kg dropped
    assert row(df, ARMISTICE_WEEK, "pasta")["demand_kg"] == pytest.approx(1.6)
    # plain week: S lists nothing, so only K's menu (Mon + Fri carrots, Tue + Thu pasta)
    assert row(df, PLAIN_WEEK, "carrot")["demand_kg"] == pytest.approx(2 * 4.375)
    assert row(df, PLAIN_WEEK, "pasta")["demand_kg"] == pytest.approx(2 * 1.6)
    # S still serves its meals
    meals = meals_per_week(sc, weeks=[PLAIN_WEEK]).iloc[0]
    assert meals["meals"] == 30 * 4 + 12 * 5


def test_direct_demand_alone_is_labelled_direct() -> None:
    """A kitchen fed only by direct rows shows source 'direct' and kg from kg_per_unit."""
    sc = make_scenario(
        direct_demand=(
            DirectDemand(canteen_id="K", week_start=PLAIN_WEEK, product_id="pasta", quantity=4),
            DirectDemand(canteen_id="S", week_start=PLAIN_WEEK, product_id="pasta", quantity=2),
        )
    )
    df = weekly_demand(sc, weeks=[PLAIN_WEEK])
    assert len(df) == 1
    pasta = row(df, PLAIN_WEEK, "pasta")
    assert (pasta["quantity"], pasta["demand_kg"], pasta["source"]) == (6.0, 3.0, "direct")


def test_zone_changes_the_february_weeks() -> None:
    """Week of 9 Feb 2026: a zone B kitchen buys, the same kitchen in zone A does not."""
    week = D(2026, 2, 9)
    sc = make_scenario()
    assert not weekly_demand(sc, weeks=[week]).empty
    in_a = tuple(c.model_copy(update={"school_zone": SchoolZone.A}) for c in sc.canteens)
    sc_a = sc.model_copy(update={"canteens": in_a})
    assert weekly_demand(sc_a, weeks=[week]).empty
    assert int(meals_per_week(sc_a, weeks=[week])["meals"].sum()) == 0
    assert not weekly_demand(sc_a, weeks=[D(2026, 2, 23)]).empty
    assert weekly_demand(sc, weeks=[D(2026, 2, 23)]).empty


def test_cycle_advances_only_on_school_weeks() -> None:
    """Across Toussaint the 3-week cycle resumes at week 2, not at the calendar's week 4 -> 1."""
    menu = (
        item(1, Weekday.MON, "carrot", 100, 100, 100),
        item(2, Weekday.MON, "pasta", 100, 100, 100),
        item(3, Weekday.MON, "carrot", 10, 10, 10),
    )
    sc = make_scenario(menu=menu)
    horizon = [D(2025, 10, 13), D(2025, 10, 20), D(2025, 10, 27), D(2025, 11, 3)]
    assert cycle_weeks(sc, sc.canteen("K"), horizon) == {D(2025, 10, 13): 1, D(2025, 11, 3): 2}
    df = weekly_demand(sc, weeks=horizon)
    assert sorted(set(df["week_start"])) == [D(2025, 10, 13), D(2025, 11, 3)]
    assert list(df[df["week_start"] == D(2025, 11, 3)]["product_id"]) == ["pasta"]


def test_unknown_menu_product_is_a_scenario_error() -> None:
    """A menu row naming an unknown product raises a ScenarioError naming menu.csv."""
    sc = make_scenario(menu=(item(1, Weekday.MON, "leek", 1, 1, 1),))
    with pytest.raises(ScenarioError, match=r"menu\.csv.*leek"):
        weekly_demand(sc, weeks=[PLAIN_WEEK])


def test_summary_and_portion_check() -> None:
    """Summary gives kg per meal by family; the check flags families outside their band."""
    sc = make_scenario()
    weeks = [ARMISTICE_WEEK]
    demand = weekly_demand(sc, weeks=weeks)
    meals = meals_per_week(sc, weeks=weeks)
    summary = demand_summary(sc, demand, meals)
    fl = summary[summary["family"] == "FRUITS_ET_LEGUMES"].iloc[0]
    assert fl["meals"] == 138
    assert fl["kg_per_meal"] == pytest.approx(13.5625 / 138)
    check = portion_check(sc, demand, meals)
    everyone = check[check["kitchen_id"] == "ALL"].set_index("family")
    # ~98 g of carrots a meal is below the fruit-and-vegetable band; no meat at all is too low
    assert everyone.loc["FRUITS_ET_LEGUMES", "status"] == "too low"
    assert everyone.loc["VIANDES_VOLAILLES", "status"] == "too low"
    assert everyone.loc["CHARCUTERIE", "status"] == "ok"  # none needed
    # age mix (30 maternelle, 100 élémentaire, 8 adults) scales the band
    factor = (30 * 50 / 70 + 100 + 8 * 100 / 70) / 138
    assert everyone.loc["AUTRES", "low_kg_per_meal"] == pytest.approx(0.015 * factor)
    assert everyone.loc["AUTRES", "kg_per_meal"] == pytest.approx(2.36 / 138)
    assert everyone.loc["AUTRES", "status"] == "ok"


def test_cli_demand_on_tiny_scenario(tmp_path: Path) -> None:
    """`racines demand` prints the tables and writes the weekly CSV."""
    folder = write_scenario_folder(make_scenario(), tmp_path / "tiny")
    out = tmp_path / "out" / "demand.csv"
    result = CliRunner().invoke(
        cli, ["demand", str(folder), "--weeks", "2", "--start", "2025-11-10", "--csv", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Weekly demand per kitchen" in result.output
    assert "Portion plausibility" in result.output
    written = pd.read_csv(out)
    assert list(written["week_start"].unique()) == ["2025-11-10", "2025-11-17"]
    carrot = written[(written["week_start"] == "2025-11-10") & (written["product_id"] == "carrot")]
    assert float(carrot["demand_kg"].iloc[0]) == pytest.approx(13.5625, abs=1e-4)


def test_cli_demand_reports_broken_scenario(tmp_path: Path) -> None:
    """A broken scenario prints its problems and exits 1, without a traceback."""
    folder = write_scenario_folder(make_scenario(), tmp_path / "broken")
    (folder / "canteens.csv").write_text(
        (folder / "canteens.csv").read_text().replace("44.195", "12.5"), encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["demand", str(folder)])
    assert result.exit_code == 1
    assert "canteens.csv" in result.output
    assert "Traceback" not in result.output


def test_cli_demand_outside_calendar(tmp_path: Path) -> None:
    """Weeks outside the known school calendar give a clear message and exit 1."""
    folder = write_scenario_folder(make_scenario(), tmp_path / "tiny")
    result = CliRunner().invoke(cli, ["demand", str(folder), "--start", "2028-01-03"])
    assert result.exit_code == 1
    assert "outside the known school calendar" in result.output


def test_demo_territory_portions_are_plausible() -> None:
    """On the Baronnies demo, every kitchen's kg per meal by family lies in its GEMRCN band."""
    sc = load_scenario(DEMO_SCENARIO)
    demand = weekly_demand(sc)
    meals = meals_per_week(sc)
    check = portion_check(sc, demand, meals)
    flagged = check[check["status"] != "ok"]
    assert flagged.empty, flagged.to_string()
    # every kitchen eats and serves: demand and meals exist for each of them
    assert set(demand["kitchen_id"]) == {k.id for k in sc.kitchens()}
    assert int(meals["meals"].sum()) > 0
    per_canteen = portion_check(
        sc, canteen_weekly_demand(sc), canteen_meals_per_week(sc), key="canteen_id"
    )
    flagged = per_canteen[per_canteen["status"] != "ok"]
    assert flagged.empty, flagged.to_string()


def test_canteen_meals_per_week() -> None:
    """Per canteen: K serves 30 x 3 days, S 12 x 4 days in the Armistice week."""
    meals = canteen_meals_per_week(make_scenario(), weeks=[ARMISTICE_WEEK]).set_index("canteen_id")
    assert (meals.loc["K", "meals"], meals.loc["K", "service_days"]) == (90, 3)
    assert (meals.loc["S", "meals"], meals.loc["S", "service_days"]) == (48, 4)
    assert meals.loc["S", "kitchen_id"] == "K"
