"""The sourcing MIP of one window of weeks, built from arrays, one rule per function.

:func:`build_window` assembles the variables and rows of the model written at the top of
:mod:`solver.sourcing.solve` for the weeks ``[w0, w1)`` of a :class:`MatchData`, given what
earlier
windows committed (:class:`WindowState`: stock, last drops, delivery weeks, running
target balances). Each rule is one ``_add_*`` function that appends vectorised COO rows;
:func:`solve_window` hands the sparse matrix to HiGHS through OR-Tools' model builder.
A window covering the whole horizon with an empty state *is* the monolithic model; with
``relax=True`` it is that model's LP relaxation (the lower bound).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from ortools.math_opt import model_parameters_pb2, model_pb2, result_pb2
from ortools.math_opt.core.python import solver as mo_core
from ortools.math_opt.python import callback, init_arguments, model_parameters
from ortools.math_opt.python import parameters as mo_params
from ortools.math_opt.solvers import highs_pb2
from pybind11_abseil.status import StatusNotOk

from solver.core import ObjectiveMode, SolveParams, TargetMode
from solver.sourcing.data import MatchData, TargetPenalties

__all__ = [
    "TARGETS",
    "Tiebreak",
    "WindowModel",
    "WindowSolution",
    "WindowState",
    "bound_state",
    "build_window",
    "initial_state",
    "solve_window",
]

logger = logging.getLogger(__name__)

#: Soft/hard targets of every kitchen, in the order of the shortfall variables.
TARGETS = ("egalim", "bio", "meat_fish_egalim", "local", "budget")


@dataclass(frozen=True)
class Tiebreak:
    """Small EUR penalties that break ties (documented in :mod:`solver.sourcing.solve`).

    ``per_delivery_eur`` for every delivery a kitchen receives (direct drop, platform stop,
    wholesaler) -> fewer deliveries; ``per_new_supplier_eur`` for each direct drop from a
    producer that did not deliver that kitchen the week before -> the same supplier week
    after week. Both are far below any food price difference that matters (a drop costs
    ~10-40 EUR of logistics).
    """

    per_delivery_eur: float = 0.5
    per_new_supplier_eur: float = 0.5


@dataclass
class WindowState:
    """What earlier windows committed, carried into the next one."""

    inv0: np.ndarray  # (K, I) stock at the start of the window, units
    drop_prev: np.ndarray  # (PK,) bool: direct drop in the week before the window
    delivered: np.ndarray  # (P, W) bool: weeks each producer delivered (any channel)
    value: np.ndarray  # (K,) EUR bought so far
    egalim: np.ndarray
    bio: np.ndarray
    mf_value: np.ndarray
    mf_egalim: np.ndarray
    local: np.ndarray


def bound_state(data: MatchData) -> WindowState:
    """State of a bound window: no stock, no delivery history, every pair "delivered the
    week before" (the continuity row at the boundary is then void: a relaxation)."""
    st = initial_state(data)
    st.drop_prev[:] = True
    return st


def initial_state(data: MatchData) -> WindowState:
    """Empty state: no stock, no history, nothing bought."""
    n_k = len(data.kitchens)
    z = np.zeros(n_k)
    return WindowState(
        inv0=np.zeros((n_k, len(data.products))),
        drop_prev=np.zeros(len(data.pk_p), dtype=bool),
        delivered=np.zeros((len(data.producers), data.n_weeks), dtype=bool),
        value=z.copy(),
        egalim=z.copy(),
        bio=z.copy(),
        mf_value=z.copy(),
        mf_egalim=z.copy(),
        local=z.copy(),
    )


class _Vars:
    def __init__(self) -> None:
        self.n = 0
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.blocks: dict[str, slice] = {}

    def add(
        self, name: str, n: int, ub: np.ndarray | float, cost: np.ndarray | float, integer: bool
    ) -> np.ndarray:
        idx = np.arange(self.n, self.n + n)
        self.blocks[name] = slice(self.n, self.n + n)
        self.lb.append(np.zeros(n))
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n,)).copy())
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.integer.append(np.full(n, integer))
        self.n += n
        return idx


class _Rows:
    def __init__(self) -> None:
        self.n = 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lb: list[np.ndarray] = []
        self.ub: list[np.ndarray] = []
        self.rules: dict[str, tuple[int, int]] = {}

    def add(
        self,
        rule: str,
        n_rows: int,
        rows: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray | float,
        lb: np.ndarray | float,
        ub: np.ndarray | float,
    ) -> int:
        """Append ``n_rows`` rows; ``rows`` are local (0..n_rows-1). Returns the first row."""
        start = self.n
        if n_rows == 0:
            self.rules[rule] = (start, start)
            return start
        self.r.append(np.asarray(rows, dtype=np.int64) + start)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.broadcast_to(np.asarray(vals, dtype=float), (len(rows),)).copy())
        self.lb.append(np.broadcast_to(np.asarray(lb, dtype=float), (n_rows,)).copy())
        self.ub.append(np.broadcast_to(np.asarray(ub, dtype=float), (n_rows,)).copy())
        self.rules[rule] = (start, start + n_rows)
        self.n += n_rows
        return start


@dataclass
class WindowModel:
    """Variables, rows and index maps of one window (all arrays, no per-arc objects)."""

    w0: int
    w1: int
    vars: _Vars
    rows: _Rows
    # direct lines
    xd: np.ndarray
    xd_pk: np.ndarray
    xd_o: np.ndarray
    xd_t: np.ndarray
    # platform lines
    xp: np.ndarray
    xp_o: np.ndarray
    xp_k: np.ndarray
    xp_t: np.ndarray
    # reference lines
    xr: np.ndarray
    xr_k: np.ndarray
    xr_i: np.ndarray
    xr_t: np.ndarray
    # stock
    inv: np.ndarray
    inv_k: np.ndarray
    inv_i: np.ndarray
    inv_t: np.ndarray
    # binaries
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
    s: np.ndarray  # (K, len(TARGETS)) shortfall variable indices
    agg: np.ndarray  # (K, T, 6) value aggregates per kitchen and week
    # EUR value of one unit of each line, and flags
    xd_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    xp_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    xr_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    penalty: np.ndarray = field(default_factory=lambda: np.zeros(len(TARGETS)))
    # position of each line's binary within its block
    xd_drop: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    xp_pickup: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    xp_stop: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    xr_del: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    # bound windows: opening stock bought at its Lagrangian price
    inv_in: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    inv_in_k: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    inv_in_i: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    constant_eur: float = 0.0
    balance_row: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=int))
    # heuristic objective terms added at solve time (salvage of stock, target prices)
    extra_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def objective_of(self, x: np.ndarray) -> float:
        """Window objective (heuristic terms included) of a solution ``x``."""
        cost = np.concatenate(self.vars.cost)
        if len(self.extra_cost):
            cost = cost + self.extra_cost
        return float(cost @ x)

    @property
    def n_binaries(self) -> int:
        """Integer variables of the window."""
        return int(sum(int(x.sum()) for x in self.vars.integer))


# --------------------------------------------------------------------------- variables


def _offers_by_producer(data: MatchData) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(data.o_p, kind="stable")
    counts = np.bincount(data.o_p, minlength=len(data.producers))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return order, np.stack([starts, counts])


def _expand(owner_p: np.ndarray, data: MatchData) -> tuple[np.ndarray, np.ndarray]:
    """For each owner (row) with producer ``owner_p``, the offers of that producer."""
    order, sc = _offers_by_producer(data)
    counts = sc[1][owner_p]
    owner = np.repeat(np.arange(len(owner_p)), counts)
    first = np.repeat(sc[0][owner_p], counts)
    offs = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, order[first + offs]


def _direct_lines(data: MatchData, w0: int, w1: int) -> tuple[np.ndarray, ...]:
    """Candidate direct lines (pk, o, t) and their tight bound M = min(capacity, reach)."""
    n_t = w1 - w0
    pk, o = _expand(data.pk_p, data)
    pk = np.repeat(pk, n_t)
    o = np.repeat(o, n_t)
    t = np.tile(np.arange(n_t), len(pk) // max(n_t, 1)) if n_t else np.zeros(0, dtype=int)
    k = data.pk_k[pk]
    i = data.o_i[o]
    cap = data.o_cap[o, w0 + t]
    reach = data.reach[k, i, w0 + t]
    keep = (cap > 0) & (reach > 0)
    pk, o, t = pk[keep], o[keep], t[keep]
    big_m = np.minimum(cap[keep], reach[keep])
    return pk, o, t, big_m


def _prune_drops(
    data: MatchData, pk: np.ndarray, o: np.ndarray, t: np.ndarray, big_m: np.ndarray, n_t: int
) -> np.ndarray:
    """Keep lines whose drop (pk, t) can reach the producer's minimum order at full demand."""
    key = pk * n_t + t
    n_keys = len(data.pk_p) * n_t
    i = data.o_i[o]
    max_kg = np.bincount(key, big_m * data.kg_per_unit[i], minlength=n_keys)
    max_eur = np.bincount(key, big_m * data.o_price[o], minlength=n_keys)
    p_of_key = data.pk_p[np.arange(n_keys) // n_t]
    ok = (max_kg >= data.min_kg[p_of_key] - 1e-9) & (max_eur >= data.min_eur[p_of_key] - 1e-9)
    return ok[key]


def _platform_lines(data: MatchData, w0: int, w1: int) -> tuple[np.ndarray, ...]:
    """Candidate platform lines (o, k, t), pruned by the pooled minimum order."""
    n_t = w1 - w0
    offers = np.flatnonzero(data.plat_prod[data.o_p])
    if not data.plat_refrigerated:
        offers = offers[~data.cold[data.o_i[offers]]]
    kitchens = np.flatnonzero(data.plat_kitch)
    empty = np.zeros(0, dtype=int)
    if len(offers) == 0 or len(kitchens) == 0 or n_t == 0:
        return empty, empty, empty, np.zeros(0)
    o = np.repeat(offers, len(kitchens) * n_t)
    k = np.tile(np.repeat(kitchens, n_t), len(offers))
    t = np.tile(np.arange(n_t), len(offers) * len(kitchens))
    i = data.o_i[o]
    cap = data.o_cap[o, w0 + t]
    reach = data.reach[k, i, w0 + t]
    keep = (cap > 0) & (reach > 0)
    o, k, t, cap, reach = o[keep], k[keep], t[keep], cap[keep], reach[keep]
    big_m = np.minimum(cap, reach)
    # pooled bound per pickup (p, t): sum over offers of min(cap, sum_k reach)
    n_p = len(data.producers)
    ot_key = o * n_t + t
    uniq, inv_idx = np.unique(ot_key, return_inverse=True)
    pooled = np.minimum(np.bincount(inv_idx, reach), data.o_cap[uniq // n_t, w0 + uniq % n_t])
    u_o = uniq // n_t
    pkey = data.o_p[u_o] * n_t + uniq % n_t
    max_kg = np.bincount(pkey, pooled * data.kg_per_unit[data.o_i[u_o]], minlength=n_p * n_t)
    max_eur = np.bincount(pkey, pooled * data.o_price[u_o], minlength=n_p * n_t)
    p_all = np.arange(n_p * n_t) // n_t
    ok = (
        (max_kg >= data.min_kg[p_all] - 1e-9)
        & (max_eur >= data.min_eur[p_all] - 1e-9)
        & (data.min_kg[p_all] <= data.plat_kg_week + 1e-9)
    )
    if data.pickup_done.size:  # pickups kitchens planned before already made: no minimum
        ok |= data.pickup_done[:, w0:w1].ravel()
    keep2 = ok[data.o_p[o] * n_t + t]
    return o[keep2], k[keep2], t[keep2], big_m[keep2]


def _index_of(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique keys and, for each element, its position among them."""
    uniq, pos = np.unique(keys, return_inverse=True)
    return uniq, pos


def _add_count_limits(
    m: WindowModel,
    name: str,
    keys: np.ndarray,
    cols: np.ndarray,
    limit_of_owner: np.ndarray,
    n_t: int,
    used: np.ndarray | None = None,
    w0: int = 0,
) -> None:
    """``sum of the binaries sharing a key <= limit[key // n_t]``, one row per key.

    ``keys`` encode ``owner * n_t + week`` for each binary column in ``cols``; rows are
    written only where the binaries outnumber the limit (the others can never bind).
    ``used[owner, week]`` (calendar weeks, the window starting at ``w0``) is taken off the
    limit (what kitchens planned before already use).
    """
    if len(keys) == 0:
        return
    uniq, pos = _index_of(keys)
    count = np.bincount(pos)
    cap = limit_of_owner[uniq // n_t].astype(float)
    if used is not None and used.size:
        cap = np.maximum(cap - used[uniq // n_t, w0 + uniq % n_t], 0.0)
    binding = count > cap
    row_of = np.full(len(uniq), -1)
    row_of[binding] = np.arange(int(binding.sum()))
    sel = binding[pos]
    m.rows.add(name, int(binding.sum()), row_of[pos[sel]], cols[sel], 1.0, -np.inf, cap[binding])


# --------------------------------------------------------------------------- rules


def _add_demand_balance(m: WindowModel, data: MatchData, state: WindowState) -> None:
    """Purchases + stock in - stock out = demand, per (kitchen, product, week)."""
    n_k, n_i = len(data.kitchens), len(data.products)
    n_t = m.w1 - m.w0
    dem = data.demand[:, :, m.w0 : m.w1]
    need = dem > 0
    has_inv = np.zeros((n_k, n_i, n_t), dtype=bool)
    has_inv[m.inv_k, m.inv_i, m.inv_t] = True
    need |= has_inv
    need[:, :, 1:] |= has_inv[:, :, :-1]
    need[:, :, 0] |= state.inv0 > 0
    need[m.inv_in_k, m.inv_in_i, 0] = True
    row_of = np.full((n_k, n_i, n_t), -1, dtype=np.int64)
    row_of[need] = np.arange(int(need.sum()))
    rhs = dem[need].copy()
    inv0 = np.zeros((n_k, n_i, n_t))
    inv0[:, :, 0] = state.inv0
    rhs -= inv0[need]
    k_d, i_d = data.pk_k[m.xd_pk], data.o_i[m.xd_o]
    nxt = m.inv_t + 1 < n_t
    rows = np.concatenate(
        [
            row_of[k_d, i_d, m.xd_t],
            row_of[m.xp_k, data.o_i[m.xp_o], m.xp_t],
            row_of[m.xr_k, m.xr_i, m.xr_t],
            row_of[m.inv_k, m.inv_i, m.inv_t],
            row_of[m.inv_k[nxt], m.inv_i[nxt], m.inv_t[nxt] + 1],
            row_of[m.inv_in_k, m.inv_in_i, 0],
        ]
    )
    cols = np.concatenate([m.xd, m.xp, m.xr, m.inv, m.inv[nxt], m.inv_in])
    vals = np.concatenate(
        [
            np.ones(len(m.xd) + len(m.xp) + len(m.xr)),
            -np.ones(len(m.inv)),
            np.ones(int(nxt.sum()) + len(m.inv_in)),
        ]
    )
    assert (rows >= 0).all(), "a purchase line has no demand row"
    first = m.rows.add("demand_balance", int(need.sum()), rows, cols, vals, rhs, rhs)
    m.balance_row = np.where(row_of >= 0, row_of + first, -1)


def _add_capacity(m: WindowModel, data: MatchData) -> None:
    """Weekly capacity per offer (in season), shared by all kitchens and channels."""
    n_t = m.w1 - m.w0
    keys = np.concatenate([m.xd_o * n_t + m.xd_t, m.xp_o * n_t + m.xp_t])
    if len(keys) == 0:
        return
    uniq, pos = _index_of(keys)
    cap = data.o_cap[uniq // n_t, m.w0 + uniq % n_t]
    m.rows.add("capacity", len(uniq), pos, np.concatenate([m.xd, m.xp]), 1.0, -np.inf, cap)


def _add_min_orders(
    m: WindowModel, data: MatchData, big_m_d: np.ndarray, big_m_p: np.ndarray
) -> None:
    """Minimum order per direct drop (kg and EUR) and per pooled platform pickup.

    ``x <= M y`` per line with the tight ``M = min(capacity, reach)``; ``sum kg x >= min_kg y``
    and ``sum price x >= min_eur y`` per drop ``y[p, k, w]``; the same with the pickup
    ``z[p, w]`` summed over all kitchens of the round (producer price, before margin).
    """
    # direct links
    n_l = len(m.xd)
    m.rows.add(
        "drop_link",
        n_l,
        np.concatenate([np.arange(n_l), np.arange(n_l)]),
        np.concatenate([m.xd, m.y[m.xd_drop]]),
        np.concatenate([np.ones(n_l), -big_m_d]),
        -np.inf,
        0.0,
    )
    p_of_y = data.pk_p[m.y_pk]
    i_d = data.o_i[m.xd_o]
    for what, mins, coef in (
        ("min_order_kg", data.min_kg, data.kg_per_unit[i_d]),
        ("min_order_eur", data.min_eur, data.o_price[m.xd_o]),
    ):
        need = mins[p_of_y] > 0
        row_of = np.full(len(m.y), -1)
        row_of[need] = np.arange(int(need.sum()))
        sel = need[m.xd_drop]
        rows = np.concatenate([row_of[m.xd_drop[sel]], row_of[need]])
        cols = np.concatenate([m.xd[sel], m.y[need]])
        vals = np.concatenate([coef[sel], -mins[p_of_y[need]]])
        m.rows.add(what, int(need.sum()), rows, cols, vals, 0.0, np.inf)
    # platform: pooled pickup and kitchen stop links
    n_l = len(m.xp)
    if n_l == 0:
        return
    m.rows.add(
        "pickup_link",
        n_l,
        np.concatenate([np.arange(n_l), np.arange(n_l)]),
        np.concatenate([m.xp, m.z[m.xp_pickup]]),
        np.concatenate([np.ones(n_l), -big_m_p]),
        -np.inf,
        0.0,
    )
    m.rows.add(
        "platform_stop_link",
        n_l,
        np.concatenate([np.arange(n_l), np.arange(n_l)]),
        np.concatenate([m.xp, m.v[m.xp_stop]]),
        np.concatenate([np.ones(n_l), -big_m_p]),
        -np.inf,
        0.0,
    )
    i_p = data.o_i[m.xp_o]
    for what, mins, coef in (
        ("pickup_min_kg", data.min_kg, data.kg_per_unit[i_p]),
        ("pickup_min_eur", data.min_eur, data.o_price[m.xp_o]),
    ):
        need = mins[m.z_p] > 0
        if data.pickup_done.size:  # kitchens planned before met that pickup's minimum
            need &= ~data.pickup_done[m.z_p, m.w0 + m.z_t]
        row_of = np.full(len(m.z), -1)
        row_of[need] = np.arange(int(need.sum()))
        sel = need[m.xp_pickup]
        rows = np.concatenate([row_of[m.xp_pickup[sel]], row_of[need]])
        cols = np.concatenate([m.xp[sel], m.z[need]])
        vals = np.concatenate([coef[sel], -mins[m.z_p[need]]])
        m.rows.add(what, int(need.sum()), rows, cols, vals, 0.0, np.inf)


def _add_min_lots(
    m: WindowModel,
    data: MatchData,
    lot: np.ndarray,
    lines: np.ndarray,
    big_m: np.ndarray,
    min_lot: np.ndarray,
) -> None:
    """An order line of an offer with a minimum lot is 0 or at least that lot:
    ``min_lot b <= x <= M b`` with one binary ``b`` per such line (lines whose reach is
    below the lot were pruned)."""
    n = len(lines)
    if n == 0:
        return
    r = np.concatenate([np.arange(n), np.arange(n)])
    c = np.concatenate([lines, lot])
    m.rows.add("min_lot_upper", n, r, c, np.concatenate([np.ones(n), -big_m]), -np.inf, 0.0)
    m.rows.add("min_lot_lower", n, r, c, np.concatenate([np.ones(n), -min_lot]), 0.0, np.inf)


def _add_platform_capacity(m: WindowModel, data: MatchData) -> None:
    """Kilograms through the platform per week <= its vans' payload x round days."""
    if len(m.xp) == 0:
        return
    n_t = m.w1 - m.w0
    kg = data.kg_per_unit[data.o_i[m.xp_o]]
    cap = np.full(n_t, data.plat_kg_week)
    if len(data.plat_kg_used):
        cap = np.maximum(cap - data.plat_kg_used[m.w0 : m.w1], 0.0)
    m.rows.add("platform_capacity", n_t, m.xp_t, m.xp, kg, -np.inf, cap)


def _add_reference_link(m: WindowModel, data: MatchData) -> None:
    """A wholesaler purchase in week w needs its delivery r[k, w] (it counts as one)."""
    reach = data.reach[m.xr_k, m.xr_i, m.w0 + m.xr_t]
    n_l = len(m.xr)
    m.rows.add(
        "reference_link",
        n_l,
        np.concatenate([np.arange(n_l), np.arange(n_l)]),
        np.concatenate([m.xr, m.r[m.xr_del]]),
        np.concatenate([np.ones(n_l), -reach]),
        -np.inf,
        0.0,
    )


def _add_producer_frequency(m: WindowModel, data: MatchData, state: WindowState) -> None:
    """Producer drops per week <= deliveries_per_week; at most one delivery week in any
    ``delivery_every_n_weeks`` consecutive weeks (history carried from earlier windows)."""
    n_t = m.w1 - m.w0
    n_p = len(data.producers)
    z_new = (
        ~data.pickup_done[m.z_p, m.w0 + m.z_t]
        if data.pickup_done.size
        else np.ones(len(m.z), dtype=bool)
    )  # a pickup kitchens planned before made is counted in drops_used already
    keys = np.concatenate([data.pk_p[m.y_pk] * n_t + m.y_t, (m.z_p * n_t + m.z_t)[z_new]])
    counted = np.concatenate([m.y, m.z[z_new]])
    _add_count_limits(
        m, "producer_per_week", keys, counted, data.per_week, n_t, data.drops_used, m.w0
    )
    cols = np.concatenate([m.y, m.z])
    if len(m.a) == 0:
        return
    a_of = np.full(n_p * n_t, -1)
    a_of[m.a_p * n_t + m.a_t] = m.a
    p_all = np.concatenate([data.pk_p[m.y_pk], m.z_p])
    t_all = np.concatenate([m.y_t, m.z_t])
    has_a = a_of[p_all * n_t + t_all] >= 0
    n_l = int(has_a.sum())
    m.rows.add(
        "delivery_week_link",
        n_l,
        np.concatenate([np.arange(n_l), np.arange(n_l)]),
        np.concatenate([cols[has_a], a_of[p_all[has_a] * n_t + t_all[has_a]]]),
        np.concatenate([np.ones(n_l), -np.ones(n_l)]),
        -np.inf,
        0.0,
    )
    rows, rcols, rhs = [], [], []
    row = 0
    for av, p, t in zip(m.a, m.a_p, m.a_t, strict=True):
        n = int(data.every_n[p])
        w = m.w0 + int(t)
        # every run of n consecutive weeks containing week w and ending at or after it
        for end in range(w, w + n):
            lo = end - n + 1
            members = [
                a_of[p * n_t + (x - m.w0)]
                for x in range(max(lo, m.w0), min(end, m.w1 - 1) + 1)
                if a_of[p * n_t + (x - m.w0)] >= 0
            ]
            if members[0] != av:
                continue  # each run is emitted once, by its first variable
            past = int(state.delivered[p, max(lo, 0) : m.w0].sum()) if lo < m.w0 else 0
            if len(members) == 1 and past == 0:
                continue
            rows.extend([row] * len(members))
            rcols.extend(members)
            rhs.append(max(0.0, 1.0 - past))
            row += 1
    m.rows.add(
        "every_n_weeks",
        row,
        np.array(rows, dtype=int),
        np.array(rcols, dtype=int),
        1.0,
        -np.inf,
        np.array(rhs),
    )


def _add_kitchen_deliveries(m: WindowModel, data: MatchData) -> None:
    """Distinct deliveries a kitchen receives a week <= max_deliveries_per_week:
    its direct drops + 1 if the platform stops + 1 if the wholesaler delivers."""
    n_t = m.w1 - m.w0
    keys = np.concatenate(
        [data.pk_k[m.y_pk] * n_t + m.y_t, m.v_k * n_t + m.v_t, m.r_k * n_t + m.r_t]
    )
    cols = np.concatenate([m.y, m.v, m.r])
    _add_count_limits(m, "kitchen_deliveries", keys, cols, data.max_deliveries, n_t)


def _add_storage(m: WindowModel, data: MatchData) -> None:
    """Stock at the end of a week within storage: chilled+frozen kg and ambient kg."""
    if len(m.inv) == 0:
        return
    n_t = m.w1 - m.w0
    cold = data.cold[m.inv_i].astype(int)
    keys = (m.inv_k * n_t + m.inv_t) * 2 + cold
    uniq, pos = _index_of(keys)
    k = uniq // 2 // n_t
    cap = np.where(uniq % 2 == 1, data.storage_chilled_kg[k], data.storage_ambient_kg[k])
    m.rows.add("storage", len(uniq), pos, m.inv, data.kg_per_unit[m.inv_i], -np.inf, cap)


def _add_targets(
    m: WindowModel,
    data: MatchData,
    state: WindowState,
    *,
    with_rows: bool = True,
    lookahead: np.ndarray | None = None,
) -> None:
    """EGALIM, organic, meat-and-fish EGALIM and local shares, and the budget, per kitchen,
    as running balances over the horizon so far, each with a shortfall variable.

    With ``lookahead`` ((K, 6) aggregates a relaxation plans after the window, in the order
    of ``agg``) the balances run over the whole horizon: bought so far + the window + that
    forecast, and the budget over every meal of the horizon.

    Values are first summed per (kitchen, week) into aggregate variables ``agg[k, t, j]``
    (j: value, egalim, bio, local, meat-fish value, meat-fish egalim), so the yearly rows
    are short; long rows over a whole year of lines made the LP relaxation crawl.
    """
    n_t = m.w1 - m.w0
    k_all = np.concatenate([data.pk_k[m.xd_pk], m.xp_k, m.xr_k])
    t_all = np.concatenate([m.xd_t, m.xp_t, m.xr_t])
    cols = np.concatenate([m.xd, m.xp, m.xr])
    value = np.concatenate([m.xd_value, m.xp_value, m.xr_value])
    egal = np.concatenate(
        [data.o_egalim[m.xd_o], data.o_egalim[m.xp_o], data.ref_egalim[m.xr_k, m.xr_i]]
    )
    bio = np.concatenate([data.o_bio[m.xd_o], data.o_bio[m.xp_o], data.ref_bio[m.xr_k, m.xr_i]])
    i_all = np.concatenate([data.o_i[m.xd_o], data.o_i[m.xp_o], m.xr_i])
    local = np.concatenate(
        [np.ones(len(m.xd) + len(m.xp), dtype=bool), np.zeros(len(m.xr), dtype=bool)]
    )
    mf = data.meat_fish[i_all]
    flags = [np.ones(len(cols), dtype=bool), egal, bio, local, mf, mf & egal]
    n_k = len(data.kitchens)
    n_j = len(flags)
    agg = m.agg  # (K, T, J)
    rows, cc, vv = [], [], []
    for j, flag in enumerate(flags):
        sel = flag.astype(bool)
        rows.append((k_all[sel] * n_t + t_all[sel]) * n_j + j)
        cc.append(cols[sel])
        vv.append(value[sel])
    rows.append(np.arange(n_k * n_t * n_j))
    cc.append(agg.ravel())
    vv.append(-np.ones(n_k * n_t * n_j))
    m.rows.add(
        "value_aggregates",
        n_k * n_t * n_j,
        np.concatenate(rows),
        np.concatenate(cc),
        np.concatenate(vv),
        0.0,
        0.0,
    )
    if not with_rows:
        return
    ks = np.repeat(np.arange(n_k), n_t)

    def share(rule: str, num: int, den: int, target: np.ndarray, rhs: np.ndarray, j: int) -> None:
        r = np.concatenate([ks, ks, np.arange(n_k)])
        c = np.concatenate([agg[:, :, num].ravel(), agg[:, :, den].ravel(), m.s[:, j]])
        v = np.concatenate([np.ones(n_k * n_t), -np.repeat(target, n_t), np.ones(n_k)])
        m.rows.add(rule, n_k, r, c, v, rhs, np.inf)

    la = np.zeros((n_k, n_j)) if lookahead is None else lookahead
    value = state.value + la[:, 0]
    share("target_egalim", 1, 0, data.t_egalim, data.t_egalim * value - state.egalim - la[:, 1], 0)
    share("target_bio", 2, 0, data.t_bio, data.t_bio * value - state.bio - la[:, 2], 1)
    share(
        "target_meat_fish",
        5,
        4,
        data.t_meat_fish,
        data.t_meat_fish * (state.mf_value + la[:, 4]) - state.mf_egalim - la[:, 5],
        2,
    )
    share("target_local", 3, 0, data.t_local, data.t_local * value - state.local - la[:, 3], 3)
    meals = data.meals[:, : m.w1 if lookahead is None else data.n_weeks].sum(axis=1)
    rhs = data.budget_eur_per_meal * meals - value
    r = np.concatenate([ks, np.arange(n_k)])
    c = np.concatenate([agg[:, :, 0].ravel(), m.s[:, 4]])
    v = np.concatenate([np.ones(n_k * n_t), -np.ones(n_k)])
    m.rows.add("budget", n_k, r, c, v, -np.inf, rhs)


def _add_continuity(m: WindowModel, data: MatchData, state: WindowState) -> None:
    """u[p,k,w] >= y[p,k,w] - y[p,k,w-1]: a drop from a supplier new that week is penalised."""
    n_t = m.w1 - m.w0
    n_pk = len(data.pk_p)
    y_of = np.full(n_pk * n_t, -1)
    y_of[m.y_pk * n_t + m.y_t] = m.y
    n = len(m.y)
    prev = np.where(m.y_t > 0, y_of[m.y_pk * n_t + np.maximum(m.y_t - 1, 0)], -1)
    has_prev = prev >= 0
    rows = np.concatenate([np.arange(n), np.arange(n), np.flatnonzero(has_prev)])
    cols = np.concatenate([m.u, m.y, prev[has_prev]])
    vals = np.concatenate([np.ones(n), -np.ones(n), np.ones(int(has_prev.sum()))])
    lb = np.where(m.y_t == 0, -state.drop_prev[m.y_pk].astype(float), 0.0)
    m.rows.add("continuity", n, rows, cols, vals, lb, np.inf)


# --------------------------------------------------------------------------- build


def build_window(
    data: MatchData,
    w0: int,
    w1: int,
    state: WindowState,
    *,
    mode: ObjectiveMode,
    target_mode: TargetMode,
    penalties: TargetPenalties,
    tiebreak: Tiebreak,
    lookahead: np.ndarray | None = None,
    lagrangian: np.ndarray | None = None,
    stock_price_in: np.ndarray | None = None,
    stock_price_out: np.ndarray | None = None,
) -> WindowModel:
    """Variables and rows of the weeks ``[w0, w1)`` (see :mod:`solver.sourcing.solve`).

    ``lookahead[k, j]`` (K, 6) is what a relaxation of the whole horizon buys after the
    window (value, EGALIM, organic, local, meat-and-fish value, meat-and-fish EGALIM, EUR):
    the window's target rows then run over the year with that forecast for later weeks
    (:func:`_add_targets`). ``stock_price_out`` prices the closing stock of a non-final
    window (default: the cheapest price the kitchen could pay later).
    ``lagrangian[k, T]`` (in ``[0, penalty]``) builds the window's *relaxation* for the
    lower bound instead (see :mod:`solver.sourcing.solve`, "Lower bound"): yearly targets
    priced at these multipliers, opening stock bought and closing stock sold at the
    cheapest price (or ``stock_price_in`` / ``stock_price_out``, (K, I) EUR per unit, the
    multipliers of the stock-linking rows), no history (pass :func:`bound_state`).
    """
    n_t = w1 - w0
    n_k = len(data.kitchens)
    vs = _Vars()
    # ---- candidate lines and their binaries
    d_pk, d_o, d_t, d_m = _direct_lines(data, w0, w1)
    lot_ok = d_m >= data.o_min_lot[d_o] - 1e-9
    d_pk, d_o, d_t, d_m = d_pk[lot_ok], d_o[lot_ok], d_t[lot_ok], d_m[lot_ok]
    keep = _prune_drops(data, d_pk, d_o, d_t, d_m, n_t)
    d_pk, d_o, d_t, d_m = d_pk[keep], d_o[keep], d_t[keep], d_m[keep]
    p_o, p_k, p_t, p_m = _platform_lines(data, w0, w1)
    lot_ok = p_m >= data.o_min_lot[p_o] - 1e-9
    p_o, p_k, p_t, p_m = p_o[lot_ok], p_k[lot_ok], p_t[lot_ok], p_m[lot_ok]
    reach = data.reach[:, :, w0:w1]
    r_k, r_i, r_t = np.nonzero(reach > 0)
    fut = data.future[:, :, w0:w1]
    s_k, s_i, s_t = np.nonzero(fut > 0)

    margin = 1.0 + data.plat_margin
    d_val = data.o_price[d_o]
    p_val = data.o_price[p_o] * margin
    r_val = data.ref_price[r_k, r_i]
    if mode is ObjectiveMode.MAX_LOCAL:
        cw = 0.05  # EUR of cost are worth 5 cents against a euro of local purchase
        d_cost, p_cost, r_cost = cw * d_val - d_val, cw * p_val - p_val, cw * r_val
    else:
        cw = 1.0
        d_cost, p_cost, r_cost = d_val, p_val, r_val

    xd = vs.add("xd", len(d_pk), d_m, d_cost, False)
    xp = vs.add("xp", len(p_o), p_m, p_cost, False)
    xr = vs.add("xr", len(r_k), reach[r_k, r_i, r_t], r_cost, False)
    inv = vs.add("inv", len(s_k), fut[s_k, s_i, s_t], 1e-4, False)
    salvage = np.zeros(len(s_k))
    if w1 < data.n_weeks:
        # stock left for later windows spares a later purchase: credit its cheapest price
        last = s_t == n_t - 1
        out = data.cheapest_price if stock_price_out is None else stock_price_out
        salvage[last] = -cw * out[s_k[last], s_i[last]]

    y_keys, xd_drop = _index_of(d_pk * n_t + d_t)
    y_pk, y_t = y_keys // n_t, y_keys % n_t
    y = vs.add("y", len(y_keys), 1.0, cw * (data.pk_cost[y_pk] + tiebreak.per_delivery_eur), True)
    z_keys, xp_pickup = _index_of(data.o_p[p_o] * n_t + p_t)
    z_p, z_t = z_keys // n_t, z_keys % n_t
    z = vs.add("z", len(z_keys), 1.0, cw * data.plat_pickup_cost[z_p, w0 + z_t], True)
    v_keys, xp_stop = _index_of(p_k * n_t + p_t)
    v_k, v_t = v_keys // n_t, v_keys % n_t
    v = vs.add("v", len(v_keys), 1.0, cw * (data.plat_stop_cost + tiebreak.per_delivery_eur), True)
    rr_keys, xr_del = _index_of(r_k * n_t + r_t)
    rr_k, rr_t = rr_keys // n_t, rr_keys % n_t
    r = vs.add("r", len(rr_keys), 1.0, cw * tiebreak.per_delivery_eur, True)
    a_keys = np.unique(
        np.concatenate([data.pk_p[y_pk] * n_t + y_t, z_p * n_t + z_t]).astype(np.int64)
    )
    a_keys = a_keys[data.every_n[a_keys // n_t] > 1] if len(a_keys) else a_keys
    a = vs.add("a", len(a_keys), 1.0, 0.0, True)
    lot_d = np.flatnonzero(data.o_min_lot[d_o] > 0)
    lot_p = np.flatnonzero(data.o_min_lot[p_o] > 0)
    lot = vs.add("lot", len(lot_d) + len(lot_p), 1.0, 0.0, True)
    u = vs.add("u", len(y_keys), 1.0, cw * tiebreak.per_new_supplier_eur, False)
    if target_mode is TargetMode.HARD:
        pen = np.full(len(TARGETS), penalties.hard)
    else:
        pen = np.array(
            [
                penalties.egalim,
                penalties.bio,
                penalties.meat_fish_egalim,
                penalties.local,
                penalties.budget,
            ]
        )
        if mode is ObjectiveMode.MAX_LOCAL:
            pen[3] = 0.0  # local is the objective itself
    s_ub = 0.0 if lagrangian is not None else np.inf
    s = vs.add("s", n_k * len(TARGETS), s_ub, np.tile(pen, n_k), False).reshape(n_k, len(TARGETS))
    agg_cost = np.zeros((n_k, n_t, 6))
    inv_in_k = inv_in_i = np.zeros(0, dtype=int)
    inv_in_ub = np.zeros(0)
    constant = 0.0
    if lagrangian is not None:
        mu = np.clip(lagrangian, 0.0, pen[None, :])
        # g = t V - Q per target (budget: V - b meals), priced at mu
        agg_cost[:, :, 0] = (
            mu[:, 0] * data.t_egalim + mu[:, 1] * data.t_bio + mu[:, 3] * data.t_local + mu[:, 4]
        )[:, None]
        agg_cost[:, :, 1] = -mu[:, 0][:, None]
        agg_cost[:, :, 2] = -mu[:, 1][:, None]
        agg_cost[:, :, 3] = -mu[:, 3][:, None]
        agg_cost[:, :, 4] = (mu[:, 2] * data.t_meat_fish)[:, None]
        agg_cost[:, :, 5] = -mu[:, 2][:, None]
        agg_cost *= cw
        if w1 == data.n_weeks:
            constant = -cw * float(
                (mu[:, 4] * data.budget_eur_per_meal * data.meals.sum(axis=1)).sum()
            )
        if w0 > 0:
            opening = data.future[:, :, w0 - 1]
            inv_in_k, inv_in_i = np.nonzero(opening > 0)
            inv_in_ub = opening[inv_in_k, inv_in_i]
    agg = vs.add("agg", n_k * n_t * 6, np.inf, agg_cost.ravel(), False).reshape(n_k, n_t, 6)
    p_in = data.cheapest_price if stock_price_in is None else stock_price_in
    inv_in = vs.add("inv_in", len(inv_in_k), inv_in_ub, cw * p_in[inv_in_k, inv_in_i], False)
    m = WindowModel(
        w0=w0,
        w1=w1,
        vars=vs,
        rows=_Rows(),
        xd=xd,
        xd_pk=d_pk,
        xd_o=d_o,
        xd_t=d_t,
        xp=xp,
        xp_o=p_o,
        xp_k=p_k,
        xp_t=p_t,
        xr=xr,
        xr_k=r_k,
        xr_i=r_i,
        xr_t=r_t,
        inv=inv,
        inv_k=s_k,
        inv_i=s_i,
        inv_t=s_t,
        y=y,
        y_pk=y_pk,
        y_t=y_t,
        z=z,
        z_p=z_p,
        z_t=z_t,
        v=v,
        v_k=v_k,
        v_t=v_t,
        r=r,
        r_k=rr_k,
        r_t=rr_t,
        a=a,
        a_p=a_keys // n_t if len(a_keys) else a_keys,
        a_t=a_keys % n_t if len(a_keys) else a_keys,
        u=u,
        s=s,
        agg=agg,
        inv_in=inv_in,
        inv_in_k=inv_in_k,
        inv_in_i=inv_in_i,
        constant_eur=constant,
        xd_value=d_val,
        xp_value=p_val,
        xr_value=r_val,
        penalty=pen,
        xd_drop=xd_drop,
        xp_pickup=xp_pickup,
        xp_stop=xp_stop,
        xr_del=xr_del,
    )

    # heuristic terms of a non-final window (not part of the monolithic objective)
    extra = np.zeros(vs.n)
    extra[inv] = salvage
    m.extra_cost = extra
    _add_demand_balance(m, data, state)
    _add_capacity(m, data)
    _add_min_lots(
        m,
        data,
        lot,
        np.concatenate([xd[lot_d], xp[lot_p]]),
        np.concatenate([d_m[lot_d], p_m[lot_p]]),
        data.o_min_lot[np.concatenate([d_o[lot_d], p_o[lot_p]])],
    )
    _add_min_orders(m, data, d_m, p_m)
    _add_platform_capacity(m, data)
    _add_reference_link(m, data)
    _add_producer_frequency(m, data, state)
    _add_kitchen_deliveries(m, data)
    _add_storage(m, data)
    _add_targets(m, data, state, with_rows=lagrangian is None, lookahead=lookahead)
    _add_continuity(m, data, state)
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
    m: WindowModel, ub: np.ndarray, relax: bool, drop_rules: tuple[str, ...] = ()
) -> model_pb2.ModelProto:
    """The window as a MathOpt ``ModelProto``, filled from arrays (no per-variable objects).

    Rows of ``drop_rules`` get infinite bounds (the engine's presolve removes them).
    """
    vs, rows = m.vars, m.rows
    proto = model_pb2.ModelProto(name=f"sourcing_{m.w0}_{m.w1}")
    ids = np.arange(vs.n)
    proto.variables.ids.extend(ids.tolist())
    proto.variables.lower_bounds.extend(np.concatenate(vs.lb).tolist())
    proto.variables.upper_bounds.extend(ub.tolist())
    integer = np.concatenate(vs.integer) if not relax else np.zeros(vs.n, dtype=bool)
    proto.variables.integers.extend(integer.tolist())
    cost = np.concatenate(vs.cost)
    if len(m.extra_cost):
        cost = cost + m.extra_cost
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
) -> WindowSolution:
    """Solve a window with HiGHS (or ``engine``: ``"scip"``, ``"cpsat"``) through MathOpt.

    ``hint`` is a full feasible solution handed to the engine as its first incumbent;
    ``barrier`` solves an LP by interior point instead of dual simplex, with a crossover to
    a basic solution unless ``crossover=False`` (the interior optimum and its duals are
    then returned as they are: the same objective within the engine's tolerances, in a
    fraction of the time on the demo's year).
    ``drop_rules`` leaves out the rows of those rules (a relaxation).
    ``abs_gap_eur`` stops the MIP at that absolute gap instead of ``params.mip_gap``
    relative to the objective (a window's objective carries the running penalties of the
    whole year, so a relative gap on it would be loose).

    ``relax`` drops integrality (LP relaxation); ``fix_zero`` fixes whole variable blocks
    to 0 (the reference-only fallback fixes ``y, z, v, a``). A solve stopped by its time
    limit still returns its best plan and bound.
    """
    ub = np.concatenate(m.vars.ub)
    for name in fix_zero:
        ub[m.vars.blocks[name]] = 0.0
    proto = _model_proto(m, ub, relax, drop_rules)
    sp_params = mo_params.SolveParameters(
        time_limit=dt.timedelta(seconds=max(time_limit_s, 0.05)),
        enable_output=params.log_search,
        threads=None if engine == "highs" else params.threads(),
        random_seed=params.seed,
        relative_gap_tolerance=(
            None if relax else (1e-9 if abs_gap_eur is not None else params.mip_gap)
        ),
        absolute_gap_tolerance=None if relax or abs_gap_eur is None else abs_gap_eur,
        lp_algorithm=mo_params.LPAlgorithm.BARRIER if (relax and barrier) else None,
        highs=(
            highs_pb2.HighsOptionsProto(string_options={"run_crossover": "off"})
            if relax and barrier and not crossover and engine == "highs"
            else None
        ),
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
        )
    runtime = time.perf_counter() - t0
    reason = res.termination.reason
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
    if reason == result_pb2.TERMINATION_REASON_OPTIMAL:
        status = "OPTIMAL"
    elif reason == result_pb2.TERMINATION_REASON_INFEASIBLE:
        status = "INFEASIBLE"
    elif has:
        status = "FEASIBLE"
    else:
        status = "NO_SOLUTION_WITHIN_LIMIT"
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
