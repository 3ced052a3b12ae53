"""Tiny readable rounds fixtures shared by the routing tests (planar km grid, 54 km/h)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from solver.rounds import Order, RoundsProblem, Site, Vehicle

SPEED_M_PER_S = 15.0  # 54 km/h
H = 3600


def site(sid: str, kind: str, x_km: float, y_km: float, tw=(0, 24 * H), service_s=0) -> Site:
    """A site on a km grid around (44 N, 5 E) (lat/lon only used for maps)."""
    return Site(
        id=sid,
        lat=44.0 + y_km / 111.0,
        lon=5.0 + x_km / 80.0,
        kind=kind,  # type: ignore[arg-type]
        tw_start_s=tw[0],
        tw_end_s=tw[1],
        service_s=service_s,
    )


def grid_xy(sites: Sequence[Site]) -> list[tuple[float, float]]:
    """Back to km coordinates."""
    return [((s.lon - 5.0) * 80.0, (s.lat - 44.0) * 111.0) for s in sites]


def problem(
    sites: Sequence[Site],
    orders: Sequence[Order],
    vehicles: Sequence[Vehicle],
    **kw: object,
) -> RoundsProblem:
    """Build a problem with Euclidean metres and seconds at 54 km/h (both integers)."""
    xy = np.array(grid_xy(sites)) * 1000.0
    metres = np.rint(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    seconds = np.ceil(metres / SPEED_M_PER_S)
    return RoundsProblem(
        sites=tuple(sites),
        orders=tuple(orders),
        vehicles=tuple(vehicles),
        matrix_seconds=seconds.astype(np.int64),
        matrix_metres=metres.astype(np.int64),
        **kw,  # type: ignore[arg-type]
    )


def van(vid: str, cap: float = 500.0, **kw: object) -> Vehicle:
    """A van at depot D, distance cost only (1 EUR/km, 0 EUR/h) unless overridden."""
    args: dict[str, object] = {
        "capacity_kg": cap,
        "depot_site_id": "D",
        "cost_eur_per_km": 1.0,
        "cost_eur_per_hour": 0.0,
        "shift_start_s": 6 * H,
        "shift_end_s": 18 * H,
        "max_shift_s": 12 * H,
    }
    args.update(kw)
    return Vehicle(id=vid, **args)  # type: ignore[arg-type]


def sequence_feasible(
    p: RoundsProblem, v: Vehicle, seq: Sequence[tuple[str, str]]
) -> tuple[bool, int]:
    """Brute-force helper: (feasible, distance) of a visit order ``[(type, order id), ...]``.

    Earliest-start forward pass (waiting allowed) with the documented semantics: fixed service
    once per visit when leaving, handling ``ceil(kg * s/kg)`` per order, windows on service start.
    The shift length uses the latest departure that keeps the same return time.
    """
    orders = {o.id: o for o in p.orders}
    sites = [v.depot_site_id]
    handling = [0]
    for typ, oid in seq:
        o = orders[oid]
        sites.append(o.pickup_site_id if typ == "pickup" else o.delivery_site_id)
        handling.append(math.ceil(o.kg * o.service_s_per_kg - 1e-9))
    sites.append(v.depot_site_id)
    handling.append(0)
    load = 0.0
    for typ, oid in seq:
        load += orders[oid].kg if typ == "pickup" else -orders[oid].kg
        if load > v.capacity_kg + 1e-9:
            return False, 0
        if orders[oid].cold_chain != "ambient" and not v.refrigerated:
            return False, 0
    t = v.shift_start_s
    dist = 0
    waits = 0
    slack = math.inf
    for k in range(1, len(sites)):
        a, b = p.index(sites[k - 1]), p.index(sites[k])
        if a != b:
            t += p.sites[a].service_s + int(p.matrix_seconds[a, b])
            dist += int(p.matrix_metres[a, b])
        if k < len(sites) - 1:
            s = p.sites[b]
            start = max(t, s.tw_start_s)
            waits += start - t
            if start > s.tw_end_s:
                return False, 0
            slack = min(slack, waits + s.tw_end_s - start)
            t = start + handling[k]
    if t > v.shift_end_s:
        return False, 0
    delay = min(waits, slack)
    if t - (v.shift_start_s + delay) > v.max_shift_s:
        return False, 0
    return True, dist


def best_single_route(p: RoundsProblem, v: Vehicle, order_ids: Sequence[str]) -> int | None:
    """Minimum distance over all visit orders of ``order_ids`` on van ``v`` (None if none fit)."""
    if not order_ids:
        return 0
    acts = [("pickup", o) for o in order_ids] + [("delivery", o) for o in order_ids]
    best: int | None = None
    for perm in itertools.permutations(acts):
        seen: set[str] = set()
        ok = True
        for typ, oid in perm:
            if typ == "pickup":
                seen.add(oid)
            elif oid not in seen:
                ok = False
                break
        if not ok:
            continue
        feas, dist = sequence_feasible(p, v, perm)
        if feas and (best is None or dist < best):
            best = dist
    return best


def brute_force_optimum(p: RoundsProblem) -> int | None:
    """Minimum total distance serving ALL orders over every assignment to vans and every order."""
    ids = [o.id for o in p.orders]
    best: int | None = None
    for assign in itertools.product(range(len(p.vehicles)), repeat=len(ids)):
        total = 0
        for k, v in enumerate(p.vehicles):
            mine = [oid for oid, a in zip(ids, assign, strict=True) if a == k]
            d = best_single_route(p, v, mine)
            if d is None:
                break
            total += d
        else:
            if best is None or total < best:
                best = total
    return best
