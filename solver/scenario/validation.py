"""Cross-file rules of a scenario: what no single row can check on its own.

Row rules (types, ranges, enums, a window that ends before it starts, a point outside
France, an empty season) live in the domain model and are reported by
:mod:`solver.scenario.folder` and :mod:`solver.scenario.json_io` while reading. The rules
here need several records at once:

* ``not_empty``: at least one canteen and one product;
* ``duplicate_ids``: one row per id (products, producers, canteens, platforms, vans) and
  per key (offers on (producer, product), reference offers on (supplier, product,
  labels): a wholesaler's range may hold a product under several labels, direct demand
  on (canteen, week, product));
* ``unknown_references``: offers -> producer and product, menu -> product (a menu
  ingredient with no product), demand -> canteen and product, reference offer -> product;
* ``kitchen_links``: a satellite's ``kitchen_id`` names a canteen that is not itself a
  satellite;
* ``reference_supplier_links`` / ``menu_cycle_links``: named supplier and cycle exist;
* ``canteen_meals``: every canteen serves meals or gives a direct demand, and a canteen
  that eats from menus has a menu cycle to eat;
* ``menu_cycle_weeks``: a cycle's weeks are 1..N with none missing;
* ``service_days_in_menu``: a canteen eating a cycle serves on at least one menu day;
* ``reference_prices``: every product a kitchen eats has a reference price at its
  reference supplier, so the fallback exists and every plan is feasible;
* ``platform_vans``: a platform round needs a platform with a van;
* ``canteen_platform_links``: a canteen's ``platform_id`` names a platform;
* ``platform_producers``: a producer delivering via the platform needs a platform;
* ``offer_seasons``: an offer's monthly capacities stay inside its season and it has
  capacity in at least one month.

Warnings (:func:`scenario_warnings`) never block a run: a product sold by the piece or
litre without ``kg_per_unit``, a satellite with no kitchen, a service day without menu.

Locations: with a :class:`~solver.scenario.tables.SourceMap` from a folder, problems name the
CSV file and spreadsheet row; otherwise (JSON, built in code) ``file`` is the collection
name (``offers``) and ``row`` the 1-based position in its list.
"""

from __future__ import annotations

import difflib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from solver.core import Canteen, DeliveryMode, Problem, Scenario, Unit
from solver.scenario.tables import FILES, SourceMap

logger = logging.getLogger(__name__)


@dataclass
class _Context:
    """A scenario with its locator and the derived sets the rules share."""

    scenario: Scenario
    source: SourceMap | None
    van_slots: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.van_slots = [
            (pi, vi) for pi, p in enumerate(self.scenario.platforms) for vi, _ in enumerate(p.vans)
        ]

    @property
    def from_folder(self) -> bool:
        """True when locations are CSV files and rows."""
        return self.source is not None and any(
            f.endswith(".csv") for f, _ in self.source.rows.values()
        )

    def file_of(self, collection: str) -> str:
        """``products.csv`` for a folder, ``products`` otherwise."""
        return FILES[collection] if self.from_folder else collection

    def where(self, collection: str, index: int) -> tuple[str, int]:
        """(file, row) of record ``index`` of ``collection``."""
        if self.source is not None and (collection, index) in self.source.rows:
            return self.source.rows[(collection, index)]
        if collection == "vans":
            pi, vi = self.van_slots[index]
            return (f"platforms[{pi + 1}].vans", vi + 1)
        return (collection, index + 1)

    def problem(
        self, collection: str, index: int, column: str, value: object, message: str
    ) -> Problem:
        """A problem located at record ``index`` of ``collection``."""
        file, row = self.where(collection, index)
        return Problem(file, row, column, _text(value), message)

    def unbuilt(self, collection: str, column: str = "id") -> set[str]:
        """Values of ``column`` in the rows of ``collection`` that could not be built."""
        if self.source is None:
            return set()
        return {r.get(column, "") for r in self.source.unbuilt.get(collection, [])} - {""}

    # ---- derived sets

    @cached_property
    def cycles(self) -> dict[str, list[int]]:
        """Menu cycle id -> indices of its menu items."""
        out: dict[str, list[int]] = defaultdict(list)
        for i, m in enumerate(self.scenario.menu):
            out[m.cycle_id].append(i)
        return dict(out)

    @cached_property
    def demand_rows(self) -> dict[str, list[int]]:
        """Canteen id -> indices of its direct demand rows."""
        out: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.scenario.direct_demand):
            out[d.canteen_id].append(i)
        return dict(out)

    def eaten_cycle(self, canteen: Canteen) -> str | None:
        """The menu cycle a canteen eats from, or None when it gives its demand directly."""
        if canteen.meals_per_day == 0 or canteen.id in self.demand_rows:
            return None
        return canteen.menu_cycle_id or self.scenario.settings.default_menu_cycle


def _text(value: object) -> str:
    if isinstance(value, tuple | list | set | frozenset):
        return ";".join(_text(v) for v in value)
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _suggest(value: str, known: Iterable[str]) -> str:
    """`` (did you mean 'carotte'?)`` when a close id exists."""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _listing(items: Iterable[str], limit: int = 5) -> str:
    xs = sorted(set(items))
    shown = ", ".join(xs[:limit])
    return shown + (f" and {len(xs) - limit} more" if len(xs) > limit else "")


# --------------------------------------------------------------------------- rules


def not_empty(ctx: _Context) -> Iterator[Problem]:
    """A scenario has at least one canteen and one product to plan for."""
    for collection in ("canteens", "products"):
        if not getattr(ctx.scenario, collection) and not ctx.unbuilt(collection):
            file = ctx.file_of(collection)
            yield Problem(file, 0, "", "", f"no {collection.removesuffix('s')}: {file} has no row")


def duplicate_ids(ctx: _Context) -> Iterator[Problem]:
    """One row per id, and per natural key of offers, reference offers and demand."""
    s = ctx.scenario
    keyed: list[tuple[str, str, list[tuple[str, ...]], str]] = [
        ("products", "id", [(p.id,) for p in s.products], "id"),
        ("producers", "id", [(p.id,) for p in s.producers], "id"),
        ("canteens", "id", [(c.id,) for c in s.canteens], "id"),
        ("platforms", "id", [(p.id,) for p in s.platforms], "id"),
        ("vans", "id", [(v.id,) for p in s.platforms for v in p.vans], "id"),
        (
            "offers",
            "product_id",
            [(o.producer_id, o.product_id) for o in s.offers],
            "(producer_id, product_id)",
        ),
        (
            "reference_offers",
            "product_id",
            [
                (r.supplier_id, ";".join(sorted(x.value for x in r.labels)) or "none", r.product_id)
                for r in s.reference_offers
            ],
            "(supplier_id, labels, product_id)",
        ),
        (
            "direct_demand",
            "product_id",
            [(d.canteen_id, d.week_start.isoformat(), d.product_id) for d in s.direct_demand],
            "(canteen_id, week_start, product_id)",
        ),
    ]
    for collection, column, keys, what in keyed:
        first: dict[tuple[str, ...], int] = {}
        for i, key in enumerate(keys):
            if key in first:
                _, row = ctx.where(collection, first[key])
                at = f"row {row}" if row else "an earlier record"
                yield ctx.problem(
                    collection,
                    i,
                    column,
                    key[-1],
                    f"duplicate {what} {'/'.join(key)!r}: already at {at}",
                )
            else:
                first[key] = i


def unknown_references(ctx: _Context) -> Iterator[Problem]:
    """Offers, menu items, direct demand and reference offers name existing records."""
    s = ctx.scenario
    products = {p.id for p in s.products}
    producers = {p.id for p in s.producers}
    canteens = {c.id for c in s.canteens}
    refs: list[tuple[str, str, list[str], set[str], str, str]] = [
        ("offers", "producer_id", [o.producer_id for o in s.offers], producers, "producers", ""),
        ("offers", "product_id", [o.product_id for o in s.offers], products, "products", ""),
        (
            "menu",
            "product_id",
            [m.product_id for m in s.menu],
            products,
            "products",
            "a menu ingredient with no product: ",
        ),
        (
            "direct_demand",
            "canteen_id",
            [d.canteen_id for d in s.direct_demand],
            canteens,
            "canteens",
            "",
        ),
        (
            "direct_demand",
            "product_id",
            [d.product_id for d in s.direct_demand],
            products,
            "products",
            "",
        ),
        (
            "reference_offers",
            "product_id",
            [r.product_id for r in s.reference_offers],
            products,
            "products",
            "",
        ),
    ]
    for collection, column, values, known, target, prefix in refs:
        broken = ctx.unbuilt(target)
        noun = target.removesuffix("s")
        for i, value in enumerate(values):
            if value in known or value in broken:
                continue
            yield ctx.problem(
                collection,
                i,
                column,
                value,
                f"{prefix}unknown {noun} {value!r}, not in {ctx.file_of(target)}"
                + _suggest(value, known | broken),
            )


def kitchen_links(ctx: _Context) -> Iterator[Problem]:
    """A satellite's kitchen exists and is not itself a satellite of another kitchen."""
    by_id = {c.id: c for c in ctx.scenario.canteens}
    broken = ctx.unbuilt("canteens")
    for i, c in enumerate(ctx.scenario.canteens):
        k = c.kitchen_id
        if not k or k == c.id or k in broken:
            continue
        kitchen = by_id.get(k)
        if kitchen is None:
            yield ctx.problem(
                "canteens",
                i,
                "kitchen_id",
                k,
                f"unknown kitchen {k!r}, not a canteen of {ctx.file_of('canteens')}"
                + _suggest(k, by_id),
            )
        elif kitchen.kitchen_id and kitchen.kitchen_id != kitchen.id:
            yield ctx.problem(
                "canteens",
                i,
                "kitchen_id",
                k,
                f"kitchen {k!r} is itself a satellite of {kitchen.kitchen_id!r}: "
                "a satellite's kitchen must cook for itself (leave its kitchen_id empty)",
            )


def reference_supplier_links(ctx: _Context) -> Iterator[Problem]:
    """A canteen's reference supplier is a supplier of the reference offers."""
    suppliers = {r.supplier_id for r in ctx.scenario.reference_offers}
    broken = ctx.unbuilt("reference_offers", "supplier_id")
    for i, c in enumerate(ctx.scenario.canteens):
        sid = c.reference_supplier_id
        if sid and sid not in suppliers and sid not in broken:
            yield ctx.problem(
                "canteens",
                i,
                "reference_supplier_id",
                sid,
                f"unknown reference supplier {sid!r}, no such supplier_id in "
                f"{ctx.file_of('reference_offers')}" + _suggest(sid, suppliers),
            )


def menu_cycle_links(ctx: _Context) -> Iterator[Problem]:
    """A canteen's ``menu_cycle_id`` names a cycle of the menu."""
    cycles = ctx.cycles
    broken = ctx.unbuilt("menu", "cycle_id")
    for i, c in enumerate(ctx.scenario.canteens):
        cid = c.menu_cycle_id
        if cid and cid not in cycles and cid not in broken:
            yield ctx.problem(
                "canteens",
                i,
                "menu_cycle_id",
                cid,
                f"unknown menu cycle {cid!r}, no such cycle_id in {ctx.file_of('menu')}"
                + _suggest(cid, cycles),
            )


def canteen_meals(ctx: _Context) -> Iterator[Problem]:
    """Every canteen serves meals (or gives a direct demand) and has something to eat."""
    cycles = ctx.cycles
    demand = ctx.demand_rows
    default = ctx.scenario.settings.default_menu_cycle
    broken_cycles = ctx.unbuilt("menu", "cycle_id")
    for i, c in enumerate(ctx.scenario.canteens):
        if c.meals_per_day == 0 and c.id not in demand:
            yield ctx.problem(
                "canteens",
                i,
                "meals_elementaire",
                0,
                "the canteen serves no meals: meals_maternelle, meals_elementaire and "
                f"meals_adulte are all 0 and {ctx.file_of('direct_demand')} has no row for it",
            )
            continue
        cycle = ctx.eaten_cycle(c)
        if cycle is None or c.menu_cycle_id or cycle in cycles or cycle in broken_cycles:
            continue
        if not cycles:
            msg = (
                f"nothing to eat: there is no menu ({ctx.file_of('menu')} is empty or missing) "
                f"and {ctx.file_of('direct_demand')} has no row for this canteen"
            )
        else:
            msg = (
                f"the canteen eats the default menu cycle {default!r} (settings "
                f"default_menu_cycle) but the menu has only cycles {_listing(cycles)}: "
                "set menu_cycle_id"
            )
        yield ctx.problem("canteens", i, "menu_cycle_id", "", msg)


def menu_cycle_weeks(ctx: _Context) -> Iterator[Problem]:
    """The weeks of each menu cycle are 1..N with none missing."""
    menu = ctx.scenario.menu
    for cycle, idx in ctx.cycles.items():
        weeks = sorted({menu[i].week for i in idx})
        n_missing = weeks[-1] - len(weeks)  # weeks are distinct and >= 1
        if n_missing == 0:
            continue
        missing = _first_missing(weeks, _MISSING_SHOWN)
        more = f" and {n_missing - len(missing)} more" if n_missing > len(missing) else ""
        after = next(i for i in idx if menu[i].week > missing[0])
        yield ctx.problem(
            "menu",
            after,
            "week",
            menu[after].week,
            f"menu cycle {cycle!r} has weeks {', '.join(map(str, weeks))}: weeks must run "
            f"1..N with none missing (missing: {', '.join(map(str, missing))}{more})",
        )


_MISSING_SHOWN = 10


def _first_missing(weeks: list[int], limit: int) -> list[int]:
    """The first ``limit`` numbers of 1..max(weeks) absent from sorted ``weeks``.

    Walks the gaps, so a far-off week number costs nothing.
    """
    out: list[int] = []
    expected = 1
    for w in weeks:
        while expected < w and len(out) < limit:
            out.append(expected)
            expected += 1
        if len(out) >= limit:
            break
        expected = w + 1
    return out


def service_days_in_menu(ctx: _Context) -> Iterator[Problem]:
    """A canteen that eats a menu cycle serves on at least one day the cycle has a menu."""
    cycles = ctx.cycles
    menu = ctx.scenario.menu
    for i, c in enumerate(ctx.scenario.canteens):
        cycle = ctx.eaten_cycle(c)
        if cycle is None or cycle not in cycles:
            continue
        menu_days = {menu[j].weekday for j in cycles[cycle]}
        if not menu_days & set(c.service_weekdays):
            yield ctx.problem(
                "canteens",
                i,
                "service_weekdays",
                tuple(d.name.lower() for d in c.service_weekdays),
                f"none of the service days has a menu in cycle {cycle!r} "
                f"(menu days: {';'.join(d.name.lower() for d in sorted(menu_days))})",
            )


def reference_prices(ctx: _Context) -> Iterator[Problem]:
    """Every product a kitchen eats has a reference price at the kitchen's supplier."""
    s = ctx.scenario
    by_id = {c.id: c for c in s.canteens}
    products = {p.id for p in s.products}
    priced: dict[str, set[str]] = defaultdict(set)
    for r in s.reference_offers:
        priced[r.supplier_id].add(r.product_id)
    broken_priced = ctx.unbuilt("reference_offers", "product_id")
    any_priced = set().union(*priced.values()) if priced else set()
    cycles = ctx.cycles
    demand = ctx.demand_rows
    # (collection, index, product) -> kitchens that miss a price for it there
    missing: dict[tuple[str, int, str], tuple[set[str], set[str]]] = {}
    for c in s.canteens:
        kitchen = by_id.get(c.purchasing_kitchen_id)
        if kitchen is None:
            continue
        sid = kitchen.reference_supplier_id
        if sid and sid not in priced:
            continue  # unknown supplier: reported by reference_supplier_links
        have = priced[sid] if sid else any_priced
        eaten: dict[str, tuple[str, int]] = {}
        for j in demand.get(c.id, []):
            eaten.setdefault(s.direct_demand[j].product_id, ("direct_demand", j))
        cycle = ctx.eaten_cycle(c)
        for j in cycles.get(cycle, []) if cycle else []:
            eaten.setdefault(s.menu[j].product_id, ("menu", j))
        for product, (collection, j) in eaten.items():
            if product in have or product not in products or product in broken_priced:
                continue
            kitchens, suppliers = missing.setdefault((collection, j, product), (set(), set()))
            kitchens.add(kitchen.id)
            suppliers.add(sid or "any supplier")
    for (collection, j, product), (kitchens, suppliers) in sorted(missing.items()):
        yield ctx.problem(
            collection,
            j,
            "product_id",
            product,
            f"no reference price for {product!r} at {_listing(suppliers)}, yet kitchen(s) "
            f"{_listing(kitchens)} eat it: add it to {ctx.file_of('reference_offers')} so "
            "the fallback exists and every plan is feasible",
        )


def platform_vans(ctx: _Context) -> Iterator[Problem]:
    """Canteens on the platform round need a platform, and every platform a van."""
    s = ctx.scenario
    on_round = [i for i, c in enumerate(s.canteens) if c.on_platform_round]
    if not on_round:
        return
    names = _listing(s.canteens[i].id for i in on_round)
    if not s.platforms and not ctx.unbuilt("platforms"):
        yield ctx.problem(
            "canteens",
            on_round[0],
            "on_platform_round",
            True,
            f"canteen(s) {names} are on the platform round but there is no platform "
            f"({ctx.file_of('platforms')} is empty or missing)",
        )
        return
    broken_vans = ctx.unbuilt("vans", "platform_id")
    first = {p.id: i for i, p in reversed(list(enumerate(s.platforms)))}
    for i, p in enumerate(s.platforms):
        if first[p.id] != i:
            continue  # a duplicate id, reported by duplicate_ids
        if not p.vans and p.id not in broken_vans:
            yield ctx.problem(
                "platforms",
                i,
                "id",
                p.id,
                f"the platform has no van ({ctx.file_of('vans')}) but canteen(s) {names} "
                "are on its round",
            )


def canteen_platform_links(ctx: _Context) -> Iterator[Problem]:
    """A canteen's ``platform_id`` names a platform of the scenario."""
    s = ctx.scenario
    known = {p.id for p in s.platforms} | ctx.unbuilt("platforms")
    for i, c in enumerate(s.canteens):
        if c.platform_id and c.platform_id not in known:
            yield ctx.problem(
                "canteens",
                i,
                "platform_id",
                c.platform_id,
                f"unknown platform {c.platform_id!r}, not in {ctx.file_of('platforms')}"
                + _suggest(c.platform_id, known),
            )


def platform_producers(ctx: _Context) -> Iterator[Problem]:
    """A producer delivering through the platform needs a platform."""
    s = ctx.scenario
    if s.platforms or ctx.unbuilt("platforms"):
        return
    for i, p in enumerate(s.producers):
        if DeliveryMode.PLATFORM in p.delivery_modes:
            yield ctx.problem(
                "producers",
                i,
                "delivery_modes",
                p.delivery_modes,
                f"delivers via the platform but there is no platform "
                f"({ctx.file_of('platforms')} is empty or missing)",
            )


def offer_seasons(ctx: _Context) -> Iterator[Problem]:
    """Monthly capacities stay in the season, are not negative, and some month has capacity."""
    for i, o in enumerate(ctx.scenario.offers):
        out = [m for m, _ in o.capacity_by_month if m not in o.months]
        bad = [(m, c) for m, c in o.capacity_by_month if not 1 <= m <= 12 or c < 0]
        cell = ";".join(f"{m}:{c:g}" for m, c in o.capacity_by_month)
        if bad:
            yield ctx.problem(
                "offers",
                i,
                "capacity_by_month",
                cell,
                "each month:capacity pair needs a month 1..12 and a capacity >= 0",
            )
        elif out:
            yield ctx.problem(
                "offers",
                i,
                "capacity_by_month",
                cell,
                f"month(s) {', '.join(map(str, out))} lie outside the offer's season "
                f"(months {';'.join(map(str, o.months))})",
            )
        elif all(o.capacity_in_month(m) <= 0 for m in o.months):
            yield ctx.problem(
                "offers",
                i,
                "capacity_by_month",
                cell,
                "the product is offered out of any season: its weekly capacity is 0 in "
                "every month of its season",
            )


Rule = Callable[[_Context], Iterable[Problem]]

#: The cross-file rules, in the order their problems are reported.
RULES: tuple[Rule, ...] = (
    not_empty,
    duplicate_ids,
    unknown_references,
    kitchen_links,
    reference_supplier_links,
    menu_cycle_links,
    canteen_meals,
    menu_cycle_weeks,
    service_days_in_menu,
    reference_prices,
    platform_vans,
    canteen_platform_links,
    platform_producers,
    offer_seasons,
)


def validate_scenario(scenario: Scenario, source: SourceMap | None = None) -> list[Problem]:
    """Every cross-file problem of ``scenario`` (empty list = valid).

    Parameters
    ----------
    scenario
        The scenario, possibly partial (rows that failed their row rules left out).
    source
        Where each record came from (from :func:`solver.scenario.collect_scenario_folder`
        or :func:`solver.scenario.collect_scenario_json`); None for a scenario built in
        code, located by collection name and 1-based position.

    Returns
    -------
    list[Problem]
        One problem per fault, each naming file, row, column and value.
    """
    ctx = _Context(scenario, source)
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(ctx))
    return problems


# --------------------------------------------------------------------------- warnings


def products_without_mass(ctx: _Context) -> Iterator[Problem]:
    """A product bought by the piece or litre, offered or eaten, states its kg per unit."""
    s = ctx.scenario
    used = {o.product_id for o in s.offers} | {m.product_id for m in s.menu}
    used |= {d.product_id for d in s.direct_demand}
    for i, p in enumerate(s.products):
        if p.unit is not Unit.KG and "kg_per_unit" not in p.model_fields_set and p.id in used:
            yield ctx.problem(
                "products",
                i,
                "kg_per_unit",
                "",
                f"sold by {p.unit.value} but kg_per_unit is empty: 1 kg per "
                f"{p.unit.value} is assumed for loads, storage and grams served",
            )


def satellites_without_kitchen(ctx: _Context) -> Iterator[Problem]:
    """A canteen whose management is ``satellite`` names its kitchen."""
    for i, c in enumerate(ctx.scenario.canteens):
        if c.management.value == "satellite" and not c.kitchen_id:
            yield ctx.problem(
                "canteens",
                i,
                "kitchen_id",
                "",
                "management is satellite but kitchen_id is empty: it buys for itself",
            )


def service_days_without_menu(ctx: _Context) -> Iterator[Problem]:
    """Each service day of a canteen eating a cycle has a menu in that cycle."""
    cycles = ctx.cycles
    menu = ctx.scenario.menu
    for i, c in enumerate(ctx.scenario.canteens):
        cycle = ctx.eaten_cycle(c)
        if cycle is None or cycle not in cycles:
            continue
        menu_days = {menu[j].weekday for j in cycles[cycle]}
        bare = [d for d in c.service_weekdays if d not in menu_days]
        if bare and menu_days & set(c.service_weekdays):
            yield ctx.problem(
                "canteens",
                i,
                "service_weekdays",
                tuple(d.name.lower() for d in c.service_weekdays),
                f"service day(s) {';'.join(d.name.lower() for d in bare)} have no menu in "
                f"cycle {cycle!r}: no demand is counted on those days",
            )


#: Rules whose findings are reported but never block a run.
WARNING_RULES: tuple[Rule, ...] = (
    products_without_mass,
    satellites_without_kitchen,
    service_days_without_menu,
)


def scenario_warnings(scenario: Scenario, source: SourceMap | None = None) -> list[Problem]:
    """Findings worth a look that do not make ``scenario`` invalid (same locations)."""
    ctx = _Context(scenario, source)
    out: list[Problem] = []
    for rule in WARNING_RULES:
        out.extend(rule(ctx))
    return out
