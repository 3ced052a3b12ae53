"""Estimator: formula, calibration constants, monotonicity, labelling."""

from __future__ import annotations

import numpy as np
import pytest

from geodata.errors import GeodataError
from geodata.estimate import Estimator
from geodata.matrix import UNREACHABLE_S
from geodata.points import Point, haversine_m

SISTERON = Point("sisteron", 44.194855, 5.942574)  # town halls, from ../shared/geodata/communes.csv
GAP = Point("gap", 44.558774, 6.079796)
BUIS = Point("buis", 44.27355, 5.27045)


def test_formula_by_hand() -> None:
    """10 km due north: 14,000 m road and 120 + 14,000 / (55 / 3.6) = 1036.4 -> 1037 s."""
    a = Point("a", 44.0, 5.0)
    b = Point("b", 44.0 + 10_000 / 111_195.08, 5.0)
    m = Estimator().matrix([a, b])
    assert m.metres_between("a", "b") == 14_000
    assert m.seconds_between("a", "b") == 1037
    assert m.seconds_between("b", "a") == 1037
    assert m.seconds_between("a", "a") == 0


def test_defaults_are_documented_calibration() -> None:
    """Defaults: circuity 1.40, 55 km/h, 120 s access; the label says estimated."""
    est = Estimator()
    assert (est.circuity, est.speed_kmh, est.access_time_s) == (1.40, 55.0, 120.0)
    m = est.matrix([SISTERON, GAP])
    assert m.estimated
    assert "estimated" in m.label()
    assert m.source == "estimate(circuity=1.40, speed=55 km/h, access=120 s)"


def test_sisteron_gap_is_plausible() -> None:
    """Sisteron -> Gap (41 km straight, ~50 km and ~45-50 min by the N85) is in that range."""
    m = Estimator().matrix([SISTERON, GAP])
    straight = haversine_m(SISTERON.lat, SISTERON.lon, GAP.lat, GAP.lon)
    assert 40_000 < straight < 42_000
    assert 55_000 < m.metres_between("sisteron", "gap") < 60_000
    assert 55 * 60 < m.seconds_between("sisteron", "gap") < 70 * 60


def test_monotone_in_distance_and_parameters() -> None:
    """Farther points take longer; more circuity or less speed never makes a trip shorter."""
    origin = Point("o", 44.2, 5.9)
    pts = [origin] + [Point(f"p{k}", 44.2 + 0.01 * k, 5.9 + 0.005 * k) for k in range(1, 30)]
    row = Estimator().matrix(pts).seconds[0, 1:]
    assert np.all(np.diff(row) >= 0)
    base = Estimator().matrix([SISTERON, BUIS]).seconds_between("sisteron", "buis")
    curvier = Estimator(circuity=1.6).matrix([SISTERON, BUIS]).seconds_between("sisteron", "buis")
    slower = Estimator(speed_kmh=40).matrix([SISTERON, BUIS]).seconds_between("sisteron", "buis")
    assert curvier > base and slower > base


def test_max_seconds_and_ids() -> None:
    """Pairs beyond max_seconds are UNREACHABLE_S; duplicate ids are refused."""
    m = Estimator().matrix([SISTERON, GAP, BUIS], max_seconds=30 * 60)
    assert m.seconds_between("sisteron", "gap") == UNREACHABLE_S
    assert m.seconds_between("gap", "gap") == 0
    with pytest.raises(GeodataError, match="duplicate point ids: gap"):
        Estimator().matrix([GAP, GAP])


@pytest.mark.parametrize("kwargs", [{"circuity": 0.9}, {"speed_kmh": 0.0}, {"access_time_s": -1.0}])
def test_bad_parameters(kwargs: dict[str, float]) -> None:
    """Circuity < 1, speed <= 0 or a negative access time raise GeodataError."""
    with pytest.raises(GeodataError):
        Estimator(**kwargs)


def test_leg_geometry_is_straight() -> None:
    """The estimator's leg is a straight segment."""
    assert Estimator().leg_geometry(SISTERON, GAP) == [
        (SISTERON.lat, SISTERON.lon),
        (GAP.lat, GAP.lon),
    ]
