"""Files a plan is delivered as: CSV, XLSX, per-producer order sheets, per-kitchen delivery
calendars, ``check.json`` and the ma-cantine purchase import CSV.

ma-cantine import (``macantine_achats.csv``, ``interop.md`` §1.1, schema
``data/schemas/imports/achats_siret.json`` at HEAD): the exact 12-column header
``siret,description,fournisseur,date,prix_ht,famille_produits,categories_egalim,origine,
est_circuit_court,est_local,definition_local,definition_local_km``, comma-delimited,
UTF-8, dot decimal. Choices made here:

* one row per kitchen (its SIRET) x supplier x product x delivery date (a line without a
  delivery date is dated its week's Monday); ``prix_ht`` is the summed value, excl. VAT,
  rounded to 0.01 (half up); rows worth 0.00 are left out;
* every purchase is exported, the wholesaler's too: ma-cantine computes the EGALIM shares
  over all purchases, so leaving the wholesaler out would overstate them;
* ``description`` = product name; ``fournisseur`` = supplier name;
  ``famille_produits`` = the product's family; ``categories_egalim`` = the line's labels,
  comma-separated (quoted by the CSV writer when there are several: ``"BIO,IGP"``);
* local producers: ``origine = FRANCE``, ``est_circuit_court = oui`` (direct, farm pickup
  or the farmers' platform: at most one intermediary), ``est_local = oui`` with
  ``definition_local = PAT`` -- racines' "local" is the territory's food project area
  (producers within the radius of the territory's canteens), which is what ma-cantine's
  PAT choice ("Issu du Projet Alimentaire Territorial") declares; ``definition_local_km``
  stays empty (only allowed with ``KM``). Wholesaler lines: origin unknown (empty),
  ``non`` / ``non``, no definition;
* dates: a plan for a coming school year is dated in the FUTURE, and ma-cantine's
  validator rejects future dates. The file carries the PLANNED delivery dates; it is meant
  to be imported after delivery. ``as_of`` (``write_macantine_csv(..., as_of=date)``)
  keeps only the rows delivered on or before that date, for a monthly import of what has
  been delivered; :func:`validate_macantine_csv` takes ``today`` to enforce the rule;
* kitchens without a SIRET cannot be imported: their rows are left out and listed
  (log warning, ``meta`` sheet).

Every output names the travel-time source used (``estimate`` or ``road``): a
``travel_source`` column in the CSV tables, the ``meta`` sheet of the XLSX and the
``travel_source`` field of ``check.json``. The ma-cantine file cannot carry it (fixed
format).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd

from solver.core import Channel, Family, Label, PurchasePlan, Scenario
from solver.evaluation import PlanCheck, plan_frame, producers_table, to_date

logger = logging.getLogger(__name__)

#: The ma-cantine purchase import header (SIRET variant), in order.
MACANTINE_HEADER = [
    "siret",
    "description",
    "fournisseur",
    "date",
    "prix_ht",
    "famille_produits",
    "categories_egalim",
    "origine",
    "est_circuit_court",
    "est_local",
    "definition_local",
    "definition_local_km",
]
MACANTINE_FAMILIES = frozenset(f.value for f in Family)
MACANTINE_CATEGORIES = frozenset(lab.value for lab in Label)
MACANTINE_ORIGINS = frozenset({"EUROPE", "FRANCE"})
MACANTINE_LOCAL = frozenset({"PAT", "COMMUNE", "DEPARTEMENT", "REGION", "KM"})
MACANTINE_TRUE = frozenset({"OUI", "oui", "x"})
MACANTINE_FALSE = frozenset({"non", "NON", ""})
MACANTINE_MAX_BYTES = 10_485_760
#: How racines declares "local" to ma-cantine (see module docstring).
MACANTINE_DEFINITION_LOCAL = "PAT"

PLAN_CSV_COLUMNS = [
    "week_start",
    "delivery_date",
    "kitchen_id",
    "kitchen_name",
    "supplier_id",
    "supplier_name",
    "product_id",
    "product_name",
    "quantity",
    "unit",
    "quantity_kg",
    "unit_price_eur",
    "value_eur",
    "labels",
    "channel",
    "platform_id",
    "local",
    "travel_source",
]


def _names(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    suppliers = {r.supplier_id: r.supplier_name or r.supplier_id for r in scenario.reference_offers}
    suppliers.update({p.id: p.name for p in scenario.producers})
    kitchens = {c.id: c.name for c in scenario.canteens}
    return suppliers, kitchens


def purchase_plan_table(
    scenario: Scenario,
    plan: PurchasePlan,
    *,
    travel_source: str = "",
    lines: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The plan as a flat table (:data:`PLAN_CSV_COLUMNS`), sorted by week, kitchen, supplier.

    Quantities and unit prices keep the plan's 6 decimals, so that the file reads back as
    the plan (a stock carried over many weeks would otherwise drift by the rounding).

    ``lines`` is a precomputed :func:`solver.evaluation.indicators.plan_frame` (here and below).
    """
    df = plan_frame(scenario, plan) if lines is None else lines
    suppliers, kitchens = _names(scenario)
    if df.empty:
        return pd.DataFrame(columns=PLAN_CSV_COLUMNS)
    out = pd.DataFrame(
        {
            "week_start": df["week_start"],
            "delivery_date": df["day"],
            "kitchen_id": df["kitchen_id"],
            "kitchen_name": df["kitchen_id"].map(lambda k: kitchens.get(k, k)),
            "supplier_id": df["supplier_id"],
            "supplier_name": [
                n or suppliers.get(s, s)
                for n, s in zip(df["supplier_name"], df["supplier_id"], strict=True)
            ],
            "product_id": df["product_id"],
            "product_name": df["product_name"],
            "quantity": df["quantity"].round(6),
            "unit": df["unit"],
            "quantity_kg": df["quantity_kg"].round(6),
            "unit_price_eur": df["unit_price_eur"].round(6),
            "value_eur": df["value_eur"].round(2),
            "labels": df["labels_str"],
            "channel": df["channel"],
            "platform_id": df["platform_id"],
            "local": df["local"],
            "travel_source": travel_source,
        }
    )
    return out.sort_values(
        ["week_start", "delivery_date", "kitchen_id", "supplier_id", "product_id"],
        ignore_index=True,
    )


def order_sheets(
    scenario: Scenario, plan: PurchasePlan, *, lines: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Per local producer: what to prepare, when, for whom (producer prices, no margin).

    Columns ``delivery_date, weekday, week_start, channel, hand_over, kitchen_id,
    kitchen_name, kitchen_commune, product_id, product_name, quantity, unit, quantity_kg,
    unit_price_eur, value_eur, labels``. ``hand_over`` says where the goods go: the
    kitchen (direct), the platform's round (platform) or collected at the farm.
    """
    df = plan_frame(scenario, plan) if lines is None else lines
    df = df[df["local"]]
    offer_price = {o.key: o.price_eur_per_unit for o in scenario.offers}
    canteens = {c.id: c for c in scenario.canteens}
    platforms = {p.id: p.name for p in scenario.platforms}
    first = scenario.platforms[0].name if scenario.platforms else "platform"
    hand_over = {
        Channel.DIRECT.value: "deliver to the kitchen",
        Channel.FARM_PICKUP.value: "collected at the farm by the kitchen",
    }

    def handed(channel: str, platform_id: str) -> str:
        if channel == Channel.PLATFORM.value:
            return f"hand to the round of {platforms.get(platform_id, first)}"
        return hand_over.get(channel, "")

    sheets: dict[str, pd.DataFrame] = {}
    for pid, sub in df.groupby("supplier_id", sort=True):
        price = [
            offer_price.get((s, p), u)
            for s, p, u in zip(
                sub["supplier_id"], sub["product_id"], sub["unit_price_eur"], strict=True
            )
        ]
        sheet = pd.DataFrame(
            {
                "delivery_date": sub["day"],
                "weekday": [d.strftime("%A") for d in sub["day"]],
                "week_start": sub["week_start"],
                "channel": sub["channel"],
                "hand_over": [
                    handed(c, p) for c, p in zip(sub["channel"], sub["platform_id"], strict=True)
                ],
                "kitchen_id": sub["kitchen_id"],
                "kitchen_name": [
                    canteens[k].name if k in canteens else k for k in sub["kitchen_id"]
                ],
                "kitchen_commune": [
                    canteens[k].commune if k in canteens else "" for k in sub["kitchen_id"]
                ],
                "product_id": sub["product_id"],
                "product_name": sub["product_name"],
                "quantity": sub["quantity"].round(4),
                "unit": sub["unit"],
                "quantity_kg": sub["quantity_kg"].round(4),
                "unit_price_eur": price,
                "value_eur": (sub["quantity"] * pd.Series(price, index=sub.index)).round(2),
                "labels": sub["labels_str"],
            }
        )
        sheets[str(pid)] = sheet.sort_values(
            ["delivery_date", "kitchen_id", "product_id"], ignore_index=True
        )
    return sheets


def delivery_calendars(
    scenario: Scenario, plan: PurchasePlan, *, lines: pd.DataFrame | None = None
) -> dict[str, pd.DataFrame]:
    """Per kitchen: which supplier delivers what on which day (prices as paid)."""
    df = plan_frame(scenario, plan) if lines is None else lines
    suppliers, _ = _names(scenario)
    cals: dict[str, pd.DataFrame] = {}
    for kid, sub in df.groupby("kitchen_id", sort=True):
        cal = pd.DataFrame(
            {
                "delivery_date": sub["day"],
                "weekday": [d.strftime("%A") for d in sub["day"]],
                "week_start": sub["week_start"],
                "supplier_id": sub["supplier_id"],
                "supplier_name": [
                    n or suppliers.get(s, s)
                    for n, s in zip(sub["supplier_name"], sub["supplier_id"], strict=True)
                ],
                "channel": sub["channel"],
                "local": sub["local"],
                "product_id": sub["product_id"],
                "product_name": sub["product_name"],
                "quantity": sub["quantity"].round(4),
                "unit": sub["unit"],
                "quantity_kg": sub["quantity_kg"].round(4),
                "value_eur": sub["value_eur"].round(2),
                "labels": sub["labels_str"],
            }
        )
        cals[str(kid)] = cal.sort_values(
            ["delivery_date", "supplier_id", "product_id"], ignore_index=True
        )
    return cals


# --------------------------------------------------------------------------- ma-cantine


def _price(value: float) -> str:
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def macantine_table(
    scenario: Scenario,
    plan: PurchasePlan,
    *,
    as_of: dt.date | None = None,
    lines: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """The ma-cantine import rows (all cells as strings) and the kitchens left out (no SIRET).

    See the module docstring for every choice; ``as_of`` keeps rows dated on or before it.
    """
    df = plan_frame(scenario, plan) if lines is None else lines
    suppliers, _ = _names(scenario)
    siret = {c.id: c.siret for c in scenario.canteens}
    no_siret = sorted({k for k in df["kitchen_id"].unique() if not siret.get(k)})
    if no_siret:
        logger.warning(
            "ma-cantine export: %d kitchen(s) without SIRET left out: %s",
            len(no_siret),
            ", ".join(no_siret[:10]),
        )
    df = df[~df["kitchen_id"].isin(no_siret)]
    if as_of is not None:
        df = df[df["day"] <= as_of]
    if df.empty:
        return pd.DataFrame(columns=MACANTINE_HEADER), no_siret
    df = df.assign(
        supplier=[
            n or suppliers.get(s, s)
            for n, s in zip(df["supplier_name"], df["supplier_id"], strict=True)
        ]
    )
    keys = ["kitchen_id", "supplier_id", "product_id", "day"]
    grouped = (
        df.groupby(keys, sort=True)
        .agg(
            value_eur=("value_eur", "sum"),
            product_name=("product_name", "first"),
            family=("family", "first"),
            supplier=("supplier", "first"),
            local=("local", "max"),
            labels=("labels", lambda s: tuple(sorted({lab for t in s for lab in t}, key=str))),
        )
        .reset_index()
    )
    rows = []
    r: Any
    for r in grouped.itertuples(index=False):
        price = _price(float(r.value_eur))
        if Decimal(price) == 0:
            continue
        local = bool(r.local)
        rows.append(
            {
                "siret": siret[str(r.kitchen_id)],
                "description": str(r.product_name),
                "fournisseur": str(r.supplier),
                "date": to_date(r.day).isoformat(),
                "prix_ht": price,
                "famille_produits": str(r.family),
                "categories_egalim": ",".join(Label(x).value for x in r.labels),
                "origine": "FRANCE" if local else "",
                "est_circuit_court": "oui" if local else "non",
                "est_local": "oui" if local else "non",
                "definition_local": MACANTINE_DEFINITION_LOCAL if local else "",
                "definition_local_km": "",
            }
        )
    return pd.DataFrame(rows, columns=MACANTINE_HEADER), no_siret


def write_macantine_csv(
    path: str | Path,
    scenario: Scenario,
    plan: PurchasePlan,
    *,
    as_of: dt.date | None = None,
    lines: pd.DataFrame | None = None,
) -> Path:
    """Write ``macantine_achats.csv`` (comma, UTF-8, minimal quoting) and return its path."""
    table, _ = macantine_table(scenario, plan, as_of=as_of, lines=lines)
    return _write_macantine_rows(path, table)


def _write_macantine_rows(path: str | Path, table: pd.DataFrame) -> Path:
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(MACANTINE_HEADER)
        writer.writerows(table[MACANTINE_HEADER].itertuples(index=False, name=None))
    return path


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_SIRET_RE = re.compile(r"^\d{14}$")


def validate_macantine_csv(path: str | Path, *, today: dt.date | None = None) -> list[str]:
    """Check a file against ma-cantine's purchase import rules; return the problems found.

    Rules (``achats_siret.json`` + ``data/validators/purchase.py``): file <= 10 MB; header
    exactly :data:`MACANTINE_HEADER` (delimiter ``,``, ``;`` or tab); per row: 12 cells;
    ``siret`` 14 digits; ``description`` required; ``date`` ``YYYY-MM-DD``, a real date,
    not after ``today`` when given; ``prix_ht`` a number with a dot decimal;
    ``famille_produits`` one of the families; ``categories_egalim`` a comma list of
    known characteristics; ``origine`` one of EUROPE / FRANCE (not both); booleans among
    OUI/oui/x/non/NON/empty; ``definition_local`` one of PAT, COMMUNE, DEPARTEMENT, REGION,
    KM and only when ``est_local`` is true; ``definition_local_km`` a number and only with
    ``KM``. Each problem reads ``row N, column C: message (value 'v')``; rows are counted
    as a spreadsheet shows them (header = row 1). An empty list means the file passes.
    """
    path = Path(path)
    raw = path.read_bytes()
    problems: list[str] = []
    if len(raw) > MACANTINE_MAX_BYTES:
        problems.append(f"{path.name}: {len(raw)} bytes > {MACANTINE_MAX_BYTES} bytes (10 MB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    first = text.splitlines()[0] if text else ""
    delimiter = next(
        (d for d in (",", ";", "\t") if [c.strip() for c in first.split(d)] == MACANTINE_HEADER),
        None,
    )
    if delimiter is None:
        return [
            *problems,
            f"row 1: header must be exactly {','.join(MACANTINE_HEADER)} (got {first!r})",
        ]
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader)
    n_rows = 0
    for i, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        n_rows += 1
        if len(cells) != len(MACANTINE_HEADER):
            problems.append(f"row {i}: {len(cells)} cells, expected {len(MACANTINE_HEADER)}")
            continue
        row = dict(zip(MACANTINE_HEADER, (c.strip() for c in cells), strict=True))
        problems.extend(f"row {i}, {p}" for p in _row_problems(row, today))
    if n_rows == 0:
        problems.append(f"{path.name}: no data row")
    return problems


def _row_problems(row: dict[str, str], today: dt.date | None) -> list[str]:
    out: list[str] = []

    def bad(column: str, message: str) -> None:
        out.append(f"column {column}: {message} (value {row[column]!r})")

    if not _SIRET_RE.match(row["siret"]):
        bad("siret", "must be 14 digits")
    if not row["description"]:
        bad("description", "is required")
    if not _DATE_RE.match(row["date"]):
        bad("date", "must be YYYY-MM-DD")
    else:
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            bad("date", "is not a real date")
        else:
            if today is not None and day > today:
                bad("date", f"is in the future (after {today.isoformat()}): ma-cantine refuses it")
    if not _NUMBER_RE.match(row["prix_ht"]):
        bad("prix_ht", "must be a number with a dot as decimal separator")
    if row["famille_produits"] not in MACANTINE_FAMILIES:
        bad("famille_produits", f"must be one of {', '.join(sorted(MACANTINE_FAMILIES))}")
    if row["categories_egalim"]:
        cats = [c.strip() for c in row["categories_egalim"].split(",")]
        unknown = [c for c in cats if c not in MACANTINE_CATEGORIES]
        if unknown:
            bad("categories_egalim", f"unknown characteristic(s) {unknown}")
    origins = [o.strip() for o in row["origine"].split(",") if o.strip()]
    if set(origins) >= MACANTINE_ORIGINS:
        bad("origine", "EUROPE and FRANCE cannot both be set")
    elif len(origins) > 1 or any(o not in MACANTINE_ORIGINS for o in origins):
        bad("origine", "must be EUROPE or FRANCE (or empty)")
    for col in ("est_circuit_court", "est_local"):
        if row[col] not in MACANTINE_TRUE | MACANTINE_FALSE:
            bad(col, "must be OUI, oui, x, non, NON or empty")
    local = row["est_local"] in MACANTINE_TRUE
    if row["definition_local"]:
        if row["definition_local"] not in MACANTINE_LOCAL:
            bad("definition_local", f"must be one of {', '.join(sorted(MACANTINE_LOCAL))}")
        if not local:
            bad("definition_local", "allowed only when est_local is true")
    if row["definition_local_km"]:
        if not _NUMBER_RE.match(row["definition_local_km"]):
            bad("definition_local_km", "must be a number")
        if row["definition_local"] != "KM":
            bad("definition_local_km", "allowed only when definition_local is KM")
        if not local:
            bad("definition_local_km", "allowed only when est_local is true")
    return out


# --------------------------------------------------------------------------- all outputs


def _meta(
    scenario: Scenario,
    plan: PurchasePlan,
    check: PlanCheck,
    no_siret: list[str],
    demand: pd.DataFrame | None,
) -> pd.DataFrame:
    items: list[tuple[str, Any]] = [
        ("scenario", scenario.settings.name),
        ("synthetic", scenario.settings.synthetic),
        ("travel_source", check.travel_source),
        ("travel_estimated", check.travel_estimated),
        ("logistics_source", plan.logistics_source),
        ("logistics_cost_eur", round(plan.logistics_cost_eur, 2)),
        ("weeks", len(plan.weeks)),
        ("first_week", plan.weeks[0].isoformat() if plan.weeks else ""),
        ("last_week", plan.weeks[-1].isoformat() if plan.weeks else ""),
        ("target_mode", check.target_mode),
        ("check_ok", check.ok),
        ("violations", len(check.violations)),
        ("macantine_definition_local", MACANTINE_DEFINITION_LOCAL),
        (
            "macantine_dates",
            "planned delivery dates; ma-cantine refuses future dates: import after delivery",
        ),
        ("macantine_kitchens_without_siret", ", ".join(no_siret)),
    ]
    if demand is not None and not demand.empty:
        items.append(("demand_kg", round(float(demand["demand_kg"].sum()), 3)))
    if scenario.settings.synthetic:
        items.append(("note", "SYNTHETIC scenario: figures are generated, not observed"))
    if check.travel_estimated:
        items.append(("note_travel", "drive times are straight-line ESTIMATES, not road routing"))
    return pd.DataFrame(items, columns=["key", "value"]).astype({"value": str})


#: Plan columns left out of the workbook's plan sheet (in the meta sheet / the CSV instead).
_XLSX_PLAN_DROP = frozenset({"travel_source", "kitchen_name", "product_id", "local"})


def _cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, tuple | list | set | frozenset):
        return ",".join(str(x) for x in v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def write_xlsx(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write DataFrames as the sheets of one workbook (openpyxl, write-only: streamed rows).

    Dates stay dates, NaN becomes an empty cell, the header row is frozen.
    """
    path = Path(path)
    wb = openpyxl.Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        ws.freeze_panes = "A2"
        ws.append([str(c) for c in df.columns])
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
    wb.save(path)
    return path


def explanations_summary(explanations: pd.DataFrame) -> pd.DataFrame:
    """Explanations per kitchen x product x reason (kg rows summed over weeks), then targets.

    The workbook shows this summary; ``explanations.csv`` keeps one row per week.
    """
    if explanations.empty:
        return explanations
    kg = explanations[explanations["kind"] == "kg"]
    targets = explanations[explanations["kind"] == "target"]
    cols = [
        "kind",
        "kitchen_id",
        "product_id",
        "reason",
        "weeks",
        "first_week",
        "last_week",
        "demand_kg",
        "local_kg",
        "not_local_kg",
        "message",
    ]
    if kg.empty:
        summary = pd.DataFrame(columns=cols)
    else:
        summary = (
            kg.groupby(["kitchen_id", "product_id", "reason"], sort=True)
            .agg(
                weeks=("week_start", "nunique"),
                first_week=("week_start", "min"),
                last_week=("week_start", "max"),
                demand_kg=("demand_kg", "sum"),
                local_kg=("local_kg", "sum"),
                not_local_kg=("not_local_kg", "sum"),
                message=("message", "first"),
            )
            .reset_index()
            .assign(kind="kg")
        )[cols]
        summary["message"] = (
            "e.g. week " + summary["first_week"].astype(str) + ": " + summary["message"].astype(str)
        )
    tcols = [
        "kind",
        "kitchen_id",
        "reason",
        "target",
        "required",
        "achieved",
        "shortfall",
        "shortfall_eur",
        "unit",
        "message",
    ]
    return pd.concat([summary, targets[tcols]], ignore_index=True)


def calendar_summary(calendars: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per kitchen x delivery day x supplier: products, kg and value delivered."""
    cols = [
        "kitchen_id",
        "delivery_date",
        "weekday",
        "supplier_id",
        "supplier_name",
        "channel",
        "local",
        "products",
        "quantity_kg",
        "value_eur",
    ]
    if not calendars:
        return pd.DataFrame(columns=cols)
    cal = pd.concat([c.assign(kitchen_id=k) for k, c in calendars.items()], ignore_index=True)
    out = (
        cal.groupby(["kitchen_id", "delivery_date", "supplier_id", "channel"], sort=True)
        .agg(
            weekday=("weekday", "first"),
            supplier_name=("supplier_name", "first"),
            local=("local", "first"),
            products=("product_name", lambda s: ", ".join(sorted(set(s)))),
            quantity_kg=("quantity_kg", "sum"),
            value_eur=("value_eur", "sum"),
        )
        .reset_index()
    )
    out["quantity_kg"] = out["quantity_kg"].round(3)
    out["value_eur"] = out["value_eur"].round(2)
    return out[cols]


def write_plan_outputs(
    folder: str | Path,
    scenario: Scenario,
    plan: PurchasePlan,
    check: PlanCheck,
    indicators: pd.DataFrame,
    explanations: pd.DataFrame,
    *,
    demand: pd.DataFrame | None = None,
    as_of: dt.date | None = None,
    xlsx: bool = True,
) -> dict[str, Path]:
    """Write every output of a plan into ``folder`` and return their paths by name.

    Files: ``purchase_plan.csv``, ``purchase_plan.xlsx`` (sheets meta, plan, indicators,
    producers, explanations -- summed per kitchen x product x reason --, violations,
    order_sheets, delivery_calendar -- one row per kitchen x day x supplier --),
    ``indicators.csv``, ``explanations.csv``, ``macantine_achats.csv`` (``as_of``: see
    :func:`write_macantine_csv`), ``check.json``, ``order_sheets/<producer_id>.csv`` and
    ``delivery_calendar/<kitchen_id>.csv`` (keys ``order_sheets/<id>`` and
    ``delivery_calendar/<id>``). ``xlsx=False`` skips the workbook, by far the slowest
    output: openpyxl writes it cell by cell (``benchmarks/plan_outputs_scale.py`` times
    each output).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    src = check.travel_source
    lines = plan_frame(scenario, plan)
    plan_tab = purchase_plan_table(scenario, plan, travel_source=src, lines=lines)
    tables = {
        "purchase_plan.csv": plan_tab,
        "indicators.csv": indicators.assign(travel_source=src),
        "explanations.csv": explanations.assign(travel_source=src),
    }
    paths: dict[str, Path] = {}
    for name, table in tables.items():
        paths[name] = out / name
        table.to_csv(paths[name], index=False)
    mc_table, no_siret = macantine_table(scenario, plan, as_of=as_of, lines=lines)
    paths["macantine_achats.csv"] = _write_macantine_rows(out / "macantine_achats.csv", mc_table)
    paths["check.json"] = _write_check_json(out / "check.json", check, xlsx=xlsx)
    sheets = order_sheets(scenario, plan, lines=lines)
    cals = delivery_calendars(scenario, plan, lines=lines)
    paths.update(_write_folder(out, "order_sheets", sheets, src))
    paths.update(_write_folder(out, "delivery_calendar", cals, src))
    if not xlsx:
        logger.info("wrote %d plan outputs to %s (no XLSX)", len(paths), out)
        return paths
    all_orders = (
        pd.concat([s.assign(producer_id=pid) for pid, s in sheets.items()], ignore_index=True).drop(
            columns=["weekday", "kitchen_commune"]
        )
        if sheets
        else pd.DataFrame()
    )
    workbook = {
        "meta": _meta(scenario, plan, check, no_siret, demand),
        "plan": plan_tab[[c for c in plan_tab.columns if c not in _XLSX_PLAN_DROP]],
        "indicators": indicators,
        "producers": producers_table(scenario, plan, lines=lines),
        "explanations": explanations_summary(explanations),
        "violations": check.violations_table(),
        "order_sheets": all_orders,
        "delivery_calendar": calendar_summary(cals),
    }
    paths["purchase_plan.xlsx"] = write_xlsx(out / "purchase_plan.xlsx", workbook)
    logger.info("wrote %d plan outputs to %s", len(paths), out)
    return paths


def _write_check_json(path: Path, check: PlanCheck, *, xlsx: bool) -> Path:
    """``check.json``: the verdict and the names of the plan's main files."""
    payload = check.to_dict()
    payload["outputs"] = sorted(
        [
            "purchase_plan.csv",
            *(["purchase_plan.xlsx"] if xlsx else []),
            "indicators.csv",
            "explanations.csv",
            "macantine_achats.csv",
        ]
    )
    path.write_text(
        json.dumps(payload, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    return path


def _write_folder(
    out: Path, folder: str, tables: Mapping[str, pd.DataFrame], travel_source: str
) -> dict[str, Path]:
    """One CSV per producer (or kitchen) in ``out/folder``, keyed ``folder/<id>``."""
    (out / folder).mkdir(exist_ok=True)
    paths: dict[str, Path] = {}
    for key, table in tables.items():
        p = out / folder / f"{key}.csv"
        table.assign(travel_source=travel_source).to_csv(p, index=False)
        paths[f"{folder}/{key}"] = p
    return paths
