"""Independent rounds checker: a clean plan passes, injected violations are caught."""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver.evaluation import Report, Violation, check_rounds
from solver.rounds import Order, RoundsResult, Step, solve_rounds

try:
    from tests.solver.routing_fixtures import H, problem, site, van
except ImportError:  # tests/solver is not a package: pytest puts this folder on sys.path
    from routing_fixtures import H, problem, site, van  # type: ignore


@pytest.fixture(scope="module")
def solved():
    """Two vans, three orders (one chilled), solved once for all the injections."""
    sites = [
        site("D", "depot", 0, 0),
        site("F1", "farm", 8, 0, (6 * H, 12 * H), 300),
        site("F2", "farm", -8, 0, (6 * H, 12 * H), 300),
        site("K1", "kitchen", 8, 8, (8 * H, 12 * H), 300),
        site("K2", "kitchen", -8, 8, (8 * H, 12 * H), 300),
    ]
    orders = [
        Order("a", "F1", "K1", 60, day="TUE", service_s_per_kg=1),
        Order("b", "F2", "K2", 60, cold_chain="chilled", day="TUE", service_s_per_kg=1),
        Order("c", "F1", "K2", 60, day="TUE", service_s_per_kg=1),
    ]
    p = problem(sites, orders, [van("V1", 130), van("V2", 130, refrigerated=True)])
    res = solve_rounds(p, time_limit_s=0.5)
    assert res.check is not None and res.check.ok, res.check
    assert not res.unassigned
    return p, res


def _edit_step(res: RoundsResult, route_i: int, step_i: int, **changes) -> RoundsResult:
    routes = list(res.routes)
    steps = list(routes[route_i].steps)
    steps[step_i] = replace(steps[step_i], **changes)
    routes[route_i] = replace(routes[route_i], steps=tuple(steps))
    return replace(res, routes=tuple(routes))


def _first(res: RoundsResult, typ: str) -> tuple[int, int, Step]:
    for i, r in enumerate(res.routes):
        for k, s in enumerate(r.steps):
            if s.type == typ:
                return i, k, s
    raise AssertionError(typ)


def test_clean_plan_passes(solved) -> None:
    """The solver's plan passes the checker when re-checked from scratch."""
    p, res = solved
    assert check_rounds(p, res).ok


def test_catches_capacity(solved) -> None:
    """Shrinking a van's capacity below the carried load raises CAPACITY."""
    p, res = solved
    used = res.routes[0].vehicle_id
    small = tuple(replace(v, capacity_kg=10) if v.id == used else v for v in p.vehicles)
    assert "CAPACITY" in check_rounds(replace(p, vehicles=small), res).codes()


def test_catches_time_window(solved) -> None:
    """Closing a kitchen's window before the van's arrival raises TIME_WINDOW."""
    p, res = solved
    _, _, step = _first(res, "delivery")
    sites = tuple(
        replace(s, tw_start_s=0, tw_end_s=step.arrival_s - 1) if s.id == step.site_id else s
        for s in p.sites
    )
    report = check_rounds(replace(p, sites=sites), res)
    assert "TIME_WINDOW" in report.codes()
    v = next(v for v in report.violations if v.code == "TIME_WINDOW")
    assert v.numbers["tw_end_s"] == step.arrival_s - 1


def test_catches_precedence(solved) -> None:
    """Swapping a route's steps so a delivery comes before its pickup raises PRECEDENCE."""
    p, res = solved
    r = res.routes[0]
    inner = list(r.steps[1:-1])
    swapped = (r.steps[0], *reversed(inner), r.steps[-1])
    routes = (replace(r, steps=swapped), *res.routes[1:])
    codes = check_rounds(p, replace(res, routes=routes)).codes()
    assert "PRECEDENCE" in codes


def test_catches_cold_chain(solved) -> None:
    """Making the van that carries the chilled order non-refrigerated raises COLD_CHAIN."""
    p, res = solved
    carrier = next(r.vehicle_id for r in res.routes for s in r.steps if "b" in s.order_ids)
    vans = tuple(replace(v, refrigerated=False) if v.id == carrier else v for v in p.vehicles)
    assert "COLD_CHAIN" in check_rounds(replace(p, vehicles=vans), res).codes()


def test_catches_missing_order(solved) -> None:
    """An order neither routed nor listed unassigned raises MISSING_ORDER."""
    p, res = solved
    extra = (*p.orders, Order("ghost", "F1", "K1", 5, day="TUE"))
    assert "MISSING_ORDER" in check_rounds(replace(p, orders=extra), res).codes()


def test_catches_same_van_and_wrong_load(solved) -> None:
    """Moving a delivery onto another van's new route raises SAME_VAN and a load violation."""
    p, res = solved
    i, k, step = _first(res, "delivery")
    routes = list(res.routes)
    moved = list(routes[i].steps)
    del moved[k]
    routes[i] = replace(routes[i], steps=tuple(moved))
    other_van = next(v.id for v in p.vehicles if v.id != routes[i].vehicle_id)
    start, end = routes[i].steps[0], routes[i].steps[-1]
    routes.append(replace(routes[i], vehicle_id=other_van, steps=(start, step, end)))
    codes = check_rounds(p, replace(res, routes=tuple(routes))).codes()
    assert "SAME_VAN" in codes
    assert "LOAD_MISMATCH" in codes or "NEGATIVE_LOAD" in codes


def test_catches_shift_and_travel(solved) -> None:
    """A van back after its shift end raises SHIFT_WINDOW; a teleport raises TRAVEL_TIME."""
    p, res = solved
    end_i = len(res.routes[0].steps) - 1
    late = _edit_step(res, 0, end_i, arrival_s=19 * H, departure_s=19 * H)
    assert "SHIFT_WINDOW" in check_rounds(p, late).codes()
    i, k, step = _first(res, "delivery")
    early = _edit_step(res, i, k, arrival_s=res.routes[i].steps[k - 1].departure_s)
    assert "TRAVEL_TIME" in check_rounds(p, early).codes()


def test_unassigned_needs_reason(solved) -> None:
    """Listing a routed order as unassigned too raises DUPLICATE."""
    p, res = solved
    from solver.rounds import Unassigned

    dup = replace(res, unassigned=(Unassigned("a", "FLEET_FULL", "test"),))
    assert "DUPLICATE" in check_rounds(p, dup).codes()


def test_report_is_the_common_verdict(solved) -> None:
    """The rounds verdict is the checkers' Report; a violation reads by rule and by code."""
    p, res = solved
    vans = tuple(replace(v, refrigerated=False) for v in p.vehicles)
    report = check_rounds(replace(p, vehicles=vans), res)
    assert isinstance(report, Report) and not report.ok
    assert report.by_rule() == {"COLD_CHAIN": 2}  # the chilled order's pickup and delivery
    v = report.violations[0]
    assert isinstance(v, Violation)
    assert v.rule == v.code == "COLD_CHAIN" and v.order == "b" and v.message == v.detail
    assert v.to_dict()["code"] == "COLD_CHAIN" and v.to_dict()["week_start"] is None
