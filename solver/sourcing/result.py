"""What a sourcing run returns: the plan, its cost, its lower bound, the targets it misses.

``objective_eur`` is the cost of the plan in the monolithic model's objective: food +
logistics + tie-breaks + each target's penalty times its *final* (yearly) shortfall.
The steering terms of the windows (forecasts, stock credits) are not part of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from solver.core import PurchasePlan
from solver.sourcing.data import MatchData
from solver.sourcing.window import TARGETS, WindowState

__all__ = [
    "BOUND_GROUP_SUM",
    "BOUND_JOINT",
    "BOUND_WHOLE",
    "TOL_EUR",
    "HardInfeasibility",
    "SourcingResult",
    "TargetShortfall",
    "WindowStats",
    "hard_infeasibility",
    "target_shortfalls",
]

#: A shortfall of at most this many EUR is no shortfall (solver tolerance).
TOL_EUR = 1e-3

#: What ``SourcingResult.lower_bound_eur`` bounds (``bound_kind``): the whole problem
#: planned as one group of kitchens; ...
BOUND_WHOLE = "whole problem"
#: ... the territory through its Lagrangian dual with the shared capacity priced (a
#: bound of the territory's optimum that counts each offer's capacity once);
BOUND_JOINT = "territory, shared capacity priced"
#: ... the sum of the groups' bounds, each with all the shared capacity (still a bound of
#: the territory, looser: a scarce offer is counted once per group that reaches it).
BOUND_GROUP_SUM = "sum of groups' bounds"


@dataclass(frozen=True)
class TargetShortfall:
    """A target missed over the horizon.

    ``required``/``achieved``/``shortfall`` are in ``unit``: ``"%"`` for the shares, ``"EUR/meal"``
    for the budget (achieved = food cost per meal). ``shortfall_eur`` is the missing EUR of
    share (or EUR over budget); ``penalty_eur`` what the objective charged for it.
    """

    kitchen_id: str
    target: str
    required: float
    achieved: float
    shortfall: float
    unit: str
    penalty_eur: float
    shortfall_eur: float = 0.0


@dataclass(frozen=True)
class HardInfeasibility:
    """Why hard targets cannot be met, and the cheapest relaxation found.

    ``target``/``kitchen_id``/``shortfall`` name the largest miss (in EUR);
    ``relaxations`` lists every target to relax, to the value the plan achieves;
    ``proven`` is True when the LP relaxation with every target hard is infeasible.
    """

    target: str
    kitchen_id: str
    required: float
    achieved: float
    shortfall: float
    unit: str
    cheapest_relaxation: str
    relaxations: tuple[TargetShortfall, ...]
    proven: bool


@dataclass(frozen=True)
class WindowStats:
    """One window of the decomposition: its size, the engine's answer and time."""

    first_week: dt.date
    last_week: dt.date
    n_vars: int
    n_rows: int
    n_binaries: int
    status: str
    objective_eur: float
    bound_eur: float
    runtime_s: float


@dataclass
class SourcingResult:
    """The plan and how good it is.

    ``status``: ``OPTIMAL`` (a single window solved to optimality, or the gap to the lower
    bound within ``SolveParams.mip_gap``), ``FEASIBLE``, ``NO_SOLUTION_WITHIN_LIMIT`` (a
    window found no plan) or, in hard mode with targets missed, ``INFEASIBLE`` (proven) or
    ``NO_SOLUTION_WITHIN_LIMIT``. ``gap = (objective - lower bound) / objective``;
    ``bound_method`` says how the bound was computed. A revision's ``plan`` holds the
    previous plan's kept weeks too (``food_cost_eur`` counts them; ``objective_eur`` and
    ``logistics_cost_eur`` are the re-planned weeks', with the yearly penalties) and
    ``changed_lines`` is the previous plan's order lines the model changed (``None`` when
    changes are not counted).
    """

    plan: PurchasePlan
    status: str
    objective_eur: float
    lower_bound_eur: float
    gap: float
    runtime_s: float
    target_shortfalls: list[TargetShortfall]
    hard_infeasibility: HardInfeasibility | None
    windows: list[WindowStats] = field(default_factory=list)
    food_cost_eur: float = 0.0
    logistics_cost_eur: float = 0.0
    penalty_eur: float = 0.0
    bound_runtime_s: float = 0.0
    bound_status: str = ""
    bound_method: str = ""
    bound_kind: str = ""
    groups: int = 1
    changed_lines: int | None = None

    def summary(self) -> str:
        """A few human lines: status, cost, bound, gap, targets missed."""
        n_lines = len(self.plan.lines)
        out = [
            f"status {self.status}: objective {self.objective_eur:,.2f} EUR "
            f"(food {self.food_cost_eur:,.2f}, logistics {self.logistics_cost_eur:,.2f} "
            f"[{self.plan.logistics_source}], penalties {self.penalty_eur:,.2f})",
            f"lower bound {self.lower_bound_eur:,.2f} EUR ({self.bound_method}), "
            f"gap {self.gap:.3%}, "
            f"{self.runtime_s:.1f} s, {len(self.windows)} window(s)"
            + (f" in {self.groups} groups of kitchens" if self.groups > 1 else "")
            + f", {n_lines} lines",
        ]
        for s in self.target_shortfalls:
            out.append(
                f"  {s.kitchen_id}: {s.target} {s.achieved:.2f} vs {s.required:.2f} {s.unit} "
                f"(short {s.shortfall:.2f}, penalty {s.penalty_eur:,.2f} EUR)"
            )
        if self.hard_infeasibility is not None:
            h = self.hard_infeasibility
            out.append(
                f"hard targets not met ({'proven' if h.proven else 'not proven'}): "
                f"{h.cheapest_relaxation}"
            )
        return "\n".join(out)


def target_shortfalls(
    data: MatchData, state: WindowState, penalty: np.ndarray
) -> tuple[np.ndarray, list[TargetShortfall]]:
    """Final (yearly) shortfall EUR per kitchen and target (K, len(TARGETS)) of what
    ``state`` records as bought, and the report rows of those above :data:`TOL_EUR`;
    ``penalty`` is EUR per EUR of shortfall, per target."""
    meals = data.meals.sum(axis=1) + data.meals_before
    eur = np.stack(
        [
            np.maximum(0.0, data.t_egalim * state.value - state.egalim),
            np.maximum(0.0, data.t_bio * state.value - state.bio),
            np.maximum(0.0, data.t_meat_fish * state.mf_value - state.mf_egalim),
            np.maximum(0.0, data.t_local * state.value - state.local),
            np.maximum(0.0, state.value - data.budget_eur_per_meal * meals),
        ],
        axis=1,
    )
    rows: list[TargetShortfall] = []
    for k, kid in enumerate(data.kitchens):
        base = [state.value[k], state.value[k], state.mf_value[k], state.value[k]]
        got = [state.egalim[k], state.bio[k], state.mf_egalim[k], state.local[k]]
        req = [data.t_egalim[k], data.t_bio[k], data.t_meat_fish[k], data.t_local[k]]
        for j, name in enumerate(TARGETS[:4]):
            if eur[k, j] > TOL_EUR and base[j] > 0:
                ach = 100.0 * got[j] / base[j]
                rows.append(
                    TargetShortfall(
                        kid,
                        name,
                        100 * req[j],
                        ach,
                        100 * req[j] - ach,
                        "%",
                        penalty[j] * eur[k, j],
                        eur[k, j],
                    )
                )
        if eur[k, 4] > TOL_EUR and meals[k] > 0:
            ach = state.value[k] / meals[k]
            b = data.budget_eur_per_meal[k]
            rows.append(
                TargetShortfall(
                    kid, "budget", b, ach, ach - b, "EUR/meal", penalty[4] * eur[k, 4], eur[k, 4]
                )
            )
    return eur, rows


def hard_infeasibility(rows: list[TargetShortfall], *, proven: bool) -> HardInfeasibility:
    """The answer to hard targets missed by ``rows`` (not empty): the largest miss and,
    in words, every target to relax to what the plan achieves."""
    worst = max(rows, key=lambda s: s.shortfall_eur)
    parts = []
    for s in rows:
        if s.target == "budget":
            parts.append(
                f"raise the budget of {s.kitchen_id} from {s.required:.2f} "
                f"to {s.achieved:.2f} EUR/meal"
            )
        else:
            parts.append(
                f"lower {s.target} of {s.kitchen_id} from {s.required:.1f}% to {s.achieved:.1f}%"
            )
    return HardInfeasibility(
        target=worst.target,
        kitchen_id=worst.kitchen_id,
        required=worst.required,
        achieved=worst.achieved,
        shortfall=worst.shortfall,
        unit=worst.unit,
        cheapest_relaxation="; ".join(parts),
        relaxations=tuple(rows),
        proven=proven,
    )
