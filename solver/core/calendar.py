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

A *service day* of a canteen is a school day of its ``school_zone`` whose ISO weekday is
in its ``service_weekdays`` (Mon, Tue, Thu, Fri for the 4-day week; add Wednesday for
4.5 days). Dates outside the known school years raise :class:`CalendarError` instead
of being guessed (see ``KNOWN_RANGE``).

Sources
-------
Zones: zone A = académies of Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble
(Drôme, 26), Limoges, Lyon, Poitiers; zone B = Aix-Marseille (04, 05), Amiens, Lille,
Nancy-Metz, Nantes, Nice, Normandie, Orléans-Tours, Reims, Rennes, Strasbourg; zone C =
Créteil, Montpellier, Paris, Toulouse, Versailles (domain-facts §3;
https://fr.news.yahoo.com/2025-date-prochaines-vacances-scolaires-130000437.html).

2025-2026: arrêté du 7 décembre 2022 fixing the calendars 2023-24 to 2025-26
(JORFTEXT000046704476; https://www.aefinfo.fr/depeche/683836), as transcribed in
domain-facts §3 (boursorama, macommune.info, professeurs-des-ecoles.com ?p=22945):

=================  =========================  =========================  =========================
Period             Zone A                     Zone B                     Zone C
=================  =========================  =========================  =========================
Rentrée            Mon 1 Sep 2025             same                       same
Toussaint          Sat 18 Oct -> Mon 3 Nov    same                       same
Noël               Sat 20 Dec -> Mon 5 Jan    same                       same
Hiver              Sat 7 Feb -> Mon 23 Feb    Sat 14 Feb -> Mon 2 Mar    Sat 21 Feb -> Mon 9 Mar
Printemps          Sat 4 Apr -> Mon 20 Apr    Sat 11 Apr -> Mon 27 Apr   Sat 18 Apr -> Mon 4 May
Pont Ascension     no class Fri 15 May 2026   same                       same
Été                from Sat 4 Jul 2026        same                       same
=================  =========================  =========================  =========================

Zone C 2025-26 (not needed by the demo territory, less cross-checked): winter 21 Feb -
9 Mar 2026 (professeurs-des-ecoles.com ?p=22945), spring 18 Apr - 4 May 2026 (public code
transcriptions of the same arrêté citing Service-Public page F31952). One public
transcription found swaps zones A and C for 2025-26; domain-facts §3, macommune.info
(zone A: 7-23 Feb, 4-20 Apr) and professeurs-des-ecoles.com (zone A 7-23 Feb, zone C
21 Feb - 9 Mar) agree with the table above.

2026-2027: arrêté du 22 octobre 2025 fixant le calendrier scolaire de l'année 2026-2027
(JORF n°0250 du 23 octobre 2025, texte n°15,
https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000052416058). The arrêté's own text
could not be read here; the dates below are those transcribed, identically, by several
independent public code repositories citing it (found with the ``search`` tool, read
2026-11-23); they agree on every date:

=================  =========================  =========================  =========================
Period             Zone A                     Zone B                     Zone C
=================  =========================  =========================  =========================
Rentrée            Tue 1 Sep 2026             same                       same
Toussaint          Sat 17 Oct -> Mon 2 Nov    same                       same
Noël               Sat 19 Dec -> Mon 4 Jan    same                       same
Hiver              Sat 13 Feb -> Mon 1 Mar    Sat 20 Feb -> Mon 8 Mar    Sat 6 Feb -> Mon 22 Feb
Printemps          Sat 10 Apr -> Mon 26 Apr   Sat 17 Apr -> Mon 3 May    Sat 3 Apr -> Mon 19 Apr
Pont Ascension     Wed 5 May after class -> Mon 10 May 2027 (no class Thu 6, Fri 7 May)
Été                from Sat 3 Jul 2027        same                       same
=================  =========================  =========================  =========================

Summer 2027 is taken to last at least until 31 August 2027: since 2015 the rentrée is
never before 1 September (aefinfo dépêche 683836). Nothing after that is known here.

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

from solver.core.domain import Canteen, SchoolZone, Weekday

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


def _d(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


def _year_2025_26(zone: SchoolZone) -> SchoolYear:
    hiver = {
        SchoolZone.A: (_d(2026, 2, 7), _d(2026, 2, 23)),
        SchoolZone.B: (_d(2026, 2, 14), _d(2026, 3, 2)),
        SchoolZone.C: (_d(2026, 2, 21), _d(2026, 3, 9)),
    }[zone]
    printemps = {
        SchoolZone.A: (_d(2026, 4, 4), _d(2026, 4, 20)),
        SchoolZone.B: (_d(2026, 4, 11), _d(2026, 4, 27)),
        SchoolZone.C: (_d(2026, 4, 18), _d(2026, 5, 4)),
    }[zone]
    return SchoolYear(
        label="2025-2026",
        rentree=_d(2025, 9, 1),
        summer_start=_d(2026, 7, 4),
        holidays=(
            Holiday("Toussaint", _d(2025, 10, 18), _d(2025, 11, 3)),
            Holiday("Noël", _d(2025, 12, 20), _d(2026, 1, 5)),
            Holiday("Hiver", *hiver),
            Holiday("Printemps", *printemps),
        ),
        no_class_days=(_d(2026, 5, 15),),  # pont de l'Ascension (Fri 15 May 2026)
    )


def _year_2026_27(zone: SchoolZone) -> SchoolYear:
    hiver = {
        SchoolZone.A: (_d(2027, 2, 13), _d(2027, 3, 1)),
        SchoolZone.B: (_d(2027, 2, 20), _d(2027, 3, 8)),
        SchoolZone.C: (_d(2027, 2, 6), _d(2027, 2, 22)),
    }[zone]
    printemps = {
        SchoolZone.A: (_d(2027, 4, 10), _d(2027, 4, 26)),
        SchoolZone.B: (_d(2027, 4, 17), _d(2027, 5, 3)),
        SchoolZone.C: (_d(2027, 4, 3), _d(2027, 4, 19)),
    }[zone]
    return SchoolYear(
        label="2026-2027",
        rentree=_d(2026, 9, 1),
        summer_start=_d(2027, 7, 3),
        holidays=(
            Holiday("Toussaint", _d(2026, 10, 17), _d(2026, 11, 2)),
            Holiday("Noël", _d(2026, 12, 19), _d(2027, 1, 4)),
            Holiday("Hiver", *hiver),
            Holiday("Printemps", *printemps),
        ),
        # pont de l'Ascension: after class Wed 5 May -> Mon 10 May 2027 (Thu 6 is Ascension).
        no_class_days=(_d(2027, 5, 6), _d(2027, 5, 7)),
    )


#: School-year labels this calendar knows, oldest first.
KNOWN_YEARS: tuple[str, ...] = ("2025-2026", "2026-2027")

#: First and last date (inclusive) the calendar can answer for: the rentrée 2025 to
#: the eve of the earliest possible rentrée 2027 (summer 2027 runs to 31 Aug at least).
KNOWN_RANGE: tuple[dt.date, dt.date] = (_d(2025, 9, 1), _d(2027, 8, 31))


def school_year(zone: SchoolZone | str, year: str = "2025-2026") -> SchoolYear:
    """The school year ``year`` (``"2025-2026"``) of ``zone``.

    Raises
    ------
    CalendarError
        When the year is not one of :data:`KNOWN_YEARS`.
    """
    z = SchoolZone(zone)
    builders = {"2025-2026": _year_2025_26, "2026-2027": _year_2026_27}
    if year not in builders:
        msg = (
            f"school year {year!r} is not known (known: {', '.join(KNOWN_YEARS)}); "
            "add its dates from the published arrêté to solver/core/calendar.py"
        )
        raise CalendarError(msg)
    return builders[year](z)


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


def service_days(canteen: Canteen, start: dt.date, end: dt.date) -> list[dt.date]:
    """Days in ``[start, end]`` when ``canteen`` serves lunch.

    School days of the canteen's ``school_zone`` whose weekday is in its
    ``service_weekdays`` (the 4-day week leaves Wednesday out).
    """
    weekdays = {int(w) for w in canteen.service_weekdays}
    return [d for d in school_days(canteen.school_zone, start, end) if d.isoweekday() in weekdays]


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


def weekday_name(day: int | Weekday) -> str:
    """``1`` -> ``mon``."""
    return Weekday(int(day)).name.lower()
