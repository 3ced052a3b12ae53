"""racines geodata: travel times (road network or calibrated estimate), reachability, gazetteer.

Importing nothing from ``solver`` or ``app``. The road-network and geocoding modules import
osmnx / geopy lazily, so ``import geodata`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from geodata.cache import default_cache_dir
from geodata.errors import (
    AmbiguousCommuneError,
    CommuneNotFoundError,
    GeocodingError,
    GeodataError,
    NetworkDataError,
)
from geodata.estimate import Estimator
from geodata.matrix import UNREACHABLE_M, UNREACHABLE_S, TravelMatrix, TravelSource
from geodata.points import Point, haversine_m
from geodata.sources import make_source, register_source

if TYPE_CHECKING:
    from geodata.gazetteer import Commune, Gazetteer
    from geodata.geocode import Geocoder, GeocodeResult
    from geodata.network import download_graph, load_graph
    from geodata.reach import isochrone, reachable
    from geodata.road import RoadNetwork, Snap

__all__ = [
    "UNREACHABLE_M",
    "UNREACHABLE_S",
    "AmbiguousCommuneError",
    "Commune",
    "CommuneNotFoundError",
    "Estimator",
    "GeocodeResult",
    "Geocoder",
    "GeocodingError",
    "GeodataError",
    "Gazetteer",
    "NetworkDataError",
    "Point",
    "RoadNetwork",
    "Snap",
    "TravelMatrix",
    "TravelSource",
    "default_cache_dir",
    "download_graph",
    "haversine_m",
    "isochrone",
    "load_graph",
    "make_source",
    "reachable",
    "register_source",
]

_LAZY = {
    "Commune": "geodata.gazetteer",
    "Gazetteer": "geodata.gazetteer",
    "GeocodeResult": "geodata.geocode",
    "Geocoder": "geodata.geocode",
    "download_graph": "geodata.network",
    "load_graph": "geodata.network",
    "isochrone": "geodata.reach",
    "reachable": "geodata.reach",
    "RoadNetwork": "geodata.road",
    "Snap": "geodata.road",
}


def __getattr__(name: str) -> Any:
    """Import heavy modules (osmnx, geopy, shapely) only when first used."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'geodata' has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
