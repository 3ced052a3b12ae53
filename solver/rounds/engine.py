"""The routing engine: one day (or one cross-dock phase) as a PyVRP instance, solved.

This is the only module that imports PyVRP, and it does so inside the functions that build and
solve the instance, so that importing :mod:`solver.rounds` (its types, JSON, schedule) does not
load the engine.

Why PyVRP: it has the modelling pieces the rounds need natively: paired pickup-and-delivery
``Shipment``s, clients delivered from the depot, optional visits with prizes (dropping orders),
vehicle types (capacity, shift window, max duration, depot, costs, fixed cost, reloads at the
depot), several load dimensions, and whole integer matrices (no Python callbacks).
``benchmarks/routing_bks.py`` runs :func:`~solver.rounds.solve_rounds` on the Li & Lim and
Solomon instances against best-known solutions and OR-Tools routing.

Model (pickup-and-delivery with time windows, optional legs)
------------------------------------------------------------
Sets: sites ``S`` (matrix index = position in ``problem.sites``), legs ``L`` (one per order, or
one leg of it in cross-dock mode), vehicles ``V``. Data: ``T[i,j]`` travel seconds, ``D[i,j]``
metres (integers; "no road" becomes ``UNREACHABLE_S``), site windows ``[a_s, b_s]`` and fixed
service ``f_s``, leg kg ``q_l`` and handling ``h_l = ceil(q_l * service_s_per_kg)``.

* Locations: every site; PyVRP wants its depots first, so the locations are the vehicles' depot
  sites, then the other sites (the matrices are permuted accordingly).
* Depots: one per distinct home depot of the vehicles.
* Shipments: a leg ``l`` is a shipment from its pickup site to its delivery site, same van (same
  trip), pickup first (PyVRP enforces pairing and precedence). Pickup window ``[max(a_p,
  release_l), min(b_p, deadline_l)]`` (``release_l``: when a cross-dock leg is in the cold room;
  ``deadline_l``: the last start that keeps an overnight order within its storage time),
  delivery window ``[a_d, b_d]``; handling ``h_l`` is the service duration of both activities;
  an activity must *start* inside the site's window. A leg that cannot fit its windows even
  alone is not given to the engine.
* Clients (delivered from the depot): a leg picked up at the depot of every van of the solve,
  with no handling (``h_l = 0``), no release or deadline, and a depot open over the vans'
  windows, is a PyVRP client with a *delivery* of ``q_l`` at its kitchen: its load is put on the
  van at the start of the trip, exactly the timing of a pickup at the depot with no handling
  (this is how a VRPTW's deliveries from the depot are modelled). Other depot legs stay
  shipments.
* Shared stops: the fixed service time of a site is paid once per visit, not once per leg, by
  putting it on the arcs *leaving* the site: ``T'[i,j] = f_i + T[i,j]`` for ``i != j`` and
  ``T'[i,i] = 0``. Consecutive legs at the same site therefore share one fixed service time.
* Capacity: two load dimensions, ``[grams, cold grams]``; a van has capacity
  ``[C_v, C_v if refrigerated else 0]``, so a chilled/frozen leg can never ride a
  non-refrigerated van (exact, no penalty trick). Capacity holds per trip. Without a cold leg,
  or with every van refrigerated, the cold dimension cannot bind and is left out (grams only).
* Vehicle types: one per group of vans identical in everything but their id (``num_available``
  = the group's size), own depot for start and end, own costs; ``tw_early``/``tw_late`` = the
  phase's window of the van (earliest start, latest return at the depot), ``shift_duration =
  max_shift_s``, ``fixed_cost`` = the van's fixed cost per day.
* Multi-trip: a van with ``max_trips > 1`` may reload at its depot (``reload_depots``,
  ``max_reloads = max_trips - 1``); the depot's service duration is ``problem.reload_s``. PyVRP
  also counts that duration at the first departure, so those vans' windows open ``reload_s``
  earlier, their max duration is ``reload_s`` longer and the duration cost of it is taken off
  their fixed cost (as far as the fixed cost allows): the first trip leaves no earlier than the
  shift start, as the re-timed plan does.
* Objective (integer, ``COST_UNITS_PER_EUR`` units): ``sum_v fixed_v + cost_eur_per_km * km_v +
  cost_eur_per_hour * h_v`` minus collected prizes. A leg is *optional* with prize
  ``PRIZE_EUR_PER_ORDER + PRIZE_EUR_PER_KG * q_l``, far above the marginal cost of a round, so it
  is dropped only when it cannot be served; a leg with its own ``prize_eur`` (an overnight
  collection worth its estimated saving) is served only when that pays.

Search. ``objective="cost"``: PyVRP's iterated local search, one thread, stopped after the
budget; its penalty cap is raised to ``MAX_PENALTY`` (see there). When a van has a fixed cost or
may reload, removing a route can pay but takes several moves the local search does not chain, so
the route-elimination loop below runs too (without the extra weight) and the cheaper of its
first and last plans is kept. ``objective="fewest_vans"`` (fewest vans first, then cost) is the
route-elimination loop around the same search:

1. solve with every van, each van carrying an extra weight ``FEWEST_VANS_EUR_PER_VAN`` (below a
   leg's prize, above a round's cost) for ``FLEET_FIRST_SHARE`` of the budget, every leg
   required (the search is much faster without optional legs); when that finds no feasible plan
   (the fleet cannot serve every leg), again with the legs optional;
2. the legs it serves become *required*; remove the route with the fewest legs, cap the fleet at
   the vans still used (one fewer in that route's group) and search from the remaining routes
   (the removed legs are reinserted by the search, infeasibly at first, under adaptive
   penalties) until the first feasible solution; repeat while it succeeds and while the time
   left exceeds ``FLEET_FINAL_SHARE`` of the budget (an attempt never takes more than
   ``FLEET_ATTEMPT_SHARE``);
3. spend the rest minimising cost with the smallest fleet found, from its solution.

These searches start from penalties at the instance's own exchange rates (mean arc cost per
second of time warp, per gram of load; ``_start_penalties``) and adapt them every
``PENALTY_UPDATE_EVERY`` solutions: low for the first search and the elimination attempts
(crossing infeasible plans removes routes), high for the last one (cost among feasible plans).

Only the feasible routes of the best solution are returned, as activity sequences per trip; the
caller re-times them (:mod:`solver.rounds.schedule`).
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from solver.core import COLD
from solver.evaluation import order_handling_s
from solver.rounds.problem import Clock, Objective, Order, RoundsProblem, Vehicle
from solver.rounds.schedule import Activity

if TYPE_CHECKING:
    from pyvrp import Client, ProblemData, Shipment, Solution, SolveParams, VehicleType
    from pyvrp.stop import StoppingCriterion

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
FIRST_PENALTY_FACTOR = 10.0
"""Initial penalties of the first route-elimination search, in multiples of the instance's
exchange rates (mean arc cost per second of time warp, per gram of load): a search that may
cross infeasible plans ends with fewer routes."""
FLEET_PENALTY_FACTOR = 10.0
"""The same for an elimination attempt: the removed route's legs may be reinserted late or
overloaded at first, then the penalties rise until a feasible plan appears."""
FINAL_PENALTY_FACTOR = 1000.0
"""The same for the last search (cost with the fleet found): it stays among feasible plans,
where a short search improves cost fastest."""
PENALTY_UPDATE_EVERY = 50
"""Solutions between two penalty updates in these searches (PyVRP's default, 500, is for
searches far longer than a rounds budget)."""
FEWEST_VANS_EUR_PER_VAN = 500.0
"""Weight per van used in the fewest-vans search: above a round's cost in km and hours, below
half a leg's prize, so no leg is dropped to save a van."""
FLEET_FIRST_SHARE = 0.15
"""Share of the fewest-vans budget for the first solve with every van."""
FLEET_ATTEMPT_SHARE = 0.45
"""Largest share of the fewest-vans budget one route-elimination attempt may take."""
FLEET_FINAL_SHARE = 0.25
"""Share of the fewest-vans budget kept for minimising cost with the smallest fleet found."""
UNREACHABLE_S = 10**9
"""Engine value for 'no road connection' (matrix entries < 0 in the input)."""
GRAMS_PER_KG = 1000
MIN_TIME_LIMIT_S = 0.05
"""Smallest engine budget per call, seconds."""

Trips = list[list[Activity]]
"""A van's day: its trips in order, each a sequence of activities from and back to the depot."""


@dataclass(frozen=True)
class Leg:
    """A leg given to the engine: an order (or one leg of it in cross-dock mode).

    ``pickup_tw_start_s`` is the leg's release (cross-dock: when the order is in the cold room)
    and ``pickup_tw_end_s`` its deadline (overnight: the last start within the storage time);
    None: the pickup site's window alone. ``prize_eur``: None for a leg to serve whenever
    possible; else the leg is served only when it costs less than this (overnight collection).
    """

    order: Order
    pickup_site_id: str
    delivery_site_id: str
    pickup_tw_start_s: int | None = None
    pickup_tw_end_s: int | None = None
    prize_eur: float | None = None


@dataclass(frozen=True)
class Search:
    """How the engine searches: its seed, the objective and the clock of its budget."""

    seed: int = 0
    objective: Objective = "cost"
    clock: Clock = "wall"


class Deadline:
    """A time budget on the wall clock or this process's CPU clock; a PyVRP stopping criterion.

    The CPU clock gives a solve the same amount of computation whatever the machine's load (one
    thread: one core's seconds).
    """

    def __init__(self, limit_s: float, clock: Clock = "wall") -> None:
        self.clock = clock
        self._now: Callable[[], float] = time.process_time if clock == "cpu" else time.perf_counter
        self._end = self._now() + max(limit_s, MIN_TIME_LIMIT_S)

    def remaining_s(self) -> float:
        """Seconds left (0 when spent)."""
        return max(0.0, self._end - self._now())

    def __call__(self, best_cost: int) -> bool:
        return self._now() >= self._end


@dataclass(frozen=True)
class _Matrices:
    """Engine matrices in the problem's site order, and the location order PyVRP needs."""

    duration_s: np.ndarray
    distance_m: np.ndarray
    depot_sites: list[str]
    locations: list[int]
    """Problem site index of each PyVRP location (depots first)."""


@dataclass(frozen=True)
class _Group:
    """Vans identical in all but their id, with the same window in this phase: one type."""

    vehicles: tuple[Vehicle, ...]
    window: tuple[int, int]

    @property
    def van(self) -> Vehicle:
        """The group's first van (all share its attributes)."""
        return self.vehicles[0]


@dataclass(frozen=True)
class _Model:
    """A PyVRP instance and how to read its solutions back."""

    data: ProblemData
    client_legs: list[Leg]
    shipment_legs: list[Leg]
    groups: list[_Group]
    type_groups: list[int]
    """Group index of each PyVRP vehicle type (groups capped at 0 vans have no type)."""
    depot_of_type: list[str]


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


def _groups(vehicles: Sequence[Vehicle], windows: dict[str, tuple[int, int]]) -> list[_Group]:
    """Vans grouped by all their attributes but the id (and their window), in input order."""
    by_key: dict[tuple[Vehicle, tuple[int, int]], list[Vehicle]] = {}
    for v in vehicles:
        by_key.setdefault((replace(v, id=""), windows[v.id]), []).append(v)
    return [_Group(tuple(vs), key[1]) for key, vs in by_key.items()]


def _fits_alone(problem: RoundsProblem, leg: Leg, dur: np.ndarray) -> bool:
    """False when the leg's release or drive cannot meet its windows (a late cross-dock drop)."""
    ps, ds = problem.site(leg.pickup_site_id), problem.site(leg.delivery_site_id)
    p_early = max(ps.tw_start_s, leg.pickup_tw_start_s or 0)
    p_late = ps.tw_end_s if leg.pickup_tw_end_s is None else min(ps.tw_end_s, leg.pickup_tw_end_s)
    a, b = problem.index(ps.id), problem.index(ds.id)
    return not (
        p_early > p_late or p_early + order_handling_s(leg.order) + int(dur[a, b]) > ds.tw_end_s
    )


def _as_client(problem: RoundsProblem, leg: Leg, groups: Sequence[_Group]) -> bool:
    """True when the leg is loaded at the start of a trip (see the module docstring)."""
    if leg.pickup_tw_start_s is not None or leg.pickup_tw_end_s is not None:
        return False
    if order_handling_s(leg.order) != 0:
        return False
    if any(g.van.depot_site_id != leg.pickup_site_id for g in groups):
        return False
    depot = problem.site(leg.pickup_site_id)
    return all(depot.tw_start_s <= g.window[0] and g.window[1] <= depot.tw_end_s for g in groups)


def _prize_units(leg: Leg) -> int:
    eur = leg.prize_eur
    if eur is None:
        eur = PRIZE_EUR_PER_ORDER + PRIZE_EUR_PER_KG * leg.order.kg
    return int(round(eur * COST_UNITS_PER_EUR))


def _amount(order: Order, cold_dim: bool) -> list[int]:
    grams = int(round(order.kg * GRAMS_PER_KG))
    return [grams, grams if order.cold_chain in COLD else 0] if cold_dim else [grams]


def _needs_cold_dim(legs: Sequence[Leg], groups: Sequence[_Group]) -> bool:
    """The cold load dimension matters only with a cold leg and a non-refrigerated van."""
    cold_leg = any(leg.order.cold_chain in COLD for leg in legs)
    return cold_leg and any(not g.van.refrigerated for g in groups)


def _vehicle_type(
    problem: RoundsProblem,
    group: _Group,
    count: int,
    depot_k: int,
    van_weight_eur: float,
    cold_dim: bool,
) -> VehicleType:
    """The PyVRP vehicle type of ``count`` vans of ``group`` (reload padding: module docstring)."""
    from pyvrp import VehicleType

    v = group.van
    cap = int(math.floor(v.capacity_kg * GRAMS_PER_KG + 1e-6))
    early, late = group.window
    per_s = int(round(v.cost_eur_per_hour * COST_UNITS_PER_EUR / 3600))
    fixed = int(round((v.fixed_cost_eur + van_weight_eur) * COST_UNITS_PER_EUR))
    reloads: dict[str, object] = {}
    pad = 0
    if v.max_trips > 1:
        pad = problem.reload_s
        fixed = max(0, fixed - pad * per_s)
        reloads = {"reload_depots": [depot_k], "max_reloads": v.max_trips - 1}
    return VehicleType(
        num_available=count,
        capacity=[cap, cap if v.refrigerated else 0] if cold_dim else [cap],
        start_depot=depot_k,
        end_depot=depot_k,
        fixed_cost=fixed,
        tw_early=early - pad,
        tw_late=late,
        shift_duration=v.max_shift_s + pad,
        unit_distance_cost=int(round(v.cost_eur_per_km * COST_UNITS_PER_EUR / 1000)),
        unit_duration_cost=per_s,
        name=",".join(x.id for x in group.vehicles),
        **reloads,  # type: ignore[arg-type]
    )


def _client(
    problem: RoundsProblem, leg: Leg, pos: dict[int, int], required: frozenset[str], cold: bool
) -> Client:
    """A leg loaded at the depot: a PyVRP client delivered at its kitchen."""
    from pyvrp import Client

    ds = problem.site(leg.delivery_site_id)
    return Client(
        location=pos[problem.index(ds.id)],
        delivery=_amount(leg.order, cold),
        tw_early=ds.tw_start_s,
        tw_late=ds.tw_end_s,
        prize=_prize_units(leg),
        required=leg.order.id in required,
        name=leg.order.id,
    )


def _shipment(
    problem: RoundsProblem, leg: Leg, pos: dict[int, int], required: frozenset[str], cold: bool
) -> Shipment:
    """A leg as a PyVRP shipment (windows, release and deadline of the module docstring)."""
    from pyvrp import Shipment

    ps, ds = problem.site(leg.pickup_site_id), problem.site(leg.delivery_site_id)
    h = order_handling_s(leg.order)
    p_early = max(ps.tw_start_s, leg.pickup_tw_start_s or 0)
    p_late = max(ps.tw_end_s, p_early)
    if leg.pickup_tw_end_s is not None:
        p_late = max(p_early, min(p_late, leg.pickup_tw_end_s))
    return Shipment(
        pickup_location=pos[problem.index(ps.id)],
        delivery_location=pos[problem.index(ds.id)],
        pickup_tw_early=p_early,
        pickup_tw_late=p_late,
        pickup_service_duration=h,
        delivery_tw_early=ds.tw_start_s,
        delivery_tw_late=ds.tw_end_s,
        delivery_service_duration=h,
        amount=_amount(leg.order, cold),
        prize=_prize_units(leg),
        required=leg.order.id in required,
        name=leg.order.id,
    )


def _build(
    problem: RoundsProblem,
    legs: Sequence[Leg],
    groups: list[_Group],
    counts: Sequence[int],
    mats: _Matrices,
    *,
    van_weight_eur: float = 0.0,
    required: frozenset[str] = frozenset(),
) -> _Model:
    """The PyVRP instance of the module docstring; ``counts[g]`` vans of group ``g``.

    Legs whose order id is in ``required`` must be served (fewest-vans search).
    """
    from pyvrp import Depot, Location, ProblemData

    perm = np.array(mats.locations)
    pos = {loc: k for k, loc in enumerate(mats.locations)}
    locations = [
        Location(x=problem.sites[i].lon, y=problem.sites[i].lat, name=problem.sites[i].id)
        for i in mats.locations
    ]
    client_legs = [leg for leg in legs if _as_client(problem, leg, groups)]
    shipment_legs = [leg for leg in legs if not _as_client(problem, leg, groups)]
    cold = _needs_cold_dim(legs, groups)
    clients = [_client(problem, leg, pos, required, cold) for leg in client_legs]
    shipments = [_shipment(problem, leg, pos, required, cold) for leg in shipment_legs]
    multi = {g.van.depot_site_id for g in groups if g.van.max_trips > 1}
    depots = [
        Depot(location=k, service_duration=problem.reload_s if s in multi else 0, name=s)
        for k, s in enumerate(mats.depot_sites)
    ]
    vtypes, type_groups, depot_of_type = [], [], []
    for g, (group, count) in enumerate(zip(groups, counts, strict=True)):
        if count > 0:
            depot_k = mats.depot_sites.index(group.van.depot_site_id)
            vtypes.append(_vehicle_type(problem, group, count, depot_k, van_weight_eur, cold))
            type_groups.append(g)
            depot_of_type.append(group.van.depot_site_id)
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vtypes,
        distance_matrices=[mats.distance_m[np.ix_(perm, perm)]],
        duration_matrices=[mats.duration_s[np.ix_(perm, perm)]],
        shipments=shipments,
    )
    return _Model(data, client_legs, shipment_legs, groups, type_groups, depot_of_type)


def _params(update_every: int) -> SolveParams:
    from pyvrp import PenaltyParams, SolveParams

    return SolveParams(
        penalty=PenaltyParams(
            min_penalty=1.0,
            max_penalty=MAX_PENALTY,
            solutions_between_updates=update_every,
        )
    )


def _search(
    data: ProblemData,
    stop: StoppingCriterion,
    seed: int,
    *,
    start_penalty: tuple[list[float], float, float] | None = None,
    initial: Solution | None = None,
) -> Solution:
    """PyVRP's search until ``stop``; its best solution (feasible or not).

    ``start_penalty``: initial penalties per unit of load, time warp and excess distance (None:
    PyVRP's midpoint of the penalty range). ``initial``: the warm start (None: PyVRP's own).
    """
    from pyvrp import (
        IteratedLocalSearch,
        PenaltyManager,
        RandomNumberGenerator,
        Solution,
        solve,
    )
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.search import OPERATORS, LocalSearch, PerturbationManager, compute_neighbours

    # the fewest-vans searches are short: their penalties adapt more often than PyVRP's default
    params = _params(500 if start_penalty is None else int(PENALTY_UPDATE_EVERY))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PenaltyBoundWarning)
        if start_penalty is None:
            res = solve(
                data,
                stop=stop,
                seed=seed,
                collect_stats=False,
                params=params,
                initial_solution=initial,
            )
        else:  # pyvrp.solve with our initial penalties (it always starts at the midpoint)
            rng = RandomNumberGenerator(seed=seed)
            ls = LocalSearch(
                data,
                rng,
                compute_neighbours(data, params.neighbourhood),
                PerturbationManager(params.perturbation),
            )
            for op in OPERATORS:
                if op.supports(data):
                    ls.add_operator(op(data))
            pm = PenaltyManager(start_penalty, params.penalty)
            if initial is None:
                initial = ls(Solution.make_random(data, rng), pm.max_cost_evaluator(), True)
            algo = IteratedLocalSearch(data, pm, ls, initial, params.ils)
            res = algo.run(stop, collect_stats=False)
    for w in caught:
        logger.info("PyVRP: %s", str(w.message).split(".")[0].strip())
    best = res.best
    logger.debug(
        "PyVRP: %d clients, %d shipments, %d vans, feasible=%s, cost=%s, %d iterations",
        data.num_clients,
        data.num_shipments,
        data.num_vehicles,
        best.is_feasible(),
        best.distance(),
        res.num_iterations,
    )
    return best


def _start_penalties(data: ProblemData, factor: float) -> tuple[list[float], float, float]:
    """Penalties at the instance's exchange rates times ``FLEET_PENALTY_FACTOR``: the mean arc
    cost (first vehicle type's rates) per second of mean arc duration, per gram of mean load."""
    vt = data.vehicle_type(0)
    dist = np.asarray(data.distance_matrix(0))
    dur = np.asarray(data.duration_matrix(0))
    mask = (dist < UNREACHABLE_S) & (dur < UNREACHABLE_S) & (dist > 0)
    cost = float(np.mean(vt.unit_distance_cost * dist[mask] + vt.unit_duration_cost * dur[mask]))
    per_s = cost / max(1.0, float(np.mean(dur[mask])))
    loads = [c.delivery for c in data.clients()] + [s.amount for s in data.shipments()]
    per_dim = []
    for d in range(data.num_load_dimensions):
        used = [x[d] for x in loads if x[d] > 0]
        per_dim.append(factor * cost / (float(np.mean(used)) if used else 1.0))
    return per_dim, factor * per_s, factor * per_s


def _served_ids(model: _Model, sol: Solution) -> set[str]:
    """Order ids of the legs visited by ``sol``."""
    out: set[str] = set()
    for route in sol.routes():
        for act in route.schedule():
            if act.is_client():
                out.add(model.client_legs[act.idx].order.id)
            elif act.is_shipment():
                out.add(model.shipment_legs[act.idx].order.id)
    return out


def _counts_used(model: _Model, sol: Solution) -> list[int]:
    """Vans used per group by ``sol``."""
    counts = [0] * len(model.groups)
    for route in sol.routes():
        counts[model.type_groups[route.vehicle_type()]] += 1
    return counts


def _transfer(model: _Model, sol: Solution, to: _Model, drop: int | None = None) -> Solution:
    """``sol`` (a solution of ``model``) as a solution of ``to`` (same legs, other fleet), without
    its route number ``drop``; a route whose group has no van left in ``to`` is dropped too."""
    from pyvrp import Activity as PyActivity
    from pyvrp import Route, Solution

    client_idx = {leg.order.id: k for k, leg in enumerate(to.client_legs)}
    ship_idx = {leg.order.id: k for k, leg in enumerate(to.shipment_legs)}
    left = {g: n for n, g in enumerate(to.type_groups)}
    room = [0] * len(to.groups)
    for t, g in enumerate(to.type_groups):
        room[g] = to.data.vehicle_type(t).num_available
    routes = []
    for r, route in enumerate(sol.routes()):
        g = model.type_groups[route.vehicle_type()]
        if r == drop or room[g] == 0:
            continue
        room[g] -= 1
        acts = []
        for act in list(route.schedule())[1:-1]:
            if act.is_client():
                acts.append(PyActivity(act.type, client_idx[model.client_legs[act.idx].order.id]))
            elif act.is_shipment():
                leg = model.shipment_legs[act.idx]
                acts.append(PyActivity(act.type, ship_idx[leg.order.id]))
            else:
                acts.append(PyActivity(act.type, act.idx))
        routes.append(Route(to.data, acts, left[g]))
    return Solution(to.data, routes)


def _eliminate_routes(
    problem: RoundsProblem,
    legs: Sequence[Leg],
    groups: list[_Group],
    mats: _Matrices,
    budget: Deadline,
    total_s: float,
    seed: int,
    van_weight_eur: float,
) -> tuple[tuple[_Model, Solution], tuple[_Model, Solution]]:
    """Route elimination (module docstring): the first solve, and the cheapest plan found with
    the smallest fleet found (the first solve again when no route could be removed)."""
    from pyvrp.stop import FirstFeasible, MultipleCriteria

    w = van_weight_eur
    full = [len(g.vehicles) for g in groups]
    every = frozenset(leg.order.id for leg in legs if leg.prize_eur is None)
    for required in (every, frozenset()):  # serving every leg is the fast, common case
        model = _build(problem, legs, groups, full, mats, van_weight_eur=w, required=required)
        best = _search(
            model.data,
            Deadline(FLEET_FIRST_SHARE * total_s, budget.clock),
            seed,
            start_penalty=_start_penalties(model.data, FIRST_PENALTY_FACTOR),
        )
        if best.is_feasible():
            break
    first = (model, best)
    if not best.is_feasible() or best.num_routes() <= 1:  # nothing to remove: search on
        more = _search(
            model.data,
            budget,
            seed,
            start_penalty=_start_penalties(model.data, FINAL_PENALTY_FACTOR),
            initial=best,
        )
        last = (model, more if _cost(model, more) <= _cost(model, best) else best)
        return last, last
    required = frozenset(_served_ids(model, best))
    counts = _counts_used(model, best)
    model = _build(problem, legs, groups, counts, mats, van_weight_eur=w, required=required)
    best = _transfer(first[0], best, model)
    attempt = 0
    while best.num_routes() > 1:
        room = budget.remaining_s() - FLEET_FINAL_SHARE * total_s
        if room < MIN_TIME_LIMIT_S:
            break
        drop = min(range(best.num_routes()), key=lambda r: len(best.routes()[r]))
        g = model.type_groups[best.routes()[drop].vehicle_type()]
        fewer = list(counts)
        fewer[g] -= 1
        smaller = _build(problem, legs, groups, fewer, mats, van_weight_eur=w, required=required)
        init = _transfer(model, best, smaller, drop=drop)
        limit = Deadline(min(room, FLEET_ATTEMPT_SHARE * total_s), budget.clock)
        attempt += 1
        cand = _search(
            smaller.data,
            MultipleCriteria([FirstFeasible(), limit]),
            seed + attempt,
            start_penalty=_start_penalties(smaller.data, FLEET_PENALTY_FACTOR),
            initial=init,
        )
        if not cand.is_feasible():
            logger.debug("route elimination: %d vans not found", sum(fewer))
            break
        model, best, counts = smaller, cand, _counts_used(smaller, cand)
        logger.debug("route elimination: %d vans", sum(counts))
    final = _build(problem, legs, groups, counts, mats, van_weight_eur=w, required=required)
    init = _transfer(model, best, final)
    sol = _search(
        final.data,
        budget,
        seed,
        start_penalty=_start_penalties(final.data, FINAL_PENALTY_FACTOR),
        initial=init,
    )
    return first, (final, sol if sol.is_feasible() else init)


def _cost(model: _Model, sol: Solution) -> int:
    """Objective value of a solution (km, hours, fixed costs, uncollected prizes)."""
    from pyvrp import CostEvaluator

    return CostEvaluator([0] * model.data.num_load_dimensions, 0, 0).cost(sol)


def _solve_model(
    problem: RoundsProblem,
    legs: Sequence[Leg],
    vehicles: Sequence[Vehicle],
    windows: dict[str, tuple[int, int]],
    budget: Deadline,
    search: Search,
) -> tuple[_Model, Solution]:
    """The search the objective asks for: plain, or with route elimination (fewest vans; least
    cost when a van has a fixed cost or may reload, where removing a route can pay)."""
    mats = _matrices(problem, vehicles)
    groups = _groups(vehicles, windows)
    total_s = budget.remaining_s()
    if search.objective == "fewest_vans":
        w = FEWEST_VANS_EUR_PER_VAN
        _, last = _eliminate_routes(problem, legs, groups, mats, budget, total_s, search.seed, w)
        return last
    if any(v.fixed_cost_eur > 0 or v.max_trips > 1 for v in vehicles):
        first, last = _eliminate_routes(
            problem, legs, groups, mats, budget, total_s, search.seed, 0.0
        )
        return last if _cost(*last) <= _cost(*first) else first
    model = _build(problem, legs, groups, [len(g.vehicles) for g in groups], mats)
    return model, _search(model.data, budget, search.seed)


def _activities(model: _Model, best: Solution) -> dict[str, Trips]:
    """Vehicle id -> its feasible route as trips of activities."""
    out: dict[str, Trips] = {}
    next_van = [0] * len(model.groups)
    for route in best.routes():
        g = model.type_groups[route.vehicle_type()]
        vehicle = model.groups[g].vehicles[next_van[g]]
        next_van[g] += 1
        if not route.is_feasible():
            continue
        depot = model.depot_of_type[route.vehicle_type()]
        trips: Trips = []
        loads: list[Activity] = []
        acts: list[Activity] = []
        for act in route.schedule():
            if act.is_depot():
                if loads or acts:
                    trips.append(loads + acts)
                loads, acts = [], []
            elif act.is_client():
                oid = model.client_legs[act.idx].order.id
                loads.append(Activity("pickup", depot, oid))
                acts.append(Activity("delivery", model.client_legs[act.idx].delivery_site_id, oid))
            else:
                leg = model.shipment_legs[act.idx]
                if act.is_pickup():
                    acts.append(Activity("pickup", leg.pickup_site_id, leg.order.id))
                else:
                    acts.append(Activity("delivery", leg.delivery_site_id, leg.order.id))
        if trips:
            out[vehicle.id] = trips
    return out


def solve_legs(
    problem: RoundsProblem,
    legs: Sequence[Leg],
    vehicles: Sequence[Vehicle],
    windows: dict[str, tuple[int, int]],
    time_limit_s: float,
    search: Search,
) -> dict[str, Trips]:
    """Solve one day (one phase) with PyVRP; return vehicle id -> its trips.

    ``windows`` maps vehicle id -> (earliest start, latest return) for this phase;
    ``time_limit_s`` is measured on ``search.clock``. Legs left out are absent from every trip.
    """
    if not legs or not vehicles:
        return {}
    budget = Deadline(time_limit_s, search.clock)
    dur = _matrices(problem, vehicles).duration_s
    kept: list[Leg] = []
    for leg in legs:
        if _fits_alone(problem, leg, dur):
            kept.append(leg)
        else:
            logger.debug("leg of %s cannot fit its windows (release or deadline)", leg.order.id)
    if not kept:
        return {}
    model, best = _solve_model(problem, kept, vehicles, windows, budget, search)
    if not best.is_feasible():
        logger.warning(
            "PyVRP found no feasible plan in %.1f s; keeping only its feasible routes "
            "(the other orders are reported FLEET_FULL)",
            time_limit_s,
        )
    return _activities(model, best)
