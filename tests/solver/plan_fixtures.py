"""A tiny territory and a valid hand-made purchase plan for the checker, indicators,
explanations and exports tests.

Two kitchens (k1, k2, both on the platform round), three producers, one wholesaler, three
weeks of September 2025 (Tuesday deliveries):

* ``farm_a`` (BIO carrots, 2.00 EUR/kg, 40 kg/week, self-delivery + platform, min 10 kg):
  delivers k1 directly (15 min drive) 20 kg/week; k2 (40 min away) gets 15 kg/week by the
  platform (2.40 EUR/kg with the 20 % margin);
* ``farm_b`` (lamb, offer labels IGP + LABEL_ROUGE, 15 EUR/kg, every 2 weeks, min 100 EUR):
  delivers k1 12 kg in weeks 1 and 3; k2's lamb (10 kg in weeks 1 and 3) comes from the
  wholesaler at 11 EUR/kg;
* ``farm_c`` (HVE lentils, storable 28 days, 3.00 EUR/kg, platform only, min 50 kg pooled):
  k1 and k2 each buy 30 kg in week 1 for 10 kg/week of demand (pooled pickup 60 kg);
* the wholesaler sells k1 80 yoghurts (0.125 kg each, 0.30 EUR) every week, on Mondays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from solver.core import (
    Canteen,
    Channel,
    ColdChain,
    DeliveryMode,
    Family,
    Label,
    Offer,
    Platform,
    Producer,
    Product,
    PurchaseLine,
    PurchasePlan,
    ReferenceOffer,
    Scenario,
    Settings,
    Unit,
    Van,
    Weekday,
)
from solver.prepare import Eligibility

W1, W2, W3 = dt.date(2025, 9, 1), dt.date(2025, 9, 8), dt.date(2025, 9, 15)
WEEKS = (W1, W2, W3)
TUE = dt.timedelta(days=1)


#: Where every place of the tiny territory lies (distances come from :func:`eligibility`).
HERE = {"lat": 44.2, "lon": 5.9}


def products() -> tuple[Product, ...]:
    """Carrots, chilled lamb, storable lentils and yoghurts sold by the piece."""
    return (
        Product(id="carrot", name="Carotte", family=Family.FRUITS_ET_LEGUMES),
        Product(
            id="lamb",
            name="Agneau",
            family=Family.VIANDES_VOLAILLES,
            cold_chain=ColdChain.CHILLED,
        ),
        Product(
            id="lentils", name="Lentilles", family=Family.AUTRES, storable=True, shelf_life_days=28
        ),
        Product(
            id="yogurt",
            name="Yaourt",
            family=Family.PRODUITS_LAITIERS,
            unit=Unit.PIECE,
            kg_per_unit=0.125,
            cold_chain=ColdChain.CHILLED,
        ),
    )


def producers() -> tuple[Producer, ...]:
    """farm_a (BIO, direct + platform), farm_b (fortnightly lamb), farm_c (platform only)."""
    return (
        Producer(
            id="farm_a",
            name="Ferme A",
            labels=(Label.BIO,),
            delivery_modes=(DeliveryMode.SELF_DELIVERY, DeliveryMode.PLATFORM),
            min_order_kg=10,
            **HERE,
        ),
        Producer(
            id="farm_b",
            name="Bergerie B",
            labels=(Label.FERMIER,),
            delivery_weekdays=(Weekday.TUE,),
            deliveries_per_week=1,
            delivery_every_n_weeks=2,
            min_order_eur=100,
            **HERE,
        ),
        Producer(
            id="farm_c",
            name="Lentilles C",
            labels=(Label.HVE,),
            delivery_modes=(DeliveryMode.PLATFORM,),
            min_order_kg=50,
            **HERE,
        ),
    )


def offers() -> tuple[Offer, ...]:
    """One offer per producer; farm_b's lamb carries its own labels."""
    return (
        Offer(
            producer_id="farm_a", product_id="carrot", price_eur_per_unit=2.0, weekly_capacity=40
        ),
        Offer(
            producer_id="farm_b",
            product_id="lamb",
            price_eur_per_unit=15.0,
            weekly_capacity=30,
            labels=(Label.IGP, Label.LABEL_ROUGE),
        ),
        Offer(
            producer_id="farm_c", product_id="lentils", price_eur_per_unit=3.0, weekly_capacity=100
        ),
    )


def canteens() -> tuple[Canteen, ...]:
    """k1 and k2, both on the platform round, both buying from the wholesaler ``ws``."""
    return (
        Canteen(
            id="k1",
            name="Cantine 1",
            on_platform_round=True,
            reference_supplier_id="ws",
            siret="21050118000011",
            **HERE,
        ),
        Canteen(
            id="k2",
            name="Cantine 2",
            on_platform_round=True,
            reference_supplier_id="ws",
            siret="21050118000029",
            **HERE,
        ),
    )


def reference_offers() -> tuple[ReferenceOffer, ...]:
    """The wholesaler's price of every product."""
    prices = {"carrot": 1.2, "lamb": 11.0, "lentils": 2.0, "yogurt": 0.3}
    return tuple(
        ReferenceOffer(
            supplier_id="ws", supplier_name="Grossiste", product_id=pid, price_eur_per_unit=price
        )
        for pid, price in prices.items()
    )


def platform() -> Platform:
    """The platform: a Tuesday round, a 20 % margin, one 500 kg van."""
    return Platform(
        id="plat",
        name="Plateforme",
        round_weekdays=(Weekday.TUE,),
        margin_pct=20,
        vans=(Van(id="van", capacity_kg=500),),
        **HERE,
    )


def scenario() -> Scenario:
    """The tiny territory."""
    return Scenario(
        settings=Settings(start_date=W1, horizon_weeks=3),
        products=products(),
        producers=producers(),
        offers=offers(),
        canteens=canteens(),
        reference_offers=reference_offers(),
        platforms=(platform(),),
    )


def eligibility() -> Eligibility:
    """farm_a and farm_b reach k1 directly; farm_a is 40 min from k2; a and c on the round."""
    return Eligibility(
        direct={("farm_a", "k1"): 900, ("farm_b", "k1"): 1200, ("farm_a", "k2"): 2400},
        platform_producers=frozenset({"farm_a", "farm_c"}),
        platform_kitchens=frozenset({"k1", "k2"}),
        travel_source="estimate",
        estimated=True,
    )


def demand() -> pd.DataFrame:
    """Weekly demand of the two kitchens (kg; yoghurts in pieces)."""
    rows = []
    for w in WEEKS:
        rows += [
            ("k1", w, "carrot", 20.0, 20.0),
            ("k2", w, "carrot", 15.0, 15.0),
            ("k1", w, "lentils", 10.0, 10.0),
            ("k2", w, "lentils", 10.0, 10.0),
            ("k1", w, "yogurt", 80.0, 10.0),
        ]
    for w in (W1, W3):
        rows += [("k1", w, "lamb", 12.0, 12.0), ("k2", w, "lamb", 10.0, 10.0)]
    df = pd.DataFrame(
        rows, columns=["kitchen_id", "week_start", "product_id", "quantity", "demand_kg"]
    )
    df["source"] = "direct"
    return df


def meals() -> pd.DataFrame:
    """100 meals a week at k1, 80 at k2."""
    rows = [(k, w, m, 4) for w in WEEKS for k, m in (("k1", 100), ("k2", 80))]
    return pd.DataFrame(rows, columns=["kitchen_id", "week_start", "meals", "service_days"])


def line(
    week: dt.date,
    kitchen: str,
    supplier: str,
    product: str,
    quantity: float,
    price: float,
    channel: Channel,
    *,
    labels: tuple[Label, ...] = (),
    kg_per_unit: float = 1.0,
    day: int = 1,
    local: bool | None = None,
    value: float | None = None,
) -> PurchaseLine:
    """A purchase line with value and kg computed from quantity (delivered on ``week + day``)."""
    return PurchaseLine(
        week_start=week,
        delivery_date=week + dt.timedelta(days=day),
        kitchen_id=kitchen,
        supplier_id=supplier,
        product_id=product,
        quantity=quantity,
        quantity_kg=quantity * kg_per_unit,
        unit_price_eur=price,
        value_eur=quantity * price if value is None else value,
        labels=labels,
        channel=channel,
        local=channel is not Channel.REFERENCE if local is None else local,
    )


LAMB_LABELS = (Label.IGP, Label.LABEL_ROUGE)
Lines = list[PurchaseLine]


def plan_lines() -> list[PurchaseLine]:
    """The valid plan's lines."""
    lines = []
    for w in WEEKS:
        lines.append(
            line(w, "k1", "farm_a", "carrot", 20, 2.0, Channel.DIRECT, labels=(Label.BIO,))
        )
        lines.append(
            line(w, "k2", "farm_a", "carrot", 15, 2.4, Channel.PLATFORM, labels=(Label.BIO,))
        )
        lines.append(
            line(w, "k1", "ws", "yogurt", 80, 0.3, Channel.REFERENCE, kg_per_unit=0.125, day=0)
        )
    for w in (W1, W3):
        lines.append(line(w, "k1", "farm_b", "lamb", 12, 15.0, Channel.DIRECT, labels=LAMB_LABELS))
        lines.append(line(w, "k2", "ws", "lamb", 10, 11.0, Channel.REFERENCE, day=0))
    for k in ("k1", "k2"):
        lines.append(
            line(W1, k, "farm_c", "lentils", 30, 3.6, Channel.PLATFORM, labels=(Label.HVE,))
        )
    return lines


def plan(lines: list[PurchaseLine] | None = None) -> PurchasePlan:
    """The valid plan (or a plan of ``lines`` over the same weeks)."""
    return PurchasePlan(weeks=WEEKS, lines=tuple(plan_lines() if lines is None else lines))


def replace_line(lines: Lines, match: Callable[[PurchaseLine], bool], **update: object) -> Lines:
    """Lines with every matching line updated (value and kg recomputed unless given)."""
    out = []
    for ln in lines:
        if match(ln):
            new = ln.model_copy(update=update)
            if "value_eur" not in update:
                new = new.model_copy(update={"value_eur": new.quantity * new.unit_price_eur})
            if "quantity_kg" not in update and "quantity" in update:
                new = new.model_copy(
                    update={"quantity_kg": new.quantity * ln.quantity_kg / ln.quantity}
                )
            ln = new
        out.append(ln)
    return out


def is_(
    kitchen: str, product: str, week: dt.date | None = None, channel: Channel | None = None
) -> Callable[[PurchaseLine], bool]:
    """Match lines of a kitchen and product (and optionally week and channel)."""
    return lambda ln: (
        ln.kitchen_id == kitchen
        and ln.product_id == product
        and (week is None or ln.week_start == week)
        and (channel is None or ln.channel is channel)
    )


def with_producer(sc: Scenario, pid: str, **update: object) -> Scenario:
    """Scenario with one producer changed."""
    return sc.model_copy(
        update={
            "producers": tuple(
                p.model_copy(update=update) if p.id == pid else p for p in sc.producers
            )
        }
    )


def with_offer(sc: Scenario, pid: str, product: str, **update: object) -> Scenario:
    """Scenario with one offer changed."""
    return sc.model_copy(
        update={
            "offers": tuple(
                o.model_copy(update=update) if o.key == (pid, product) else o for o in sc.offers
            )
        }
    )


def with_canteen(sc: Scenario, kid: str, **update: object) -> Scenario:
    """Scenario with one canteen changed."""
    return sc.model_copy(
        update={
            "canteens": tuple(
                c.model_copy(update=update) if c.id == kid else c for c in sc.canteens
            )
        }
    )


def with_product(sc: Scenario, pid: str, **update: object) -> Scenario:
    """Scenario with one product changed."""
    return sc.model_copy(
        update={
            "products": tuple(
                p.model_copy(update=update) if p.id == pid else p for p in sc.products
            )
        }
    )
