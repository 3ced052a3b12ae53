"""Exceptions raised by the geodata package.

Each subclasses a built-in so that callers catching ``ValueError`` / ``LookupError`` keep working
(the OSMnx ``_errors.py`` pattern).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AmbiguousCommuneError",
    "CommuneNotFoundError",
    "GeocodingError",
    "GeodataError",
    "NetworkDataError",
]


class GeodataError(ValueError):
    """Bad input given to a geodata function (unknown id, wrong shape, bad parameter)."""


class NetworkDataError(ValueError):
    """A road-network file cannot be read or yields no usable drivable graph."""


class GeocodingError(LookupError):
    """An address or place could not be geocoded by any available backend."""


class CommuneNotFoundError(LookupError):
    """No commune matches the given name / code.

    Attributes
    ----------
    query
        The name or code searched for.
    close_matches
        Up to a few names that look alike (for a "did you mean" message).
    """

    def __init__(self, query: str, close_matches: Sequence[str] = (), detail: str = "") -> None:
        self.query = query
        self.close_matches = tuple(close_matches)
        msg = f"no commune matches {query!r}"
        if detail:
            msg += f" ({detail})"
        if self.close_matches:
            msg += "; close matches: " + ", ".join(self.close_matches)
        super().__init__(msg)


class AmbiguousCommuneError(LookupError):
    """A commune name matches several communes; a department or postal code is needed.

    Attributes
    ----------
    query
        The name searched for.
    candidates
        One human-readable line per candidate: ``"Name (departement, INSEE code)"``.
    """

    def __init__(self, query: str, candidates: Sequence[str]) -> None:
        self.query = query
        self.candidates = tuple(candidates)
        msg = (
            f"commune name {query!r} is ambiguous ({len(self.candidates)} communes): "
            + "; ".join(self.candidates)
            + ". Give a departement or a postal code."
        )
        super().__init__(msg)
