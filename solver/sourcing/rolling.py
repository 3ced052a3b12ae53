"""One group of kitchens planned window after window, and its lower bound beside it.

Each window carries what earlier windows committed and, when the group's year
relaxation finished, plans with its signals: target rows over the whole year with the
relaxation's purchases of later weeks as forecast, and the closing stock credited at the
relaxation's stock duals (:mod:`solver.sourcing.model`). A window first solves its
reference-only plan (an LP: every binary fixed to 0 but the wholesaler's, always
feasible), hands it to the engine as the first incumbent, then runs the MIP to an
absolute gap of ``params.mip_gap`` times the window's demand at wholesale prices (a
relative gap on an objective that carries the year's penalties would be loose); the
better plan is kept, so a window that runs out of time still has a plan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from solver.core import SolveParams
from solver.sourcing.assemble import Purchases, commit_window, drops_and_pickups
from solver.sourcing.bound import (
    METHOD_LOOSE,
    METHOD_LP,
    METHOD_SINGLE,
    BoundResult,
    GroupBound,
    Relaxation,
    stock_prices,
)
from solver.sourcing.budget import WINDOWS_SHARE, WINDOWS_SHARE_BOUND_AFTER, WindowClock
from solver.sourcing.cycle_rules import carry_regularity
from solver.sourcing.data import MatchData
from solver.sourcing.model import WindowSolution, build_window, solve_window
from solver.sourcing.result import TOL_EUR, WindowStats, target_shortfalls
from solver.sourcing.stages import changes_of, fewest_changes, keep_previous, lexicographic_best
from solver.sourcing.tasks import TaskFuture, TaskRunner
from solver.sourcing.window import ObjectiveSpec, WindowModel, WindowState, initial_state

__all__ = ["GroupRun", "GroupTask", "plan_group"]

logger = logging.getLogger(__name__)

#: Blocks fixed to 0 in the reference-only fallback plan.
FALLBACK_ZERO = ("y", "z", "v", "a", "lot")


@dataclass(frozen=True)
class GroupTask:
    """One group of kitchens to plan: its objective, engine settings, windows and bound.

    ``compute_bound`` False leaves multi-window groups without the Lagrangian bound.
    """

    spec: ObjectiveSpec
    params: SolveParams
    windows: list[tuple[int, int]]
    bound: GroupBound
    compute_bound: bool = True

    @property
    def single(self) -> bool:
        """One window: the window is the group's monolithic model."""
        return len(self.windows) == 1


@dataclass
class GroupRun:
    """What one group of kitchens' solve produced: its purchases, final state, windows,
    its lower bound so far and the bound job still running on a helper."""

    bought: Purchases
    state: WindowState
    penalty: np.ndarray  # EUR per EUR of shortfall, per target
    stats: list[WindowStats] = field(default_factory=list)
    lower: float = float("nan")
    bound_status: str = "not computed"
    bound_method: str = "none"
    bound_rt: float = 0.0
    all_optimal: bool = True
    drops: list[np.ndarray] = field(default_factory=list)  # (p, w) of every direct drop
    pickups: list[np.ndarray] = field(default_factory=list)  # (p, w) of every platform pickup
    bound_job: TaskFuture[BoundResult] | None = None
    changed: int = 0  # the previous plan's order lines changed, as the model counts them

    def keep_bound(self, res: BoundResult) -> None:
        """Keep ``res`` if it beats the bound at hand (or there is none)."""
        self.bound_rt += res.runtime_s
        if np.isfinite(res.value_eur) and not (res.value_eur <= self.lower):
            self.lower, self.bound_status = res.value_eur, res.status
            self.bound_method = res.method

    def collect_bound(self) -> None:
        """Wait for the helper's bound and keep it if it beats the one at hand."""
        if self.bound_job is None:
            return
        res = self.bound_job.result()
        self.bound_job = None
        self.keep_bound(res)


class _Progress:
    """``progress(fraction, message)`` of the whole run, from this group's fractions."""

    def __init__(
        self, progress: Callable[[float, str], None] | None, span: tuple[float, float]
    ) -> None:
        self.progress, self.span = progress, span

    def __call__(self, frac: float, msg: str) -> None:
        if self.progress:
            lo, hi = self.span
            self.progress(lo + (hi - lo) * frac, msg)


def plan_group(
    data: MatchData,
    task: GroupTask,
    budget_s: float,
    *,
    rel_job: TaskFuture[Relaxation | None] | None,
    helper: TaskRunner,
    bound_seconds: Callable[[], float],
    progress: Callable[[float, str], None] | None = None,
    span: tuple[float, float] = (0.0, 1.0),
) -> GroupRun:
    """Windows and bound of one group of kitchens within ``budget_s`` seconds.

    ``data`` is what the plan may use (capacities left by groups planned before);
    ``task.bound`` the relaxation the bound is computed on. ``rel_job`` is the year's
    relaxation of the bound's problem, queued ahead on ``helper`` (``None``: not tried);
    the Lagrangian bound is queued on ``helper`` too and runs beside the windows and later
    groups, within ``bound_seconds()`` from when it starts: the run's ``bound_job``.
    """
    t_start = time.perf_counter()
    report = _Progress(progress, span)
    run = GroupRun(Purchases(), initial_state(data), task.spec.penalty_row())
    if task.single:
        run.bound_method = METHOD_SINGLE
    rel = _take_relaxation(run, rel_job, report)
    # the windows end by this time; the Lagrangian bound runs beside them, or after them
    # when there is no relaxation to take multipliers from
    after = not (task.single or rel is not None or not task.compute_bound)
    share = WINDOWS_SHARE_BOUND_AFTER if after else WINDOWS_SHARE
    deadline = time.perf_counter() + share * (budget_s - (time.perf_counter() - t_start))
    if rel is not None and task.compute_bound:
        run.bound_job = helper.submit(_bound_with_relaxation, task.bound, rel, bound_seconds)
    size = [(data.demand[:, :, a:b] > 0).sum() + 1.0 for a, b in task.windows]
    clock = WindowClock(deadline, size)
    window_bound = float("nan")
    for n_done, (w0, w1) in enumerate(task.windows):
        m, sol = _solve_window(data, task, run.state, rel, (w0, w1), clock.limit_s(n_done))
        window_bound = sol.bound
        _record(run, data, m, sol, task.spec)
        report(
            0.2 + 0.75 * (n_done + 1) / len(task.windows),
            f"weeks {data.weeks[w0]}..{data.weeks[w1 - 1]}: {sol.status} in {sol.runtime_s:.1f}s",
        )
    if task.single:
        run.lower = window_bound
        run.bound_status = run.stats[0].status
        run.bound_rt = run.stats[0].runtime_s
    elif task.compute_bound and not np.isfinite(run.lower):
        remaining = budget_s - (time.perf_counter() - t_start)
        _bound_without_relaxation(
            run, data, task, rel_job is None, remaining, helper, bound_seconds
        )
        if rel_job is None:
            report(1.0, f"lower bound {run.lower:,.2f} EUR ({run.bound_status})")
    return run


def _take_relaxation(
    run: GroupRun, rel_job: TaskFuture[Relaxation | None] | None, report: _Progress
) -> Relaxation | None:
    """Wait for the group's year relaxation; its value is the bound at hand."""
    if rel_job is None:
        return None
    rel = rel_job.result()
    report(
        0.2,
        "year relaxation: "
        + (f"{rel.objective_eur:,.2f} EUR in {rel.runtime_s:.1f}s" if rel else "no"),
    )
    if rel is not None:
        run.lower, run.bound_status = rel.objective_eur, "OPTIMAL"
        run.bound_method = METHOD_LP
        run.bound_rt = rel.runtime_s
    return rel


def _solve_window(
    data: MatchData,
    task: GroupTask,
    state: WindowState,
    rel: Relaxation | None,
    weeks: tuple[int, int],
    limit_s: float,
) -> tuple[WindowModel, WindowSolution]:
    """Build and solve one window within ``limit_s`` seconds: the reference-only plan
    first, then the MIP from it; the better of the two."""
    w0, w1 = weeks
    last = w1 == data.n_weeks
    m = build_window(
        data,
        w0,
        w1,
        state,
        task.spec,
        lookahead=None if (rel is None or last) else rel.agg[:, w1:, :].sum(axis=1),
        stock_price_out=None if (rel is None or last) else rel.stock_price[:, :, w1],
    )
    params = task.params
    base = solve_window(m, params, max(1.0, 0.3 * limit_s), relax=True, fix_zero=FALLBACK_ZERO)
    if base.has_solution:  # wholesaler deliveries are 0/1 in a plan
        base.x[m.r] = (base.x[m.r] > 1e-9).astype(float)
        base.x[m.chg] = (base.x[m.chg] > 1e-9).astype(float)
        base.objective = m.objective_of(base.x)
        base.status = "FEASIBLE"
    hint = base.x if base.has_solution else None
    left_s = max(0.1, limit_s - base.runtime_s)
    staged: list[WindowSolution | None] = []
    if task.spec.lexicographic_changes and len(m.chg):
        t0 = time.perf_counter()
        kept = keep_previous(m, data, params, 0.3 * left_s)
        fewest = fewest_changes(m, params, 0.5 * left_s, kept.x if kept else hint)
        staged = [kept, fewest]
        hint = next((p.x for p in (fewest, kept) if p is not None), hint)
        left_s = max(0.1, left_s - (time.perf_counter() - t0))
    sol = solve_window(
        m,
        params,
        left_s,
        hint=hint,
        abs_gap_eur=None if task.single else params.mip_gap * data.wholesale_value_eur(w0, w1),
    )
    if staged:
        best = lexicographic_best(m, [sol, *staged, base])
        if best is not sol:
            best.status = "FEASIBLE"
        return m, best
    if not sol.has_solution or (base.has_solution and base.objective < sol.objective - 1e-6):
        logger.warning(
            "weeks %d-%d: no MIP plan better than the fallback in %.1fs", w0, w1, limit_s
        )
        sol = base if base.has_solution else sol
        sol.status = "FEASIBLE" if base.has_solution else "NO_SOLUTION_WITHIN_LIMIT"
    return m, sol


def _record(
    run: GroupRun,
    data: MatchData,
    m: WindowModel,
    sol: WindowSolution,
    spec: ObjectiveSpec,
) -> None:
    """Keep a solved window: its statistics, drops, pickups and purchases."""
    run.all_optimal &= sol.status == "OPTIMAL"
    run.stats.append(
        WindowStats(
            first_week=data.weeks[m.w0],
            last_week=data.weeks[m.w1 - 1],
            n_vars=m.vars.n,
            n_rows=m.rows.n,
            n_binaries=m.n_binaries,
            status=sol.status,
            objective_eur=sol.objective,
            bound_eur=sol.bound,
            runtime_s=sol.runtime_s,
        )
    )
    drops, pickups = drops_and_pickups(m, sol, data)
    run.drops.append(drops)
    run.pickups.append(pickups)
    commit_window(m, sol, data, run.state, run.bought)
    if spec.ordering.regularity_eur_per_kg > 0:
        carry_regularity(m, sol.x, data, run.state, spec.ordering.regularity_scope)
    run.changed += changes_of(m, sol.x)


def _bound_without_relaxation(
    run: GroupRun,
    data: MatchData,
    task: GroupTask,
    never_tried: bool,
    remaining_s: float,
    helper: TaskRunner,
    bound_seconds: Callable[[], float],
) -> None:
    """The bound of a multi-window group whose year relaxation gave nothing.

    Not tried (too big): the loose Lagrangian bound, now, from multipliers set by the
    plan's yearly shortfalls. Out of time: the helper tries the relaxation again with
    the bound's time, then the bound from it (``run.bound_job``).
    """
    eur, _ = target_shortfalls(data, run.state, run.penalty)
    mu = np.where(eur > TOL_EUR, run.penalty[None, :], 0.0)
    bound = task.bound
    start = stock_prices(bound.data, run.bought, mu, task.windows) if run.bought.recorded else None
    if never_tried:
        res = bound.without_relaxation(task.windows, mu, start, remaining_s)
        run.bound_method = METHOD_LOOSE
        run.lower, run.bound_status = res.value_eur, res.status
        run.bound_rt += res.runtime_s
    else:
        run.bound_job = helper.submit(_bound_retried, bound, bound_seconds, task.windows, mu, start)


def _bound_with_relaxation(
    bound: GroupBound, rel: Relaxation, seconds: Callable[[], float]
) -> BoundResult:
    """A task: the Lagrangian MIP windows priced with ``rel``, given ``seconds()`` when
    it starts."""
    return bound.with_relaxation(rel, seconds())


def _bound_retried(
    bound: GroupBound,
    seconds: Callable[[], float],
    plan_windows: list[tuple[int, int]],
    mu: np.ndarray,
    start: list[np.ndarray] | None,
) -> BoundResult:
    """A task: the year relaxation tried again, then the bound from it."""
    return bound.retried(seconds(), plan_windows, mu, start)
