"""School calendar: zones, holidays, public holidays, 4-day vs 4.5-day weeks."""

from __future__ import annotations

import datetime as dt

import pytest

from solver.core import (
    CalendarError,
    Canteen,
    SchoolZone,
    Weekday,
    easter_sunday,
    public_holidays,
    school_days,
    school_weeks,
    school_year_service_days,
    school_year_weeks,
    service_days,
    week_month,
    week_starts,
)

D = dt.date
FOUR_DAYS = (Weekday.MON, Weekday.TUE, Weekday.THU, Weekday.FRI)
FOUR_AND_HALF = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)


def canteen(zone: str = "B", weekdays: tuple[Weekday, ...] = FOUR_DAYS) -> Canteen:
    return Canteen(
        id="c",
        name="c",
        lat=44.2,
        lon=5.94,
        school_zone=SchoolZone(zone),
        service_weekdays=weekdays,
        meals_elementaire=10,
    )


def test_easter_dates() -> None:
    """The Easter algorithm gives the known Sundays (2024, 2025, 2026, 2027)."""
    assert easter_sunday(2024) == D(2024, 3, 31)
    assert easter_sunday(2025) == D(2025, 4, 20)
    assert easter_sunday(2026) == D(2026, 4, 5)
    assert easter_sunday(2027) == D(2027, 3, 28)


def test_movable_public_holidays_2026() -> None:
    """Easter Monday, Ascension and Whit Monday 2026 follow from Easter (5 April)."""
    h = public_holidays(2026)
    assert h[D(2026, 4, 6)] == "Lundi de Pâques"
    assert h[D(2026, 5, 14)] == "Ascension"
    assert h[D(2026, 5, 25)] == "Lundi de Pentecôte"
    assert len(h) == 11


def test_2025_26_service_days_match_domain_facts() -> None:
    """4-day week 2025-26: 137 service days in zone B, 138 in zone A, 36 weeks each."""
    b = school_year_service_days(canteen("B"))
    a = school_year_service_days(canteen("A"))
    assert len(b) == 137
    assert len(a) == 138
    assert len({d - dt.timedelta(days=d.weekday()) for d in b}) == 36
    assert len({d - dt.timedelta(days=d.weekday()) for d in a}) == 36
    assert len(school_year_weeks("B")) == 36
    assert len(school_year_weeks("A")) == 36


def test_four_and_half_days_add_the_wednesdays() -> None:
    """The 4.5-day week adds one Wednesday per school week (36 in 2025-26, zone B)."""
    four = school_year_service_days(canteen("B", FOUR_DAYS))
    four_half = school_year_service_days(canteen("B", FOUR_AND_HALF))
    wednesdays = [d for d in four_half if d.isoweekday() == 3]
    assert len(four_half) - len(four) == len(wednesdays) == 36
    assert all(d.isoweekday() != 3 for d in four)


def test_holiday_boundaries() -> None:
    """Holidays start after Friday class and classes resume the morning of the end date."""
    days = set(school_days("B", D(2025, 10, 13), D(2025, 11, 7)))
    assert D(2025, 10, 17) in days  # Friday before Toussaint
    assert D(2025, 10, 20) not in days
    assert D(2025, 10, 31) not in days
    assert D(2025, 11, 3) in days  # resume Monday
    assert D(2025, 11, 1) not in days  # Saturday


def test_public_holiday_and_pont_are_not_school_days() -> None:
    """11 Nov, Easter Monday, Ascension and its pont day have no class."""
    days = set(school_days("B", D(2025, 9, 1), D(2026, 7, 3)))
    for off in (D(2025, 11, 11), D(2026, 4, 6), D(2026, 5, 14), D(2026, 5, 15), D(2026, 5, 25)):
        assert off not in days
    assert D(2026, 5, 13) in days  # Wednesday before Ascension
    assert D(2026, 7, 3) in days  # last day before summer
    assert school_days("A", D(2026, 4, 6), D(2026, 4, 6)) == []  # Easter Monday, zone A too


def test_zones_differ_in_february() -> None:
    """Week of 9 Feb 2026: zone A is on holiday, zone B at school; 23 Feb the reverse."""
    wk1 = (D(2026, 2, 9), D(2026, 2, 13))
    wk2 = (D(2026, 2, 23), D(2026, 2, 27))
    assert school_days("A", *wk1) == []
    assert len(school_days("B", *wk1)) == 5
    assert len(school_days("A", *wk2)) == 5
    assert school_days("B", *wk2) == []
    assert len(service_days(canteen("B"), *wk1)) == 4


def test_zone_c_follows_its_own_spring() -> None:
    """Zone C's 2025-26 spring holiday (18 Apr - 4 May) differs from A and B."""
    assert school_days("C", D(2026, 4, 20), D(2026, 4, 24)) == []
    assert len(school_days("A", D(2026, 4, 20), D(2026, 4, 24))) == 5


def test_2026_27_is_known() -> None:
    """2026-27 (arrêté du 22 octobre 2025): rentrée Tue 1 Sep, zone B winter 20 Feb - 8 Mar."""
    assert school_days("B", D(2026, 8, 31), D(2026, 9, 4))[0] == D(2026, 9, 1)
    assert school_days("B", D(2027, 3, 1), D(2027, 3, 5)) == []
    assert len(school_days("A", D(2027, 3, 1), D(2027, 3, 5))) == 5
    # pont de l'Ascension 2027: Wednesday 5 May has class, Thursday and Friday do not
    assert school_days("B", D(2027, 5, 3), D(2027, 5, 7)) == [
        D(2027, 5, 3),
        D(2027, 5, 4),
        D(2027, 5, 5),
    ]
    assert school_days("B", D(2027, 7, 3), D(2027, 8, 31)) == []


def test_outside_known_years_raises() -> None:
    """Dates outside the known school years raise a clear CalendarError."""
    with pytest.raises(CalendarError, match="outside the known school calendar"):
        school_days("B", D(2027, 8, 30), D(2027, 9, 10))
    with pytest.raises(CalendarError, match="2024-2025"):
        school_year_weeks("B", "2024-2025")


def test_week_starts_are_mondays() -> None:
    """week_starts returns consecutive Mondays from the week of the start date."""
    weeks = week_starts(D(2025, 9, 3), 3)
    assert weeks == [D(2025, 9, 1), D(2025, 9, 8), D(2025, 9, 15)]


def test_school_weeks_skip_holiday_weeks() -> None:
    """school_weeks lists Mondays of weeks with at least one class day only."""
    weeks = school_weeks("B", D(2025, 10, 13), D(2025, 11, 9))
    assert weeks == [D(2025, 10, 13), D(2025, 11, 3)]


def test_a_week_counts_in_the_month_of_its_thursday() -> None:
    """Mon 29 Sep 2025 counts in October (Thu 2 Oct); Mon 25 Aug 2025 in August (Thu 28)."""
    assert week_month(D(2025, 9, 29)) == 10
    assert week_month(D(2025, 8, 25)) == 8
    assert week_month(D(2025, 12, 29)) == 1
