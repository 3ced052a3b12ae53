"""The rules of a window's model, one function each, and its candidate lines.

Each ``add_*`` function appends the rows of one constraint family of the model written
at the top of :mod:`solver.sourcing.model` to a :class:`~solver.sourcing.window.WindowModel`,
vectorised (COO triplets, no per-row Python objects). Rows that can never bind are not
written. Candidate lines exist only where the offer has capacity and the kitchen has
something worth buying (``reach > 0``); drops and pickups whose producer's minimum order
cannot be reached even at full reach and capacity are pruned with their lines (no
feasible plan uses them, so pruning keeps every bound valid).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from solver.sourcing.data import MatchData
from solver.sourcing.window import WindowModel, WindowState

__all__ = [
    "add_capacity",
    "add_continuity",
    "add_demand_balance",
    "add_kitchen_deliveries",
    "add_min_lots",
    "add_min_orders",
    "add_platform_capacity",
    "add_producer_frequency",
    "add_reference_link",
    "add_storage",
    "add_targets",
    "add_value_aggregates",
    "Candidates",
    "candidate_lines",
    "index_of",
]


class Candidates(NamedTuple):
    """Candidate lines of a window (week ``*_t`` relative to its first week), named as the
    fields of :class:`~solver.sourcing.window.WindowModel`."""

    xd_pk: np.ndarray  # direct: pair, offer, week, tight bound min(capacity, reach)
    xd_o: np.ndarray
    xd_t: np.ndarray
    xd_big_m: np.ndarray
    xp_o: np.ndarray  # platform: offer, kitchen, week, tight bound
    xp_k: np.ndarray
    xp_t: np.ndarray
    xp_big_m: np.ndarray
    xr_k: np.ndarray  # wholesaler: kitchen, product, week, range (-1: cheapest offer)
    xr_i: np.ndarray
    xr_t: np.ndarray
    xr_x: np.ndarray
    inv_k: np.ndarray  # stock at the end of a week: kitchen, product, week
    inv_i: np.ndarray
    inv_t: np.ndarray


def candidate_lines(data: MatchData, w0: int, w1: int) -> Candidates:
    """Lines of the weeks ``[w0, w1)`` worth a variable: offers in season with something
    to buy, able to reach their minimum lot and their drop's or pickup's minimum order;
    wholesaler lines wherever there is reach; stock wherever some may be kept."""
    d_pk, d_o, d_t, d_m = _direct_lines(data, w0, w1)
    lot_ok = d_m >= data.o_min_lot[d_o] - 1e-9
    d_pk, d_o, d_t, d_m = d_pk[lot_ok], d_o[lot_ok], d_t[lot_ok], d_m[lot_ok]
    keep = _prune_drops(data, d_pk, d_o, d_t, d_m, w1 - w0)
    d_pk, d_o, d_t, d_m = d_pk[keep], d_o[keep], d_t[keep], d_m[keep]
    p_o, p_k, p_t, p_m = _platform_lines(data, w0, w1)
    lot_ok = p_m >= data.o_min_lot[p_o] - 1e-9
    p_o, p_k, p_t, p_m = p_o[lot_ok], p_k[lot_ok], p_t[lot_ok], p_m[lot_ok]
    r_k, r_i, r_t, r_x = _reference_lines(data, w0, w1)
    s_k, s_i, s_t = np.nonzero(data.future[:, :, w0:w1] > 0)
    return Candidates(d_pk, d_o, d_t, d_m, p_o, p_k, p_t, p_m, r_k, r_i, r_t, r_x, s_k, s_i, s_t)


def _reference_lines(data: MatchData, w0: int, w1: int) -> tuple[np.ndarray, ...]:
    """Wholesaler lines (k, i, t, range) wherever there is reach: the cheapest offer
    (range -1), then each other range of the wholesaler (``rx_*``)."""
    r_k, r_i, r_t = np.nonzero(data.reach[:, :, w0:w1] > 0)
    r_x = np.full(len(r_k), -1, dtype=int)
    n_t = w1 - w0
    if len(data.rx_k) and n_t:
        x = np.repeat(np.arange(len(data.rx_k)), n_t)
        t = np.tile(np.arange(n_t), len(data.rx_k))
        ok = data.reach[data.rx_k[x], data.rx_i[x], w0 + t] > 0
        x, t = x[ok], t[ok]
        r_k = np.concatenate([r_k, data.rx_k[x]])
        r_i = np.concatenate([r_i, data.rx_i[x]])
        r_t = np.concatenate([r_t, t])
        r_x = np.concatenate([r_x, x])
    return r_k, r_i, r_t, r_x


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
    """Candidate platform lines (o, k, t): the kitchen's platform collects from the offer's
    producer (chilled goods only in a refrigerated van), pruned by the pooled minimum
    order of each pickup (the producer's goods for one platform in a week)."""
    n_t = w1 - w0
    offers = np.flatnonzero(data.plat_prod[data.o_p])
    kitchens = np.flatnonzero(data.plat_kitch)
    empty = np.zeros(0, dtype=int)
    if len(offers) == 0 or len(kitchens) == 0 or n_t == 0:
        return empty, empty, empty, np.zeros(0)
    o = np.repeat(offers, len(kitchens) * n_t)
    k = np.tile(np.repeat(kitchens, n_t), len(offers))
    t = np.tile(np.arange(n_t), len(offers) * len(kitchens))
    i = data.o_i[o]
    q = data.plat_k_q[k]
    cap = data.o_cap[o, w0 + t]
    reach = data.reach[k, i, w0 + t]
    keep = (
        (cap > 0)
        & (reach > 0)
        & data.plat_pq[q, data.o_p[o]]
        & (data.plat_refrigerated[q] | ~data.cold[i])
    )
    o, k, t, cap, reach, q = o[keep], k[keep], t[keep], cap[keep], reach[keep], q[keep]
    big_m = np.minimum(cap, reach)
    # pooled bound per pickup (q, p, t): sum over offers of min(cap, sum_k reach)
    n_p, n_q = len(data.producers), len(data.plat_margin)
    oqt_key = (q * len(data.o_p) + o) * n_t + t
    uniq, inv_idx = np.unique(oqt_key, return_inverse=True)
    u_o, u_t, u_q = (uniq // n_t) % len(data.o_p), uniq % n_t, uniq // n_t // len(data.o_p)
    pooled = np.minimum(np.bincount(inv_idx, reach), data.o_cap[u_o, w0 + u_t])
    pkey = (u_q * n_p + data.o_p[u_o]) * n_t + u_t
    n_keys = n_q * n_p * n_t
    max_kg = np.bincount(pkey, pooled * data.kg_per_unit[data.o_i[u_o]], minlength=n_keys)
    max_eur = np.bincount(pkey, pooled * data.o_price[u_o], minlength=n_keys)
    key_p = np.arange(n_keys) // n_t % n_p
    key_q = np.arange(n_keys) // n_t // n_p
    ok = (
        (max_kg >= data.min_kg[key_p] - 1e-9)
        & (max_eur >= data.min_eur[key_p] - 1e-9)
        & (data.min_kg[key_p] <= data.plat_kg_week[key_q] + 1e-9)
    )
    if data.pickup_done.size:  # pickups kitchens planned before already made: no minimum
        ok |= data.pickup_done[key_p, w0 + np.arange(n_keys) % n_t]
    keep2 = ok[(q * n_p + data.o_p[o]) * n_t + t]
    return o[keep2], k[keep2], t[keep2], big_m[keep2]


def index_of(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    uniq, pos = index_of(keys)
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


def add_demand_balance(m: WindowModel, data: MatchData, state: WindowState) -> None:
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


def add_capacity(m: WindowModel, data: MatchData) -> None:
    """Weekly capacity per offer (in season), shared by all kitchens and channels."""
    n_t = m.w1 - m.w0
    keys = np.concatenate([m.xd_o * n_t + m.xd_t, m.xp_o * n_t + m.xp_t])
    if len(keys) == 0:
        return
    uniq, pos = index_of(keys)
    cap = data.o_cap[uniq // n_t, m.w0 + uniq % n_t]
    m.rows.add("capacity", len(uniq), pos, np.concatenate([m.xd, m.xp]), 1.0, -np.inf, cap)


def add_min_orders(m: WindowModel, data: MatchData) -> None:
    """Minimum order per direct drop (kg and EUR) and per pooled platform pickup.

    ``x <= M y`` per line with the tight ``M = min(capacity, reach)``; ``sum kg x >= min_kg y``
    and ``sum price x >= min_eur y`` per drop ``y[p, k, w]``; the same with the pickup
    ``z[p, w]`` (one per platform collecting ``p``) summed over all kitchens of that
    platform's round (producer price, before margin).
    """
    _add_links(m, "drop_link", m.xd, m.y[m.xd_drop], m.xd_big_m)
    p_of_y = data.pk_p[m.y_pk]
    i_d = data.o_i[m.xd_o]
    for what, mins, coef in (
        ("min_order_kg", data.min_kg, data.kg_per_unit[i_d]),
        ("min_order_eur", data.min_eur, data.o_price[m.xd_o]),
    ):
        need = mins[p_of_y] > 0
        _add_minimums(m, what, need, m.xd_drop, m.xd, m.y, coef, mins[p_of_y[need]])
    if len(m.xp) == 0:
        return
    _add_links(m, "pickup_link", m.xp, m.z[m.xp_pickup], m.xp_big_m)
    _add_links(m, "platform_stop_link", m.xp, m.v[m.xp_stop], m.xp_big_m)
    i_p = data.o_i[m.xp_o]
    for what, mins, coef in (
        ("pickup_min_kg", data.min_kg, data.kg_per_unit[i_p]),
        ("pickup_min_eur", data.min_eur, data.o_price[m.xp_o]),
    ):
        need = mins[m.z_p] > 0
        if data.pickup_done.size:  # kitchens planned before met that pickup's minimum
            need &= ~data.pickup_done[m.z_p, m.w0 + m.z_t]
        _add_minimums(m, what, need, m.xp_pickup, m.xp, m.z, coef, mins[m.z_p[need]])


def _add_links(
    m: WindowModel, rule: str, lines: np.ndarray, binaries: np.ndarray, big_m: np.ndarray
) -> None:
    """``x <= M b`` for each line ``x`` and its binary ``b``."""
    n_l = len(lines)
    m.rows.add(
        rule,
        n_l,
        np.concatenate([np.arange(n_l), np.arange(n_l)]),
        np.concatenate([lines, binaries]),
        np.concatenate([np.ones(n_l), -big_m]),
        -np.inf,
        0.0,
    )


def _add_minimums(
    m: WindowModel,
    rule: str,
    need: np.ndarray,
    line_binary: np.ndarray,
    lines: np.ndarray,
    binaries: np.ndarray,
    coef: np.ndarray,
    minimum: np.ndarray,
) -> None:
    """``sum coef x >= minimum b`` over the lines of each binary ``b`` where ``need``;
    ``line_binary`` is the position of each line's binary."""
    row_of = np.full(len(binaries), -1)
    row_of[need] = np.arange(int(need.sum()))
    sel = need[line_binary]
    rows = np.concatenate([row_of[line_binary[sel]], row_of[need]])
    cols = np.concatenate([lines[sel], binaries[need]])
    vals = np.concatenate([coef[sel], -minimum])
    m.rows.add(rule, int(need.sum()), rows, cols, vals, 0.0, np.inf)


def add_min_lots(m: WindowModel) -> None:
    """An order line of an offer with a minimum lot is 0 or at least that lot:
    ``min_lot b <= x <= M b`` with one binary ``b`` per such line (lines whose reach is
    below the lot were pruned)."""
    n = len(m.lot_x)
    if n == 0:
        return
    r = np.concatenate([np.arange(n), np.arange(n)])
    c = np.concatenate([m.lot_x, m.lot])
    ones = np.ones(n)
    m.rows.add("min_lot_upper", n, r, c, np.concatenate([ones, -m.lot_big_m]), -np.inf, 0.0)
    m.rows.add("min_lot_lower", n, r, c, np.concatenate([ones, -m.lot_min]), 0.0, np.inf)


def add_platform_capacity(m: WindowModel, data: MatchData) -> None:
    """Kilograms through each platform per week <= its vans' payload x round days."""
    if len(m.xp) == 0:
        return
    n_t = m.w1 - m.w0
    kg = data.kg_per_unit[data.o_i[m.xp_o]]
    cap = np.repeat(data.plat_kg_week[:, None], n_t, axis=1)
    if data.plat_kg_used.size:
        cap = np.maximum(cap - data.plat_kg_used[:, m.w0 : m.w1], 0.0)
    rows = data.plat_k_q[m.xp_k] * n_t + m.xp_t
    m.rows.add("platform_capacity", cap.size, rows, m.xp, kg, -np.inf, cap.ravel())


def add_reference_link(m: WindowModel, data: MatchData) -> None:
    """A wholesaler purchase in week w needs its delivery r[k, w] (it counts as one)."""
    _add_links(m, "reference_link", m.xr, m.r[m.xr_del], data.reach[m.xr_k, m.xr_i, m.w0 + m.xr_t])


def add_producer_frequency(m: WindowModel, data: MatchData, state: WindowState) -> None:
    """Producer drops per week <= deliveries_per_week; at most one delivery week in any
    ``delivery_every_n_weeks`` consecutive weeks (history carried from earlier windows)."""
    n_t = m.w1 - m.w0
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
    if len(m.a):
        _add_delivery_weeks(m, data, state)


def _add_delivery_weeks(m: WindowModel, data: MatchData, state: WindowState) -> None:
    """``y, z <= a[p, w]`` and ``sum_{w'=w..w+n_p-1} a[p, w'] <= 1`` for producers
    delivering every ``n_p > 1`` weeks, counting the weeks earlier windows delivered."""
    n_t = m.w1 - m.w0
    n_p = len(data.producers)
    cols = np.concatenate([m.y, m.z])
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


def add_kitchen_deliveries(m: WindowModel, data: MatchData) -> None:
    """Distinct deliveries a kitchen receives a week <= max_deliveries_per_week:
    its direct drops + 1 if the platform stops + 1 if the wholesaler delivers."""
    n_t = m.w1 - m.w0
    keys = np.concatenate(
        [data.pk_k[m.y_pk] * n_t + m.y_t, m.v_k * n_t + m.v_t, m.r_k * n_t + m.r_t]
    )
    cols = np.concatenate([m.y, m.v, m.r])
    _add_count_limits(m, "kitchen_deliveries", keys, cols, data.max_deliveries, n_t)


def add_storage(m: WindowModel, data: MatchData) -> None:
    """Stock at the end of a week within storage: chilled+frozen kg and ambient kg."""
    if len(m.inv) == 0:
        return
    n_t = m.w1 - m.w0
    cold = data.cold[m.inv_i].astype(int)
    keys = (m.inv_k * n_t + m.inv_t) * 2 + cold
    uniq, pos = index_of(keys)
    k = uniq // 2 // n_t
    cap = np.where(uniq % 2 == 1, data.storage_chilled_kg[k], data.storage_ambient_kg[k])
    m.rows.add("storage", len(uniq), pos, m.inv, data.kg_per_unit[m.inv_i], -np.inf, cap)


def add_value_aggregates(m: WindowModel, data: MatchData) -> None:
    """``agg[k, t, j]`` = EUR bought by kitchen ``k`` in week ``t`` at the price paid, in
    total and for each share (:data:`~solver.sourcing.window.AGGREGATES`: EGALIM counted once
    per euro, organic, local = from a producer, meat and fish, their EGALIM part).

    The target rows then sum a few aggregates a week instead of every line, so that the
    yearly rows stay short (long rows over a year of lines slow the LP relaxation down).
    """
    n_t = m.w1 - m.w0
    k_all = np.concatenate([data.pk_k[m.xd_pk], m.xp_k, m.xr_k])
    t_all = np.concatenate([m.xd_t, m.xp_t, m.xr_t])
    cols = np.concatenate([m.xd, m.xp, m.xr])
    value = np.concatenate([m.xd_value, m.xp_value, m.xr_value])
    _, r_egal, r_bio = data.reference_lines(m.xr_k, m.xr_i, m.xr_x)
    egal = np.concatenate([data.o_egalim[m.xd_o], data.o_egalim[m.xp_o], r_egal])
    bio = np.concatenate([data.o_bio[m.xd_o], data.o_bio[m.xp_o], r_bio])
    i_all = np.concatenate([data.o_i[m.xd_o], data.o_i[m.xp_o], m.xr_i])
    local = np.concatenate(
        [np.ones(len(m.xd) + len(m.xp), dtype=bool), np.zeros(len(m.xr), dtype=bool)]
    )
    mf = data.meat_fish[i_all]
    flags = [np.ones(len(cols), dtype=bool), egal, bio, local, mf, mf & egal]
    n_k = len(data.kitchens)
    n_j = len(flags)
    rows, cc, vv = [], [], []
    for j, flag in enumerate(flags):
        sel = flag.astype(bool)
        rows.append((k_all[sel] * n_t + t_all[sel]) * n_j + j)
        cc.append(cols[sel])
        vv.append(value[sel])
    rows.append(np.arange(n_k * n_t * n_j))
    cc.append(m.agg.ravel())
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


def add_targets(
    m: WindowModel, data: MatchData, state: WindowState, *, lookahead: np.ndarray | None = None
) -> None:
    """EGALIM, organic, meat-and-fish EGALIM and local shares, and the budget, per kitchen,
    as running balances over the horizon so far, each with a shortfall variable.

    With ``lookahead`` ((K, 6) aggregates a relaxation plans after the window, in the order
    of ``agg``) the balances run over the whole horizon: bought so far + the window + that
    forecast, and the budget over every meal of the horizon.
    """
    n_t = m.w1 - m.w0
    n_k = len(data.kitchens)
    agg = m.agg  # (K, T, J)
    ks = np.repeat(np.arange(n_k), n_t)

    def share(rule: str, num: int, den: int, target: np.ndarray, rhs: np.ndarray, j: int) -> None:
        r = np.concatenate([ks, ks, np.arange(n_k)])
        c = np.concatenate([agg[:, :, num].ravel(), agg[:, :, den].ravel(), m.s[:, j]])
        v = np.concatenate([np.ones(n_k * n_t), -np.repeat(target, n_t), np.ones(n_k)])
        m.rows.add(rule, n_k, r, c, v, rhs, np.inf)

    la = np.zeros((n_k, agg.shape[2])) if lookahead is None else lookahead
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
    meals = meals + data.meals_before
    rhs = data.budget_eur_per_meal * meals - value
    r = np.concatenate([ks, np.arange(n_k)])
    c = np.concatenate([agg[:, :, 0].ravel(), m.s[:, 4]])
    v = np.concatenate([np.ones(n_k * n_t), -np.ones(n_k)])
    m.rows.add("budget", n_k, r, c, v, -np.inf, rhs)


def add_continuity(m: WindowModel, data: MatchData, state: WindowState) -> None:
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
