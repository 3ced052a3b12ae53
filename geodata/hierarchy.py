"""Node-elimination hierarchy and PHAST sweeps for large many-to-many matrices.

Method (contraction hierarchies with a core, and PHAST)
--------------------------------------------------------
*Build* (once per road network). Nodes are eliminated in rounds; each round takes an
independent set of nodes whose degree (distinct neighbours in the remaining graph) is at most a
bound that grows from 2 to :data:`MAX_DEGREE` when rounds stop making progress. Eliminating ``x``
adds a shortcut ``p -> q`` weighted ``w(p, x) + w(x, q)`` for every pair of remaining neighbours
unless a *witness* ``p -> y -> q`` of two remaining links is no longer (a 2-hop witness search,
vectorised; duplicates keep the minimum). Redundant shortcuts are never wrong, missing ones are
never needed: the witness path stays in the graph.
``level[x]`` is the round in which ``x`` went; the nodes left at the end form the *core* (top
level). Edges incident to ``x`` at its elimination are kept: ``x -> q`` is *upward*,
``p -> x`` *downward*. Core edges are kept as they are.

*Query* (per batch of sources). 1. Dijkstra on the upward graph plus the core
(``scipy.sparse.csgraph.dijkstra``): small search spaces, exact distances for the core.
2. A downward sweep, levels from the top down: ``d[b] = min(d[b], d[a] + w(a, b))`` over
downward edges, vectorised over all the sources of the batch with numpy. Only nodes from which
a target can be reached by downward edges are swept (RPHAST). With positive weights every
shortest path in the augmented graph goes up (and through the core), then down, so the result
is exact; packed weights ``t_ms * 2**26 + len_dm`` add up exactly in float64.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

__all__ = ["Hierarchy", "build_hierarchy"]

logger = logging.getLogger(__name__)

MAX_DEGREE = 12
"""Largest degree at which a node is still eliminated (beyond, it stays in the core)."""

CORE_FRACTION = 0.02
"""Stop eliminating when the core is this small (fraction of the nodes)."""

MAX_EDGE_GROWTH = 3.0
"""Stop eliminating when kept + remaining links exceed this multiple of the original links."""


WITNESS = True
"""Skip a shortcut p -> q when a 2-link path p -> y -> q (y not being eliminated) is as short."""


def _has_witness(
    u: np.ndarray,
    v: np.ndarray,
    w: np.ndarray,
    key: np.ndarray,
    n: int,
    sc_p: np.ndarray,
    sc_q: np.ndarray,
    sc_w: np.ndarray,
    eliminated: np.ndarray,
) -> np.ndarray:
    """For each shortcut, whether some ``p -> y -> q`` (``y`` kept) weighs no more."""
    if len(sc_p) == 0 or len(u) == 0:
        return np.zeros(len(sc_p), dtype=bool)
    # out-links of p, for every shortcut (links are sorted by u)
    lo = np.searchsorted(u, sc_p, "left")
    cnt = np.searchsorted(u, sc_p, "right") - lo
    rep = np.repeat(np.arange(len(sc_p)), cnt)
    offset = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    j = np.repeat(lo, cnt) + offset
    y = v[j]
    first = w[j]
    q = sc_q[rep]
    k2 = y * n + q
    pos = np.minimum(np.searchsorted(key, k2), len(key) - 1)
    found = (key[pos] == k2) & ~eliminated[y] & (y != q)
    total = np.where(found, first + w[pos], np.inf)
    best = np.full(len(sc_p), np.inf)
    np.minimum.at(best, rep, total)
    return best <= sc_w


def dedupe_min(
    u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort links by (u, v) and keep the smallest weight of duplicates; also return keys."""
    key = u * n + v
    order = np.lexsort((w, key))
    key, u, v, w = key[order], u[order], v[order], w[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return u[first], v[first], w[first], key[first]


@dataclass(frozen=True)
class Hierarchy:
    """Upward graph (with core), downward links grouped by level, node levels."""

    n: int
    level: np.ndarray  # int64 [n], core = top level
    up: sp.csr_matrix  # upward links + core links
    down_tail: np.ndarray  # downward links a -> b, sorted by (level[b], b)
    down_head: np.ndarray
    down_w: np.ndarray
    n_core: int

    def costs(self, sources: np.ndarray, targets: np.ndarray, *, batch: int = 64) -> np.ndarray:
        """Packed shortest-path weights ``[len(sources), len(targets)]`` (inf if unreachable)."""
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        tail, head, w = self._restricted(targets)
        # group the restricted downward links by head, in sweep order (level desc, head)
        order = np.lexsort((head, -self.level[head]))
        tail, head, w = tail[order], head[order], w[order]
        starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]]) if len(head) else head
        heads = head[starts]
        head_level = self.level[heads]
        # consecutive head groups of the same level can be processed together
        lv_starts = np.flatnonzero(np.r_[True, head_level[1:] != head_level[:-1]])
        lv_bounds = np.r_[lv_starts, len(heads)]
        edge_bounds = np.r_[starts, len(head)]
        out = np.empty((len(sources), len(targets)))
        for s0 in range(0, len(sources), batch):
            chunk = sources[s0 : s0 + batch]
            dist = dijkstra(self.up, directed=True, indices=chunk)
            for g in range(len(lv_starts)):
                h0, h1 = lv_bounds[g], lv_bounds[g + 1]
                e0, e1 = edge_bounds[h0], edge_bounds[h1]
                vals = dist[:, tail[e0:e1]] + w[e0:e1]
                red = np.minimum.reduceat(vals, starts[h0:h1] - e0, axis=1)
                hs = heads[h0:h1]
                dist[:, hs] = np.minimum(dist[:, hs], red)
            out[s0 : s0 + len(chunk)] = dist[:, targets]
        return out

    def _restricted(self, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Downward links that can lead to a target (RPHAST selection)."""
        needed = np.zeros(self.n, dtype=bool)
        needed[targets] = True
        tail, head, w = self.down_tail, self.down_head, self.down_w
        hl = self.level[head]
        # links are sorted by head level ascending: process bottom-up
        bounds = np.flatnonzero(np.r_[True, hl[1:] != hl[:-1], True])
        for g in range(len(bounds) - 1):
            e0, e1 = bounds[g], bounds[g + 1]
            sel = needed[head[e0:e1]]
            needed[tail[e0:e1][sel]] = True
        keep = needed[head]
        return tail[keep], head[keep], w[keep]


def build_hierarchy(csr: sp.csr_matrix, *, seed: int = 0) -> Hierarchy:
    """Eliminate nodes into a hierarchy (see the module docstring)."""
    t0 = time.perf_counter()
    n = csr.shape[0]
    coo = csr.tocoo()
    u, v, w, key = dedupe_min(
        coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64), n
    )
    n_links = max(1, len(u))
    alive = np.ones(n, dtype=bool)
    level = np.full(n, -1, dtype=np.int64)
    prio = np.random.default_rng(seed).random(n)
    kept_u: list[np.ndarray] = []
    kept_v: list[np.ndarray] = []
    kept_w: list[np.ndarray] = []
    n_kept = 0
    bound = 2
    rnd = 0
    while alive.sum() > CORE_FRACTION * n and len(u):
        rkey = v * n + u
        pos = np.minimum(np.searchsorted(key, rkey), len(key) - 1)
        reciprocal = key[pos] == rkey
        deg = (
            np.bincount(u, minlength=n)
            + np.bincount(v, minlength=n)
            - np.bincount(u[reciprocal], minlength=n)
        )
        cand = alive & (deg <= bound)
        both = cand[u] & cand[v]
        loser = np.zeros(n, dtype=bool)
        a, b = u[both], v[both]
        loser[np.where(prio[a] > prio[b], a, b)] = True
        sel = cand & ~loser
        if sel.sum() < 0.01 * alive.sum():
            if bound >= MAX_DEGREE:
                break
            bound += 1
            if sel.sum() == 0:
                continue
        into, out_of = sel[v], sel[u]
        inc = into | out_of
        kept_u.append(u[inc])
        kept_v.append(v[inc])
        kept_w.append(w[inc])
        n_kept += int(inc.sum())
        in_p, in_x, in_w = u[into], v[into], w[into]
        out_x, out_q, out_w = u[out_of], v[out_of], w[out_of]  # sorted by x (key order)
        lo = np.searchsorted(out_x, in_x, "left")
        cnt = np.searchsorted(out_x, in_x, "right") - lo
        rep = np.repeat(np.arange(len(in_x)), cnt)
        offset = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        j = np.repeat(lo, cnt) + offset
        sc_p, sc_q, sc_w = in_p[rep], out_q[j], in_w[rep] + out_w[j]
        ok = sc_p != sc_q
        if WITNESS:
            ok &= ~_has_witness(u, v, w, key, n, sc_p, sc_q, sc_w, sel)
        rest = ~inc
        u, v, w, key = dedupe_min(
            np.concatenate([u[rest], sc_p[ok]]),
            np.concatenate([v[rest], sc_q[ok]]),
            np.concatenate([w[rest], sc_w[ok]]),
            n,
        )
        level[sel] = rnd
        alive[sel] = False
        rnd += 1
        if n_kept + len(u) > MAX_EDGE_GROWTH * n_links:
            break
    level[alive] = rnd
    all_u = np.concatenate([*kept_u, u])
    all_v = np.concatenate([*kept_v, v])
    all_w = np.concatenate([*kept_w, w])
    upward = (level[all_v] > level[all_u]) | ((level[all_u] == rnd) & (level[all_v] == rnd))
    up_u, up_v, up_w, _ = dedupe_min(all_u[upward], all_v[upward], all_w[upward], n)
    up = sp.csr_matrix((up_w, (up_u, up_v)), shape=(n, n))
    downward = level[all_u] > level[all_v]
    dt, dh, dw, _ = dedupe_min(all_u[downward], all_v[downward], all_w[downward], n)
    order = np.lexsort((dh, level[dh]))
    h = Hierarchy(
        n=n,
        level=level,
        up=up,
        down_tail=dt[order],
        down_head=dh[order],
        down_w=dw[order],
        n_core=int(alive.sum()),
    )
    logger.info(
        "hierarchy: %d nodes, %d rounds, core %d nodes, %d up + %d down links (from %d) in %.2f s",
        n,
        rnd,
        h.n_core,
        up.nnz,
        len(dt),
        n_links,
        time.perf_counter() - t0,
    )
    return h
