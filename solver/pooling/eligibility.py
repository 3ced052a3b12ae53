"""Who may supply what: each member's capacity, prices and failed eligibility rules per (product,
week), and the inputs resolved once for a check (:class:`Context`).

Member ``m`` offers product ``p`` with weekly capacity ``c[m,p,w] =
Offer.capacity_in_month(month of w's Thursday)`` (0 out of season) plus any ``extra_capacity``
given as a relaxation; producer price ``pi[m,p]``; kitchen price ``k[m,p] = pi[m,p]``
(``x (1 + margin)`` through the platform).

A member either supplies a product in a week or it does not, with a reason:
``OUT_OF_SEASON`` (``c = 0``), ``QUALITY`` (the required label is not on the offer), ``PRICE``
(``k > ceiling``); with ``each_delivers`` also ``DRIVE_TIME`` (farm -> kitchen drive beyond the
member's ``max_drive_min``), ``TIME_WINDOW`` (leaving the farm when it opens,
``pickup_start + drive`` is after the receiving window's end) and ``DELIVERY_DAY`` (an order
weekday is not one of the member's delivery weekdays); with ``platform`` ``DELIVERY_DAY`` (an
order weekday is not a round day) and ``DRIVE_TIME`` (farm beyond the platform's catchment).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from solver.core import (
    Canteen,
    Offer,
    Platform,
    Problem,
    Producer,
    ScenarioError,
    week_month,
)
from solver.pooling.inputs import PoolingInputs

EPS = 1e-9
"""Tolerance on units, capacities and prices."""


@dataclass(frozen=True)
class Candidate:
    """One member for one product in one week: capacity (units), prices (EUR/unit), the rules it
    fails (empty: eligible), its capacity in season, its drive to the kitchen (s), its minimum
    lot (units per delivery)."""

    producer_id: str
    capacity: float
    producer_price: float
    kitchen_price: float
    fails: frozenset[str]
    season_capacity: float
    drive_s: int
    min_lot: float = 0.0


@dataclass
class Context:
    """The inputs resolved once for a check: the kitchen, the receiving window (seconds), the
    offers by (producer, product), the platform (``platform`` mode) and the travel index."""

    inputs: PoolingInputs
    kitchen: Canteen
    recv_start_s: int
    recv_end_s: int
    offers: dict[tuple[str, str], Offer]
    platform: Platform | None
    index: dict[str, int]

    def drive_s(self, a: str, b: str) -> int:
        """Drive from ``a`` to ``b``, seconds (< 0: no road)."""
        t = self.inputs.travel
        return int(t.seconds[self.index[a], self.index[b]])

    def metres(self, a: str, b: str) -> int:
        """Road distance from ``a`` to ``b``, metres."""
        t = self.inputs.travel
        return int(t.metres[self.index[a], self.index[b]])


def make_context(inputs: PoolingInputs) -> Context:
    """Resolve ``inputs``; an unknown platform raises :class:`~solver.core.ScenarioError`."""
    sc = inputs.scenario
    order = inputs.order
    kitchen = sc.canteen(order.kitchen_id)
    rs = order.receiving_start_min
    re_ = order.receiving_end_min
    platform = None
    if inputs.transport.mode == "platform":
        platform = next(
            (p for p in sc.platforms if inputs.transport.platform_id in ("", p.id)), None
        )
        if platform is None:
            raise ScenarioError(
                [
                    Problem(
                        "order",
                        0,
                        "transport.platform",
                        inputs.transport.platform_id,
                        "no such platform in the scenario",
                    )
                ]
            )
    return Context(
        inputs=inputs,
        kitchen=kitchen,
        recv_start_s=(kitchen.receiving_start_min if rs is None else rs) * 60,
        recv_end_s=(kitchen.receiving_end_min if re_ is None else re_) * 60,
        offers={o.key: o for o in sc.offers},
        platform=platform,
        index={pid: i for i, pid in enumerate(inputs.travel.ids)},
    )


def candidate(ctx: Context, producer: Producer, product_id: str, week: dt.date) -> Candidate | None:
    """``producer`` for ``product_id`` in ``week`` with the rules it fails; None without offer."""
    inputs = ctx.inputs
    order = inputs.order
    offer = ctx.offers.get((producer.id, product_id))
    if offer is None:
        return None
    season = offer.capacity_in_month(week_month(week))
    cap = season + inputs.extra_capacity.get((producer.id, product_id, week), 0.0)
    margin = ctx.platform.margin_pct / 100.0 if ctx.platform is not None else 0.0
    kprice = offer.price_eur_per_unit * (1.0 + margin)
    drive = ctx.drive_s(producer.id, ctx.kitchen.id)
    fails: set[str] = set()
    if cap <= EPS:
        fails.add("OUT_OF_SEASON")
    if order.required_label is not None and order.required_label not in (
        inputs.scenario.offer_labels(offer)
    ):
        fails.add("QUALITY")
    ceiling = order.price_ceiling_eur_per_unit
    if ceiling is not None and kprice > ceiling + EPS:
        fails.add("PRICE")
    mode = inputs.transport.mode
    if mode == "each_delivers":
        max_drive_s = max(producer.max_drive_min, inputs.max_drive_min_floor) * 60
        if drive < 0 or drive > max_drive_s + EPS:
            fails.add("DRIVE_TIME")
        if producer.pickup_start_min * 60 + drive > ctx.recv_end_s:
            fails.add("TIME_WINDOW")
        if not set(order.delivery_weekdays) <= {int(d) for d in producer.delivery_weekdays}:
            fails.add("DELIVERY_DAY")
    elif mode == "platform" and ctx.platform is not None:
        if not set(order.delivery_weekdays) <= {int(d) for d in ctx.platform.round_weekdays}:
            fails.add("DELIVERY_DAY")
        far = ctx.drive_s(ctx.platform.id, producer.id)
        if far < 0 or far > ctx.platform.catchment_min * 60:
            fails.add("DRIVE_TIME")
    return Candidate(
        producer_id=producer.id,
        capacity=cap,
        producer_price=offer.price_eur_per_unit,
        kitchen_price=kprice,
        fails=frozenset(fails),
        season_capacity=offer.weekly_capacity,
        drive_s=drive,
        min_lot=offer.min_lot,
    )
