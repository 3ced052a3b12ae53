"""Read and write scenario folders: one CSV per table plus ``settings.toml``.

Files may be comma- or semicolon-delimited (French Excel): the delimiter is sniffed from
the header row, and in a ``;`` file number cells may use a decimal comma (``1,5``). A
UTF-8 byte-order mark is ignored. Row numbers are spreadsheet rows: the header is row 1,
blank rows count. An empty cell means "the default" (for ``offers.labels``: the
producer's labels; write ``none`` for an offer without any label).

Reading never stops at the first problem: every cell, row and cross-file problem is
collected and raised together in one :class:`~solver.core.ScenarioError`, each naming
file, row, column and value (:func:`load_scenario`). A broken file never produces a
traceback for the user. :func:`collect_scenario_folder` returns what it could build plus
the problems, for tools that show them (``racines validate``).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import tomli_w
from pydantic import BaseModel

from solver.core import Platform, Problem, Scenario, ScenarioError, Settings, Van
from solver.scenario.cells import (
    DECIMAL_COMMA,
    cell_format,
    cell_message,
    cell_parser,
    is_number,
)
from solver.scenario.records import build_record, settings_from
from solver.scenario.tables import (
    NESTED,
    SETTINGS_FILE,
    TABLES,
    SourceMap,
    TableSpec,
    table_columns,
)
from solver.scenario.validation import scenario_warnings, validate_scenario

logger = logging.getLogger(__name__)


class ParsedRow(NamedTuple):
    """One data row of a table, cells parsed but not yet validated into its model."""

    row: int
    values: dict[str, Any]
    failed: set[str]
    raw_cells: dict[str, str]


# --------------------------------------------------------------------------- text


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


# --------------------------------------------------------------------------- rows


def _csv_rows(
    spec: TableSpec, text: str, problems: list[Problem]
) -> tuple[str, list[tuple[int, list[str]]]]:
    """(delimiter, non-blank rows with their spreadsheet numbers) of a table's text."""
    if not text.strip():
        cols = ",".join(table_columns(spec.model))
        problems.append(
            Problem(spec.file, 1, "", "", f"file is empty: it needs a header row ({cols})")
        )
        return ",", []
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        problems.append(Problem(spec.file, 0, "", "", f"not a readable CSV file: {exc}"))
        return delimiter, []
    return delimiter, [(i, r) for i, r in enumerate(records, start=1) if any(c.strip() for c in r)]


def _header(
    spec: TableSpec, row: int, raw_header: list[str], delimiter: str, problems: list[Problem]
) -> list[str] | None:
    """Column names of the header row, or None when the first row is not a header.

    Unknown, repeated and missing required columns are reported on the header row.
    """
    fields = spec.model.model_fields
    known = set(fields) | set(spec.extra_columns)
    header = [h.strip() for h in raw_header]
    if not set(header) & known:
        problems.append(
            Problem(
                spec.file,
                row,
                "",
                delimiter.join(raw_header)[:80],
                "missing header row: the first row must name the columns, e.g. "
                + ",".join(table_columns(spec.model)[:5])
                + ",...",
            )
        )
        return None
    seen: set[str] = set()
    for h in header:
        if h and h not in known:
            problems.append(Problem(spec.file, row, h, h, "unknown column"))
        if h and h in seen:
            problems.append(Problem(spec.file, row, h, h, "column appears twice"))
        seen.add(h)
    for name, info in fields.items():
        if info.is_required() and name not in header and name not in NESTED:
            problems.append(Problem(spec.file, row, name, "", "required column is missing"))
    return header


def _ragged(
    spec: TableSpec,
    row: int,
    cells: list[str],
    header: list[str],
    delimiter: str,
    problems: list[Problem],
) -> None:
    """Report a row with more cells than the header has columns, or fewer."""
    extra = [c for c in cells[len(header) :] if c.strip()]
    if extra:
        problems.append(
            Problem(
                spec.file,
                row,
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
                row,
                lacking[0],
                "",
                f"fewer cells ({len(cells)}) than header columns ({len(header)})",
            )
        )


class _RowReader:
    """Parses the cells of one table's data rows, column by column."""

    def __init__(self, spec: TableSpec, header: list[str], delimiter: str) -> None:
        fields = spec.model.model_fields
        self.spec = spec
        self.header = header
        self.delimiter = delimiter
        self.parsers: dict[str, Callable[[str], Any]] = {
            h: cell_parser(h, fields[h].annotation) for h in header if h in fields
        }
        self.numeric = {h for h in self.parsers if is_number(fields[h].annotation)}

    def read(self, row: int, cells: list[str], problems: list[Problem]) -> ParsedRow:
        """Parse the cells of spreadsheet ``row``; a cell its parser rejects is a problem."""
        spec = self.spec
        fields = spec.model.model_fields
        parsed = ParsedRow(row, {}, set(), {})
        for col, cell_raw in zip(self.header, cells, strict=False):
            cell = cell_raw.strip()
            if not col:
                if cell:
                    msg = "cell under a nameless column"
                    problems.append(Problem(spec.file, row, "", cell, msg))
                continue
            parsed.raw_cells[col] = cell
            if col in spec.extra_columns:
                parsed.values[col] = cell
                continue
            if col not in fields or (cell == "" and not fields[col].is_required()):
                continue
            if self.delimiter == ";" and col in self.numeric and DECIMAL_COMMA.match(cell):
                cell = cell.replace(",", ".")
            try:
                parsed.values[col] = self.parsers[col](cell)
            except (ValueError, TypeError, ArithmeticError) as exc:
                parsed.failed.add(col)
                problems.append(Problem(spec.file, row, col, cell, cell_message(col, cell, exc)))
        return parsed


def parse_rows(spec: TableSpec, text: str, problems: list[Problem]) -> list[ParsedRow]:
    """Parse the CSV text of table ``spec`` into its data rows (cells parsed, not validated)."""
    delimiter, rows = _csv_rows(spec, text, problems)
    if not rows:
        return []
    header_row, raw_header = rows[0]
    header = _header(spec, header_row, raw_header, delimiter, problems)
    if header is None:
        return []
    reader = _RowReader(spec, header, delimiter)
    out: list[ParsedRow] = []
    for i, cells in rows[1:]:
        _ragged(spec, i, cells, header, delimiter, problems)
        out.append(reader.read(i, cells, problems))
    return out


def _build(spec: TableSpec, parsed: ParsedRow, problems: list[Problem]) -> BaseModel | None:
    """Validate one parsed row into its model (columns that failed are not reported twice)."""
    payload = {k: v for k, v in parsed.values.items() if k not in spec.extra_columns}
    return build_record(
        spec.model,
        spec.file,
        parsed.row,
        payload,
        problems,
        failed=parsed.failed,
        raw_cells=parsed.raw_cells,
    )


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
        :func:`solver.scenario.validate_scenario`'s job).
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
        for parsed in parse_rows(spec, text, problems):
            obj = _build(spec, parsed, problems)
            if obj is None:
                source.unbuilt.setdefault(spec.collection, []).append(parsed.raw_cells)
                continue
            if isinstance(obj, Van):
                van_rows.append((str(parsed.values.get("platform_id", "")), parsed.row, obj))
                continue
            index = len(collections[spec.collection])
            source.rows[(spec.collection, index)] = (spec.file, parsed.row)
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
    that need the :class:`~solver.scenario.SourceMap` to locate their own findings.

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
    return settings_from(data, SETTINGS_FILE, problems)


# --------------------------------------------------------------------------- write


def _cells(obj: BaseModel, columns: list[str]) -> dict[str, str]:
    return {k: cell_format(k, getattr(obj, k)) for k in columns}


def _rows_of(spec: TableSpec, scenario: Scenario) -> list[Mapping[str, str]]:
    if spec.collection == "vans":
        van_columns = table_columns(Van)
        return [
            {"platform_id": p.id, **_cells(v, van_columns)}
            for p in scenario.platforms
            for v in p.vans
        ]
    columns = table_columns(spec.model)
    return [_cells(obj, columns) for obj in getattr(scenario, spec.collection)]


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
        columns = list(spec.extra_columns) + table_columns(spec.model)
        with (root / spec.file).open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return root
