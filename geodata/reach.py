"""Reachability: who lies within a drive-time radius of whom.

``reachable(matrix, origins, targets, radius_s)`` returns, for each origin, the targets whose
travel time ``seconds[origin, target]`` is at most ``radius_s``, sorted by time: a sparse
adjacency (e.g. canteen -> producers within 30 minutes). Pass ``direction="in"`` to measure the
time from the target to the origin instead (a producer driving to the canteen).

``isochrone`` (road source only) draws the area reachable from a point within a radius as a
polygon for maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from geodata.errors import GeodataError
from geodata.matrix import UNREACHABLE_S, TravelMatrix
from geodata.points import Point

if TYPE_CHECKING:
    from geodata.road import RoadNetwork

__all__ = ["isochrone", "reachable"]


def reachable(
    matrix: TravelMatrix,
    origins: Sequence[str],
    targets: Sequence[str],
    radius_s: float,
    *,
    direction: Literal["out", "in"] = "out",
) -> dict[str, list[tuple[str, int]]]:
    """Targets within ``radius_s`` seconds of each origin.

    Parameters
    ----------
    matrix
        Travel matrix containing every origin and target id.
    origins, targets
        Point ids.
    radius_s
        Radius in seconds (inclusive), >= 0.
    direction
        ``"out"``: time from origin to target (default); ``"in"``: from target to origin.

    Returns
    -------
    dict
        ``{origin_id: [(target_id, seconds), ...]}`` sorted by seconds then id; every origin is a
        key (possibly with an empty list). An origin that is also a target reaches itself in 0 s.
    """
    if not radius_s >= 0:
        msg = f"radius_s={radius_s!r} must be >= 0"
        raise GeodataError(msg)
    if direction not in ("out", "in"):
        msg = f"direction={direction!r} must be 'out' or 'in'"
        raise GeodataError(msg)
    oi = np.array([matrix.index(o) for o in origins], dtype=np.intp)
    ti = np.array([matrix.index(t) for t in targets], dtype=np.intp)
    block = matrix.seconds[np.ix_(oi, ti)]
    if direction == "in":
        block = matrix.seconds[np.ix_(ti, oi)].T
    ok = (block <= radius_s) & (block < UNREACHABLE_S)
    result: dict[str, list[tuple[str, int]]] = {}
    for r, origin in enumerate(origins):
        cols = np.flatnonzero(ok[r])
        pairs = [(targets[int(c)], int(block[r, c])) for c in cols]
        pairs.sort(key=lambda p: (p[1], p[0]))
        result[origin] = pairs
    return result


def isochrone(
    network: RoadNetwork,
    point: Point,
    radius_s: float,
    *,
    ratio: float = 0.3,
    buffer_m: float = 150.0,
) -> Any:
    """Polygon (shapely, WGS84 lon/lat) of the area reachable from ``point`` within ``radius_s``.

    The road nodes reached within the radius are wrapped in a concave hull
    (``shapely.concave_hull`` with ``ratio``), buffered by about ``buffer_m`` metres. Use
    ``shapely.geometry.mapping(poly)`` for a GeoJSON dict. Road source only: the estimator has
    no network to follow.
    """
    import shapely

    lats, lons = network.reachable_node_coords(point, radius_s)
    if len(lats) == 0:
        msg = f"no road node reachable from {point.id!r} within {radius_s} s"
        raise GeodataError(msg)
    pts = shapely.multipoints(np.column_stack([lons, lats]))
    hull = shapely.concave_hull(pts, ratio=ratio)
    # buffer in degrees, scaled so that ~buffer_m metres are added in both directions
    deg = buffer_m / 111_320.0
    cos_lat = max(0.2, float(np.cos(np.radians(point.lat))))
    scaled = shapely.affinity.scale(hull, xfact=cos_lat, yfact=1.0, origin=(point.lon, point.lat))
    buffered = scaled.buffer(deg)
    return shapely.affinity.scale(
        buffered, xfact=1.0 / cos_lat, yfact=1.0, origin=(point.lon, point.lat)
    )
