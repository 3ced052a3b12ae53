"""Independent checker of delivery rounds: recomputes every route from the matrices.

Plain Python on purpose: it does not import the solver (:mod:`solver.rounds.routing`) nor any
engine, and
it reads the problem and the result by attribute only (duck typing), so a bug in the model
translation cannot hide itself. It is run on every result that
:func:`solver.rounds.routing.solve_rounds`
returns, and in the tests.

Timing semantics (the contract the solver must honour)
------------------------------------------------------
A route is a list of steps ``start, (pickup|delivery)*, end``. A *visit* is a maximal run of
consecutive steps at the same site. For a step ``k`` at site ``s``:

* ``start_k = arrival_k + waiting_k`` is when handling begins; the step's orders are handled
  one after the other in the listed order, order ``i`` starting at ``start_k`` plus the
  handling of the orders before it, and each order's start must lie in
  ``[tw_start(s), tw_end(s)]`` (early arrival waits; being late is a violation);
* ``handling_k = sum(ceil(kg * service_s_per_kg))`` over the step's orders (0 for start/end);
* ``departure_k = start_k + handling_k + (service_s(s) if step k+1 is at another site else 0)``,
  i.e. the fixed service time of a site is paid once per visit, when the van leaves;
* ``arrival_{k+1} >= departure_k + T[s_k, s_{k+1}]`` (``T`` = ``matrix_seconds``; same site: 0).

Route: starts and ends at the vehicle's depot, ``start.arrival >= shift_start_s``,
``end.arrival <= shift_end_s`` and ``end.arrival - start.arrival <= max_shift_s``. In cross-dock
mode a vehicle may have a ``collection`` and a ``delivery`` route on one day: they must not
overlap and the shift bounds apply from the first start to the last end.

Loads: pickups add the orders' kg, deliveries remove them; ``0 <= load <= capacity_kg`` after
every step and the reported ``load_kg`` must match. Chilled/frozen orders only on refrigerated
vehicles. Each order is served exactly once (direct: one pickup at its farm and one delivery at
its kitchen on the same route, pickup first; cross-dock: farm -> depot on a collection route, then
depot -> kitchen on a delivery route whose handling of the order at the depot starts no earlier
than the departure of the step that dropped it) or listed
as unassigned with a reason code — never both. Reported cumulative distances must match
``matrix_metres``. With ``result.max_drive_s`` set (producers' own trips), the drive time from the
last departure from the farm to each delivery must not exceed it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

COLD = frozenset({"chilled", "frozen"})
KG_EPS = 1e-6


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``code`` (e.g. ``CAPACITY``), where, and the numbers behind it."""

    code: str
    route: str = ""
    order: str = ""
    detail: str = ""
    numbers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckReport:
    """Verdict of :func:`check_rounds`; ``ok`` is True when there is no violation."""

    ok: bool
    violations: tuple[Violation, ...] = ()

    def codes(self) -> set[str]:
        """Set of violation codes (handy in tests)."""
        return {v.code for v in self.violations}


def order_handling_s(order: Any) -> int:
    """Handling time of one order at one end (pickup or delivery), integer seconds (ceil)."""
    return int(math.ceil(float(order.kg) * float(order.service_s_per_kg) - 1e-9))


def _route_label(route: Any) -> str:
    phase = getattr(route, "phase", "direct")
    return f"{route.vehicle_id}@{route.day}" + ("" if phase == "direct" else f"[{phase}]")


def check_rounds(problem: Any, result: Any) -> CheckReport:
    """Check ``result`` (a ``RoundsResult``) against ``problem`` (a ``RoundsProblem``).

    Parameters
    ----------
    problem
        Object with ``sites``, ``orders``, ``vehicles``, ``matrix_seconds``, ``matrix_metres``.
    result
        Object with ``routes`` (each with ``vehicle_id``, ``day``, ``phase``, ``steps``),
        ``unassigned`` (each with ``order_id``, ``reason_code``), ``mode`` and ``max_drive_s``.

    Returns
    -------
    CheckReport
        ``ok`` and the list of violations, each with the numbers behind it.
    """
    out: list[Violation] = []
    site_idx = {s.id: i for i, s in enumerate(problem.sites)}
    sites = {s.id: s for s in problem.sites}
    orders = {o.id: o for o in problem.orders}
    vehicles = {v.id: v for v in problem.vehicles}
    sec = problem.matrix_seconds
    met = problem.matrix_metres
    mode = getattr(result, "mode", "direct")
    max_drive = getattr(result, "max_drive_s", None)

    # order id -> list of (route label, phase, step position, step type, site id, start, departure)
    seen: dict[str, list[tuple[str, str, int, str, str, int, int]]] = defaultdict(list)
    shifts: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)

    for route in result.routes:
        label = _route_label(route)
        veh = vehicles.get(route.vehicle_id)
        steps = list(route.steps)
        if veh is None:
            out.append(Violation("UNKNOWN_VEHICLE", label, detail=str(route.vehicle_id)))
            continue
        if len(steps) < 2 or steps[0].type != "start" or steps[-1].type != "end":
            out.append(
                Violation("ROUTE_SHAPE", label, detail="must begin with start, end with end")
            )
            continue
        for end in (steps[0], steps[-1]):
            if end.site_id != veh.depot_site_id:
                out.append(
                    Violation(
                        "DEPOT",
                        label,
                        detail=f"{end.type} at {end.site_id}, vehicle depot {veh.depot_site_id}",
                    )
                )
        if any(s.site_id not in sites for s in steps):
            bad = [s.site_id for s in steps if s.site_id not in sites]
            out.append(Violation("UNKNOWN_SITE", label, detail=f"sites {bad}"))
            continue

        load = 0.0
        dist = 0
        last_farm_departure: int | None = None
        drive_since_farm = 0
        for k, step in enumerate(steps):
            site = sites[step.site_id]
            step_orders = []
            for oid in step.order_ids:
                if oid not in orders:
                    out.append(Violation("UNKNOWN_ORDER", label, oid))
                    continue
                step_orders.append(orders[oid])
            # travel from the previous step
            if k > 0:
                prev = steps[k - 1]
                a, b = site_idx[prev.site_id], site_idx[step.site_id]
                travel = int(sec[a][b]) if a != b else 0
                dist += int(met[a][b]) if a != b else 0
                drive_since_farm += travel
                if step.arrival_s < prev.departure_s + travel:
                    out.append(
                        Violation(
                            "TRAVEL_TIME",
                            label,
                            detail=f"step {k} at {step.site_id} arrives {step.arrival_s} < "
                            f"departure {prev.departure_s} + travel {travel}",
                            numbers={
                                "arrival_s": step.arrival_s,
                                "earliest_s": prev.departure_s + travel,
                            },
                        )
                    )
            if step.distance_m != dist:
                out.append(
                    Violation(
                        "DISTANCE_MISMATCH",
                        label,
                        detail=f"step {k}: reported {step.distance_m} m, recomputed {dist} m",
                        numbers={"reported_m": step.distance_m, "recomputed_m": dist},
                    )
                )
            start = step.arrival_s + step.waiting_s
            if step.waiting_s < 0:
                out.append(Violation("WAITING", label, detail=f"step {k}: negative waiting"))
            # orders of a step are handled one after the other, in the listed order
            o_starts = []
            o_start = start
            for o in step_orders:
                o_starts.append(o_start)
                o_start += order_handling_s(o)
            if step.type in ("pickup", "delivery"):
                for o, t_o in zip(step_orders or [None], o_starts or [start], strict=True):
                    if site.tw_start_s <= t_o <= site.tw_end_s:
                        continue
                    out.append(
                        Violation(
                            "TIME_WINDOW",
                            label,
                            o.id if o is not None else "",
                            detail=f"{step.type} at {site.id} starts {t_o}, window "
                            f"[{site.tw_start_s}, {site.tw_end_s}]",
                            numbers={
                                "start_s": t_o,
                                "tw_start_s": site.tw_start_s,
                                "tw_end_s": site.tw_end_s,
                            },
                        )
                    )
            handling = sum(order_handling_s(o) for o in step_orders)
            leaving = k + 1 < len(steps) and steps[k + 1].site_id != step.site_id
            need = start + handling + (int(site.service_s) if leaving else 0)
            if step.type != "end" and step.departure_s < need:
                out.append(
                    Violation(
                        "SERVICE_TIME",
                        label,
                        detail=f"step {k} at {site.id} leaves {step.departure_s} < {need}",
                        numbers={"departure_s": step.departure_s, "required_s": need},
                    )
                )
            # loads, cold chain, bookkeeping per order
            for o, t_o in zip(step_orders, o_starts, strict=True):
                if step.type == "pickup":
                    load += float(o.kg)
                elif step.type == "delivery":
                    load -= float(o.kg)
                if o.cold_chain in COLD and not veh.refrigerated:
                    out.append(
                        Violation(
                            "COLD_CHAIN",
                            label,
                            o.id,
                            detail=f"{o.cold_chain} order on non-refrigerated {veh.id}",
                        )
                    )
                if str(o.day) and str(route.day) and str(o.day) != str(route.day):
                    out.append(
                        Violation(
                            "DAY", label, o.id, detail=f"order day {o.day}, route {route.day}"
                        )
                    )
                seen[o.id].append(
                    (label, route.phase, k, step.type, step.site_id, t_o, step.departure_s)
                )
                if (
                    max_drive is not None
                    and step.type == "delivery"
                    and last_farm_departure is not None
                    and drive_since_farm > max_drive
                ):
                    out.append(
                        Violation(
                            "MAX_DRIVE",
                            label,
                            o.id,
                            detail=f"{drive_since_farm} s driving from the farm > {max_drive} s",
                            numbers={"drive_s": drive_since_farm, "max_drive_s": max_drive},
                        )
                    )
            if step.type != "end" and step.site_id == veh.depot_site_id and leaving:
                # the drive clock of own trips restarts each time the van leaves the farm
                last_farm_departure = step.departure_s
                drive_since_farm = 0
            if load > veh.capacity_kg + KG_EPS:
                out.append(
                    Violation(
                        "CAPACITY",
                        label,
                        detail=f"load {load:.3f} kg > capacity {veh.capacity_kg} kg after step {k}",
                        numbers={"load_kg": load, "capacity_kg": float(veh.capacity_kg)},
                    )
                )
            if load < -KG_EPS:
                out.append(Violation("NEGATIVE_LOAD", label, detail=f"load {load:.3f} step {k}"))
            if abs(float(step.load_kg) - load) > 1e-3:
                out.append(
                    Violation(
                        "LOAD_MISMATCH",
                        label,
                        detail=f"step {k}: reported {step.load_kg} kg, recomputed {load:.3f}",
                        numbers={"reported_kg": float(step.load_kg), "recomputed_kg": load},
                    )
                )
        shifts[(route.vehicle_id, str(route.day))].append(
            (steps[0].arrival_s, steps[-1].arrival_s, label)
        )

    # shifts (per vehicle and day, across the phases of cross-dock mode)
    for (vid, _day), spans in shifts.items():
        veh = vehicles[vid]
        spans.sort()
        first, last = spans[0][0], max(e for _, e, _ in spans)
        label = spans[0][2]
        for (_, e1, l1), (s2, _, l2) in zip(spans, spans[1:], strict=False):
            if s2 < e1:
                out.append(Violation("OVERLAP", l2, detail=f"starts {s2} before {l1} ends {e1}"))
        if first < veh.shift_start_s or last > veh.shift_end_s:
            out.append(
                Violation(
                    "SHIFT_WINDOW",
                    label,
                    detail=f"works [{first}, {last}], shift [{veh.shift_start_s}, "
                    f"{veh.shift_end_s}]",
                    numbers={"start_s": first, "end_s": last},
                )
            )
        if last - first > veh.max_shift_s:
            out.append(
                Violation(
                    "SHIFT_DURATION",
                    label,
                    detail=f"{last - first} s > max shift {veh.max_shift_s} s",
                    numbers={"duration_s": last - first, "max_shift_s": veh.max_shift_s},
                )
            )

    # coverage, precedence, same van
    unassigned: dict[str, int] = defaultdict(int)
    for u in result.unassigned:
        unassigned[u.order_id] += 1
        if not u.reason_code:
            out.append(Violation("NO_REASON", order=u.order_id, detail="unassigned without reason"))
    for oid, n in unassigned.items():
        if n > 1:
            out.append(Violation("DUPLICATE", order=oid, detail=f"listed unassigned {n} times"))
        if oid in seen:
            out.append(Violation("DUPLICATE", order=oid, detail="both routed and unassigned"))
    depot_ids = {v.depot_site_id for v in problem.vehicles}
    for oid, o in orders.items():
        visits = seen.get(oid, [])
        if not visits:
            if oid not in unassigned:
                out.append(
                    Violation("MISSING_ORDER", order=oid, detail="neither served nor listed")
                )
            continue
        if mode == "cross_dock":
            legs = [("collection", o.pickup_site_id, None), ("delivery", None, o.delivery_site_id)]
        else:
            legs = [("direct", o.pickup_site_id, o.delivery_site_id)]
        drop_departure: int | None = None
        for phase, p_site, d_site in legs:
            ups = [v for v in visits if v[1] == phase and v[3] == "pickup"]
            downs = [v for v in visits if v[1] == phase and v[3] == "delivery"]
            if len(ups) != 1 or len(downs) != 1:
                out.append(
                    Violation(
                        "NOT_ONCE",
                        order=oid,
                        detail=f"{phase}: {len(ups)} pickups, {len(downs)} deliveries",
                    )
                )
                continue
            up, down = ups[0], downs[0]
            if up[0] != down[0]:
                out.append(
                    Violation(
                        "SAME_VAN", up[0], oid, detail=f"picked on {up[0]}, left on {down[0]}"
                    )
                )
            elif up[2] > down[2]:
                out.append(Violation("PRECEDENCE", up[0], oid, detail="delivery before pickup"))
            want_p = p_site if p_site is not None else None
            if want_p is not None and up[4] != want_p:
                out.append(Violation("WRONG_SITE", up[0], oid, detail=f"pickup at {up[4]}"))
            if d_site is not None and down[4] != d_site:
                out.append(Violation("WRONG_SITE", up[0], oid, detail=f"delivery at {down[4]}"))
            if phase == "collection":
                if down[4] not in depot_ids:
                    out.append(
                        Violation("WRONG_SITE", up[0], oid, detail="collection not to depot")
                    )
                drop_departure = down[6]
            if phase == "delivery":
                if up[4] not in depot_ids:
                    out.append(
                        Violation("WRONG_SITE", up[0], oid, detail="delivery not from depot")
                    )
                if drop_departure is not None and up[5] < drop_departure:
                    out.append(
                        Violation(
                            "CROSS_DOCK",
                            up[0],
                            oid,
                            detail=f"leaves depot at {up[5]} before drop {drop_departure}",
                            numbers={"pickup_s": up[5], "drop_s": drop_departure},
                        )
                    )
        extra = [v for v in visits if v[1] not in {leg[0] for leg in legs}]
        if extra:
            out.append(Violation("NOT_ONCE", order=oid, detail=f"steps in phases {extra}"))
    return CheckReport(ok=not out, violations=tuple(out))
