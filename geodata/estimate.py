"""Calibrated offline travel-time estimate (the default source for the demo).

Model
-----
For two distinct points *i*, *j* with great-circle (haversine) distance :math:`d_{ij}` in metres::

    metres[i, j]  = round(d_ij * circuity)
    seconds[i, j] = ceil(access_time_s + d_ij * circuity / (speed_kmh / 3.6))

and ``seconds[i, i] = metres[i, i] = 0``. The estimate is symmetric and monotone in distance.

Calibration of the defaults
---------------------------
``circuity = 1.40``
    Road distance / straight-line distance. Published detour factors: 1.343 on average over
    300 European cities (Environment and Planning B, 2023); 1.26 nationally but 1.435 in the
    mountainous Gangwon province (Kim et al., 2015, South Korea). The Baronnies and the
    Sisteronais-Buëch are mountain valleys, so we take 1.40: above the European urban mean,
    just below the mountainous value (trips along the Buëch and Durance valleys are straighter
    than trips over passes).
``speed_kmh = 55``
    Mean speed along the road path. OSRM's car profile uses primary 65, secondary 55,
    tertiary 40 and minor roads 25 km/h; trips between villages mostly run on departmental
    roads (OSM ``secondary``/``tertiary``) with stretches of national road, so 55 km/h.
``access_time_s = 120``
    Fixed time per trip for leaving the farm or school yard, parking and reaching the road.

All three are per-scenario settings (``TravelSettings``) and every matrix produced here carries
``estimated=True`` and a ``source`` string with the parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from geodata.errors import GeodataError
from geodata.matrix import UNREACHABLE_M, UNREACHABLE_S, TravelMatrix
from geodata.points import Point, check_unique_ids, haversine_matrix_m

__all__ = [
    "DEFAULT_ACCESS_TIME_S",
    "DEFAULT_CIRCUITY",
    "DEFAULT_SPEED_KMH",
    "Estimator",
]

logger = logging.getLogger(__name__)

DEFAULT_CIRCUITY = 1.40
"""Road km per straight-line km (between the 1.34 European mean and the 1.435 mountain value)."""

DEFAULT_SPEED_KMH = 55.0
"""Mean speed along the road path, km/h (OSRM car profile, secondary roads)."""

DEFAULT_ACCESS_TIME_S = 120.0
"""Fixed time added to every trip between two distinct points, seconds."""


class Estimator:
    """Haversine × circuity ÷ speed + access time; labelled as estimated.

    Parameters
    ----------
    circuity
        Road distance / straight-line distance, >= 1. Default 1.40.
    speed_kmh
        Mean speed along the road, km/h, > 0. Default 55.
    access_time_s
        Seconds added to each trip between two distinct points, >= 0. Default 120.
    """

    estimated: bool = True

    def __init__(
        self,
        *,
        circuity: float = DEFAULT_CIRCUITY,
        speed_kmh: float = DEFAULT_SPEED_KMH,
        access_time_s: float = DEFAULT_ACCESS_TIME_S,
    ) -> None:
        if not circuity >= 1.0:
            msg = f"circuity={circuity!r} must be >= 1 (road distance / straight-line distance)"
            raise GeodataError(msg)
        if not speed_kmh > 0:
            msg = f"speed_kmh={speed_kmh!r} must be > 0"
            raise GeodataError(msg)
        if not access_time_s >= 0:
            msg = f"access_time_s={access_time_s!r} must be >= 0"
            raise GeodataError(msg)
        self.circuity = float(circuity)
        self.speed_kmh = float(speed_kmh)
        self.access_time_s = float(access_time_s)
        self.name = (
            f"estimate(circuity={self.circuity:.2f}, speed={self.speed_kmh:g} km/h, "
            f"access={self.access_time_s:g} s)"
        )

    def __repr__(self) -> str:
        return f"Estimator<{self.name}>"

    def seconds_for_metres(self, straight_m: np.ndarray | float) -> np.ndarray:
        """Estimated (float) seconds for straight-line distances in metres, access included."""
        road_m = np.asarray(straight_m, dtype=float) * self.circuity
        return self.access_time_s + road_m / (self.speed_kmh / 3.6)

    def matrix(self, points: Sequence[Point], *, max_seconds: float | None = None) -> TravelMatrix:
        """Estimated travel matrix; pairs slower than ``max_seconds`` are :data:`UNREACHABLE_S`."""
        ids = check_unique_ids(points)
        lat = np.array([p.lat for p in points], dtype=float)
        lon = np.array([p.lon for p in points], dtype=float)
        straight_m = haversine_matrix_m(lat, lon, lat, lon)
        seconds = np.ceil(self.seconds_for_metres(straight_m) - 1e-9).astype(np.int64)
        metres = np.rint(straight_m * self.circuity).astype(np.int64)
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        if max_seconds is not None:
            beyond = seconds > max_seconds
            seconds[beyond] = UNREACHABLE_S
            metres[beyond] = UNREACHABLE_M
        logger.debug("estimated %d x %d travel matrix (%s)", len(ids), len(ids), self.name)
        return TravelMatrix(
            ids=ids, seconds=seconds, metres=metres, source=self.name, estimated=True
        )

    def leg_geometry(self, a: Point, b: Point) -> list[tuple[float, float]]:
        """A straight segment ``[(a.lat, a.lon), (b.lat, b.lon)]`` (no road data)."""
        return [(a.lat, a.lon), (b.lat, b.lon)]
