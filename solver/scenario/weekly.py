"""Files of the weekly cycle and of re-planning: availability lists, fixed orders, shortfalls.

Each file is one table (CSV, comma- or semicolon-delimited like a scenario's tables, or the
first sheet of an XLSX workbook) whose rows are :class:`~solver.core.Availability`,
:class:`~solver.core.FixedOrder` or :class:`~solver.core.Shortfall` records. Cells are read
by the scenario's cell parsers (:mod:`solver.scenario.cells`: dates, numbers, decimal
commas in ``;`` files, ``inf``/``nan`` refused) and every problem names the file, the
spreadsheet row and the column, all of them at once in one
:class:`~solver.core.ScenarioError`; then each row is checked against the scenario
(unknown producer, product or kitchen, repeated rows).

The same records arrive as JSON lists in the HTTP API (:func:`records_from_json`): a
problem then names the list (``availability``) and the 1-based position of the record.

:func:`apply_availability` turns a week's availability rows into the scenario's offers for
that week: a producer with rows that week sells exactly what it lists, the others keep
their offers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from solver.core import (
    ALL_PRODUCTS,
    Availability,
    Channel,
    FixedOrder,
    Offer,
    Problem,
    Scenario,
    ScenarioError,
    Shortfall,
)
from solver.scenario.folder import decode_text, parse_rows
from solver.scenario.records import build_record
from solver.scenario.tables import TableSpec

__all__ = [
    "apply_availability",
    "check_availability",
    "check_fixed_orders",
    "check_shortfalls",
    "collect_records",
    "load_availability",
    "load_fixed_orders",
    "load_shortfalls",
    "read_records",
    "records_from_json",
]

R = TypeVar("R", bound=BaseModel)

#: Spreadsheet suffixes read as workbooks (their first sheet).
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _xlsx_text(path: Path, problems: list[Problem]) -> str | None:
    """The first sheet of a workbook as CSV text, row for row (blank rows kept, so that
    row numbers stay the spreadsheet's); dates as ``YYYY-MM-DD``."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        problems.append(Problem(path.name, 0, "", "", f"not a readable XLSX workbook: {exc}"))
        return None
    try:
        ws = wb.worksheets[0]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for row in ws.iter_rows(values_only=True):
            writer.writerow([_xlsx_cell(v) for v in row])
        return buf.getvalue()
    finally:
        wb.close()


def _xlsx_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_records(path: str | Path, model: type[R]) -> list[tuple[int, R]]:
    """Every row of a CSV or XLSX file as a ``model`` record, with its spreadsheet row.

    Raises
    ------
    ScenarioError
        With every cell and row problem (file, row, column, value), or when the file
        cannot be read.
    """
    rows, problems = collect_records(path, model)
    if problems:
        raise ScenarioError(problems)
    return rows


def collect_records(path: str | Path, model: type[R]) -> tuple[list[tuple[int, R]], list[Problem]]:
    """The rows of a file that build into ``model`` records, and every problem of the
    others (never raising for bad content)."""
    p = Path(path)
    problems: list[Problem] = []
    if not p.is_file():
        return [], [Problem(p.name, 0, "", str(p), "file not found")]
    if p.suffix.lower() in XLSX_SUFFIXES:
        text = _xlsx_text(p, problems)
    else:
        try:
            text = decode_text(p.read_bytes(), p.name, problems)
        except OSError as exc:
            problems.append(Problem(p.name, 0, "", "", f"cannot read the file: {exc.strerror}"))
            text = None
    if text is None:
        return [], problems
    spec = TableSpec(p.name, p.stem, model, True)
    out: list[tuple[int, R]] = []
    for parsed in parse_rows(spec, text, problems):
        obj = build_record(
            model,
            p.name,
            parsed.row,
            parsed.values,
            problems,
            failed=parsed.failed,
            raw_cells=parsed.raw_cells,
        )
        if isinstance(obj, model):
            out.append((parsed.row, obj))
    return out, problems


def records_from_json(
    items: Sequence[Mapping[str, Any]], model: type[R], name: str
) -> list[tuple[int, R]]:
    """Records of a JSON list (the API's form of a file): ``name`` is the list's field,
    rows count from 1.

    Raises
    ------
    ScenarioError
        With every problem, located as ``name``, record position, field.
    """
    problems: list[Problem] = []
    out: list[tuple[int, R]] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.append(Problem(name, n, "", str(item)[:40], "must be a JSON object"))
            continue
        obj = build_record(model, name, n, item, problems)
        if isinstance(obj, model):
            out.append((n, obj))
    if problems:
        raise ScenarioError(problems)
    return out


# --------------------------------------------------------------------------- checks


def _unknown(
    file: str, row: int, column: str, value: str, known: Iterable[str], what: str
) -> Problem:
    shown = sorted(known)[:8]
    hint = f" (known: {', '.join(shown)}{', ...' if len(shown) == 8 else ''})" if shown else ""
    return Problem(file, row, column, value, f"unknown {what}{hint}")


def check_availability(
    rows: Sequence[tuple[int, Availability]], scenario: Scenario, file: str
) -> list[Problem]:
    """Availability rows against the scenario: known producer and product, one row per
    producer, product and week, a price when the producer has no offer of the product."""
    producers = {p.id for p in scenario.producers}
    products = {p.id for p in scenario.products}
    offers = {o.key for o in scenario.offers}
    problems: list[Problem] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    for row, a in rows:
        if a.producer_id not in producers:
            problems.append(
                _unknown(file, row, "producer_id", a.producer_id, producers, "producer")
            )
        if a.product_id not in products:
            problems.append(_unknown(file, row, "product_id", a.product_id, products, "product"))
        key = (a.producer_id, a.product_id, a.week)
        if key in seen:
            msg = f"the same producer, product and week as row {seen[key]}"
            problems.append(Problem(file, row, "product_id", a.product_id, msg))
        seen.setdefault(key, row)
        if a.price_eur_per_unit is None and (a.producer_id, a.product_id) not in offers:
            msg = "no offer of this product by this producer in offers.csv: give its price"
            problems.append(Problem(file, row, "price_eur_per_unit", "", msg))
    return problems


def check_fixed_orders(
    rows: Sequence[tuple[int, FixedOrder]], scenario: Scenario, file: str
) -> list[Problem]:
    """Fixed orders against the scenario: a purchasing kitchen (not a satellite), a
    producer or the reference wholesaler, a known product, one row per kitchen, supplier,
    product and channel, the reference channel only for the wholesaler."""
    kitchens = {c.id for c in scenario.kitchens()}
    satellites = {c.id: c.purchasing_kitchen_id for c in scenario.canteens if c.id not in kitchens}
    producers = {p.id for p in scenario.producers}
    wholesalers = {r.supplier_id for r in scenario.reference_offers}
    products = {p.id for p in scenario.products}
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str, Channel | None], int] = {}
    for row, f in rows:
        if f.kitchen_id in satellites:
            msg = f"a satellite: its orders are sent by its kitchen {satellites[f.kitchen_id]!r}"
            problems.append(Problem(file, row, "kitchen_id", f.kitchen_id, msg))
        elif f.kitchen_id not in kitchens:
            problems.append(_unknown(file, row, "kitchen_id", f.kitchen_id, kitchens, "kitchen"))
        if f.producer_id not in producers | wholesalers:
            problems.append(
                _unknown(
                    file, row, "producer_id", f.producer_id, producers | wholesalers, "supplier"
                )
            )
        elif (f.producer_id in wholesalers) != (f.channel is Channel.REFERENCE) and (
            f.channel is not None
        ):
            msg = "the reference channel is the wholesaler's, and only the wholesaler's"
            problems.append(Problem(file, row, "channel", f.channel.value, msg))
        if f.product_id not in products:
            problems.append(_unknown(file, row, "product_id", f.product_id, products, "product"))
        key = (f.kitchen_id, f.producer_id, f.product_id, f.channel)
        if key in seen:
            msg = f"the same kitchen, supplier, product and channel as row {seen[key]}"
            problems.append(Problem(file, row, "product_id", f.product_id, msg))
        seen.setdefault(key, row)
    return problems


def check_shortfalls(
    rows: Sequence[tuple[int, Shortfall]], scenario: Scenario, file: str
) -> list[Problem]:
    """Shortfalls against the scenario: a known producer that offers the product."""
    producers = {p.id for p in scenario.producers}
    offered: dict[str, set[str]] = {}
    for o in scenario.offers:
        offered.setdefault(o.producer_id, set()).add(o.product_id)
    problems: list[Problem] = []
    for row, s in rows:
        if s.producer_id not in producers:
            problems.append(
                _unknown(file, row, "producer_id", s.producer_id, producers, "producer")
            )
        elif s.product_id != ALL_PRODUCTS and s.product_id not in offered.get(s.producer_id, ()):
            mine = sorted(offered.get(s.producer_id, ()))
            msg = f"not offered by {s.producer_id} (it offers: {', '.join(mine[:8]) or 'none'})"
            problems.append(Problem(file, row, "product_id", s.product_id, msg))
    return problems


def _load(
    path: str | Path,
    model: type[R],
    scenario: Scenario,
    check: Any,
) -> list[R]:
    """The records of a file, checked against the scenario; every problem at once (the
    rows that could not be read, and the others' references)."""
    rows, problems = collect_records(path, model)
    problems += check(rows, scenario, Path(path).name)
    if problems:
        raise ScenarioError(problems)
    return [r for _, r in rows]


def load_availability(path: str | Path, scenario: Scenario) -> list[Availability]:
    """Read and check an availability file (producer_id, product_id, week, kg_available,
    price_eur_per_unit).

    Raises
    ------
    ScenarioError
        With every problem (file, row, column, value).
    """
    return _load(path, Availability, scenario, check_availability)


def load_fixed_orders(path: str | Path, scenario: Scenario) -> list[FixedOrder]:
    """Read and check a fixed-orders file (kitchen_id, producer_id, product_id, kg[,
    channel]).

    Raises
    ------
    ScenarioError
        With every problem (file, row, column, value).
    """
    return _load(path, FixedOrder, scenario, check_fixed_orders)


def load_shortfalls(path: str | Path, scenario: Scenario) -> list[Shortfall]:
    """Read and check a shortfall file (producer_id, product_id or ``*``, from_week,
    loss_pct).

    Raises
    ------
    ScenarioError
        With every problem (file, row, column, value).
    """
    return _load(path, Shortfall, scenario, check_shortfalls)


# --------------------------------------------------------------------------- apply


def apply_availability(scenario: Scenario, rows: Iterable[Availability], week: dt.date) -> Scenario:
    """The scenario whose offers are those of ``week``: each producer with availability
    rows that week offers exactly what it lists (``kg_available`` converted to purchase
    units, the row's price or else its offer's, available whatever the month), the others
    keep their offers. A row of 0 kg removes the offer."""
    mine = [a for a in rows if a.week == week]
    listing = {a.producer_id for a in mine}
    if not listing:
        return scenario
    existing = {o.key: o for o in scenario.offers}
    offers = [o for o in scenario.offers if o.producer_id not in listing]
    for a in mine:
        units = a.kg_available / scenario.product(a.product_id).kg_per_unit
        if units <= 0:
            continue
        base = existing.get((a.producer_id, a.product_id))
        price = a.price_eur_per_unit or (base.price_eur_per_unit if base else None)
        assert price is not None, "check_availability asks for a price without an offer"
        offers.append(
            Offer(
                producer_id=a.producer_id,
                product_id=a.product_id,
                price_eur_per_unit=price,
                weekly_capacity=units,
                labels=base.labels if base else None,
                min_lot=base.min_lot if base else 0.0,
            )
        )
    return scenario.model_copy(update={"offers": tuple(offers)})
