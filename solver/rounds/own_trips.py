"""A producer's own delivery trips: from the farm to its kitchens and back, day by day.

Rule: the drive time from leaving the farm to each kitchen along the trip is at most
``max_drive_s`` (the producer's max one-way drive). A kitchen whose direct drive already exceeds
it is unassigned with ``MAX_DRIVE``; a kitchen beyond the limit only because of the detour
through earlier kitchens is moved to an extra trip (``<vehicle>#2``, ...), a separate outing of
the producer. Known limit: the extra trips are not sequenced in time against each other.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from solver.rounds.engine import Leg, Search, solve_legs
from solver.rounds.problem import Order, RoundsProblem, Vehicle
from solver.rounds.result import ReasonCode, RoundsResult, Route, Unassigned
from solver.rounds.schedule import Activity, latest_departure
from solver.rounds.screening import fleet_full, screen
from solver.rounds.solve import finish


def _split_direct_drive(
    problem: RoundsProblem, farm: int, orders: list[Order], max_drive_s: int
) -> tuple[list[Order], list[Unassigned]]:
    """Orders whose direct drive farm -> kitchen is within ``max_drive_s``, and ``MAX_DRIVE``
    for the others."""
    todo: list[Order] = []
    out: list[Unassigned] = []
    for o in orders:
        direct = int(problem.matrix_seconds[farm, problem.index(o.delivery_site_id)])
        if direct < 0 or direct > max_drive_s:
            out.append(
                Unassigned(
                    o.id,
                    ReasonCode.MAX_DRIVE,
                    f"direct drive farm -> {o.delivery_site_id} {direct} s > max drive "
                    f"{max_drive_s} s",
                    {"drive_s": direct, "max_drive_s": max_drive_s},
                )
            )
        else:
            todo.append(o)
    return todo, out


def _too_far_along(
    problem: RoundsProblem, farm: int, acts: Sequence[Activity], max_drive_s: int
) -> set[str]:
    """Orders delivered after more than ``max_drive_s`` of driving since the farm."""
    sec = problem.matrix_seconds
    too_far: set[str] = set()
    clock = 0
    prev = farm
    for a in acts:
        i = problem.index(a.site_id)
        if i == farm:
            clock, prev = 0, farm
            continue
        clock += int(sec[prev, i]) if prev != i else 0
        prev = i
        if a.type == "delivery" and clock > max_drive_s:
            too_far.add(a.order_id)
    return too_far


def _day_trips(
    problem: RoundsProblem,
    vehicle: Vehicle,
    day: str,
    orders: list[Order],
    max_drive_s: int,
    budget_s: float,
    seed: int,
) -> tuple[list[Route], list[Unassigned], list[Vehicle]]:
    """One day's trips: routes, unassigned orders, and the trips' vehicles (``#2``, ...)."""
    farm = problem.index(vehicle.depot_site_id)
    todo, unassigned = _split_direct_drive(problem, farm, orders, max_drive_s)
    routes: list[Route] = []
    vans: list[Vehicle] = []
    trip = 1
    while todo:
        van = replace(vehicle, max_trips=1)
        van = van if trip == 1 else replace(van, id=f"{vehicle.id}#{trip}")
        vans.append(van)
        sub = replace(problem, vehicles=(van,), orders=tuple(todo))
        ok, bad = screen(sub, todo, day)
        unassigned += bad
        legs = [Leg(o, o.pickup_site_id, o.delivery_site_id) for o in ok]
        window = {van.id: (van.shift_start_s, van.shift_end_s)}
        trips = solve_legs(sub, legs, [van], window, budget_s, Search(seed)).get(van.id, [])
        acts = [a for t in trips for a in t]
        served = {a.order_id for a in acts}
        too_far = _too_far_along(problem, farm, acts, max_drive_s)
        if too_far and len(served) > len(too_far):
            kept = [a for a in acts if a.order_id not in too_far]
            routes.append(latest_departure(sub, van, day, kept, van.shift_start_s))
            todo = [o for o in ok if o.id in too_far]
        else:
            if acts:
                routes.append(latest_departure(sub, van, day, acts, van.shift_start_s))
            if too_far:  # a single kitchen beyond max drive alone: cannot happen (direct)
                for oid in too_far:
                    unassigned.append(
                        Unassigned(oid, ReasonCode.MAX_DRIVE, "drive along trip too long")
                    )
            unassigned += [fleet_full(o, day) for o in ok if o.id not in served]
            todo = []
        trip += 1
        if trip > len(orders) + 1:
            break
    return routes, unassigned, vans


def solve_own_trips(
    problem: RoundsProblem,
    *,
    farm_site_id: str,
    max_drive_s: int,
    time_limit_s: float,
    vehicle: Vehicle | None = None,
    seed: int = 0,
) -> RoundsResult:
    """Plan a producer's own delivery trips: from the farm to its kitchens and back, per day.

    The orders considered are those of ``problem`` picked up at ``farm_site_id``. Each trip
    starts at the farm, loads there, delivers kitchens and returns; the max-drive rule and the
    extra trips are described in the module docstring.

    Parameters
    ----------
    problem
        Sites, orders and matrices (``problem.vehicles`` is not used).
    farm_site_id
        The producer's farm (start and end of every trip).
    max_drive_s
        Max drive from the farm to a kitchen along the trip, seconds.
    time_limit_s
        Engine budget for the whole call.
    vehicle
        The producer's vehicle; default: 1,000 kg refrigerated, 6:00-15:00, based at the farm.
    seed
        Engine seed.
    """
    t0 = time.perf_counter()
    if vehicle is None:
        vehicle = Vehicle(id=f"own-{farm_site_id}", capacity_kg=1000.0, depot_site_id=farm_site_id)
    vehicle = replace(vehicle, depot_site_id=farm_site_id)
    orders = [o for o in problem.orders if o.pickup_site_id == farm_site_id]
    unassigned: list[Unassigned] = []
    routes: list[Route] = []
    by_day: dict[str, list[Order]] = defaultdict(list)
    for o in orders:
        by_day[o.day].append(o)
    vehicles: list[Vehicle] = [vehicle]
    for day, day_orders in by_day.items():
        budget = time_limit_s * len(day_orders) / max(1, len(orders))
        r, u, vans = _day_trips(problem, vehicle, day, day_orders, max_drive_s, budget, seed)
        routes += r
        unassigned += u
        vehicles += [v for v in vans if v not in vehicles]
    own = replace(problem, vehicles=tuple(vehicles), orders=tuple(orders))
    return finish(own, routes, unassigned, t0, "direct", max_drive_s=max_drive_s)
