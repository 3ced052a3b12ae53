"""Rounds engine: optimum on tiny cases, reason codes, shared stops, days, cross-dock, own trips."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from solver.rounds import (
    Order,
    ReasonCode,
    RoundsProblem,
    problem_from_json,
    problem_to_json,
    solve_own_trips,
    solve_rounds,
)

try:
    from tests.solver.routing_fixtures import H, brute_force_optimum, problem, site, van
except ImportError:  # tests/solver is not a package: pytest puts this folder on sys.path
    from routing_fixtures import H, brute_force_optimum, problem, site, van  # type: ignore

LIMIT = 0.5


def _total_m(res) -> int:
    return sum(r.distance_m for r in res.routes)


def _reasons(res) -> dict[str, str]:
    return {u.order_id: str(u.reason_code) for u in res.unassigned}


def test_single_van_two_orders_matches_brute_force() -> None:
    """One van, two farm->kitchen orders with windows: the route is the enumerated optimum."""
    sites = [
        site("D", "depot", 0, 0),
        site("F1", "farm", 10, 0, (7 * H, 12 * H), 300),
        site("F2", "farm", 0, 12, (6 * H, 9 * H), 300),
        site("K1", "kitchen", 14, 10, (9 * H, 11 * H), 600),
        site("K2", "kitchen", -6, 8, (8 * H, 12 * H), 600),
    ]
    orders = [
        Order("a", "F1", "K1", 80, day="TUE", service_s_per_kg=2),
        Order("b", "F2", "K2", 60, day="TUE", service_s_per_kg=2),
    ]
    p = problem(sites, orders, [van("V1")])
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    assert res.status == "ALL_SERVED"
    assert _total_m(res) == brute_force_optimum(p)


def test_two_vans_capacity_split_matches_brute_force() -> None:
    """Three orders that cannot ride one van together: split across two vans optimally."""
    sites = [
        site("D", "depot", 0, 0),
        site("F1", "farm", 8, 2),
        site("F2", "farm", -7, 3),
        site("K1", "kitchen", 5, 9, (8 * H, 12 * H), 300),
        site("K2", "kitchen", -4, 10, (8 * H, 12 * H), 300),
    ]
    orders = [
        Order("a", "F1", "K1", 150, day="TUE"),
        Order("b", "F2", "K2", 150, day="TUE"),
        Order("c", "F1", "K2", 150, day="TUE"),
    ]
    p = problem(sites, orders, [van("V1", 250), van("V2", 320)])
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    assert not res.unassigned
    assert _total_m(res) == brute_force_optimum(p)


def test_cold_chain_uses_refrigerated_van_at_optimum() -> None:
    """A frozen order only rides the refrigerated van, and the plan is still optimal."""
    sites = [
        site("D", "depot", 0, 0),
        site("F1", "farm", 6, 0),
        site("F2", "farm", -6, 0),
        site("K1", "kitchen", 6, 6),
        site("K2", "kitchen", -6, 6),
    ]
    orders = [
        Order("ice", "F1", "K2", 40, cold_chain="frozen", day="TUE"),
        Order("veg", "F2", "K1", 40, day="TUE"),
    ]
    vans = [van("cold", 100, refrigerated=True), van("dry", 100, refrigerated=False)]
    p = problem(sites, orders, vans)
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    on = {o: r.vehicle_id for r in res.routes for s in r.steps for o in s.order_ids}
    assert on["ice"] == "cold"
    assert _total_m(res) == brute_force_optimum(p)


def test_shared_stop_pays_fixed_service_once() -> None:
    """Two orders from the same farm to the same kitchen share one pickup and one delivery step."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 5, 0, service_s=600),
        site("K", "kitchen", 5, 5, (8 * H, 12 * H), 900),
    ]
    orders = [
        Order("a", "F", "K", 30, day="TUE", service_s_per_kg=2),
        Order("b", "F", "K", 20, day="TUE", service_s_per_kg=2),
    ]
    p = problem(sites, orders, [van("V1")])
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    (route,) = res.routes
    pickups = [s for s in route.steps if s.type == "pickup"]
    deliveries = [s for s in route.steps if s.type == "delivery"]
    assert len(pickups) == 1 and set(pickups[0].order_ids) == {"a", "b"}
    assert len(deliveries) == 1 and set(deliveries[0].order_ids) == {"a", "b"}
    assert pickups[0].service_s == 600 + 60 + 40  # fixed once + 2 s/kg * 50 kg
    assert deliveries[0].service_s == 900 + 100
    assert deliveries[0].load_kg == 0.0 and pickups[0].load_kg == 50.0


def _one_order(order: Order, vans, sites=None, **kw) -> RoundsProblem:
    sites = sites or [
        site("D", "depot", 0, 0),
        site("F", "farm", 10, 0, (7 * H, 10 * H)),
        site("K", "kitchen", 10, 10, (9 * H, 11 * H)),
    ]
    return problem(sites, [order], vans, **kw)


def test_reason_capacity() -> None:
    """An order heavier than every van is DEMAND_EXCEEDS_VEHICLE_CAPACITY with the kg numbers."""
    p = _one_order(Order("big", "F", "K", 900, day="TUE"), [van("V", 500), van("W", 600)])
    res = solve_rounds(p, time_limit_s=LIMIT)
    (u,) = res.unassigned
    assert u.reason_code == ReasonCode.DEMAND_EXCEEDS_VEHICLE_CAPACITY
    assert u.numbers == {"kg": 900, "capacity_kg": 600}
    assert res.check is not None and res.check.ok


def test_reason_no_refrigerated_van() -> None:
    """A chilled order with only non-refrigerated vans is NO_REFRIGERATED_VAN."""
    p = _one_order(
        Order("milk", "F", "K", 20, cold_chain="chilled", day="TUE"),
        [van("V", refrigerated=False)],
    )
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert _reasons(res) == {"milk": "NO_REFRIGERATED_VAN"}
    assert res.unassigned[0].numbers["refrigerated_vans"] == 0


def test_reason_time_window() -> None:
    """A kitchen window closing before the farm opens plus the drive is TIME_WINDOW."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 10, 0, (10 * H, 12 * H)),
        site("K", "kitchen", 10, 10, (8 * H, 10 * H)),
    ]
    p = _one_order(Order("late", "F", "K", 20, day="TUE"), [van("V")], sites=sites)
    res = solve_rounds(p, time_limit_s=LIMIT)
    (u,) = res.unassigned
    assert u.reason_code == ReasonCode.TIME_WINDOW
    assert u.numbers["delivery_arrival_s"] > u.numbers["delivery_tw_end_s"] == 10 * H


def test_reason_shift_duration() -> None:
    """An order that alone needs more than the max shift is SHIFT_DURATION with the durations."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 100, 0),
        site("K", "kitchen", 100, 100),
    ]
    p = _one_order(Order("far", "F", "K", 20, day="TUE"), [van("V", max_shift_s=2 * H)], sites)
    res = solve_rounds(p, time_limit_s=LIMIT)
    (u,) = res.unassigned
    assert u.reason_code == ReasonCode.SHIFT_DURATION
    assert u.numbers["duration_s"] > u.numbers["max_shift_s"] == 2 * H


def test_reason_unreachable_and_catchment() -> None:
    """A site with no road link is UNREACHABLE; one beyond the catchment is OUT_OF_CATCHMENT."""
    p = _one_order(Order("o", "F", "K", 20, day="TUE"), [van("V")])
    sec = p.matrix_seconds.copy()
    sec[:, 2] = -1
    sec[2, :] = -1
    sec[2, 2] = 0
    cut = RoundsProblem(p.sites, p.orders, p.vehicles, sec, p.matrix_metres)
    assert _reasons(solve_rounds(cut, time_limit_s=LIMIT)) == {"o": "UNREACHABLE"}
    far = _one_order(Order("o", "F", "K", 20, day="TUE"), [van("V")], catchment_s=600)
    res = solve_rounds(far, time_limit_s=LIMIT)
    assert _reasons(res) == {"o": "OUT_OF_CATCHMENT"}
    assert res.unassigned[0].numbers["drive_s"] > 600


def test_reason_fleet_full_and_no_round_day() -> None:
    """Two orders that each fit alone but not together on one van: one is FLEET_FULL."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 10, 0, (7 * H, 8 * H)),
        site("K", "kitchen", 10, 10, (8 * H, 9 * H)),
    ]
    orders = [
        Order("a", "F", "K", 80, day="TUE"),
        Order("b", "F", "K", 70, day="TUE"),
        Order("c", "F", "K", 10, day="SUN"),
    ]
    p = problem(sites, orders, [van("V", 100)], days=("TUE", "THU"))
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert _reasons(res) == {"b": "FLEET_FULL", "c": "NO_ROUND_ON_DAY"}
    assert res.check is not None and res.check.ok
    assert res.status == "PARTIAL"


def test_days_solved_separately() -> None:
    """Orders of two days give one route per day; a van is reused on each day."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 5, 0),
        site("K", "kitchen", 5, 5),
    ]
    orders = [Order("tue", "F", "K", 90, day="TUE"), Order("thu", "F", "K", 90, day="THU")]
    res = solve_rounds(problem(sites, orders, [van("V", 100)]), time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok
    assert sorted(r.day for r in res.routes) == ["THU", "TUE"]
    assert res.summary.vans_used == 1 and res.summary.routes == 2


def test_cross_dock_two_phases() -> None:
    """Cross-dock: farms -> depot collection, then depot -> kitchens delivery after the drop."""
    sites = [
        site("D", "depot", 0, 0),
        site("F1", "farm", 10, 0, (6 * H, 10 * H), 300),
        site("F2", "farm", 0, 10, (6 * H, 10 * H), 300),
        site("K1", "kitchen", -10, 0, (9 * H, 12 * H), 300),
        site("K2", "kitchen", 0, -10, (9 * H, 12 * H), 300),
    ]
    orders = [
        Order("a", "F1", "K1", 50, day="TUE", service_s_per_kg=1),
        Order("b", "F2", "K2", 50, cold_chain="chilled", day="TUE", service_s_per_kg=1),
    ]
    p = problem(sites, orders, [van("V1"), van("V2")])
    res = solve_rounds(p, time_limit_s=1.0, mode="cross_dock")
    assert res.check is not None and res.check.ok, res.check
    assert {r.phase for r in res.routes} == {"collection", "delivery"}
    assert not res.unassigned
    drops = {
        o: s.departure_s
        for r in res.routes
        if r.phase == "collection"
        for s in r.steps
        if s.type == "delivery"
        for o in s.order_ids
    }
    for r in res.routes:
        if r.phase == "delivery":
            for s in r.steps:
                if s.type == "pickup":
                    assert s.site_id == "D"
                    assert all(s.arrival_s + s.waiting_s >= drops[o] for o in s.order_ids)


def test_own_trips_split_when_detour_exceeds_max_drive() -> None:
    """Two kitchens each within max drive of the farm, but not in a chain: two separate trips."""
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 0, 0.5),
        site("K1", "kitchen", 12, 0.5),
        site("K2", "kitchen", -12, 0.5),
        site("K3", "kitchen", 0, 40),
    ]
    orders = [
        Order("a", "F", "K1", 20, day="TUE"),
        Order("b", "F", "K2", 20, day="TUE"),
        Order("far", "F", "K3", 20, day="TUE"),
    ]
    p = problem(sites, orders, [van("V")])
    res = solve_own_trips(p, farm_site_id="F", max_drive_s=1000, time_limit_s=1.0)
    assert res.check is not None and res.check.ok, res.check
    assert _reasons(res) == {"far": "MAX_DRIVE"}
    assert len(res.routes) == 2  # K1 and K2 are 24 km apart: 1,600 s > 1,000 s in one chain
    assert all(r.steps[0].site_id == "F" for r in res.routes)


def test_problem_json_roundtrip_and_validation() -> None:
    """from_json(to_json()) is lossless; a bad reference names the order and the field."""
    p = _one_order(Order("o", "F", "K", 20, day="TUE"), [van("V")])
    q = problem_from_json(problem_to_json(p))
    assert problem_to_json(q) == problem_to_json(p)
    np.testing.assert_array_equal(q.matrix_seconds, p.matrix_seconds)
    data = problem_to_json(p)
    data["shipments"][0]["pickup"]["site"] = "nowhere"
    with pytest.raises(ValueError, match="order 'o': pickup_site_id 'nowhere'"):
        problem_from_json(data)
    del data["shipments"][0]["amount_kg"]
    with pytest.raises(ValueError, match=r"shipments\[0\]: missing field 'amount_kg'"):
        problem_from_json(data)


def test_vehicle_from_domain_van() -> None:
    """A domain Van (minutes) maps to a Vehicle in seconds with the same costs and flags."""
    from solver.core import Van
    from solver.rounds import vehicle_from_van

    v = vehicle_from_van(
        Van(id="v1", capacity_kg=800, refrigerated=False, shift_start_min=360), "depot"
    )
    assert (v.capacity_kg, v.refrigerated, v.shift_start_s, v.depot_site_id) == (
        800,
        False,
        6 * H,
        "depot",
    )
    assert v.max_shift_s == 9 * H and v.shift_end_s == 15 * H


def test_max_shift_binds_across_orders() -> None:
    """Two orders that each fit the max shift alone but not together: one is FLEET_FULL."""
    sites = [
        site("D", "depot", 0, 0),
        site("F1", "farm", 20, 0),
        site("K1", "kitchen", 20, 5),
        site("F2", "farm", -20, 0),
        site("K2", "kitchen", -20, 5),
    ]
    orders = [Order("east", "F1", "K1", 10, day="TUE"), Order("west", "F2", "K2", 10, day="TUE")]
    # alone: about 20 + 5 + 20.6 km = 45.6 km = 3,040 s; both: about 5,800 s > 4,000 s
    p = problem(sites, orders, [van("V", max_shift_s=4000)])
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    assert list(_reasons(res).values()) == ["FLEET_FULL"]
    assert res.routes[0].duration_s <= 4000


def test_no_vehicle_is_explained() -> None:
    """A request without vans returns every order as NO_VEHICLE instead of failing."""
    p = _one_order(Order("o", "F", "K", 20, day="TUE"), [])
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert _reasons(res) == {"o": "NO_VEHICLE"} and not res.routes
    assert res.check is not None and res.check.ok


def test_from_json_bad_value_names_item() -> None:
    """A non-numeric kg in the input is reported with the shipment index and the value."""
    data = problem_to_json(_one_order(Order("o", "F", "K", 20, day="TUE"), [van("V")]))
    data["shipments"][0]["amount_kg"] = "lots"
    with pytest.raises(ValueError, match=r"shipments\[0\]: invalid value .*'lots'"):
        problem_from_json(data)


def test_importing_rounds_does_not_load_pyvrp() -> None:
    """The rounds' types, JSON and schedule import without PyVRP; only a solve loads it."""
    code = "import sys, solver.rounds; print('pyvrp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
