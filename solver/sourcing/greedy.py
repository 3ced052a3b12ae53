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

from collections.abc import Sequence

import numpy as np
import pandas as pd

from solver.core import Channel, PurchasePlan, Scenario
from solver.prepare import Eligibility
from solver.sourcing.assemble import (
    DIRECT,
    FARM_PICKUP,
    REFERENCE,
    PurchaseLines,
    Purchases,
    purchase_plan,
)
from solver.sourcing.data import LogisticsOverrides, MatchData, build_match_data

__all__ = ["greedy_plan"]


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


_Row = tuple[int, int, int, int, int, float, float, int]  # fields of PurchaseLines


class _Greedy:
    """The greedy's state: candidates, capacity left, each producer's last delivery week,
    the lines bought and their logistics cost."""

    def __init__(self, data: MatchData) -> None:
        self.data = data
        self.cands = _candidates(data)
        self.cap_left = data.o_cap.copy()
        self.delivered_week = np.full(len(data.producers), -10_000)
        self.rows: list[_Row] = []
        self.logistics = 0.0

    def week(self, w: int) -> None:
        """Every kitchen of week ``w``, largest demand first."""
        drops_per_p = np.zeros(len(self.data.producers), dtype=int)
        order = np.argsort(-self.data.demand[:, :, w].sum(axis=1), kind="stable")
        for k in order:
            need = self.data.demand[k, :, w].copy()
            if need.sum() > 0:
                self._kitchen_week(int(k), w, need, drops_per_p)

    def _kitchen_week(self, k: int, w: int, need: np.ndarray, drops_per_p: np.ndarray) -> None:
        """Offers of kitchen ``k`` in week ``w`` nearest first, drops below a minimum
        undone, the rest from the wholesaler."""
        data = self.data
        taken: dict[int, list[tuple[int, int, float]]] = {}  # pk -> [(i, o, q)]
        for i in np.flatnonzero(need > 0).tolist():
            for _, _, j, o in self.cands.get((k, int(i)), []):
                p = int(data.pk_p[j])
                if need[i] <= 1e-9:
                    break
                if j not in taken and (
                    len(taken) + 1 >= data.max_deliveries[k]  # keep one for the wholesaler
                    or drops_per_p[p] >= data.per_week[p]
                    or (
                        w - self.delivered_week[p] < data.every_n[p] and self.delivered_week[p] != w
                    )
                ):
                    continue
                q = min(need[i], self.cap_left[o, w])
                if q <= 1e-9 or q < data.o_min_lot[o]:
                    continue
                taken.setdefault(j, []).append((int(i), o, q))
                self.cap_left[o, w] -= q
                need[i] -= q
        for j, lines in taken.items():
            self._drop(k, w, j, lines, need, drops_per_p)
        for i in np.flatnonzero(need > 1e-9).tolist():
            ref = float(data.ref_price[k, i])
            self.rows.append((w, k, i, -1, REFERENCE, float(need[i]), ref, -1))

    def _drop(
        self,
        k: int,
        w: int,
        j: int,
        lines: list[tuple[int, int, float]],
        need: np.ndarray,
        drops_per_p: np.ndarray,
    ) -> None:
        """Keep the drop of pair ``j`` if it meets the producer's minimum, else undo it."""
        data = self.data
        p = int(data.pk_p[j])
        kg = sum(q * data.kg_per_unit[i] for i, _, q in lines)
        eur = sum(q * data.o_price[o] for _, o, q in lines)
        if kg + 1e-9 < data.min_kg[p] or eur + 1e-9 < data.min_eur[p]:
            for i, o, q in lines:  # undo the drop
                self.cap_left[o, w] += q
                need[i] += q
            return
        drops_per_p[p] += 1
        self.delivered_week[p] = w
        self.logistics += float(data.pk_cost[j])
        code = FARM_PICKUP if data.pk_channel[j] is Channel.FARM_PICKUP else DIRECT
        for i, o, q in lines:
            self.rows.append((w, k, i, p, code, q, float(data.o_price[o]), o))

    def purchases(self) -> Purchases:
        """What was bought, as one batch."""
        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * 8
        dtypes = (int, int, int, int, int, float, float, int)
        bought = Purchases(logistics_eur=self.logistics)
        bought.add(
            PurchaseLines(*(np.array(c, dtype=t) for c, t in zip(cols, dtypes, strict=True)))
        )
        return bought


def _candidates(data: MatchData) -> dict[tuple[int, int], list[tuple[float, float, int, int]]]:
    """Per (kitchen, product): (drop cost, price, pair, offer), nearest then cheapest."""
    offers_of_p: dict[int, list[int]] = {}
    for o, p in enumerate(data.o_p):
        offers_of_p.setdefault(int(p), []).append(o)
    cands: dict[tuple[int, int], list[tuple[float, float, int, int]]] = {}
    pairs = {(int(p), int(k)): j for j, (p, k) in enumerate(zip(data.pk_p, data.pk_k, strict=True))}
    for (p, k), j in pairs.items():
        for o in offers_of_p.get(p, []):
            cands.setdefault((k, int(data.o_i[o])), []).append(
                (float(data.pk_cost[j]), float(data.o_price[o]), j, o)
            )
    for v in cands.values():
        v.sort()
    return cands


def _greedy(scenario: Scenario, data: MatchData) -> PurchasePlan:
    greedy = _Greedy(data)
    for w in range(data.n_weeks):
        greedy.week(w)
    return purchase_plan(scenario, data, greedy.purchases())
