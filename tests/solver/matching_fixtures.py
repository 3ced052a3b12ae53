"""Tiny hand-made sourcing instances built in code (no files), for the matching tests."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

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
from solver.sourcing import TargetPenalties, Tiebreak

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


NO_TIE = Tiebreak(per_delivery_eur=0.0, per_new_supplier_eur=0.0)
PEN = TargetPenalties(egalim=1.0, bio=1.0, meat_fish_egalim=0.0, local=0.0, budget=0.0)


SHAPES = {1: (2, 2, 2), 2: (3, 3, 1), 3: (1, 3, 3), 4: (2, 4, 1)}  # kitchens, producers, weeks


def random_instance(seed: int, capacity_scale: float = 1.0, weeks: int | None = None):  # type: ignore[no-untyped-def]
    """<= 3 kitchens, <= 4 producers, <= 3 weeks (at most 9 drop binaries), fresh products,
    kg minimum orders, shared capacities, one organic and one HVE producer, and 20 % organic
    + 30 % EGALIM targets; capacities times ``capacity_scale`` (below 1: kitchens compete
    for them); ``weeks`` replaces the shape's weeks (a longer horizon)."""
    rng = np.random.default_rng(seed)
    n_k, n_p, n_w = SHAPES[seed]
    n_w = n_w if weeks is None else weeks
    prods = ["carrot", "apple"]
    producers, offers, drops = [], [], {}
    for j in range(n_p):
        pid = f"P{j}"
        labels = (Label.BIO,) if j == 0 else ((Label.HVE,) if j == 1 else ())
        producers.append(producer(pid, labels=labels, min_order_kg=float(rng.integers(10, 60))))
        for prod in rng.choice(prods, size=int(rng.integers(1, 3)), replace=False):
            price = float(np.round(rng.uniform(0.8, 2.6), 2))
            cap = float(round(rng.integers(20, 90) * capacity_scale))
            offers.append(offer(pid, str(prod), price, cap=cap))
    canteens = [canteen(f"K{k}", target_bio_pct=20.0, target_egalim_pct=30.0) for k in range(n_k)]
    for p in producers:
        for c in canteens:
            drops[(p.id, c.id)] = float(np.round(rng.uniform(2.0, 25.0), 2))
    demand = {
        (c.id, w, prod): float(rng.integers(5, 45))
        for c in canteens
        for w in range(n_w)
        for prod in prods
    }
    inst = instance(
        products=[product(p) for p in prods],
        producers=producers,
        offers=offers,
        canteens=canteens,
        demand=demand,
        ref_prices={"carrot": 1.9, "apple": 2.2},
    )
    return inst, drops, n_w


def brute_force(inst, drops: dict[tuple[str, str], float], n_w: int) -> float:  # type: ignore[no-untyped-def]
    """Enumerate every drop pattern y[p, k, w] and solve the rest as an LP (scipy HiGHS)."""
    sc = inst.scenario
    kitchens = [c.id for c in sc.canteens]
    prods = sorted(
        {
            p
            for (_, _, p) in inst.demand[["kitchen_id", "week_start", "product_id"]].itertuples(
                index=False
            )
        }
    )
    dem = {(r.kitchen_id, r.week_start, r.product_id): r.quantity for r in inst.demand.itertuples()}
    weeks = sorted({r.week_start for r in inst.demand.itertuples()})
    bio = {p.id: Label.BIO in p.labels for p in sc.producers}
    egal = {p.id: bool(p.labels) for p in sc.producers}
    min_kg = {p.id: p.min_order_kg for p in sc.producers}
    ref = {r.product_id: r.price_eur_per_unit for r in sc.reference_offers}
    pairs = [(p.id, k) for p in sc.producers for k in kitchens]
    drop_keys = [(p, k, w) for (p, k) in pairs for w in weeks]
    best = np.inf
    for pattern in itertools.product((0, 1), repeat=len(drop_keys)):
        y = dict(zip(drop_keys, pattern, strict=True))
        # variables: x[o,k,w] then xr[k,i,w] then s_bio[k], s_egal[k]
        xs = [
            (o, k, w)
            for o in sc.offers
            for k in kitchens
            for w in weeks
            if y[(o.producer_id, k, w)]
        ]
        rs = [(k, i, w) for k in kitchens for i in prods for w in weeks]
        n = len(xs) + len(rs) + 2 * len(kitchens)
        c = np.zeros(n)
        for j, (o, _, _) in enumerate(xs):
            c[j] = o.price_eur_per_unit
        for j, (_, i, _) in enumerate(rs):
            c[len(xs) + j] = ref[i]
        c[len(xs) + len(rs) :] = 1.0  # penalties bio 1.0 and EGALIM 1.0 per missing EUR
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for k in kitchens:
            for i in prods:
                for w in weeks:
                    row = np.zeros(n)
                    for j, (o, kk, ww) in enumerate(xs):
                        if kk == k and ww == w and o.product_id == i:
                            row[j] = 1
                    row[len(xs) + rs.index((k, i, w))] = 1
                    a_eq.append(row)
                    b_eq.append(dem.get((k, w, i), 0.0))
        for o in sc.offers:
            for w in weeks:
                row = np.zeros(n)
                for j, (oo, _, ww) in enumerate(xs):
                    if oo is o and ww == w:
                        row[j] = 1
                a_ub.append(row)
                b_ub.append(o.weekly_capacity)
        for (p, k, w), on in y.items():
            if not on:
                continue
            row = np.zeros(n)
            for j, (o, kk, ww) in enumerate(xs):
                if o.producer_id == p and kk == k and ww == w:
                    row[j] = -1
            a_ub.append(row)
            b_ub.append(-min_kg[p])
        for kk_i, k in enumerate(kitchens):
            for flag, t, off in ((bio, 0.2, 0), (egal, 0.3, 1)):
                row = np.zeros(n)  # -(sum (e - t) V) - s <= 0
                for j, (o, kk, _) in enumerate(xs):
                    if kk == k:
                        row[j] = -(float(flag[o.producer_id]) - t) * o.price_eur_per_unit
                for j, (kk, i, _) in enumerate(rs):
                    if kk == k:
                        row[len(xs) + j] = t * ref[i]
                row[len(xs) + len(rs) + 2 * kk_i + off] = -1
                a_ub.append(row)
                b_ub.append(0.0)
        res = linprog(
            c, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=np.array(a_eq), b_eq=b_eq, method="highs"
        )
        if res.status == 0:
            total = res.fun + sum(drops[(p, k)] for (p, k, _), on in y.items() if on)
            best = min(best, total)
    return float(best)
