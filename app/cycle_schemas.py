"""HTTP requests of the weekly cycle and of re-planning (``/v1/weeks``, ``/v1/replans``).

The requests extend :class:`app.schemas.PlanRequest` (a scenario by name or inline, a
time limit, a seed). The rows of the files the CLI reads (availability lists, orders
already sent, shortfalls) and a plan's lines arrive as JSON lists of objects with the
same fields; they are kept as JSON here, bounded in number, and read into the domain's
records by :mod:`app.tasks`, so that each error is located like the JSON itself
(``availability[2].kg_available``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas import JOB_ID_PATTERN, Mode, PlanRequest, Seed, TimeLimit

#: Most rows of an availability list, of orders already sent, or of shortfalls.
MAX_ROWS = 5_000
#: Most lines of a plan to re-plan (a territory's school year holds tens of thousands).
MAX_PLAN_LINES = 100_000

Rows = Annotated[list[dict[str, Any]], Field(max_length=MAX_ROWS)]
Eur = Annotated[float, Field(ge=0, le=1_000_000)]


class _OrderingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supplier_order_cost_eur: Eur | None = Field(
        default=None,
        description="EUR per distinct supplier a kitchen orders from in a week "
        "(default: the scenario's settings).",
    )
    regularity_eur_per_kg: Eur | None = Field(
        default=None,
        description="EUR per kg of week-to-week change of a producer's volume "
        "(default: the scenario's settings).",
    )
    regularity_scope: Literal["producer_kitchen", "producer"] | None = Field(
        default=None, description="Volume kept stable per producer and kitchen, or producer."
    )
    with_rounds: bool = Field(default=True, description="Plan the platform's rounds.")

    def ordering_json(self) -> dict[str, Any]:
        """The ordering part of the stored request."""
        return {
            "supplier_order_cost_eur": self.supplier_order_cost_eur,
            "regularity_eur_per_kg": self.regularity_eur_per_kg,
            "regularity_scope": self.regularity_scope,
            "with_rounds": self.with_rounds,
        }


class WeekRequest(PlanRequest, _OrderingIn):
    """A week's orders: availability lists, orders already sent, the rest planned."""

    week: dt.date = Field(description="Monday of the week to order.", examples=["2025-09-15"])
    availability: Rows = Field(
        default_factory=list,
        description="Availability lists (mercuriale): producer_id, product_id, week, "
        "kg_available, price_eur_per_unit (optional).",
    )
    fixed_orders: Rows = Field(
        default_factory=list,
        description="Orders already sent, kept: kitchen_id, producer_id, product_id, kg, "
        "channel (optional).",
    )
    time_limit_s: TimeLimit = 10.0
    seed: Seed = 0
    mode: Mode = "auto"

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job."""
        return {
            **self.scenario_json(),
            **self.ordering_json(),
            "week": self.week.isoformat(),
            "availability": self.availability,
            "fixed_orders": self.fixed_orders,
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
        }


class PlanIn(BaseModel):
    """A plan to re-plan: its weeks and its lines (as a plan's ``purchase_plan``)."""

    model_config = ConfigDict(extra="forbid")

    weeks: list[dt.date] = Field(min_length=1, max_length=60, description="Mondays planned.")
    lines: Annotated[list[dict[str, Any]], Field(max_length=MAX_PLAN_LINES)] = Field(
        description="Purchase lines: week_start, kitchen_id, supplier_id, product_id, "
        "quantity, quantity_kg, unit_price_eur, value_eur, channel, local, labels, ..."
    )


class ReplanRequest(PlanRequest, _OrderingIn):
    """Re-plan after a shortfall, changing as few order lines as possible.

    The plan is given inline (``plan``, with the scenario it was made for), or as the id
    of a finished ``/v1/plans`` job (``plan_job_id``: its scenario and plan are used).
    """

    plan: PlanIn | None = None
    plan_job_id: Annotated[str, Field(pattern=JOB_ID_PATTERN)] | None = Field(
        default=None, description="A finished plan job whose plan is re-planned."
    )
    shortfalls: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_ROWS)] = Field(
        description="producer_id, product_id (or *), from_week, loss_pct (100 = drops out)."
    )
    objective: Literal["lexicographic", "weighted", "cost"] = Field(
        default="lexicographic",
        description="lexicographic: fewest changed lines, then cost; weighted: cost + "
        "change_eur per changed line; cost: the weeks left from scratch.",
    )
    change_eur: float = Field(
        default=20.0, gt=0, le=1_000_000, description="EUR per changed line (weighted)."
    )
    time_limit_s: TimeLimit = 60.0
    seed: Seed = 0
    mode: Mode = "auto"

    @model_validator(mode="after")
    def _one_plan(self) -> ReplanRequest:
        if (self.plan is None) == (self.plan_job_id is None):
            msg = "give plan or plan_job_id, exactly one"
            raise ValueError(msg)
        if self.plan_job_id is not None and (
            self.scenario is not None or self.scenario_name is not None
        ):
            msg = "with plan_job_id the scenario is the plan job's: give no scenario"
            raise ValueError(msg)
        return self

    @property
    def n_weeks(self) -> int:
        """Weeks of the inline plan (0 for a plan job's)."""
        return len(self.plan.weeks) if self.plan is not None else 0

    def to_request(self) -> dict[str, Any]:
        """JSON stored with the job (the plan as given: inline, or the job's id)."""
        out: dict[str, Any] = {
            **self.ordering_json(),
            "shortfalls": self.shortfalls,
            "objective": self.objective,
            "change_eur": self.change_eur,
            "time_limit_s": self.time_limit_s,
            "seed": self.seed,
        }
        if self.plan is not None:
            out |= {**self.scenario_json(), "plan": self.plan.model_dump(mode="json")}
        else:
            out["plan_job_id"] = self.plan_job_id
        return out
