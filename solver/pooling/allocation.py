"""Allocation: how much each member supplies of each product in each week (exact, closed form).

Sets and data
-------------
Members ``M`` (the group), order lines ``P`` (products), weeks ``W`` (Mondays). Week ``w`` has
``n_w`` delivery days (the order's weekdays, minus days without school). Demand
``D[p,w] = q_p * n_w`` units (``q_p`` = quantity per delivery). Capacities ``c[m,p,w]`` and the
eligibility of each member are those of :mod:`solver.pooling.eligibility` (``c = 0`` for a member
that fails a rule).

The LP and its closed form
--------------------------
Variables ``x[m,p,w] >= 0``; constraints ``x[m,p,w] <= c[m,p,w]`` and
``sum_m x[m,p,w] = D[p,w]``. No constraint links two (product, week) pairs, so the LP splits
into independent one-demand problems: feasible iff ``D <= S = sum_m c`` (a single-sink max
flow), and otherwise the group supplies ``A = min(D, S)`` and is short by ``D - S``. Each
sharing rule has an exact closed form for ``A`` — an LP solver would add nothing but time and
rounding:

* ``proportional``: ``x_m = A * c_m / S`` (the unique split proportional to declared capacity;
  it respects ``c_m`` because ``A <= S``);
* ``balanced``: water-filling ``x_m = min(c_m, lambda)`` with ``sum_m min(c_m, lambda) = A``:
  the unique max-min fair (lexicographically optimal) split — found by sorting capacities;
* ``fewest_members``: the ``k`` members with the largest capacities (ties: lower price, then id)
  for the smallest ``k`` with ``sum of the k largest >= A``, balanced among them. Exact: any
  ``k``-subset has a capacity sum at most that of the ``k`` largest, so no smaller subset
  covers ``A``.

Each member brings ``x[m,p,w] / n_w`` at every delivery of week ``w``. An offer's minimum lot
(``Offer.min_lot``, units per order line) makes a member's share semi-continuous; it is handled
by a rule members can follow, not by a MIP: a member whose share per delivery falls below its
minimum lot steps out (the furthest below first) and the rule is re-applied to the others; what
is then missing is a ``CAPACITY`` shortfall that names them. Producers' minimum order per drop
(``min_order_kg/eur``) is a condition for outside buyers and is not applied inside the group.

Binding reason of a short (product, week): the eligibility rule whose lifting alone adds the
most capacity; when no rule alone adds any, the rule excluding the most capacity together with
others; ``CAPACITY`` when no rule excluded anything (or members stepped out for their minimum
lot).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from solver.pooling.answer import FILTERS, AllocationRow, Shortfall
from solver.pooling.eligibility import EPS, Candidate, Context, candidate, make_context
from solver.pooling.inputs import PoolingInputs, SharingRule


def share(
    rule: SharingRule, amount: float, caps: dict[str, float], prices: dict[str, float]
) -> dict[str, float]:
    """Split ``amount`` (``<= sum(caps)``) among members by ``rule`` (closed forms above)."""
    total = sum(caps.values())
    if amount <= EPS or total <= EPS:
        return {}
    amount = min(amount, total)
    if rule == "proportional":
        return {m: amount * c / total for m, c in caps.items() if c > EPS}
    if rule == "fewest_members":
        ranked = sorted(caps, key=lambda m: (-caps[m], prices.get(m, 0.0), m))
        acc = 0.0
        chosen: dict[str, float] = {}
        for m in ranked:
            chosen[m] = caps[m]
            acc += caps[m]
            if acc >= amount - EPS:
                break
        caps = chosen
    if rule not in ("proportional", "balanced", "fewest_members"):
        msg = f"rule must be proportional, balanced or fewest_members, got {rule!r}"
        raise ValueError(msg)
    # water-filling: raise a common level until the amount is placed
    left = amount
    out: dict[str, float] = {}
    todo = sorted(caps.items(), key=lambda kv: (kv[1], kv[0]))
    for k, (m, c) in enumerate(todo):
        level = left / (len(todo) - k)
        give = min(c, level)
        out[m] = give
        left -= give
    return {m: x for m, x in out.items() if x > EPS}


@dataclass
class Allocation:
    """The allocation stage: rows and shortfalls, and by (product, week) the candidates, the
    demand (units) and the split (member -> units)."""

    rows: list[AllocationRow]
    shortfalls: list[Shortfall]
    cands: dict[tuple[str, dt.date], list[Candidate]]
    demand: dict[tuple[str, dt.date], float]
    alloc: dict[tuple[str, dt.date], dict[str, float]]


def allocate(inputs: PoolingInputs, ctx: Context | None = None) -> Allocation:
    """Split each (product, week) demand among the eligible members (``inputs.rule``)."""
    ctx = ctx or make_context(inputs)
    sc = inputs.scenario
    order = inputs.order
    members = [sc.producer(m) for m in inputs.member_ids]
    stage = Allocation([], [], {}, {}, {})
    for line in order.lines:
        kg_unit = sc.product(line.product_id).kg_per_unit
        for w in order.weeks:
            n = len(order.delivery_dates(w))
            if n == 0:
                continue
            demand = line.qty_per_delivery * n
            cands = [c for m in members if (c := candidate(ctx, m, line.product_id, w)) is not None]
            ok = {c.producer_id: c.capacity for c in cands if not c.fails}
            prices = {c.producer_id: c.producer_price for c in cands}
            lots = {c.producer_id: c.min_lot for c in cands}
            x, dropped = share_with_lots(inputs.rule, demand, ok, prices, lots, n)
            key = (line.product_id, w)
            stage.cands[key] = cands
            stage.demand[key] = demand
            stage.alloc[key] = x
            by_id = {c.producer_id: c for c in cands}
            for m, q in x.items():
                c = by_id[m]
                stage.rows.append(
                    AllocationRow(
                        week_start=w,
                        product_id=line.product_id,
                        producer_id=m,
                        qty=q,
                        qty_per_delivery=q / n,
                        deliveries=n,
                        capacity=c.capacity,
                        kg=q * kg_unit,
                        producer_price_eur_per_unit=c.producer_price,
                        kitchen_price_eur_per_unit=c.kitchen_price,
                        revenue_eur=q * c.producer_price,
                    )
                )
            supplied = sum(x.values())
            short = demand - supplied
            if short > 1e-6:
                stage.shortfalls.append(
                    capacity_shortfall(w, line.product_id, demand, short, cands, kg_unit, dropped)
                )
    return stage


def share_with_lots(
    rule: SharingRule,
    demand: float,
    caps: dict[str, float],
    prices: dict[str, float],
    lots: dict[str, float],
    deliveries: int,
) -> tuple[dict[str, float], list[str]]:
    """The rule's split, then members whose share per delivery is below their offer's minimum
    lot step out one at a time (the furthest below first) and the rule is re-applied."""
    caps = dict(caps)
    dropped: list[str] = []
    while True:
        x = share(rule, demand, caps, prices)
        below = [
            m for m, q in x.items() if lots.get(m, 0.0) > 0 and q / deliveries < lots[m] - 1e-9
        ]
        if not below:
            return x, dropped
        worst = min(below, key=lambda m: (x[m] / deliveries / lots[m], m))
        dropped.append(worst)
        del caps[worst]


def capacity_shortfall(
    w: dt.date,
    pid: str,
    demand: float,
    short: float,
    cands: list[Candidate],
    kg_unit: float,
    dropped: list[str] | None = None,
) -> Shortfall:
    """The shortfall of product ``pid`` in week ``w`` with its binding reason (module docstring)
    and the capacity each rule excludes; ``dropped``: members out for their minimum lot."""
    gains: dict[str, float] = {}
    for f in FILTERS:
        gain = sum(
            (c.season_capacity if f == "OUT_OF_SEASON" else c.capacity)
            for c in cands
            if c.fails == frozenset({f})
        )
        if gain > EPS:
            gains[f] = gain
    shared: dict[str, float] = {}
    for f in FILTERS:
        gain = sum(
            (c.season_capacity if f == "OUT_OF_SEASON" else c.capacity)
            for c in cands
            if f in c.fails
        )
        if gain > EPS:
            shared[f] = gain
    pool = gains or shared
    reason = max(pool, key=lambda f: (pool[f], -FILTERS.index(f))) if pool else "CAPACITY"
    eligible = sum(c.capacity for c in cands if not c.fails)
    excluded = ", ".join(f"{c.producer_id}: {'+'.join(sorted(c.fails))}" for c in cands if c.fails)
    detail = (
        f"{pid} week of {w.isoformat()}: demand {demand:g}, eligible capacity {eligible:g} "
        f"-> short {short:g}"
        + (f"; excluded {excluded}" if excluded else "")
        + (f"; lifting {reason} alone would add {gains[reason]:g}" if reason in gains else "")
        + (
            f"; {reason} excludes {shared[reason]:g} (with other rules)"
            if reason not in gains and reason in shared
            else ""
        )
    )
    if dropped:
        detail += f"; below their minimum lot per delivery: {', '.join(dropped)}"
    numbers = {"demand": demand, "eligible_capacity": eligible, "short": short}
    if dropped:
        numbers["min_lot_members_out"] = float(len(dropped))
    numbers.update({f"gain_{k}": v for k, v in gains.items()})
    return Shortfall(w, pid, short, short * kg_unit, reason, detail, numbers)
