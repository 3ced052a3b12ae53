r"""The sourcing model of a window of weeks: its maths, how it is built, how it is solved.

Which kitchen buys what from whom, week by week. :func:`build_window` writes the model
below for the weeks ``[w0, w1)`` of a :class:`~solver.sourcing.data.MatchData`, given what
earlier windows committed (:class:`~solver.sourcing.window.WindowState`); each constraint
family is one ``add_*`` function of :mod:`solver.sourcing.constraints`. A window covering
the whole horizon with an empty state *is* the monolithic model, and
``solve_window(..., relax=True)`` solves its LP relaxation. How the horizon is cut into
windows and the kitchens into groups is explained in :mod:`solver.sourcing.solve`.

Units: quantities in purchase units (``kg_i`` kilograms each), money in EUR, time in
calendar weeks (Mondays).

Sets
----
``K`` purchasing kitchens, ``I`` products, ``P`` producers, ``O`` offers (a producer's
product), ``W`` calendar weeks (holidays included), ``PK`` direct pairs allowed by
:mod:`solver.prepare.eligibility` whose producer and kitchen share a delivery weekday,
``Q`` platforms, ``PP_q`` / ``PK_q`` producers / kitchens of platform ``q``'s round (sharing
a weekday with the round; a kitchen is on one round, ``q(k)``).

Parameters
----------
``d[k,i,w]`` demand; ``L_i = floor(shelf_life_days / 7)`` for storable products (else 0);
``F[k,i,w] = min(sum_{j=1..L_i} d[k,i,w+j], storage / kg_i)`` the most that may be in stock
at the end of week ``w``; ``R = d + F`` the most worth buying in week ``w``;
``cap[o,w] = Offer.capacity_in_month(month of w's Thursday)``; ``c_o`` producer price,
``(1 + margin_q(k)) c_o`` platform price, ``c^ref[k,i]`` the kitchen's reference wholesaler;
``min_kg_p, min_eur_p`` minimum order, ``n_p`` (delivers every ``n_p`` weeks), ``D_p``
(drops a week), ``D_k`` (deliveries a kitchen receives a week); ``f_pk`` EUR per direct
drop, ``g_pw`` per platform pickup, ``h`` per platform stop (logistics estimate or
overrides, :mod:`solver.sourcing.data`); target shares ``t^E, t^B, t^MF, t^L``, budget
``b_k`` EUR per meal and ``meals[k,w]``.

Variables
---------
``xd[o,k,w] >= 0`` bought directly (``(p(o),k) in PK``), ``xp[o,k,w] >= 0`` through the
kitchen's platform ``q(k)`` (``p(o) in PP_q(k)``), ``xr[k,i,w] >= 0`` from the reference
wholesaler (one per range of labels it sells the product in, :mod:`solver.sourcing.data`),
``s[k,i,w] >= 0`` stock at the end of ``w`` (storable products); binaries ``y[p,k,w]``
(direct drop), ``z[q,p,w]`` (platform pickup, pooled over the kitchens of ``q``'s round),
``v[k,w]`` (platform stop), ``r[k,w]`` (wholesaler delivery), ``a[p,w]`` (producer
delivers that week, only when ``n_p > 1``), ``b`` (one per line of an offer with a
minimum lot); ``u[p,k,w] in [0,1]`` (new supplier); shortfalls ``sh[k,T] >= 0`` for ``T``
in egalim, bio, meat_fish_egalim, local, budget (EUR). Lines exist only where ``cap > 0``
and ``R > 0``; drops ``(p,k,w)`` (pickups ``(q,p,w)``) whose producer's minimum cannot be
reached even at full reach and capacity are pruned with their lines (no feasible plan uses them).

Objective (MIN_COST)
--------------------
``min  sum c xd + sum (1+m) c xp + sum c^ref xr + sum (f_pk + e1 + o) y + sum g z
+ sum (h + e1 + o) v + sum (e1 + o) r + sum e2 u + e3 sum s + sum_k sum_T pi_T sh[k,T]
+ rho sum dev + lambda sum chg``, with a tiny holding cost
``e3`` (:data:`STOCK_EUR_PER_UNIT_WEEK`: nothing is stocked without a reason), the tie-breaks
``e1`` EUR a delivery (fewer deliveries) and ``e2`` EUR a new supplier (the same supplier
week after week) of :class:`~solver.sourcing.window.Tiebreak`, and penalties ``pi_T``
(EUR per missing EUR of share) of :class:`~solver.sourcing.data.TargetPenalties`, all
equal to ``TargetPenalties.hard`` in hard mode, and the weekly cycle's terms below
(``o``, ``rho``, ``lambda``: 0 unless asked). MAX_LOCAL: every cost term is weighted
:data:`~solver.sourcing.window.MAX_LOCAL_COST_WEIGHT` and each EUR bought from a producer
(``xd``, ``xp``) earns -1: the most local value, within the budget.

Constraints (one ``add_*`` function each)
-----------------------------------------
* ``demand_balance``: ``sum_o xd + sum_o xp + xr + s[w-1] - s[w] = d`` (fresh products
  have no ``s``: bought the week they are used); ``s[k,i,w] <= F[k,i,w]`` (a bound).
* ``storage``: ``sum_i kg_i s[k,i,w] <= storage_chilled_kg`` over chilled and frozen
  products, ``<= storage_ambient_kg`` over ambient ones.
* ``capacity``: ``sum_k xd[o,k,w] + xp[o,k,w] <= cap[o,w]`` (shared, seasonal).
* ``min_orders``: ``xd <= min(cap, R) y``; ``sum_i kg xd >= min_kg y``; ``sum c xd >=
  min_eur y``; platform: ``xp <= min(cap, R) z``, ``xp <= min(cap, R) v``, ``sum_{k,i} kg xp
  >= min_kg z``, ``sum c xp >= min_eur z`` (the pooled pickup; both minimums apply).
* ``min_lots``: a line of an offer with ``min_lot`` is 0 or at least the lot,
  ``min_lot b <= x <= min(cap, R) b``.
* ``platform_capacity``: ``sum kg xp[.,k,w] over k in PK_q <= q's van payload x round
  days``; chilled and frozen goods stay off a platform without a refrigerated van.
* ``reference_link``: ``xr <= R r``.
* ``producer_frequency``: ``sum_k y[p,k,w] + z[p,w] <= D_p``; ``y, z <= a[p,w]``,
  ``sum_{w'=w..w+n_p-1} a[p,w'] <= 1`` (at most one delivery week in ``n_p``).
* ``kitchen_deliveries``: ``sum_p y[p,k,w] + v[k,w] + r[k,w] <= D_k`` (distinct
  suppliers delivering: direct drops, +1 for the platform, +1 for the wholesaler).
* Delivery days: a direct pair needs a weekday in both the producer's and the kitchen's
  ``delivery_weekdays`` (a pure farm pickup needs only the kitchen's); the platform needs
  a round weekday in both (filtered in the data).
* ``targets`` (value ``V = c x`` at the price paid, summed per kitchen and week by
  ``value_aggregates``): ``sum (e - t^E) V + sh_E >= 0``, the same for organic, for
  meat-and-fish (over those products only) and for local (``xd``, ``xp`` are local, the
  wholesaler is not); ``sum V - sh_budget <= b_k meals_k``. EGALIM groups count each euro
  once (:func:`solver.core.domain.egalim_group`).
* ``continuity``: ``u[p,k,w] >= y[p,k,w] - y[p,k,w-1]``.

The weekly cycle and re-planning (:mod:`solver.sourcing.cycle_rules`)
-----------------------------------------------------------------------
* Ordering effort: a kitchen orders each week from a set of suppliers ``S_k`` -- each
  producer of a direct pair, the platform (one order whatever the producers it collects
  from), the wholesaler -- and the binary "kitchen ``k`` orders from supplier ``s`` in week
  ``w``" is ``y[p,k,w]``, ``v[k,w]``, ``r[k,w]`` respectively; each costs
  ``o = Ordering.per_supplier_eur`` on top of its logistics, so that a plan orders from
  few suppliers.
* ``fixed_lines`` (orders already sent, ``MatchData.fixed``): ``x = q`` by its bounds, and
  the line's drop / pickup / stop / delivery and lot binaries are 1.
* ``regularity``: for a group ``G`` (a producer and a kitchen, or a producer) with kg
  ``X[G,w] = sum kg_i (xd + xp)`` over its lines of week ``w`` and ``w'`` its previous week
  with demand (the kitchen's, or any kitchen's), a continuous ``dev[G,w] >= 0`` with
  ``dev >= X[G,w] - X[G,w']`` and ``dev >= X[G,w'] - X[G,w]``, priced ``rho =
  Ordering.regularity_eur_per_kg`` (weeks without demand are skipped: holidays do not
  count as a change; a producer's volume is that of the kitchens planned together, so a
  territory split into groups of kitchens keeps each group's part steady).
* ``changes`` (a previous plan, ``MatchData.previous``): each previous line ``l`` of
  quantity ``q`` with a candidate ``x`` has a binary ``c_l``, ``x - max(M - q, 0) c_l <= q +
  tol`` and ``x + q c_l >= q - tol``; each other candidate line a binary ``n`` with ``x <=
  M n``; ``chg = c, n`` count the changed order lines (plus the previous lines with no
  candidate, which change anyway). Weighted: each costs ``lambda = change_eur``.
  Lexicographic (:mod:`solver.sourcing.rolling`): a window first minimises ``sum chg``
  alone, then its cost subject to ``sum chg <=`` that minimum.
* A re-plan's arrays start at its first re-planned week; the weeks it keeps are the
  opening state (``MatchData.history``: stock, target balances and meals so far, last
  week's drops, the regularity's last volumes), as a window carries an earlier one's.

A window of a longer horizon
----------------------------
Rows that straddle the window's first week (stock, every ``n_p`` weeks, continuity) use
what earlier windows committed. The law's shares are yearly, so the target rows run over
the horizon so far: ``sum_{w < w0} (e - t) V`` (committed) ``+`` the window; with
``lookahead`` (what a relaxation of the whole horizon buys after the window) they run
over the whole horizon, and the budget over every meal. The closing stock of a window
that is not the last is credited at ``stock_price_out`` (default: the cheapest unit price
the kitchen could pay later), a steering term (``WindowModel.extra_cost``) left out of
the plan's cost.

Lagrangian windows (for the lower bound, :mod:`solver.sourcing.bound`): with
``lagrangian = mu`` the target rows are dropped and priced instead, each window paying
``mu_T g_T`` for ``g = t V - Q`` (budget: ``V - b meals``, its constant paid by the last
window); the opening stock is bought at ``stock_price_in`` and the closing stock sold at
``stock_price_out``; no history (:func:`~solver.sourcing.window.bound_state`).

Engine
------
The matrix is built with numpy/scipy and handed to MathOpt as a ``ModelProto`` filled
from arrays (no per-variable Python objects). HiGHS is the default: it returns its
incumbent at a time limit through MathOpt. SCIP (``engine="scip"``) takes the same model;
CP-SAT refuses continuous variables.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from ortools.math_opt import model_parameters_pb2, model_pb2, result_pb2
from ortools.math_opt.core.python import solver as mo_core
from ortools.math_opt.python import callback, init_arguments, model_parameters
from ortools.math_opt.python import parameters as mo_params
from ortools.math_opt.solvers import highs_pb2
from pybind11_abseil.status import StatusNotOk

from solver.core import ObjectiveMode, SolveParams
from solver.sourcing.constraints import (
    Candidates,
    add_capacity,
    add_continuity,
    add_demand_balance,
    add_kitchen_deliveries,
    add_min_lots,
    add_min_orders,
    add_platform_capacity,
    add_producer_frequency,
    add_reference_link,
    add_storage,
    add_targets,
    add_value_aggregates,
    candidate_lines,
    index_of,
)
from solver.sourcing.cycle_rules import add_changes, add_fixed_lines, add_regularity
from solver.sourcing.data import MatchData
from solver.sourcing.window import (
    AGGREGATES,
    TARGETS,
    ObjectiveSpec,
    RowBlocks,
    VarBlocks,
    WindowModel,
    WindowState,
)

__all__ = ["WindowSolution", "build_window", "solve_window"]

logger = logging.getLogger(__name__)

#: EUR a unit of stock costs a week: a tiny holding cost, so that nothing is stocked
#: without a reason.
STOCK_EUR_PER_UNIT_WEEK = 1e-4


# --------------------------------------------------------------------------- build


class _LineVars(NamedTuple):
    xd: np.ndarray
    xp: np.ndarray
    xr: np.ndarray
    inv: np.ndarray
    xd_value: np.ndarray
    xp_value: np.ndarray
    xr_value: np.ndarray


class _Binaries(NamedTuple):
    y: np.ndarray
    y_pk: np.ndarray
    y_t: np.ndarray
    z: np.ndarray
    z_p: np.ndarray
    z_t: np.ndarray
    v: np.ndarray
    v_k: np.ndarray
    v_t: np.ndarray
    r: np.ndarray
    r_k: np.ndarray
    r_t: np.ndarray
    a: np.ndarray
    a_p: np.ndarray
    a_t: np.ndarray
    u: np.ndarray
    xd_drop: np.ndarray
    xp_pickup: np.ndarray
    xp_stop: np.ndarray
    xr_del: np.ndarray
    lot: np.ndarray
    lot_x: np.ndarray
    lot_big_m: np.ndarray
    lot_min: np.ndarray


class _TargetVars(NamedTuple):
    s: np.ndarray
    agg: np.ndarray
    inv_in: np.ndarray
    inv_in_k: np.ndarray
    inv_in_i: np.ndarray
    constant_eur: float


def _line_vars(
    vs: VarBlocks, data: MatchData, c: Candidates, spec: ObjectiveSpec, w0: int, w1: int
) -> _LineVars:
    """Purchase and stock columns, priced at what is paid (MAX_LOCAL: weighted cost
    minus the local value)."""
    d_val = data.o_price[c.xd_o]
    p_val = data.o_price[c.xp_o] * (1.0 + data.plat_margin[data.plat_k_q[c.xp_k]])
    r_val, _, _ = data.reference_lines(c.xr_k, c.xr_i, c.xr_x)
    if spec.mode is ObjectiveMode.MAX_LOCAL:
        cw = spec.cost_weight
        d_cost, p_cost, r_cost = cw * d_val - d_val, cw * p_val - p_val, cw * r_val
    else:
        d_cost, p_cost, r_cost = d_val, p_val, r_val
    reach = data.reach[:, :, w0:w1]
    fut = data.future[:, :, w0:w1]
    return _LineVars(
        xd=vs.add("xd", len(c.xd_pk), c.xd_big_m, d_cost, False),
        xp=vs.add("xp", len(c.xp_o), c.xp_big_m, p_cost, False),
        xr=vs.add("xr", len(c.xr_k), reach[c.xr_k, c.xr_i, c.xr_t], r_cost, False),
        inv=vs.add(
            "inv", len(c.inv_k), fut[c.inv_k, c.inv_i, c.inv_t], STOCK_EUR_PER_UNIT_WEEK, False
        ),
        xd_value=d_val,
        xp_value=p_val,
        xr_value=r_val,
    )


def _salvage(
    data: MatchData,
    c: Candidates,
    w0: int,
    w1: int,
    cost_weight: float,
    stock_price_out: np.ndarray | None,
) -> np.ndarray:
    """Credit (negative EUR) of each stock column: the closing stock of a window that is
    not the last spares a later purchase, worth ``stock_price_out`` (default: the cheapest
    price the kitchen could pay)."""
    salvage = np.zeros(len(c.inv_k))
    if w1 < data.n_weeks:
        last = c.inv_t == w1 - w0 - 1
        out = data.cheapest_price if stock_price_out is None else stock_price_out
        salvage[last] = -cost_weight * out[c.inv_k[last], c.inv_i[last]]
    return salvage


def _binary_vars(
    vs: VarBlocks,
    data: MatchData,
    c: Candidates,
    lines: _LineVars,
    spec: ObjectiveSpec,
    w0: int,
    w1: int,
) -> _Binaries:
    """Drops, pickups, platform stops, wholesaler deliveries, delivery weeks, minimum
    lots and new-supplier indicators, each keyed ``owner * n_t + week``."""
    n_t = w1 - w0
    cw, tie = spec.cost_weight, spec.tiebreak
    per_order = tie.per_delivery_eur + spec.ordering.per_supplier_eur  # a supplier a week
    y_keys, xd_drop = index_of(c.xd_pk * n_t + c.xd_t)
    y_pk, y_t = y_keys // n_t, y_keys % n_t
    y = vs.add("y", len(y_keys), 1.0, cw * (data.pk_cost[y_pk] + per_order), True)
    n_p = len(data.producers)
    pickup_of = data.plat_k_q[c.xp_k] * n_p + data.o_p[c.xp_o]  # platform q, producer p
    z_keys, xp_pickup = index_of(pickup_of * n_t + c.xp_t)
    z_p, z_t = z_keys // n_t % n_p, z_keys % n_t
    z = vs.add("z", len(z_keys), 1.0, cw * data.plat_pickup_cost[z_p, w0 + z_t], True)
    v_keys, xp_stop = index_of(c.xp_k * n_t + c.xp_t)
    stop_eur = data.plat_stop_cost[data.plat_k_q[v_keys // n_t]] if len(v_keys) else 0.0
    v = vs.add("v", len(v_keys), 1.0, cw * (stop_eur + per_order), True)
    r_keys, xr_del = index_of(c.xr_k * n_t + c.xr_t)
    r = vs.add("r", len(r_keys), 1.0, cw * per_order, True)
    a_keys = np.unique(
        np.concatenate([data.pk_p[y_pk] * n_t + y_t, z_p * n_t + z_t]).astype(np.int64)
    )
    a_keys = a_keys[data.every_n[a_keys // n_t] > 1] if len(a_keys) else a_keys
    a = vs.add("a", len(a_keys), 1.0, 0.0, True)
    lot_d = np.flatnonzero(data.o_min_lot[c.xd_o] > 0)
    lot_p = np.flatnonzero(data.o_min_lot[c.xp_o] > 0)
    lot = vs.add("lot", len(lot_d) + len(lot_p), 1.0, 0.0, True)
    u = vs.add("u", len(y_keys), 1.0, cw * tie.per_new_supplier_eur, False)
    return _Binaries(
        y=y,
        y_pk=y_pk,
        y_t=y_t,
        z=z,
        z_p=z_p,
        z_t=z_t,
        v=v,
        v_k=v_keys // n_t,
        v_t=v_keys % n_t,
        r=r,
        r_k=r_keys // n_t,
        r_t=r_keys % n_t,
        a=a,
        a_p=a_keys // n_t if len(a_keys) else a_keys,
        a_t=a_keys % n_t if len(a_keys) else a_keys,
        u=u,
        xd_drop=xd_drop,
        xp_pickup=xp_pickup,
        xp_stop=xp_stop,
        xr_del=xr_del,
        lot=lot,
        lot_x=np.concatenate([lines.xd[lot_d], lines.xp[lot_p]]),
        lot_big_m=np.concatenate([c.xd_big_m[lot_d], c.xp_big_m[lot_p]]),
        lot_min=data.o_min_lot[np.concatenate([c.xd_o[lot_d], c.xp_o[lot_p]])],
    )


def _lagrangian_prices(data: MatchData, mu: np.ndarray, n_t: int) -> np.ndarray:
    """(K, T, 6) EUR per EUR of each value aggregate when the yearly target rows are
    priced at ``mu`` (K, 5): ``mu_T g_T`` with ``g = t V - Q`` (budget: ``V``)."""
    cost = np.zeros((len(data.kitchens), n_t, len(AGGREGATES)))
    cost[:, :, 0] = (
        mu[:, 0] * data.t_egalim + mu[:, 1] * data.t_bio + mu[:, 3] * data.t_local + mu[:, 4]
    )[:, None]
    cost[:, :, 1] = -mu[:, 0][:, None]
    cost[:, :, 2] = -mu[:, 1][:, None]
    cost[:, :, 3] = -mu[:, 3][:, None]
    cost[:, :, 4] = (mu[:, 2] * data.t_meat_fish)[:, None]
    cost[:, :, 5] = -mu[:, 2][:, None]
    return cost


def _history_gap(data: MatchData, mu: np.ndarray) -> float:
    """EUR of ``sum_T mu_T g_T`` over what was bought before the first week (a re-plan's
    kept weeks): the Lagrangian's constant for the yearly rows' history."""
    h = data.history
    if h is None:
        return 0.0
    g = (
        mu[:, 0] * (data.t_egalim * h.value - h.egalim)
        + mu[:, 1] * (data.t_bio * h.value - h.bio)
        + mu[:, 2] * (data.t_meat_fish * h.mf_value - h.mf_egalim)
        + mu[:, 3] * (data.t_local * h.value - h.local)
        + mu[:, 4] * h.value
    )
    return float(g.sum())


def _target_vars(
    vs: VarBlocks,
    data: MatchData,
    w0: int,
    w1: int,
    pen: np.ndarray,
    cw: float,
    lagrangian: np.ndarray | None,
    stock_price_in: np.ndarray | None,
) -> _TargetVars:
    """Shortfalls, value aggregates and, in a Lagrangian window, the opening stock bought
    at its price and the budget's constant term."""
    n_k, n_t = len(data.kitchens), w1 - w0
    s_ub = 0.0 if lagrangian is not None else np.inf
    s = vs.add("s", n_k * len(TARGETS), s_ub, np.tile(pen, n_k), False).reshape(n_k, len(TARGETS))
    agg_cost = np.zeros((n_k, n_t, len(AGGREGATES)))
    inv_in_k = inv_in_i = np.zeros(0, dtype=int)
    inv_in_ub = np.zeros(0)
    constant = 0.0
    if lagrangian is not None:
        mu = np.clip(lagrangian, 0.0, pen[None, :])
        agg_cost = cw * _lagrangian_prices(data, mu, n_t)
        if w1 == data.n_weeks:
            meals = data.meals.sum(axis=1) + data.meals_before
            constant = -cw * float((mu[:, 4] * data.budget_eur_per_meal * meals).sum())
            constant += cw * _history_gap(data, mu)
        if w0 > 0:
            opening = data.future[:, :, w0 - 1]
            inv_in_k, inv_in_i = np.nonzero(opening > 0)
            inv_in_ub = opening[inv_in_k, inv_in_i]
    n_agg = n_k * n_t * len(AGGREGATES)
    agg = vs.add("agg", n_agg, np.inf, agg_cost.ravel(), False)
    agg = agg.reshape(n_k, n_t, len(AGGREGATES))
    p_in = data.cheapest_price if stock_price_in is None else stock_price_in
    inv_in = vs.add("inv_in", len(inv_in_k), inv_in_ub, cw * p_in[inv_in_k, inv_in_i], False)
    return _TargetVars(s, agg, inv_in, inv_in_k, inv_in_i, constant)


def build_window(
    data: MatchData,
    w0: int,
    w1: int,
    state: WindowState,
    spec: ObjectiveSpec,
    *,
    lookahead: np.ndarray | None = None,
    lagrangian: np.ndarray | None = None,
    stock_price_in: np.ndarray | None = None,
    stock_price_out: np.ndarray | None = None,
) -> WindowModel:
    """Variables and rows of the weeks ``[w0, w1)`` (the model in the module docstring).

    ``lookahead[k, j]`` (K, 6) is what a relaxation of the whole horizon buys after the
    window (value, EGALIM, organic, local, meat-and-fish value, meat-and-fish EGALIM, EUR):
    the window's target rows then run over the year with that forecast for later weeks.
    ``stock_price_out`` (K, I) prices the closing stock of a non-final window (default:
    the cheapest price the kitchen could pay later).
    ``lagrangian[k, T]`` (in ``[0, penalty]``) builds the window's *relaxation* for the
    lower bound instead: yearly targets priced at these multipliers, opening stock bought
    at ``stock_price_in`` and closing stock sold at ``stock_price_out`` (EUR per unit, the
    multipliers of the stock-linking rows; default the cheapest price), no history (pass
    :func:`~solver.sourcing.window.bound_state`).
    """
    c = candidate_lines(data, w0, w1)
    vs = VarBlocks()
    pen = spec.penalty_row()
    lines = _line_vars(vs, data, c, spec, w0, w1)
    salvage = _salvage(data, c, w0, w1, spec.cost_weight, stock_price_out)
    binaries = _binary_vars(vs, data, c, lines, spec, w0, w1)
    targets = _target_vars(vs, data, w0, w1, pen, spec.cost_weight, lagrangian, stock_price_in)
    m = WindowModel(
        w0=w0,
        w1=w1,
        vars=vs,
        rows=RowBlocks(),
        penalty=pen,
        **c._asdict(),
        **lines._asdict(),
        **binaries._asdict(),
        **targets._asdict(),
    )
    add_demand_balance(m, data, state)
    add_capacity(m, data)
    add_min_lots(m)
    add_min_orders(m, data)
    add_platform_capacity(m, data)
    add_reference_link(m, data)
    add_producer_frequency(m, data, state)
    add_kitchen_deliveries(m, data)
    add_storage(m, data)
    add_value_aggregates(m, data)
    if lagrangian is None:
        add_targets(m, data, state, lookahead=lookahead)
    add_continuity(m, data, state)
    add_fixed_lines(m, data)
    add_regularity(m, data, state, spec)
    add_changes(m, data, spec)
    m.extra_cost = np.zeros(vs.n)
    m.extra_cost[lines.inv] = salvage
    return m


# --------------------------------------------------------------------------- solve


@dataclass
class WindowSolution:
    """Values of a solved window and the engine's report."""

    x: np.ndarray
    status: str
    objective: float
    bound: float
    runtime_s: float
    has_solution: bool
    duals: np.ndarray | None = None


_ENGINES = {
    "highs": mo_params.SolverType.HIGHS,
    "scip": mo_params.SolverType.GSCIP,
    "cpsat": mo_params.SolverType.CP_SAT,
}


def _model_proto(
    m: WindowModel,
    lb: np.ndarray,
    ub: np.ndarray,
    relax: bool,
    drop_rules: tuple[str, ...] = (),
    objective: np.ndarray | None = None,
) -> model_pb2.ModelProto:
    """The window as a MathOpt ``ModelProto``, filled from arrays (no per-variable objects).

    Rows of ``drop_rules`` get infinite bounds (the engine's presolve removes them);
    ``objective`` replaces the window's costs.
    """
    vs, rows = m.vars, m.rows
    proto = model_pb2.ModelProto(name=f"sourcing_{m.w0}_{m.w1}")
    ids = np.arange(vs.n)
    proto.variables.ids.extend(ids.tolist())
    proto.variables.lower_bounds.extend(lb.tolist())
    proto.variables.upper_bounds.extend(ub.tolist())
    integer = np.concatenate(vs.integer) if not relax else np.zeros(vs.n, dtype=bool)
    proto.variables.integers.extend(integer.tolist())
    cost = np.concatenate(vs.cost)
    if len(m.extra_cost):
        cost = cost + m.extra_cost
    if objective is not None:
        cost = objective
    nz = np.flatnonzero(cost)
    proto.objective.linear_coefficients.ids.extend(nz.tolist())
    proto.objective.linear_coefficients.values.extend(cost[nz].tolist())
    proto.linear_constraints.ids.extend(range(rows.n))
    row_lb, row_ub = np.concatenate(rows.lb), np.concatenate(rows.ub)
    for rule in drop_rules:
        a, b = rows.rules.get(rule, (0, 0))  # a rule with no rows is not registered
        row_lb[a:b], row_ub[a:b] = -np.inf, np.inf
    proto.linear_constraints.lower_bounds.extend(row_lb.tolist())
    proto.linear_constraints.upper_bounds.extend(row_ub.tolist())
    mat = sp.csr_matrix(
        (np.concatenate(rows.v), (np.concatenate(rows.r), np.concatenate(rows.c))),
        shape=(rows.n, vs.n),
    )
    mat.sum_duplicates()
    mat.sort_indices()
    keep = mat.data != 0
    row_ids = np.repeat(np.arange(rows.n), np.diff(mat.indptr))[keep]
    proto.linear_constraint_matrix.row_ids.extend(row_ids.tolist())
    proto.linear_constraint_matrix.column_ids.extend(mat.indices[keep].tolist())
    proto.linear_constraint_matrix.coefficients.extend(mat.data[keep].tolist())
    return proto


def _model_params(hint: np.ndarray | None) -> model_parameters_pb2.ModelSolveParametersProto:
    proto = model_parameters.ModelSolveParameters().to_proto()
    if hint is not None:
        h = proto.solution_hints.add()
        h.variable_values.ids.extend(range(len(hint)))
        h.variable_values.values.extend(np.asarray(hint, dtype=float).tolist())
    return proto


def solve_window(
    m: WindowModel,
    params: SolveParams,
    time_limit_s: float,
    *,
    relax: bool = False,
    engine: str = "highs",
    fix_zero: tuple[str, ...] = (),
    hint: np.ndarray | None = None,
    barrier: bool = False,
    crossover: bool = True,
    abs_gap_eur: float | None = None,
    drop_rules: tuple[str, ...] = (),
    objective: np.ndarray | None = None,
    fixed: tuple[np.ndarray, np.ndarray] | None = None,
) -> WindowSolution:
    """Solve a window with HiGHS (or ``engine``: ``"scip"``, ``"cpsat"``) through MathOpt.

    ``hint`` is a full feasible solution handed to the engine as its first incumbent;
    ``barrier`` solves an LP by interior point instead of dual simplex, with a crossover to
    a basic solution unless ``crossover=False`` (the interior optimum and its duals are
    then returned as they are: the same objective within the engine's tolerances, and
    much faster on a year's relaxation).
    ``drop_rules`` leaves out the rows of those rules (a relaxation).
    ``abs_gap_eur`` stops the MIP at that absolute gap instead of ``params.mip_gap``
    relative to the objective (a window's objective carries the running penalties of the
    whole year, so a relative gap on it would be loose).

    ``relax`` drops integrality (LP relaxation); ``fix_zero`` fixes whole variable blocks
    to their lower bound, 0 but for the binaries of fixed lines (the reference-only
    fallback fixes ``y, z, v, a``). ``objective`` (one cost per column) replaces the
    window's costs (the first stage of a lexicographic objective); ``fixed = (columns,
    values)`` fixes those columns. A solve stopped by its time limit still returns its best
    plan and bound.
    """
    ub = np.concatenate(m.vars.ub)
    lb = np.concatenate(m.vars.lb)
    for name in fix_zero:
        ub[m.vars.blocks[name]] = lb[m.vars.blocks[name]]
    if fixed is not None:
        lb, ub = lb.copy(), ub.copy()
        lb[fixed[0]] = ub[fixed[0]] = fixed[1]
    proto = _model_proto(m, lb, ub, relax, drop_rules, objective)
    sp_params = _solve_parameters(
        params, time_limit_s, engine, relax, barrier and relax, crossover, abs_gap_eur
    )
    t0 = time.perf_counter()
    try:
        res = mo_core.solve(
            proto,
            _ENGINES[engine].value,
            init_arguments.StreamableSolverInitArguments().to_proto(),
            sp_params.to_proto(),
            _model_params(hint),
            None,
            callback.CallbackRegistration().to_proto(),
            None,
            None,
        )
    except StatusNotOk:
        if not (relax and barrier and not crossover):
            raise
        # HiGHS answers "Unknown" for some interior points left without crossover (seen on
        # tiny models): solve again by dual simplex within the time left
        logger.info("interior point without crossover: status unknown, dual simplex instead")
        return solve_window(
            m,
            params,
            max(0.05, time_limit_s - (time.perf_counter() - t0)),
            relax=True,
            engine=engine,
            fix_zero=fix_zero,
            drop_rules=drop_rules,
            objective=objective,
            fixed=fixed,
        )
    return _read_result(res, m, relax, time.perf_counter() - t0)


def _solve_parameters(
    params: SolveParams,
    time_limit_s: float,
    engine: str,
    relax: bool,
    barrier: bool,
    crossover: bool,
    abs_gap_eur: float | None,
) -> mo_params.SolveParameters:
    """Engine parameters: time limit, seed, threads (the engine's own choice for HiGHS),
    gap (relative, or absolute when ``abs_gap_eur`` is given), LP algorithm."""
    return mo_params.SolveParameters(
        time_limit=dt.timedelta(seconds=max(time_limit_s, 0.05)),
        enable_output=params.log_search,
        threads=None if engine == "highs" else params.threads(),
        random_seed=params.seed,
        relative_gap_tolerance=(
            None if relax else (1e-9 if abs_gap_eur is not None else params.mip_gap)
        ),
        absolute_gap_tolerance=None if relax or abs_gap_eur is None else abs_gap_eur,
        lp_algorithm=mo_params.LPAlgorithm.BARRIER if barrier else None,
        highs=(
            highs_pb2.HighsOptionsProto(string_options={"run_crossover": "off"})
            if barrier and not crossover and engine == "highs"
            else None
        ),
    )


def _status(reason: int, has_solution: bool) -> str:
    if reason == result_pb2.TERMINATION_REASON_OPTIMAL:
        return "OPTIMAL"
    if reason == result_pb2.TERMINATION_REASON_INFEASIBLE:
        return "INFEASIBLE"
    return "FEASIBLE" if has_solution else "NO_SOLUTION_WITHIN_LIMIT"


def _read_result(
    res: result_pb2.SolveResultProto, m: WindowModel, relax: bool, runtime: float
) -> WindowSolution:
    """The engine's first feasible solution, its status and bound, and the duals of an
    optimal LP."""
    x = np.zeros(m.vars.n)
    has = False
    obj = float("nan")
    for sol in res.solutions:
        ps = sol.primal_solution
        if ps.feasibility_status == result_pb2.FEASIBILITY_STATUS_FEASIBLE:
            x[np.asarray(ps.variable_values.ids, dtype=np.int64)] = np.asarray(
                ps.variable_values.values
            )
            obj = float(ps.objective_value)
            has = True
            break
    bound = float(res.termination.objective_bounds.dual_bound)
    status = _status(res.termination.reason, has)
    duals = None
    if relax and status == "OPTIMAL":
        bound = obj
        for sol in res.solutions:
            ds = sol.dual_solution
            if len(ds.dual_values.ids):
                duals = np.zeros(m.rows.n)
                duals[np.asarray(ds.dual_values.ids, dtype=np.int64)] = np.asarray(
                    ds.dual_values.values
                )
                break
    logger.debug(
        "window [%d,%d): %d vars, %d rows, %s obj %.2f bound %.2f in %.2fs",
        m.w0,
        m.w1,
        m.vars.n,
        m.rows.n,
        status,
        obj,
        bound,
        runtime,
    )
    return WindowSolution(
        x=x,
        status=status,
        objective=obj,
        bound=bound,
        runtime_s=runtime,
        has_solution=has,
        duals=duals,
    )
