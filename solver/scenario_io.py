"""Read and write scenario folders (CSV files plus ``settings.toml``) and scenario JSON.

A scenario folder holds one CSV per kind of record (``products.csv``, ``producers.csv``,
``offers.csv``, ``canteens.csv``, ``menu.csv``, ``demand.csv``, ``reference_offers.csv``,
``platforms.csv``, ``vans.csv``) and ``settings.toml``. Column names are the domain
model's field names (``solver/domain.py``); ``scenarios/README.md`` documents every column.

Cell formats (read leniently, written canonically):

* lists: ``;``-separated (``BIO;IGP``, ``tue;thu``);
* weekdays: ``mon`` ... ``sun`` (or ISO numbers 1..7);
* months: ``1-3;9-12`` (ranges allowed);
* ``capacity_by_month``: ``month:capacity`` pairs, ``11:40;12:30``;
* times of day (columns ending in ``_start_min`` / ``_end_min``): ``HH:MM`` or minutes;
* booleans: ``yes``/``no`` (also ``true``/``false``, ``oui``/``non``, ``x``/empty, ``1``/``0``);
* an empty cell means "the default" (for ``offers.labels``: the producer's labels; write
  ``none`` for an offer without any label).

Reading never stops at the first problem: every cell and row problem is collected and
raised together in one :class:`~solver.errors.ScenarioError`, each naming file, row,
column and value. A broken file never produces a traceback for the user.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
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

from solver.domain import (
    Canteen,
    DirectDemand,
    Label,
    MenuItem,
    Offer,
    Platform,
    Producer,
    Product,
    ReferenceOffer,
    Scenario,
    Settings,
    Van,
    Weekday,
)
from solver.errors import Problem, ScenarioError

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

    Lets cross-file checks name the file and row of the record at fault.
    """

    rows: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)

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


def _parse_weekday(text: str) -> Weekday:
    key = text.strip().lower()[:3] if not text.strip().isdigit() else text.strip()
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


# --------------------------------------------------------------------------- rows


def _parse_rows(
    spec: TableSpec, text: str, problems: list[Problem]
) -> list[tuple[int, dict[str, Any]]]:
    """Parse a CSV text into (row number, field dict) pairs, collecting cell problems."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = spec.model.model_fields
    header = [h.strip() for h in (reader.fieldnames or [])]
    known = set(fields) | set(spec.extra_columns)
    for h in header:
        if h not in known:
            problems.append(Problem(spec.file, 1, h, h, "unknown column"))
    for name, info in fields.items():
        if info.is_required() and name not in header and name not in _NESTED:
            problems.append(Problem(spec.file, 1, name, "", "required column is missing"))
    out: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(reader, start=2):
        if raw is None or all((v or "").strip() == "" for k, v in raw.items() if k):
            continue
        if None in raw:
            problems.append(
                Problem(spec.file, i, "", ",".join(raw[None]), "more cells than header columns")
            )
        values: dict[str, Any] = {}
        for col, cell in raw.items():
            if col is None:
                continue
            col = col.strip()
            cell = (cell or "").strip()
            if col in spec.extra_columns:
                values[col] = cell
                continue
            if col not in fields:
                continue
            info = fields[col]
            if cell == "" and not info.is_required():
                continue
            try:
                values[col] = _cell_parser(col, info.annotation)(cell)
            except (ValueError, TypeError) as exc:
                problems.append(Problem(spec.file, i, col, cell, str(exc)))
        out.append((i, values))
    return out


_NESTED = {"vans", "settings", "travel"}


def _build(
    spec: TableSpec,
    row: int,
    values: dict[str, Any],
    problems: list[Problem],
    raw_cells: Mapping[str, Any] | None = None,
) -> BaseModel | None:
    """Validate one row into its model; map pydantic errors to file/row/column problems."""
    payload = {k: v for k, v in values.items() if k not in spec.extra_columns}
    try:
        return spec.model.model_validate(payload)
    except ValidationError as exc:
        for err in exc.errors():
            col = str(err["loc"][0]) if err["loc"] else ""
            shown = payload.get(col, "") if col else ""
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(spec.file, row, col, _cell_format(col, shown), msg))
        return None


# --------------------------------------------------------------------------- read


def read_scenario_folder(folder: str | Path) -> tuple[Scenario, SourceMap]:
    """Read a scenario folder, validating cells and rows (not cross-file references).

    Raises
    ------
    ScenarioError
        With every problem found in every file.
    """
    root = Path(folder)
    problems: list[Problem] = []
    if not root.is_dir():
        raise ScenarioError([Problem(str(root), 0, "", "", "scenario folder not found")])
    settings = _read_settings(root / SETTINGS_FILE, problems)
    collections: dict[str, list[BaseModel]] = {}
    source = SourceMap()
    vans_by_platform: dict[str, list[Van]] = {}
    for spec in TABLES:
        path = root / spec.file
        if not path.exists():
            if spec.required:
                problems.append(Problem(spec.file, 0, "", "", "required file is missing"))
            collections[spec.collection] = []
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(spec.file, 0, "", "", f"not UTF-8 text: {exc.reason}"))
            collections[spec.collection] = []
            continue
        items: list[BaseModel] = []
        for row, values in _parse_rows(spec, text, problems):
            obj = _build(spec, row, values, problems)
            if obj is None:
                continue
            if spec.collection == "vans":
                vans_by_platform.setdefault(values.get("platform_id", ""), []).append(
                    obj  # type: ignore[arg-type]
                )
                source.rows[("vans", len(items))] = (spec.file, row)
            else:
                source.rows[(spec.collection, len(items))] = (spec.file, row)
            items.append(obj)
        collections[spec.collection] = items
    platforms = []
    for p in collections.pop("platforms"):
        assert isinstance(p, Platform)
        platforms.append(p.model_copy(update={"vans": tuple(vans_by_platform.pop(p.id, []))}))
    for pid, vans in vans_by_platform.items():
        for v in vans:
            idx = next(k for k, obj in enumerate(collections["vans"]) if obj is v)
            file, row = source.where("vans", idx)
            problems.append(Problem(file, row, "platform_id", pid, "unknown platform"))
    collections.pop("vans")
    if problems:
        raise ScenarioError(problems)
    scenario = Scenario(
        settings=settings or Settings(),
        platforms=tuple(platforms),
        **{k: tuple(v) for k, v in collections.items()},  # type: ignore[arg-type]
    )
    return scenario, source


def _read_settings(path: Path, problems: list[Problem]) -> Settings | None:
    if not path.exists():
        problems.append(Problem(SETTINGS_FILE, 0, "", "", "required file is missing"))
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(SETTINGS_FILE, 0, "", "", f"not valid TOML: {exc}"))
        return None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            col = ".".join(str(x) for x in err["loc"])
            val = data
            for part in err["loc"]:
                val = val.get(str(part), "") if isinstance(val, dict) else ""
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(SETTINGS_FILE, 0, col, str(val), msg))
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


def scenario_from_json(data: str | bytes | Mapping[str, Any]) -> Scenario:
    """Build a scenario from its JSON form (the HTTP API's body).

    Raises
    ------
    ScenarioError
        With one problem per invalid field, located as ``<collection>[<index>].<field>``.
    """
    payload = json.loads(data) if isinstance(data, str | bytes) else data
    try:
        return Scenario.model_validate(payload)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            file = str(loc[0]) if loc else "scenario"
            row = int(loc[1]) + 1 if len(loc) > 1 and isinstance(loc[1], int) else 0
            col = ".".join(str(x) for x in loc[2:] if not isinstance(x, int))
            val = err.get("input", "")
            shown = "" if isinstance(val, dict | list) else str(val)
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(f"{file}[{row}]" if row else file, 0, col, shown, msg))
        raise ScenarioError(problems) from None


def scenario_to_json(scenario: Scenario) -> str:
    """JSON text of a scenario (round-trips through :func:`scenario_from_json`)."""
    return scenario.model_dump_json(indent=1)
