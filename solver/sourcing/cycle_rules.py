"""The rules of the weekly cycle and of re-planning, one function each (maths at the top
of :mod:`solver.sourcing.model`): lines kept fixed, regularity of producers' volumes, and
the count of a previous plan's order lines that change.

Like :mod:`solver.sourcing.constraints`, each ``add_*`` function appends vectorised rows
(COO triplets) to a :class:`~solver.sourcing.window.WindowModel`; with no fixed line, no
regularity cost and no previous plan they add nothing, so the model is unchanged.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from solver.core import RegularityScope
from solver.evaluation import CHANGE_TOL_KG as EVAL_CHANGE_TOL_KG
from solver.sourcing.constraints import index_of
from solver.sourcing.data import MatchData
from solver.sourcing.lines import LINE_DIRECT, LINE_PLATFORM, LINE_REFERENCE, LineRefs
from solver.sourcing.window import ObjectiveSpec, WindowModel, WindowState

__all__ = [
    "CHANGE_TOL_KG",
    "activity",
    "add_changes",
    "add_fixed_lines",
    "add_regularity",
    "carry_regularity",
    "locate_lines",
    "previous_binaries",
]

#: In the model, a previous line whose kg move by at most this much is unchanged: half
#: the kg a line must move by to count as changed (:data:`solver.evaluation.CHANGE_TOL_KG`),
#: so that a line the model keeps is never counted as changed.
CHANGE_TOL_KG = 0.5 * EVAL_CHANGE_TOL_KG


# --------------------------------------------------------------------------- lines


def _keys(data: MatchData, kind: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One integer per (kind, a, b): a line's place, whatever its week."""
    n_b = max(len(data.producers), len(data.kitchens), len(data.products), len(data.o_p), 1)
    n_b = max(n_b, len(data.pk_p))
    return (a.astype(np.int64) * (n_b + 1) + b.astype(np.int64)) * 3 + kind.astype(np.int64)


def _candidate_refs(m: WindowModel) -> LineRefs:
    """The window's candidate lines (direct, platform, reference, in column order) as refs
    (``qty`` left at 0)."""
    kind = np.concatenate(
        [
            np.full(len(m.xd), LINE_DIRECT),
            np.full(len(m.xp), LINE_PLATFORM),
            np.full(len(m.xr), LINE_REFERENCE),
        ]
    )
    return LineRefs(
        kind=kind,
        a=np.concatenate([m.xd_pk, m.xp_o, m.xr_k]),
        b=np.concatenate([m.xd_o, m.xp_k, m.xr_i]),
        week=np.concatenate([m.xd_t, m.xp_t, m.xr_t]) + m.w0,
        qty=np.zeros(len(kind)),
    )


def locate_lines(m: WindowModel, data: MatchData, refs: LineRefs) -> np.ndarray:
    """Position of each of ``refs`` among the window's candidate lines (direct, platform,
    reference, in that order), -1 for a line with no candidate (or not in the window)."""
    cand = _candidate_refs(m)
    out = np.full(len(refs.kind), -1)
    if len(cand.kind) == 0 or len(refs.kind) == 0:
        return out
    n_t = m.w1 - m.w0
    ck = _keys(data, cand.kind, cand.a, cand.b) * n_t + (cand.week - m.w0)
    order = np.argsort(ck, kind="stable")
    sk = ck[order]
    inside = (refs.week >= m.w0) & (refs.week < m.w1) & (refs.kind >= 0)
    rk = _keys(data, np.maximum(refs.kind, 0), refs.a, np.maximum(refs.b, 0)) * n_t
    rk = rk + np.clip(refs.week - m.w0, 0, n_t - 1)
    pos = np.minimum(np.searchsorted(sk, rk), len(sk) - 1)
    found = inside & (sk[pos] == rk)
    out[found] = order[pos[found]]
    return out


class _Lines(NamedTuple):
    """Every candidate line of a window: column, product, bound, binaries."""

    col: np.ndarray
    product: np.ndarray
    big_m: np.ndarray
    binaries: list[np.ndarray]  # per line, the drop / pickup / stop / delivery binaries


def _lines(m: WindowModel, data: MatchData) -> _Lines:
    cols = np.concatenate([m.xd, m.xp, m.xr])
    r_big = data.reach[m.xr_k, m.xr_i, m.w0 + m.xr_t]
    big_m = np.concatenate([m.xd_big_m, m.xp_big_m, r_big])
    n_d, n_p, n_r = len(m.xd), len(m.xp), len(m.xr)
    none = np.full(n_d + n_p + n_r, -1)
    first, second = none.copy(), none.copy()
    first[:n_d] = m.y[m.xd_drop] if n_d else first[:0]
    if n_p:
        first[n_d : n_d + n_p] = m.z[m.xp_pickup]
        second[n_d : n_d + n_p] = m.v[m.xp_stop]
    if n_r:
        first[n_d + n_p :] = m.r[m.xr_del]
    lot_of = np.full(m.vars.n, -1)
    lot_of[m.lot_x] = m.lot
    product = np.concatenate([data.o_i[m.xd_o], data.o_i[m.xp_o], m.xr_i])
    return _Lines(cols, product, big_m, [first, second, lot_of[cols]])


def add_fixed_lines(m: WindowModel, data: MatchData) -> None:
    """Lines already ordered keep their quantity: ``x = q`` (bounds), and their drop,
    pickup, stop, delivery and lot binaries are 1.

    Raises
    ------
    ValueError
        When a fixed line of the window has no candidate line (checked before a solve by
        :func:`solver.sourcing.revision.locate_fixed`).
    """
    if data.fixed is None or len(data.fixed.kind) == 0:
        return
    inside = (data.fixed.week >= m.w0) & (data.fixed.week < m.w1)
    refs = data.fixed.take(inside)
    pos = locate_lines(m, data, refs)
    if (pos < 0).any():
        msg = f"{int((pos < 0).sum())} fixed line(s) have no candidate line in the window"
        raise ValueError(msg)
    lines = _lines(m, data)
    m.vars.bound(lines.col[pos], refs.qty, refs.qty)
    for binaries in lines.binaries:
        b = binaries[pos]
        m.vars.bound(b[b >= 0], 1.0, 1.0)


# --------------------------------------------------------------------------- regularity


def activity(data: MatchData, scope: RegularityScope) -> np.ndarray:
    """(A, W) weeks with demand, per kitchen (scope producer-kitchen) or for all of them
    (scope producer, one row): the weeks whose volumes the regularity penalty compares."""
    eats = data.demand.sum(axis=1) > 0
    return eats if scope is RegularityScope.PRODUCER_KITCHEN else eats.any(axis=0)[None, :]


def _prev_next(act: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (row, week): the last active week before it (-1: none) and the first
    active week after it (W: none)."""
    n_w = act.shape[1]
    w = np.arange(n_w)
    last = np.maximum.accumulate(np.where(act, w, -1), axis=1)
    prev = np.concatenate([np.full((act.shape[0], 1), -1), last[:, :-1]], axis=1)
    first = np.minimum.accumulate(np.where(act, w, n_w)[:, ::-1], axis=1)[:, ::-1]
    nxt = np.concatenate([first[:, 1:], np.full((act.shape[0], 1), n_w)], axis=1)
    return prev, nxt


class _Volume(NamedTuple):
    """Producers' purchase lines of a window: group, activity row, week, column, kg."""

    g: np.ndarray
    a: np.ndarray
    t: np.ndarray
    col: np.ndarray
    kg: np.ndarray
    p: np.ndarray
    k: np.ndarray


def _volume_lines(m: WindowModel, data: MatchData, scope: RegularityScope) -> _Volume:
    p = np.concatenate([data.pk_p[m.xd_pk], data.o_p[m.xp_o]])
    k = np.concatenate([data.pk_k[m.xd_pk], m.xp_k])
    i = np.concatenate([data.o_i[m.xd_o], data.o_i[m.xp_o]])
    by_pair = scope is RegularityScope.PRODUCER_KITCHEN
    g = p * len(data.kitchens) + k if by_pair else p
    a = k if by_pair else np.zeros_like(k)
    return _Volume(
        g, a, np.concatenate([m.xd_t, m.xp_t]), np.concatenate([m.xd, m.xp]),
        data.kg_per_unit[i], p, k,
    )  # fmt: skip


def add_regularity(
    m: WindowModel, data: MatchData, state: WindowState, spec: ObjectiveSpec
) -> None:
    """``dev[g, w] >= |X[g, w] - X[g, w']|`` with ``X`` the kg of a group (a producer and a
    kitchen, or a producer) in week ``w`` and ``w'`` the group's previous week with demand,
    ``dev`` priced ``regularity_eur_per_kg``; across the window's start ``X[g, w']`` is what
    earlier windows (or the kept weeks of a re-plan) bought."""
    rho = spec.ordering.regularity_eur_per_kg
    if rho <= 0:
        return
    scope = spec.ordering.regularity_scope
    n_t, n_k = m.w1 - m.w0, len(data.kitchens)
    act = activity(data, scope)
    prev, nxt = _prev_next(act)
    vol = _volume_lines(m, data, scope)
    on = act[vol.a, m.w0 + vol.t]
    vol = _Volume(*(f[on] for f in vol))
    nxt_t = nxt[vol.a, m.w0 + vol.t] - m.w0
    has_next = nxt_t < n_t
    keys = [vol.g * n_t + vol.t, (vol.g * n_t + nxt_t)[has_next]]
    carried = _carried(data, state, scope, act, prev, m.w0, m.w1)
    keys.append(carried[0] * n_t + carried[1])
    uniq, _ = index_of(np.concatenate(keys).astype(np.int64))
    g_u, t_u = uniq // n_t, uniq % n_t
    a_u = g_u % n_k if scope is RegularityScope.PRODUCER_KITCHEN else np.zeros_like(g_u)
    p_w = prev[a_u, m.w0 + t_u]
    seen = state.reg_seen if len(state.reg_seen) else np.zeros(n_k, dtype=bool)
    seen_a = (
        seen[a_u] if scope is RegularityScope.PRODUCER_KITCHEN else np.full(len(a_u), seen.any())
    )
    keep = (p_w >= m.w0) | seen_a
    uniq, g_u, t_u, p_w = uniq[keep], g_u[keep], t_u[keep], p_w[keep]
    const = np.where(p_w < m.w0, _carried_kg(state, scope, g_u, n_k), 0.0)
    n = len(uniq)
    dev = m.vars.add("reg_dev", n, np.inf, spec.cost_weight * rho, False)
    m.reg_dev = dev
    cur = _row_of(uniq, vol.g * n_t + vol.t)
    prv = np.where(has_next, _row_of(uniq, vol.g * n_t + np.minimum(nxt_t, n_t - 1)), -1)
    c_ok, p_ok = cur >= 0, prv >= 0
    rows = np.concatenate([np.arange(n), cur[c_ok], prv[p_ok]])
    cols = np.concatenate([dev, vol.col[c_ok], vol.col[p_ok]])
    up = np.concatenate([np.ones(n), -vol.kg[c_ok], vol.kg[p_ok]])
    m.rows.add("regularity_up", n, rows, cols, up, -const, np.inf)
    down = np.concatenate([np.ones(n), vol.kg[c_ok], -vol.kg[p_ok]])
    m.rows.add("regularity_down", n, rows, cols, down, const, np.inf)


def _row_of(uniq: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each key in the sorted ``uniq``, -1 when absent."""
    if len(uniq) == 0:
        return np.full(len(keys), -1)
    pos = np.minimum(np.searchsorted(uniq, keys), len(uniq) - 1)
    return np.where(uniq[pos] == keys, pos, -1)


def _carried(
    data: MatchData,
    state: WindowState,
    scope: RegularityScope,
    act: np.ndarray,
    prev: np.ndarray,
    w0: int,
    w1: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(group, week) of the groups that bought in the week before the window's first week
    with demand: their change is counted even if they buy nothing in the window."""
    if len(state.reg_kg) == 0:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    window = act[:, w0:w1]
    has = np.asarray(window.any(axis=1), dtype=bool)
    t1 = np.argmax(window, axis=1)
    n_k = len(data.kitchens)
    if scope is RegularityScope.PRODUCER_KITCHEN:
        p, k = np.nonzero(state.reg_kg > 0)
        ok = has[k] & (prev[k, w0 + t1[k]] < w0)
        return (p * n_k + k)[ok], t1[k][ok]
    p = np.flatnonzero(state.reg_kg.sum(axis=1) > 0)
    ok = np.full(len(p), bool(has[0]) and prev[0, w0 + t1[0]] < w0)
    return p[ok], np.full(int(ok.sum()), t1[0])


def _carried_kg(state: WindowState, scope: RegularityScope, g: np.ndarray, n_k: int) -> np.ndarray:
    """Kg each group bought in its last week with demand before the window."""
    if len(state.reg_kg) == 0:
        return np.zeros(len(g))
    if scope is RegularityScope.PRODUCER_KITCHEN:
        return state.reg_kg[g // n_k, g % n_k]
    return state.reg_kg.sum(axis=1)[g]


def carry_regularity(
    m: WindowModel, x: np.ndarray, data: MatchData, state: WindowState, scope: RegularityScope
) -> None:
    """Keep, in ``state``, the kg of each group in its last week with demand in the window
    (scope producer: per producer and kitchen in the territory's last such week)."""
    if len(state.reg_kg) == 0:
        return
    act = activity(data, scope)[:, m.w0 : m.w1]
    has = np.asarray(act.any(axis=1), dtype=bool)
    if not has.any():
        return
    last = act.shape[1] - 1 - np.argmax(act[:, ::-1], axis=1)
    vol = _volume_lines(m, data, scope)
    at_last = has[vol.a] & (vol.t == last[vol.a])
    if scope is RegularityScope.PRODUCER_KITCHEN:
        state.reg_kg[:, has] = 0.0
        state.reg_seen[has] = True
    else:
        state.reg_kg[:] = 0.0
        state.reg_seen[:] = True
    np.add.at(
        state.reg_kg,
        (vol.p[at_last], vol.k[at_last]),
        np.maximum(x[vol.col[at_last]], 0.0) * vol.kg[at_last],
    )


# --------------------------------------------------------------------------- changes


def add_changes(m: WindowModel, data: MatchData, spec: ObjectiveSpec) -> None:
    """Count the order lines that differ from the previous plan's (``data.previous``).

    A previous line ``l`` (quantity ``q``) with a candidate ``x`` gets a binary ``c``:
    ``x - max(M - q, 0) c <= q + tol`` and ``x + q c >= q - tol`` (``c = 1`` whenever ``x``
    moves by more than :data:`CHANGE_TOL_KG`); every other candidate line gets a binary
    ``n`` with ``x <= M n`` (a new line); previous lines with no candidate (their offer
    or pair is gone, or out of capacity) change anyway (``chg_forced``). Each binary costs
    ``change_eur`` (in lexicographic mode their count is minimised first by
    :mod:`solver.sourcing.rolling`).
    """
    prev = data.previous
    if prev is None or not spec.counts_changes:
        return
    inside = (prev.week >= m.w0) & (prev.week < m.w1)
    refs = prev.take(inside)
    pos = locate_lines(m, data, refs)
    m.chg_forced = int((pos < 0).sum())
    lines = _lines(m, data)
    matched = pos >= 0
    pos, q = pos[matched], refs.qty[matched]
    is_old = np.zeros(len(lines.col), dtype=bool)
    is_old[pos] = True
    new = np.flatnonzero(~is_old)
    cost = 0.0 if spec.lexicographic_changes else spec.cost_weight * spec.change_eur
    c = m.vars.add("changed", len(pos), 1.0, cost, True)
    n = m.vars.add("new_line", len(new), 1.0, cost, True)
    m.chg = np.concatenate([c, n])
    m.chg_x = np.concatenate([lines.col[pos], lines.col[new]])
    m.chg_q = np.concatenate([q, np.zeros(len(new))])
    m.chg_kg_per_unit = data.kg_per_unit[np.concatenate([lines.product[pos], lines.product[new]])]
    n_c = len(pos)
    r = np.concatenate([np.arange(n_c), np.arange(n_c)])
    cols = np.concatenate([lines.col[pos], c])
    slack = np.maximum(lines.big_m[pos] - q, 0.0)
    tol = CHANGE_TOL_KG / data.kg_per_unit[lines.product[pos]]
    m.rows.add("change_up", n_c, r, cols, np.concatenate([np.ones(n_c), -slack]), -np.inf, q + tol)
    m.rows.add("change_down", n_c, r, cols, np.concatenate([np.ones(n_c), q]), q - tol, np.inf)
    n_n = len(new)
    m.rows.add(
        "new_line_link",
        n_n,
        np.concatenate([np.arange(n_n), np.arange(n_n)]),
        np.concatenate([lines.col[new], n]),
        np.concatenate([np.ones(n_n), -lines.big_m[new]]),
        -np.inf,
        0.0,
    )


def previous_binaries(m: WindowModel, data: MatchData) -> tuple[np.ndarray, np.ndarray]:
    """Every drop, pickup, stop, delivery-week and lot binary of the window, and its value
    in the previous plan: 1 where one of its lines (with a candidate) uses it, else 0."""
    cols = np.concatenate([m.y, m.z, m.v, m.a, m.lot]).astype(np.int64)
    on = np.zeros(m.vars.n, dtype=bool)
    if data.previous is not None:
        refs = data.previous
        pos = locate_lines(m, data, refs.take(refs.qty > 0))
        pos = pos[pos >= 0]
        for binaries in _lines(m, data).binaries:
            b = binaries[pos]
            on[b[b >= 0]] = True
    n_t = m.w1 - m.w0
    week_of = np.zeros(len(data.producers) * max(n_t, 1), dtype=bool)
    y_on, z_on = on[m.y], on[m.z]
    week_of[(data.pk_p[m.y_pk] * n_t + m.y_t)[y_on]] = True
    week_of[(m.z_p * n_t + m.z_t)[z_on]] = True
    if len(m.a):
        on[m.a] = week_of[m.a_p * n_t + m.a_t]
    return cols, on[cols].astype(float)
