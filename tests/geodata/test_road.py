"""Road network source on the hand-written .osm fixture (tests/data/osm/mini_baronnies.osm).

Hand-checked figures (1 degree of latitude = 111,195.08 m with osmnx's Earth radius):

* N85 Laragne (44.30) -> node 2 (44.25): 5,559.75 m at 65 km/h = 307.92 s; node 2 -> Sisteron
  (44.20): 5,559.75 m capped by maxspeed=50 -> 400.30 s. Laragne -> Sisteron = 708.22 s -> 709 s,
  11,119.5 m -> 11,120 m.
* D1 Sisteron -> Valbelle along 44.20 N, 0.1 degree of longitude: 111,195.08 x cos(44.2) x 0.1
  = 7,971.7 m at 55 km/h = 521.78 s -> 522 s.
* D2 mountain road Valbelle -> Montagne: 6 hairpin legs of (0.01 lat, 0.02 lon) = 11,658.8 m at
  40 km/h = 1,049.3 s -> 1,050 s, although Montagne is only 6,671.7 m away in a straight line.
* C3 lane Montagne -> Laragne: 0.04 lat + 0.1 lon at 44.30 = 12,405.95 m at 30 km/h = 1,488.7 s,
  faster than N85 + D1 + D2 (708.2 + 521.8 + 1,049.3 s); the footway Laragne-Montagne is ignored.
* One-way Rue Droite Sisteron -> node 14: 222.39 m at 25 km/h = 32.02 s -> 33 s; the way back
  must use the loop: 700.7 m = 100.9 s -> 101 s.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pytest
import shapely

from geodata.errors import NetworkDataError
from geodata.matrix import UNREACHABLE_S
from geodata.network import graph_cache_path, load_graph
from geodata.points import Point
from geodata.reach import isochrone
from geodata.road import RoadNetwork, min_csr
from geodata.sources import make_source

LARAGNE = Point("laragne", 44.300, 5.800)
SISTERON = Point("sisteron", 44.200, 5.800)
VALBELLE = Point("valbelle", 44.200, 5.900)
MONTAGNE = Point("montagne", 44.260, 5.900)
RUE = Point("rue-droite", 44.198, 5.800)
FARM = Point("farm", 44.190, 5.910)  # on a track (not drivable) 1.37 km from Valbelle


@pytest.fixture(scope="module")
def network(osm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RoadNetwork:
    """The fixture network, prepared once."""
    cache = tmp_path_factory.mktemp("graphs")
    return RoadNetwork.from_file(osm_dir / "mini_baronnies.osm", cache_dir=cache)


def test_hand_checked_travel_times(network: RoadNetwork) -> None:
    """Road times and distances match the hand computation in the module docstring."""
    m = network.matrix([LARAGNE, SISTERON, VALBELLE, MONTAGNE])
    assert m.seconds_between("laragne", "sisteron") == 709
    assert m.metres_between("laragne", "sisteron") == 11120
    assert m.seconds_between("sisteron", "valbelle") == 522
    assert m.metres_between("sisteron", "valbelle") == 7972
    assert m.seconds_between("valbelle", "montagne") == 1050
    assert m.seconds_between("laragne", "montagne") == 1489
    assert m.metres_between("laragne", "montagne") == 12406
    # Laragne -> Valbelle: N85 + D1 (708.22 + 521.78 = 1230.0 s) beats C3 + D2.
    assert m.seconds_between("laragne", "valbelle") == 1231
    assert m.source == "road:mini_baronnies.osm"
    assert not m.estimated
    assert np.all(np.diag(m.seconds) == 0)


def test_one_way_street(network: RoadNetwork) -> None:
    """The one-way street is quick one way; the way back goes round the loop."""
    m = network.matrix([SISTERON, RUE])
    assert m.seconds_between("sisteron", "rue-droite") == 33
    assert m.metres_between("sisteron", "rue-droite") == 222
    assert m.seconds_between("rue-droite", "sisteron") == 101
    assert m.metres_between("rue-droite", "sisteron") == 701


def test_parallel_edges_take_minimum(network: RoadNetwork) -> None:
    """The N85 and the parallel old road between the same nodes: the faster one counts."""
    G = network.graph
    assert len(G.get_edge_data(1, 2)) == 2  # two parallel edges survive simplification
    packed = network.csr[network.node_index[1], network.node_index[2]]
    assert packed // 2**26 == 307_925  # N85: 5,559.75 m at 65 km/h, in ms (old road: 520,495)
    assert packed % 2**26 == 55_598  # its length in dm


def test_min_csr_reduces_duplicates() -> None:
    """min_csr keeps the smallest weight of duplicate pairs instead of adding them."""
    u = np.array([0, 0, 0, 1, 1])
    v = np.array([1, 1, 1, 0, 1])
    w = np.array([5.0, 3.0, 9.0, 2.0, 1.0])
    csr = min_csr(u, v, w, 2)
    assert csr[0, 1] == 3.0
    assert csr[1, 0] == 2.0
    assert csr[1, 1] == 0.0  # self-loop dropped


def test_graph_cleaning(network: RoadNetwork) -> None:
    """Footway, track and the disconnected hamlet are gone; class boundaries are kept."""
    G = network.graph
    assert set(G.nodes) == {1, 2, 3, 5, 12, 14}
    highways = {d["highway"] for _, _, d in G.edges(data=True)}
    assert highways == {"primary", "tertiary", "secondary", "unclassified", "residential"}


def test_snap_distance_and_warning(network: RoadNetwork, caplog: pytest.LogCaptureFixture) -> None:
    """A point on a node snaps at 0 m; the farm on a track snaps 1.37 km away with a warning."""
    with caplog.at_level(logging.WARNING, logger="geodata.road"):
        on_node, farm = network.snap([SISTERON, FARM])
    assert on_node.node == 3
    assert on_node.snap_distance_m == pytest.approx(0.0, abs=0.01)
    assert farm.node == 5
    assert farm.snap_distance_m == pytest.approx(1368, abs=2)
    assert "'farm'" in caplog.text and "1368 m" in caplog.text


def test_snap_distance_is_driven_slowly(network: RoadNetwork) -> None:
    """The farm's 1,368 m access counts at 20 km/h (246.2 s) on top of the road time."""
    m = network.matrix([VALBELLE, FARM])
    assert m.seconds_between("valbelle", "farm") == 247
    assert m.metres_between("farm", "valbelle") == 1368


def test_max_seconds_marks_far_pairs_unreachable(network: RoadNetwork) -> None:
    """With max_seconds=1000, Laragne-Valbelle (1231 s) is unreachable, Sisteron (709 s) is not."""
    m = network.matrix([LARAGNE, SISTERON, VALBELLE], max_seconds=1000)
    assert m.seconds_between("laragne", "sisteron") == 709
    assert m.seconds_between("laragne", "valbelle") == UNREACHABLE_S
    assert not m.is_reachable("valbelle", "laragne")


def test_leg_geometry_follows_road(network: RoadNetwork) -> None:
    """The Laragne -> Valbelle leg runs down the N85 through Sisteron and along the D1."""
    geom = network.leg_geometry(LARAGNE, VALBELLE)
    assert geom[0] == (44.3, 5.8)
    assert geom[-1] == (44.2, 5.9)
    assert (44.2, 5.8) in geom and (44.2, 5.85) in geom


def test_matrix_agrees_with_networkx(network: RoadNetwork) -> None:
    """scipy times equal networkx Dijkstra on the MultiDiGraph (minimum over parallel edges)."""
    pts = [LARAGNE, SISTERON, VALBELLE, MONTAGNE, RUE]
    m = network.matrix(pts)
    nodes = [s.node for s in network.snap(pts)]
    for i, a in enumerate(nodes):
        lengths = nx.single_source_dijkstra_path_length(network.graph, a, weight="travel_time")
        for j, b in enumerate(nodes):
            assert m.seconds[i, j] == int(np.ceil(lengths[b] - 1e-6))


def test_cache_reused_and_invalidated(osm_dir: Path, tmp_path: Path) -> None:
    """The GraphML cache is reused for the same file and rebuilt when the file changes."""
    road = tmp_path / "road.osm"
    shutil.copy(osm_dir / "mini_baronnies.osm", road)
    cache = tmp_path / "cache"
    first_key = graph_cache_path(road, cache_dir=cache)
    load_graph(road, cache_dir=cache)
    assert first_key.exists()
    stamp = first_key.stat().st_mtime_ns
    load_graph(road, cache_dir=cache)
    assert first_key.stat().st_mtime_ns == stamp  # reused, not rewritten

    # lower the N85 limit near Sisteron from 50 to 30 km/h: 5,559.75 m at 30 km/h = 667.17 s
    road.write_text(road.read_text().replace('v="50"', 'v="30"'))
    second_key = graph_cache_path(road, cache_dir=cache)
    assert second_key != first_key
    rn = RoadNetwork.from_file(road, cache_dir=cache)
    assert second_key.exists()
    assert rn.matrix([LARAGNE, SISTERON]).seconds_between("laragne", "sisteron") == 976


def test_speed_override_changes_key_and_times(osm_dir: Path, tmp_path: Path) -> None:
    """Overriding the unclassified speed to 45 km/h changes the cache key and the C3 time."""
    path = osm_dir / "mini_baronnies.osm"
    assert graph_cache_path(path, cache_dir=tmp_path) != graph_cache_path(
        path, cache_dir=tmp_path, speeds_kmh={"unclassified": 45.0}
    )
    rn = RoadNetwork.from_file(path, cache_dir=tmp_path, speeds_kmh={"unclassified": 45.0})
    # 12,405.95 m at 45 km/h = 992.5 s
    assert rn.matrix([LARAGNE, MONTAGNE]).seconds_between("laragne", "montagne") == 993


def test_pbf_and_graphml_inputs(osm_dir: Path, tmp_path: Path, network: RoadNetwork) -> None:
    """The same network read from .osm.pbf and from a .graphml gives the same matrix."""
    pbf = tmp_path / "mini.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(osm_dir / "mini_baronnies.osm")):
            writer.add(obj)
    pts = [LARAGNE, SISTERON, VALBELLE, MONTAGNE, RUE]
    expected = network.matrix(pts).seconds
    from_pbf = RoadNetwork.from_file(pbf, cache_dir=tmp_path / "c1")
    np.testing.assert_array_equal(from_pbf.matrix(pts).seconds, expected)
    graphml = graph_cache_path(pbf, cache_dir=tmp_path / "c1")
    from_graphml = RoadNetwork.from_file(graphml, cache_dir=tmp_path / "c2")
    np.testing.assert_array_equal(from_graphml.matrix(pts).seconds, expected)


def test_bad_files_raise_clear_errors(tmp_path: Path) -> None:
    """Missing, unsupported, broken or road-less files raise NetworkDataError naming the file."""
    with pytest.raises(NetworkDataError, match="not found"):
        load_graph(tmp_path / "nope.osm", cache_dir=tmp_path)
    csv = tmp_path / "roads.csv"
    csv.write_text("a,b\n")
    with pytest.raises(NetworkDataError, match="unsupported"):
        load_graph(csv, cache_dir=tmp_path)
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'")
    with pytest.raises(NetworkDataError, match="broken.osm"):
        load_graph(broken, cache_dir=tmp_path)
    paths_only = tmp_path / "paths.osm"
    paths_only.write_text(
        '<osm version="0.6"><node id="1" lat="44.0" lon="5.0"/><node id="2" lat="44.1" lon="5.0"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way></osm>'
    )
    with pytest.raises(NetworkDataError, match="no drivable road"):
        load_graph(paths_only, cache_dir=tmp_path)


def test_make_source_road_relative_path(osm_dir: Path, tmp_path: Path) -> None:
    """make_source(source='road') resolves road_file against the scenario folder."""
    settings = {"source": "road", "road_file": "osm/mini_baronnies.osm"}
    src = make_source(settings, base_dir=osm_dir.parent, cache_dir=tmp_path)
    assert src.name == "road:mini_baronnies.osm" and not src.estimated
    assert src.matrix([LARAGNE, SISTERON]).seconds_between("sisteron", "laragne") == 709
    again = make_source(settings, base_dir=osm_dir.parent, cache_dir=tmp_path)
    assert again is src  # the network is loaded once per process
    with pytest.raises(NetworkDataError, match="not found"):
        make_source({"source": "road", "road_file": "missing.osm"}, base_dir=tmp_path)


def test_isochrone_contains_reachable_villages(network: RoadNetwork) -> None:
    """The 10-minute isochrone of Sisteron holds Valbelle (522 s) but not Laragne (709 s)."""
    poly = isochrone(network, SISTERON, 600)
    assert poly.contains(shapely.Point(VALBELLE.lon, VALBELLE.lat))
    assert poly.contains(shapely.Point(SISTERON.lon, SISTERON.lat))
    assert not poly.contains(shapely.Point(LARAGNE.lon, LARAGNE.lat))
    assert not poly.contains(shapely.Point(MONTAGNE.lon, MONTAGNE.lat))


def test_snap_matches_brute_force(network: RoadNetwork) -> None:
    """Snapping finds the node with the smallest great-circle distance (brute force check)."""
    from geodata.points import haversine_m

    rng = np.random.default_rng(3)
    pts = [
        Point(f"q{k}", 44.19 + 0.12 * rng.random(), 5.78 + 0.15 * rng.random()) for k in range(25)
    ]
    for p, s in zip(pts, network.snap(pts), strict=True):
        dists = {
            n: haversine_m(p.lat, p.lon, d["y"], d["x"]) for n, d in network.graph.nodes(data=True)
        }
        best = min(dists, key=lambda n: dists[n])
        assert s.node == best
        assert s.snap_distance_m == pytest.approx(dists[best], rel=1e-6)


def test_hierarchy_method_matches_dijkstra(network: RoadNetwork) -> None:
    """method='hierarchy' gives the same matrix as plain Dijkstra, with and without a limit."""
    idx = np.array([network.node_index[n] for n in (1, 2, 3, 5, 12, 14)])
    for limit in (None, 1000.0):
        plain_s, plain_m = network.node_costs(idx, idx, limit_s=limit, method="dijkstra")
        ch_s, ch_m = network.node_costs(idx, idx, limit_s=limit, method="hierarchy")
        np.testing.assert_array_equal(ch_s, plain_s)
        np.testing.assert_array_equal(ch_m, plain_m)
