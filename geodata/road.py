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
Each point is snapped to its nearest graph node (``osmnx.distance.nearest_nodes``, haversine
ball tree from scikit-learn on the unprojected graph). The straight snap distance is added at
each end at :data:`ACCESS_SPEED_KMH` (walking a farm track or a yard is slow), so a farm 800 m
from the road is not treated as on it; a warning is logged above ``snap_warn_m``.

Rounding
--------
``seconds = ceil(total seconds)``, ``metres = round(total metres)``; the diagonal is 0.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from geodata.errors import GeodataError, NetworkDataError
from geodata.matrix import UNREACHABLE_M, UNREACHABLE_S, TravelMatrix
from geodata.points import Point, check_unique_ids, haversine_m

__all__ = ["ACCESS_SPEED_KMH", "SNAP_WARN_M", "RoadNetwork", "Snap", "edge_arrays", "min_csr"]

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
        self._csr_t = None  # lazily built transpose for "to" searches

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
        """Nearest graph node of each point and the straight distance to it (metres)."""
        if not points:
            return []
        import osmnx as ox

        lons = [p.lon for p in points]  # x = longitude, y = latitude (osmnx order)
        lats = [p.lat for p in points]
        nodes, dists = ox.distance.nearest_nodes(self.graph, X=lons, Y=lats, return_dist=True)
        snaps = [
            Snap(p.id, node, float(d)) for p, node, d in zip(points, nodes, dists, strict=True)
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
    ) -> tuple[np.ndarray, np.ndarray]:
        """Float seconds and metres between node indices (``inf`` when unreachable/beyond)."""
        n = self.csr.shape[0]
        limit = np.inf if limit_s is None else (math.floor(limit_s * 1000.0) + 1) * SCALE
        size = batch or max(1, MAX_BATCH_CELLS // max(1, n))
        secs = np.full((len(sources), len(targets)), np.inf)
        metres = np.full((len(sources), len(targets)), np.inf)
        uniq, inverse = np.unique(sources, return_inverse=True)
        for start in range(0, len(uniq), size):
            chunk = uniq[start : start + size]
            dist = dijkstra(self.csr, directed=True, indices=chunk, limit=limit)
            block = dist[:, targets]
            finite = np.isfinite(block)
            t_ms = np.where(finite, np.floor(np.where(finite, block, 0) / SCALE), np.inf)
            len_dm = np.where(finite, np.where(finite, block, 0) - t_ms * SCALE, np.inf)
            rows = np.flatnonzero((inverse >= start) & (inverse < start + len(chunk)))
            secs[rows] = (t_ms / 1000.0)[inverse[rows] - start]
            metres[rows] = (len_dm / 10.0)[inverse[rows] - start]
        return secs, metres

    def matrix(self, points: Sequence[Point], *, max_seconds: float | None = None) -> TravelMatrix:
        """Road travel matrix; pairs beyond ``max_seconds`` or unreachable are unreachable."""
        ids = check_unique_ids(points)
        snaps = self.snap(points)
        idx = np.array([self.node_index[s.node] for s in snaps], dtype=np.int64)
        snap_m = np.array([s.snap_distance_m for s in snaps], dtype=float)
        net_s, net_m = self.node_costs(idx, idx, limit_s=max_seconds)
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
