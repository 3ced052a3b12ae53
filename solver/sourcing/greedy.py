"""Greedy baseline: nearest, then cheapest, producer first (what a cook does by hand).

For every week, kitchen (largest demand first) and product, the eligible direct offers
are taken nearest first (ties: cheapest), each up to its remaining weekly capacity; a
drop that ends below the producer's minimum order (kg or EUR) or minimum lot is undone;
the kitchen's and producer's weekly delivery limits and the producer's delivery days and
"every n weeks" are respected; the rest goes to the reference wholesaler. No platform, no
stock, no targets: it is the yardstick the optimiser is compared with in
``benchmarks/matching_scale.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from solver.core import Channel, PurchasePlan, Scenario
from solver.prepare import Eligibility
from solver.sourcing.data import LogisticsOverrides, MatchData, build_match_data
from solver.sourcing.solve import _Acc, _plan

__all__ = ["greedy_plan"]

logger = logging.getLogger(__name__)


def greedy_plan(
    scenario: Scenario,
    demand: pd.DataFrame,
    meals: pd.DataFrame,
    eligibility: Eligibility,
    *,
    kitchens: Sequence[str] | None = None,
    logistics_cost_overrides: LogisticsOverrides | None = None,
) -> PurchasePlan:
    """The greedy plan (see module docstring); ``logistics_cost_eur`` = its drops' estimate."""
    data = build_match_data(
        scenario, demand, meals, eligibility, kitchens=kitchens, overrides=logistics_cost_overrides
    )
    return _greedy(scenario, data)


def _greedy(scenario: Scenario, data: MatchData) -> PurchasePlan:
    n_w = data.demand.shape[2]
    # candidates per (kitchen, product): (pk index, offer index), nearest then cheapest
    pk_of = {(int(p), int(k)): j for j, (p, k) in enumerate(zip(data.pk_p, data.pk_k, strict=True))}
    offers_of_p: dict[int, list[int]] = {}
    for o, p in enumerate(data.o_p):
        offers_of_p.setdefault(int(p), []).append(o)
    cands: dict[tuple[int, int], list[tuple[float, float, int, int]]] = {}
    for (p, k), j in pk_of.items():
        for o in offers_of_p.get(p, []):
            cands.setdefault((k, int(data.o_i[o])), []).append(
                (float(data.pk_cost[j]), float(data.o_price[o]), j, o)
            )
    for v in cands.values():
        v.sort()
    cap_left = data.o_cap.copy()
    delivered_week = np.full(len(data.producers), -10_000)
    rows: list[tuple[int, int, int, int, int, float, float, int]] = []
    logistics = 0.0
    ch_code = {Channel.DIRECT: 0, Channel.FARM_PICKUP: 1}
    for w in range(n_w):
        drops_per_p = np.zeros(len(data.producers), dtype=int)
        order = np.argsort(-data.demand[:, :, w].sum(axis=1), kind="stable")
        for k in order:
            need = data.demand[k, :, w].copy()
            if need.sum() <= 0:
                continue
            taken: dict[int, list[tuple[int, int, float]]] = {}  # pk -> [(i, o, q)]
            for i in np.flatnonzero(need > 0).tolist():
                for _, _, j, o in cands.get((int(k), int(i)), []):
                    p = int(data.pk_p[j])
                    if need[i] <= 1e-9:
                        break
                    if j not in taken and (
                        len(taken) + 1 >= data.max_deliveries[k]  # keep one for the wholesaler
                        or drops_per_p[p] >= data.per_week[p]
                        or (w - delivered_week[p] < data.every_n[p] and delivered_week[p] != w)
                    ):
                        continue
                    q = min(need[i], cap_left[o, w])
                    if q <= 1e-9 or q < data.o_min_lot[o]:
                        continue
                    taken.setdefault(j, []).append((int(i), o, q))
                    cap_left[o, w] -= q
                    need[i] -= q
            for j, lines in taken.items():
                p = int(data.pk_p[j])
                kg = sum(q * data.kg_per_unit[i] for i, _, q in lines)
                eur = sum(q * data.o_price[o] for _, o, q in lines)
                if kg + 1e-9 < data.min_kg[p] or eur + 1e-9 < data.min_eur[p]:
                    for i, o, q in lines:  # undo the drop
                        cap_left[o, w] += q
                        need[i] += q
                    continue
                drops_per_p[p] += 1
                delivered_week[p] = w
                logistics += float(data.pk_cost[j])
                code = ch_code.get(data.pk_channel[j], 0)
                for i, o, q in lines:
                    rows.append((w, int(k), i, p, code, q, float(data.o_price[o]), o))
            for i in np.flatnonzero(need > 1e-9).tolist():
                ref = float(data.ref_price[k, i])
                rows.append((w, int(k), i, -1, 3, float(need[i]), ref, -1))
    acc = _Acc()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 8
    for target, col, dtype in zip(
        (
            acc.week,
            acc.kitchen,
            acc.product,
            acc.supplier,
            acc.channel,
            acc.qty,
            acc.price,
            acc.offer,
        ),
        cols,
        (int, int, int, int, int, float, float, int),
        strict=True,
    ):
        target.append(np.array(col, dtype=dtype))
    acc.logistics_eur = logistics
    return _plan(scenario, data, acc)
