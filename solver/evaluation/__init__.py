"""evaluation."""

from solver.core import week_month as week_month
from solver.evaluation.contracts_check import CONTRACT_RULES as CONTRACT_RULES
from solver.evaluation.contracts_check import check_contracts as check_contracts
from solver.evaluation.cycle import CHANGE_TOL_KG as CHANGE_TOL_KG
from solver.evaluation.cycle import CHANGES_COLUMNS as CHANGES_COLUMNS
from solver.evaluation.cycle import REGULARITY_COLUMNS as REGULARITY_COLUMNS
from solver.evaluation.cycle import check_replan as check_replan
from solver.evaluation.cycle import check_week as check_week
from solver.evaluation.cycle import plan_changes as plan_changes
from solver.evaluation.cycle import regularity_summary as regularity_summary
from solver.evaluation.cycle import regularity_table as regularity_table
from solver.evaluation.indicators import TERRITORY as TERRITORY
from solver.evaluation.indicators import deliveries_by_week as deliveries_by_week
from solver.evaluation.indicators import indicators_table as indicators_table
from solver.evaluation.indicators import plan_frame as plan_frame
from solver.evaluation.indicators import platforms_table as platforms_table
from solver.evaluation.indicators import producers_table as producers_table
from solver.evaluation.indicators import target_shortfalls as target_shortfalls
from solver.evaluation.indicators import to_date as to_date
from solver.evaluation.plan_check import RULES as RULES
from solver.evaluation.plan_check import PlanCheck as PlanCheck
from solver.evaluation.plan_check import check_plan as check_plan
from solver.evaluation.plan_context import CHANNEL_MODES as CHANNEL_MODES
from solver.evaluation.plan_context import TOL_KG as TOL_KG
from solver.evaluation.plan_context import EligibilityLike as EligibilityLike
from solver.evaluation.plan_context import build_context as build_context
from solver.evaluation.plan_context import drive_limit_min as drive_limit_min
from solver.evaluation.plan_stock import storage_class as storage_class
from solver.evaluation.pooling_check import check_pooling as check_pooling
from solver.evaluation.report import Report as Report
from solver.evaluation.report import Violation as Violation
from solver.evaluation.routing_check import CheckReport as CheckReport
from solver.evaluation.routing_check import check_rounds as check_rounds
from solver.evaluation.routing_check import order_handling_s as order_handling_s

__all__ = [
    "CHANGES_COLUMNS",
    "CHANGE_TOL_KG",
    "CONTRACT_RULES",
    "CHANNEL_MODES",
    "CheckReport",
    "EligibilityLike",
    "PlanCheck",
    "REGULARITY_COLUMNS",
    "RULES",
    "Report",
    "TERRITORY",
    "TOL_KG",
    "Violation",
    "build_context",
    "check_contracts",
    "check_plan",
    "check_pooling",
    "check_replan",
    "check_rounds",
    "check_week",
    "deliveries_by_week",
    "drive_limit_min",
    "indicators_table",
    "order_handling_s",
    "plan_changes",
    "plan_frame",
    "platforms_table",
    "producers_table",
    "regularity_summary",
    "regularity_table",
    "storage_class",
    "target_shortfalls",
    "to_date",
    "week_month",
]
