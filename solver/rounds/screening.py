"""Why an order cannot be served: each order tested alone against the fleet, before any solve.

The tests run in this order and the first that fails names the reason
(:class:`~solver.rounds.result.ReasonCode`), each narrowing the vans still in play:
the order's day is a round day; there is a vehicle; the depot, the farm and the kitchen are
connected; the farm and the kitchen are within the catchment of some van's depot; a refrigerated
van for a chilled/frozen order; a van large enough; pickup at the farm's window start then the
drive reaches the kitchen by its window end; depot -> pickup -> delivery -> depot fits some
van's shift window and max shift (timed with :func:`~solver.rounds.schedule.latest_departure`).
Only orders that pass are given to the engine; those it leaves out are ``FLEET_FULL``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from solver.core import COLD
from solver.evaluation import order_handling_s
from solver.rounds.problem import Order, RoundsProblem, Vehicle
from solver.rounds.result import ReasonCode, Unassigned
from solver.rounds.schedule import Activity, fits_windows, latest_departure


def _connected(problem: RoundsProblem, order: Order, vehicles: Sequence[Vehicle]) -> list[Vehicle]:
    """Vans whose depot -> pickup -> delivery -> depot legs all have a road connection."""
    sec = problem.matrix_seconds
    p, d = problem.index(order.pickup_site_id), problem.index(order.delivery_site_id)
    return [
        v
        for v in vehicles
        if all(
            sec[a, b] >= 0
            for a, b in (
                (problem.index(v.depot_site_id), p),
                (p, d),
                (d, problem.index(v.depot_site_id)),
            )
            if a != b
        )
    ]


def _in_catchment(
    problem: RoundsProblem, order: Order, reach: list[Vehicle]
) -> tuple[list[Vehicle], Unassigned | None]:
    if problem.catchment_s is None:
        return reach, None
    sec = problem.matrix_seconds
    p, d = problem.index(order.pickup_site_id), problem.index(order.delivery_site_id)
    inside = []
    worst = 0
    for v in reach:
        dep = problem.index(v.depot_site_id)
        far = max(int(sec[dep, p]), int(sec[dep, d]))
        worst = max(worst, far)
        if far <= problem.catchment_s:
            inside.append(v)
    if inside:
        return inside, None
    return [], Unassigned(
        order.id,
        ReasonCode.OUT_OF_CATCHMENT,
        f"drive from the depot {worst} s > catchment {problem.catchment_s} s",
        {"drive_s": worst, "catchment_s": problem.catchment_s},
    )


def _vehicle_reason(
    problem: RoundsProblem, order: Order, vehicles: Sequence[Vehicle]
) -> tuple[list[Vehicle], Unassigned | None]:
    """The vans that can carry ``order`` at all (connection, catchment, cold, capacity)."""
    if not vehicles:
        return [], Unassigned(order.id, ReasonCode.NO_VEHICLE, "no vehicle in the request")
    reach = _connected(problem, order, vehicles)
    if not reach:
        sec = problem.matrix_seconds
        p, d = problem.index(order.pickup_site_id), problem.index(order.delivery_site_id)
        bad = order.pickup_site_id if sec[p, d] >= 0 else order.delivery_site_id
        return [], Unassigned(
            order.id,
            ReasonCode.UNREACHABLE,
            f"no road connection between the depot, {order.pickup_site_id} and "
            f"{order.delivery_site_id} (matrix entry < 0 near {bad})",
        )
    reach, out = _in_catchment(problem, order, reach)
    if out is not None:
        return [], out
    if order.cold_chain in COLD:
        cold = [v for v in reach if v.refrigerated]
        if not cold:
            return [], Unassigned(
                order.id,
                ReasonCode.NO_REFRIGERATED_VAN,
                f"{order.cold_chain} order, {len(reach)} van(s) available, none refrigerated",
                {"vans": len(reach), "refrigerated_vans": 0},
            )
        reach = cold
    big = [v for v in reach if v.capacity_kg + 1e-9 >= order.kg]
    if not big:
        cap = max(v.capacity_kg for v in reach)
        return [], Unassigned(
            order.id,
            ReasonCode.DEMAND_EXCEEDS_VEHICLE_CAPACITY,
            f"{order.kg} kg > largest compatible van {cap} kg",
            {"kg": order.kg, "capacity_kg": cap},
        )
    return big, None


def _window_reason(problem: RoundsProblem, order: Order) -> Unassigned | None:
    """TIME_WINDOW when pickup at the window start cannot reach the kitchen by its window end."""
    sec = problem.matrix_seconds
    p, d = problem.index(order.pickup_site_id), problem.index(order.delivery_site_id)
    ps, ds = problem.sites[p], problem.sites[d]
    handling = order_handling_s(order)
    earliest_p = ps.tw_start_s
    reach_d = earliest_p + handling + (ps.service_s if p != d else 0) + (int(sec[p, d]))
    earliest_d = max(reach_d, ds.tw_start_s)
    if earliest_d <= ds.tw_end_s:
        return None
    return Unassigned(
        order.id,
        ReasonCode.TIME_WINDOW,
        f"pickup at {ps.id} from {earliest_p} s + {handling + ps.service_s} s handling + "
        f"{int(sec[p, d])} s drive reaches {ds.id} at {reach_d} s > window end "
        f"{ds.tw_end_s} s",
        {
            "pickup_tw_start_s": ps.tw_start_s,
            "delivery_arrival_s": reach_d,
            "delivery_tw_end_s": ds.tw_end_s,
        },
    )


def _shift_reason(
    problem: RoundsProblem, order: Order, vans: Sequence[Vehicle], day: str
) -> Unassigned | None:
    """SHIFT_DURATION unless the order alone fits some van's shift (numbers: the shortest)."""
    ps, ds = problem.site(order.pickup_site_id), problem.site(order.delivery_site_id)
    acts = [Activity("pickup", ps.id, order.id), Activity("delivery", ds.id, order.id)]
    best_numbers: dict[str, float] = {}
    best_detail = ""
    for v in vans:
        route = latest_departure(problem, v, day, acts, v.shift_start_s)
        if (
            fits_windows(problem, route)
            and route.steps[-1].arrival_s <= v.shift_end_s
            and route.duration_s <= v.max_shift_s
        ):
            return None
        if not best_detail or route.duration_s < best_numbers.get("duration_s", math.inf):
            best_numbers = {
                "duration_s": route.duration_s,
                "max_shift_s": v.max_shift_s,
                "return_s": route.steps[-1].arrival_s,
                "shift_end_s": v.shift_end_s,
            }
            best_detail = (
                f"alone on {v.id}: depot -> {ps.id} -> {ds.id} -> depot takes "
                f"{route.duration_s} s (max shift {v.max_shift_s} s), back at "
                f"{route.steps[-1].arrival_s} s (shift end {v.shift_end_s} s)"
            )
            if not fits_windows(problem, route):
                best_detail += " and misses a site window from the shift start"
    return Unassigned(order.id, ReasonCode.SHIFT_DURATION, best_detail, best_numbers)


def alone_reason(
    problem: RoundsProblem, order: Order, vehicles: Sequence[Vehicle], day: str
) -> Unassigned | None:
    """Reason why ``order`` cannot be served even alone, or None if some van can."""
    if problem.days and order.day and order.day not in problem.days:
        return Unassigned(
            order.id,
            ReasonCode.NO_ROUND_ON_DAY,
            f"order day {order.day!r} is not a round day {list(problem.days)}",
        )
    vans, reason = _vehicle_reason(problem, order, vehicles)
    if reason is not None:
        return reason
    return _window_reason(problem, order) or _shift_reason(problem, order, vans, day)


def screen(
    problem: RoundsProblem, orders: Iterable[Order], day: str
) -> tuple[list[Order], list[Unassigned]]:
    """Split ``orders`` into those servable alone by ``problem.vehicles`` and the others."""
    ok: list[Order] = []
    bad: list[Unassigned] = []
    for o in orders:
        reason = alone_reason(problem, o, problem.vehicles, day)
        if reason is None:
            ok.append(o)
        else:
            bad.append(reason)
    return ok, bad


def fleet_full(order: Order, day: str, mode: str = "") -> Unassigned:
    """``FLEET_FULL``: servable alone, left out of the day's plan."""
    extra = f" ({mode})" if mode else ""
    return Unassigned(
        order.id,
        ReasonCode.FLEET_FULL,
        f"servable alone but not in this day's plan{extra}: the vans' capacity, shifts and "
        f"windows are used by other orders on {day or 'the round day'}",
        {"kg": order.kg},
    )
