"""Eligibility: radius, producer max drive, delivery modes, platform round membership."""

from __future__ import annotations

import numpy as np
import pytest
from matching_fixtures import canteen, platform, producer

from solver.core import DeliveryMode, Scenario
from solver.prepare import build_eligibility


def _elig(minutes: dict[tuple[str, str], float], scenario: Scenario):  # type: ignore[no-untyped-def]
    ids = [p.id for p in scenario.producers] + [c.id for c in scenario.canteens]
    ids += [pl.id for pl in scenario.platforms]
    sec = np.full((len(ids), len(ids)), 5 * 3600.0)
    np.fill_diagonal(sec, 0.0)
    pos = {x: i for i, x in enumerate(ids)}
    for (a, b), m in minutes.items():
        sec[pos[a], pos[b]] = m * 60.0
    return build_eligibility(scenario, ids, sec, travel_source="test", estimated=False)


def test_within_radius_and_max_drive_is_direct() -> None:
    """A 20-minute drive (radius 30, producer max 30) is a direct pair with its seconds."""
    sc = Scenario(producers=(producer("P"),), canteens=(canteen("K"),))
    e = _elig({("P", "K"): 20.0}, sc)
    assert e.direct == {("P", "K"): 1200}
    assert e.travel_source == "test" and not e.estimated


def test_beyond_radius_is_not_direct() -> None:
    """A 35-minute drive exceeds the default 30-minute radius."""
    sc = Scenario(producers=(producer("P", max_drive_min=90.0),), canteens=(canteen("K"),))
    assert _elig({("P", "K"): 35.0}, sc).direct == {}


def test_canteen_radius_overrides_scenario_radius() -> None:
    """A canteen radius of 40 minutes admits the 35-minute producer."""
    sc = Scenario(
        producers=(producer("P", max_drive_min=90.0),), canteens=(canteen("K", radius_min=40.0),)
    )
    assert ("P", "K") in _elig({("P", "K"): 35.0}, sc).direct


def test_producer_max_drive_limits_self_delivery() -> None:
    """A producer driving 15 minutes at most does not deliver 20 minutes away; a pickup does."""
    sc = Scenario(producers=(producer("P", max_drive_min=15.0),), canteens=(canteen("K"),))
    assert _elig({("P", "K"): 20.0}, sc).direct == {}
    pick = producer("P", max_drive_min=15.0, delivery_modes=(DeliveryMode.FARM_PICKUP,))
    sc2 = Scenario(producers=(pick,), canteens=(canteen("K"),))
    assert ("P", "K") in _elig({("K", "P"): 20.0}, sc2).direct


def test_platform_only_producer_has_no_direct_pair() -> None:
    """A producer selling only through the platform gets no direct pair but joins the round."""
    sc = Scenario(
        producers=(producer("P", delivery_modes=(DeliveryMode.PLATFORM,)),),
        canteens=(canteen("K", on_platform_round=True), canteen("L")),
        platforms=(platform(catchment_min=60.0),),
    )
    e = _elig({("P", "K"): 10.0, ("PF", "P"): 50.0}, sc)
    assert e.direct == {}
    assert e.platform_producers == frozenset({"P"})
    assert e.platform_kitchens == frozenset({"K"})


def test_platform_catchment_excludes_far_producer() -> None:
    """A platform producer 70 minutes from the depot (catchment 60) is not collected."""
    sc = Scenario(
        producers=(producer("P", delivery_modes=(DeliveryMode.PLATFORM,)),),
        canteens=(canteen("K", on_platform_round=True),),
        platforms=(platform(catchment_min=60.0),),
    )
    assert _elig({("PF", "P"): 70.0}, sc).platform_producers == frozenset()


def test_bad_matrix_is_a_clear_error() -> None:
    """A matrix whose side does not match the ids, or ids missing a producer, is refused."""
    sc = Scenario(producers=(producer("P"),), canteens=(canteen("K"),))
    with pytest.raises(ValueError, match="shape"):
        build_eligibility(sc, ["P", "K"], np.zeros((3, 3)), travel_source="t", estimated=True)
    with pytest.raises(ValueError, match="lack"):
        build_eligibility(sc, ["K"], np.zeros((1, 1)), travel_source="t", estimated=True)
