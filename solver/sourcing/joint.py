r"""Joint planning of groups of kitchens over shared supply: prices of the shared capacity,
a lower bound of the whole territory, and the prices the groups plan with.

A big territory is planned in spatial groups of kitchens (:mod:`solver.sourcing.groups`).
Groups near each other reach the same producers, so what one group buys, another cannot.

Sets
----
``G`` groups of kitchens (a partition of ``K``), ``O`` offers, ``W`` weeks, ``B`` the
bound's windows (consecutive weeks, :meth:`~solver.sourcing.bound.GroupBound.windows_for`),
``S`` the *shared* offer-weeks: offers whose producer reaches kitchens of at least two
groups, in weeks with capacity.

The territory's model, cut along groups
---------------------------------------
The model of :mod:`solver.sourcing.model` over all kitchens is the groups' models plus the
rows that tie them: capacity (C) ``sum_g u_g[o,w] <= cap[o,w]`` with ``u_g[o,w] = sum_{k in
g} xd[o,k,w] + xp[o,k,w]``, and the producers' drops a week, delivery weeks, the van's
kilograms and the pooled platform pickups. Let ``X_g`` be group ``g``'s own model with a
copy of every shared row at the territory's right-hand side (the whole capacity, every
drop, the whole van, each pickup charged ``1/n`` of its cost and its pooled minimum left
out: :func:`~solver.sourcing.bound.group_relaxations`). A territory plan cut along the
groups lies in ``prod_g X_g`` and costs no less there.

Lagrangian dual
---------------
Price (C) with ``lambda[o,w] >= 0`` (0 outside ``S``):

``L(lambda) = sum_g min_{x_g in X_g} (c_g x_g + sum_{o,w} lambda[o,w] u_g[o,w])
- sum_{o,w} lambda[o,w] cap[o,w]  <=  OPT``

(weak duality: at a territory plan the priced terms add up to ``lambda (sum_g u_g - cap)
<= 0``). ``L(0)`` is the sum of the groups' bounds, which counts a scarce offer once per
group that reaches it; pricing it lifts the bound. Any lower bound of a group's priced
minimum keeps ``L`` valid, so each group's term is the Lagrangian decomposition of
:mod:`solver.sourcing.bound` over its windows ``b in B``, with its yearly target rows
priced at ``mu_g[k,T] in [0, pen_T]`` and its stock links at ``pi_g[k,i,b]``:

``L(lambda, mu, pi) = sum_g sum_b LB_{g,b}(lambda, mu_g, pi_g) + const(mu)
- sum lambda cap``

where ``LB_{g,b}`` is a lower bound of window ``b``'s priced problem: its LP relaxation
(rows of :data:`~solver.sourcing.bound.RELAXATION_DROPS` left out) while pricing, its MIP's
dual bound (never below that LP) for the bound reported. A group planned in one window
keeps its target rows: its window is its whole model, only ``lambda`` prices it.

Multipliers
-----------
Start from each group's year relaxation (its target and demand-balance duals give
``mu_g`` and ``pi_g``) and ``lambda[o,w] = max_g price_g[o,w]`` (the groups' capacity
duals) on the shared offer-weeks the relaxations together buy beyond capacity: each group
then gets less than the whole capacity, so the shared price is at least each one's
marginal value at the whole. Then projected subgradient ascent, one *pass* (every group's
windows as LPs) per step: ``s_lambda = sum_g u_g - cap`` on ``S``, ``s_mu`` the yearly
``t V - Q`` of the windows' plans (budget ``V - b meals``), ``s_pi`` the stock a window
buys at its start minus what the window before it leaves. Each block ``j`` of multipliers
moves by ``t_j s_j`` with the Polyak step ``t_j = (L^ - L) / (n_blocks |s_j|^2)`` toward
the target ``L^ = L_best + delta |L_best|``; ``delta`` halves after :data:`STALL` passes
without a better ``L`` and the ascent stops at :data:`MIN_DELTA`, after ``max_passes``
or when the pricing's time is spent. ``lambda >= 0`` and ``0 <= mu <= pen`` by
projection; components at a bound whose subgradient points outward do not move.

Planning at the prices
----------------------
The groups are then planned one after the other on what earlier groups left
(:class:`~solver.sourcing.groups.SupplyLedger`, so the union of their plans is feasible),
each without the units of the shared offer-weeks that the groups planned after it buy at
the best point, scaled down to the capacity where they buy more together
(:meth:`JointPricing.reserve`): the prices decide who gets contested supply, the ledger
repairs the rest (a later group gets its reserve and whatever earlier groups left).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from solver.core import SolveParams
from solver.sourcing.bound import (
    RELAXATION_DROPS,
    Relaxation,
    add_capacity_prices,
    capacity_used,
)
from solver.sourcing.data import MatchData
from solver.sourcing.model import build_window, solve_window
from solver.sourcing.restrict import restrict_kitchens
from solver.sourcing.tasks import TaskFuture, TaskRunner
from solver.sourcing.window import TARGETS, ObjectiveSpec, WindowModel, bound_state

__all__ = [
    "GroupJob",
    "GroupPass",
    "GroupPrices",
    "JointPricing",
    "WindowBound",
    "bound_window",
    "price_pass",
    "price_shared_supply",
    "shared_offer_weeks",
]

logger = logging.getLogger(__name__)

#: Passes without a better dual value before the target gap ``delta`` halves.
STALL = 2
#: First target gap (relative to the best dual value) and the smallest before stopping.
START_DELTA = 0.02
MIN_DELTA = 1e-4
#: Shared offer-weeks bought beyond capacity by this relative margin start priced.
OVER_TOL = 1e-6


@dataclass(frozen=True)
class GroupJob:
    """One group of kitchens as a task sees it: its kitchens' indices in the territory,
    how many groups share a platform pickup's cost, the rows its bound leaves out, the
    bound's windows, the objective and the engine's settings."""

    kitchens: np.ndarray
    pickup_split: int
    drop_rules: tuple[str, ...]
    windows: list[tuple[int, int]]
    spec: ObjectiveSpec
    params: SolveParams

    def bound_data(self, data: MatchData) -> MatchData:
        """The group's relaxed problem ``X_g`` (module docstring) from the territory's."""
        sub = restrict_kitchens(data, self.kitchens)
        if self.pickup_split > 1:
            sub = dataclasses.replace(
                sub, plat_pickup_cost=sub.plat_pickup_cost / self.pickup_split
            )
        return sub


@dataclass
class GroupPrices:
    """A group's multipliers: its targets' ``mu`` (K_g, 5), its stock prices at the end of
    each window but the last (n_b - 1, K_g, I), and the shared capacity's prices as flat
    ``offer * W + week`` indices and values."""

    mu: np.ndarray
    stock: np.ndarray
    cap_idx: np.ndarray
    cap_price: np.ndarray

    def capacity(self, data: MatchData) -> np.ndarray:
        """The capacity prices as a dense (O, W) array."""
        dense = np.zeros(len(data.o_p) * data.n_weeks)
        dense[self.cap_idx] = self.cap_price
        return dense.reshape(len(data.o_p), data.n_weeks)


@dataclass
class GroupPass:
    """A group's windows solved as LPs at its prices: the sum of their values (constant
    terms included, the capacity's ``lambda cap`` not), each window's, and the
    subgradients: capacity used (flat indices, units), yearly target gaps (K_g, 5), stock
    bought at each window's start minus left at the previous end (n_b - 1, K_g, I)."""

    value_eur: float
    window_eur: np.ndarray
    used_idx: np.ndarray
    used_qty: np.ndarray
    target_gap: np.ndarray
    stock_gap: np.ndarray
    failure: str = ""
    runtime_s: float = 0.0


def _priced_window(
    sub: MatchData, job: GroupJob, prices: GroupPrices, cap: np.ndarray, b: int
) -> WindowModel:
    """Window ``b`` of a group's Lagrangian decomposition at ``prices``; a group of one
    window keeps its target rows (its window is its whole model, no ``mu``)."""
    w0, w1 = job.windows[b]
    last = b == len(job.windows) - 1
    if len(job.windows) == 1:
        m = build_window(sub, w0, w1, bound_state(sub), job.spec)
        add_capacity_prices(m, cap)
        return m
    m = build_window(
        sub,
        w0,
        w1,
        bound_state(sub),
        job.spec,
        lagrangian=prices.mu,
        stock_price_in=prices.stock[b - 1] if b > 0 else None,
        stock_price_out=None if last else prices.stock[b],
    )
    add_capacity_prices(m, cap)
    return m


def price_pass(data: MatchData, job: GroupJob, prices: GroupPrices, seconds: float) -> GroupPass:
    """One pricing pass of one group (a task): every window of ``job`` as an LP at
    ``prices`` within ``seconds``, with its value and subgradients."""
    t0 = time.perf_counter()
    sub = job.bound_data(data)
    cap = prices.capacity(data)
    n_b = len(job.windows)
    n_k, n_i = len(sub.kitchens), len(sub.products)
    values = np.zeros(n_b)
    used = np.zeros((len(data.o_p), data.n_weeks))
    gap = np.zeros((n_k, len(TARGETS)))
    close = np.zeros((max(n_b - 1, 0), n_k, n_i))
    opening = np.zeros_like(close)
    for b in range(n_b):
        m = _priced_window(sub, job, prices, cap, b)
        left = seconds - (time.perf_counter() - t0)
        sol = solve_window(
            m,
            job.params,
            max(0.5, left / (n_b - b)),
            relax=True,
            drop_rules=RELAXATION_DROPS + job.drop_rules,
        )
        if sol.status != "OPTIMAL":
            w0, w1 = job.windows[b]
            return GroupPass(
                float("nan"),
                values,
                np.zeros(0, dtype=np.int64),
                np.zeros(0),
                gap,
                close,
                failure=f"window {w0}-{w1}: {sol.status}",
                runtime_s=time.perf_counter() - t0,
            )
        values[b] = sol.objective + m.constant_eur
        x = np.maximum(sol.x, 0.0)
        used += capacity_used(sub, m, x)
        gap += _target_gap(sub, x[m.agg].sum(axis=1))
        _stock_ends(m, x, b, n_b, close, opening)
    gap[:, 4] -= sub.budget_eur_per_meal * sub.meals.sum(axis=1)
    if n_b == 1:
        gap[:] = 0.0  # the targets are rows of the group's one window: no multiplier
    flat = used.ravel()
    idx = np.flatnonzero(flat > 0)
    return GroupPass(
        float(values.sum()),
        values,
        idx,
        flat[idx],
        gap,
        opening - close,
        runtime_s=time.perf_counter() - t0,
    )


def _target_gap(sub: MatchData, a: np.ndarray) -> np.ndarray:
    """(K, 5) ``t V - Q`` (budget: ``V``) of a window's aggregates ``a`` (K, 6)."""
    return np.stack(
        [
            sub.t_egalim * a[:, 0] - a[:, 1],
            sub.t_bio * a[:, 0] - a[:, 2],
            sub.t_meat_fish * a[:, 4] - a[:, 5],
            sub.t_local * a[:, 0] - a[:, 3],
            a[:, 0],
        ],
        axis=1,
    )


def _stock_ends(
    m: WindowModel, x: np.ndarray, b: int, n_b: int, close: np.ndarray, opening: np.ndarray
) -> None:
    """Record window ``b``'s closing stock (boundary ``b``) and the opening stock it buys
    (boundary ``b - 1``)."""
    if b < n_b - 1:
        last = m.inv_t == m.w1 - m.w0 - 1
        np.add.at(close[b], (m.inv_k[last], m.inv_i[last]), x[m.inv[last]])
    if b > 0 and len(m.inv_in):
        np.add.at(opening[b - 1], (m.inv_in_k, m.inv_in_i), x[m.inv_in])


class WindowBound(NamedTuple):
    """A window's MIP dual bound at fixed multipliers (constant terms included; ``nan``
    when the engine gave none) and its status."""

    value_eur: float
    status: str
    runtime_s: float


def bound_window(
    data: MatchData, job: GroupJob, prices: GroupPrices, b: int, seconds: float
) -> WindowBound:
    """Window ``b`` of a group at ``prices`` solved as a MIP (a task): its dual bound."""
    sub = job.bound_data(data)
    m = _priced_window(sub, job, prices, prices.capacity(data), b)
    w0, w1 = job.windows[b]
    sol = solve_window(
        m,
        job.params,
        max(0.5, seconds),
        abs_gap_eur=job.params.mip_gap * sub.wholesale_value_eur(w0, w1),
        drop_rules=job.drop_rules,
    )
    value = sol.bound + m.constant_eur if np.isfinite(sol.bound) else float("nan")
    return WindowBound(value, sol.status, sol.runtime_s)


def shared_offer_weeks(data: MatchData, groups: Sequence[np.ndarray]) -> np.ndarray:
    """Flat ``offer * W + week`` indices of the offer-weeks with capacity whose producer
    reaches kitchens of at least two groups (directly, or through the platform)."""
    label = np.full(len(data.kitchens), -1)
    for g, ks in enumerate(groups):
        label[ks] = g
    n_p, n_g = len(data.producers), len(groups)
    reach = np.zeros((n_p, n_g), dtype=bool)
    reach[data.pk_p, label[data.pk_k]] = True
    for q in range(len(data.plat_pq)):  # each platform's producers reach its round's groups
        on_round = np.array([bool((data.plat_k_q[ks] == q).any()) for ks in groups])
        reach[np.ix_(data.plat_pq[q], on_round)] = True
    shared_p = reach.sum(axis=1) >= 2
    mask = shared_p[data.o_p][:, None] & (data.o_cap > 0)
    return np.flatnonzero(mask.ravel())


@dataclass
class _Point:
    """Multipliers of every group and the capacity's on the shared offer-weeks."""

    mu: list[np.ndarray]
    stock: list[np.ndarray]
    lam: np.ndarray  # on the shared offer-weeks

    def prices(self, g: int, shared: np.ndarray) -> GroupPrices:
        on = self.lam > 0
        return GroupPrices(self.mu[g], self.stock[g], shared[on], self.lam[on])


@dataclass
class JointPricing:
    """The best multipliers found, their dual value and what the groups buy there.

    ``value_eur`` is ``L`` with LP windows at ``point``; ``window_eur[g][b]`` each window's
    LP value there; ``used[g]`` (flat indices, units) what group ``g`` buys of the shared
    offer-weeks; ``capacity_eur`` the ``sum lambda cap`` term; ``runtime_s`` the
    pricing's wall-clock seconds and ``task_s`` its tasks' seconds, added up.
    """

    shared: np.ndarray
    point: _Point
    value_eur: float
    window_eur: list[np.ndarray]
    used: list[np.ndarray]
    capacity_eur: float
    first_eur: float
    passes: int
    runtime_s: float
    task_s: float = 0.0  # seconds the passes' tasks took, all groups and passes

    def prices(self, g: int) -> GroupPrices:
        """Group ``g``'s multipliers at the best point."""
        return self.point.prices(g, self.shared)

    def reserve(self, g: int, data: MatchData) -> np.ndarray | None:
        """(O, W) units of the shared offer-weeks kept for the groups planned after group
        ``g``: what each buys at the best point, scaled down where together they buy
        more than the capacity (every group keeps its share)."""
        total = np.sum(self.used, axis=0)
        cap = data.o_cap.ravel()[self.shared]
        scale = np.where(total > cap, cap / np.maximum(total, 1e-12), 1.0)
        later = np.zeros(len(self.shared))
        for used in self.used[g + 1 :]:
            later += used * scale
        if not (later > 0).any():
            return None
        dense = np.zeros(len(data.o_p) * data.n_weeks)
        dense[self.shared] = later
        return dense.reshape(len(data.o_p), data.n_weeks)

    def bound(self, mip: Sequence[Sequence[WindowBound | None]]) -> float:
        """``L`` at the best point, each window's term the larger of its LP value and
        its MIP bound ``mip[g][b]`` (``None`` or ``nan``: the LP value)."""
        total = -self.capacity_eur
        for lp, row in zip(self.window_eur, mip, strict=True):
            for value, wb in zip(lp, row, strict=True):
                better = wb is not None and np.isfinite(wb.value_eur) and wb.value_eur > value
                total += wb.value_eur if better and wb is not None else value
        return float(total)


def _start(
    data: MatchData,
    jobs: Sequence[GroupJob],
    rels: Sequence[Relaxation | None],
    shared: np.ndarray,
) -> _Point:
    """Multipliers from the groups' year relaxations (module docstring), or neutral ones
    for a group without: ``mu = 0`` and stock at the cheapest price."""
    mu, stock = [], []
    n_s = len(shared)
    used = np.zeros(n_s)
    price = np.zeros(n_s)
    for job, rel in zip(jobs, rels, strict=True):
        n_k = len(job.kitchens)
        ends = [w1 for _, w1 in job.windows[:-1]]
        if rel is None:
            mu.append(np.zeros((n_k, len(TARGETS))))
            cheap = restrict_kitchens(data, job.kitchens).cheapest_price
            stock.append(np.stack([cheap for _ in ends]) if ends else np.zeros((0, *cheap.shape)))
            continue
        mu.append(rel.mu.copy())
        stock.append(
            np.stack([rel.stock_price[:, :, w] for w in ends])
            if ends
            else np.zeros((0, n_k, rel.stock_price.shape[1]))
        )
        if rel.capacity_used.size:
            used += rel.capacity_used.ravel()[shared]
            price = np.maximum(price, rel.capacity_price.ravel()[shared])
    cap = data.o_cap.ravel()[shared]
    over = used > cap * (1.0 + OVER_TOL) + OVER_TOL
    return _Point(mu, stock, np.where(over, price, 0.0))


def _pass(
    runner: TaskRunner,
    handle: object,
    jobs: Sequence[GroupJob],
    point: _Point,
    shared: np.ndarray,
    seconds: float,
) -> list[GroupPass]:
    """Every group's pricing pass at ``point``, as tasks; the results in group order."""
    futures: list[TaskFuture[GroupPass]] = [
        runner.submit(price_pass, handle, job, point.prices(g, shared), seconds)
        for g, job in enumerate(jobs)
    ]
    return [f.result() for f in futures]


def _shared_use(passes: Sequence[GroupPass], shared: np.ndarray) -> list[np.ndarray]:
    """Each group's use of the shared offer-weeks, aligned with ``shared``."""
    out = []
    for p in passes:
        pos = np.searchsorted(shared, p.used_idx)
        pos = np.minimum(pos, max(len(shared) - 1, 0))
        hit = (shared[pos] == p.used_idx) if len(shared) else np.zeros(0, dtype=bool)
        u = np.zeros(len(shared))
        np.add.at(u, pos[hit], p.used_qty[hit])
        out.append(u)
    return out


def _step(
    point: _Point,
    passes: Sequence[GroupPass],
    use: Sequence[np.ndarray],
    cap: np.ndarray,
    pen: np.ndarray,
    room_eur: float,
) -> _Point:
    """One projected Polyak step of every block of multipliers (module docstring)."""
    s_lam = np.sum(use, axis=0) - cap if len(use) else np.zeros(0)
    s_lam = np.where((point.lam <= 0) & (s_lam < 0), 0.0, s_lam)
    s_mu = [
        np.where(
            ((mu <= 0) & (p.target_gap < 0)) | ((mu >= pen[None, :]) & (p.target_gap > 0)),
            0.0,
            p.target_gap,
        )
        for mu, p in zip(point.mu, passes, strict=True)
    ]
    s_pi = [p.stock_gap for p in passes]
    norms = [
        float((s_lam**2).sum()),
        float(sum((s**2).sum() for s in s_mu)),
        float(sum((s**2).sum() for s in s_pi)),
    ]
    n_blocks = sum(1 for n in norms if n > 0)
    if n_blocks == 0:
        return point
    t = [room_eur / (n_blocks * n) if n > 0 else 0.0 for n in norms]
    return _Point(
        mu=[
            np.clip(mu + t[1] * s, 0.0, pen[None, :]) for mu, s in zip(point.mu, s_mu, strict=True)
        ],
        stock=[st + t[2] * s for st, s in zip(point.stock, s_pi, strict=True)],
        lam=np.maximum(point.lam + t[0] * s_lam, 0.0),
    )


def price_shared_supply(
    runner: TaskRunner,
    handle: object,
    data: MatchData,
    jobs: Sequence[GroupJob],
    rels: Sequence[Relaxation | None],
    seconds: float,
    *,
    max_passes: int,
    progress: Callable[[int, float], None] | None = None,
) -> JointPricing | None:
    """Subgradient ascent on ``L(lambda, mu, pi)`` (module docstring) within ``seconds``:
    the best point found, ``None`` when not even the first pass finished.

    ``handle`` is ``data`` shared on ``runner``; ``jobs`` the groups in planning order,
    ``rels`` their year relaxations (``None``: not available); ``progress(pass, L)`` is
    called after each pass.
    """
    t0 = time.perf_counter()
    shared = shared_offer_weeks(data, [job.kitchens for job in jobs])
    cap = data.o_cap.ravel()[shared]
    pen = jobs[0].spec.penalty_row()
    point = _start(data, jobs, rels, shared)
    best: JointPricing | None = None
    first = float("nan")
    delta, stall, last_s, task_s = START_DELTA, 0, 0.0, 0.0
    per_task = min(1.0, runner.slots / len(jobs))
    for n_pass in range(max_passes):
        left = seconds - (time.perf_counter() - t0)
        if n_pass > 0 and left < 1.1 * last_s:
            break
        t_pass = time.perf_counter()
        passes = _pass(runner, handle, jobs, point, shared, max(1.0, left * per_task))
        last_s = time.perf_counter() - t_pass
        task_s += sum(p.runtime_s for p in passes)
        failed = [p.failure for p in passes if p.failure]
        if failed:
            logger.info("joint pricing pass %d stopped: %s", n_pass + 1, failed[0])
            break
        use = _shared_use(passes, shared)
        value = float(sum(p.value_eur for p in passes) - point.lam @ cap)
        first = value if n_pass == 0 else first
        if progress is not None:
            progress(n_pass + 1, value)
        if best is None or value > best.value_eur + 1e-9 * max(1.0, abs(best.value_eur)):
            best = JointPricing(
                shared,
                point,
                value,
                [p.window_eur.copy() for p in passes],
                use,
                float(point.lam @ cap),
                first,
                n_pass + 1,
                0.0,
            )
            stall = 0
        else:
            stall += 1
            if stall >= STALL:
                delta, stall = delta / 2.0, 0
        if delta < MIN_DELTA:
            break
        target = best.value_eur + delta * abs(best.value_eur)
        point = _step(point, passes, use, cap, pen, max(target - value, 0.0))
    if best is None:
        return None
    best.first_eur = first
    best.runtime_s = time.perf_counter() - t0
    best.task_s = task_s
    logger.info(
        "joint pricing: L %.2f EUR after %d passes (first %.2f), %d shared offer-weeks priced",
        best.value_eur,
        best.passes,
        first,
        int((best.point.lam > 0).sum()),
    )
    return best
