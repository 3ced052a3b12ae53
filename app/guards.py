"""Checks on a posted scenario before it is parsed: sizes, numbers, month lists.

The scenario loader builds every record of every file, and some cells expand as they are
read (a months range ``1-99999999`` would become a hundred million integers). These checks
read the raw content once, cheaply, and refuse what would make the loader's work large or
its numbers unusable, with the same located problems the loader gives
(:class:`solver.core.ScenarioError`: file, row, column, value):

* the row count of each collection, against the limits of :class:`app.config.Settings`;
* every number cell and JSON number is finite (no ``inf``, ``nan``, ``1e999``);
* a months cell lists months 1..12 or ranges of them (``1-3;9-12``, a wrap ``11-2``), and
  a ``capacity_by_month`` cell pairs such a month with a finite capacity.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from app.config import Settings
from app.errors import RequestProblem
from solver.core import Problem, ScenarioError
from solver.scenario import TABLES, sniff_delimiter

#: Scenario collection -> the setting that bounds its length (vans: over all platforms).
COLLECTION_LIMITS: dict[str, str] = {
    "products": "max_products",
    "producers": "max_producers",
    "offers": "max_offers",
    "canteens": "max_canteens",
    "menu": "max_menu_rows",
    "direct_demand": "max_demand_rows",
    "reference_offers": "max_reference_offers",
    "platforms": "max_platforms",
    "vans": "max_vans",
}

_MONTH_PART = re.compile(r"^(\d{1,2})(?:\s*-\s*(\d{1,2}))?$")
_FINITE = "must be a finite number (not inf, nan or beyond 1e308)"
_MONTH_HELP = "months 1..12 or ranges of them, e.g. 1-3;9-12 (a range may wrap: 11-2)"


def limit_message(count: int, what: str, limit: int, setting: str) -> str:
    """``1200 offers exceed the limit of 1000 (setting RACINES_MAX_OFFERS)``."""
    return f"{count} {what} exceed the limit of {limit} (setting {setting})"


# --------------------------------------------------------------------------- numbers


def non_finite(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths (with the value last) of every infinite or NaN float inside ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        yield (*path, value)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from non_finite(v, (*path, str(k)))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from non_finite(v, (*path, i))


def _column(parts: tuple[str | int, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def check_json_numbers(inline: Mapping[str, Any]) -> None:
    """Refuse any non-finite number of an inline (JSON) scenario.

    Problems are located like the JSON loader's: ``file`` = the collection (or
    ``settings``), ``row`` = the 1-based position in its list, ``column`` = the field.

    Raises
    ------
    ScenarioError
    """
    problems = []
    for *path, value in non_finite(inline):
        file, row, rest = str(path[0]), 0, tuple(path[1:])
        if rest and isinstance(rest[0], int):
            row, rest = rest[0] + 1, rest[1:]
        problems.append(Problem(file, row, _column(rest), str(value), _FINITE))
    if problems:
        raise ScenarioError(problems[:50])


# --------------------------------------------------------------------------- counts


def collection_counts(inline: Mapping[str, Any]) -> dict[str, int]:
    """Length of each collection of an inline scenario (vans summed over platforms)."""
    counts = {k: len(v) for k in COLLECTION_LIMITS if isinstance(v := inline.get(k), list)}
    platforms = inline.get("platforms")
    if isinstance(platforms, list):
        counts["vans"] = sum(
            len(p["vans"])
            for p in platforms
            if isinstance(p, Mapping) and isinstance(p.get("vans"), list)
        )
    return counts


def check_json_counts(inline: Mapping[str, Any], settings: Settings) -> None:
    """Refuse an inline scenario whose collections exceed the limits (before parsing it).

    Raises
    ------
    RequestProblem
        On field ``scenario.<collection>`` with the count as value.
    """
    for key, count in collection_counts(inline).items():
        setting = COLLECTION_LIMITS[key]
        limit = int(getattr(settings, setting))
        if count > limit:
            msg = limit_message(count, key, limit, settings.env_name(setting))
            raise RequestProblem(f"scenario.{key}", count, msg)


def _raise_over(counts: Mapping[str, int], file_of: Mapping[str, str], settings: Settings) -> None:
    problems = []
    for key, count in counts.items():
        setting = COLLECTION_LIMITS[key]
        limit = int(getattr(settings, setting))
        if count > limit:
            msg = limit_message(count, "rows", limit, settings.env_name(setting))
            problems.append(Problem(file_of[key], 0, "", str(count), msg))
    if problems:
        raise ScenarioError(problems)


# --------------------------------------------------------------------------- files


def _numeric_columns(model: Any) -> set[str]:
    out = set()
    for name, info in model.model_fields.items():
        tp = info.annotation
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
        if tp in (int, float):
            out.add(name)
    return out


def _month(text: str) -> int | None:
    return int(text) if text.isdigit() and 1 <= int(text) <= 12 else None


def _months_ok(cell: str) -> bool:
    parts = [p.strip() for p in cell.replace(",", ";").split(";") if p.strip()]
    for part in parts:
        m = _MONTH_PART.match(part)
        if m is None or _month(m.group(1)) is None:
            return False
        if m.group(2) is not None and _month(m.group(2)) is None:
            return False
    return bool(parts)


def _finite_text(cell: str) -> bool:
    try:
        return math.isfinite(float(cell.replace(",", ".")))
    except ValueError:
        return True  # not a number at all: the loader says so, naming the column


def _capacity_ok(cell: str) -> bool:
    for part in (p.strip() for p in cell.replace(",", ";").split(";")):
        if not part:
            continue
        month, _, capacity = part.partition(":")
        if _month(month.strip()) is None or not _finite_text(capacity.strip()):
            return False
    return True


def _cell_problem(column: str, cell: str, numeric: set[str]) -> str | None:
    if column == "months":
        return None if _months_ok(cell) else f"not a list of {_MONTH_HELP}"
    if column == "capacity_by_month":
        ok = _capacity_ok(cell)
        return None if ok else f"not a list of month:capacity pairs ({_MONTH_HELP}; finite kg)"
    if column in numeric or column.endswith(("_start_min", "_end_min")):
        return None if _finite_text(cell) else _FINITE
    return None


def _scan_csv(file: str, model: Any, text: str, problems: list[Problem]) -> None:
    """Append the problems of the cells of one CSV file (at most 50 in all)."""
    numeric = _numeric_columns(model)
    try:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
        header: list[str] | None = None
        for i, cells in enumerate(records, start=1):
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [h.strip() for h in cells]
                continue
            for column, raw in zip(header, cells, strict=False):
                cell = raw.strip()
                message = _cell_problem(column, cell, numeric) if cell else None
                if message is not None and len(problems) < 50:
                    problems.append(Problem(file, i, column, cell[:40], message))
    except csv.Error:
        return  # unreadable: the loader reports it


def check_scenario_files(files: Mapping[str, bytes], settings: Settings) -> None:
    """Refuse scenario files (of a zip) with too many rows or unusable cells, before parsing.

    Rows are counted as non-blank lines after the header, before any cell is read.

    Raises
    ------
    ScenarioError
        Located by file, row (header = row 1) and column.
    """
    texts: dict[str, str] = {}
    counts: dict[str, int] = {}
    file_of: dict[str, str] = {}
    for spec in TABLES:
        data = files.get(spec.file)
        if data is None:
            continue
        try:
            texts[spec.file] = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue  # the loader names the byte and the row
        collection = "vans" if spec.file == "vans.csv" else spec.collection
        lines = sum(1 for line in texts[spec.file].splitlines() if line.strip())
        counts[collection] = max(0, lines - 1)
        file_of[collection] = spec.file
    _raise_over({k: v for k, v in counts.items() if k in COLLECTION_LIMITS}, file_of, settings)
    problems: list[Problem] = []
    for spec in TABLES:
        if spec.file in texts:
            _scan_csv(spec.file, spec.model, texts[spec.file], problems)
    settings_toml = files.get("settings.toml")
    if settings_toml is not None:
        _scan_settings(settings_toml, problems)
    if problems:
        raise ScenarioError(problems)


def _scan_settings(data: bytes, problems: list[Problem]) -> None:
    try:
        parsed = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return  # the loader reports it
    for *path, value in non_finite(parsed):
        key = ".".join(str(p) for p in path)
        problems.append(Problem("settings.toml", 0, key, str(value), _FINITE))
