"""Rounds options: fewest vans, fixed cost per van-day, multi-trip, overnight cross-dock.

Each positive case has a hand-computed optimum on at most 6 stops and passes the independent
checker; the negative cases show the checker catching an over-full cold room, an expired
storage time, an overloaded trip, a too-short reload and too many trips.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from solver.evaluation import check_rounds
from solver.rounds import (
    ColdRoom,
    Order,
    RoundsProblem,
    problem_from_json,
    problem_to_json,
    rounds_to_json,
    solve_rounds,
)

try:
    from tests.solver.routing_fixtures import H, best_single_route, problem, site, van
except ImportError:  # tests/solver is not a package: pytest puts this folder on sys.path
    from routing_fixtures import H, best_single_route, problem, site, van  # type: ignore

LIMIT = 1.0


def _metres(p: RoundsProblem, *sites: str) -> int:
    """Length of the closed tour through ``sites`` (matrix metres)."""
    return sum(int(p.matrix_metres[p.index(a), p.index(b)]) for a, b in itertools.pairwise(sites))


# ------------------------------------------------------------------------------ fewest vans
def _windows_problem() -> RoundsProblem:
    """Deliveries from the depot to A (early window), C (open) and B (late window).

    With an hourly cost, one van waiting for B's window costs more than two vans: the least
    cost plan uses two vans, while one van can serve all three.
    """
    sites = [
        site("D", "depot", 0, 0),
        site("A", "kitchen", 10, 0, (6 * H, 6 * H + 1800)),
        site("B", "kitchen", -10, 0, (9 * H, 9 * H + 1800)),
        site("C", "kitchen", 0, 10),
    ]
    orders = [Order(o, "D", o.upper(), 100, day="TUE") for o in ("a", "b", "c")]
    rates = {"cost_eur_per_km": 0.35, "cost_eur_per_hour": 25.0}
    return problem(sites, orders, [van(f"V{k}", **rates) for k in (1, 2, 3)])


def _fewest_vans_brute_force(p: RoundsProblem) -> tuple[int, int]:
    """(smallest number of vans serving every order, least distance with that many)."""
    ids = [o.id for o in p.orders]
    v = p.vehicles[0]
    for k in range(1, len(p.vehicles) + 1):
        best: int | None = None
        for assign in itertools.product(range(k), repeat=len(ids)):
            if len(set(assign)) != k:
                continue
            parts = [[o for o, a in zip(ids, assign, strict=True) if a == j] for j in range(k)]
            dists = [best_single_route(p, v, part) for part in parts]
            if all(d is not None for d in dists):
                total = sum(d for d in dists if d is not None)
                best = total if best is None else min(best, total)
        if best is not None:
            return k, best
    raise AssertionError("no fleet serves every order")


def test_fewest_vans_matches_brute_force() -> None:
    """fewest_vans uses the brute-force smallest fleet (and its shortest plan); cost does not."""
    p = _windows_problem()
    vans, metres = _fewest_vans_brute_force(p)
    fewest = solve_rounds(p, time_limit_s=LIMIT, objective="fewest_vans")
    cheapest = solve_rounds(p, time_limit_s=LIMIT)
    for res in (fewest, cheapest):
        assert res.check is not None and res.check.ok, res.check
        assert res.status == "ALL_SERVED"
    assert vans == 1
    assert fewest.summary.vans_used == vans
    assert sum(r.distance_m for r in fewest.routes) == metres
    assert cheapest.summary.vans_used == 2
    assert cheapest.summary.cost_eur < fewest.summary.cost_eur


# ------------------------------------------------------------------------- trips, fixed cost
def _reload_problem(max_trips: int) -> RoundsProblem:
    """Four 300 kg deliveries from the depot, two 600 kg vans at 100 EUR per day used."""
    sites = [
        site("D", "depot", 0, 0),
        site("K1", "kitchen", 5, 0),
        site("K2", "kitchen", 0, 5),
        site("K3", "kitchen", -5, 0),
        site("K4", "kitchen", 0, -5),
    ]
    orders = [Order(f"o{k}", "D", f"K{k}", 300, day="TUE") for k in (1, 2, 3, 4)]
    fleet = [van(f"V{k}", 600, fixed_cost_eur=100.0, max_trips=max_trips) for k in (1, 2)]
    return problem(sites, orders, fleet, reload_s=1800)


def test_second_trip_saves_a_van() -> None:
    """One van, two trips of two neighbouring kitchens: 100 EUR fixed + 2 x 17.07 km, instead
    of two vans (200 EUR fixed, same km)."""
    km = (_metres(_reload_problem(2), "D", "K1", "K2", "D") * 2) / 1000.0
    one_trip = solve_rounds(_reload_problem(1), time_limit_s=LIMIT)
    two_trips = solve_rounds(_reload_problem(2), time_limit_s=LIMIT)
    for res in (one_trip, two_trips):
        assert res.check is not None and res.check.ok, res.check
        assert res.status == "ALL_SERVED"
    assert one_trip.summary.van_days == 2 and one_trip.summary.fixed_cost_eur == 200.0
    assert one_trip.summary.cost_eur == round(200.0 + km, 2)
    assert two_trips.summary.van_days == 1 and two_trips.summary.fixed_cost_eur == 100.0
    assert two_trips.summary.cost_eur == round(100.0 + km, 2)
    first, second = sorted(two_trips.routes, key=lambda r: r.trip)
    assert (first.trip, second.trip) == (1, 2)
    assert second.steps[0].arrival_s >= first.steps[-1].arrival_s + 1800
    trip_m = _metres(_reload_problem(2), "D", "K1", "K2", "D")
    assert first.distance_m == second.distance_m == trip_m  # two neighbouring kitchens a trip


def test_checker_catches_overloaded_trip_short_reload_and_extra_trip() -> None:
    """The two-trip plan (600 kg per trip, each trip starting empty) against 599 kg vans, a
    longer reload and one-trip vans."""
    p = _reload_problem(2)
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok
    vid = res.routes[0].vehicle_id
    small = tuple(replace(v, capacity_kg=599.0) for v in p.vehicles)
    overloaded = check_rounds(replace(p, vehicles=small), res)
    assert overloaded.codes() == {"CAPACITY"}
    assert {v.route for v in overloaded.violations} == {f"{vid}@TUE", f"{vid}@TUE#2"}
    gap = res.routes[1].steps[0].arrival_s - res.routes[0].steps[-1].arrival_s
    assert check_rounds(replace(p, reload_s=gap + 60), res).codes() == {"RELOAD"}
    single = tuple(replace(v, max_trips=1) for v in p.vehicles)
    assert check_rounds(replace(p, vehicles=single), res).codes() == {"TRIPS"}


# ------------------------------------------------------------------------------- overnight
def _overnight_problem(room: ColdRoom | None) -> RoundsProblem:
    """A far farm F; Monday's order goes to K2 next to F, Tuesday's to K1 next to the depot.

    Direct: D-F-K2-D on Monday and D-F-K1-D on Tuesday. Stored overnight: Tuesday's order is
    collected with Monday's (D-F-K2-D, dropped at D) and Tuesday is only D-K1-D.
    """
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 30, 0),
        site("K1", "kitchen", 0, 4),
        site("K2", "kitchen", 30, 4),
    ]
    orders = [
        Order("m", "F", "K2", 50, cold_chain="chilled", day="MON"),
        Order("t", "F", "K1", 50, cold_chain="chilled", day="TUE"),
    ]
    return problem(sites, orders, [van("V1")], cold_room=room)


def test_cold_room_saves_cost() -> None:
    """The cold room stores Tuesday's order overnight: the hand-computed shortest week."""
    room = ColdRoom({"chilled": 100.0}, {"chilled": 24.0})
    p = _overnight_problem(room)
    stored = _metres(p, "D", "F", "K2", "D") + _metres(p, "D", "K1", "D")
    direct = _metres(p, "D", "F", "K2", "D") + _metres(p, "D", "F", "K1", "D")
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    assert res.status == "ALL_SERVED"
    assert res.overnight == ("t",)
    assert sum(r.distance_m for r in res.routes) == stored < direct
    monday = next(r for r in res.routes if r.day == "MON")
    drop = next(s for s in monday.steps if s.type == "delivery" and s.site_id == "D")
    assert drop.order_ids == ("t",)
    without = solve_rounds(_overnight_problem(None), time_limit_s=LIMIT)
    assert without.check is not None and without.check.ok
    assert without.overnight == () and sum(r.distance_m for r in without.routes) == direct


def test_cold_room_not_used_beyond_its_capacity_or_storage_time() -> None:
    """A 40 kg room or a 12 h storage limit cannot take the 50 kg overnight: direct plan."""
    for room in (ColdRoom({"chilled": 40.0}), ColdRoom({"chilled": 100.0}, {"chilled": 12.0})):
        res = solve_rounds(_overnight_problem(room), time_limit_s=LIMIT)
        assert res.check is not None and res.check.ok, res.check
        assert res.overnight == ()


def test_checker_catches_full_cold_room_and_expired_storage() -> None:
    """The overnight plan against a smaller room, then a shorter storage limit."""
    p = _overnight_problem(ColdRoom({"chilled": 100.0}, {"chilled": 24.0}))
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok and res.overnight == ("t",)
    full = check_rounds(replace(p, cold_room=ColdRoom({"chilled": 40.0})), res)
    assert full.codes() == {"COLD_ROOM_CAPACITY"}
    expired = check_rounds(
        replace(p, cold_room=ColdRoom({"chilled": 100.0}, {"chilled": 12.0})), res
    )
    assert expired.codes() == {"SHELF_LIFE"}
    no_room = check_rounds(replace(p, cold_room=None), res)
    assert "DAY" in no_room.codes()


def _early_kitchens_problem(room: ColdRoom | None) -> RoundsProblem:
    """A far farm F (30 km east of the depot) and two kitchens 10 km north and south of the
    depot, both open 06:00-07:15, with Tuesday's two orders; one van from 06:00.

    Directly the van reaches F at 06:33 and the first kitchen at 07:08, the second not before
    07:30; one order stored and the other direct reaches the second kitchen at 07:21 at best.
    Collecting both on Monday (D-F-D) and delivering both from the depot on Tuesday
    (D-K1-K2-D) serves both: the shortest plan that does (any plan visits F once, and K1, K2
    from D on Tuesday).
    """
    early = (6 * H, 7 * H + 15 * 60)
    sites = [
        site("D", "depot", 0, 0),
        site("F", "farm", 30, 0),
        site("K1", "kitchen", 0, 10, early),
        site("K2", "kitchen", 0, -10, early),
    ]
    orders = [
        Order("a", "F", "K1", 40, cold_chain="chilled", day="TUE"),
        Order("b", "F", "K2", 40, cold_chain="chilled", day="TUE"),
    ]
    return problem(sites, orders, [van("V1")], cold_room=room)


def test_cold_room_serves_a_day_the_van_cannot_serve_directly() -> None:
    """Without a cold room one of Tuesday's orders is FLEET_FULL; with it, both are collected
    on Monday and delivered from the depot: all served, checked, hand-computed distance."""
    without = solve_rounds(_early_kitchens_problem(None), time_limit_s=LIMIT)
    assert without.check is not None and without.check.ok, without.check
    assert [u.reason_code for u in without.unassigned] == ["FLEET_FULL"]
    p = _early_kitchens_problem(ColdRoom({"chilled": 100.0}, {"chilled": 36.0}))
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    assert check_rounds(p, res).ok
    assert res.status == "ALL_SERVED" and res.overnight == ("a", "b")
    best = _metres(p, "D", "F", "D") + _metres(p, "D", "K1", "K2", "D")
    assert sum(r.distance_m for r in res.routes) == best == 100_000
    assert {r.day for r in res.routes} == {"MON", "TUE"}


def test_cold_room_too_small_for_the_whole_day() -> None:
    """A 40 kg room takes one of the two orders: the other stays direct and cannot fit."""
    p = _early_kitchens_problem(ColdRoom({"chilled": 40.0}, {"chilled": 36.0}))
    res = solve_rounds(p, time_limit_s=LIMIT)
    assert res.check is not None and res.check.ok, res.check
    assert len(res.unassigned) == 1 and len(res.overnight) <= 1


def test_options_round_trip_through_json() -> None:
    """Fixed cost, trips, reload time and cold room survive the JSON; the result shows them."""
    p = replace(_reload_problem(2), cold_room=ColdRoom({"chilled": 80.0}, {"frozen": 48.0}))
    back = problem_from_json(problem_to_json(p))
    assert back.vehicles == p.vehicles and back.reload_s == 1800
    assert back.cold_room == p.cold_room
    out = rounds_to_json(solve_rounds(p, time_limit_s=0.5))
    assert out["summary"]["fixed_cost_eur"] == 100.0 and out["summary"]["van_days"] == 1
    assert sorted(r["trip"] for r in out["routes"]) == [1, 2]
    assert out["overnight"] == []
