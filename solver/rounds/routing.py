"""Delivery rounds: paired pickup-and-delivery van routes of a farmers' platform (PDPTW).

Engine choice (measured, not assumed)
-------------------------------------
**PyVRP 0.14** (MIT, native paired pickup-and-delivery ``Shipment`` since 0.14). Measured on
this machine with ``benchmarks/routing_bks.py DIR --time-limit-s 10`` (one thread, 10 s of CPU
per instance, all 48 + 48 instances, 2026-11-23, every solution verified by an exact-arithmetic
checker; distance gap to the best-known, with a shorter solution that uses MORE vans than the
best-known counted as 0):

=====================  ===========================  ==========================================
set                    PyVRP (this model)           OR-Tools routing, default search (baseline)
=====================  ===========================  ==========================================
Li & Lim 100 (PDPTW)   +0.08%, best-known vans      +10.10%, best-known vans 20/48
                       43/48
Solomon 100 (VRPTW)    +0.43%, best-known vans      +6.60% (5 instances without a valid
                       30/48                        solution), best-known vans 20/48
=====================  ===========================  ==========================================

The issue's peer table agrees (OR-Tools guided local search +10.3% at 5 s on Li & Lim, PyVRP
+0.94%). PyVRP also has exactly the modelling pieces we need: optional shipments with prizes
(dropping orders), per-vehicle types (capacity, shift window, max duration, depot, costs),
several load dimensions, and whole integer matrices (``ProblemData`` with distance/duration
matrices, no Python callbacks). OR-Tools is kept as the benchmark's baseline.

Model (one PyVRP instance per round day; each order line is one shipment)
-------------------------------------------------------------------------
Sets: sites ``S`` (matrix index = position in ``problem.sites``), orders ``O``, vehicles ``V``.
Data: ``T[i,j]`` travel seconds, ``D[i,j]`` metres (integers), site windows ``[a_s, b_s]`` and
fixed service ``f_s``, order kg ``q_o`` and handling ``h_o = ceil(q_o * service_s_per_kg)``.

* Each order ``o`` is a shipment: pickup at its farm, delivery at its kitchen, same van, pickup
  first (PyVRP enforces pairing and precedence). Handling ``h_o`` is the service duration of both
  the pickup and the delivery activity; the activity must *start* inside the site's window.
* Shared stops: the fixed service time of a site is paid once per visit, not once per order, by
  putting it on the arcs *leaving* the site: ``T'[i,j] = f_i + T[i,j]`` for ``i != j`` and
  ``T'[i,i] = 0``. Consecutive orders at the same site therefore share one fixed service time.
* Capacity: two load dimensions, ``[grams, cold grams]``; a van has capacity
  ``[C_v, C_v if refrigerated else 0]``, so a chilled/frozen order can never ride a
  non-refrigerated van (exact, no penalty trick).
* Shift: vehicle type ``tw_early = shift_start_s``, ``tw_late = shift_end_s`` (back at depot),
  ``shift_duration = max_shift_s``; each vehicle is its own type (own depot, costs, shift).
* Objective (integer, 1e-6 EUR units): ``sum_v cost_eur_per_km * km_v + cost_eur_per_hour * h_v``
  minus collected prizes. Every order is *optional* with prize ``(PRIZE_EUR_PER_ORDER +
  PRIZE_EUR_PER_KG * q_o)``, far above the marginal cost of a round, so an order is dropped only
  when it cannot be served — never a failure of the whole request.
* Days: orders carry their day; each day is solved separately with the whole fleet; the time
  budget is shared across days in proportion to their orders.

Reasons for unassigned orders (Google route-optimisation style, with numbers). Each order is
first tested *alone* against every vehicle: ``NO_ROUND_ON_DAY`` (day not a round day),
``UNREACHABLE`` (no road connection in the matrix), ``OUT_OF_CATCHMENT`` (drive from the depot
beyond ``catchment_s``), ``NO_REFRIGERATED_VAN``, ``DEMAND_EXCEEDS_VEHICLE_CAPACITY``,
``TIME_WINDOW`` (pickup then delivery cannot fit the two windows even with no depot legs),
``SHIFT_DURATION`` (depot -> pickup -> delivery -> depot alone does not fit any compatible van's
shift window / max duration). Orders that pass alone but are left out by the solve are
``FLEET_FULL``. Only orders that pass alone are given to the engine. Producers' own trips
(:func:`solve_own_trips`) add ``MAX_DRIVE`` (farm -> kitchen drive beyond the producer's max).

Cross-dock mode (the platform's cold room): phase 1 *collection* routes bring each order from its
farm to the depot (shipments farm -> depot); phase 2 *delivery* routes take it from the depot to
its kitchen (shipments depot -> kitchen whose pickup window opens when the order was dropped in
the cold room). In phase 2 a van starts no earlier than it finished phase 1 and must be back by
``min(shift_end_s, phase-1 start + max_shift_s)``. An order collected but not delivered in phase 2
is removed from its collection route (re-timed) and reported ``FLEET_FULL``.

Known limits: cross-dock is same-day (collection, then delivery within one shift; an overnight
cold-room variant is not modelled); a producer's extra own trips are not sequenced in time;
a van is one vehicle per day (no multi-trip reloads in direct mode).

Times are re-derived from the visit order returned by the engine with the same semantics as the
independent checker (:mod:`solver.evaluation.routing_check`), and the checker's verdict is
attached to every
result.
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pyvrp import (
    Depot,
    Location,
    PenaltyParams,
    ProblemData,
    Shipment,
    SolveParams,
    VehicleType,
    solve,
)
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxRuntime

from solver.evaluation import CheckReport, check_rounds, order_handling_s

if TYPE_CHECKING:
    from solver.core import Van

logger = logging.getLogger(__name__)

SiteKind = Literal["depot", "farm", "kitchen"]
ColdChain = Literal["ambient", "chilled", "frozen"]
Mode = Literal["direct", "cross_dock"]
StepType = Literal["start", "pickup", "delivery", "end"]

COLD: frozenset[str] = frozenset({"chilled", "frozen"})
DAY_S = 24 * 3600
COST_UNITS_PER_EUR = 1_000_000
"""Integer objective unit: 1e-6 EUR (so 0.35 EUR/km = 350 units per metre)."""
PRIZE_EUR_PER_ORDER = 1_000.0
"""Prize (EUR) collected for serving an order; dwarfs any single round's marginal cost."""
PRIZE_EUR_PER_KG = 1.0
"""Extra prize per kg so that, when the fleet is full, heavier orders are kept first."""
MAX_PENALTY = 1e10
"""PyVRP's penalty cap per unit of violation (s of time warp, g of excess load). Its default
(1e5) is below our prizes (~1e9 units): the search would then prefer serving an order late
over dropping it and end infeasible. 1e10 x (1e5 s or 1e6 g) stays far from int64 overflow."""
UNREACHABLE_S = 10**9
"""Engine value for 'no road connection' (matrix entries < 0 in the input)."""
GRAMS_PER_KG = 1000


class ReasonCode(StrEnum):
    """Why an order is not in any route (in the spirit of Google's SkippedShipment reasons)."""

    NO_ROUND_ON_DAY = "NO_ROUND_ON_DAY"
    NO_VEHICLE = "NO_VEHICLE"
    UNREACHABLE = "UNREACHABLE"
    OUT_OF_CATCHMENT = "OUT_OF_CATCHMENT"
    NO_REFRIGERATED_VAN = "NO_REFRIGERATED_VAN"
    DEMAND_EXCEEDS_VEHICLE_CAPACITY = "DEMAND_EXCEEDS_VEHICLE_CAPACITY"
    TIME_WINDOW = "TIME_WINDOW"
    SHIFT_DURATION = "SHIFT_DURATION"
    MAX_DRIVE = "MAX_DRIVE"
    FLEET_FULL = "FLEET_FULL"


# ------------------------------------------------------------------------------ problem types
@dataclass(frozen=True)
class Site:
    """A place a van stops at: the platform depot, a farm or a kitchen.

    Times are integer seconds since midnight; ``service_s`` is the fixed time per visit.
    """

    id: str
    lat: float
    lon: float
    kind: SiteKind
    tw_start_s: int = 0
    tw_end_s: int = DAY_S
    service_s: int = 0


RouteStop = Site
"""Alias: a stop of a round is a site."""


@dataclass(frozen=True)
class Order:
    """One order line: ``kg`` collected at a farm and delivered to a kitchen on ``day``.

    ``service_s_per_kg`` applies at both ends (loading at the farm, unloading at the kitchen).
    """

    id: str
    pickup_site_id: str
    delivery_site_id: str
    kg: float
    cold_chain: ColdChain = "ambient"
    day: str = ""
    service_s_per_kg: float = 0.0


@dataclass(frozen=True)
class Vehicle:
    """A van: capacity, refrigeration, costs, shift window and max shift, home depot."""

    id: str
    capacity_kg: float
    depot_site_id: str
    refrigerated: bool = True
    cost_eur_per_km: float = 0.35
    cost_eur_per_hour: float = 25.0
    co2_kg_per_km: float = 0.25
    shift_start_s: int = 6 * 3600
    shift_end_s: int = 15 * 3600
    max_shift_s: int = 9 * 3600


def vehicle_from_van(van: Van, depot_site_id: str) -> Vehicle:
    """Map a domain :class:`~solver.core.domain.Van` (minutes) to a :class:`Vehicle` (seconds)."""
    return Vehicle(
        id=van.id,
        capacity_kg=van.capacity_kg,
        depot_site_id=depot_site_id,
        refrigerated=van.refrigerated,
        cost_eur_per_km=van.cost_eur_per_km,
        cost_eur_per_hour=van.cost_eur_per_hour,
        co2_kg_per_km=van.co2_kg_per_km,
        shift_start_s=int(van.shift_start_min) * 60,
        shift_end_s=int(van.shift_end_min) * 60,
        max_shift_s=int(round(van.max_shift_min * 60)),
    )


def _matrix(value: Any, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape != (n, n):
        msg = f"RoundsProblem.{name}: shape {arr.shape}, expected ({n}, {n}) (one row per site)"
        raise ValueError(msg)
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.isfinite(arr)) or not np.allclose(arr, np.round(arr)):
            msg = f"RoundsProblem.{name}: integer values expected (seconds / metres)"
            raise ValueError(msg)
        arr = np.round(arr)
    return arr.astype(np.int64)


@dataclass(frozen=True, eq=False)
class RoundsProblem:
    """A rounds request: sites (matrix index = position), orders, vehicles and matrices.

    ``matrix_seconds``/``matrix_metres`` are ``n x n`` integer arrays; a negative entry means
    "no road connection". ``days`` lists the round days (empty: every day found in the orders).
    ``catchment_s`` bounds the drive from the depot to any stop (None: no bound).
    """

    sites: tuple[Site, ...]
    orders: tuple[Order, ...]
    vehicles: tuple[Vehicle, ...]
    matrix_seconds: np.ndarray
    matrix_metres: np.ndarray
    travel_source: str = "estimate"
    days: tuple[str, ...] = ()
    catchment_s: int | None = None

    def __post_init__(self) -> None:
        n = len(self.sites)
        object.__setattr__(self, "sites", tuple(self.sites))
        object.__setattr__(self, "orders", tuple(self.orders))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        object.__setattr__(self, "days", tuple(str(d) for d in self.days))
        object.__setattr__(
            self, "matrix_seconds", _matrix(self.matrix_seconds, n, "matrix_seconds")
        )
        object.__setattr__(self, "matrix_metres", _matrix(self.matrix_metres, n, "matrix_metres"))
        ids = [s.id for s in self.sites]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            msg = f"RoundsProblem.sites: duplicate site id(s) {dup}"
            raise ValueError(msg)
        known = set(ids)
        for s in self.sites:
            if s.kind not in ("depot", "farm", "kitchen"):
                msg = f"site {s.id!r}: kind {s.kind!r} is not depot/farm/kitchen"
                raise ValueError(msg)
            if s.tw_end_s < s.tw_start_s:
                msg = f"site {s.id!r}: tw_end_s {s.tw_end_s} < tw_start_s {s.tw_start_s}"
                raise ValueError(msg)
            if s.service_s < 0:
                msg = f"site {s.id!r}: service_s must be >= 0, got {s.service_s}"
                raise ValueError(msg)
        oids = [o.id for o in self.orders]
        if len(set(oids)) != len(oids):
            dup = sorted({i for i in oids if oids.count(i) > 1})
            msg = f"RoundsProblem.orders: duplicate order id(s) {dup}"
            raise ValueError(msg)
        for o in self.orders:
            for fld in ("pickup_site_id", "delivery_site_id"):
                if getattr(o, fld) not in known:
                    msg = f"order {o.id!r}: {fld} {getattr(o, fld)!r} is not a site"
                    raise ValueError(msg)
            if not o.kg > 0:
                msg = f"order {o.id!r}: kg must be > 0, got {o.kg}"
                raise ValueError(msg)
            if o.cold_chain not in ("ambient", "chilled", "frozen"):
                msg = f"order {o.id!r}: cold_chain {o.cold_chain!r} not ambient/chilled/frozen"
                raise ValueError(msg)
            if o.service_s_per_kg < 0:
                msg = f"order {o.id!r}: service_s_per_kg must be >= 0"
                raise ValueError(msg)
        vids = [v.id for v in self.vehicles]
        if len(set(vids)) != len(vids):
            msg = f"RoundsProblem.vehicles: duplicate vehicle id(s) in {vids}"
            raise ValueError(msg)
        for v in self.vehicles:
            if v.depot_site_id not in known:
                msg = f"vehicle {v.id!r}: depot_site_id {v.depot_site_id!r} is not a site"
                raise ValueError(msg)
            if not v.capacity_kg > 0:
                msg = f"vehicle {v.id!r}: capacity_kg must be > 0, got {v.capacity_kg}"
                raise ValueError(msg)
            if v.shift_end_s <= v.shift_start_s or v.max_shift_s <= 0:
                msg = (
                    f"vehicle {v.id!r}: shift [{v.shift_start_s}, {v.shift_end_s}] / max "
                    f"{v.max_shift_s} s is empty"
                )
                raise ValueError(msg)

    @property
    def estimated(self) -> bool:
        """True when travel times are an estimate (not a road graph / routing engine)."""
        return self.travel_source.startswith("estimate")

    def index(self, site_id: str) -> int:
        """Matrix index of a site."""
        return self._index()[site_id]

    def site(self, site_id: str) -> Site:
        """The site with this id."""
        return self.sites[self.index(site_id)]

    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_idx")
        if cached is None:
            cached = {s.id: i for i, s in enumerate(self.sites)}
            object.__setattr__(self, "_idx", cached)
        return cached

    # ---- VROOM-like JSON input -------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
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
                for s in self.sites
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
                for o in self.orders
            ],
            "vehicles": [
                {
                    "id": v.id,
                    "start": v.depot_site_id,
                    "end": v.depot_site_id,
                    "capacity_kg": v.capacity_kg,
                    "refrigerated": v.refrigerated,
                    "skills": ["chilled", "frozen"] if v.refrigerated else [],
                    "costs": {"per_km": v.cost_eur_per_km, "per_hour": v.cost_eur_per_hour},
                    "co2_kg_per_km": v.co2_kg_per_km,
                    "time_window": [v.shift_start_s, v.shift_end_s],
                    "max_travel_time": v.max_shift_s,
                }
                for v in self.vehicles
            ],
            "matrices": {
                "car": {
                    "durations": self.matrix_seconds.tolist(),
                    "distances": self.matrix_metres.tolist(),
                }
            },
            "travel_source": self.travel_source,
            "estimated": self.estimated,
            "days": list(self.days),
            "catchment_s": self.catchment_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoundsProblem:
        """Build from the shape written by :meth:`to_json`; errors name the field and value."""

        def need(obj: dict[str, Any], key: str, where: str) -> Any:
            if not isinstance(obj, dict) or key not in obj:
                msg = f"{where}: missing field {key!r}"
                raise _InputError(msg)
            return obj[key]

        def parse(where: str, build: Callable[[], Any]) -> Any:
            try:
                return build()
            except _InputError:
                raise
            except (TypeError, ValueError, IndexError, AttributeError) as exc:
                msg = f"{where}: invalid value ({exc})"
                raise _InputError(msg) from exc

        sites = []
        for i, s in enumerate(need(data, "sites", "rounds input")):
            where = f"sites[{i}]"
            sites.append(parse(where, partial(_site_from, s, where, need)))
        orders = []
        for i, o in enumerate(need(data, "shipments", "rounds input")):
            where = f"shipments[{i}]"
            orders.append(parse(where, partial(_order_from, o, where, need)))
        vehicles = []
        for i, v in enumerate(need(data, "vehicles", "rounds input")):
            where = f"vehicles[{i}]"
            vehicles.append(parse(where, partial(_vehicle_from, v, where, need)))
        mats = need(need(data, "matrices", "rounds input"), "car", "matrices")
        catch = data.get("catchment_s")
        return cls(
            sites=tuple(sites),
            orders=tuple(orders),
            vehicles=tuple(vehicles),
            matrix_seconds=parse(
                "matrices.car.durations",
                lambda: np.asarray(need(mats, "durations", "matrices.car"), dtype=np.int64),
            ),
            matrix_metres=parse(
                "matrices.car.distances",
                lambda: np.asarray(need(mats, "distances", "matrices.car"), dtype=np.int64),
            ),
            travel_source=str(data.get("travel_source", "estimate")),
            days=tuple(str(d) for d in data.get("days", [])),
            catchment_s=None if catch is None else parse("catchment_s", lambda: int(catch)),
        )


class _InputError(ValueError):
    """Bad rounds input; the message names the item and field."""


_Need = Callable[[dict[str, Any], str, str], Any]


def _site_from(s: dict[str, Any], where: str, need: _Need) -> Site:
    lon, lat = need(s, "location", where)
    tws = s.get("time_windows") or [[0, DAY_S]]
    return Site(
        id=str(need(s, "id", where)),
        lat=float(lat),
        lon=float(lon),
        kind=s.get("kind", "kitchen"),
        tw_start_s=int(tws[0][0]),
        tw_end_s=int(tws[0][1]),
        service_s=int(s.get("setup", 0)),
    )


def _order_from(o: dict[str, Any], where: str, need: _Need) -> Order:
    return Order(
        id=str(need(o, "id", where)),
        pickup_site_id=str(need(need(o, "pickup", where), "site", where + ".pickup")),
        delivery_site_id=str(need(need(o, "delivery", where), "site", where + ".delivery")),
        kg=float(need(o, "amount_kg", where)),
        cold_chain=o.get("cold_chain", "ambient"),
        day=str(o.get("day", "")),
        service_s_per_kg=float(o.get("service_s_per_kg", 0.0)),
    )


def _vehicle_from(v: dict[str, Any], where: str, need: _Need) -> Vehicle:
    tw = v.get("time_window", [6 * 3600, 15 * 3600])
    costs = v.get("costs", {})
    return Vehicle(
        id=str(need(v, "id", where)),
        capacity_kg=float(need(v, "capacity_kg", where)),
        depot_site_id=str(need(v, "start", where)),
        refrigerated=bool(v.get("refrigerated", True)),
        cost_eur_per_km=float(costs.get("per_km", 0.35)),
        cost_eur_per_hour=float(costs.get("per_hour", 25.0)),
        co2_kg_per_km=float(v.get("co2_kg_per_km", 0.25)),
        shift_start_s=int(tw[0]),
        shift_end_s=int(tw[1]),
        max_shift_s=int(v.get("max_travel_time", tw[1] - tw[0])),
    )


# ------------------------------------------------------------------------------- result types
@dataclass(frozen=True)
class Step:
    """One step of a route; several orders at the same site in a row share one step.

    ``arrival_s``: van at the site; ``waiting_s``: until the window opens; handling starts at
    ``arrival_s + waiting_s``; ``departure_s`` includes the site's fixed service when the van
    leaves. ``load_kg`` is the load after the step; ``distance_m``/``duration_s`` are cumulative
    since the route start.
    """

    type: StepType
    site_id: str
    order_ids: tuple[str, ...]
    arrival_s: int
    waiting_s: int
    service_s: int
    departure_s: int
    load_kg: float
    distance_m: int
    duration_s: int


@dataclass(frozen=True)
class Route:
    """A van's round on one day (``phase``: direct, or collection/delivery in cross-dock)."""

    vehicle_id: str
    day: str
    steps: tuple[Step, ...]
    phase: str = "direct"
    kg_delivered: float = 0.0
    """Kg unloaded at kitchens (not counting drops at the cross-dock depot)."""

    @property
    def distance_m(self) -> int:
        """Total distance, metres."""
        return self.steps[-1].distance_m

    @property
    def duration_s(self) -> int:
        """From the start at the depot to the return, seconds (waits included)."""
        return self.steps[-1].arrival_s - self.steps[0].arrival_s


@dataclass(frozen=True)
class Unassigned:
    """An order left out, with a reason code and the numbers behind it."""

    order_id: str
    reason_code: str
    detail: str
    numbers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """Indicators over all routes (CO2 factor per van, see ``Vehicle.co2_kg_per_km``)."""

    distance_km: float
    hours: float
    cost_eur: float
    co2_kg: float
    kg_delivered: float
    kg_per_km: float
    vans_used: int
    routes: int
    orders_served: int
    orders_unassigned: int


@dataclass(frozen=True)
class RoundsResult:
    """Routes, unassigned orders with reasons, indicators, and the checker's verdict."""

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    summary: Summary
    status: str
    runtime_s: float
    travel_source: str
    estimated: bool
    mode: str = "direct"
    check: CheckReport | None = None
    max_drive_s: int | None = None


# --------------------------------------------------------------------------------- scheduling
@dataclass(frozen=True)
class _Act:
    """Engine-independent activity: pickup/delivery of one order at one site."""

    type: StepType
    site_id: str
    order_id: str


def _timed_route(
    problem: RoundsProblem,
    vehicle: Vehicle,
    day: str,
    acts: Sequence[_Act],
    depart_s: int,
    phase: str = "direct",
    depot_windows: dict[str, int] | None = None,
) -> Route:
    """Forward pass with the checker's semantics, leaving the depot at ``depart_s``.

    Activities are timed one by one exactly as the engine does (each starts at
    ``max(ready, window start, release)`` and lasts its handling time; the fixed service of a
    site is paid on leaving it); then consecutive activities of the same type at the same site
    that follow each other without waiting are merged into one step (a shared stop).
    ``depot_windows`` maps order id -> earliest pickup at the depot (cross-dock phase 2).
    """
    orders = {o.id: o for o in problem.orders}
    sec, met = problem.matrix_seconds, problem.matrix_metres
    seq: list[tuple[StepType, str, str]] = [("start", vehicle.depot_site_id, "")]
    seq += [(a.type, a.site_id, a.order_id) for a in acts]
    seq.append(("end", vehicle.depot_site_id, ""))
    # per activity: (type, site, order, ready time before waiting, start, end of handling, dist)
    timed: list[tuple[StepType, str, str, int, int, int, int]] = []
    t = depart_s
    dist = 0
    for k, (typ, sid, oid) in enumerate(seq):
        site = problem.site(sid)
        if k > 0:
            prev_sid = seq[k - 1][1]
            if prev_sid != sid:
                a, b = problem.index(prev_sid), problem.index(sid)
                t += problem.site(prev_sid).service_s + int(sec[a, b])
                dist += int(met[a, b])
        ready = t
        start = ready
        if typ in ("pickup", "delivery"):
            start = max(ready, site.tw_start_s)
            if depot_windows and typ == "pickup" and oid in depot_windows:
                start = max(start, depot_windows[oid])
        handling = order_handling_s(orders[oid]) if oid else 0
        timed.append((typ, sid, oid, ready, start, start + handling, dist))
        t = start + handling
    # merge into steps
    groups: list[list[tuple[StepType, str, str, int, int, int, int]]] = []
    for rec in timed:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and rec[0] in ("pickup", "delivery")
            and last[0] == rec[0]
            and last[1] == rec[1]
            and rec[4] == last[5]
        ):
            groups[-1].append(rec)
        else:
            groups.append([rec])
    steps: list[Step] = []
    load = 0.0
    for k, grp in enumerate(groups):
        typ, sid = grp[0][0], grp[0][1]
        oids = [r[2] for r in grp if r[2]]
        arrival, start, end = grp[0][3], grp[0][4], grp[-1][5]
        leaving = k + 1 < len(groups) and groups[k + 1][0][1] != sid
        fixed = problem.site(sid).service_s if leaving and typ != "end" else 0
        for o in oids:
            load += orders[o].kg if typ == "pickup" else -orders[o].kg
        departure = end + fixed if typ != "end" else arrival
        steps.append(
            Step(
                type=typ,
                site_id=sid,
                order_ids=tuple(oids),
                arrival_s=arrival,
                waiting_s=start - arrival,
                service_s=departure - start if typ != "end" else 0,
                departure_s=departure,
                load_kg=round(load, 6) if abs(load) > 1e-9 else 0.0,
                distance_m=grp[0][6],
                duration_s=arrival - depart_s,
            )
        )
    kitchens = sum(
        orders[o].kg
        for s in steps
        if s.type == "delivery" and problem.site(s.site_id).kind != "depot"
        for o in s.order_ids
    )
    return Route(
        vehicle_id=vehicle.id,
        day=day,
        steps=tuple(steps),
        phase=phase,
        kg_delivered=round(kitchens, 6),
    )


def _latest_departure(
    problem: RoundsProblem,
    vehicle: Vehicle,
    day: str,
    acts: Sequence[_Act],
    earliest_s: int,
    depot_windows: dict[str, int] | None = None,
) -> Route:
    """Route leaving at the departure time that minimises its duration (no needless waits).

    Delaying the departure by ``d`` delays the start of step ``j`` by ``max(0, d - W_j)``, with
    ``W_j`` the waiting up to and including ``j``; so the largest useful delay is
    ``min(W_total, min_j (W_j + tw_end_j - start_j))``, which keeps every window and the
    return time, and shortens the route by exactly that delay.
    """
    base = _timed_route(problem, vehicle, day, acts, earliest_s, depot_windows=depot_windows)
    cum_wait = 0
    delay: int | None = None
    for s in base.steps:
        cum_wait += s.waiting_s
        if s.type in ("pickup", "delivery"):
            slack = cum_wait + problem.site(s.site_id).tw_end_s - (s.arrival_s + s.waiting_s)
            delay = slack if delay is None else min(delay, slack)
    delay = cum_wait if delay is None else min(delay, cum_wait)
    if delay <= 0:
        return base
    return _timed_route(
        problem, vehicle, day, acts, earliest_s + delay, depot_windows=depot_windows
    )


def _fits_windows(problem: RoundsProblem, route: Route) -> bool:
    for s in route.steps:
        if s.type in ("pickup", "delivery"):
            site = problem.site(s.site_id)
            if s.arrival_s + s.waiting_s > site.tw_end_s:
                return False
    return True


# ------------------------------------------------------------------------------ alone checks
def _alone_reason(
    problem: RoundsProblem, order: Order, vehicles: Sequence[Vehicle], day: str
) -> Unassigned | None:
    """Reason why ``order`` cannot be served even alone, or None if some van can."""
    sec = problem.matrix_seconds
    p, d = problem.index(order.pickup_site_id), problem.index(order.delivery_site_id)
    if problem.days and order.day and order.day not in problem.days:
        return Unassigned(
            order.id,
            ReasonCode.NO_ROUND_ON_DAY,
            f"order day {order.day!r} is not a round day {list(problem.days)}",
        )
    if not vehicles:
        return Unassigned(order.id, ReasonCode.NO_VEHICLE, "no vehicle in the request")
    reach = [
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
    if not reach:
        bad = order.pickup_site_id if sec[p, d] >= 0 else order.delivery_site_id
        return Unassigned(
            order.id,
            ReasonCode.UNREACHABLE,
            f"no road connection between the depot, {order.pickup_site_id} and "
            f"{order.delivery_site_id} (matrix entry < 0 near {bad})",
        )
    if problem.catchment_s is not None:
        inside = []
        worst = 0
        for v in reach:
            dep = problem.index(v.depot_site_id)
            far = max(int(sec[dep, p]), int(sec[dep, d]))
            worst = max(worst, far)
            if far <= problem.catchment_s:
                inside.append(v)
        if not inside:
            return Unassigned(
                order.id,
                ReasonCode.OUT_OF_CATCHMENT,
                f"drive from the depot {worst} s > catchment {problem.catchment_s} s",
                {"drive_s": worst, "catchment_s": problem.catchment_s},
            )
        reach = inside
    if order.cold_chain in COLD:
        cold = [v for v in reach if v.refrigerated]
        if not cold:
            return Unassigned(
                order.id,
                ReasonCode.NO_REFRIGERATED_VAN,
                f"{order.cold_chain} order, {len(reach)} van(s) available, none refrigerated",
                {"vans": len(reach), "refrigerated_vans": 0},
            )
        reach = cold
    big = [v for v in reach if v.capacity_kg + 1e-9 >= order.kg]
    if not big:
        cap = max(v.capacity_kg for v in reach)
        return Unassigned(
            order.id,
            ReasonCode.DEMAND_EXCEEDS_VEHICLE_CAPACITY,
            f"{order.kg} kg > largest compatible van {cap} kg",
            {"kg": order.kg, "capacity_kg": cap},
        )
    ps, ds = problem.sites[p], problem.sites[d]
    handling = order_handling_s(order)
    earliest_p = ps.tw_start_s
    reach_d = earliest_p + handling + (ps.service_s if p != d else 0) + (int(sec[p, d]))
    earliest_d = max(reach_d, ds.tw_start_s)
    if earliest_d > ds.tw_end_s:
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
    acts = [_Act("pickup", ps.id, order.id), _Act("delivery", ds.id, order.id)]
    best_numbers: dict[str, float] = {}
    best_detail = ""
    for v in big:
        route = _latest_departure(problem, v, day, acts, v.shift_start_s)
        if (
            _fits_windows(problem, route)
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
            if not _fits_windows(problem, route):
                best_detail += " and misses a site window from the shift start"
    return Unassigned(order.id, ReasonCode.SHIFT_DURATION, best_detail, best_numbers)


# ------------------------------------------------------------------------------ engine layer
@dataclass(frozen=True)
class _Leg:
    """A shipment given to the engine: an order (or one leg of it in cross-dock mode)."""

    order: Order
    pickup_site_id: str
    delivery_site_id: str
    pickup_tw_start_s: int | None = None


def _engine_solve(
    problem: RoundsProblem,
    legs: Sequence[_Leg],
    vehicles: Sequence[Vehicle],
    windows: dict[str, tuple[int, int]],
    time_limit_s: float,
    seed: int,
) -> dict[str, list[_Act]]:
    """Solve one day (one phase) with PyVRP; return vehicle id -> activity sequence.

    ``windows`` maps vehicle id -> (earliest start, latest return) for this phase.
    """
    if not legs or not vehicles:
        return {}
    n = len(problem.sites)
    sec = problem.matrix_seconds.copy()
    sec[sec < 0] = UNREACHABLE_S
    fixed = np.array([s.service_s for s in problem.sites], dtype=np.int64)
    dur = sec + fixed[:, None]  # fixed service paid when leaving a site
    np.fill_diagonal(dur, 0)
    met = problem.matrix_metres.copy()
    met[met < 0] = UNREACHABLE_S
    np.fill_diagonal(met, 0)

    depot_sites = sorted({v.depot_site_id for v in vehicles}, key=problem.index)
    # PyVRP wants its depots first among the locations: permute the locations accordingly.
    order_locs = [problem.index(s) for s in depot_sites]
    order_locs += [i for i in range(n) if i not in set(order_locs)]
    pos = {loc: k for k, loc in enumerate(order_locs)}
    perm = np.array(order_locs)
    locations = [
        Location(x=problem.sites[i].lon, y=problem.sites[i].lat, name=problem.sites[i].id)
        for i in order_locs
    ]
    depots = [Depot(location=k) for k in range(len(depot_sites))]
    shipments = []
    kept_legs: list[_Leg] = []
    for leg in legs:
        o = leg.order
        ps, ds = problem.site(leg.pickup_site_id), problem.site(leg.delivery_site_id)
        grams = int(round(o.kg * GRAMS_PER_KG))
        cold = grams if o.cold_chain in COLD else 0
        h = order_handling_s(o)
        p_early = max(ps.tw_start_s, leg.pickup_tw_start_s or 0)
        a, b = problem.index(ps.id), problem.index(ds.id)
        if p_early > ps.tw_end_s or p_early + h + int(dur[a, b]) > ds.tw_end_s:
            logger.debug("leg of %s cannot fit its windows (cross-dock release too late)", o.id)
            continue
        kept_legs.append(leg)
        shipments.append(
            Shipment(
                pickup_location=pos[problem.index(ps.id)],
                delivery_location=pos[problem.index(ds.id)],
                pickup_tw_early=p_early,
                pickup_tw_late=max(ps.tw_end_s, p_early),
                pickup_service_duration=h,
                delivery_tw_early=ds.tw_start_s,
                delivery_tw_late=ds.tw_end_s,
                delivery_service_duration=h,
                amount=[grams, cold],
                prize=int((PRIZE_EUR_PER_ORDER + PRIZE_EUR_PER_KG * o.kg) * COST_UNITS_PER_EUR),
                required=False,
                name=o.id,
            )
        )
    legs = kept_legs
    if not legs:
        return {}
    vtypes = []
    for v in vehicles:
        cap = int(math.floor(v.capacity_kg * GRAMS_PER_KG + 1e-6))
        early, late = windows[v.id]
        depot_k = depot_sites.index(v.depot_site_id)
        vtypes.append(
            VehicleType(
                num_available=1,
                capacity=[cap, cap if v.refrigerated else 0],
                start_depot=depot_k,
                end_depot=depot_k,
                tw_early=early,
                tw_late=late,
                shift_duration=v.max_shift_s,
                unit_distance_cost=int(round(v.cost_eur_per_km * COST_UNITS_PER_EUR / 1000)),
                unit_duration_cost=int(round(v.cost_eur_per_hour * COST_UNITS_PER_EUR / 3600)),
                name=v.id,
            )
        )
    data = ProblemData(
        locations=locations,
        clients=[],
        depots=depots,
        vehicle_types=vtypes,
        distance_matrices=[met[np.ix_(perm, perm)]],
        duration_matrices=[dur[np.ix_(perm, perm)]],
        shipments=shipments,
    )
    params = SolveParams(penalty=PenaltyParams(min_penalty=1.0, max_penalty=MAX_PENALTY))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PenaltyBoundWarning)
        res = solve(
            data,
            stop=MaxRuntime(max(time_limit_s, 0.05)),
            seed=seed,
            collect_stats=False,
            params=params,
        )
    for w in caught:
        logger.info("PyVRP: %s", str(w.message).split(".")[0].strip())
    best = res.best
    logger.debug(
        "PyVRP: %d shipments, %d vans, feasible=%s, cost=%s, %d iterations",
        len(shipments),
        len(vtypes),
        best.is_feasible(),
        best.distance(),
        res.num_iterations,
    )
    if not best.is_feasible():
        logger.warning(
            "PyVRP found no feasible plan in %.1f s; keeping only its feasible routes "
            "(the other orders are reported FLEET_FULL)",
            time_limit_s,
        )
    out: dict[str, list[_Act]] = {}
    for route in best.routes():
        if not route.is_feasible():
            continue
        v = vehicles[route.vehicle_type()]
        logger.debug(
            "engine route %s: %s",
            v.id,
            [(a.type.name, a.idx, a.start_time, a.end_time, a.time_warp) for a in route.schedule()],
        )
        acts: list[_Act] = []
        for act in route.schedule():
            if act.is_depot():
                continue
            leg = legs[act.idx]
            if act.is_pickup():
                acts.append(_Act("pickup", leg.pickup_site_id, leg.order.id))
            else:
                acts.append(_Act("delivery", leg.delivery_site_id, leg.order.id))
        if acts:
            out[v.id] = acts
    return out


# ---------------------------------------------------------------------------------- solving
def _summary(
    problem: RoundsProblem, routes: Sequence[Route], unassigned: Sequence[Unassigned]
) -> Summary:
    vehicles = {v.id: v for v in problem.vehicles}
    km = sum(r.distance_m for r in routes) / 1000.0
    hours = sum(r.duration_s for r in routes) / 3600.0
    cost = sum(
        vehicles[r.vehicle_id].cost_eur_per_km * r.distance_m / 1000.0
        + vehicles[r.vehicle_id].cost_eur_per_hour * r.duration_s / 3600.0
        for r in routes
        if r.vehicle_id in vehicles
    )
    co2 = sum(
        vehicles[r.vehicle_id].co2_kg_per_km * r.distance_m / 1000.0
        for r in routes
        if r.vehicle_id in vehicles
    )
    kg = sum(r.kg_delivered for r in routes)
    served = {o for r in routes for s in r.steps if s.type == "delivery" for o in s.order_ids}
    served -= {u.order_id for u in unassigned}
    return Summary(
        distance_km=round(km, 3),
        hours=round(hours, 3),
        cost_eur=round(cost, 2),
        co2_kg=round(co2, 2),
        kg_delivered=round(kg, 3),
        kg_per_km=round(kg / km, 3) if km > 0 else 0.0,
        vans_used=len({r.vehicle_id for r in routes}),
        routes=len(routes),
        orders_served=len(served),
        orders_unassigned=len(unassigned),
    )


def _days(problem: RoundsProblem) -> list[str]:
    seen: list[str] = []
    for o in problem.orders:
        if o.day not in seen:
            seen.append(o.day)
    return seen


def _finish(
    problem: RoundsProblem,
    routes: list[Route],
    unassigned: list[Unassigned],
    t0: float,
    mode: str,
    max_drive_s: int | None = None,
) -> RoundsResult:
    order_pos = {o.id: k for k, o in enumerate(problem.orders)}
    unassigned.sort(key=lambda u: order_pos.get(u.order_id, 0))
    routes.sort(key=lambda r: (r.day, r.vehicle_id, r.phase != "collection"))
    summary = _summary(problem, routes, unassigned)
    if not problem.orders:
        status = "NO_ORDERS"
    elif unassigned:
        status = "PARTIAL"
    else:
        status = "ALL_SERVED"
    result = RoundsResult(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        summary=summary,
        status=status,
        runtime_s=round(time.perf_counter() - t0, 3),
        travel_source=problem.travel_source,
        estimated=problem.estimated,
        mode=mode,
        max_drive_s=max_drive_s,
    )
    report = check_rounds(problem, result)
    if not report.ok:
        logger.error("rounds checker found %d violation(s): %s", len(report.violations), report)
    return replace(result, check=report)


def solve_rounds(
    problem: RoundsProblem,
    *,
    time_limit_s: float,
    seed: int = 0,
    mode: Mode = "direct",
) -> RoundsResult:
    """Plan the rounds of every day in ``problem``; the checker's verdict is attached.

    Parameters
    ----------
    problem
        Sites, orders (each with its day), vehicles and integer matrices.
    time_limit_s
        Total wall-clock budget for the engine, shared across days (and phases).
    seed
        Engine seed (PyVRP runs on one thread; same seed + budget = reproducible on one machine
        up to the time limit's effect on the number of iterations).
    mode
        ``"direct"``: each van collects and delivers orders itself; ``"cross_dock"``: farms ->
        depot collection, then depot -> kitchens delivery (see the module docstring).

    Returns
    -------
    RoundsResult
        Routes, unassigned orders with reason codes and numbers, indicators and ``check``.
    """
    if mode not in ("direct", "cross_dock"):
        msg = f"mode must be 'direct' or 'cross_dock', got {mode!r}"
        raise ValueError(msg)
    t0 = time.perf_counter()
    routes: list[Route] = []
    unassigned: list[Unassigned] = []
    days = _days(problem)
    by_day: dict[str, list[Order]] = defaultdict(list)
    for o in problem.orders:
        by_day[o.day].append(o)
    total = max(1, sum(len(v) for v in by_day.values()))
    for day in days:
        budget = time_limit_s * len(by_day[day]) / total
        if mode == "direct":
            r, u = _solve_direct_day(problem, day, by_day[day], budget, seed)
        else:
            r, u = _solve_cross_dock_day(problem, day, by_day[day], budget, seed)
        routes += r
        unassigned += u
    return _finish(problem, routes, unassigned, t0, mode)


def _screen(
    problem: RoundsProblem, orders: Iterable[Order], day: str
) -> tuple[list[Order], list[Unassigned]]:
    ok: list[Order] = []
    bad: list[Unassigned] = []
    for o in orders:
        reason = _alone_reason(problem, o, problem.vehicles, day)
        if reason is None:
            ok.append(o)
        else:
            bad.append(reason)
    return ok, bad


def _fleet_full(order: Order, day: str, mode: str = "") -> Unassigned:
    extra = f" ({mode})" if mode else ""
    return Unassigned(
        order.id,
        ReasonCode.FLEET_FULL,
        f"servable alone but not in this day's plan{extra}: the vans' capacity, shifts and "
        f"windows are used by other orders on {day or 'the round day'}",
        {"kg": order.kg},
    )


def _solve_direct_day(
    problem: RoundsProblem, day: str, orders: list[Order], budget_s: float, seed: int
) -> tuple[list[Route], list[Unassigned]]:
    ok, bad = _screen(problem, orders, day)
    legs = [_Leg(o, o.pickup_site_id, o.delivery_site_id) for o in ok]
    windows = {v.id: (v.shift_start_s, v.shift_end_s) for v in problem.vehicles}
    plan = _engine_solve(problem, legs, problem.vehicles, windows, budget_s, seed)
    vehicles = {v.id: v for v in problem.vehicles}
    routes = [
        _latest_departure(problem, vehicles[vid], day, acts, vehicles[vid].shift_start_s)
        for vid, acts in plan.items()
    ]
    served = {a.order_id for acts in plan.values() for a in acts}
    bad += [_fleet_full(o, day) for o in ok if o.id not in served]
    return routes, bad


def _platform_depot(problem: RoundsProblem) -> str:
    depots = [s.id for s in problem.sites if s.kind == "depot"]
    if problem.vehicles:
        return problem.vehicles[0].depot_site_id
    if depots:
        return depots[0]
    msg = "cross_dock mode needs a depot site (kind='depot') or a vehicle"
    raise ValueError(msg)


def _solve_cross_dock_day(
    problem: RoundsProblem, day: str, orders: list[Order], budget_s: float, seed: int
) -> tuple[list[Route], list[Unassigned]]:
    depot = _platform_depot(problem)
    vans = [v for v in problem.vehicles if v.depot_site_id == depot]
    if len(vans) < len(problem.vehicles):
        logger.info("cross_dock: only the %d van(s) based at %s are used", len(vans), depot)
    sub = replace(problem, vehicles=tuple(vans)) if vans else problem
    ok, bad = _screen(sub, orders, day)
    vehicles = {v.id: v for v in vans}
    # phase 1: farms -> depot
    legs1 = [_Leg(o, o.pickup_site_id, depot) for o in ok if o.pickup_site_id != depot]
    at_depot = {o.id: 0 for o in ok if o.pickup_site_id == depot}
    windows1 = {v.id: (v.shift_start_s, v.shift_end_s) for v in vans}
    plan1 = _engine_solve(sub, legs1, vans, windows1, budget_s / 2, seed)
    routes1 = {
        vid: _latest_departure(sub, vehicles[vid], day, acts, vehicles[vid].shift_start_s)
        for vid, acts in plan1.items()
    }
    for vid, route in routes1.items():
        for s in route.steps:
            if s.type == "delivery":
                for oid in s.order_ids:
                    at_depot[oid] = s.departure_s
        routes1[vid] = replace(route, phase="collection")
    # phase 2: depot -> kitchens, after each van's collection round
    legs2 = [
        _Leg(o, depot, o.delivery_site_id, pickup_tw_start_s=at_depot[o.id])
        for o in ok
        if o.id in at_depot and o.delivery_site_id != depot
    ]
    windows2 = {}
    for v in vans:
        r1 = routes1.get(v.id)
        if r1 is None:
            windows2[v.id] = (v.shift_start_s, v.shift_end_s)
        else:
            start1, end1 = r1.steps[0].arrival_s, r1.steps[-1].arrival_s
            windows2[v.id] = (end1, min(v.shift_end_s, start1 + v.max_shift_s))
    plan2 = _engine_solve(sub, legs2, vans, windows2, budget_s / 2, seed)
    routes2 = []
    for vid, acts in plan2.items():
        v = vehicles[vid]
        route = _latest_departure(sub, v, day, acts, windows2[vid][0], depot_windows=at_depot)
        routes2.append(replace(route, phase="delivery"))
    delivered = {a.order_id for acts in plan2.values() for a in acts}
    delivered |= {o.id for o in ok if o.delivery_site_id == depot and o.id in at_depot}
    lost = [o for o in ok if o.id not in delivered]
    if lost:
        lost_ids = {o.id for o in lost}
        for vid, acts in plan1.items():
            kept = [a for a in acts if a.order_id not in lost_ids]
            if len(kept) != len(acts):
                start = routes1[vid].steps[0].arrival_s
                if kept:
                    r = _timed_route(sub, vehicles[vid], day, kept, start)
                    routes1[vid] = replace(r, phase="collection")
                else:
                    del routes1[vid]
        bad += [_fleet_full(o, day, "collected or delivered leg did not fit") for o in lost]
    return list(routes1.values()) + routes2, bad


# ------------------------------------------------------------------------------- own trips
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
    starts at the farm, loads there, delivers kitchens and returns. Rule checked: the drive time
    from leaving the farm to each kitchen along the trip is at most ``max_drive_s`` (the
    producer's max one-way drive). A kitchen whose direct drive already exceeds it is unassigned
    with ``MAX_DRIVE``; when a kitchen is beyond the limit only because of the detour
    through earlier kitchens, it is moved to an extra trip (``<vehicle>#2``, ...), which is a
    separate outing of the producer (trips are not sequenced against each other).

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
    sec = problem.matrix_seconds
    f = problem.index(farm_site_id)
    unassigned: list[Unassigned] = []
    routes: list[Route] = []
    by_day: dict[str, list[Order]] = defaultdict(list)
    for o in orders:
        by_day[o.day].append(o)
    vehicles: list[Vehicle] = [vehicle]
    for day, day_orders in by_day.items():
        budget = time_limit_s * len(day_orders) / max(1, len(orders))
        todo: list[Order] = []
        for o in day_orders:
            direct = int(sec[f, problem.index(o.delivery_site_id)])
            if direct < 0 or direct > max_drive_s:
                unassigned.append(
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
        trip = 1
        while todo:
            van = vehicle if trip == 1 else replace(vehicle, id=f"{vehicle.id}#{trip}")
            if van not in vehicles:
                vehicles.append(van)
            sub = replace(problem, vehicles=(van,), orders=tuple(todo))
            ok, bad = _screen(sub, todo, day)
            unassigned += bad
            legs = [_Leg(o, o.pickup_site_id, o.delivery_site_id) for o in ok]
            plan = _engine_solve(
                sub, legs, [van], {van.id: (van.shift_start_s, van.shift_end_s)}, budget, seed
            )
            acts = plan.get(van.id, [])
            served = {a.order_id for a in acts}
            # drive clock: from leaving the farm to each delivery
            too_far: set[str] = set()
            clock = 0
            prev = f
            for a in acts:
                i = problem.index(a.site_id)
                if i == f:
                    clock, prev = 0, f
                    continue
                clock += int(sec[prev, i]) if prev != i else 0
                prev = i
                if a.type == "delivery" and clock > max_drive_s:
                    too_far.add(a.order_id)
            if too_far and len(served) > len(too_far):
                kept = [a for a in acts if a.order_id not in too_far]
                routes.append(_latest_departure(sub, van, day, kept, van.shift_start_s))
                todo = [o for o in ok if o.id in too_far]
            else:
                if acts:
                    routes.append(_latest_departure(sub, van, day, acts, van.shift_start_s))
                if too_far:  # a single kitchen beyond max drive alone: cannot happen (direct)
                    for oid in too_far:
                        unassigned.append(
                            Unassigned(oid, ReasonCode.MAX_DRIVE, "drive along trip too long")
                        )
                unassigned += [_fleet_full(o, day) for o in ok if o.id not in served]
                todo = []
            trip += 1
            if trip > len(day_orders) + 1:
                break
    own = replace(problem, vehicles=tuple(vehicles), orders=tuple(orders))
    return _finish(own, routes, unassigned, t0, "direct", max_drive_s=max_drive_s)
