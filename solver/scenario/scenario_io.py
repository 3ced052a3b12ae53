"""Read and write scenario folders (CSV files plus ``settings.toml``) and scenario JSON.

A scenario folder holds one CSV per kind of record (``products.csv``, ``producers.csv``,
``offers.csv``, ``canteens.csv``, ``menu.csv``, ``demand.csv``, ``reference_offers.csv``,
``platforms.csv``, ``vans.csv``) and ``settings.toml``. Column names are the domain
model's field names (``solver/core/domain.py``); ``scenarios/README.md`` documents every column.

Cell formats (read leniently, written canonically):

* lists: ``;``-separated (``BIO;IGP``, ``tue;thu``);
* weekdays: ``mon`` ... ``sun`` (or ISO numbers 1..7);
* months: ``1-3;9-12`` (ranges allowed);
* ``capacity_by_month``: ``month:capacity`` pairs, ``11:40;12:30``;
* times of day (columns ending in ``_start_min`` / ``_end_min``): ``HH:MM`` or minutes;
* booleans: ``yes``/``no`` (also ``true``/``false``, ``oui``/``non``, ``x``/empty, ``1``/``0``);
* an empty cell means "the default" (for ``offers.labels``: the producer's labels; write
  ``none`` for an offer without any label).

Files may be comma- or semicolon-delimited (French Excel): the delimiter is sniffed from
the header row, and in a ``;`` file number cells may use a decimal comma (``1,5``). A
UTF-8 byte-order mark is ignored. Row numbers are spreadsheet rows: the header is row 1.

Reading never stops at the first problem: every cell, row and cross-file problem is
collected and raised together in one :class:`~solver.core.errors.ScenarioError`, each naming
file, row, column and value (:func:`load_scenario`, :func:`load_scenario_json`). A broken
file never produces a traceback for the user. The ``collect_*`` functions return what
they could build plus the problems, for tools that show them (``racines validate``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import tomllib
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from solver.core import (
    FRANCE_LAT_RANGE,
    FRANCE_LON_RANGE,
    Canteen,
    DirectDemand,
    Label,
    MenuItem,
    Offer,
    Platform,
    Problem,
    Producer,
    Product,
    ReferenceOffer,
    Scenario,
    ScenarioError,
    Settings,
    Van,
    Weekday,
)
from solver.scenario.validation import scenario_warnings, validate_scenario

logger = logging.getLogger(__name__)

SETTINGS_FILE = "settings.toml"

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
_TRUE = {"yes", "true", "1", "oui", "x", "y"}
_FALSE = {"no", "false", "0", "non", "n", ""}


@dataclass(frozen=True)
class TableSpec:
    """One CSV file of a scenario folder and the domain model of its rows."""

    file: str
    collection: str
    model: type[BaseModel]
    required: bool
    extra_columns: tuple[str, ...] = ()


TABLES: tuple[TableSpec, ...] = (
    TableSpec("products.csv", "products", Product, True),
    TableSpec("producers.csv", "producers", Producer, True),
    TableSpec("offers.csv", "offers", Offer, True),
    TableSpec("canteens.csv", "canteens", Canteen, True),
    TableSpec("menu.csv", "menu", MenuItem, False),
    TableSpec("demand.csv", "direct_demand", DirectDemand, False),
    TableSpec("reference_offers.csv", "reference_offers", ReferenceOffer, True),
    TableSpec("platforms.csv", "platforms", Platform, False),
    TableSpec("vans.csv", "vans", Van, False, extra_columns=("platform_id",)),
)


@dataclass
class SourceMap:
    """Where each record came from: (collection, index) -> (file, row).

    Lets cross-file checks name the file and row of the record at fault. Vans are
    indexed in scenario order (platform by platform). ``unbuilt`` keeps the raw cells
    (column -> text) of rows that could not be built, per collection, so cross-file
    checks do not report a reference to them as unknown a second time.
    """

    rows: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    unbuilt: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def where(self, collection: str, index: int) -> tuple[str, int]:
        """(file, row) of record ``index`` of ``collection`` (row 0 when built in code)."""
        return self.rows.get((collection, index), (f"{collection}.csv", 0))


# --------------------------------------------------------------------------- cells


def format_time_of_day(minutes: int) -> str:
    """390 -> ``06:30``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time_of_day(text: str) -> int:
    """``06:30`` or ``390`` -> 390 minutes since midnight."""
    t = text.strip()
    if ":" in t:
        hh, mm = t.split(":", 1)
        h, m = int(hh), int(mm)
        if not (0 <= h <= 24 and 0 <= m < 60):
            msg = f"not a time of day: {text!r}"
            raise ValueError(msg)
        return h * 60 + m
    return int(float(t))


def parse_months(text: str) -> tuple[int, ...]:
    """``1-3;9-12`` -> (1, 2, 3, 9, 10, 11, 12); wrapping ranges like ``9-3`` allowed."""
    out: list[int] = []
    for part in _split(text):
        if "-" in part:
            a, b = (int(x) for x in part.split("-", 1))
            if a <= b:
                out.extend(range(a, b + 1))
            else:
                out.extend([*range(a, 13), *range(1, b + 1)])
        else:
            out.append(int(part))
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


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def _parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    msg = f"not a yes/no value: {text!r}"
    raise ValueError(msg)


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


def _parse_weekday(text: str) -> Weekday:
    key = text.strip().lower()
    if key in _WEEKDAY_FULL:
        return _WEEKDAY_FULL[key]
    if key not in _WEEKDAY_BY_NAME:
        msg = f"not a weekday: {text!r} (use mon, tue, wed, thu, fri, sat, sun)"
        raise ValueError(msg)
    return _WEEKDAY_BY_NAME[key]


def _is_time_column(name: str) -> bool:
    return name.endswith(("_start_min", "_end_min"))


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


def _cell_parser(name: str, annotation: Any) -> Callable[[str], Any]:
    """A parser from cell text to the python value pydantic will validate."""
    tp, optional = _unwrap_optional(_strip_annotated(annotation))
    tp = _strip_annotated(tp)
    if name == "months":
        return parse_months
    if name == "capacity_by_month":
        return lambda s: tuple((int(a), float(b)) for a, b in (p.split(":", 1) for p in _split(s)))
    if _is_time_column(name):
        return parse_time_of_day
    origin = typing.get_origin(tp)
    if origin is tuple:
        inner = _strip_annotated(typing.get_args(tp)[0])
        if inner is Weekday:
            return lambda s: tuple(_parse_weekday(p) for p in _split(s))
        if inner is Label:
            return lambda s: () if s.strip().lower() == "none" else tuple(_split(s))
        return lambda s: tuple(_split(s))
    if tp is bool:
        return _parse_bool
    if tp is Weekday:
        return _parse_weekday
    return lambda s: s.strip()


def _cell_format(name: str, value: Any) -> str:
    """Canonical text of a field value."""
    if value is None:
        return ""
    if name == "months":
        return format_months(value)
    if name == "capacity_by_month":
        return ";".join(f"{m}:{_num(c)}" for m, c in value)
    if _is_time_column(name) and isinstance(value, int):
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
        return ";".join(_cell_format(name, v) for v in value)
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _num(x: float) -> str:
    return repr(float(x)).removesuffix(".0") if float(x).is_integer() else repr(float(x))


# --------------------------------------------------------------------------- problems

_ID_RULE = "ids may contain only letters, digits, '_', '.' and '-' (no spaces, no accents)"


def _shown(value: Any) -> str:
    """Text of a value as a problem shows it."""
    if isinstance(value, dict | list):
        return ""
    if isinstance(value, tuple):
        return ";".join(_shown(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _noun(column: str, indexed: bool) -> str:
    """``labels`` (one item of it) -> ``label``; ``cold_chain`` -> ``cold chain``."""
    word = column.removesuffix("s") if indexed else column
    return word.replace("_", " ")


_WINDOW_RE = re.compile(r"^(\w+_end_min) \((\d+)\) must be after (\w+_start_min) \((\d+)\)$")


def _humanize(
    model: type[BaseModel], err: Mapping[str, Any], payload: Mapping[str, Any]
) -> tuple[str, str, str]:
    """(column, value, message) of one pydantic error, in words a spreadsheet user reads.

    Pydantic's "Input should be 'BIO', 'LABEL_ROUGE' or ..." becomes
    "unknown label 'BIOO' (allowed: BIO, LABEL_ROUGE, ...)"; a model-level error (a window
    that ends before it starts, a point outside France) is pinned to its column.
    """
    loc = tuple(err.get("loc", ()))
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    raw = str(err.get("msg", "")).removeprefix("Value error, ")
    names = [str(x) for x in loc if not isinstance(x, int)]
    column = ".".join(names)
    indexed = bool(loc) and isinstance(loc[-1], int)
    value = _shown(err.get("input", ""))
    if not loc:  # model-level validator
        return _humanize_model_error(model, raw, payload)
    if kind == "enum":
        allowed = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        noun = _noun(names[-1] if names else column, indexed)
        return column, value, f"unknown {noun} {value!r} (allowed: {allowed})"
    if kind == "missing":
        return column, "", "required value is missing"
    if kind == "extra_forbidden":
        return column, value, "unknown field"
    if kind in {"float_parsing", "float_type"}:
        return column, value, "not a number"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return column, value, "not a whole number"
    if kind in {
        "date_parsing",
        "date_from_datetime_parsing",
        "date_type",
        "date_from_datetime_inexact",
    }:
        return column, value, "not a date (write YYYY-MM-DD, e.g. 2025-09-01)"
    if kind == "greater_than":
        return column, value, f"must be greater than {_shown(ctx.get('gt'))}"
    if kind == "greater_than_equal":
        return column, value, f"must be at least {_shown(ctx.get('ge'))}"
    if kind == "less_than":
        return column, value, f"must be less than {_shown(ctx.get('lt'))}"
    if kind == "less_than_equal":
        return column, value, f"must be at most {_shown(ctx.get('le'))}"
    if kind == "string_too_short":
        return column, value, "must not be empty"
    if kind == "string_too_long":
        return column, value, f"too long (at most {ctx.get('max_length')} characters)"
    if kind == "string_pattern_mismatch":
        if column == "siret":
            return column, value, "a SIRET is 14 digits (or leave the cell empty)"
        return column, value, _ID_RULE
    return column, value, raw


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
            _shown(payload.get(column, "")),
            f"point (lat {_shown(lat)}, lon {_shown(lon)}) lies outside France: "
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
            return name, _shown(payload.get(name, "")), raw
    return "", "", raw


# --------------------------------------------------------------------------- rows


def decode_text(data: bytes, file: str, problems: list[Problem]) -> str | None:
    """UTF-8 text of a file (a BOM is dropped), or None with a problem naming the row.

    Excel's plain "CSV" is Windows-1252: the problem tells to save as "CSV UTF-8".
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex().upper()
        problems.append(
            Problem(
                file,
                row,
                "",
                f"0x{byte}",
                "not UTF-8 text (byte 0x"
                f"{byte}): save the file as 'CSV UTF-8' (Excel) or UTF-8 (LibreOffice)",
            )
        )
        return None


def _read_text(path: Path, file: str, problems: list[Problem]) -> str | None:
    """Decoded text of ``path``, or None with a problem (unreadable, not UTF-8)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(file, 0, "", "", f"cannot read the file: {exc.strerror}"))
        return None
    return decode_text(data, file, problems)


def sniff_delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (French Excel), else ``,``."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def _is_number(annotation: Any) -> bool:
    tp, _ = _unwrap_optional(_strip_annotated(annotation))
    return _strip_annotated(tp) in (float, int)


def _parse_rows(
    spec: TableSpec, text: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any], set[str], dict[str, str]]]:
    """Parse CSV text into (row, field values, columns that failed, raw cells) per data row.

    Row numbers are spreadsheet rows (header = 1), blank rows included in the count.
    """
    fields = spec.model.model_fields
    known = set(fields) | set(spec.extra_columns)
    if not text.strip():
        cols = ",".join(_columns(spec.model))
        problems.append(
            Problem(spec.file, 1, "", "", f"file is empty: it needs a header row ({cols})")
        )
        return []
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problems.append(Problem(spec.file, 0, "", "", f"not a readable CSV file: {exc}"))
        return []
    rows = [(i, r) for i, r in enumerate(records, start=1) if any(c.strip() for c in r)]
    if not rows:
        return []
    header_row, raw_header = rows[0]
    header = [h.strip() for h in raw_header]
    if not set(header) & known:
        problems.append(
            Problem(
                spec.file,
                header_row,
                "",
                delimiter.join(raw_header)[:80],
                "missing header row: the first row must name the columns, e.g. "
                + ",".join(_columns(spec.model)[:5])
                + ",...",
            )
        )
        return []
    seen: set[str] = set()
    for h in header:
        if h and h not in known:
            problems.append(Problem(spec.file, header_row, h, h, "unknown column"))
        if h and h in seen:
            problems.append(Problem(spec.file, header_row, h, h, "column appears twice"))
        seen.add(h)
    for name, info in fields.items():
        if info.is_required() and name not in header and name not in _NESTED:
            problems.append(Problem(spec.file, header_row, name, "", "required column is missing"))
    parsers = {h: _cell_parser(h, fields[h].annotation) for h in header if h in fields}
    numeric = {h for h in parsers if _is_number(fields[h].annotation)}
    out: list[tuple[int, dict[str, Any], set[str], dict[str, str]]] = []
    for i, cells in rows[1:]:
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            problems.append(
                Problem(
                    spec.file,
                    i,
                    "",
                    delimiter.join(extra),
                    f"more cells ({len(header) + len(extra)}) than header columns "
                    f"({len(header)}): a stray '{delimiter}'? quote cells that contain one",
                )
            )
        lacking = [h for h in header[len(cells) :] if h]
        if lacking:
            problems.append(
                Problem(
                    spec.file,
                    i,
                    lacking[0],
                    "",
                    f"fewer cells ({len(cells)}) than header columns ({len(header)})",
                )
            )
        values: dict[str, Any] = {}
        failed: set[str] = set()
        raw_cells: dict[str, str] = {}
        for col, cell_raw in zip(header, cells, strict=False):
            cell = cell_raw.strip()
            if not col:
                if cell:
                    problems.append(Problem(spec.file, i, "", cell, "cell under a nameless column"))
                continue
            raw_cells[col] = cell
            if col in spec.extra_columns:
                values[col] = cell
                continue
            if col not in fields:
                continue
            info = fields[col]
            if cell == "" and not info.is_required():
                continue
            if delimiter == ";" and col in numeric and _DECIMAL_COMMA.match(cell):
                cell = cell.replace(",", ".")
            try:
                values[col] = parsers[col](cell)
            except (ValueError, TypeError) as exc:
                failed.add(col)
                problems.append(Problem(spec.file, i, col, cell, _cell_message(col, cell, exc)))
        out.append((i, values, failed, raw_cells))
    return out


def _cell_message(col: str, cell: str, exc: Exception) -> str:
    """Message of a cell the cell parser rejected."""
    text = str(exc)
    if col == "months":
        return "not a list of months 1..12 (write e.g. 1-3;9-12)"
    if col == "capacity_by_month":
        return "not a list of month:capacity pairs (write e.g. 11:40;12:30)"
    if _is_time_column(col):
        return "not a time of day (write HH:MM, e.g. 06:30)"
    if text.startswith(("not a", "not ")):
        return text
    return f"cannot read this cell: {text}"


_NESTED = {"vans", "settings", "travel"}


def _build(
    spec: TableSpec,
    row: int,
    values: dict[str, Any],
    problems: list[Problem],
    failed: set[str] | None = None,
    raw_cells: Mapping[str, str] | None = None,
) -> BaseModel | None:
    """Validate one row into its model; map pydantic errors to file/row/column problems.

    Columns in ``failed`` already have a problem from the cell parser and are not
    reported twice.
    """
    payload = {k: v for k, v in values.items() if k not in spec.extra_columns}
    failed = failed or set()
    try:
        obj = spec.model.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors():
            col, shown, msg = _humanize(spec.model, err, payload)
            if col.split(".")[0] in failed:
                continue
            if raw_cells and col in raw_cells and col not in {"labels", "delivery_modes"}:
                shown = raw_cells[col]  # the cell as typed, not as parsed
            elif col and not shown and col in payload:
                shown = _cell_format(col, payload[col])
            problems.append(Problem(spec.file, row, col, shown, msg))
        return None
    return None if failed else obj


# --------------------------------------------------------------------------- read


def collect_scenario_folder(folder: str | Path) -> tuple[Scenario, SourceMap, list[Problem]]:
    """Read a scenario folder as far as possible, never raising for bad content.

    Returns
    -------
    scenario
        Every record that could be built (rows with problems are left out).
    source
        Where each record came from, and the raw cells of the rows left out.
    problems
        Every file, cell and row problem (cross-file rules are
        :func:`solver.scenario.validation.validate_scenario`'s job).
    """
    root = Path(folder)
    problems: list[Problem] = []
    source = SourceMap()
    if not root.is_dir():
        problems.append(Problem(str(root), 0, "", "", "scenario folder not found"))
        return Scenario(), source, problems
    settings = _read_settings(root / SETTINGS_FILE, problems)
    collections: dict[str, list[BaseModel]] = {}
    van_rows: list[tuple[str, int, Van]] = []
    for spec in TABLES:
        collections[spec.collection] = []
        path = root / spec.file
        if not path.is_file():
            if spec.required:
                problems.append(Problem(spec.file, 0, "", "", "required file is missing"))
            continue
        text = _read_text(path, spec.file, problems)
        if text is None:
            continue
        for row, values, failed, raw_cells in _parse_rows(spec, text, problems):
            obj = _build(spec, row, values, problems, failed, raw_cells)
            if obj is None:
                source.unbuilt.setdefault(spec.collection, []).append(raw_cells)
                continue
            if isinstance(obj, Van):
                van_rows.append((str(values.get("platform_id", "")), row, obj))
                continue
            source.rows[(spec.collection, len(collections[spec.collection]))] = (spec.file, row)
            collections[spec.collection].append(obj)
    platforms = _attach_vans(collections.pop("platforms"), van_rows, source, problems)
    collections.pop("vans")
    scenario = Scenario(
        settings=settings or Settings(),
        platforms=tuple(platforms),
        **{k: tuple(v) for k, v in collections.items()},  # type: ignore[arg-type]
    )
    return scenario, source, problems


def _attach_vans(
    platforms: list[BaseModel],
    van_rows: list[tuple[str, int, Van]],
    source: SourceMap,
    problems: list[Problem],
) -> list[Platform]:
    """Put each van of ``vans.csv`` in its platform; index vans in scenario order."""
    ids = {p.id for p in platforms if isinstance(p, Platform)}
    broken = {r.get("id", "") for r in source.unbuilt.get("platforms", [])}
    out: list[Platform] = []
    flat = 0
    attached: set[str] = set()
    for p in platforms:
        assert isinstance(p, Platform)
        mine = [(row, v) for pid, row, v in van_rows if pid == p.id and pid not in attached]
        attached.add(p.id)
        for row, _ in mine:
            source.rows[("vans", flat)] = ("vans.csv", row)
            flat += 1
        out.append(p.model_copy(update={"vans": tuple(v for _, v in mine)}))
    for pid, row, _ in van_rows:
        if pid not in ids and pid not in broken:
            msg = "unknown platform" if pid else "platform_id is empty: which platform owns it?"
            problems.append(Problem("vans.csv", row, "platform_id", pid, msg))
    return out


def read_scenario_folder(folder: str | Path) -> tuple[Scenario, SourceMap]:
    """Read a scenario folder, validating cells and rows (not cross-file references).

    :func:`load_scenario` also runs the cross-file rules; this function is for callers
    that need the :class:`SourceMap` to locate their own findings.

    Raises
    ------
    ScenarioError
        With every problem found in every file.
    """
    scenario, source, problems = collect_scenario_folder(folder)
    if problems:
        raise ScenarioError(problems)
    return scenario, source


def load_scenario(folder: str | Path) -> Scenario:
    """Read a scenario folder and check every rule, cell, row and cross-file.

    Raises
    ------
    ScenarioError
        With every problem found, row problems and cross-file problems together.
    """
    scenario, source, problems = collect_scenario_folder(folder)
    if problems and not Path(folder).is_dir():
        raise ScenarioError(problems)
    problems.extend(validate_scenario(scenario, source))
    if problems:
        raise ScenarioError(problems)
    for w in scenario_warnings(scenario, source):
        logger.warning("%s", w)
    return scenario


def _read_settings(path: Path, problems: list[Problem]) -> Settings | None:
    if not path.is_file():
        problems.append(Problem(SETTINGS_FILE, 0, "", "", "required file is missing"))
        return None
    text = _read_text(path, SETTINGS_FILE, problems)
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(SETTINGS_FILE, 0, "", "", f"not valid TOML: {exc}"))
        return None
    return _settings_from(data, SETTINGS_FILE, problems)


def _settings_from(data: Any, file: str, problems: list[Problem]) -> Settings | None:
    """Validate settings, one problem per bad key (column = dotted key)."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            col, shown, msg = _humanize(Settings, err, data if isinstance(data, dict) else {})
            problems.append(Problem(file, 0, col, shown, msg))
        return None


# --------------------------------------------------------------------------- write


def _columns(model: type[BaseModel]) -> list[str]:
    """Field names in file order: ``id`` and ``name`` first, nested models left out."""
    names = [k for k in model.model_fields if k not in _NESTED]
    first = [k for k in ("id", "name") if k in names]
    return first + [k for k in names if k not in first]


def _rows_of(spec: TableSpec, scenario: Scenario) -> list[dict[str, str]]:
    if spec.collection == "vans":
        return [
            {"platform_id": p.id, **{k: _cell_format(k, getattr(v, k)) for k in _columns(Van)}}
            for p in scenario.platforms
            for v in p.vans
        ]
    columns = _columns(spec.model)
    return [
        {k: _cell_format(k, getattr(obj, k)) for k in columns}
        for obj in getattr(scenario, spec.collection)
    ]


def write_scenario_folder(scenario: Scenario, folder: str | Path) -> Path:
    """Write ``scenario`` as a folder that :func:`read_scenario_folder` reads back equal."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    (root / SETTINGS_FILE).write_text(
        tomli_w.dumps(scenario.settings.model_dump(mode="json")), encoding="utf-8"
    )
    for spec in TABLES:
        rows = _rows_of(spec, scenario)
        if not rows and not spec.required:
            (root / spec.file).unlink(missing_ok=True)
            continue
        columns = list(spec.extra_columns) + _columns(spec.model)
        with (root / spec.file).open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return root


# --------------------------------------------------------------------------- JSON

_JSON_COLLECTIONS: dict[str, type[BaseModel]] = {
    "products": Product,
    "producers": Producer,
    "offers": Offer,
    "canteens": Canteen,
    "menu": MenuItem,
    "direct_demand": DirectDemand,
    "reference_offers": ReferenceOffer,
    "platforms": Platform,
}


def collect_scenario_json(
    data: str | bytes | Mapping[str, Any],
) -> tuple[Scenario, SourceMap, list[Problem]]:
    """Build a scenario from its JSON form as far as possible, never raising for bad content.

    Problems are located as ``file`` = the collection (``offers``), ``row`` = the 1-based
    position in its list, ``column`` = the field (``vans[1].capacity_kg`` inside a platform).
    """
    problems: list[Problem] = []
    source = SourceMap()
    try:
        payload = json.loads(data) if isinstance(data, str | bytes) else data
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem("scenario", 0, "", "", f"not valid JSON: {exc}"))
        return Scenario(), source, problems
    if not isinstance(payload, Mapping):
        problems.append(Problem("scenario", 0, "", "", "a scenario is a JSON object"))
        return Scenario(), source, problems
    for key in payload:
        if key != "settings" and key not in _JSON_COLLECTIONS:
            problems.append(Problem("scenario", 0, str(key), "", "unknown field"))
    settings = _settings_from(payload.get("settings", {}), "settings", problems)
    built: dict[str, list[BaseModel]] = {}
    flat_van = 0
    for name, model in _JSON_COLLECTIONS.items():
        items = payload.get(name, [])
        built[name] = []
        if not isinstance(items, list):
            problems.append(Problem(name, 0, "", "", "must be a list"))
            continue
        for i, item in enumerate(items):
            try:
                obj = model.model_validate(item)
            except ValidationError as exc:
                for err in exc.errors():
                    col, shown, msg = _humanize(
                        model, err, item if isinstance(item, Mapping) else {}
                    )
                    problems.append(Problem(name, i + 1, _json_column(err, col), shown, msg))
                raw = item if isinstance(item, Mapping) else {}
                source.unbuilt.setdefault(name, []).append({k: _shown(v) for k, v in raw.items()})
                continue
            source.rows[(name, len(built[name]))] = (name, i + 1)
            if isinstance(obj, Platform):
                for k, _ in enumerate(obj.vans):
                    source.rows[("vans", flat_van)] = (f"platforms[{i + 1}].vans", k + 1)
                    flat_van += 1
            built[name].append(obj)
    scenario = Scenario(
        settings=settings or Settings(),
        **{k: tuple(v) for k, v in built.items()},  # type: ignore[arg-type]
    )
    return scenario, source, problems


def _json_column(err: Mapping[str, Any], fallback: str) -> str:
    """``vans[1].capacity_kg`` for an error inside a platform's van list."""
    loc = tuple(err.get("loc", ()))
    if len(loc) >= 3 and loc[0] == "vans" and isinstance(loc[1], int):
        rest = ".".join(str(x) for x in loc[2:] if not isinstance(x, int))
        return f"vans[{loc[1] + 1}].{rest}" if rest else f"vans[{loc[1] + 1}]"
    return fallback


def scenario_from_json(data: str | bytes | Mapping[str, Any]) -> Scenario:
    """Build a scenario from its JSON form (the HTTP API's body), row rules only.

    Raises
    ------
    ScenarioError
        With one problem per invalid field (see :func:`collect_scenario_json`).
    """
    scenario, _, problems = collect_scenario_json(data)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load_scenario_json(data: str | bytes | Mapping[str, Any]) -> Scenario:
    """Build a scenario from JSON and check every rule, field and cross-record.

    Raises
    ------
    ScenarioError
        With every problem found at once.
    """
    scenario, source, problems = collect_scenario_json(data)
    problems.extend(validate_scenario(scenario, source))
    if problems:
        raise ScenarioError(problems)
    for w in scenario_warnings(scenario, source):
        logger.warning("%s", w)
    return scenario


def scenario_to_json(scenario: Scenario) -> str:
    """JSON text of a scenario (round-trips through :func:`scenario_from_json`)."""
    return scenario.model_dump_json(indent=1)
