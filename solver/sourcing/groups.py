"""Groups of kitchens: a big territory planned in spatial groups, one after the other.

Above ``Decomposition.group_pair_weeks`` pair-weeks the kitchens are cut into spatial
groups of about that size, balanced by model size (:func:`kitchen_groups`): k-means on
the kitchens' coordinates gives the centres; each round then assigns every kitchen to a
near centre under a size cap (:func:`balanced_labels`) and moves the centres to their
kitchens' mean, until the groups stop changing. Plain k-means gives groups of very
different sizes, and the largest group's year relaxation would not finish in its time.

Kitchens of different groups share producers near the groups' borders, so a group
*plans* with what earlier groups left (:class:`SupplyLedger`): each offer's weekly
capacity minus what they bought, each producer's drops a week minus theirs, a producer
delivering every ``n`` weeks only in the weeks it already delivers or ``n`` weeks and
more away from them (:func:`every_n_open`), and the platform's kilograms a week minus
theirs, per platform, shared out by that platform's kitchens' demand so that the first
groups do not fill the vans the last ones depend on. A platform pickup an earlier group
made (any platform's, per producer and week) is open to later groups at no cost, outside
the producer's drop count and without a minimum (the earlier group met it on its own, so
the union does).

The territory's bound prices what the groups share (:mod:`solver.sourcing.joint`); the
sum of the groups' bounds (:mod:`solver.sourcing.bound`, ``Decomposition(joint=False)``)
does not see it, and its gap grows with the number of groups. Planned at the joint
prices, a group also leaves the ledger's capacity that the groups after it buy there
(``reserve`` of :meth:`SupplyLedger.left_for`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from solver.core import Scenario
from solver.sourcing.assemble import PLATFORM, Purchases
from solver.sourcing.data import MatchData

__all__ = [
    "SupplyLedger",
    "balanced_labels",
    "every_n_open",
    "groups_of_ids",
    "kitchen_groups",
    "kitchen_lines",
]

#: No group carries more than this multiple of an equal share of the candidate lines.
SIZE_CAP = 1.05
#: Rounds of (assign under the cap, move the centres) at most.
BALANCING_ROUNDS = 20


def kitchen_groups(
    scenario: Scenario, data: MatchData, seed: int, group_pair_weeks: int
) -> list[np.ndarray]:
    """Kitchen indices cut into spatial groups of about ``group_pair_weeks`` pair-weeks
    each (one group for a small territory or a cook's proposal), of about equal model
    size, sorted west to east."""
    n_k = len(data.kitchens)
    n_groups = min(int(np.ceil(data.pair_weeks / group_pair_weeks)), n_k)
    if n_groups <= 1:
        return [np.arange(n_k)]
    from sklearn.cluster import KMeans

    where = {c.id: (c.lat, c.lon) for c in scenario.canteens}
    xy = np.array([where[k] for k in data.kitchens], dtype=float)
    xy[:, 1] *= np.cos(np.radians(xy[:, 0].mean()))  # degrees of longitude are shorter
    centres = KMeans(n_clusters=n_groups, n_init=4, random_state=seed).fit(xy).cluster_centers_
    size = kitchen_lines(data)
    labels = np.full(n_k, -1)
    for _ in range(BALANCING_ROUNDS):
        new = balanced_labels(xy, size, centres)
        if (new == labels).all():
            break
        labels = new
        centres = np.array(
            [
                xy[labels == g].mean(axis=0) if (labels == g).any() else centres[g]
                for g in range(n_groups)
            ]
        )
    groups = [np.flatnonzero(labels == g) for g in range(n_groups)]
    groups = [g for g in groups if len(g)]
    return sorted(groups, key=lambda g: (float(xy[g, 1].mean()), int(g[0])))


def groups_of_ids(data: MatchData, ids: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """Kitchen indices of groups given by kitchen ids, in their order; every planned
    kitchen must appear once (``ValueError`` otherwise)."""
    pos = {k: j for j, k in enumerate(data.kitchens)}
    named = [k for g in ids for k in g]
    if sorted(named) != sorted(pos):
        msg = (
            "kitchen_groups must name every planned kitchen once: "
            f"planned {sorted(pos)}, named {sorted(named)}"
        )
        raise ValueError(msg)
    return [np.array([pos[k] for k in g], dtype=int) for g in ids if len(g)]


def kitchen_lines(data: MatchData) -> np.ndarray:
    """Candidate order lines a week of each kitchen: its direct producers' offers, and the
    platform's offers when it is on the round (what its share of a model's size grows
    with)."""
    offers = np.bincount(data.o_p, minlength=len(data.producers)).astype(float)
    lines = np.bincount(data.pk_k, weights=offers[data.pk_p], minlength=len(data.kitchens))
    plat_offers = np.array([float(offers[row].sum()) for row in data.plat_pq] or [0.0])
    return lines + data.plat_kitch * plat_offers[np.maximum(data.plat_k_q, 0)]


def balanced_labels(xy: np.ndarray, size: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each point (kitchen) to a centre, least total squared distance, no group above
    :data:`SIZE_CAP` times an equal share of ``size`` (a transportation LP; its few split
    kitchens go to the centre holding most of them)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n_k, n_g = len(xy), len(centres)
    d2 = ((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2).ravel()
    cap = max(SIZE_CAP * size.sum() / n_g, float(size.max()))
    col = np.arange(n_k * n_g)
    one = coo_matrix((np.ones(n_k * n_g), (col // n_g, col)), shape=(n_k, n_k * n_g))
    load = coo_matrix((np.repeat(size, n_g), (col % n_g, col)), shape=(n_g, n_k * n_g))
    res = linprog(
        d2 / max(float(d2.max()), 1e-12),
        A_ub=load,
        b_ub=np.full(n_g, cap),
        A_eq=one,
        b_eq=np.ones(n_k),
        bounds=(0.0, 1.0),
        method="highs",
    )
    if res.status != 0:  # cannot happen (cap >= an equal share); plain nearest centre
        return np.argmin(d2.reshape(n_k, n_g), axis=1)
    return np.argmax(res.x.reshape(n_k, n_g), axis=1)


def every_n_open(every_n: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """(P, W) bool: weeks a producer may still deliver given the weeks it ``delivered``
    (P, W) to other kitchens: those weeks, and any week at least ``every_n`` weeks from
    all of them (a producer delivers at most one week in any ``n`` consecutive ones)."""
    n_w = delivered.shape[1]
    near = np.zeros_like(delivered)
    for p in np.flatnonzero((every_n > 1) & delivered.any(axis=1)):
        for d in np.flatnonzero(delivered[p]):
            near[p, max(0, d - every_n[p] + 1) : min(n_w, d + every_n[p])] = True
    return delivered | ~near


class SupplyLedger:
    """What the groups planned so far took from the territory's shared supply.

    ``data`` is the whole territory; ``groups`` its kitchen groups in planning order.
    """

    def __init__(self, data: MatchData, groups: list[np.ndarray]) -> None:
        self.data = data
        self.used_cap = np.zeros_like(data.o_cap)  # (O, W) units bought
        self.drops_used = np.zeros((len(data.producers), data.n_weeks))  # drops + pickups
        n_q = len(data.plat_kg_week)
        self.plat_kg_used = np.zeros((n_q, data.n_weeks))
        self.pickup_done = np.zeros((len(data.producers), data.n_weeks), dtype=bool)
        kg_demand = (data.demand * data.kg_per_unit[None, :, None]).sum(axis=(1, 2))  # (K,)
        on_q = data.plat_k_q[None, :] == np.arange(n_q)[:, None]  # (Q, K)
        self.plat_weight = np.array(
            [[float((kg_demand * on_q[q])[g].sum()) for q in range(n_q)] for g in groups]
        ).reshape(len(groups), n_q)  # (G, Q)

    def left_for(self, sub: MatchData, n_g: int, reserve: np.ndarray | None = None) -> MatchData:
        """Group ``n_g``'s problem ``sub`` with only what earlier groups left, less the
        units ``reserve`` (O, W) kept for the groups after it."""
        data = self.data
        cap = np.maximum(data.o_cap - self.used_cap, 0.0)
        if reserve is not None:
            cap = np.maximum(cap - reserve, 0.0)
        share = self.plat_weight[n_g] / np.maximum(self.plat_weight[n_g:].sum(axis=0), 1e-9)
        quota = np.maximum(data.plat_kg_week[:, None] - self.plat_kg_used, 0.0) * share[:, None]
        cap *= every_n_open(data.every_n, self.drops_used > 0)[data.o_p]
        done = self.pickup_done.copy()
        return dataclasses.replace(
            sub,
            o_cap=cap,
            drops_used=self.drops_used.copy(),
            plat_kg_used=data.plat_kg_week[:, None] - quota,
            pickup_done=done,
            plat_pickup_cost=np.where(done, 0.0, data.plat_pickup_cost),
        )

    def record(self, bought: Purchases, drops: list[np.ndarray], pickups: list[np.ndarray]) -> None:
        """Take what a group bought, its drops and its pickups ((producer, week) rows)."""
        if bought.recorded:
            lines = bought.lines()
            wk, q = lines.week, lines.qty
            mine = lines.offer >= 0
            np.add.at(self.used_cap, (lines.offer[mine], wk[mine]), q[mine])
            plat = lines.channel == PLATFORM
            kg = q * self.data.kg_per_unit[lines.product]
            q = self.data.plat_k_q[lines.kitchen[plat]]
            np.add.at(self.plat_kg_used, (q, wk[plat]), kg[plat])
        for pw in drops:
            np.add.at(self.drops_used, (pw[:, 0], pw[:, 1]), 1.0)
        for pw in pickups:  # one drop per pickup, however many groups share it
            new = ~self.pickup_done[pw[:, 0], pw[:, 1]]
            np.add.at(self.drops_used, (pw[new, 0], pw[new, 1]), 1.0)
            self.pickup_done[pw[:, 0], pw[:, 1]] = True
