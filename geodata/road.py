"""Travel times on a real road network (OpenStreetMap via osmnx), many-to-many with scipy.

Method
------
The prepared graph (:mod:`geodata.network`) becomes a sparse ``N x N`` CSR matrix whose entry
``(u, v)`` is the **minimum** over the parallel edges ``u -> v`` (building the matrix from a
MultiDiGraph with scipy/networkx helpers would *add* parallel edges together; we build it from
edge arrays with a min-reduction instead). Each entry packs two integers in one float64::

    w(u, v) = t_ms(u, v) * 2**26 + len_dm(u, v)

with ``t_ms`` the travel time in milliseconds (>= 1) and ``len_dm`` the length in decimetres.
Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`, one run per source, the sources being the
snapped points) on ``w`` finds the fastest path, ties broken by the shorter one, and the total
splits exactly back into ``t_ms = w // 2**26`` and ``len_dm = w % 2**26``: the metres reported
are those **along the fastest path**, in a single pass. Sums stay exact in float64 while paths
are shorter than 2**26 dm (6,700 km) and 2**27 ms (37 h). When only a radius matters
(``max_seconds``), Dijkstra is stopped there (``limit=``), which is much faster.

Snapping
--------
Each point is snapped to its nearest graph node by great-circle distance (what
``osmnx.distance.nearest_nodes`` does on an unprojected graph; here with a k-d tree on 3-D unit
vectors, built once per network). The straight snap distance is added at each end at
:data:`ACCESS_SPEED_KMH` (a farm track or a yard is slow), so a farm 800 m from the road is not
treated as on it; a warning is logged above ``snap_warn_m``.

Rounding
--------
``seconds = ceil(total seconds)``, ``metres = round(total metres)``; the diagonal is 0.

Speed-ups (all exact)
---------------------
* :func:`reduce_graph`: with :data:`REDUCE_MIN_SOURCES` sources or more, Dijkstra runs on the
  graph with the point-free nodes of degree <= 3 eliminated (shortcuts added).
* :mod:`geodata.hierarchy`: from :data:`HIERARCHY_MIN_SOURCES` sources (or as soon as
  :meth:`RoadNetwork.prepare_hierarchy` has built it), matrices use the node hierarchy (built
  once, kept on the network): upward Dijkstra + PHAST sweeps.
* Worker processes (spawned, up to :data:`DEFAULT_WORKERS`) for big full matrices.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geodata.errors import GeodataError, NetworkDataError
from geodata.hierarchy import dedupe_min
from geodata.matrix import UNREACHABLE_M, UNREACHABLE_S, TravelMatrix
from geodata.points import EARTH_RADIUS_M, Point, check_unique_ids, haversine_m

__all__ = [
    "ACCESS_SPEED_KMH",
    "SNAP_WARN_M",
    "RoadNetwork",
    "Snap",
    "edge_arrays",
    "min_csr",
    "reduce_graph",
]

logger = logging.getLogger(__name__)

SCALE = float(2**26)
"""Packing factor: a path weight is ``t_ms * SCALE + len_dm``."""

ACCESS_SPEED_KMH = 20.0
"""Speed on the straight stretch between a point and its snapped road node, km/h."""

SNAP_WARN_M = 500.0
"""Snap distance above which a warning is logged, metres."""

MAX_BATCH_CELLS = 25_000_000
"""Dijkstra sources are run in batches so that ``batch x N`` float64 stays under ~200 MB."""


@dataclass(frozen=True)
class Snap:
    """Where a point joins the road graph."""

    id: str
    node: Any
    snap_distance_m: float


def edge_arrays(
    G: nx.MultiDiGraph, node_index: Mapping[Any, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(u, v, t_ms, len_dm)`` int64 arrays, one row per edge (parallel edges included)."""
    m = G.number_of_edges()
    u = np.empty(m, dtype=np.int64)
    v = np.empty(m, dtype=np.int64)
    t = np.empty(m, dtype=np.float64)
    length = np.empty(m, dtype=np.float64)
    for k, (a, b, d) in enumerate(G.edges(data=True)):
        u[k] = node_index[a]
        v[k] = node_index[b]
        t[k] = float(d["travel_time"])
        length[k] = float(d.get("length", 0.0))
    if not (np.all(np.isfinite(t)) and np.all(t >= 0) and np.all(length >= 0)):
        msg = "edge travel_time/length must be finite and >= 0"
        raise NetworkDataError(msg)
    t_ms = np.maximum(1, np.rint(t * 1000.0)).astype(np.int64)
    len_dm = np.rint(length * 10.0).astype(np.int64)
    return u, v, t_ms, len_dm


def min_csr(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int) -> sp.csr_matrix:
    """CSR matrix with ``(u, v) -> min w`` over duplicate pairs; self-loops dropped."""
    keep = u != v
    u, v, w = u[keep], v[keep], w[keep]
    order = np.lexsort((w, v, u))  # by u, then v, then w ascending
    u, v, w = u[order], v[order], w[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return sp.csr_matrix((w[first], (u[first], v[first])), shape=(n, n))


HIERARCHY_MIN_SOURCES = 200
"""From this many sources, ``method="auto"`` builds the node hierarchy (once) and uses it."""

HIERARCHY_PARALLEL_MIN_SOURCES = 3000
"""From this many sources, hierarchy sweeps are split over worker processes."""

REDUCE_MIN_SOURCES = 32
"""Minimum number of Dijkstra sources for which the graph is reduced first."""

DEFAULT_WORKERS = 2
"""Upper bound on worker processes for big matrices (also capped by the CPU count)."""

PARALLEL_MIN_WORK = 20_000_000
"""Sources x graph nodes above which worker processes are used."""


def _unit_vectors(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """3-D unit vectors of (lat, lon) degrees, ``[n, 3]``."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def reduce_graph(
    csr: sp.csr_matrix,
    keep: np.ndarray,
    *,
    max_degree: int = 3,
    max_rounds: int = 30,
    seed: int = 0,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Exact reduction of a positive-weight graph for shortest paths between ``keep`` nodes.

    Node elimination (the contraction step of contraction hierarchies, without the
    hierarchy): a node ``x`` not in ``keep`` with at most ``max_degree`` distinct neighbours
    is removed and every pair of links ``p -> x -> q`` (``p != q``) becomes a shortcut
    ``p -> q`` weighted ``w(p, x) + w(x, q)``; duplicate links keep the minimum. Shortest
    distances between the remaining nodes are unchanged. Nodes are eliminated in rounds, each
    round an independent set (no two neighbours), until a round would remove fewer than 0.2 %
    of the nodes. Dead ends (degree 1) simply disappear and chains (degree 2) become single
    links; with ``max_degree <= 3`` the number of links never grows (a two-way node of degree
    ``d`` takes ``2d`` links away and adds at most ``d(d - 1)``).

    Packed weights (``t_ms * SCALE + len_dm``) add up exactly, so both time and length along
    the fastest path are preserved.

    Returns
    -------
    (reduced csr, mapping)
        ``mapping[old index]`` = new index, or -1 for removed nodes (never for ``keep``).
    """
    n = csr.shape[0]
    coo = csr.tocoo()
    u, v, w, key = dedupe_min(
        coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64), n
    )
    is_keep = np.zeros(n, dtype=bool)
    is_keep[np.asarray(keep, dtype=np.int64)] = True
    alive = np.ones(n, dtype=bool)
    prio = np.random.default_rng(seed).random(n)
    for _ in range(max_rounds):
        if len(key) == 0:
            break
        rkey = v * n + u
        pos = np.minimum(np.searchsorted(key, rkey), len(key) - 1)
        reciprocal = key[pos] == rkey
        deg = (
            np.bincount(u, minlength=n)
            + np.bincount(v, minlength=n)
            - np.bincount(u[reciprocal], minlength=n)
        )
        cand = alive & ~is_keep & (deg <= max_degree)
        both = cand[u] & cand[v]
        loser = np.zeros(n, dtype=bool)
        a, b = u[both], v[both]
        loser[np.where(prio[a] > prio[b], a, b)] = True
        sel = cand & ~loser
        if sel.sum() < 0.002 * alive.sum():
            break
        into, out_of = sel[v], sel[u]
        in_p, in_x, in_w = u[into], v[into], w[into]
        out_x, out_q, out_w = u[out_of], v[out_of], w[out_of]  # sorted by x (key order)
        lo = np.searchsorted(out_x, in_x, "left")
        cnt = np.searchsorted(out_x, in_x, "right") - lo
        rep = np.repeat(np.arange(len(in_x)), cnt)
        offset = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        j = np.repeat(lo, cnt) + offset
        sc_p, sc_q, sc_w = in_p[rep], out_q[j], in_w[rep] + out_w[j]
        ok = sc_p != sc_q
        rest = ~(into | out_of)
        u, v, w, key = dedupe_min(
            np.concatenate([u[rest], sc_p[ok]]),
            np.concatenate([v[rest], sc_q[ok]]),
            np.concatenate([w[rest], sc_w[ok]]),
            n,
        )
        alive[sel] = False
    mapping = np.full(n, -1, dtype=np.int64)
    n_alive = int(alive.sum())
    mapping[alive] = np.arange(n_alive, dtype=np.int64)
    return min_csr(mapping[u], mapping[v], w, n_alive), mapping


class _PlainSearch:
    """One Dijkstra per source on a CSR graph, optionally stopped at ``limit``."""

    def __init__(self, csr: sp.csr_matrix, limit: float, batch: int) -> None:
        self.csr, self.limit, self.batch = csr, limit, batch

    def costs(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        out = np.empty((len(sources), len(targets)))
        for start in range(0, len(sources), self.batch):
            chunk = sources[start : start + self.batch]
            dist = dijkstra(self.csr, directed=True, indices=chunk, limit=self.limit)
            out[start : start + len(chunk)] = dist[:, targets]
        return out


_WORKER_ENGINE: Any = None


def _init_worker(engine: Any) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = engine


def _worker_costs(args: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    sources, targets = args
    assert _WORKER_ENGINE is not None
    return np.asarray(_WORKER_ENGINE.costs(sources, targets))


def _run_engine(engine: Any, sources: np.ndarray, targets: np.ndarray, workers: int) -> np.ndarray:
    """``engine.costs(sources, targets)``, split over ``workers`` spawned processes if > 1."""
    workers = max(1, min(workers, len(sources)))
    if workers == 1:
        return np.asarray(engine.costs(sources, targets))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    parts = np.array_split(sources, workers * 4)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(engine,)
    ) as pool:
        blocks = list(pool.map(_worker_costs, [(p, targets) for p in parts]))
    return np.vstack(blocks)


def _unpack(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and metres (float, inf where unreachable) from packed path weights."""
    finite = np.isfinite(packed)
    safe = np.where(finite, packed, 0.0)
    t_ms = np.floor(safe / SCALE)
    len_dm = safe - t_ms * SCALE
    return np.where(finite, t_ms / 1000.0, np.inf), np.where(finite, len_dm / 10.0, np.inf)


def _default_workers(n_sources: int, n_nodes: int, limited: bool) -> int:
    import os

    big = n_sources * n_nodes >= PARALLEL_MIN_WORK and not limited
    return min(DEFAULT_WORKERS, os.cpu_count() or 1) if big else 1


def packed_costs(
    csr: sp.csr_matrix,
    sources: np.ndarray,
    targets: np.ndarray,
    limit: float,
    batch: int | None,
    workers: int | None,
) -> np.ndarray:
    """Packed shortest-path weights ``[len(sources), len(targets)]`` (inf when unreached).

    ``limit`` is the packed cost above which a search stops; ``batch`` the number of sources per
    sweep (``None``: sized by the graph); ``workers`` the number of processes (``None``: by the
    size of the work, capped by the CPU count). The result does not depend on ``workers``.
    """
    n = csr.shape[0]
    size = batch or max(1, min(256, MAX_BATCH_CELLS // max(1, n)))
    if workers is None:
        workers = _default_workers(len(sources), n, math.isfinite(limit))
    return _run_engine(_PlainSearch(csr, limit, size), sources, targets, workers)


class RoadNetwork:
    """Travel source on a prepared drivable road graph.

    Parameters
    ----------
    G
        Prepared graph (see :func:`geodata.network.load_graph`): nodes with ``x`` (lon) and
        ``y`` (lat), edges with ``travel_time`` (s) and ``length`` (m).
    name
        Source label, e.g. ``"road:baronnies.osm.pbf"``.
    snap_warn_m
        Snap distance above which a warning is logged.
    """

    estimated: bool = False

    def __init__(
        self, G: nx.MultiDiGraph, *, name: str = "road", snap_warn_m: float = SNAP_WARN_M
    ) -> None:
        if G.number_of_nodes() == 0:
            msg = f"{name}: empty road graph"
            raise NetworkDataError(msg)
        self.graph = G
        self.name = name
        self.snap_warn_m = float(snap_warn_m)
        self.nodes: list[Any] = list(G.nodes)
        self.node_index: dict[Any, int] = {n: i for i, n in enumerate(self.nodes)}
        self.lat = np.array([float(G.nodes[n]["y"]) for n in self.nodes])
        self.lon = np.array([float(G.nodes[n]["x"]) for n in self.nodes])
        u, v, t_ms, len_dm = edge_arrays(G, self.node_index)
        n = len(self.nodes)
        self.csr = min_csr(u, v, t_ms.astype(np.float64) * SCALE + len_dm, n)
        self._tree: Any = None  # k-d tree for snapping, built on first use
        self._reduced_cache: tuple[int, np.ndarray, sp.csr_matrix, np.ndarray] | None = None
        self._hierarchy: Any = None  # geodata.hierarchy.Hierarchy, built on demand

    def __repr__(self) -> str:
        return f"RoadNetwork<{self.name}: {len(self.nodes)} nodes, {self.csr.nnz} directed links>"

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        speeds_kmh: Mapping[str, float] | None = None,
        cache_dir: str | Path | None = None,
        snap_warn_m: float = SNAP_WARN_M,
    ) -> RoadNetwork:
        """Load ``.osm`` / ``.osm.pbf`` / ``.graphml`` (cached) and build the source."""
        from geodata.network import load_graph

        p = Path(path)
        G = load_graph(p, cache_dir=cache_dir, speeds_kmh=speeds_kmh)
        return cls(G, name=f"road:{p.name}", snap_warn_m=snap_warn_m)

    # -- snapping -------------------------------------------------------------------------
    def snap(self, points: Sequence[Point]) -> list[Snap]:
        """Nearest graph node of each point and the great-circle distance to it (metres).

        Exact nearest node by great-circle distance, like ``osmnx.distance.nearest_nodes`` on an
        unprojected graph (which uses a scikit-learn haversine ``BallTree``), but through a
        ``scipy.spatial.cKDTree`` on 3-D unit vectors (the chord length is monotone in the
        great-circle distance), built once per network: no scikit-learn import (slow) and no
        GeoDataFrame conversion per call.
        """
        if not points:
            return []
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(_unit_vectors(self.lat, self.lon))
        lat = np.array([p.lat for p in points], dtype=float)
        lon = np.array([p.lon for p in points], dtype=float)
        chord, pos = self._tree.query(_unit_vectors(lat, lon), k=1)
        dist_m = 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.asarray(chord) / 2.0))
        snaps = [
            Snap(p.id, self.nodes[int(k)], float(d))
            for p, k, d in zip(points, np.atleast_1d(pos), np.atleast_1d(dist_m), strict=True)
        ]
        for s in snaps:
            if s.snap_distance_m > self.snap_warn_m:
                logger.warning(
                    "%s: point %r is %.0f m from the nearest road node (%s); check its "
                    "coordinates or the road file's coverage",
                    self.name,
                    s.id,
                    s.snap_distance_m,
                    s.node,
                )
        return snaps

    # -- matrices -------------------------------------------------------------------------
    def node_costs(
        self,
        sources: np.ndarray,
        targets: np.ndarray,
        *,
        limit_s: float | None = None,
        batch: int | None = None,
        reduce: bool | None = None,
        workers: int | None = None,
        method: str = "auto",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Float seconds and metres between node indices (``inf`` when unreachable/beyond).

        Parameters
        ----------
        sources, targets
            Node indices (positions in :attr:`nodes`).
        limit_s
            Stop each search at this many seconds.
        batch
            Sources per Dijkstra call (default: keep ``batch x N`` under ~200 MB).
        reduce
            Search on the graph reduced around the sources and targets (:func:`reduce_graph`;
            exact, usually 2-3 times smaller). Default: when there are at least
            :data:`REDUCE_MIN_SOURCES` sources, so that the reduction pays for itself.
        workers
            Processes for large jobs (default: up to :data:`DEFAULT_WORKERS` when the job is big
            enough to pay for starting them; 1 = in this process).
        method
            ``"dijkstra"``: one Dijkstra per source (on the reduced graph when ``reduce``);
            ``"hierarchy"``: PHAST sweeps on the network's node hierarchy
            (:mod:`geodata.hierarchy`, built once and kept; see :meth:`prepare_hierarchy`);
            ``"auto"`` (default): the hierarchy from :data:`HIERARCHY_MIN_SOURCES` sources
            (building it if needed), or when it is already built and there are at least
            :data:`REDUCE_MIN_SOURCES` sources; else Dijkstra.
        """
        sources = np.asarray(sources, dtype=np.int64)
        targets = np.asarray(targets, dtype=np.int64)
        if method not in ("auto", "dijkstra", "hierarchy"):
            msg = f"method={method!r} must be 'auto', 'dijkstra' or 'hierarchy'"
            raise GeodataError(msg)
        uniq_sources = np.unique(sources)
        n_src = len(uniq_sources)
        if method == "hierarchy" or (
            method == "auto"
            and (
                n_src >= HIERARCHY_MIN_SOURCES
                or (self._hierarchy is not None and n_src >= REDUCE_MIN_SOURCES)
            )
        ):
            return self._hierarchy_costs(sources, targets, limit_s=limit_s, workers=workers)
        csr = self.csr
        if reduce is None:
            reduce = len(np.unique(sources)) >= REDUCE_MIN_SOURCES
        if reduce:
            t0 = time.perf_counter()
            csr, mapping = self._reduced(np.union1d(sources, targets))
            sources, targets = mapping[sources], mapping[targets]
            logger.info(
                "%s: graph reduced from %d to %d nodes (%d to %d links) in %.2f s",
                self.name,
                self.csr.shape[0],
                csr.shape[0],
                self.csr.nnz,
                csr.nnz,
                time.perf_counter() - t0,
            )
        limit = np.inf if limit_s is None else (math.floor(limit_s * 1000.0) + 1) * SCALE
        uniq, inverse = np.unique(sources, return_inverse=True)
        t0 = time.perf_counter()
        packed = packed_costs(csr, uniq, targets, limit, batch, workers)[inverse]
        logger.info(
            "%s: Dijkstra from %d sources in %.2f s", self.name, len(uniq), time.perf_counter() - t0
        )
        return _unpack(packed)

    def prepare_hierarchy(self) -> Any:
        """Build (once) and return the node hierarchy used for big matrices."""
        if self._hierarchy is None:
            from geodata.hierarchy import build_hierarchy

            self._hierarchy = build_hierarchy(self.csr)
        return self._hierarchy

    def _hierarchy_costs(
        self,
        sources: np.ndarray,
        targets: np.ndarray,
        *,
        limit_s: float | None,
        workers: int | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        h = self.prepare_hierarchy()
        uniq, inverse = np.unique(sources, return_inverse=True)
        if workers is None:
            workers = 1
            if len(uniq) >= HIERARCHY_PARALLEL_MIN_SOURCES:
                workers = _default_workers(len(uniq), PARALLEL_MIN_WORK, False)
        t0 = time.perf_counter()
        packed = _run_engine(h, uniq, targets, workers)[inverse]
        logger.info(
            "%s: hierarchy sweeps from %d sources in %.2f s",
            self.name,
            len(uniq),
            time.perf_counter() - t0,
        )
        if limit_s is not None:
            limit = (math.floor(limit_s * 1000.0) + 1) * SCALE
            packed = np.where(packed < limit, packed, np.inf)
        return _unpack(packed)

    def _reduced(self, keep: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """:func:`reduce_graph` for these kept nodes, memoised for the last node set."""
        key = hash(keep.tobytes())
        if self._reduced_cache is not None and self._reduced_cache[0] == key:
            _, cached_keep, csr, mapping = self._reduced_cache
            if np.array_equal(cached_keep, keep):
                return csr, mapping
        csr, mapping = reduce_graph(self.csr, keep)
        self._reduced_cache = (key, keep.copy(), csr, mapping)
        return csr, mapping

    def matrix(
        self, points: Sequence[Point], *, max_seconds: float | None = None, method: str = "auto"
    ) -> TravelMatrix:
        """Road travel matrix; pairs beyond ``max_seconds`` or unreachable are unreachable.

        ``method`` is passed to :meth:`node_costs` (``"auto"``, ``"dijkstra"``, ``"hierarchy"``).
        """
        ids = check_unique_ids(points)
        snaps = self.snap(points)
        idx = np.array([self.node_index[s.node] for s in snaps], dtype=np.int64)
        snap_m = np.array([s.snap_distance_m for s in snaps], dtype=float)
        net_s, net_m = self.node_costs(idx, idx, limit_s=max_seconds, method=method)
        access_s = snap_m / (ACCESS_SPEED_KMH / 3.6)
        total_s = net_s + access_s[:, None] + access_s[None, :]
        total_m = net_m + snap_m[:, None] + snap_m[None, :]
        bad = ~np.isfinite(total_s)
        if max_seconds is not None:
            bad |= total_s > max_seconds + 1e-9
        seconds = np.where(bad, UNREACHABLE_S, np.ceil(np.where(bad, 0, total_s) - 1e-9))
        metres = np.where(bad, UNREACHABLE_M, np.rint(np.where(bad, 0, total_m)))
        seconds = seconds.astype(np.int64)
        metres = metres.astype(np.int64)
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        return TravelMatrix(
            ids=ids, seconds=seconds, metres=metres, source=self.name, estimated=False
        )

    # -- geometry ---------------------------------------------------------------------------
    def node_path(self, a: Any, b: Any) -> list[Any]:
        """Graph nodes of the fastest path from node ``a`` to node ``b`` (same weights)."""
        ia, ib = self.node_index[a], self.node_index[b]
        _, pred = dijkstra(self.csr, directed=True, indices=ia, return_predecessors=True)
        if ia != ib and pred[ib] < 0:
            msg = f"{self.name}: no road path from node {a} to node {b}"
            raise GeodataError(msg)
        path = [ib]
        while path[-1] != ia:
            path.append(int(pred[path[-1]]))
        return [self.nodes[i] for i in reversed(path)]

    def leg_geometry(self, a: Point, b: Point) -> list[tuple[float, float]]:
        """(lat, lon) vertices of the fastest road leg from ``a`` to ``b``.

        Starts at ``a`` itself, runs along the road (edge geometries when the simplified graph
        has them) and ends at ``b``.
        """
        sa, sb = self.snap([a, b])
        nodes = self.node_path(sa.node, sb.node)
        coords: list[tuple[float, float]] = [(a.lat, a.lon)]
        for u, v in zip(nodes[:-1], nodes[1:], strict=True):
            edges = self.graph.get_edge_data(u, v)
            best = min(edges.values(), key=lambda d: float(d["travel_time"]))
            geom = best.get("geometry")
            if geom is not None and hasattr(geom, "coords"):
                coords.extend((float(y), float(x)) for x, y in geom.coords)
            else:
                coords.append((float(self.graph.nodes[u]["y"]), float(self.graph.nodes[u]["x"])))
                coords.append((float(self.graph.nodes[v]["y"]), float(self.graph.nodes[v]["x"])))
        if len(nodes) == 1:
            coords.append(
                (float(self.graph.nodes[nodes[0]]["y"]), float(self.graph.nodes[nodes[0]]["x"]))
            )
        coords.append((b.lat, b.lon))
        deduped = [coords[0]]
        for c in coords[1:]:
            if haversine_m(c[0], c[1], deduped[-1][0], deduped[-1][1]) > 0.01:
                deduped.append(c)
        return deduped

    def reachable_node_coords(self, point: Point, radius_s: float) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) arrays of the road nodes reachable from ``point`` within ``radius_s``."""
        (snap,) = self.snap([point])
        access = snap.snap_distance_m / (ACCESS_SPEED_KMH / 3.6)
        budget = radius_s - access
        if budget < 0:
            return np.empty(0), np.empty(0)
        dist = dijkstra(
            self.csr,
            directed=True,
            indices=self.node_index[snap.node],
            limit=(math.floor(budget * 1000.0) + 1) * SCALE,
        )
        ok = np.isfinite(dist)
        return self.lat[ok], self.lon[ok]
