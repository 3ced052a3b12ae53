"""Buyers that are not schools: their own calendar gives them demand in the summer."""

from __future__ import annotations

import datetime as dt

import pytest

from solver.core import BuyerKind, Canteen, Scenario, Weekday, open_days, service_days
from solver.prepare import meals_per_week, weekly_demand

JULY_WEEK = dt.date(2026, 7, 6)
SEPTEMBER_WEEK = dt.date(2025, 9, 8)


def _with_centre(tiny: Scenario, **fields: object) -> Scenario:
    """Tiny plus a holiday centre at Laragne cooking for itself (open in July-August)."""
    centre = Canteen(
        id="colo-laragne",
        name="Centre de vacances",
        lat=44.316,
        lon=5.822,
        meals_elementaire=60,
        meals_adulte=10,
        service_weekdays=tuple(Weekday),
        kind=BuyerKind.HOLIDAY_CENTRE,
        open_months=(7, 8),
        reference_supplier_id="grossiste",
        **fields,  # type: ignore[arg-type]
    )
    return tiny.replace(canteens=(*tiny.canteens, centre))


def test_holiday_centre_serves_every_day_of_its_open_months(tiny_scenario: Scenario) -> None:
    """A holiday centre serves 7 days a week in July, the 14 July holiday included, and
    never in September; a school serves no day in July."""
    sc = _with_centre(tiny_scenario)
    centre = sc.canteen("colo-laragne")
    july = service_days(centre, JULY_WEEK, JULY_WEEK + dt.timedelta(days=13))
    assert len(july) == 14
    assert dt.date(2026, 7, 14) in july
    assert service_days(centre, SEPTEMBER_WEEK, SEPTEMBER_WEEK + dt.timedelta(days=6)) == []
    school = sc.canteen("sisteron-cc")
    assert service_days(school, JULY_WEEK, JULY_WEEK + dt.timedelta(days=6)) == []
    assert open_days(centre, dt.date(2026, 8, 31), dt.date(2026, 9, 1)) == [dt.date(2026, 8, 31)]


def test_july_demand_comes_from_the_holiday_centre_only(tiny_scenario: Scenario) -> None:
    """In a July week the holiday centre has demand (its menu cycle runs), the school
    kitchen has none; meals count 7 days x 70 meals."""
    sc = _with_centre(tiny_scenario)
    weeks = [JULY_WEEK, JULY_WEEK + dt.timedelta(weeks=1)]
    demand = weekly_demand(sc, weeks=weeks)
    assert set(demand["kitchen_id"]) == {"colo-laragne"}
    assert (demand["demand_kg"] > 0).all()
    assert set(demand["week_start"]) == set(weeks)
    meals = meals_per_week(sc, weeks=weeks).set_index(["kitchen_id", "week_start"])
    assert meals.loc[("colo-laragne", JULY_WEEK), "meals"] == 7 * 70
    assert meals.loc[("sisteron-cc", JULY_WEEK), "meals"] == 0


def test_school_open_months_restrict_the_school_calendar(tiny_scenario: Scenario) -> None:
    """A school with open months serves its school days in those months only."""
    school = tiny_scenario.canteen("sisteron-cc").model_copy(update={"open_months": (10,)})
    sept = service_days(school, SEPTEMBER_WEEK, SEPTEMBER_WEEK + dt.timedelta(days=6))
    octo = service_days(school, dt.date(2025, 10, 6), dt.date(2025, 10, 12))
    assert sept == []
    assert len(octo) == 4


def test_open_months_are_checked() -> None:
    """A month outside 1..12 is refused with the field's name."""
    with pytest.raises(ValueError, match="open_months must be 1..12"):
        Canteen(id="x", name="x", lat=44.0, lon=5.0, open_months=(13,))
