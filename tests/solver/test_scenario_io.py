"""Scenario folder and JSON I/O: round trips and broken files that must never crash."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from solver.core import Label, Problem, Scenario, ScenarioError, Unit, Weekday
from solver.scenario import (
    collect_scenario_folder,
    load_scenario,
    load_scenario_json,
    parse_months,
    read_scenario_folder,
    scenario_from_json,
    scenario_to_json,
    sniff_delimiter,
    write_scenario_folder,
)


def _problems(folder: Path) -> list[Problem]:
    try:
        load_scenario(folder)
    except ScenarioError as exc:
        return exc.problems
    return []


# --------------------------------------------------------------------------- content


def test_tiny_scenario_content(tiny_scenario: Scenario) -> None:
    """The tiny folder reads into the records written by hand, cell formats included."""
    s = tiny_scenario
    assert [p.id for p in s.products] == ["carotte", "agneau", "yaourt"]
    assert s.product("yaourt").unit is Unit.PIECE
    assert s.product("yaourt").kg_per_unit == 0.125
    assert s.producer("bergerie-sisteron").labels == (Label.LABEL_ROUGE, Label.IGP)
    assert s.producer("ferme-buech").pickup_start_min == 7 * 60
    carotte = s.offers[0]
    assert carotte.months == (6, 7, 8, 9, 10, 11)
    assert carotte.capacity_in_month(11) == 40 and carotte.capacity_in_month(9) == 80
    assert s.offers[2].months == (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)
    assert s.canteen("ribiers").purchasing_kitchen_id == "sisteron-cc"
    assert s.canteen("ribiers").on_platform_round is True
    assert [c.id for c in s.kitchens()] == ["sisteron-cc"]
    assert {m.weekday for m in s.menu} == {Weekday.MON, Weekday.TUE, Weekday.THU, Weekday.FRI}
    assert s.reference_offers[0].labels == ()  # "none" = no label
    assert [v.id for v in s.platforms[0].vans] == ["van-1"]
    assert s.settings.horizon_weeks == 2


# --------------------------------------------------------------------------- round trips


def test_folder_round_trip(tiny_scenario: Scenario, tmp_path: Path) -> None:
    """read -> write -> read gives an equal scenario, and writing again gives the same bytes."""
    first = write_scenario_folder(tiny_scenario, tmp_path / "a")
    again = load_scenario(first)
    assert again == tiny_scenario
    second = write_scenario_folder(again, tmp_path / "b")
    for f in sorted(first.iterdir()):
        assert (second / f.name).read_bytes() == f.read_bytes(), f.name


def test_folder_round_trip_keeps_direct_demand(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """demand.csv survives a round trip (optional files are written when not empty)."""
    folder = Path(shutil.copytree(tiny_scenario_dir, tmp_path / "t"))
    (folder / "demand.csv").write_text(
        "canteen_id,week_start,product_id,quantity\nribiers,2025-09-08,carotte,12.5\n",
        encoding="utf-8",
    )
    s = load_scenario(folder)
    assert s.direct_demand[0].quantity == 12.5
    assert load_scenario(write_scenario_folder(s, tmp_path / "out")) == s


def test_json_round_trip(tiny_scenario: Scenario) -> None:
    """to JSON -> from JSON gives an equal scenario, with and without validation."""
    text = scenario_to_json(tiny_scenario)
    assert scenario_from_json(text) == tiny_scenario
    assert load_scenario_json(text) == tiny_scenario


def test_read_scenario_folder_still_raises_on_row_problems(tiny_copy: Path) -> None:
    """read_scenario_folder raises a ScenarioError on a bad cell, as before."""
    text = (tiny_copy / "products.csv").read_text(encoding="utf-8")
    (tiny_copy / "products.csv").write_text(text.replace(",kg,", ",kilo,", 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_scenario_folder(tiny_copy)
    assert [(p.file, p.row, p.column, p.value) for p in err.value.problems] == [
        ("products.csv", 2, "unit", "kilo")
    ]
    assert "allowed: kg, L, piece" in err.value.problems[0].message


# --------------------------------------------------------------------------- broken files


def test_semicolon_file_with_decimal_commas(tiny_scenario: Scenario, tiny_copy: Path) -> None:
    """A French-Excel file (';' delimiter, decimal commas, BOM) reads like the original."""
    for name in ("offers.csv", "products.csv", "canteens.csv"):
        path = tiny_copy / name
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        for r in rows[1:]:
            for k, cell in enumerate(r):
                if cell.replace(".", "", 1).isdigit() and "." in cell:
                    r[k] = cell.replace(".", ",")
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows(rows)
    text = (tiny_copy / "offers.csv").read_text(encoding="utf-8-sig")
    assert "1,9;" in text and ";0,45;" in text
    assert load_scenario(tiny_copy) == tiny_scenario


def test_comma_in_a_comma_file_is_not_a_decimal(tiny_copy: Path) -> None:
    """In a ',' file a quoted "1,9" price is not read as 1.9: it is reported."""
    path = tiny_copy / "offers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",1.9,", ',"1,9",'), encoding="utf-8")
    assert [(p.row, p.column, p.value) for p in _problems(tiny_copy)] == [
        (2, "price_eur_per_unit", "1,9")
    ]


def test_sniff_delimiter() -> None:
    """The delimiter is the one the header row uses most, quotes aside."""
    assert sniff_delimiter("id;name;family\n") == ";"
    assert sniff_delimiter("id,name,family\n") == ","
    assert sniff_delimiter('\n"a;b;c",name\n') == ","


def test_non_utf8_file_names_the_row(tiny_copy: Path) -> None:
    """A Windows-1252 file is one problem naming the row of the first bad byte."""
    path = tiny_copy / "producers.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    problems = _problems(tiny_copy)
    assert [(p.file, p.row, p.value) for p in problems][0] == ("producers.csv", 2, "0xEB")
    assert "CSV UTF-8" in problems[0].message
    # the producers could not be read, so the offers name producers that do not exist
    assert {p.file for p in problems} == {"producers.csv", "offers.csv"}


def test_missing_header_row(tiny_copy: Path) -> None:
    """A file whose first row is data is reported once as a missing header."""
    path = tiny_copy / "reference_offers.csv"
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(True)[1:]))
    problems = [p for p in _problems(tiny_copy) if p.file == "reference_offers.csv"]
    assert [(p.row, p.column) for p in problems] == [(1, "")]
    assert "missing header row" in problems[0].message


def test_empty_file(tiny_copy: Path) -> None:
    """An empty required file is a problem, not a crash."""
    (tiny_copy / "products.csv").write_text("")
    problems = _problems(tiny_copy)
    assert (problems[0].file, problems[0].row) == ("products.csv", 1)
    assert "file is empty" in problems[0].message


def test_ragged_rows(tiny_copy: Path) -> None:
    """A row with too many cells and one with too few are both reported at their rows."""
    path = tiny_copy / "offers.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] += ",oops"
    lines[2] = "bergerie-sisteron,agneau,16.5"
    path.write_text("\n".join(lines) + "\n")
    got = [(p.file, p.row, p.column) for p in _problems(tiny_copy)]
    assert ("offers.csv", 2, "") in got
    assert ("offers.csv", 3, "weekly_capacity") in got


def test_trailing_separators_and_blank_rows_are_harmless(
    tiny_scenario: Scenario, tiny_copy: Path
) -> None:
    """Excel's trailing empty cells and blank rows do not matter; rows keep their numbers."""
    path = tiny_copy / "menu.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",", lines[1] + ",", "", ",,,,,,,,,,", *lines[2:]]
    path.write_text("\n".join(lines) + "\n")
    assert load_scenario(tiny_copy) == tiny_scenario
    edit_line = path.read_text(encoding="utf-8").splitlines()
    edit_line[5] = edit_line[5].replace("agneau", "agnaeu")  # spreadsheet row 6
    path.write_text("\n".join(edit_line) + "\n")
    assert [(p.row, p.value) for p in _problems(tiny_copy)] == [(6, "agnaeu")]


def test_unknown_and_missing_columns(tiny_copy: Path) -> None:
    """An unknown column and a missing required column are reported on the header row."""
    path = tiny_copy / "vans.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("capacity_kg", "capacity_t"))
    got = {(p.file, p.row, p.column, p.message) for p in _problems(tiny_copy)}
    assert ("vans.csv", 1, "capacity_t", "unknown column") in got
    assert ("vans.csv", 1, "capacity_kg", "required column is missing") in got


def test_missing_files_and_folder(tiny_copy: Path, tmp_path: Path) -> None:
    """Missing required files are listed; a missing folder is one problem."""
    (tiny_copy / "offers.csv").unlink()
    (tiny_copy / "settings.toml").unlink()
    got = {(p.file, p.message) for p in _problems(tiny_copy)}
    assert ("offers.csv", "required file is missing") in got
    assert ("settings.toml", "required file is missing") in got
    with pytest.raises(ScenarioError, match="scenario folder not found"):
        load_scenario(tmp_path / "nowhere")


def test_bad_settings(tiny_copy: Path) -> None:
    """A bad settings value names settings.toml, the key and the value."""
    path = tiny_copy / "settings.toml"
    path.write_text(path.read_text().replace("2025-09-01", "2025-09-02"))
    path.write_text(path.read_text().replace("seed = 0", 'seed = 0\nobjective = "cheap"'))
    got = {(p.file, p.column, p.value) for p in _problems(tiny_copy)}
    assert got == {
        ("settings.toml", "start_date", "2025-09-02"),
        ("settings.toml", "objective", "cheap"),
    }
    path.write_text("name = [unclosed")
    assert "not valid TOML" in _problems(tiny_copy)[0].message


def test_collect_returns_what_it_could_build(tiny_copy: Path) -> None:
    """collect_scenario_folder keeps the good rows and lists the bad ones' problems."""
    path = tiny_copy / "producers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("BIO;FERMIER", "BIO;FERMER"))
    scenario, source, problems = collect_scenario_folder(tiny_copy)
    assert [p.id for p in scenario.producers] == ["ferme-buech", "bergerie-sisteron"]
    assert source.unbuilt["producers"][0]["id"] == "laiterie-mison"
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "labels", "FERMER")]
    assert "unknown label 'FERMER' (allowed: BIO, LABEL_ROUGE" in problems[0].message


def test_parse_months_wraps() -> None:
    """A wrapping season 11-2 is November to February."""
    assert parse_months("11-2") == (11, 12, 1, 2)
    assert parse_months("1-3;9") == (1, 2, 3, 9)


def test_random_byte_damage_never_raises(tiny_scenario_dir: Path, tmp_path: Path) -> None:
    """150 seeded random edits (cut, insert delimiters, quotes, bad bytes) never raise."""
    import random

    from solver.scenario import scenario_warnings, validate_scenario

    originals = {f.name: f.read_bytes() for f in tiny_scenario_dir.iterdir()}
    pieces = [b",", b";", b'"', b"\n", b"\r", b":", b"-", b"9", b" ", b"\xc3\xa9", b"\xff", b"\x00"]
    rng = random.Random(20251123)
    folder = tmp_path / "damaged"
    folder.mkdir()
    for name, data in originals.items():
        (folder / name).write_bytes(data)
    damaged_runs = 0
    damaged: set[str] = set()
    for _ in range(150):
        for name in damaged:  # restore only what the last round damaged (slow disks)
            (folder / name).write_bytes(originals[name])
        damaged = {rng.choice(sorted(originals)) for _ in range(rng.randint(1, 3))}
        for name in damaged:
            f = folder / name
            b = bytearray(f.read_bytes())
            pos = rng.randrange(len(b) + 1)
            op = rng.random()
            if op < 0.4:
                del b[pos : pos + rng.randint(1, 5)]
            elif op < 0.85:
                b[pos:pos] = rng.choice(pieces)
            else:
                del b[pos:]
            f.write_bytes(bytes(b))
        scenario, source, problems = collect_scenario_folder(folder)
        problems += validate_scenario(scenario, source)
        scenario_warnings(scenario, source)
        damaged_runs += bool(problems)
        assert all(isinstance(p, Problem) for p in problems)
    assert damaged_runs > 75  # most edits do break something, and it is reported
