"""Exactness of the graph reduction used before many-to-many Dijkstra; download with a fake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from geodata.errors import NetworkDataError
from geodata.network import download_graph
from geodata.road import min_csr, reduce_graph


def random_road_like(n_side: int, seed: int) -> Any:
    """A grid with deleted links (dead ends, chains) and some one-way links, packed weights."""
    rng = np.random.default_rng(seed)
    idx = np.arange(n_side * n_side).reshape(n_side, n_side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(len(u)) > 0.4
    u, v = u[keep], v[keep]
    w = rng.integers(1, 50_000, len(u)).astype(float) * 2**26 + rng.integers(0, 5000, len(u))
    oneway = rng.random(len(u)) < 0.1
    uu = np.concatenate([u, v[~oneway]])
    vv = np.concatenate([v, u[~oneway]])
    ww = np.concatenate([w, w[~oneway]])
    return min_csr(uu, vv, ww, n_side * n_side)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reduction_preserves_distances(seed: int) -> None:
    """Distances between kept nodes are identical on the reduced graph, and it is smaller."""
    csr = random_road_like(30, seed)
    rng = np.random.default_rng(seed)
    keep = rng.choice(csr.shape[0], size=40, replace=False)
    reduced, mapping = reduce_graph(csr, keep)
    assert reduced.shape[0] < 0.8 * csr.shape[0]
    assert np.all(mapping[keep] >= 0)
    full = dijkstra(csr, indices=keep)[:, keep]
    small = dijkstra(reduced, indices=mapping[keep])[:, mapping[keep]]
    np.testing.assert_array_equal(full, small)


def test_download_graph_with_fake_fetch(tmp_path: Path) -> None:
    """download_graph buffers the polygon, prepares the fetched graph and caches it."""
    calls: list[Any] = []

    def fake_fetch(polygon: Any) -> nx.MultiDiGraph:
        calls.append(polygon)
        G: nx.MultiDiGraph = nx.MultiDiGraph(crs="epsg:4326")
        G.add_node(1, x=5.80, y=44.20)
        G.add_node(2, x=5.80, y=44.21)
        G.add_node(3, x=5.81, y=44.21)
        G.add_node(4, x=5.80, y=44.22)
        for a, b in ((1, 2), (2, 3), (2, 4)):
            G.add_edge(a, b, length=1000.0, highway="tertiary", oneway=False)
            G.add_edge(b, a, length=1000.0, highway="tertiary", oneway=False)
        return G

    territory = shapely.box(5.79, 44.19, 5.82, 44.22)
    G = download_graph(territory, buffer_m=2000, cache_dir=tmp_path, fetch=fake_fetch)
    assert len(calls) == 1
    assert calls[0].contains(shapely.Point(5.79 - 0.02, 44.2))  # ~1.6 km west: inside the buffer
    assert all(d["travel_time"] == pytest.approx(90.0) for _, _, d in G.edges(data=True))
    again = download_graph(territory, buffer_m=2000, cache_dir=tmp_path, fetch=fake_fetch)
    assert len(calls) == 1 and again.number_of_nodes() == 4  # served from the GraphML cache

    def empty_fetch(polygon: Any) -> nx.MultiDiGraph:
        return nx.MultiDiGraph(crs="epsg:4326")

    with pytest.raises(NetworkDataError, match="no drivable road"):
        download_graph(shapely.box(6, 44, 6.01, 44.01), cache_dir=tmp_path, fetch=empty_fetch)


def test_worker_processes_give_same_result() -> None:
    """Splitting the sources over 2 worker processes returns the same packed costs."""
    from geodata.road import packed_costs

    csr = random_road_like(20, 5)
    sources = np.arange(0, 400, 7)
    targets = np.arange(3, 400, 11)
    one = packed_costs(csr, sources, targets, np.inf, None, 1)
    two = packed_costs(csr, sources, targets, np.inf, None, 2)
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize("seed", [0, 1])
def test_hierarchy_sweeps_are_exact(seed: int) -> None:
    """PHAST sweeps on the node hierarchy give exactly the plain Dijkstra distances."""
    from geodata.hierarchy import build_hierarchy

    csr = random_road_like(25, seed)
    h = build_hierarchy(csr, seed=seed)
    assert h.n_core < csr.shape[0] // 2
    rng = np.random.default_rng(seed)
    sources = rng.choice(csr.shape[0], size=30, replace=False)
    targets = rng.choice(csr.shape[0], size=50, replace=False)
    expected = dijkstra(csr, indices=sources)[:, targets]
    np.testing.assert_array_equal(h.costs(sources, targets, batch=7), expected)


def test_hierarchy_two_nodes_and_core_only_targets() -> None:
    """A two-node graph works, including a target set made of the core node only."""
    from geodata.hierarchy import build_hierarchy

    csr = min_csr(np.array([0, 1]), np.array([1, 0]), np.array([5.0, 7.0]), 2)
    h = build_hierarchy(csr)
    top = int(np.argmax(h.level))
    np.testing.assert_array_equal(
        h.costs(np.array([0, 1]), np.array([top])), dijkstra(csr)[:, [top]]
    )
    np.testing.assert_array_equal(h.costs(np.array([0, 1]), np.array([0, 1])), [[0, 5], [7, 0]])
