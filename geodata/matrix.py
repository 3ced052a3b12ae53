"""Travel matrices and the travel-source interface.

A :class:`TravelMatrix` holds, for an ordered tuple of point ids, integer travel times in seconds
and integer road distances in metres (``int64 [n, n]``, row = origin, column = destination).
Every travel source (the offline :class:`~geodata.estimate.Estimator`, the OpenStreetMap
:class:`~geodata.road.RoadNetwork`, or an external routing engine such as OSRM or Valhalla that a
national deployment would run) implements the :class:`TravelSource` protocol.

Conventions
-----------
* Seconds are rounded **up** (a schedule built on them stays feasible); metres are rounded to
  the nearest metre.
* A pair that cannot be reached, or that lies beyond the ``max_seconds`` limit asked for, holds
  :data:`UNREACHABLE_S` seconds and :data:`UNREACHABLE_M` metres: large but finite, so integer
  solvers never overflow when adding a few of them.
* ``source`` says where the figures come from and ``estimated`` is True for estimates: every
  output built on an estimated matrix must say "estimated".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from geodata.errors import GeodataError
from geodata.points import Point

__all__ = ["UNREACHABLE_M", "UNREACHABLE_S", "TravelMatrix", "TravelSource"]

UNREACHABLE_S: int = 10**9
"""Seconds stored for an unreachable pair (about 31.7 years): large, finite, int64-safe."""

UNREACHABLE_M: int = 10**9
"""Metres stored for an unreachable pair (a million km)."""


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Integer travel times and distances between labelled points.

    Parameters
    ----------
    ids
        Point ids, in row/column order.
    seconds
        ``int64 [n, n]`` travel times in seconds, row = origin, column = destination.
    metres
        ``int64 [n, n]`` road distances in metres along the fastest path.
    source
        Human-readable provenance, e.g. ``"estimate(circuity=1.40, speed=55 km/h, access=120 s)"``
        or ``"road:baronnies.osm.pbf"``.
    estimated
        True when the figures are estimates (outputs must label them as such).
    """

    ids: tuple[str, ...]
    seconds: np.ndarray
    metres: np.ndarray
    source: str
    estimated: bool
    _pos: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = tuple(self.ids)
        n = len(ids)
        if len(set(ids)) != n:
            msg = "TravelMatrix.ids must be unique"
            raise GeodataError(msg)
        arrays = {}
        for name in ("seconds", "metres"):
            arr = np.array(getattr(self, name), dtype=np.int64, copy=True)
            if arr.shape != (n, n):
                msg = f"TravelMatrix.{name} has shape {arr.shape}, expected ({n}, {n})"
                raise GeodataError(msg)
            if n and arr.min() < 0:
                msg = f"TravelMatrix.{name} has negative entries"
                raise GeodataError(msg)
            arr.setflags(write=False)
            arrays[name] = arr
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "seconds", arrays["seconds"])
        object.__setattr__(self, "metres", arrays["metres"])
        object.__setattr__(self, "_pos", {i: k for k, i in enumerate(ids)})

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, id: str) -> int:  # noqa: A002 - interface name
        """Row/column index of point ``id``; :class:`GeodataError` if unknown."""
        try:
            return self._pos[id]
        except KeyError:
            msg = f"unknown point id {id!r} in travel matrix ({len(self.ids)} points)"
            raise GeodataError(msg) from None

    def seconds_between(self, a_id: str, b_id: str) -> int:
        """Travel time in seconds from ``a_id`` to ``b_id``."""
        return int(self.seconds[self.index(a_id), self.index(b_id)])

    def metres_between(self, a_id: str, b_id: str) -> int:
        """Road distance in metres from ``a_id`` to ``b_id``."""
        return int(self.metres[self.index(a_id), self.index(b_id)])

    def is_reachable(self, a_id: str, b_id: str) -> bool:
        """True when ``b_id`` can be reached from ``a_id`` (within the limit the matrix used)."""
        return self.seconds_between(a_id, b_id) < UNREACHABLE_S

    def sub(self, ids: Sequence[str]) -> TravelMatrix:
        """The matrix restricted to ``ids``, in that order."""
        idx = np.array([self.index(i) for i in ids], dtype=np.intp)
        return TravelMatrix(
            ids=tuple(ids),
            seconds=self.seconds[np.ix_(idx, idx)],
            metres=self.metres[np.ix_(idx, idx)],
            source=self.source,
            estimated=self.estimated,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``ids``, ``seconds``, ``metres`` (nested lists), ``source``,
        ``estimated``."""
        return {
            "ids": list(self.ids),
            "seconds": self.seconds.tolist(),
            "metres": self.metres.tolist(),
            "source": self.source,
            "estimated": self.estimated,
        }

    def label(self) -> str:
        """One line for reports: the source, with "estimated" when it is an estimate."""
        return f"{self.source} (estimated)" if self.estimated else self.source


@runtime_checkable
class TravelSource(Protocol):
    """Anything that turns located points into a :class:`TravelMatrix`.

    Implementations: :class:`geodata.estimate.Estimator`, :class:`geodata.road.RoadNetwork`.
    An external routing engine (OSRM ``/table``, Valhalla ``sources_to_targets``) fits the same
    protocol and can be registered with :func:`geodata.sources.register_source`.
    """

    name: str
    estimated: bool

    def matrix(self, points: Sequence[Point], *, max_seconds: float | None = None) -> TravelMatrix:
        """Travel matrix between ``points``; pairs beyond ``max_seconds`` are unreachable."""
        ...

    def leg_geometry(self, a: Point, b: Point) -> list[tuple[float, float]]:
        """(lat, lon) vertices of the fastest leg from ``a`` to ``b``."""
        ...
