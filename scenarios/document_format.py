"""Print the column tables of ``scenarios/README.md`` from the domain model.

Usage::

    uv run python scenarios/document_format.py            # print the tables
    uv run python scenarios/document_format.py --write    # refresh README.md in place

Types, allowed values, bounds and defaults come from the pydantic models of
``solver/core/domain.py`` (through ``solver.scenario.TABLES``); descriptions come from the
fields' ``description`` or, when a field has none, from :data:`FIELD_DOCS` below; examples
come from the tiny test scenario (``tests/data/scenarios/tiny``). A test checks that the
README holds exactly this output, so the documentation cannot drift from the model.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
import tomllib
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import tomli_w
from pydantic.fields import FieldInfo

from solver.core import FRANCE_LAT_RANGE, FRANCE_LON_RANGE, Settings, TravelSettings
from solver.scenario import TABLES, cell_format, is_time_column, table_columns

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
TINY = HERE.parent / "tests" / "data" / "scenarios" / "tiny"
BEGIN = "<!-- BEGIN GENERATED TABLES (scenarios/document_format.py) -->"
END = "<!-- END GENERATED TABLES -->"

#: Descriptions of fields whose model field has none ("file.column").
FIELD_DOCS: dict[str, str] = {
    # products.csv
    "products.csv.id": "Product id, referenced by offers, menu, demand and reference offers.",
    "products.csv.name": "Product name, for humans.",
    "products.csv.family": "ma-cantine product family (EGALIM statistics).",
    "products.csv.unit": "Purchase unit: prices, capacities and quantities are per unit.",
    "products.csv.storable": "Can be bought ahead and stored (dry goods, frozen).",
    "products.csv.shelf_life_days": "Days the product keeps once delivered.",
    "products.csv.cold_chain": "Cold-chain class; chilled and frozen need a refrigerated van.",
    "products.csv.raw_to_cooked_ratio": "Cooked mass / raw mass (Ecobalyse): 0.856 vegetables, "
    "2.259 pasta, 0.792 beef; 1 when served as bought.",
    "products.csv.inedible_share": "Non-edible fraction of the purchased mass (peel, bones).",
    # producers.csv
    "producers.csv.id": "Producer id, referenced by offers.",
    "producers.csv.name": "Farm name, for humans.",
    "producers.csv.labels": "Quality labels held (EGALIM characteristics); offers inherit them.",
    "producers.csv.delivery_modes": "How goods reach kitchens.",
    "producers.csv.delivery_weekdays": "Days the producer can deliver or be picked up.",
    "producers.csv.pickup_start_min": "Earliest pickup / departure time.",
    "producers.csv.pickup_end_min": "Latest pickup time; must be after the start.",
    # offers.csv
    "offers.csv.producer_id": "The producer (an id of producers.csv).",
    "offers.csv.product_id": "The product (an id of products.csv); one row per "
    "(producer_id, product_id).",
    # canteens.csv
    "canteens.csv.id": "Canteen id, referenced by demand and by satellites' kitchen_id.",
    "canteens.csv.name": "Canteen name, for humans.",
    "canteens.csv.management": "How the canteen is run; satellites name their kitchen_id.",
    "canteens.csv.service_weekdays": "Days meals are served (the 4-day week: mon;tue;thu;fri).",
    "canteens.csv.school_zone": "French school-holiday zone (04/05: B, 26: A).",
    "canteens.csv.delivery_weekdays": "Days the kitchen accepts deliveries.",
    "canteens.csv.receiving_start_min": "Receiving window opens.",
    "canteens.csv.receiving_end_min": "Receiving window closes; must be after it opens.",
    "canteens.csv.storage_chilled_kg": "Cold-room capacity.",
    "canteens.csv.storage_ambient_kg": "Dry-store capacity.",
    "canteens.csv.budget_eur_per_meal": "Food budget per meal, EUR excl. VAT.",
    "canteens.csv.target_egalim_pct": "EGALIM share target (law: 50 %), % of food purchases.",
    "canteens.csv.target_bio_pct": "Organic share target (law: 20 %).",
    "canteens.csv.target_meat_fish_egalim_pct": "EGALIM share of meat and fish (law: 60 %).",
    "canteens.csv.target_local_pct": "Local share target.",
    "canteens.csv.max_deliveries_per_week": "Max distinct deliveries the kitchen accepts a week.",
    "canteens.csv.on_platform_round": "Delivered by the platform's van round.",
    "canteens.csv.reference_supplier_id": "Usual wholesaler (a supplier_id of "
    "reference_offers.csv); empty = any reference supplier.",
    # menu.csv
    "menu.csv.cycle_id": "Menu cycle id; canteens name it in menu_cycle_id.",
    "menu.csv.weekday": "Day of the menu.",
    "menu.csv.dish": "Dish the ingredient belongs to.",
    "menu.csv.product_id": "Ingredient (an id of products.csv).",
    "menu.csv.served_g_maternelle": "Served (cooked) grams per portion, maternelle.",
    "menu.csv.served_g_elementaire": "Served (cooked) grams per portion, élémentaire.",
    "menu.csv.served_g_adulte": "Served (cooked) grams per portion, adult.",
    "menu.csv.vegetarian": "The dish is part of a vegetarian meal.",
    # demand.csv
    "demand.csv.canteen_id": "The canteen (an id of canteens.csv).",
    "demand.csv.product_id": "The product (an id of products.csv).",
    # reference_offers.csv
    "reference_offers.csv.supplier_id": "Wholesaler id; canteens name it in reference_supplier_id.",
    "reference_offers.csv.supplier_name": "Wholesaler name, for humans.",
    "reference_offers.csv.product_id": "The product (an id of products.csv).",
    "reference_offers.csv.price_eur_per_unit": "Conventional price, EUR excl. VAT per "
    "purchase unit.",
    "reference_offers.csv.labels": "Labels of the wholesaler's product (none = no label).",
    # platforms.csv
    "platforms.csv.id": "Platform id; vans.csv names it in platform_id.",
    "platforms.csv.name": "Platform name, for humans.",
    "platforms.csv.round_weekdays": "Days the van round runs.",
    "platforms.csv.margin_pct": "Margin the platform adds to producer prices.",
    # vans.csv
    "vans.csv.platform_id": "The platform owning the van (an id of platforms.csv).",
    "vans.csv.id": "Van id, unique over all platforms.",
    "vans.csv.capacity_kg": "Payload.",
    "vans.csv.refrigerated": "Can carry chilled and frozen goods.",
    "vans.csv.cost_eur_per_km": "Running cost per km.",
    "vans.csv.cost_eur_per_hour": "Driver cost per hour.",
    "vans.csv.co2_kg_per_km": "CO2 emitted per km.",
    "vans.csv.shift_start_min": "Earliest departure from the depot.",
    "vans.csv.shift_end_min": "Latest return to the depot.",
    "vans.csv.max_shift_min": "Max shift duration, minutes.",
    # settings.toml
    "settings.toml.name": "Scenario name.",
    "settings.toml.description": "One-line description.",
    "settings.toml.start_date": "First Monday of the horizon.",
    "settings.toml.horizon_weeks": "Weeks planned.",
    "settings.toml.radius_min": "Default eligibility radius (drive), minutes.",
    "settings.toml.objective": "What the sourcing model optimises.",
    "settings.toml.target_mode": "EGALIM targets and budget as penalised goals or hard limits.",
    "settings.toml.time_limit_s": "Solver time limit, seconds.",
    "settings.toml.seed": "Random seed of the solvers.",
    "settings.toml.default_menu_cycle": "Cycle eaten by canteens with an empty menu_cycle_id.",
}

_UNITS = (
    ("_eur_per_unit", "EUR / unit"),
    ("_eur_per_meal", "EUR / meal"),
    ("_eur_per_km", "EUR / km"),
    ("_eur_per_hour", "EUR / h"),
    ("_eur_per_kg", "EUR / kg"),
    ("_kg_per_km", "kg / km"),
    ("_s_per_kg", "s / kg"),
    ("kg_per_unit", "kg / unit"),
    ("_eur", "EUR"),
    ("_kg", "kg"),
    ("_pct", "%"),
    ("_min", "minutes"),
    ("_s", "seconds"),
    ("_days", "days"),
    ("_kmh", "km/h"),
)


def unit_of(name: str) -> str:
    """Unit of a column, from its name (``capacity_kg`` -> kg)."""
    if is_time_column(name):
        return "time of day"
    if name in ("lat", "lon"):
        return "degrees (WGS84)"
    if name.startswith("served_g_"):
        return "g / portion"
    if name in ("weekly_capacity", "quantity", "min_lot"):
        return "units (of the product)"
    if name == "circuity":
        return "ratio"
    for suffix, unit in _UNITS:
        if name.endswith(suffix):
            return unit
    return ""


def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _values(enum: type[Enum]) -> str:
    return ", ".join(m.name.lower() if isinstance(m.value, int) else str(m.value) for m in enum)


def type_of(name: str, info: FieldInfo) -> str:
    """Human type of a column: allowed values, list, bounds."""
    if name in ("months", "open_months"):
        return "months 1..12, ranges allowed (`1-3;9-12`; `11-2` wraps: November to February)"
    if name == "capacity_by_month":
        return "list of `month:capacity` (`11:40;12:30`)"
    if is_time_column(name):
        return "`HH:MM` (or minutes since midnight)"
    tp = _strip(info.annotation)
    optional = False
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        optional, tp = True, _strip(args[0])
    if typing.get_origin(tp) is tuple:
        inner = _strip(typing.get_args(tp)[0])
        text = (
            f"list of: {_values(inner)}"
            if isinstance(inner, type) and issubclass(inner, Enum)
            else "list"
        )
    elif isinstance(tp, type) and issubclass(tp, Enum):
        text = f"one of: {_values(tp)}"
    elif tp is bool:
        text = "yes / no"
    elif tp is int:
        text = "integer"
    elif tp is float:
        text = "number"
    elif tp is dt.date:
        text = "date `YYYY-MM-DD`"
    elif name == "siret":
        return "14 digits"
    elif _is_id(info):
        return "id (letters, digits, `_` `.` `-`)"
    else:
        text = "text"
    if name in ("lat", "lon"):
        lo, hi = FRANCE_LAT_RANGE if name == "lat" else FRANCE_LON_RANGE
        return f"{text}, inside France: {lo}..{hi}"
    bounds = _bounds(info)
    if bounds:
        text += f", {bounds}"
    if optional and tp is float:
        text += " or empty"
    return text


def _is_id(info: FieldInfo) -> bool:
    return any("A-Za-z" in str(getattr(m, "pattern", "") or "") for m in info.metadata)


def _bounds(info: FieldInfo) -> str:
    parts: list[str] = []
    for m in info.metadata:
        for attr, sym in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{sym} {cell_format('', v)}")
    return " and ".join(parts)


def default_of(name: str, info: FieldInfo) -> str:
    """Default of a column, or *required*."""
    if info.is_required():
        return "**required**"
    value = info.get_default(call_default_factory=True)
    if name == "labels" and value is None:
        return "(producer's labels)"
    text = cell_format(name, value)
    return f"`{text}`" if text else "(empty)"


def tiny_examples(file: str) -> dict[str, str]:
    """First non-empty cell of each column in the tiny scenario's ``file``."""
    path = TINY / file
    out: dict[str, str] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for k, v in row.items():
                if v and k not in out:
                    out[k] = v
    return out


def _cell(text: str) -> str:
    return re.sub(r"<([A-Za-z][^>]*)>", r"&lt;\1&gt;", text.replace("|", "\\|"))


def _table(file: str, fields: dict[str, FieldInfo], extra: dict[str, str]) -> list[str]:
    examples = tiny_examples(file)
    lines = [
        f"#### `{file}`",
        "",
        "| column | type / allowed values | unit | default | description | example |",
        "|---|---|---|---|---|---|",
    ]
    for name, text in extra.items():
        ex = examples.get(name, "")
        ex = f"`{ex}`" if ex else ""
        lines.append(f"| `{name}` | id | | **required** | {_cell(text)} | {_cell(ex)} |")
    for name, info in fields.items():
        doc = info.description or FIELD_DOCS.get(f"{file}.{name}", "")
        ex = examples.get(name, "")
        lines.append(
            f"| `{name}` | {_cell(type_of(name, info))} | {unit_of(name)} | "
            f"{_cell(default_of(name, info))} | {_cell(doc)} | {_cell(f'`{ex}`' if ex else '')} |"
        )
    return [*lines, ""]


def _settings_fields() -> dict[str, FieldInfo]:
    fields = {k: v for k, v in Settings.model_fields.items() if k != "travel"}
    fields |= {f"travel.{k}": v for k, v in TravelSettings.model_fields.items()}
    return fields


def _toml(value: Any) -> str:
    """A value as written in TOML (``"tiny"``, ``true``, ``2025-09-01``)."""
    if isinstance(value, Enum):
        value = value.value
    return tomli_w.dumps({"k": value}).strip().removeprefix("k = ")


def _settings_examples() -> dict[str, str]:
    path = TINY / "settings.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: _toml(v) for k, v in data.items() if not isinstance(v, dict)}


def tables() -> str:
    """The generated markdown: one table per file, then settings.toml."""
    lines: list[str] = []
    for spec in TABLES:
        fields = {k: spec.model.model_fields[k] for k in table_columns(spec.model)}
        extra = {c: FIELD_DOCS[f"{spec.file}.{c}"] for c in spec.extra_columns}
        lines += _table(spec.file, fields, extra)
    examples = _settings_examples()
    lines += [
        "#### `settings.toml`",
        "",
        "| key | type / allowed values | unit | default | description | example |",
        "|---|---|---|---|---|---|",
    ]
    for name, info in _settings_fields().items():
        doc = info.description or FIELD_DOCS.get(f"settings.toml.{name}", "")
        ex = examples.get(name, "")
        kind = type_of(name.split(".")[-1], info).replace("yes / no", "true / false")
        kind = kind.replace("date `YYYY-MM-DD`", "TOML date `YYYY-MM-DD`")
        kind = kind if not kind.startswith(("one of", "text")) else f"{kind} (quoted)"
        default = _toml(info.get_default(call_default_factory=True))
        lines.append(
            f"| `{name}` | {_cell(kind)} | "
            f"{unit_of(name.split('.')[-1])} | {_cell(f'`{default}`')} | "
            f"{_cell(doc)} | {_cell(f'`{ex}`' if ex else '')} |"
        )
    return "\n".join(lines).rstrip() + "\n"


def undocumented() -> list[str]:
    """``file.column`` of every column with no description anywhere (should be empty)."""
    out = []
    for spec in TABLES:
        for name, info in spec.model.model_fields.items():
            if (
                name not in ("vans",)
                and not info.description
                and (f"{spec.file}.{name}" not in FIELD_DOCS)
            ):
                out.append(f"{spec.file}.{name}")
    for name, info in _settings_fields().items():
        if not info.description and f"settings.toml.{name}" not in FIELD_DOCS:
            out.append(f"settings.toml.{name}")
    return out


def refreshed_readme(text: str) -> str:
    """README text with the generated block replaced by :func:`tables`."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{tables()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    """Print the tables, or rewrite README.md with ``--write``."""
    if "--write" in argv:
        README.write_text(refreshed_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    print(tables(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
