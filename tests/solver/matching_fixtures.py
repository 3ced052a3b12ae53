"""Tiny hand-made sourcing instances built in code (no files), for the matching tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solver.core import (
    Canteen,
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
    TargetMode,
    Van,
    Weekday,
)
from solver.prepare import Eligibility, build_eligibility

MONDAY = dt.date(2025, 9, 8)  # a September Monday (its Thursday is in September too)
LAT, LON = 44.2, 5.9


def week(j: int) -> dt.date:
    """Monday of week ``j`` after :data:`MONDAY`."""
    return MONDAY + dt.timedelta(weeks=j)


def product(pid: str, **kw: object) -> Product:
    """A kg product of the vegetable family unless told otherwise."""
    return Product(id=pid, name=pid, family=kw.pop("family", Family.FRUITS_ET_LEGUMES), **kw)  # type: ignore[arg-type]


def producer(pid: str, **kw: object) -> Producer:
    """A self-delivering producer at the centre, no minimum order unless told."""
    kw.setdefault(
        "delivery_weekdays", (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)
    )
    kw.setdefault("deliveries_per_week", 5)
    return Producer(id=pid, name=pid, lat=LAT, lon=LON, **kw)  # type: ignore[arg-type]


def canteen(cid: str, **kw: object) -> Canteen:
    """A kitchen with loose targets (0 %) unless told, a generous budget."""
    kw.setdefault("target_egalim_pct", 0.0)
    kw.setdefault("target_bio_pct", 0.0)
    kw.setdefault("target_meat_fish_egalim_pct", 0.0)
    kw.setdefault("target_local_pct", 0.0)
    kw.setdefault("budget_eur_per_meal", 100.0)
    kw.setdefault("meals_elementaire", 100)
    kw.setdefault("reference_supplier_id", "ref")
    return Canteen(id=cid, name=cid, lat=LAT, lon=LON, **kw)  # type: ignore[arg-type]


def offer(pid: str, prod: str, price: float, cap: float = 1000.0, **kw: object) -> Offer:
    """An offer available all year unless told."""
    return Offer(
        producer_id=pid, product_id=prod, price_eur_per_unit=price, weekly_capacity=cap, **kw
    )  # type: ignore[arg-type]


@dataclass
class Instance:
    """A scenario with its demand, meals and eligibility."""

    scenario: Scenario
    demand: pd.DataFrame
    meals: pd.DataFrame
    eligibility: Eligibility


def instance(
    *,
    products: Sequence[Product],
    producers: Sequence[Producer],
    offers: Sequence[Offer],
    canteens: Sequence[Canteen],
    demand: dict[tuple[str, int, str], float],
    ref_prices: dict[str, float],
    ref_labels: dict[str, tuple[Label, ...]] | None = None,
    drive_min: dict[tuple[str, str], float] | None = None,
    platform: Platform | None = None,
    target_mode: TargetMode = TargetMode.SOFT,
    n_weeks: int | None = None,
) -> Instance:
    """Build an instance: ``demand[(kitchen, week index, product)] = units``.

    Every pair is 10 minutes apart unless ``drive_min`` says otherwise.
    """
    ref_labels = ref_labels or {}
    scenario = Scenario(
        settings=Settings(start_date=MONDAY, target_mode=target_mode),
        products=tuple(products),
        producers=tuple(producers),
        offers=tuple(offers),
        canteens=tuple(canteens),
        reference_offers=tuple(
            ReferenceOffer(
                supplier_id="ref",
                supplier_name="Grossiste",
                product_id=p,
                price_eur_per_unit=v,
                labels=ref_labels.get(p, ()),
            )
            for p, v in ref_prices.items()
        ),
        platforms=(platform,) if platform else (),
    )
    last = max(w for _, w, _ in demand) + 1 if n_weeks is None else n_weeks
    rows = [
        {
            "kitchen_id": k,
            "week_start": week(w),
            "product_id": p,
            "quantity": q,
            "demand_kg": q,
            "source": "direct",
        }
        for (k, w, p), q in demand.items()
    ]
    meals = [
        {"kitchen_id": c.id, "week_start": week(w), "meals": 400, "service_days": 4}
        for c in canteens
        for w in range(last)
    ]
    ids = [p.id for p in producers] + [c.id for c in canteens] + ([platform.id] if platform else [])
    seconds = np.full((len(ids), len(ids)), 600.0)
    np.fill_diagonal(seconds, 0.0)
    pos = {x: i for i, x in enumerate(ids)}
    for (a, b), minutes in (drive_min or {}).items():
        seconds[pos[a], pos[b]] = seconds[pos[b], pos[a]] = minutes * 60.0
    elig = build_eligibility(scenario, ids, seconds, travel_source="test", estimated=True)
    return Instance(scenario, pd.DataFrame(rows), pd.DataFrame(meals), elig)


def platform(**kw: object) -> Platform:
    """A platform at the centre with one 1 t refrigerated van, round on Tuesday."""
    kw.setdefault("vans", (Van(id="v", capacity_kg=1000.0),))
    kw.setdefault("margin_pct", 20.0)
    return Platform(id="PF", name="platform", lat=LAT, lon=LON, **kw)  # type: ignore[arg-type]


__all__ = [
    "DeliveryMode",
    "Instance",
    "Label",
    "canteen",
    "instance",
    "offer",
    "platform",
    "producer",
    "product",
    "week",
]
