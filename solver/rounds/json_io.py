"""VROOM-like JSON of the rounds: the request in and out (:func:`problem_to_json`,
:func:`problem_from_json`) and the result out (:func:`rounds_to_json`).

Times in seconds since midnight, distances in metres, loads in kg; a site's ``location`` is
``[lon, lat]``. A vehicle's ``costs`` are ``per_km``, ``per_hour`` and ``fixed`` (EUR per day the
van is used); ``max_trips`` its trips per day; ``reload_s`` the time between two trips;
``cold_room`` (``capacity_kg`` and ``max_storage_h`` per cold-chain class) enables overnight
cross-dock. Indicators (in the result's ``summary``): km, hours, cost
(``cost_eur_per_km * km + cost_eur_per_hour * h`` per van plus ``fixed_cost_eur``), CO2 and kg
delivered per km. CO2 uses each van's ``co2_kg_per_km``; its default 0.25 kg CO2 per km is an
**assumption** for a light diesel utility van (order of magnitude of the ADEME Base Carbone
factors for light commercial vehicles, roughly 0.2-0.3 kg CO2e/km; not measured for the
platform's vans) — the output says so in ``indicators_note``. The result lists the orders stored
overnight (``overnight``) and each route's ``trip``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from solver.core import COLD
from solver.rounds.problem import (
    DAY_S,
    DEFAULT_RELOAD_S,
    ColdRoom,
    Order,
    RoundsProblem,
    Site,
    Vehicle,
)
from solver.rounds.result import RoundsResult

CO2_NOTE = (
    "CO2 = km x the van's co2_kg_per_km; default 0.25 kg/km is an assumption for a light diesel "
    "van (order of magnitude of ADEME Base Carbone light-commercial-vehicle factors), not a "
    "measurement."
)


# ------------------------------------------------------------------------------------ request
def problem_to_json(problem: RoundsProblem) -> dict[str, Any]:
    """VROOM-like input: ``sites`` (``[lon, lat]``), ``shipments``, ``vehicles``, matrices."""
    return {
        "sites": [
            {
                "id": s.id,
                "location": [s.lon, s.lat],
                "kind": s.kind,
                "time_windows": [[s.tw_start_s, s.tw_end_s]],
                "setup": s.service_s,
            }
            for s in problem.sites
        ],
        "shipments": [
            {
                "id": o.id,
                "pickup": {"site": o.pickup_site_id},
                "delivery": {"site": o.delivery_site_id},
                "amount_kg": o.kg,
                "skills": [o.cold_chain] if o.cold_chain in COLD else [],
                "cold_chain": o.cold_chain,
                "day": o.day,
                "service_s_per_kg": o.service_s_per_kg,
            }
            for o in problem.orders
        ],
        "vehicles": [
            {
                "id": v.id,
                "start": v.depot_site_id,
                "end": v.depot_site_id,
                "capacity_kg": v.capacity_kg,
                "refrigerated": v.refrigerated,
                "skills": ["chilled", "frozen"] if v.refrigerated else [],
                "costs": {
                    "per_km": v.cost_eur_per_km,
                    "per_hour": v.cost_eur_per_hour,
                    "fixed": v.fixed_cost_eur,
                },
                "max_trips": v.max_trips,
                "co2_kg_per_km": v.co2_kg_per_km,
                "time_window": [v.shift_start_s, v.shift_end_s],
                "max_travel_time": v.max_shift_s,
            }
            for v in problem.vehicles
        ],
        "matrices": {
            "car": {
                "durations": problem.matrix_seconds.tolist(),
                "distances": problem.matrix_metres.tolist(),
            }
        },
        "travel_source": problem.travel_source,
        "estimated": problem.estimated,
        "days": list(problem.days),
        "catchment_s": problem.catchment_s,
        "reload_s": problem.reload_s,
        "cold_room": None
        if problem.cold_room is None
        else {
            "capacity_kg": dict(problem.cold_room.capacity_kg),
            "max_storage_h": dict(problem.cold_room.max_storage_h),
        },
    }


class _InputError(ValueError):
    """Bad rounds input; the message names the item and field."""


def _need(obj: dict[str, Any], key: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        msg = f"{where}: missing field {key!r}"
        raise _InputError(msg)
    return obj[key]


def _parse(where: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except _InputError:
        raise
    except (TypeError, ValueError, IndexError, AttributeError) as exc:
        msg = f"{where}: invalid value ({exc})"
        raise _InputError(msg) from exc


def _site_from(s: dict[str, Any], where: str) -> Site:
    lon, lat = _need(s, "location", where)
    tws = s.get("time_windows") or [[0, DAY_S]]
    return Site(
        id=str(_need(s, "id", where)),
        lat=float(lat),
        lon=float(lon),
        kind=s.get("kind", "kitchen"),
        tw_start_s=int(tws[0][0]),
        tw_end_s=int(tws[0][1]),
        service_s=int(s.get("setup", 0)),
    )


def _order_from(o: dict[str, Any], where: str) -> Order:
    return Order(
        id=str(_need(o, "id", where)),
        pickup_site_id=str(_need(_need(o, "pickup", where), "site", where + ".pickup")),
        delivery_site_id=str(_need(_need(o, "delivery", where), "site", where + ".delivery")),
        kg=float(_need(o, "amount_kg", where)),
        cold_chain=o.get("cold_chain", "ambient"),
        day=str(o.get("day", "")),
        service_s_per_kg=float(o.get("service_s_per_kg", 0.0)),
    )


def _vehicle_from(v: dict[str, Any], where: str) -> Vehicle:
    tw = v.get("time_window", [6 * 3600, 15 * 3600])
    costs = v.get("costs", {})
    return Vehicle(
        id=str(_need(v, "id", where)),
        capacity_kg=float(_need(v, "capacity_kg", where)),
        depot_site_id=str(_need(v, "start", where)),
        refrigerated=bool(v.get("refrigerated", True)),
        cost_eur_per_km=float(costs.get("per_km", 0.35)),
        cost_eur_per_hour=float(costs.get("per_hour", 25.0)),
        co2_kg_per_km=float(v.get("co2_kg_per_km", 0.25)),
        shift_start_s=int(tw[0]),
        shift_end_s=int(tw[1]),
        max_shift_s=int(v.get("max_travel_time", tw[1] - tw[0])),
        fixed_cost_eur=float(costs.get("fixed", 0.0)),
        max_trips=int(v.get("max_trips", 1)),
    )


def _items(
    data: dict[str, Any], key: str, build: Callable[[dict[str, Any], str], Any]
) -> list[Any]:
    out = []
    for i, item in enumerate(_need(data, key, "rounds input")):
        where = f"{key}[{i}]"
        out.append(_parse(where, partial(build, item, where)))
    return out


def problem_from_json(data: dict[str, Any]) -> RoundsProblem:
    """Build from the shape written by :func:`problem_to_json`.

    Raises
    ------
    ValueError
        Naming the item and the field (e.g. ``shipments[3]: missing field 'amount_kg'``).
    """
    sites = _items(data, "sites", _site_from)
    orders = _items(data, "shipments", _order_from)
    vehicles = _items(data, "vehicles", _vehicle_from)
    mats = _need(_need(data, "matrices", "rounds input"), "car", "matrices")
    catch = data.get("catchment_s")
    room = data.get("cold_room")
    return RoundsProblem(
        sites=tuple(sites),
        orders=tuple(orders),
        vehicles=tuple(vehicles),
        matrix_seconds=_parse(
            "matrices.car.durations",
            lambda: np.asarray(_need(mats, "durations", "matrices.car"), dtype=np.int64),
        ),
        matrix_metres=_parse(
            "matrices.car.distances",
            lambda: np.asarray(_need(mats, "distances", "matrices.car"), dtype=np.int64),
        ),
        travel_source=str(data.get("travel_source", "estimate")),
        days=tuple(str(d) for d in data.get("days", [])),
        catchment_s=None if catch is None else _parse("catchment_s", lambda: int(catch)),
        reload_s=_parse("reload_s", lambda: int(data.get("reload_s", DEFAULT_RELOAD_S))),
        cold_room=None if room is None else _parse("cold_room", lambda: _cold_room_from(room)),
    )


def _cold_room_from(room: dict[str, Any]) -> ColdRoom:
    return ColdRoom(
        capacity_kg={str(k): float(v) for k, v in room.get("capacity_kg", {}).items()},
        max_storage_h={str(k): float(v) for k, v in room.get("max_storage_h", {}).items()},
    )


# ------------------------------------------------------------------------------------- result
def rounds_to_json(result: RoundsResult) -> dict[str, Any]:
    """VROOM-like output: ``routes`` -> ``steps``, ``summary``, ``unassigned`` with reasons.

    Times in seconds since midnight, distances in metres, loads in kg. ``estimated`` is True when
    travel times come from an estimate rather than a road graph.
    """
    s = result.summary
    # one literal in the shape of VROOM's output: splitting it would scatter the format
    return {
        "code": 0,
        "status": result.status,
        "mode": result.mode,
        "travel_source": result.travel_source,
        "estimated": result.estimated,
        "summary": {
            "routes": s.routes,
            "vans_used": s.vans_used,
            "distance": int(round(s.distance_km * 1000)),
            "distance_km": s.distance_km,
            "duration": int(round(s.hours * 3600)),
            "hours": s.hours,
            "cost_eur": s.cost_eur,
            "fixed_cost_eur": s.fixed_cost_eur,
            "van_days": s.van_days,
            "co2_kg": s.co2_kg,
            "kg_delivered": s.kg_delivered,
            "kg_per_km": s.kg_per_km,
            "orders_served": s.orders_served,
            "unassigned": s.orders_unassigned,
            "runtime_s": result.runtime_s,
        },
        "indicators_note": CO2_NOTE,
        "overnight": list(result.overnight),
        "routes": [
            {
                "vehicle": r.vehicle_id,
                "day": r.day,
                "phase": r.phase,
                "trip": r.trip,
                "distance": r.distance_m,
                "duration": r.duration_s,
                "kg_delivered": r.kg_delivered,
                "steps": [
                    {
                        "type": st.type,
                        "site": st.site_id,
                        "orders": list(st.order_ids),
                        "id": st.order_ids[0] if len(st.order_ids) == 1 else None,
                        "arrival": st.arrival_s,
                        "waiting_time": st.waiting_s,
                        "service": st.service_s,
                        "departure": st.departure_s,
                        "load": [st.load_kg],
                        "distance": st.distance_m,
                        "duration": st.duration_s,
                    }
                    for st in r.steps
                ],
            }
            for r in result.routes
        ],
        "unassigned": [
            {
                "id": u.order_id,
                "type": "shipment",
                "reasons": [{"code": str(u.reason_code), "detail": u.detail, **u.numbers}],
            }
            for u in result.unassigned
        ],
        "check": None
        if result.check is None
        else {
            "ok": result.check.ok,
            "violations": [
                {
                    "code": v.code,
                    "route": v.route,
                    "order": v.order,
                    "detail": v.detail,
                    **v.numbers,
                }
                for v in result.check.violations
            ],
        },
    }
