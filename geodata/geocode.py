"""Address geocoding: French national address service (BAN) and Nominatim via geopy.

Order of attempts for an address:

1. the on-disk cache (SQLite, ``<cache_dir>/geocode/geocode.sqlite``), keyed by the normalised
   query: an address is asked to a web service once;
2. the backends in order, by default ``ban`` (``geopy.geocoders.BANFrance``,
   api-adresse.data.gouv.fr) then ``nominatim`` (OpenStreetMap, ``country_codes="fr"``), each
   wrapped in a :class:`geopy.extra.rate_limiter.RateLimiter` (BAN: 0.1 s between calls, within
   its 50 requests/s; Nominatim: 1 s, its usage policy). Network errors are not retried (so an
   offline machine fails over at once);
3. when no backend answers (offline, service down) or none finds the address, the
   **gazetteer**: the commune named in the address (after its postal code, or the last
   comma-separated part) gives the commune's point, with ``precision="commune"`` and a message
   saying so. Fallback results are not cached, so a later online run gets the precise point.

Tests inject fake backends (any callable ``query -> Location | None``) and never touch the
network.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata.cache import resolve_cache_dir
from geodata.errors import AmbiguousCommuneError, CommuneNotFoundError, GeocodingError
from geodata.gazetteer import Gazetteer, normalize_name

__all__ = ["Backend", "GeocodeResult", "Geocoder", "default_backends", "split_commune"]

logger = logging.getLogger(__name__)

Backend = Callable[[str], Any]
"""A geocoding backend: ``query -> geopy Location-like (latitude, longitude, address) | None``."""

USER_AGENT = "racines (school canteen local sourcing optimiser)"


@dataclass(frozen=True)
class GeocodeResult:
    """Where an address is.

    Attributes
    ----------
    query
        The address asked for.
    lat, lon
        WGS84 degrees.
    source
        ``"ban"``, ``"nominatim"``, another backend name, or ``"gazetteer"`` (fallback).
    precision
        ``"housenumber"``, ``"street"``, ``"municipality"``… as the backend says, or
        ``"commune"`` for a gazetteer fallback.
    label
        The backend's formatted address, or the commune description.
    message
        Why a fallback was used (empty otherwise); show it to the user.
    from_cache
        True when read from the on-disk cache.
    """

    query: str
    lat: float
    lon: float
    source: str
    precision: str
    label: str
    message: str = ""
    from_cache: bool = False

    @property
    def is_fallback(self) -> bool:
        """True when only the commune point could be given."""
        return self.source == "gazetteer"


def default_backends(user_agent: str = USER_AGENT) -> list[tuple[str, Backend]]:
    """``[("ban", ...), ("nominatim", ...)]``, rate limited, errors not swallowed."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import BANFrance, Nominatim

    ban = BANFrance(timeout=5, user_agent=user_agent)
    nominatim = Nominatim(timeout=5, user_agent=user_agent)
    return [
        (
            "ban",
            RateLimiter(
                ban.geocode, min_delay_seconds=0.1, max_retries=0, swallow_exceptions=False
            ),
        ),
        (
            "nominatim",
            RateLimiter(
                functools.partial(nominatim.geocode, country_codes="fr"),
                min_delay_seconds=1.0,
                max_retries=0,
                swallow_exceptions=False,
            ),
        ),
    ]


_POSTAL = re.compile(r"\b(\d{5})\b")


def split_commune(address: str) -> tuple[str, str | None]:
    """``(commune name, postal code or None)`` read from a French address.

    ``"Route de Gap, 04200 Sisteron"`` -> ``("Sisteron", "04200")``; ``"Mairie, Eygaliers"`` ->
    ``("Eygaliers", None)``.
    """
    text = address.strip()
    matches = list(_POSTAL.finditer(text))
    if matches:
        m = matches[-1]
        after = text[m.end() :].strip(" ,;")
        name = re.split(r"[,;\n]", after)[0].strip() if after else ""
        if not name:
            before = [p.strip() for p in re.split(r"[,;\n]", text[: m.start()]) if p.strip()]
            name = before[-1] if before else ""
        name = re.sub(r"\s+cedex(\s+\d+)?$", "", name, flags=re.IGNORECASE)
        return name, m.group(1)
    parts = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    name = parts[-1] if parts else ""
    if name.lower() in ("france", "fr"):
        name = parts[-2] if len(parts) > 1 else ""
    return name, None


def _precision(location: Any) -> str:
    raw = getattr(location, "raw", None) or {}
    props = raw.get("properties") if isinstance(raw, dict) else None
    if isinstance(props, dict) and props.get("type"):
        return str(props["type"])
    if isinstance(raw, dict):
        for key in ("addresstype", "type"):
            if raw.get(key):
                return str(raw[key])
    return "unknown"


class _Cache:
    def __init__(self, path: Path) -> None:
        self.path = path
        with sqlite3.connect(path) as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS geocode (key TEXT PRIMARY KEY, query TEXT, lat REAL,"
                " lon REAL, source TEXT, precision TEXT, label TEXT, created_s REAL)"
            )

    def get(self, key: str) -> tuple[Any, ...] | None:
        with sqlite3.connect(self.path) as con:
            row = con.execute(
                "SELECT lat, lon, source, precision, label FROM geocode WHERE key = ?", (key,)
            ).fetchone()
        return tuple(row) if row is not None else None

    def put(self, key: str, r: GeocodeResult) -> None:
        with sqlite3.connect(self.path) as con:
            con.execute(
                "INSERT OR REPLACE INTO geocode VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, r.query, r.lat, r.lon, r.source, r.precision, r.label, time.time()),
            )


class Geocoder:
    """Geocode addresses online (cached, rate limited) with an offline gazetteer fallback.

    Parameters
    ----------
    backends
        ``[(name, callable)]`` tried in order; default :func:`default_backends`.
    gazetteer
        For the offline fallback; default :meth:`Gazetteer.default` (loaded when first needed).
    cache_dir
        Cache root (default :func:`geodata.cache.default_cache_dir`); ``use_cache=False`` to
        disable.
    offline
        Do not call any backend: cache, then gazetteer only.
    """

    def __init__(
        self,
        *,
        backends: Sequence[tuple[str, Backend]] | None = None,
        gazetteer: Gazetteer | None = None,
        cache_dir: str | Path | None = None,
        use_cache: bool = True,
        offline: bool = False,
    ) -> None:
        self._backends = list(backends) if backends is not None else None
        self._gazetteer = gazetteer
        self._cache_dir = cache_dir
        self.offline = offline
        self._cache: _Cache | None = None
        if use_cache:
            try:
                self._cache = _Cache(resolve_cache_dir(cache_dir, "geocode") / "geocode.sqlite")
            except (OSError, sqlite3.Error) as exc:
                logger.warning("geocoding cache disabled (%s)", exc)

    @property
    def backends(self) -> list[tuple[str, Backend]]:
        """The backends, built on first use."""
        if self._backends is None:
            self._backends = default_backends()
        return self._backends

    @property
    def gazetteer(self) -> Gazetteer:
        """The fallback gazetteer, loaded on first use."""
        if self._gazetteer is None:
            self._gazetteer = Gazetteer.default(cache_dir=self._cache_dir)
        return self._gazetteer

    def geocode(self, address: str) -> GeocodeResult:
        """Locate ``address`` (French postal address or place name).

        Raises
        ------
        GeocodingError
            No backend found it and no commune could be read from it (the message says why,
            listing candidate communes when the name is ambiguous).
        """
        query = " ".join(address.split())
        if not query:
            msg = "empty address"
            raise GeocodingError(msg)
        key = normalize_name(query)
        if self._cache is not None:
            row = self._cache.get(key)
            if row is not None:
                lat, lon, source, precision, label = row
                return GeocodeResult(
                    query, float(lat), float(lon), source, precision, label, from_cache=True
                )
        problems: list[str] = []
        if self.offline:
            problems.append("offline mode")
        else:
            for name, backend in self.backends:
                try:
                    location = backend(query)
                except Exception as exc:  # geopy errors, socket errors: fall over
                    problems.append(f"{name} unavailable ({type(exc).__name__}: {exc})")
                    logger.info("geocoder %s failed for %r: %s", name, query, exc)
                    continue
                if location is None:
                    problems.append(f"{name} found nothing")
                    continue
                result = GeocodeResult(
                    query=query,
                    lat=float(location.latitude),
                    lon=float(location.longitude),
                    source=name,
                    precision=_precision(location),
                    label=str(getattr(location, "address", "") or query),
                )
                if self._cache is not None:
                    self._cache.put(key, result)
                return result
        return self._fallback(query, problems)

    def _fallback(self, query: str, problems: list[str]) -> GeocodeResult:
        why = "; ".join(problems) or "no backend configured"
        name, postal_code = split_commune(query)
        if not name:
            msg = f"cannot geocode {query!r} ({why}) and no commune name found in it"
            raise GeocodingError(msg)
        try:
            commune = self.gazetteer.find(name, postal_code=postal_code)
        except (AmbiguousCommuneError, CommuneNotFoundError) as exc:
            msg = f"cannot geocode {query!r} ({why}); gazetteer: {exc}"
            raise GeocodingError(msg) from exc
        message = (
            f"address not geocoded ({why}); using the point of the commune "
            f"{commune.describe()} from the offline gazetteer ({commune.coord_source})"
        )
        logger.warning("%s: %s", query, message)
        return GeocodeResult(
            query=query,
            lat=commune.lat,
            lon=commune.lon,
            source="gazetteer",
            precision="commune",
            label=commune.describe(),
            message=message,
        )
