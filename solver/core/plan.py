"""Purchase plans: what the sourcing model returns and what the checker verifies.

A plan is a flat list of purchase lines, one per week x kitchen x supplier x product x
channel. Quantities are in the product's purchase unit and in kg. A line's
``week_start`` is the week the goods are delivered; ``delivery_date`` the day of that
week they arrive. Storable products may be delivered ahead of the week they are eaten:
the inventory that results is recomputed by the checker from the kitchen's weekly
demand, never stored in the plan.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from solver.core.domain import Label


class Channel(StrEnum):
    """How a purchase reaches the kitchen."""

    DIRECT = "direct"  # the producer delivers the kitchen itself
    PLATFORM = "platform"  # collected at the farm and delivered by the platform's round
    FARM_PICKUP = "farm_pickup"  # the kitchen collects at the farm
    REFERENCE = "reference"  # bought from the kitchen's reference wholesaler (not local)


class PurchaseLine(BaseModel):
    """One purchase: a quantity of a product from one supplier for one kitchen in one week."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    week_start: dt.date = Field(description="Monday of the delivery week.")
    delivery_date: dt.date | None = Field(default=None, description="Day of delivery.")
    kitchen_id: str
    supplier_id: str = Field(description="Producer id, or the reference supplier's id.")
    supplier_name: str = ""
    product_id: str
    quantity: float = Field(ge=0, description="Purchase units.")
    quantity_kg: float = Field(ge=0)
    unit_price_eur: float = Field(ge=0, description="EUR excl. VAT per purchase unit, as paid.")
    value_eur: float = Field(ge=0, description="quantity x unit_price_eur.")
    labels: tuple[Label, ...] = ()
    channel: Channel
    local: bool = Field(description="Bought from a producer of the territory.")
    platform_id: str = Field(
        default="", description="Platform whose round carries a platform line; empty otherwise."
    )


class PurchasePlan(BaseModel):
    """A purchase plan over a horizon of weeks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weeks: tuple[dt.date, ...] = Field(description="Mondays of the planned weeks, in order.")
    lines: tuple[PurchaseLine, ...] = ()
    logistics_cost_eur: float = Field(
        default=0.0, ge=0, description="Logistics cost priced by the model (estimate or rounds)."
    )
    logistics_source: str = Field(
        default="", description="How logistics was priced, e.g. 'estimate' or 'rounds'."
    )
