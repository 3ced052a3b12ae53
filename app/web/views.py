"""What each page shows, built from a job's JSON result: plain dicts for the templates.

Nothing here solves or reads files: a result (the API's JSON, :mod:`app.tasks`) and the
names of the scenario's places and products go in, tables, gauges, chart series and map
layers come out, already worded by :class:`app.web.i18n.Words`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.web.i18n import Words
from solver.core import Scenario, school_year_weeks, week_starts

#: Colours of the map's routes (readable on white; same order as the round sheets).
ROUTE_COLOURS = ("#1f5fa8", "#b3261e", "#2e7d32", "#6a3d9a", "#a65c00", "#00707a")
#: Wholesaler channel of a purchase line.
REFERENCE = "reference"
#: Row of the territory in an indicators table.
TERRITORY = "TERRITORY"


@dataclass(frozen=True)
class Place:
    """A producer, canteen, platform depot or wholesaler, as the pages name it."""

    id: str
    name: str
    kind: str
    commune: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass
class Names:
    """Names of a scenario's places and products (ids in results become words)."""

    products: dict[str, tuple[str, str]] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    synthetic: bool = False

    def product(self, pid: str | None) -> str:
        """Name of a product."""
        return self.products.get(pid or "", (pid or "", ""))[0]

    def unit(self, pid: str | None) -> str:
        """Purchase unit of a product (kg, L, piece)."""
        return self.products.get(pid or "", ("", "kg"))[1] or "kg"

    def place(self, pid: str | None) -> str:
        """Name of a place."""
        p = self.places.get(pid or "")
        return p.name if p is not None else (pid or "")


def names_of(scenario: Scenario) -> Names:
    """The names of everything in ``scenario``."""
    out = Names(synthetic=scenario.settings.synthetic)
    for pr in scenario.products:
        out.products[pr.id] = (pr.name, pr.unit.value)
    for p in scenario.producers:
        out.places[p.id] = Place(p.id, p.name, "farm", p.commune, p.lat, p.lon)
    for c in scenario.canteens:
        out.places[c.id] = Place(c.id, c.name, "kitchen", c.commune, c.lat, c.lon)
    for pl in scenario.platforms:
        out.places[pl.id] = Place(pl.id, pl.name, "depot", pl.commune, pl.lat, pl.lon)
    for r in scenario.reference_offers:
        if r.supplier_id not in out.places:
            out.places[r.supplier_id] = Place(r.supplier_id, r.supplier_name, "wholesaler")
    return out


# --------------------------------------------------------------------------- provenance


def provenance(t: Words, *, synthetic: bool, estimated: bool, travel_source: str = "") -> list[str]:
    """Banners saying which figures are synthetic and which drive times are estimated."""
    out = []
    if synthetic:
        out.append(
            t(
                "Données de démonstration : les producteurs, prix, capacités et menus sont "
                "synthétiques (inventés de façon réaliste), pas ceux de vrais producteurs."
            )
        )
    if estimated:
        out.append(
            t(
                "Temps de trajet estimés à vol d'oiseau (corrigés d'un détour moyen), "
                "pas calculés sur le réseau routier."
            )
            + (f" ({travel_source})" if travel_source else "")
        )
    return out


# --------------------------------------------------------------------------- gauges


@dataclass(frozen=True)
class Gauge:
    """A share against its target: the bar, the target line and the words."""

    label: str
    value: float
    target: float | None
    met: bool
    text: str
    fill_pct: float
    target_pct: float | None
    aria: str


#: Shares of a kitchen with their target column and label.
SHARES = (
    ("egalim_pct", "target_egalim_pct", "EGALIM (qualité et durable)"),
    ("bio_pct", "target_bio_pct", "Bio"),
    ("meat_fish_egalim_pct", "target_meat_fish_egalim_pct", "Viandes et poissons EGALIM"),
    ("local_pct", "target_local_pct", "Local"),
)


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def share_gauges(t: Words, row: Mapping[str, Any]) -> list[Gauge]:
    """EGALIM, organic, meat-and-fish and local shares of purchases against the targets."""
    out = []
    for col, target_col, label in SHARES:
        value = _f(row.get(col)) or 0.0
        target = _f(row.get(target_col))
        met = target is None or value + 1e-6 >= target
        words = t("{value} des achats", value=t.pct(value))
        if target is not None:
            words += " — " + t("objectif {target}", target=t.pct(target, 0))
            if not met:
                words += " — " + t("manque {gap} points", gap=t.num(target - value, 1))
            else:
                words += " — " + t("atteint")
        out.append(
            Gauge(
                label=t(label),
                value=value,
                target=target,
                met=met,
                text=words,
                fill_pct=max(0.0, min(100.0, value)),
                target_pct=target,
                aria=f"{t(label)} : {words}",
            )
        )
    return out


def cost_gauge(t: Words, row: Mapping[str, Any]) -> Gauge:
    """Food cost per meal against the budget (the bar's scale reaches 1.25 x the larger)."""
    cost = _f(row.get("cost_per_meal_eur")) or 0.0
    budget = _f(row.get("budget_eur_per_meal"))
    scale = max(cost, budget or 0.0) * 1.25 or 1.0
    met = budget is None or cost <= budget * 1.005
    words = t("{cost} par repas", cost=t.eur(cost))
    if budget is not None:
        words += " — " + t("budget {budget}", budget=t.eur(budget))
        words += " — " + (t("dans le budget") if met else t("au-dessus du budget"))
    label = t("Coût des denrées par repas")
    return Gauge(
        label=label,
        value=cost,
        target=budget,
        met=met,
        text=words,
        fill_pct=100.0 * cost / scale,
        target_pct=None if budget is None else 100.0 * budget / scale,
        aria=f"{label} : {words}",
    )


# --------------------------------------------------------------------------- purchases


def _qty(t: Words, x: Any) -> str:
    """A purchase quantity: one decimal, two below 1 (a few grams of herbs still show)."""
    q = _f(x) or 0.0
    return t.num(q, 2 if abs(q) < 1 else 1)


def _labels(labels: Iterable[str]) -> str:
    return ", ".join(labels)


def purchase_weeks(
    t: Words, names: Names, lines: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Purchases per week, then per supplier (local producers first, the wholesaler last)."""
    by_week: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for ln in lines:
        if (_f(ln.get("quantity")) or 0.0) <= 1e-9:
            continue
        by_week[str(ln["week_start"])][str(ln["supplier_id"])].append(ln)
    weeks = []
    for week in sorted(by_week):
        suppliers: list[dict[str, Any]] = []
        for sid, rows in by_week[week].items():
            value = sum(_f(r.get("value_eur")) or 0.0 for r in rows)
            channel = str(rows[0].get("channel", ""))
            suppliers.append(
                {
                    "id": sid,
                    "name": str(rows[0].get("supplier_name") or names.place(sid)),
                    "channel": t.channel(channel),
                    "local": bool(rows[0].get("local")),
                    "value": value,
                    "value_text": t.eur(value),
                    "lines": [
                        {
                            "product": names.product(r.get("product_id")),
                            "quantity": _qty(t, r.get("quantity")),
                            "unit": names.unit(r.get("product_id")),
                            "price": t.eur(r.get("unit_price_eur")),
                            "value": t.eur(r.get("value_eur")),
                            "labels": _labels(r.get("labels") or []),
                            "day": t.weekday(str(r.get("delivery_date") or "")),
                        }
                        for r in sorted(rows, key=lambda r: names.product(r.get("product_id")))
                    ],
                }
            )
        suppliers.sort(key=lambda s: (s["channel"] == t.channel(REFERENCE), -s["value"]))
        total = sum(s["value"] for s in suppliers)
        local = sum(s["value"] for s in suppliers if s["local"])
        weeks.append(
            {
                "week": week,
                "title": t.week(week),
                "suppliers": suppliers,
                "total": t.eur(total),
                "local_share": t.pct(100.0 * local / total if total else 0.0),
            }
        )
    return weeks


def reasons_summary(t: Words, explanations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Kg not bought locally per reason, with the number of products, largest first."""
    kg: dict[str, float] = defaultdict(float)
    products: dict[str, set[str]] = defaultdict(set)
    for e in explanations:
        if e.get("kind") != "kg":
            continue
        code = str(e.get("reason"))
        kg[code] += _f(e.get("not_local_kg")) or 0.0
        products[code].add(str(e.get("product_id")))
    return [
        {
            "reason": t.sourcing_reason(code),
            "kg": t.kg(kg[code], 0),
            "products": len(products[code]),
        }
        for code in sorted(kg, key=lambda c: -kg[c])
    ]


def not_local(
    t: Words,
    names: Names,
    explanations: Sequence[Mapping[str, Any]],
    weeks: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """What could not be bought locally, per product and reason, largest first."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for e in explanations:
        if e.get("kind") != "kg":
            continue
        key = (str(e.get("product_id")), str(e.get("reason")))
        g = groups.setdefault(
            key, {"kg": 0.0, "weeks": set(), "details": [], "reason": key[1], "product": key[0]}
        )
        g["kg"] += _f(e.get("not_local_kg")) or 0.0
        g["weeks"].add(str(e.get("week_start")))
        message = str(e.get("message") or "")
        if message and message not in g["details"]:
            g["details"].append(message)
    out = []
    for g in sorted(groups.values(), key=lambda g: -g["kg"]):
        mine = sorted(g["weeks"])
        every = len(weeks) > 1 and set(mine) >= set(weeks)
        out.append(
            {
                "product": names.product(g["product"]),
                "kg": t.kg(g["kg"]),
                "weeks": t("toutes") if every else ", ".join(t.date(w, year=False) for w in mine),
                "reason": t.sourcing_reason(g["reason"]),
                "code": g["reason"],
                "details": g["details"][:3],
            }
        )
    return out


#: Target names of the explanations and indicators.
TARGETS = {
    "egalim": "EGALIM",
    "egalim_pct": "EGALIM",
    "bio": "Bio",
    "bio_pct": "Bio",
    "meat_fish_egalim": "Viandes et poissons EGALIM",
    "meat_fish_egalim_pct": "Viandes et poissons EGALIM",
    "local": "Local",
    "local_pct": "Local",
    "budget": "Budget par repas",
}


def missed_targets(
    t: Words, explanations: Sequence[Mapping[str, Any]], kitchen: str | None = None
) -> list[dict[str, Any]]:
    """Targets a kitchen misses (by more than a rounding), with the euros it would take."""
    out = []
    for e in explanations:
        if e.get("kind") != "target" or (kitchen is not None and e.get("kitchen_id") != kitchen):
            continue
        if (_f(e.get("shortfall")) or 0.0) < 0.05:
            continue
        name = str(e.get("target") or "")
        unit = str(e.get("unit") or "")
        fmt = t.pct if unit == "%" else t.eur
        out.append(
            {
                "target": t(TARGETS.get(name, name)),
                "achieved": fmt(e.get("achieved")),
                "required": fmt(e.get("required")),
                "shortfall": fmt(e.get("shortfall")),
                "eur": t.eur(e.get("shortfall_eur"), 0),
                "detail": str(e.get("message") or ""),
            }
        )
    return out


def kitchen_row(result: Mapping[str, Any], kitchen: str | None = None) -> dict[str, Any]:
    """The indicators row of one kitchen (the first kitchen when not given)."""
    rows = [r for r in result.get("indicators") or [] if r.get("kitchen_id") != TERRITORY]
    for r in rows:
        if kitchen is None or r.get("kitchen_id") == kitchen:
            return dict(r)
    return {}


def territory_row(result: Mapping[str, Any]) -> dict[str, Any]:
    """The territory's indicators row."""
    for r in result.get("indicators") or []:
        if r.get("kitchen_id") == TERRITORY:
            return dict(r)
    return {}


def proposal_view(t: Words, names: Names, result: Mapping[str, Any]) -> dict[str, Any]:
    """The cook's proposal: gauges, purchases per week and producer, what is not local."""
    kitchens = list(result.get("kitchens") or [])
    kitchen = kitchens[0] if kitchens else None
    row = kitchen_row(result, kitchen)
    weeks = list(result.get("weeks") or [])
    explanations = list(result.get("explanations") or [])
    local_suppliers = {
        str(ln["supplier_id"])
        for ln in result.get("purchase_plan") or []
        if ln.get("channel") != REFERENCE and (_f(ln.get("quantity")) or 0) > 0
    }
    return {
        "kitchen": kitchen,
        "kitchen_name": names.place(kitchen),
        "period": t(
            "{n} semaine(s) à partir du {date}",
            n=len(weeks),
            date=t.date(weeks[0]) if weeks else "",
        ),
        "gauges": share_gauges(t, row),
        "cost": cost_gauge(t, row),
        "meals": t.num(row.get("meals")),
        "total": t.eur(row.get("total_value_eur")),
        "producers": len(local_suppliers),
        "local_value": t.eur(row.get("local_value_eur")),
        "deliveries": t.num(row.get("deliveries_per_week"), 1),
        "weeks": purchase_weeks(t, names, list(result.get("purchase_plan") or [])),
        "not_local": not_local(t, names, explanations, weeks),
        "targets": missed_targets(t, explanations, kitchen),
        "reasons": reasons_summary(t, explanations),
        "checked": bool((result.get("check") or {}).get("ok")),
        "status": str(result.get("status") or ""),
        "banners": provenance(
            t,
            synthetic=bool(result.get("synthetic_scenario", names.synthetic)),
            estimated=bool(result.get("travel_estimated")),
        ),
    }


def order_sheets(
    t: Words, names: Names, lines: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One sheet per local producer: what to prepare, for which day and kitchen."""
    by_supplier: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for ln in lines:
        if ln.get("channel") == REFERENCE or (_f(ln.get("quantity")) or 0.0) <= 1e-9:
            continue
        by_supplier[str(ln["supplier_id"])].append(ln)
    sheets = []
    for sid, rows in sorted(by_supplier.items(), key=lambda kv: names.place(kv[0])):
        rows = sorted(
            rows,
            key=lambda r: (str(r.get("delivery_date") or r.get("week_start")), r["product_id"]),
        )
        value = sum(_f(r.get("value_eur")) or 0.0 for r in rows)
        sheets.append(
            {
                "supplier": str(rows[0].get("supplier_name") or names.place(sid)),
                "channel": t.channel(str(rows[0].get("channel"))),
                "total": t.eur(value),
                "rows": [
                    {
                        "day": t.weekday(str(r.get("delivery_date") or r.get("week_start"))),
                        "kitchen": names.place(r.get("kitchen_id")),
                        "product": names.product(r.get("product_id")),
                        "quantity": _qty(t, r.get("quantity")),
                        "unit": names.unit(r.get("product_id")),
                        "price": t.eur(r.get("unit_price_eur")),
                        "value": t.eur(r.get("value_eur")),
                    }
                    for r in rows
                ],
            }
        )
    return sheets


# --------------------------------------------------------------------------- rounds


def _day_words(t: Words, day: str) -> str:
    return t.weekday(day) if day else ""


def _stops_of_route(
    t: Words, names: Names, route: Mapping[str, Any], seq_base: int = 0
) -> list[dict[str, Any]]:
    out = []
    previous = 0.0
    for n, st in enumerate(route.get("steps") or []):
        load = (st.get("load") or [0.0])[0]
        moved = abs(float(load) - previous)
        previous = float(load)
        site = str(st.get("site"))
        place = names.places.get(site)
        out.append(
            {
                "n": n + seq_base,
                "arrival": t.hhmm(st.get("arrival")),
                "site": names.place(site),
                "commune": _commune(place),
                "kind": place.kind if place else "",
                "action": t.action(str(st.get("type"))),
                "type": str(st.get("type")),
                "orders": len(st.get("orders") or []),
                "moved": t.kg(moved) if st.get("type") in ("pickup", "delivery") else "",
                "load": t.kg(load),
                "km": t.num((st.get("distance") or 0) / 1000, 1),
            }
        )
    return out


def _short(name: str) -> str:
    """A place's name without its parenthesised detail (chart labels)."""
    return name.split(" (")[0]


def _label(p: Place) -> str:
    """A map label: the commune of a farm or kitchen, the short name of the depot."""
    if p.kind in ("farm", "kitchen") and p.commune:
        return p.commune
    return _short(p.name)


def _commune_of(names: Names, pid: str) -> str:
    """The commune of a place (its short name when it has none)."""
    p = names.places.get(pid)
    if p is None:
        return pid
    return p.commune or _short(p.name)


def _commune(p: Place | None) -> str:
    """The commune, when the place's name does not already say it."""
    if p is None or not p.commune or p.commune in p.name:
        return ""
    return p.commune


def rounds_map(names: Names, rounds: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet layers of the rounds: one line per route, one marker per stop with its numbers."""
    routes = []
    stops: dict[str, dict[str, Any]] = {}
    for i, route in enumerate(rounds.get("routes") or []):
        colour = ROUTE_COLOURS[i % len(ROUTE_COLOURS)]
        coords = []
        for n, st in enumerate(route.get("steps") or []):
            site = str(st.get("site"))
            p = names.places.get(site)
            if p is None or p.lat is None or p.lon is None:
                continue
            coords.append([p.lat, p.lon])
            stop = stops.setdefault(
                site,
                {
                    "lat": p.lat,
                    "lon": p.lon,
                    "kind": p.kind,
                    "name": p.name,
                    "label": _label(p),
                    "numbers": [],
                },
            )
            if st.get("type") not in ("start", "end"):
                stop["numbers"].append(n)
        routes.append(
            {
                "colour": colour,
                "coords": coords,
                "label": f"{route.get('vehicle')} {route.get('day')}",
            }
        )
    return {"routes": routes, "stops": list(stops.values())}


def _order_info(request: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Pickup, delivery and kg of each order of a rounds request (uploaded orders)."""
    problem = (request or {}).get("problem") or {}
    return {
        str(s.get("id")): {
            "from": (s.get("pickup") or {}).get("site"),
            "to": (s.get("delivery") or {}).get("site"),
            "kg": s.get("amount_kg"),
        }
        for s in problem.get("shipments") or []
    }


def rounds_view(
    t: Words,
    names: Names,
    rounds: Mapping[str, Any],
    *,
    request: Mapping[str, Any] | None = None,
    synthetic: bool = False,
) -> dict[str, Any]:
    """The platform's rounds: summary, a table per van and day, unserved orders, the map."""
    s = rounds.get("summary") or {}
    info = _order_info(request)
    vans = []
    for i, route in enumerate(rounds.get("routes") or []):
        vans.append(
            {
                "van": str(route.get("vehicle")),
                "day": _day_words(t, str(route.get("day") or "")),
                "colour": ROUTE_COLOURS[i % len(ROUTE_COLOURS)],
                "km": t.num((route.get("distance") or 0) / 1000, 1),
                "hours": t.num((route.get("duration") or 0) / 3600, 1),
                "kg": t.kg(route.get("kg_delivered")),
                "stops": _stops_of_route(t, names, route),
            }
        )
    unserved = []
    for u in rounds.get("unassigned") or []:
        oid = str(u.get("id"))
        reasons = u.get("reasons") or [{}]
        order = info.get(oid, {})
        unserved.append(
            {
                "id": oid,
                "from": names.place(order.get("from")) if order else "",
                "to": names.place(order.get("to")) if order else "",
                "kg": t.kg(order.get("kg")) if order else "",
                "reason": t.rounds_reason(str(reasons[0].get("code") or "")),
                "detail": str(reasons[0].get("detail") or ""),
            }
        )
    return {
        "summary": {
            "routes": s.get("routes", 0),
            "km": t.num(s.get("distance_km"), 0),
            "hours": t.num(s.get("hours"), 1),
            "cost": t.eur(s.get("cost_eur"), 0),
            "co2": t.num(s.get("co2_kg"), 0),
            "kg": t.kg(s.get("kg_delivered"), 0),
            "served": s.get("orders_served", 0),
            "unserved": s.get("unassigned", 0),
        },
        "vans": vans,
        "unserved": unserved,
        "map": rounds_map(names, rounds),
        "checked": bool((rounds.get("check") or {}).get("ok")),
        "banners": provenance(t, synthetic=synthetic, estimated=bool(rounds.get("estimated"))),
        "co2_note": t(
            "CO2 : km × 0,25 kg par km, une hypothèse pour une camionnette diesel, pas une mesure."
        ),
    }


# --------------------------------------------------------------------------- pooling


def _member_shares(
    t: Words, names: Names, result: Mapping[str, Any], members: Sequence[str]
) -> list[dict[str, Any]]:
    """Each member's revenue and share of the group's revenue, largest first."""
    revenue = {str(k): float(v) for k, v in (result.get("revenue_eur_by_member") or {}).items()}
    total = sum(revenue.values())
    shares: list[dict[str, Any]] = [
        {
            "name": names.place(m),
            "revenue": t.eur(revenue.get(m, 0.0), 0),
            "share": t.pct(100.0 * revenue.get(m, 0.0) / total if total else 0.0, 0),
            "share_value": 100.0 * revenue.get(m, 0.0) / total if total else 0.0,
        }
        for m in dict.fromkeys([*members, *revenue])
    ]
    shares.sort(key=lambda s: -float(s["share_value"]))
    return shares


def _order_words(t: Words, names: Names, order: Mapping[str, Any]) -> str:
    """The order in words: "40 kg de carottes, le mardi et jeudi"."""
    items = list(order.get("products") or [])
    day_words = [t.weekday(str(d)) for d in order.get("delivery_weekdays") or []]
    days = (
        t("{a} et {b}", a=", ".join(day_words[:-1]), b=day_words[-1])
        if len(day_words) > 1
        else "".join(day_words)
    )
    what = ", ".join(
        t(
            "{qty} {unit} de {product}",
            qty=t.num(p.get("qty_per_delivery"), 0),
            unit=names.unit(p.get("product")),
            product=names.product(p.get("product")).lower(),
        )
        for p in items
    )
    return t("{what}, le {days}", what=what, days=days)


def _pooling_verdict(t: Words, result: Mapping[str, Any], unit: str) -> str:
    """Yes, or no with the weeks short and the quantity missing."""
    weeks = list(result.get("weeks") or [])
    if result.get("feasible"):
        return t("Oui : le groupe peut honorer la commande, toutes les semaines.")
    missing = sum(
        max(0.0, (_f(w.get("demand_qty")) or 0) - (_f(w.get("allocated_qty")) or 0)) for w in weeks
    )
    return t(
        "Non : {short} semaine(s) sur {n} en manque, {kg} {unit} manquants en tout.",
        short=sum(1 for w in weeks if not w.get("feasible")),
        n=len(weeks),
        kg=t.num(missing, 0),
        unit=unit,
    )


def _pooling_shortfalls(t: Words, result: Mapping[str, Any], unit: str) -> list[dict[str, Any]]:
    """The shortfalls grouped by reason: weeks, quantity, first and last week."""
    by_reason: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for sf in result.get("shortfalls") or []:
        by_reason[str(sf.get("reason_code"))].append(sf)
    return [
        {
            "reason": t.pooling_reason(code),
            "weeks": len({str(x.get("week_start")) for x in rows}),
            "qty": f"{t.num(sum(_f(x.get('short_qty')) or 0 for x in rows), 0)} {unit}",
            "first": t.date(min(str(x.get("week_start")) for x in rows)),
            "last": t.date(max(str(x.get("week_start")) for x in rows)),
        }
        for code, rows in by_reason.items()
    ]


def _pooling_weeks(t: Words, weeks: Sequence[Mapping[str, Any]], unit: str) -> dict[str, Any]:
    """The week-by-week chart (ordered vs supplied) and its table."""
    return {
        "chart": {
            "labels": [t.date(str(w.get("week_start")), year=False) for w in weeks],
            "ordered": [_f(w.get("demand_qty")) or 0.0 for w in weeks],
            "supplied": [_f(w.get("allocated_qty")) or 0.0 for w in weeks],
            "ordered_label": t("Commandé"),
            "supplied_label": t("Fourni par le groupe"),
            "y_label": t("Quantité par semaine ({unit})", unit=unit),
        },
        "weeks": [
            {
                "week": t.date(str(w.get("week_start"))),
                "ordered": t.num(w.get("demand_qty"), 0),
                "supplied": t.num(w.get("allocated_qty"), 0),
                "ok": bool(w.get("feasible")),
                "reasons": ", ".join(t.pooling_reason(r) for r in w.get("reasons") or []),
            }
            for w in weeks
        ],
    }


def pooling_view(
    t: Words,
    names: Names,
    result: Mapping[str, Any],
    *,
    members: Sequence[str],
    order: Mapping[str, Any],
) -> dict[str, Any]:
    """The producer group's verdict: weeks, chart, members' shares, binding constraint."""
    items = list(order.get("products") or [])
    unit = names.unit(items[0].get("product")) if items else "kg"
    return {
        "feasible": bool(result.get("feasible")),
        "verdict": _pooling_verdict(t, result, unit),
        "binding": t.pooling_reason(str(result.get("binding_reason") or "")),
        "products": ", ".join(names.product(p.get("product")) for p in items),
        "order": _order_words(t, names, order),
        "unit": unit,
        "kitchen": names.place(str(order.get("kitchen") or "")),
        **_pooling_weeks(t, list(result.get("weeks") or []), unit),
        "shares": _member_shares(t, names, result, members),
        "shortfalls": _pooling_shortfalls(t, result, unit),
        "relaxations": [
            {
                "text": t.relaxation(
                    str(r.get("kind")), r.get("value"), str(r.get("unit") or ""), unit
                ),
                "closes": bool(r.get("closes_gap")),
                "detail": str(r.get("description") or ""),
            }
            for r in result.get("relaxations") or []
        ],
        "logistics": {
            "kg": t.kg(result.get("kg_delivered"), 0),
            "cost": t.eur(result.get("logistics_cost_eur"), 0),
            "per_kg": t.eur(result.get("logistics_eur_per_kg")),
        },
        "checked": bool((result.get("check") or {}).get("ok")),
        "banners": provenance(
            t, synthetic=names.synthetic, estimated=bool(result.get("estimated"))
        ),
    }


# --------------------------------------------------------------------------- territory


def supply_map(names: Names, lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Who supplies whom: a line per producer and kitchen, weighted by the value bought."""
    value: dict[tuple[str, str], float] = defaultdict(float)
    platform = False
    for ln in lines:
        if ln.get("channel") == REFERENCE:
            continue
        platform = platform or ln.get("channel") == "platform"
        value[(str(ln["supplier_id"]), str(ln["kitchen_id"]))] += _f(ln.get("value_eur")) or 0.0
    links = []
    places: dict[str, Place] = {}
    if platform:
        places.update({p.id: p for p in names.places.values() if p.kind == "depot"})
    for (sid, kid), eur in sorted(value.items(), key=lambda kv: -kv[1]):
        a, b = names.places.get(sid), names.places.get(kid)
        if a is None or b is None or a.lat is None or b.lat is None:
            continue
        places[sid], places[kid] = a, b
        links.append({"from": [a.lat, a.lon], "to": [b.lat, b.lon], "eur": round(eur, 2)})
    stops: list[dict[str, Any]] = [
        {
            "lat": p.lat,
            "lon": p.lon,
            "kind": p.kind,
            "name": p.name,
            "label": _label(p) if p.kind != "farm" else "",
            "numbers": [],
        }
        for p in places.values()
    ]
    return {"links": links, "stops": stops, "routes": []}


def producers_revenue(
    t: Words, names: Names, lines: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Producers engaged: value sold, kg, kitchens served, largest first."""
    eur: dict[str, float] = defaultdict(float)
    kg: dict[str, float] = defaultdict(float)
    kitchens: dict[str, set[str]] = defaultdict(set)
    for ln in lines:
        if ln.get("channel") == REFERENCE:
            continue
        sid = str(ln["supplier_id"])
        eur[sid] += _f(ln.get("value_eur")) or 0.0
        kg[sid] += _f(ln.get("quantity_kg")) or 0.0
        kitchens[sid].add(str(ln["kitchen_id"]))
    return [
        {
            "name": names.place(sid),
            "commune": names.places[sid].commune if sid in names.places else "",
            "eur_value": eur[sid],
            "eur": t.eur(eur[sid], 0),
            "kg": t.kg(kg[sid], 0),
            "kitchens": len(kitchens[sid]),
        }
        for sid in sorted(eur, key=lambda s: -eur[s])
        if eur[sid] > 0.005
    ]


def kitchen_table(t: Words, names: Names, result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Indicators per kitchen against its targets."""
    out = []
    for r in result.get("indicators") or []:
        if r.get("kitchen_id") == TERRITORY:
            continue
        cells = []
        for col, target_col, _ in SHARES:
            value, target = _f(r.get(col)) or 0.0, _f(r.get(target_col))
            cells.append(
                {
                    "text": t.pct(value, 0),
                    "target": t.pct(target, 0) if target is not None else "",
                    "met": target is None or value + 1e-6 >= target,
                }
            )
        cost, budget = _f(r.get("cost_per_meal_eur")), _f(r.get("budget_eur_per_meal"))
        out.append(
            {
                "name": _short(names.place(str(r.get("kitchen_id")))),
                "shares": cells,
                "cost": t.eur(cost),
                "budget": t.eur(budget),
                "cost_met": cost is None or budget is None or cost <= budget * 1.005,
                "deliveries": t.num(r.get("deliveries_per_week"), 1),
                "producers": t.num(r.get("producers_engaged")),
            }
        )
    return out


def territory_view(t: Words, names: Names, result: Mapping[str, Any]) -> dict[str, Any]:
    """The territory's dashboard: indicators per kitchen, producers, who supplies whom."""
    lines = list(result.get("purchase_plan") or [])
    row = territory_row(result)
    producers = producers_revenue(t, names, lines)
    kitchens = [r for r in result.get("indicators") or [] if r.get("kitchen_id") != TERRITORY]
    rounds = result.get("rounds") or None
    weeks = list(result.get("weeks") or [])
    return {
        "gauges": share_gauges(t, row),
        "cost": cost_gauge(t, row),
        "period": t(
            "{n} semaine(s) à partir du {date}",
            n=len(weeks),
            date=t.date(weeks[0]) if weeks else "",
        ),
        "kitchens": kitchen_table(t, names, result),
        "producers": producers,
        "n_producers": len(producers),
        "revenue": t.eur(sum(p["eur_value"] for p in producers), 0),
        "total": t.eur(row.get("total_value_eur"), 0),
        "food": t.eur(result.get("food_cost_eur"), 0),
        "logistics": t.eur(result.get("logistics_cost_eur"), 0),
        "gap": t.pct(100.0 * (_f(result.get("gap")) or 0.0), 1),
        "gap_large": (_f(result.get("gap")) or 0.0) > 0.01,
        "checked": bool(result.get("ok")),
        "map": supply_map(names, lines),
        "chart": {
            "labels": [_commune_of(names, str(r.get("kitchen_id"))) for r in kitchens],
            "series": [
                {"label": t(label), "data": [round(_f(r.get(col)) or 0.0, 1) for r in kitchens]}
                for col, _, label in SHARES
                if col != "meat_fish_egalim_pct"
            ],
            "y_label": t("% des achats"),
        },
        "rounds": None
        if rounds is None
        else {
            "km": t.num((rounds.get("summary") or {}).get("distance_km"), 0),
            "routes": (rounds.get("summary") or {}).get("routes", 0),
            "served": (rounds.get("summary") or {}).get("orders_served", 0),
            "unserved": (rounds.get("summary") or {}).get("unassigned", 0),
        },
        "banners": provenance(
            t,
            synthetic=bool(result.get("synthetic_scenario", names.synthetic)),
            estimated=bool(result.get("travel_estimated")),
        ),
    }


def school_mondays(scenario: Scenario, count: int = 40) -> list[dt.date]:
    """Mondays of the school weeks from the scenario's start date (the weeks a page offers).

    The school calendar of the first canteen's zone; consecutive Mondays when the start
    date lies outside the known school years.
    """
    start = scenario.settings.start_date
    first = start - dt.timedelta(days=start.weekday())
    year = start.year if start.month >= 8 else start.year - 1
    zone = scenario.canteens[0].school_zone if scenario.canteens else "B"
    try:
        weeks = [w for w in school_year_weeks(zone, f"{year}-{year + 1}") if w >= first]
    except (KeyError, ValueError):
        weeks = []
    return weeks[:count] or week_starts(start, count)


#: What a job computes, by kind (and the page that asked for a plan).
JOB_TITLES = {
    "proposal": "Proposition d'achats pour votre cantine",
    "rounds": "Tournées de vos commandes",
    "pooling": "Vérification de la commande du groupement",
    "plan": "Plan du territoire",
    "plan/tournees": "Tournées de la semaine : plan d'achats, puis tournées",
}


def job_title(t: Words, kind: str, view: str = "") -> str:
    """What a running job computes, in words."""
    key = f"{kind}/{view}" if f"{kind}/{view}" in JOB_TITLES else kind
    return t(JOB_TITLES.get(key, "Calcul en cours"))
