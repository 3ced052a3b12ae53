"""Spreadsheets uploaded through the pages: read in memory, validated by the scenario reader.

A cook's menu cycle or weekly demand, a platform's orders: CSV (comma or semicolon, UTF-8)
or XLSX (first sheet). An XLSX sheet is turned into CSV text row by row, blank rows kept,
so a problem's row number is the spreadsheet's row. The client's file name is never used
for anything but display: the content is checked by the same reader as a scenario folder
(:func:`app.services.load_scenario`, :func:`app.services.read_orders_csv`), under the
fixed names ``menu.csv``, ``demand.csv`` and ``orders.csv``, inside a private temporary
folder deleted at once.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app import services
from solver.core import Problem, Scenario, ScenarioError
from solver.scenario import sniff_delimiter, write_scenario_folder

#: Largest uncompressed size of an XLSX archive opened (a zip bomb stops here).
MAX_XLSX_UNCOMPRESSED_BYTES = 50_000_000
#: Most columns read from an uploaded sheet.
MAX_COLUMNS = 60

#: Header columns that tell which file of a scenario an upload is.
_KINDS = {
    "demand.csv": {"canteen_id", "week_start", "product_id", "quantity"},
    "menu.csv": {"week", "weekday", "dish", "product_id"},
}


@dataclass(frozen=True)
class Sheet:
    """An uploaded spreadsheet as CSV text, with the name shown to the user."""

    shown_name: str
    text: str
    columns: tuple[str, ...]

    def letter(self, column: str) -> str:
        """Spreadsheet letter of a header column ('' when not in the header)."""
        if column not in self.columns:
            return ""
        n = self.columns.index(column) + 1
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out


def _bad(
    shown: str, message: str, row: int = 0, column: str = "", value: str = ""
) -> ScenarioError:
    return ScenarioError([Problem(shown, row, column, value, message)])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_text(data: bytes, shown: str, max_rows: int) -> str:
    """CSV text of the first sheet of an XLSX workbook (rows as in the sheet)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            size = sum(i.file_size for i in zf.infolist())
    except zipfile.BadZipFile:
        raise _bad(shown, "not a readable XLSX workbook (save it again as .xlsx or .csv)") from None
    if size > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _bad(shown, f"the workbook unpacks to {size} bytes, over the limit")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise _bad(shown, f"not a readable XLSX workbook: {type(exc).__name__}") from None
    try:
        sheet = book.worksheets[0]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > max_rows:
                raise _bad(shown, f"more than {max_rows} rows", row=n)
            cells = [_cell(v) for v in row[:MAX_COLUMNS]]
            while cells and cells[-1] == "":
                cells.pop()
            writer.writerow(cells)
        return out.getvalue()
    finally:
        book.close()


def read_sheet(data: bytes, shown_name: str, *, max_bytes: int, max_rows: int) -> Sheet:
    """An uploaded CSV or XLSX file as CSV text.

    Raises
    ------
    ScenarioError
        Empty, too large, not UTF-8, not a workbook: one problem naming the file.
    """
    shown = shown_name.replace("/", "_").replace("\\", "_")[-80:] or "upload"
    if not data:
        raise _bad(shown, "the file is empty")
    if len(data) > max_bytes:
        raise _bad(shown, f"the file has {len(data)} bytes, over the limit of {max_bytes}")
    if data[:2] == b"PK":
        text = _xlsx_text(data, shown, max_rows)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            row = data[: exc.start].count(b"\n") + 1
            msg = "not UTF-8 text: save the file as 'CSV UTF-8' (Excel) or UTF-8 (LibreOffice)"
            raise _bad(shown, msg, row=row) from None
        if text.count("\n") > max_rows:
            raise _bad(shown, f"more than {max_rows} rows")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    header = next(csv.reader([first], delimiter=sniff_delimiter(text)), [])
    return Sheet(shown, text, tuple(h.strip() for h in header))


def scenario_file_of(sheet: Sheet) -> str:
    """``menu.csv`` or ``demand.csv``: which scenario file the sheet's header describes.

    Raises
    ------
    ScenarioError
        When the header is neither a menu cycle nor a weekly demand.
    """
    cols = set(sheet.columns)
    for name, needed in _KINDS.items():
        if needed <= cols:
            return name
    msg = (
        "the first row must name the columns of a menu cycle (cycle_id, week, weekday, dish, "
        "product_id, served_g_maternelle, served_g_elementaire, served_g_adulte) or of a "
        "weekly demand (canteen_id, week_start, product_id, quantity)"
    )
    raise _bad(sheet.shown_name, msg, row=1, value=",".join(sheet.columns)[:80])


def scenario_with_sheet(base: Scenario, sheet: Sheet) -> Scenario:
    """``base`` with its menu cycle or weekly demand replaced by the uploaded sheet.

    Raises
    ------
    ScenarioError
        Every problem of the sheet (row, column, value), against the rest of ``base``.
    """
    name = scenario_file_of(sheet)
    with tempfile.TemporaryDirectory(prefix="racines-web-") as tmp:
        folder = write_scenario_folder(base, Path(tmp) / "scenario")
        (folder / name).write_text(sheet.text, encoding="utf-8")
        return services.load_scenario(folder)


def orders_of_sheet(scenario: Scenario, sheet: Sheet) -> list[services.OrderLine]:
    """A platform's orders from an uploaded sheet (``order_id, producer_id, kitchen_id, kg,
    day[, cold_chain]``), checked against the scenario's farms and kitchens.

    Raises
    ------
    ScenarioError
        Every bad row, naming row, column and value.
    """
    with tempfile.TemporaryDirectory(prefix="racines-web-") as tmp:
        path = Path(tmp) / "orders.csv"
        path.write_text(sheet.text, encoding="utf-8")
        return services.read_orders_csv(path, scenario)
