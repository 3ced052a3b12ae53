"""Geocoder with fake backends: order, disk cache, offline fallback to the gazetteer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from geopy.exc import GeocoderUnavailable
from geopy.extra.rate_limiter import RateLimiter

from geodata.errors import GeocodingError
from geodata.gazetteer import Gazetteer
from geodata.geocode import Geocoder, default_backends, split_commune


@dataclass
class Location:
    """What geopy returns: latitude, longitude, address, raw."""

    latitude: float
    longitude: float
    address: str
    raw: dict[str, Any] = field(default_factory=dict)


class FakeBackend:
    """Answers from a dict and counts calls; raises when told the network is down."""

    def __init__(self, answers: dict[str, Location], *, down: bool = False) -> None:
        self.answers = answers
        self.down = down
        self.calls: list[str] = []

    def __call__(self, query: str) -> Location | None:
        self.calls.append(query)
        if self.down:
            msg = "Failed to establish a new connection"
            raise GeocoderUnavailable(msg)
        return self.answers.get(query)


MAIRIE_SISTERON = "4 place de la République, 04200 Sisteron"
BAN_ANSWER = Location(
    44.19486,
    5.94257,
    "4 Place de la République 04200 Sisteron",
    {"properties": {"type": "housenumber", "score": 0.97}},
)


def test_backend_result_and_precision(tmp_path: Path) -> None:
    """The first backend that finds the address wins; its precision is kept."""
    ban = FakeBackend({MAIRIE_SISTERON: BAN_ANSWER})
    g = Geocoder(backends=[("ban", ban)], cache_dir=tmp_path)
    r = g.geocode(MAIRIE_SISTERON)
    assert (r.lat, r.lon, r.source, r.precision) == (44.19486, 5.94257, "ban", "housenumber")
    assert not r.is_fallback and r.message == ""


def test_second_backend_when_first_finds_nothing(tmp_path: Path) -> None:
    """When BAN finds nothing, Nominatim is asked."""
    ban = FakeBackend({})
    nominatim = FakeBackend({"Ferme du Riou, Eygaliers": Location(44.24, 5.28, "Le Riou")})
    g = Geocoder(backends=[("ban", ban), ("nominatim", nominatim)], cache_dir=tmp_path)
    r = g.geocode("Ferme du Riou, Eygaliers")
    assert r.source == "nominatim" and len(ban.calls) == 1


def test_disk_cache_avoids_second_call(tmp_path: Path) -> None:
    """The same address (modulo case/spaces) is asked to the service once, across instances."""
    ban = FakeBackend({MAIRIE_SISTERON: BAN_ANSWER})
    Geocoder(backends=[("ban", ban)], cache_dir=tmp_path).geocode(MAIRIE_SISTERON)
    again = Geocoder(backends=[("ban", ban)], cache_dir=tmp_path)
    r = again.geocode("  4 Place de la République,  04200 SISTERON ")
    assert r.from_cache and r.source == "ban" and r.lat == 44.19486
    assert len(ban.calls) == 1


def test_offline_falls_back_to_gazetteer(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """Network down: the commune point (from the gazetteer) is returned with a clear message."""
    down = FakeBackend({}, down=True)
    g = Geocoder(backends=[("ban", down)], gazetteer=gazetteer, cache_dir=tmp_path)
    r = g.geocode("Route de Nyons, 26170 Plaisians")
    assert r.source == "gazetteer" and r.precision == "commune" and r.is_fallback
    assert (r.lat, r.lon) == (44.225533, 5.33718)  # polygon point of the reference table
    assert "ban unavailable" in r.message and "Plaisians (26, 26239)" in r.message
    # not cached: the next (online) run gets the precise address
    up = FakeBackend({"Route de Nyons, 26170 Plaisians": Location(44.22, 5.33, "Route")})
    assert Geocoder(backends=[("ban", up)], cache_dir=tmp_path).geocode(r.query).source == "ban"


def test_offline_mode_never_calls_backends(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """offline=True goes straight to the gazetteer."""
    ban = FakeBackend({MAIRIE_SISTERON: BAN_ANSWER})
    g = Geocoder(backends=[("ban", ban)], gazetteer=gazetteer, cache_dir=tmp_path, offline=True)
    r = g.geocode(MAIRIE_SISTERON)
    assert r.source == "gazetteer" and "offline mode" in r.message
    assert ban.calls == []


def test_ambiguous_commune_without_postal_code(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """Offline, 'Le village, Sigoyer' is ambiguous (04 and 05): GeocodingError lists both."""
    g = Geocoder(backends=[], gazetteer=gazetteer, cache_dir=tmp_path)
    with pytest.raises(GeocodingError) as info:
        g.geocode("Le village, Sigoyer")
    assert "04207" in str(info.value) and "05168" in str(info.value)
    assert g.geocode("Le village, 05130 Sigoyer").label.startswith("Sigoyer (05, 05168")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Route de Gap, 04200 Sisteron", ("Sisteron", "04200")),
        ("Quai du Port 13233 Marseille Cedex 20", ("Marseille", "13233")),
        ("Mairie, Eygaliers", ("Eygaliers", None)),
        ("Le Riou, Eygaliers, France", ("Eygaliers", None)),
    ],
)
def test_split_commune(address: str, expected: tuple[str, str | None]) -> None:
    """The commune and postal code are read from common French address layouts."""
    assert split_commune(address) == expected


def test_default_backends_are_rate_limited() -> None:
    """Default backends are BAN then Nominatim, each behind a geopy RateLimiter."""
    backends = default_backends()
    assert [name for name, _ in backends] == ["ban", "nominatim"]
    limiters = [b for _, b in backends if isinstance(b, RateLimiter)]
    assert len(limiters) == 2
    assert limiters[1].min_delay_seconds >= 1.0
