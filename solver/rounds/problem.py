"""A rounds request: sites, orders, vehicles and the integer travel matrices between the sites.

Units: times are integer seconds since midnight of the order's day (durations in seconds),
distances integer metres, loads kg. Times are not capped at 24 h: a window or a shift may run past
midnight (``tw_end_s > DAY_S``), which lets a multi-day horizon (e.g. a benchmark instance) be
stated as one long day; windows and shifts only need ``end >= start``. A site's index in
``RoundsProblem.sites`` is its row and column in both matrices; a negative matrix entry means "no
road connection". Every invariant is checked on construction and a bad value raises
:class:`ValueError` naming the item and the field.

Options of the platform carried by the problem (all off by default):

* ``Vehicle.fixed_cost_eur``: cost of using a van on a day (0 by default), part of the objective
  and of the reported cost, so the trade-off between vans and km is explicit;
* ``Vehicle.max_trips`` > 1 (multi-trip): the van may come back to its depot and leave again
  within its shift, spending ``RoundsProblem.reload_s`` there between two trips;
* ``RoundsProblem.cold_room`` (overnight cross-dock, direct mode): an order of day ``d`` may be
  collected on the day before (:func:`previous_day`) into the depot's cold room and delivered on
  ``d``, within the room's capacity per cold-chain class and the class's maximum storage time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from solver.core import Van

SiteKind = Literal["depot", "farm", "kitchen"]
ColdChain = Literal["ambient", "chilled", "frozen"]
Mode = Literal["direct", "cross_dock"]
Objective = Literal["cost", "fewest_vans"]
"""``cost``: least cost (km, hours, fixed costs); ``fewest_vans``: fewest vans first, then cost."""
Clock = Literal["wall", "cpu"]
"""Clock of the engine's time budget: wall time, or this process's CPU time."""
COLD_CHAINS: tuple[ColdChain, ...] = ("ambient", "chilled", "frozen")
WEEKDAYS: tuple[str, ...] = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DEFAULT_RELOAD_S = 30 * 60
"""Default time at the depot between two trips of a van (unload, reload), seconds."""

DAY_S = 24 * 3600


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
    fixed_cost_eur: float = 0.0
    """Cost of using the van on a day (driver's day, lease share), paid once per day used."""
    max_trips: int = 1
    """Trips the van may make in a day; above 1 it reloads at its depot in between."""


@dataclass(frozen=True)
class ColdRoom:
    """The depot's cold room for overnight cross-dock.

    ``capacity_kg``: kg that may be stored overnight per cold-chain class (a class absent or at 0
    cannot be stored); ``max_storage_h``: the longest an order of the class may stay in the room,
    from the end of its drop to the start of its loading (absent: no limit).
    """

    capacity_kg: Mapping[str, float] = field(default_factory=dict)
    max_storage_h: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacity_kg", dict(self.capacity_kg))
        object.__setattr__(self, "max_storage_h", dict(self.max_storage_h))
        tables = (("capacity_kg", self.capacity_kg), ("max_storage_h", self.max_storage_h))
        for what, table in tables:
            for cold, value in table.items():
                if cold not in COLD_CHAINS:
                    msg = f"cold_room.{what}: {cold!r} is not ambient/chilled/frozen"
                    raise ValueError(msg)
                if not value >= 0:
                    msg = f"cold_room.{what}[{cold!r}] must be >= 0, got {value}"
                    raise ValueError(msg)

    def max_storage_s(self, cold_chain: str) -> float:
        """Longest storage of an order of this class, seconds (inf when unlimited)."""
        hours = self.max_storage_h.get(cold_chain)
        return float("inf") if hours is None else hours * 3600.0


def previous_day(day: str) -> str | None:
    """The day before ``day``: ISO dates (``2025-09-02`` -> ``2025-09-01``) and weekday names
    (``TUE`` -> ``MON``); None for any other label (no overnight cross-dock then)."""
    try:
        return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
    except ValueError:
        pass
    up = day.upper()
    if up in WEEKDAYS:
        prev = WEEKDAYS[WEEKDAYS.index(up) - 1]
        return prev if day.isupper() else prev.capitalize() if day[:1].isupper() else prev.lower()
    return None


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


def _check_unique(ids: list[str], what: str) -> None:
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        msg = f"RoundsProblem.{what}: duplicate {what[:-1]} id(s) {dup}"
        raise ValueError(msg)


def _check_sites(sites: tuple[Site, ...]) -> None:
    _check_unique([s.id for s in sites], "sites")
    for s in sites:
        if s.kind not in ("depot", "farm", "kitchen"):
            msg = f"site {s.id!r}: kind {s.kind!r} is not depot/farm/kitchen"
            raise ValueError(msg)
        if s.tw_end_s < s.tw_start_s:
            msg = f"site {s.id!r}: tw_end_s {s.tw_end_s} < tw_start_s {s.tw_start_s}"
            raise ValueError(msg)
        if s.service_s < 0:
            msg = f"site {s.id!r}: service_s must be >= 0, got {s.service_s}"
            raise ValueError(msg)


def _check_orders(orders: tuple[Order, ...], known: set[str]) -> None:
    _check_unique([o.id for o in orders], "orders")
    for o in orders:
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


def _check_vehicles(vehicles: tuple[Vehicle, ...], known: set[str]) -> None:
    vids = [v.id for v in vehicles]
    if len(set(vids)) != len(vids):
        msg = f"RoundsProblem.vehicles: duplicate vehicle id(s) in {vids}"
        raise ValueError(msg)
    for v in vehicles:
        if v.depot_site_id not in known:
            msg = f"vehicle {v.id!r}: depot_site_id {v.depot_site_id!r} is not a site"
            raise ValueError(msg)
        if not v.capacity_kg > 0:
            msg = f"vehicle {v.id!r}: capacity_kg must be > 0, got {v.capacity_kg}"
            raise ValueError(msg)
        if not v.fixed_cost_eur >= 0:
            msg = f"vehicle {v.id!r}: fixed_cost_eur must be >= 0, got {v.fixed_cost_eur}"
            raise ValueError(msg)
        if v.max_trips < 1:
            msg = f"vehicle {v.id!r}: max_trips must be >= 1, got {v.max_trips}"
            raise ValueError(msg)
        if v.shift_end_s <= v.shift_start_s or v.max_shift_s <= 0:
            msg = (
                f"vehicle {v.id!r}: shift [{v.shift_start_s}, {v.shift_end_s}] / max "
                f"{v.max_shift_s} s is empty"
            )
            raise ValueError(msg)


@dataclass(frozen=True, eq=False)
class RoundsProblem:
    """A rounds request: sites (matrix index = position), orders, vehicles and matrices.

    ``matrix_seconds``/``matrix_metres`` are ``n x n`` integer arrays; a negative entry means
    "no road connection". ``days`` lists the round days (empty: every day found in the orders).
    ``catchment_s`` bounds the drive from the depot to any stop (None: no bound).
    ``reload_s`` is the time a van spends at its depot between two trips (multi-trip vans only);
    ``cold_room`` enables overnight cross-dock (None: off).
    """

    sites: tuple[Site, ...]
    orders: tuple[Order, ...]
    vehicles: tuple[Vehicle, ...]
    matrix_seconds: np.ndarray
    matrix_metres: np.ndarray
    travel_source: str = "estimate"
    days: tuple[str, ...] = ()
    catchment_s: int | None = None
    reload_s: int = DEFAULT_RELOAD_S
    cold_room: ColdRoom | None = None

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
        _check_sites(self.sites)
        known = {s.id for s in self.sites}
        _check_orders(self.orders, known)
        _check_vehicles(self.vehicles, known)
        if self.reload_s < 0:
            msg = f"RoundsProblem.reload_s must be >= 0, got {self.reload_s}"
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
