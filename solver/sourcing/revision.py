"""The options of the weekly cycle and of re-planning, applied to the sourcing arrays.

* **Fixed lines** (orders already sent) are placed among the candidate lines and checked
  before any solve (:func:`locate_fixed`): a line that cannot be kept as it is (no such
  pair or channel, more than the week's capacity or need, under its minimum lot) is a
  located :class:`~solver.core.Problem`.
* **Shortfalls** scale the capacity of the offers they hit from their week on
  (:func:`apply_shortfalls`).
* **A revision** re-plans a previous plan from a week on (:func:`revise`): the weeks
  before it are kept as they are; the arrays keep only the weeks from it on, and what the
  kept weeks bought becomes the opening :class:`~solver.sourcing.lines.History` (stock,
  yearly target balances, meals, last week's drops, the regularity's last volumes; a
  producer delivering every ``n`` weeks keeps its rhythm: its offers have no capacity
  until ``n`` weeks after its last delivery). The previous plan's lines of the re-planned
  weeks become ``MatchData.previous``, whose changes the model counts
  (:func:`solver.sourcing.cycle_rules.add_changes`). :func:`keep_previous_weeks` puts the
  kept weeks back in front of the new plan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from solver.core import (
    Channel,
    EgalimGroup,
    Problem,
    PurchaseLine,
    PurchasePlan,
    ScenarioError,
    Settings,
    Shortfall,
    egalim_group,
)
from solver.sourcing.constraints import candidate_lines
from solver.sourcing.cycle_rules import activity
from solver.sourcing.data import MatchData
from solver.sourcing.lines import LINE_DIRECT, LINE_PLATFORM, LINE_REFERENCE, History, LineRefs
from solver.sourcing.window import Ordering

__all__ = [
    "FixedLine",
    "ReplanObjective",
    "Revision",
    "SourcingOptions",
    "apply_options",
    "apply_shortfalls",
    "keep_previous_weeks",
    "locate_fixed",
    "ordering_of",
    "revise",
]

#: How a revision weighs changed order lines against cost: the fewest changed lines
#: first and the cost second, the cost plus ``change_eur`` per changed line, or the cost
#: alone (the remaining weeks planned from scratch).
ReplanObjective = Literal["lexicographic", "weighted", "cost"]

_TOL = 1e-6


@dataclass(frozen=True)
class FixedLine:
    """An order line kept as it is: ``quantity`` purchase units of a product from a
    supplier (a producer, or the kitchen's reference wholesaler) for a kitchen in the week
    of ``week``; ``channel`` ``None`` = direct when the pair may trade directly, else the
    platform. ``source`` (file, row) locates the problems it raises, which show ``kg``
    (the order as written) when given."""

    kitchen_id: str
    supplier_id: str
    product_id: str
    week: dt.date
    quantity: float
    channel: Channel | None = None
    source: tuple[str, int] = ("fixed orders", 0)
    kg: float | None = None


@dataclass(frozen=True)
class Revision:
    """Re-plan ``previous`` from ``from_week`` on, after ``shortfalls``."""

    previous: PurchasePlan
    from_week: dt.date
    shortfalls: tuple[Shortfall, ...] = ()
    objective: ReplanObjective = "lexicographic"
    change_eur: float = 0.0

    def __post_init__(self) -> None:
        if self.objective == "weighted" and not self.change_eur > 0:
            msg = f"a weighted objective needs change_eur > 0, got {self.change_eur}"
            raise ValueError(msg)


@dataclass(frozen=True)
class SourcingOptions:
    """The weekly cycle's and re-planning's options of a sourcing run: ordering costs
    (``None``: the scenario's settings, :func:`ordering_of`), lines kept fixed, a revision
    of a previous plan (defaults: none)."""

    ordering: Ordering | None = None
    fixed: tuple[FixedLine, ...] = ()
    revision: Revision | None = None


def ordering_of(settings: Settings) -> Ordering:
    """The ordering costs a scenario's settings ask for (0 unless set)."""
    return Ordering(
        per_supplier_eur=settings.supplier_order_cost_eur,
        regularity_eur_per_kg=settings.regularity_eur_per_kg,
        regularity_scope=settings.regularity_scope,
    )


# --------------------------------------------------------------------------- lines


class _Index:
    """Positions of ids in the arrays."""

    def __init__(self, data: MatchData) -> None:
        self.k = {x: j for j, x in enumerate(data.kitchens)}
        self.i = {x: j for j, x in enumerate(data.products)}
        self.p = {x: j for j, x in enumerate(data.producers)}
        self.w = {x: j for j, x in enumerate(data.weeks)}
        self.pk = {
            (int(p), int(k)): j for j, (p, k) in enumerate(zip(data.pk_p, data.pk_k, strict=True))
        }
        self.o = {
            (int(p), int(i)): j for j, (p, i) in enumerate(zip(data.o_p, data.o_i, strict=True))
        }


def _place(
    data: MatchData, ix: _Index, k: int, supplier: str, i: int, channel: Channel | None
) -> tuple[int, int, int, str]:
    """(kind, a, b, why-not) of a line: ``kind = -1`` with the reason when it has no place."""
    p = ix.p.get(supplier)
    if p is None:
        if channel not in (None, Channel.REFERENCE):
            return -1, k, -1, f"{supplier!r} is not a producer"
        return LINE_REFERENCE, k, i, ""
    o = ix.o.get((p, i))
    if o is None:
        return -1, k, -1, f"{supplier} has no offer of {data.products[i]} that week"
    pk = ix.pk.get((p, k))
    on_round = bool(data.plat_kitch[k] and data.plat_pq[data.plat_k_q[k], p])
    direct = channel in (Channel.DIRECT, Channel.FARM_PICKUP) or (
        channel is None and pk is not None
    )
    if direct:
        if pk is None:
            return -1, k, -1, f"{supplier} cannot deliver {data.kitchens[k]} directly"
        return LINE_DIRECT, pk, o, ""
    if channel is Channel.REFERENCE:
        return -1, k, -1, "the reference channel is the wholesaler's"
    if not on_round:
        return -1, k, -1, f"{supplier} and {data.kitchens[k]} are not both on the platform round"
    return LINE_PLATFORM, o, k, ""


def _kg(line: FixedLine) -> str:
    return f"{line.kg:g}" if line.kg is not None else f"{line.quantity:g} units"


def _problem(line: FixedLine, column: str, value: object, message: str) -> Problem:
    return Problem(line.source[0], line.source[1], column, str(value), message)


def locate_fixed(data: MatchData, fixed: Sequence[FixedLine]) -> LineRefs:
    """The fixed lines placed in the arrays, each checked to be keepable as it is.

    Raises
    ------
    ScenarioError
        With one located problem per line that cannot be kept (unknown kitchen, product
        or week, no such channel between the supplier and the kitchen, over the offer's
        capacity or the kitchen's need that week -- demand and what may be stocked --,
        under the offer's minimum lot, or a drop that can never reach the producer's
        minimum order).
    """
    ix = _Index(data)
    problems: list[Problem] = []
    rows: list[tuple[int, int, int, int, float, FixedLine]] = []
    for line in fixed:
        k, i, w = ix.k.get(line.kitchen_id), ix.i.get(line.product_id), ix.w.get(line.week)
        if k is None:
            problems.append(_problem(line, "kitchen_id", line.kitchen_id, "no demand planned"))
        elif i is None:
            msg = f"{line.kitchen_id} needs no {line.product_id} over the planned weeks"
            problems.append(_problem(line, "product_id", line.product_id, msg))
        elif w is None:
            problems.append(_problem(line, "week", line.week, "not a planned week"))
        else:
            kind, a, b, why = _place(data, ix, k, line.supplier_id, i, line.channel)
            if kind < 0:
                problems.append(_problem(line, "producer_id", line.supplier_id, why))
            else:
                rows.append((kind, a, b, w, line.quantity, line))
    if not problems:
        problems = _fit(data, rows)
    if problems:
        raise ScenarioError(problems)
    arr = np.array([r[:4] for r in rows], dtype=int).reshape(-1, 4)
    return LineRefs(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], np.array([r[4] for r in rows]))


def _fit(data: MatchData, rows: list[tuple[int, int, int, int, float, FixedLine]]) -> list[Problem]:
    """Problems of fixed lines that do not fit: capacity, need, lot, candidate line."""
    problems: list[Problem] = []
    need: dict[tuple[int, int, int], float] = defaultdict(float)
    used: dict[tuple[int, int], float] = defaultdict(float)
    for kind, a, b, w, q, line in rows:
        k = a if kind == LINE_REFERENCE else (b if kind == LINE_PLATFORM else int(data.pk_k[a]))
        i = b if kind == LINE_REFERENCE else int(data.o_i[a if kind == LINE_PLATFORM else b])
        need[(k, i, w)] += q
        if kind == LINE_REFERENCE:
            continue
        o = a if kind == LINE_PLATFORM else b
        used[(o, w)] += q
        lot = float(data.o_min_lot[o])
        if q < lot - _TOL:
            msg = f"under the offer's minimum lot of {lot:g} units"
            problems.append(_problem(line, "kg", _kg(line), msg))
        cap = float(data.o_cap[o, w])
        if used[(o, w)] > cap + _TOL:
            msg = f"over the producer's capacity that week ({cap:g} units, all fixed orders)"
            problems.append(_problem(line, "kg", _kg(line), msg))
    for kind, a, b, w, _q, line in rows:
        k = a if kind == LINE_REFERENCE else (b if kind == LINE_PLATFORM else int(data.pk_k[a]))
        i = b if kind == LINE_REFERENCE else int(data.o_i[a if kind == LINE_PLATFORM else b])
        reach = float(data.reach[k, i, w])
        if need[(k, i, w)] > reach + _TOL:
            msg = (
                f"over what {data.kitchens[k]} needs of {data.products[i]} that week and may "
                f"stock ({reach:g} units, all fixed orders)"
            )
            problems.append(_problem(line, "kg", _kg(line), msg))
    if not problems:
        problems = _candidates_of(data, rows)
    return problems


def _candidates_of(
    data: MatchData, rows: list[tuple[int, int, int, int, float, FixedLine]]
) -> list[Problem]:
    """Fixed producer lines without a candidate line (their drop or pickup can never
    reach the producer's minimum order), or whose drop or pickup cannot reach it with the
    fixed lines kept as they are and every other line of the week at its most."""
    problems = []
    for w in sorted({r[3] for r in rows}):
        c = candidate_lines(data, w, w + 1)
        fixed = {(kind, a, b): q for kind, a, b, week, q, _ in rows if week == w}
        most: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
        for kind, owners, offers, big_m in (
            (LINE_DIRECT, c.xd_pk, c.xd_o, c.xd_big_m),
            (LINE_PLATFORM, c.xp_o, c.xp_k, c.xp_big_m),
        ):
            for a, b, m in zip(owners.tolist(), offers.tolist(), big_m.tolist(), strict=True):
                o = b if kind == LINE_DIRECT else a
                q = fixed.get((kind, a, b), m)
                drop = (kind, a if kind == LINE_DIRECT else int(data.o_p[o]))
                most[drop][0] += q * float(data.kg_per_unit[data.o_i[o]])
                most[drop][1] += q * float(data.o_price[o])
        for kind, a, _b, week, _q, line in rows:
            if week != w or kind == LINE_REFERENCE:
                continue
            drop = (kind, a if kind == LINE_DIRECT else int(data.o_p[a]))
            p = int(data.pk_p[a]) if kind == LINE_DIRECT else int(data.o_p[a])
            kg, eur = most.get(drop, (0.0, 0.0))
            if drop not in most:
                msg = "its drop cannot reach the producer's minimum order that week"
                problems.append(_problem(line, "producer_id", line.supplier_id, msg))
            elif kg < data.min_kg[p] - _TOL or eur < data.min_eur[p] - _TOL:
                msg = (
                    f"the producer's minimum order ({data.min_kg[p]:g} kg, "
                    f"{data.min_eur[p]:g} EUR) cannot be reached with this order kept and "
                    f"everything else it could sell that week ({kg:g} kg, {eur:g} EUR)"
                )
                problems.append(_problem(line, "kg", _kg(line), msg))
    return problems


# --------------------------------------------------------------------------- shortfalls


def apply_shortfalls(data: MatchData, shortfalls: Sequence[Shortfall]) -> MatchData:
    """The arrays with each offer a shortfall hits at ``1 - loss_pct / 100`` of its
    capacity from the shortfall's week on (losses of one offer compound)."""
    if not shortfalls:
        return data
    cap = data.o_cap.copy()
    for s in shortfalls:
        first = sum(1 for w in data.weeks if w < s.from_week)
        for o, (p, i) in enumerate(zip(data.o_p, data.o_i, strict=True)):
            if s.hits(data.producers[p], data.products[i]):
                cap[o, first:] *= 1.0 - s.loss_pct / 100.0
    return dataclasses.replace(data, o_cap=np.where(cap > 1e-9, cap, 0.0))


# --------------------------------------------------------------------------- revision


def _refs_of(
    data: MatchData, ix: _Index, lines: Sequence[PurchaseLine], first_week: int
) -> LineRefs:
    """Plan lines as refs (duplicates summed), weeks relative to ``first_week``."""
    qty: dict[tuple[int, int, int, int], float] = defaultdict(float)
    for ln in lines:
        k, i, w = ix.k.get(ln.kitchen_id), ix.i.get(ln.product_id), ix.w.get(ln.week_start)
        if k is None or w is None:
            continue
        if i is None:
            qty[(-1, k, -1, w - first_week)] += ln.quantity
            continue
        kind, a, b, _ = _place(data, ix, k, ln.supplier_id, i, ln.channel)
        qty[(kind, a, b, w - first_week)] += ln.quantity
    if not qty:
        return LineRefs.empty()
    keys = np.array(list(qty), dtype=int)
    return LineRefs(keys[:, 0], keys[:, 1], keys[:, 2], keys[:, 3], np.array(list(qty.values())))


def _balances(data: MatchData, ix: _Index, lines: Sequence[PurchaseLine]) -> np.ndarray:
    """(K, 6) EUR bought: value, EGALIM, organic, meat-and-fish value and EGALIM, local."""
    out = np.zeros((len(data.kitchens), 6))
    for ln in lines:
        k = ix.k.get(ln.kitchen_id)
        if k is None:
            continue
        i = ix.i.get(ln.product_id)
        group = egalim_group(ln.labels)
        val = ln.quantity * ln.unit_price_eur
        mf = bool(data.meat_fish[i]) if i is not None else False
        egal = group is not EgalimGroup.NON_EGALIM
        out[k] += [
            val,
            val * egal,
            val * (group is EgalimGroup.BIO),
            val * mf,
            val * mf * egal,
            val * (ln.channel is not Channel.REFERENCE),
        ]
    return out


def _opening_stock(data: MatchData, bought: np.ndarray, w_s: int) -> np.ndarray:
    """(K, I) stock at the start of week ``w_s``: ``s = max(0, s + bought - demand)`` week
    by week (first in, first out, as the checker counts it); fresh products keep none."""
    stock = np.zeros(bought.shape[:2])
    for w in range(w_s):
        stock = np.maximum(0.0, stock + bought[:, :, w] - data.demand[:, :, w])
    stock[:, data.stock_weeks == 0] = 0.0
    return np.where(stock > 1e-9, stock, 0.0)


def _regularity_start(
    data: MatchData, ordering: Ordering, kg: np.ndarray, w_s: int
) -> tuple[np.ndarray, np.ndarray]:
    """(P, K) kg of each pair in the last week with demand before ``w_s`` (each kitchen's,
    or the territory's), and (K,) whether there was one."""
    act = activity(data, ordering.regularity_scope)[:, :w_s]
    n_p, n_k = kg.shape[:2]
    reg, seen = np.zeros((n_p, n_k)), np.zeros(n_k, dtype=bool)
    for a in range(act.shape[0]):
        weeks = np.flatnonzero(act[a])
        if not len(weeks):
            continue
        last = int(weeks[-1])
        if act.shape[0] == n_k:
            reg[:, a], seen[a] = kg[:, a, last], True
        else:
            reg[:, :], seen[:] = kg[:, :, last], True
    return reg, seen


def _history(
    data: MatchData, ix: _Index, kept: Sequence[PurchaseLine], w_s: int, ordering: Ordering
) -> tuple[History, np.ndarray]:
    """The opening history of the kept weeks, and the last week each producer delivered
    (-1: never)."""
    n_k, n_i, n_p = len(data.kitchens), len(data.products), len(data.producers)
    bought = np.zeros((n_k, n_i, max(w_s, 1)))
    kg = np.zeros((n_p, n_k, max(w_s, 1)))
    last = np.full(n_p, -1)
    drop_prev = np.zeros(len(data.pk_p), dtype=bool)
    for ln in kept:
        k, i, w = ix.k.get(ln.kitchen_id), ix.i.get(ln.product_id), ix.w.get(ln.week_start)
        if k is None or w is None:
            continue
        if i is not None:
            bought[k, i, w] += ln.quantity
        p = ix.p.get(ln.supplier_id)
        if p is None or ln.channel is Channel.REFERENCE:
            continue
        kg[p, k, w] += ln.quantity_kg
        last[p] = max(last[p], w)
        pk = ix.pk.get((p, k))
        if w == w_s - 1 and pk is not None and ln.channel is not Channel.PLATFORM:
            drop_prev[pk] = True
    bal = _balances(data, ix, kept)
    reg, seen = _regularity_start(data, ordering, kg, w_s)
    h = History(
        stock=_opening_stock(data, bought, w_s),
        value=bal[:, 0],
        egalim=bal[:, 1],
        bio=bal[:, 2],
        mf_value=bal[:, 3],
        mf_egalim=bal[:, 4],
        local=bal[:, 5],
        meals=data.meals[:, :w_s].sum(axis=1),
        drop_prev=drop_prev,
        reg_kg=reg,
        reg_seen=seen,
    )
    return h, last


def _from_week_index(data: MatchData, from_week: dt.date) -> int:
    if from_week > data.weeks[-1]:
        msg = (
            f"from_week {from_week.isoformat()} is after the plan's last week "
            f"{data.weeks[-1].isoformat()}: nothing to re-plan"
        )
        raise ValueError(msg)
    return sum(1 for w in data.weeks if w < from_week)


def revise(data: MatchData, revision: Revision, ordering: Ordering) -> MatchData:
    """The arrays of the weeks from ``revision.from_week`` on, opening with the history of
    the previous plan's earlier weeks, carrying its later lines as ``previous``.

    Raises
    ------
    ValueError
        When ``from_week`` is after the last week.
    """
    w_s = _from_week_index(data, revision.from_week)
    ix = _Index(data)
    lines = revision.previous.lines
    kept = [ln for ln in lines if ln.week_start < data.weeks[w_s]]
    later = [ln for ln in lines if ln.week_start >= data.weeks[w_s]]
    previous = _refs_of(data, ix, later, w_s)
    if w_s == 0:
        return dataclasses.replace(data, previous=previous)
    history, last = _history(data, ix, kept, w_s, ordering)
    cap = data.o_cap.copy()
    for p in np.flatnonzero((last >= 0) & (data.every_n > 1)):
        until = int(last[p] + data.every_n[p])  # its next delivery week at the earliest
        cap[np.flatnonzero(data.o_p == p), w_s : max(w_s, until)] = 0.0

    def tail(a: np.ndarray) -> np.ndarray:
        return a[..., w_s:] if a.size else a

    return dataclasses.replace(
        data,
        weeks=data.weeks[w_s:],
        demand=data.demand[:, :, w_s:],
        meals=data.meals[:, w_s:],
        future=data.future[:, :, w_s:],
        reach=data.reach[:, :, w_s:],
        o_cap=cap[:, w_s:],
        plat_pickup_cost=data.plat_pickup_cost[:, w_s:],
        drops_used=tail(data.drops_used),
        plat_kg_used=tail(data.plat_kg_used),
        pickup_done=tail(data.pickup_done),
        fixed=None if data.fixed is None else _shift(data.fixed, w_s),
        previous=previous,
        history=history,
    )


def _shift(refs: LineRefs, w_s: int) -> LineRefs:
    later = refs.take(refs.week >= w_s)
    return later._replace(week=later.week - w_s)


def apply_options(data: MatchData, options: SourcingOptions, ordering: Ordering) -> MatchData:
    """The arrays with the options' shortfalls, revision and fixed lines applied.

    Raises
    ------
    ScenarioError
        When a fixed line cannot be kept (:func:`locate_fixed`).
    ValueError
        When the revision starts after the last week.
    """
    if options.fixed:
        data = dataclasses.replace(data, fixed=locate_fixed(data, options.fixed))
    rev = options.revision
    if rev is not None:
        data = apply_shortfalls(data, rev.shortfalls)
        data = revise(data, rev, ordering)
    return data


def keep_previous_weeks(
    plan: PurchasePlan, revision: Revision, weeks: Sequence[dt.date]
) -> PurchasePlan:
    """The previous plan's lines before ``from_week`` followed by ``plan``'s, over
    ``weeks`` (its logistics cost is ``plan``'s: the re-planned weeks')."""
    kept = [ln for ln in revision.previous.lines if ln.week_start < revision.from_week]
    lines = sorted(
        [*kept, *plan.lines],
        key=lambda x: (x.week_start, x.kitchen_id, x.supplier_id, x.product_id),
    )
    return plan.model_copy(update={"weeks": tuple(weeks), "lines": tuple(lines)})
