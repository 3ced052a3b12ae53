r"""Weekly demand of each purchasing kitchen, from menu cycles and the school calendar.

Formula
-------
For a canteen ``c`` eating menu cycle ``C`` of ``N`` weeks, a week ``w`` (a Monday) of
the horizon and a product ``p``::

    k(c, w)       = (number of school weeks of c's zone in the horizon before w) mod N + 1
    served_g(d,p) = sum over menu items i of cycle C, week k(c, w), weekday(d), product p of
                    sum over ages a in {maternelle, elementaire, adulte} of
                    meals_a(c) * served_g_a(i)
    demand_kg(c, w, p) = sum over service days d of c in week w of
                    served_g(d, p) / raw_to_cooked_ratio(p) / (1 - inedible_share(p)) / 1000
    quantity(c, w, p)  = demand_kg(c, w, p) / kg_per_unit(p)          [purchase units]

and a kitchen's demand is the sum over the canteens it buys for (a satellite's meals
count at its ``kitchen_id``; every other canteen is its own kitchen).

* **Cycle position.** Week 1 of the cycle is the first school week of the horizon
  (``weeks[0]`` or the first week after it with class). Calendar weeks without any school
  day in the canteen's zone (holidays, summer) do **not** advance the cycle, so the menu
  resumes where it stopped; a week with at least one school day advances it even if the
  canteen itself serves on fewer days (e.g. a 4-day canteen in a week whose only class
  day is a Wednesday). Canteens of different zones may therefore be at different cycle
  weeks in the same calendar week.
* **Service days** come from :func:`solver.core.calendar.service_days` (zone holidays, public
  holidays, pont days, the canteen's ``service_weekdays`` and ``open_months``). A buyer
  that is not a school (``kind``: holiday centre, nursing home) serves every
  ``service_weekdays`` of its ``open_months``, holidays included, and its cycle advances
  in the weeks it serves. A service day contributes the
  menu day of the cycle with the same weekday; a service day with no menu day in the cycle
  (e.g. a Wednesday for a 4-day cycle) contributes nothing and is logged once as a warning.
* **Yields.** ``raw_to_cooked_ratio`` (cooked mass / raw mass) and ``inedible_share``
  (peel, bones) come from Ecobalyse ``ingredients.json`` (``rawToCookedRatio``,
  ``inediblePart``; Agribalyse 3.2 / ANSES CIQUAL), domain-facts §1.4; the same formula is
  :meth:`solver.core.domain.Product.raw_kg_per_served_g`. Portions ``served_g_*`` are the
  menu's (GEMRCN, arrêté du 30 septembre 2011 Annexe II and GEMRCN 2015, domain-facts §1.3).
* **Direct demand.** A canteen with at least one row in ``demand.csv`` gives its demand
  directly: its menu-based demand is dropped **entirely** (for every week, not only the
  weeks it lists), and its weekly demand is exactly its rows (``quantity`` in purchase
  units; ``demand_kg = quantity * kg_per_unit``). Weeks it does not list have no demand.
  Its meals still count in :func:`meals_per_week` (it serves them).
* ``source`` of a kitchen row is ``"menu"``, ``"direct"``, or ``"menu+direct"`` when a
  kitchen sums a menu-fed canteen and a direct-demand canteen for the same product/week.

Plausibility check
------------------
:func:`portion_check` compares purchased kg per meal by ma-cantine family with bands
derived from GEMRCN portions and frequencies (domain-facts §1.2, §1.3) and the yields of
§1.4, for an élémentaire meal averaged over 20 meals, then scaled by the kitchen's age mix
with the Annexe II protein-portion ratios maternelle 50/70, adulte 100/70 [derived]:

=====================  ==============  ===============================================
Family                 g/meal (élém.)  Derivation (served g x frequency / yield)
=====================  ==============  ===============================================
VIANDES_VOLAILLES      20 - 60         70 g x 6..12/20 meals (>=4 red meat, <=20-4 fish-4
                                       veg) / 0.755..0.792
PRODUITS_DE_LA_MER     12 - 45         70..90 g x 4..6/20 / 0.819 / (1 - 0..0.2)
CHARCUTERIE            0 - 15          fatty starters <= 4/20 x ~50 g
FRUITS_ET_LEGUMES      110 - 300       cooked veg 150 g x 10/20 / 0.856 / 0.9 (~97) +
                                       crudités/fruit starter ~60 g x <=10/20 + raw fruit
                                       100 g x >=8/20 / 0.85 + potatoes as part of the
                                       10/20 starch garnish
PRODUITS_LAITIERS      40 - 150        dairy at every meal: cheese ~30 g >= 8/20, yoghurt
                                       125 g >= 6/20, + butter, cream, milk, eggs (BOF)
BOULANGERIE            15 - 70         bread 20..40 g a meal + pastry <= 4/20
AUTRES                 15 - 90         dry starch/pulses 150 g cooked / 2.26..2.33 x
                                       5..10/20 + oil, flour, sugar
BOISSONS               0 - 50          rarely bought (water is tap water)
=====================  ==============  ===============================================

Bands are wide on purpose: they catch unit and yield mistakes (x10, grams for kg, a
missing ``raw_to_cooked_ratio`` on pasta), not menu-planning nuances.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from solver.core import (
    AgeGroup,
    Canteen,
    Family,
    MenuItem,
    Problem,
    Scenario,
    ScenarioError,
    SchoolZone,
    open_days,
    school_days,
    week_starts,
)

logger = logging.getLogger(__name__)

SOURCE_MENU = "menu"
SOURCE_DIRECT = "direct"
SOURCE_BOTH = "menu+direct"

DEMAND_COLUMNS = ["kitchen_id", "week_start", "product_id", "quantity", "demand_kg", "source"]
MEALS_COLUMNS = [
    "kitchen_id",
    "week_start",
    "meals",
    "service_days",
    "meals_maternelle",
    "meals_elementaire",
    "meals_adulte",
]

_AGES = (AgeGroup.MATERNELLE, AgeGroup.ELEMENTAIRE, AgeGroup.ADULTE)


@dataclass(frozen=True)
class PortionBand:
    """Plausible purchased grams per élémentaire meal for one family (see module doc)."""

    low_g: float
    high_g: float


#: Purchased grams per élémentaire meal, averaged over 20 meals [derived, module doc].
PORTION_BANDS_G: dict[Family, PortionBand] = {
    Family.VIANDES_VOLAILLES: PortionBand(20.0, 60.0),
    Family.PRODUITS_DE_LA_MER: PortionBand(12.0, 45.0),
    Family.CHARCUTERIE: PortionBand(0.0, 15.0),
    Family.FRUITS_ET_LEGUMES: PortionBand(110.0, 300.0),
    Family.PRODUITS_LAITIERS: PortionBand(40.0, 150.0),
    Family.BOULANGERIE: PortionBand(15.0, 70.0),
    Family.AUTRES: PortionBand(15.0, 90.0),
    Family.BOISSONS: PortionBand(0.0, 50.0),
}

#: Portion size relative to élémentaire (Annexe II arrêté 30/09/2011: meat 50/70/100 g).
AGE_PORTION_FACTOR: dict[AgeGroup, float] = {
    AgeGroup.MATERNELLE: 50.0 / 70.0,
    AgeGroup.ELEMENTAIRE: 1.0,
    AgeGroup.ADULTE: 100.0 / 70.0,
}


# --------------------------------------------------------------------------- helpers


def _horizon(scenario: Scenario, weeks: Sequence[dt.date] | None) -> list[dt.date]:
    if weeks is None:
        return week_starts(scenario.settings.start_date, scenario.settings.horizon_weeks)
    out = sorted(set(weeks))
    bad = [w for w in out if w.isoweekday() != 1]
    if bad:
        msg = f"weeks must be Mondays, got {', '.join(w.isoformat() for w in bad)}"
        raise ValueError(msg)
    return out


@lru_cache(maxsize=4096)
def _week_school_days(zone: SchoolZone, monday: dt.date) -> tuple[dt.date, ...]:
    return tuple(school_days(zone, monday, monday + dt.timedelta(days=6)))


def _week_service_days(canteen: Canteen, monday: dt.date) -> list[dt.date]:
    if not canteen.follows_school_calendar:
        return open_days(canteen, monday, monday + dt.timedelta(days=6))
    weekdays = {int(w) for w in canteen.service_weekdays}
    months = set(canteen.open_months) or set(range(1, 13))
    return [
        d
        for d in _week_school_days(canteen.school_zone, monday)
        if d.isoweekday() in weekdays and d.month in months
    ]


def _cycle_advances(canteen: Canteen, monday: dt.date) -> bool:
    """A week moves a canteen's menu cycle on: a school week of its zone (a school), a
    week it serves in (any other buyer)."""
    if canteen.follows_school_calendar:
        return bool(_week_school_days(canteen.school_zone, monday))
    return bool(_week_service_days(canteen, monday))


def _cycle_id(scenario: Scenario, canteen: Canteen) -> str:
    return canteen.menu_cycle_id or scenario.settings.default_menu_cycle


def _check_references(scenario: Scenario) -> None:
    """Raise a ScenarioError for menu/demand rows naming unknown products or canteens."""
    products = {p.id for p in scenario.products}
    canteens = {c.id for c in scenario.canteens}
    problems: list[Problem] = []
    for i, item in enumerate(scenario.menu, start=1):
        if item.product_id not in products:
            problems.append(
                Problem(
                    "menu.csv", 0, "product_id", item.product_id, f"record {i}: unknown product"
                )
            )
    for i, row in enumerate(scenario.direct_demand, start=1):
        if row.canteen_id not in canteens:
            problems.append(
                Problem(
                    "demand.csv", 0, "canteen_id", row.canteen_id, f"record {i}: unknown canteen"
                )
            )
        if row.product_id not in products:
            problems.append(
                Problem(
                    "demand.csv", 0, "product_id", row.product_id, f"record {i}: unknown product"
                )
            )
    for c in scenario.canteens:
        if c.kitchen_id and c.kitchen_id not in canteens:
            problems.append(
                Problem(
                    "canteens.csv",
                    0,
                    "kitchen_id",
                    c.kitchen_id,
                    f"canteen {c.id}: unknown kitchen",
                )
            )
    if problems:
        raise ScenarioError(problems)


def _menu_index(
    menu: Sequence[MenuItem],
) -> tuple[dict[str, int], dict[tuple[str, int, int], dict[str, tuple[float, float, float]]]]:
    """Cycle lengths and, per (cycle, week, weekday), served grams per product and age."""
    length: dict[str, int] = {}
    days: dict[tuple[str, int, int], dict[str, tuple[float, float, float]]] = defaultdict(dict)
    for item in menu:
        length[item.cycle_id] = max(length.get(item.cycle_id, 0), item.week)
        per_product = days[(item.cycle_id, item.week, int(item.weekday))]
        m, e, a = per_product.get(item.product_id, (0.0, 0.0, 0.0))
        per_product[item.product_id] = (
            m + item.served_g_maternelle,
            e + item.served_g_elementaire,
            a + item.served_g_adulte,
        )
    return length, days


def cycle_weeks(
    scenario: Scenario, canteen: Canteen, weeks: Sequence[dt.date]
) -> dict[dt.date, int]:
    """Cycle week (1..N) eaten by ``canteen`` in each school week of ``weeks``.

    Weeks without any school day in the canteen's zone (a buyer that is not a school:
    weeks it does not serve) are absent (they do not advance the cycle). Empty when the
    canteen's cycle has no menu.
    """
    length, _ = _menu_index(scenario.menu)
    n = length.get(_cycle_id(scenario, canteen), 0)
    if n == 0:
        return {}
    out: dict[dt.date, int] = {}
    index = 0
    for w in sorted(weeks):
        if _cycle_advances(canteen, w):
            out[w] = index % n + 1
            index += 1
    return out


# --------------------------------------------------------------------------- demand


def canteen_weekly_demand(
    scenario: Scenario, *, weeks: Sequence[dt.date] | None = None
) -> pd.DataFrame:
    """Weekly demand per canteen (where meals are served), before kitchen aggregation.

    Columns ``canteen_id, kitchen_id, week_start, product_id, quantity, demand_kg,
    source``; one row per non-zero (canteen, week, product), sorted.

    Raises
    ------
    ScenarioError
        When a menu or demand row names an unknown product or canteen.
    """
    horizon = _horizon(scenario, weeks)
    _check_references(scenario)
    length, days = _menu_index(scenario.menu)
    direct_ids = {d.canteen_id for d in scenario.direct_demand}
    kg: dict[tuple[str, dt.date, str, str], float] = defaultdict(float)

    for c in scenario.canteens:
        if c.id in direct_ids:
            continue
        cycle = _cycle_id(scenario, c)
        if cycle not in length:
            if c.meals_per_day > 0:
                logger.warning("canteen %s eats menu cycle %r, which has no menu", c.id, cycle)
            continue
        meals = (c.meals_maternelle, c.meals_elementaire, c.meals_adulte)
        missing_days: set[int] = set()
        for w, k in cycle_weeks(scenario, c, horizon).items():
            for d in _week_service_days(c, w):
                menu_day = days.get((cycle, k, d.isoweekday()))
                if menu_day is None:
                    missing_days.add(d.isoweekday())
                    continue
                for product_id, grams in menu_day.items():
                    served_g = sum(n * g for n, g in zip(meals, grams, strict=True))
                    if served_g > 0:
                        p = scenario.product(product_id)
                        kg[(c.id, w, product_id, SOURCE_MENU)] += p.raw_kg_per_served_g(served_g)
        if missing_days:
            logger.warning(
                "canteen %s serves on weekday(s) %s that menu cycle %r never covers; "
                "no demand counted for those days",
                c.id,
                sorted(missing_days),
                cycle,
            )

    horizon_set = set(horizon)
    for row in scenario.direct_demand:
        if row.week_start in horizon_set and row.quantity > 0:
            p = scenario.product(row.product_id)
            kg[(row.canteen_id, row.week_start, row.product_id, SOURCE_DIRECT)] += (
                row.quantity * p.kg_per_unit
            )

    records = []
    for (cid, w, pid, source), value in kg.items():
        if value <= 0:
            continue
        p = scenario.product(pid)
        records.append(
            {
                "canteen_id": cid,
                "kitchen_id": scenario.canteen(cid).purchasing_kitchen_id,
                "week_start": w,
                "product_id": pid,
                "quantity": value / p.kg_per_unit,
                "demand_kg": value,
                "source": source,
            }
        )
    columns = ["canteen_id", *DEMAND_COLUMNS]
    df = pd.DataFrame.from_records(records, columns=columns)
    return df.sort_values(["canteen_id", "week_start", "product_id"], ignore_index=True)


def weekly_demand(scenario: Scenario, *, weeks: Sequence[dt.date] | None = None) -> pd.DataFrame:
    """Weekly demand of each purchasing kitchen, per product.

    Parameters
    ----------
    scenario
        The territory.
    weeks
        Mondays of the horizon; default ``week_starts(settings.start_date,
        settings.horizon_weeks)``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kitchen_id, week_start (datetime.date), product_id, quantity (purchase
        units), demand_kg, source ("menu" | "direct" | "menu+direct")``, one row per
        non-zero (kitchen, week, product), sorted by kitchen, week, product.

    Raises
    ------
    ScenarioError
        When a menu or demand row names an unknown product or canteen.
    solver.core.calendar.CalendarError
        When a week lies outside the known school calendar.
    """
    per_canteen = canteen_weekly_demand(scenario, weeks=weeks)
    if per_canteen.empty:
        return pd.DataFrame(columns=DEMAND_COLUMNS)
    keys = ["kitchen_id", "week_start", "product_id"]
    df = per_canteen.groupby(keys, as_index=False, sort=True).agg(
        quantity=("quantity", "sum"),
        demand_kg=("demand_kg", "sum"),
        source=("source", lambda s: _merge_sources(set(s))),
    )
    return df[DEMAND_COLUMNS].reset_index(drop=True)


def _merge_sources(sources: set[str]) -> str:
    if sources == {SOURCE_MENU}:
        return SOURCE_MENU
    if sources == {SOURCE_DIRECT}:
        return SOURCE_DIRECT
    return SOURCE_BOTH


def canteen_meals_per_week(
    scenario: Scenario, *, weeks: Sequence[dt.date] | None = None
) -> pd.DataFrame:
    """Meals served each week by each canteen.

    Returns
    -------
    pandas.DataFrame
        Columns ``canteen_id, kitchen_id, week_start, meals, service_days,
        meals_maternelle, meals_elementaire, meals_adulte``; one row per (canteen, week)
        of the horizon, zero rows included.
    """
    horizon = _horizon(scenario, weeks)
    records = []
    for c in scenario.canteens:
        for w in horizon:
            n_days = len(_week_service_days(c, w))
            records.append(
                {
                    "canteen_id": c.id,
                    "kitchen_id": c.purchasing_kitchen_id,
                    "week_start": w,
                    "meals": c.meals_per_day * n_days,
                    "service_days": n_days,
                    "meals_maternelle": c.meals_maternelle * n_days,
                    "meals_elementaire": c.meals_elementaire * n_days,
                    "meals_adulte": c.meals_adulte * n_days,
                }
            )
    df = pd.DataFrame.from_records(records, columns=["canteen_id", *MEALS_COLUMNS])
    return df.sort_values(["canteen_id", "week_start"], ignore_index=True)


def meals_per_week(scenario: Scenario, *, weeks: Sequence[dt.date] | None = None) -> pd.DataFrame:
    """Meals served each week by all canteens each kitchen cooks for.

    Returns
    -------
    pandas.DataFrame
        Columns ``kitchen_id, week_start, meals, service_days, meals_maternelle,
        meals_elementaire, meals_adulte``; one row per (kitchen, week) of the horizon,
        zero rows included (holiday weeks). ``service_days`` is the number of distinct
        dates of that week on which at least one of the kitchen's canteens serves.
    """
    horizon = _horizon(scenario, weeks)
    acc: dict[tuple[str, dt.date], list[int]] = {}
    dates: dict[tuple[str, dt.date], set[dt.date]] = defaultdict(set)
    for kid in sorted({c.purchasing_kitchen_id for c in scenario.canteens}):
        for w in horizon:
            acc[(kid, w)] = [0, 0, 0]
    for c in scenario.canteens:
        kid = c.purchasing_kitchen_id
        for w in horizon:
            sdays = _week_service_days(c, w)
            dates[(kid, w)].update(sdays)
            counts = acc[(kid, w)]
            counts[0] += c.meals_maternelle * len(sdays)
            counts[1] += c.meals_elementaire * len(sdays)
            counts[2] += c.meals_adulte * len(sdays)
    records = [
        {
            "kitchen_id": kid,
            "week_start": w,
            "meals": sum(v),
            "service_days": len(dates[(kid, w)]),
            "meals_maternelle": v[0],
            "meals_elementaire": v[1],
            "meals_adulte": v[2],
        }
        for (kid, w), v in acc.items()
    ]
    df = pd.DataFrame.from_records(records, columns=MEALS_COLUMNS)
    return df.sort_values(["kitchen_id", "week_start"], ignore_index=True)


# --------------------------------------------------------------------------- summaries


def _with_family(scenario: Scenario, demand: pd.DataFrame) -> pd.DataFrame:
    families = {p.id: p.family.value for p in scenario.products}
    out = demand.copy()
    out["family"] = out["product_id"].map(families)
    return out


def demand_summary(scenario: Scenario, demand: pd.DataFrame, meals: pd.DataFrame) -> pd.DataFrame:
    """Demand per kitchen and product family over the horizon, with kg per meal.

    Parameters
    ----------
    demand
        Output of :func:`weekly_demand`.
    meals
        Output of :func:`meals_per_week` for the same weeks.

    Returns
    -------
    pandas.DataFrame
        Columns ``kitchen_id, family, demand_kg, meals, kg_per_meal`` (``kg_per_meal`` is
        NaN for a kitchen that serves no meal in the horizon), sorted.
    """
    total_meals = meals.groupby("kitchen_id")["meals"].sum()
    if demand.empty:
        return pd.DataFrame(columns=["kitchen_id", "family", "demand_kg", "meals", "kg_per_meal"])
    df = (
        _with_family(scenario, demand)
        .groupby(["kitchen_id", "family"])["demand_kg"]
        .sum()
        .reset_index()
    )
    df["meals"] = df["kitchen_id"].map(total_meals).fillna(0).astype(int)
    df["kg_per_meal"] = df["demand_kg"] / df["meals"].where(df["meals"] > 0)
    return df.sort_values(["kitchen_id", "family"], ignore_index=True)


def portion_check(
    scenario: Scenario,
    demand: pd.DataFrame,
    meals: pd.DataFrame,
    *,
    key: str = "kitchen_id",
) -> pd.DataFrame:
    """Purchased kg per meal by family against GEMRCN-derived bands (module docstring).

    Parameters
    ----------
    demand, meals
        :func:`weekly_demand` and :func:`meals_per_week` (per kitchen), or
        :func:`canteen_weekly_demand` and :func:`canteen_meals_per_week` with
        ``key="canteen_id"`` (per canteen).
    key
        Column to group by.

    Returns
    -------
    pandas.DataFrame
        One row per (``key`` value, family) plus rows whose ``key`` is ``"ALL"`` for the
        whole territory; columns ``<key>, family, demand_kg, meals, kg_per_meal,
        low_kg_per_meal, high_kg_per_meal, status`` where ``status`` is ``"ok"``,
        ``"too low"``, ``"too high"`` or ``"no meals"``.
    """
    families = [f.value for f in Family]
    kg: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(families, 0.0))
    for r in _with_family(scenario, demand).to_dict("records"):
        kg[str(r[key])][str(r["family"])] += float(r["demand_kg"])
        kg["ALL"][str(r["family"])] += float(r["demand_kg"])
    age_cols = [f"meals_{a.value}" for a in _AGES]
    counts: dict[str, dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(["meals", *age_cols], 0)
    )
    for r in meals.to_dict("records"):
        for col in ("meals", *age_cols):
            counts[str(r[key])][col] += float(r[col])
            counts["ALL"][col] += float(r[col])
    kitchens = sorted(k for k in counts if k != "ALL")
    groups = [(k, counts[k], kg[k]) for k in ["ALL", *kitchens]]

    records = []
    for kid, row, kg_by_family in groups:
        n = row["meals"]
        factor = (
            sum(row[f"meals_{a.value}"] * AGE_PORTION_FACTOR[a] for a in _AGES) / n
            if n > 0
            else 1.0
        )
        for family in Family:
            band = PORTION_BANDS_G[family]
            low, high = band.low_g * factor / 1000.0, band.high_g * factor / 1000.0
            kg_total = kg_by_family[family.value]
            if n <= 0:
                per_meal = float("nan")
                status = "no meals"
            else:
                per_meal = kg_total / n
                status = "too low" if per_meal < low else "too high" if per_meal > high else "ok"
            records.append(
                {
                    key: kid,
                    "family": family.value,
                    "demand_kg": kg_total,
                    "meals": int(n),
                    "kg_per_meal": per_meal,
                    "low_kg_per_meal": low,
                    "high_kg_per_meal": high,
                    "status": status,
                }
            )
    return pd.DataFrame.from_records(records)
