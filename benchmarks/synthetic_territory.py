"""Synthetic territories shaped like the Baronnies demo, at 1x, 4x, 16x its size.

SYNTHETIC figures throughout (fixed seed): ``scale`` multiplies the canteens (19 purchasing
kitchens at 1x) and producers (165 at 1x) and the area (side x sqrt(scale)), so densities
(producers within 30 minutes of a kitchen) stay those of the demo. One platform at the
centre with ``scale`` 1 t refrigerated vans (the fleet grows with the kitchens it serves).
Weekly demand is generated directly (meals x kg per
meal x a menu-week factor) over the school year 2025-26 (44 calendar weeks from
2025-09-01, 36 service weeks: zone-B holidays removed), so this module needs neither
menus nor the calendar. Travel times: straight line x 1.4 circuity at 55 km/h + 2 min.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solver.core import (
    Canteen,
    ColdChain,
    DeliveryMode,
    Family,
    Label,
    Offer,
    Platform,
    Producer,
    Product,
    ReferenceOffer,
    Scenario,
    Settings,
    Van,
    Weekday,
)

START = dt.date(2025, 9, 1)
N_WEEKS = 44
HOLIDAY_WEEKS = frozenset({7, 8, 16, 17, 24, 25, 32, 33})
CENTER = (44.30, 5.75)

# id, family, ref EUR/kg, kg per meal, storable, shelf days, cold, kind, months
_PRODUCTS: list[tuple[str, Family, float, float, bool, int, ColdChain, str, tuple[int, ...]]] = []


def _p(
    pid: str,
    fam: Family,
    price: float,
    kgpm: float,
    kind: str,
    storable: bool = False,
    shelf: int = 7,
    cold: ColdChain = ColdChain.AMBIENT,
    months: tuple[int, ...] = tuple(range(1, 13)),
) -> None:
    _PRODUCTS.append((pid, fam, price, kgpm, storable, shelf, cold, kind, months))


_V = Family.FRUITS_ET_LEGUMES
for pid, price, months in [
    ("carotte", 1.1, (1, 2, 3, 9, 10, 11, 12)),
    ("pomme_de_terre", 0.9, tuple(range(1, 13))),
    ("poireau", 1.8, (1, 2, 3, 10, 11, 12)),
    ("courgette", 1.6, (6, 7, 8, 9, 10)),
    ("tomate", 2.0, (6, 7, 8, 9)),
    ("salade", 1.5, (4, 5, 6, 9, 10)),
    ("chou", 1.2, (1, 2, 3, 10, 11, 12)),
    ("courge", 1.3, (9, 10, 11, 12, 1)),
    ("betterave", 1.4, (1, 2, 3, 9, 10, 11, 12)),
    ("oignon", 1.1, tuple(range(1, 13))),
    ("haricot_vert", 3.5, (6, 7, 8, 9)),
    ("epinard", 3.0, (3, 4, 5, 10, 11)),
    ("radis", 2.2, (4, 5, 6)),
    ("navet", 1.4, (1, 2, 3, 10, 11, 12)),
    ("concombre", 1.7, (5, 6, 7, 8, 9)),
]:
    _p(pid, _V, price, 0.018, "legumes", months=months)
for pid, price, months in [
    ("pomme", 1.5, (1, 2, 3, 4, 5, 9, 10, 11, 12)),
    ("poire", 1.8, (1, 2, 9, 10, 11, 12)),
    ("abricot", 3.0, (6, 7)),
    ("peche", 2.8, (6, 7, 8, 9)),
    ("fraise", 6.0, (5, 6)),
    ("prune", 2.5, (7, 8, 9)),
    ("raisin", 3.0, (9, 10)),
]:
    _p(pid, _V, price, 0.025, "fruits", months=months)
_p("compote", _V, 3.2, 0.008, "fruits", storable=True, shelf=90)
_p("jus_pomme", Family.BOISSONS, 1.6, 0.004, "fruits", storable=True, shelf=180)
for pid, price, kgpm, cold in [
    ("yaourt", 3.0, 0.03, ColdChain.CHILLED),
    ("fromage_chevre", 14.0, 0.006, ColdChain.CHILLED),
    ("fromage_vache", 11.0, 0.008, ColdChain.CHILLED),
    ("lait", 1.1, 0.01, ColdChain.CHILLED),
    ("creme_dessert", 4.0, 0.01, ColdChain.CHILLED),
    ("beurre", 9.0, 0.003, ColdChain.CHILLED),
    ("oeuf", 3.6, 0.012, ColdChain.CHILLED),
]:
    _p(pid, Family.PRODUITS_LAITIERS, price, kgpm, "laitier", cold=cold, shelf=14)
for pid, price, kgpm in [
    ("boeuf", 13.0, 0.012),
    ("veau", 15.0, 0.005),
    ("agneau", 14.0, 0.005),
    ("porc", 8.5, 0.008),
    ("volaille", 7.0, 0.014),
]:
    _p(pid, Family.VIANDES_VOLAILLES, price, kgpm, "viande", cold=ColdChain.CHILLED)
_p(
    "boeuf_surgele",
    Family.VIANDES_VOLAILLES,
    10.0,
    0.004,
    "viande",
    storable=True,
    shelf=120,
    cold=ColdChain.FROZEN,
)
_p("truite", Family.PRODUITS_DE_LA_MER, 16.0, 0.008, "poisson", cold=ColdChain.CHILLED)
_p(
    "poisson_surgele",
    Family.PRODUITS_DE_LA_MER,
    9.0,
    0.01,
    "importe",
    storable=True,
    shelf=180,
    cold=ColdChain.FROZEN,
)
_p("saucisson", Family.CHARCUTERIE, 15.0, 0.003, "viande", cold=ColdChain.CHILLED, shelf=30)
for pid, price, kgpm in [
    ("pates", 1.8, 0.02),
    ("farine", 1.2, 0.004),
    ("petit_epeautre", 5.0, 0.006),
    ("lentilles", 2.8, 0.008),
    ("pois_chiches", 2.6, 0.005),
    ("riz", 1.6, 0.015),
]:
    _p(pid, Family.AUTRES, price, kgpm, "cereales", storable=True, shelf=180)
_p("pain", Family.BOULANGERIE, 3.2, 0.035, "pain")
_p("huile_olive", Family.AUTRES, 9.0, 0.002, "epicerie", storable=True, shelf=365)
_p("miel", Family.AUTRES, 12.0, 0.001, "epicerie", storable=True, shelf=365)
_p("sucre", Family.AUTRES, 1.1, 0.003, "importe", storable=True, shelf=365)
_p("banane", _V, 1.7, 0.01, "importe")

_KINDS = [
    "legumes",
    "legumes",
    "legumes",
    "fruits",
    "fruits",
    "laitier",
    "laitier",
    "viande",
    "viande",
    "cereales",
    "pain",
    "epicerie",
    "poisson",
]


@dataclass
class Territory:
    """A synthetic scenario and what the solver takes with it."""

    scenario: Scenario
    demand: pd.DataFrame
    meals: pd.DataFrame
    ids: list[str]
    seconds: np.ndarray


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    r = 6371.0
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


def travel_seconds(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Straight line x 1.4 at 55 km/h + 120 s (0 on the diagonal)."""
    km = _km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    s = km * 1.4 / 55.0 * 3600.0 + 120.0
    np.fill_diagonal(s, 0.0)
    return s


def _catalogue() -> tuple[list[Product], list[ReferenceOffer]]:
    """The products and the wholesaler's reference price of each."""
    products = [
        Product(
            id=pid,
            name=pid.replace("_", " "),
            family=fam,
            storable=st,
            shelf_life_days=sh,
            cold_chain=cold,
        )
        for pid, fam, _, _, st, sh, cold, _, _ in _PRODUCTS
    ]
    ref = [
        ReferenceOffer(
            supplier_id="grossiste",
            supplier_name="Grossiste",
            product_id=pid,
            price_eur_per_unit=price,
        )
        for pid, _, price, *_ in _PRODUCTS
    ]
    return products, ref


@dataclass
class _Draws:
    """The random source of one territory and the box its points fall in."""

    rng: np.random.Generator
    half_lat: float
    half_lon: float

    def point(self) -> tuple[float, float]:
        """A uniform point of the territory (lat, lon)."""
        return (
            CENTER[0] + self.rng.uniform(-self.half_lat, self.half_lat),
            CENTER[1] + self.rng.uniform(-self.half_lon, self.half_lon),
        )


def _producer(j: int, draws: _Draws) -> tuple[Producer, str]:
    """Producer ``j`` and its kind (what it grows): labels, modes, minimum orders drawn."""
    rng = draws.rng
    lat, lon = draws.point()
    kind = _KINDS[rng.integers(len(_KINDS))]
    u = rng.random()
    labels: tuple[Label, ...] = (Label.BIO,) if u < 0.45 else ((Label.HVE,) if u < 0.5 else ())
    if kind == "viande" and rng.random() < 0.3:
        labels = (*labels, Label.LABEL_ROUGE)
    modes = [DeliveryMode.SELF_DELIVERY] if rng.random() < 0.8 else [DeliveryMode.FARM_PICKUP]
    if rng.random() < 0.4:
        modes.append(DeliveryMode.PLATFORM)
    kg_min = rng.random() < 0.6
    producer = Producer(
        id=f"P{j:04d}",
        name=f"Ferme {j}",
        lat=lat,
        lon=lon,
        labels=labels,
        delivery_modes=tuple(modes),
        delivery_weekdays=(Weekday.TUE, Weekday.THU)
        if rng.random() < 0.7
        else (Weekday.MON, Weekday.WED, Weekday.FRI),
        deliveries_per_week=int(rng.integers(1, 4)),
        delivery_every_n_weeks=int(rng.choice([1, 1, 1, 1, 1, 1, 2, 2, 4])),
        max_drive_min=float(rng.choice([15, 20, 30, 30, 45, 60, 90])),
        min_order_kg=float(np.round(rng.uniform(10, 120))) if kg_min else 0.0,
        min_order_eur=0.0 if kg_min else float(np.round(rng.uniform(50, 300))),
    )
    return producer, kind


def _offers(producer: Producer, choices: list[int], rng: np.random.Generator) -> list[Offer]:
    """2 to 5 offers of ``producer`` among product indices ``choices``; organic costs more."""
    out = []
    n_off = int(min(len(choices), rng.integers(2, 6)))
    for pj in rng.choice(choices, size=n_off, replace=False):
        pid, _, price, _, _, _, _, _, months = _PRODUCTS[int(pj)]
        bio = Label.BIO in producer.labels
        premium = rng.uniform(1.15, 1.7) if bio else rng.uniform(0.95, 1.35)
        out.append(
            Offer(
                producer_id=producer.id,
                product_id=pid,
                price_eur_per_unit=round(price * premium, 2),
                weekly_capacity=float(np.round(rng.uniform(15, 250))),
                months=months,
            )
        )
    return out


def _farms(scale: int, draws: _Draws) -> tuple[list[Producer], list[Offer]]:
    """``165 x scale`` producers, each offering a few products of its kind."""
    by_kind: dict[str, list[int]] = {}
    for j, row in enumerate(_PRODUCTS):
        by_kind.setdefault(row[7], []).append(j)
    producers, offers = [], []
    for j in range(165 * scale):
        producer, kind = _producer(j, draws)
        producers.append(producer)
        offers += _offers(producer, by_kind[kind], draws.rng)
    return producers, offers


def _canteens(scale: int, draws: _Draws) -> list[Canteen]:
    """``19 x scale`` purchasing kitchens, meals drawn log-normal around 60."""
    rng = draws.rng
    canteens = []
    for j in range(19 * scale):
        lat, lon = draws.point()
        meals = int(np.clip(rng.lognormal(math.log(60), 0.8), 15, 450))
        canteens.append(
            Canteen(
                id=f"K{j:04d}",
                name=f"Cantine {j}",
                lat=lat,
                lon=lon,
                meals_elementaire=meals,
                storage_chilled_kg=float(np.round(rng.uniform(80, 400))),
                storage_ambient_kg=float(np.round(rng.uniform(100, 600))),
                budget_eur_per_meal=float(np.round(rng.uniform(2.9, 3.3), 2)),
                max_deliveries_per_week=int(rng.integers(3, 7)),
                on_platform_round=bool(rng.random() < 0.5),
                reference_supplier_id="grossiste",
            )
        )
    return canteens


def _platform(scale: int) -> Platform:
    """The platform at the centre, one 1 t van per demo-sized share of the territory."""
    return Platform(
        id="PLATFORM",
        name="Plateforme",
        lat=CENTER[0],
        lon=CENTER[1],
        round_weekdays=(Weekday.TUE,),
        margin_pct=20.0,
        vans=tuple(Van(id=f"van{j + 1}", capacity_kg=1000.0) for j in range(scale)),
        catchment_min=90.0,
    )


def _weekly_demand(
    canteens: list[Canteen], n_weeks: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(demand, meals) per kitchen and week: meals x kg per meal x a 4-week menu factor."""
    weeks = [START + dt.timedelta(weeks=w) for w in range(n_weeks)]
    cycle = rng.uniform(0.5, 1.5, size=(4, len(_PRODUCTS)))
    rows, mrows = [], []
    service_w = 0
    for w, monday in enumerate(weeks):
        serving = w not in HOLIDAY_WEEKS
        for c in canteens:
            meals_w = 4 * c.meals_per_day if serving else 0
            mrows.append(
                {
                    "kitchen_id": c.id,
                    "week_start": monday,
                    "meals": meals_w,
                    "service_days": 4 if serving else 0,
                }
            )
            if not serving:
                continue
            for pj, (pid, _, _, kgpm, *_r) in enumerate(_PRODUCTS):
                q = meals_w * kgpm * cycle[service_w % 4, pj]
                rows.append(
                    {
                        "kitchen_id": c.id,
                        "week_start": monday,
                        "product_id": pid,
                        "quantity": q,
                        "demand_kg": q,
                        "source": "direct",
                    }
                )
        service_w += serving
    return pd.DataFrame(rows), pd.DataFrame(mrows)


def make_territory(scale: int = 1, *, seed: int = 0, n_weeks: int = N_WEEKS) -> Territory:
    """A synthetic territory ``scale`` times the demo (canteens, producers, area)."""
    side = math.sqrt(scale)
    draws = _Draws(np.random.default_rng(seed + 1000 * scale), 0.25 * side, 0.35 * side)
    products, ref = _catalogue()
    producers, offers = _farms(scale, draws)
    canteens = _canteens(scale, draws)
    platform = _platform(scale)
    scenario = Scenario(
        settings=Settings(
            name=f"synthetic-{scale}x",
            start_date=START,
            horizon_weeks=n_weeks,
            synthetic=True,
            seed=seed,
        ),
        products=tuple(products),
        producers=tuple(producers),
        offers=tuple(offers),
        canteens=tuple(canteens),
        reference_offers=tuple(ref),
        platforms=(platform,),
    )
    demand, meals = _weekly_demand(canteens, n_weeks, draws.rng)
    ids = [p.id for p in producers] + [c.id for c in canteens] + [platform.id]
    lat = np.array([p.lat for p in producers] + [c.lat for c in canteens] + [platform.lat])
    lon = np.array([p.lon for p in producers] + [c.lon for c in canteens] + [platform.lon])
    return Territory(scenario, demand, meals, ids, travel_seconds(lat, lon))
