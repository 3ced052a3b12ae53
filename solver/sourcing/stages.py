"""The lexicographic objective of a re-plan, window by window: the fewest changed order
lines first, the cost second.

A window of a re-plan (a previous plan in ``MatchData.previous``) is solved in stages,
each handing its plan to the next as the engine's first incumbent:

1. **keep what can be kept** (an LP): the previous plan's drops, pickups, stops, delivery
   weeks and lots fixed -- the lost ones at 0 --, the wholesaler free, the changed lines
   minimised; rounded up, it is a plan that changes only what the loss forces (when the
   fixed binaries leave one: a minimum order broken by a partial loss makes it
   infeasible, and the reference-only plan takes its place);
2. **fewest changes** (a MIP): ``min sum chg`` alone, within half the time left; its count
   then caps the next stage (``sum chg <= count``, the ``change_cap`` row);
3. **cheapest** among those (the window's MIP, by the caller).

The window keeps the best of every stage's plan, compared by (changed lines, cost).
"""

from __future__ import annotations

import logging

import numpy as np

from solver.core import SolveParams
from solver.evaluation import CHANGE_TOL_KG
from solver.sourcing.cycle_rules import previous_binaries
from solver.sourcing.data import MatchData
from solver.sourcing.model import WindowSolution, solve_window
from solver.sourcing.window import WindowModel

__all__ = ["changes_of", "fewest_changes", "keep_previous", "lexicographic_best"]

logger = logging.getLogger(__name__)


def changes_of(m: WindowModel, x: np.ndarray) -> int:
    """Order lines of a window's solution ``x`` whose kg differ from the previous plan's by
    more than :data:`solver.evaluation.CHANGE_TOL_KG` (as :func:`solver.evaluation.
    plan_changes` counts them), plus the previous lines with no candidate."""
    moved = np.abs(x[m.chg_x] - m.chg_q) * m.chg_kg_per_unit > CHANGE_TOL_KG
    return int(moved.sum()) + m.chg_forced


def _within_bounds(m: WindowModel, sol: WindowSolution) -> WindowSolution:
    """``sol`` with its values clipped to their bounds: an engine's values a hair outside
    (-1e-7) make HiGHS fail when handed back as a hint."""
    sol.x = np.clip(sol.x, np.concatenate(m.vars.lb), np.concatenate(m.vars.ub))
    return sol


def _only_changes(m: WindowModel) -> np.ndarray:
    cost = np.zeros(m.vars.n)
    cost[m.chg] = 1.0
    return cost


def keep_previous(
    m: WindowModel, data: MatchData, params: SolveParams, limit_s: float
) -> WindowSolution | None:
    """Stage 1: the previous plan's binaries fixed, the changes minimised (an LP), its
    wholesaler deliveries and change indicators rounded up; ``None`` when infeasible."""
    sol = solve_window(
        m,
        params,
        limit_s,
        relax=True,
        objective=_only_changes(m),
        fixed=previous_binaries(m, data),
    )
    if not sol.has_solution:
        logger.info("weeks %d-%d: the previous plan's drops cannot all be kept", m.w0, m.w1)
        return None
    for cols in (m.r, m.chg):
        sol.x[cols] = (sol.x[cols] > 1e-9).astype(float)
    sol = _within_bounds(m, sol)
    sol.objective = m.objective_of(sol.x)
    sol.status = "FEASIBLE"
    return sol


def fewest_changes(
    m: WindowModel, params: SolveParams, limit_s: float, hint: np.ndarray | None
) -> WindowSolution | None:
    """Stage 2: the fewest changed lines within ``limit_s``, from ``hint``; adds the
    ``change_cap`` row that holds the next stage to that count. ``None`` without a plan."""
    first = solve_window(
        m, params, limit_s, hint=hint, abs_gap_eur=0.99, objective=_only_changes(m)
    )
    if not first.has_solution:
        return None
    first = _within_bounds(m, first)
    fewest = float(np.round(first.x[m.chg]).sum())
    n = len(m.chg)
    m.rows.add("change_cap", 1, np.zeros(n, dtype=int), m.chg, 1.0, -np.inf, fewest + 0.5)
    first.objective = m.objective_of(first.x)
    logger.debug("weeks %d-%d: %d changed lines at least", m.w0, m.w1, changes_of(m, first.x))
    return first


def lexicographic_best(m: WindowModel, plans: list[WindowSolution | None]) -> WindowSolution:
    """The plan with the fewest changed lines, then the lowest cost (one of ``plans`` has
    a solution)."""
    found = [p for p in plans if p is not None and p.has_solution]
    return min(found, key=lambda p: (changes_of(m, p.x), p.objective))
