"""prepare."""

from solver.prepare.demand import canteen_meals_per_week as canteen_meals_per_week
from solver.prepare.demand import canteen_weekly_demand as canteen_weekly_demand
from solver.prepare.demand import cycle_weeks as cycle_weeks
from solver.prepare.demand import demand_summary as demand_summary
from solver.prepare.demand import meals_per_week as meals_per_week
from solver.prepare.demand import portion_check as portion_check
from solver.prepare.demand import weekly_demand as weekly_demand
from solver.prepare.eligibility import Eligibility as Eligibility
from solver.prepare.eligibility import build_eligibility as build_eligibility

__all__ = [
    "Eligibility",
    "build_eligibility",
    "canteen_meals_per_week",
    "canteen_weekly_demand",
    "cycle_weeks",
    "demand_summary",
    "meals_per_week",
    "portion_check",
    "weekly_demand",
]
