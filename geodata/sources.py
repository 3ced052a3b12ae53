"""Choose a travel source from scenario settings.

``make_source`` maps ``TravelSettings.source`` to an implementation:

* ``"estimate"`` → :class:`~geodata.estimate.Estimator` (offline, labelled as estimated);
* ``"road"`` → :class:`~geodata.road.RoadNetwork` built from ``road_file`` (``.osm``,
  ``.osm.pbf`` or ``.graphml``, relative paths resolved against ``base_dir``);
* any other name registered with :func:`register_source`: the hook for an external routing
  engine (OSRM, Valhalla) that a national deployment would run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from geodata.errors import GeodataError
from geodata.estimate import (
    DEFAULT_ACCESS_TIME_S,
    DEFAULT_CIRCUITY,
    DEFAULT_SPEED_KMH,
    Estimator,
)
from geodata.matrix import TravelSource

__all__ = ["make_source", "register_source"]

logger = logging.getLogger(__name__)

SourceFactory = Callable[[Any, Path], TravelSource]
_REGISTRY: dict[str, SourceFactory] = {}


def register_source(name: str, factory: SourceFactory) -> None:
    """Register a travel-source factory ``factory(settings, base_dir) -> TravelSource``."""
    if name in ("estimate", "road"):
        msg = f"source name {name!r} is reserved"
        raise GeodataError(msg)
    _REGISTRY[name] = factory


_ROAD_CACHE: dict[tuple[str, int, int, str], TravelSource] = {}
_ROAD_CACHE_SIZE = 4


def _road_network(path: Path, cache_dir: str | Path | None) -> TravelSource:
    """``RoadNetwork.from_file`` memoised in-process by file path, size and mtime, so a service
    building many matrices on one network loads it (and its node hierarchy) once."""
    from geodata.errors import NetworkDataError
    from geodata.road import RoadNetwork  # slow import (osmnx), only when needed

    try:
        st = path.stat()
    except OSError:
        msg = f"{path}: road network file not found"
        raise NetworkDataError(msg) from None
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, str(cache_dir))
    if key not in _ROAD_CACHE:
        if len(_ROAD_CACHE) >= _ROAD_CACHE_SIZE:
            _ROAD_CACHE.pop(next(iter(_ROAD_CACHE)))
        _ROAD_CACHE[key] = RoadNetwork.from_file(path, cache_dir=cache_dir)
    return _ROAD_CACHE[key]


def _get(settings: Any, key: str, default: Any) -> Any:
    if isinstance(settings, Mapping):
        return settings.get(key, default)
    return getattr(settings, key, default)


def make_source(
    settings: Any, *, base_dir: str | Path = ".", cache_dir: str | Path | None = None
) -> TravelSource:
    """Build the travel source a scenario asks for.

    Parameters
    ----------
    settings
        A mapping or an object (e.g. ``solver.core.domain.TravelSettings``) with ``source``,
        ``road_file``, ``circuity``, ``speed_kmh`` and ``access_time_s``.
    base_dir
        Folder that a relative ``road_file`` is resolved against (the scenario folder).
    cache_dir
        Where the road source caches its GraphML; default: :func:`geodata.cache.default_cache_dir`.

    Returns
    -------
    TravelSource
        An :class:`Estimator`, a :class:`~geodata.road.RoadNetwork` or a registered source.

    Raises
    ------
    GeodataError
        Unknown source name, or ``source="road"`` without a ``road_file``.
    """
    source = str(_get(settings, "source", "estimate") or "estimate").strip().lower()
    base = Path(base_dir)
    if source == "estimate":
        return Estimator(
            circuity=float(_get(settings, "circuity", DEFAULT_CIRCUITY)),
            speed_kmh=float(_get(settings, "speed_kmh", DEFAULT_SPEED_KMH)),
            access_time_s=float(_get(settings, "access_time_s", DEFAULT_ACCESS_TIME_S)),
        )
    if source == "road":
        road_file = str(_get(settings, "road_file", "") or "")
        if not road_file:
            msg = "travel.source = 'road' needs travel.road_file (an .osm, .osm.pbf or .graphml)"
            raise GeodataError(msg)
        path = Path(road_file)
        if not path.is_absolute():
            path = base / path
        return _road_network(path, cache_dir)
    if source in _REGISTRY:
        return _REGISTRY[source](settings, base)
    known = ", ".join(["estimate", "road", *sorted(_REGISTRY)])
    msg = f"unknown travel.source {source!r}; known sources: {known}"
    raise GeodataError(msg)
