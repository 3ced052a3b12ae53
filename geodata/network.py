"""Load or download a drivable road graph and give every edge a speed and a travel time.

Pipeline (same for every input)
-------------------------------
1. Read: ``.osm`` XML with :func:`osmnx.graph_from_xml`; ``.osm.pbf`` by first extracting the
   ``highway`` ways and the nodes they reference to a temporary ``.osm`` with pyosmium
   (:class:`osmium.BackReferenceWriter`), then as XML; ``.graphml`` with
   :func:`osmnx.load_graphml`; online, :func:`osmnx.graph_from_polygon` (``download_graph``).
2. Keep drivable ways only (:data:`DRIVABLE_HIGHWAYS`, not ``access=no``).
3. Simplify with ``edge_attrs_differ=["highway"]`` so that roads of different classes are never
   merged into one edge (osmnx's default would merge them and lose the class, hence the speed).
4. Keep the largest strongly connected component (a van must be able to come back).
5. Speeds: ``speed_kph = min(class speed, posted maxspeed)`` with class speeds from
   :data:`DEFAULT_SPEEDS_KMH` (overridable per call). The posted limit only caps the speed:
   80 km/h on a winding departmental road is a limit, not a travel speed. Then
   ``travel_time = length / speed`` in seconds.

Default speeds (km/h) for French rural and mountain roads
---------------------------------------------------------
OSRM's car profile uses primary 65, secondary 55, tertiary 40 and minor roads 25 km/h; we keep
those for primary/secondary/tertiary (national and departmental roads through villages and up
valleys), use 110 for motorways and 85 for trunk roads (4-lane expressways), 30 for
``unclassified`` rural lanes (voies communales), 25 residential, 15 service, 10 living streets.

Caching
-------
The prepared graph is saved as GraphML in ``<cache_dir>/graphs/`` under a name made of the input
file's SHA-256 and a hash of the settings (speeds, :data:`PIPELINE_VERSION`, osmnx version): a
changed file or changed speeds give a new key, so a stale graph is never reused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from geodata.cache import file_sha256, resolve_cache_dir
from geodata.errors import NetworkDataError

__all__ = [
    "DEFAULT_SPEEDS_KMH",
    "DRIVABLE_HIGHWAYS",
    "PIPELINE_VERSION",
    "add_speeds",
    "download_graph",
    "graph_cache_path",
    "load_graph",
    "prepare_graph",
]

logger = logging.getLogger(__name__)

PIPELINE_VERSION = 1
"""Bump when the preparation pipeline changes (invalidates cached GraphML files)."""

DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 110.0,
    "motorway_link": 60.0,
    "trunk": 85.0,
    "trunk_link": 50.0,
    "primary": 65.0,
    "primary_link": 40.0,
    "secondary": 55.0,
    "secondary_link": 35.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "road": 25.0,
    "residential": 25.0,
    "service": 15.0,
    "living_street": 10.0,
}
"""Mean travel speed per OSM ``highway`` class, km/h (see the module docstring)."""

FALLBACK_SPEED_KMH = 25.0
"""Speed for a drivable class missing from the speed table, km/h."""

DRIVABLE_HIGHWAYS = frozenset(DEFAULT_SPEEDS_KMH)
"""OSM ``highway`` values kept in the drivable graph (tracks, paths, footways are dropped)."""

_MAXSPEED_WORDS = {
    "fr:urban": 50.0,
    "fr:rural": 80.0,
    "fr:zone30": 30.0,
    "fr:motorway": 130.0,
    "fr:walk": 6.0,
    "walk": 6.0,
}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def parse_maxspeed_kmh(value: Any) -> float | None:
    """Lowest speed in km/h in an OSM ``maxspeed`` value (``"50"``, ``"30 mph"``,
    ``"FR:urban"``, ``"50;30"`` or a list after simplification); None when unusable."""
    speeds: list[float] = []
    for item in _as_list(value):
        for part in re.split(r"[;|,]", str(item)):
            text = part.strip().lower()
            if not text or text in ("none", "signals", "variable", "nan"):
                continue
            if text in _MAXSPEED_WORDS:
                speeds.append(_MAXSPEED_WORDS[text])
                continue
            m = re.match(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?$", text)
            if m:
                v = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
                if v > 0:
                    speeds.append(v)
    return min(speeds) if speeds else None


def add_speeds(
    G: nx.MultiDiGraph, speeds_kmh: Mapping[str, float] | None = None
) -> nx.MultiDiGraph:
    """Set ``speed_kph`` and ``travel_time`` (seconds) on every edge, in place; return ``G``.

    ``speed_kph = min(class speed, maxspeed)``; an edge with several classes (rare after
    simplification with ``edge_attrs_differ=["highway"]``) takes the slowest class.
    """
    table = {**DEFAULT_SPEEDS_KMH, **(speeds_kmh or {})}
    for name, v in table.items():
        if not float(v) > 0:
            msg = f"speed for highway={name!r} must be > 0 km/h, got {v!r}"
            raise NetworkDataError(msg)
    for _, _, data in G.edges(data=True):
        classes = [str(h) for h in _as_list(data.get("highway"))]
        speed = min((float(table.get(h, FALLBACK_SPEED_KMH)) for h in classes), default=None)
        if speed is None:
            speed = FALLBACK_SPEED_KMH
        posted = parse_maxspeed_kmh(data.get("maxspeed"))
        if posted is not None:
            speed = min(speed, posted)
        length_m = float(data.get("length", 0.0))
        data["speed_kph"] = speed
        data["travel_time"] = length_m / (speed / 3.6)
    return G


def _is_drivable(data: Mapping[str, Any]) -> bool:
    classes = [str(h) for h in _as_list(data.get("highway"))]
    if not classes or not all(h in DRIVABLE_HIGHWAYS for h in classes):
        return False
    access = {str(a) for a in _as_list(data.get("access"))}
    return not access & {"no"}


def prepare_graph(
    G: nx.MultiDiGraph,
    *,
    speeds_kmh: Mapping[str, float] | None = None,
    simplify: bool = True,
    label: str = "graph",
) -> nx.MultiDiGraph:
    """Drivable filter, simplification by class, largest strongly connected component, speeds.

    Parameters
    ----------
    G
        An unsimplified osmnx graph (nodes with ``x``/``y``, edges with ``length``/``highway``).
    speeds_kmh
        Overrides of :data:`DEFAULT_SPEEDS_KMH`.
    simplify
        Simplify with ``edge_attrs_differ=["highway"]`` unless the graph is already simplified.
    label
        Name used in messages (the file name).
    """
    import osmnx as ox

    drop = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if not _is_drivable(d)]
    G = G.copy()
    G.remove_edges_from(drop)
    G.remove_nodes_from([n for n in list(G.nodes) if G.degree(n) == 0])
    if G.number_of_edges() == 0:
        msg = f"{label}: no drivable road (highway in {sorted(DRIVABLE_HIGHWAYS)}) found"
        raise NetworkDataError(msg)
    if simplify and not G.graph.get("simplified", False):
        G = ox.simplify_graph(G, edge_attrs_differ=["highway"])
    n_before = G.number_of_nodes()
    if n_before < 2:
        msg = f"{label}: the drivable graph has fewer than 2 nodes after simplification"
        raise NetworkDataError(msg)
    G = ox.truncate.largest_component(G, strongly=True)
    if G.number_of_nodes() < 2:
        msg = f"{label}: the drivable graph has no strongly connected part with 2+ nodes"
        raise NetworkDataError(msg)
    if G.number_of_nodes() < n_before:
        logger.info(
            "%s: kept the largest strongly connected component (%d of %d nodes)",
            label,
            G.number_of_nodes(),
            n_before,
        )
    add_speeds(G, speeds_kmh)
    G.graph["racines_speeds_kmh"] = json.dumps({**DEFAULT_SPEEDS_KMH, **(speeds_kmh or {})})
    return G


def _settings_key(speeds_kmh: Mapping[str, float] | None) -> str:
    import osmnx as ox

    settings = {
        "pipeline": PIPELINE_VERSION,
        "osmnx": ox.__version__,
        "speeds": {**DEFAULT_SPEEDS_KMH, **(speeds_kmh or {})},
    }
    blob = json.dumps(settings, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def graph_cache_path(
    path: str | Path,
    *,
    cache_dir: str | Path | None = None,
    speeds_kmh: Mapping[str, float] | None = None,
) -> Path:
    """Where the prepared GraphML of ``path`` is cached (depends on content and settings)."""
    p = Path(path)
    content = file_sha256(p)[:16]
    stem = p.name.split(".")[0] or "graph"
    folder = resolve_cache_dir(cache_dir, "graphs")
    return folder / f"{stem}-{content}-{_settings_key(speeds_kmh)}.graphml"


def _pbf_to_osm_xml(pbf: Path, out: Path) -> None:
    """Extract highway ways and their nodes from an .osm.pbf into an .osm XML file."""
    try:
        import osmium
    except ImportError as exc:  # pragma: no cover - it is a dependency
        msg = f"{pbf}: reading .osm.pbf needs the 'osmium' package (pip install osmium)"
        raise NetworkDataError(msg) from exc
    with osmium.BackReferenceWriter(str(out), ref_src=str(pbf), overwrite=True) as writer:
        for obj in osmium.FileProcessor(str(pbf), osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("highway")
        ):
            writer.add(obj)


def _read_raw(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    name = path.name.lower()
    try:
        if name.endswith(".osm.pbf") or name.endswith(".pbf"):
            with tempfile.TemporaryDirectory() as tmp:
                xml = Path(tmp) / "extract.osm"
                _pbf_to_osm_xml(path, xml)
                return ox.graph_from_xml(xml, simplify=False, retain_all=True)
        if name.endswith(".osm") or name.endswith(".xml"):
            return ox.graph_from_xml(path, simplify=False, retain_all=True)
        if name.endswith(".graphml"):
            return ox.load_graphml(path)
    except NetworkDataError:
        raise
    except Exception as exc:  # osmnx/pyosmium raise many types on bad files
        msg = f"{path}: cannot read road network ({type(exc).__name__}: {exc})"
        raise NetworkDataError(msg) from exc
    msg = f"{path}: unsupported road file type (expected .osm, .osm.pbf or .graphml)"
    raise NetworkDataError(msg)


def load_graph(
    path: str | Path,
    *,
    cache_dir: str | Path | None = None,
    speeds_kmh: Mapping[str, float] | None = None,
    use_cache: bool = True,
) -> nx.MultiDiGraph:
    """Read a road file and return the prepared drivable graph (cached as GraphML).

    Parameters
    ----------
    path
        ``.osm`` (XML), ``.osm.pbf`` or ``.graphml`` file.
    cache_dir
        Cache root (default :func:`geodata.cache.default_cache_dir`).
    speeds_kmh
        Overrides of :data:`DEFAULT_SPEEDS_KMH` (part of the cache key).
    use_cache
        Read/write the GraphML cache.

    Returns
    -------
    networkx.MultiDiGraph
        Unprojected (lon/lat) graph; edges carry ``length`` (m), ``speed_kph``,
        ``travel_time`` (s) and ``highway``.

    Raises
    ------
    NetworkDataError
        Missing, unreadable or unsupported file, or no drivable road in it.
    """
    import osmnx as ox

    p = Path(path)
    if not p.is_file():
        msg = f"{p}: road network file not found"
        raise NetworkDataError(msg)
    cached: Path | None = None
    if use_cache:
        cached = graph_cache_path(p, cache_dir=cache_dir, speeds_kmh=speeds_kmh)
        if cached.exists():
            logger.info("%s: using cached graph %s", p.name, cached.name)
            return ox.load_graphml(cached)
    raw = _read_raw(p)
    G = prepare_graph(raw, speeds_kmh=speeds_kmh, label=str(p))
    G.graph["racines_input"] = p.name
    if cached is not None:
        tmp = cached.with_suffix(".tmp")
        ox.save_graphml(G, tmp)
        tmp.replace(cached)
        logger.info("%s: cached prepared graph as %s", p.name, cached)
    return G


def download_graph(
    polygon_or_place: Any,
    *,
    buffer_m: float = 5000.0,
    cache_dir: str | Path | None = None,
    speeds_kmh: Mapping[str, float] | None = None,
    fetch: Callable[[Any], nx.MultiDiGraph] | None = None,
) -> nx.MultiDiGraph:
    """Download the drivable network of a territory plus a buffer (online), prepare and cache it.

    Parameters
    ----------
    polygon_or_place
        A shapely (Multi)Polygon in lon/lat, or a place name that Nominatim knows
        (e.g. ``"Sisteron, France"``).
    buffer_m
        Margin around the territory in metres, so that routes leaving it briefly are found.
    cache_dir
        Cache root; the prepared graph is saved there as GraphML keyed by the polygon and
        settings, and reused on the next call.
    fetch
        ``fetch(buffered_polygon) -> MultiDiGraph`` (unsimplified); default
        ``osmnx.graph_from_polygon(..., network_type="drive", simplify=False)``. Tests inject a
        fake here.
    """
    import osmnx as ox
    import shapely

    if isinstance(polygon_or_place, str):
        gdf = ox.geocode_to_gdf(polygon_or_place)
        polygon = gdf.geometry.iloc[0]
    else:
        polygon = polygon_or_place
    if buffer_m > 0:
        projected, crs = ox.projection.project_geometry(polygon)
        polygon, _ = ox.projection.project_geometry(
            projected.buffer(buffer_m), crs=crs, to_latlong=True
        )
    key = hashlib.sha256(shapely.to_wkb(polygon) + _settings_key(speeds_kmh).encode()).hexdigest()[
        :16
    ]
    cached = resolve_cache_dir(cache_dir, "graphs") / f"download-{key}.graphml"
    if cached.exists():
        logger.info("using cached downloaded graph %s", cached.name)
        return ox.load_graphml(cached)
    if fetch is None:

        def fetch(poly: Any) -> nx.MultiDiGraph:
            return ox.graph_from_polygon(poly, network_type="drive", simplify=False)

    raw = fetch(polygon)
    G = prepare_graph(raw, speeds_kmh=speeds_kmh, label="downloaded network")
    G.graph["racines_input"] = f"download-{key}"
    tmp = cached.with_suffix(".tmp")
    ox.save_graphml(G, tmp)
    tmp.replace(cached)
    return G
