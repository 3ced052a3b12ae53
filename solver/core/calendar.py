"""French school calendar: zones, holidays, public holidays, service days of a canteen.

Model
-----
A date ``d`` is a *school day* of zone ``z`` when

* ``d`` is Monday..Friday (primary schools have no Saturday class; a 4.5-day week adds
  Wednesday *morning*, which still counts as a day the canteen may serve);
* ``d`` lies inside a known school year: ``rentree <= d < summer_start``;
* ``d`` is not inside a holiday ``[start, resume)`` of that year for zone ``z``
  (holidays start after class on the Saturday shown and classes resume the morning of
  the resume date, so the Friday before the Saturday is a school day);
* ``d`` is not a *pont* day fixed by the arrêté (no class that day);
* ``d`` is not a French public holiday.

A *service day* of a school canteen is a school day of its ``school_zone`` whose ISO
weekday is in its ``service_weekdays`` (Mon, Tue, Thu, Fri for the 4-day week; add
Wednesday for 4.5 days). Dates outside the known school years raise
:class:`CalendarError` instead of being guessed (see ``KNOWN_RANGE``). A buyer that is not
a school (``Canteen.kind``: a holiday centre, a nursing home) has its own calendar: every
day of its ``service_weekdays`` in its ``open_months`` (all year when empty), school and
public holidays included (:func:`open_days`).

A week (its Monday ``w``) counts in the month of its Thursday ``w + 3 days``, the month
holding most of its days (ISO 8601): :func:`week_month`, the one rule every seasonal
capacity and every monthly figure uses.

Sources
-------
Zones: zone A = académies of Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble
(Drôme, 26), Limoges, Lyon, Poitiers; zone B = Aix-Marseille (04, 05), Amiens, Lille,
Nancy-Metz, Nantes, Nice, Normandie, Orléans-Tours, Reims, Rennes, Strasbourg; zone C =
Créteil, Montpellier, Paris, Toulouse, Versailles (domain-facts §3;
https://fr.news.yahoo.com/2025-date-prochaines-vacances-scolaires-130000437.html).

The dates are the tables :data:`SCHOOL_YEARS` and :data:`HOLIDAYS` below; a new school
year is new rows there, from its arrêté:

* 2025-2026: arrêté du 7 décembre 2022 fixing the calendars 2023-24 to 2025-26
  (JORFTEXT000046704476; https://www.aefinfo.fr/depeche/683836), as transcribed in
  domain-facts §3 (boursorama, macommune.info, professeurs-des-ecoles.com ?p=22945).
  Zone C (not needed by the demo territory) is less cross-checked: winter from
  professeurs-des-ecoles.com ?p=22945, spring from transcriptions of the same arrêté
  citing Service-Public page F31952. One public transcription swaps zones A and C;
  domain-facts §3, macommune.info and professeurs-des-ecoles.com agree with the table.
* 2026-2027: arrêté du 22 octobre 2025 fixant le calendrier scolaire de l'année 2026-2027
  (JORF n°0250 du 23 octobre 2025, texte n°15,
  https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000052416058), as transcribed
  identically by several independent public code repositories citing it. Pont de
  l'Ascension 2027: after class Wed 5 May -> Mon 10 May (Thu 6 is Ascension).

Summer 2027 is taken to last at least until 31 August 2027: since 2015 the rentrée is
never before 1 September (aefinfo dépêche 683836). Later years are not guessed.

Public holidays (Code du travail art. L3133-1): 1 Jan, Easter Monday, 1 May, 8 May,
Ascension (Easter + 39 days), Whit Monday (Easter + 50 days), 14 Jul, 15 Aug, 1 Nov,
11 Nov, 25 Dec. Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher);
2026 -> 5 Apr, 2027 -> 28 Mar.

Derived check (domain-facts §3 [derived]): 2025-26 with a 4-day week gives 137 service
days in zone B and 138 in zone A, 36 service weeks each; ``tests/solver/test_calendar.py``
recomputes them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from solver.core.domain import Canteen, SchoolZone

logger = logging.getLogger(__name__)

ONE_DAY = dt.timedelta(days=1)


class CalendarError(ValueError):
    """A date lies outside the school years this calendar knows."""


@dataclass(frozen=True)
class Holiday:
    """A holiday period: no class from ``start`` (a Saturday) until ``resume`` (excluded)."""

    name: str
    start: dt.date
    resume: dt.date

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` falls inside the holiday."""
        return self.start <= day < self.resume


@dataclass(frozen=True)
class SchoolYear:
    """One school year of one zone: first class day, holidays, pont days, summer start."""

    label: str
    rentree: dt.date
    summer_start: dt.date
    holidays: tuple[Holiday, ...]
    no_class_days: tuple[dt.date, ...] = ()

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` lies between the rentrée and the start of summer."""
        return self.rentree <= day < self.summer_start


_D = dt.date
_ALL_ZONES = "ABC"

#: School years: label -> (rentrée, first day of summer, days without class (ponts)).
SCHOOL_YEARS: dict[str, tuple[dt.date, dt.date, tuple[dt.date, ...]]] = {
    "2025-2026": (_D(2025, 9, 1), _D(2026, 7, 4), (_D(2026, 5, 15),)),
    "2026-2027": (_D(2026, 9, 1), _D(2027, 7, 3), (_D(2027, 5, 6), _D(2027, 5, 7))),
}

#: Holidays: (school year, zones, name, first day (a Saturday), day classes resume).
HOLIDAYS: tuple[tuple[str, str, str, dt.date, dt.date], ...] = (
    ("2025-2026", _ALL_ZONES, "Toussaint", _D(2025, 10, 18), _D(2025, 11, 3)),
    ("2025-2026", _ALL_ZONES, "Noël", _D(2025, 12, 20), _D(2026, 1, 5)),
    ("2025-2026", "A", "Hiver", _D(2026, 2, 7), _D(2026, 2, 23)),
    ("2025-2026", "B", "Hiver", _D(2026, 2, 14), _D(2026, 3, 2)),
    ("2025-2026", "C", "Hiver", _D(2026, 2, 21), _D(2026, 3, 9)),
    ("2025-2026", "A", "Printemps", _D(2026, 4, 4), _D(2026, 4, 20)),
    ("2025-2026", "B", "Printemps", _D(2026, 4, 11), _D(2026, 4, 27)),
    ("2025-2026", "C", "Printemps", _D(2026, 4, 18), _D(2026, 5, 4)),
    ("2026-2027", _ALL_ZONES, "Toussaint", _D(2026, 10, 17), _D(2026, 11, 2)),
    ("2026-2027", _ALL_ZONES, "Noël", _D(2026, 12, 19), _D(2027, 1, 4)),
    ("2026-2027", "A", "Hiver", _D(2027, 2, 13), _D(2027, 3, 1)),
    ("2026-2027", "B", "Hiver", _D(2027, 2, 20), _D(2027, 3, 8)),
    ("2026-2027", "C", "Hiver", _D(2027, 2, 6), _D(2027, 2, 22)),
    ("2026-2027", "A", "Printemps", _D(2027, 4, 10), _D(2027, 4, 26)),
    ("2026-2027", "B", "Printemps", _D(2027, 4, 17), _D(2027, 5, 3)),
    ("2026-2027", "C", "Printemps", _D(2027, 4, 3), _D(2027, 4, 19)),
)

#: School-year labels this calendar knows, oldest first.
KNOWN_YEARS: tuple[str, ...] = tuple(SCHOOL_YEARS)

#: First and last date (inclusive) the calendar can answer for: the rentrée 2025 to
#: the eve of the earliest possible rentrée 2027 (summer 2027 runs to 31 Aug at least).
KNOWN_RANGE: tuple[dt.date, dt.date] = (_D(2025, 9, 1), _D(2027, 8, 31))


def _school_year_table() -> dict[tuple[str, SchoolZone], SchoolYear]:
    """Every known (school year, zone) with its holidays, in the order of :data:`HOLIDAYS`."""
    return {
        (label, zone): SchoolYear(
            label=label,
            rentree=rentree,
            summer_start=summer_start,
            holidays=tuple(
                Holiday(name, start, resume)
                for year, zones, name, start, resume in HOLIDAYS
                if year == label and zone.value in zones
            ),
            no_class_days=no_class_days,
        )
        for label, (rentree, summer_start, no_class_days) in SCHOOL_YEARS.items()
        for zone in SchoolZone
    }


_SCHOOL_YEAR_BY_ZONE = _school_year_table()


def school_year(zone: SchoolZone | str, year: str = "2025-2026") -> SchoolYear:
    """The school year ``year`` (``"2025-2026"``) of ``zone``.

    Raises
    ------
    CalendarError
        When the year is not one of :data:`KNOWN_YEARS`.
    """
    z = SchoolZone(zone)
    if year not in SCHOOL_YEARS:
        msg = (
            f"school year {year!r} is not known (known: {', '.join(KNOWN_YEARS)}); "
            "add its dates from the published arrêté to solver/core/calendar.py"
        )
        raise CalendarError(msg)
    return _SCHOOL_YEAR_BY_ZONE[(year, z)]


def week_month(week_start: dt.date) -> int:
    """Month a week counts in: the month of its Thursday (where most of its days fall)."""
    return (week_start + dt.timedelta(days=3)).month


# --------------------------------------------------------------------------- public holidays


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> dict[dt.date, str]:
    """French public holidays of calendar year ``year`` (Code du travail art. L3133-1)."""
    easter = easter_sunday(year)
    return {
        dt.date(year, 1, 1): "Jour de l'an",
        easter + dt.timedelta(days=1): "Lundi de Pâques",
        dt.date(year, 5, 1): "Fête du travail",
        dt.date(year, 5, 8): "Victoire 1945",
        easter + dt.timedelta(days=39): "Ascension",
        easter + dt.timedelta(days=50): "Lundi de Pentecôte",
        dt.date(year, 7, 14): "Fête nationale",
        dt.date(year, 8, 15): "Assomption",
        dt.date(year, 11, 1): "Toussaint",
        dt.date(year, 11, 11): "Armistice 1918",
        dt.date(year, 12, 25): "Noël",
    }


def is_public_holiday(day: dt.date) -> bool:
    """True when ``day`` is a French public holiday."""
    return day in public_holidays(day.year)


# --------------------------------------------------------------------------- school days


def _check_range(start: dt.date, end: dt.date) -> None:
    lo, hi = KNOWN_RANGE
    if start < lo or end > hi:
        msg = (
            f"dates {start.isoformat()}..{end.isoformat()} reach outside the known school "
            f"calendar {lo.isoformat()}..{hi.isoformat()} (school years {', '.join(KNOWN_YEARS)}); "
            "the school calendar of other years is not guessed"
        )
        raise CalendarError(msg)


def _years(zone: SchoolZone) -> list[SchoolYear]:
    return [school_year(zone, y) for y in KNOWN_YEARS]


def _is_school_day(day: dt.date, years: Iterable[SchoolYear]) -> bool:
    if day.isoweekday() > 5:
        return False
    for y in years:
        if y.contains(day):
            if day in y.no_class_days or any(h.contains(day) for h in y.holidays):
                return False
            return not is_public_holiday(day)
    return False  # summer


def school_days(zone: SchoolZone | str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Class days (Mon..Fri, Wednesday included) of ``zone`` in ``[start, end]``.

    Raises
    ------
    CalendarError
        When the range reaches outside :data:`KNOWN_RANGE`.
    """
    if end < start:
        return []
    _check_range(start, end)
    years = _years(SchoolZone(zone))
    out: list[dt.date] = []
    day = start
    while day <= end:
        if _is_school_day(day, years):
            out.append(day)
        day += ONE_DAY
    return out


def open_days(canteen: Canteen, start: dt.date, end: dt.date) -> list[dt.date]:
    """Days in ``[start, end]`` on a ``service_weekdays`` of ``canteen`` in its
    ``open_months`` (every month when empty), holidays included: the calendar of a buyer
    that is not a school (a holiday centre, a nursing home)."""
    weekdays = {int(w) for w in canteen.service_weekdays}
    months = set(canteen.open_months) or set(range(1, 13))
    out: list[dt.date] = []
    day = start
    while day <= end:
        if day.isoweekday() in weekdays and day.month in months:
            out.append(day)
        day += ONE_DAY
    return out


def service_days(canteen: Canteen, start: dt.date, end: dt.date) -> list[dt.date]:
    """Days in ``[start, end]`` when ``canteen`` serves lunch.

    A school (``kind = school``): school days of its ``school_zone`` whose weekday is in
    its ``service_weekdays`` (the 4-day week leaves Wednesday out) and, when it has
    ``open_months``, whose month is one of them. Any other buyer: :func:`open_days`.

    Raises
    ------
    CalendarError
        For a school, when the range reaches outside :data:`KNOWN_RANGE`.
    """
    if not canteen.follows_school_calendar:
        return open_days(canteen, start, end)
    weekdays = {int(w) for w in canteen.service_weekdays}
    months = set(canteen.open_months) or set(range(1, 13))
    return [
        d
        for d in school_days(canteen.school_zone, start, end)
        if d.isoweekday() in weekdays and d.month in months
    ]


def monday_of(day: dt.date) -> dt.date:
    """Monday of the ISO week of ``day``."""
    return day - dt.timedelta(days=day.isoweekday() - 1)


def week_starts(start: dt.date, n_weeks: int) -> list[dt.date]:
    """``n_weeks`` consecutive Mondays from the week of ``start``."""
    first = monday_of(start)
    return [first + dt.timedelta(weeks=k) for k in range(n_weeks)]


def school_weeks(zone: SchoolZone | str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of the weeks with at least one school day of ``zone`` in ``[start, end]``."""
    return sorted({monday_of(d) for d in school_days(zone, start, end)})


def school_year_weeks(zone: SchoolZone | str, year: str = "2025-2026") -> list[dt.date]:
    """Mondays of the weeks of school year ``year`` with at least one school day."""
    y = school_year(zone, year)
    return school_weeks(zone, y.rentree, y.summer_start - ONE_DAY)


def school_year_service_days(canteen: Canteen, year: str = "2025-2026") -> list[dt.date]:
    """Service days of ``canteen`` over the whole school year ``year``."""
    y = school_year(canteen.school_zone, year)
    return service_days(canteen, y.rentree, y.summer_start - ONE_DAY)
