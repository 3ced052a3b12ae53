"""The CLI's main jobs (plan, propose, rounds) end to end on the tiny scenario, offline."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from solver.reporting import MACANTINE_HEADER, validate_macantine_csv

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "scenarios" / "tiny"
OSM = DATA / "osm" / "mini_baronnies.osm"

runner = CliRunner()

# Nodes of the hand-written road fixture (tests/data/osm/mini_baronnies.osm), lat/lon.
NODES = {
    "ferme-buech": (44.300, 5.800),
    "bergerie-sisteron": (44.200, 5.900),
    "laiterie-mison": (44.250, 5.800),
    "sisteron-cc": (44.200, 5.850),
    "ribiers": (44.240, 5.900),
    "echanges-paysans": (44.190, 5.910),
}


def _rewrite(path: Path, update: dict[str, dict[str, str]]) -> None:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    for row in rows:
        row.update(update.get(row["id"], {}))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture()
def road_scenario(tmp_path: Path) -> Path:
    """The tiny scenario moved onto the fixture's road nodes, with ``source = "road"``."""
    folder = tmp_path / "tiny_road"
    shutil.copytree(TINY, folder)
    shutil.copy(OSM, folder / "roads.osm")
    moved = {k: {"lat": str(lat), "lon": str(lon)} for k, (lat, lon) in NODES.items()}
    for name in ("producers.csv", "canteens.csv", "platforms.csv"):
        _rewrite(folder / name, moved)
    settings = (folder / "settings.toml").read_text(encoding="utf-8")
    settings += '\n[travel]\nsource = "road"\nroad_file = "roads.osm"\n'
    (folder / "settings.toml").write_text(settings, encoding="utf-8")
    return folder


def _plan(scenario: Path, out: Path) -> dict[str, object]:
    args = ["plan", str(scenario), "--out", str(out), "--weeks", "1", "--time-limit-s", "10"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert isinstance(summary, dict)
    return summary


def test_plan_on_the_estimate_says_so(tmp_path: Path) -> None:
    """`racines plan` writes every output and labels the drive times as estimated."""
    summary = _plan(TINY, tmp_path / "out")
    assert summary["travel_estimated"] is True
    assert str(summary["travel_source"]).startswith("estimate(")
    check = json.loads((tmp_path / "out" / "check.json").read_text(encoding="utf-8"))
    assert check["ok"] is True and check["violations"] == []
    names = ("purchase_plan.csv", "purchase_plan.xlsx", "indicators.csv", "explanations.csv")
    for name in (*names, "macantine_achats.csv"):
        assert (tmp_path / "out" / name).is_file(), name


def test_plan_outputs_state_their_provenance(tmp_path: Path) -> None:
    """Every CSV `racines plan` writes has a provenance column saying synthetic and estimated,
    but the ma-cantine file, which keeps its import format and gets a companion file."""
    _plan(TINY, tmp_path / "out")
    out = tmp_path / "out"
    csvs = sorted(out.rglob("*.csv"))
    assert len(csvs) > 5
    for path in csvs:
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.name == "macantine_achats.csv":
            assert lines[0].split(",") == MACANTINE_HEADER
            continue
        assert lines[0].split(",")[-1] == "provenance", path
        assert all("SYNTHETIC" in ln and "ESTIMATED" in ln for ln in lines[1:]), path
    problems = validate_macantine_csv(out / "macantine_achats.csv")
    assert [p for p in problems if not p.endswith("no data row")] == []  # tiny: no SIRET
    note = (out / "macantine_achats.provenance.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in note and "ESTIMATED" in note


def test_plan_uses_a_road_file_with_no_other_change(road_scenario: Path, tmp_path: Path) -> None:
    """Given a road file in settings, the same command routes on it and says which source."""
    summary = _plan(road_scenario, tmp_path / "out")
    assert summary["travel_estimated"] is False
    assert str(summary["travel_source"]).startswith("road")
    check = json.loads((tmp_path / "out" / "check.json").read_text(encoding="utf-8"))
    assert check["ok"] is True


def test_propose_for_a_satellite_plans_its_kitchen(tmp_path: Path) -> None:
    """A cook's proposal for a satellite is made for the central kitchen that buys for it."""
    out = tmp_path / "prop"
    result = runner.invoke(
        cli, ["propose", "--canteen", "ribiers", str(TINY), "--weeks", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["kitchens"] == ["sisteron-cc"]


def test_propose_unknown_canteen_is_a_clear_error() -> None:
    """An unknown canteen id exits 1 naming the id, with no traceback."""
    result = runner.invoke(cli, ["propose", "--canteen", "nowhere", str(TINY)])
    assert result.exit_code == 1
    assert "nowhere" in result.output and "Traceback" not in result.output


def test_rounds_from_an_orders_csv(tmp_path: Path) -> None:
    """`racines rounds` serves or explains every order and writes routes, map and sheets."""
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,producer_id,kitchen_id,kg,day,cold_chain\n"
        "o1,ferme-buech,sisteron-cc,40,2025-09-02,chilled\n"
        "o2,laiterie-mison,ribiers,12,2025-09-02,chilled\n"
        "o3,laiterie-mison,sisteron-cc,5000,2025-09-02,chilled\n",
        encoding="utf-8",
    )
    out = tmp_path / "rounds"
    args = ["rounds", str(orders), str(TINY), "--out", str(out), "--time-limit-s", "1"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    routes = json.loads((out / "routes.json").read_text(encoding="utf-8"))
    served = {o for r in routes["routes"] for s in r["steps"] for o in s.get("orders", [])}
    unassigned = {u["id"]: u["reasons"][0]["code"] for u in routes["unassigned"]}
    assert served | set(unassigned) == {"o1", "o2", "o3"}
    assert unassigned.get("o3") == "DEMAND_EXCEEDS_VEHICLE_CAPACITY"
    assert (out / "map.html").is_file() and (out / "routes.geojson").is_file()


def test_rounds_bad_orders_name_row_and_column(tmp_path: Path) -> None:
    """A bad orders file lists every bad cell (row, column, value) and exits 1."""
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,producer_id,kitchen_id,kg,day\n"
        "o1,ferme-inconnue,sisteron-cc,40,2025-09-02\n"
        "o2,ferme-buech,sisteron-cc,-3,2025-13-02\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["rounds", str(orders), str(TINY), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    for fragment in ("producer_id", "ferme-inconnue", "kg", "day"):
        assert fragment in result.output


def test_territory_plan_reports_a_best_plan_so_far() -> None:
    """While the rounds and the re-solve run, progress carries the first plan as partial."""
    from app import services
    from solver.core import SolveParams

    calls: list[tuple[float, str, object]] = []
    scenario = services.load_scenario(TINY)
    services.plan_territory(
        scenario,
        params=SolveParams(time_limit_s=10),
        weeks=1,
        base_dir=TINY,
        progress=lambda f, m, partial=None: calls.append((f, m, partial)),
    )
    partials = [p for _, _, p in calls if p is not None]
    assert partials, "no partial result reported"
    first = partials[0]
    assert isinstance(first, dict) and first["partial"] is True
    assert first["purchase_plan"], "the partial plan has no lines"
    fractions = [f for f, _, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_demand_csv_states_synthetic_data(tmp_path: Path) -> None:
    """`racines demand --csv` on a synthetic scenario says so on every row."""
    out = tmp_path / "demand.csv"
    result = runner.invoke(cli, ["demand", str(TINY), "--weeks", "1", "--csv", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["provenance"].startswith("SYNTHETIC") for r in rows)
