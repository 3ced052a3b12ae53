"""Rounds outputs: VROOM-like JSON, GeoJSON, folium map with offline fallback, round sheets."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest

from solver.evaluation import check_rounds
from solver.reporting import to_geojson, to_json, to_map_html, write_round_sheets
from solver.rounds import Order, solve_rounds

try:
    from tests.solver.routing_fixtures import H, problem, site, van
except ImportError:  # tests/solver is not a package: pytest puts this folder on sys.path
    from routing_fixtures import H, problem, site, van  # type: ignore


@pytest.fixture(scope="module")
def plan():
    """One van, two orders at one farm, one order too heavy (unassigned)."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 6, 0, (7 * H, 12 * H), 300),
        site("K1", "kitchen", 6, 6, (8 * H, 12 * H), 300),
        site("K2", "kitchen", 0, 6, (8 * H, 12 * H), 300),
    ]
    orders = [
        Order("a", "F", "K1", 30, day="TUE", service_s_per_kg=1),
        Order("b", "F", "K2", 20, day="TUE", service_s_per_kg=1),
        Order("huge", "F", "K2", 2000, day="TUE"),
    ]
    p = problem(sites, orders, [van("V1", 100, co2_kg_per_km=0.25)])
    return p, solve_rounds(p, time_limit_s=0.3)


def test_json_shape(plan) -> None:
    """Routes -> steps carry type, orders, arrival, load and cumulative distance; reasons."""
    _, res = plan
    out = json.loads(json.dumps(to_json(res)))
    (route,) = out["routes"]
    types = [s["type"] for s in route["steps"]]
    assert types[0] == "start" and types[-1] == "end"
    assert {"arrival", "load", "distance", "duration", "orders"} <= set(route["steps"][1])
    dists = [s["distance"] for s in route["steps"]]
    assert dists == sorted(dists) and dists[-1] == route["distance"]
    assert route["steps"][-1]["load"] == [0.0]
    (u,) = out["unassigned"]
    assert u["id"] == "huge"
    assert u["reasons"][0]["code"] == "DEMAND_EXCEEDS_VEHICLE_CAPACITY"
    assert u["reasons"][0]["kg"] == 2000
    assert out["estimated"] is True and out["travel_source"] == "estimate"
    assert out["check"]["ok"] is True
    assert out["summary"]["co2_kg"] == pytest.approx(0.25 * out["summary"]["distance_km"], 0.01)
    assert out["summary"]["kg_delivered"] == 50


def test_json_check_violations_keep_their_keys(plan) -> None:
    """A failed check lists each violation's code, route, order, detail and numbers."""
    p, res = plan
    small = replace(p, vehicles=tuple(replace(v, capacity_kg=10) for v in p.vehicles))
    out = json.loads(json.dumps(to_json(replace(res, check=check_rounds(small, res)))))
    assert out["check"]["ok"] is False
    cap = next(v for v in out["check"]["violations"] if v["code"] == "CAPACITY")
    assert {"code", "route", "order", "detail", "load_kg", "capacity_kg"} <= set(cap)
    assert cap["route"] == "V1@TUE" and cap["capacity_kg"] == 10.0
    assert cap["load_kg"] > 10.0 and "capacity 10" in cap["detail"]


def test_geojson_straight_and_road(plan) -> None:
    """One LineString per route and one Point per stop; legs follow the callback when given."""
    p, res = plan
    gj = to_geojson(res, p)
    lines = [f for f in gj["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in gj["features"] if f["geometry"]["type"] == "Point"]
    assert len(lines) == 1 and len(points) == len(res.routes[0].steps)
    n_legs = sum(
        1
        for a, b in zip(res.routes[0].steps, res.routes[0].steps[1:], strict=False)
        if a.site_id != b.site_id
    )
    assert len(lines[0]["geometry"]["coordinates"]) == n_legs + 1

    def bend(a, b):
        mid = ((a.lon + b.lon) / 2 + 0.01, (a.lat + b.lat) / 2)
        return [(a.lon, a.lat), mid, (b.lon, b.lat)]

    road = to_geojson(res, p, leg_geometry=bend)
    coords = next(f for f in road["features"] if f["geometry"]["type"] == "LineString")
    assert len(coords["geometry"]["coordinates"]) == 2 * n_legs + 1
    assert coords["properties"]["geometry"] == "road"


def test_map_html_offline_fallback(plan, tmp_path) -> None:
    """The map file holds the Leaflet map, popups with times and an inline SVG fallback."""
    p, res = plan
    path = to_map_html(res, p, tmp_path / "map.html", tiles=None)
    text = path.read_text(encoding="utf-8")
    assert "L.polyline" in text or "polyline" in text.lower()
    assert "<svg" in text and "<polyline" in text
    assert "racines-offline" in text
    assert "K1" in text and "load" in text


def test_round_sheets(plan, tmp_path) -> None:
    """One CSV per van and day with HH:MM arrivals, actions, orders and loads."""
    p, res = plan
    (path,) = write_round_sheets(res, p, tmp_path / "sheets")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert path.name == "V1_TUE.csv"
    assert rows[0]["action"] == "leave depot" and rows[-1]["action"] == "back"
    loads = [r for r in rows if r["action"] == "load"]
    assert len(loads) == 1 and set(loads[0]["orders"].split()) == {"a", "b"}
    assert loads[0]["kg"] == "50.0" and loads[0]["load_after_kg"] == "50.0"
    assert all(len(r["arrival"]) == 5 and r["arrival"][2] == ":" for r in rows)
