"""TravelMatrix accessors, validation, sub-matrices; reachability; make_source."""

from __future__ import annotations

import numpy as np
import pytest

from geodata import Estimator, Point, TravelMatrix, TravelSource, make_source, register_source
from geodata.errors import GeodataError
from geodata.matrix import UNREACHABLE_M, UNREACHABLE_S
from geodata.reach import reachable


def small() -> TravelMatrix:
    """3 points: c (canteen), f1 reachable in 600 s, f2 unreachable, asymmetric c<->f1."""
    secs = np.array([[0, 600, UNREACHABLE_S], [700, 0, 2000], [UNREACHABLE_S, 2100, 0]])
    metres = np.array([[0, 9000, UNREACHABLE_M], [9100, 0, 30000], [UNREACHABLE_M, 31000, 0]])
    return TravelMatrix(("c", "f1", "f2"), secs, metres, "test", estimated=False)


def test_accessors_and_sub() -> None:
    """seconds_between/metres_between read row=origin; sub keeps the asked order."""
    m = small()
    assert m.seconds_between("c", "f1") == 600
    assert m.seconds_between("f1", "c") == 700
    assert m.metres_between("f1", "f2") == 30000
    s = m.sub(["f1", "c"])
    assert s.ids == ("f1", "c")
    assert s.seconds.tolist() == [[0, 700], [600, 0]]
    assert s.seconds.dtype == np.int64


def test_to_dict_round_trip() -> None:
    """to_dict gives plain lists that rebuild the same matrix."""
    m = small()
    d = m.to_dict()
    again = TravelMatrix(
        tuple(d["ids"]), np.array(d["seconds"]), np.array(d["metres"]), "test", estimated=False
    )
    assert again.seconds.tolist() == m.seconds.tolist() and d["estimated"] is False


def test_matrix_is_read_only_and_validated() -> None:
    """Arrays are read-only; wrong shapes, negative values and unknown ids raise."""
    m = small()
    with pytest.raises(ValueError):
        m.seconds[0, 1] = 1
    with pytest.raises(GeodataError, match="shape"):
        TravelMatrix(("a",), np.zeros((2, 2)), np.zeros((2, 2)), "x", estimated=True)
    with pytest.raises(GeodataError, match="negative"):
        TravelMatrix(("a", "b"), -np.ones((2, 2)), np.zeros((2, 2)), "x", estimated=True)
    with pytest.raises(GeodataError, match="unknown point id 'zz'"):
        m.index("zz")


def test_reachable_sparse_sorted() -> None:
    """Within 30 min of c: only f1; within 40 min of f1: c then f2 (sorted by time)."""
    m = small()
    assert reachable(m, ["c"], ["f1", "f2"], 1800) == {"c": [("f1", 600)]}
    assert reachable(m, ["f1"], ["f2", "c"], 2400) == {"f1": [("c", 700), ("f2", 2000)]}
    assert reachable(m, ["c"], ["f1"], 599) == {"c": []}


def test_reachable_direction_in() -> None:
    """direction='in' measures target -> origin (the producer driving to the canteen)."""
    m = small()
    assert reachable(m, ["c"], ["f1"], 650, direction="in") == {"c": []}
    assert reachable(m, ["c"], ["f1"], 700, direction="in") == {"c": [("f1", 700)]}


def test_reachable_on_estimate() -> None:
    """Estimated matrix: a farm 10 km away is within 30 min, one 40 km away is not."""
    c = Point("c", 44.2, 5.9)
    near = Point("near", 44.2 + 10_000 / 111_195.08, 5.9)
    far = Point("far", 44.2 + 40_000 / 111_195.08, 5.9)
    m = Estimator().matrix([c, near, far])
    assert [t for t, _ in reachable(m, ["c"], ["near", "far"], 1800)["c"]] == ["near"]


def test_make_source_estimate_from_settings_object() -> None:
    """make_source builds an Estimator from an object with TravelSettings' attributes."""

    class Settings:
        source = "estimate"
        road_file = ""
        circuity = 1.3
        speed_kmh = 60.0
        access_time_s = 60.0

    src = make_source(Settings())
    assert isinstance(src, Estimator) and isinstance(src, TravelSource)
    assert (src.circuity, src.speed_kmh, src.access_time_s) == (1.3, 60.0, 60.0)
    assert src.estimated


def test_make_source_errors_and_registry() -> None:
    """Unknown sources and road without a file raise; registered engines are used."""
    with pytest.raises(GeodataError, match="unknown travel.source 'osrm'"):
        make_source({"source": "osrm"})
    with pytest.raises(GeodataError, match="road_file"):
        make_source({"source": "road"})
    register_source("fake-engine", lambda settings, base: Estimator(circuity=1.1))
    src = make_source({"source": "fake-engine"})
    assert isinstance(src, Estimator) and src.circuity == 1.1


def test_point_validation() -> None:
    """Points need an id and valid degrees."""
    with pytest.raises(GeodataError, match="lat"):
        Point("x", 95.0, 5.0)
    with pytest.raises(GeodataError, match="non-empty"):
        Point("", 44.0, 5.0)
