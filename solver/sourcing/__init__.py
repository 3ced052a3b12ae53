"""Sourcing: which kitchen buys what from whom, week by week (the optimiser and its
greedy baseline)."""

from solver.sourcing.assemble import platform_day as platform_day
from solver.sourcing.bound import BoundResult as BoundResult
from solver.sourcing.bound import Relaxation as Relaxation
from solver.sourcing.bound import RelaxationSolver as RelaxationSolver
from solver.sourcing.bound import lagrangian_mip_bound as lagrangian_mip_bound
from solver.sourcing.bound import solve_relaxation as solve_relaxation
from solver.sourcing.budget import Decomposition as Decomposition
from solver.sourcing.budget import group_windows as group_windows
from solver.sourcing.budget import split_weeks as split_weeks
from solver.sourcing.budget import step_time_limit as step_time_limit
from solver.sourcing.data import LogisticsOverrides as LogisticsOverrides
from solver.sourcing.data import MatchData as MatchData
from solver.sourcing.data import TargetPenalties as TargetPenalties
from solver.sourcing.data import build_match_data as build_match_data
from solver.sourcing.greedy import greedy_plan as greedy_plan
from solver.sourcing.groups import balanced_labels as balanced_labels
from solver.sourcing.groups import every_n_open as every_n_open
from solver.sourcing.lines import History as History
from solver.sourcing.lines import LineRefs as LineRefs
from solver.sourcing.model import build_window as build_window
from solver.sourcing.model import solve_window as solve_window
from solver.sourcing.result import BOUND_GROUP_SUM as BOUND_GROUP_SUM
from solver.sourcing.result import BOUND_JOINT as BOUND_JOINT
from solver.sourcing.result import BOUND_WHOLE as BOUND_WHOLE
from solver.sourcing.result import HardInfeasibility as HardInfeasibility
from solver.sourcing.result import SourcingResult as SourcingResult
from solver.sourcing.result import TargetShortfall as TargetShortfall
from solver.sourcing.result import WindowStats as WindowStats
from solver.sourcing.revision import FixedLine as FixedLine
from solver.sourcing.revision import ReplanObjective as ReplanObjective
from solver.sourcing.revision import Revision as Revision
from solver.sourcing.revision import SourcingOptions as SourcingOptions
from solver.sourcing.revision import ordering_of as ordering_of
from solver.sourcing.solve import solve_sourcing as solve_sourcing
from solver.sourcing.tasks import TaskFuture as TaskFuture
from solver.sourcing.tasks import TaskRunner as TaskRunner
from solver.sourcing.tasks import ThreadRunner as ThreadRunner
from solver.sourcing.window import ObjectiveSpec as ObjectiveSpec
from solver.sourcing.window import Ordering as Ordering
from solver.sourcing.window import Tiebreak as Tiebreak
from solver.sourcing.window import initial_state as initial_state

__all__ = [
    "BOUND_GROUP_SUM",
    "BOUND_JOINT",
    "BOUND_WHOLE",
    "BoundResult",
    "Decomposition",
    "FixedLine",
    "HardInfeasibility",
    "History",
    "LineRefs",
    "LogisticsOverrides",
    "MatchData",
    "ObjectiveSpec",
    "Ordering",
    "Relaxation",
    "RelaxationSolver",
    "ReplanObjective",
    "Revision",
    "SourcingOptions",
    "SourcingResult",
    "TargetPenalties",
    "TargetShortfall",
    "TaskFuture",
    "TaskRunner",
    "ThreadRunner",
    "Tiebreak",
    "WindowStats",
    "balanced_labels",
    "build_match_data",
    "build_window",
    "every_n_open",
    "greedy_plan",
    "group_windows",
    "initial_state",
    "lagrangian_mip_bound",
    "ordering_of",
    "platform_day",
    "solve_relaxation",
    "solve_sourcing",
    "solve_window",
    "split_weeks",
    "step_time_limit",
]
