"""Independent checker of a purchase plan: every rule, recomputed in plain Python/pandas.

It never imports a solver: it takes a scenario, the weekly demand, the meals, the
eligibility (travel times) and ANY plan, and reports each violated rule with the numbers
behind it. Each rule is one named function ``check_*(ctx) -> list[Violation]``
(:data:`RULES`: :mod:`solver.evaluation.plan_rules_lines` for the lines themselves,
:mod:`solver.evaluation.plan_rules_deliveries` for what reaches the kitchens) over a
:class:`solver.evaluation.plan_context.CheckContext`; :func:`check_plan` runs them all and
recomputes the indicators.

Conventions shared with the sourcing model (:mod:`solver.sourcing`):

* a week is its Monday; the month of a week (season, ``capacity_by_month``) is the month
  of its Thursday (:func:`solver.core.week_month`);
* a line without ``delivery_date`` is delivered on its week's Monday for counting drops,
  and its weekday is not checked;
* a direct drop is one producer delivering one kitchen on one day (channels ``direct``
  and ``farm_pickup``); its minimum order is the producer's ``min_order_kg`` AND
  ``min_order_eur`` (each when > 0) on the sum of the drop's lines; a platform pickup is
  a producer's platform lines of one week summed over all kitchens, valued at offer price;
* producer weekdays apply to direct drops and to platform pickups (the round collects on
  the delivery day); a farm pickup follows the kitchen's days; ``deliveries_per_week``
  ("max drops per week") bounds a producer's drops in a week: its distinct direct drops
  and farm pickups (kitchen x day) plus its distinct platform pickup days;
  ``delivery_every_n_weeks = n`` allows at most one week with any of the producer's lines
  (any local channel) in any n consecutive weeks;
* kitchen deliveries in a week = distinct direct drops + 1 if the platform delivers it +
  1 if the wholesaler does (``solver.evaluation.indicators.deliveries_by_week``);
* stock is the end-of-week inventory of a kitchen x product, consumed FIFO, starting at
  zero (:mod:`solver.evaluation.plan_stock`):
  ``stock_w = max(0, stock_{w-1} + bought_w - demand_w)``; the unmet part
  ``max(0, demand_w - stock_{w-1} - bought_w)`` is a ``demand_not_met`` violation. Fresh
  (non-storable) products carry no stock: buying more than the week's demand is
  ``fresh_stock``. A storable's stock must fit within the demand of the next
  ``floor(shelf_life_days / 7)`` calendar weeks (``shelf_life``), and the stock per cold
  class within the kitchen's storage (chilled + frozen against ``storage_chilled_kg``,
  ambient against ``storage_ambient_kg``);
* prices: direct/farm pickup = offer price, platform = offer price x (1 + margin), reference
  = the reference offer's price; ``value = quantity x price`` and
  ``kg = quantity x kg_per_unit``; labels = the offer's labels;
* the platform (the first one, as the sourcing model) carries chilled and frozen goods
  only with a refrigerated van, and at most its vans' payload x round days a week (a
  platform listed without vans is not checked for either);
* targets (EGALIM, organic, meat and fish, local) and budget per kitchen over the plan's
  weeks: violations when ``settings.target_mode == "hard"``, otherwise reported in
  ``PlanCheck.target_shortfalls`` only.

Tolerances: 1 g + 1e-6 relative on masses and quantities, 1 cent on values, half a cent
on unit prices (solvers return floats).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from solver.core import PurchasePlan, Scenario, TargetMode
from solver.evaluation.indicators import TERRITORY, indicators_table, target_shortfalls
from solver.evaluation.plan_context import CheckContext, EligibilityLike, build_context
from solver.evaluation.plan_rules_deliveries import (
    check_delivery_days_and_frequency,
    check_demand_met,
    check_min_order,
    check_platform,
    check_storage,
    check_targets,
)
from solver.evaluation.plan_rules_lines import (
    check_capacity_and_season,
    check_dates,
    check_eligibility,
    check_labels,
    check_prices_and_values,
)
from solver.evaluation.report import Report, Violation, json_num

logger = logging.getLogger(__name__)

#: The fields of a plan's :class:`Violation` (its rounds and pooling fields stay empty).
VIOLATION_COLUMNS = (
    "rule",
    "kitchen_id",
    "supplier_id",
    "product_id",
    "week_start",
    "message",
    "value",
    "limit",
)


@dataclass(frozen=True)
class PlanCheck(Report):
    """The plan checker's verdict: the :class:`Report` plus the plan's indicators.

    ``target_shortfalls`` lists every missed target (a violation only in hard mode);
    ``indicators`` is the territory row of ``indicators_table``.
    """

    indicators: dict[str, Any] = field(default_factory=dict)
    target_shortfalls: list[dict[str, Any]] = field(default_factory=list)
    target_mode: str = TargetMode.SOFT.value
    travel_source: str = ""
    travel_estimated: bool = True
    synthetic: bool = False
    n_lines: int = 0
    weeks: int = 0
    indicators_table: pd.DataFrame | None = None

    def violations_table(self) -> pd.DataFrame:
        """One row per violation: rule, kitchen, supplier, product, week, message, value,
        limit (the plan's fields of :class:`Violation`, as in ``check.json``)."""
        return pd.DataFrame(
            [{k: v.to_dict()[k] for k in VIOLATION_COLUMNS} for v in self.violations]
        )

    def to_dict(self) -> dict[str, Any]:
        """``{"ok": bool, "violations": [...], ...}``, ready for ``check.json``."""
        return {
            **super().to_dict(),
            "target_mode": self.target_mode,
            "target_shortfalls": [
                {k: json_num(v) for k, v in s.items()} for s in self.target_shortfalls
            ],
            "indicators": {k: json_num(v) for k, v in self.indicators.items()},
            "travel_source": self.travel_source,
            "travel_estimated": self.travel_estimated,
            "synthetic": self.synthetic,
            "n_lines": self.n_lines,
            "weeks": self.weeks,
        }


#: Every rule, in the order they run.
RULES: tuple[Callable[[CheckContext], list[Violation]], ...] = (
    check_dates,
    check_demand_met,
    check_eligibility,
    check_capacity_and_season,
    check_min_order,
    check_delivery_days_and_frequency,
    check_storage,
    check_prices_and_values,
    check_labels,
    check_platform,
    check_targets,
)


def check_plan(
    scenario: Scenario,
    demand: pd.DataFrame | None,
    meals: pd.DataFrame | None,
    eligibility: EligibilityLike,
    plan: PurchasePlan,
    *,
    kitchens: Sequence[str] | None = None,
) -> PlanCheck:
    """Check ``plan`` against every rule and recompute its indicators.

    Parameters
    ----------
    scenario
        The scenario the plan was made for.
    demand
        ``DataFrame[kitchen_id, week_start, product_id, quantity, demand_kg, source]``
        (``solver.prepare.weekly_demand``); only ``kitchen_id, week_start, product_id,
        demand_kg`` are read.
    meals
        ``DataFrame[kitchen_id, week_start, meals, service_days]`` for cost per meal.
    eligibility
        Drive times and platform membership (``solver.prepare.Eligibility``).
    plan
        Any purchase plan.
    kitchens
        Check only these purchasing kitchens' demand and targets (a cook's proposal for
        one kitchen against the territory's demand). Default: every kitchen.

    Returns
    -------
    PlanCheck
        ``ok`` is True when no rule is violated; soft-mode target misses are in
        ``target_shortfalls`` and do not make ``ok`` False.
    """
    ctx = build_context(scenario, demand, meals, eligibility, plan, kitchens=kitchens)
    table = indicators_table(scenario, plan, ctx.meals, lines=ctx.lines, kitchens=kitchens)
    shortfalls = target_shortfalls(table)
    violations: list[Violation] = []
    for rule in RULES:
        found = check_targets(ctx, shortfalls) if rule is check_targets else rule(ctx)
        if found:
            logger.info("%s: %d violation(s)", rule.__name__, len(found))
        violations.extend(found)
    terr = table[table["kitchen_id"] == TERRITORY].iloc[0].to_dict() if not table.empty else {}
    return PlanCheck(
        ok=not violations,
        violations=tuple(violations),
        indicators={str(k): v for k, v in terr.items() if k != "kitchen_name"},
        target_shortfalls=shortfalls,
        target_mode=scenario.settings.target_mode.value,
        travel_source=str(eligibility.travel_source),
        travel_estimated=bool(eligibility.estimated),
        synthetic=scenario.settings.synthetic,
        n_lines=len(ctx.lines),
        weeks=len(plan.weeks),
        indicators_table=table,
    )
