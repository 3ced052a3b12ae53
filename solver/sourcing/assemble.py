"""Plan assembly: what each window buys, kept as flat arrays, then turned into a plan.

A window's solution is read once (:func:`commit_window`): its lines join a
:class:`Purchases` accumulator, its cost and logistics are added up, and the
:class:`~solver.sourcing.window.WindowState` the next window starts from is carried
forward (stock left, last week's drops, delivery weeks, running target balances).
:func:`purchase_plan` turns the accumulated arrays into
:class:`~solver.core.plan.PurchaseLine` rows once, at the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from solver.core import Channel, PurchaseLine, PurchasePlan, Scenario
from solver.sourcing.data import MatchData
from solver.sourcing.model import WindowSolution
from solver.sourcing.window import WindowModel, WindowState

__all__ = [
    "CHANNELS",
    "DIRECT",
    "FARM_PICKUP",
    "PLATFORM",
    "REFERENCE",
    "PurchaseLines",
    "Purchases",
    "commit_window",
    "platform_day",
    "drops_and_pickups",
    "merge_plans",
    "purchase_plan",
    "range_of",
]

#: Channel of each code of :attr:`PurchaseLines.channel`.
CHANNELS = (Channel.DIRECT, Channel.FARM_PICKUP, Channel.PLATFORM, Channel.REFERENCE)
DIRECT, FARM_PICKUP, PLATFORM, REFERENCE = range(len(CHANNELS))

#: Quantities at or below this many units are solver noise, not purchases.
_QTY_EPS = 1e-7


class PurchaseLines(NamedTuple):
    """Purchase lines as parallel arrays, one entry per line."""

    week: np.ndarray  # week index in MatchData.weeks
    kitchen: np.ndarray  # kitchen index
    product: np.ndarray  # product index
    supplier: np.ndarray  # producer index, -1 for the reference wholesaler
    channel: np.ndarray  # code of CHANNELS
    qty: np.ndarray  # purchase units
    price: np.ndarray  # EUR per unit paid
    offer: np.ndarray  # offer index; wholesaler: -1 (cheapest offer), -2 - x (range x)


@dataclass
class Purchases:
    """Everything bought so far, batch by batch (a window, or a heuristic's plan).

    ``cost_eur`` is the monolithic objective of what was bought, target penalties left
    out (they depend on the whole horizon: :func:`~solver.sourcing.result.target_shortfalls`);
    ``logistics_eur`` its drops', pickups' and platform stops' logistics cost.
    """

    batches: list[PurchaseLines] = field(default_factory=list)
    cost_eur: float = 0.0
    logistics_eur: float = 0.0

    @property
    def recorded(self) -> bool:
        """Whether any batch (even an empty one) was added."""
        return bool(self.batches)

    def add(self, lines: PurchaseLines) -> None:
        """Append a batch of lines."""
        self.batches.append(lines)

    def lines(self) -> PurchaseLines:
        """The lines of every batch so far, each field one array."""
        return PurchaseLines(
            *(
                np.concatenate([b[j] for b in self.batches])
                for j in range(len(PurchaseLines._fields))
            )
        )


def _window_lines(m: WindowModel, x: np.ndarray, data: MatchData) -> PurchaseLines:
    """The lines a window's solution ``x`` buys (calendar week indices)."""
    qd, qp, qr = x[m.xd], x[m.xp], x[m.xr]
    sd, spl, sr = qd > _QTY_EPS, qp > _QTY_EPS, qr > _QTY_EPS
    ch_d = np.array(
        [FARM_PICKUP if c is Channel.FARM_PICKUP else DIRECT for c in data.pk_channel], dtype=int
    )
    n_ref = int(sr.sum())
    return PurchaseLines(
        week=np.concatenate([m.xd_t[sd], m.xp_t[spl], m.xr_t[sr]]) + m.w0,
        kitchen=np.concatenate([data.pk_k[m.xd_pk[sd]], m.xp_k[spl], m.xr_k[sr]]),
        product=np.concatenate([data.o_i[m.xd_o[sd]], data.o_i[m.xp_o[spl]], m.xr_i[sr]]),
        supplier=np.concatenate(
            [data.pk_p[m.xd_pk[sd]], data.o_p[m.xp_o[spl]], np.full(n_ref, -1)]
        ),
        channel=np.concatenate(
            [
                ch_d[m.xd_pk[sd]] if len(ch_d) else np.zeros(0, int),
                np.full(int(spl.sum()), PLATFORM),
                np.full(n_ref, REFERENCE),
            ]
        ),
        qty=np.concatenate([qd[sd], qp[spl], qr[sr]]),
        price=np.concatenate([m.xd_value[sd], m.xp_value[spl], m.xr_value[sr]]),
        offer=np.concatenate([m.xd_o[sd], m.xp_o[spl], _range_code(m, sr)]),
    )


def _range_code(m: WindowModel, sr: np.ndarray) -> np.ndarray:
    """Offer code of the wholesaler lines ``sr``: -1 (cheapest offer), -2 - x (range x)."""
    x = m.xr_x[sr] if len(m.xr_x) else np.full(int(sr.sum()), -1, dtype=int)
    return np.where(x >= 0, -2 - x, -1)


def range_of(offer: np.ndarray) -> np.ndarray:
    """Wholesaler range of each line's offer code (-1: the cheapest offer)."""
    return np.where(offer <= -2, -2 - offer, -1)


def commit_window(
    m: WindowModel, sol: WindowSolution, data: MatchData, state: WindowState, bought: Purchases
) -> None:
    """Record a window's purchases, cost and logistics in ``bought`` and carry ``state``
    to the next window."""
    x = np.maximum(sol.x, 0.0)
    cost = np.concatenate(m.vars.cost)
    s_idx = m.s.ravel()
    bought.cost_eur += float(cost @ x - cost[s_idx] @ x[s_idx])
    lines = _window_lines(m, x, data)
    bought.add(lines)
    yv, zv, vv = x[m.y] > 0.5, x[m.z] > 0.5, x[m.v] > 0.5
    bought.logistics_eur += float(
        data.pk_cost[m.y_pk[yv]].sum()
        + data.plat_pickup_cost[m.z_p[zv], m.w0 + m.z_t[zv]].sum()
        + data.plat_stop_cost[data.plat_k_q[m.v_k[vv]]].sum()
    )
    _carry_state(m, x, data, state)
    _add_balances(lines, data, state)


def _carry_state(m: WindowModel, x: np.ndarray, data: MatchData, state: WindowState) -> None:
    """The window's last drops, its delivery weeks and its closing stock."""
    yv, zv = x[m.y] > 0.5, x[m.z] > 0.5
    n_t = m.w1 - m.w0
    state.drop_prev = np.zeros(len(data.pk_p), dtype=bool)
    state.drop_prev[m.y_pk[yv & (m.y_t == n_t - 1)]] = True
    state.delivered[data.pk_p[m.y_pk[yv]], m.w0 + m.y_t[yv]] = True
    state.delivered[m.z_p[zv], m.w0 + m.z_t[zv]] = True
    inv_end = np.zeros_like(state.inv0)
    last = m.inv_t == n_t - 1
    inv_end[m.inv_k[last], m.inv_i[last]] = x[m.inv[last]]
    state.inv0 = np.where(inv_end > _QTY_EPS, inv_end, 0.0)


def _add_balances(lines: PurchaseLines, data: MatchData, state: WindowState) -> None:
    """Add the EUR of ``lines`` to each kitchen's running target balances."""
    k, i, o = lines.kitchen, lines.product, lines.offer
    val = lines.qty * lines.price
    is_ref = o < 0
    _, r_egal, r_bio = data.reference_lines(k, i, range_of(o))
    egal = np.where(is_ref, r_egal, data.o_egalim[np.maximum(o, 0)])
    bio = np.where(is_ref, r_bio, data.o_bio[np.maximum(o, 0)])
    mf = data.meat_fish[i]
    n_k = len(data.kitchens)
    state.value += np.bincount(k, val, minlength=n_k)
    state.egalim += np.bincount(k, val * egal, minlength=n_k)
    state.bio += np.bincount(k, val * bio, minlength=n_k)
    state.mf_value += np.bincount(k, val * mf, minlength=n_k)
    state.mf_egalim += np.bincount(k, val * mf * egal, minlength=n_k)
    state.local += np.bincount(k, val * ~is_ref, minlength=n_k)


def drops_and_pickups(
    m: WindowModel, sol: WindowSolution, data: MatchData
) -> tuple[np.ndarray, np.ndarray]:
    """(producer, calendar week) of every direct drop and of every platform pickup of a
    window's solution, each an (n, 2) array."""
    yv, zv = sol.x[m.y] > 0.5, sol.x[m.z] > 0.5
    drops = np.stack([data.pk_p[m.y_pk[yv]], m.w0 + m.y_t[yv]], axis=1)
    pickups = np.stack([m.z_p[zv], m.w0 + m.z_t[zv]], axis=1)
    return drops, pickups


def _delivery_day(
    data: MatchData, pair_day: dict[tuple[int, int], int], k: int, p: int, channel: Channel
) -> int:
    """ISO weekday a line is delivered; ``pair_day[(p, k)]`` is a direct pair's."""
    if channel is Channel.REFERENCE:
        return min(data.kitchen_weekdays[k]) if data.kitchen_weekdays[k] else 1
    if channel is Channel.PLATFORM:
        return platform_day(
            data.plat_weekdays[data.plat_k_q[k]],
            data.producer_weekdays[p],
            data.kitchen_weekdays[k],
        )
    return pair_day.get((p, k), 1)


def platform_day(
    round_days: tuple[int, ...], producer_days: tuple[int, ...], kitchen_days: tuple[int, ...]
) -> int:
    """ISO weekday of a platform line: the platform's first round day on which the
    producer delivers and the kitchen receives, else the first on which the producer
    delivers (the model only puts producers who share a round day on a round), else the
    first round day."""
    for wanted in (set(producer_days) & set(kitchen_days), set(producer_days)):
        days = [d for d in round_days if d in wanted]
        if days:
            return days[0]
    return round_days[0] if round_days else 1


def purchase_plan(scenario: Scenario, data: MatchData, bought: Purchases) -> PurchasePlan:
    """The plan of ``bought``: one line per (week, kitchen, supplier, product) bought,
    sorted in that order, with its supplier's name, labels and delivery date."""
    if not bought.recorded:
        return PurchasePlan(weeks=tuple(data.weeks), logistics_source=data.logistics_source)
    week, kit, prod, sup, chan, qty, price, offer = bought.lines()
    order = np.lexsort((prod, sup, kit, week))
    ref_names = {r.supplier_id: r.supplier_name for r in scenario.reference_offers}
    pair_day = {
        (int(p), int(k)): int(d)
        for p, k, d in zip(data.pk_p, data.pk_k, data.pk_weekday, strict=True)
    }
    lines = []
    for j in order:
        k, i, w, c = int(kit[j]), int(prod[j]), int(week[j]), CHANNELS[int(chan[j])]
        monday = data.weeks[w]
        q = float(qty[j])
        p = int(sup[j])
        if c is Channel.REFERENCE:
            x = int(range_of(offer[j : j + 1])[0])
            sid = data.ref_supplier[k][i] if x < 0 else data.rx_supplier[x]
            name = ref_names.get(sid, "")
            labels = data.ref_labels[k][i] if x < 0 else data.rx_labels[x]
        else:
            sid, name = data.producers[p], data.producer_names[p]
            labels = data.o_labels[int(offer[j])]
        lines.append(
            PurchaseLine(
                week_start=monday,
                delivery_date=monday
                + dt.timedelta(days=_delivery_day(data, pair_day, k, p, c) - 1),
                kitchen_id=data.kitchens[k],
                supplier_id=sid,
                supplier_name=name,
                product_id=data.products[i],
                quantity=round(q, 6),
                quantity_kg=round(q * float(data.kg_per_unit[i]), 6),
                unit_price_eur=round(float(price[j]), 6),
                value_eur=round(q * float(price[j]), 6),
                labels=tuple(labels),
                channel=c,
                local=c is not Channel.REFERENCE,
                platform_id=scenario.platforms[int(data.plat_k_q[k])].id
                if c is Channel.PLATFORM
                else "",
            )
        )
    return PurchasePlan(
        weeks=tuple(data.weeks),
        lines=tuple(lines),
        logistics_cost_eur=round(bought.logistics_eur, 6),
        logistics_source=data.logistics_source,
    )


def merge_plans(plans: list[PurchasePlan], data: MatchData, logistics_eur: float) -> PurchasePlan:
    """One plan of the lines of ``plans`` (groups of kitchens), sorted by week, kitchen,
    supplier and product, with the total logistics cost."""
    lines = (
        list(plans[0].lines)
        if len(plans) == 1
        else sorted(
            (line for pl in plans for line in pl.lines),
            key=lambda x: (x.week_start, x.kitchen_id, x.supplier_id, x.product_id),
        )
    )
    return PurchasePlan(
        weeks=tuple(data.weeks),
        lines=tuple(lines),
        logistics_cost_eur=round(logistics_eur, 6),
        logistics_source=data.logistics_source,
    )
