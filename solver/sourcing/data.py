"""Arrays the sourcing model is built from: demand, offers, channels, costs, targets.

Everything the model needs is turned here, once, into dense numpy arrays indexed by
kitchen ``k``, product ``i``, producer ``p``, offer ``o`` (a producer x product) and
calendar week ``w``; :mod:`solver.sourcing.model` then builds every window's rows with
vectorised numpy, never per-arc Python callbacks. See :mod:`solver.sourcing.solve` for the
maths.

Conventions written down here (and in the module docstring of :mod:`solver.sourcing.solve`):

* **Weeks** are every Monday from the first to the last week of the demand (holiday weeks
  included, with zero demand), so that stock and "every n weeks" count calendar weeks.
* **A week's month** is the month of its Thursday (the month holding most of its days,
  ISO 8601's rule); it selects ``Offer.capacity_in_month``.
* **Stock** of a storable product at the end of week ``w`` may cover the demand of the next
  ``L = floor(shelf_life_days / 7)`` weeks at most; fresh products (``storable=False`` or
  ``L = 0``) are bought in the week they are used. ``reach[k, i, w]`` is the most a kitchen
  can usefully buy in week ``w``: the week's demand plus what may be stocked.
* **Logistics estimate** (EUR, an estimate the rounds module refines later):
  a direct drop or farm pickup costs a round trip, ``2 * drive_h * eur_per_hour +
  2 * drive_km * eur_per_km`` with ``drive_km = drive_h * speed_kmh`` (scenario travel
  settings) and the rates of the platform's first van (else :class:`Van`'s defaults,
  0.35 EUR/km and 25 EUR/h). On the platform, the margin is the logistics price (the
  platform's price is ``producer price * (1 + margin)``); a pickup or a kitchen stop adds
  only its handling time, ``service_time_s * eur_per_hour``. Both can be overridden.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from solver.core import (
    Channel,
    ColdChain,
    DeliveryMode,
    EgalimGroup,
    Label,
    Scenario,
    Van,
    egalim_group,
)
from solver.prepare import Eligibility

__all__ = ["LogisticsOverrides", "MatchData", "TargetPenalties", "build_match_data", "week_month"]

logger = logging.getLogger(__name__)


def week_month(monday: dt.date) -> int:
    """Month of a week: the month of its Thursday (where most of its days fall)."""
    return (monday + dt.timedelta(days=3)).month


@dataclass(frozen=True)
class TargetPenalties:
    """EUR of objective per EUR missing from a target (soft mode).

    A missing euro of share is ``target * value - qualifying value`` (e.g. 100 EUR short of
    the 50 % EGALIM share with 1,000 EUR bought and 400 EUR qualifying). With 1.0, the model
    pays up to one extra euro of food cost to gain one euro of share: switching 1 EUR of
    conventional purchase to a 1.6 EUR organic one closes 1.3 EUR of EGALIM and 1.48 EUR of
    organic shortfall, so premiums up to ~2.8x are worth paying before the budget binds.
    The budget penalty is per EUR above ``budget_eur_per_meal * meals``. ``hard`` replaces
    all of them in hard mode: the shortfall is then minimised first (in EUR, the cheapest
    relaxation) and reported as infeasibility.
    """

    egalim: float = 1.0
    bio: float = 1.0
    meat_fish_egalim: float = 1.0
    local: float = 0.25
    budget: float = 2.0
    hard: float = 1000.0


@dataclass(frozen=True)
class LogisticsOverrides:
    """Logistics costs that replace the estimate (e.g. priced by the rounds module).

    ``direct_drop_eur[(producer_id, kitchen_id)]`` is the EUR cost of one direct drop;
    ``platform_pickup_eur[(producer_id, week_start)]`` the EUR cost of one platform pickup.
    """

    direct_drop_eur: Mapping[tuple[str, str], float] = field(default_factory=dict)
    platform_pickup_eur: Mapping[tuple[str, dt.date], float] = field(default_factory=dict)


@dataclass
class MatchData:
    """Dense arrays of one sourcing problem (see module docstring for conventions)."""

    weeks: list[dt.date]
    kitchens: list[str]
    products: list[str]
    producers: list[str]
    # products (I,)
    kg_per_unit: np.ndarray
    stock_weeks: np.ndarray  # L: weeks of future demand that may be stocked (0 = fresh)
    cold: np.ndarray  # chilled or frozen
    meat_fish: np.ndarray
    # demand (K, I, W) in purchase units, meals (K, W)
    demand: np.ndarray
    meals: np.ndarray
    future: np.ndarray  # (K, I, W) max stock at end of week w (shelf life and storage)
    reach: np.ndarray  # (K, I, W) most worth buying in week w
    # producers (P,)
    min_kg: np.ndarray
    min_eur: np.ndarray
    per_week: np.ndarray
    every_n: np.ndarray
    # offers (O,)
    o_p: np.ndarray
    o_i: np.ndarray
    o_price: np.ndarray
    o_egalim: np.ndarray
    o_bio: np.ndarray
    o_labels: list[tuple[Label, ...]]
    o_cap: np.ndarray  # (O, W) units per week
    o_min_lot: np.ndarray  # (O,) minimum units per order line (0 = none)
    # reference supplier (K, I)
    ref_price: np.ndarray
    ref_egalim: np.ndarray
    ref_bio: np.ndarray
    ref_supplier: list[list[str]]
    ref_labels: list[list[tuple[Label, ...]]]
    # direct pairs (PK,)
    pk_p: np.ndarray
    pk_k: np.ndarray
    pk_cost: np.ndarray  # EUR per drop
    pk_channel: list[Channel]
    pk_weekday: np.ndarray  # ISO weekday of the drop
    # platform
    plat_prod: np.ndarray  # (P,) bool
    plat_kitch: np.ndarray  # (K,) bool
    plat_margin: float
    plat_pickup_cost: np.ndarray  # (P, W)
    plat_stop_cost: float
    plat_kg_week: float
    plat_weekday: int
    plat_refrigerated: bool
    # kitchens (K,)
    max_deliveries: np.ndarray
    storage_chilled_kg: np.ndarray
    storage_ambient_kg: np.ndarray
    budget_eur_per_meal: np.ndarray
    t_egalim: np.ndarray
    t_bio: np.ndarray
    t_meat_fish: np.ndarray
    t_local: np.ndarray
    kitchen_weekdays: list[tuple[int, ...]]
    producer_names: list[str]
    logistics_source: str = "estimate"
    cheapest_price: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    # taken by kitchens planned before (groups of kitchens): drops + pickups per (P, W),
    # platform kg per week (W,); empty = nothing
    drops_used: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    plat_kg_used: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # platform pickups (P, W) they made: shared at no extra cost, minimum already met
    pickup_done: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))

    def __post_init__(self) -> None:
        """Cheapest unit price a kitchen can pay for each product (any channel, any season)."""
        cheap = self.ref_price.copy()
        if len(self.pk_p) and len(self.o_p):
            order = np.argsort(self.o_p, kind="stable")
            counts = np.bincount(self.o_p, minlength=len(self.producers))
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            n = counts[self.pk_p]
            owner = np.repeat(np.arange(len(self.pk_p)), n)
            offs = np.arange(len(owner)) - np.repeat(np.cumsum(n) - n, n)
            o = order[np.repeat(starts[self.pk_p], n) + offs]
            np.minimum.at(cheap, (self.pk_k[owner], self.o_i[o]), self.o_price[o])
        plat_o = np.flatnonzero(self.plat_prod[self.o_p])
        for k in np.flatnonzero(self.plat_kitch):
            np.minimum.at(
                cheap[k], self.o_i[plat_o], self.o_price[plat_o] * (1.0 + self.plat_margin)
            )
        self.cheapest_price = cheap

    @property
    def n_weeks(self) -> int:
        """Calendar weeks of the horizon."""
        return len(self.weeks)


def restrict_kitchens(data: MatchData, k_idx: np.ndarray) -> MatchData:
    """The same problem for the kitchens ``k_idx`` only, with their direct pairs.

    Producers, offers and products are all kept, so their indices stay those of ``data``.
    """
    k_idx = np.asarray(k_idx, dtype=int)
    new_of = np.full(len(data.kitchens), -1)
    new_of[k_idx] = np.arange(len(k_idx))
    keep = new_of[data.pk_k] >= 0
    ks = k_idx.tolist()
    return dataclasses.replace(
        data,
        kitchens=[data.kitchens[k] for k in ks],
        demand=data.demand[k_idx],
        meals=data.meals[k_idx],
        future=data.future[k_idx],
        reach=data.reach[k_idx],
        ref_price=data.ref_price[k_idx],
        ref_egalim=data.ref_egalim[k_idx],
        ref_bio=data.ref_bio[k_idx],
        ref_supplier=[data.ref_supplier[k] for k in ks],
        ref_labels=[data.ref_labels[k] for k in ks],
        pk_p=data.pk_p[keep],
        pk_k=new_of[data.pk_k[keep]],
        pk_cost=data.pk_cost[keep],
        pk_channel=[c for c, kp in zip(data.pk_channel, keep, strict=True) if kp],
        pk_weekday=data.pk_weekday[keep],
        plat_kitch=data.plat_kitch[k_idx],
        max_deliveries=data.max_deliveries[k_idx],
        storage_chilled_kg=data.storage_chilled_kg[k_idx],
        storage_ambient_kg=data.storage_ambient_kg[k_idx],
        budget_eur_per_meal=data.budget_eur_per_meal[k_idx],
        t_egalim=data.t_egalim[k_idx],
        t_bio=data.t_bio[k_idx],
        t_meat_fish=data.t_meat_fish[k_idx],
        t_local=data.t_local[k_idx],
        kitchen_weekdays=[data.kitchen_weekdays[k] for k in ks],
    )


def _weeks_of(demand: pd.DataFrame, meals: pd.DataFrame) -> list[dt.date]:
    dates = [
        *pd.to_datetime(demand["week_start"]).dt.date,
        *pd.to_datetime(meals["week_start"]).dt.date,
    ]
    if not dates:
        msg = "demand is empty: nothing to plan"
        raise ValueError(msg)
    first, last = min(dates), max(dates)
    for d in (first, last):
        if d.isoweekday() != 1:
            msg = f"week_start {d.isoformat()} is not a Monday"
            raise ValueError(msg)
    n = (last - first).days // 7 + 1
    return [first + dt.timedelta(weeks=j) for j in range(n)]


def _future_sum(demand: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """``out[..., w] = sum(demand[..., w+1 : w+1+horizon[i]])`` along the last axis."""
    k, n_i, n_w = demand.shape
    csum = np.concatenate([np.zeros((k, n_i, 1)), np.cumsum(demand, axis=2)], axis=2)
    w = np.arange(n_w)
    hi = np.minimum(w[None, :] + 1 + horizon[:, None], n_w)  # (I, W)
    lo = w + 1
    lo = np.minimum(lo, n_w)
    idx_hi = np.broadcast_to(hi[None], (k, n_i, n_w))
    idx_lo = np.broadcast_to(lo[None, None], (k, n_i, n_w))
    return np.take_along_axis(csum, idx_hi, axis=2) - np.take_along_axis(csum, idx_lo, axis=2)


def build_match_data(
    scenario: Scenario,
    demand: pd.DataFrame,
    meals: pd.DataFrame,
    eligibility: Eligibility,
    *,
    kitchens: Sequence[str] | None = None,
    overrides: LogisticsOverrides | None = None,
) -> MatchData:
    """Turn a scenario, its weekly demand and the eligibility into dense arrays.

    Raises
    ------
    ValueError
        When the demand names an unknown kitchen or product, or a demanded product has no
        reference offer (the fallback that keeps every plan feasible).
    """
    overrides = overrides or LogisticsOverrides()
    weeks = _weeks_of(demand, meals)
    n_w = len(weeks)
    week_pos = {w: j for j, w in enumerate(weeks)}
    all_kitchens = {c.id: c for c in scenario.kitchens()}
    dem = demand.copy()
    dem["week_start"] = pd.to_datetime(dem["week_start"]).dt.date
    if kitchens is None:
        kitchen_ids = sorted(set(dem["kitchen_id"]) & set(all_kitchens))
    else:
        kitchen_ids = list(dict.fromkeys(kitchens))
    unknown = sorted(set(kitchen_ids) - set(all_kitchens))
    if unknown:
        msg = f"unknown purchasing kitchen id(s): {', '.join(unknown)}"
        raise ValueError(msg)
    dem = dem[dem["kitchen_id"].isin(kitchen_ids) & (dem["quantity"] > 0)]
    product_ids = sorted(set(dem["product_id"]))
    known_products = {p.id for p in scenario.products}
    bad = sorted(set(product_ids) - known_products)
    if bad:
        msg = f"demand names unknown product id(s): {', '.join(bad)}"
        raise ValueError(msg)
    k_pos = {k: j for j, k in enumerate(kitchen_ids)}
    i_pos = {i: j for j, i in enumerate(product_ids)}
    n_k, n_i = len(kitchen_ids), len(product_ids)

    demand_arr = np.zeros((n_k, n_i, n_w))
    np.add.at(
        demand_arr,
        (
            dem["kitchen_id"].map(k_pos).to_numpy(int),
            dem["product_id"].map(i_pos).to_numpy(int),
            dem["week_start"].map(week_pos).to_numpy(int),
        ),
        dem["quantity"].to_numpy(float),
    )
    meals_arr = np.zeros((n_k, n_w))
    ml = meals.copy()
    ml["week_start"] = pd.to_datetime(ml["week_start"]).dt.date
    ml = ml[ml["kitchen_id"].isin(k_pos) & ml["week_start"].isin(week_pos)]
    np.add.at(
        meals_arr,
        (ml["kitchen_id"].map(k_pos).to_numpy(int), ml["week_start"].map(week_pos).to_numpy(int)),
        ml["meals"].to_numpy(float),
    )

    prods = [scenario.product(i) for i in product_ids]
    kg_per_unit = np.array([p.kg_per_unit for p in prods])
    stock_weeks = np.array([p.shelf_life_days // 7 if p.storable else 0 for p in prods], dtype=int)
    cold = np.array([p.cold_chain is not ColdChain.AMBIENT for p in prods], dtype=bool)
    meat_fish = np.array([p.is_meat_or_fish for p in prods], dtype=bool)

    canteens = [all_kitchens[k] for k in kitchen_ids]
    chilled_kg = np.array([c.storage_chilled_kg for c in canteens])
    ambient_kg = np.array([c.storage_ambient_kg for c in canteens])
    store_units = (
        np.where(cold[None, :], chilled_kg[:, None], ambient_kg[:, None]) / kg_per_unit[None, :]
    )  # (K, I)
    future = np.minimum(_future_sum(demand_arr, stock_weeks), store_units[:, :, None])
    future[:, stock_weeks == 0, :] = 0.0
    reach = demand_arr + future

    producer_ids = [p.id for p in scenario.producers]
    p_pos = {p: j for j, p in enumerate(producer_ids)}
    producers = list(scenario.producers)
    months = np.array([week_month(w) for w in weeks])
    offers = [o for o in scenario.offers if o.product_id in i_pos and o.producer_id in p_pos]
    n_o = len(offers)
    o_cap = np.zeros((n_o, n_w))
    for j, o in enumerate(offers):
        by_month = {m: o.capacity_in_month(m) for m in set(months.tolist())}
        o_cap[j] = [by_month[m] for m in months]
    o_labels = [tuple(scenario.offer_labels(o)) for o in offers]
    o_group = [egalim_group(lab) for lab in o_labels]

    # reference supplier per kitchen and product: the kitchen's own, else the cheapest.
    ref_by_product: dict[str, list] = {}
    for r in scenario.reference_offers:
        ref_by_product.setdefault(r.product_id, []).append(r)
    ref_price = np.zeros((n_k, n_i))
    ref_egalim = np.zeros((n_k, n_i), dtype=bool)
    ref_bio = np.zeros((n_k, n_i), dtype=bool)
    ref_supplier = [["" for _ in range(n_i)] for _ in range(n_k)]
    ref_labels: list[list[tuple[Label, ...]]] = [[() for _ in range(n_i)] for _ in range(n_k)]
    missing = []
    for ki, c in enumerate(canteens):
        for ii, pid in enumerate(product_ids):
            cands = ref_by_product.get(pid, [])
            if not cands:
                missing.append(pid)
                continue
            own = [r for r in cands if r.supplier_id == c.reference_supplier_id]
            r = min(own or cands, key=lambda x: x.price_eur_per_unit)
            ref_price[ki, ii] = r.price_eur_per_unit
            grp = egalim_group(r.labels)
            ref_egalim[ki, ii] = grp is not EgalimGroup.NON_EGALIM
            ref_bio[ki, ii] = grp is EgalimGroup.BIO
            ref_supplier[ki][ii] = r.supplier_id
            ref_labels[ki][ii] = tuple(r.labels)
    if missing:
        names = ", ".join(sorted(set(missing))[:10])
        msg = f"reference_offers: no reference price for demanded product(s) {names}"
        raise ValueError(msg)

    # logistics rates
    van = (
        scenario.platforms[0].vans[0]
        if scenario.platforms and scenario.platforms[0].vans
        else Van(id="estimate", capacity_kg=1000.0)
    )
    eur_h, eur_km = van.cost_eur_per_hour, van.cost_eur_per_km
    speed_kmh = scenario.settings.travel.speed_kmh

    # direct pairs, with the delivery-day rule applied later in the model
    pk_p, pk_k, pk_cost, pk_channel, pk_day = [], [], [], [], []
    for (pid, kid), drive_s in sorted(eligibility.direct.items()):
        if pid not in p_pos or kid not in k_pos:
            continue
        prod = producers[p_pos[pid]]
        can = canteens[k_pos[kid]]
        common = sorted(set(prod.delivery_weekdays) & set(can.delivery_weekdays))
        pickup = DeliveryMode.FARM_PICKUP in prod.delivery_modes and not (
            {DeliveryMode.SELF_DELIVERY, DeliveryMode.CARRIER} & set(prod.delivery_modes)
        )
        if not common and not pickup:
            continue  # _delivery_days: no weekday on which both deliver and receive
        days = common or sorted(can.delivery_weekdays)
        drive_h = drive_s / 3600.0
        est = 2.0 * drive_h * eur_h + 2.0 * drive_h * speed_kmh * eur_km
        pk_p.append(p_pos[pid])
        pk_k.append(k_pos[kid])
        pk_cost.append(float(overrides.direct_drop_eur.get((pid, kid), est)))
        pk_channel.append(Channel.FARM_PICKUP if pickup else Channel.DIRECT)
        pk_day.append(int(days[0]))

    plat_prod = np.zeros(len(producer_ids), dtype=bool)
    plat_kitch = np.zeros(n_k, dtype=bool)
    plat_pickup_cost = np.zeros((len(producer_ids), n_w))
    margin, stop_cost, kg_week, plat_day = 0.0, 0.0, 0.0, 2
    if scenario.platforms:
        pf = scenario.platforms[0]
        rdays = set(pf.round_weekdays)
        margin = pf.margin_pct / 100.0
        stop_cost = pf.service_time_s / 3600.0 * eur_h
        kg_week = sum(v.capacity_kg for v in pf.vans) * len(pf.round_weekdays)
        plat_day = int(min(pf.round_weekdays))
        for pid in eligibility.platform_producers:
            if pid in p_pos and rdays & set(producers[p_pos[pid]].delivery_weekdays):
                plat_prod[p_pos[pid]] = True
        for kid in eligibility.platform_kitchens:
            if kid in k_pos and rdays & set(canteens[k_pos[kid]].delivery_weekdays):
                plat_kitch[k_pos[kid]] = True
        plat_pickup_cost[:] = stop_cost
        for (pid, wk), eur in overrides.platform_pickup_eur.items():
            if pid in p_pos and wk in week_pos:
                plat_pickup_cost[p_pos[pid], week_pos[wk]] = eur
        if not any(v.refrigerated for v in pf.vans):
            logger.info("platform %s has no refrigerated van: chilled goods stay off it", pf.id)
    refrigerated = bool(
        scenario.platforms and any(v.refrigerated for v in scenario.platforms[0].vans)
    )

    data = MatchData(
        weeks=weeks,
        kitchens=kitchen_ids,
        products=product_ids,
        producers=producer_ids,
        kg_per_unit=kg_per_unit,
        stock_weeks=stock_weeks,
        cold=cold,
        meat_fish=meat_fish,
        demand=demand_arr,
        meals=meals_arr,
        future=future,
        reach=reach,
        min_kg=np.array([p.min_order_kg for p in producers]),
        min_eur=np.array([p.min_order_eur for p in producers]),
        per_week=np.array([p.deliveries_per_week for p in producers], dtype=float),
        every_n=np.array([p.delivery_every_n_weeks for p in producers], dtype=int),
        o_p=np.array([p_pos[o.producer_id] for o in offers], dtype=int),
        o_i=np.array([i_pos[o.product_id] for o in offers], dtype=int),
        o_price=np.array([o.price_eur_per_unit for o in offers]),
        o_egalim=np.array([g is not EgalimGroup.NON_EGALIM for g in o_group], dtype=bool),
        o_bio=np.array([g is EgalimGroup.BIO for g in o_group], dtype=bool),
        o_labels=o_labels,
        o_cap=o_cap,
        o_min_lot=np.array([o.min_lot for o in offers], dtype=float),
        ref_price=ref_price,
        ref_egalim=ref_egalim,
        ref_bio=ref_bio,
        ref_supplier=ref_supplier,
        ref_labels=ref_labels,
        pk_p=np.array(pk_p, dtype=int),
        pk_k=np.array(pk_k, dtype=int),
        pk_cost=np.array(pk_cost, dtype=float),
        pk_channel=pk_channel,
        pk_weekday=np.array(pk_day, dtype=int),
        plat_prod=plat_prod,
        plat_kitch=plat_kitch,
        plat_margin=margin,
        plat_pickup_cost=plat_pickup_cost,
        plat_stop_cost=stop_cost,
        plat_kg_week=kg_week,
        plat_weekday=plat_day,
        plat_refrigerated=refrigerated,
        max_deliveries=np.array([c.max_deliveries_per_week for c in canteens], dtype=float),
        storage_chilled_kg=chilled_kg,
        storage_ambient_kg=ambient_kg,
        budget_eur_per_meal=np.array([c.budget_eur_per_meal for c in canteens]),
        t_egalim=np.array([c.target_egalim_pct / 100.0 for c in canteens]),
        t_bio=np.array([c.target_bio_pct / 100.0 for c in canteens]),
        t_meat_fish=np.array([c.target_meat_fish_egalim_pct / 100.0 for c in canteens]),
        t_local=np.array([c.target_local_pct / 100.0 for c in canteens]),
        kitchen_weekdays=[tuple(int(d) for d in c.delivery_weekdays) for c in canteens],
        producer_names=[p.name for p in producers],
        logistics_source="override"
        if (overrides.direct_drop_eur or overrides.platform_pickup_eur)
        else "estimate",
    )
    return data
