"""What the rounds return: routes of timed steps, unassigned orders with reasons, indicators.

Units: times in seconds since midnight, durations in seconds, distances in metres (``distance_km``
in the summary), loads in kg.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from solver.evaluation import CheckReport
    from solver.rounds.problem import RoundsProblem

StepType = Literal["start", "pickup", "delivery", "end"]


class ReasonCode(StrEnum):
    """Why an order is not in any route (in the spirit of Google's SkippedShipment reasons).

    Each order is first tested *alone* against every vehicle (:mod:`solver.rounds.screening`):
    ``NO_ROUND_ON_DAY`` (day not a round day), ``NO_VEHICLE``, ``UNREACHABLE`` (no road
    connection in the matrix), ``OUT_OF_CATCHMENT`` (drive from the depot beyond
    ``catchment_s``), ``NO_REFRIGERATED_VAN``, ``DEMAND_EXCEEDS_VEHICLE_CAPACITY``,
    ``TIME_WINDOW`` (pickup then delivery cannot fit the two windows even with no depot legs),
    ``SHIFT_DURATION`` (depot -> pickup -> delivery -> depot alone does not fit any compatible
    van's shift window / max duration). Orders that pass alone but are left out by the solve are
    ``FLEET_FULL``. Producers' own trips add ``MAX_DRIVE`` (farm -> kitchen drive beyond the
    producer's max).
    """

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
    trip: int = 1
    """Trip number of the van on that day (multi-trip vans reload at the depot in between)."""

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
    """Indicators over all routes (CO2 factor per van, see ``Vehicle.co2_kg_per_km``).

    ``cost_eur`` = km and hours at each van's rates plus ``fixed_cost_eur`` (each van's fixed
    cost once per day it is used); ``hours`` include the reloads between a van's trips.
    """

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
    fixed_cost_eur: float = 0.0
    van_days: int = 0
    """Vans used counted once per day (the unit of the fixed cost)."""


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
    overnight: tuple[str, ...] = ()
    """Orders stored overnight in the depot's cold room (collected the day before)."""


def _trip_gaps(routes: Sequence[Route]) -> list[tuple[Route, int]]:
    """(trip, seconds since the van's previous direct trip that day came back): its reload."""
    by_van: dict[tuple[str, str], list[Route]] = defaultdict(list)
    for r in routes:
        if r.phase == "direct":
            by_van[(r.vehicle_id, r.day)].append(r)
    out = []
    for trips in by_van.values():
        trips.sort(key=lambda r: r.steps[0].arrival_s)
        for a, b in zip(trips, trips[1:], strict=False):
            out.append((b, b.steps[0].arrival_s - a.steps[-1].arrival_s))
    return out


def summarise(
    problem: RoundsProblem, routes: Sequence[Route], unassigned: Sequence[Unassigned]
) -> Summary:
    """Indicators over ``routes`` (costs and CO2 with each van's rates, fixed cost per van-day)."""
    vehicles = {v.id: v for v in problem.vehicles}
    km = sum(r.distance_m for r in routes) / 1000.0
    gaps = _trip_gaps(routes)
    hours = (sum(r.duration_s for r in routes) + sum(g for _, g in gaps)) / 3600.0
    cost = sum(
        vehicles[r.vehicle_id].cost_eur_per_km * r.distance_m / 1000.0
        + vehicles[r.vehicle_id].cost_eur_per_hour * r.duration_s / 3600.0
        for r in routes
        if r.vehicle_id in vehicles
    )
    van_days = {(r.vehicle_id, r.day) for r in routes}
    fixed = sum(vehicles[v].fixed_cost_eur for v, _ in van_days if v in vehicles)
    gaps_cost = sum(
        vehicles[r.vehicle_id].cost_eur_per_hour * gap / 3600.0
        for r, gap in gaps
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
        cost_eur=round(cost + gaps_cost + fixed, 2),
        co2_kg=round(co2, 2),
        kg_delivered=round(kg, 3),
        kg_per_km=round(kg / km, 3) if km > 0 else 0.0,
        vans_used=len({r.vehicle_id for r in routes}),
        routes=len(routes),
        orders_served=len(served),
        orders_unassigned=len(unassigned),
        fixed_cost_eur=round(fixed, 2),
        van_days=len(van_days),
    )
