"""Arrays the sourcing model is built from: demand, offers, channels, costs, targets.

Everything the model needs is turned here, once, into dense numpy arrays indexed by
kitchen ``k``, product ``i``, producer ``p``, offer ``o`` (a producer x product) and
calendar week ``w``; :mod:`solver.sourcing.model` then builds every window's rows with
vectorised numpy, never per-arc Python callbacks (the maths is written at the top of
:mod:`solver.sourcing.model`).

Conventions:

* **Weeks** are every Monday from the first to the last week of the demand (holiday weeks
  included, with zero demand), so that stock and "every n weeks" count calendar weeks.
* **A week's month** is :func:`solver.core.week_month` (the month of its Thursday); it
  selects ``Offer.capacity_in_month``.
* **Stock** of a storable product at the end of week ``w`` may cover the demand of the next
  ``L = floor(shelf_life_days / 7)`` weeks at most; fresh products (``storable=False`` or
  ``L = 0``) are bought in the week they are used. ``reach[k, i, w]`` is the most a kitchen
  can usefully buy in week ``w``: the week's demand plus what may be stocked.
* **Reference ranges**: a kitchen buys what it does not source locally from its reference
  wholesaler (its own, else any), at the cheapest reference offer of the product; when the
  wholesaler also sells the product under other labels (an organic range), the cheapest
  offer of each other set of labels is a further option (``rx_*``) whose labels count
  toward the EGALIM and organic shares (never the local one).
* **Logistics estimate** (EUR, an estimate the rounds module refines later):
  a direct drop or farm pickup costs a round trip, ``2 * drive_h * eur_per_hour +
  2 * drive_km * eur_per_km`` with ``drive_km = drive_h * speed_kmh`` (scenario travel
  settings) and the rates of the first platform's first van (else a :class:`Van` with
  its default rates). On a platform, the margin is the logistics price (the platform's
  price is ``producer price * (1 + margin)``); a pickup or a kitchen stop adds only its
  handling time, ``service_time_s * eur_per_hour`` at that platform's first van's rate.
  Both can be overridden.
* **Platforms** ``q``: a kitchen on a round is delivered by one platform
  (``plat_k_q``, from :class:`~solver.prepare.Eligibility`); a platform line (offer,
  kitchen) exists when that platform collects from the offer's producer (``plat_pq``,
  both sharing a round weekday). A pickup is one producer's goods for one platform's
  round in a week.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from solver.core import (
    Canteen,
    Channel,
    ColdChain,
    DeliveryMode,
    EgalimGroup,
    Label,
    Platform,
    Producer,
    Scenario,
    Van,
    egalim_group,
    week_month,
)
from solver.prepare import Eligibility
from solver.sourcing.lines import History, LineRefs
from solver.sourcing.reference import reference_arrays

__all__ = [
    "LogisticsOverrides",
    "MatchData",
    "TargetPenalties",
    "build_match_data",
]

logger = logging.getLogger(__name__)


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
    plat_prod: np.ndarray  # (P,) bool: collected by some platform's round
    plat_kitch: np.ndarray  # (K,) bool: delivered by some platform's round
    plat_margin: np.ndarray  # (Q,) per platform
    plat_pickup_cost: np.ndarray  # (P, W)
    plat_stop_cost: np.ndarray  # (Q,)
    plat_kg_week: np.ndarray  # (Q,)
    plat_weekdays: list[tuple[int, ...]]  # (Q,) ISO weekdays of the rounds, ascending
    plat_refrigerated: np.ndarray  # (Q,) bool
    plat_k_q: np.ndarray  # (K,) platform of each kitchen's round, -1 off every round
    plat_pq: np.ndarray  # (Q, P) bool: platform q collects from producer p
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
    producer_weekdays: list[tuple[int, ...]]  # (P,) ISO weekdays each producer delivers
    logistics_source: str = "estimate"
    cheapest_price: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    # taken by kitchens planned before (groups of kitchens): drops + pickups per (P, W),
    # platform kg per platform and week (Q, W); empty = nothing
    drops_used: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    plat_kg_used: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    # platform pickups (P, W) they made: shared at no extra cost, minimum already met
    pickup_done: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    # lines whose quantity is fixed (orders already sent); None = none
    fixed: LineRefs | None = None
    # a previous plan's lines over the horizon, whose changes are counted; None = none
    previous: LineRefs | None = None
    # what was bought before the first week (a re-plan); None = nothing
    history: History | None = None
    # the wholesaler's other ranges (X,): a kitchen's product under other labels than its
    # cheapest reference offer (an organic range), at their own price; empty = none
    rx_k: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    rx_i: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    rx_price: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rx_egalim: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    rx_bio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    rx_supplier: list[str] = field(default_factory=list)
    rx_labels: list[tuple[Label, ...]] = field(default_factory=list)

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
        for k in np.flatnonzero(self.plat_kitch):
            q = int(self.plat_k_q[k])
            plat_o = np.flatnonzero(self.plat_pq[q, self.o_p])
            np.minimum.at(
                cheap[k], self.o_i[plat_o], self.o_price[plat_o] * (1.0 + self.plat_margin[q])
            )
        if len(self.rx_k):
            np.minimum.at(cheap, (self.rx_k, self.rx_i), self.rx_price)
        self.cheapest_price = cheap

    def reference_lines(
        self, k: np.ndarray, i: np.ndarray, x: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(unit price, EGALIM, organic) of wholesaler lines of kitchen ``k``, product ``i``
        and range ``x`` (-1: the cheapest reference offer, else an index of ``rx_*``)."""
        price, egal, bio = self.ref_price[k, i], self.ref_egalim[k, i], self.ref_bio[k, i]
        if not len(self.rx_k) or not len(x):
            return price, egal, bio
        extra, xx = x >= 0, np.maximum(x, 0)
        return (
            np.where(extra, self.rx_price[xx], price),
            np.where(extra, self.rx_egalim[xx], egal),
            np.where(extra, self.rx_bio[xx], bio),
        )

    @property
    def n_weeks(self) -> int:
        """Calendar weeks of the horizon."""
        return len(self.weeks)

    @property
    def meals_before(self) -> np.ndarray:
        """(K,) meals served before the first week (a re-plan's kept weeks), else zeros."""
        if self.history is None:
            return np.zeros(len(self.kitchens))
        return self.history.meals

    @property
    def pair_weeks(self) -> int:
        """(supplier, kitchen) pairs x weeks, direct and through the platform: the size the
        models' size grows with."""
        return max(1, len(self.pk_p) + int(self.plat_prod.sum())) * self.n_weeks

    def wholesale_value_eur(self, w0: int, w1: int) -> float:
        """EUR of the demand of weeks ``[w0, w1)`` at the wholesaler's prices, plus one (the
        scale of a window's MIP gap, positive even without demand)."""
        return float((self.demand[:, :, w0:w1] * self.ref_price[:, :, None]).sum()) + 1.0


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


class _Kitchens(NamedTuple):
    """Kitchen fields of :class:`MatchData`, in the order of ``ids``."""

    max_deliveries: np.ndarray
    storage_chilled_kg: np.ndarray
    storage_ambient_kg: np.ndarray
    budget_eur_per_meal: np.ndarray
    t_egalim: np.ndarray
    t_bio: np.ndarray
    t_meat_fish: np.ndarray
    t_local: np.ndarray
    kitchen_weekdays: list[tuple[int, ...]]


class _Products(NamedTuple):
    kg_per_unit: np.ndarray
    stock_weeks: np.ndarray
    cold: np.ndarray
    meat_fish: np.ndarray


class _Producers(NamedTuple):
    min_kg: np.ndarray
    min_eur: np.ndarray
    per_week: np.ndarray
    every_n: np.ndarray
    producer_names: list[str]
    producer_weekdays: list[tuple[int, ...]]


class _Offers(NamedTuple):
    o_p: np.ndarray
    o_i: np.ndarray
    o_price: np.ndarray
    o_egalim: np.ndarray
    o_bio: np.ndarray
    o_labels: list[tuple[Label, ...]]
    o_cap: np.ndarray
    o_min_lot: np.ndarray


class _Pairs(NamedTuple):
    pk_p: np.ndarray
    pk_k: np.ndarray
    pk_cost: np.ndarray
    pk_channel: list[Channel]
    pk_weekday: np.ndarray


class _Platform(NamedTuple):
    plat_prod: np.ndarray
    plat_kitch: np.ndarray
    plat_margin: np.ndarray
    plat_pickup_cost: np.ndarray
    plat_stop_cost: np.ndarray
    plat_kg_week: np.ndarray
    plat_weekdays: list[tuple[int, ...]]
    plat_refrigerated: np.ndarray
    plat_k_q: np.ndarray
    plat_pq: np.ndarray


class _Rates(NamedTuple):
    """Logistics rates of the estimate: the first platform's first van (else a default van)."""

    eur_per_hour: float
    eur_per_km: float
    speed_kmh: float


class _Index(NamedTuple):
    """Position of each id in the arrays."""

    week: dict[dt.date, int]
    kitchen: dict[str, int]
    product: dict[str, int]
    producer: dict[str, int]


def _kitchen_ids(
    scenario: Scenario, dem: pd.DataFrame, kitchens: Sequence[str] | None
) -> list[str]:
    """The purchasing kitchens planned: ``kitchens``, else every one with demand."""
    known = {c.id for c in scenario.kitchens()}
    if kitchens is None:
        return sorted(set(dem["kitchen_id"]) & known)
    ids = list(dict.fromkeys(kitchens))
    unknown = sorted(set(ids) - known)
    if unknown:
        msg = f"unknown purchasing kitchen id(s): {', '.join(unknown)}"
        raise ValueError(msg)
    return ids


def _product_ids(scenario: Scenario, dem: pd.DataFrame) -> list[str]:
    """Products with demand, sorted; unknown ones are refused."""
    product_ids = sorted(set(dem["product_id"]))
    bad = sorted(set(product_ids) - {p.id for p in scenario.products})
    if bad:
        msg = f"demand names unknown product id(s): {', '.join(bad)}"
        raise ValueError(msg)
    return product_ids


def _demand_arrays(
    dem: pd.DataFrame, meals: pd.DataFrame, ix: _Index
) -> tuple[np.ndarray, np.ndarray]:
    """Demand (K, I, W) in purchase units and meals (K, W)."""
    n_k, n_i, n_w = len(ix.kitchen), len(ix.product), len(ix.week)
    demand_arr = np.zeros((n_k, n_i, n_w))
    np.add.at(
        demand_arr,
        (
            dem["kitchen_id"].map(ix.kitchen).to_numpy(int),
            dem["product_id"].map(ix.product).to_numpy(int),
            dem["week_start"].map(ix.week).to_numpy(int),
        ),
        dem["quantity"].to_numpy(float),
    )
    meals_arr = np.zeros((n_k, n_w))
    ml = meals.copy()
    ml["week_start"] = pd.to_datetime(ml["week_start"]).dt.date
    ml = ml[ml["kitchen_id"].isin(ix.kitchen) & ml["week_start"].isin(ix.week)]
    np.add.at(
        meals_arr,
        (
            ml["kitchen_id"].map(ix.kitchen).to_numpy(int),
            ml["week_start"].map(ix.week).to_numpy(int),
        ),
        ml["meals"].to_numpy(float),
    )
    return demand_arr, meals_arr


def _products(scenario: Scenario, product_ids: list[str]) -> _Products:
    prods = [scenario.product(i) for i in product_ids]
    return _Products(
        kg_per_unit=np.array([p.kg_per_unit for p in prods]),
        stock_weeks=np.array([p.shelf_life_days // 7 if p.storable else 0 for p in prods], int),
        cold=np.array([p.cold_chain is not ColdChain.AMBIENT for p in prods], dtype=bool),
        meat_fish=np.array([p.is_meat_or_fish for p in prods], dtype=bool),
    )


def _kitchens(canteens: list[Canteen]) -> _Kitchens:
    return _Kitchens(
        max_deliveries=np.array([c.max_deliveries_per_week for c in canteens], dtype=float),
        storage_chilled_kg=np.array([c.storage_chilled_kg for c in canteens]),
        storage_ambient_kg=np.array([c.storage_ambient_kg for c in canteens]),
        budget_eur_per_meal=np.array([c.budget_eur_per_meal for c in canteens]),
        t_egalim=np.array([c.target_egalim_pct / 100.0 for c in canteens]),
        t_bio=np.array([c.target_bio_pct / 100.0 for c in canteens]),
        t_meat_fish=np.array([c.target_meat_fish_egalim_pct / 100.0 for c in canteens]),
        t_local=np.array([c.target_local_pct / 100.0 for c in canteens]),
        kitchen_weekdays=[tuple(int(d) for d in c.delivery_weekdays) for c in canteens],
    )


def _stock_limits(
    demand: np.ndarray, kitchens: _Kitchens, products: _Products
) -> tuple[np.ndarray, np.ndarray]:
    """``future`` (K, I, W): the most in stock at the end of each week (shelf life and
    storage, 0 for fresh products), and ``reach = demand + future``."""
    chilled, ambient = kitchens.storage_chilled_kg, kitchens.storage_ambient_kg
    store_units = (
        np.where(products.cold[None, :], chilled[:, None], ambient[:, None])
        / products.kg_per_unit[None, :]
    )  # (K, I)
    future = np.minimum(_future_sum(demand, products.stock_weeks), store_units[:, :, None])
    future[:, products.stock_weeks == 0, :] = 0.0
    return future, demand + future


def _producers(producers: Sequence[Producer]) -> _Producers:
    return _Producers(
        min_kg=np.array([p.min_order_kg for p in producers]),
        min_eur=np.array([p.min_order_eur for p in producers]),
        per_week=np.array([p.deliveries_per_week for p in producers], dtype=float),
        every_n=np.array([p.delivery_every_n_weeks for p in producers], dtype=int),
        producer_names=[p.name for p in producers],
        producer_weekdays=[tuple(sorted(int(d) for d in p.delivery_weekdays)) for p in producers],
    )


def _offers(scenario: Scenario, weeks: list[dt.date], ix: _Index) -> _Offers:
    """Offers of known producers for demanded products; capacity (O, W) by week's month."""
    offers = [
        o for o in scenario.offers if o.product_id in ix.product and o.producer_id in ix.producer
    ]
    months = np.array([week_month(w) for w in weeks])
    o_cap = np.zeros((len(offers), len(weeks)))
    for j, o in enumerate(offers):
        by_month = {m: o.capacity_in_month(m) for m in set(months.tolist())}
        o_cap[j] = [by_month[m] for m in months]
    o_labels = [tuple(scenario.offer_labels(o)) for o in offers]
    o_group = [egalim_group(lab) for lab in o_labels]
    return _Offers(
        o_p=np.array([ix.producer[o.producer_id] for o in offers], dtype=int),
        o_i=np.array([ix.product[o.product_id] for o in offers], dtype=int),
        o_price=np.array([o.price_eur_per_unit for o in offers]),
        o_egalim=np.array([g is not EgalimGroup.NON_EGALIM for g in o_group], dtype=bool),
        o_bio=np.array([g is EgalimGroup.BIO for g in o_group], dtype=bool),
        o_labels=o_labels,
        o_cap=o_cap,
        o_min_lot=np.array([o.min_lot for o in offers], dtype=float),
    )


def _rates(scenario: Scenario) -> _Rates:
    van = (
        scenario.platforms[0].vans[0]
        if scenario.platforms and scenario.platforms[0].vans
        else Van(id="estimate", capacity_kg=1000.0)
    )
    return _Rates(van.cost_eur_per_hour, van.cost_eur_per_km, scenario.settings.travel.speed_kmh)


def _direct_pairs(
    scenario: Scenario,
    eligibility: Eligibility,
    canteens: list[Canteen],
    ix: _Index,
    overrides: LogisticsOverrides,
) -> _Pairs:
    """Eligible (producer, kitchen) pairs sharing a delivery weekday (a pure farm pickup
    needs only the kitchen's), with their drop cost: a round trip at the rates, or the
    override."""
    rates = _rates(scenario)
    producers = scenario.producers
    pk_p, pk_k, pk_cost, pk_channel, pk_day = [], [], [], [], []
    for (pid, kid), drive_s in sorted(eligibility.direct.items()):
        if pid not in ix.producer or kid not in ix.kitchen:
            continue
        prod = producers[ix.producer[pid]]
        can = canteens[ix.kitchen[kid]]
        common = sorted(set(prod.delivery_weekdays) & set(can.delivery_weekdays))
        pickup = DeliveryMode.FARM_PICKUP in prod.delivery_modes and not (
            {DeliveryMode.SELF_DELIVERY, DeliveryMode.CARRIER} & set(prod.delivery_modes)
        )
        if not common and not pickup:
            continue  # no weekday on which both deliver and receive
        days = common or sorted(can.delivery_weekdays)
        drive_h = drive_s / 3600.0
        est = (
            2.0 * drive_h * rates.eur_per_hour + 2.0 * drive_h * rates.speed_kmh * rates.eur_per_km
        )
        pk_p.append(ix.producer[pid])
        pk_k.append(ix.kitchen[kid])
        pk_cost.append(float(overrides.direct_drop_eur.get((pid, kid), est)))
        pk_channel.append(Channel.FARM_PICKUP if pickup else Channel.DIRECT)
        pk_day.append(int(days[0]))
    return _Pairs(
        pk_p=np.array(pk_p, dtype=int),
        pk_k=np.array(pk_k, dtype=int),
        pk_cost=np.array(pk_cost, dtype=float),
        pk_channel=pk_channel,
        pk_weekday=np.array(pk_day, dtype=int),
    )


def _platform(
    scenario: Scenario,
    eligibility: Eligibility,
    canteens: list[Canteen],
    ix: _Index,
    overrides: LogisticsOverrides,
) -> _Platform:
    """Each platform's round: who is on it (sharing a round weekday), its margin, handling
    costs, payload a week and whether it carries chilled goods."""
    n_p, n_w, n_q = len(ix.producer), len(ix.week), len(scenario.platforms)
    plat = _Platform(
        plat_prod=np.zeros(n_p, dtype=bool),
        plat_kitch=np.zeros(len(canteens), dtype=bool),
        plat_margin=np.array([pf.margin_pct / 100.0 for pf in scenario.platforms]),
        plat_pickup_cost=np.zeros((n_p, n_w)),
        plat_stop_cost=np.array([_stop_cost(scenario, pf) for pf in scenario.platforms]),
        plat_kg_week=np.array(
            [
                sum(v.capacity_kg for v in pf.vans) * len(pf.round_weekdays)
                for pf in scenario.platforms
            ]
        ),
        plat_weekdays=[
            tuple(sorted(int(d) for d in pf.round_weekdays)) for pf in scenario.platforms
        ],
        plat_refrigerated=np.array(
            [any(v.refrigerated for v in pf.vans) for pf in scenario.platforms], dtype=bool
        ),
        plat_k_q=np.full(len(canteens), -1, dtype=int),
        plat_pq=np.zeros((n_q, n_p), dtype=bool),
    )
    if not n_q:
        return plat
    producers = scenario.producers
    for q, pf in enumerate(scenario.platforms):
        rdays = set(pf.round_weekdays)
        members = eligibility.platform_members.get(pf.id, eligibility.platform_producers)
        for pid in members:
            if pid in ix.producer and rdays & set(producers[ix.producer[pid]].delivery_weekdays):
                plat.plat_pq[q, ix.producer[pid]] = True
        if not plat.plat_refrigerated[q]:
            logger.info("platform %s has no refrigerated van: chilled goods stay off it", pf.id)
    q_of = {pf.id: q for q, pf in enumerate(scenario.platforms)}
    for kid in eligibility.platform_kitchens:
        if kid not in ix.kitchen:
            continue
        q = q_of.get(eligibility.platform_of(kid) or scenario.platforms[0].id, 0)
        rdays = set(scenario.platforms[q].round_weekdays)
        if rdays & set(canteens[ix.kitchen[kid]].delivery_weekdays):
            plat.plat_kitch[ix.kitchen[kid]] = True
            plat.plat_k_q[ix.kitchen[kid]] = q
    plat.plat_prod[:] = plat.plat_pq.any(axis=0)
    first_q = np.argmax(plat.plat_pq, axis=0)  # a producer's first platform
    plat.plat_pickup_cost[:] = plat.plat_stop_cost[first_q][:, None]
    for (pid, wk), eur in overrides.platform_pickup_eur.items():
        if pid in ix.producer and wk in ix.week:
            plat.plat_pickup_cost[ix.producer[pid], ix.week[wk]] = eur
    return plat


def _stop_cost(scenario: Scenario, pf: Platform) -> float:
    """EUR of the handling time of one stop of ``pf``'s round, at its first van's hourly
    rate (the estimate's rates when it has no van)."""
    eur_per_hour = pf.vans[0].cost_eur_per_hour if pf.vans else _rates(scenario).eur_per_hour
    return pf.service_time_s / 3600.0 * eur_per_hour


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
    all_kitchens = {c.id: c for c in scenario.kitchens()}
    dem = demand.copy()
    dem["week_start"] = pd.to_datetime(dem["week_start"]).dt.date
    kitchen_ids = _kitchen_ids(scenario, dem, kitchens)
    dem = dem[dem["kitchen_id"].isin(kitchen_ids) & (dem["quantity"] > 0)]
    product_ids = _product_ids(scenario, dem)
    producer_ids = [p.id for p in scenario.producers]
    ix = _Index(
        week={w: j for j, w in enumerate(weeks)},
        kitchen={k: j for j, k in enumerate(kitchen_ids)},
        product={i: j for j, i in enumerate(product_ids)},
        producer={p: j for j, p in enumerate(producer_ids)},
    )
    demand_arr, meals_arr = _demand_arrays(dem, meals, ix)
    canteens = [all_kitchens[k] for k in kitchen_ids]
    products = _products(scenario, product_ids)
    kitchen_fields = _kitchens(canteens)
    future, reach = _stock_limits(demand_arr, kitchen_fields, products)
    return MatchData(
        weeks=weeks,
        kitchens=kitchen_ids,
        products=product_ids,
        producers=producer_ids,
        demand=demand_arr,
        meals=meals_arr,
        future=future,
        reach=reach,
        **products._asdict(),
        **_producers(scenario.producers)._asdict(),
        **_offers(scenario, weeks, ix)._asdict(),
        **reference_arrays(scenario, canteens, product_ids)._asdict(),
        **_direct_pairs(scenario, eligibility, canteens, ix, overrides)._asdict(),
        **_platform(scenario, eligibility, canteens, ix, overrides)._asdict(),
        **kitchen_fields._asdict(),
        logistics_source="override"
        if (overrides.direct_drop_eur or overrides.platform_pickup_eur)
        else "estimate",
    )
