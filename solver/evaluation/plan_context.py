"""What the plan checker's rules share: tolerances, the eligibility they read, the context.

:func:`build_context` computes once what every rule of :mod:`solver.evaluation.plan_check`
reads: the plan as a frame (:func:`solver.evaluation.indicators.plan_frame`), the demand
summed per kitchen x product x week, and the stock table
(:func:`solver.evaluation.plan_stock.stock_table`).

Tolerances: 1 g + 1e-6 relative on masses and quantities, 1 cent on values, half a cent on
unit prices (solvers return floats).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from solver.core import Canteen, Channel, DeliveryMode, Producer, PurchasePlan, Scenario
from solver.evaluation.indicators import plan_frame, to_date
from solver.evaluation.plan_stock import stock_table
from solver.evaluation.report import Violation

TOL_KG = 1e-3
TOL_EUR = 0.01
TOL_PRICE_EUR = 0.005
TOL_REL = 1e-6

#: Delivery modes that allow each local channel.
CHANNEL_MODES: dict[str, frozenset[DeliveryMode]] = {
    Channel.DIRECT.value: frozenset({DeliveryMode.SELF_DELIVERY, DeliveryMode.CARRIER}),
    Channel.PLATFORM.value: frozenset({DeliveryMode.PLATFORM}),
    Channel.FARM_PICKUP.value: frozenset({DeliveryMode.FARM_PICKUP}),
}

#: Channels whose lines make a direct drop (one producer, one kitchen, one day).
DIRECT_LIKE = (Channel.DIRECT.value, Channel.FARM_PICKUP.value)


class EligibilityLike(Protocol):
    """What the checker needs of ``solver.prepare.Eligibility``."""

    @property
    def direct(self) -> Mapping[tuple[str, str], float]:
        """Drive time (s) of each (producer_id, kitchen_id) pair with a known route."""
        ...

    @property
    def platform_producers(self) -> Collection[str]:
        """Producers the platform's round collects from."""
        ...

    @property
    def platform_kitchens(self) -> Collection[str]:
        """Kitchens the platform's round delivers."""
        ...

    @property
    def travel_source(self) -> str:
        """Name of the travel-time source (estimate, road, ...)."""
        ...

    @property
    def estimated(self) -> bool:
        """True when travel times are straight-line estimates."""
        ...


def drive_limit_min(radius_min: float, producer: Producer, channel: str) -> float:
    """Longest allowed drive of a direct channel: the radius, and the producer's own max
    drive when it drives itself (no carrier; not for a farm pickup, where the kitchen drives)."""
    if channel == Channel.DIRECT.value and DeliveryMode.CARRIER not in producer.delivery_modes:
        return min(radius_min, producer.max_drive_min)
    return radius_min


def rows(df: pd.DataFrame) -> Iterator[Any]:
    """Rows as named tuples (attributes typed Any for the checker's arithmetic)."""
    return df.itertuples(index=False)


def items(df: pd.DataFrame) -> Iterator[tuple[Any, Any]]:
    """(index, row) pairs with the index typed Any (a tuple for a MultiIndex)."""
    return df.iterrows()


def tol(x: float, base: float = TOL_KG) -> float:
    """Tolerance around a limit ``x``: ``base`` plus :data:`TOL_REL` of ``|x|``."""
    return base + TOL_REL * abs(x)


def plan_violation(
    rule: str,
    message: str,
    *,
    value: float,
    limit: float,
    kitchen_id: str = "",
    supplier_id: str = "",
    product_id: str = "",
    week_start: dt.date | None = None,
) -> Violation:
    """A plan rule's violation: ids as strings, ``value`` found against ``limit`` as floats
    (NaN when the rule has no number)."""
    return Violation(
        rule=rule,
        kitchen_id=str(kitchen_id),
        supplier_id=str(supplier_id),
        product_id=str(product_id),
        week_start=week_start,
        message=message,
        value=float(value),
        limit=float(limit),
    )


@dataclass
class CheckContext:
    """Everything the rules read, computed once."""

    scenario: Scenario
    plan: PurchasePlan
    eligibility: EligibilityLike
    lines: pd.DataFrame
    demand: pd.DataFrame
    meals: pd.DataFrame | None
    horizon: tuple[dt.date, ...]
    stock: pd.DataFrame  # kitchen_id, product_id, week_start, demand_kg, bought_kg, ...
    kitchens: tuple[str, ...] | None = None  # restriction (a cook's proposal), None = all
    canteens: dict[str, Canteen] = field(init=False)

    def canteen(self, kid: str) -> Canteen | None:
        """The canteen with id ``kid`` or None."""
        return self.canteens.get(kid)

    def __post_init__(self) -> None:
        self.canteens = {c.id: c for c in self.scenario.canteens}


def normalise_demand(demand: pd.DataFrame | None) -> pd.DataFrame:
    """``kitchen_id, product_id, week_start, demand_kg`` summed per key, weeks as dates.

    Raises ValueError when a column is missing.
    """
    cols = ["kitchen_id", "week_start", "product_id", "demand_kg"]
    if demand is None or demand.empty:
        return pd.DataFrame(columns=cols)
    missing = [c for c in cols if c not in demand.columns]
    if missing:
        msg = f"demand table lacks column(s) {missing}; it has {list(demand.columns)}"
        raise ValueError(msg)
    d = demand[cols].copy()
    d["week_start"] = d["week_start"].map(to_date)
    d["demand_kg"] = d["demand_kg"].astype(float)
    return d.groupby(["kitchen_id", "product_id", "week_start"])["demand_kg"].sum().reset_index()


def build_context(
    scenario: Scenario,
    demand: pd.DataFrame | None,
    meals: pd.DataFrame | None,
    eligibility: EligibilityLike,
    plan: PurchasePlan,
    *,
    kitchens: Sequence[str] | None = None,
) -> CheckContext:
    """Precompute the plan frame, the demand and the stock table the rules read.

    ``kitchens`` restricts the demand and the meals to those purchasing kitchens.
    """
    lines = plan_frame(scenario, plan)
    d = normalise_demand(demand)
    if kitchens is not None:
        keep = set(kitchens)
        d = d[d["kitchen_id"].isin(keep)]
        if meals is not None:
            meals = meals[meals["kitchen_id"].isin(keep)]
    horizon = tuple(plan.weeks)
    # stock is counted on quantity x kg_per_unit (the scenario's truth), so a wrong
    # ``quantity_kg`` on a line is reported once, by check_prices_and_values
    kpu = {p.id: p.kg_per_unit for p in scenario.products}
    true_kg = lines["quantity"] * lines["product_id"].map(kpu).astype(float)
    stock_lines = lines.assign(quantity_kg=true_kg.fillna(lines["quantity_kg"]))
    known = {k.id for k in scenario.kitchens()}
    stock_lines = stock_lines[stock_lines["kitchen_id"].isin(known)]
    stock = stock_table(scenario, stock_lines, d, horizon)
    return CheckContext(
        scenario=scenario,
        plan=plan,
        eligibility=eligibility,
        lines=lines,
        demand=d,
        meals=meals,
        kitchens=None if kitchens is None else tuple(kitchens),
        horizon=horizon,
        stock=stock,
    )
