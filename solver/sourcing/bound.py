r"""Lower bounds on the monolithic model's optimum: its LP relaxation, lifted by a
Lagrangian decomposition over windows.

The year's relaxation
---------------------
:func:`solve_relaxation` solves the LP relaxation of the whole horizon, all kitchens of a
group, by interior point without crossover (its value and duals are all a bound needs; a
basic solution costs much more time). Rows that an LP meets fractionally at almost no
cost are left out (:data:`RELAXATION_DROPS`: tie-break links, minimum lots, the links of
platform lines to their pickup and stop): a further relaxation, still a lower bound, that
the Lagrangian windows (with every row) then lift. Every plan of the monolithic MIP is
feasible for it, so ``LP <= MIP optimum <= cost of the plan returned``; pruned drops
remove only variables no feasible plan can use, so pruning keeps the bound valid. It
also gives the windows their signals (:mod:`solver.sourcing.solve`): the duals of the
yearly target rows ``mu[k,T]`` (EUR per EUR of share), of the demand balances
``lambda[k,i,w]`` (EUR per unit in stock at the start of week ``w``), and what it buys
in every week.

Lagrangian decomposition
------------------------
The LP is weak on fixed charges (a drop's logistics cost is paid pro rata of a fractional
``y``), so it is lifted by a Lagrangian decomposition over windows, each solved as a MIP:

(a) the yearly target rows are dualised with multipliers ``mu[k,T]`` in ``[0, pi_T]``:
    ``pi * max(0, sum_w g_w) >= mu * sum_w g_w`` for ``g = t V - Q`` (budget: ``V - b
    meals``, the constant ``-mu b meals`` added once), so each window pays ``mu g_w``;
(b) the stock-linking equalities ``stock_in(window w+1) = stock_out(window w)`` are
    dualised with any real multiplier ``lambda[k,i]``: a window buys its opening stock at
    ``lambda`` (up to the shelf-life/storage bound) and sells its closing stock at
    ``lambda``; the terms cancel for every plan of the monolithic model;
(c) rows that straddle a boundary (every ``n`` weeks, continuity) are dropped.

For any multipliers the sum of the windows' optima is a lower bound (weak duality), and
so is the sum of their MIP *bounds*. With the LP's own duals as multipliers
(:func:`lagrangian_mip_bound`) the windows' LP values add up to about the LP's value, and
integrality inside each window lifts it; the run reports the larger of the two. The
bound's windows are at least :data:`MIN_BOUND_WINDOW_WEEKS` weeks long, so that fewer
rows straddle them.

Without the LP (too big, or out of time twice), :func:`lagrangian_bound` solves the same
decomposition with LP windows, keeping the best of a few passes that move ``lambda`` to
the windows' duals and bisect ``mu`` on the sign of the yearly shortfall: valid but
loose. With a single window the window *is* the monolithic model and the engine's own
MIP bound is reported.

Groups of kitchens
------------------
The bound of a territory planned in groups is the **sum of the groups' bounds**, each
computed on its group alone (:func:`group_relaxations`) with every producer's full
capacity, drops and delivery weeks (a relaxation), the pooled pickup minimums left out (a
relaxation) and each pickup charged ``1/n`` of its cost to each of the ``n`` groups on the
platform's round (any split that adds up to at most the cost is below what one pickup
costs). Every plan of the territory, cut along the groups, is feasible for these group
relaxations at no more than its cost, so the sum is a lower bound.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from solver.core import SolveParams
from solver.sourcing.assemble import Purchases, range_of
from solver.sourcing.budget import split_weeks
from solver.sourcing.data import MatchData
from solver.sourcing.model import build_window, solve_window
from solver.sourcing.window import (
    TARGETS,
    ObjectiveSpec,
    WindowModel,
    bound_state,
    initial_state,
)

__all__ = [
    "METHOD_LOOSE",
    "METHOD_LP",
    "METHOD_MIP_WINDOWS",
    "METHOD_SINGLE",
    "RELAXATION_DROPS",
    "BoundResult",
    "GroupBound",
    "Relaxation",
    "RelaxationSolver",
    "add_capacity_prices",
    "capacity_keys",
    "capacity_used",
    "group_relaxations",
    "lagrangian_bound",
    "lagrangian_mip_bound",
    "solve_relaxation",
    "stock_prices",
]

logger = logging.getLogger(__name__)

#: Rows left out of the year's relaxation: tie-break links (a wholesaler delivery, a new
#: supplier), minimum lots, and the links of platform lines to their pickup and stop (two
#: rows per line: most of the rows where many producers are on the round).
RELAXATION_DROPS = (
    "reference_link",
    "continuity",
    "min_lot_upper",
    "min_lot_lower",
    "pickup_link",
    "platform_stop_link",
)
#: The rows of the yearly targets, in the order of :data:`~solver.sourcing.window.TARGETS`.
TARGET_RULES = ("target_egalim", "target_bio", "target_meat_fish", "target_local", "budget")
#: Pooled pickup minimums, left out of the groups' bounds.
PICKUP_MINIMUMS = ("pickup_min_kg", "pickup_min_eur")
MIN_BOUND_WINDOW_WEEKS = 4

METHOD_SINGLE = "MIP bound of the single window"
METHOD_LP = "LP relaxation of the year"
METHOD_MIP_WINDOWS = "Lagrangian windows solved as MIPs, LP multipliers"
METHOD_LOOSE = "Lagrangian windows (monolithic LP skipped or unfinished)"


@dataclass
class Relaxation:
    """The year's LP relaxation: its value, its plan's aggregates and its duals."""

    objective_eur: float
    agg: np.ndarray  # (K, W, 6) value, egalim, bio, local, meat-fish value, meat-fish egalim
    mu: np.ndarray  # (K, 5) multipliers of the yearly target rows, in [0, penalty]
    stock_price: np.ndarray  # (K, I, W) dual of the demand balance: EUR a unit in stock
    runtime_s: float
    #: (O, W) EUR a unit of each offer's weekly capacity is worth (>= 0, the capacity
    #: rows' duals) and (O, W) units the relaxation buys of it; empty when unknown
    capacity_price: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0)))
    capacity_used: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0)))


class BoundResult(NamedTuple):
    """A lower bound (EUR, ``nan`` when none was found), the engine's status, the seconds
    it took and how it was computed."""

    value_eur: float
    status: str
    runtime_s: float
    method: str


class RelaxationSolver(Protocol):
    """Signature of :func:`solve_relaxation` (the hook of ``Decomposition.relaxation``)."""

    def __call__(
        self,
        data: MatchData,
        spec: ObjectiveSpec,
        params: SolveParams,
        time_limit_s: float,
        *,
        drop_rules: tuple[str, ...] = (),
    ) -> Relaxation | None: ...


def solve_relaxation(
    data: MatchData,
    spec: ObjectiveSpec,
    params: SolveParams,
    time_limit_s: float,
    *,
    drop_rules: tuple[str, ...] = (),
) -> Relaxation | None:
    """The monolithic model's LP relaxation over the whole horizon, by interior point,
    without the rows of :data:`RELAXATION_DROPS` and ``drop_rules``.

    ``None`` when it does not finish within ``time_limit_s``.
    """
    full = build_window(data, 0, data.n_weeks, initial_state(data), spec)
    sol = solve_window(
        full,
        params,
        time_limit_s,
        relax=True,
        barrier=True,
        crossover=False,
        drop_rules=RELAXATION_DROPS + drop_rules,
    )
    if sol.status != "OPTIMAL" or sol.duals is None:
        logger.info("year relaxation: %s after %.1fs", sol.status, sol.runtime_s)
        return None
    mu = np.zeros((len(data.kitchens), len(TARGETS)))
    for j, rule in enumerate(TARGET_RULES):
        a, b = full.rows.rules[rule]
        # ">=" share rows have duals >= 0; the "<=" budget row a dual <= 0
        mu[:, j] = sol.duals[a:b] * (-1.0 if rule == "budget" else 1.0)
    mu = np.clip(mu, 0.0, np.asarray(full.penalty)[None, :])
    rows = full.balance_row
    price = np.where(rows >= 0, sol.duals[np.maximum(rows, 0)], data.cheapest_price[:, :, None])
    cap_price, cap_used = _capacity_duals(data, full, sol.x, sol.duals)
    return Relaxation(
        objective_eur=sol.objective,
        agg=sol.x[full.agg],
        mu=mu,
        stock_price=price,
        runtime_s=sol.runtime_s,
        capacity_price=cap_price,
        capacity_used=cap_used,
    )


def capacity_keys(m: WindowModel) -> np.ndarray:
    """``offer * n_t + week`` (week relative to the window) of each capacity row of ``m``,
    in the order :func:`~solver.sourcing.constraints.add_capacity` writes them (sorted
    keys of the window's purchase lines)."""
    n_t = m.w1 - m.w0
    return np.unique(np.concatenate([m.xd_o * n_t + m.xd_t, m.xp_o * n_t + m.xp_t]))


def capacity_used(data: MatchData, m: WindowModel, x: np.ndarray) -> np.ndarray:
    """(O, W) units a window's solution ``x`` buys of each offer in each calendar week."""
    n_w = data.n_weeks
    keys = np.concatenate([m.xd_o * n_w + m.w0 + m.xd_t, m.xp_o * n_w + m.w0 + m.xp_t])
    qty = np.concatenate([x[m.xd], x[m.xp]])
    used = np.bincount(keys, weights=qty, minlength=len(data.o_p) * n_w)
    return used.reshape(len(data.o_p), n_w)


def _capacity_duals(
    data: MatchData, m: WindowModel, x: np.ndarray, duals: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(O, W) price of a unit of capacity (minus the ``<=`` rows' duals) and usage."""
    price = np.zeros((len(data.o_p), data.n_weeks))
    keys = capacity_keys(m)
    a, b = m.rows.rules.get("capacity", (0, 0))
    if b - a == len(keys) and len(keys):
        n_t = m.w1 - m.w0
        price[keys // n_t, m.w0 + keys % n_t] = np.maximum(-duals[a:b], 0.0)
    return price, capacity_used(data, m, x)


def add_capacity_prices(m: WindowModel, price: np.ndarray | None) -> None:
    """Charge every purchase line of ``m`` ``price[o, w]`` (objective units per unit of
    offer ``o`` bought in calendar week ``w``): the Lagrangian price of shared capacity
    (:mod:`solver.sourcing.joint`), a term of ``m.extra_cost``."""
    if price is None or not price.size:
        return
    m.extra_cost[m.xd] += price[m.xd_o, m.w0 + m.xd_t]
    m.extra_cost[m.xp] += price[m.xp_o, m.w0 + m.xp_t]


def lagrangian_mip_bound(
    data: MatchData,
    windows: list[tuple[int, int]],
    rel: Relaxation,
    spec: ObjectiveSpec,
    params: SolveParams,
    deadline: float,
    drop_rules: tuple[str, ...] = (),
) -> BoundResult:
    """Sum over ``windows`` of the MIP bounds of their Lagrangian relaxations, with the
    year relaxation's duals as multipliers, by ``deadline`` (``time.perf_counter()``).

    Valid for any multipliers; the bound is ``nan`` if a window has no finite bound,
    neither from its MIP nor from its LP.
    """
    t0 = time.perf_counter()
    total = 0.0
    for n_done, (w0, w1) in enumerate(windows):
        m = build_window(
            data,
            w0,
            w1,
            bound_state(data),
            spec,
            lagrangian=rel.mu,
            stock_price_in=rel.stock_price[:, :, w0] if w0 > 0 else None,
            stock_price_out=rel.stock_price[:, :, w1] if w1 < data.n_weeks else None,
        )
        left = deadline - time.perf_counter()
        sol = solve_window(
            m,
            params,
            max(0.5, left / (len(windows) - n_done)),
            abs_gap_eur=params.mip_gap * data.wholesale_value_eur(w0, w1),
            drop_rules=drop_rules,
        )
        bound = sol.bound
        if not np.isfinite(bound):  # no MIP bound in its time: the window's LP is one too
            lp = solve_window(
                m,
                params,
                max(0.5, 0.5 * left / (len(windows) - n_done)),
                relax=True,
                drop_rules=drop_rules,
            )
            if lp.status != "OPTIMAL":
                status = f"window {w0}-{w1}: {lp.status}"
                return BoundResult(
                    float("nan"), status, time.perf_counter() - t0, METHOD_MIP_WINDOWS
                )
            bound = lp.objective
        total += bound + m.constant_eur
    return BoundResult(total, "OPTIMAL", time.perf_counter() - t0, METHOD_MIP_WINDOWS)


class _Pass(NamedTuple):
    """One pass of :func:`lagrangian_bound` over the windows."""

    total_eur: float
    shortfall: np.ndarray  # (K, 5) yearly g = t V - Q of the windows' plans
    open_dual: list[np.ndarray]  # (K, I) demand-row duals of each window's first week
    close_dual: list[np.ndarray]  # ... and of its last week
    failure: str  # why a window stopped the pass, "" when all were solved
    out_of_time: bool


def _lagrangian_pass(
    data: MatchData,
    windows: list[tuple[int, int]],
    mu: np.ndarray,
    price_in: list[np.ndarray],
    spec: ObjectiveSpec,
    params: SolveParams,
    drop_rules: tuple[str, ...],
    clock: tuple[float, float, int],
) -> _Pass:
    """Solve every window's LP relaxation priced at ``mu`` and ``price_in``.

    ``clock = (t0, seconds, n_pass)``: a pass after the first stops (``out_of_time``) when
    what is left will not do the rest at the pace of the passes so far.
    """
    t0, time_left_s, n_pass = clock
    n_b = len(windows) - 1
    total = 0.0
    g = np.zeros_like(mu)
    open_dual: list[np.ndarray] = []
    close_dual: list[np.ndarray] = []
    for n_done, (w0, w1) in enumerate(windows):
        m = build_window(
            data,
            w0,
            w1,
            bound_state(data),
            spec,
            lagrangian=mu,
            stock_price_in=price_in[n_done - 1] if n_done > 0 else None,
            stock_price_out=price_in[n_done] if n_done < n_b else None,
        )
        spent = time.perf_counter() - t0
        left = time_left_s - spent
        per = left / (len(windows) - n_done)
        # the first pass must finish: it is the bound
        if n_pass > 0 and left < 1.2 * spent / n_pass * (len(windows) - n_done) / len(windows):
            return _Pass(total, g, open_dual, close_dual, "", out_of_time=True)
        sol = solve_window(m, params, max(0.5, per), relax=True, drop_rules=drop_rules)
        if sol.status != "OPTIMAL" or sol.duals is None:
            failure = f"window {w0}-{w1}: {sol.status}"
            return _Pass(total, g, open_dual, close_dual, failure, out_of_time=False)
        total += sol.objective + m.constant_eur
        a = sol.x[m.agg].sum(axis=1)  # (K, 6): value, egalim, bio, local, mf value, mf egalim
        g[:, 0] += data.t_egalim * a[:, 0] - a[:, 1]
        g[:, 1] += data.t_bio * a[:, 0] - a[:, 2]
        g[:, 2] += data.t_meat_fish * a[:, 4] - a[:, 5]
        g[:, 3] += data.t_local * a[:, 0] - a[:, 3]
        g[:, 4] += a[:, 0]
        rows = m.balance_row
        d = np.where(rows >= 0, sol.duals[np.maximum(rows, 0)], np.nan)
        open_dual.append(d[:, :, 0])
        close_dual.append(d[:, :, -1])
    return _Pass(total, g, open_dual, close_dual, "", out_of_time=False)


def _next_prices(price_in: list[np.ndarray], p: _Pass) -> list[np.ndarray]:
    """Each boundary's stock multiplier moves to the mean of the two windows' duals of
    their demand rows there (one of them where the other has no row)."""
    out = []
    for b, old in enumerate(price_in):
        pair = np.stack([p.close_dual[b], p.open_dual[b + 1]])
        both = np.isfinite(pair).all(axis=0)
        one = np.where(np.isfinite(pair[0]), pair[0], pair[1])
        mean = np.where(both, 0.5 * (pair[0] + pair[1]), one)
        out.append(np.where(np.isfinite(mean), mean, old))
    return out


def _history_shortfall(data: MatchData) -> np.ndarray:
    """(K, 5) ``t V - Q`` (budget: ``V``) of what was bought before the first week."""
    h = data.history
    if h is None:
        return np.zeros((len(data.kitchens), len(TARGETS)))
    return np.stack(
        [
            data.t_egalim * h.value - h.egalim,
            data.t_bio * h.value - h.bio,
            data.t_meat_fish * h.mf_value - h.mf_egalim,
            data.t_local * h.value - h.local,
            h.value,
        ],
        axis=1,
    )


def lagrangian_bound(
    data: MatchData,
    windows: list[tuple[int, int]],
    mu: np.ndarray,
    spec: ObjectiveSpec,
    params: SolveParams,
    time_left_s: float,
    *,
    passes: int = 8,
    start_prices: list[np.ndarray] | None = None,
    drop_rules: tuple[str, ...] = (),
) -> BoundResult:
    """Best over a few passes of the sum of the windows' relaxations' LP optima.

    Every pass gives a valid lower bound; between passes the stock multipliers move to the
    windows' duals (:func:`_next_prices`), and each target multiplier moves halfway toward
    its penalty when the pass's plans fall short of the target over the year, halfway
    toward 0 when they exceed it (a bisection on the subgradient's sign).
    """
    pen_row = spec.penalty_row()
    mu = mu.copy()
    t0 = time.perf_counter()
    n_b = len(windows) - 1
    price_in = list(start_prices or [data.cheapest_price.copy() for _ in range(n_b)])
    best, status = float("nan"), "not computed"
    meals = data.meals.sum(axis=1) + data.meals_before
    before = _history_shortfall(data)
    for n_pass in range(passes):
        p = _lagrangian_pass(
            data, windows, mu, price_in, spec, params, drop_rules, (t0, time_left_s, n_pass)
        )
        if p.out_of_time:
            break
        if p.failure:
            status = p.failure if not np.isfinite(best) else status
            break
        if not np.isfinite(best) or p.total_eur > best:
            best, status = p.total_eur, "OPTIMAL"
        g = p.shortfall + before
        g[:, 4] -= data.budget_eur_per_meal * meals
        mu = np.where(g > 1e-6, 0.5 * (mu + pen_row[None, :]), np.where(g < -1e-6, 0.5 * mu, mu))
        price_in = _next_prices(price_in, p)
    return BoundResult(best, status, time.perf_counter() - t0, METHOD_LOOSE)


def stock_prices(
    data: MatchData, bought: Purchases, mu: np.ndarray, windows: list[tuple[int, int]]
) -> list[np.ndarray]:
    """Starting stock multipliers of :func:`lagrangian_bound`: what the plan paid per unit
    for each product in the first week after each boundary, priced with the target
    multipliers ``mu`` (a unit counting for a target is worth its share of the penalty);
    the reference price when nothing was bought then."""
    week, k, i, _, _, q, price, o = bought.lines()
    ref = o < 0
    oo = np.maximum(o, 0)
    _, r_egal, r_bio = data.reference_lines(k, i, range_of(o))
    egal = np.where(ref, r_egal, data.o_egalim[oo]).astype(float)
    bio = np.where(ref, r_bio, data.o_bio[oo]).astype(float)
    loc = (~ref).astype(float)
    mf = data.meat_fish[i].astype(float)
    m = mu[k]
    factor = (
        1.0
        + m[:, 0] * (data.t_egalim[k] - egal)
        + m[:, 1] * (data.t_bio[k] - bio)
        + m[:, 2] * mf * (data.t_meat_fish[k] - egal)
        + m[:, 3] * (data.t_local[k] - loc)
        + m[:, 4]
    )
    ref_eff = data.ref_price * (
        1.0
        + mu[:, 0:1] * (data.t_egalim[:, None] - data.ref_egalim)
        + mu[:, 1:2] * (data.t_bio[:, None] - data.ref_bio)
        + mu[:, 3:4] * data.t_local[:, None]
        + mu[:, 4:5]
    )
    out = []
    for _, w1 in windows[:-1]:
        sel = week == w1
        num = np.zeros_like(data.ref_price)
        den = np.zeros_like(data.ref_price)
        np.add.at(num, (k[sel], i[sel]), q[sel] * price[sel] * factor[sel])
        np.add.at(den, (k[sel], i[sel]), q[sel])
        out.append(np.where(den > 0, num / np.maximum(den, 1e-12), ref_eff))
    return out


def group_relaxations(
    data: MatchData, subs: list[MatchData], groups: list[np.ndarray]
) -> tuple[list[MatchData], tuple[str, ...]]:
    """The problems whose bounds add up to a bound of the territory (module docstring):
    each group with its share of the platform's pickups, and the rules to leave out."""
    if len(groups) <= 1:
        return subs, ()
    n_plat = sum(1 for g in groups if data.plat_kitch[g].any())
    split = data.plat_pickup_cost / max(1, n_plat)
    return [dataclasses.replace(sub, plat_pickup_cost=split) for sub in subs], PICKUP_MINIMUMS


@dataclass(frozen=True)
class GroupBound:
    """How one group's lower bound is computed: on ``data`` (the group's relaxation, see
    :func:`group_relaxations`) without the rows of ``drop_rules``, the MIP windows of
    ``windows``; ``relaxation`` solves the year's relaxation."""

    data: MatchData
    spec: ObjectiveSpec
    params: SolveParams
    windows: list[tuple[int, int]]
    drop_rules: tuple[str, ...] = ()
    relaxation: RelaxationSolver = solve_relaxation

    @staticmethod
    def windows_for(plan_windows: list[tuple[int, int]], n_weeks: int) -> list[tuple[int, int]]:
        """The bound's windows: as long as the plan's, and at least
        :data:`MIN_BOUND_WINDOW_WEEKS` weeks."""
        longest = max(b - a for a, b in plan_windows)
        return split_weeks(n_weeks, max(MIN_BOUND_WINDOW_WEEKS, longest))

    def year_relaxation(self, time_limit_s: float) -> Relaxation | None:
        """The group's year relaxation, ``None`` if it does not finish in time."""
        return self.relaxation(
            self.data, self.spec, self.params, time_limit_s, drop_rules=self.drop_rules
        )

    def with_relaxation(self, rel: Relaxation, seconds: float) -> BoundResult:
        """The Lagrangian MIP windows priced with ``rel``'s duals, within ``seconds``."""
        until = time.perf_counter() + seconds
        return lagrangian_mip_bound(
            self.data, self.windows, rel, self.spec, self.params, until, self.drop_rules
        )

    def without_relaxation(
        self,
        plan_windows: list[tuple[int, int]],
        mu: np.ndarray,
        start_prices: list[np.ndarray] | None,
        seconds: float,
    ) -> BoundResult:
        """The loose Lagrangian bound with LP windows (the plan's), from ``mu``."""
        return lagrangian_bound(
            self.data,
            plan_windows,
            mu,
            self.spec,
            self.params,
            seconds,
            start_prices=start_prices,
            drop_rules=self.drop_rules,
        )

    def retried(
        self,
        seconds: float,
        plan_windows: list[tuple[int, int]],
        mu: np.ndarray,
        start_prices: list[np.ndarray] | None,
    ) -> BoundResult:
        """The year relaxation tried again within most of ``seconds``, then the bound
        from it (the better of the LP and its Lagrangian windows); the loose bound if it
        fails again."""
        t0 = time.perf_counter()
        until = t0 + seconds
        again = self.year_relaxation(0.7 * seconds)
        if again is None:
            loose = self.without_relaxation(
                plan_windows, mu, start_prices, until - time.perf_counter()
            )
            return loose._replace(runtime_s=time.perf_counter() - t0)
        lagr = lagrangian_mip_bound(
            self.data, self.windows, again, self.spec, self.params, until, self.drop_rules
        )
        if np.isfinite(lagr.value_eur) and lagr.value_eur > again.objective_eur:
            method = f"{METHOD_MIP_WINDOWS} (LP retried)"
            return BoundResult(lagr.value_eur, lagr.status, time.perf_counter() - t0, method)
        method = f"{METHOD_LP} (retried)"
        return BoundResult(again.objective_eur, "OPTIMAL", time.perf_counter() - t0, method)
