"""The fleet file (``racines rounds --vans FILE``) and the rounds options through CLI and API."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from app.examples import rounds_problem_example
from app.fleet_file import read_fleet_csv
from app.main import create_app
from solver.core import ScenarioError

runner = CliRunner()
TINY = Path(__file__).parent.parent / "data" / "scenarios" / "tiny"
DEMO_FLEET = Path(__file__).parents[2] / "scenarios" / "baronnies" / "rounds" / "fleet_ep.csv"
FLEET = (
    "id;capacity_kg;refrigerated;fixed_cost_eur;cost_eur_per_km;shift_start;shift_end;max_trips\n"
    "big;800;yes;90;0,40;05:30;14:00;2\n"
    "small;300;no;40;0,30;06:00;15:00;\n"
)


def test_fleet_file_reads_costs_trips_and_defaults(tmp_path: Path) -> None:
    """Semicolons, decimal commas, empty cells at their defaults, vans based at the depot."""
    path = tmp_path / "fleet.csv"
    path.write_text(FLEET, encoding="utf-8")
    big, small = read_fleet_csv(path, "depot")
    assert (big.id, big.capacity_kg, big.fixed_cost_eur, big.cost_eur_per_km) == (
        "big",
        800.0,
        90.0,
        0.40,
    )
    assert (big.shift_start_s, big.shift_end_s, big.max_shift_s) == (19800, 50400, 30600)
    assert big.max_trips == 2 and big.depot_site_id == "depot" and big.refrigerated
    assert small.max_trips == 1 and not small.refrigerated and small.cost_eur_per_hour == 25.0


def test_demo_fleet_file_reads() -> None:
    """The demo platform's example fleet file (README): refrigerated vans with a fixed cost."""
    vans = read_fleet_csv(DEMO_FLEET, "echanges_paysans_05")
    assert [v.id for v in vans] == ["ep05_van_1", "ep05_van_2"]
    assert all(v.refrigerated and v.fixed_cost_eur > 0 for v in vans)
    assert all(v.depot_site_id == "echanges_paysans_05" for v in vans)


def test_fleet_file_lists_every_bad_cell(tmp_path: Path) -> None:
    """Row, column and value of each bad cell, all at once; duplicates too."""
    path = tmp_path / "fleet.csv"
    path.write_text(
        "id,capacity_kg,refrigerated,fixed_cost_eur,max_trips,shift_start\n"
        "a,500,maybe,-3,0,06:00\n"
        "b,,yes,0,1,25:99\n"
        "c,200,no,0,1,06:00\n"
        "c,200,no,0,1,06:00\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        read_fleet_csv(path, "depot")
    found = {(p.row, p.column) for p in err.value.problems}
    assert found == {
        (2, "refrigerated"),
        (2, "fixed_cost_eur"),
        (2, "max_trips"),
        (3, "capacity_kg"),
        (3, "shift_start"),
        (5, "id"),
    }


def test_rounds_cli_with_fleet_file_reports_fixed_cost(tmp_path: Path) -> None:
    """`racines rounds --vans fleet.csv`: the fixed cost of the vans used is in the output."""
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,producer_id,kitchen_id,kg,day,cold_chain\n"
        "o1,ferme-buech,sisteron-cc,40,2025-09-02,chilled\n"
        "o2,laiterie-mison,ribiers,12,2025-09-02,chilled\n",
        encoding="utf-8",
    )
    fleet = tmp_path / "fleet.csv"
    fleet.write_text(FLEET, encoding="utf-8")
    out = tmp_path / "rounds"
    args = ["rounds", str(orders), str(TINY), "--vans", str(fleet), "--out", str(out)]
    args += ["--time-limit-s", "1", "--objective", "fewest_vans"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "of which fixed 90 EUR" in result.output
    routes = json.loads((out / "routes.json").read_text(encoding="utf-8"))
    assert routes["summary"]["fixed_cost_eur"] == 90.0
    assert {r["vehicle"] for r in routes["routes"]} == {"big"}
    assert routes["check"]["ok"]


def test_rounds_api_objective_fixed_cost_trips_and_cold_room(
    make_settings: Callable[..., Settings],
) -> None:
    """POST /v1/rounds accepts the objective, a fixed cost, trips, reload and a cold room."""
    problem = rounds_problem_example()
    van = {**problem["vehicles"][0], "max_trips": 2}
    van["costs"] = {**van["costs"], "fixed": 70.0}
    problem = {
        **problem,
        "vehicles": [van, {**van, "id": "van-2"}],
        "reload_s": 1200,
        "cold_room": {"capacity_kg": {"chilled": 100}, "max_storage_h": {"chilled": 36}},
    }
    with TestClient(create_app(make_settings())) as client:
        body = {"problem": problem, "time_limit_s": 1, "objective": "fewest_vans"}
        r = client.post("/v1/rounds", json=body)
        assert r.status_code == 200, r.text
        result = r.json()["result"]
        assert result["check"]["ok"]
        assert result["summary"]["fixed_cost_eur"] == 70.0 * result["summary"]["van_days"]
        bad = client.post("/v1/rounds", json={**body, "objective": "fastest"})
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == "objective"
