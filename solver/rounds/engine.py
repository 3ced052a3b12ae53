"""The routing engine: one day (or one cross-dock phase) as a PyVRP instance, solved.

This is the only module that imports PyVRP, and it does so inside the functions that build and
solve the instance, so that importing :mod:`solver.rounds` (its types, JSON, schedule) does not
load the engine.

Why PyVRP: it has the modelling pieces the rounds need natively: paired pickup-and-delivery
``Shipment``s, optional shipments with prizes (dropping orders), a vehicle type per van
(capacity, shift window, max duration, depot, costs), several load dimensions, and whole integer
matrices (no Python callbacks). ``benchmarks/routing_bks.py`` compares it with OR-Tools routing
on the Li & Lim and Solomon instances (results in ``benchmarks/README.md``).

Model (pickup-and-delivery with time windows, optional shipments)
-----------------------------------------------------------------
Sets: sites ``S`` (matrix index = position in ``problem.sites``), legs ``L`` (one per order, or
one leg of it in cross-dock mode), vehicles ``V``. Data: ``T[i,j]`` travel seconds, ``D[i,j]``
metres (integers; "no road" becomes ``UNREACHABLE_S``), site windows ``[a_s, b_s]`` and fixed
service ``f_s``, leg kg ``q_l`` and handling ``h_l = ceil(q_l * service_s_per_kg)``.

* Locations: every site; PyVRP wants its depots first, so the locations are the vehicles' depot
  sites, then the other sites (the matrices are permuted accordingly). Clients: none.
* Depots: one per distinct home depot of the vehicles.
* Shipments: each leg ``l`` is a shipment from its pickup site to its delivery site, same van,
  pickup first (PyVRP enforces pairing and precedence). Pickup window ``[max(a_p, release_l),
  max(b_p, release_l)]`` (``release_l``: when a cross-dock leg is in the cold room), delivery
  window ``[a_d, b_d]``; handling ``h_l`` is the service duration of both the pickup and the
  delivery activity; the activity must *start* inside the site's window. A leg that cannot fit
  its windows even alone is not given to the engine.
* Shared stops: the fixed service time of a site is paid once per visit, not once per leg, by
  putting it on the arcs *leaving* the site: ``T'[i,j] = f_i + T[i,j]`` for ``i != j`` and
  ``T'[i,i] = 0``. Consecutive legs at the same site therefore share one fixed service time.
* Capacity: two load dimensions, ``[grams, cold grams]``; a van has capacity
  ``[C_v, C_v if refrigerated else 0]``, so a chilled/frozen leg can never ride a
  non-refrigerated van (exact, no penalty trick).
* Vehicle types: one per vehicle (``num_available = 1``, own depot for start and end, own costs);
  ``tw_early``/``tw_late`` = the phase's window of the van (earliest start, latest return at the
  depot), ``shift_duration = max_shift_s``.
* Objective (integer, ``COST_UNITS_PER_EUR`` units): ``sum_v cost_eur_per_km * km_v +
  cost_eur_per_hour * h_v`` minus collected prizes. Every shipment is *optional* with prize
  ``PRIZE_EUR_PER_ORDER + PRIZE_EUR_PER_KG * q_l``, far above the marginal cost of a round, so a
  leg is dropped only when it cannot be served.

The search is PyVRP's iterated local search, one thread, stopped after ``time_limit_s``; its
penalty cap is raised to ``MAX_PENALTY`` (see there). Only the feasible routes of its best
solution are returned, as activity sequences; the caller re-times them
(:mod:`solver.rounds.schedule`).
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from solver.core import COLD
from solver.evaluation import order_handling_s
from solver.rounds.problem import Order, RoundsProblem, Vehicle
from solver.rounds.schedule import Activity

if TYPE_CHECKING:
    from pyvrp import ProblemData, Solution

logger = logging.getLogger(__name__)

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
MIN_TIME_LIMIT_S = 0.05
"""Smallest engine budget per call, seconds."""


@dataclass(frozen=True)
class Leg:
    """A shipment given to the engine: an order (or one leg of it in cross-dock mode).

    ``pickup_tw_start_s`` is the leg's release (cross-dock: when the order is in the cold room);
    None: the pickup site's window alone.
    """

    order: Order
    pickup_site_id: str
    delivery_site_id: str
    pickup_tw_start_s: int | None = None


@dataclass(frozen=True)
class _Matrices:
    """Engine matrices in the problem's site order, and the location order PyVRP needs."""

    duration_s: np.ndarray
    distance_m: np.ndarray
    depot_sites: list[str]
    locations: list[int]
    """Problem site index of each PyVRP location (depots first)."""


def _matrices(problem: RoundsProblem, vehicles: Sequence[Vehicle]) -> _Matrices:
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
    locations = [problem.index(s) for s in depot_sites]
    locations += [i for i in range(n) if i not in set(locations)]
    return _Matrices(dur, met, depot_sites, locations)


def _fits_alone(problem: RoundsProblem, leg: Leg, dur: np.ndarray) -> bool:
    """False when the leg's release or drive cannot meet its windows (a late cross-dock drop)."""
    ps, ds = problem.site(leg.pickup_site_id), problem.site(leg.delivery_site_id)
    p_early = max(ps.tw_start_s, leg.pickup_tw_start_s or 0)
    a, b = problem.index(ps.id), problem.index(ds.id)
    return not (
        p_early > ps.tw_end_s
        or p_early + order_handling_s(leg.order) + int(dur[a, b]) > ds.tw_end_s
    )


def _problem_data(
    problem: RoundsProblem,
    legs: Sequence[Leg],
    vehicles: Sequence[Vehicle],
    windows: dict[str, tuple[int, int]],
    mats: _Matrices,
) -> ProblemData:
    """The PyVRP instance of the module docstring."""
    from pyvrp import Depot, Location, ProblemData, Shipment, VehicleType

    perm = np.array(mats.locations)
    pos = {loc: k for k, loc in enumerate(mats.locations)}
    locations = [
        Location(x=problem.sites[i].lon, y=problem.sites[i].lat, name=problem.sites[i].id)
        for i in mats.locations
    ]
    shipments = []
    for leg in legs:
        o = leg.order
        ps, ds = problem.site(leg.pickup_site_id), problem.site(leg.delivery_site_id)
        grams = int(round(o.kg * GRAMS_PER_KG))
        h = order_handling_s(o)
        p_early = max(ps.tw_start_s, leg.pickup_tw_start_s or 0)
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
                amount=[grams, grams if o.cold_chain in COLD else 0],
                prize=int((PRIZE_EUR_PER_ORDER + PRIZE_EUR_PER_KG * o.kg) * COST_UNITS_PER_EUR),
                required=False,
                name=o.id,
            )
        )
    vtypes = []
    for v in vehicles:
        cap = int(math.floor(v.capacity_kg * GRAMS_PER_KG + 1e-6))
        early, late = windows[v.id]
        depot_k = mats.depot_sites.index(v.depot_site_id)
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
    return ProblemData(
        locations=locations,
        clients=[],
        depots=[Depot(location=k) for k in range(len(mats.depot_sites))],
        vehicle_types=vtypes,
        distance_matrices=[mats.distance_m[np.ix_(perm, perm)]],
        duration_matrices=[mats.duration_s[np.ix_(perm, perm)]],
        shipments=shipments,
    )


def _search(data: ProblemData, time_limit_s: float, seed: int) -> Solution:
    """PyVRP's search within ``time_limit_s``; its best solution (feasible or not)."""
    from pyvrp import PenaltyParams, SolveParams, solve
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxRuntime

    params = SolveParams(penalty=PenaltyParams(min_penalty=1.0, max_penalty=MAX_PENALTY))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PenaltyBoundWarning)
        res = solve(
            data,
            stop=MaxRuntime(max(time_limit_s, MIN_TIME_LIMIT_S)),
            seed=seed,
            collect_stats=False,
            params=params,
        )
    for w in caught:
        logger.info("PyVRP: %s", str(w.message).split(".")[0].strip())
    best = res.best
    logger.debug(
        "PyVRP: %d shipments, %d vans, feasible=%s, cost=%s, %d iterations",
        data.num_shipments,
        data.num_vehicle_types,
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
    return best


def _activities(
    best: Solution, legs: Sequence[Leg], vehicles: Sequence[Vehicle]
) -> dict[str, list[Activity]]:
    """Vehicle id -> its feasible route as activities (shipment ``k`` is ``legs[k]``)."""
    out: dict[str, list[Activity]] = {}
    for route in best.routes():
        if not route.is_feasible():
            continue
        v = vehicles[route.vehicle_type()]
        logger.debug(
            "engine route %s: %s",
            v.id,
            [(a.type.name, a.idx, a.start_time, a.end_time, a.time_warp) for a in route.schedule()],
        )
        acts: list[Activity] = []
        for act in route.schedule():
            if act.is_depot():
                continue
            leg = legs[act.idx]
            if act.is_pickup():
                acts.append(Activity("pickup", leg.pickup_site_id, leg.order.id))
            else:
                acts.append(Activity("delivery", leg.delivery_site_id, leg.order.id))
        if acts:
            out[v.id] = acts
    return out


def solve_legs(
    problem: RoundsProblem,
    legs: Sequence[Leg],
    vehicles: Sequence[Vehicle],
    windows: dict[str, tuple[int, int]],
    time_limit_s: float,
    seed: int,
) -> dict[str, list[Activity]]:
    """Solve one day (one phase) with PyVRP; return vehicle id -> activity sequence.

    ``windows`` maps vehicle id -> (earliest start, latest return) for this phase. Legs left
    out are absent from every sequence.
    """
    if not legs or not vehicles:
        return {}
    mats = _matrices(problem, vehicles)
    kept: list[Leg] = []
    for leg in legs:
        if _fits_alone(problem, leg, mats.duration_s):
            kept.append(leg)
        else:
            logger.debug(
                "leg of %s cannot fit its windows (cross-dock release too late)", leg.order.id
            )
    if not kept:
        return {}
    data = _problem_data(problem, kept, vehicles, windows, mats)
    return _activities(_search(data, time_limit_s, seed), kept, vehicles)
