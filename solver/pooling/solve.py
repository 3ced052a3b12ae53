"""Can a producer group honour a kitchen's order together, and if not, what would it take?

:func:`check_pooling_order` runs the stages in turn: eligibility and allocation
(:mod:`solver.pooling.allocation`, exact), transport (:mod:`solver.pooling.transport`: own trips
or rounds), the verdict week by week, the smallest relaxations
(:mod:`solver.pooling.relaxation`) when infeasible, and the independent checker
(:func:`solver.evaluation.check_pooling`).

A week is feasible when every product's demand is allocated and every delivery of the week is
routed. The answer's binding reason is the reason code with the most kg short.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, replace

from solver.evaluation import check_pooling
from solver.pooling.allocation import Allocation, allocate
from solver.pooling.answer import (
    PoolingAnswer,
    Relaxation,
    Shortfall,
    Trip,
    WeekVerdict,
    binding_reason,
    verdict_line,
)
from solver.pooling.eligibility import Context, make_context
from solver.pooling.inputs import PoolingInputs, validate_inputs
from solver.pooling.relaxation import relaxations
from solver.pooling.transport import (
    delivery_patterns,
    own_trips,
    rounds_problem,
    route_cost_by_pattern,
    routing_shortfalls,
)
from solver.rounds import RoundsProblem, RoundsResult, solve_rounds

logger = logging.getLogger(__name__)

METHOD = (
    "allocation: exact closed form per (product, week) "
    "(the LP decomposes; see solver.pooling.allocation); "
    "routes: PyVRP via solver.rounds.solve_rounds (heuristic, time-limited)"
)
"""The answer's ``method`` with rounds (``member_collects``, ``platform``)."""
METHOD_OWN_TRIPS = (
    "allocation: exact closed form per (product, week) "
    "(the LP decomposes; see solver.pooling.allocation); "
    "trips: each member's drive, window and weekdays checked directly from the matrix (exact)"
)
"""The answer's ``method`` with ``each_delivers``."""


@dataclass(frozen=True)
class _Logistics:
    """The transport stage: own trips or rounds, their shortfalls and cost (EUR)."""

    trips: list[Trip]
    problem: RoundsProblem | None
    result: RoundsResult | None
    shortfalls: list[Shortfall]
    cost_eur: float


def _logistics(
    inputs: PoolingInputs,
    ctx: Context,
    of_date: dict[dt.date, str],
    content: dict[str, list[tuple[str, str, float]]],
    time_limit_s: float,
    seed: int,
) -> _Logistics:
    if inputs.transport.mode == "each_delivers":
        trips = own_trips(inputs, ctx, of_date, content)
        return _Logistics(trips, None, None, [], sum(t.cost_eur for t in trips))
    if not content:
        return _Logistics([], None, None, [], 0.0)
    problem = rounds_problem(inputs, ctx, content)
    result = solve_rounds(problem, time_limit_s=time_limit_s, seed=seed)
    cost = route_cost_by_pattern(problem, result)
    return _Logistics(
        [],
        problem,
        result,
        routing_shortfalls(inputs, problem, result, of_date),
        sum(cost.get(label, 0.0) for label in of_date.values()),
    )


def _week_verdicts(
    inputs: PoolingInputs, stage: Allocation, shortfalls: list[Shortfall]
) -> list[WeekVerdict]:
    by_week: dict[dt.date, list[Shortfall]] = defaultdict(list)
    for s in shortfalls:
        by_week[s.week_start].append(s)
    out = []
    for w in inputs.order.weeks:
        n = len(inputs.order.delivery_dates(w))
        if n == 0:
            continue
        demand = sum(stage.demand.get((ln.product_id, w), 0.0) for ln in inputs.order.lines)
        alloc = sum(
            sum(stage.alloc.get((ln.product_id, w), {}).values()) for ln in inputs.order.lines
        )
        reasons = tuple(dict.fromkeys(s.reason_code for s in by_week[w]))
        out.append(WeekVerdict(w, n, demand, alloc, not by_week[w], reasons))
    return out


def _money(stage: Allocation) -> tuple[dict[str, float], dict[str, float]]:
    """Revenue (EUR) by member, and the kitchen's mean price (EUR/kg) by product."""
    revenue: dict[str, float] = defaultdict(float)
    value: dict[str, float] = defaultdict(float)
    kg_p: dict[str, float] = defaultdict(float)
    for r in stage.rows:
        revenue[r.producer_id] += r.revenue_eur
        value[r.product_id] += r.qty * r.kitchen_price_eur_per_unit
        kg_p[r.product_id] += r.kg
    return (
        {m: round(v, 2) for m, v in sorted(revenue.items())},
        {p: round(value[p] / kg_p[p], 4) for p in value if kg_p[p] > 0},
    )


def check_pooling_order(
    inputs: PoolingInputs,
    *,
    time_limit_s: float = 2.0,
    seed: int = 0,
    relax: bool = True,
) -> PoolingAnswer:
    """Can the group honour the order? Allocation, transport, money, reasons, relaxations.

    Parameters
    ----------
    inputs
        Scenario, group members, order, transport, travel times, sharing rule.
    time_limit_s
        Engine budget for the rounds (member_collects / platform), shared by the delivery
        patterns; each relaxation that re-solves rounds gets the same budget.
    seed
        Engine seed.
    relax
        Compute relaxations when the order is infeasible.

    Returns
    -------
    PoolingAnswer
        With the independent checker's verdict in ``check``.
    """
    t0 = time.perf_counter()
    validate_inputs(inputs)
    ctx = make_context(inputs)
    stage = allocate(inputs, ctx)
    of_date, content = delivery_patterns(inputs, stage)
    logistics = _logistics(inputs, ctx, of_date, content, time_limit_s, seed)
    shortfalls = [*stage.shortfalls, *logistics.shortfalls]
    kg = sum(r.kg for r in stage.rows)
    weeks = _week_verdicts(inputs, stage, shortfalls)
    feasible = all(w.feasible for w in weeks) and bool(weeks)
    binding = binding_reason(shortfalls)
    relaxes: list[Relaxation] = []
    if not feasible and relax:
        relaxes = relaxations(
            inputs, ctx, stage, shortfalls, logistics.problem, content, of_date, time_limit_s, seed
        )
    revenue, kitchen_eur_per_kg = _money(stage)
    mode = inputs.transport.mode
    answer = PoolingAnswer(
        feasible=feasible,
        verdict=verdict_line(feasible, weeks, shortfalls, binding),
        rule=inputs.rule,
        mode=mode,
        method=METHOD_OWN_TRIPS if mode == "each_delivers" else METHOD,
        weeks=tuple(weeks),
        allocation=tuple(stage.rows),
        shortfalls=tuple(shortfalls),
        binding_reason=binding,
        relaxations=tuple(relaxes),
        trips=tuple(logistics.trips),
        rounds_problem=logistics.problem,
        rounds_result=logistics.result,
        pattern_of_date=of_date,
        logistics_cost_eur=round(logistics.cost_eur, 2),
        logistics_eur_per_kg=round(logistics.cost_eur / kg, 4) if kg > 0 else 0.0,
        kg_delivered=round(kg, 3),
        revenue_eur_by_member=revenue,
        kitchen_eur_per_kg_by_product=kitchen_eur_per_kg,
        travel_source=inputs.travel.source,
        estimated=bool(inputs.travel.estimated),
        runtime_s=round(time.perf_counter() - t0, 3),
    )
    report = check_pooling(inputs, answer)
    if not report.ok:
        logger.error("pooling checker found violations: %s", report.violations)
    return replace(answer, check=report)
