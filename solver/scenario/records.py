"""One record into its domain model: pydantic's errors become located, readable problems.

Shared by the folder reader (a record is a CSV row) and the JSON reader (a record is an
item of a collection's list). A message reads as a spreadsheet user would write it:
pydantic's "Input should be 'BIO', 'LABEL_ROUGE' or ..." becomes "unknown label 'BIOO'
(allowed: BIO, LABEL_ROUGE, ...)", and an error of a model validator (a window that ends
before it starts, a point outside France) is pinned to its column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from solver.core import FRANCE_LAT_RANGE, FRANCE_LON_RANGE, Problem, Settings
from solver.scenario.cells import cell_format, format_number, format_time_of_day

_ID_RULE = "ids may contain only letters, digits, '_', '.' and '-' (no spaces, no accents)"
_WINDOW_RE = re.compile(r"^(\w+_end_min) \((\d+)\) must be after (\w+_start_min) \((\d+)\)$")
_DATE_ERRORS = {
    "date_parsing",
    "date_from_datetime_parsing",
    "date_type",
    "date_from_datetime_inexact",
}
#: Columns whose problems show the parsed value rather than the cell as typed.
_SHOWN_PARSED = {"labels", "delivery_modes"}


def shown(value: Any) -> str:
    """Text of a value as a problem shows it."""
    if isinstance(value, dict | list):
        return ""
    if isinstance(value, tuple):
        return ";".join(shown(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def _noun(column: str, indexed: bool) -> str:
    """``labels`` (one item of it) -> ``label``; ``cold_chain`` -> ``cold chain``."""
    word = column.removesuffix("s") if indexed else column
    return word.replace("_", " ")


def _bound_message(kind: str, ctx: Mapping[str, Any]) -> str | None:
    """Message of a violated numeric bound, or None when ``kind`` is not a bound."""
    if kind == "greater_than":
        return f"must be greater than {shown(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return f"must be at least {shown(ctx.get('ge'))}"
    if kind == "less_than":
        return f"must be less than {shown(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return f"must be at most {shown(ctx.get('le'))}"
    return None


def _kind_message(kind: str, column: str, ctx: Mapping[str, Any]) -> str | None:
    """Message of an error of type ``kind`` that needs no more than its context."""
    fixed = {
        "extra_forbidden": "unknown field",
        "float_parsing": "not a number",
        "float_type": "not a number",
        "finite_number": "not a finite number: inf, nan and numbers too large to hold are refused",
        "int_parsing": "not a whole number",
        "int_type": "not a whole number",
        "int_from_float": "not a whole number",
        "string_too_short": "must not be empty",
    }
    if kind in fixed:
        return fixed[kind]
    if kind in _DATE_ERRORS:
        return "not a date (write YYYY-MM-DD, e.g. 2025-09-01)"
    if kind == "string_too_long":
        return f"too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_pattern_mismatch":
        return "a SIRET is 14 digits (or leave the cell empty)" if column == "siret" else _ID_RULE
    return _bound_message(kind, ctx)


def humanize(
    model: type[BaseModel], err: Mapping[str, Any], payload: Mapping[str, Any]
) -> tuple[str, str, str]:
    """(column, value, message) of one pydantic error of ``model``, in a user's words."""
    loc = tuple(err.get("loc", ()))
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    raw = str(err.get("msg", "")).removeprefix("Value error, ")
    names = [str(x) for x in loc if not isinstance(x, int)]
    column = ".".join(names)
    indexed = bool(loc) and isinstance(loc[-1], int)
    value = shown(err.get("input", ""))
    if not loc:  # model-level validator
        return _humanize_model_error(model, raw, payload)
    if kind == "enum":
        allowed = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        noun = _noun(names[-1] if names else column, indexed)
        return column, value, f"unknown {noun} {value!r} (allowed: {allowed})"
    if kind == "missing":
        return column, "", "required value is missing"
    return column, value, _kind_message(kind, column, ctx) or raw


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _humanize_model_error(
    model: type[BaseModel], raw: str, payload: Mapping[str, Any]
) -> tuple[str, str, str]:
    """Pin an error raised by a model validator to the column it is about."""
    if "outside France" in raw:
        lat, lon = payload.get("lat"), payload.get("lon")
        column = "lon" if FRANCE_LAT_RANGE[0] <= _as_float(lat) <= FRANCE_LAT_RANGE[1] else "lat"
        lo, hi = FRANCE_LAT_RANGE if column == "lat" else FRANCE_LON_RANGE
        return (
            column,
            shown(payload.get(column, "")),
            f"point (lat {shown(lat)}, lon {shown(lon)}) lies outside France: "
            f"{column} must be within {lo}..{hi} (WGS84 degrees; lat/lon swapped?)",
        )
    m = _WINDOW_RE.match(raw)
    if m:
        end, end_v, start, start_v = m.group(1), int(m.group(2)), m.group(3), int(m.group(4))
        return (
            end,
            format_time_of_day(end_v),
            f"the window ends before it starts: {end} {format_time_of_day(end_v)} "
            f"must be after {start} {format_time_of_day(start_v)}",
        )
    for name in model.model_fields:
        if raw.startswith(name):
            return name, shown(payload.get(name, "")), raw
    return "", "", raw


def build_record(
    model: type[BaseModel],
    file: str,
    row: int,
    payload: Mapping[str, Any],
    problems: list[Problem],
    *,
    failed: set[str] | None = None,
    raw_cells: Mapping[str, str] | None = None,
) -> BaseModel | None:
    """Validate one record into ``model``; each pydantic error becomes a problem at ``row``.

    Columns in ``failed`` already have a problem from their cell parser and are not
    reported twice (and the record is not built). ``raw_cells`` are the cells as typed:
    a problem shows them rather than the parsed value.
    """
    failed = failed or set()
    try:
        obj = model.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors():
            col, value, msg = humanize(model, err, payload)
            if col.split(".")[0] in failed:
                continue
            if raw_cells and col in raw_cells and col not in _SHOWN_PARSED:
                value = raw_cells[col]
            elif col and not value and col in payload:
                value = cell_format(col, payload[col])
            problems.append(Problem(file, row, col, value, msg))
        return None
    return None if failed else obj


def settings_from(data: Any, file: str, problems: list[Problem]) -> Settings | None:
    """Validate settings, one problem per bad key (column = dotted key)."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            col, value, msg = humanize(Settings, err, data if isinstance(data, dict) else {})
            problems.append(Problem(file, 0, col, value, msg))
        return None
