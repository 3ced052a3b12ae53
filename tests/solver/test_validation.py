"""Cross-file and row rules: each broken variant of the tiny scenario reports file/row/column."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from solver.core import Problem, Scenario, ScenarioError
from solver.scenario import (
    RULES,
    WARNING_RULES,
    collect_scenario_folder,
    load_scenario,
    load_scenario_json,
    scenario_to_json,
    scenario_warnings,
    validate_scenario,
)

# --------------------------------------------------------------------------- editing helpers


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def edit(folder: Path, file: str, row: int, **cells: str) -> None:
    """Set ``cells`` of spreadsheet ``row`` (header = 1) of ``file``."""
    rows = _read(folder / file)
    header = rows[0]
    for col, value in cells.items():
        rows[row - 1][header.index(col)] = value
    _write(folder / file, rows)


def append(folder: Path, file: str, **cells: str) -> int:
    """Append a row (missing columns empty); return its spreadsheet row number."""
    path = folder / file
    rows = _read(path) if path.exists() else [list(cells)]
    rows.append([cells.get(h, "") for h in rows[0]])
    _write(path, rows)
    return len(rows)


def delete_row(folder: Path, file: str, row: int) -> None:
    """Remove spreadsheet ``row`` of ``file``."""
    rows = _read(folder / file)
    del rows[row - 1]
    _write(folder / file, rows)


def problems_of(folder: Path) -> list[Problem]:
    """Every problem load_scenario reports for ``folder`` (empty when it loads)."""
    try:
        load_scenario(folder)
    except ScenarioError as exc:
        return exc.problems
    return []


def _found(problems: list[Problem], file: str, row: int, column: str, fragment: str) -> bool:
    return any(
        p.file == file and p.row == row and p.column == column and fragment in p.message
        for p in problems
    )


# --------------------------------------------------------------------------- the table

Edit = Callable[[Path], object]


def _yaourt_only_in_direct_demand(d: Path) -> None:
    """Yaourt leaves the menu and the reference offers; ribiers orders it directly."""
    delete_row(d, "reference_offers.csv", 4)
    delete_row(d, "menu.csv", 7)
    delete_row(d, "menu.csv", 3)
    append(
        d,
        "demand.csv",
        canteen_id="ribiers",
        week_start="2025-09-08",
        product_id="yaourt",
        quantity="200",
    )


def _rename_the_only_cycle(d: Path) -> None:
    """The cycle becomes 'hiver'; sisteron-cc names it, ribiers eats the missing default."""
    edit(d, "canteens.csv", 2, menu_cycle_id="hiver")
    for r in range(2, 9):
        edit(d, "menu.csv", r, cycle_id="hiver")


def _header_only_canteens(d: Path) -> None:
    """canteens.csv keeps its header only; the round and the demand go with the canteens."""
    rows = _read(d / "canteens.csv")
    _write(d / "canteens.csv", rows[:1])


def _no_platform_but_a_round(d: Path) -> None:
    """No platform at all while ribiers is on the platform round."""
    (d / "platforms.csv").unlink()
    (d / "vans.csv").unlink()
    edit(d, "producers.csv", 3, delivery_modes="self_delivery")


def _unknown_canteen_platform(d: Path) -> None:
    """ribiers names a platform that platforms.csv does not have."""
    rows = _read(d / "canteens.csv")
    rows[0].append("platform_id")
    rows[1].append("")
    rows[2].append("echanges-paysan")
    _write(d / "canteens.csv", rows)


def _no_platform_but_a_platform_producer(d: Path) -> None:
    """No platform at all while bergerie-sisteron delivers via the platform."""
    (d / "platforms.csv").unlink()
    (d / "vans.csv").unlink()
    edit(d, "canteens.csv", 3, on_platform_round="no")


#: (defect, how to break tiny, expected file, row, column, value, message fragment, count)
CASES: list[tuple[str, Edit, str, int, str, str, str, int]] = [
    # ---- row rules (domain model), with readable messages
    (
        "unknown_label",
        lambda d: edit(d, "producers.csv", 2, labels="BIOO"),
        "producers.csv",
        2,
        "labels",
        "BIOO",
        "unknown label 'BIOO' (allowed: BIO, LABEL_ROUGE, AOCAOP",
        1,
    ),
    (
        "unknown_family",
        lambda d: edit(d, "products.csv", 3, family="VIANDE"),
        "products.csv",
        3,
        "family",
        "VIANDE",
        "unknown family 'VIANDE' (allowed: VIANDES_VOLAILLES",
        # agneau is left out, so its offer, menu rows and reference price refer to nothing
        1,
    ),
    (
        "outside_france",
        lambda d: edit(d, "canteens.csv", 3, lon="15.2"),
        "canteens.csv",
        3,
        "lon",
        "15.2",
        "lies outside France",
        1,
    ),
    (
        "lat_lon_swapped",
        lambda d: edit(d, "producers.csv", 4, lat="5.862", lon="44.263"),
        "producers.csv",
        4,
        "lat",
        "5.862",
        "lat/lon swapped?",
        1,
    ),
    (
        "window_ends_before_start",
        lambda d: edit(d, "canteens.csv", 2, receiving_end_min="06:00"),
        "canteens.csv",
        2,
        "receiving_end_min",
        "06:00",
        "the window ends before it starts: receiving_end_min 06:00 must be after "
        "receiving_start_min 06:30",
        1,
    ),
    (
        "zero_van_capacity",
        lambda d: edit(d, "vans.csv", 2, capacity_kg="0"),
        "vans.csv",
        2,
        "capacity_kg",
        "0",
        "must be greater than 0",
        1,
    ),
    (
        "negative_offer_capacity",
        lambda d: edit(d, "offers.csv", 3, weekly_capacity="-5"),
        "offers.csv",
        3,
        "weekly_capacity",
        "-5",
        "must be greater than 0",
        1,
    ),
    (
        "negative_storage",
        lambda d: edit(d, "canteens.csv", 2, storage_chilled_kg="-1"),
        "canteens.csv",
        2,
        "storage_chilled_kg",
        "-1",
        "must be at least 0",
        1,
    ),
    (
        "month_out_of_range",
        lambda d: edit(d, "offers.csv", 4, months="9-13"),
        "offers.csv",
        4,
        "months",
        "9-13",
        "months must be 1..12",
        1,
    ),
    (
        "price_not_a_number",
        lambda d: edit(d, "offers.csv", 2, price_eur_per_unit="1.9 EUR"),
        "offers.csv",
        2,
        "price_eur_per_unit",
        "1.9 EUR",
        "not a number",
        1,
    ),
    (
        "bad_weekday",
        lambda d: edit(d, "menu.csv", 4, weekday="mardi gras"),
        "menu.csv",
        4,
        "weekday",
        "mardi gras",
        "not a weekday",
        1,
    ),
    (
        "bad_time",
        lambda d: edit(d, "producers.csv", 2, pickup_start_min="7h"),
        "producers.csv",
        2,
        "pickup_start_min",
        "7h",
        "not a time of day",
        1,
    ),
    (
        "id_with_space",
        lambda d: edit(d, "canteens.csv", 3, id="ecole ribiers"),
        "canteens.csv",
        3,
        "id",
        "ecole ribiers",
        "ids may contain only letters",
        1,
    ),
    # ---- season
    (
        "capacity_month_out_of_season",
        lambda d: edit(d, "offers.csv", 2, capacity_by_month="3:10"),
        "offers.csv",
        2,
        "capacity_by_month",
        "3:10",
        "lie outside the offer's season",
        1,
    ),
    (
        "offered_out_of_any_season",
        lambda d: edit(d, "offers.csv", 2, capacity_by_month="6:0;7:0;8:0;9:0;10:0;11:0"),
        "offers.csv",
        2,
        "capacity_by_month",
        "6:0;7:0;8:0;9:0;10:0;11:0",
        "offered out of any season",
        1,
    ),
    # ---- empty
    (
        "no_canteen",
        _header_only_canteens,
        "canteens.csv",
        0,
        "",
        "",
        "no canteen: canteens.csv has no row",
        1,
    ),
    # ---- duplicates
    (
        "duplicate_product",
        lambda d: append(d, "products.csv", id="carotte", name="Carotte bis", family="AUTRES"),
        "products.csv",
        5,
        "id",
        "carotte",
        "duplicate id 'carotte': already at row 2",
        1,
    ),
    (
        "duplicate_producer",
        lambda d: append(
            d, "producers.csv", id="ferme-buech", name="Doublon", lat="44.3", lon="5.8"
        ),
        "producers.csv",
        5,
        "id",
        "ferme-buech",
        "duplicate id",
        1,
    ),
    (
        "duplicate_canteen",
        lambda d: append(
            d,
            "canteens.csv",
            id="ribiers",
            name="Doublon",
            lat="44.2",
            lon="5.8",
            meals_elementaire="10",
        ),
        "canteens.csv",
        4,
        "id",
        "ribiers",
        "duplicate id",
        1,
    ),
    (
        "duplicate_offer",
        lambda d: append(
            d,
            "offers.csv",
            producer_id="ferme-buech",
            product_id="carotte",
            price_eur_per_unit="2",
            weekly_capacity="10",
        ),
        "offers.csv",
        5,
        "product_id",
        "carotte",
        "duplicate (producer_id, product_id) 'ferme-buech/carotte'",
        1,
    ),
    (
        "duplicate_van",
        lambda d: append(
            d, "vans.csv", platform_id="echanges-paysans", id="van-1", capacity_kg="500"
        ),
        "vans.csv",
        3,
        "id",
        "van-1",
        "duplicate id",
        1,
    ),
    (
        "duplicate_platform",
        lambda d: append(
            d, "platforms.csv", id="echanges-paysans", name="Bis", lat="44.5", lon="6.0"
        ),
        "platforms.csv",
        3,
        "id",
        "echanges-paysans",
        "duplicate id",
        1,
    ),
    # ---- unknown references
    (
        "offer_unknown_producer",
        lambda d: edit(d, "offers.csv", 2, producer_id="ferme-bueche"),
        "offers.csv",
        2,
        "producer_id",
        "ferme-bueche",
        "unknown producer 'ferme-bueche', not in producers.csv (did you mean 'ferme-buech'?)",
        1,
    ),
    (
        "offer_unknown_product",
        lambda d: edit(d, "offers.csv", 3, product_id="mouton"),
        "offers.csv",
        3,
        "product_id",
        "mouton",
        "unknown product 'mouton'",
        1,
    ),
    (
        "menu_ingredient_with_no_product",
        lambda d: edit(d, "menu.csv", 2, product_id="carottes"),
        "menu.csv",
        2,
        "product_id",
        "carottes",
        "a menu ingredient with no product: unknown product 'carottes'",
        1,
    ),
    (
        "demand_unknown_canteen",
        lambda d: append(
            d,
            "demand.csv",
            canteen_id="laragne",
            week_start="2025-09-01",
            product_id="carotte",
            quantity="12",
        ),
        "demand.csv",
        2,
        "canteen_id",
        "laragne",
        "unknown canteen 'laragne'",
        1,
    ),
    (
        "demand_unknown_product",
        lambda d: append(
            d,
            "demand.csv",
            canteen_id="ribiers",
            week_start="2025-09-01",
            product_id="navet",
            quantity="12",
        ),
        "demand.csv",
        2,
        "product_id",
        "navet",
        "unknown product 'navet'",
        1,
    ),
    (
        "demand_week_not_monday",
        lambda d: append(
            d,
            "demand.csv",
            canteen_id="ribiers",
            week_start="2025-09-02",
            product_id="carotte",
            quantity="12",
        ),
        "demand.csv",
        2,
        "week_start",
        "2025-09-02",
        "is not a Monday",
        1,
    ),
    (
        "reference_offer_unknown_product",
        lambda d: append(
            d,
            "reference_offers.csv",
            supplier_id="grossiste",
            product_id="pomme",
            price_eur_per_unit="2",
        ),
        "reference_offers.csv",
        5,
        "product_id",
        "pomme",
        "unknown product 'pomme'",
        1,
    ),
    (
        "unknown_kitchen",
        lambda d: edit(d, "canteens.csv", 3, kitchen_id="sisteron"),
        "canteens.csv",
        3,
        "kitchen_id",
        "sisteron",
        "unknown kitchen 'sisteron'",
        1,
    ),
    (
        "kitchen_is_a_satellite",
        lambda d: append(
            d,
            "canteens.csv",
            id="mison",
            name="École de Mison",
            lat="44.26",
            lon="5.86",
            management="satellite",
            kitchen_id="ribiers",
            meals_elementaire="30",
        ),
        "canteens.csv",
        4,
        "kitchen_id",
        "ribiers",
        "kitchen 'ribiers' is itself a satellite of 'sisteron-cc'",
        1,
    ),
    (
        "unknown_reference_supplier",
        lambda d: edit(d, "canteens.csv", 2, reference_supplier_id="grosiste"),
        "canteens.csv",
        2,
        "reference_supplier_id",
        "grosiste",
        "unknown reference supplier 'grosiste', no such supplier_id in reference_offers.csv "
        "(did you mean 'grossiste'?)",
        1,
    ),
    (
        "unknown_menu_cycle",
        lambda d: edit(d, "canteens.csv", 2, menu_cycle_id="hiver"),
        "canteens.csv",
        2,
        "menu_cycle_id",
        "hiver",
        "unknown menu cycle 'hiver'",
        1,
    ),
    (
        "vans_of_unknown_platform",
        lambda d: edit(d, "vans.csv", 2, platform_id="gap"),
        "vans.csv",
        2,
        "platform_id",
        "gap",
        "unknown platform",
        # and the platform is left with no van while ribiers is on the round
        2,
    ),
    # ---- demand and fallback
    (
        "no_reference_price",
        lambda d: delete_row(d, "reference_offers.csv", 4),
        "menu.csv",
        3,
        "product_id",
        "yaourt",
        "no reference price for 'yaourt' at grossiste, yet kitchen(s) sisteron-cc eat it",
        1,
    ),
    (
        "no_reference_price_direct_demand",
        _yaourt_only_in_direct_demand,
        "demand.csv",
        2,
        "product_id",
        "yaourt",
        "no reference price for 'yaourt'",
        1,
    ),
    (
        "canteen_without_meals",
        lambda d: edit(
            d, "canteens.csv", 3, meals_maternelle="0", meals_elementaire="0", meals_adulte="0"
        ),
        "canteens.csv",
        3,
        "meals_elementaire",
        "0",
        "the canteen serves no meals",
        1,
    ),
    (
        "menu_weeks_not_contiguous",
        lambda d: edit(d, "menu.csv", 8, week="3"),
        "menu.csv",
        8,
        "week",
        "3",
        "weeks must run 1..N with none missing (missing: 2)",
        1,
    ),
    (
        "service_days_without_any_menu",
        lambda d: edit(d, "canteens.csv", 3, service_weekdays="wed;sat"),
        "canteens.csv",
        3,
        "service_weekdays",
        "wed;sat",
        "none of the service days has a menu in cycle 'default'",
        1,
    ),
    (
        "default_cycle_missing",
        _rename_the_only_cycle,
        "canteens.csv",
        3,
        "menu_cycle_id",
        "",
        "eats the default menu cycle 'default'",
        1,
    ),
    (
        "platform_without_van",
        lambda d: delete_row(d, "vans.csv", 2),
        "platforms.csv",
        2,
        "id",
        "echanges-paysans",
        "the platform has no van",
        1,
    ),
    (
        "round_without_platform",
        _no_platform_but_a_round,
        "canteens.csv",
        3,
        "on_platform_round",
        "yes",
        "on the platform round but there is no platform",
        1,
    ),
    (
        "unknown_canteen_platform",
        _unknown_canteen_platform,
        "canteens.csv",
        3,
        "platform_id",
        "echanges-paysan",
        "unknown platform 'echanges-paysan', not in platforms.csv "
        "(did you mean 'echanges-paysans'?)",
        1,
    ),
    (
        "platform_producer_without_platform",
        _no_platform_but_a_platform_producer,
        "producers.csv",
        3,
        "delivery_modes",
        "platform;self_delivery",
        "delivers via the platform but there is no platform",
        1,
    ),
]


@pytest.mark.parametrize(
    ("defect", "breaks", "file", "row", "column", "value", "fragment", "count"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_broken_variant_reports_file_row_column(
    tiny_copy: Path,
    defect: str,
    breaks: Edit,
    file: str,
    row: int,
    column: str,
    value: str,
    fragment: str,
    count: int,
) -> None:
    """One defect in one cell of tiny is reported at its exact file, row, column and value."""
    breaks(tiny_copy)
    problems = problems_of(tiny_copy)
    shown = "\n".join(str(p) for p in problems)
    assert len(problems) == count, f"{defect}:\n{shown}"
    matching = [
        p
        for p in problems
        if (p.file, p.row, p.column, p.value) == (file, row, column, value)
        and fragment in p.message
    ]
    assert matching, f"{defect}: expected {file}:{row}:{column}={value!r} {fragment!r}\n{shown}"


def test_every_rule_has_a_failing_case() -> None:
    """Each cross-file rule is exercised by at least one broken variant above."""
    names = {c[0] for c in CASES}
    covered = {
        "not_empty": "no_canteen",
        "duplicate_ids": "duplicate_product",
        "unknown_references": "offer_unknown_producer",
        "kitchen_links": "kitchen_is_a_satellite",
        "reference_supplier_links": "unknown_reference_supplier",
        "menu_cycle_links": "unknown_menu_cycle",
        "canteen_meals": "canteen_without_meals",
        "menu_cycle_weeks": "menu_weeks_not_contiguous",
        "service_days_in_menu": "service_days_without_any_menu",
        "reference_prices": "no_reference_price",
        "platform_vans": "platform_without_van",
        "canteen_platform_links": "unknown_canteen_platform",
        "platform_producers": "platform_producer_without_platform",
        "offer_seasons": "offered_out_of_any_season",
    }
    assert {r.__name__ for r in RULES} == set(covered)
    assert set(covered.values()) <= names


def test_tiny_scenario_is_valid(tiny_scenario_dir: Path) -> None:
    """The hand-written tiny scenario has no problem and no warning."""
    scenario, source, problems = collect_scenario_folder(tiny_scenario_dir)
    assert problems == []
    assert validate_scenario(scenario, source) == []
    assert scenario_warnings(scenario, source) == []


def test_bad_siret_cell_is_reported(tiny_copy: Path) -> None:
    """A SIRET that is not 14 digits names its row, the siret column and the value."""
    rows = _read(tiny_copy / "canteens.csv")
    rows[0].append("siret")
    rows[1].append("1234")
    rows[2].append("")
    _write(tiny_copy / "canteens.csv", rows)
    problems = problems_of(tiny_copy)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("canteens.csv", 2, "siret", "1234")
    ]
    assert "14 digits" in problems[0].message


def test_row_and_cross_file_problems_are_reported_together(tiny_copy: Path) -> None:
    """A bad label, a bad window and a menu ingredient with no product come in one error."""
    edit(tiny_copy, "producers.csv", 3, labels="LABEL_ROUGE;IGPP")
    edit(tiny_copy, "canteens.csv", 3, receiving_start_min="11:00")
    edit(tiny_copy, "menu.csv", 5, product_id="carrotte")
    edit(tiny_copy, "offers.csv", 2, producer_id="ferme")
    with pytest.raises(ScenarioError) as err:
        load_scenario(tiny_copy)
    where = {(p.file, p.row, p.column) for p in err.value.problems}
    assert where == {
        ("producers.csv", 3, "labels"),
        ("canteens.csv", 3, "receiving_end_min"),
        ("menu.csv", 5, "product_id"),
        ("offers.csv", 2, "producer_id"),
    }
    assert "IGPP" in str(err.value) and "carrotte" in str(err.value)


def test_a_broken_row_is_not_reported_again_as_unknown(tiny_copy: Path) -> None:
    """An offer of a product whose row failed is not also an 'unknown product'."""
    edit(tiny_copy, "products.csv", 3, family="VIANDE")
    problems = problems_of(tiny_copy)
    assert [(p.file, p.row, p.column) for p in problems] == [("products.csv", 3, "family")]


def test_piece_product_without_mass_is_a_warning(tiny_copy: Path) -> None:
    """A product sold by the piece with no kg_per_unit warns, at its row, without failing."""
    edit(tiny_copy, "products.csv", 4, kg_per_unit="")
    scenario, source, problems = collect_scenario_folder(tiny_copy)
    assert problems == [] and validate_scenario(scenario, source) == []
    warnings = scenario_warnings(scenario, source)
    assert [(w.file, w.row, w.column) for w in warnings] == [("products.csv", 4, "kg_per_unit")]
    load_scenario(tiny_copy)  # warnings never block


def test_satellite_without_kitchen_and_bare_service_day_warn(tiny_copy: Path) -> None:
    """A satellite without kitchen and a service day without menu are warnings."""
    edit(tiny_copy, "canteens.csv", 3, kitchen_id="", reference_supplier_id="grossiste")
    edit(tiny_copy, "canteens.csv", 2, service_weekdays="mon;tue;wed;thu;fri")
    scenario, source, problems = collect_scenario_folder(tiny_copy)
    assert problems == [] and validate_scenario(scenario, source) == []
    got = {(w.row, w.column) for w in scenario_warnings(scenario, source)}
    assert got == {(3, "kitchen_id"), (2, "service_weekdays")}
    assert {r.__name__ for r in WARNING_RULES} == {
        "products_without_mass",
        "satellites_without_kitchen",
        "service_days_without_menu",
    }


def test_direct_demand_canteen_needs_no_menu(tiny_copy: Path) -> None:
    """A canteen that gives its weekly demand directly needs no menu cycle."""
    edit(tiny_copy, "canteens.csv", 3, menu_cycle_id="none-such-cycle")
    append(
        tiny_copy,
        "demand.csv",
        canteen_id="ribiers",
        week_start="2025-09-01",
        product_id="carotte",
        quantity="12",
    )
    problems = problems_of(tiny_copy)
    # the dangling cycle name is still an error, but nothing about its meals or days
    assert [(p.row, p.column) for p in problems] == [(3, "menu_cycle_id")]
    edit(tiny_copy, "canteens.csv", 3, menu_cycle_id="")
    assert problems_of(tiny_copy) == []


# --------------------------------------------------------------------------- JSON and code


def test_json_problems_are_located_by_collection_and_position(tiny_scenario: Scenario) -> None:
    """In JSON, file is the collection and row the 1-based position; all problems at once."""
    data = json.loads(scenario_to_json(tiny_scenario))
    data["producers"][1]["labels"] = ["BIOO"]
    data["menu"][3]["product_id"] = "carrotte"
    data["platforms"][0]["vans"][0]["capacity_kg"] = -1
    with pytest.raises(ScenarioError) as err:
        load_scenario_json(data)
    where = {(p.file, p.row, p.column, p.value) for p in err.value.problems}
    assert where == {
        ("producers", 2, "labels", "BIOO"),
        ("menu", 4, "product_id", "carrotte"),
        ("platforms", 1, "vans[1].capacity_kg", "-1"),
    }


def test_json_with_cross_record_problem_only(tiny_scenario: Scenario) -> None:
    """load_scenario_json runs the cross-record rules too (a duplicate van id)."""
    van = tiny_scenario.platforms[0].vans[0]
    p = tiny_scenario.platforms[0].model_copy(update={"vans": (van, van)})
    broken = tiny_scenario.model_copy(update={"platforms": (p,)})
    with pytest.raises(ScenarioError) as err:
        load_scenario_json(scenario_to_json(broken))
    assert [(x.file, x.row, x.column, x.value) for x in err.value.problems] == [
        ("platforms[1].vans", 2, "id", "van-1")
    ]


def test_json_offer_out_of_any_season(tiny_scenario: Scenario) -> None:
    """An offer with an empty season in JSON is a product offered out of any season."""
    data = json.loads(scenario_to_json(tiny_scenario))
    data["offers"][2]["months"] = []
    with pytest.raises(ScenarioError) as err:
        load_scenario_json(data)
    assert [(p.file, p.row, p.column) for p in err.value.problems] == [("offers", 3, "months")]
    assert "offered out of any season" in err.value.problems[0].message


def test_invalid_json_text_is_a_problem() -> None:
    """Text that is not JSON is one problem, not a traceback."""
    with pytest.raises(ScenarioError, match="not valid JSON"):
        load_scenario_json("{products: [")


def test_scenario_built_in_code_is_located_by_position(tiny_scenario: Scenario) -> None:
    """Without a source map, problems name the collection and 1-based position."""
    offers = (*tiny_scenario.offers, tiny_scenario.offers[0])
    problems = validate_scenario(tiny_scenario.model_copy(update={"offers": offers}))
    assert [(p.file, p.row, p.column) for p in problems] == [("offers", 4, "product_id")]
