"""The weekly ordering cycle and re-planning: what a week's and a revision's inputs are.

* :class:`Availability` is one row of a producer's weekly availability list (the
  *mercuriale*): how many kg of a product it can sell in a given week, at what price.
* :class:`FixedOrder` is an order a kitchen has already sent for the week being planned:
  it is kept as it is and only the rest is planned.
* :class:`Shortfall` is a producer losing part (or all) of a product from a given week on
  (a bad harvest, a producer dropping out): the input of a re-plan.
* :func:`order_deadline` is the one rule for when an order must be sent: by the cut-off
  time of the last ordering day strictly before the delivery day.

Like :mod:`solver.core.domain`, every model is frozen, refuses unknown fields and
non-finite numbers, and carries its unit in its names. Weeks are Mondays.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from solver.core.domain import Weekday
from solver.core.plan import Channel

__all__ = [
    "ALL_PRODUCTS",
    "Availability",
    "FixedOrder",
    "Shortfall",
    "order_deadline",
]

#: ``product_id`` of a :class:`Shortfall` that hits every product of the producer.
ALL_PRODUCTS = "*"

_Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _monday(v: dt.date, name: str) -> dt.date:
    if v.isoweekday() != 1:
        msg = f"{name} {v.isoformat()} is not a Monday"
        raise ValueError(msg)
    return v


class Availability(_Record):
    """What a producer can sell of a product in one week (a row of its mercuriale).

    For the week it names, a producer's availability rows replace its offers: a product
    it lists is offered up to ``kg_available`` at ``price_eur_per_unit`` (empty: the
    offer's price); a product it offers but does not list is not available that week.
    Producers without any row that week keep their offers.
    """

    producer_id: _Id = Field(description="The producer (an id of producers.csv).")
    product_id: _Id = Field(description="The product (an id of products.csv).")
    week: dt.date = Field(description="Monday of the week the row is for.")
    kg_available: float = Field(ge=0, description="Kg the producer can sell that week.")
    price_eur_per_unit: float | None = Field(
        default=None,
        gt=0,
        description="EUR excl. VAT per purchase unit that week; empty = the offer's price.",
    )

    @field_validator("week")
    @classmethod
    def _week(cls, v: dt.date) -> dt.date:
        return _monday(v, "week")


class FixedOrder(_Record):
    """An order already sent for the week being planned, kept exactly as it is."""

    kitchen_id: _Id = Field(description="The purchasing kitchen (an id of canteens.csv).")
    producer_id: _Id = Field(
        description="The supplier: a producer id, or the reference wholesaler's supplier_id."
    )
    product_id: _Id = Field(description="The product (an id of products.csv).")
    kg: float = Field(gt=0, description="Kg ordered.")
    channel: Channel | None = Field(
        default=None,
        description="How it is delivered; empty = direct if the pair may trade directly, "
        "else the platform (reference for the wholesaler).",
    )


class Shortfall(_Record):
    """A producer loses ``loss_pct`` % of a product's weekly capacity from ``from_week``
    on (100: it no longer supplies it; ``product_id = "*"``: every product)."""

    producer_id: _Id = Field(description="The producer (an id of producers.csv).")
    product_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^(\*|[A-Za-z0-9_.\-]+)$",
        description="The product (an id of products.csv), or * for all its products.",
    )
    from_week: dt.date = Field(description="Monday of the first week of the loss.")
    loss_pct: float = Field(gt=0, le=100, description="Share of the capacity lost, %.")

    @field_validator("from_week")
    @classmethod
    def _week(cls, v: dt.date) -> dt.date:
        return _monday(v, "from_week")

    def hits(self, producer_id: str, product_id: str) -> bool:
        """Whether this shortfall hits ``producer_id``'s ``product_id``."""
        return producer_id == self.producer_id and self.product_id in (ALL_PRODUCTS, product_id)


def order_deadline(
    delivery: dt.date, weekday: Weekday | None, cutoff_min: int | None
) -> tuple[dt.date, int] | None:
    """When an order delivered on ``delivery`` must be sent: ``(day, minutes)``, the last
    ``weekday`` strictly before the delivery day and its cut-off time (minutes after
    midnight; ``None`` = end of the day, 1440). ``None`` when no ordering day is set.
    """
    if weekday is None:
        return None
    back = (delivery.isoweekday() - int(weekday)) % 7 or 7
    return delivery - dt.timedelta(days=back), 24 * 60 if cutoff_min is None else int(cutoff_min)
