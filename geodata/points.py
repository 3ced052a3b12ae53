"""Located points: the only input the travel sources need.

``Point`` stores latitude then longitude (WGS84 degrees), the human order. The only place where
the (x=lon, y=lat) order of GIS libraries is handled is the road-network code
(:mod:`geodata.road`), so callers never have to think about it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geodata.errors import GeodataError

__all__ = ["EARTH_RADIUS_M", "Point", "check_unique_ids", "haversine_m", "haversine_matrix_m"]

EARTH_RADIUS_M = 6_371_009.0
"""Mean Earth radius in metres (the value osmnx uses)."""


@dataclass(frozen=True)
class Point:
    """A located thing (farm, canteen, depot) with a unique id.

    Parameters
    ----------
    id
        Unique identifier, used as the row/column label of travel matrices.
    lat, lon
        WGS84 latitude and longitude in degrees.
    """

    id: str
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not self.id:
            msg = "Point.id must be a non-empty string"
            raise GeodataError(msg)
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            msg = f"Point {self.id!r}: lat={self.lat!r} must be in [-90, 90] degrees"
            raise GeodataError(msg)
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            msg = f"Point {self.id!r}: lon={self.lon!r} must be in [-180, 180] degrees"
            raise GeodataError(msg)


def check_unique_ids(points: Sequence[Point]) -> tuple[str, ...]:
    """Return the ids of ``points``; raise :class:`GeodataError` on a duplicate id."""
    ids = tuple(p.id for p in points)
    if len(set(ids)) != len(ids):
        dups = sorted(i for i, n in Counter(ids).items() if n > 1)
        msg = f"duplicate point ids: {', '.join(dups)}"
        raise GeodataError(msg)
    return ids


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two (lat, lon) points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def haversine_matrix_m(
    lat_a: np.ndarray, lon_a: np.ndarray, lat_b: np.ndarray, lon_b: np.ndarray
) -> np.ndarray:
    """Great-circle distances in metres, ``[len(a), len(b)]`` float64 (degrees in)."""
    p1 = np.radians(np.asarray(lat_a, dtype=float))[:, None]
    p2 = np.radians(np.asarray(lat_b, dtype=float))[None, :]
    dl = (
        np.radians(np.asarray(lon_b, dtype=float))[None, :]
        - np.radians(np.asarray(lon_a, dtype=float))[:, None]
    )
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
