"""Benchmark: many-to-many travel matrices on a 100k-node synthetic road-like graph.

Usage::

    uv run python benchmarks/geodata_matrix.py [--nodes 100000] [--seed 0] [--nx-sources 4]

The graph (SYNTHETIC, generated here) is a perturbed grid about 48 km across with road classes
(primary every 40th line, secondary every 10th, tertiary every 5th, minor lanes elsewhere), 35 %
of the minor links removed (dead ends, bends), 5 % of minor links one-way, 1 % of links doubled
by a slower parallel road, curvy lengths, and speeds from ``geodata.network.add_speeds``;
the largest strongly connected component is kept. Points are random nodes moved by up to 50 m
(so they are snapped).

For 200 and 1,000 points it times, in the same run:

* ``scipy``: ``RoadNetwork.matrix`` (graph reduction + ``scipy.sparse.csgraph.dijkstra``, worker
  processes for the big full matrix), full and radius-limited (30 min);
* ``scipy 1 proc, no reduction``: plain per-source scipy Dijkstra on the whole graph in one
  process (the 1,000-point full case is extrapolated from the first 200 sources);
* ``networkx``: plain ``nx.single_source_dijkstra_path_length`` on the MultiDiGraph, run for a
  few sources only and **extrapolated per source** to all sources (it would take minutes).

It also checks that scipy and networkx agree on the sampled sources (max difference in seconds).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from geodata.network import add_speeds
from geodata.points import Point
from geodata.road import RoadNetwork

RADIUS_S = 1800.0


def synthetic_graph(n_nodes: int, seed: int) -> nx.MultiDiGraph:
    """A road-like MultiDiGraph with about ``n_nodes`` nodes (see the module docstring)."""
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(n_nodes / 0.975))
    spacing_m = 150.0
    lat0, lon0 = 44.0, 5.3
    dlat = spacing_m / 111_195.0
    dlon = dlat / math.cos(math.radians(lat0))
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    lat = lat0 + ii.ravel() * dlat + rng.uniform(-0.27, 0.27, side * side) * dlat
    lon = lon0 + jj.ravel() * dlon + rng.uniform(-0.27, 0.27, side * side) * dlon
    idx = np.arange(side * side).reshape(side, side)

    def line_class(k: np.ndarray) -> np.ndarray:
        cls = np.where(k % 5 == 0, "tertiary", "minor").astype(object)
        cls[k % 10 == 0] = "secondary"
        cls[k % 40 == 0] = "primary"
        return cls

    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    cls = np.concatenate([line_class(ii[:, :-1].ravel()), line_class(jj[:-1, :].ravel())])
    minor = cls == "minor"
    cls[minor] = np.where(rng.random(minor.sum()) < 0.5, "residential", "unclassified")
    keep = ~minor | (rng.random(len(u)) > 0.35)
    u, v, cls, minor = u[keep], v[keep], cls[keep], minor[keep]
    p1, p2 = np.radians(lat[u]), np.radians(lat[v])
    dl = np.radians(lon[v] - lon[u])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    straight_m = 2 * 6_371_009.0 * np.arcsin(np.sqrt(h))
    curvy = np.where(minor, rng.uniform(1.0, 1.35, len(u)), rng.uniform(1.0, 1.12, len(u)))
    length = straight_m * curvy
    oneway = minor & (rng.random(len(u)) < 0.05)
    flip = rng.random(len(u)) < 0.5

    G: nx.MultiDiGraph = nx.MultiDiGraph(crs="epsg:4326", simplified=True)
    G.add_nodes_from((int(k), {"x": float(lon[k]), "y": float(lat[k])}) for k in range(side * side))
    for a, b, c, ln, ow, fl in zip(
        u.tolist(),
        v.tolist(),
        cls.tolist(),
        length.tolist(),
        oneway.tolist(),
        flip.tolist(),
        strict=True,
    ):
        if ow:
            a, b = (b, a) if fl else (a, b)
            G.add_edge(a, b, length=ln, highway=c, oneway=True)
        else:
            G.add_edge(a, b, length=ln, highway=c, oneway=False)
            G.add_edge(b, a, length=ln, highway=c, oneway=False)
    # 1 % of links get a slower parallel road (an old road beside a new one)
    for a, b in rng.choice(np.column_stack([u, v]), size=len(u) // 100, replace=False).tolist():
        for x, y in ((a, b), (b, a)):
            if G.has_edge(x, y):
                d = G.get_edge_data(x, y)[0]
                G.add_edge(x, y, length=d["length"] * 1.3, highway="unclassified")
    add_speeds(G)
    nodes = np.array(list(G.nodes))
    pos = {n: i for i, n in enumerate(nodes.tolist())}
    e = np.array([(pos[a], pos[b]) for a, b in G.edges()], dtype=np.int64)
    adj = csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(len(nodes), len(nodes)))
    _, labels = connected_components(adj, directed=True, connection="strong")
    big = np.flatnonzero(labels == np.bincount(labels).argmax())
    return G.subgraph(nodes[big].tolist()).copy()


def cpu_now() -> float:
    """CPU seconds used by this process and its finished children (worker processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """(result, wall seconds, CPU seconds incl. worker processes)."""
    t, c = time.perf_counter(), cpu_now()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t, cpu_now() - c


@dataclass
class _Bench:
    """The network and the 1,000 snapped points every case runs on."""

    G: nx.MultiDiGraph
    rn: RoadNetwork
    points: list[Point]
    snaps: list[Any]
    idx_all: np.ndarray


@dataclass
class _Bars:
    """Whether the bars are met: hierarchy cold and warm, wall clock and CPU."""

    cold_wall: bool = True
    cold_cpu: bool = True
    warm_wall: bool = False
    warm_cpu: bool = False


Row = tuple[str, float, float, float | None, float, float, int, str]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--nx-sources", type=int, default=4, help="networkx sources (full)")
    parser.add_argument("--nx-sources-limited", type=int, default=20)
    return parser.parse_args(argv)


def _setup(args: argparse.Namespace, rng: np.random.Generator) -> _Bench:
    """Generate the graph, build the network, draw and snap 1,000 points (timings printed)."""
    G, t_gen, _ = timed(synthetic_graph, args.nodes, args.seed)
    print(
        f"SYNTHETIC graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} directed "
        f"edges (generated in {t_gen:.1f} s)"
    )
    rn, t_build, _ = timed(RoadNetwork, G, name="road:synthetic")
    print(f"RoadNetwork build (CSR with min over parallel edges): {t_build:.2f} s")
    node_ids = list(G.nodes)
    chosen = rng.choice(len(node_ids), size=1000, replace=False)
    points = []
    for k, c in enumerate(chosen.tolist()):
        d = G.nodes[node_ids[c]]
        jitter = rng.uniform(-50, 50, 2) / 111_195.0
        points.append(Point(f"p{k}", d["y"] + jitter[0], d["x"] + jitter[1]))
    snaps, t_snap, _ = timed(rn.snap, points)
    max_snap_m = max(s.snap_distance_m for s in snaps)
    print(f"snap 1,000 points: {t_snap:.2f} s (max snap {max_snap_m:.0f} m)")
    idx_all = np.array([rn.node_index[s.node] for s in snaps])
    return _Bench(G, rn, points, snaps, idx_all)


def _networkx(b: _Bench, k: int, cutoff: float | None = None) -> list[dict[Any, float]]:
    """networkx's plain Dijkstra from the first ``k`` points (seconds to every node)."""
    return [
        nx.single_source_dijkstra_path_length(
            b.G, b.snaps[i].node, cutoff=cutoff, weight="travel_time"
        )
        for i in range(k)
    ]


def _dijkstra_rows(
    b: _Bench, n: int, args: argparse.Namespace
) -> tuple[list[Row], tuple[float, float], tuple[float, float]]:
    """Rows of the Dijkstra cases for ``n`` points, and networkx's extrapolated full and
    radius-limited (wall, CPU) seconds."""
    rn, pts, idx = b.rn, b.points[:n], b.idx_all[:n]
    rn._reduced_cache = None  # time each case cold (reduction included)
    _, w_full, c_full = timed(rn.matrix, pts, method="dijkstra")
    rn._reduced_cache = None
    _, w_lim, c_lim = timed(rn.matrix, pts, max_seconds=RADIUS_S, method="dijkstra")
    k_plain = min(n, 200)
    _, _, c_plain = timed(
        rn.node_costs, idx[:k_plain], idx, reduce=False, workers=1, method="dijkstra"
    )
    # networkx, plain Dijkstra, a few sources, extrapolated per source
    k_full = min(args.nx_sources, n)
    nx_len, w_nx, c_nx = timed(_networkx, b, k_full)
    k_lim = min(args.nx_sources_limited, n)
    _, w_nxl, c_nxl = timed(_networkx, b, k_lim, RADIUS_S)
    # agreement on the sampled sources (network part only, seconds)
    secs, _ = rn.node_costs(idx[:k_full], idx)
    diff = max(
        abs(secs[i, j] - nx_len[i][b.snaps[j].node]) for i in range(k_full) for j in range(n)
    )
    nx_full = (w_nx * n / k_full, c_nx * n / k_full)
    nx_lim = (w_nxl * n / k_lim, c_nxl * n / k_lim)
    rows: list[Row] = [
        (
            f"{n} x {n} full, Dijk.",
            w_full,
            c_full,
            c_plain * n / k_plain,
            *nx_full,
            k_full,
            f"{diff:.4f}",
        ),
        (f"{n} x {n} <=30, Dijk.", w_lim, c_lim, None, *nx_lim, k_lim, ""),
    ]
    return rows, nx_full, nx_lim


def _hierarchy_rows(
    b: _Bench,
    n: int,
    args: argparse.Namespace,
    nx_full: tuple[float, float],
    nx_lim: tuple[float, float],
    bars: _Bars,
) -> list[Row]:
    """Rows of the node-hierarchy cases (the default for >= 200 points), cold then warm.

    At 1,000 points the bars are updated.
    """
    rn, pts = b.rn, b.points[:n]
    k_full, k_lim = min(args.nx_sources, n), min(args.nx_sources_limited, n)
    rn._hierarchy = None
    m_cold, w_cold, c_cold = timed(rn.matrix, pts)  # builds the hierarchy
    _, w_ch, c_ch = timed(rn.matrix, pts)
    _, w_chl, c_chl = timed(rn.matrix, pts, max_seconds=RADIUS_S)
    m_ref = rn.matrix(pts[:50], method="dijkstra")
    flag = "same" if np.array_equal(m_cold.sub(m_ref.ids).seconds, m_ref.seconds) else "DIFF"
    if n == 1000:
        bars.cold_wall = w_cold < 10.0 and nx_full[0] / w_cold >= 20.0
        bars.cold_cpu = c_cold < 10.0 and nx_full[1] / c_cold >= 20.0
        bars.warm_wall = w_ch < 10.0 and nx_full[0] / w_ch >= 20.0
        bars.warm_cpu = c_ch < 10.0
    return [
        (f"{n} x {n} full, CH cold", w_cold, c_cold, None, *nx_full, k_full, flag),
        (f"{n} x {n} full, CH warm", w_ch, c_ch, None, *nx_full, k_full, flag),
        (f"{n} x {n} <=30, CH warm", w_chl, c_chl, None, *nx_lim, k_lim, ""),
    ]


def _print_table(rows: list[Row]) -> None:
    print()
    header = (
        f"{'case':<24}{'scipy wall':>11}{'scipy cpu':>10}{'plain cpu':>10}"
        f"{'nx wall':>9}{'nx cpu':>8}{'nx srcs':>8}{'nx/sp wall':>11}{'nx/sp cpu':>10}"
        f"{'max|diff| s':>12}"
    )
    print(header)
    print("-" * len(header))
    for case, w_sc, c_sc, c_pl, w_nx_, c_nx_, k, d in rows:
        plain = "" if c_pl is None else f"{c_pl:.1f}"
        print(
            f"{case:<24}{w_sc:>11.2f}{c_sc:>10.2f}{plain:>10}{w_nx_:>9.0f}{c_nx_:>8.0f}{k:>8}"
            f"{w_nx_ / w_sc:>11.1f}{c_nx_ / c_sc:>10.1f}{d:>12}"
        )
    print()


def _print_legend(bars: _Bars) -> None:
    print("seconds; 'cpu' = CPU time of this process + its worker processes (load-independent).")
    print("Dijk. = RoadNetwork.matrix(method='dijkstra'): graph reduction + scipy Dijkstra")
    print("        (+ worker processes for big full matrices).")
    print("CH = RoadNetwork.matrix() default for >= 200 points: node hierarchy + PHAST sweeps;")
    print("     'cold' includes building the hierarchy, 'warm' reuses it (kept on the network).")
    print("plain = scipy Dijkstra on the whole graph, 1 process (from <= 200 sources, scaled).")
    print("nx = networkx single_source_dijkstra_path_length, measured on 'nx srcs' sources and")
    print("     extrapolated per source to all points.")
    print(f"cpus: {os.cpu_count()}, load average at end: {os.getloadavg()[0]:.1f}")
    print("max|diff| column for CH rows: same seconds as Dijkstra on the first 50 points?")
    verdict = {True: "MET", False: "MISSED"}
    print(f"bar, CH cold, wall clock (1,000 x 1,000 < 10 s, >= 20x nx): {verdict[bars.cold_wall]}")
    print(f"bar, CH cold, CPU time   (1,000 x 1,000 < 10 s, >= 20x nx): {verdict[bars.cold_cpu]}")
    print(
        f"bar, warm CH, wall clock: {verdict[bars.warm_wall]}; CPU < 10 s: {verdict[bars.warm_cpu]}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; exit 1 if the bars are missed."""
    args = _arguments(argv)
    rng = np.random.default_rng(args.seed + 1)
    logging.basicConfig(level=logging.WARNING, format="    [%(name)s] %(message)s")
    logging.getLogger("geodata.road").setLevel(logging.INFO)
    print(f"cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    bench = _setup(args, rng)
    rows: list[Row] = []
    bars = _Bars()
    for n in (200, 1000):
        dijkstra, nx_full, nx_lim = _dijkstra_rows(bench, n, args)
        rows += dijkstra
        rows += _hierarchy_rows(bench, n, args, nx_full, nx_lim, bars)
    _print_table(rows)
    _print_legend(bars)
    return 0 if bars.cold_wall or bars.warm_wall else 1


if __name__ == "__main__":
    sys.exit(main())
