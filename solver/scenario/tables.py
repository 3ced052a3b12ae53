"""The tables of a scenario folder: one CSV per kind of record, its columns, its source map.

A scenario folder holds ``settings.toml`` and one CSV per collection of
:class:`~solver.core.Scenario` (:data:`TABLES`). A table's columns are its domain model's
field names, ``id`` and ``name`` first; nested models (a platform's vans, the settings'
travel block) are not columns: vans have their own table, keyed by ``platform_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from solver.core import (
    Canteen,
    DirectDemand,
    MenuItem,
    Offer,
    Platform,
    Producer,
    Product,
    ReferenceOffer,
    Van,
)

SETTINGS_FILE = "settings.toml"

#: Fields that hold nested models, never a column.
NESTED: frozenset[str] = frozenset({"vans", "settings", "travel"})


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

#: File of each collection in a scenario folder.
FILES: dict[str, str] = {spec.collection: spec.file for spec in TABLES}


def table_columns(model: type[BaseModel]) -> list[str]:
    """Columns of ``model``'s table in file order: ``id`` and ``name`` first, nested left out."""
    names = [k for k in model.model_fields if k not in NESTED]
    first = [k for k in ("id", "name") if k in names]
    return first + [k for k in names if k not in first]


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
