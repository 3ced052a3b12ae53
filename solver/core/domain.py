"""Pure domain model of racines: what a scenario is made of.

No solver, web or geodata import may appear here. Every model is a frozen pydantic
model (``model_copy(update=...)`` builds variants); every quantity carries its unit in
its name. Labels and product families are the ma-cantine enums
(``betagouv/ma-cantine:data/models/purchase.py``).

Times of day are minutes since midnight (``receiving_start_min = 390`` is 06:30).
Weekdays are ISO numbers, Monday = 1 ... Sunday = 7. Months are 1..12. Every number is
finite: ``inf`` and ``nan`` are refused wherever a model is validated (CSV, JSON, TOML).
"""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

# --------------------------------------------------------------------------- enums


class Family(StrEnum):
    """ma-cantine product families (``Purchase.Family``)."""

    VIANDES_VOLAILLES = "VIANDES_VOLAILLES"
    CHARCUTERIE = "CHARCUTERIE"
    PRODUITS_DE_LA_MER = "PRODUITS_DE_LA_MER"
    FRUITS_ET_LEGUMES = "FRUITS_ET_LEGUMES"
    PRODUITS_LAITIERS = "PRODUITS_LAITIERS"
    BOULANGERIE = "BOULANGERIE"
    BOISSONS = "BOISSONS"
    AUTRES = "AUTRES"


#: Families that make up the EGALIM "viandes, volailles et produits de la mer" share (>= 60 %).
MEAT_AND_FISH_FAMILIES: frozenset[Family] = frozenset(
    {Family.VIANDES_VOLAILLES, Family.PRODUITS_DE_LA_MER}
)


class Label(StrEnum):
    """ma-cantine EGALIM characteristics (``Purchase.Characteristic``), quality signs only."""

    BIO = "BIO"
    LABEL_ROUGE = "LABEL_ROUGE"
    AOCAOP = "AOCAOP"
    IGP = "IGP"
    STG = "STG"
    HVE = "HVE"
    PECHE_DURABLE = "PECHE_DURABLE"
    RUP = "RUP"
    COMMERCE_EQUITABLE = "COMMERCE_EQUITABLE"
    FERMIER = "FERMIER"
    EXTERNALITES = "EXTERNALITES"
    PERFORMANCE = "PERFORMANCE"


class EgalimGroup(StrEnum):
    """The group a euro is counted in, once, in ma-cantine's order."""

    BIO = "bio"
    SIQO = "siqo"
    EXTERNALITES_PERFORMANCE = "externalites_performance"
    EGALIM_AUTRES = "egalim_autres"
    NON_EGALIM = "non_egalim"


_SIQO = frozenset({Label.LABEL_ROUGE, Label.AOCAOP, Label.IGP, Label.STG})
_EXT_PERF = frozenset({Label.EXTERNALITES, Label.PERFORMANCE})
_AUTRES = frozenset(
    {Label.HVE, Label.PECHE_DURABLE, Label.RUP, Label.FERMIER, Label.COMMERCE_EQUITABLE}
)


def egalim_group(labels: frozenset[Label] | set[Label] | tuple[Label, ...]) -> EgalimGroup:
    """Return the single group a purchase with ``labels`` counts in.

    ma-cantine (``Purchase.aggregated_stats``) counts each euro once, at the highest
    group: bio > SIQO > externalités/performance > autres EGALIM.
    """
    s = frozenset(labels)
    if Label.BIO in s:
        return EgalimGroup.BIO
    if s & _SIQO:
        return EgalimGroup.SIQO
    if s & _EXT_PERF:
        return EgalimGroup.EXTERNALITES_PERFORMANCE
    if s & _AUTRES:
        return EgalimGroup.EGALIM_AUTRES
    return EgalimGroup.NON_EGALIM


class Unit(StrEnum):
    """Purchase unit of a product."""

    KG = "kg"
    L = "L"
    PIECE = "piece"


class ColdChain(StrEnum):
    """Cold-chain class: chilled and frozen goods only travel in refrigerated vans."""

    AMBIENT = "ambient"
    CHILLED = "chilled"
    FROZEN = "frozen"


#: Cold-chain classes that need a refrigerated van (as plain strings).
COLD: frozenset[str] = frozenset({ColdChain.CHILLED.value, ColdChain.FROZEN.value})


class Management(StrEnum):
    """How a canteen is run (seeds: régie, gestion concédée, central kitchen and satellites)."""

    REGIE = "regie"
    CONCEDEE = "concedee"
    CUISINE_CENTRALE = "cuisine_centrale"
    SATELLITE = "satellite"


class BuyerKind(StrEnum):
    """What a canteen feeds, which decides its calendar (:func:`solver.core.service_days`).

    A school follows the school calendar of its zone; any other buyer (a holiday centre,
    a nursing home) serves on its service weekdays in its open months, school and public
    holidays included.
    """

    SCHOOL = "school"
    HOLIDAY_CENTRE = "holiday_centre"
    NURSING_HOME = "nursing_home"
    OTHER = "other"


class DeliveryMode(StrEnum):
    """How a producer's goods reach a kitchen."""

    SELF_DELIVERY = "self_delivery"
    PLATFORM = "platform"
    FARM_PICKUP = "farm_pickup"
    CARRIER = "carrier"


class AgeGroup(StrEnum):
    """Age groups with their own portion sizes (GEMRCN)."""

    MATERNELLE = "maternelle"
    ELEMENTAIRE = "elementaire"
    ADULTE = "adulte"


class SchoolZone(StrEnum):
    """French school-holiday zone (04/05 = B, 26 = A)."""

    A = "A"
    B = "B"
    C = "C"


class Weekday(IntEnum):
    """ISO weekday number."""

    MON = 1
    TUE = 2
    WED = 3
    THU = 4
    FRI = 5
    SAT = 6
    SUN = 7


class ObjectiveMode(StrEnum):
    """What the sourcing model optimises."""

    MIN_COST = "min_cost"
    MAX_LOCAL = "max_local"


class TargetMode(StrEnum):
    """Whether EGALIM targets and budget are penalised goals or hard constraints."""

    SOFT = "soft"
    HARD = "hard"


class RegularityScope(StrEnum):
    """Whose weekly volume the regularity penalty keeps stable."""

    PRODUCER_KITCHEN = "producer_kitchen"  # each producer's kg to each kitchen
    PRODUCER = "producer"  # each producer's kg, all kitchens together


# --------------------------------------------------------------------------- helpers

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
Pct = Annotated[float, Field(ge=0.0, le=100.0)]
MinuteOfDay = Annotated[int, Field(ge=0, le=24 * 60)]

#: Bounding box of metropolitan France and Corsica (degrees, generous by ~0.3 deg).
FRANCE_LAT_RANGE = (41.0, 51.6)
FRANCE_LON_RANGE = (-5.6, 10.0)


def in_france(lat: float, lon: float) -> bool:
    """True when (lat, lon) lies inside metropolitan France's bounding box."""
    return (
        FRANCE_LAT_RANGE[0] <= lat <= FRANCE_LAT_RANGE[1]
        and FRANCE_LON_RANGE[0] <= lon <= FRANCE_LON_RANGE[1]
    )


class _Frozen(BaseModel):
    """Base of every domain model: immutable, no unknown field, every number finite."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", use_enum_values=False, allow_inf_nan=False
    )


class Located(_Frozen):
    """Something with a point (WGS84 degrees) and, optionally, its commune."""

    lat: float = Field(ge=-90, le=90, description="Latitude, WGS84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS84 degrees.")
    commune_insee: str = Field(default="", description="INSEE code of the commune, e.g. 04209.")
    commune: str = Field(default="", description="Commune name, for humans.")

    @model_validator(mode="after")
    def _in_france(self) -> Located:
        if not in_france(self.lat, self.lon):
            msg = f"lat/lon ({self.lat}, {self.lon}) lies outside France"
            raise ValueError(msg)
        return self


# --------------------------------------------------------------------------- inputs


class Product(_Frozen):
    """A purchasable product.

    ``raw_to_cooked_ratio`` is cooked mass / raw mass (Ecobalyse ``rawToCookedRatio``:
    0.856 vegetables, 2.259 pasta, 0.792 beef; 1.0 for products served as bought);
    ``inedible_share`` is the non-edible fraction of the purchased mass (peel, bones).
    """

    id: Id
    name: str = Field(min_length=1)
    family: Family
    unit: Unit = Unit.KG
    kg_per_unit: float = Field(default=1.0, gt=0, description="Mass of one unit, kg.")
    storable: bool = False
    shelf_life_days: int = Field(default=7, ge=1)
    cold_chain: ColdChain = ColdChain.AMBIENT
    raw_to_cooked_ratio: float = Field(default=1.0, gt=0)
    inedible_share: float = Field(default=0.0, ge=0, lt=1)

    @property
    def is_meat_or_fish(self) -> bool:
        """Counts in the EGALIM meat-and-fish share."""
        return self.family in MEAT_AND_FISH_FAMILIES

    def raw_kg_per_served_g(self, served_g: float) -> float:
        """Purchased kg for one portion of ``served_g`` grams served.

        ``raw = served / raw_to_cooked_ratio / (1 - inedible_share)`` (domain-facts §1.4).
        """
        return served_g / self.raw_to_cooked_ratio / (1.0 - self.inedible_share) / 1000.0


class Producer(Located):
    """A farm (or a producer's workshop) that may supply canteens."""

    id: Id
    name: str = Field(min_length=1)
    labels: tuple[Label, ...] = ()
    delivery_modes: tuple[DeliveryMode, ...] = (DeliveryMode.SELF_DELIVERY,)
    delivery_weekdays: tuple[Weekday, ...] = (Weekday.TUE, Weekday.THU)
    deliveries_per_week: int = Field(default=2, ge=1, le=7, description="Max drops per week.")
    delivery_every_n_weeks: int = Field(
        default=1, ge=1, le=52, description="1 = every week, 2 = fortnightly, 4 = monthly."
    )
    max_drive_min: float = Field(default=30.0, gt=0, description="Max one-way drive, minutes.")
    min_order_kg: float = Field(default=0.0, ge=0, description="Minimum per drop, kg.")
    min_order_eur: float = Field(default=0.0, ge=0, description="Minimum per drop, EUR excl. VAT.")
    pickup_start_min: MinuteOfDay = 7 * 60
    pickup_end_min: MinuteOfDay = 18 * 60
    group: str = Field(default="", description="Producer group (GIEE, cooperative), if any.")

    @model_validator(mode="after")
    def _window(self) -> Producer:
        if self.pickup_end_min <= self.pickup_start_min:
            msg = (
                f"pickup_end_min ({self.pickup_end_min}) must be after "
                f"pickup_start_min ({self.pickup_start_min})"
            )
            raise ValueError(msg)
        return self


class Offer(_Frozen):
    """What a producer offers of one product: price, capacity, season, labels."""

    producer_id: Id
    product_id: Id
    price_eur_per_unit: float = Field(gt=0, description="EUR excl. VAT per purchase unit.")
    weekly_capacity: float = Field(gt=0, description="Units per week, shared by all canteens.")
    months: tuple[int, ...] = Field(
        default=tuple(range(1, 13)), description="Months (1..12) when the offer is available."
    )
    labels: tuple[Label, ...] | None = Field(
        default=None, description="Labels of this product; None = the producer's labels."
    )
    min_lot: float = Field(default=0.0, ge=0, description="Minimum units per order line.")
    capacity_by_month: tuple[tuple[int, float], ...] = Field(
        default=(), description="(month, weekly capacity) overrides within the season."
    )

    @field_validator("months")
    @classmethod
    def _months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v:
            msg = "months is empty: the product is offered out of any season"
            raise ValueError(msg)
        bad = [m for m in v if not 1 <= m <= 12]
        if bad:
            shown = ", ".join(str(m) for m in bad[:5]) + (", ..." if len(bad) > 5 else "")
            msg = f"months must be 1..12, got {shown}"
            raise ValueError(msg)
        return tuple(sorted(set(v)))

    @property
    def key(self) -> tuple[str, str]:
        """(producer_id, product_id)."""
        return (self.producer_id, self.product_id)

    def capacity_in_month(self, month: int) -> float:
        """Weekly capacity in ``month`` (0 out of season)."""
        if month not in self.months:
            return 0.0
        for m, cap in self.capacity_by_month:
            if m == month:
                return cap
        return self.weekly_capacity


class Canteen(Located):
    """A school canteen (a place where meals are served) and, unless it is a
    satellite, the kitchen that buys for it."""

    id: Id
    name: str = Field(min_length=1)
    siret: str = Field(
        default="", pattern=r"^(\d{14})?$", description="SIRET, for the ma-cantine export."
    )
    management: Management = Management.REGIE
    kitchen_id: str = Field(
        default="", description="Central kitchen that cooks for this satellite; empty = itself."
    )
    meals_maternelle: int = Field(default=0, ge=0, description="Meals per service day.")
    meals_elementaire: int = Field(default=0, ge=0, description="Meals per service day.")
    meals_adulte: int = Field(default=0, ge=0, description="Meals per service day.")
    service_weekdays: tuple[Weekday, ...] = (Weekday.MON, Weekday.TUE, Weekday.THU, Weekday.FRI)
    school_zone: SchoolZone = SchoolZone.B
    delivery_weekdays: tuple[Weekday, ...] = (
        Weekday.MON,
        Weekday.TUE,
        Weekday.WED,
        Weekday.THU,
        Weekday.FRI,
    )
    receiving_start_min: MinuteOfDay = 6 * 60 + 30
    receiving_end_min: MinuteOfDay = 10 * 60
    storage_chilled_kg: float = Field(default=200.0, ge=0)
    storage_ambient_kg: float = Field(default=300.0, ge=0)
    budget_eur_per_meal: float = Field(default=3.10, gt=0)
    target_egalim_pct: Pct = 50.0
    target_bio_pct: Pct = 20.0
    target_meat_fish_egalim_pct: Pct = 60.0
    target_local_pct: Pct = 20.0
    max_deliveries_per_week: int = Field(default=5, ge=1, le=35)
    radius_min: float | None = Field(
        default=None, gt=0, description="Eligibility radius, minutes; None = scenario default."
    )
    on_platform_round: bool = False
    reference_supplier_id: str = ""
    menu_cycle_id: str = Field(default="", description="Menu cycle it eats; empty = default.")
    order_weekday: Weekday | None = Field(
        default=None,
        description="Day the kitchen sends its orders (the last one before each delivery); "
        "empty = no fixed day.",
    )
    order_cutoff_min: MinuteOfDay | None = Field(
        default=None,
        description="Time of day orders are due on order_weekday; empty = end of the day.",
    )
    kind: BuyerKind = Field(
        default=BuyerKind.SCHOOL,
        description="school (school calendar of its zone), holiday_centre, nursing_home or "
        "other (open in its open_months, holidays included).",
    )
    open_months: tuple[int, ...] = Field(
        default=(), description="Months (1..12) it serves meals; empty = all year."
    )
    platform_id: str = Field(
        default="",
        description="Platform whose round delivers it (on_platform_round); empty = the "
        "nearest platform whose catchment reaches it.",
    )

    @field_validator("open_months")
    @classmethod
    def _open_months(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        bad = [m for m in v if not 1 <= m <= 12]
        if bad:
            msg = f"open_months must be 1..12, got {', '.join(str(m) for m in bad[:5])}"
            raise ValueError(msg)
        return tuple(sorted(set(v)))

    @property
    def follows_school_calendar(self) -> bool:
        """True for a school: it serves on the school days of its zone only."""
        return self.kind is BuyerKind.SCHOOL

    @property
    def meals_per_day(self) -> int:
        """Meals served on a service day, all age groups."""
        return self.meals_maternelle + self.meals_elementaire + self.meals_adulte

    @property
    def purchasing_kitchen_id(self) -> str:
        """Id of the kitchen that buys for this canteen."""
        return self.kitchen_id or self.id

    @model_validator(mode="after")
    def _window(self) -> Canteen:
        if self.receiving_end_min <= self.receiving_start_min:
            msg = (
                f"receiving_end_min ({self.receiving_end_min}) must be after "
                f"receiving_start_min ({self.receiving_start_min})"
            )
            raise ValueError(msg)
        return self


class MenuItem(_Frozen):
    """One ingredient of one dish of one day of a menu cycle, with served grams per portion."""

    cycle_id: str = "default"
    week: int = Field(ge=1, description="Week of the cycle, 1..N.")
    weekday: Weekday
    dish: str = Field(min_length=1)
    product_id: Id
    served_g_maternelle: float = Field(ge=0)
    served_g_elementaire: float = Field(ge=0)
    served_g_adulte: float = Field(ge=0)
    vegetarian: bool = False

    def served_g(self, age: AgeGroup) -> float:
        """Served grams per portion for ``age``."""
        return {
            AgeGroup.MATERNELLE: self.served_g_maternelle,
            AgeGroup.ELEMENTAIRE: self.served_g_elementaire,
            AgeGroup.ADULTE: self.served_g_adulte,
        }[age]


class DirectDemand(_Frozen):
    """A canteen's weekly demand given directly (instead of from menus)."""

    canteen_id: Id
    week_start: dt.date = Field(description="Monday of the week.")
    product_id: Id
    quantity: float = Field(ge=0, description="Purchase units for that week.")

    @field_validator("week_start")
    @classmethod
    def _monday(cls, v: dt.date) -> dt.date:
        if v.isoweekday() != 1:
            msg = f"week_start {v.isoformat()} is not a Monday"
            raise ValueError(msg)
        return v


class ReferenceOffer(_Frozen):
    """The reference wholesaler's price for a product (the fallback for what is not local)."""

    supplier_id: Id
    supplier_name: str = ""
    product_id: Id
    price_eur_per_unit: float = Field(gt=0)
    labels: tuple[Label, ...] = ()


class Van(_Frozen):
    """A vehicle of the platform."""

    id: Id
    capacity_kg: float = Field(gt=0)
    refrigerated: bool = True
    cost_eur_per_km: float = Field(default=0.35, ge=0)
    cost_eur_per_hour: float = Field(default=25.0, ge=0)
    co2_kg_per_km: float = Field(default=0.25, ge=0)
    shift_start_min: MinuteOfDay = 6 * 60
    shift_end_min: MinuteOfDay = 15 * 60
    max_shift_min: float = Field(default=9 * 60, gt=0)

    @model_validator(mode="after")
    def _window(self) -> Van:
        if self.shift_end_min <= self.shift_start_min:
            msg = (
                f"shift_end_min ({self.shift_end_min}) must be after "
                f"shift_start_min ({self.shift_start_min})"
            )
            raise ValueError(msg)
        return self


class Platform(Located):
    """A logistics platform (e.g. Échanges Paysans) with a depot and vans."""

    id: Id
    name: str = Field(min_length=1)
    round_weekdays: tuple[Weekday, ...] = (Weekday.TUE,)
    margin_pct: Pct = 20.0
    service_time_s: float = Field(default=300.0, ge=0, description="Fixed time per stop, s.")
    service_time_s_per_kg: float = Field(default=2.0, ge=0, description="Handling, s per kg.")
    catchment_min: float = Field(
        default=90.0, gt=0, description="Max drive from the depot to a stop, minutes."
    )
    vans: tuple[Van, ...] = ()
    order_weekday: Weekday | None = Field(
        default=None,
        description="Day kitchens' orders for the round are due (the last one before the "
        "round day); empty = each kitchen's own ordering day.",
    )
    order_cutoff_min: MinuteOfDay | None = Field(
        default=None,
        description="Time of day orders are due on order_weekday; empty = end of the day.",
    )


class TravelSettings(_Frozen):
    """Which travel-time source a scenario uses and the estimator's parameters."""

    source: str = Field(default="estimate", description="estimate | road | <engine name>.")
    road_file: str = Field(default="", description="OSM file (.osm/.osm.pbf/.graphml).")
    circuity: float = Field(default=1.40, ge=1.0, description="Road km / straight-line km.")
    speed_kmh: float = Field(default=55.0, gt=0, description="Mean rural speed, km/h.")
    access_time_s: float = Field(default=120.0, ge=0, description="Fixed time per trip, s.")


class Settings(_Frozen):
    """Scenario-wide settings (``settings.toml``)."""

    name: str = "scenario"
    description: str = ""
    start_date: dt.date = dt.date(2025, 9, 1)
    horizon_weeks: int = Field(default=4, ge=1, le=60)
    radius_min: float = Field(default=30.0, gt=0)
    objective: ObjectiveMode = ObjectiveMode.MIN_COST
    target_mode: TargetMode = TargetMode.SOFT
    time_limit_s: float = Field(default=60.0, gt=0)
    seed: int = 0
    default_menu_cycle: str = "default"
    travel: TravelSettings = TravelSettings()
    supplier_order_cost_eur: float = Field(
        default=0.0,
        ge=0,
        description="A kitchen's ordering effort: EUR per distinct supplier it orders from "
        "in a week (0 = not counted).",
    )
    regularity_eur_per_kg: float = Field(
        default=0.0,
        ge=0,
        description="EUR per kg of week-to-week change of a producer's volume (0 = off).",
    )
    regularity_scope: RegularityScope = Field(
        default=RegularityScope.PRODUCER_KITCHEN,
        description="Volume kept stable: per producer and kitchen, or per producer.",
    )
    synthetic: bool = Field(default=False, description="True when figures are generated.")

    @field_validator("start_date")
    @classmethod
    def _monday(cls, v: dt.date) -> dt.date:
        if v.isoweekday() != 1:
            msg = f"start_date {v.isoformat()} is not a Monday"
            raise ValueError(msg)
        return v


class Scenario(_Frozen):
    """A whole territory: the content of a scenario folder."""

    settings: Settings = Settings()
    products: tuple[Product, ...] = ()
    producers: tuple[Producer, ...] = ()
    offers: tuple[Offer, ...] = ()
    canteens: tuple[Canteen, ...] = ()
    menu: tuple[MenuItem, ...] = ()
    direct_demand: tuple[DirectDemand, ...] = ()
    reference_offers: tuple[ReferenceOffer, ...] = ()
    platforms: tuple[Platform, ...] = ()

    _by_id: dict[str, dict[str, object]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        """Index products, producers and canteens by id (derived, never serialised)."""
        for name in ("products", "producers", "canteens"):
            self._by_id[name] = {x.id: x for x in getattr(self, name)}

    def replace(self, **update: object) -> Scenario:
        """A copy with the fields of ``update`` replaced and its indices rebuilt
        (``model_copy(update=...)`` would keep the old id indices)."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        return Scenario(**{**fields, **update})

    def product(self, product_id: str) -> Product:
        """Product by id (KeyError when unknown)."""
        return self._by_id["products"][product_id]  # type: ignore[return-value]

    def producer(self, producer_id: str) -> Producer:
        """Producer by id (KeyError when unknown)."""
        return self._by_id["producers"][producer_id]  # type: ignore[return-value]

    def canteen(self, canteen_id: str) -> Canteen:
        """Canteen by id (KeyError when unknown)."""
        return self._by_id["canteens"][canteen_id]  # type: ignore[return-value]

    def offer_labels(self, offer: Offer) -> tuple[Label, ...]:
        """Labels of an offer (its own, else its producer's)."""
        if offer.labels is not None:
            return offer.labels
        return self.producer(offer.producer_id).labels

    def kitchens(self) -> tuple[Canteen, ...]:
        """Canteens that buy (all but satellites of a central kitchen)."""
        return tuple(c for c in self.canteens if c.purchasing_kitchen_id == c.id)
