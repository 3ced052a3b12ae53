"""Hostile cells: non-finite numbers, huge or reversed month ranges, bad times, in CSV and JSON.

Each is one problem naming file, row and column, found without expanding anything.
"""

from __future__ import annotations

import csv
import json
import time
import tracemalloc
from pathlib import Path

import pytest

from solver.core import Problem, Scenario, ScenarioError
from solver.scenario import (
    collect_scenario_folder,
    load_scenario,
    parse_months,
    scenario_from_json,
    scenario_to_json,
    validate_scenario,
)

#: Seconds a hostile scenario may take to be refused (the tiny one reads in milliseconds).
FAST_S = 2.0


def _edit(folder: Path, file: str, row: int, **cells: str) -> None:
    """Set ``cells`` of spreadsheet ``row`` (header = 1) of ``file``."""
    path = folder / file
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for col, value in cells.items():
        rows[row - 1][rows[0].index(col)] = value
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _folder_problems(folder: Path) -> tuple[list[Problem], float]:
    """Every problem of ``folder`` (cells, rows, cross-file) and the seconds it took."""
    start = time.perf_counter()
    scenario, source, problems = collect_scenario_folder(folder)
    problems += validate_scenario(scenario, source)
    return problems, time.perf_counter() - start


def _at(problems: list[Problem], file: str, row: int, column: str) -> list[Problem]:
    return [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]


# --------------------------------------------------------------------------- months


def test_huge_month_range_is_refused_before_expansion() -> None:
    """``1-99999999`` raises at once, allocating nothing like 10^8 months."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="months must be 1..12") as err:
            parse_months("1-99999999")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert len(str(err.value)) < 200  # quotes the item, never lists expanded months


def test_wrapping_range_is_november_to_february() -> None:
    """``11-2`` is an explicit wrap over the new year: 11, 12, 1, 2."""
    assert parse_months("11-2") == (11, 12, 1, 2)
    assert parse_months("12-12;1") == (12, 1)


@pytest.mark.parametrize("cell", ["1-99999999", "15-3", "0", "13", "3-", "x-2", "1-2-3"])
def test_bad_months_cell_names_file_row_column(tiny_copy: Path, cell: str) -> None:
    """A bad months cell is one problem at offers.csv, its row, column months, value as typed."""
    _edit(tiny_copy, "offers.csv", 3, months=cell)
    problems, seconds = _folder_problems(tiny_copy)
    assert seconds < FAST_S
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("offers.csv", 3, "months", cell)
    ]
    assert "1..12" in problems[0].message
    assert "99999998" not in problems[0].message and len(problems[0].message) < 200


def test_wrapping_months_cell_is_read(tiny_copy: Path) -> None:
    """An offer sold ``11-2`` is in season November to February."""
    _edit(tiny_copy, "offers.csv", 3, months="11-2")
    assert load_scenario(tiny_copy).offers[1].months == (1, 2, 11, 12)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("cell", ["inf", "-inf", "nan", "1e999", "Infinity"])
@pytest.mark.parametrize(
    ("file", "row", "column"),
    [
        ("offers.csv", 2, "price_eur_per_unit"),
        ("offers.csv", 2, "weekly_capacity"),
        ("reference_offers.csv", 2, "price_eur_per_unit"),
        ("vans.csv", 2, "capacity_kg"),
        ("canteens.csv", 2, "budget_eur_per_meal"),
        ("canteens.csv", 3, "storage_chilled_kg"),
        ("menu.csv", 2, "served_g_adulte"),
    ],
)
def test_non_finite_number_cell_names_file_row_column(
    tiny_copy: Path, file: str, row: int, column: str, cell: str
) -> None:
    """inf, nan and 1e999 in a price, capacity or budget cell are refused at that cell."""
    _edit(tiny_copy, file, row, **{column: cell})
    problems, seconds = _folder_problems(tiny_copy)
    assert seconds < FAST_S
    found = _at(problems, file, row, column)
    assert [p.value for p in found] == [cell], problems
    assert "not a finite number" in found[0].message


def test_non_finite_capacity_by_month_is_refused(tiny_copy: Path) -> None:
    """A monthly capacity ``11:inf`` is a problem of the capacity_by_month cell."""
    _edit(tiny_copy, "offers.csv", 2, capacity_by_month="10:60;11:inf")
    problems, _ = _folder_problems(tiny_copy)
    found = _at(problems, "offers.csv", 2, "capacity_by_month")
    assert [p.value for p in found] == ["10:60;11:inf"]
    assert "not a finite number" in found[0].message


@pytest.mark.parametrize("cell", ["inf", "-inf", "nan", "1e999", "1e300", "99:99"])
def test_bad_time_cell_is_a_problem_not_a_crash(tiny_copy: Path, cell: str) -> None:
    """A time cell ``inf`` (an OverflowError in int()) is a located problem, never an exception."""
    _edit(tiny_copy, "canteens.csv", 2, receiving_start_min=cell)
    problems, _ = _folder_problems(tiny_copy)
    found = _at(problems, "canteens.csv", 2, "receiving_start_min")
    assert [p.value for p in found] == [cell], problems


def test_non_finite_settings_value_is_refused(tiny_copy: Path) -> None:
    """TOML allows ``inf`` and ``nan``; settings refuse them, naming the key."""
    path = tiny_copy / "settings.toml"
    path.write_text(path.read_text(encoding="utf-8") + "time_limit_s = inf\n", encoding="utf-8")
    problems, _ = _folder_problems(tiny_copy)
    assert [(p.file, p.column) for p in problems] == [("settings.toml", "time_limit_s")]
    assert "not a finite number" in problems[0].message


# --------------------------------------------------------------------------- JSON


def _json_problems(data: str) -> list[Problem]:
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as err:
        scenario_from_json(data)
    assert time.perf_counter() - start < FAST_S
    return err.value.problems


@pytest.mark.parametrize("token", ["Infinity", "-Infinity", "NaN", "1e999"])
@pytest.mark.parametrize(
    ("collection", "index", "field"),
    [
        ("offers", 0, "price_eur_per_unit"),
        ("offers", 1, "weekly_capacity"),
        ("canteens", 0, "budget_eur_per_meal"),
        ("reference_offers", 2, "price_eur_per_unit"),
    ],
)
def test_json_non_finite_number_is_refused(
    tiny_scenario: Scenario, collection: str, index: int, field: str, token: str
) -> None:
    """A posted scenario gets the same check: the field is named by collection and position."""
    data = json.loads(scenario_to_json(tiny_scenario))
    data[collection][index][field] = "@@"
    text = json.dumps(data).replace('"@@"', token)
    problems = _json_problems(text)
    assert [(p.file, p.row, p.column) for p in problems] == [(collection, index + 1, field)]
    assert "not a finite number" in problems[0].message


def test_json_non_finite_van_capacity_and_monthly_capacity(tiny_scenario: Scenario) -> None:
    """Nested numbers too: a van's capacity and an offer's monthly capacity."""
    data = json.loads(scenario_to_json(tiny_scenario))
    data["platforms"][0]["vans"][0]["capacity_kg"] = float("inf")
    data["offers"][0]["capacity_by_month"] = [[10, 60], [11, float("nan")]]
    problems = _json_problems(json.dumps(data))
    assert {(p.file, p.row, p.column) for p in problems} == {
        ("platforms", 1, "vans[1].capacity_kg"),
        ("offers", 1, "capacity_by_month"),
    }


def test_json_huge_month_is_refused_without_listing(tiny_scenario: Scenario) -> None:
    """``months: [1, 99999999]`` is one problem at offers/1/months; the message stays short."""
    data = json.loads(scenario_to_json(tiny_scenario))
    data["offers"][0]["months"] = [1, 99999999, *range(20, 40)]
    problems = _json_problems(json.dumps(data))
    assert [(p.file, p.row, p.column) for p in problems] == [("offers", 1, "months")]
    assert len(problems[0].message) < 200


# --------------------------------------------------------------------------- rules


def test_far_off_menu_week_is_checked_without_expansion(tiny_copy: Path) -> None:
    """A menu week 999999999 is reported as missing weeks, fast, listing only the first few."""
    _edit(tiny_copy, "menu.csv", 2, week="999999999")
    problems, seconds = _folder_problems(tiny_copy)
    assert seconds < FAST_S
    found = [p for p in problems if p.file == "menu.csv" and p.column == "week"]
    assert len(found) == 1 and "more" in found[0].message and len(found[0].message) < 300
