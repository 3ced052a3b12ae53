"""Plan every kitchen's purchases over the horizon: the decomposition that solves the
sourcing model of :mod:`solver.sourcing.model` at the scale of a school year.

A whole school year in one MIP is too big, and the law's shares are yearly, so a run:

1. **Cuts the kitchens into groups** (:mod:`solver.sourcing.groups`): one group for a
   small territory or a cook's proposal; spatial groups of about equal model size for a
   big territory, planned one after the other, each with what earlier groups left of the
   shared supply.
2. **Solves each group's year relaxation** (:mod:`solver.sourcing.bound`) on a helper
   thread, every group's before any group's bound: the relaxations do not depend on each
   other, so a group's windows wait only for their own. It gives a lower bound and the
   windows' signals.
3. **Plans each group in windows** of ``params.window_weeks`` weeks solved in order as
   MIPs (:mod:`solver.sourcing.rolling`), each carrying what earlier windows committed;
   with the relaxation, a window's target rows run over the whole year with its
   forecast of later weeks, so a window buys organic or stays under budget as much as the
   year needs, not more.
4. **Bounds each group** on a helper thread beside the windows (MathOpt releases the
   GIL): the Lagrangian decomposition priced with the relaxation's duals; the
   territory's bound is the sum of the groups' bounds.

A territory cut in groups has its shared capacity **priced** by default
(:mod:`solver.sourcing.joint`): beside the planning, once every group's year relaxation
is in, a subgradient ascent on the territory's Lagrangian dual prices the capacity the
groups share, and the bound reported is that dual at the best prices, every group's
bound windows solved as MIPs (instead of step 4's sum, which counts shared supply once
per group). With ``Decomposition.joint_plan`` the pricing comes first and each group is
planned without what the groups after it buy at the prices.

Independent solves (relaxations, pricing passes, bound windows) are tasks of a
:class:`~solver.sourcing.tasks.TaskRunner`: threads of this process by default, or a
Dask cluster the application passes in; the territory's arrays are shared once.

Time is shared as :mod:`solver.sourcing.budget` describes. The plan returned satisfies
every constraint of the monolithic model (rows straddling a boundary use the committed
values) and is costed with the monolithic objective (:mod:`solver.sourcing.result`).

Hard targets: the shortfalls then cost ``TargetPenalties.hard`` EUR per EUR, so the model
first minimises the total missing EUR (the cheapest relaxation), then the cost. If a
shortfall remains, the LP relaxation with every shortfall fixed to 0 is solved: when it
is infeasible no plan can meet the targets (``status="INFEASIBLE"``, proven), else the
decomposition failed to find one (``status="NO_SOLUTION_WITHIN_LIMIT"``). Either way the
answer is a :class:`~solver.sourcing.result.HardInfeasibility`, never an exception.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from solver.core import Scenario, SolveParams, TargetMode
from solver.prepare import Eligibility
from solver.sourcing.assemble import merge_plans
from solver.sourcing.bound import (
    GroupBound,
    group_relaxations,
    solve_relaxation,
)
from solver.sourcing.budget import Decomposition, RunClock, group_windows
from solver.sourcing.data import (
    LogisticsOverrides,
    MatchData,
    TargetPenalties,
    build_match_data,
)
from solver.sourcing.groups import groups_of_ids, kitchen_groups
from solver.sourcing.model import build_window, solve_window
from solver.sourcing.plans import Layout, Plans, plan_groups
from solver.sourcing.restrict import restrict_kitchens
from solver.sourcing.result import (
    BOUND_GROUP_SUM,
    BOUND_WHOLE,
    HardInfeasibility,
    SourcingResult,
    TargetShortfall,
    WindowStats,
    hard_infeasibility,
)
from solver.sourcing.revision import (
    Revision,
    SourcingOptions,
    apply_options,
    keep_previous_weeks,
    ordering_of,
)
from solver.sourcing.rolling import GroupRun, GroupTask
from solver.sourcing.tasks import TaskRunner, ThreadRunner
from solver.sourcing.territory import TerritoryBound, plan_jointly
from solver.sourcing.window import ObjectiveSpec, Tiebreak, initial_state

__all__ = ["solve_sourcing"]

logger = logging.getLogger(__name__)


def solve_sourcing(
    scenario: Scenario,
    demand: pd.DataFrame,
    meals: pd.DataFrame,
    eligibility: Eligibility,
    *,
    params: SolveParams,
    kitchens: Sequence[str] | None = None,
    progress: Callable[[float, str], None] | None = None,
    logistics_cost_overrides: LogisticsOverrides | None = None,
    penalties: TargetPenalties | None = None,
    tiebreak: Tiebreak | None = None,
    compute_bound: bool = True,
    decomposition: Decomposition | None = None,
    options: SourcingOptions | None = None,
    runner: TaskRunner | None = None,
) -> SourcingResult:
    """Plan the purchases of ``kitchens`` (default: all with demand) over the demand's weeks.

    Parameters
    ----------
    scenario
        The territory (objective and target modes come from ``scenario.settings``).
    demand
        ``solver.prepare.demand.weekly_demand`` output: ``kitchen_id, week_start, product_id,
        quantity`` (purchase units), ...
    meals
        ``solver.prepare.demand.meals_per_week`` output: ``kitchen_id, week_start, meals``.
    eligibility
        From :func:`solver.prepare.eligibility.build_eligibility`.
    params
        Time limit (for the whole call), seed, threads, MIP gap, window size.
    kitchens
        Restrict the plan to these purchasing kitchens (a cook's proposal).
    progress
        Called as ``progress(fraction_done, message)`` after each step.
    logistics_cost_overrides
        Costs replacing the logistics estimate (e.g. from the rounds module).
    penalties, tiebreak
        Soft-target penalties and tie-break weights (documented defaults).
    compute_bound
        Compute the Lagrangian lower bound of multi-window runs.
    decomposition
        How the run is cut into groups and windows and how its time is shared
        (documented defaults).
    options
        The weekly cycle's and re-planning's options (:mod:`solver.sourcing.revision`):
        ordering costs (default: the scenario's settings), lines kept fixed, a revision of
        a previous plan. A revision plans
        the weeks from its ``from_week`` on and returns them after the previous plan's
        earlier weeks, kept as they were.
    runner
        Where independent solves run (:mod:`solver.sourcing.tasks`); default: threads of
        this process (``decomposition.helper_threads``).

    Returns
    -------
    SourcingResult
        Never raises for infeasible targets: see ``status`` and ``hard_infeasibility``.

    Raises
    ------
    ScenarioError
        When a fixed line cannot be kept as it is (located at its ``source``).
    """
    # long only by its docstring: the body builds the objective, the arrays, the groups
    t_start = time.perf_counter()
    settings = scenario.settings
    opts = options or SourcingOptions()
    ordering = opts.ordering or ordering_of(settings)
    rev = opts.revision
    spec = ObjectiveSpec(
        settings.objective,
        settings.target_mode,
        penalties or TargetPenalties(),
        tiebreak or Tiebreak(),
        ordering=ordering,
        change_eur=rev.change_eur if rev is not None and rev.objective == "weighted" else 0.0,
        lexicographic_changes=rev is not None and rev.objective == "lexicographic",
    )
    dec = decomposition or Decomposition()
    data = build_match_data(
        scenario, demand, meals, eligibility, kitchens=kitchens, overrides=logistics_cost_overrides
    )
    weeks = data.weeks
    data = apply_options(data, opts, ordering)
    layout = _layout(scenario, data, spec, params, dec, compute_bound, t_start)
    joint = dec.joint and len(layout.groups) > 1
    own = ThreadRunner(dec.helpers() + int(joint and dec.joint_plan)) if runner is None else None
    tasks = own if own is not None else runner
    assert tasks is not None
    try:
        if joint:
            done, bound = plan_jointly(scenario, data, layout, tasks, dec, progress, own is None)
        else:
            done, bound = plan_groups(scenario, data, layout, tasks, progress), None
    finally:
        if own is not None:
            own.close()
    result = _result(data, layout, done, spec, params, t_start, bound)
    return result if rev is None else _revised(result, rev, weeks, done, spec)


def _revised(
    result: SourcingResult,
    rev: Revision,
    weeks: list[dt.date],
    done: Plans,
    spec: ObjectiveSpec,
) -> SourcingResult:
    """A revision's result: the previous plan's kept weeks before the new ones, the food
    cost of them all, the changed lines the model counted."""
    plan = keep_previous_weeks(result.plan, rev, weeks)
    return dataclasses.replace(
        result,
        plan=plan,
        food_cost_eur=float(sum(line.value_eur for line in plan.lines)),
        changed_lines=sum(r.changed for r in done.runs) if spec.counts_changes else None,
    )


def _layout(
    scenario: Scenario,
    data: MatchData,
    spec: ObjectiveSpec,
    params: SolveParams,
    dec: Decomposition,
    compute_bound: bool,
    t_start: float,
) -> Layout:
    """Groups, their problems and bounds' relaxations, windows, and the run's clock."""
    if dec.kitchen_groups is not None:
        groups = groups_of_ids(data, dec.kitchen_groups)
    else:
        groups = kitchen_groups(scenario, data, params.seed, dec.group_pair_weeks)
    subs = [restrict_kitchens(data, g) for g in groups]
    bound_subs, bound_drops = group_relaxations(data, subs, groups)
    weight = np.array([sub.pair_weeks for sub in subs], dtype=float)
    clock = RunClock(t_start, params.time_limit_s, weight, dec)
    windows = [
        group_windows(sub, params, t, split=len(groups) > 1, decomposition=dec)
        for sub, t in zip(subs, clock.planned_s, strict=True)
    ]
    tried = np.array(
        [
            len(w) > 1 and b.pair_weeks <= dec.max_relaxation_pair_weeks
            for b, w in zip(bound_subs, windows, strict=True)
        ]
    )
    relaxation = dec.relaxation or solve_relaxation
    tasks = [
        GroupTask(
            spec,
            params,
            w,
            GroupBound(
                b, spec, params, GroupBound.windows_for(w, b.n_weeks), bound_drops, relaxation
            ),
            compute_bound,
        )
        for b, w in zip(bound_subs, windows, strict=True)
    ]
    return Layout(groups, subs, tasks, tried, clock)


def _territory_bound(runs: list[GroupRun]) -> tuple[float, str, str, float]:
    """The sum of the groups' bounds (``nan`` if one has none), its method, status and
    seconds."""
    lowers = [r.lower for r in runs]
    lower = float(sum(lowers)) if all(np.isfinite(x) for x in lowers) else float("nan")
    methods = sorted({r.bound_method for r in runs})
    method = methods[0] if len(methods) == 1 else "; ".join(methods)
    if len(runs) > 1:
        method = f"sum over {len(runs)} groups of kitchens of: {method}"
    status = "OPTIMAL" if all(r.bound_status == "OPTIMAL" for r in runs) else "PARTIAL"
    return lower, method, status, sum(r.bound_rt for r in runs)


def _status(stats: list[WindowStats], proven_optimal: bool, gap: float, params: SolveParams) -> str:
    if any(s.status == "NO_SOLUTION_WITHIN_LIMIT" for s in stats):
        return "NO_SOLUTION_WITHIN_LIMIT"
    if proven_optimal or (np.isfinite(gap) and gap <= params.mip_gap + 1e-9):
        return "OPTIMAL"
    return "FEASIBLE"


def _hard_check(
    data: MatchData,
    spec: ObjectiveSpec,
    params: SolveParams,
    rows: list[TargetShortfall],
    seconds: float,
) -> HardInfeasibility:
    """Hard targets missed by ``rows``: proven infeasible when the LP relaxation with every
    shortfall fixed to 0 is."""
    full = build_window(data, 0, data.n_weeks, initial_state(data), spec)
    proof = solve_window(full, params, seconds, relax=True, fix_zero=("s",))
    return hard_infeasibility(rows, proven=proof.status == "INFEASIBLE")


def _result(
    data: MatchData,
    layout: Layout,
    done: Plans,
    spec: ObjectiveSpec,
    params: SolveParams,
    t_start: float,
    bound: TerritoryBound | None,
) -> SourcingResult:
    """The run's plan, cost, bound (``bound``: the joint run's, else the groups'), gap
    and status."""
    runs, n_groups = done.runs, len(layout.groups)
    penalty_eur = sum(done.penalty_eur)
    if n_groups > 1 and bound is None:
        for n_g, (g, run) in enumerate(zip(layout.groups, runs, strict=True)):
            logger.info(
                "group %d/%d (%d kitchens): %.2f EUR, bound %.2f EUR (%s)",
                n_g + 1,
                n_groups,
                len(g),
                run.bought.cost_eur + done.penalty_eur[n_g],
                run.lower,
                run.bound_method,
            )
    logistics = sum(r.bought.logistics_eur for r in runs)
    objective = sum(r.bought.cost_eur for r in runs) + penalty_eur
    if bound is None:
        lower, bound_method, bound_status, bound_rt = _territory_bound(runs)
        kind = BOUND_WHOLE if n_groups == 1 else BOUND_GROUP_SUM
    else:
        lower, bound_method, bound_status = bound.lower_eur, bound.method, bound.status
        bound_rt, kind = bound.runtime_s, bound.kind
    stats = [w for r in runs for w in r.stats]
    if np.isfinite(lower) and objective < lower <= objective + 1e-7 * max(1.0, abs(objective)):
        # an interior-point optimum is exact to ~1e-9: a plan that reaches it is optimal
        lower = objective
    gap = (
        (objective - lower) / abs(objective)
        if np.isfinite(lower) and objective != 0
        else float("nan")
    )
    single = n_groups == 1 and len(runs[0].stats) == 1
    status = _status(stats, single and all(r.all_optimal for r in runs), gap, params)
    hard: HardInfeasibility | None = None
    if spec.target_mode is TargetMode.HARD and done.shortfalls:
        left = max(1.0, params.time_limit_s - (time.perf_counter() - t_start))
        hard = _hard_check(data, spec, params, done.shortfalls, left)
        status = "INFEASIBLE" if hard.proven else "NO_SOLUTION_WITHIN_LIMIT"
    plan = merge_plans(done.plans, data, logistics)
    result = SourcingResult(
        plan=plan,
        status=status,
        objective_eur=objective,
        lower_bound_eur=lower,
        gap=gap,
        runtime_s=time.perf_counter() - t_start,
        target_shortfalls=done.shortfalls,
        hard_infeasibility=hard,
        windows=stats,
        food_cost_eur=float(sum(line.value_eur for line in plan.lines)),
        logistics_cost_eur=logistics,
        penalty_eur=penalty_eur,
        bound_runtime_s=bound_rt,
        bound_status=bound_status,
        bound_method=bound_method,
        bound_kind=kind,
        groups=n_groups,
    )
    logger.info("sourcing: %s", result.summary().splitlines()[0])
    return result
