"""Scenario variants: a base scenario folder plus small TOML override files.

An override file changes a base scenario without copying its folder (a territory
officer's what-if: a new producer, a second round day, a second depot). Its tables::

    description = "A second depot in Nyons"   # for humans
    synthetic = true                          # the variant holds invented figures
    base = ".."                               # base folder, relative to this file (optional)

    [settings]                                # keys of settings.toml to change
    horizon_weeks = 8

    [[remove.producers]]                      # drop the rows matching `where`
    where = { id = "sb_p003" }

    [[add.platforms]]                         # a new row: columns as in the CSV file
    id = "depot_nyons"
    name = "Dépôt de Nyons"
    ...

    [[set.canteens]]                          # change cells of the rows matching `where`
    where = { id = "dr_*", management = "regie" }
    on_platform_round = "yes"

    [[extend.producers]]                      # append items to list cells (labels, days)
    where = { id = "dr_p*" }
    delivery_modes = "platform"

The operations run in that order: settings, remove, add, set, extend (so ``set`` and
``extend`` also reach rows an ``add`` created). Tables are the collections of a scenario
folder (``products``, ``producers``, ``offers``, ``canteens``, ``menu``, ``demand``,
``reference_offers``, ``platforms``, ``vans``); a value is written as its CSV cell
(``"tue;thu"``, ``"06:30"``, ``"yes"``) or as the TOML value it stands for (a list, a
boolean, a number, a date). ``where`` maps columns to patterns on the cell's text
(``*`` and ``?`` wildcards, as in file names); a row matches when every column matches.
Removing a producer removes its offers; removing a platform its vans.

Every problem names the override file, the line of the entry (``row``), the column as
``<operation>.<table>.<column>`` and the value; a rule broken by the result (an offer of
a producer that does not exist) names the line that added or changed the record. All
problems are reported at once (:class:`~solver.core.ScenarioError`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from solver.core import Platform, Problem, Producer, Scenario, ScenarioError
from solver.scenario.cells import cell_format, cell_message, cell_parser
from solver.scenario.folder import collect_scenario_folder
from solver.scenario.records import build_record, settings_from
from solver.scenario.tables import NESTED, TABLES, SourceMap, TableSpec
from solver.scenario.validation import validate_scenario

__all__ = [
    "OPERATIONS",
    "Override",
    "apply_override",
    "collect_scenario_variant",
    "load_scenario_variant",
    "parse_override",
    "read_override",
]

#: Operations of an override file, in the order they are applied.
OPERATIONS = ("remove", "add", "set", "extend")
#: Keys an override file may hold at its top level.
TOP_KEYS = frozenset({"description", "synthetic", "base", "name", "settings", *OPERATIONS})
#: Table name of each collection in an override file (the CSV file's stem).
TABLE_OF: dict[str, TableSpec] = {spec.file.removesuffix(".csv"): spec for spec in TABLES}

_HEADER_RE = re.compile(r"^\s*\[\[\s*([A-Za-z_]+)\s*\.\s*([A-Za-z_]+)\s*\]\]")
_KEY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
_SECTION_RE = re.compile(r"^\s*\[([^\[\]]+)\]\s*$")
_LINE_RE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Entry:
    """One ``[[operation.table]]`` entry: its line and its keys."""

    operation: str
    table: str
    line: int
    values: Mapping[str, Any]


@dataclass
class Override:
    """An override file, parsed: its entries in file order and its settings changes."""

    file: str
    description: str = ""
    synthetic: bool = False
    name: str = ""
    base: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    settings_lines: Mapping[str, int] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)


# --------------------------------------------------------------------------- parsing


def read_override(path: str | Path) -> tuple[Override | None, list[Problem]]:
    """Read and parse an override file (its name locates every problem)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return None, [Problem(p.name, 0, "", "", f"cannot read the file: {exc.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(p.name, 0, "", "", "not UTF-8 text: save the file as UTF-8")]
    return parse_override(text, p.name)


def parse_override(text: str, file: str) -> tuple[Override | None, list[Problem]]:
    """Parse the TOML ``text`` of an override named ``file``; (None, problems) when it is
    not an override at all (not TOML, not tables)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _LINE_RE.search(str(exc))
        return None, [Problem(file, int(m.group(1)) if m else 0, "", "", f"not valid TOML: {exc}")]
    problems: list[Problem] = []
    lines = _entry_lines(text)
    ov = Override(file=file, settings_lines=_settings_lines(text))
    for key, value in data.items():
        if key not in TOP_KEYS:
            allowed = ", ".join(sorted(TOP_KEYS))
            problems.append(Problem(file, 0, key, "", f"unknown key (allowed: {allowed})"))
        elif key in ("description", "name", "base"):
            setattr(ov, key, str(value))
        elif key == "synthetic":
            ov.synthetic = _truthy(value)
        elif key == "settings":
            if isinstance(value, dict):
                ov.settings = value
            else:
                problems.append(Problem(file, 0, key, "", "[settings] must be a table"))
        else:
            problems += _parse_operation(ov, key, value, lines)
    return ov, problems


def _parse_operation(
    ov: Override, operation: str, tables: Any, lines: Mapping[tuple[str, str], list[int]]
) -> list[Problem]:
    """The entries of one operation (``add``: ``{table: [entry, ...]}``)."""
    if not isinstance(tables, dict):
        return [Problem(ov.file, 0, operation, "", f"write [[{operation}.<table>]] entries")]
    problems: list[Problem] = []
    for table, entries in tables.items():
        at = lines.get((operation, table), [])
        if table not in TABLE_OF:
            close = difflib.get_close_matches(table, list(TABLE_OF), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                Problem(
                    ov.file,
                    at[0] if at else 0,
                    f"{operation}.{table}",
                    table,
                    f"unknown table{hint}; tables: {', '.join(TABLE_OF)}",
                )
            )
            continue
        items = entries if isinstance(entries, list) else [entries]
        for n, item in enumerate(items):
            line = at[n] if n < len(at) else 0
            if not isinstance(item, dict):
                msg = f"each [[{operation}.{table}]] entry is a table of columns"
                problems.append(Problem(ov.file, line, f"{operation}.{table}", "", msg))
                continue
            ov.entries.append(Entry(operation, table, line, item))
    return problems


def _entry_lines(text: str) -> dict[tuple[str, str], list[int]]:
    """Line of each ``[[operation.table]]`` header, in order, per (operation, table)."""
    out: dict[tuple[str, str], list[int]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = _HEADER_RE.match(line)
        if m:
            out.setdefault((m.group(1), m.group(2)), []).append(n)
    return out


def _settings_lines(text: str) -> dict[str, int]:
    """Line of each key of the ``[settings]`` (and ``[settings.travel]``) tables."""
    out: dict[str, int] = {}
    section = ""
    for n, line in enumerate(text.splitlines(), start=1):
        sec = _SECTION_RE.match(line)
        if sec:
            section = sec.group(1).strip()
            continue
        if _HEADER_RE.match(line):
            section = ""
        key = _KEY_RE.match(line)
        if key and section.startswith("settings"):
            prefix = section.removeprefix("settings").lstrip(".")
            out[f"{prefix}.{key.group(1)}" if prefix else key.group(1)] = n
    return out


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("yes", "true", "1", "oui")


# --------------------------------------------------------------------------- cells


def _cell_text(value: Any) -> str:
    """A TOML value as the CSV cell it stands for."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ";".join(_cell_text(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _columns(spec: TableSpec) -> dict[str, Any]:
    """Column name -> annotation of a table (extra columns typed as text)."""
    cols = {k: f.annotation for k, f in spec.model.model_fields.items() if k not in NESTED}
    return {**dict.fromkeys(spec.extra_columns, str), **cols}


class _Cells:
    """Parses an entry's cells into a record payload, one problem per bad cell."""

    def __init__(self, ov: Override, entry: Entry, spec: TableSpec) -> None:
        self.ov, self.entry, self.spec = ov, entry, spec
        self.columns = _columns(spec)
        self.problems: list[Problem] = []
        self.failed: set[str] = set()

    def column(self, name: str) -> str:
        """The column as a problem names it: ``add.producers.labels``."""
        return f"{self.entry.operation}.{self.entry.table}.{name}"

    def problem(self, name: str, value: str, message: str) -> None:
        self.problems.append(
            Problem(self.ov.file, self.entry.line, self.column(name), value, message)
        )

    def parse(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Payload of the cells ``values`` (unknown columns and bad cells are problems)."""
        out: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in self.columns:
                self.problem(name, _cell_text(raw), f"unknown column of {self.spec.file}")
                self.failed.add(name)
                continue
            text = _cell_text(raw).strip()
            if name in self.spec.extra_columns:
                out[name] = text
                continue
            info = self.spec.model.model_fields[name]
            if text == "" and not info.is_required():
                out[name] = info.get_default(call_default_factory=True)
                continue
            try:
                parser = cell_parser(name, info.annotation)
                out[name] = parser(text)
            except (ValueError, TypeError, ArithmeticError) as exc:
                self.problem(name, text, cell_message(name, text, exc))
                self.failed.add(name)
        return out

    def build(self, payload: Mapping[str, Any]) -> BaseModel | None:
        """The record of ``payload``; its problems name this entry's line and columns."""
        model_payload = {k: v for k, v in payload.items() if k not in self.spec.extra_columns}
        found: list[Problem] = []
        obj = build_record(
            self.spec.model, self.ov.file, self.entry.line, model_payload, found, failed=self.failed
        )
        for p in found:
            col = (
                self.column(p.column) if p.column else f"{self.entry.operation}.{self.entry.table}"
            )
            self.problems.append(Problem(p.file, p.row, col, p.value, p.message))
        return obj


# --------------------------------------------------------------------------- records


@dataclass
class _Record:
    """A record of the scenario being changed and where it comes from."""

    obj: BaseModel
    where: tuple[str, int]
    platform_id: str = ""  # vans only


class _Tables:
    """The scenario's collections as mutable lists of located records."""

    def __init__(self, scenario: Scenario, source: SourceMap) -> None:
        self.settings = scenario.settings
        self.records: dict[str, list[_Record]] = {}
        for spec in TABLES:
            if spec.collection == "vans":
                continue
            objs = getattr(scenario, spec.collection)
            self.records[spec.collection] = [
                _Record(o, source.rows.get((spec.collection, i), (spec.file, 0)))
                for i, o in enumerate(objs)
            ]
        flat = [(p.id, v) for p in scenario.platforms for v in p.vans]
        self.records["vans"] = [
            _Record(v, source.rows.get(("vans", i), ("vans.csv", 0)), platform_id=pid)
            for i, (pid, v) in enumerate(flat)
        ]

    def cells(self, spec: TableSpec, rec: _Record) -> dict[str, str]:
        """The record's cells as text (what ``where`` patterns match)."""
        fields = [k for k in spec.model.model_fields if k not in NESTED]
        out = {k: cell_format(k, getattr(rec.obj, k)) for k in fields}
        if spec.collection == "vans":
            out["platform_id"] = rec.platform_id
        return out

    def scenario(self) -> tuple[Scenario, SourceMap]:
        """The changed scenario and where each of its records comes from."""
        source = SourceMap()
        cols: dict[str, tuple[BaseModel, ...]] = {}
        for spec in TABLES:
            if spec.collection in ("vans", "platforms"):
                continue
            recs = self.records[spec.collection]
            cols[spec.collection] = tuple(r.obj for r in recs)
            for i, r in enumerate(recs):
                source.rows[(spec.collection, i)] = r.where
        platforms = []
        flat = 0
        for i, r in enumerate(self.records["platforms"]):
            assert isinstance(r.obj, Platform)
            source.rows[("platforms", i)] = r.where
            vans = [v for v in self.records["vans"] if v.platform_id == r.obj.id]
            for v in vans:
                source.rows[("vans", flat)] = v.where
                flat += 1
            platforms.append(r.obj.model_copy(update={"vans": tuple(v.obj for v in vans)}))
        scenario = Scenario(settings=self.settings, platforms=tuple(platforms), **cols)  # type: ignore[arg-type]
        return scenario, source


def _matches(cells: Mapping[str, str], where: Mapping[str, str]) -> bool:
    return all(fnmatch.fnmatchcase(cells.get(k, ""), pattern) for k, pattern in where.items())


def _where(
    ov: Override, entry: Entry, spec: TableSpec
) -> tuple[dict[str, str] | None, list[Problem]]:
    """The entry's ``where`` patterns as text, or None with a problem."""
    col = f"{entry.operation}.{entry.table}.where"
    raw = entry.values.get("where")
    if not isinstance(raw, dict) or not raw:
        msg = 'needs where = { column = "pattern", ... } to choose the rows'
        return None, [Problem(ov.file, entry.line, col, "", msg)]
    columns = _columns(spec)
    bad = [k for k in raw if k not in columns]
    if bad:
        msg = f"unknown column {bad[0]!r} of {spec.file}"
        return None, [Problem(ov.file, entry.line, col, bad[0], msg)]
    return {k: _cell_text(v) for k, v in raw.items()}, []


# --------------------------------------------------------------------------- operations


def _remove(tables: _Tables, ov: Override, entry: Entry, spec: TableSpec) -> list[Problem]:
    where, problems = _where(ov, entry, spec)
    if where is None:
        return problems
    extra = [k for k in entry.values if k != "where"]
    if extra:
        msg = "a remove entry holds only where"
        problems.append(Problem(ov.file, entry.line, f"remove.{entry.table}.{extra[0]}", "", msg))
    recs = tables.records[spec.collection]
    gone = [r for r in recs if _matches(tables.cells(spec, r), where)]
    if not gone:
        return [*problems, _no_match(ov, entry, spec, where)]
    tables.records[spec.collection] = [r for r in recs if r not in gone]
    if spec.collection == "producers":
        ids = {r.obj.id for r in gone if isinstance(r.obj, Producer)}
        offers = tables.records["offers"]
        tables.records["offers"] = [
            r for r in offers if getattr(r.obj, "producer_id", "") not in ids
        ]
    if spec.collection == "platforms":
        ids = {r.obj.id for r in gone if isinstance(r.obj, Platform)}
        tables.records["vans"] = [v for v in tables.records["vans"] if v.platform_id not in ids]
    return problems


def _add(tables: _Tables, ov: Override, entry: Entry, spec: TableSpec) -> list[Problem]:
    cells = _Cells(ov, entry, spec)
    payload = cells.parse(entry.values)
    for name, info in spec.model.model_fields.items():
        if info.is_required() and name not in NESTED and name not in entry.values:
            cells.problem(name, "", "required column is missing")
            cells.failed.add(name)
    if spec.collection == "vans" and not str(payload.get("platform_id", "")):
        cells.problem("platform_id", "", "required column is missing: which platform owns it?")
        cells.failed.add("platform_id")
    obj = cells.build(payload)
    if obj is not None:
        rec = _Record(obj, (ov.file, entry.line), str(payload.get("platform_id", "")))
        tables.records[spec.collection].append(rec)
    return cells.problems


def _change(
    tables: _Tables, ov: Override, entry: Entry, spec: TableSpec, *, extend: bool
) -> list[Problem]:
    where, problems = _where(ov, entry, spec)
    if where is None:
        return problems
    changes = {k: v for k, v in entry.values.items() if k != "where"}
    cells = _Cells(ov, entry, spec)
    parsed = cells.parse(changes)
    if extend:
        for name in list(parsed):
            if not isinstance(parsed[name], tuple):
                cells.problem(
                    name, _cell_text(changes[name]), "extend appends to list columns only"
                )
                cells.failed.add(name)
    if cells.failed:
        return problems + cells.problems
    hit = False
    recs = tables.records[spec.collection]
    for n, rec in enumerate(recs):
        if not _matches(tables.cells(spec, rec), where):
            continue
        hit = True
        payload = _payload(rec, spec)
        for name, value in parsed.items():
            if extend:
                old = tuple(payload.get(name) or ())
                value = old + tuple(v for v in value if v not in old)
            payload[name] = value
        obj = cells.build(payload)
        if obj is not None:
            recs[n] = _Record(obj, (ov.file, entry.line), str(payload.get("platform_id", "")))
    if not hit:
        problems.append(_no_match(ov, entry, spec, where))
    return problems + cells.problems


def _payload(rec: _Record, spec: TableSpec) -> dict[str, Any]:
    """The record's fields as a payload to change (nested vans kept aside)."""
    out = {k: getattr(rec.obj, k) for k in spec.model.model_fields}
    if spec.collection == "vans":
        out["platform_id"] = rec.platform_id
    return out


def _no_match(ov: Override, entry: Entry, spec: TableSpec, where: Mapping[str, str]) -> Problem:
    shown = ", ".join(f"{k}={v}" for k, v in where.items())
    return Problem(
        ov.file,
        entry.line,
        f"{entry.operation}.{entry.table}.where",
        shown,
        f"matches no row of {spec.file}",
    )


_OPERATION: dict[str, Callable[[_Tables, Override, Entry, TableSpec], list[Problem]]] = {
    "remove": _remove,
    "add": _add,
    "set": lambda t, o, e, s: _change(t, o, e, s, extend=False),
    "extend": lambda t, o, e, s: _change(t, o, e, s, extend=True),
}


# --------------------------------------------------------------------------- apply


def apply_override(
    scenario: Scenario, source: SourceMap, ov: Override
) -> tuple[Scenario, SourceMap, list[Problem]]:
    """``scenario`` changed by ``ov``: the result, where each record comes from, and every
    problem of the override (its cells, its rows, the cross-file rules it breaks)."""
    problems: list[Problem] = []
    tables = _Tables(scenario, source)
    tables.settings = _settings(scenario, ov, problems)
    for operation in OPERATIONS:
        for entry in ov.entries:
            if entry.operation == operation:
                problems += _OPERATION[operation](tables, ov, entry, TABLE_OF[entry.table])
    changed, where = tables.scenario()
    if not problems:
        problems += validate_scenario(changed, where)
    return changed, where, list(dict.fromkeys(problems))


def _settings(scenario: Scenario, ov: Override, problems: list[Problem]) -> Any:
    """The base settings with the override's keys, its name and synthetic flag."""
    base = scenario.settings.model_dump(mode="json")
    data = {**base, **{k: v for k, v in ov.settings.items() if k != "travel"}}
    travel = ov.settings.get("travel")
    if isinstance(travel, dict):
        data["travel"] = {**base["travel"], **travel}
    elif travel is not None:
        problems.append(Problem(ov.file, 0, "settings.travel", "", "must be a table"))
    stem = ov.name or Path(ov.file).stem
    if "name" not in ov.settings:
        data["name"] = f"{scenario.settings.name}+{stem}"
    if ov.synthetic:
        data["synthetic"] = True
    found: list[Problem] = []
    settings = settings_from(data, ov.file, found)
    for p in found:
        line = ov.settings_lines.get(p.column, 0)
        problems.append(Problem(p.file, line, f"settings.{p.column}", p.value, p.message))
    return settings or scenario.settings


def collect_scenario_variant(
    folder: str | Path,
    overrides: list[str | Path] | None = None,
    *,
    texts: list[tuple[str, str]] | None = None,
) -> tuple[Scenario, SourceMap, list[Problem]]:
    """The scenario of ``folder`` with the override files ``overrides`` (paths) and
    ``texts`` (``(name, TOML text)``, e.g. posted to the HTTP service) applied in order, as
    far as it goes: (scenario, where each record comes from, every problem). It stops at
    the base folder's problems, or at the first override with problems."""
    scenario, source, problems = collect_scenario_folder(folder)
    if not problems:
        problems = validate_scenario(scenario, source)
    if problems:
        return scenario, source, problems
    parsed = [read_override(p) for p in overrides or []]
    parsed += [parse_override(text, name) for name, text in texts or []]
    for ov, found in parsed:
        if found or ov is None:
            return scenario, source, found
        scenario, source, found = apply_override(scenario, source, ov)
        if found:
            return scenario, source, found
    return scenario, source, []


def load_scenario_variant(
    folder: str | Path,
    overrides: list[str | Path] | None = None,
    *,
    texts: list[tuple[str, str]] | None = None,
) -> Scenario:
    """:func:`collect_scenario_variant`, raising its problems.

    Raises
    ------
    ScenarioError
        With every problem: of the base folder, or of an override (file, line, column).
    """
    scenario, _, problems = collect_scenario_variant(folder, overrides, texts=texts)
    if problems:
        raise ScenarioError(problems)
    return scenario
