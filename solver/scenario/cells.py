"""Cells of a scenario table: text to value (read leniently) and value to text (canonically).

Cell formats:

* lists: ``;``-separated (``BIO;IGP``, ``tue;thu``);
* weekdays: ``mon`` ... ``sun`` (or ISO numbers 1..7, French and full names);
* months: ``1-3;9-12``: each month 1..12, a range ``a-b`` with ``a <= b``, or a range that
  wraps the new year when ``a > b`` (``11-2`` is November to February). Every month is
  checked before a range is expanded, so a cell never expands to more than 12 months;
* ``capacity_by_month``: ``month:capacity`` pairs, ``11:40;12:30``;
* times of day (columns ending in ``_start_min``, ``_end_min`` or ``_cutoff_min``): ``HH:MM``
  or minutes;
* booleans: ``yes``/``no`` (also ``true``/``false``, ``oui``/``non``, ``x``/empty, ``1``/``0``);
* numbers: a finite number (``inf``, ``nan``, ``1e999`` are refused), handed to the domain
  model as text;
* other cells are handed to the domain model as text (dates, enums, ids).

A parser raises ``ValueError`` on a cell it cannot read (:class:`CellError` when its
message is meant for the user); :func:`cell_message` turns that into the message of the
cell's problem, which the reader locates by file, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import types
import typing
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from solver.core import Label, Weekday

_WEEKDAY_NAMES = {d: d.name.lower() for d in Weekday}
_WEEKDAY_BY_NAME = {
    **{d.name.lower(): d for d in Weekday},
    **{str(int(d)): d for d in Weekday},
    "lun": Weekday.MON,
    "mar": Weekday.TUE,
    "mer": Weekday.WED,
    "jeu": Weekday.THU,
    "ven": Weekday.FRI,
    "sam": Weekday.SAT,
    "dim": Weekday.SUN,
}
_WEEKDAY_FULL = {
    **{
        name: d
        for d, name in zip(
            Weekday,
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            strict=True,
        )
    },
    **{
        name: d
        for d, name in zip(
            Weekday,
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
            strict=True,
        )
    },
}
_TRUE = {"yes", "true", "1", "oui", "x", "y"}
_FALSE = {"no", "false", "0", "non", "n", ""}

#: A number cell written with a decimal comma (``1,5``), read in ``;``-delimited files.
DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")

#: Columns holding a list of months (``1-3;9-12``).
MONTH_COLUMNS = frozenset({"months", "open_months"})
_MONTHS_HINT = "write e.g. 1-3;9-12, or 11-2 for November to February"
_NOT_FINITE = "not a finite number: inf, nan and numbers too large to hold are refused"
_NOT_FINITE_CAPACITY = "a capacity is not a finite number (write e.g. 11:40;12:30)"
_SHOWN_CHARS = 20


class CellError(ValueError):
    """A cell that cannot be read; the message is the problem's, written for the user."""


def _clip(text: str) -> str:
    """``text`` as a message quotes it: at most a few characters."""
    return repr(text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "...")


def _finite(text: str, message: str) -> float:
    """The number written in ``text``; ``inf``, ``nan`` and overflows (``1e999``) raise.

    Raises ``ValueError`` when ``text`` is not a number, :class:`CellError` with
    ``message`` when it is not finite.
    """
    x = float(text)
    if not math.isfinite(x):
        raise CellError(message)
    return x


# --------------------------------------------------------------------------- parsers


def format_time_of_day(minutes: int) -> str:
    """390 -> ``06:30``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time_of_day(text: str) -> int:
    """``06:30`` or ``390`` -> 390 minutes since midnight (``inf``, ``nan`` refused)."""
    t = text.strip()
    if ":" in t:
        hh, mm = t.split(":", 1)
        h, m = int(hh), int(mm)
        if not (0 <= h <= 24 and 0 <= m < 60):
            msg = f"not a time of day: {text!r}"
            raise ValueError(msg)
        return h * 60 + m
    return int(_finite(t, f"not a time of day: {_clip(t)} (write HH:MM, e.g. 06:30)"))


def _month(token: str, part: str) -> int:
    """One month 1..12 of the months cell item ``part``, checked before any expansion."""
    t = token.strip()
    if not re.fullmatch(r"[0-9]+", t):
        msg = (
            f"not a list of months 1..12: {_clip(part)} is not a month or a range ({_MONTHS_HINT})"
        )
        raise CellError(msg)
    month = int(t) if len(t) <= 2 else 0
    if not 1 <= month <= 12:
        msg = f"months must be 1..12, got {_clip(t)} in {_clip(part)} ({_MONTHS_HINT})"
        raise CellError(msg)
    return month


def parse_months(text: str) -> tuple[int, ...]:
    """``1-3;9-12`` -> (1, 2, 3, 9, 10, 11, 12); ``11-2`` wraps: (11, 12, 1, 2).

    Each month is checked to be 1..12 before a range is expanded.

    Raises
    ------
    CellError
        When an item is not a month 1..12 or a range of two; the message quotes the item,
        never the expanded months.
    """
    out: list[int] = []
    for part in split_list(text):
        if "-" in part:
            first, last = part.split("-", 1)
            a, b = _month(first, part), _month(last, part)
            if a <= b:
                out.extend(range(a, b + 1))
            else:
                out.extend([*range(a, 13), *range(1, b + 1)])
        else:
            out.append(_month(part, part))
    return tuple(out)


def format_months(months: Iterable[int]) -> str:
    """(1, 2, 3, 9, 10) -> ``1-3;9-10``."""
    ms = sorted(set(months))
    parts: list[str] = []
    i = 0
    while i < len(ms):
        j = i
        while j + 1 < len(ms) and ms[j + 1] == ms[j] + 1:
            j += 1
        parts.append(str(ms[i]) if i == j else f"{ms[i]}-{ms[j]}")
        i = j + 1
    return ";".join(parts)


def split_list(text: str) -> list[str]:
    """Items of a list cell: ``;``- (or ``,``-) separated, blanks dropped."""
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def _parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    msg = f"not a yes/no value: {text!r}"
    raise ValueError(msg)


def _parse_weekday(text: str) -> Weekday:
    key = text.strip().lower()
    if key in _WEEKDAY_FULL:
        return _WEEKDAY_FULL[key]
    if key not in _WEEKDAY_BY_NAME:
        msg = f"not a weekday: {text!r} (use mon, tue, wed, thu, fri, sat, sun)"
        raise ValueError(msg)
    return _WEEKDAY_BY_NAME[key]


def _parse_capacity_by_month(text: str) -> tuple[tuple[int, float], ...]:
    """``11:40;12:30`` -> ((11, 40.0), (12, 30.0)); months are checked by the offer's rules."""
    pairs = (p.split(":", 1) for p in split_list(text))
    return tuple((int(a), _finite(b, _NOT_FINITE_CAPACITY)) for a, b in pairs)


def _parse_number(text: str) -> str:
    """A number cell's text for the domain model to validate, refused when not finite."""
    t = text.strip()
    try:
        float(t)
    except ValueError:
        return t  # not a number at all: the domain model says so
    _finite(t, _NOT_FINITE)
    return t


def is_time_column(name: str) -> bool:
    """True for a time-of-day column (``..._start_min``, ``..._end_min``, ``..._cutoff_min``)."""
    return name.endswith(("_start_min", "_end_min", "_cutoff_min"))


def _unwrap_optional(tp: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def _strip_annotated(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def is_number(annotation: Any) -> bool:
    """True when a field of type ``annotation`` holds a number (optional or not)."""
    tp, _ = _unwrap_optional(_strip_annotated(annotation))
    return _strip_annotated(tp) in (float, int)


def cell_parser(name: str, annotation: Any) -> Callable[[str], Any]:
    """A parser from the text of a ``name`` cell to the value pydantic will validate."""
    tp, _ = _unwrap_optional(_strip_annotated(annotation))
    tp = _strip_annotated(tp)
    if name in MONTH_COLUMNS:
        return parse_months
    if name == "capacity_by_month":
        return _parse_capacity_by_month
    if is_time_column(name):
        return parse_time_of_day
    if typing.get_origin(tp) is tuple:
        inner = _strip_annotated(typing.get_args(tp)[0])
        if inner is Weekday:
            return lambda s: tuple(_parse_weekday(p) for p in split_list(s))
        if inner is Label:
            return lambda s: () if s.strip().lower() == "none" else tuple(split_list(s))
        return lambda s: tuple(split_list(s))
    if tp is bool:
        return _parse_bool
    if tp is Weekday:
        return _parse_weekday
    if tp in (float, int):
        return _parse_number
    return lambda s: s.strip()


def cell_message(column: str, cell: str, exc: Exception) -> str:
    """Message of a ``column`` cell its parser rejected with ``exc``."""
    text = str(exc)
    if isinstance(exc, CellError):
        return text
    if column in MONTH_COLUMNS:
        return f"not a list of months 1..12 ({_MONTHS_HINT})"
    if column == "capacity_by_month":
        return "not a list of month:capacity pairs (write e.g. 11:40;12:30)"
    if is_time_column(column):
        return "not a time of day (write HH:MM, e.g. 06:30)"
    if text.startswith(("not a", "not ")):
        return text
    return f"cannot read this cell: {text}"


# --------------------------------------------------------------------------- formats


def format_number(x: float) -> str:
    """Shortest text of a number: ``2.0`` -> ``2``, ``0.45`` -> ``0.45``."""
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


def cell_format(name: str, value: Any) -> str:
    """Canonical text of the value of field ``name`` in a cell (``None`` -> empty)."""
    if value is None:
        return ""
    if name in MONTH_COLUMNS:
        return format_months(value)
    if name == "capacity_by_month":
        return ";".join(f"{m}:{format_number(c)}" for m, c in value)
    if is_time_column(name) and isinstance(value, int):
        return format_time_of_day(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Weekday):
        return _WEEKDAY_NAMES[value]
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple):
        if name == "labels" and not value:
            return "none"
        return ";".join(cell_format(name, v) for v in value)
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
